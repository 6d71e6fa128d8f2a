package header

import (
	"encoding/binary"
	"math/big"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/sig"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// Slot returns the PoN slot of a block time (GetSlotNumber): the seconds since
// the genesis block divided by the PoN spacing, truncating toward zero as the
// C++ int64 division does, then narrowed to uint32. A time before genesis
// therefore gives 0 for the first spacing and wraps to 2^32-1, 2^32-2, …
// further back, exactly as fluxd computes it.
func Slot(p *params.Params, time uint32) uint32 {
	if p.PoNTargetSpacing == 0 {
		return 0
	}
	since := int64(time) - int64(p.GenesisTime())
	return uint32(since / p.PoNTargetSpacing)
}

// PoNHash returns the PoN lottery hash (GetPONHash): SHA256d of the collateral
// txid (internal order), LE32 collateral index, the previous block hash
// (internal order) and LE32 slot, 72 bytes in all.
func PoNHash(collateral chainhash.OutPoint, prev chainhash.Hash, slot uint32) chainhash.Hash {
	var b [72]byte
	copy(b[0:32], collateral.Hash[:])
	binary.LittleEndian.PutUint32(b[32:36], collateral.Index)
	copy(b[36:68], prev[:])
	binary.LittleEndian.PutUint32(b[68:72], slot)
	return chainhash.DoubleSHA256(b[:])
}

// HeaderPoNHash returns the PoN lottery hash of a PoN header.
func HeaderPoNHash(h *wire.BlockHeader, p *params.Params) chainhash.Hash {
	return PoNHash(h.Collateral, h.PrevBlock, Slot(p, h.Time))
}

// maxPoNTarget is the largest target CheckProofOfNode allows: ponStartLimit
// for heights in the first difficulty window after activation, ponLimit from
// then on; with no height (height <= 0, the context-free check) the larger of
// the two.
func maxPoNTarget(height int32, p *params.Params) *bigIntRef {
	if height <= 0 {
		if p.PoNLimit.Cmp(p.PoNStartLimit) < 0 {
			return &bigIntRef{p.PoNStartLimit, "ponStartLimit"}
		}
		return &bigIntRef{p.PoNLimit, "ponLimit"}
	}
	if int64(height) >= int64(p.PoNActivationHeight())+p.PoNDifficultyWindow {
		return &bigIntRef{p.PoNLimit, "ponLimit"}
	}
	return &bigIntRef{p.PoNStartLimit, "ponStartLimit"}
}

// CheckPoNTarget checks a PoN header's lottery (CheckProofOfNode over
// GetPONHash): nBits must decode to a positive, non-overflowing target no
// larger than the limit at height, and the PoN hash, read as a little-endian
// 256-bit integer, must not exceed it. height <= 0 means "height unknown" and
// allows the larger of ponLimit and ponStartLimit, as fluxd's context-free
// CheckBlockHeader does. Networks with SkipPoNTargetCheck (regtest) pass.
// Emergency blocks are not exempted here; callers skip them (IsEmergency).
func CheckPoNTarget(h *wire.BlockHeader, height int32, p *params.Params) error {
	if p.SkipPoNTargetCheck {
		return nil
	}
	lim := maxPoNTarget(height, p)
	target, err := checkTargetRange(h.Bits, lim.v, "PoN "+lim.name)
	if err != nil {
		return err
	}
	ph := HeaderPoNHash(h, p)
	if hashToBig(ph).Cmp(target) > 0 {
		return ruleErr(ErrBadPoNHash, "PoN hash %s above target %#08x (slot %d)", ph, h.Bits, Slot(p, h.Time))
	}
	return nil
}

// IsEmergency reports whether h is an emergency block (IsEmergencyBlock): a
// PoN header whose collateral is the network's emergency outpoint (1111…11:0).
func IsEmergency(h *wire.BlockHeader, p *params.Params) bool {
	return h.IsPoN() && h.Collateral == p.EmergencyCollateral
}

// IsTestBypass reports whether h uses the testnet/regtest "TESTNOD"
// collateral (…:0) whose blocks fluxd accepts without a producer signature.
// It is always false on networks without TestBypassCollateral.
func IsTestBypass(h *wire.BlockHeader, p *params.Params) bool {
	return h.IsPoN() && p.TestBypassCollateral != nil &&
		h.Collateral.Hash == *p.TestBypassCollateral && h.Collateral.Index == 0
}

// VerifyProducerSignature checks a normal PoN block's signature against the
// producer's operational public key (compressed or uncompressed), as fluxd's
// CPubKey::Verify does: vchBlockSig at most 73 bytes, strict DER, a high-S
// signature normalized to low-S and accepted, message = the raw 32-byte block
// hash (SHA256d of the first 144 header bytes, internal order). Finding the
// producer's key is the caller's job (its fluxnode set). PoW and emergency
// headers are rejected: they have no producer. Blocks using the testnet
// bypass collateral (IsTestBypass) are accepted without a check, as in fluxd.
func VerifyProducerSignature(h *wire.BlockHeader, producerPubKey []byte) error {
	if !h.IsPoN() {
		return ruleErr(ErrNotPoNBlock, "version %d header has no producer signature", h.Version)
	}
	if len(h.BlockSig) > wire.MaxBlockSigSize {
		return ruleErr(ErrBadPoNSigSize, "block signature is %d bytes, maximum %d", len(h.BlockSig), wire.MaxBlockSigSize)
	}
	hash := h.BlockHash()
	if err := sig.Verify(producerPubKey, hash, h.BlockSig, false); err != nil {
		return wrapErr(ErrBadPoNSignature, err, "block %s: %v", hash, err)
	}
	return nil
}

// VerifyProducerSignatureFor is VerifyProducerSignature with the network's
// rules applied first: emergency blocks are refused (use
// VerifyEmergencySignatures) and test-bypass blocks pass.
func VerifyProducerSignatureFor(h *wire.BlockHeader, producerPubKey []byte, p *params.Params) error {
	if IsEmergency(h, p) {
		return ruleErr(ErrBadPoNSignature, "emergency block has no producer; check its emergency signatures")
	}
	if IsTestBypass(h, p) {
		return nil
	}
	return VerifyProducerSignature(h, producerPubKey)
}

// bigIntRef is a limit and the name it is reported under.
type bigIntRef struct {
	v    *big.Int
	name string
}
