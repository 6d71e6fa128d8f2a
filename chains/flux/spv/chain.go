package spv

import (
	"bytes"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// Tip describes one block of the header tree. Header is shared with the
// chain and must not be modified.
type Tip struct {
	Height int32
	Hash   chainhash.Hash
	Header *wire.BlockHeader
	// Work is the chainwork counted from the anchor's first header.
	Work *big.Int
}

func (n *node) export() Tip {
	return Tip{Height: n.height, Hash: n.hash, Header: n.hdr, Work: new(big.Int).Set(n.work)}
}

// Chain is the light node's chain state. It is safe for concurrent use; the
// writers (ProcessHeaders, ProcessBlocks, Watch) are serialised.
type Chain struct {
	cfg Config
	p   *params.Params
	st  Store

	mu     sync.RWMutex
	tree   *tree
	setMu  sync.RWMutex // also held to change set, so CheckBlock may read it without mu
	set    *fluxnode.Set
	utxos  *utxoSet
	watch  map[chainhash.Hash]WatchedTx
	anchor State
	failed error // set when a Store write failed
	closed bool
	// writing is the batch being committed in the background
	// (ConnectCheckedBlocks), nil when none (see write.go).
	writing *write
	// durable is the tip the store holds: Tip. It is the working tip
	// (tree.tipNode) except while a batch is being written.
	durable atomic.Pointer[Tip]
	// deepHashes are the main-chain hashes below the window that the last
	// Locator used, by height (see Locator); cleared when blocks disconnect.
	deepHashes map[int32]chainhash.Hash
}

// Open opens the chain in cfg.Store: on an empty store it writes the anchor
// (cfg.Anchor, or genesis); otherwise it resumes exactly where the last
// committed batch left off.
func Open(cfg Config) (*Chain, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	c := &Chain{cfg: cfg, p: cfg.Params, st: cfg.Store}
	st, ok, err := cfg.Store.State()
	if err != nil {
		return nil, fmt.Errorf("spv: read store state: %w", err)
	}
	if !ok {
		if err := c.initAnchor(); err != nil {
			return nil, err
		}
		if st, ok, err = cfg.Store.State(); err != nil || !ok {
			return nil, fmt.Errorf("spv: store empty after init: %v", err)
		}
	} else if a := cfg.Anchor; a != nil && (a.Height != st.AnchorHeight || a.Hash != st.AnchorHash) {
		return nil, fmt.Errorf("%w: store is anchored at %d %s, config names %d %s",
			ErrAnchorMismatch, st.AnchorHeight, st.AnchorHash, a.Height, a.Hash)
	}
	c.anchor = st
	if err := c.load(st); err != nil {
		return nil, err
	}
	return c, nil
}

// load rebuilds the in-memory state from the store.
func (c *Chain) load(st State) error {
	from := max(st.TipHeight-WindowSize+1, 0)
	recs, err := c.st.MainHeaders(from, st.TipHeight)
	if err != nil {
		return fmt.Errorf("spv: load headers: %w", err)
	}
	if len(recs) == 0 || recs[len(recs)-1].Hash != st.TipHash {
		return fmt.Errorf("spv: store inconsistent: main chain does not end at tip %s", st.TipHash)
	}
	t := newTree(c.p)
	var parent *node
	for _, r := range recs {
		hdr, err := wire.DecodeBlockHeader(r.Raw)
		if err != nil {
			return fmt.Errorf("spv: stored header %s: %w", r.Hash, err)
		}
		if parent != nil && (hdr.PrevBlock != parent.hash || r.Height != parent.height+1) {
			return fmt.Errorf("spv: store inconsistent: header %s does not extend %s", r.Hash, parent.hash)
		}
		n := t.newNode(hdr, r.Hash, r.Height, parent, new(big.Int).SetBytes(r.Work))
		t.pushMain(n)
		parent = n
	}
	t.best = t.tipNode()
	c.tree = t
	c.deepHashes = nil
	c.setDurable()
	return c.loadState()
}

// loadState reloads the fluxnode set, the reserve UTXOs and the watched
// transactions from the store (after a failed batch, and at Open).
func (c *Chain) loadState() error {
	frs, err := c.st.Fluxnodes()
	if err != nil {
		return fmt.Errorf("spv: load fluxnodes: %w", err)
	}
	es := make([]fluxnode.Entry, 0, len(frs))
	for _, r := range frs {
		e, err := fluxnode.UnmarshalEntry(r.Data)
		if err != nil {
			return fmt.Errorf("spv: stored fluxnode %s: %w", r.OutPoint, err)
		}
		es = append(es, e)
	}
	set := fluxnode.NewSetFromEntries(c.p, es)
	c.setMu.Lock()
	c.set = set
	c.setMu.Unlock()
	us, err := c.st.UTXOs()
	if err != nil {
		return fmt.Errorf("spv: load reserve utxos: %w", err)
	}
	c.utxos = newUTXOSet(len(us))
	for _, u := range us {
		c.utxos.put(u)
	}
	ws, err := c.st.Watched()
	if err != nil {
		return fmt.Errorf("spv: load watched txs: %w", err)
	}
	c.watch = make(map[chainhash.Hash]WatchedTx, len(ws))
	for _, w := range ws {
		c.watch[w.TxID] = w
	}
	return nil
}

// initAnchor checks the anchor (or genesis) and writes it into the empty store.
func (c *Chain) initAnchor() error {
	a := c.cfg.Anchor
	if a == nil {
		a = &Anchor{Height: 0, Hash: c.p.GenesisHash}
	}
	hs := a.Headers
	if a.Height == 0 && len(hs) == 0 {
		if a.Hash != c.p.GenesisHash {
			return fmt.Errorf("%w: height 0 anchor %s is not the genesis block %s", ErrAnchorMismatch, a.Hash, c.p.GenesisHash)
		}
		hs = []*wire.BlockHeader{c.p.GenesisHeader()}
	}
	if need := AnchorHeadersNeeded(c.p, a.Height); len(hs) < need {
		return fmt.Errorf("%w: %d headers, the rules after height %d need %d", ErrBadAnchor, len(hs), a.Height, need)
	}
	if len(hs) > int(a.Height)+1 {
		return fmt.Errorf("%w: %d headers end at height %d", ErrBadAnchor, len(hs), a.Height)
	}
	first := a.Height - int32(len(hs)) + 1
	recs := make([]HeaderRecord, len(hs))
	work := new(big.Int)
	var prev chainhash.Hash
	for i, h := range hs {
		hash := h.BlockHash()
		if i > 0 && h.PrevBlock != prev {
			return fmt.Errorf("%w: header %d (%s) does not link to %s", ErrBadAnchor, i, hash, prev)
		}
		if err := header.CheckContextFree(h, c.p); err != nil {
			return fmt.Errorf("%w: header %s: %v", ErrBadAnchor, hash, err)
		}
		height := first + int32(i)
		if cp, ok := c.p.CheckpointAt(height); ok && cp != hash {
			return fmt.Errorf("%w: header %s at checkpoint height %d, checkpoint is %s", ErrAnchorMismatch, hash, height, cp)
		}
		work.Add(work, header.BlockWork(h.Version, h.Bits))
		recs[i] = HeaderRecord{Hash: hash, Height: height, Prev: h.PrevBlock, Raw: h.Bytes(), Work: workBytes(work), Main: true}
		prev = hash
	}
	if prev != a.Hash {
		return fmt.Errorf("%w: headers end at %s, anchor is %s", ErrAnchorMismatch, prev, a.Hash)
	}
	var frs []FluxnodeRecord
	switch snap := a.Fluxnodes; {
	case snap == nil && a.Height != 0:
		return fmt.Errorf("%w: an anchor above genesis needs its fluxnode snapshot", ErrBadAnchor)
	case snap != nil:
		if snap.Height != a.Height || snap.BlockHash != a.Hash {
			return fmt.Errorf("%w: fluxnode snapshot at %d %s, anchor at %d %s",
				ErrAnchorMismatch, snap.Height, snap.BlockHash, a.Height, a.Hash)
		}
		for _, e := range snap.Entries {
			b, err := e.MarshalBinary()
			if err != nil {
				return fmt.Errorf("%w: fluxnode %s: %v", ErrBadAnchor, e.Collateral, err)
			}
			frs = append(frs, FluxnodeRecord{OutPoint: e.Collateral, Data: b})
		}
	}
	in := &InitState{
		State:     State{AnchorHeight: a.Height, AnchorHash: a.Hash, TipHeight: a.Height, TipHash: a.Hash},
		Headers:   recs,
		Fluxnodes: frs,
	}
	if err := c.st.Init(in); err != nil {
		return fmt.Errorf("spv: write anchor: %w", err)
	}
	return nil
}

// workBytes encodes chainwork as 32 bytes big-endian.
func workBytes(w *big.Int) []byte {
	b := make([]byte, 32)
	return w.FillBytes(b)
}

// setDurable records the working tip as the store's; mu is held for
// writing and the store has just committed (or loaded) it.
func (c *Chain) setDurable() {
	tip := c.tree.tipNode().export()
	c.durable.Store(&tip)
}

// Close releases the chain, after waiting for the batch being written in
// the background, if any: it returns that write's error if it failed and no
// call reported it yet. It does not close the Store.
func (c *Chain) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	failed := c.failed
	c.settle()
	c.closed = true
	if failed == nil && c.failed != nil {
		return fmt.Errorf("%w: %v", ErrStoreFailed, c.failed)
	}
	return nil
}

