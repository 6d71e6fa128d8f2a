package fluxnode

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// expect is what Lookup must return for node n after block at.
type expect struct {
	at     int32
	n      int
	status Status // 0: absent
	// Optional field checks (0 / "" means "don't care").
	startH, confirmedH, lastConfirmedH, dosH int32
	ip                                       string
	skips                                    []SkipReason // exact skips of block at, when non-nil
}

type ruleCase struct {
	name   string
	blocks map[int32][]*tx.Tx
	expect []expect
}

// runRuleCases applies blocks 100.. on SimNet (PoN from height 1) and checks
// each expectation after its block.
func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSet(params.SimNet)
			last := int32(100)
			for _, e := range tc.expect {
				last = max(last, e.at)
			}
			for h := int32(100); h <= last; h++ {
				u := chain(t, s, h, h, tc.blocks)[0]
				for _, e := range tc.expect {
					if e.at != h {
						continue
					}
					checkExpect(t, s, u, e)
				}
			}
		})
	}
}

func checkExpect(t *testing.T, s *Set, u *Undo, e expect) {
	t.Helper()
	got, ok := s.Lookup(testOP(e.n))
	if e.status == 0 {
		if ok {
			t.Errorf("after block %d: node %d is %s, want absent", e.at, e.n, got.Status)
		}
	} else {
		switch {
		case !ok:
			t.Errorf("after block %d: node %d absent, want %s", e.at, e.n, e.status)
		case got.Status != e.status:
			t.Errorf("after block %d: node %d is %s, want %s", e.at, e.n, got.Status, e.status)
		case !bytes.Equal(got.PubKey, testKey(e.n)):
			t.Errorf("after block %d: node %d pubkey %x, want the START's %x", e.at, e.n, got.PubKey, testKey(e.n))
		case e.startH != 0 && got.StartHeight != e.startH:
			t.Errorf("after block %d: node %d StartHeight %d, want %d", e.at, e.n, got.StartHeight, e.startH)
		case e.confirmedH != 0 && got.ConfirmedHeight != e.confirmedH:
			t.Errorf("after block %d: node %d ConfirmedHeight %d, want %d", e.at, e.n, got.ConfirmedHeight, e.confirmedH)
		case e.lastConfirmedH != 0 && got.LastConfirmedHeight != e.lastConfirmedH:
			t.Errorf("after block %d: node %d LastConfirmedHeight %d, want %d", e.at, e.n, got.LastConfirmedHeight, e.lastConfirmedH)
		case e.dosH != 0 && got.DoSHeight != e.dosH:
			t.Errorf("after block %d: node %d DoSHeight %d, want %d", e.at, e.n, got.DoSHeight, e.dosH)
		case e.ip != "" && got.IP != e.ip:
			t.Errorf("after block %d: node %d IP %q, want %q", e.at, e.n, got.IP, e.ip)
		}
	}
	if e.skips != nil {
		var reasons []SkipReason
		for _, sk := range u.Skipped {
			reasons = append(reasons, sk.Reason)
		}
		if len(reasons) != len(e.skips) {
			t.Errorf("block %d skipped %v, want %v", e.at, reasons, e.skips)
			return
		}
		for i := range reasons {
			if reasons[i] != e.skips[i] {
				t.Errorf("block %d skipped %v, want %v", e.at, reasons, e.skips)
				return
			}
		}
	}
}

var noSkips = []SkipReason{}

// SimNet has every upgrade from height 1: START expiry 240, DoS removal 720
// (and older), confirm expiry 640, update interval > 500, ip change >= 5.
func TestStartConfirmUpdateExpiry(t *testing.T) {
	runRuleCases(t, []ruleCase{{
		name: "START adds a started entry with the operational key",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
		},
		expect: []expect{{at: 100, n: 1, status: StatusStarted, startH: 100, skips: noSkips}},
	}, {
		name: "initial CONFIRM moves started to confirmed at its height with its ip",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			110: {confirmTx(1, false, "10.0.0.1:16125")},
		},
		expect: []expect{
			{at: 109, n: 1, status: StatusStarted},
			{at: 110, n: 1, status: StatusConfirmed, startH: 100, confirmedH: 110, lastConfirmedH: 110, ip: "10.0.0.1:16125", skips: noSkips},
		},
	}, {
		name: "update CONFIRM after the interval refreshes the last confirmed height",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			110: {confirmTx(1, false, "10.0.0.1:16125")},
			611: {confirmTx(1, true, "10.0.0.1:16125")},
		},
		expect: []expect{
			{at: 611, n: 1, status: StatusConfirmed, confirmedH: 110, lastConfirmedH: 611, skips: noSkips},
		},
	}, {
		name: "confirmed node expires once its last CONFIRM is more than 640 blocks old",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			110: {confirmTx(1, false, "10.0.0.1:16125")},
		},
		expect: []expect{
			{at: 750, n: 1, status: StatusConfirmed},
			{at: 751, n: 1},
		},
	}, {
		name: "an update CONFIRM in the expiry block saves the node",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			110: {confirmTx(1, false, "a:1")},
			751: {confirmTx(1, true, "a:1")},
		},
		expect: []expect{{at: 751, n: 1, status: StatusConfirmed, lastConfirmedH: 751}, {at: 1391, n: 1, status: StatusConfirmed}, {at: 1392, n: 1}},
	}})
}

