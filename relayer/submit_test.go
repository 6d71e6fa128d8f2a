package relayer_test

import (
	"errors"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// A mint the destination keeps refusing backs off on its own and is journaled
// once per reason, and it does not starve a newer transfer even when the
// submit step takes one transfer at a time.
func TestRefusedMintBacksOffAndDoesNotStarveNewerOnes(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h := newHarness(t, open, func(c *relayer.Config) { c.Batch = 1 })
		t0 := h.clk.Now()
		refused := h.inQuorum(lock(1, 20*minLock, 900), t0)
		newer := h.inQuorum(lock(2, 20*minLock, 901), t0.Add(time.Second))
		h.snk.refuse[refused.ID] = fault.E("evm.Submit", fault.Rejected, errors.New("1 valid signatures of signer set 2, threshold 2"))
		h.run()

		h.waitState(newer.ID, relayer.StateMinted)
		// Let the refused one be tried a few more times, then stop.
		for deadline := time.Now().Add(20 * time.Second); ; {
			if n, _ := h.snk.count(refused.ID); n >= 6 || time.Now().After(deadline) {
				break
			}
			time.Sleep(2 * time.Millisecond) // the pipeline runs on its own tick
		}
		if err := h.stop(); err != nil {
			t.Fatalf("Run: %v", err)
		}

		submits, minted := h.snk.count(refused.ID)
		got := h.transfer(refused.ID)
		if minted != 0 || got.State != relayer.StateQuorum || submits < 3 {
			t.Fatalf("refused transfer: %d submits, %d mints, state %s; want ≥ 3 attempts, none minted, still in quorum", submits, minted, got.State)
		}
		// Stopping may cut the last attempt between the sink and the store.
		if d := submits - int(got.Attempts); d < 0 || d > 1 || got.Refused == "" || !got.NextAttempt.After(got.UpdatedAt) {
			t.Fatalf("refused transfer: attempts %d (sink saw %d), refused %q, next attempt %v after %v", got.Attempts, submits, got.Refused, got.NextAttempt, got.UpdatedAt)
		}
		// The backoff: Min·2^(n−1) capped at Max between attempts, so over the
		// elapsed clock time at most log2(elapsed/Min)+elapsed/Max+1 attempts.
		elapsed := h.clk.Now().Sub(t0)
		bound := 1
		for d := time.Second; d < elapsed; d *= 2 {
			bound++
		}
		bound += int(elapsed / time.Minute)
		if submits > bound {
			t.Fatalf("%d attempts in %v of clock time: the backoff allows at most %d", submits, elapsed, bound)
		}
		if n := len(h.entries(relayer.KindSubmitRefused, refused.ID)); n != 1 {
			t.Fatalf("%d %s entries for %d refusals with one reason; want 1", n, relayer.KindSubmitRefused, submits)
		}
		if n, m := h.snk.count(newer.ID); n != 1 || m != 1 {
			t.Fatalf("newer transfer: %d submits and %d mints, want 1 and 1", n, m)
		}
	})
}

// A lock the destination's immutable rules forbid (BelowMinimum,
// FeeExceedsValue, a recipient it refuses) is due a refund, with its reason
// journaled, instead of being retried for ever.
func TestForbiddenMintIsDueARefund(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h := newHarness(t, open, nil)
		tr := h.inQuorum(lock(3, 20*minLock, 900), h.clk.Now())
		h.snk.refuse[tr.ID] = fault.E("evm.Submit", fault.Forbidden, errors.New("the bridge reverts the mint: BadRecipient(0x…)"))
		h.run()
		got := h.waitState(tr.ID, relayer.StateRefundDue)
		if got.Invalid == "" {
			t.Fatalf("refund-due without a reason: %+v", got)
		}
		if n := len(h.entries(relayer.KindRefundDue, tr.ID)); n != 1 {
			t.Fatalf("%d refund-due entries, want 1", n)
		}
		if n, m := h.snk.count(tr.ID); n != 1 || m != 0 {
			t.Fatalf("%d submits and %d mints of a forbidden mint, want 1 and 0", n, m)
		}
	})
}

// A lock below a destination's minimum is never signed: it is made due a
// refund as soon as it is final.
func TestLockBelowTheDestinationMinimumIsNeverSigned(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h := newHarness(t, open, nil)
		small, fine := lock(4, minLock-1, 900), lock(5, minLock, 900)
		h.src.events = []chains.Event{small, fine}
		h.run()
		h.waitState(fine.ID, relayer.StateAttested)
		got := h.waitState(small.ID, relayer.StateRefundDue)
		if h.signedBy(small.ID) || got.Digest != nil {
			t.Fatalf("a lock below the minimum was signed: %+v", got)
		}
		if n := len(h.entries(relayer.KindRefundDue, small.ID)); n != 1 {
			t.Fatalf("%d refund-due entries, want 1", n)
		}
	})
}

func TestBackoffDoublesUpToItsCap(t *testing.T) {
	b := relayer.Backoff{Min: time.Second, Max: 10 * time.Second}
	for n, want := range map[uint32]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 60: 10 * time.Second} {
		if got := b.After(n); got != want {
			t.Errorf("After(%d) = %v, want %v", n, got, want)
		}
	}
}