// usable reports why the chain cannot serve writes, if it cannot.
func (c *Chain) usable() error {
	if c.closed {
		return ErrClosed
	}
	if c.failed != nil {
		return fmt.Errorf("%w: %v", ErrStoreFailed, c.failed)
	}
	return nil
}

// Anchor returns the height and hash the store is anchored at.
func (c *Chain) Anchor() (int32, chainhash.Hash) {
	return c.anchor.AnchorHeight, c.anchor.AnchorHash
}

// Tip returns the last connected block the store holds. While a batch is
// being written in the background (ConnectCheckedBlocks), it is the tip
// before that batch: it moves once the batch has committed.
func (c *Chain) Tip() Tip {
	t := *c.durable.Load()
	t.Work = new(big.Int).Set(t.Work)
	return t
}

// BestHeader returns the best validated header; it may be ahead of Tip, or on
// another branch when a reorganisation is pending.
func (c *Chain) BestHeader() Tip {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.tree.best.export()
}

// HeadersInMemory returns how many headers the tree holds: the main-chain
// window plus the unconnected ones. It is bounded by WindowSize +
// MaxPendingHeaders (+ MaxBatchBlocks while a batch is being written)
// whatever the chain's length.
func (c *Chain) HeadersInMemory() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.tree.nodes)
}

