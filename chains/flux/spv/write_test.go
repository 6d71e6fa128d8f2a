package spv_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/store"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// heldStore is the real store whose Commits wait for the test: each one
// announces its batch on commits, then fails with what the test sends on
// release, or commits when it sends nil.
type heldStore struct {
	*store.DB
	commits chan *spv.Batch
	release chan error
}

// unhold lets a held Commit go on if the test ends early (so Close returns).
func (s *heldStore) unhold() {
	select {
	case s.release <- nil:
	default:
	}
}

func (s *heldStore) Commit(b *spv.Batch) error {
	s.commits <- b
	if err := <-s.release; err != nil {
		return err
	}
	return s.DB.Commit(b)
}

// openHeld opens a chain on a heldStore in a new file.
func openHeld(t *testing.T, w *world) (*spv.Chain, *heldStore, string) {
	t.Helper()
	path := t.TempDir() + "/flux.db"
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	hs := &heldStore{DB: db, commits: make(chan *spv.Batch, 1), release: make(chan error, 1)}
	c, err := spv.Open(spv.Config{Params: simnet, Store: hs, Anchor: w.anchor(), Now: func() time.Time { return testNow }, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return c, hs, path
}

func checkAll(c *spv.Chain, bs []*wire.MsgBlock) []*spv.CheckedBlock {
	out := make([]*spv.CheckedBlock, len(bs))
	for i, m := range bs {
		out[i] = c.CheckBlock(m)
	}
	return out
}

// ConnectCheckedBlocks connects a batch in memory and returns while its
// transaction is still being written: the next blocks are wanted at once and
// headers keep coming, but Tip, what the store holds, moves only once the
// transaction has committed. The batch's headers stay in memory meanwhile
// (it is longer than the window), so the locator does not change when the
// write ends.
func TestBackgroundWriteMovesTheTipOnceCommitted(t *testing.T) {
	const batch = 2 * spv.WindowSize // the locator of its tip has a height in its first half
	w := newWorld(t, 3)
	b := w.genesis()
	w.grow(b, batch+30, 0)
	c, hs, _ := openHeld(t, w)
	defer c.Close()
	defer hs.unhold()
	if err := headersOf(c, b, 1, batch); err != nil {
		t.Fatal(err)
	}
	if got, err := c.ConnectCheckedBlocks(checkAll(c, b.msgs(1, batch))); got != batch || err != nil {
		t.Fatalf("ConnectCheckedBlocks = %d, %v", got, err)
	}
	written := c.Writing()
	if written == nil {
		t.Fatal("no batch being written")
	}
	stored := <-hs.commits // the writer is inside Commit, held
	if stored.Tip.Height != batch || len(stored.Connect) != batch {
		t.Fatalf("batch to %d with %d blocks, want the %d connected", stored.Tip.Height, len(stored.Connect), batch)
	}
	if tip := c.Tip(); tip.Height != 0 {
		t.Fatalf("Tip moved to %d before the batch committed", tip.Height)
	}
	// Headers are not held up by the write (this would block otherwise).
	if err := headersOf(c, b, batch+1, b.tip()); err != nil {
		t.Fatal(err)
	}
	if want := c.WantBlocks(1); len(want) != 1 || want[0] != b.hash(batch+1) {
		t.Fatal("the chain does not want the block after the batch while it is written")
	}
	if best := c.BestHeader(); best.Height != b.tip() {
		t.Fatalf("best header %d during the write, want %d", best.Height, b.tip())
	}
	during := c.Locator()
	select {
	case <-written:
		t.Fatal("Writing closed before the commit returned")
	default:
	}
	hs.release <- nil
	<-written
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if tip := c.Tip(); tip.Height != batch || tip.Hash != b.hash(batch) {
		t.Fatalf("tip %d after the commit, want %d", tip.Height, batch)
	}
	if st, _, err := hs.DB.State(); err != nil || st.TipHeight != batch {
		t.Fatalf("stored tip %d (%v), want %d", st.TipHeight, err, batch)
	}
	if c.Writing() != nil {
		t.Fatal("a batch is still being written after Flush")
	}
	if after := c.Locator(); fmt.Sprint(after) != fmt.Sprint(during) {
		t.Fatalf("locator during the write %v\nafter it %v", during, after)
	}
}

// headersOf feeds b's headers from..to to c in messages of at most 160.
func headersOf(c *spv.Chain, b *branch, from, to int32) error {
	for lo := from; lo <= to; lo += wire.MaxHeadersPerMessage {
		if _, err := c.ProcessHeaders(b.headers(lo, min(lo+wire.MaxHeadersPerMessage-1, to))); err != nil {
			return err
		}
	}
	return nil
}

// A background write that fails stops the chain as a synchronous one does:
// Flush and every later write report ErrStoreFailed, Tip stays at the last
// committed batch, and the store holds exactly that batch after a restart.
func TestFailedBackgroundWriteStopsTheChain(t *testing.T) {
	w := newWorld(t, 3)
	b := w.genesis()
	w.grow(b, 60, 0)
	c, hs, path := openHeld(t, w)
	if _, err := c.ProcessHeaders(b.headers(1, 60)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConnectCheckedBlocks(checkAll(c, b.msgs(1, 20))); err != nil {
		t.Fatal(err)
	}
	<-hs.commits
	hs.release <- nil
	if got, err := c.ConnectCheckedBlocks(checkAll(c, b.msgs(21, 40))); got != 20 || err != nil {
		t.Fatalf("ConnectCheckedBlocks = %d, %v (it waits for the batch before)", got, err)
	}
	if c.Tip().Height != 20 {
		t.Fatalf("tip %d, want the first batch's 20", c.Tip().Height)
	}
	<-hs.commits
	hs.release <- errors.New("injected: disk full")
	<-c.Writing()
	if err := c.Flush(); !errors.Is(err, spv.ErrStoreFailed) {
		t.Fatalf("Flush after a failed write: %v, want ErrStoreFailed", err)
	}
	if _, err := c.ConnectCheckedBlocks(checkAll(c, b.msgs(41, 60))); !errors.Is(err, spv.ErrStoreFailed) {
		t.Fatalf("a chain whose write failed went on: %v", err)
	}
	if _, err := c.ProcessBlocks(b.msgs(41, 60)); !errors.Is(err, spv.ErrStoreFailed) {
		t.Fatalf("a chain whose write failed went on: %v", err)
	}
	if tip := c.Tip(); tip.Height != 20 {
		t.Fatalf("tip %d after the failed write, want 20", tip.Height)
	}
	c.Close()
	hs.DB.Close()

	n := w.openNode(path)
	if tip := n.chain.Tip(); tip.Height != 20 || tip.Hash != b.hash(20) {
		t.Fatalf("after restart: tip %d, want the last committed batch (20)", tip.Height)
	}
	n.mustSync(b)
}

// Close waits for the batch being written and reports its failure if no
// call did.
func TestCloseReportsAnUnreportedWriteFailure(t *testing.T) {
	w := newWorld(t, 3)
	b := w.genesis()
	w.grow(b, 10, 0)
	c, hs, _ := openHeld(t, w)
	if _, err := c.ProcessHeaders(b.headers(1, 10)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConnectCheckedBlocks(checkAll(c, b.msgs(1, 10))); err != nil {
		t.Fatal(err)
	}
	<-hs.commits
	hs.release <- errors.New("injected")
	if err := c.Close(); !errors.Is(err, spv.ErrStoreFailed) {
		t.Fatalf("Close: %v, want ErrStoreFailed", err)
	}
}

// Readers of connected state wait for the batch being written: an event
// read during the write returns the batch's events once it has committed,
// never a page the store would have given before.
func TestReadersWaitForTheWrittenBatch(t *testing.T) {
	w, b, locks := lockChain(t)
	path := t.TempDir() + "/flux.db"
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hs := &heldStore{DB: db, commits: make(chan *spv.Batch, 1), release: make(chan error, 1)}
	c, err := spv.Open(spv.Config{Params: simnet, Store: hs, Anchor: w.anchor(), Scanner: newScanner(t),
		Now: func() time.Time { return testNow }, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer hs.unhold()
	if _, err := c.ProcessHeaders(b.headers(1, b.tip())); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConnectCheckedBlocks(checkAll(c, b.msgs(1, b.tip()))); err != nil {
		t.Fatal(err)
	}
	<-hs.commits
	// Nothing can signal that the reader below is waiting, so the write is
	// released after a while: a reader that did not wait would have read the
	// store without the batch by then.
	time.AfterFunc(50*time.Millisecond, func() { hs.release <- nil })
	evs, next, err := c.EventsAfter("", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, evs, []*tx.Tx{locks[3][0], locks[3][1], locks[5][0], locks[8][0]})
	if want := spv.Cursor(b.tip(), b.hash(b.tip())); next != want {
		t.Fatalf("next %q, want %q", next, want)
	}
}
