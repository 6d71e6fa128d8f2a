package reserve

import (
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// ProofVersion is the first byte of a proof's binary form.
const ProofVersion = 0x01

// MaxProofDepth is the depth of the merkle tree of the largest transaction
// count a block can hold (wire.MaxTxPerBlock, 400,000 leaves): the longest
// branch any proof can carry.
const MaxProofDepth = 19

// Proof ties one transaction to a block header: the header, the
// transaction's position, the merkle branch from its txid to the header's
// merkle root, and the raw transaction itself. It proves inclusion in that
// header only; whether the header is in the best chain is for the caller to
// check against its own header chain.
type Proof struct {
	// Header is the block header in its full wire form.
	Header []byte
	// TxIndex is the transaction's position in the block; TxCount is the
	// block's transaction count.
	TxIndex, TxCount uint32
	// Branch holds the sibling hashes from the leaf up to the root (fluxd's
	// GetMerkleBranch), in internal byte order.
	Branch []chainhash.Hash
	// RawTx is the transaction's wire encoding.
	RawTx []byte
}

// treeDepth returns the number of levels above the leaves of a merkle tree
// with n >= 1 leaves: the length of every branch in it.
func treeDepth(n uint32) int {
	d := 0
	for ; n > 1; n = (n + 1) / 2 {
		d++
	}
	return d
}

func hashPair(a, b chainhash.Hash) chainhash.Hash { return chainhash.DoubleSHA256(a[:], b[:]) }

// Verify checks the proof and returns the txid of RawTx (internal order). It
// decodes the header and the transaction, recomputes the txid, requires
// TxIndex < TxCount <= wire.MaxTxPerBlock, a branch exactly as long as the
// depth of a tree of TxCount leaves, and that the branch leads from the txid
// at TxIndex to the header's merkle root.
//
// SECURITY: an odd level of a FLUX merkle tree pairs its last node with
// itself, so a branch also folds to the root from the duplicate's position
// (tx.VerifyMerkleBranch's caveat). Verify therefore also requires, level by
// level, that a node pairs with itself exactly where TxCount says the level
// ends on an odd node: a position claimed as a right child whose left sibling
// equals it is refused, and so is a last-of-odd-level position whose sibling
// is not itself. With the txid recomputed from a decoded transaction, the
// proven position is then the transaction's real position in the block.
// TxCount is bound only as far as those checks reach.
func (p *Proof) Verify() (txid chainhash.Hash, err error) {
	h, err := wire.DecodeBlockHeader(p.Header)
	if err != nil {
		return txid, wrap(CodeProofHeader, err, "")
	}
	t, err := tx.Decode(p.RawTx)
	if err != nil {
		return txid, wrap(CodeProofTx, err, "")
	}
	txid = t.TxID()
	if p.TxCount == 0 || p.TxCount > wire.MaxTxPerBlock || p.TxIndex >= p.TxCount {
		return txid, errorf(CodeProofIndex, "index %d of %d transactions (at most %d)", p.TxIndex, p.TxCount, wire.MaxTxPerBlock)
	}
	if d := treeDepth(p.TxCount); len(p.Branch) != d {
		return txid, errorf(CodeProofDepth, "branch of %d hashes, a tree of %d leaves has depth %d", len(p.Branch), p.TxCount, d)
	}
	cur, idx, n := txid, p.TxIndex, p.TxCount
	for level, sib := range p.Branch {
		lastOfOdd := idx == n-1 && n%2 == 1
		switch {
		case lastOfOdd && sib != cur:
			return txid, errorf(CodeProofDuplicate, "level %d: the last node of an odd level must pair with itself", level)
		case !lastOfOdd && sib == cur:
			return txid, errorf(CodeProofDuplicate, "level %d: node %d pairs with an identical sibling (duplicated position)", level, idx)
		}
		if idx&1 == 1 {
			cur = hashPair(sib, cur)
		} else {
			cur = hashPair(cur, sib)
		}
		idx >>= 1
		n = (n + 1) / 2
	}
	if cur != h.MerkleRoot {
		return txid, errorf(CodeProofRoot, "branch leads to %s, header %s has merkle root %s", cur, h.BlockHash(), h.MerkleRoot)
	}
	return txid, nil
}

// MarshalBinary encodes the proof: version(1) ‖ varbytes header ‖
// uint32 TxIndex ‖ uint32 TxCount ‖ compactsize branch length ‖ hashes ‖
// varbytes raw tx (integers little-endian, as on the FLUX wire). It fails
// with CodeProofEncoding when a field exceeds what UnmarshalProof accepts.
func (p *Proof) MarshalBinary() ([]byte, error) {
	if err := p.checkSizes(); err != nil {
		return nil, err
	}
	return p.appendBinary(nil), nil
}

// checkSizes applies the decode bounds to the fields.
func (p *Proof) checkSizes() error {
	switch {
	case len(p.Header) > wire.MaxHeaderSize:
		return errorf(CodeProofEncoding, "header of %d bytes, at most %d", len(p.Header), wire.MaxHeaderSize)
	case len(p.Branch) > MaxProofDepth:
		return errorf(CodeProofEncoding, "branch of %d hashes, at most %d", len(p.Branch), MaxProofDepth)
	case len(p.RawTx) > wire.MaxTxSize:
		return errorf(CodeProofEncoding, "raw tx of %d bytes, at most %d", len(p.RawTx), wire.MaxTxSize)
	}
	return nil
}

// encodedSize is the length of the binary form.
func (p *Proof) encodedSize() int {
	return 1 + codec.CompactSizeLen(uint64(len(p.Header))) + len(p.Header) + 8 +
		codec.CompactSizeLen(uint64(len(p.Branch))) + len(p.Branch)*chainhash.Size +
		codec.CompactSizeLen(uint64(len(p.RawTx))) + len(p.RawTx)
}

// appendBinary appends the binary form without checking sizes.
func (p *Proof) appendBinary(b []byte) []byte {
	w := codec.NewWriter(len(b) + p.encodedSize())
	w.Write(b)
	w.Uint8(ProofVersion)
	w.VarBytes(p.Header)
	w.Uint32(p.TxIndex)
	w.Uint32(p.TxCount)
	w.CompactSize(uint64(len(p.Branch)))
	for _, h := range p.Branch {
		w.Hash(h)
	}
	w.VarBytes(p.RawTx)
	return w.Bytes()
}

// UnmarshalProof decodes MarshalBinary's form. Every length is checked
// against its bound (wire.MaxHeaderSize, MaxProofDepth, wire.MaxTxSize) and
// the bytes left before anything is allocated; trailing bytes are refused.
// Errors are *Error with CodeProofEncoding wrapping the decoder's error. It
// does not verify the proof.
func UnmarshalProof(b []byte) (*Proof, error) {
	r := codec.NewReader(b)
	p, err := decodeProof(r)
	if err == nil {
		err = r.End("proof")
	}
	if err != nil {
		return nil, wrap(CodeProofEncoding, err, "")
	}
	return p, nil
}

func decodeProof(r *codec.Reader) (*Proof, error) {
	v, err := r.Uint8("proof.version")
	if err != nil {
		return nil, err
	}
	if v != ProofVersion {
		return nil, r.Fail("proof.version", codec.ErrInvalid, "version %d, want %d", v, ProofVersion)
	}
	p := new(Proof)
	if p.Header, err = r.VarBytes("proof.header", wire.MaxHeaderSize); err != nil {
		return nil, err
	}
	if p.TxIndex, err = r.Uint32("proof.tx_index"); err != nil {
		return nil, err
	}
	if p.TxCount, err = r.Uint32("proof.tx_count"); err != nil {
		return nil, err
	}
	n, err := r.Count("proof.branch", MaxProofDepth, chainhash.Size)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		p.Branch = make([]chainhash.Hash, n)
		for i := range p.Branch {
			if p.Branch[i], err = r.Hash("proof.branch"); err != nil {
				return nil, err
			}
		}
	}
	if p.RawTx, err = r.VarBytes("proof.raw_tx", wire.MaxTxSize); err != nil {
		return nil, err
	}
	return p, nil
}