// Fluxnodes returns the number of entries in the fluxnode set at the tip.
func (c *Chain) Fluxnodes() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_ = c.awaitWrite() // a count: the chain reports a failed write elsewhere
	return c.set.Len()
}

// FluxnodeSet returns the fluxnode set's entries at the tip, sorted by
// collateral (nil if the store failed).
func (c *Chain) FluxnodeSet() []fluxnode.Entry {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.awaitWrite() != nil {
		return nil
	}
	return c.set.Entries()
}

// ReserveUTXOs returns the reserve's unspent outputs at the tip, sorted by
// outpoint (nil if the store failed).
func (c *Chain) ReserveUTXOs() []reserve.UTXO {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.awaitWrite() != nil {
		return nil
	}
	out := make([]reserve.UTXO, 0, c.utxos.len())
	c.utxos.each(func(u UTXORecord) {
		out = append(out, reserve.UTXO{OutPoint: u.OutPoint, Value: u.Value, Script: bytes.Clone(u.Script), Height: u.Height})
	})
	sortUTXOs(out)
	return out
}

// HeaderAt returns the connected main-chain header at height.
func (c *Chain) HeaderAt(height int32) (*wire.BlockHeader, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if height > c.durable.Load().Height && c.awaitWrite() != nil {
		return nil, false
	}
	h, _, ok := c.headerAt(height)
	return h, ok
}

func (c *Chain) headerAt(height int32) (*wire.BlockHeader, chainhash.Hash, bool) {
	if n := c.tree.mainAt(height); n != nil {
		return n.hdr, n.hash, true
	}
	if height > c.tree.tipNode().height {
		return nil, chainhash.Hash{}, false
	}
	r, ok, err := c.st.HeaderAt(height)
	if err != nil || !ok {
		return nil, chainhash.Hash{}, false
	}
	h, err := wire.DecodeBlockHeader(r.Raw)
	if err != nil {
		return nil, chainhash.Hash{}, false
	}
	return h, r.Hash, true
}

// HeaderByHash returns a known valid header and its height: one in memory
// (main chain, ahead of the tip or on a side branch) or a stored main-chain one.
func (c *Chain) HeaderByHash(hash chainhash.Hash) (*wire.BlockHeader, int32, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if n, ok := c.tree.nodes[hash]; ok {
		return n.hdr, n.height, true
	}
	r, ok, err := c.st.HeaderByHash(hash)
	if err != nil || !ok || !r.Main {
		return nil, 0, false
	}
	h, err := wire.DecodeBlockHeader(r.Raw)
	if err != nil {
		return nil, 0, false
	}
	return h, r.Height, true
}

// Locator returns a block locator from the best header: the last ten
// headers, then exponentially sparser ones, then the anchor. Past the first
// ten, each height is a multiple of its step, so that successive locators
// share their deep entries: the chain keeps those (they are below the
// in-memory window, on the main chain, final within the reorg limit) rather
// than reading them from the store for every getheaders.
func (c *Chain) Locator() []chainhash.Hash {
	c.mu.Lock() // bestPath and deepHashes
	defer c.mu.Unlock()
	t := c.tree
	path := t.bestPath() // the best branch above the connected chain
	deep := make(map[int32]chainhash.Hash, len(c.deepHashes))
	defer func() { c.deepHashes = deep }()
	var loc []chainhash.Hash
	height := t.best.height
	step := int32(1)
	base := c.anchor.AnchorHeight
	for {
		var h chainhash.Hash
		if len(path) > 0 && height >= path[0].height {
			h = path[height-path[0].height].hash
		} else if n := t.mainAt(height); n != nil {
			h = n.hash
		} else if hash, ok := c.deepHashes[height]; ok {
			h, deep[height] = hash, hash
		} else {
			_, hash, ok := c.headerAt(height)
			if !ok {
				return append(loc, c.anchor.AnchorHash)
			}
			h, deep[height] = hash, hash
		}
		loc = append(loc, h)
		if height <= base {
			return loc
		}
		next := height - 1
		if len(loc) >= 10 {
			step *= 2
			next = (height - step) &^ (step - 1)
		}
		height = max(next, base)
	}
}
