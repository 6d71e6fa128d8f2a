package devnet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/spendtx"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/relayer"
)

const releaseFee = 100_000 // the devnet's release fee (the config's default)

// proposers returns the relayer indexes in proposer order (by public key).
func proposers(d *Devnet) []int {
	idx := make([]int, len(d.EVM.SignerKeys))
	for i := range idx {
		idx[i] = i
	}
	pub := func(i int) []byte { return crypto.CompressPubkey(&d.EVM.SignerKeys[i].PublicKey) }
	slices.SortFunc(idx, func(a, b int) int { return bytes.Compare(pub(a), pub(b)) })
	return idx
}

func addressOf(d *Devnet, i int) []byte {
	return crypto.PubkeyToAddress(d.EVM.SignerKeys[i].PublicKey).Bytes()
}

// roundNow is the FLUX chain's release round (cadence 10).
func roundNow(d *Devnet) uint64 {
	h, _ := d.Flux.Tip()
	return uint64(h) / 10
}

// honestSpend is the release request an honest proposer makes in round r
// for burns from..to, with amounts[n] the burns' amounts and users[n] their burners.
func honestSpend(d *Devnet, r uint64, from, to uint64, amount func(uint64) uint64, user func(uint64) int) chains.ReserveSpend {
	s := chains.ReserveSpend{Chain: chains.ID(d.EVM.ChainID.Uint64()), FromNonce: from, ToNonce: to,
		RefHeight: r*10 - uint64(d.cfg.Confirmations), Expiry: (r + 2) * 10, FeeRate: 10}
	for n := from; n <= to; n++ {
		a := d.FluxAddr(UserFluxHash(user(n)))
		s.Payouts = append(s.Payouts, chains.Payout{To: a[:], Amount: amount(n) - releaseFee})
	}
	return s
}

// propose builds the proposal for s with relayer i's reserve sink.
func propose(t *testing.T, d *Devnet, i int, r uint64, s chains.ReserveSpend) relayer.Proposal {
	t.Helper()
	snk, err := d.Relayer(i).Node().ReserveSink(d.Redeem)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := snk.Build(context.Background(), chains.BuildRequest{Kind: chains.SubmitReserveSpend, Spend: &s})
	if err != nil {
		t.Fatal(err)
	}
	return relayer.Proposal{Round: r, Spend: s, TxID: sub.TxID, Payload: sub.Payload}
}

// inject hands relayer i the proposal p as if member from had sent it.
func inject(t *testing.T, d *Devnet, i int, from []byte, p relayer.Proposal) {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Relayer(i).Relayer().HandleEnvelope(context.Background(), relayer.KindReleaseProposal, from, b, nil); err != nil {
		t.Fatal(err)
	}
}

