package flux

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxtest"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
)

// pollHead calls f with the node's head every few milliseconds until f
// returns true or timeout passes; it returns the last head and whether f
// returned true.
func (h *harness) pollHead(timeout time.Duration, f func(chains.Head) bool) (chains.Head, bool) {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		head, err := h.node.Head(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		if f(head) {
			return head, true
		}
		if time.Now().After(deadline) {
			return head, false
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline: health is derived, not signalled
	}
}

// A registered producer feeds one light node, through one peer, a private
// branch with a lock to the reserve until the lock is 45 blocks deep, then
// disconnects; the three honest peers stay on the honest chain. The node
// follows the branch (it is valid and longer) but must never call itself
// healthy on it, so a relayer never signs the lock.
func TestPrivateBranchIsNeverHealthy(t *testing.T) {
	const fork, honestAfter, private = 120, 5, 45
	// The producer's network repeats the honest network's history up to the
	// fork (fluxtest is deterministic), so its peer serves the same blocks,
	// by the same fluxnodes, and then its own branch.
	priv, err := fluxtest.New(fluxtest.Config{Peers: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := priv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer priv.Close()
	if err := priv.Mine(fork); err != nil {
		t.Fatal(err)
	}
	honest, err := fluxtest.New(fluxtest.Config{Peers: 3})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessOn(t, honest, harnessOpts{blocks: fork, reserve: true, extraPeers: priv.Addrs()})
	if _, a := honest.Tip(); a != priv.HeaderAt(fork).BlockHash() {
		t.Fatal("the producer's network does not repeat the honest history")
	}
	h.waitTip(30 * time.Second)
	h.waitHealthy(10 * time.Second)

	// The honest network moves on; the node follows it with 3 of 4 peers.
	if err := honest.Mine(honestAfter); err != nil {
		t.Fatal(err)
	}
	h.waitTip(20 * time.Second)
	h.waitHealthy(10 * time.Second)

	// The producer mines its branch from the fork, a lock in its first block.
	lock, err := priv.Pay(testLockOutputs(t, 5_000_000_000, 1, [20]byte{0xee}))
	if err != nil {
		t.Fatal(err)
	}
	if err := priv.Mine(private); err != nil {
		t.Fatal(err)
	}
	privTipHeight, privTip := priv.Tip()
	onPrivate := func(head chains.Head) bool {
		height := int32(head.Tip.Height)
		return height > fork && height <= privTipHeight && priv.HeaderAt(height).BlockHash().String() == head.Tip.Hash
	}
	checkNeverHealthy := func(head chains.Head) {
		t.Helper()
		if head.Healthy && onPrivate(head) {
			t.Fatalf("healthy on the private branch at %d %s", head.Tip.Height, head.Tip.Hash)
		}
	}
	head, ok := h.pollHead(30*time.Second, func(head chains.Head) bool {
		checkNeverHealthy(head)
		return head.Tip.Hash == privTip.String()
	})
	if !ok {
		t.Fatalf("the node did not follow the private branch: tip %d %s (%s)", head.Tip.Height, head.Tip.Hash, head.Reason)
	}
	t.Logf("on the private tip with the producer connected: %s", head.Reason)

	// The lock is final on the node's chain: only health stands between it
	// and a signature.
	res, err := h.node.Events(context.Background(), chains.EventsRequest{Confirmations: 40})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range res.Events {
		found = found || (ev.Kind == chains.EventLock && ev.TxID == lock.TxID().String())
	}
	if !found {
		t.Fatalf("the private lock is not reported at depth 40: %+v", res.Events)
	}

	// The producer disconnects. The honest peers stay; the node stays on the
	// branch (the honest one is shorter and forks too deep to reorg to), and
	// must stay unhealthy: past the request window for claims, and past the
	// peer manager's redial attempts.
	priv.Close()
	head, _ = h.pollHead(3*time.Second, func(head chains.Head) bool {
		checkNeverHealthy(head)
		return len(h.node.peers.Peers()) == 3
	})
	if n := len(h.node.peers.Peers()); n != 3 {
		t.Fatalf("%d peers connected after the producer left, want the 3 honest ones", n)
	}
	head, _ = h.pollHead(2*h.node.cfg.HeaderTimeout, func(head chains.Head) bool {
		checkNeverHealthy(head)
		return false
	})
	if !onPrivate(head) {
		t.Fatalf("the node left the private branch: tip %d %s", head.Tip.Height, head.Tip.Hash)
	}
	if !strings.Contains(head.Reason, "ahead of the peers") {
		t.Fatalf("reason %q, want it to say the node is ahead of its peers", head.Reason)
	}
	t.Logf("after the producer left: %s", head.Reason)
}

// A peer whose version message claims height 2^31-1 and that never answers
// getheaders holds health back only for the header request window: the node
// is healthy again within it, with the peer still connected (its claim is
// ignored, not merely ended by a ban).
func TestAbsurdClaimedHeightIsIgnoredAfterTheRequestWindow(t *testing.T) {
	net, err := fluxtest.New(fluxtest.Config{Peers: 4})
	if err != nil {
		t.Fatal(err)
	}
	net.Peer(0).SetFault(fluxtest.FaultAbsurdHeight)
	h := newHarnessOn(t, net, harnessOpts{blocks: 50})
	window := h.node.cfg.HeaderTimeout
	head := h.waitHealthy(window + 3*time.Second)
	if head.Tip.Height != 50 {
		t.Fatalf("healthy at %d, want 50", head.Tip.Height)
	}
	liar := net.Addrs()[0]
	connected := false
	for _, p := range h.node.peers.Peers() {
		connected = connected || p.Addr() == liar
	}
	if !connected || h.node.peers.Banned(liar) {
		t.Fatalf("healthy only because the claiming peer is gone (connected %v)", connected)
	}
	// The sync driver drops the claim too once the peer has sat on a
	// getheaders for the window, so the progress goal is the real tip.
	deadline := time.Now().Add(window + time.Second)
	for h.node.Progress().BestPeerHeight != 50 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling with a deadline: the claim is dropped on the sync loop's tick
	}
	if p := h.node.Progress(); p.BestPeerHeight != 50 {
		t.Fatalf("best peer height %d after the request window, want 50", p.BestPeerHeight)
	}
}

// After a burst of 40 blocks, peers that announce it late, by inv (as a node
// without BIP 130 does, or one announcing a burst), refresh their tips from
// those announcements although the node already holds the blocks: it is
// healthy promptly after syncing, without another block being mined.
func TestHealthyPromptlyAfterABurstAnnouncedLateByInv(t *testing.T) {
	net, err := fluxtest.New(fluxtest.Config{Peers: 3, AnnounceWithInv: true})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessOn(t, net, harnessOpts{blocks: 100})
	h.waitTip(30 * time.Second)
	h.waitHealthy(10 * time.Second)
	// Peers 1 and 2 sit out the burst; the node syncs it from peer 0.
	net.Peer(1).SetFault(fluxtest.FaultStall)
	net.Peer(2).SetFault(fluxtest.FaultStall)
	if err := net.Mine(40); err != nil {
		t.Fatal(err)
	}
	h.waitTip(30 * time.Second)
	// They come back and announce the tip the node already holds.
	net.Peer(1).SetFault(fluxtest.FaultNone)
	net.Peer(2).SetFault(fluxtest.FaultNone)
	if head, ok := h.pollHead(2*time.Second, func(head chains.Head) bool { return head.Healthy }); !ok {
		t.Fatalf("not healthy 2 s after the late announcements of a burst: %s", head.Reason)
	}
}

// A node restarted while the network mines nothing is healthy again without
// a new block: every peer is asked for headers from just below our tip when
// it connects, so one level with us shows our tip although it has nothing
// new to announce.
func TestHealthyAfterARestartWithoutNewBlocks(t *testing.T) {
	net, err := fluxtest.New(fluxtest.Config{Peers: 3})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := net.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	if err := net.Mine(60); err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Params:        params.SimNet,
		DataDir:       t.TempDir(),
		Peers:         net.Addrs(),
		TargetPeers:   3,
		Anchor:        &spv.Anchor{Height: 0, Hash: params.SimNet.GenesisHash, Fluxnodes: net.Snapshot()},
		BlockTimeout:  2 * time.Second,
		HeaderTimeout: 2 * time.Second,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for run := range 2 {
		node, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- node.Run(runCtx) }()
		h := &harness{t: t, net: net, node: node}
		h.waitTip(30 * time.Second)
		// Within HeaderTimeout: the answers to the probes sent on connecting,
		// not the periodic probe of lagging peers, make it healthy.
		head := h.waitHealthy(cfg.HeaderTimeout)
		stop()
		if err := <-done; err != nil {
			t.Errorf("run %d: node.Run: %v", run, err)
		}
		if err := node.Close(); err != nil {
			t.Fatal(err)
		}
		if head.Tip.Height != 60 {
			t.Fatalf("run %d: healthy at %d, want 60", run, head.Tip.Height)
		}
	}
}
