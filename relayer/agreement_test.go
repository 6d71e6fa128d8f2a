package relayer_test

import (
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/relayer"
)

func peerAt(final uint64, finalHash string, tip uint64, tipHash string) relayer.PeerTip {
	return relayer.PeerTip{Final: chains.BlockRef{Height: final, Hash: finalHash}, Tip: chains.BlockRef{Height: tip, Hash: tipHash}}
}

// A lock whose block most peer relayers' light nodes do not hold (a private
// branch fed to this relayer's node) is never signed; once they hold it, it is.
func TestLockMostPeersContradictIsNotSigned(t *testing.T) {
	eachStore(t, func(t *testing.T, open opener) {
		ps := &peers{}
		h := newHarness(t, open, func(c *relayer.Config) { c.Peers = ps })
		ev := lock(6, 20*minLock, 900)
		h.src.events = []chains.Event{ev}
		// Both peers' nodes follow another chain: at their final height 961 our
		// chain has another block.
		ps.set(peerAt(961, "honest-961", 1000, "honest-1000"), peerAt(960, "honest-960", 999, "honest-999"))
		h.run()
		h.waitState(ev.ID, relayer.StateFinal)
		waitFor(t, "the sign step to look at the lock five times", func() bool { return h.src.reobserves(ev.TxID) >= 5 })
		if got := h.transfer(ev.ID); got.State != relayer.StateFinal || h.signedBy(ev.ID) {
			t.Fatalf("a lock the peers contradict was signed: %+v", got)
		}
		// The peers now hold our chain (one of them a block ahead of it, which
		// cannot be compared, so its final block is).
		ps.set(peerAt(961, "ours-961", 1000, "other-1000"), peerAt(962, "ours-962", 1001, "unknown-1001"))
		h.waitState(ev.ID, relayer.StateAttested)
	})
}

// waitFor polls cond (in real time, bounded) until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling a pipeline that runs on its own tick
	}
}
