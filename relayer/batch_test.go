package relayer_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/signer"
)

// batchHarness is a harness whose relayer batches with a long BatchWait, so
// the batch has its turn whatever its submitter rank, and three locks of one
// FLUX block to sign.
func batchHarness(t *testing.T, open opener, tune func(*relayer.Config)) (*harness, []chains.Event) {
	h := newHarness(t, open, func(c *relayer.Config) {
		c.BatchWait = 20 * time.Second
		if tune != nil {
			tune(c)
		}
	})
	locks := []chains.Event{lock(1, 20*minLock, 900), lock(2, 21*minLock, 900), lock(3, 22*minLock, 900)}
	h.src.events = locks
	return h, locks
}

// batchOf returns the batch id every lock was signed in (failing unless
// they share one) and the locks' digests in ascending order.
func (h *harness) batchOf(locks []chains.Event) (string, [][32]byte) {
	h.t.Helper()
	var id string
	var ds [][32]byte
	for _, l := range locks {
		tr := h.waitState(l.ID, relayer.StateAttested)
		if tr.Batch == "" || (id != "" && tr.Batch != id) {
			h.t.Fatalf("%s is in batch %q, want the one batch %q", l.ID, tr.Batch, id)
		}
		id = tr.Batch
		var d [32]byte
		copy(d[:], tr.Digest)
		ds = append(ds, d)
	}
	slices.SortFunc(ds, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
	return id, ds
}

// peerBatchSignature delivers k's signature over the batch of digests.
func (h *harness) peerBatchSignature(k signer.Signer, ds [][32]byte) error {
	h.t.Helper()
	d := chains.BatchDigest(destChain, bridge, ds)
	sig, err := k.Sign(h.t.Context(), chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: d[:]})
	if err != nil {
		h.t.Fatal(err)
	}
	payload, err := relayer.MarshalBatchSignature(relayer.BatchSignature{Dest: destChain, Digests: ds, Sig: sig.Sig})
	if err != nil {
		h.t.Fatal(err)
	}
	return h.r.HandleEnvelope(h.t.Context(), relayer.KindMintBatchSignature, k.ID(), payload, []byte("raw"))
}

// peerAttestations delivers k's per-lock attestations of locks.
func (h *harness) peerAttestations(k signer.Signer, locks []chains.Event) {
	h.t.Helper()
	for _, l := range locks {
		tr := h.transfer(l.ID)
		sig, err := k.Sign(h.t.Context(), chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: tr.Digest})
		if err != nil {
			h.t.Fatal(err)
		}
		payload, err := relayer.MarshalAttestation(relayer.Attestation{Dest: destChain, Mint: tr.Mint(), Digest: tr.Digest, Sig: sig.Sig})
		if err != nil {
			h.t.Fatal(err)
		}
		if err := h.r.HandleEnvelope(h.t.Context(), relayer.KindMintAttestation, k.ID(), payload, []byte("raw")); err != nil {
			h.t.Fatal(err)
		}
	}
}

// The locks of one block are signed in one batch (journaled with its
// members before the signature leaves); only the batch signature is sent,
// the locks' own attestations wait for the batch's window to end. With a
// peer's signature over the same batch the batch is sent once, in one
// submission, and every lock is minted exactly once without a single
// per-lock submission or attestation sent.
func TestBatchReachingKIsMintedOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h, locks := batchHarness(t, open, nil)
		h.run()
		id, ds := h.batchOf(locks)
		if want := chains.BatchID(chains.BatchDigest(destChain, bridge, ds)); id != want {
			t.Fatalf("batch id %s, want %s (the batch digest of the locks' MintAuth digests)", id, want)
		}
		signed := h.entriesOfKind(relayer.KindMintBatchSigned)
		if len(signed) != 1 || h.out.count(relayer.KindMintBatchSignature) < 1 || h.out.count(relayer.KindMintAttestation) != 0 {
			t.Fatalf("%d mint-batch-signed entries, %d batch signatures and %d attestations sent; want 1, at least 1 and 0",
				len(signed), h.out.count(relayer.KindMintBatchSignature), h.out.count(relayer.KindMintAttestation))
		}
		if n := len(h.entriesOfKind(relayer.KindMintAttested)); n != len(locks) {
			t.Fatalf("%d mint-attested entries, want one per lock: each lock's MintAuth is signed and journaled", n)
		}
		if err := h.peerBatchSignature(h.keys[1], ds); err != nil {
			t.Fatal(err)
		}
		h.peerAttestations(h.keys[1], locks)
		for _, l := range locks {
			h.waitState(l.ID, relayer.StateMinted)
		}
		if err := h.stop(); err != nil {
			t.Fatal(err)
		}
		if n, _ := h.snk.count(id); n != 1 {
			t.Fatalf("the batch was submitted %d times, want 1", n)
		}
		for _, l := range locks {
			if n, m := h.snk.count(l.ID); n != 0 || m != 1 {
				t.Fatalf("%s: %d per-lock submissions, minted %d times; want 0 and 1", l.ID, n, m)
			}
		}
		if n := h.out.count(relayer.KindMintAttestation); n != 0 {
			t.Fatalf("%d per-lock attestations sent for locks their batch minted", n)
		}
		if sub := h.entriesOfKind(relayer.KindMintBatchSubmitted); len(sub) != 1 {
			t.Fatalf("%d mint-batch-submitted entries, want 1", len(sub))
		}
	})
}

