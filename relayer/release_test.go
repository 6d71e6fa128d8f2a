package relayer

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/address"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// The FLUX mainnet address prefixes (P2PKH t1…, P2SH t3…) and a testnet one.
var (
	mainP2PKH = [2]byte{0x1c, 0xb8}
	mainP2SH  = [2]byte{0x1c, 0xbd}
	testP2PKH = [2]byte{0x1d, 0x25}
)

// fluxTo is a decoded FLUX address: prefix ‖ a 20-byte hash filled with b.
func fluxTo(prefix [2]byte, b byte) []byte {
	return append(prefix[:], bytes.Repeat([]byte{b}, 20)...)
}

const testChain chains.ID = 1337

// testBurn is burn nonce of chain in state st, payable on mainnet.
func testBurn(chain chains.ID, nonce uint64, st BurnState) Burn {
	return Burn{ID: BurnID(chain, nonce), Chain: chain, Nonce: nonce, Amount: 1_000_000 + nonce, To: fluxTo(mainP2PKH, byte(nonce)), State: st}
}

// burnRun is the burns from..to of testChain, all in state st.
func burnRun(from, to uint64, st BurnState) []Burn {
	var out []Burn
	for n := from; n <= to; n++ {
		out = append(out, testBurn(testChain, n, st))
	}
	return out
}

// release is a release of chain covering from..to, in state st.
func release(txid string, chain chains.ID, from, to uint64, st SpendState) Spend {
	return Spend{TxID: txid, Kind: SpendRelease, Chain: chain, FromNonce: from, ToNonce: to, State: st}
}

func TestCanMoveBurn(t *testing.T) {
	all := []BurnState{BurnSeen, BurnFinal, BurnInBatch, BurnSigned, BurnBroadcast, BurnReleased, BurnSettled}
	// Every allowed move, written out: forward (or staying), back to final
	// from a dead release, back to broadcast from a reorganised one.
	allowed := map[BurnState][]BurnState{
		BurnSeen:      {BurnSeen, BurnFinal, BurnInBatch, BurnSigned, BurnBroadcast, BurnReleased, BurnSettled},
		BurnFinal:     {BurnFinal, BurnInBatch, BurnSigned, BurnBroadcast, BurnReleased, BurnSettled},
		BurnInBatch:   {BurnFinal, BurnInBatch, BurnSigned, BurnBroadcast, BurnReleased, BurnSettled},
		BurnSigned:    {BurnFinal, BurnSigned, BurnBroadcast, BurnReleased, BurnSettled},
		BurnBroadcast: {BurnFinal, BurnBroadcast, BurnReleased, BurnSettled},
		BurnReleased:  {BurnBroadcast, BurnReleased, BurnSettled},
		BurnSettled:   {BurnSettled},
	}
	index := func(s BurnState) int { return slices.Index(all, s) }
	rule := func(from, to BurnState) string {
		switch {
		case from == BurnSettled && to != BurnSettled:
			return "settled is terminal"
		case index(to) >= index(from):
			return "forward or staying is allowed"
		case to == BurnFinal && (from == BurnInBatch || from == BurnSigned || from == BurnBroadcast):
			return "back to final when the release is dead"
		case from == BurnReleased && to == BurnBroadcast:
			return "released back to broadcast on a reorganisation"
		}
		return "no other move backward"
	}
	if len(allowed) != len(all) {
		t.Fatalf("the matrix covers %d states of %d", len(allowed), len(all))
	}
	for _, from := range all {
		for _, to := range all {
			want := slices.Contains(allowed[from], to)
			t.Run(fmt.Sprintf("%s: %s to %s", rule(from, to), from, to), func(t *testing.T) {
				if got := CanMoveBurn(from, to); got != want {
					t.Fatalf("CanMoveBurn(%s, %s) = %v, want %v", from, to, got, want)
				}
			})
		}
	}
	for _, c := range []struct{ from, to BurnState }{
		{"", BurnFinal}, {BurnSeen, ""}, {"bogus", BurnSettled}, {BurnSeen, "bogus"}, {"bogus", "bogus"},
		{"Final", BurnSigned}, {BurnFinal, "Signed"}, {"dead", BurnFinal},
	} {
		t.Run(fmt.Sprintf("unknown states are refused: %q to %q", c.from, c.to), func(t *testing.T) {
			if CanMoveBurn(c.from, c.to) {
				t.Fatalf("CanMoveBurn(%q, %q) allowed", c.from, c.to)
			}
		})
	}
	for _, s := range all {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
	}
	if BurnState("bogus").Valid() || BurnState("").Valid() {
		t.Error("an unknown state is valid")
	}
}

