package relayer

import (
	"time"

	"github.com/fluxbridge/fluxbridge/fault"
)

// Backoff is the per-transfer schedule of submission attempts after a
// failure: Min after the first failure, doubling with each further one in a
// row, never more than Max.
type Backoff struct {
	Min, Max time.Duration
}

// After returns how long to wait after the n-th failed attempt in a row
// (n ≥ 1).
func (b Backoff) After(n uint32) time.Duration {
	d := b.Min
	for i := uint32(1); i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// failedAttempt decides what a failed submission attempt (with the signers
// it carried) does to a transfer. It is pure: the caller stores the returned
// transfer and the journal entry, if there is one.
//
//   - fault.Forbidden: the destination's immutable rules refuse this lock
//     whoever signs it (below its minimum, not above its fee, a recipient it
//     refuses). Nothing will ever be minted for it, so it is due a refund.
//   - any other failure: the attempt is counted and the next one waits
//     b.After(attempts). Only a refusal (fault.Rejected) whose reason differs
//     from the last one is journaled, so a mint refused for days writes one
//     entry, not one per attempt; transient failures (an RPC down, a pause, a
//     full rate-limit bucket) are retried without an entry.
func failedAttempt(t Transfer, now time.Time, kind fault.Kind, reason string, signers []string, b Backoff) (next Transfer, entry Entry) {
	next = t
	next.UpdatedAt = now
	if kind == fault.Forbidden && CanMove(t.State, StateRefundDue) {
		next.State, next.Invalid, next.Refused = StateRefundDue, "destination forbids the mint: "+reason, reason
		return next, RefundDue{Lock: lockOfTransfer(next), Reason: next.Invalid}
	}
	next.Attempts++
	next.NextAttempt = now.Add(b.After(next.Attempts))
	next.Refused = reason
	if kind == fault.Rejected && reason != t.Refused {
		return next, SubmitRefused{ID: t.ID, Error: reason, Attempts: next.Attempts, Signers: signers}
	}
	return next, nil
}
