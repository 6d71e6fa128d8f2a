package flux

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxtest"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// The anchor scenario: a simulated network mined to anchorTip blocks, with
// fluxd's view of its fluxnode set taken at anchorHeight.
const (
	anchorHeight = 1200
	anchorTip    = 1500
)

type anchorNet struct {
	net *fluxtest.Network
	// full is the network's whole set after anchorHeight; confirmed is what
	// fluxd's getfluxnodesnapshot prints of it (confirmed nodes only).
	full, confirmed *fluxnode.Snapshot
}

// newAnchorNet mines to anchorHeight, takes the set, mines to anchorTip and
// serves the chain on peers loopback listeners.
func newAnchorNet(t *testing.T, peers int) *anchorNet {
	t.Helper()
	net, err := fluxtest.New(fluxtest.Config{Peers: peers})
	if err != nil {
		t.Fatal(err)
	}
	if err := net.Mine(anchorHeight); err != nil {
		t.Fatal(err)
	}
	full := net.FluxnodeSet()
	confirmed := &fluxnode.Snapshot{Height: full.Height, BlockHash: full.BlockHash}
	for _, e := range full.Entries {
		if e.Status == fluxnode.StatusConfirmed {
			confirmed.Entries = append(confirmed.Entries, e)
		}
	}
	if len(confirmed.Entries) == len(full.Entries) {
		t.Fatalf("the set at %d has no started or DoS entry: the scenario would not exercise the backfill", anchorHeight)
	}
	if err := net.Mine(anchorTip - anchorHeight); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := net.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { net.Close(); cancel() })
	return &anchorNet{net: net, full: full, confirmed: confirmed}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func (a *anchorNet) bootstrapConfig(snap *fluxnode.Snapshot) BootstrapConfig {
	return BootstrapConfig{
		Params:         params.SimNet,
		Snapshot:       snap,
		Peers:          a.net.Addrs(),
		RequestTimeout: 5 * time.Second,
		PeerWait:       10 * time.Second,
		Logger:         quietLogger(),
	}
}

func runBootstrap(t *testing.T, cfg BootstrapConfig) (*spv.Anchor, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return BootstrapAnchor(ctx, cfg)
}

// startNode runs a light node on net's peers from anchor until the test ends.
func startNode(t *testing.T, net *fluxtest.Network, anchor *spv.Anchor) *Node {
	t.Helper()
	node, err := New(Config{
		Params:        params.SimNet,
		DataDir:       t.TempDir(),
		Peers:         net.Addrs(),
		TargetPeers:   len(net.Addrs()),
		Anchor:        anchor,
		BlockTimeout:  2 * time.Second,
		HeaderTimeout: 2 * time.Second,
		Logger:        quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1) // buffered: read once, at cleanup
	go func() { done <- node.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("node.Run: %v", err)
		}
		node.Close()
	})
	return node
}

// waitNodeTip waits until node's tip is net's tip.
func waitNodeTip(t *testing.T, node *Node, net *fluxtest.Network) {
	t.Helper()
	height, hash := net.Tip()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := node.WaitForHeight(ctx, height); err != nil {
		t.Fatalf("node at %d, network at %d: %v", node.ChainState().Tip().Height, height, err)
	}
	for node.ChainState().Tip().Hash != hash {
		select {
		case <-ctx.Done():
			t.Fatalf("node tip %s, network tip %s", node.ChainState().Tip().Hash, hash)
		case <-node.sync.tipChanged():
		}
	}
}

// withAddresses derives the payment addresses entries lack: they are display
// data (derived from the collateral key), not state, and a set rebuilt from
// a snapshot carries them where the snapshot did.
func withAddresses(es []fluxnode.Entry) []fluxnode.Entry {
	out := append([]fluxnode.Entry(nil), es...)
	for i := range out {
		if out[i].PaymentAddress == "" {
			out[i].PaymentAddress = fluxnode.PaymentAddress(params.SimNet, &out[i])
		}
	}
	return out
}