// While our batch's transaction is in flight its status answers for the
// members we submitted in it: none is read alone (one read per batch, not
// one per lock); once it settles, each member's own status records it
// minted.
func TestBatchInFlightAnswersForItsMembers(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h, locks := batchHarness(t, open, nil)
		h.run()
		id, ds := h.batchOf(locks)
		h.snk.setInFlight(id, true)
		if err := h.peerBatchSignature(h.keys[1], ds); err != nil {
			t.Fatal(err)
		}
		h.peerAttestations(h.keys[1], locks)
		for _, l := range locks {
			h.waitState(l.ID, relayer.StateSubmitted)
		}
		time.Sleep(50 * time.Millisecond) // a confirm step that read them before their submission ends
		before := make([]int, len(locks))
		for i, l := range locks {
			before[i] = h.snk.readsOf(l.ID)
		}
		batchReads := h.snk.readsOf(id)
		time.Sleep(300 * time.Millisecond) // hundreds of status periods on the stepping clock
		for i, l := range locks {
			if n := h.snk.readsOf(l.ID); n != before[i] {
				t.Fatalf("%s was read alone %d times while its batch was in flight", l.ID, n-before[i])
			}
			if tr := h.transfer(l.ID); tr.State != relayer.StateSubmitted {
				t.Fatalf("%s is %s while its batch is in flight", l.ID, tr.State)
			}
		}
		if h.snk.readsOf(id) <= batchReads {
			t.Fatal("the batch's status was not read while it was in flight")
		}
		h.snk.setInFlight(id, false)
		for _, l := range locks {
			h.waitState(l.ID, relayer.StateMinted)
		}
		if err := h.stop(); err != nil {
			t.Fatal(err)
		}
	})
}

// While a batch's members wait for it, one member's status is read for
// the whole batch; once it shows minted (another relayer sent the batch),
// the others are read and recorded minted too, none submitted by us.
func TestWaitingBatchIsFollowedThroughOneMember(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h, locks := batchHarness(t, open, func(c *relayer.Config) { c.BatchWait = time.Hour })
		h.run()
		h.batchOf(locks)
		time.Sleep(300 * time.Millisecond) // many failover periods on the stepping clock
		var reps, others int
		for _, l := range locks {
			switch n := h.snk.readsOf(l.ID); {
			case n > 1:
				reps++
			case n > 0:
				others++
			}
		}
		if reps != 1 || others != 0 {
			t.Fatalf("%d members read repeatedly and %d read at all besides; want one representative only", reps, others)
		}
		var ids []string
		for _, l := range locks {
			ids = append(ids, l.ID)
		}
		h.snk.mintElsewhere(ids...)
		for _, l := range locks {
			h.waitState(l.ID, relayer.StateMinted)
			if n, _ := h.snk.count(l.ID); n != 0 {
				t.Fatalf("%s was submitted by us", l.ID)
			}
		}
		if err := h.stop(); err != nil {
			t.Fatal(err)
		}
	})
}

