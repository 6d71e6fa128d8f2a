package spv_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// lockChain has locks in blocks 3 (two locks), 5 and 8, tip 12.
func lockChain(t *testing.T) (*world, *branch, map[int32][]*tx.Tx) {
	w := newWorld(t, 3)
	b := w.genesis()
	locks := map[int32][]*tx.Tx{
		3: {lockTx("3a", 1e8), lockTx("3b", 2e8)},
		5: {lockTx("5", 3e8)},
		8: {lockTx("8", 4e8)},
	}
	for h := int32(1); h <= 12; h++ {
		w.extend(b, blockOpts{txs: locks[h]})
	}
	return w, b, locks
}

func TestEventsAtDepth(t *testing.T) {
	w, b, locks := lockChain(t)
	n := w.openNode("")
	n.mustSync(b)
	tests := []struct {
		name          string
		confirmations uint32
		wantTxs       []*tx.Tx
		wantNext      int32
	}{
		{"depth 1 reports up to the tip", 1, []*tx.Tx{locks[3][0], locks[3][1], locks[5][0], locks[8][0]}, 12},
		{"depth 5 stops 4 blocks below the tip", 5, []*tx.Tx{locks[3][0], locks[3][1], locks[5][0], locks[8][0]}, 8},
		{"depth 6 leaves out block 8", 6, []*tx.Tx{locks[3][0], locks[3][1], locks[5][0]}, 7},
		{"depth 10 reports blocks up to 3", 10, []*tx.Tx{locks[3][0], locks[3][1]}, 3},
		{"depth 13 reports nothing yet", 13, nil, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			evs, next, err := n.chain.EventsAfter("", tc.confirmations, 0)
			if err != nil {
				t.Fatal(err)
			}
			checkEvents(t, evs, tc.wantTxs)
			want := chains.Cursor("")
			if tc.wantNext >= 0 {
				want = spv.Cursor(tc.wantNext, b.hash(tc.wantNext))
			}
			if next != want {
				t.Fatalf("next %q, want %q", next, want)
			}
			// Nothing new from there.
			if evs, again, err := n.chain.EventsAfter(next, tc.confirmations, 0); err != nil || len(evs) != 0 || again != next {
				t.Fatalf("from next: %d events, next %q, %v", len(evs), again, err)
			}
		})
	}
	// Confirmations 10: the lock at 8 appears once the tip reaches 17.
	_, next, _ := n.chain.EventsAfter("", 10, 0)
	w.grow(b, 5, 0)
	n.mustSync(b)
	evs, _, err := n.chain.EventsAfter(next, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, evs, []*tx.Tx{locks[5][0], locks[8][0]})
	if evs[0].Block.Height != 5 || evs[0].Block.Hash != b.hash(5).String() || evs[0].Amount != 3e8 {
		t.Fatalf("event block/amount: %+v", evs[0])
	}
}