func TestBootstrapAnchorFromConfirmedOnlySnapshotSyncsLikeGenesis(t *testing.T) {
	a := newAnchorNet(t, 3)
	anchor, err := runBootstrap(t, a.bootstrapConfig(a.confirmed))
	if err != nil {
		t.Fatal(err)
	}
	hdrH := a.net.HeaderAt(anchorHeight)
	switch {
	case anchor.Height != anchorHeight || anchor.Hash != hdrH.BlockHash():
		t.Fatalf("anchor %d %s, want %d %s", anchor.Height, anchor.Hash, anchorHeight, hdrH.BlockHash())
	case len(anchor.Headers) != spv.AnchorHeadersNeeded(params.SimNet, anchorHeight):
		t.Fatalf("%d anchor headers, want %d", len(anchor.Headers), spv.AnchorHeadersNeeded(params.SimNet, anchorHeight))
	case anchor.Headers[len(anchor.Headers)-1].BlockHash() != anchor.Hash:
		t.Fatal("anchor headers do not end at the anchor")
	}
	// The backfill rebuilt the entries fluxd's snapshot leaves out.
	if got, want := withAddresses(anchor.Fluxnodes.Entries), withAddresses(a.full.Entries); !reflect.DeepEqual(got, want) {
		t.Fatalf("bootstrapped set (%d entries) differs from the network's at %d (%d entries)", len(got), anchorHeight, len(want))
	}

	anchored := startNode(t, a.net, anchor)
	fromGenesis := startNode(t, a.net, &spv.Anchor{Height: 0, Hash: params.SimNet.GenesisHash, Fluxnodes: a.net.Snapshot()})
	waitNodeTip(t, anchored, a.net)
	waitNodeTip(t, fromGenesis, a.net)
	got := withAddresses(anchored.ChainState().FluxnodeSet())
	want := withAddresses(fromGenesis.ChainState().FluxnodeSet())
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("anchored node's set (%d entries) differs from the genesis node's (%d entries)", len(got), len(want))
	}
	if tipSet := withAddresses(a.net.FluxnodeSet().Entries); !reflect.DeepEqual(got, tipSet) {
		t.Fatalf("anchored node's set (%d entries) differs from the network's (%d entries)", len(got), len(tipSet))
	}
}

// A snapshot that already lists started and DoS entries (as this project's
// Snapshot.MarshalJSON writes them) bootstraps to the same set.
func TestBootstrapAnchorKeepsAWholeSnapshot(t *testing.T) {
	a := newAnchorNet(t, 1)
	anchor, err := runBootstrap(t, a.bootstrapConfig(a.full))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := withAddresses(anchor.Fluxnodes.Entries), withAddresses(a.full.Entries); !reflect.DeepEqual(got, want) {
		t.Fatalf("bootstrapped set (%d entries) differs from the snapshot (%d entries)", len(got), len(want))
	}
}

func TestBootstrapAnchorRefusesASnapshotOfAnotherBlock(t *testing.T) {
	a := newAnchorNet(t, 3)
	snap := *a.confirmed
	snap.BlockHash = a.net.HeaderAt(anchorHeight + 1).BlockHash() // a real block, at another height
	_, err := runBootstrap(t, a.bootstrapConfig(&snap))
	if !errors.Is(err, ErrAnchorMismatch) {
		t.Fatalf("err = %v, want ErrAnchorMismatch", err)
	}
	var be *BootstrapError
	if !errors.As(err, &be) || len(be.Failures) != 3 || !errors.Is(be.Err, ErrNoPeers) {
		t.Fatalf("err = %#v, want three peer failures and ErrNoPeers", err)
	}
	if errors.Is(err, ErrPeerMisbehaving) {
		t.Fatalf("honest peers blamed: %v", err)
	}
}

// checkpointed returns SimNet with a checkpoint at height h of net's chain.
func checkpointed(net *fluxtest.Network, h int32) *params.Params {
	p := *params.SimNet
	p.Checkpoints = append(append([]params.Checkpoint(nil), p.Checkpoints...), params.Checkpoint{Height: h, Hash: net.HeaderAt(h).BlockHash()})
	return &p
}