func TestRounds(t *testing.T) {
	p0, p1, p2 := []byte{0xa0}, []byte{0xa1}, []byte{0xa2}
	c := Releases{Cadence: 10, Proposers: [][]byte{p0, p1, p2}}
	const confirmations = 40
	cases := []struct {
		name string
		h    uint64
		want round
	}{
		{"height 0 is round 0, proposer 0, no reference height yet", 0, round{N: 0, Proposer: p0, RefHeight: 0, Expiry: 20}},
		{"the last height of a round is still that round", 9, round{N: 0, Proposer: p0, RefHeight: 0, Expiry: 20}},
		{"a round starts every cadence blocks, proposers rotate", 10, round{N: 1, Proposer: p1, RefHeight: 0, Expiry: 30}},
		{"a round starting within the confirmations has reference height 0", 35, round{N: 3, Proposer: p0, RefHeight: 0, Expiry: 50}},
		{"n*cadence equal to the confirmations: still 0", 40, round{N: 4, Proposer: p1, RefHeight: 0, Expiry: 60}},
		{"n*cadence equal to the confirmations, end of round", 49, round{N: 4, Proposer: p1, RefHeight: 0, Expiry: 60}},
		{"the first round past the confirmations: n*cadence - confirmations", 50, round{N: 5, Proposer: p2, RefHeight: 10, Expiry: 70}},
		{"proposer is n mod the member count", 66, round{N: 6, Proposer: p0, RefHeight: 20, Expiry: 80}},
		{"a later round", 1234, round{N: 123, Proposer: p0, RefHeight: 1190, Expiry: 1250}},
		{"the next one", 1240, round{N: 124, Proposer: p1, RefHeight: 1200, Expiry: 1260}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.roundAt(tc.h, confirmations)
			if got.N != tc.want.N || !bytes.Equal(got.Proposer, tc.want.Proposer) || got.RefHeight != tc.want.RefHeight || got.Expiry != tc.want.Expiry {
				t.Fatalf("roundAt(%d) = %+v, want %+v", tc.h, got, tc.want)
			}
			// round(n) is what roundAt resolves to.
			if r := c.round(tc.want.N, confirmations); r.N != got.N || r.RefHeight != got.RefHeight || r.Expiry != got.Expiry || !bytes.Equal(r.Proposer, got.Proposer) {
				t.Fatalf("round(%d) = %+v, roundAt(%d) = %+v", tc.want.N, r, tc.h, got)
			}
		})
	}
}

func TestPayable(t *testing.T) {
	c := Releases{Prefixes: [][2]byte{mainP2PKH, mainP2SH}, Fee: 100_000}
	least := c.Fee + DustLimit
	burn := func(amount uint64, to []byte) Burn { return Burn{Chain: testChain, Amount: amount, To: to} }
	cases := []struct {
		name string
		b    Burn
		want string // a fragment of the reason; "" payable
	}{
		{"exactly fee plus dust is payable", burn(least, fluxTo(mainP2PKH, 1)), ""},
		{"a P2SH address of the network is payable", burn(least, fluxTo(mainP2SH, 1)), ""},
		{"one zatoshi less than fee plus dust is not", burn(least-1, fluxTo(mainP2PKH, 1)), "dust limit"},
		{"just the fee is not", burn(c.Fee, fluxTo(mainP2PKH, 1)), "dust limit"},
		{"zero is not", burn(0, fluxTo(mainP2PKH, 1)), "dust limit"},
		{"another network's prefix is not", burn(least, fluxTo(testP2PKH, 1)), "prefix"},
		{"a short address is not", burn(least, fluxTo(mainP2PKH, 1)[:21]), "prefix"},
		{"a long address is not", burn(least, append(fluxTo(mainP2PKH, 1), 0)), "prefix"},
		{"an empty address is not", burn(least, nil), "prefix"},
		{"a one-byte address is not", burn(least, []byte{0x1c}), "prefix"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := c.payable(tc.b)
			if (got == "") != (tc.want == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("payable = %q, want a reason with %q", got, tc.want)
			}
		})
	}
	t.Run("payouts pay the payable burns in order, net of the fee", func(t *testing.T) {
		burns := []Burn{burn(least, fluxTo(mainP2PKH, 1)), burn(least-1, fluxTo(mainP2PKH, 2)), burn(5*least, fluxTo(testP2PKH, 3)), burn(5*least, fluxTo(mainP2SH, 4))}
		got := c.payouts(burns)
		want := []chains.Payout{{To: fluxTo(mainP2PKH, 1), Amount: DustLimit}, {To: fluxTo(mainP2SH, 4), Amount: 5*least - c.Fee}}
		if len(got) != len(want) {
			t.Fatalf("payouts %+v, want %+v", got, want)
		}
		for i := range want {
			if !bytes.Equal(got[i].To, want[i].To) || got[i].Amount != want[i].Amount {
				t.Fatalf("payout %d = %+v, want %+v", i, got[i], want[i])
			}
		}
		got[1].To[5] ^= 0xff
		if !bytes.Equal(burns[3].To, fluxTo(mainP2SH, 4)) {
			t.Fatal("a payout shares its address with the burn")
		}
	})
}

