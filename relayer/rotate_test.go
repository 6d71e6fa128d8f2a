package relayer_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/signer"
)

// nextSet is a next signer set of the harness's first two keys and a new
// one, k of 3, active from FLUX height 900 (the harness's final height is
// 961), without releases.
func nextSet(t *testing.T, h *harness, k int) (*relayer.NextSet, signer.Signer) {
	t.Helper()
	fresh, err := signer.Generate(chains.SchemeSecp256k1)
	if err != nil {
		t.Fatal(err)
	}
	return &relayer.NextSet{Activation: 900, Members: [][]byte{h.keys[0].ID(), h.keys[1].ID(), fresh.ID()}, Threshold: k}, fresh
}

// runWithNext creates the harness's relayer anew over the same store with
// next as its next signer set, and runs it.
func (h *harness) runWithNext(next *relayer.NextSet) {
	h.t.Helper()
	h.cfg.Next = next
	r, err := relayer.New(h.cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.r = r
	h.run()
}

// rotationOf is the rotation the relayer makes to next.
func rotationOf(next *relayer.NextSet) chains.Rotation {
	signers := slices.Clone(next.Members)
	slices.SortFunc(signers, bytes.Compare)
	return chains.Rotation{SetID: 2, Signers: signers, Threshold: next.Threshold}
}

// At the activation a current member signs its bridge's rotation once,
// journals it before it leaves, submits once it holds k signatures, and
// records the bridge's new set; a restart keeps that.
func TestRotationSignedSubmittedAndRecorded(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h := newHarness(t, open, func(c *relayer.Config) { c.FailoverAfter = time.Millisecond })
		next, _ := nextSet(t, h, 2)
		h.runWithNext(next)
		waitFor(t, "the rotation signed", func() bool { return len(h.entriesOfKind(relayer.KindRotationSigned)) == 1 })
		waitFor(t, "the signature sent", func() bool { return h.out.count(relayer.KindRotateSignature) > 0 })
		if submits, _ := h.snk.count(chains.RotationID(2)); submits != 0 {
			t.Fatalf("submitted with one signature of k = 2")
		}
		// A peer of the current set signs: k signatures, and this relayer submits.
		d := chains.RotateDigest(destChain, bridge, rotationOf(next))
		sig, err := h.keys[1].Sign(t.Context(), chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: d[:]})
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(relayer.RotateSignature{Chain: destChain, SetID: 2, Sig: sig.Sig})
		if err := h.r.HandleEnvelope(t.Context(), relayer.KindRotateSignature, h.keys[1].ID(), payload, nil); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the rotation recorded", func() bool { return len(h.entriesOfKind(relayer.KindSignersRotated)) == 1 })
		if submits, _ := h.snk.count(chains.RotationID(2)); submits != 1 {
			t.Fatalf("%d submissions of the rotation, want 1", submits)
		}
		var id uint32
		if err := h.db.View(t.Context(), func(tx relayer.Tx) (err error) {
			id, _, err = relayer.RotatedSet(tx, destChain)
			return err
		}); err != nil || id != 2 {
			t.Fatalf("RotatedSet = %d, %v; want 2", id, err)
		}
		if err := h.stop(); err != nil {
			t.Fatal(err)
		}
		// Restarted: the rotation is done; nothing is signed or sent again.
		sent := h.out.count(relayer.KindRotateSignature)
		h.runWithNext(next)
		h.clk.Advance(time.Minute)
		time.Sleep(50 * time.Millisecond)
		if n := len(h.entriesOfKind(relayer.KindRotationSigned)); n != 1 || h.out.count(relayer.KindRotateSignature) != sent {
			t.Fatalf("after a restart: %d rotation-signed entries, %d signatures sent (before %d)", n, h.out.count(relayer.KindRotateSignature), sent)
		}
	})
}

// SECURITY: a relayer that signed a rotation to set 2 never signs another
// set under id 2, even restarted with another [signers.next].
func TestRotationNeverTwoSetsUnderOneID(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h := newHarness(t, open, nil)
		first, _ := nextSet(t, h, 2)
		h.runWithNext(first)
		waitFor(t, "the rotation signed", func() bool { return len(h.entriesOfKind(relayer.KindRotationSigned)) == 1 })
		if err := h.stop(); err != nil {
			t.Fatal(err)
		}
		second, _ := nextSet(t, h, 3) // the same id, another set
		sent := h.out.count(relayer.KindRotateSignature)
		h.runWithNext(second)
		h.clk.Advance(time.Minute)
		time.Sleep(100 * time.Millisecond)
		if n := len(h.entriesOfKind(relayer.KindRotationSigned)); n != 1 {
			t.Fatalf("%d rotation-signed entries, want the first only", n)
		}
		if got := h.out.count(relayer.KindRotateSignature); got != sent {
			t.Fatalf("%d more rotation signatures sent after the restart with another set", got-sent)
		}
	})
}

// An unhealthy relayer signs and sends no rotation, but records one its
// bridge shows: that is an observation, not a signature.
func TestUnhealthyRelayerRecordsARotationButSignsNone(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h := newHarness(t, open, nil)
		h.src.mu.Lock()
		h.src.head.Healthy = false
		h.src.mu.Unlock()
		next, _ := nextSet(t, h, 2)
		h.runWithNext(next)
		time.Sleep(50 * time.Millisecond)
		if n := len(h.entriesOfKind(relayer.KindRotationSigned)); n != 0 || h.out.count(relayer.KindRotateSignature) != 0 {
			t.Fatalf("unhealthy: %d rotation-signed entries, %d signatures sent", n, h.out.count(relayer.KindRotateSignature))
		}
		h.snk.mu.Lock()
		h.snk.minted[chains.RotationID(2)] = 1 // another member's rotation is final on the bridge
		h.snk.mu.Unlock()
		waitFor(t, "the rotation recorded", func() bool { return len(h.entriesOfKind(relayer.KindSignersRotated)) == 1 })
		if n := len(h.entriesOfKind(relayer.KindRotationSigned)); n != 0 {
			t.Fatalf("%d rotation-signed entries from an unhealthy relayer", n)
		}
	})
}