func TestBootstrapAnchorRefusesHeadersNotLinkingToTheCheckpoint(t *testing.T) {
	a := newAnchorNet(t, 2)
	p := checkpointed(a.net, 300)
	if cp := AnchorCheckpoint(p, anchorHeight); cp.Height != 300 {
		t.Fatalf("anchor checkpoint at %d, want 300", cp.Height)
	}
	// Peer 0 serves another chain from genesis: asked for the headers after
	// the checkpoint, which it does not have, it answers from genesis.
	a.net.Peer(0).SetFault(fluxtest.FaultDifferentChain)

	cfg := a.bootstrapConfig(a.confirmed)
	cfg.Params = p
	cfg.Peers = a.net.Addrs()[:1]
	_, err := runBootstrap(t, cfg)
	if !errors.Is(err, ErrPeerMisbehaving) || !errors.Is(err, ErrNoPeers) {
		t.Fatalf("err = %v, want ErrPeerMisbehaving then ErrNoPeers", err)
	}

	// With an honest peer as well, the bootstrap completes whichever is tried first.
	cfg.Peers = a.net.Addrs()
	anchor, err := runBootstrap(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if anchor.Hash != a.confirmed.BlockHash {
		t.Fatalf("anchor %s, want %s", anchor.Hash, a.confirmed.BlockHash)
	}
}

func TestBootstrapAnchorAtGenesisNeedsNoPeers(t *testing.T) {
	snap := &fluxnode.Snapshot{Height: 0, BlockHash: params.SimNet.GenesisHash}
	anchor, err := BootstrapAnchor(context.Background(), BootstrapConfig{Params: params.SimNet, Snapshot: snap})
	if err != nil || anchor.Height != 0 || anchor.Hash != params.SimNet.GenesisHash || anchor.Fluxnodes != snap {
		t.Fatalf("anchor %+v, err %v", anchor, err)
	}
	snap.BlockHash[0] ^= 1
	if _, err := BootstrapAnchor(context.Background(), BootstrapConfig{Params: params.SimNet, Snapshot: snap}); !errors.Is(err, ErrAnchorMismatch) {
		t.Fatalf("err = %v, want ErrAnchorMismatch", err)
	}
}

func TestAnchorCheckpointIsTheHighestBelowBothWindows(t *testing.T) {
	mainCP := func(h int32) int32 {
		for _, c := range params.MainNet.Checkpoints {
			if c.Height == h {
				return h
			}
		}
		t.Fatalf("mainnet has no checkpoint at %d", h)
		return 0
	}
	for _, c := range []struct {
		name   string
		p      *params.Params
		height int32
		want   int32
	}{
		{"simnet has only genesis", params.SimNet, 5000, 0},
		{"below the backfill window", params.SimNet, 10, 0},
		{"mainnet: exactly the backfill window above a checkpoint", params.MainNet, 2029000 + 720, mainCP(2029000)},
		{"mainnet: one block short of it", params.MainNet, 2029000 + 719, mainCP(2022000)},
		{"mainnet: far above the last checkpoint", params.MainNet, 2_100_000, mainCP(2029000)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := AnchorCheckpoint(c.p, c.height); got.Height != c.want {
				t.Fatalf("AnchorCheckpoint(%d) at %d, want %d", c.height, got.Height, c.want)
			}
		})
	}
}

func TestHasStateIsFalseUntilTheChainIsWritten(t *testing.T) {
	dir := t.TempDir()
	if ok, err := HasState(dir); ok || err != nil {
		t.Fatalf("empty directory: %v %v", ok, err)
	}
	node, err := New(Config{Params: params.SimNet, DataDir: dir, Peers: []string{"127.0.0.1:1"}, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	node.Close()
	if ok, err := HasState(dir); !ok || err != nil {
		t.Fatalf("after New: %v %v", ok, err)
	}
}

// TestHeaderCheckerAppliesEveryRule feeds the simulated chain's headers to
// the checker the bootstrap uses, with one header damaged.
func TestHeaderCheckerAppliesEveryRule(t *testing.T) {
	net, err := fluxtest.New(fluxtest.Config{Peers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := net.Mine(400); err != nil {
		t.Fatal(err)
	}
	at := func(h int32) *wire.BlockHeader { return net.HeaderAt(h) }
	genesis := params.Checkpoint{Height: 0, Hash: params.SimNet.GenesisHash}
	cp300 := params.Checkpoint{Height: 300, Hash: at(300).BlockHash()}
	wrongCP := *params.SimNet
	wrongCP.Checkpoints = append(append([]params.Checkpoint(nil), wrongCP.Checkpoints...), params.Checkpoint{Height: 200, Hash: at(199).BlockHash()})
	for _, c := range []struct {
		name   string
		p      *params.Params
		from   params.Checkpoint
		bad    int32
		damage func(h *wire.BlockHeader)
		want   error
	}{
		{"an undamaged chain passes", params.SimNet, genesis, 0, nil, nil},
		{"hashPrevBlock must be the previous header", params.SimNet, genesis, 100, func(h *wire.BlockHeader) { h.PrevBlock = at(98).BlockHash() }, errNotLinked},
		{"the first header must link to the checkpoint", params.SimNet, cp300, 301, func(h *wire.BlockHeader) { h.PrevBlock = at(299).BlockHash() }, errNotLinked},
		{"context-free: version", params.SimNet, genesis, 100, func(h *wire.BlockHeader) { h.Version = 3 }, header.ErrVersionTooLow},
		{"contextual: PoN retarget", params.SimNet, genesis, 100, func(h *wire.BlockHeader) { h.Bits-- }, header.ErrBadPoNDiffBits},
		{"contextual: time increases", params.SimNet, genesis, 100, func(h *wire.BlockHeader) { h.Time = at(99).Time }, header.ErrTimeNotIncreasing},
		{"contextual from a checkpoint once the window is known", params.SimNet, cp300, 340, func(h *wire.BlockHeader) { h.Time = at(339).Time }, header.ErrTimeNotIncreasing},
		{"built-in checkpoints on the way", &wrongCP, genesis, 0, nil, header.ErrCheckpointMismatch},
	} {
		t.Run(c.name, func(t *testing.T) {
			chk := newHeaderChecker(c.p, c.from, time.Now)
			var err error
			for h := c.from.Height + 1; h <= 400 && err == nil; h++ {
				hdr := at(h)
				if h == c.bad {
					c.damage(hdr)
				}
				_, err = chk.add(hdr)
			}
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}
