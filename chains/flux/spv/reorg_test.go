package spv_test

import (
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// TestReorg39IsFollowed: a branch forking 39 blocks below the tip with more
// work replaces it; the fluxnode set, the reserve and the events of the old
// blocks are undone, and EventsAfter retracts what it had reported.
func TestReorg39IsFollowed(t *testing.T) {
	w := newWorld(t, 3)
	a := w.genesis()
	w.grow(a, 60, 0)
	fork := a.tip() - 39 // 21
	b := a.fork(fork)

	// On the old branch above the fork: a new fluxnode, a lock, a watched tx.
	newcomer := newProducer("newcomer")
	lock := lockTx("old", 5_000_000)
	watched := spendTx(chainhash.OutPoint{Hash: hashOf("spv-test/watched"), Index: 1})
	w.extend(a, blockOpts{txs: []*tx.Tx{
		fluxnode.NewStartTx(simnet, 5, newcomer.collateral, newcomer.pub, newcomer.pub, uint32(testNow.Unix())),
		lock, watched,
	}})
	w.grow(a, 1, 0)
	// a: tip 62; b forks at 21 and must be longer: 42 blocks (tip 63).
	w.grow(b, 42, 1)
	lockB := lockTx("new", 7_000_000)
	b.blocks = b.blocks[:len(b.blocks)-1]
	w.extend(b, blockOpts{tag: 1, txs: []*tx.Tx{lockB}})

	n := w.openNode("")
	if err := n.chain.Watch(watched.TxID()); err != nil {
		t.Fatal(err)
	}
	n.mustSync(a)
	if a.tip()-fork != 41 {
		t.Fatalf("test setup: old branch %d blocks above the fork", a.tip()-fork)
	}
	if _, ok := lookup(n.chain, newcomer.collateral); !ok {
		t.Fatal("the START on the old branch did not register")
	}
	if h, _, ok := n.chain.FindTx(watched.TxID()); !ok || h != 61 {
		t.Fatalf("FindTx before the reorg = %d, %v", h, ok)
	}
	evs, _, err := n.chain.EventsAfter("", 1, 0)
	if err != nil || len(evs) != 1 || evs[0].Kind != chains.EventLock || evs[0].TxID != lock.TxID().String() {
		t.Fatalf("events before the reorg: %v %v", evs, err)
	}
	t.Run("39 deep from the tip is followed", func(t *testing.T) {
		n := w.openNode("")
		if err := n.chain.Watch(watched.TxID()); err != nil {
			t.Fatal(err)
		}
		// The old branch: the interesting block at 50, tip 60 = fork + 39.
		old := a.fork(fork)
		w.grow(old, 28, 0) // 22..49
		w.extend(old, blockOpts{txs: []*tx.Tx{
			fluxnode.NewStartTx(simnet, 5, newcomer.collateral, newcomer.pub, newcomer.pub, uint32(testNow.Unix())),
			lock, watched,
		}}) // 50
		w.grow(old, 10, 0) // tip 60 = fork + 39
		n.mustSync(old)
		_, cur, err := n.chain.EventsAfter("", 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := lookup(n.chain, newcomer.collateral); !ok {
			t.Fatal("newcomer missing before the reorg")
		}
		utxosBefore := n.chain.ReserveUTXOs()

		n.mustSync(b)
		if _, ok := lookup(n.chain, newcomer.collateral); ok {
			t.Fatal("the START of an orphaned block survived the reorg")
		}
		if _, _, ok := n.chain.FindTx(watched.TxID()); ok {
			t.Fatal("FindTx still finds a tx whose block was reorged out")
		}
		us := n.chain.ReserveUTXOs()
		if len(utxosBefore) != 1 || len(us) != 1 || us[0].OutPoint.Hash != lockB.TxID() {
			t.Fatalf("reserve utxos %v before, %v after", utxosBefore, us)
		}
		evs, next, err := n.chain.EventsAfter(cur, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 || !evs[0].Retracted || evs[0].TxID != lock.TxID().String() ||
			evs[1].Retracted || evs[1].TxID != lockB.TxID().String() {
			t.Fatalf("events after the reorg: %+v", evs)
		}
		if want := spv.Cursor(b.tip(), b.hash(b.tip())); next != want {
			t.Fatalf("next %s, want %s", next, want)
		}
		// The orphaned event is kept, not deleted, but no longer found by id.
		if _, ok, _ := n.chain.EventByID(evs[0].ID); ok {
			t.Fatal("EventByID finds an orphaned event")
		}
		if _, ok, _ := n.chain.EventByID(evs[1].ID); !ok {
			t.Fatal("EventByID misses a main-chain event")
		}
		// A restart after the reorg resumes on the new branch.
		n = n.reopen(w)
		if n.chain.Tip().Hash != b.hash(b.tip()) {
			t.Fatal("restart after the reorg lost the new branch")
		}
		if _, ok := lookup(n.chain, newcomer.collateral); ok {
			t.Fatal("restart brought the orphaned START back")
		}
	})

	t.Run("41 deep from the tip is refused", func(t *testing.T) {
		// n is at a's tip 62; b forks at 21 = 62-41.
		_, err := n.chain.ProcessHeaders(b.headers(fork+1, fork+10))
		if header.CodeOf(err) != header.ErrReorgTooDeep {
			t.Fatalf("error %v, want %s", err, header.ErrReorgTooDeep)
		}
		if n.chain.BestHeader().Hash != a.hash(a.tip()) {
			t.Fatal("best header moved to the refused branch")
		}
		// 40 deep is refused too (fluxd: tip - fork >= 40).
		m := w.openNode("")
		m.mustSync(a.fork(61))
		if _, err := m.chain.ProcessHeaders(b.headers(fork+1, fork+1)); header.CodeOf(err) != header.ErrReorgTooDeep {
			t.Fatalf("40 deep: %v", err)
		}
	})
}

func lookup(c *spv.Chain, op chainhash.OutPoint) (fluxnode.Entry, bool) {
	for _, e := range c.FluxnodeSet() {
		if e.Collateral == op {
			return e, true
		}
	}
	return fluxnode.Entry{}, false
}

// TestEqualWorkTieLowerPoNHashWins: two blocks at the same height (equal
// work); whichever arrives first, the one with the lower PoN hash is best,
// and the chain reorganises to it.
func TestEqualWorkTieLowerPoNHashWins(t *testing.T) {
	w := newWorld(t, 4)
	base := w.genesis()
	w.grow(base, 10, 0)
	x, y := base.fork(10), base.fork(10)
	w.extend(x, blockOpts{producer: &w.producers[0], tag: 1})
	w.extend(y, blockOpts{producer: &w.producers[1], tag: 2})
	px, py := header.HeaderPoNHash(x.header(11), simnet), header.HeaderPoNHash(y.header(11), simnet)
	low, high := x, y
	if py.Compare(px) < 0 {
		low, high = y, x
	}
	for _, order := range []struct {
		name        string
		first, then *branch
	}{{"lower first", low, high}, {"higher first", high, low}} {
		t.Run(order.name, func(t *testing.T) {
			n := w.openNode("")
			n.mustSync(base)
			n.mustSync(order.first)
			if err := n.sync(order.then); err != nil {
				t.Fatal(err)
			}
			if got := n.chain.Tip().Hash; got != low.hash(11) {
				t.Fatalf("tip %s, want the lower PoN hash %s", got, low.hash(11))
			}
			if got := n.chain.BestHeader().Hash; got != low.hash(11) {
				t.Fatalf("best header %s", got)
			}
		})
	}
	// More work beats a lower PoN hash.
	n := w.openNode("")
	n.mustSync(base)
	n.mustSync(low)
	w.grow(high, 1, 3)
	n.mustSync(high)
}

func TestReorgWaitsForEnoughBlocks(t *testing.T) {
	w := newWorld(t, 3)
	a := w.genesis()
	w.grow(a, 30, 0)
	b := a.fork(20)
	w.grow(b, 12, 1) // tip 32 beats 30 only with its last two blocks
	n := w.openNode("")
	n.mustSync(a)
	if err := n.headers(b, 21, 32); err != nil {
		t.Fatal(err)
	}
	if got, err := n.chain.ProcessBlocks(b.msgs(21, 30)); err != nil || got != 0 {
		t.Fatalf("a batch that cannot beat the tip connected %d (%v)", got, err)
	}
	if n.chain.Tip().Hash != a.hash(30) {
		t.Fatal("the old tip was disconnected for a branch that cannot beat it yet")
	}
	if got, err := n.chain.ProcessBlocks(b.msgs(21, 32)); err != nil || got != 12 {
		t.Fatalf("ProcessBlocks = %d, %v", got, err)
	}
	if n.chain.Tip().Hash != b.hash(32) {
		t.Fatal("not reorganised")
	}
}
