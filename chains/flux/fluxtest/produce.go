package fluxtest

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// Block production constants.
const (
	// BlockSubsidy is what each coinbase pays the wallet, besides the fees:
	// the PoN subsidy of 14 FLUX. fluxd splits it between the tiers and the
	// dev fund; the light node does not check the split, so fluxtest pays
	// it all to its wallet.
	BlockSubsidy int64 = 14 * tx.Coin
	// maxSlotSearch bounds how many 30 s slots block production tries
	// before giving up (the chance that no node wins 1,000 slots in a row at
	// a target of ponLimit/2^k is negligible for any sane set).
	maxSlotSearch = 1000
)

// errNoProducer means no registered test node could produce the next block.
var errNoProducer = errors.New("fluxtest: no confirmed test fluxnode can produce the next block")

// candidate is a collateral that may win a slot and the key that signs for it.
type candidate struct {
	collateral chainhash.OutPoint
	key        *secp256k1.PrivateKey
}

// producers returns the test nodes that are confirmed in the current set:
// the nodes allowed to produce the next block (fluxd's minter iterates over
// confirmed nodes only).
func (c *chainState) producers() []candidate {
	var out []candidate
	for _, n := range c.nodes {
		if !n.funded {
			continue
		}
		if e, ok := c.set.Lookup(n.collateral); ok && e.Status == statusConfirmed {
			out = append(out, candidate{collateral: n.collateral, key: n.key})
		}
	}
	return out
}

// targetLE returns the target of bits as a little-endian 256-bit number,
// the byte order PoN hashes are compared in.
func targetLE(bits uint32) ([32]byte, error) {
	var le [32]byte
	t, neg, over := header.CompactToBig(bits)
	if neg || over || t.Sign() <= 0 || t.BitLen() > 256 {
		return le, fmt.Errorf("fluxtest: bad nBits %#08x", bits)
	}
	be := t.FillBytes(make([]byte, 32))
	for i := range be {
		le[i] = be[31-i]
	}
	return le, nil
}

// lessEqLE reports whether hash, read as a little-endian number, is at most t.
func lessEqLE(hash chainhash.Hash, t *[32]byte) bool {
	for i := 31; i >= 0; i-- {
		if hash[i] != t[i] {
			return hash[i] < t[i]
		}
	}
	return true
}

// lottery finds the first slot after the parent's time at which one of the
// candidates' PoN hash meets the target, and among the winners of that slot
// the lowest hash (fluxd's rank). With below set, a winner's PoN hash must
// also sort below it in fork-choice order (memcmp), so that an equal-length
// branch is preferred. It returns the block time and the winner.
func (c *chainState) lottery(parent *block, bits uint32, cands []candidate, below *chainhash.Hash) (uint32, int, chainhash.Hash, error) {
	if len(cands) == 0 {
		return 0, 0, chainhash.Hash{}, errNoProducer
	}
	target, err := targetLE(bits)
	if err != nil {
		return 0, 0, chainhash.Hash{}, err
	}
	spacing := uint32(c.p.PoNTargetSpacing)
	t := parent.info.Time
	for range maxSlotSearch {
		t += spacing
		slot := header.Slot(c.p, t)
		win, best := -1, chainhash.Hash{}
		for i, cd := range cands {
			ph := header.PoNHash(cd.collateral, parent.hash, slot)
			if !lessEqLE(ph, &target) || (below != nil && ph.Compare(*below) >= 0) {
				continue
			}
			if win < 0 || hashLessLE(ph, best) {
				win, best = i, ph
			}
		}
		if win >= 0 {
			return t, win, best, nil
		}
	}
	return 0, 0, chainhash.Hash{}, fmt.Errorf("fluxtest: no winner in %d slots after height %d", maxSlotSearch, parent.height)
}

