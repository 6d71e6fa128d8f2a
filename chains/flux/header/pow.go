package header

import (
	"math/big"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/equihash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// CheckProofOfWork is fluxd's CheckProofOfWork: bits must decode to a
// positive, non-overflowing target no larger than p.PowLimit (ErrBadBits), and
// the block hash read as a little-endian 256-bit integer must not exceed it
// (ErrHighHash). Networks with SkipPowCheck (regtest) pass everything, as
// fluxd returns before its range check there.
func CheckProofOfWork(hash chainhash.Hash, bits uint32, p *params.Params) error {
	if p.SkipPowCheck {
		return nil
	}
	target, err := checkTargetRange(bits, p.PowLimit, "PoW powLimit")
	if err != nil {
		return err
	}
	if hashToBig(hash).Cmp(target) > 0 {
		return ruleErr(ErrHighHash, "block hash %s above target %#08x", hash, bits)
	}
	return nil
}

// CheckEquihash checks a PoW header's Equihash solution at height: its size
// must be one allowed at height (ErrBadSolutionSize; see CheckSolutionSize),
// then the solution must verify under the variant its size selects
// (ErrInvalidSolution, with the equihash code in the reason and the
// *equihash.Error reachable through errors.As).
func CheckEquihash(h *wire.BlockHeader, height int32, p *params.Params) error {
	if err := CheckSolutionSize(h, height, p); err != nil {
		return err
	}
	return CheckEquihashSolution(h)
}

// CheckSolutionSize is the solution-size rule of ContextualCheckBlockHeader:
// the size must equal that of a variant p.AllowedEquihash(height) lists,
// unless height is in p.EquihashSizeExempt (testnet 0..320). An empty
// solution passes here, as in fluxd; the Equihash check rejects it.
func CheckSolutionSize(h *wire.BlockHeader, height int32, p *params.Params) error {
	n := len(h.Solution)
	if n == 0 || p.EquihashSizeExempt.Contains(height) {
		return nil
	}
	allowed := p.AllowedEquihash(height)
	for _, e := range allowed {
		if e.SolutionSize == n {
			return nil
		}
	}
	return ruleErr(ErrBadSolutionSize, "solution of %d bytes not allowed at height %d (allowed: %v)", n, height, sizes(allowed))
}

func sizes(es []params.EquihashParams) []int {
	out := make([]int, len(es))
	for i, e := range es {
		out[i] = e.SolutionSize
	}
	return out
}

// CheckEquihashSolution is fluxd's context-free CheckEquihashSolution: the variant is chosen
// by the solution size alone, then the solution is verified over the 140-byte
// Equihash input.
func CheckEquihashSolution(h *wire.BlockHeader) error {
	ep, ok := equihash.ParamsForSolutionSize(len(h.Solution))
	if !ok {
		return ruleErr(ErrInvalidSolution, "unsupported solution size %d", len(h.Solution))
	}
	if err := equihash.Verify(ep, h.EquihashInput(), h.Solution); err != nil {
		return wrapErr(ErrInvalidSolution, err, "Equihash(%d,%d) %s: %v", ep.N, ep.K, ep.Personalization, err)
	}
	return nil
}

// BlockWork returns the chainwork a block adds (GetBlockProof): 2^40 for a PoN
// block (version >= 100) whatever its bits; for a PoW block
// floor(2^256 / (target+1)), or 0 if bits decode to a negative, zero or
// overflowing target. The result is a new value the caller may modify.
func BlockWork(version int32, bits uint32) *big.Int {
	if version >= wire.PoNVersion {
		return new(big.Int).Set(ponWork)
	}
	t, neg, over := CompactToBig(bits)
	if neg || over || t.Sign() == 0 {
		return new(big.Int)
	}
	d := new(big.Int).Add(t, bigOne)
	return d.Quo(two256, d)
}
