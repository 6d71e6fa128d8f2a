package spv_test

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/store"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// The test chain: SimNet (PoN from height 1), producers whose keys are
// SHA256("spv-test/producer/<i>"), collaterals SHA256("spv-test/collateral/<i>"):0,
// all confirmed in the anchor's fluxnode snapshot at genesis.

var simnet = params.SimNet

// testNow is the clock of every test chain: far after any block time used.
var testNow = time.Unix(int64(simnet.GenesisTime())+20*365*24*3600, 0)

// producer is a fluxnode that can sign blocks.
type producer struct {
	key        *secp256k1.PrivateKey
	pub        []byte
	collateral chainhash.OutPoint
}

func newProducer(tag string) producer {
	seed := hashOf("spv-test/producer/" + tag)
	k := secp256k1.PrivKeyFromBytes(seed[:])
	return producer{key: k, pub: k.PubKey().SerializeCompressed(),
		collateral: chainhash.OutPoint{Hash: hashOf("spv-test/collateral/" + tag), Index: 0}}
}

func hashOf(s string) chainhash.Hash { return chainhash.Hash(sha256.Sum256([]byte(s))) }

// reserveScript is the test reserve's P2SH scriptPubKey.
var reserveScript = script.P2SH([20]byte{0xfb, 1, 2, 3})

// branch is a simulated chain from genesis: blocks[h] is the block at height
// h (blocks[0] holds only the genesis header).
type branch struct {
	blocks []*wire.MsgBlock
}

// Info implements header.Chain for NextPoNWorkRequired.
func (b *branch) Info(h int32) (header.Info, bool) {
	if h < 0 || int(h) >= len(b.blocks) {
		return header.Info{}, false
	}
	x := &b.blocks[h].Header
	return header.Info{Height: h, Time: x.Time, Bits: x.Bits, Hash: x.BlockHash(), Version: x.Version}, true
}

func (b *branch) tip() int32                       { return int32(len(b.blocks) - 1) }
func (b *branch) at(h int32) *wire.MsgBlock        { return b.blocks[h] }
func (b *branch) hash(h int32) chainhash.Hash      { return b.blocks[h].Header.BlockHash() }
func (b *branch) header(h int32) *wire.BlockHeader { return &b.blocks[h].Header }

// fork returns a new branch sharing this one's blocks up to height h.
func (b *branch) fork(h int32) *branch {
	return &branch{blocks: append([]*wire.MsgBlock(nil), b.blocks[:h+1]...)}
}

// headers returns the headers of heights from..to.
func (b *branch) headers(from, to int32) []*wire.BlockHeader {
	var out []*wire.BlockHeader
	for h := from; h <= to; h++ {
		x := b.blocks[h].Header
		out = append(out, &x)
	}
	return out
}

// msgs returns the blocks of heights from..to.
func (b *branch) msgs(from, to int32) []*wire.MsgBlock {
	return append([]*wire.MsgBlock(nil), b.blocks[from:to+1]...)
}

// world is a test network: its producers and the anchor they are in.
type world struct {
	t         testing.TB
	producers []producer
}

func newWorld(t testing.TB, n int) *world {
	w := &world{t: t}
	for i := range n {
		w.producers = append(w.producers, newProducer(string(rune('a'+i))))
	}
	return w
}

func (w *world) anchor() *spv.Anchor {
	snap := &fluxnode.Snapshot{Height: 0, BlockHash: simnet.GenesisHash}
	for i, p := range w.producers {
		snap.Entries = append(snap.Entries, fluxnode.Entry{
			Collateral: p.collateral, PubKey: p.pub, CollateralPubKey: p.pub,
			Status: fluxnode.StatusConfirmed, ConfirmedHeight: 0, LastConfirmedHeight: 0, Tier: 1,
			IP: producerIP(i),
		})
	}
	return &spv.Anchor{Height: 0, Hash: simnet.GenesisHash, Fluxnodes: snap}
}

func (w *world) genesis() *branch {
	return &branch{blocks: []*wire.MsgBlock{{Header: *simnet.GenesisHeader()}}}
}

// updateEvery is how often extend adds update CONFIRMs of every producer.
const updateEvery = 550

func producerIP(i int) string { return "10.0.0." + string(rune('1'+i)) }

// blockOpts shapes one block.
type blockOpts struct {
	producer *producer             // default: producers[height % n]
	txs      []*tx.Tx              // after the coinbase
	tag      byte                  // distinguishes blocks of competing branches
	signer   *secp256k1.PrivateKey // default: the producer's key
	unsigned bool
}

// coinbase builds a coinbase for height whose script makes it unique per tag.
func coinbase(height int32, tag byte) *tx.Tx {
	c := tx.NewV4(0, 0)
	sig := binary.LittleEndian.AppendUint32([]byte{4}, uint32(height))
	sig = append(sig, 1, tag)
	c.Inputs = []tx.TxIn{{PrevOut: chainhash.OutPoint{Index: 0xffffffff}, ScriptSig: sig, Sequence: 0xffffffff}}
	c.Outputs = []tx.TxOut{{Value: 0, Script: []byte{0x51}}}
	return c
}

