package chainstest

import (
	"reflect"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

func build(t testing.TB, h SinkHarness, m chains.Mint) chains.Submission {
	t.Helper()
	sub, err := h.Sink().Build(ctxFor(t), chains.BuildRequest{Kind: chains.SubmitMint, Mint: &m})
	if err != nil {
		t.Fatalf("Build(%s): %v", m.Lock.TransferID(), err)
	}
	if sub.Threshold < 1 || sub.Threshold > h.Signers() {
		t.Fatalf("Build: threshold %d outside 1..%d", sub.Threshold, h.Signers())
	}
	if len(sub.Digests) == 0 {
		t.Fatal("Build: no digest to sign")
	}
	return sub
}

// signAll has signers sign every digest of sub.
func signAll(t testing.TB, h SinkHarness, sub chains.Submission, signers ...int) []chains.Signature {
	t.Helper()
	var sigs []chains.Signature
	for _, i := range signers {
		for j, d := range sub.Digests {
			s := h.Sign(t, i, d)
			s.Digest = j
			sigs = append(sigs, s)
		}
	}
	return sigs
}

func firstN(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func status(t testing.TB, h SinkHarness, id string) chains.Status {
	t.Helper()
	st, err := h.Sink().Status(ctxFor(t), chains.SubmitMint, id)
	if err != nil {
		t.Fatalf("Status(%s): %v", id, err)
	}
	if st.ID != id {
		t.Fatalf("Status(%s) answers for %q", id, st.ID)
	}
	return st
}

func ledger(t testing.TB, h SinkHarness) chains.Ledger {
	t.Helper()
	l, err := h.Sink().Ledger(ctxFor(t))
	if err != nil {
		t.Fatalf("Ledger: %v", err)
	}
	if l.Chain != h.Sink().Chain() {
		t.Fatalf("Ledger of chain %v from a sink of %v", l.Chain, h.Sink().Chain())
	}
	return l
}

func sinkBuild(t *testing.T, h SinkHarness) {
	m := h.NewMint(t)
	a, b := build(t, h, m), build(t, h, m)
	if a.Kind != chains.SubmitMint || a.ID != m.Lock.TransferID() {
		t.Fatalf("Build: kind %q id %q, want mint %q", a.Kind, a.ID, m.Lock.TransferID())
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("building twice differs:\n%+v\n%+v", a, b)
	}
	other := m
	other.Amount++
	if c := build(t, h, other); reflect.DeepEqual(c.Digests, a.Digests) {
		t.Fatal("a different amount gives the same digests: the digest does not bind the amount")
	}
	if st := status(t, h, a.ID); st.State != chains.StateUnknown {
		t.Fatalf("Status of a lock never submitted: %q", st.State)
	}
}

// sinkLimits: the limits are stable and a lock at the minimum mints
// something (the minimum is above the fee).
func sinkLimits(t *testing.T, h SinkHarness) {
	a, err := h.Sink().Limits(ctxFor(t))
	if err != nil {
		t.Fatalf("Limits: %v", err)
	}
	b, err := h.Sink().Limits(ctxFor(t))
	if err != nil || a != b {
		t.Fatalf("Limits read twice: %+v then %+v, %v", a, b, err)
	}
	if a.MinLock == 0 || a.MinLock <= a.MintFee {
		t.Fatalf("Limits %+v: a lock at the minimum would mint nothing", a)
	}
}

func sinkBadRequests(t *testing.T, h SinkHarness) {
	ctx := ctxFor(t)
	s := h.Sink()
	if _, err := s.Build(ctx, chains.BuildRequest{Kind: chains.SubmitMint}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("Build(mint without a Mint) = %v, want invalid", err)
	}
	m := h.NewMint(t)
	if _, err := s.Build(ctx, chains.BuildRequest{Kind: "no-such-kind", Mint: &m}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("Build(unknown kind) = %v, want invalid", err)
	}
	if _, err := s.Status(ctx, chains.SubmitMint, "not-a-transfer-id"); fault.KindOf(err) != fault.Invalid {
		t.Errorf("Status(malformed id) = %v, want invalid", err)
	}
	if _, err := s.Submit(ctx, chains.SubmitRequest{}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("Submit(empty) = %v, want invalid", err)
	}
}

func sinkTooFew(t *testing.T, h SinkHarness) {
	m := h.NewMint(t)
	sub := build(t, h, m)
	before := ledger(t, h)
	sigs := signAll(t, h, sub, firstN(sub.Threshold-1)...)
	if _, err := h.Sink().Submit(ctxFor(t), chains.SubmitRequest{Submission: sub, Signatures: sigs}); fault.KindOf(err) != fault.Rejected {
		t.Fatalf("Submit with %d of %d signatures = %v, want rejected", sub.Threshold-1, sub.Threshold, err)
	}
	// The same signer twice is still one signer.
	if sub.Threshold > 1 {
		// Signers 0, 0, 1, …, k−2: k signatures from k−1 distinct signers.
		dup := append(signAll(t, h, sub, 0), signAll(t, h, sub, firstN(sub.Threshold-1)...)...)
		if _, err := h.Sink().Submit(ctxFor(t), chains.SubmitRequest{Submission: sub, Signatures: dup}); fault.KindOf(err) != fault.Rejected {
			t.Fatalf("Submit with a signer counted twice = %v, want rejected", err)
		}
	}
	h.Settle(t)
	if st := status(t, h, sub.ID); st.State != chains.StateUnknown {
		t.Fatalf("after a rejected submission the lock is %q", st.State)
	}
	if after := ledger(t, h); after.Minted != before.Minted {
		t.Fatalf("a rejected submission minted: %d → %d", before.Minted, after.Minted)
	}
}

func sinkMintOnce(t *testing.T, h SinkHarness) {
	m := h.NewMint(t)
	sub := build(t, h, m)
	before := ledger(t, h)
	// Signers in descending order: the sink orders them as the chain needs.
	signers := firstN(sub.Threshold)
	for i, j := 0, len(signers)-1; i < j; i, j = i+1, j-1 {
		signers[i], signers[j] = signers[j], signers[i]
	}
	req := chains.SubmitRequest{Submission: sub, Signatures: signAll(t, h, sub, signers...)}
	st, err := h.Sink().Submit(ctxFor(t), req)
	if err != nil {
		t.Fatalf("Submit with %d signatures: %v", sub.Threshold, err)
	}
	switch st.State {
	case chains.StatePending, chains.StateIncluded, chains.StateDone:
	default:
		t.Fatalf("Submit: state %q (%s)", st.State, st.Reason)
	}
	// Submitting again while in flight returns the same transaction.
	if again, err := h.Sink().Submit(ctxFor(t), req); err != nil || (st.TxID != "" && again.State != chains.StateDone && again.TxID != st.TxID) {
		t.Fatalf("resubmitting in flight: %+v, %v (first %+v)", again, err, st)
	}
	h.Settle(t)
	if st := status(t, h, sub.ID); st.State != chains.StateDone {
		t.Fatalf("after settling, the mint is %q (%s)", st.State, st.Reason)
	}
	mid := ledger(t, h)
	if mid.Minted-before.Minted != m.Amount {
		t.Fatalf("the ledger grew by %d for a lock of %d", mid.Minted-before.Minted, m.Amount)
	}
	// Done is success, not an error, and does nothing.
	done, err := h.Sink().Submit(ctxFor(t), req)
	if err != nil || done.State != chains.StateDone {
		t.Fatalf("resubmitting a done mint: %+v, %v", done, err)
	}
	h.Settle(t)
	if after := ledger(t, h); after.Minted != mid.Minted {
		t.Fatalf("resubmitting minted again: %d → %d", mid.Minted, after.Minted)
	}
}

// Signatures over another lock's digest do not authorise this one.
func sinkForeignDigest(t *testing.T, h SinkHarness) {
	m, other := h.NewMint(t), h.NewMint(t)
	sub, otherSub := build(t, h, m), build(t, h, other)
	before := ledger(t, h)
	sigs := signAll(t, h, otherSub, firstN(otherSub.Threshold)...)
	if _, err := h.Sink().Submit(ctxFor(t), chains.SubmitRequest{Submission: sub, Signatures: sigs}); fault.KindOf(err) != fault.Rejected {
		t.Fatalf("Submit with another lock's signatures = %v, want rejected", err)
	}
	h.Settle(t)
	if after := ledger(t, h); after.Minted != before.Minted {
		t.Fatalf("foreign signatures minted: %d → %d", before.Minted, after.Minted)
	}
}
