package spv

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// producerKind says how a block's producer is checked.
type producerKind uint8

const (
	producerNone      producerKind = iota // PoW block, or the testnet TESTNOD bypass
	producerEmergency                     // 2-of-4 emergency keys
	producerFluxnode                      // the collateral's fluxnode key
)

func kindOf(h *wire.BlockHeader, p *params.Params) producerKind {
	switch {
	case !h.IsPoN():
		return producerNone
	case header.IsEmergency(h, p):
		return producerEmergency
	case header.IsTestBypass(h, p):
		return producerNone
	}
	return producerFluxnode
}

// precheck is the set-independent part of a block's verification, computed
// in parallel: txids, merkle root, transaction sanity, and the signature
// checked against the key the producer had at the start of the batch.
type precheck struct {
	txids []chainhash.Hash
	// err is a body error; forget says it does not condemn the header (the
	// header does not commit to it: a wrong merkle root or a bad signature),
	// so the header is forgotten rather than remembered as invalid.
	err    error
	forget bool
	// key is the producer key sig was checked against (nil: not checked).
	key    []byte
	sigErr error
}

func (c *Chain) precheck(b *wire.MsgBlock, kind producerKind, key []byte) precheck {
	var pc precheck
	if len(b.Txs) == 0 {
		pc.err, pc.forget = ruleErr(ErrNoTransactions, "no transactions"), true // cannot match any real root
		return pc
	}
	pc.txids = make([]chainhash.Hash, len(b.Txs))
	for i, t := range b.Txs {
		pc.txids[i] = t.TxID()
	}
	root, mutated := tx.MerkleRoot(pc.txids)
	switch {
	case mutated:
		pc.err, pc.forget = ruleErr(ErrMutatedMerkle, "%d transactions", len(b.Txs)), true
		return pc
	case root != b.Header.MerkleRoot:
		pc.err, pc.forget = ruleErr(ErrBadMerkleRoot, "computed %s, header has %s", root, b.Header.MerkleRoot), true
		return pc
	}
	if !b.Txs[0].IsCoinBase() {
		pc.err = ruleErr(ErrNoCoinbase, "first transaction %s is not a coinbase", pc.txids[0])
		return pc
	}
	for i, t := range b.Txs {
		if i > 0 && t.IsCoinBase() {
			pc.err = ruleErr(ErrMultipleCoinbase, "transaction %d (%s) is a coinbase", i, pc.txids[i])
			return pc
		}
		if err := t.CheckSanity(); err != nil {
			pc.err = fmt.Errorf("%w: transaction %d (%s): %v", ErrBadTransaction, i, pc.txids[i], err)
			return pc
		}
	}
	switch kind {
	case producerEmergency:
		if err := header.VerifyEmergencySignatures(&b.Header, c.p); err != nil {
			pc.err, pc.forget = fmt.Errorf("%w: %w", ErrBadSignature, err), true
		}
	case producerFluxnode:
		if key != nil {
			pc.key = key
			pc.sigErr = header.VerifyProducerSignature(&b.Header, key)
		}
	}
	return pc
}

// prechecks runs precheck over a batch with cfg.Workers goroutines. The
// goroutines live only for this call and share nothing but the job counter
// and their own result slots.
func (c *Chain) prechecks(bs []*wire.MsgBlock, kinds []producerKind, keys [][]byte) []precheck {
	out := make([]precheck, len(bs))
	workers := min(c.cfg.Workers, len(bs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() { // spv.precheck worker
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bs) {
					return
				}
				out[i] = c.precheck(bs[i], kinds[i], keys[i])
			}
		}()
	}
	wg.Wait()
	return out
}

// CheckedBlock is a block whose checks that do not depend on the chain state
// ran ahead of connecting it (CheckBlock).
type CheckedBlock struct {
	Block *wire.MsgBlock
	hash  chainhash.Hash // Block's hash
	kind  producerKind
	pc    precheck
}