// The limit is exact: a page may end inside a block, and its cursor resumes
// at the next event of that block.
func TestEventsLimitIsExactAndResumesInsideABlock(t *testing.T) {
	w, b, locks := lockChain(t)
	n := w.openNode("")
	n.mustSync(b)
	var got []chains.Event
	var cur chains.Cursor
	var pages []int
	for range 10 {
		evs, next, err := n.chain.EventsAfter(cur, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		pages = append(pages, len(evs))
		got = append(got, evs...)
		if len(got) == 1 && next != spv.PartialCursor(3, b.hash(3), 1) {
			t.Fatalf("after the first of block 3's two events the cursor is %q", next)
		}
		cur = next
	}
	if fmt.Sprint(pages) != "[1 1 1 1]" {
		t.Fatalf("pages of %v events, want [1 1 1 1]", pages)
	}
	checkEvents(t, got, []*tx.Tx{locks[3][0], locks[3][1], locks[5][0], locks[8][0]})
}

func TestEventsBadCursor(t *testing.T) {
	w, b, _ := lockChain(t)
	n := w.openNode("")
	n.mustSync(b)
	for _, c := range []chains.Cursor{"x", "12", "-1:" + chains.Cursor(b.hash(1).String()),
		spv.Cursor(4, b.hash(5)), spv.Cursor(3, hashOf("never")),
		spv.Cursor(3, b.hash(3)) + ":0", spv.Cursor(3, b.hash(3)) + ":x", spv.Cursor(3, b.hash(3)) + ":01",
		spv.PartialCursor(3, b.hash(3), 3)} {
		if _, _, err := n.chain.EventsAfter(c, 1, 0); !errors.Is(err, spv.ErrBadCursor) {
			t.Errorf("cursor %q: %v, want ErrBadCursor", c, err)
		}
	}
}

func TestEventsForTx(t *testing.T) {
	w, b, locks := lockChain(t)
	n := w.openNode("")
	n.mustSync(b)
	evs, err := n.chain.EventsForTx(locks[5][0].TxID())
	if err != nil || len(evs) != 1 || evs[0].TxID != locks[5][0].TxID().String() {
		t.Fatalf("EventsForTx = %v, %v", evs, err)
	}
	if evs, err := n.chain.EventsForTx(hashOf("none")); err != nil || len(evs) != 0 {
		t.Fatalf("EventsForTx(unknown) = %v, %v", evs, err)
	}
	ev, ok, err := n.chain.EventByID(evs[0].ID)
	if err != nil || !ok || ev.ID != evs[0].ID {
		t.Fatalf("EventByID = %v, %v, %v", ev, ok, err)
	}
	if us := n.chain.ReserveUTXOs(); len(us) != 4 {
		t.Fatalf("%d reserve utxos, want 4", len(us))
	}
}

func TestFindTxFollowsReorgs(t *testing.T) {
	w := newWorld(t, 3)
	a := w.genesis()
	w.grow(a, 5, 0)
	mine := spendTx(chainhash.OutPoint{Hash: hashOf("mine"), Index: 3})
	b := a.fork(5)
	w.extend(a, blockOpts{txs: []*tx.Tx{mine}})
	w.grow(a, 1, 0)
	w.grow(b, 3, 1)
	n := w.openNode("")
	if err := n.chain.Watch(mine.TxID()); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := n.chain.FindTx(mine.TxID()); ok {
		t.Fatal("found before mined")
	}
	n.mustSync(a)
	if h, hash, ok := n.chain.FindTx(mine.TxID()); !ok || h != 6 || hash != a.hash(6) {
		t.Fatalf("FindTx = %d %s %v", h, hash, ok)
	}
	n = n.reopen(w)
	if h, _, ok := n.chain.FindTx(mine.TxID()); !ok || h != 6 {
		t.Fatal("FindTx lost across a restart")
	}
	n.mustSync(b)
	if _, _, ok := n.chain.FindTx(mine.TxID()); ok {
		t.Fatal("found after its block was reorged out")
	}
	n = n.reopen(w)
	if _, _, ok := n.chain.FindTx(mine.TxID()); ok {
		t.Fatal("found after a restart following the reorg")
	}
	// Mined again on the new branch.
	w.extend(b, blockOpts{txs: []*tx.Tx{mine}, tag: 1})
	n.mustSync(b)
	if h, _, ok := n.chain.FindTx(mine.TxID()); !ok || h != 9 {
		t.Fatalf("FindTx on the new branch = %d %v", h, ok)
	}
}

func checkEvents(t *testing.T, evs []chains.Event, want []*tx.Tx) {
	t.Helper()
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d", len(evs), len(want))
	}
	for i, ev := range evs {
		if ev.TxID != want[i].TxID().String() || ev.Kind != chains.EventLock || ev.Retracted {
			t.Fatalf("event %d: %+v, want a lock by %s", i, ev, want[i].TxID())
		}
	}
}

// A page that stopped inside a block that a reorganisation then orphaned
// retracts only the events of that block it had delivered.
func TestPartialCursorInAnOrphanedBlockRetractsWhatWasDelivered(t *testing.T) {
	w := newWorld(t, 3)
	a := w.genesis()
	w.grow(a, 2, 0)
	b := a.fork(a.tip())
	first, second := lockTx("orphan-a", 1e8), lockTx("orphan-b", 2e8)
	w.extend(a, blockOpts{txs: []*tx.Tx{first, second}}) // 3
	w.grow(a, 2, 0)                                      // tip 5
	w.grow(b, 4, 1)                                      // tip 6, no locks
	n := w.openNode("")
	n.mustSync(a)
	evs, cur, err := n.chain.EventsAfter("", 1, 1)
	if err != nil || len(evs) != 1 || evs[0].TxID != first.TxID().String() {
		t.Fatalf("first page: %+v %v", evs, err)
	}
	if cur != spv.PartialCursor(3, a.hash(3), 1) {
		t.Fatalf("cursor %q", cur)
	}
	n.mustSync(b)
	evs, next, err := n.chain.EventsAfter(cur, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || !evs[0].Retracted || evs[0].TxID != first.TxID().String() {
		t.Fatalf("after the reorg: %+v (want only the delivered event retracted)", evs)
	}
	if want := spv.Cursor(b.tip(), b.hash(b.tip())); next != want {
		t.Fatalf("next %s, want %s", next, want)
	}
}