// A batch still waiting is followed every status period, not every
// failover period: its transaction mints all its members at once, and they
// are recorded minted before the batch's window ends and the per-lock path
// would wake for them.
func TestWaitingBatchIsReadEveryStatusPeriod(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h, locks := batchHarness(t, open, func(c *relayer.Config) {
			c.FailoverAfter, c.BatchWait = 24*time.Hour, 48*time.Hour
		})
		h.run()
		h.batchOf(locks)
		waitFor(t, "the batch's status read again and again", func() bool {
			n := 0
			for _, l := range locks {
				n += h.snk.readsOf(l.ID)
			}
			return n >= 5
		})
		if err := h.stop(); err != nil {
			t.Fatal(err)
		}
	})
}

// A batch that does not reach k (the peer signed another batch: its
// policy held a lock) leaves every lock to the per-lock path once
// BatchWait has passed, and each is minted exactly once, alone.
func TestBatchShortOfKFallsBackToSingleMints(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		const wait = time.Hour
		h, locks := batchHarness(t, open, func(c *relayer.Config) {
			c.BatchWait = wait
			c.Rebroadcast = 5 * time.Millisecond // the rebroadcast step runs every millisecond
		})
		h.run()
		id, ds := h.batchOf(locks)
		// The peer's batch lacks the third lock: another batch digest.
		var other [][32]byte
		for _, d := range ds {
			if tr := h.transfer(locks[2].ID); !bytes.Equal(tr.Digest, d[:]) {
				other = append(other, d)
			}
		}
		if err := h.peerBatchSignature(h.keys[1], other); err != nil {
			t.Fatal(err)
		}
		h.peerAttestations(h.keys[1], locks[:1])
		h.waitState(locks[0].ID, relayer.StateQuorum)
		time.Sleep(300 * time.Millisecond) // the clock steps minutes meanwhile: every submitter rank's turn passes
		for _, l := range locks {
			if n, _ := h.snk.count(l.ID); n != 0 {
				t.Fatalf("%s was submitted alone while it waited for its batch", l.ID)
			}
		}
		if n := h.out.count(relayer.KindMintAttestation); n != 0 {
			t.Fatalf("%d per-lock attestations sent while the batch's window was open", n)
		}
		h.clk.Advance(wait)
		// The window over, our attestation of each lock goes to the peers,
		// whose per-lock path needs it (here: the locks we lack a quorum of).
		for _, l := range locks[1:] {
			waitFor(t, "our attestation of "+l.ID+" sent", func() bool { return h.out.sentAttestation(l.ID) })
		}
		h.peerAttestations(h.keys[1], locks[1:])
		for _, l := range locks {
			tr := h.waitState(l.ID, relayer.StateMinted)
			// The confirm step may record the mint before the submit step
			// records its submission (which it then leaves alone).
			at := tr.SubmittedAt
			if at.IsZero() {
				at = tr.MintedAt
			}
			if at.Before(tr.AttestedAt.Add(wait)) {
				t.Fatalf("%s was submitted alone %v after it was signed, before BatchWait %v", l.ID, at.Sub(tr.AttestedAt), wait)
			}
		}
		if err := h.stop(); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{id, chains.BatchID(chains.BatchDigest(destChain, bridge, other))} {
			if n, _ := h.snk.count(s); n != 0 {
				t.Fatalf("batch %s was submitted %d times, want 0", s, n)
			}
		}
		for _, l := range locks {
			if n, m := h.snk.count(l.ID); n != 1 || m != 1 {
				t.Fatalf("%s: %d per-lock submissions, minted %d times; want 1 and 1", l.ID, n, m)
			}
		}
		if sub := h.entriesOfKind(relayer.KindMintBatchSubmitted); len(sub) != 0 {
			t.Fatalf("%d mint-batch-submitted entries, want 0", len(sub))
		}
	})
}

