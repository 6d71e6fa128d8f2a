package header

import (
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// Header version and future-time limits (src/main.cpp, src/main.h).
const (
	// MinBlockVersion is MIN_BLOCK_VERSION.
	MinBlockVersion = 4
	// MaxFutureBlockTimePreLWMA is how far past now a block may be dated before the LWMA upgrade (2 h).
	MaxFutureBlockTimePreLWMA = 2 * 60 * 60
	// MaxFutureBlockTimePoW is the limit for PoW blocks from the LWMA upgrade on (N*T/20 = 360 s).
	MaxFutureBlockTimePoW = 360
	// MaxFutureBlockTimePoN is the limit for PoN blocks (5 min).
	MaxFutureBlockTimePoN = 300
)

// CheckContextFree applies the rules that need nothing but the header and the
// network (fluxd's CheckBlockHeader without its clock rule, which is in
// CheckTime):
//   - nVersion >= 4 (ErrVersionTooLow);
//   - PoN: vchBlockSig at most 73 bytes, 512 for an emergency block
//     (ErrBadPoNSigSize); unless emergency, nBits sane and the PoN hash within
//     max(ponLimit, ponStartLimit) (ErrBadBits, ErrBadPoNHash);
//   - PoW: the Equihash solution valid for the variant its size selects
//     (ErrInvalidSolution), nBits sane and the block hash within it
//     (ErrBadBits, ErrHighHash).
//
// Producer and emergency signatures are not checked here.
func CheckContextFree(h *wire.BlockHeader, p *params.Params) error {
	if h.Version < MinBlockVersion {
		return ruleErr(ErrVersionTooLow, "version %d below %d", h.Version, MinBlockVersion)
	}
	if h.IsPoN() {
		emergency := IsEmergency(h, p)
		limit := wire.MaxBlockSigSize
		if emergency {
			limit = wire.MaxEmergencyBlockSigSize
		}
		if len(h.BlockSig) > limit {
			return ruleErr(ErrBadPoNSigSize, "block signature is %d bytes, maximum %d", len(h.BlockSig), limit)
		}
		if emergency {
			return nil
		}
		return CheckPoNTarget(h, 0, p)
	}
	if err := CheckEquihashSolution(h); err != nil {
		return err
	}
	return CheckProofOfWork(h.BlockHash(), h.Bits, p)
}

// CheckContextual applies the rules that need the header's height and its
// ancestors (fluxd's ContextualCheckBlockHeader, with ContextualCheckPONBlockHeader
// and the clock rule of CheckBlockHeader), in this order:
//   - height 0: the header must be the network's genesis block;
//   - the parent at height-1 must be in chain with hash hashPrevBlock (ErrBadPrevBlk);
//   - PoN active at height and not a PoN header: ErrNotPoNBlock; PoN header
//     before activation: ErrPrematurePoNBlock;
//   - nVersion >= 4, and >= 100 where PoN is active (ErrBadVersion);
//   - PoN: nBits equal to the PoN retarget unless height is in
//     p.PoNBitsCheckExempt (ErrBadPoNDiffBits); then, for an emergency block,
//     its signatures (VerifyEmergencySignatures), otherwise the PoN target at
//     this height (CheckPoNTarget);
//   - PoW: the solution size allowed at height (ErrBadSolutionSize) and nBits
//     equal to the difficulty algorithm's result (ErrBadDiffBits);
//   - the time rules (CheckTime);
//   - at a checkpoint height, the checkpoint's hash (ErrCheckpointMismatch).
//
// fluxd checks the PoN target before the retarget; this order reports a
// wrong nBits as ErrBadPoNDiffBits, the more precise reason. The verdict is
// the same. The Equihash itself, the reorg depth, the checkpoint fork rule and
// the producer signature are separate calls (CheckContextFree,
// CheckReorgDepth, CheckCheckpointFork, VerifyProducerSignature).
func CheckContextual(h *wire.BlockHeader, height int32, chain Chain, now time.Time, p *params.Params) error {
	if height <= 0 {
		if height == 0 && h.BlockHash() == p.GenesisHash {
			return nil
		}
		return ruleErr(ErrBadPrevBlk, "header at height %d is not the genesis block", height)
	}
	parent, ok := chain.Info(height - 1)
	if !ok || parent.Height != height-1 {
		return ruleErr(ErrBadPrevBlk, "parent at height %d unknown", height-1)
	}
	if parent.Hash != h.PrevBlock {
		return ruleErr(ErrBadPrevBlk, "hashPrevBlock %s is not the block %s at height %d", h.PrevBlock, parent.Hash, height-1)
	}
	ponActive := p.IsPoNActive(height)
	switch {
	case ponActive && !h.IsPoN():
		return ruleErr(ErrNotPoNBlock, "height %d needs a PoN block, got version %d", height, h.Version)
	case !ponActive && h.IsPoN():
		return ruleErr(ErrPrematurePoNBlock, "PoN block (version %d) before activation, height %d", h.Version, height)
	case h.Version < MinBlockVersion:
		return ruleErr(ErrBadVersion, "version %d below %d", h.Version, MinBlockVersion)
	}
	if h.IsPoN() {
		if err := checkPoNContextual(h, height, chain, p); err != nil {
			return err
		}
	} else {
		if err := CheckSolutionSize(h, height, p); err != nil {
			return err
		}
		want, err := NextWorkRequired(chain, height-1, h.Time, p)
		if err != nil {
			return err
		}
		if h.Bits != want {
			return ruleErr(ErrBadDiffBits, "nBits %#08x, difficulty algorithm gives %#08x at height %d", h.Bits, want, height)
		}
	}
	if err := CheckTime(h, height, chain, now, p); err != nil {
		return err
	}
	if cp, ok := p.CheckpointAt(height); ok {
		if got := h.BlockHash(); got != cp {
			return ruleErr(ErrCheckpointMismatch, "block %s at height %d, checkpoint is %s", got, height, cp)
		}
	}
	return nil
}

func checkPoNContextual(h *wire.BlockHeader, height int32, chain Chain, p *params.Params) error {
	want, err := NextPoNWorkRequired(chain, height-1, p)
	if err != nil {
		return err
	}
	if h.Bits != want && !p.PoNBitsCheckExempt.Contains(height) {
		return ruleErr(ErrBadPoNDiffBits, "nBits %#08x, PoN retarget gives %#08x at height %d", h.Bits, want, height)
	}
	if IsEmergency(h, p) {
		return VerifyEmergencySignatures(h, p)
	}
	return CheckPoNTarget(h, height, p)
}

// CheckTime applies the timestamp rules to a header at height whose ancestors
// chain holds, with now the caller's (network-adjusted) clock:
//   - PoN: time strictly greater than the parent's (ErrTimeNotIncreasing);
//   - PoW: time greater than the median time of the 11 blocks ending at the
//     parent (ErrTimeTooOld);
//   - no later than now + 2 h below the LWMA upgrade height, then now + 300 s
//     for PoN and now + 360 s for PoW (ErrTimeTooNew).
//
// fluxd picks the future limit by its own tip height; this uses the block's
// height, which is what a light node syncing history needs. A never-activating
// LWMA upgrade keeps the 2 h limit, as fluxd's unsigned comparison does.
func CheckTime(h *wire.BlockHeader, height int32, chain Chain, now time.Time, p *params.Params) error {
	if height > 0 {
		if h.IsPoN() {
			parent, err := ancestor(chain, height-1)
			if err != nil {
				return err
			}
			if h.Time <= parent.Time {
				return ruleErr(ErrTimeNotIncreasing, "time %d not after the parent's %d", h.Time, parent.Time)
			}
		} else {
			mtp, err := MedianTimePast(chain, height-1)
			if err != nil {
				return err
			}
			if int64(h.Time) <= mtp {
				return ruleErr(ErrTimeTooOld, "time %d not after the median time past %d", h.Time, mtp)
			}
		}
	}
	var ahead int64
	lwma := p.ActivationHeight(params.UpgradeLWMA)
	switch {
	case lwma == params.NoActivationHeight || height < lwma:
		ahead = MaxFutureBlockTimePreLWMA
	case h.IsPoN():
		ahead = MaxFutureBlockTimePoN
	default:
		ahead = MaxFutureBlockTimePoW
	}
	if limit := now.Unix() + ahead; int64(h.Time) > limit {
		return ruleErr(ErrTimeTooNew, "time %d more than %d s after now (%d)", h.Time, ahead, now.Unix())
	}
	return nil
}
