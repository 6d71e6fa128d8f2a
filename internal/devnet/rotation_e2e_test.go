package devnet

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// rotationActivation is the FLUX height at which the rotation test's next
// set takes over: above what funding the devnet and the first set's mint
// and release take.
const rotationActivation = 700

// The signer set 0,1,2 (2 of 3) hands over to 0,1,3 (2 of 3, relayer 3 a
// newcomer) at FLUX height rotationActivation. Before it the first set mints
// and releases. At it the first set co-signs rotateSigners on both EVM
// chains' bridges and moves the whole reserve to the new set's P2SH script.
// A lock still paid to the old address is minted and moved too. After
// that, relayers 1 and 3 alone — a quorum of the new set, not of the
// old — mint a lock paid to the new reserve and release a burn from it.
// Once the bridge's grace period is over, the old set's keys can no longer
// mint; within it they still could.
func TestSignerSetRotation(t *testing.T) {
	d := start(t, Config{Coins: 2, LockMax: 20 * tx.Coin, EVMChains: 2, Next: &NextSet{Members: []int{0, 1, 3}, Threshold: 2, Activation: rotationActivation}})
	ctx := context.Background()
	chain := chains.ID(d.EVM.ChainID.Uint64())
	h0, _ := d.Flux.Tip()

	// The first set mints and releases.
	l, err := d.Lock(20*tx.Coin, d.User(0))
	if err != nil {
		t.Fatal(err)
	}
	finalize(t, d)
	await(t, d, []chains.LockRef{l}, 60*time.Second)
	stop := mineEvery(t, d, 100*time.Millisecond)
	if _, err := d.Burn(ctx, 0, burnAmount(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.AwaitReleased(ctx, chain, 1, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	stop()
	tip, _ := d.Flux.Tip()
	t.Logf("funded at FLUX height %d; the first set minted and released by %d", h0, tip)
	if int(tip)+int(d.cfg.Confirmations) >= rotationActivation {
		t.Fatalf("the first phase ran to FLUX height %d: raise rotationActivation (%d) above it by D_L1", tip, rotationActivation)
	}
	_, reserved := d.Unspent(d.ReserveScript())
	if reserved == 0 {
		t.Fatal("the first set's reserve holds nothing to move")
	}
	if n, _ := d.Unspent(d.NextReserveScript()); n != 0 {
		t.Fatalf("%d outputs on the next set's reserve before its activation", n)
	}
	for _, i := range []int{0, 1, 2, 3} {
		if moves := setMoves(t, d, i); len(moves) != 0 {
			t.Fatalf("relayer %d records a move to the next set before the activation: %+v", i, moves)
		}
	}

	// The activation: the bridge rotates and the reserve moves.
	if err := d.MineFlux(int(rotationActivation - tip)); err != nil {
		t.Fatal(err)
	}
	activated := time.Now()
	mineEvery(t, d, 100*time.Millisecond)
	opts := &bind.CallOpts{Context: ctx}
	var want []common.Address
	for _, i := range []int{0, 1, 3} {
		want = append(want, crypto.PubkeyToAddress(d.Keys[i].PublicKey))
	}
	slices.SortFunc(want, func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) })
	for c, ch := range d.EVMs {
		waitFor(t, fmt.Sprintf("EVM chain %d's bridge to install set 2", c), 90*time.Second, func() bool {
			cur, err := ch.Bridge.CurrentSigners(opts)
			return err == nil && cur.SetId == 2
		})
		cur, err := ch.Bridge.CurrentSigners(opts)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(cur.Members, want) || cur.Threshold != 2 {
			t.Fatalf("EVM chain %d's set 2 is %d of %v, want 2 of %v", c, cur.Threshold, cur.Members, want)
		}
	}
	t.Logf("both bridges installed set 2 %s after the activation block", time.Since(activated).Round(time.Millisecond))
	waitFor(t, "the reserve to move to the next set", 90*time.Second, func() bool {
		n, _ := d.Unspent(d.ReserveScript())
		m, v := d.Unspent(d.NextReserveScript())
		return n == 0 && m > 0 && v >= reserved-tx.Coin/100 // less the move's fee
	})
	waitFor(t, "the move to settle at a member of the old set that signed it", 60*time.Second, func() bool {
		for i := range 3 {
			if slices.ContainsFunc(setMoves(t, d, i), func(s relayer.Spend) bool { return s.State == relayer.SpendSettled }) {
				return true
			}
		}
		return false
	})

	t.Logf("the reserve (%d zatoshi) moved to the new set's script %s after the activation block", reserved, time.Since(activated).Round(time.Millisecond))
	// Every relayer records the rotation; at least k of the old set's
	// members journaled their signature over it (one that sees the rotation
	// on its way before it signs does not sign), each once, the newcomer none.
	waitFor(t, "every relayer to record the bridges' rotation", 30*time.Second, func() bool {
		for i := range 4 {
			for _, ch := range d.EVMs {
				var id uint32
				if err := d.Relayer(i).Store().View(ctx, func(tx relayer.Tx) (err error) {
					id, _, err = relayer.RotatedSet(tx, chains.ID(ch.ChainID.Uint64()))
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if id != 2 {
					return false
				}
			}
		}
		return true
	})
	oldSigned := 0
	for i := range 4 {
		es, err := d.Relayer(i).Store().JournalRange(ctx, 1, 1_000_000)
		if err != nil {
			t.Fatal(err)
		}
		signed := 0
		for _, e := range es {
			if e.Kind == relayer.KindRotationSigned {
				signed++
			}
		}
		if signed > len(d.EVMs) || i == 3 && signed != 0 {
			t.Errorf("relayer %d journaled %d rotation signatures", i, signed)
		}
		if i < 3 {
			oldSigned += signed
		}
	}
	if oldSigned < 2*len(d.EVMs) {
		t.Errorf("the old set journaled %d rotation signatures, want at least its threshold 2 per bridge", oldSigned)
	}

	// A lock still paid to the old address is minted, and moved as well.
	late, err := d.Lock(5*tx.Coin, d.User(1))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := d.Await(ctx, []chains.LockRef{late}, 90*time.Second); err != nil || !res.OK() {
		t.Fatalf("a lock to the old reserve after the rotation: %+v, %v", res, err)
	}
	waitFor(t, "the late lock to move to the next set", 90*time.Second, func() bool {
		n, _ := d.Unspent(d.ReserveScript())
		return n == 0
	})
	signed := map[string]bool{} // a member that was busy with another spend may not have signed a move
	for i := range 3 {
		for _, m := range setMoves(t, d, i) {
			signed[m.TxID] = true
		}
	}
	if len(signed) < 2 {
		t.Fatalf("the old set signed %d moves to the next set, want the first and the late lock's", len(signed))
	}

	// Relayers 1 and 3 alone: a quorum of the new set only.
	for _, i := range []int{0, 2} {
		if err := d.StopRelayer(i); err != nil {
			t.Fatal(err)
		}
	}
	phase2 := time.Now()
	l2, err := d.LockToNext(10*tx.Coin, d.User(1))
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Await(ctx, []chains.LockRef{l2}, 90*time.Second)
	if err != nil || !res.OK() {
		t.Fatalf("the lock to the new reserve: %+v, %v", res, err)
	}
	if _, err := d.Burn(ctx, 1, burnAmount(1)); err != nil {
		t.Fatal(err)
	}
	rels, err := d.AwaitReleased(ctx, chain, 2, 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("relayers 1 and 3 alone minted a lock to the new reserve and released a burn from it in %s", time.Since(phase2).Round(time.Millisecond))
	checkReleases(t, rels, chain, 2, func(n uint64) int { return int(n) }, func(n uint64) uint64 { return burnAmount(int(n)) }, releaseFee)
	for _, r := range rels {
		if r.ToNonce != 1 {
			continue
		}
		for _, s := range d.SpentScripts(r.TxID) {
			if !bytes.Equal(s, d.NextReserveScript()) {
				t.Fatalf("the release after the move spends an output of script %x, not the new reserve's", s)
			}
		}
	}

	// The old set's keys: valid within the bridge's grace period, then not.
	oldKeys := []int{0, 2} // a quorum of the old set, not of the new
	if err := oldSetMint(ctx, d, oldKeys); err != nil {
		t.Fatalf("within the grace period the old set cannot mint: %v", err)
	}
	prev, err := d.EVM.Bridge.PreviousSigners(opts)
	if err != nil {
		t.Fatal(err)
	}
	head, err := d.EVM.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.EVM.AdjustTime(time.Duration(prev.ValidUntil-head.Time+60) * time.Second); err != nil {
		t.Fatal(err)
	}
	err = oldSetMint(ctx, d, oldKeys)
	if err == nil || !strings.Contains(err.Error(), "revert") {
		t.Fatalf("after the grace period the old set's mint = %v, want a revert", err)
	}
	for _, i := range []int{1, 3} {
		checkJournal(t, d, i)
	}
}

// oldSetMint estimates (sends nothing) a mint of a lock no relayer saw,
// signed by the first set's keys signers.
func oldSetMint(ctx context.Context, d *Devnet, signers []int) error {
	txid := [32]byte{0xee, 1}
	var to [32]byte
	copy(to[12:], d.User(0).Bytes())
	sigs := d.EVM.SignMint(txid, 0, 2*tx.Coin, to, signers...)
	opts := d.EVM.Transactor(d.EVM.Users[0])
	opts.Context, opts.NoSend = ctx, true
	_, err := d.EVM.Bridge.Mint(opts, txid, 0, 2*tx.Coin, to, sigs)
	return err
}

// setMoves are the moves of the reserve to a new signer set relayer i
// signed (one it only saw on the FLUX chain is recorded as a plain move).
func setMoves(t *testing.T, d *Devnet, i int) []relayer.Spend {
	t.Helper()
	var out []relayer.Spend
	for _, s := range spends(t, d, i) {
		if s.Kind == relayer.SpendMove && strings.HasPrefix(s.Ref, "set:") {
			out = append(out, s)
		}
	}
	return out
}
