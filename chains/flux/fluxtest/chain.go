package fluxtest

import (
	"fmt"
	"sync"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// block is one block of a simulated chain with everything serving needs,
// computed once when it is made. It is immutable.
type block struct {
	height  int32
	hash    chainhash.Hash
	msg     *wire.MsgBlock
	info    header.Info
	ponHash chainhash.Hash
	txids   []chainhash.Hash
	// hdr is the header's full wire form followed by the zero transaction
	// count, ready to be concatenated into a headers payload.
	hdr []byte
	// frame is the whole framed "block" message.
	frame []byte
}

// newBlock computes the cached forms of m at height h.
func newBlock(p *params.Params, h int32, m *wire.MsgBlock, txids []chainhash.Hash) *block {
	// The encoders over-allocate; the copies keep the chain's memory at
	// what the bytes need.
	raw := m.Header.Bytes()
	hdr := append(make([]byte, 0, len(raw)+1), raw...)
	hdr = append(hdr, 0)
	frame := wire.EncodeMessage(p.Magic, m)
	b := &block{
		height: h,
		hash:   m.Header.BlockHash(),
		msg:    m,
		txids:  txids,
		hdr:    hdr,
		frame:  append(make([]byte, 0, len(frame)), frame...),
	}
	b.info = header.Info{Height: h, Time: m.Header.Time, Bits: m.Header.Bits, Hash: b.hash, Version: m.Header.Version}
	if m.Header.IsPoN() {
		b.ponHash = header.HeaderPoNHash(&m.Header, p)
	}
	return b
}

// utxoEntry is one unspent transparent output.
type utxoEntry struct {
	out      tx.TxOut
	height   int32
	coinbase bool
}

// spentOut is a UTXO a block consumed, kept to restore it on disconnect.
type spentOut struct {
	op chainhash.OutPoint
	e  utxoEntry
}

// blockUndo is what disconnecting a block needs.
type blockUndo struct {
	spent   []spentOut
	created []chainhash.OutPoint
	set     *fluxnode.Undo
}

// chainState is one simulated chain: its blocks, UTXO set, fluxnode set,
// test nodes and wallet.
//
// mu guards blocks, byHash and stale, which serving goroutines read. Every
// other field, and every mutation, belongs to the chain's owner, which
// serializes its calls (Network.mu for the honest chain, altChain.mu for the
// different chain).
type chainState struct {
	p *params.Params

	mu     sync.RWMutex
	blocks []*block
	byHash map[chainhash.Hash]*block
	// stale holds blocks a reorg disconnected; getdata still serves them.
	stale map[chainhash.Hash]*block

	snapshot  *fluxnode.Snapshot
	set       *fluxnode.Set
	utxo      map[chainhash.OutPoint]utxoEntry
	undo      []*blockUndo // by height; undo[0] is nil
	txHeight  map[chainhash.Hash]int32
	nodes     []*testNode
	nodeLabel string
	collLabel string
	// nextReg is the height at which the next test node joins.
	nextReg int32
	// tag is written into coinbases so that blocks of different branches differ.
	tag uint32

	walletKey    *secp256k1.PrivateKey
	walletPub    []byte
	walletScript []byte
	// walletOps lists outputs paying the wallet in the order they were
	// created; walletCursor skips the spent prefix.
	walletOps    []chainhash.OutPoint
	walletCursor int
}

// newChainState returns a chain holding only the genesis block, with
// fluxnodes initial test nodes registered in its snapshot.
func newChainState(p *params.Params, fluxnodes int, nodeLabel, collLabel string) *chainState {
	c := &chainState{
		p:         p,
		byHash:    make(map[chainhash.Hash]*block),
		stale:     make(map[chainhash.Hash]*block),
		utxo:      make(map[chainhash.OutPoint]utxoEntry),
		txHeight:  make(map[chainhash.Hash]int32),
		nodeLabel: nodeLabel,
		collLabel: collLabel,
		nextReg:   firstRegistration,
		walletKey: deriveKey(labelWallet, 0),
	}
	c.walletPub = c.walletKey.PubKey().SerializeCompressed()
	c.walletScript = p2pkh(c.walletKey)
	g := &wire.MsgBlock{Header: *p.GenesisHeader()}
	gb := newBlock(p, 0, g, nil)
	c.blocks = []*block{gb}
	c.byHash[gb.hash] = gb
	c.undo = []*blockUndo{nil}

	snap := &fluxnode.Snapshot{Height: 0, BlockHash: gb.hash}
	for i := 0; i < fluxnodes; i++ {
		n := newTestNode(i, nodeLabel, collLabel)
		n.initial, n.funded = true, true
		n.collateral = InitialCollateral(i)
		if nodeLabel != labelFluxnode {
			n.collateral.Hash = chainhash.DoubleSHA256([]byte(nodeLabel), n.collateral.Hash[:])
		}
		c.nodes = append(c.nodes, n)
		e := fluxnode.Entry{
			Collateral:       n.collateral,
			PubKey:           n.pub,
			CollateralPubKey: n.collPub,
			Status:           fluxnode.StatusConfirmed,
			Tier:             fluxnode.TierCumulus,
			IP:               n.ip,
		}
		e.PaymentAddress = fluxnode.PaymentAddress(p, &e)
		snap.Entries = append(snap.Entries, e)
	}
	c.snapshot = snap
	c.set = fluxnode.NewSetFromSnapshot(p, snap)
	return c
}

// tip returns the last block.
func (c *chainState) tip() *block {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.blocks[len(c.blocks)-1]
}

// height returns the tip height.
func (c *chainState) height() int32 { return c.tip().height }

// at returns the active block at height h, or nil.
func (c *chainState) at(h int32) *block {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if h < 0 || int(h) >= len(c.blocks) {
		return nil
	}
	return c.blocks[h]
}

// lookup returns the block with hash h, active or stale.
func (c *chainState) lookup(h chainhash.Hash) *block {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if b, ok := c.byHash[h]; ok {
		return b
	}
	return c.stale[h]
}

// Info implements header.Chain over the active chain. The owner calls it
// while it is the only writer, so no lock is needed for consistency, but
// taking the read lock keeps the race detector honest.
func (c *chainState) Info(h int32) (header.Info, bool) {
	b := c.at(h)
	if b == nil {
		return header.Info{}, false
	}
	return b.info, true
}

// connect applies block b (built on the tip) to the UTXO and fluxnode sets
// and appends it. It fails, changing nothing, if an input is missing or the
// fluxnode set skips one of the block's fluxnode transactions: fluxtest only
// mines valid blocks, so either is a bug.
func (c *chainState) connect(b *block) error {
	h := b.height
	if h != c.height()+1 {
		return fmt.Errorf("fluxtest: connect block %d on tip %d", h, c.height())
	}
	u := &blockUndo{}
	spentNow := make(map[chainhash.OutPoint]struct{})
	for i, t := range b.msg.Txs {
		if t.IsCoinBase() || t.IsFluxnode() {
			continue
		}
		for _, in := range t.Inputs {
			e, ok := c.utxo[in.PrevOut]
			if _, dup := spentNow[in.PrevOut]; !ok || dup {
				return fmt.Errorf("fluxtest: block %d tx %d spends missing output %s", h, i, in.PrevOut)
			}
			spentNow[in.PrevOut] = struct{}{}
			u.spent = append(u.spent, spentOut{op: in.PrevOut, e: e})
		}
	}
	setUndo, err := c.set.ApplyBlock(h, b.msg.Txs)
	if err != nil {
		return fmt.Errorf("fluxtest: block %d: fluxnode set: %w", h, err)
	}
	if len(setUndo.Skipped) > 0 {
		_ = c.set.Revert(setUndo)
		s := setUndo.Skipped[0]
		return fmt.Errorf("fluxtest: block %d: fluxnode tx %d for %s skipped: %s", h, s.TxIndex, s.Collateral, s.Reason)
	}
	u.set = setUndo
	for _, s := range u.spent {
		delete(c.utxo, s.op)
	}
	for i, t := range b.msg.Txs {
		id := b.txids[i]
		c.txHeight[id] = h
		if t.IsFluxnode() {
			continue
		}
		cb := t.IsCoinBase()
		for j, out := range t.Outputs {
			if isUnspendable(out.Script) {
				continue
			}
			op := chainhash.OutPoint{Hash: id, Index: uint32(j)}
			c.utxo[op] = utxoEntry{out: out, height: h, coinbase: cb}
			u.created = append(u.created, op)
			if string(out.Script) == string(c.walletScript) {
				c.walletOps = append(c.walletOps, op)
			}
		}
	}
	c.mu.Lock()
	c.blocks = append(c.blocks, b)
	c.byHash[b.hash] = b
	delete(c.stale, b.hash)
	c.mu.Unlock()
	c.undo = append(c.undo, u)
	return nil
}

// disconnect removes the tip block, restoring the UTXO and fluxnode sets,
// and returns it.
func (c *chainState) disconnect() (*block, error) {
	b := c.tip()
	if b.height == 0 {
		return nil, fmt.Errorf("fluxtest: cannot disconnect the genesis block")
	}
	u := c.undo[b.height]
	if err := c.set.Revert(u.set); err != nil {
		return nil, fmt.Errorf("fluxtest: disconnect block %d: %w", b.height, err)
	}
	for _, op := range u.created {
		delete(c.utxo, op)
	}
	for _, s := range u.spent {
		c.utxo[s.op] = s.e
	}
	for _, id := range b.txids {
		if c.txHeight[id] == b.height {
			delete(c.txHeight, id)
		}
	}
	c.undo = c.undo[:b.height]
	c.mu.Lock()
	c.blocks = c.blocks[:b.height]
	delete(c.byHash, b.hash)
	c.stale[b.hash] = b
	c.mu.Unlock()
	c.walletCursor = 0 // outputs it spent are unspent again
	return b, nil
}

// isUnspendable reports whether an output can never be spent (OP_RETURN),
// so it is not added to the UTXO set.
func isUnspendable(s []byte) bool { return len(s) > 0 && s[0] == 0x6a }
