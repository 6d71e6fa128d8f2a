package flux

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxtest"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/fault"
)

// harness is a simulated network and a light node connected to all its peers.
type harness struct {
	t    *testing.T
	net  *fluxtest.Network
	node *Node
	stop func()
	done chan error
}

type harnessOpts struct {
	blocks  int
	peers   int
	reserve bool
	// extraPeers are more addresses for the node (another network's peers).
	extraPeers []string
}

func newHarness(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	if o.peers == 0 {
		o.peers = 3
	}
	net, err := fluxtest.New(fluxtest.Config{Peers: o.peers})
	if err != nil {
		t.Fatal(err)
	}
	return newHarnessOn(t, net, o)
}

// newHarnessOn starts net (not yet started) and a node connected to its peers.
func newHarnessOn(t *testing.T, net *fluxtest.Network, o harnessOpts) *harness {
	t.Helper()
	if o.peers == 0 {
		o.peers = len(net.Addrs())
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := net.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if o.blocks > 0 {
		if err := net.Mine(o.blocks); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{
		Params:        params.SimNet,
		DataDir:       t.TempDir(),
		Peers:         append(net.Addrs(), o.extraPeers...),
		TargetPeers:   o.peers + len(o.extraPeers),
		Anchor:        &spv.Anchor{Height: 0, Hash: params.SimNet.GenesisHash, Fluxnodes: net.Snapshot()},
		BlockTimeout:  2 * time.Second,
		HeaderTimeout: 2 * time.Second,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if o.reserve {
		cfg.Reserve = testReserveConfig()
	}
	node, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, net: net, node: node, done: make(chan error, 1)}
	runCtx, stopRun := context.WithCancel(ctx)
	go func() { h.done <- node.Run(runCtx) }()
	h.stop = func() {
		stopRun()
		if err := <-h.done; err != nil {
			t.Errorf("node.Run: %v", err)
		}
		node.Close()
		net.Close()
		cancel()
	}
	t.Cleanup(h.stop)
	return h
}

// waitHealthy waits until the node reports itself healthy.
func (h *harness) waitHealthy(timeout time.Duration) chains.Head {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		head, err := h.node.Head(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		if head.Healthy {
			return head
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("not healthy after %s: %s", timeout, head.Reason)
		}
		time.Sleep(20 * time.Millisecond) // polling with a deadline: health is derived, not signalled
	}
}

// waitTip waits until the node's tip is the simulated network's tip.
func (h *harness) waitTip(timeout time.Duration) {
	h.t.Helper()
	height, hash := h.net.Tip()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := h.node.WaitForHeight(ctx, height); err != nil {
		h.t.Fatalf("node at %d, network at %d: %v", h.node.ChainState().Tip().Height, height, err)
	}
	for h.node.ChainState().Tip().Hash != hash {
		select {
		case <-ctx.Done():
			h.t.Fatalf("node tip %s, network tip %s", h.node.ChainState().Tip().Hash, hash)
		case <-h.node.sync.tipChanged():
		}
	}
}

func TestSyncFollowsTheSimulatedNetwork(t *testing.T) {
	h := newHarness(t, harnessOpts{blocks: 1500})
	h.waitTip(60 * time.Second)
	if err := h.net.Mine(5); err != nil {
		t.Fatal(err)
	}
	h.waitTip(20 * time.Second) // new blocks arrive by announcement
	// Peers' heights move when their announcements arrive, which may trail the
	// block the node got first: health must settle to true.
	head := h.waitHealthy(10 * time.Second)
	if head.Final.Height != head.Tip.Height-uint64(params.SimNet.MaxReorgDepth) {
		t.Fatalf("final %d, tip %d", head.Final.Height, head.Tip.Height)
	}
}

func TestReorgOf39IsFollowedAnd41IsRefused(t *testing.T) {
	h := newHarness(t, harnessOpts{blocks: 200})
	h.waitTip(60 * time.Second)
	if err := h.net.Reorg(39, 40); err != nil {
		t.Fatal(err)
	}
	h.waitTip(30 * time.Second)

	before := h.node.ChainState().Tip()
	if err := h.net.Reorg(41, 43); err != nil {
		t.Fatal(err)
	}
	// The node must stay on its chain: wait until it has seen the new branch's
	// headers (its peers announce them) and refused them.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && len(h.node.peers.Peers()) > 0 {
		time.Sleep(50 * time.Millisecond) // polling a condition with a deadline: no signal exists for "refused"
	}
	if got := h.node.ChainState().Tip(); got.Hash != before.Hash {
		t.Fatalf("the node followed a 41-block reorg: tip %d %s, was %d %s", got.Height, got.Hash, before.Height, before.Hash)
	}
	if n := len(h.node.peers.Peers()); n != 0 {
		t.Fatalf("%d peers serving a 41-deep fork are still connected", n)
	}
}

func TestFaultyPeersAreBannedAndSyncContinues(t *testing.T) {
	for _, fault := range []fluxtest.Fault{fluxtest.FaultForgedHeader, fluxtest.FaultUnknownProducer,
		fluxtest.FaultBadSignature, fluxtest.FaultUnsigned, fluxtest.FaultWrongMerkleRoot} {
		t.Run(fault.String(), func(t *testing.T) {
			h := newHarness(t, harnessOpts{blocks: 50})
			h.waitTip(30 * time.Second)
			h.net.Peer(0).SetFault(fault)
			if err := h.net.Mine(20); err != nil {
				t.Fatal(err)
			}
			h.waitTip(30 * time.Second)
			bad := h.net.Addrs()[0]
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) && !h.node.peers.Banned(bad) {
				time.Sleep(20 * time.Millisecond) // polling with a deadline; bans happen on the sync goroutine
			}
			if !h.node.peers.Banned(bad) {
				t.Fatalf("peer %s serving %s blocks is not banned", bad, fault)
			}
		})
	}
}