func TestUpdateInterval(t *testing.T) {
	runRuleCases(t, []ruleCase{{
		name: "update CONFIRM at exactly the minimum interval is ignored",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			110: {confirmTx(1, false, "a:1")},
			610: {confirmTx(1, true, "a:1")},
		},
		expect: []expect{{at: 610, n: 1, status: StatusConfirmed, lastConfirmedH: 110, skips: []SkipReason{SkipUpdateTooEarly}}},
	}, {
		name: "update CONFIRM changing the ip is allowed after 5 blocks",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			110: {confirmTx(1, false, "a:1")},
			114: {confirmTx(1, true, "b:1")},
			115: {confirmTx(1, true, "b:1")},
		},
		expect: []expect{
			{at: 114, n: 1, status: StatusConfirmed, lastConfirmedH: 110, ip: "a:1", skips: []SkipReason{SkipUpdateTooEarly}},
			{at: 115, n: 1, status: StatusConfirmed, lastConfirmedH: 115, ip: "b:1", skips: noSkips},
		},
	}, {
		name: "update CONFIRM of a started node is ignored",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			101: {confirmTx(1, true, "a:1")},
		},
		expect: []expect{{at: 101, n: 1, status: StatusStarted, skips: []SkipReason{SkipUpdateNotConfirmed}}},
	}})
}

func TestStartExpiryDoS(t *testing.T) {
	runRuleCases(t, []ruleCase{{
		name: "unconfirmed START moves to DoS 240 blocks after it and stays findable",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
		},
		expect: []expect{
			{at: 339, n: 1, status: StatusStarted},
			{at: 340, n: 1, status: StatusDoS, startH: 100, dosH: 340},
		},
	}, {
		name: "DoS entry is removed 720 blocks after its START",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
		},
		expect: []expect{{at: 819, n: 1, status: StatusDoS}, {at: 820, n: 1}},
	}, {
		name: "initial CONFIRM in the expiry block wins over the move to DoS",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			340: {confirmTx(1, false, "a:1")},
		},
		expect: []expect{{at: 340, n: 1, status: StatusConfirmed, confirmedH: 340}},
	}, {
		name: "initial CONFIRM of a DoS entry is ignored",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			341: {confirmTx(1, false, "a:1")},
		},
		expect: []expect{{at: 341, n: 1, status: StatusDoS, skips: []SkipReason{SkipConfirmNotStarted}}},
	}, {
		name: "re-START of a DoS collateral is ignored until the entry is removed",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			500: {startTx(1)},
			820: {startTx(1)},
			821: {startTx(1)},
		},
		expect: []expect{
			{at: 500, n: 1, status: StatusDoS, startH: 100, skips: []SkipReason{SkipStartTracked}},
			{at: 820, n: 1, skips: []SkipReason{SkipStartTracked}},
			{at: 821, n: 1, status: StatusStarted, startH: 821, skips: noSkips},
		},
	}, {
		name: "START of a started or confirmed collateral is ignored",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1), startTx(2)},
			101: {startTx(1), confirmTx(2, false, "a:1")},
			102: {startTx(2)},
		},
		expect: []expect{
			{at: 101, n: 1, status: StatusStarted, startH: 100, skips: []SkipReason{SkipStartTracked}},
			{at: 102, n: 2, status: StatusConfirmed, startH: 100, skips: []SkipReason{SkipStartTracked}},
		},
	}})
}

