package spv

import (
	"errors"
	"runtime"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// Limits of the in-memory state.
const (
	// WindowSize is how many main-chain headers below and at the tip stay in
	// memory: more than the deepest context a header rule needs (LWMA's 60
	// blocks, the 30-block PoN retarget, the 11-block median time) below a
	// fork at the reorg limit (40).
	WindowSize = 200
	// MaxPendingHeaders bounds the validated headers that are not connected
	// (ahead of the tip or on side branches). Headers beyond it are dropped
	// without error and fetched again later; the driver keeps its lead far
	// below this.
	MaxPendingHeaders = 4000
	// MaxBatchBlocks bounds one ProcessBlocks call.
	MaxBatchBlocks = 2000
	// UndoKeepExtra is how many blocks beyond the reorg limit keep their undo
	// data.
	UndoKeepExtra = 10
	// DefaultEventLimit is the event limit when the caller gives none.
	DefaultEventLimit = 1000
	// maxInvalid bounds the remembered invalid block hashes.
	maxInvalid = 10000
)

// Config configures a Chain.
type Config struct {
	// Params is the network. Required.
	Params *params.Params
	// Store persists the chain. Required; the Chain does not close it.
	Store Store
	// Anchor is where the chain starts. It is used only when Store is empty;
	// nil means the network's genesis block with an empty fluxnode set. On a
	// non-empty store, a non-nil Anchor must name the stored anchor.
	Anchor *Anchor
	// Scanner scans blocks for bridge events; nil disables bridge scanning.
	Scanner *reserve.Scanner
	// Now is the clock for the header time rule; nil means time.Now.
	Now func() time.Time
	// Workers is how many goroutines verify block signatures in parallel;
	// 0 means runtime.NumCPU().
	Workers int
}

// Anchor is the trust anchor: a block the operator trusts, the headers that
// end at it and the fluxnode set after it.
type Anchor struct {
	// Height and Hash name the anchor block.
	Height int32
	Hash   chainhash.Hash
	// Headers end at Hash, oldest first, and hold at least the difficulty
	// window the next headers need (AnchorHeadersNeeded). For the genesis
	// block (Height 0) they may be empty.
	Headers []*wire.BlockHeader
	// Fluxnodes is the fluxnode set after the anchor block, at Height and
	// Hash. It may be nil only at genesis (an empty set).
	Fluxnodes *fluxnode.Snapshot
}

// AnchorHeadersNeeded returns how many headers ending at an anchor at height
// the next headers' contextual rules need: the PoN retarget window where the
// next block is PoN, otherwise LWMA's window and the median time span; never
// more than height+1.
func AnchorHeadersNeeded(p *params.Params, height int32) int {
	need := int(p.PoNDifficultyWindow)
	if !p.IsPoNActive(height + 1) {
		need = max(int(p.LWMAAveragingWindow)+1, int(p.DigishieldAveragingWindow)+11, 11)
	}
	return min(need, int(height)+1)
}

func (c *Config) check() error {
	if c.Params == nil {
		return errors.New("spv: Config.Params is required")
	}
	if c.Store == nil {
		return errors.New("spv: Config.Store is required")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Workers <= 0 {
		c.Workers = runtime.NumCPU()
	}
	return nil
}