func TestBroadcastTxIsMinedAndTrackedToDepth(t *testing.T) {
	h := newHarness(t, harnessOpts{blocks: 120})
	h.waitTip(30 * time.Second)
	spend, err := h.net.BuildPayment(1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, err := h.node.Broadcast(ctx, spend)
	if err != nil {
		t.Fatal(err)
	}
	for !h.net.MempoolTx(id) {
		select {
		case <-ctx.Done():
			t.Fatal("the broadcast never reached the network's mempool")
		case <-time.After(20 * time.Millisecond): // polling the simulated mempool with a deadline
		}
	}
	if st := h.node.TxStatus(id); st.State != TxPending {
		t.Fatalf("before mining: %+v", st)
	}
	if err := h.net.Mine(10); err != nil {
		t.Fatal(err)
	}
	st, err := h.node.WaitForConfirmations(ctx, id, 10)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != TxMined || st.Confirmations != 10 {
		t.Fatalf("%+v", st)
	}
}

func TestLockIsReportedWithAProofOfTheStoredHeader(t *testing.T) {
	h := newHarness(t, harnessOpts{blocks: 120, reserve: true})
	h.waitTip(30 * time.Second)
	lock, err := h.net.Pay(testLockOutputs(t, 2_500_000_000, 1, [20]byte{0xaa}))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.net.Mine(1); err != nil {
		t.Fatal(err)
	}
	h.waitTip(20 * time.Second)
	ctx := context.Background()
	res, err := h.node.Events(ctx, chains.EventsRequest{Confirmations: 1})
	if err != nil {
		t.Fatal(err)
	}
	var found *chains.Event
	for i := range res.Events {
		if res.Events[i].TxID == lock.TxID().String() {
			found = &res.Events[i]
		}
	}
	if found == nil || found.Kind != chains.EventLock || found.Amount != 2_500_000_000 || found.DestChain != 1 {
		t.Fatalf("lock not reported: %+v", res.Events)
	}
	if err := h.node.verifyEvidence(*found); err != nil {
		t.Fatalf("the lock's proof does not verify against the stored header: %v", err)
	}
	again, err := h.node.Reobserve(ctx, found.TxID)
	if err != nil || len(again) != 1 || again[0].ID != found.ID {
		t.Fatalf("reobserve: %v %+v", err, again)
	}
	// At depth 10 it is not reported yet; after 9 more blocks it is.
	deep, _ := h.node.Events(ctx, chains.EventsRequest{Confirmations: 10})
	for _, ev := range deep.Events {
		if ev.ID == found.ID {
			t.Fatal("reported at depth 10 after one block")
		}
	}
	if err := h.net.Mine(9); err != nil {
		t.Fatal(err)
	}
	h.waitTip(20 * time.Second)
	deep, _ = h.node.Events(ctx, chains.EventsRequest{After: deep.Next, Confirmations: 10})
	if len(deep.Events) != 1 || deep.Events[0].ID != found.ID {
		t.Fatalf("at depth 10: %+v", deep.Events)
	}
	if _, err := h.node.Reobserve(ctx, "00"); !errors.Is(err, err) || fault.KindOf(err) != fault.Invalid {
		t.Fatalf("bad txid: %v", err)
	}
}

// Peers that stall, send oversized or malformed messages, or serve another
// chain from genesis cannot stop the sync: it completes from the honest peers,
// and the peers that broke the protocol or consensus are banned.
func TestHostilePeersCannotStopTheSync(t *testing.T) {
	cases := []struct {
		fault     fluxtest.Fault
		wantBan   bool
		blocksNow int
	}{
		{fluxtest.FaultStall, false, 300},
		{fluxtest.FaultOversized, false, 300},
		{fluxtest.FaultMalformed, true, 300},
		{fluxtest.FaultDifferentChain, true, 300},
	}
	for _, c := range cases {
		t.Run(c.fault.String(), func(t *testing.T) {
			net, err := fluxtest.New(fluxtest.Config{Peers: 3})
			if err != nil {
				t.Fatal(err)
			}
			net.Peer(0).SetFault(c.fault) // faulty from the first connection on
			h := newHarnessOn(t, net, harnessOpts{blocks: c.blocksNow})
			h.waitTip(60 * time.Second)
			bad := net.Addrs()[0]
			if c.wantBan {
				// Each new block makes the faulty peer announce it, which is one
				// more damaged message; a few of them must get it banned.
				for i := 0; i < 6 && !h.node.peers.Banned(bad); i++ {
					if err := net.Mine(1); err != nil {
						t.Fatal(err)
					}
					deadline := time.Now().Add(2 * time.Second)
					for time.Now().Before(deadline) && !h.node.peers.Banned(bad) {
						time.Sleep(20 * time.Millisecond) // polling with a deadline; bans happen on peer goroutines
					}
				}
				if !h.node.peers.Banned(bad) {
					t.Fatalf("peer with fault %s is not banned", c.fault)
				}
				h.waitTip(20 * time.Second)
			}
		})
	}
}

// An equivocating peer offers two valid blocks at the same height: the node
// takes one (fluxd's rule: the lower PoN hash) and keeps following the network.
func TestEquivocationIsResolvedByForkChoice(t *testing.T) {
	h := newHarness(t, harnessOpts{blocks: 100})
	h.waitTip(30 * time.Second)
	h.net.Peer(0).SetFault(fluxtest.FaultEquivocate)
	if err := h.net.Mine(3); err != nil {
		t.Fatal(err)
	}
	height, _ := h.net.Tip()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.node.WaitForHeight(ctx, height); err != nil {
		t.Fatal(err)
	}
	// The honest peers keep mining on their tip; the node must end on it.
	h.net.Peer(0).SetFault(fluxtest.FaultNone)
	if err := h.net.Mine(2); err != nil {
		t.Fatal(err)
	}
	h.waitTip(20 * time.Second)
}