// CheckBlock runs the part of ProcessBlocks' verification that does not
// depend on the chain state, so that it can run ahead, in parallel with
// connecting earlier blocks: txids, merkle root, coinbase and transaction
// sanity, emergency signatures, and a fluxnode producer's signature checked
// against the key the fluxnode set holds for its collateral now.
// ProcessCheckedBlocks reports its results exactly where ProcessBlocks would,
// and verifies the signature again when the producer's key at the block's
// height is not the one checked. CheckBlock never changes the chain and is
// safe to call concurrently with every other method.
func (c *Chain) CheckBlock(b *wire.MsgBlock) *CheckedBlock {
	kind := kindOf(&b.Header, c.p)
	var key []byte
	if kind == producerFluxnode {
		c.setMu.RLock()
		if e, ok := c.set.Lookup(b.Header.Collateral); ok {
			key = e.PubKey
		}
		c.setMu.RUnlock()
	}
	return &CheckedBlock{Block: b, hash: b.Header.BlockHash(), kind: kind, pc: c.precheck(b, kind, key)}
}

// ProcessCheckedBlocks is ProcessBlocks for blocks that went through
// CheckBlock; the outcome is the same as ProcessBlocks on their Blocks.
func (c *Chain) ProcessCheckedBlocks(cbs []*CheckedBlock) (connected int, err error) {
	return c.processCheckedBlocks(cbs, false)
}

func (c *Chain) processCheckedBlocks(cbs []*CheckedBlock, background bool) (connected int, err error) {
	bs := make([]*wire.MsgBlock, len(cbs))
	for i, cb := range cbs {
		bs[i] = cb.Block
	}
	return c.processBlocks(bs, cbs, background)
}

// ProcessBlocks verifies and connects blocks along the best header chain
// and persists them in one Store transaction.
//
// The batch should be the next blocks WantBlocks listed, in order;
// duplicates and blocks in another order are tolerated (they are matched by
// hash), and blocks not on the best chain's next run are ignored. connected
// counts the blocks connected from the start of that run. Blocks are
// verified in parallel (txids, merkle root, transaction sanity, producer
// signature against the fluxnode set at the batch's start) and connected in
// order, re-verifying a signature whose producer key changed within the
// batch.
//
// When the best chain is on another branch, the old blocks down to the fork
// point are disconnected first, in the same transaction; this happens only
// once the batch holds enough of the new branch to beat the old tip (until
// then the call connects nothing and returns 0, nil).
//
// A block that fails yields a *BlockError naming it: nothing of it is
// persisted (the blocks before it are, unless they would leave a
// reorganisation unfinished below the old tip, in which case nothing is), its
// header and descendants leave the tree and the best header falls back to the
// best remaining branch. A Store failure returns a plain error and poisons
// the chain (ErrStoreFailed): reopen it.
func (c *Chain) ProcessBlocks(bs []*wire.MsgBlock) (connected int, err error) {
	return c.processBlocks(bs, nil, false)
}