func TestRefundPayout(t *testing.T) {
	c := Releases{Prefixes: [][2]byte{mainP2PKH, mainP2SH}, Fee: 100_000}
	least := c.Fee + DustLimit
	var h [20]byte
	for i := range h {
		h[i] = byte(0x30 + i)
	}
	mainnet := address.Address{Kind: address.P2PKH, Hash: h}.Encode(params.MainNet)
	testnet := address.Address{Kind: address.P2PKH, Hash: h}.Encode(params.TestNet)
	decoded := append(mainP2PKH[:], h[:]...)
	if !strings.HasPrefix(mainnet, "t1") {
		t.Fatalf("mainnet P2PKH address %s", mainnet)
	}
	if got, err := chains.ParseFluxAddress(mainnet); err != nil || !bytes.Equal(got, decoded) {
		t.Fatalf("ParseFluxAddress(%s) = %x, %v; want %x", mainnet, got, err, decoded)
	}
	// The same string with one character changed: the checksum fails.
	last := mainnet[len(mainnet)-1]
	swap := byte('2')
	if last == swap {
		swap = '3'
	}
	badSum := mainnet[:len(mainnet)-1] + string(swap)
	tr := func(to string, amount uint64) Transfer {
		return Transfer{ID: "flux:aa:0", Amount: amount, RefundTo: to, Lock: chains.LockRef{TxID: [32]byte{0xaa}}}
	}
	cases := []struct {
		name string
		t    Transfer
		want string // a fragment of the reason; "" pays
		pays uint64
	}{
		{"a valid address of the network and exactly fee plus dust pays the dust", tr(mainnet, least), "", DustLimit},
		{"a larger amount pays it net of the fee", tr(mainnet, 3*least), "", 3*least - c.Fee},
		{"no refund address: an operator's claim", tr("", 3*least), "claim", 0},
		{"an undecodable address: an operator's claim", tr("t1notanaddress", 3*least), "claim", 0},
		{"a bad checksum: an operator's claim", tr(badSum, 3*least), "claim", 0},
		{"an address of another network", tr(testnet, 3*least), "not of this FLUX network", 0},
		{"one zatoshi less than fee plus dust", tr(mainnet, least-1), "dust limit", 0},
		{"zero", tr(mainnet, 0), "dust limit", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			po, why := c.refundPayout(tc.t)
			if (why == "") != (tc.want == "") || !strings.Contains(why, tc.want) {
				t.Fatalf("refundPayout = %+v, %q; want a reason with %q", po, why, tc.want)
			}
			if tc.want != "" {
				if po.To != nil || po.Amount != 0 {
					t.Fatalf("a refused refund pays %+v", po)
				}
				return
			}
			if !bytes.Equal(po.To, decoded) || po.Amount != tc.pays {
				t.Fatalf("refundPayout = {%x %d}, want {%x %d}", po.To, po.Amount, decoded, tc.pays)
			}
		})
	}
}