// A batch the destination refuses is not tried again: its locks are
// minted alone, each once.
func TestRefusedBatchFallsBackToSingleMints(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h, locks := batchHarness(t, open, nil)
		h.run()
		id, ds := h.batchOf(locks)
		h.snk.mu.Lock()
		h.snk.refuse[id] = fault.E("evm.Submit", fault.Rejected, errors.New("1 valid signatures of signer set 1, threshold 2"))
		h.snk.mu.Unlock()
		if err := h.peerBatchSignature(h.keys[1], ds); err != nil {
			t.Fatal(err)
		}
		h.peerAttestations(h.keys[1], locks)
		for _, l := range locks {
			h.waitState(l.ID, relayer.StateMinted)
		}
		if err := h.stop(); err != nil {
			t.Fatal(err)
		}
		if n, _ := h.snk.count(id); n != 1 {
			t.Fatalf("the refused batch was submitted %d times, want 1", n)
		}
		for _, l := range locks {
			if n, m := h.snk.count(l.ID); n != 1 || m != 1 {
				t.Fatalf("%s: %d per-lock submissions, minted %d times; want 1 and 1", l.ID, n, m)
			}
		}
	})
}

// The batch decision survives a restart: the restarted relayer signs no
// second batch over the same locks, and a peer signature arriving after
// the restart still completes the stored batch.
func TestBatchSurvivesARestart(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h, locks := batchHarness(t, open, nil)
		h.run()
		id, ds := h.batchOf(locks)
		if err := h.stop(); err != nil {
			t.Fatal(err)
		}
		var err error
		if h.r, err = relayer.New(h.cfg); err != nil {
			t.Fatal(err)
		}
		h.run()
		if err := h.peerBatchSignature(h.keys[1], ds); err != nil {
			t.Fatal(err)
		}
		h.peerAttestations(h.keys[1], locks)
		for _, l := range locks {
			h.waitState(l.ID, relayer.StateMinted)
		}
		if err := h.stop(); err != nil {
			t.Fatal(err)
		}
		if n := len(h.entriesOfKind(relayer.KindMintBatchSigned)); n != 1 {
			t.Fatalf("%d mint-batch-signed entries over a restart, want 1", n)
		}
		if n, _ := h.snk.count(id); n != 1 {
			t.Fatalf("the batch was submitted %d times, want 1", n)
		}
	})
}

// A batch signature is refused unless it is a member's valid signature
// over the batch digest of the digests it lists, for a chain served here.
func TestBatchSignatureEnvelopeChecks(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h, _ := batchHarness(t, open, nil)
		ds := [][32]byte{{1}, {2}}
		d := chains.BatchDigest(destChain, bridge, ds)
		sign := func(k signer.Signer, h32 [32]byte) []byte {
			s, err := k.Sign(t.Context(), chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: h32[:]})
			if err != nil {
				t.Fatal(err)
			}
			return s.Sig
		}
		outsider, err := signer.Generate(chains.SchemeSecp256k1)
		if err != nil {
			t.Fatal(err)
		}
		payload := func(dest chains.ID, ds [][32]byte, sig []byte) []byte {
			p, err := relayer.MarshalBatchSignature(relayer.BatchSignature{Dest: dest, Digests: ds, Sig: sig})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		good := payload(destChain, ds, sign(h.keys[1], d))
		for _, tc := range []struct {
			name    string
			from    []byte
			payload []byte
			ok      bool
		}{
			{"a member's signature over the digest", h.keys[1].ID(), good, true},
			{"from an outsider", outsider.ID(), payload(destChain, ds, sign(outsider, d)), false},
			{"signed by another member than the sender", h.keys[2].ID(), good, false},
			{"over another batch", h.keys[1].ID(), payload(destChain, [][32]byte{{1}, {3}}, sign(h.keys[1], d)), false},
			{"for a chain not served", h.keys[1].ID(), payload(56, ds, sign(h.keys[1], chains.BatchDigest(56, bridge, ds))), false},
			{"truncated", h.keys[1].ID(), good[:len(good)-1], false},
			{"digests out of order", h.keys[1].ID(), append(append(append([]byte{}, good[:7]...), ds[1][:]...), append(ds[0][:], good[7+64:]...)...), false},
		} {
			err := h.r.HandleEnvelope(t.Context(), relayer.KindMintBatchSignature, tc.from, tc.payload, nil)
			if (err == nil) != tc.ok || (err != nil && fault.KindOf(err) != fault.Invalid) {
				t.Errorf("%s: %v, want ok=%v or an invalid error", tc.name, err, tc.ok)
			}
		}
	})
}
