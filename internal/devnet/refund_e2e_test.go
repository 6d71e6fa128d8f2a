package devnet

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// Payments to the reserve that can never be minted are refunded, once each,
// to the address that paid their first input, minus the fee: a malformed
// memo, a value below the minimum, and a valid lock the destination refuses
// (a zero recipient).
func TestRefundsPaidOnce(t *testing.T) {
	d := start(t, Config{Coins: 8})
	malformed, err := d.LockWithMemo(2*MinLock, []byte("FLXB1 is not how a memo looks"))
	if err != nil {
		t.Fatal(err)
	}
	small, err := d.Lock(MinLock-1, [20]byte{1})
	if err != nil {
		t.Fatal(err)
	}
	refused, err := d.Lock(3*MinLock, [20]byte{})
	if err != nil {
		t.Fatal(err)
	}
	good := lockN(t, d, 2, nil)
	finalize(t, d)
	await(t, d, good, 60*time.Second)
	mineEvery(t, d, 100*time.Millisecond)
	want := map[chains.LockRef]int64{malformed: 2 * MinLock, small: MinLock - 1, refused: 3 * MinLock}
	waitFor(t, "the three refunds", 90*time.Second, func() bool { return len(d.Refunds()) >= 3 })
	seen := map[chains.LockRef]int{}
	for _, r := range d.Refunds() {
		seen[r.Lock]++
		v, ok := want[r.Lock]
		if !ok {
			t.Errorf("refund of %s, which is no refundable payment", r.Lock.TransferID())
			continue
		}
		if len(r.Paid) != 1 || r.Paid[0].Value != v-releaseFee || !bytes.Equal(r.Paid[0].Script, UserScript()) {
			t.Errorf("refund of %s pays %+v, want %d to the payer", r.Lock.TransferID(), r.Paid, v-releaseFee)
		}
	}
	for l := range want {
		if seen[l] != 1 {
			t.Errorf("%s refunded %d times", l.TransferID(), seen[l])
		}
	}
	waitFor(t, "every relayer to record the refunds", 60*time.Second, func() bool {
		for i := range 3 {
			for l := range want {
				if tr, ok := transfer(t, d, i, l.TransferID()); !ok || tr.State != relayer.StateRefunded {
					return false
				}
			}
		}
		return true
	})
	for i := range 3 {
		checkJournal(t, d, i)
	}
}

// Above the bound, the smallest reserve outputs are merged into one by the
// same proposer/validator flow (a reserve spend with no memo), and burns are
// released from the merged reserve afterwards.
func TestSmallReserveOutputsConsolidated(t *testing.T) {
	d := start(t, Config{Coins: 8, Tune: func(_ int, c *relayer.Config) { c.Releases.ConsolidateAbove = 4 }})
	var locks []chains.LockRef
	for range 8 {
		l, err := d.Lock(MinLock, d.User(0))
		if err != nil {
			t.Fatal(err)
		}
		locks = append(locks, l)
	}
	finalize(t, d)
	await(t, d, locks, 60*time.Second)
	mineEvery(t, d, 100*time.Millisecond)
	var moved relayer.Spend
	waitFor(t, "a consolidation to settle", 90*time.Second, func() bool {
		for _, s := range spends(t, d, 0) {
			if s.Kind == relayer.SpendMove && s.State == relayer.SpendSettled {
				moved = s
				return true
			}
		}
		return false
	})
	// 8 outputs, bound 4: the 6 smallest merged, leaving 3.
	if len(moved.Inputs) != 6 {
		t.Errorf("the consolidation spent %d outputs, want 6", len(moved.Inputs))
	}
	var n int
	for _, u := range d.Relayer(0).Node().ChainState().ReserveUTXOs() {
		if u.Value > 0 {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d reserve outputs after the consolidation, want 3", n)
	}
	ctx := context.Background()
	for i := range 2 {
		if _, err := d.Burn(ctx, 0, burnAmount(i)); err != nil {
			t.Fatal(err)
		}
	}
	chain := chains.ID(d.EVM.ChainID.Uint64())
	rels, err := d.AwaitReleased(ctx, chain, 2, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkReleases(t, rels, chain, 2, func(uint64) int { return 0 }, func(n uint64) uint64 { return burnAmount(int(n)) }, releaseFee)
}
