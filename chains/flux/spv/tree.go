package spv

import (
	"math/big"
	"sort"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// node is one header in memory.
type node struct {
	hash    chainhash.Hash
	hdr     *wire.BlockHeader
	height  int32
	work    *big.Int
	parent  *node // nil below the window
	ponHash chainhash.Hash
	seq     uint64 // arrival order: the first seen wins fork-choice ties
	// connected is true while the node is on the connected main chain.
	connected bool
	// fork caches forkOf(n) for tree generation forkGen (see tree.forkOf).
	fork    *node
	forkGen uint64
}

func (n *node) tip() header.Tip {
	return header.Tip{Height: n.height, Work: n.work, PoN: n.hdr.IsPoN(), PoNHash: n.ponHash}
}

func (n *node) info() header.Info {
	return header.Info{Height: n.height, Time: n.hdr.Time, Bits: n.hdr.Bits, Hash: n.hash, Version: n.hdr.Version}
}

// branchView is the header.Chain of the branch ending at a node: Info walks
// parent pointers, at most the rule's look-back (≤ 61 steps).
type branchView struct{ tip *node }

func (v branchView) Info(height int32) (header.Info, bool) {
	n := v.tip
	for n != nil && n.height > height {
		n = n.parent
	}
	if n == nil || n.height != height {
		return header.Info{}, false
	}
	return n.info(), true
}

// tree is the in-memory header index: the main-chain window, the headers
// ahead of the tip and the side branches. It is not safe for concurrent use.
type tree struct {
	p     *params.Params
	nodes map[chainhash.Hash]*node
	// main is the connected chain window, main[i].height == main[0].height+i;
	// the last entry is the tip.
	main    []*node
	best    *node
	seq     uint64
	pending int // nodes that are not connected

	// invalid remembers blocks found invalid (and their descendants), FIFO-bounded.
	invalid      map[chainhash.Hash]struct{}
	invalidOrder []chainhash.Hash

	path      []*node // cached bestPath; nil when dirty
	pathValid bool

	// gen counts changes of the connected chain (a node connected or
	// disconnected); a node's cached fork point is valid for one generation.
	gen uint64
}

func newTree(p *params.Params) *tree {
	return &tree{p: p, nodes: make(map[chainhash.Hash]*node), invalid: make(map[chainhash.Hash]struct{})}
}

func (t *tree) tipNode() *node { return t.main[len(t.main)-1] }

// newNode builds a node for hdr on parent (nil for the first window header,
// whose work is then base + its own).
func (t *tree) newNode(hdr *wire.BlockHeader, hash chainhash.Hash, height int32, parent *node, work *big.Int) *node {
	t.seq++
	n := &node{hash: hash, hdr: hdr, height: height, parent: parent, seq: t.seq, work: work}
	if n.work == nil {
		n.work = new(big.Int)
		if parent != nil {
			n.work.Set(parent.work)
		}
		n.work.Add(n.work, header.BlockWork(hdr.Version, hdr.Bits))
	}
	if hdr.IsPoN() {
		n.ponHash = header.HeaderPoNHash(hdr, t.p)
	}
	return n
}

// addPending inserts a validated, unconnected node.
func (t *tree) addPending(n *node) {
	t.nodes[n.hash] = n
	t.pending++
	if header.Better(n.tip(), t.best.tip()) {
		// A child of the best header extends the cached path by one node.
		if t.pathValid && n.parent == t.best {
			t.path = append(t.path, n)
		} else {
			t.pathValid = false
		}
		t.best = n
	}
}

// pushMain appends a connected node to the window (loading and restarts).
func (t *tree) pushMain(n *node) {
	t.gen++
	n.connected, n.fork = true, nil
	t.nodes[n.hash] = n
	t.main = append(t.main, n)
}

// forkOf returns the connected ancestor of n (n itself if connected), or nil
// when n's ancestry leaves memory first.
//
// The answer is cached in every node the walk passes, for the current
// generation: it changes only when a node is connected or disconnected (gen
// moves) or a parent pointer changes (only a connected node's, which no walk
// follows). So a header extending a branch costs O(1): its parent's answer is
// cached. After the chain moves, the first query on a branch walks it once.
func (t *tree) forkOf(n *node) *node {
	x := n
	for x != nil && !x.connected && x.forkGen != t.gen {
		x = x.parent
	}
	var f *node
	switch {
	case x == nil:
	case x.connected:
		f = x
	default:
		f = x.fork // cached in this generation
	}
	for y := n; y != x; y = y.parent {
		y.fork, y.forkGen = f, t.gen
	}
	return f
}

// mainAt returns the window's connected node at height, or nil.
func (t *tree) mainAt(height int32) *node {
	if len(t.main) == 0 {
		return nil
	}
	i := int(height) - int(t.main[0].height)
	if i < 0 || i >= len(t.main) {
		return nil
	}
	return t.main[i]
}

// bestPath returns the unconnected nodes from the fork point with the main
// chain up to the best header, in order. It is cached until the tree changes.
func (t *tree) bestPath() []*node {
	if t.pathValid {
		return t.path
	}
	var rev []*node
	for n := t.best; n != nil && !n.connected; n = n.parent {
		rev = append(rev, n)
	}
	// Room to grow: addPending appends the headers that extend the best one.
	path := make([]*node, len(rev), len(rev)+MaxPendingHeaders/4)
	for i, n := range rev {
		path[len(rev)-1-i] = n
	}
	t.path, t.pathValid = path, true
	return path
}

// connect marks n (a child of the tip) connected.
func (t *tree) connect(n *node) {
	t.gen++
	// A connected node needs no cached fork point; keeping one would chain
	// every node to an older one and hold them all past the window.
	n.connected, n.fork = true, nil
	t.main = append(t.main, n)
	t.pending--
	// Connecting the first node of the best path shortens it by one.
	if t.pathValid && len(t.path) > 0 && t.path[0] == n {
		t.path = t.path[1:]
	} else {
		t.pathValid = false
	}
}

// disconnectTip marks the tip unconnected; it stays as a side-branch header.
func (t *tree) disconnectTip() *node {
	t.gen++
	n := t.tipNode()
	t.main = t.main[:len(t.main)-1]
	n.connected = false
	t.pending++
	t.pathValid = false
	return n
}

func (t *tree) markInvalid(h chainhash.Hash) {
	if _, ok := t.invalid[h]; ok {
		return
	}
	if len(t.invalidOrder) >= maxInvalid {
		delete(t.invalid, t.invalidOrder[0])
		t.invalidOrder = t.invalidOrder[1:]
	}
	t.invalid[h] = struct{}{}
	t.invalidOrder = append(t.invalidOrder, h)
}

// dropBranch removes bad and every node descending from it; with remember set
// their hashes are recorded as invalid. The best header is then chosen again
// among the remaining nodes.
func (t *tree) dropBranch(bad *node, remember bool) {
	doomed := map[*node]bool{bad: true}
	for _, n := range t.byHeight() {
		if n.parent != nil && doomed[n.parent] {
			doomed[n] = true
		}
	}
	for n := range doomed {
		if n.connected {
			continue // never happens: the caller drops unconnected branches only
		}
		delete(t.nodes, n.hash)
		t.pending--
		if remember {
			t.markInvalid(n.hash)
		}
	}
	t.chooseBest()
}

// byHeight returns every node ordered by height, then arrival.
func (t *tree) byHeight() []*node {
	all := make([]*node, 0, len(t.nodes))
	for _, n := range t.nodes {
		all = append(all, n)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].height != all[j].height {
			return all[i].height < all[j].height
		}
		return all[i].seq < all[j].seq
	})
	return all
}

