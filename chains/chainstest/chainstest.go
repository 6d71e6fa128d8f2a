// Package chainstest is the conformance suite of the chain contract (package
// chains): every Source and Sink — the embedded FLUX light node, the EVM and
// Solana plugins, in process or through chainrpc — must pass it.
//
// An implementation's test supplies a Harness (and, for a sink, a
// SinkHarness) that drives its chain: it makes events happen, makes them
// final, and signs digests with test keys. The suite then checks the
// contract's promises from the caller's side only: ordering, paging, cursor
// idempotence, retraction-free delivery of final events, reobservation,
// typed errors, and exactly-once effects of submissions.
package chainstest

import (
	"context"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
)

// Harness drives a chain whose Source is under test.
type Harness interface {
	// Source is the implementation under test.
	Source() chains.Source
	// Emit makes the chain produce one event the source reports (FLUX: a
	// lock; EVM and Solana: a burn) of amount in the chain's base unit and
	// returns the TxID the source will report for it. The event may still be
	// unconfirmed when Emit returns.
	Emit(t testing.TB, amount uint64) string
	// Settle advances the chain until every event emitted so far is
	// reportable at Confirmations() and the source has caught up with it.
	Settle(t testing.TB)
	// Confirmations is the depth the suite asks events at.
	Confirmations() uint32
}

// SinkHarness drives a chain whose Sink is under test.
type SinkHarness interface {
	// Sink is the implementation under test.
	Sink() chains.Sink
	// NewMint returns a fresh lock the sink can mint in one submission (its
	// amount within the destination's limits).
	NewMint(t testing.TB) chains.Mint
	// Signers is the size of the test signer set.
	Signers() int
	// Sign signs d with the i-th test signer (0 ≤ i < Signers()).
	Sign(t testing.TB, i int, d chains.Digest) chains.Signature
	// Settle advances the chain until everything submitted so far is final.
	Settle(t testing.TB)
}

// TestSource runs the Source conformance suite.
func TestSource(t *testing.T, h Harness) {
	t.Run("Identity", func(t *testing.T) { sourceIdentity(t, h) })
	t.Run("FinalEventsOnceInOrder", func(t *testing.T) { sourceFinalEvents(t, h) })
	t.Run("PagingIsLossless", func(t *testing.T) { sourcePaging(t, h) })
	t.Run("Reobserve", func(t *testing.T) { sourceReobserve(t, h) })
	t.Run("BadInputIsTyped", func(t *testing.T) { sourceBadInput(t, h) })
}

// TestSink runs the Sink conformance suite.
func TestSink(t *testing.T, h SinkHarness) {
	t.Run("BuildIsDeterministic", func(t *testing.T) { sinkBuild(t, h) })
	t.Run("BadRequestsAreTyped", func(t *testing.T) { sinkBadRequests(t, h) })
	t.Run("TooFewSignaturesAreRejected", func(t *testing.T) { sinkTooFew(t, h) })
	t.Run("MintsExactlyOnce", func(t *testing.T) { sinkMintOnce(t, h) })
	t.Run("ForeignSignaturesAreRejected", func(t *testing.T) { sinkForeignDigest(t, h) })
	t.Run("LimitsLetTheMinimumMint", func(t *testing.T) { sinkLimits(t, h) })
}

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx
}