// extend mines one block on b and returns it.
func (w *world) extend(b *branch, o blockOpts) *wire.MsgBlock {
	w.t.Helper()
	height := b.tip() + 1
	prod := o.producer
	if prod == nil {
		prod = &w.producers[int(height)%len(w.producers)]
	}
	txs := append([]*tx.Tx{coinbase(height, o.tag)}, o.txs...)
	if height%updateEvery == 0 {
		// Keep the anchor's producers alive: a confirmed node expires 640
		// blocks after its last CONFIRM; an update is allowed after 500.
		for i, p := range w.producers {
			txs = append(txs, fluxnode.NewConfirmTx(p.collateral, uint32(testNow.Unix()), 1, producerIP(i)))
		}
	}
	ids := make([]chainhash.Hash, len(txs))
	for i, t := range txs {
		ids[i] = t.TxID()
	}
	root, _ := tx.MerkleRoot(ids)
	bits, err := header.NextPoNWorkRequired(b, height-1, simnet)
	if err != nil {
		w.t.Fatal(err)
	}
	parent := b.header(height - 1)
	h := wire.BlockHeader{Version: wire.PoNVersion, PrevBlock: parent.BlockHash(), MerkleRoot: root,
		Bits: bits, Collateral: prod.collateral}
	// Grind the slot: one try per 30-second slot until the lottery passes.
	for h.Time = parent.Time + 30; header.CheckPoNTarget(&h, height, simnet) != nil; h.Time += 30 {
	}
	if !o.unsigned {
		key := prod.key
		if o.signer != nil {
			key = o.signer
		}
		hash := h.BlockHash()
		h.BlockSig = ecdsa.Sign(key, hash[:]).Serialize()
	}
	m := &wire.MsgBlock{Header: h, Txs: txs}
	b.blocks = append(b.blocks, m)
	return m
}

// grow mines n blocks with default options and tag.
func (w *world) grow(b *branch, n int, tag byte) {
	for range n {
		w.extend(b, blockOpts{tag: tag})
	}
}

// lockTx is a lock payment of value to the reserve with an FLXB1 memo.
func lockTx(tag string, value int64) *tx.Tx {
	t := tx.NewV4(0, 0)
	t.Inputs = []tx.TxIn{{PrevOut: chainhash.OutPoint{Hash: hashOf("spv-test/funding/" + tag), Index: 0},
		ScriptSig: []byte{0x51}, Sequence: 0xffffffff}}
	m := memo.Lock{ChainID: 1337}
	m.Recipient[31] = 7
	t.Outputs = []tx.TxOut{{Value: value, Script: reserveScript}, {Value: 0, Script: memo.Script(m)}}
	return t
}

// spendTx spends op (with a dummy scriptSig) to a P2PKH output.
func spendTx(op chainhash.OutPoint) *tx.Tx {
	t := tx.NewV4(0, 0)
	t.Inputs = []tx.TxIn{{PrevOut: op, ScriptSig: []byte{0x51}, Sequence: 0xffffffff}}
	t.Outputs = []tx.TxOut{{Value: 1000, Script: script.P2PKH([20]byte{9})}}
	return t
}

// node is a Chain on a real SQLite store.
type node struct {
	t     testing.TB
	db    *store.DB
	path  string
	chain *spv.Chain
}

func newScanner(t testing.TB) *reserve.Scanner {
	s, err := reserve.NewScanner(reserve.Config{Params: simnet, ReserveScripts: [][]byte{reserveScript},
		SupportedChains: func(uint32) bool { return true }, MinLock: 1})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// openNode opens a chain at path (a new file in TempDir when empty).
func (w *world) openNode(path string) *node {
	w.t.Helper()
	if path == "" {
		path = w.t.TempDir() + "/flux.db"
	}
	db, err := store.Open(path)
	if err != nil {
		w.t.Fatal(err)
	}
	c, err := spv.Open(spv.Config{Params: simnet, Store: db, Anchor: w.anchor(), Scanner: newScanner(w.t),
		Now: func() time.Time { return testNow }, Workers: 2})
	if err != nil {
		db.Close()
		w.t.Fatal(err)
	}
	n := &node{t: w.t, db: db, path: path, chain: c}
	w.t.Cleanup(func() { n.close() })
	return n
}

func (n *node) close() {
	if n.chain != nil {
		n.chain.Close()
		n.db.Close()
		n.chain = nil
	}
}

// reopen closes and reopens the node on the same file.
func (n *node) reopen(w *world) *node {
	n.close()
	return w.openNode(n.path)
}

// headers feeds b's headers from..to in messages of at most 160.
func (n *node) headers(b *branch, from, to int32) error {
	for lo := from; lo <= to; lo += wire.MaxHeadersPerMessage {
		hi := min(lo+wire.MaxHeadersPerMessage-1, to)
		if _, err := n.chain.ProcessHeaders(b.headers(lo, hi)); err != nil {
			return err
		}
	}
	return nil
}

// sync feeds b's headers and then its blocks (as WantBlocks asks) up to b's tip.
func (n *node) sync(b *branch) error {
	tip := n.chain.Tip().Height
	from := max(tip-spv.WindowSize/2, 1)
	if err := n.headers(b, from, b.tip()); err != nil {
		return err
	}
	return n.blocks(b, 500)
}

// blocks connects what WantBlocks asks for, from b, in batches.
func (n *node) blocks(b *branch, batch int) error {
	byHash := make(map[chainhash.Hash]*wire.MsgBlock)
	for _, m := range b.blocks[1:] {
		byHash[m.Header.BlockHash()] = m
	}
	for {
		want := n.chain.WantBlocks(batch)
		var bs []*wire.MsgBlock
		for _, h := range want {
			if m, ok := byHash[h]; ok {
				bs = append(bs, m)
			}
		}
		if len(bs) == 0 {
			return nil
		}
		got, err := n.chain.ProcessBlocks(bs)
		if err != nil {
			return err
		}
		if got == 0 {
			return nil
		}
	}
}

func (n *node) mustSync(b *branch) {
	n.t.Helper()
	if err := n.sync(b); err != nil {
		n.t.Fatal(err)
	}
	if got, want := n.chain.Tip().Hash, b.hash(b.tip()); got != want {
		n.t.Fatalf("tip %d %s, want %d %s", n.chain.Tip().Height, got, b.tip(), want)
	}
}