func TestPlanRange(t *testing.T) {
	type want struct {
		from, to uint64
		ok       bool
	}
	cases := []struct {
		name string
		v    rangeView
		max  int
		want want
	}{
		{"nothing known: nothing to release", rangeView{Count: 5}, 10, want{ok: false}},
		{"no release yet: from nonce 0", rangeView{Burns: burnRun(0, 2, BurnFinal), Count: 3}, 10, want{0, 2, true}},
		{"from one past the highest live release of the chain",
			rangeView{Spends: []Spend{release("r0", testChain, 0, 4, SpendSettled), release("r1", testChain, 5, 9, SpendMined)}, Burns: burnRun(10, 12, BurnFinal), Count: 13},
			10, want{10, 12, true}},
		{"a release signed or broadcast, not yet mined, is live",
			rangeView{Spends: []Spend{release("r0", testChain, 0, 4, SpendSigned), release("r1", testChain, 5, 6, SpendBroadcast)}, Burns: burnRun(7, 8, BurnFinal), Count: 9},
			10, want{7, 8, true}},
		{"a dead release is ignored",
			rangeView{Spends: []Spend{release("r0", testChain, 0, 4, SpendMined), release("dead", testChain, 5, 9, SpendDead)}, Burns: burnRun(5, 9, BurnFinal), Count: 10},
			10, want{5, 9, true}},
		{"releases of another chain are ignored",
			rangeView{Spends: []Spend{release("other", 56, 0, 20, SpendMined)}, Burns: burnRun(0, 1, BurnFinal), Count: 2},
			10, want{0, 1, true}},
		{"spends other than releases are ignored",
			rangeView{Spends: []Spend{
				{TxID: "refund", Kind: SpendRefund, Chain: testChain, ToNonce: 9, Ref: "flux:aa:0", State: SpendMined},
				{TxID: "move", Kind: SpendMove, Chain: testChain, ToNonce: 9, State: SpendMined},
			}, Burns: burnRun(0, 1, BurnFinal), Count: 2},
			10, want{0, 1, true}},
		{"capped by max", rangeView{Burns: burnRun(0, 9, BurnFinal), Count: 10}, 3, want{0, 2, true}},
		{"max of one", rangeView{Burns: burnRun(0, 9, BurnFinal), Count: 10}, 1, want{0, 0, true}},
		{"stops at a gap", rangeView{Burns: append(burnRun(0, 1, BurnFinal), burnRun(3, 4, BurnFinal)...), Count: 5}, 10, want{0, 1, true}},
		{"stops at a seen burn",
			rangeView{Burns: slices.Concat(burnRun(0, 1, BurnFinal), burnRun(2, 2, BurnSeen), burnRun(3, 4, BurnFinal)), Count: 5}, 10, want{0, 1, true}},
		{"stops at the counter", rangeView{Burns: burnRun(0, 4, BurnFinal), Count: 3}, 10, want{0, 2, true}},
		{"burns past final count as final (their release died)",
			rangeView{Burns: []Burn{testBurn(testChain, 0, BurnInBatch), testBurn(testChain, 1, BurnSigned), testBurn(testChain, 2, BurnBroadcast),
				testBurn(testChain, 3, BurnReleased), testBurn(testChain, 4, BurnSettled)}, Count: 5}, 10, want{0, 4, true}},
		{"the first burn seen: nothing to release", rangeView{Burns: slices.Concat(burnRun(0, 0, BurnSeen), burnRun(1, 3, BurnFinal)), Count: 4}, 10, want{ok: false}},
		{"the counter at the next nonce: nothing to release", rangeView{Burns: burnRun(0, 3, BurnFinal), Count: 0}, 10, want{ok: false}},
		{"the first burn after a gap at the next nonce: nothing to release", rangeView{Burns: burnRun(1, 3, BurnFinal), Count: 4}, 10, want{ok: false}},
		{"everything released: nothing to release",
			rangeView{Spends: []Spend{release("r0", testChain, 0, 4, SpendMined)}, Count: 5}, 10, want{ok: false}},
		{"max zero: nothing to release", rangeView{Burns: burnRun(0, 3, BurnFinal), Count: 4}, 0, want{ok: false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.v.Chain = testChain
			from, to, ok := planRange(tc.v, tc.max)
			if ok != tc.want.ok || ok && (from != tc.want.from || to != tc.want.to) {
				t.Fatalf("planRange = %d..%d %v, want %d..%d %v", from, to, ok, tc.want.from, tc.want.to, tc.want.ok)
			}
		})
	}
}

