package spv

import (
	"fmt"
)

// This file lets the sync driver overlap a batch's Store transaction with
// the download and verification of the next one (ConnectCheckedBlocks).
//
// At most one batch is written in the background at a time, and only a batch
// that extends the durable tip (no disconnects): a reorganisation is written
// before its call returns, as ProcessBlocks writes every batch. While a batch
// is being written the in-memory state (the working tip, the fluxnode set,
// the reserve UTXOs, the watched transactions) is one batch ahead of the
// store. So that nobody outside the chain sees state the store may not hold
// after a crash:
//
//   - Tip is the durable tip: it moves when the batch's transaction has
//     committed, not when the batch connects in memory;
//   - every reader of connected state or of the store (HeaderAt above the
//     durable tip, Fluxnodes, FluxnodeSet, ReserveUTXOs, FindTx, the event
//     readers) waits for the write first, and fails with ErrStoreFailed if it
//     failed;
//   - every writer (ProcessHeaders excepted, which touches only the header
//     tree) waits for it first, so the Store sees one write at a time, in
//     order;
//   - the main-chain headers of a batch being written stay in memory
//     (tree.prune keeps the window below the durable tip), so lookups by
//     height never miss a block the store does not hold yet.
//
// A failed background write poisons the chain exactly as a failed
// synchronous one does (ErrStoreFailed), and is reported by the next call
// that waits for it: Flush, the next ConnectCheckedBlocks or ProcessBlocks,
// Close.

// write is a batch being committed in the background.
type write struct {
	done chan struct{} // closed once Commit has returned
	err  error         // Commit's error; read only after done is closed
	tip  Tip           // the tip the store is at once the batch commits
}

// ConnectCheckedBlocks is ProcessCheckedBlocks that does not wait for the
// Store: it verifies and connects the blocks in memory exactly as
// ProcessCheckedBlocks does, hands the batch's Store transaction to a
// background writer and returns. The transaction is the same one
// ProcessCheckedBlocks would commit, so after a crash the store holds the
// state of the last committed batch, never part of one.
//
// It first waits for the batch written before, if any, and fails with
// ErrStoreFailed if that write failed. A batch that disconnects blocks (a
// reorganisation) and a batch that ends with a block error are written
// before it returns. Tip moves once the batch has committed: Writing
// returns a channel closed at that moment, and Flush returns the write's
// error.
func (c *Chain) ConnectCheckedBlocks(cbs []*CheckedBlock) (connected int, err error) {
	return c.processCheckedBlocks(cbs, true)
}

// Writing returns a channel that is closed when the batch being written in
// the background has committed or failed, or nil when no batch is being
// written. Call Flush then to learn the outcome.
func (c *Chain) Writing() <-chan struct{} {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if w := c.writing; w != nil {
		return w.done
	}
	return nil
}

// Flush waits for the batch being written in the background, if any. It
// returns an error wrapping ErrStoreFailed if that write (or any earlier
// Store write) failed, and ErrClosed once the chain is closed.
func (c *Chain) Flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	return c.usable()
}

// startWrite finishes s's batch and hands it to a background writer. mu is
// held for writing and no write is in flight (settle ran).
func (c *Chain) startWrite(s *step) error {
	b, err := s.finish()
	if err != nil {
		return err
	}
	w := &write{done: make(chan struct{}), tip: c.tree.tipNode().export()}
	c.writing = w
	go func() { // spv.writer: commits one batch and exits; settle and Close wait for it
		defer close(w.done)
		if err := c.st.Commit(b); err != nil {
			w.err = fmt.Errorf("spv: commit batch to %s: %w", w.tip.Hash, err)
			return
		}
		c.durable.Store(&w.tip)
	}()
	return nil
}

// settle waits for the write in flight, if any, and records its failure.
// mu is held for writing.
func (c *Chain) settle() {
	w := c.writing
	if w == nil {
		return
	}
	<-w.done
	c.writing = nil
	if w.err != nil && c.failed == nil {
		c.failed = w.err
	}
}

// awaitWrite waits for the write in flight, if any, and returns an error
// wrapping ErrStoreFailed if it failed. mu is held (for reading suffices:
// the writer never takes it).
func (c *Chain) awaitWrite() error {
	w := c.writing
	if w == nil {
		return nil
	}
	<-w.done
	if w.err != nil {
		return fmt.Errorf("%w: %v", ErrStoreFailed, w.err)
	}
	return nil
}