// merkleTree holds every level of a block's merkle tree, leaves first, so
// that the branches of several transactions cost one tree build.
type merkleTree struct {
	levels [][]chainhash.Hash
}

// buildTree builds the tree of txids (at least one) as fluxd's
// BuildMerkleTree does, and reports whether it is mutated (some level of
// even length ends in two identical nodes).
func buildTree(txids []chainhash.Hash) (t merkleTree, root chainhash.Hash, mutated bool) {
	level := txids
	t.levels = append(t.levels, level)
	for n := len(level); n > 1; n = len(level) {
		if n%2 == 0 && level[n-2] == level[n-1] {
			mutated = true
		}
		next := make([]chainhash.Hash, (n+1)/2)
		for i := range next {
			j := 2*i + 1
			if j == n {
				j = 2 * i
			}
			next[i] = hashPair(level[2*i], level[j])
		}
		level = next
		t.levels = append(t.levels, level)
	}
	return t, level[0], mutated
}

// branch returns the merkle branch of leaf index (as tx.MerkleBranch).
func (t *merkleTree) branch(index int) []chainhash.Hash {
	depth := len(t.levels) - 1
	if depth == 0 {
		return nil
	}
	out := make([]chainhash.Hash, depth)
	for l := range depth {
		level := t.levels[l]
		sib := index ^ 1
		if sib >= len(level) {
			sib = len(level) - 1
		}
		out[l] = level[sib]
		index >>= 1
	}
	return out
}

// NewProof builds the proof of the transaction at index in a block whose
// header is header and whose transactions have txids (internal order). It
// checks that the txids give the header's merkle root, unmutated, and that
// rawTx hashes to txids[index]; the result passes Verify.
func NewProof(header *wire.BlockHeader, txids []chainhash.Hash, index int, rawTx []byte) (*Proof, error) {
	if header == nil || len(txids) == 0 || len(txids) > wire.MaxTxPerBlock || index < 0 || index >= len(txids) {
		return nil, errorf(CodeBlock, "proof of index %d among %d txids", index, len(txids))
	}
	t, err := tx.Decode(rawTx)
	if err != nil {
		return nil, wrap(CodeProofTx, err, "")
	}
	if id := t.TxID(); id != txids[index] {
		return nil, errorf(CodeBlock, "raw tx hashes to %s, txid %d is %s", id, index, txids[index])
	}
	tree, root, mutated := buildTree(txids)
	if err := checkRoot(header, root, mutated, len(txids)); err != nil {
		return nil, err
	}
	p := &Proof{
		Header:  header.Bytes(),
		TxIndex: uint32(index),
		TxCount: uint32(len(txids)),
		Branch:  tree.branch(index),
		RawTx:   rawTx,
	}
	return p, p.checkSizes()
}

func checkRoot(header *wire.BlockHeader, root chainhash.Hash, mutated bool, n int) error {
	if mutated {
		return errorf(CodeMerkle, "the %d txids form a mutated tree", n)
	}
	if root != header.MerkleRoot {
		return errorf(CodeMerkle, "the %d txids give root %s, header %s has %s", n, root, header.BlockHash(), header.MerkleRoot)
	}
	return nil
}