func TestCheckRelease(t *testing.T) {
	const maxBatch = 5
	proposal := func(txid string, from, to uint64) Proposal {
		return Proposal{Round: 3, TxID: txid, Payload: []byte{1}, Spend: chains.ReserveSpend{Chain: testChain, FromNonce: from, ToNonce: to}}
	}
	// The base view: 0..4 released (live), a dead release of 5..9, burns
	// 5..14 final, the counter at 15: the next release starts at 5.
	base := func() rangeView {
		return rangeView{Chain: testChain, Spends: []Spend{release("r0", testChain, 0, 4, SpendSettled), release("dead", testChain, 5, 9, SpendDead)},
			Burns: burnRun(5, 14, BurnFinal), Count: 15}
	}
	with := func(f func(*rangeView)) rangeView { v := base(); f(&v); return v }
	type want struct {
		burns []uint64 // the nonces returned when accepted
		why   string   // a fragment of the refusal; "" accepted
		wait  bool
	}
	cases := []struct {
		name string
		v    rangeView
		p    Proposal
		want want
	}{
		{"accepted: exactly the burns of the range", base(), proposal("p", 5, 7), want{burns: []uint64{5, 6, 7}}},
		{"accepted: a single burn", base(), proposal("p", 5, 5), want{burns: []uint64{5}}},
		{"accepted: exactly max burns", with(func(v *rangeView) { v.Spends = v.Spends[:1] }), proposal("p", 5, 9), want{burns: []uint64{5, 6, 7, 8, 9}}},
		{"accepted: overlapping a dead release", base(), proposal("p", 5, 9), want{burns: []uint64{5, 6, 7, 8, 9}}},
		{"accepted: a live release of another chain does not overlap",
			with(func(v *rangeView) { v.Spends = append(v.Spends, release("other", 56, 0, 20, SpendBroadcast)) }), proposal("p", 5, 7),
			want{burns: []uint64{5, 6, 7}}},
		{"accepted: burns past final (their release died) count as final",
			with(func(v *rangeView) { v.Burns[1].State, v.Burns[2].State = BurnSigned, BurnReleased }), proposal("p", 5, 7),
			want{burns: []uint64{5, 6, 7}}},
		{"accepted: the very same transaction as a live release",
			with(func(v *rangeView) { v.Spends = append(v.Spends, release("p", testChain, 5, 7, SpendSigned)) }), proposal("p", 5, 7),
			want{burns: []uint64{5, 6, 7}}},
		{"refused, not waited: overlapping a live release",
			with(func(v *rangeView) { v.Spends = append(v.Spends, release("live", testChain, 7, 8, SpendSigned)) }), proposal("p", 5, 7),
			want{why: "overlaps release live"}},
		{"refused, not waited: overlapping a live release only seen on chain",
			with(func(v *rangeView) { v.Spends = append(v.Spends, release("mined", testChain, 3, 6, SpendMined)) }), proposal("p", 6, 9),
			want{why: "overlaps release mined"}},
		{"refused, not waited: starting after the next nonce", base(), proposal("p", 6, 8), want{why: "after the next unreleased nonce 5"}},
		{"refused, not waited: starting before the next nonce",
			with(func(v *rangeView) { v.Spends = append(v.Spends, release("ahead", testChain, 8, 9, SpendMined)) }), proposal("p", 5, 7),
			want{why: "before the next unreleased nonce 10"}},
		{"refused, not waited: too many burns", base(), proposal("p", 5, 10), want{why: "at most 5"}},
		{"waited: ending at the counter",
			with(func(v *rangeView) { v.Count = 9 }), proposal("p", 5, 9), want{why: "not below the finalized burn counter 9", wait: true}},
		{"waited: ending past the counter",
			with(func(v *rangeView) { v.Count = 6 }), proposal("p", 5, 8), want{why: "not below the finalized burn counter 6", wait: true}},
		{"waited: a burn missing",
			with(func(v *rangeView) { v.Burns = slices.Delete(v.Burns, 2, 3) }), proposal("p", 5, 9), want{why: "4 of the 5 burns", wait: true}},
		{"waited: no burn known here",
			with(func(v *rangeView) { v.Burns = nil }), proposal("p", 5, 6), want{why: "0 of the 2 burns", wait: true}},
		{"waited: a burn still seen",
			with(func(v *rangeView) { v.Burns[2].State = BurnSeen }), proposal("p", 5, 9), want{why: "burn 7 is not final", wait: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			burns, why, wait := checkRelease(tc.v, tc.p, maxBatch)
			if (why == "") != (tc.want.why == "") || !strings.Contains(why, tc.want.why) || wait != tc.want.wait {
				t.Fatalf("checkRelease = %q wait %v, want a reason with %q wait %v", why, wait, tc.want.why, tc.want.wait)
			}
			if tc.want.why != "" {
				if burns != nil {
					t.Fatalf("refused with burns %v", burns)
				}
				return
			}
			var got []uint64
			for _, b := range burns {
				got = append(got, b.Nonce)
				i := slices.IndexFunc(tc.v.Burns, func(s Burn) bool { return s.Nonce == b.Nonce })
				if i < 0 || !reflect.DeepEqual(b, tc.v.Burns[i]) {
					t.Fatalf("burn %d is not the stored one: %+v", b.Nonce, b)
				}
			}
			if !slices.Equal(got, tc.want.burns) {
				t.Fatalf("burns %v, want %v", got, tc.want.burns)
			}
		})
	}
}