// hashLessLE reports whether a < b as little-endian numbers.
func hashLessLE(a, b chainhash.Hash) bool {
	for i := 31; i >= 0; i-- {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// scriptNum returns the minimal CScriptNum encoding of a non-negative v.
func scriptNum(v int64) []byte {
	var b []byte
	for v > 0 {
		b = append(b, byte(v))
		v >>= 8
	}
	if len(b) > 0 && b[len(b)-1]&0x80 != 0 {
		b = append(b, 0)
	}
	return b
}

// coinbaseScript is the BIP34 height (as fluxd's CScript() << nHeight
// writes it: OP_1..OP_16 for small heights, else a minimal number push)
// followed by a push of the chain's tag, which makes branches differ.
func coinbaseScript(h int32, tag uint32) []byte {
	var s []byte
	if h >= 1 && h <= 16 {
		s = append(s, script.SmallIntOpcode(int(h)))
	} else {
		s = script.AppendPush(s, scriptNum(int64(h)))
	}
	var tb [4]byte
	binary.LittleEndian.PutUint32(tb[:], tag)
	return script.AppendPush(s, tb[:])
}

// coinbaseTx pays value to pay at height h.
func coinbaseTx(h int32, tag uint32, value int64, pay []byte) *tx.Tx {
	t := tx.NewV4(0, 0)
	t.Inputs = []tx.TxIn{{
		PrevOut:   chainhash.OutPoint{Index: 0xffffffff},
		ScriptSig: coinbaseScript(h, tag),
		Sequence:  0xffffffff,
	}}
	t.Outputs = []tx.TxOut{{Value: value, Script: pay}}
	return t
}

// fees returns the fees of txs against the UTXO set.
func (c *chainState) fees(txs []*tx.Tx) (int64, error) {
	var total int64
	for _, t := range txs {
		if t.IsFluxnode() {
			continue
		}
		var in, out int64
		for _, i := range t.Inputs {
			e, ok := c.utxo[i.PrevOut]
			if !ok {
				return 0, fmt.Errorf("fluxtest: tx %s spends missing output %s", t.TxID(), i.PrevOut)
			}
			in += e.out.Value
		}
		for _, o := range t.Outputs {
			out += o.Value
		}
		total += in - out
	}
	return total, nil
}

// template is a block on the tip before its producer is chosen: the
// transactions (coinbase first), their txids and the header fields that
// do not depend on the producer.
type template struct {
	parent *block
	height int32
	txs    []*tx.Tx
	txids  []chainhash.Hash
	hdr    wire.BlockHeader
}

// newTemplate builds a block template on the tip holding txs after a
// coinbase carrying tag.
func (c *chainState) newTemplate(txs []*tx.Tx, tag uint32) (*template, error) {
	parent := c.tip()
	h := parent.height + 1
	fee, err := c.fees(txs)
	if err != nil {
		return nil, err
	}
	all := make([]*tx.Tx, 0, len(txs)+1)
	all = append(all, coinbaseTx(h, tag, BlockSubsidy+fee, c.walletScript))
	all = append(all, txs...)
	ids := make([]chainhash.Hash, len(all))
	for i, t := range all {
		ids[i] = t.TxID()
	}
	root, _ := tx.MerkleRoot(ids)
	bits, err := header.NextPoNWorkRequired(c, parent.height, c.p)
	if err != nil {
		return nil, err
	}
	return &template{
		parent: parent,
		height: h,
		txs:    all,
		txids:  ids,
		hdr: wire.BlockHeader{
			Version:    wire.PoNVersion,
			PrevBlock:  parent.hash,
			MerkleRoot: root,
			Bits:       bits,
		},
	}, nil
}

// seal runs the lottery among cands, signs the header with the winner's
// key and returns the block.
func (c *chainState) seal(tp *template, cands []candidate, below *chainhash.Hash) (*block, error) {
	t, win, _, err := c.lottery(tp.parent, tp.hdr.Bits, cands, below)
	if err != nil {
		return nil, err
	}
	hdr := tp.hdr
	hdr.Time = t
	hdr.Collateral = cands[win].collateral
	hdr.BlockSig = signDER(cands[win].key, hdr.BlockHash())
	return newBlock(c.p, tp.height, &wire.MsgBlock{Header: hdr, Txs: tp.txs}, tp.txids), nil
}

// mineOne produces and connects the next block holding extra (already
// validated mempool transactions) after the scheduled fluxnode
// transactions. exclude reports outputs the wallet must not spend. below,
// when set, constrains the block's PoN hash (see lottery).
func (c *chainState) mineOne(extra []*tx.Tx, exclude func(chainhash.OutPoint) bool, below *chainhash.Hash) (*block, error) {
	sched := c.schedule(c.height()+1, exclude)
	txs := append(sched, extra...)
	tp, err := c.newTemplate(txs, c.tag)
	if err != nil {
		return nil, err
	}
	b, err := c.seal(tp, c.producers(), below)
	if err != nil {
		return nil, err
	}
	if err := c.connect(b); err != nil {
		return nil, err
	}
	return b, nil
}