func TestCollateralSpend(t *testing.T) {
	runRuleCases(t, []ruleCase{{
		name: "spending a confirmed collateral removes the node in that block",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			101: {confirmTx(1, false, "a:1")},
			200: {spendTx(testOP(1))},
		},
		expect: []expect{{at: 199, n: 1, status: StatusConfirmed}, {at: 200, n: 1}},
	}, {
		name: "spending a started collateral leaves it in the START tracker (fluxd checks spends against confirmed nodes only)",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			150: {spendTx(testOP(1))},
		},
		expect: []expect{{at: 150, n: 1, status: StatusStarted}, {at: 340, n: 1, status: StatusDoS}},
	}, {
		name: "spending a DoS collateral leaves it in the DoS tracker",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			400: {spendTx(testOP(1))},
		},
		expect: []expect{{at: 400, n: 1, status: StatusDoS}, {at: 820, n: 1}},
	}, {
		name: "an update CONFIRM does not save a node whose collateral is spent in the same block",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			101: {confirmTx(1, false, "a:1")},
			700: {confirmTx(1, true, "a:1"), spendTx(testOP(1))},
		},
		expect: []expect{{at: 700, n: 1}},
	}, {
		name: "an initial CONFIRM in the block spending the collateral still confirms (spends are checked before the block)",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			101: {confirmTx(1, false, "a:1"), spendTx(testOP(1))},
		},
		expect: []expect{{at: 101, n: 1, status: StatusConfirmed}},
	}, {
		name: "spending another output of the collateral's transaction changes nothing",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1)},
			101: {confirmTx(1, false, "a:1")},
			102: {spendTx(chainhash.OutPoint{Hash: testOP(1).Hash, Index: testOP(1).Index + 1})},
		},
		expect: []expect{{at: 102, n: 1, status: StatusConfirmed}},
	}})
}

func TestInvalidTransactionsAreSkipped(t *testing.T) {
	badTier := confirmTx(2, false, "a:1")
	badTier.Fluxnode.BenchmarkTier = 0
	nullCollateral := NewStartTx(params.SimNet, 5, chainhash.OutPoint{Index: 0xffffffff}, testKey(9), testKey(9), 1)
	noBody := &tx.Tx{Version: 5}
	runRuleCases(t, []ruleCase{{
		name: "initial CONFIRM of an unknown collateral is skipped",
		blocks: map[int32][]*tx.Tx{
			100: {confirmTx(1, false, "a:1")},
		},
		expect: []expect{{at: 100, n: 1, skips: []SkipReason{SkipConfirmNotStarted}}},
	}, {
		name: "a second fluxnode transaction for one collateral in a block is skipped",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(1), confirmTx(1, false, "a:1")},
		},
		expect: []expect{{at: 100, n: 1, status: StatusStarted, skips: []SkipReason{SkipDuplicateCollateral}}},
	}, {
		name: "malformed fluxnode transactions are skipped",
		blocks: map[int32][]*tx.Tx{
			100: {startTx(2)},
			101: {badTier, nullCollateral, noBody},
		},
		expect: []expect{{at: 101, n: 2, status: StatusStarted, skips: []SkipReason{SkipMalformed, SkipMalformed, SkipMalformed}}},
	}})
}

func TestConfirmTierBelowKnownTierIsSkipped(t *testing.T) {
	s := NewSetFromEntries(params.SimNet, []Entry{{
		Collateral: testOP(1), PubKey: testKey(1), Status: StatusConfirmed, Tier: TierStratus,
		StartHeight: 10, ConfirmedHeight: 20, LastConfirmedHeight: 20,
	}})
	up := confirmTx(1, true, "a:1")
	up.Fluxnode.BenchmarkTier = int8(TierNimbus)
	u, err := s.ApplyBlock(600, []*tx.Tx{coinbaseTx(600), up})
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Skipped) != 1 || u.Skipped[0].Reason != SkipTierTooLow || u.Skipped[0].TxIndex != 1 {
		t.Fatalf("Skipped = %+v, want one SkipTierTooLow at index 1", u.Skipped)
	}
	if e := mustLookup(t, s, testOP(1)); e.LastConfirmedHeight != 20 {
		t.Fatalf("LastConfirmedHeight = %d, want 20", e.LastConfirmedHeight)
	}
}

