package flux

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
)

// ReadSnapshot reads a getfluxnodesnapshot file; an empty path is no
// snapshot. A snapshot at height 0 must name p's genesis block.
func ReadSnapshot(path string, p *params.Params) (*fluxnode.Snapshot, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	snap, err := fluxnode.ParseSnapshot(data)
	if err != nil {
		return nil, err
	}
	if snap.Height == 0 && snap.BlockHash != p.GenesisHash {
		return nil, fmt.Errorf("snapshot block %s is not %s's genesis block %s", snap.BlockHash, p.Name, p.GenesisHash)
	}
	return snap, nil
}

// AnchorSource is what loadAnchor needs to build an anchor above genesis.
type AnchorSource struct {
	Params  *params.Params
	Peers   []string // none: the network's DNS seeds
	DataDir string
	Logger  *slog.Logger
}

// LoadAnchor turns the operator's snapshot into the node's anchor. A
// snapshot at height 0 anchors at the network's genesis block. Above
// genesis, on an empty data directory, flux.BootstrapAnchor fetches and
// verifies the headers from a built-in checkpoint to the snapshot's block
// and replays the blocks the snapshot's fluxnode set needs, from the same
// peers the node will use; on a data directory that holds a chain, the
// anchor only names the block, which must be the stored anchor.
func LoadAnchor(ctx context.Context, snap *fluxnode.Snapshot, src AnchorSource) (*spv.Anchor, error) {
	p := src.Params
	switch {
	case snap == nil:
		return nil, nil
	case snap.Height == 0: // readSnapshot checked the genesis hash
		return &spv.Anchor{Height: 0, Hash: p.GenesisHash, Headers: nil, Fluxnodes: snap}, nil
	}
	has, err := HasState(src.DataDir)
	if err != nil {
		return nil, err
	}
	if has {
		src.Logger.Info("data directory holds a chain; the snapshot only names its anchor", "height", snap.Height, "hash", snap.BlockHash)
		return &spv.Anchor{Height: snap.Height, Hash: snap.BlockHash}, nil
	}
	return BootstrapAnchor(ctx, BootstrapConfig{
		Params:      p,
		Snapshot:    snap,
		Peers:       src.Peers,
		UseDNSSeeds: len(src.Peers) == 0,
		Logger:      src.Logger,
	})
}