func TestDiffSpend(t *testing.T) {
	lockA := chains.LockRef{TxID: [32]byte{0xaa}, Vout: 1}
	lockB := chains.LockRef{TxID: [32]byte{0xaa}, Vout: 2}
	release := func() chains.ReserveSpend {
		return chains.ReserveSpend{Chain: testChain, FromNonce: 5, ToNonce: 6, RefHeight: 100, Expiry: 160, FeeRate: 10,
			Payouts: []chains.Payout{{To: fluxTo(mainP2PKH, 1), Amount: 1000}, {To: fluxTo(mainP2SH, 2), Amount: 2000}}}
	}
	refund := func(l chains.LockRef) chains.ReserveSpend {
		return chains.ReserveSpend{Refund: &l, RefHeight: 100, Expiry: 160, FeeRate: 10, Payouts: []chains.Payout{{To: fluxTo(mainP2PKH, 1), Amount: 1000}}}
	}
	mod := func(s chains.ReserveSpend, f func(*chains.ReserveSpend)) chains.ReserveSpend { f(&s); return s }
	cases := []struct {
		name      string
		got, want chains.ReserveSpend
		why       string // a fragment of the difference; "" equal
	}{
		{"the equal release", release(), release(), ""},
		{"the equal refund (another pointer to an equal lock)", refund(lockA), refund(lockA), ""},
		{"an empty exclusion list is no exclusion", mod(release(), func(s *chains.ReserveSpend) { s.Exclude = []string{} }), release(), ""},
		{"exclusions", mod(release(), func(s *chains.ReserveSpend) { s.Exclude = []string{"aa:0"} }), release(), "excludes"},
		{"a refund of another lock", refund(lockB), refund(lockA), "refunds another"},
		{"a refund where a release is expected", refund(lockA), release(), "refunds another"},
		{"a release where a refund is expected", release(), refund(lockA), "refunds another"},
		{"the fee rate", mod(release(), func(s *chains.ReserveSpend) { s.FeeRate = 11 }), release(), "fee rate"},
		{"the reference height", mod(release(), func(s *chains.ReserveSpend) { s.RefHeight = 90 }), release(), "reference height"},
		{"the expiry", mod(release(), func(s *chains.ReserveSpend) { s.Expiry = 170 }), release(), "expiry"},
		{"a payout more", mod(release(), func(s *chains.ReserveSpend) {
			s.Payouts = append(slices.Clone(s.Payouts), chains.Payout{To: fluxTo(mainP2PKH, 3), Amount: 1})
		}), release(), "3 payouts"},
		{"a payout less", mod(release(), func(s *chains.ReserveSpend) { s.Payouts = s.Payouts[:1] }), release(), "1 payouts"},
		{"no payouts where the burns call for some", mod(release(), func(s *chains.ReserveSpend) { s.Payouts = nil }), release(), "0 payouts"},
		{"a payout address", mod(release(), func(s *chains.ReserveSpend) {
			s.Payouts = slices.Clone(s.Payouts)
			s.Payouts[1].To = fluxTo(mainP2SH, 9)
		}), release(), "payout 1 goes to"},
		{"a payout address's prefix", mod(release(), func(s *chains.ReserveSpend) {
			s.Payouts = slices.Clone(s.Payouts)
			s.Payouts[0].To = fluxTo(mainP2SH, 1)
		}), release(), "payout 0 goes to"},
		{"a payout amount", mod(release(), func(s *chains.ReserveSpend) {
			s.Payouts = slices.Clone(s.Payouts)
			s.Payouts[1].Amount++
		}), release(), "payout 1 pays 2001"},
		{"payouts swapped", mod(release(), func(s *chains.ReserveSpend) {
			s.Payouts = []chains.Payout{s.Payouts[1], s.Payouts[0]}
		}), release(), "payout 0 goes to"},
		{"a refund's payout amount", mod(refund(lockA), func(s *chains.ReserveSpend) {
			s.Payouts = []chains.Payout{{To: fluxTo(mainP2PKH, 1), Amount: 999}}
		}), refund(lockA), "payout 0 pays 999"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			why := diffSpend(tc.got, tc.want)
			if (why == "") != (tc.why == "") || !strings.Contains(why, tc.why) {
				t.Fatalf("diffSpend = %q, want a difference with %q", why, tc.why)
			}
		})
	}
}