// spends reads relayer i's reserve spends.
func spends(t *testing.T, d *Devnet, i int) []relayer.Spend {
	t.Helper()
	var out []relayer.Spend
	if err := d.Relayer(i).Store().View(context.Background(), func(tx relayer.Tx) (err error) {
		out, err = tx.Spends(relayer.SpendQuery{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitRefused waits until relayer i journals its refusal of txid with a
// reason containing want, and checks it stored no decision to sign it.
func waitRefused(t *testing.T, d *Devnet, i int, txid, want string) {
	t.Helper()
	var reasons []string
	waitFor(t, fmt.Sprintf("relayer %d to refuse %s (%s)", i, txid, want), 20*time.Second, func() bool {
		reasons = reasons[:0]
		for _, e := range journalOf(t, d, i, relayer.KindSpendRefused) {
			if e["txid"] == txid {
				reasons = append(reasons, e["reason"].(string))
				if strings.Contains(e["reason"].(string), want) {
					return true
				}
			}
		}
		return false
	})
	for _, s := range spends(t, d, i) {
		if s.TxID == txid {
			t.Errorf("relayer %d stored the refused spend %s as %s", i, txid, s.State)
		}
	}
	var sets int
	if err := d.Relayer(i).Store().View(context.Background(), func(tx relayer.Tx) error {
		ss, err := tx.SpendSignatures(txid)
		sets = len(ss)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if sets != 0 {
		t.Errorf("relayer %d holds %d signature sets for the refused spend %s", i, sets, txid)
	}
}

// waitBurnsFinal waits until relayer i stores burns 0..n-1 of the chain as final.
func waitBurnsFinal(t *testing.T, d *Devnet, i int, n int) {
	t.Helper()
	chain := chains.ID(d.EVM.ChainID.Uint64())
	waitFor(t, fmt.Sprintf("relayer %d to see %d burns final", i, n), 30*time.Second, func() bool {
		var burns []relayer.Burn
		if err := d.Relayer(i).Store().View(context.Background(), func(tx relayer.Tx) (err error) {
			burns, err = tx.Burns(relayer.BurnQuery{Chain: chain})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return len(burns) >= n
	})
}

// A silent proposer is replaced by the next round's, and a proposer that
// proposes a wrong amount, a foreign output, another fee rate, another UTXO
// choice, an overlapping range, or that is not the round's proposer, gets no
// signature; each refusal is journaled with its reason. A relayer restarted
// with an empty database learns the released ranges from the FLUX chain and
// refuses an overlapping release too.
func TestMisbehavingProposerGetsNoSignatures(t *testing.T) {
	const users = 2
	d := start(t, Config{Coins: users, LockMax: 10 * tx.Coin})
	fundUsers(t, d, users, 10*tx.Coin)
	if err := d.MineFlux(15); err != nil { // the locks are final at the reference heights to come
		t.Fatal(err)
	}
	order := proposers(d)
	r := roundNow(d)
	silent := order[r%3]
	if err := d.StopRelayer(silent); err != nil {
		t.Fatal(err)
	}
	var validators []int
	for i := range 3 {
		if i != silent {
			validators = append(validators, i)
		}
	}
	ctx := context.Background()
	user := func(n uint64) int { return int(n) % users }
	for i := range 3 {
		if _, err := d.Burn(ctx, user(uint64(i)), burnAmount(i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range validators {
		waitBurnsFinal(t, d, v, 3)
	}
	amount := func(n uint64) uint64 { return burnAmount(int(n)) }
	honest := honestSpend(d, r, 0, 2, amount, user)
	from := addressOf(d, silent)

	bad := []struct {
		name string
		edit func(*chains.ReserveSpend)
		want string
	}{
		{"a wrong amount", func(s *chains.ReserveSpend) { s.Payouts[1].Amount++ }, "payout 1 pays"},
		{"a foreign output", func(s *chains.ReserveSpend) { a := d.FluxAddr([20]byte{0xee}); s.Payouts[0].To = a[:] }, "payout 0 goes to"},
		{"a fee rate above the set's", func(s *chains.ReserveSpend) { s.FeeRate = 500 }, "fee rate 500"},
	}
	for _, b := range bad {
		s := honest
		s.Payouts = slices.Clone(honest.Payouts)
		b.edit(&s)
		p := propose(t, d, validators[0], r, s)
		for _, v := range validators {
			inject(t, d, v, from, p)
		}
		for _, v := range validators {
			waitRefused(t, d, v, p.TxID, b.want)
		}
	}

	// Another UTXO choice: the honest request, a transaction spending other
	// final reserve outputs than the largest.
	chosen, err := spendtx.ParsePayload(propose(t, d, validators[0], r, honest).Payload)
	if err != nil {
		t.Fatal(err)
	}
	var cands []reserve.UTXO
	for _, u := range d.Relayer(validators[0]).Node().ChainState().ReserveUTXOs() {
		if u.Height <= int32(honest.RefHeight) && !slices.ContainsFunc(chosen.Prevs, func(p reserve.UTXO) bool { return p.OutPoint == u.OutPoint }) {
			cands = append(cands, u)
		}
	}
	slices.SortFunc(cands, func(a, b reserve.UTXO) int { return int(a.Value - b.Value) })
	var outs []tx.TxOut
	for _, po := range honest.Payouts {
		outs = append(outs, tx.TxOut{Value: int64(po.Amount), Script: script.P2PKH([20]byte(po.To[2:]))})
	}
	var u *spendtx.Unsigned
	for n := 1; n <= len(cands) && u == nil; n++ { // the fewest small outputs that cover it
		u, _ = spendtx.Build(spendtx.Request{Candidates: cands[:n], RefHeight: int32(honest.RefHeight), Redeem: d.Redeem, Outputs: outs,
			Memo: memo.Release{ChainID: uint32(honest.Chain), FromNonce: 0, ToNonce: 2}.Bytes(), Change: d.ReserveScript(), FeeRate: 10,
			Expiry: uint32(honest.Expiry), BranchID: d.Flux.Params().BranchID(int32(honest.Expiry))})
	}
	if u == nil {
		t.Fatal("no smaller UTXO choice covers the release")
	}
	other := relayer.Proposal{Round: r, Spend: honest, TxID: u.Tx.TxID().String(), Payload: u.Payload()}
	for _, v := range validators {
		inject(t, d, v, from, other)
		waitRefused(t, d, v, other.TxID, "differs from the one built here")
	}
	// Not the round's proposer.
	notProposer := propose(t, d, validators[0], r, honest)
	inject(t, d, validators[0], addressOf(d, validators[1]), notProposer)
	waitRefused(t, d, validators[0], notProposer.TxID, "is not the proposer of round")

	// The silent proposer's round passes; the next proposer releases.
	mineEvery(t, d, 100*time.Millisecond)
	chain := chains.ID(d.EVM.ChainID.Uint64())
	rels, err := d.AwaitReleased(ctx, chain, 3, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkReleases(t, rels, chain, 3, user, amount, releaseFee)
	if rels[0].Height < int32((r+1)*10) {
		t.Errorf("released at height %d, within the silent proposer's round %d", rels[0].Height, r)
	}

	// An overlapping range after the release, from the then proposer.
	waitReleasedInStores(t, d, validators, chain, 3)
	r2 := roundNow(d)
	again := propose(t, d, validators[0], r2, honestSpend(d, r2, 0, 2, amount, user))
	for _, v := range validators {
		inject(t, d, v, addressOf(d, order[r2%3]), again)
		waitRefused(t, d, v, again.TxID, "overlaps release")
	}

	// The silent relayer comes back with an empty database.
	data := filepath.Join(d.cfg.Dir, fmt.Sprintf("relayer-%d", silent), "data")
	matches, _ := filepath.Glob(filepath.Join(data, "relayer.db*"))
	if len(matches) == 0 {
		t.Fatalf("no database under %s", data)
	}
	for _, m := range matches {
		if err := os.Remove(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.StartRelayer(ctx, silent); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the restarted relayer to learn the release from the FLUX chain", 60*time.Second, func() bool {
		for _, s := range spends(t, d, silent) {
			if s.Kind == relayer.SpendRelease && s.ToNonce == 2 && !s.SignedByUs {
				return true
			}
		}
		return false
	})
	r3 := roundNow(d)
	third := propose(t, d, validators[0], r3, honestSpend(d, r3, 0, 2, amount, user))
	inject(t, d, silent, addressOf(d, order[r3%3]), third)
	waitRefused(t, d, silent, third.TxID, "overlaps release")
}

// censorReleases makes the simulated FLUX network refuse every release.
func censorReleases(d *Devnet) {
	d.Flux.Censor(func(t *tx.Tx) bool {
		for _, o := range t.Outputs {
			if m, err := memo.FromScript(o.Script); err == nil {
				if _, ok := m.(memo.Release); ok {
					return true
				}
			}
		}
		return false
	})
}

// A release that is never mined dies at its expiry (once final), and the
// range is released again by a later round: exactly once.
func TestExpiredReleaseIsRebuiltWithoutPayingTwice(t *testing.T) {
	const users = 2
	d := start(t, Config{Coins: users, LockMax: 10 * tx.Coin})
	fundUsers(t, d, users, 10*tx.Coin)
	censorReleases(d)
	ctx := context.Background()
	user := func(n uint64) int { return int(n) % users }
	amount := func(n uint64) uint64 { return burnAmount(int(n)) }
	for i := range 2 {
		if _, err := d.Burn(ctx, user(uint64(i)), amount(uint64(i))); err != nil {
			t.Fatal(err)
		}
	}
	mineEvery(t, d, 50*time.Millisecond)
	var dead relayer.Spend
	waitFor(t, "a censored release to expire", 90*time.Second, func() bool {
		for i := range 3 {
			for _, s := range spends(t, d, i) {
				if s.State == relayer.SpendDead && strings.Contains(s.Reason, "expiry") {
					dead = s
					return true
				}
			}
		}
		return false
	})
	d.Flux.Censor(nil)
	chain := chains.ID(d.EVM.ChainID.Uint64())
	rels, err := d.AwaitReleased(ctx, chain, 2, 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkReleases(t, rels, chain, 2, user, amount, releaseFee)
	if len(rels) != 1 {
		t.Errorf("%d releases on the chain, want 1", len(rels))
	}
	if rels[0].Height <= int32(dead.Expiry) {
		t.Errorf("released at height %d, not after the dead spend's expiry %d", rels[0].Height, dead.Expiry)
	}
}

// signSpend signs every input of u with the devnet relayers' keys who.
func signSpend(d *Devnet, u *spendtx.Unsigned, who ...int) []map[string][]byte {
	out := make([]map[string][]byte, len(u.SigHashes))
	for i, h := range u.SigHashes {
		out[i] = map[string][]byte{}
		for _, w := range who {
			k := secp256k1.PrivKeyFromBytes(crypto.FromECDSA(d.EVM.SignerKeys[w]))
			out[i][string(k.PubKey().SerializeCompressed())] = ecdsa.Sign(k, h[:]).Serialize()
		}
	}
	return out
}

// A release one of whose inputs another transaction spends is dead only
// once that transaction is final (depth D_L1), not before; its range is then
// released by a new transaction, exactly once.
func TestDoubleSpentReleaseIsDeadOnlyAtDepth40(t *testing.T) {
	const users = 2
	d := start(t, Config{Coins: users, LockMax: 10 * tx.Coin})
	fundUsers(t, d, users, 10*tx.Coin)
	if err := d.MineFlux(15); err != nil {
		t.Fatal(err)
	}
	censorReleases(d)
	ctx := context.Background()
	user := func(n uint64) int { return int(n) % users }
	amount := func(n uint64) uint64 { return burnAmount(int(n)) }
	if _, err := d.Burn(ctx, 0, amount(0)); err != nil {
		t.Fatal(err)
	}
	var sent relayer.Spend
	holder := -1
	waitFor(t, "a release to be broadcast", 60*time.Second, func() bool {
		for i := range 3 {
			for _, s := range spends(t, d, i) {
				if s.State == relayer.SpendBroadcast {
					sent, holder = s, i
					return true
				}
			}
		}
		return false
	})
	// Another transaction of the signer set spends the release's first input.
	var input reserve.UTXO
	for _, u := range d.Relayer(holder).Node().ChainState().ReserveUTXOs() {
		if fmt.Sprintf("%s:%d", u.OutPoint.Hash, u.OutPoint.Index) == sent.Inputs[0] {
			input = u
		}
	}
	if input.Value == 0 {
		t.Fatalf("input %s of the release is not a reserve output", sent.Inputs[0])
	}
	h, _ := d.Flux.Tip()
	u, err := spendtx.Build(spendtx.Request{Candidates: []reserve.UTXO{input}, RefHeight: h, Redeem: d.Redeem, Change: d.ReserveScript(),
		FeeRate: 10, Expiry: uint32(h + 100), BranchID: d.Flux.Params().BranchID(h + 100)})
	if err != nil {
		t.Fatal(err)
	}
	move, err := u.Assemble(signSpend(d, u, 0, 1, 2))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Flux.SubmitTx(move); err != nil {
		t.Fatal(err)
	}
	if err := d.MineFlux(1); err != nil {
		t.Fatal(err)
	}
	mined, _ := d.Flux.Tip()
	state := func() relayer.SpendState {
		for _, s := range spends(t, d, holder) {
			if s.TxID == sent.TxID {
				return s.State
			}
		}
		return ""
	}
	// Depth 39: still live, whatever the relayers do meanwhile.
	if err := d.MineFlux(int(d.cfg.Confirmations) - 2); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // the relayers have read the chain
	if tip, _ := d.Flux.Tip(); tip-mined+1 != int32(d.cfg.Confirmations)-1 {
		t.Fatalf("the conflicting spend is at depth %d", tip-mined+1)
	}
	if st := state(); st == relayer.SpendDead {
		t.Fatalf("the release is dead at depth %d of the conflicting spend", d.cfg.Confirmations-1)
	}
	if err := d.MineFlux(1); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the release to be dead at depth 40", 20*time.Second, func() bool { return state() == relayer.SpendDead })
	for _, s := range spends(t, d, holder) {
		if s.TxID == sent.TxID && !strings.Contains(s.Reason, "was spent by "+move.TxID().String()) {
			t.Errorf("dead for %q, want the conflicting spend named", s.Reason)
		}
	}
	d.Flux.Censor(nil)
	mineEvery(t, d, 100*time.Millisecond)
	chain := chains.ID(d.EVM.ChainID.Uint64())
	rels, err := d.AwaitReleased(ctx, chain, 1, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkReleases(t, rels, chain, 1, user, amount, releaseFee)
}