// processBlocks is ProcessBlocks; checked, if not nil, holds CheckBlock's
// results for bs (same indexes). With background set, a batch that only
// extends the tip is committed by a background writer (ConnectCheckedBlocks).
func (c *Chain) processBlocks(bs []*wire.MsgBlock, checked []*CheckedBlock, background bool) (connected int, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle() // the batch before is in the store, or the chain failed
	if err := c.usable(); err != nil {
		return 0, err
	}
	if len(bs) > MaxBatchBlocks {
		return 0, fmt.Errorf("%w: %d blocks, at most %d", ErrTooManyBlocks, len(bs), MaxBatchBlocks)
	}
	t := c.tree
	byHash := make(map[chainhash.Hash]int, len(bs))
	for i, b := range bs {
		if checked != nil {
			byHash[checked[i].hash] = i // hashed by CheckBlock, off the caller's goroutine
		} else {
			byHash[b.Header.BlockHash()] = i
		}
	}
	path := t.bestPath()
	var run []*node
	var blocks []*wire.MsgBlock
	var idx []int
	for _, n := range path {
		i, ok := byHash[n.hash]
		if !ok {
			break
		}
		run, blocks, idx = append(run, n), append(blocks, bs[i]), append(idx, i)
	}
	if len(run) == 0 {
		return 0, nil
	}
	oldTip := t.tipNode()
	fork := run[0].parent
	if fork != oldTip && !header.Better(run[len(run)-1].tip(), oldTip.tip()) {
		return 0, nil // wait until the new branch can replace the old tip
	}
	s := c.newStep(oldTip)
	s.batch.Connect = make([]ConnectedBlock, 0, len(run))
	if err := s.disconnectTo(fork); err != nil {
		c.failed = err
		return 0, err
	}
	kinds := make([]producerKind, len(blocks))
	keys := make([][]byte, len(blocks))
	var pcs []precheck
	if checked != nil {
		pcs = make([]precheck, len(blocks))
		for i, j := range idx {
			kinds[i], pcs[i] = checked[j].kind, checked[j].pc
		}
	} else {
		for i, b := range blocks {
			if kinds[i] = kindOf(&b.Header, c.p); kinds[i] == producerFluxnode {
				if e, ok := c.set.Lookup(b.Header.Collateral); ok {
					keys[i] = e.PubKey
				}
			}
		}
		pcs = c.prechecks(blocks, kinds, keys)
	}
	for i, b := range blocks {
		if err, forget := s.connect(run[i], b, kinds[i], &pcs[i]); err != nil {
			return s.fail(i, run[i], err, forget)
		}
	}
	if background && len(s.batch.Disconnect) == 0 {
		err = c.startWrite(s)
	} else {
		err = s.commit()
	}
	if err != nil {
		c.failed = err
		return 0, err
	}
	t.prune(c.durable.Load().Height)
	return len(run), nil
}

// fail ends a batch at block i (node n): it commits the blocks before it if
// they leave the chain no worse than before, restores the in-memory state
// from the store, and drops n's branch from the tree.
func (s *step) fail(i int, n *node, cause error, forget bool) (int, error) {
	c, t := s.c, s.c.tree
	berr := &BlockError{Hash: n.hash, Height: n.height, Err: cause}
	keep := len(s.batch.Disconnect) == 0 || (i > 0 && header.Better(t.tipNode().tip(), s.oldTip.tip()))
	connected := 0
	if keep && i > 0 {
		if err := s.commit(); err != nil {
			c.failed = err
			return 0, err
		}
		connected = i
	} else {
		t.restoreMain(s.oldMain)
	}
	if err := c.loadState(); err != nil {
		c.failed = err
		return connected, err
	}
	// SECURITY: a wrong merkle root, a mutated transaction list or a bad
	// signature is the body's fault, not the header's: the block hash commits
	// to neither the signature nor a mutated list. Remembering the hash as
	// invalid would let a peer that corrupts an honest block's body split us
	// off the real chain, so such headers are only forgotten (and fetched
	// again from other peers). Everything else is fixed by the header.
	t.dropBranch(n, !forget)
	t.prune(c.durable.Load().Height)
	return connected, berr
}

// step is one ProcessBlocks state transition under construction.
type step struct {
	c       *Chain
	oldTip  *node
	oldMain []*node
	batch   Batch
	// Net changes, recorded after every block so that a failure keeps the
	// values of the last good block.
	fluxnodes map[chainhash.OutPoint]*fluxnode.Entry
	utxos     map[chainhash.OutPoint]*UTXORecord
	watched   map[chainhash.Hash]WatchedTx
}

func (c *Chain) newStep(oldTip *node) *step {
	return &step{
		c:         c,
		oldTip:    oldTip,
		oldMain:   append([]*node(nil), c.tree.main...),
		fluxnodes: make(map[chainhash.OutPoint]*fluxnode.Entry),
		utxos:     make(map[chainhash.OutPoint]*UTXORecord),
		watched:   make(map[chainhash.Hash]WatchedTx),
	}
}