func TestInFlight(t *testing.T) {
	ours := func(txid string, st SpendState) Spend {
		s := release(txid, testChain, 0, 4, st)
		s.SignedByUs = true
		return s
	}
	cases := []struct {
		name   string
		spends []Spend
		txid   string
		want   string // the spend in flight; "" none
	}{
		{"nothing signed", nil, "", ""},
		{"ours signed is in flight", []Spend{ours("a", SpendSigned)}, "", "a"},
		{"ours broadcast is in flight", []Spend{ours("a", SpendBroadcast)}, "", "a"},
		{"ours mined is not", []Spend{ours("a", SpendMined)}, "", ""},
		{"ours settled is not", []Spend{ours("a", SpendSettled)}, "", ""},
		{"ours dead is not", []Spend{ours("a", SpendDead)}, "", ""},
		{"one not signed by us is not", []Spend{release("a", testChain, 0, 4, SpendBroadcast)}, "", ""},
		{"the spend considered itself is not", []Spend{ours("a", SpendSigned)}, "a", ""},
		{"another of ours is, besides the one considered", []Spend{ours("a", SpendSigned), ours("b", SpendBroadcast)}, "a", "b"},
		{"found among others", []Spend{ours("m", SpendMined), release("x", 56, 0, 1, SpendSigned), ours("d", SpendDead), ours("s", SpendSigned)}, "", "s"},
		{"a refund of ours counts too", []Spend{{TxID: "f", Kind: SpendRefund, Ref: "flux:aa:0", SignedByUs: true, State: SpendSigned}}, "", "f"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := inFlight(tc.spends, tc.txid)
			if ok != (tc.want != "") || s.TxID != tc.want {
				t.Fatalf("inFlight = %q %v, want %q", s.TxID, ok, tc.want)
			}
		})
	}
}

