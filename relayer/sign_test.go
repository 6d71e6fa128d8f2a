package relayer_test

import (
	"context"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// lyingSink builds mints whose digest is not the MintAuth digest.
type lyingSink struct{ *sink }

func (s lyingSink) Build(ctx context.Context, req chains.BuildRequest) (chains.Submission, error) {
	sub, err := s.sink.Build(ctx, req)
	if err == nil {
		sub.Digests[0].Hash = append([]byte(nil), sub.Digests[0].Hash...)
		sub.Digests[0].Hash[0] ^= 1
	}
	return sub, err
}

// A lock is signed only when everything the signing rules ask for holds;
// each case breaks one and the lock must stay unsigned while the sign step
// looks at it again and again. A control lock that breaks nothing shows the
// step did run.
func TestNothingIsSignedWhenARuleFails(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		cases := []struct {
			name  string
			setup func(h *harness, ev chains.Event) chains.Event // returns the event the source reports at signing time
			// refusing: the whole step refuses; all: the rule fails for every
			// lock (no control lock is signed either).
			refusing relayer.RefusalCause
			all      bool
		}{
			{"the sink lies about the digest", func(h *harness, ev chains.Event) chains.Event {
				h.cfg.Destinations[0].Sink = lyingSink{h.snk}
				return ev
			}, relayer.RefusalNone, true},
			{"the lock is at depth 39", func(h *harness, ev chains.Event) chains.Event {
				ev.Block.Height = h.src.head.Tip.Height - 38
				return ev
			}, relayer.RefusalNone, false},
			{"the lock moved to another block", func(h *harness, ev chains.Event) chains.Event {
				ev.Block.Hash = "another-900"
				return ev
			}, relayer.RefusalNone, false},
			{"the light node reports another amount", func(h *harness, ev chains.Event) chains.Event {
				ev.Amount++
				return ev
			}, relayer.RefusalNone, false},
			{"the light node is unhealthy", func(h *harness, ev chains.Event) chains.Event {
				h.src.head.Healthy, h.src.head.Reason = false, "peers disagree on the tip"
				return ev
			}, relayer.RefusalUnhealthy, true},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var h *harness
				ev := lock(byte(20+i), 20*minLock, 900)
				control := lock(byte(40+i), 20*minLock, 900)
				h = newHarness(t, open, nil)
				stored := h.final(ev)
				h.final(control)
				h.src.events = []chains.Event{c.setup(h, ev), control}
				var err error
				if h.r, err = relayer.New(h.cfg); err != nil { // with what setup changed
					t.Fatal(err)
				}
				h.run()
				switch {
				case c.refusing != relayer.RefusalNone:
					waitFor(t, "the refusal, journaled", func() bool {
						return h.r.Refusing().Cause == c.refusing && len(h.entriesOfKind(relayer.KindSigningRefused)) > 0
					})
					seen := h.src.headCalls()
					waitFor(t, "the sign step to refuse again", func() bool { return h.src.headCalls() >= seen+10 })
					if n := len(h.entriesOfKind(relayer.KindSigningRefused)); n != 1 {
						t.Fatalf("%d signing-refused entries for one reason, want 1", n)
					}
				case c.all:
					waitFor(t, "the sign step to look again", func() bool { return h.src.reobserves(control.TxID) >= 3 })
				default:
					h.waitState(control.ID, relayer.StateAttested)
					waitFor(t, "the sign step to look again", func() bool { return h.src.reobserves(ev.TxID) >= 3 })
				}
				for _, id := range []string{stored.ID, control.ID} {
					if id == control.ID && !c.all {
						continue
					}
					if got := h.transfer(id); got.State != relayer.StateFinal || h.signedBy(id) {
						t.Fatalf("signed although %s: %+v", c.name, got)
					}
				}
			})
		}
	})
}

// A member flooding attestations for transfers this relayer never saw
// cannot grow its memory without bound: the inbox refuses what does not fit
// (the sender's rebroadcast brings it again) and counts it, and the
// pipeline goes on minting.
func TestAttestationFloodIsBounded(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		h := newHarness(t, open, nil)
		real := h.inQuorum(lock(60, 20*minLock, 900), h.clk.Now())
		peer := h.keys[1]
		var refused int
		for i := range 10_000 {
			m := chains.Mint{Lock: chains.LockRef{TxID: [32]byte{0xf1, byte(i >> 8), byte(i)}, Vout: 0}, Amount: 20 * minLock, Recipient: [32]byte{31: 1}}
			d := chains.MintAuthDigest(destChain, bridge, m)
			sig, err := peer.Sign(t.Context(), chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: d[:]})
			if err != nil {
				t.Fatal(err)
			}
			payload, err := relayer.MarshalAttestation(relayer.Attestation{Dest: destChain, Mint: m, Digest: d[:], Sig: sig.Sig})
			if err != nil {
				t.Fatal(err)
			}
			if err := h.r.HandleEnvelope(t.Context(), relayer.KindMintAttestation, peer.ID(), payload, payload); err != nil {
				if fault.KindOf(err) != fault.Transient {
					t.Fatalf("attestation %d refused with %v, want a transient inbox-full", i, err)
				}
				refused++
			}
		}
		if refused == 0 || h.r.Drops()["inbox-full"] != uint64(refused) {
			t.Fatalf("%d refused, %d counted as inbox-full: the inbox is not bounded", refused, h.r.Drops()["inbox-full"])
		}
		h.run()
		h.waitState(real.ID, relayer.StateMinted)
	})
}