func (s *step) touchFluxnodes(ops []chainhash.OutPoint) {
	for _, op := range ops {
		if e, ok := s.c.set.Lookup(op); ok {
			s.fluxnodes[op] = &e
		} else {
			s.fluxnodes[op] = nil
		}
	}
}

func (s *step) touchUTXO(op chainhash.OutPoint) {
	if u, ok := s.c.utxos.get(op); ok {
		s.utxos[op] = &u
	} else {
		s.utxos[op] = nil
	}
}

// disconnectTo disconnects main-chain blocks from the tip down to fork.
func (s *step) disconnectTo(fork *node) error {
	c, t := s.c, s.c.tree
	if t.tipNode() != fork {
		c.deepHashes = nil // Locator's cache of the main chain, kept only while it only grows
	}
	for t.tipNode() != fork {
		n := t.tipNode()
		raw, ok, err := c.st.Undo(n.hash)
		if err != nil {
			return fmt.Errorf("spv: read undo of %s: %w", n.hash, err)
		}
		if !ok {
			return fmt.Errorf("spv: no undo data for block %s at height %d", n.hash, n.height)
		}
		u, err := unmarshalUndo(raw)
		if err != nil {
			return fmt.Errorf("spv: undo of %s: %w", n.hash, err)
		}
		fu, err := fluxnode.UnmarshalUndo(u.fluxnode)
		if err != nil {
			return fmt.Errorf("spv: fluxnode undo of %s: %w", n.hash, err)
		}
		c.setMu.Lock()
		err = c.set.Revert(fu)
		c.setMu.Unlock()
		if err != nil {
			return fmt.Errorf("spv: revert fluxnodes of %s: %w", n.hash, err)
		}
		s.touchFluxnodes(fu.Touched())
		for _, op := range u.created {
			c.utxos.del(op)
			s.touchUTXO(op)
		}
		for _, r := range u.spent {
			c.utxos.put(r)
			s.touchUTXO(r.OutPoint)
		}
		for id, w := range c.watch {
			if w.Mined && w.BlockHash == n.hash {
				w = WatchedTx{TxID: id}
				c.watch[id] = w
				s.watched[id] = w
			}
		}
		t.disconnectTip()
		s.batch.Disconnect = append(s.batch.Disconnect, BlockRef{Hash: n.hash, Height: n.height})
	}
	return nil
}