func TestSameSpend(t *testing.T) {
	inputs := []string{"aa:0", "bb:1", "cc:2"}
	rel := Spend{TxID: "unsigned", Kind: SpendRelease, Chain: testChain, FromNonce: 5, ToNonce: 9, Inputs: inputs}
	ref := Spend{TxID: "unsigned", Kind: SpendRefund, Ref: "flux:dd:0", Inputs: inputs}
	mv := Spend{TxID: "unsigned", Kind: SpendMove, Inputs: inputs}
	relEv := chains.Event{Kind: chains.EventRelease, TxID: "signed", DestChain: testChain, FromNonce: 5, ToNonce: 9, Inputs: []string{"cc:2", "aa:0", "bb:1"}}
	refEv := chains.Event{Kind: chains.EventRefund, TxID: "signed", Ref: "flux:dd:0", Inputs: []string{"bb:1", "cc:2", "aa:0"}}
	mvEv := chains.Event{Kind: chains.EventReserveSpend, TxID: "signed", Inputs: []string{"cc:2", "bb:1", "aa:0"}}
	ev := func(e chains.Event, f func(*chains.Event)) chains.Event {
		e.Inputs = slices.Clone(e.Inputs)
		f(&e)
		return e
	}
	cases := []struct {
		name string
		s    Spend
		kind SpendKind
		ev   chains.Event
		want bool
	}{
		{"a release: same range, inputs in another order, another txid", rel, SpendRelease, relEv, true},
		{"a refund: same lock, inputs in another order", ref, SpendRefund, refEv, true},
		{"a move: same inputs in another order", mv, SpendMove, mvEv, true},
		{"another kind", rel, SpendRefund, relEv, false},
		{"a refund is not a move", ref, SpendMove, refEv, false},
		{"an input missing", rel, SpendRelease, ev(relEv, func(e *chains.Event) { e.Inputs = e.Inputs[:2] }), false},
		{"an input more", rel, SpendRelease, ev(relEv, func(e *chains.Event) { e.Inputs = append(e.Inputs, "dd:3") }), false},
		{"another input", rel, SpendRelease, ev(relEv, func(e *chains.Event) { e.Inputs[0] = "cc:3" }), false},
		{"an input twice instead of another", rel, SpendRelease, ev(relEv, func(e *chains.Event) { e.Inputs[0] = "aa:0" }), false},
		{"no inputs", rel, SpendRelease, ev(relEv, func(e *chains.Event) { e.Inputs = nil }), false},
		{"a release of another chain", rel, SpendRelease, ev(relEv, func(e *chains.Event) { e.DestChain = 56 }), false},
		{"a release starting elsewhere", rel, SpendRelease, ev(relEv, func(e *chains.Event) { e.FromNonce = 4 }), false},
		{"a release ending elsewhere", rel, SpendRelease, ev(relEv, func(e *chains.Event) { e.ToNonce = 10 }), false},
		{"a refund of another lock", ref, SpendRefund, ev(refEv, func(e *chains.Event) { e.Ref = "flux:dd:1" }), false},
		{"a refund with another input", ref, SpendRefund, ev(refEv, func(e *chains.Event) { e.Inputs[2] = "ee:0" }), false},
		{"a move with another input", mv, SpendMove, ev(mvEv, func(e *chains.Event) { e.Inputs[1] = "ee:0" }), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := slices.Clone(tc.ev.Inputs)
			if got := sameSpend(tc.s, tc.kind, tc.ev); got != tc.want {
				t.Fatalf("sameSpend = %v, want %v", got, tc.want)
			}
			if !slices.Equal(tc.ev.Inputs, before) || !slices.Equal(tc.s.Inputs, inputs) {
				t.Fatal("sameSpend reordered its arguments' inputs")
			}
		})
	}
}

func TestSpendOverlaps(t *testing.T) {
	s := release("r", testChain, 5, 9, SpendMined)
	cases := []struct {
		name     string
		s        Spend
		chain    chains.ID
		from, to uint64
		want     bool
	}{
		{"ending just before", s, testChain, 0, 4, false},
		{"ending on the first nonce", s, testChain, 0, 5, true},
		{"starting on the last nonce", s, testChain, 9, 12, true},
		{"starting just after", s, testChain, 10, 12, false},
		{"inside", s, testChain, 6, 7, true},
		{"containing", s, testChain, 0, 20, true},
		{"the same range", s, testChain, 5, 9, true},
		{"the first nonce alone", s, testChain, 5, 5, true},
		{"the last nonce alone", s, testChain, 9, 9, true},
		{"another chain", s, 56, 5, 9, false},
		{"a dead release still covers its range (liveness is separate)", release("d", testChain, 5, 9, SpendDead), testChain, 6, 6, true},
		{"a refund covers no nonce", Spend{Kind: SpendRefund, Chain: testChain, FromNonce: 5, ToNonce: 9, Ref: "flux:aa:0"}, testChain, 5, 9, false},
		{"a move covers no nonce", Spend{Kind: SpendMove, Chain: testChain, FromNonce: 5, ToNonce: 9}, testChain, 5, 9, false},
		{"a single-nonce release", release("one", testChain, 0, 0, SpendSigned), testChain, 0, 3, true},
		{"a single-nonce release, disjoint", release("one", testChain, 0, 0, SpendSigned), testChain, 1, 3, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.Overlaps(tc.chain, tc.from, tc.to); got != tc.want {
				t.Fatalf("%d..%d of %s overlaps %+v: %v, want %v", tc.from, tc.to, tc.chain, tc.s, got, tc.want)
			}
		})
	}
	for _, st := range []SpendState{SpendSigned, SpendBroadcast, SpendMined, SpendSettled, SpendDead} {
		t.Run("live unless dead: "+string(st), func(t *testing.T) {
			if got := (Spend{State: st}).Live(); got != (st != SpendDead) {
				t.Fatalf("Live() = %v in state %s", got, st)
			}
		})
	}
}
