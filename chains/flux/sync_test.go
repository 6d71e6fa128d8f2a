package flux

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/fluxtest"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/store"
)

// failingStore is the node's real store whose Commits fail.
type failingStore struct{ *store.DB }

func (failingStore) Commit(*spv.Batch) error { return errors.New("injected: disk full") }

// The sync loop writes batches in the background while it downloads the next
// ones; a write that fails must still stop the node with the store's error,
// also when it is the last batch (no later write reports it), and the tip
// must stay where the store is.
func TestFailedWriteStopsTheSync(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	net, err := fluxtest.New(fluxtest.Config{Peers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := net.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	if err := net.Mine(1); err != nil {
		t.Fatal(err)
	}
	anchor := &spv.Anchor{Height: 0, Hash: params.SimNet.GenesisHash, Fluxnodes: net.Snapshot()}
	n, err := New(Config{
		Params:        params.SimNet,
		DataDir:       t.TempDir(),
		Peers:         net.Addrs(),
		TargetPeers:   1,
		Anchor:        anchor,
		BlockTimeout:  2 * time.Second,
		HeaderTimeout: 2 * time.Second,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	// The same database under a chain whose every write fails.
	chain, err := spv.Open(spv.Config{Params: params.SimNet, Store: failingStore{n.db}, Anchor: anchor})
	if err != nil {
		t.Fatal(err)
	}
	n.chain.Close()
	n.chain = chain

	runCtx, stop := context.WithTimeout(ctx, 20*time.Second)
	defer stop()
	err = n.Run(runCtx)
	if !errors.Is(err, spv.ErrStoreFailed) || runCtx.Err() != nil {
		t.Fatalf("Run: %v (context %v), want the failed write's ErrStoreFailed", err, runCtx.Err())
	}
	if tip := chain.Tip(); tip.Height != 0 {
		t.Fatalf("tip %d after the first write failed, want 0", tip.Height)
	}
	if st, _, err := n.db.State(); err != nil || st.TipHeight != 0 {
		t.Fatalf("stored tip %d (%v), want 0", st.TipHeight, err)
	}
	waitCtx, done := context.WithTimeout(ctx, 10*time.Millisecond)
	defer done()
	if err := n.WaitForHeight(waitCtx, 1); err == nil {
		t.Fatal("WaitForHeight reports a height whose write failed")
	}
}