// connect applies block b (node n, a child of the tip). It returns the rule
// error of a block that must not connect, and whether its header is only
// forgotten rather than remembered as invalid.
func (s *step) connect(n *node, b *wire.MsgBlock, kind producerKind, pc *precheck) (error, bool) {
	c := s.c
	if pc.err != nil {
		return pc.err, pc.forget
	}
	if kind == producerFluxnode {
		e, ok := c.set.Lookup(b.Header.Collateral)
		if !ok {
			return ruleErr(ErrUnknownProducer, "collateral %s is not in the fluxnode set at height %d", b.Header.Collateral, n.height-1), false
		}
		sigErr := pc.sigErr
		if pc.key == nil || !bytes.Equal(pc.key, e.PubKey) {
			sigErr = header.VerifyProducerSignature(&b.Header, e.PubKey) // the set changed within the batch
		}
		if sigErr != nil {
			return fmt.Errorf("%w: %w", ErrBadSignature, sigErr), true
		}
	}
	c.setMu.Lock()
	fu, err := c.set.ApplyBlock(n.height, b.Txs)
	c.setMu.Unlock()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFluxnodeRules, err), false
	}
	fuRaw, err := fu.MarshalBinary()
	if err != nil {
		return fmt.Errorf("%w: marshal undo: %v", ErrFluxnodeRules, err), false
	}
	undo := blockUndo{fluxnode: fuRaw}
	hdr := b.Header
	hdr.BlockSig = append([]byte(nil), b.Header.BlockSig...)
	hdr.Solution = append([]byte(nil), b.Header.Solution...)
	var events []EventRecord
	if c.cfg.Scanner != nil {
		res, err := c.cfg.Scanner.ScanBlockTxIDs(n.height, &hdr, b.Txs, pc.txids, func(op chainhash.OutPoint) bool {
			return c.utxos.has(op)
		})
		if err != nil {
			return fmt.Errorf("%w: %v", ErrReserveScan, err), false
		}
		if events, err = blockEvents(n.height, n.hash, &hdr, res); err != nil {
			return fmt.Errorf("%w: %v", ErrReserveScan, err), false
		}
		// Nothing below fails: the block connects.
		for _, op := range res.Spent {
			if u, ok := c.utxos.get(op); ok {
				undo.spent = append(undo.spent, u)
				c.utxos.del(op)
				s.touchUTXO(op)
			}
		}
		for _, u := range res.Created {
			c.utxos.put(UTXORecord{OutPoint: u.OutPoint, Value: u.Value, Script: u.Script, Height: u.Height})
			undo.created = append(undo.created, u.OutPoint)
			s.touchUTXO(u.OutPoint)
		}
	}
	s.touchFluxnodes(fu.Touched())
	for _, id := range pc.txids {
		if w, ok := c.watch[id]; ok && !w.Mined {
			w = WatchedTx{TxID: id, Mined: true, Height: n.height, BlockHash: n.hash}
			c.watch[id] = w
			s.watched[id] = w
		}
	}
	n.hdr = &hdr
	c.tree.connect(n)
	s.batch.Connect = append(s.batch.Connect, ConnectedBlock{
		Header: HeaderRecord{Hash: n.hash, Height: n.height, Prev: hdr.PrevBlock, Raw: headerBytes(&hdr), Work: workBytes(n.work), Main: true},
		Undo:   undo.marshal(),
		Events: events,
	})
	return nil, false
}

// headerBytes is h.Bytes() in a buffer of h's size, not of the largest
// header's: the stored rows keep it until the batch is written. (A
// CompactSize length takes at most 9 bytes; Encode grows the buffer if ever
// needed.)
func headerBytes(h *wire.BlockHeader) []byte {
	size := wire.EquihashInputSize + 9 + len(h.Solution)
	if h.IsPoN() {
		size = wire.PoNHashedSize + 9 + len(h.BlockSig)
	}
	w := codec.NewWriter(size)
	h.Encode(w)
	return w.Bytes()
}

// commit writes the step's batch and makes its tip the durable one.
func (s *step) commit() error {
	b, err := s.finish()
	if err != nil {
		return err
	}
	if err := s.c.st.Commit(b); err != nil {
		return fmt.Errorf("spv: commit batch to %s: %w", b.Tip.Hash, err)
	}
	s.c.setDurable()
	return nil
}

// finish completes the step's batch with the net changes, the tip and the
// undo pruning height.
func (s *step) finish() (*Batch, error) {
	c := s.c
	b := &s.batch
	for op, e := range s.fluxnodes {
		if e == nil {
			b.FluxnodeDelete = append(b.FluxnodeDelete, op)
			continue
		}
		raw, err := e.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("spv: marshal fluxnode %s: %w", op, err)
		}
		b.FluxnodePut = append(b.FluxnodePut, FluxnodeRecord{OutPoint: op, Data: raw})
	}
	for op, u := range s.utxos {
		if u == nil {
			b.UTXODelete = append(b.UTXODelete, op)
		} else {
			b.UTXOPut = append(b.UTXOPut, *u)
		}
	}
	for _, w := range s.watched {
		b.Watched = append(b.Watched, w)
	}
	tip := c.tree.tipNode()
	b.Tip = BlockRef{Hash: tip.hash, Height: tip.height}
	b.PruneUndoBelow = tip.height - c.p.MaxReorgDepthAt(tip.height) - UndoKeepExtra + 1
	return b, nil
}
