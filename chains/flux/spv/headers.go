package spv

import (
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// ProcessHeaders validates a headers message and adds its headers to the
// tree. Headers must link to each other (ErrNotContinuous) and the first must
// extend a known header (ErrOrphanHeaders: answer with getheaders from
// Locator). Each new header passes header.CheckContextFree and
// header.CheckContextual on its own branch, and its branch must fork off the
// connected chain within the reorg limit (header.CheckReorgDepth) and not
// below the last checkpoint (header.CheckCheckpointFork). Known headers are
// skipped. advanced reports whether the best header changed.
//
// Errors for a peer's data are *HeaderError values wrapping a
// *header.RuleError or ErrKnownInvalid; headers before the failing one stay
// accepted. When MaxPendingHeaders unconnected headers are held, further
// headers are dropped without error (the driver asks again later).
func (c *Chain) ProcessHeaders(hs []*wire.BlockHeader) (advanced bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return false, err
	}
	t := c.tree
	oldBest := t.best
	defer func() { advanced = t.best != oldBest }()
	now := c.cfg.Now()
	hashes := make([]chainhash.Hash, len(hs))
	for i, h := range hs {
		hashes[i] = h.BlockHash()
		if i > 0 && h.PrevBlock != hashes[i-1] {
			return false, &HeaderError{Hash: hashes[i], Height: -1, Err: fmt.Errorf("%w: header %d does not link to header %d", ErrNotContinuous, i, i-1)}
		}
	}
	for i, h := range hs {
		hash := hashes[i]
		if _, bad := t.invalid[hash]; bad {
			return false, &HeaderError{Hash: hash, Height: -1, Err: ErrKnownInvalid}
		}
		if _, known := t.nodes[hash]; known {
			continue
		}
		parent, ok := t.nodes[h.PrevBlock]
		if !ok {
			return false, c.unknownParent(h, hash)
		}
		height := parent.height + 1
		if _, bad := t.invalid[h.PrevBlock]; bad {
			t.markInvalid(hash)
			return false, &HeaderError{Hash: hash, Height: height, Err: ErrKnownInvalid}
		}
		if err := c.checkFork(parent); err != nil {
			return false, &HeaderError{Hash: hash, Height: height, Err: err}
		}
		if t.pending >= MaxPendingHeaders {
			return false, nil // dropped; asked for again once blocks connect
		}
		if err := header.CheckContextFree(h, c.p); err != nil {
			return false, &HeaderError{Hash: hash, Height: height, Err: err}
		}
		if err := header.CheckContextual(h, height, branchView{parent}, now, c.p); err != nil {
			return false, &HeaderError{Hash: hash, Height: height, Err: err}
		}
		t.addPending(t.newNode(h, hash, height, parent, nil))
	}
	return false, nil
}

// checkFork applies the reorg-depth and checkpoint rules to a branch whose
// newest known header is parent.
func (c *Chain) checkFork(parent *node) error {
	fork := c.tree.forkOf(parent)
	if fork == nil {
		// The branch's base left memory: it forks below the window.
		return header.CheckReorgDepth(c.anchor.AnchorHeight-1, c.tree.tipNode().height, c.p)
	}
	tip := c.tree.tipNode().height
	if err := header.CheckReorgDepth(fork.height, tip, c.p); err != nil {
		return err
	}
	// SECURITY: CheckCheckpointFork measures against the network's last
	// checkpoint, which fluxd does only once its own chain has reached it. A
	// chain still below the last checkpoint (syncing from genesis) must not
	// apply it, or it would refuse every header; CheckContextual's
	// checkpoint-hash rule pins those heights instead.
	if cp, ok := c.p.LastCheckpoint(); ok && tip >= cp.Height {
		return header.CheckCheckpointFork(fork.height, c.p)
	}
	return nil
}

// unknownParent classifies a header whose parent is not in memory: a
// stored main-chain parent means a fork below the window (too deep);
// anything else is an orphan.
func (c *Chain) unknownParent(h *wire.BlockHeader, hash chainhash.Hash) error {
	r, ok, err := c.st.HeaderByHash(h.PrevBlock)
	if err == nil && ok && r.Main {
		if rerr := header.CheckReorgDepth(r.Height, c.tree.tipNode().height, c.p); rerr != nil {
			return &HeaderError{Hash: hash, Height: r.Height + 1, Err: rerr}
		}
	}
	return &HeaderError{Hash: hash, Height: -1, Err: fmt.Errorf("%w: parent %s of %s unknown", ErrOrphanHeaders, h.PrevBlock, hash)}
}

// WantBlocks returns up to max hashes of the next blocks to download along
// the best header chain, in connect order. During a reorganisation the list
// starts after the fork point on the new branch.
func (c *Chain) WantBlocks(max int) []chainhash.Hash {
	return c.AppendWantBlocks(nil, max)
}

// AppendWantBlocks is WantBlocks appending to dst (reusing its memory).
func (c *Chain) AppendWantBlocks(dst []chainhash.Hash, limit int) []chainhash.Hash {
	c.mu.Lock() // bestPath caches
	defer c.mu.Unlock()
	path := c.tree.bestPath()
	for _, n := range path[:min(max(limit, 0), len(path))] {
		dst = append(dst, n.hash)
	}
	return dst
}