func TestStartVariantsGiveTheOperationalKey(t *testing.T) {
	redeem := append([]byte{0x52, 0x21}, testKey(50)...)
	redeem = append(append(redeem, 0x21), testKey(51)...)
	redeem = append(redeem, 0x52, 0xae)
	p2sh := NewStartP2SHTx(params.SimNet, testOP(2), testUncompressedKey(2), redeem, 1)
	deleg := WithDelegates(NewStartTx(params.SimNet, 6, testOP(3), testKey(1003), testKey(3), 1),
		tx.Delegates{Version: tx.DelegatesInitialVersion, Type: tx.DelegatesUpdate, Keys: [][]byte{testKey(60), testKey(61)}})
	p2shDeleg := WithDelegates(NewStartP2SHTx(params.SimNet, testOP(4), testKey(4), redeem, 1),
		tx.Delegates{Version: tx.DelegatesInitialVersion, Type: tx.DelegatesSigning})
	tests := []struct {
		name    string
		tx      *tx.Tx
		n       int
		wantKey []byte
		redeem  []byte
		collKey []byte
		fluxVer int32
	}{
		{"v5 START", startTx(1), 1, testKey(1), nil, testKey(1001), 0},
		{"v6 normal START", NewStartTx(params.SimNet, 6, testOP(5), testKey(1005), testKey(5), 1), 5, testKey(5), nil, testKey(1005), tx.FluxTxNormalBit},
		{"v6 P2SH START with an uncompressed operational key", p2sh, 2, testUncompressedKey(2), redeem, nil, tx.FluxTxP2SHBit},
		{"v6 normal START updating delegates", deleg, 3, testKey(3), nil, testKey(1003), tx.FluxTxNormalBit | tx.FluxTxDelegatesBit},
		{"v6 P2SH START signed as a delegate", p2shDeleg, 4, testKey(4), redeem, nil, tx.FluxTxP2SHBit | tx.FluxTxDelegatesBit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Through the wire encoding, as blocks arrive.
			decoded, err := tx.Decode(tc.tx.Bytes())
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			s := NewSet(params.SimNet)
			u, err := s.ApplyBlock(100, []*tx.Tx{coinbaseTx(100), decoded})
			if err != nil || len(u.Skipped) != 0 {
				t.Fatalf("ApplyBlock: %v, skipped %+v", err, u.Skipped)
			}
			e := mustLookup(t, s, testOP(tc.n))
			if !bytes.Equal(e.PubKey, tc.wantKey) || !bytes.Equal(e.RedeemScript, tc.redeem) ||
				!bytes.Equal(e.CollateralPubKey, tc.collKey) || e.FluxTxVersion != tc.fluxVer || e.Status != StatusStarted {
				t.Fatalf("entry %+v", e)
			}
		})
	}
}

func TestApplyBlockHeightMustFollow(t *testing.T) {
	s := NewSet(params.SimNet)
	chain(t, s, 100, 101, nil)
	before := stateBytes(t, s)
	for _, h := range []int32{101, 103, 99} {
		if _, err := s.ApplyBlock(h, nil); !errors.Is(err, ErrHeight) {
			t.Errorf("ApplyBlock(%d) after 101: err %v, want ErrHeight", h, err)
		}
	}
	if !bytes.Equal(before, stateBytes(t, s)) {
		t.Fatal("a refused ApplyBlock changed the set")
	}
	if _, err := s.ApplyBlock(102, []*tx.Tx{nil}); err != nil {
		t.Fatalf("ApplyBlock(102) with a nil tx: %v", err)
	}
}

func TestEntriesSortedAndCounted(t *testing.T) {
	s := NewSet(params.SimNet)
	blocks := map[int32][]*tx.Tx{100: {startTx(5), startTx(3), startTx(4)}, 101: {confirmTx(3, false, "x:1")}}
	chain(t, s, 100, 340, blocks) // 4 and 5 move to DoS at 340
	es := s.Entries()
	if len(es) != 3 || s.Len() != 3 {
		t.Fatalf("Len %d, %d entries", s.Len(), len(es))
	}
	for i := 1; i < len(es); i++ {
		if !lessOutPoint(es[i-1].Collateral, es[i].Collateral) {
			t.Fatalf("entries not sorted: %s before %s", es[i-1].Collateral, es[i].Collateral)
		}
	}
	if s.Count(StatusConfirmed) != 1 || s.Count(StatusDoS) != 2 || s.Count(StatusStarted) != 0 {
		t.Fatalf("counts confirmed %d dos %d started %d", s.Count(StatusConfirmed), s.Count(StatusDoS), s.Count(StatusStarted))
	}
	// Lookup returns a copy.
	e := mustLookup(t, s, testOP(3))
	e.PubKey[0] ^= 0xff
	if bytes.Equal(mustLookup(t, s, testOP(3)).PubKey, e.PubKey) {
		t.Fatal("Lookup exposed the set's key bytes")
	}
}
