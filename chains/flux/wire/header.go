package wire

import (
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
)

// Header sizes and limits (RunOnFlux/fluxd src/primitives/block.h, src/main.h).
const (
	// CommonHeaderSize is the part shared by PoW and PoN headers:
	// version, prev, merkle root, final Sapling root, time, bits.
	CommonHeaderSize = 4 + 32 + 32 + 32 + 4 + 4
	// EquihashInputSize is the common part plus the 32-byte nonce: what Equihash hashes.
	EquihashInputSize = CommonHeaderSize + 32
	// PoNHashedSize is the part of a PoN header covered by its block hash:
	// the common part plus the 36-byte collateral outpoint.
	PoNHashedSize = CommonHeaderSize + 36
	// PoNVersion is the first header version that means Proof-of-Node.
	PoNVersion = 100
	// MaxSolutionSize is the largest Equihash solution any era uses ((200,9): 1344 bytes).
	MaxSolutionSize = 1344
	// MaxBlockSigSize is the longest signature of a normal PoN block (MAX_BLOCK_SIG_SIZE).
	MaxBlockSigSize = 73
	// MaxEmergencyBlockSigSize is the longest signature field of an emergency block.
	MaxEmergencyBlockSigSize = 512
	// MaxHeaderSize is the longest header encoding: a (200,9) PoW header.
	MaxHeaderSize = EquihashInputSize + 3 + MaxSolutionSize
)

// BlockHeader is a FLUX block header in either encoding. Version < 100 is a PoW
// header (Nonce and Solution are set); Version >= 100 is a PoN header
// (Collateral and BlockSig are set). The fields of the other kind stay zero.
type BlockHeader struct {
	Version          int32
	PrevBlock        chainhash.Hash
	MerkleRoot       chainhash.Hash
	FinalSaplingRoot chainhash.Hash
	Time             uint32
	Bits             uint32

	// PoW only.
	Nonce    [32]byte
	Solution []byte

	// PoN only. BlockSig is a DER signature over the block hash, or for an
	// emergency block a serialized vector of DER signatures. It is not covered
	// by the block hash.
	Collateral chainhash.OutPoint
	BlockSig   []byte
}

// IsPoN reports whether the header is a Proof-of-Node header (version >= 100).
func (h *BlockHeader) IsPoN() bool { return h.Version >= PoNVersion }

// Decode reads one header in its full wire form (PoW with solution, PoN with signature).
func (h *BlockHeader) Decode(r *codec.Reader) error {
	var err error
	if h.Version, err = r.Int32("header.version"); err != nil {
		return err
	}
	if h.PrevBlock, err = r.Hash("header.prev"); err != nil {
		return err
	}
	if h.MerkleRoot, err = r.Hash("header.merkle_root"); err != nil {
		return err
	}
	if h.FinalSaplingRoot, err = r.Hash("header.final_sapling_root"); err != nil {
		return err
	}
	if h.Time, err = r.Uint32("header.time"); err != nil {
		return err
	}
	if h.Bits, err = r.Uint32("header.bits"); err != nil {
		return err
	}
	if h.IsPoN() {
		h.Nonce, h.Solution = [32]byte{}, nil
		if h.Collateral, err = r.OutPoint("header.collateral"); err != nil {
			return err
		}
		h.BlockSig, err = r.VarBytes("header.block_sig", MaxEmergencyBlockSigSize)
		return err
	}
	h.Collateral, h.BlockSig = chainhash.OutPoint{}, nil
	if err = r.Fixed(h.Nonce[:], "header.nonce"); err != nil {
		return err
	}
	h.Solution, err = r.VarBytes("header.solution", MaxSolutionSize)
	return err
}

// Encode appends the full wire form of the header.
func (h *BlockHeader) Encode(w *codec.Writer) {
	h.encodeCommon(w)
	if h.IsPoN() {
		w.OutPoint(h.Collateral)
		w.VarBytes(h.BlockSig)
		return
	}
	w.Write(h.Nonce[:])
	w.VarBytes(h.Solution)
}

func (h *BlockHeader) encodeCommon(w *codec.Writer) {
	w.Int32(h.Version)
	w.Hash(h.PrevBlock)
	w.Hash(h.MerkleRoot)
	w.Hash(h.FinalSaplingRoot)
	w.Uint32(h.Time)
	w.Uint32(h.Bits)
}

// Bytes returns the full wire form of the header.
func (h *BlockHeader) Bytes() []byte {
	w := codec.NewWriter(MaxHeaderSize)
	h.Encode(w)
	return w.Bytes()
}

// HashedBytes returns the bytes the block hash covers: for PoW the whole header
// (solution included), for PoN the first 144 bytes (signature excluded).
func (h *BlockHeader) HashedBytes() []byte {
	if !h.IsPoN() {
		return h.Bytes()
	}
	w := codec.NewWriter(PoNHashedSize)
	h.encodeCommon(w)
	w.OutPoint(h.Collateral)
	return w.Bytes()
}

// BlockHash returns SHA256d of HashedBytes, in internal order.
func (h *BlockHeader) BlockHash() chainhash.Hash { return chainhash.DoubleSHA256(h.HashedBytes()) }

// EquihashInput returns the 140 bytes Equihash hashes: the common part and the nonce.
func (h *BlockHeader) EquihashInput() []byte {
	w := codec.NewWriter(EquihashInputSize)
	h.encodeCommon(w)
	w.Write(h.Nonce[:])
	return w.Bytes()
}

// DecodeBlockHeader decodes exactly one header from b; trailing bytes are an error.
func DecodeBlockHeader(b []byte) (*BlockHeader, error) {
	r := codec.NewReader(b)
	h := new(BlockHeader)
	if err := h.Decode(r); err != nil {
		return nil, err
	}
	if err := r.End("header"); err != nil {
		return nil, err
	}
	return h, nil
}
