package spv

import (
	"encoding/binary"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// walkFork is the fork point by definition: the first connected ancestor.
func walkFork(n *node) *node {
	for n != nil && !n.connected {
		n = n.parent
	}
	return n
}

// walkPath is bestPath by definition: the unconnected nodes up to best.
func walkPath(t *tree) []*node {
	var rev []*node
	for n := t.best; n != nil && !n.connected; n = n.parent {
		rev = append(rev, n)
	}
	out := make([]*node, len(rev))
	for i, n := range rev {
		out[len(rev)-1-i] = n
	}
	return out
}

// testNode makes a PoW node whose work grows with height plus extra.
func testNode(t *tree, parent *node, height int32, extra int64) *node {
	t.seq++
	var h chainhash.Hash
	binary.LittleEndian.PutUint64(h[:], t.seq)
	return &node{hash: h, hdr: &wire.BlockHeader{Version: 4}, height: height, parent: parent, seq: t.seq,
		work: big.NewInt(int64(height)*10 + extra)}
}

// checkTree compares the cached fork points (asked in a random order, so
// that answers cached by one query serve the next) and the cached best path
// with the definitions.
func checkTree(tb testing.TB, t *tree, rng *rand.Rand, step int) {
	tb.Helper()
	all := make([]*node, 0, len(t.nodes))
	for _, n := range t.nodes {
		all = append(all, n)
	}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	for _, n := range all {
		if got, want := t.forkOf(n), walkFork(n); got != want {
			tb.Fatalf("step %d: fork of node at %d: cached %p, walk %p", step, n.height, got, want)
		}
	}
	got, want := t.bestPath(), walkPath(t)
	if len(got) != len(want) {
		tb.Fatalf("step %d: best path has %d nodes, walk %d", step, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			tb.Fatalf("step %d: best path differs at %d", step, i)
		}
	}
}

// The cached fork point and best path stay right while the tree changes the
// way sync and reorganisations change it: headers extend the best branch and
// side branches, blocks connect along the best path, the tip is disconnected
// down to a fork point (a reorganisation), a failed batch restores the old
// main chain, and prune drops old nodes.
func TestForkCacheMatchesWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tr := newTree(params.SimNet)
	var parent *node
	for h := int32(0); h < 30; h++ {
		n := testNode(tr, parent, h, 0)
		tr.pushMain(n)
		parent = n
	}
	tr.best = tr.tipNode()
	reorgs := 0
	for step := 0; step < 3000; step++ {
		switch op := rng.IntN(11); {
		case op == 10: // a heavier branch from a recent main-chain block becomes best
			if len(tr.main) < 3 || tr.pending >= 300 || tr.best.height-tr.tipNode().height > 10 {
				break
			}
			p := tr.main[len(tr.main)-2-rng.IntN(min(len(tr.main)-1, 20))]
			for h, top := p.height+1, tr.best.height+1; h <= top; h++ {
				n := testNode(tr, p, h, 2)
				tr.addPending(n)
				p = n
			}
		case op < 4: // a header on the best branch (the common case) or elsewhere
			p := tr.best
			if op == 0 {
				all := make([]*node, 0, len(tr.nodes))
				for _, n := range tr.nodes {
					all = append(all, n)
				}
				p = all[rng.IntN(len(all))]
			}
			if tr.pending < 300 {
				tr.addPending(testNode(tr, p, p.height+1, rng.Int64N(3)))
			}
		case op < 7: // connect the next blocks of the best path
			for range rng.IntN(20) {
				path := tr.bestPath()
				if len(path) == 0 {
					break
				}
				tr.connect(path[0])
			}
		case op < 8: // a reorganisation: disconnect down to the best branch's fork
			path := tr.bestPath()
			if len(path) == 0 {
				break
			}
			fork := path[0].parent
			if fork != tr.tipNode() {
				reorgs++
			}
			old := append([]*node(nil), tr.main...)
			for tr.tipNode() != fork && len(tr.main) > 1 {
				tr.disconnectTip()
			}
			if rng.IntN(2) == 0 {
				checkTree(t, tr, rng, step)
				tr.restoreMain(old) // the batch failed
				tr.chooseBest()
			}
		case op < 9:
			tr.prune(tr.tipNode().height - int32(rng.IntN(3))*WindowSize) // a batch may be being written
		default:
			checkTree(t, tr, rng, step)
		}
		if rng.IntN(4) == 0 {
			checkTree(t, tr, rng, step)
		}
	}
	if reorgs < 20 {
		t.Fatalf("only %d reorganisations exercised", reorgs)
	}
}

// Extending the best header costs O(1): every header of a long run ahead of
// the tip finds its fork point at its parent's cached answer.
func TestForkOfExtendingTipIsConstant(t *testing.T) {
	tr := newTree(params.SimNet)
	g := testNode(tr, nil, 0, 0)
	tr.pushMain(g)
	tr.best = g
	p := g
	for h := int32(1); h <= 2000; h++ {
		if f := tr.forkOf(p); f != g {
			t.Fatalf("fork of header %d is %p, want the tip", h-1, f)
		}
		n := testNode(tr, p, h, 0)
		tr.addPending(n)
		p = n
	}
	// Every node holds its answer for the current generation: no walk needed.
	for n := p.parent; n != g; n = n.parent {
		if n.forkGen != tr.gen || n.fork != g {
			t.Fatalf("node %d: cached fork %p at gen %d, want %p at %d", n.height, n.fork, n.forkGen, g, tr.gen)
		}
	}
	// Connecting a block moves the generation; the next query walks once and
	// answers the new tip.
	first := tr.bestPath()[0]
	tr.connect(first)
	if f := tr.forkOf(p); f != first {
		t.Fatalf("after connecting %d: fork %p, want %p", first.height, f, first)
	}
}

// Connected nodes hold no cached fork point: a chain of them would keep every
// header ever connected reachable, past the window.
func TestConnectedNodesDropTheirForkCache(t *testing.T) {
	tr := newTree(params.SimNet)
	g := testNode(tr, nil, 0, 0)
	tr.pushMain(g)
	tr.best = g
	p := g
	for h := int32(1); h <= 50; h++ {
		n := testNode(tr, p, h, 0)
		tr.addPending(n)
		tr.forkOf(n)
		p = n
	}
	for len(tr.bestPath()) > 0 {
		tr.connect(tr.bestPath()[0])
	}
	for _, n := range tr.main {
		if n.fork != nil {
			t.Fatalf("connected node %d still points at %d", n.height, n.fork.height)
		}
	}
}