// chooseBest picks the best header among all nodes, the first seen winning ties.
func (t *tree) chooseBest() {
	all := t.byHeight()
	sort.SliceStable(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	best := t.tipNode()
	for _, n := range all {
		if header.Better(n.tip(), best.tip()) {
			best = n
		}
	}
	t.best = best
	t.pathValid = false
}

// prune forgets main-chain nodes below the window and unconnected nodes whose
// fork point with the main chain is deeper than the reorg limit allows (or
// whose ancestry left memory). The window ends at the durable tip (the
// store's, at most the connected one): the headers of a batch still being
// written stay in memory.
func (t *tree) prune(durable int32) {
	tip := t.tipNode()
	if extra := int(min(durable, tip.height)-t.main[0].height) + 1 - WindowSize; extra > 0 {
		for _, n := range t.main[:extra] {
			delete(t.nodes, n.hash)
		}
		t.main = append([]*node(nil), t.main[extra:]...)
		t.main[0].parent = nil
	}
	limit := t.p.MaxReorgDepthAt(tip.height)
	// A dropped node's descendants share its fork point, so they fail the
	// same test: the order of the walk does not matter.
	for _, n := range t.nodes {
		if n.connected {
			continue
		}
		f := t.forkOf(n)
		if f == nil || t.nodes[f.hash] != f || tip.height-f.height >= limit {
			delete(t.nodes, n.hash)
			t.pending--
			t.pathValid = false // the best path may have lost nodes
		}
	}
	if t.nodes[t.best.hash] != t.best {
		t.chooseBest()
	}
}

// restoreMain makes old the connected window again (a discarded step).
func (t *tree) restoreMain(old []*node) {
	t.gen++
	for _, n := range t.main {
		n.connected = false
	}
	for _, n := range old {
		n.connected, n.fork = true, nil
		t.nodes[n.hash] = n
	}
	t.main = old
	t.pending = len(t.nodes) - len(t.main)
	t.pathValid = false
}
