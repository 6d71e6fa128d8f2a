package relayer_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// brokenStore fails every Update while broken is set (a full disk, say).
type brokenStore struct {
	relayer.Store
	broken atomic.Bool
}

func (s *brokenStore) Update(ctx context.Context, fn func(relayer.Tx) error) error {
	if s.broken.Load() {
		return fault.E("test.Update", fault.Internal, errors.New("disk I/O error"))
	}
	return s.Store.Update(ctx, fn)
}

// final stores a transfer for ev in state final.
func (h *harness) final(ev chains.Event) relayer.Transfer {
	h.t.Helper()
	tr, err := relayer.TransferFromEvent(ev, h.clk.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	tr.State, tr.FinalAt = relayer.StateFinal, tr.SeenAt
	if err := h.db.Update(h.t.Context(), func(tx relayer.Tx) error { return tx.PutTransfer(tr) }); err != nil {
		h.t.Fatal(err)
	}
	return tr
}

// The accountant invariant (DESIGN §4 rule 5): when the destinations report
// more minted than the reserve holds, the relayer halts, journals why, and
// signs nothing more until an operator clears the halt.
func TestAccountantBreachHaltsSigning(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h := newHarness(t, open, nil)
		ev := lock(7, 20*minLock, 900)
		h.src.events = []chains.Event{ev}
		h.snk.ledger.Minted = 1_000_000 * minLock // minted by stolen keys, say
		h.run()
		waitFor(t, "the halt", func() bool { return h.r.Refusing().Cause == relayer.RefusalHalted })
		if n := len(h.entriesOfKind(relayer.KindSigningHalted)); n != 1 {
			t.Fatalf("%d signing-halted entries, want 1", n)
		}
		if got := h.transfer(ev.ID); h.signedBy(ev.ID) || got.State != relayer.StateFinal {
			t.Fatalf("signed while the accountant invariant is broken: %+v", got)
		}
	})
}

// A halt that cannot be persisted stops the pipeline: Run returns a fatal
// error instead of signing on with a halt it would forget.
func TestUnpersistableHaltIsFatal(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		var bs *brokenStore
		h := newHarness(t, open, func(c *relayer.Config) {
			bs = &brokenStore{Store: c.Store}
			c.Store = bs
		})
		h.final(lock(8, 20*minLock, 900))
		h.snk.ledger.Minted = 1_000_000 * minLock
		bs.broken.Store(true)
		h.run()
		select {
		case err := <-h.done:
			if !errors.Is(err, relayer.ErrFatal) {
				t.Fatalf("Run = %v, want a fatal error", err)
			}
			h.done <- err // for the cleanup
		case <-time.After(20 * time.Second):
			t.Fatal("Run did not stop on a halt it could not persist")
		}
	})
}
