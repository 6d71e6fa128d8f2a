package header

import (
	"math/big"
	"sort"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// Info is what the contextual rules need to know about one block of the
// branch being validated.
type Info struct {
	Height  int32
	Time    uint32
	Bits    uint32
	Hash    chainhash.Hash
	Version int32
}

// Chain is a read-only view of one branch of the header chain: the branch the
// header under validation extends. Info returns the block at the given height
// on that branch, or false if the view does not hold it (below the caller's
// anchor, or above the branch's tip). Implementations must not mix branches:
// Info(h) for every h up to the parent must be an ancestor of the header.
type Chain interface {
	Info(height int32) (Info, bool)
}

// medianTimeSpan is nMedianTimeSpan (src/chain.h).
const medianTimeSpan = 11

// Constants of fluxd's LWMA and LWMA3 (src/pow.cpp).
const lwmaFTL = 360

// MedianTimePast returns the median time of the block at height and the up to
// ten blocks before it (CBlockIndex::GetMedianTimePast): the times sorted, the
// middle one (the upper middle for an even count near genesis).
func MedianTimePast(chain Chain, height int32) (int64, error) {
	times := make([]int64, 0, medianTimeSpan)
	for i := int32(0); i < medianTimeSpan && height-i >= 0; i++ {
		b, err := ancestor(chain, height-i)
		if err != nil {
			return 0, err
		}
		times = append(times, int64(b.Time))
	}
	if len(times) == 0 {
		return 0, ruleErr(ErrMissingAncestor, "no block at height %d for the median time", height)
	}
	sort.Slice(times, func(a, b int) bool { return times[a] < times[b] })
	return times[len(times)/2], nil
}

func ancestor(chain Chain, h int32) (Info, error) {
	b, ok := chain.Info(h)
	if !ok {
		return Info{}, ruleErr(ErrMissingAncestor, "chain view has no block at height %d", h)
	}
	if b.Height != h {
		return Info{}, ruleErr(ErrMissingAncestor, "chain view returned height %d for height %d", b.Height, h)
	}
	return b, nil
}

// NextWorkRequired returns the nBits the block after the block at height last
// must carry, dispatching by height as fluxd's GetNextWorkRequiredByFork does:
// the PoN retarget from the PoN activation height on, the PoW algorithms
// before it. blockTime is the new block's time (only testnet's
// minimum-difficulty rule reads it). last < 0 means the block is genesis.
func NextWorkRequired(chain Chain, last int32, blockTime uint32, p *params.Params) (uint32, error) {
	if last < 0 {
		return BigToCompact(p.PowLimit), nil
	}
	if p.IsPoNActive(last + 1) {
		return NextPoNWorkRequired(chain, last, p)
	}
	return nextPoWWorkRequired(chain, last, blockTime, p)
}

// ehEpochEnd mirrors fluxd's eh_epoch_N_end(): activation + fade - 1 computed
// as an unsigned long, so a never-activating upgrade (-1) gives fade - 2.
func ehEpochEnd(p *params.Params, u params.Upgrade) uint64 {
	return uint64(int64(p.ActivationHeight(u)) + int64(p.EquihashFadeLength) - 1)
}

// nextPoWWorkRequired is fluxd's GetNextWorkRequired (src/pow.cpp).
func nextPoWWorkRequired(chain Chain, last int32, blockTime uint32, p *params.Params) (uint32, error) {
	powLimit := p.PowLimit
	limitBits := BigToCompact(powLimit)
	hLast := uint64(last)

	// Reset after the Equihash (144,5) fork, held for 61 blocks (unsigned compare as in C++).
	if e1 := ehEpochEnd(p, params.UpgradeEquihash144_5); hLast > e1-1 && hLast < e1+61 {
		return limitBits, nil
	}
	// ZelHash fork: LWMA3 plus a decreasing bonus of 1/32 of it per block.
	if e2 := ehEpochEnd(p, params.UpgradeKamiooka); hLast > e2-1 && hLast < e2+64 {
		lw, err := lwma3(chain, last, p)
		if err != nil {
			return 0, err
		}
		full, _, _ := CompactToBig(lw)
		step := new(big.Int).Rsh(full, 5)
		// C++: targetStep *= (eh_epoch_2_end() + 61 - nHeight), an unsigned long
		// narrowed to operator*=(uint32_t). For hLast 372,572 and 372,573 the
		// expression is negative, so the multiplier is 2^32-1 and 2^32-2 and the
		// 256-bit product wraps. Reproduced exactly.
		step = mulU32(step, uint32(e2+61-hLast))
		full = wrap(full.Add(full, step))
		if full.Cmp(powLimit) > 0 {
			full = powLimit
		}
		return BigToCompact(full), nil
	}
	prev, err := ancestor(chain, last)
	if err != nil {
		return 0, err
	}
	if p.PowAllowMinDifficultyBlocks && int64(blockTime) > int64(prev.Time)+p.PowTargetSpacing*2 {
		return limitBits, nil
	}

	// Average of the last DigishieldAveragingWindow targets; fewer blocks → powLimit.
	window := p.DigishieldAveragingWindow
	if int64(last)+1 <= window {
		return limitBits, nil
	}
	tot := new(big.Int)
	for i := int64(0); i < window; i++ {
		b, err := ancestor(chain, last-int32(i))
		if err != nil {
			return 0, err
		}
		t, _, _ := CompactToBig(b.Bits)
		wrap(tot.Add(tot, t))
	}
	avg, ok := divU64(tot, window)
	if !ok {
		return 0, ruleErr(ErrBadParams, "Digishield averaging window is zero")
	}
	first := last - int32(window)

	next := int64(last) + 1
	switch {
	case next < int64(p.ActivationHeight(params.UpgradeLWMA)):
		mtpLast, err := MedianTimePast(chain, last)
		if err != nil {
			return 0, err
		}
		mtpFirst, err := MedianTimePast(chain, first)
		if err != nil {
			return 0, err
		}
		return digishield(avg, mtpLast, mtpFirst, p)
	case next < int64(p.ActivationHeight(params.UpgradeAcadia)):
		return lwma(chain, last, p)
	default:
		return lwma3(chain, last, p)
	}
}

// digishield is DigishieldCalculateNextWorkRequired: Zcash's Digishield v3
// over the average target, with the median-time-past timespan dampened by 4
// and clamped, dividing before multiplying.
func digishield(avg *big.Int, mtpLast, mtpFirst int64, p *params.Params) (uint32, error) {
	span := p.DigishieldAveragingWindow * p.PowTargetSpacing
	minSpan := span * (100 - p.DigishieldMaxAdjustUp) / 100
	maxSpan := span * (100 + p.DigishieldMaxAdjustDown) / 100
	actual := mtpLast - mtpFirst
	actual = span + (actual-span)/4 // C++ division truncates toward zero, as Go's does
	if actual < minSpan {
		actual = minSpan
	}
	if actual > maxSpan {
		actual = maxSpan
	}
	n, ok := divU64(avg, span)
	if !ok {
		return 0, ruleErr(ErrBadParams, "Digishield timespan is zero")
	}
	n = mulU32(n, uint32(actual)) // operator*=(uint32_t) with the int64 narrowed
	if n.Cmp(p.PowLimit) > 0 {
		n = p.PowLimit
	}
	return BigToCompact(n), nil
}

// lwma is LWMACalculateNextWorkRequired (Zawy's LWMA v1).
func lwma(chain Chain, last int32, p *params.Params) (uint32, error) {
	T := p.PowTargetSpacing
	N := p.LWMAAveragingWindow
	k := N * (N + 1) * T / 2
	if int64(last) <= N {
		// fluxd asserts height > N here; no mainnet height reaches this.
		return 0, ruleErr(ErrMissingAncestor, "LWMA needs more than %d blocks, have %d", N, last)
	}
	sum := new(big.Int)
	var t, j int64
	for i := int64(last) - N + 1; i <= int64(last); i++ {
		b, err := ancestor(chain, int32(i))
		if err != nil {
			return 0, err
		}
		pb, err := ancestor(chain, int32(i-1))
		if err != nil {
			return 0, err
		}
		solve := int64(b.Time) - int64(pb.Time)
		solve = max(-lwmaFTL, min(solve, 6*T))
		j++
		t += solve * j
		tg, _, _ := CompactToBig(b.Bits)
		q, ok := divU64(tg, k*N)
		if !ok {
			return 0, ruleErr(ErrBadParams, "LWMA k*N is zero")
		}
		wrap(sum.Add(sum, q))
	}
	if t < k/10 {
		t = k / 10
	}
	next := mulU64(sum, t)
	if next.Cmp(p.PowLimit) > 0 {
		next = p.PowLimit
	}
	return BigToCompact(next), nil
}

// lwma3 is Lwma3CalculateNextWorkRequired: LWMA with timestamps forced
// monotonic, solve times capped at 6T, and the result clamped to
// [0.67, 1.5] times the last target.
func lwma3(chain Chain, last int32, p *params.Params) (uint32, error) {
	T := p.PowTargetSpacing
	N := p.LWMAAveragingWindow
	k := N * (N + 1) * T / 2
	height := int64(last)
	if height < N {
		return BigToCompact(p.PowLimit), nil
	}
	pb, err := ancestor(chain, int32(height-N))
	if err != nil {
		return 0, err
	}
	prevTS := int64(pb.Time)
	sum := new(big.Int)
	prevDiff := new(big.Int)
	var t, j int64
	for i := height - N + 1; i <= height; i++ {
		b, err := ancestor(chain, int32(i))
		if err != nil {
			return 0, err
		}
		ts := int64(b.Time)
		if ts <= prevTS {
			ts = prevTS + 1
		}
		solve := min(6*T, ts-prevTS)
		prevTS = ts
		j++
		t += solve * j
		tg, _, _ := CompactToBig(b.Bits)
		q, ok := divU64(tg, k*N)
		if !ok {
			return 0, ruleErr(ErrBadParams, "LWMA3 k*N is zero")
		}
		wrap(sum.Add(sum, q))
		if i == height {
			prevDiff = tg
		}
	}
	next := mulU64(sum, t)
	hi := new(big.Int).Quo(mulU32(prevDiff, 150), big.NewInt(100))
	if next.Cmp(hi) > 0 {
		next = hi
	}
	lo := new(big.Int).Quo(mulU32(prevDiff, 67), big.NewInt(100))
	if lo.Cmp(next) > 0 {
		next = lo
	}
	if next.Cmp(p.PowLimit) > 0 {
		next = p.PowLimit
	}
	return BigToCompact(next), nil
}

// NextPoNWorkRequired is fluxd's GetNextPONWorkRequired (src/pon/pon.cpp) for
// the block after height last: ponStartLimit for the first window after
// activation, then the last target scaled by the clamped timespan of the last
// window (divide first, then multiply), capped at ponLimit, zero replaced by
// ponLimit. Below activation it returns the last block's nBits, as fluxd does.
func NextPoNWorkRequired(chain Chain, last int32, p *params.Params) (uint32, error) {
	limitBits := BigToCompact(p.PoNLimit)
	startBits := BigToCompact(p.PoNStartLimit)
	if last < 0 {
		return startBits, nil
	}
	act := int64(p.PoNActivationHeight())
	next := int64(last) + 1
	window := p.PoNDifficultyWindow
	lastInfo, err := ancestor(chain, last)
	if err != nil {
		return 0, err
	}
	if next < act {
		return lastInfo.Bits, nil
	}
	if next < act+window {
		return startBits, nil
	}
	firstHeight := int64(last) - (window - 1)
	if firstHeight < act {
		return startBits, nil
	}
	first, err := ancestor(chain, int32(firstHeight))
	if err != nil {
		return 0, err
	}
	actual := int64(lastInfo.Time) - int64(first.Time)
	span := (window - 1) * p.PoNTargetSpacing
	if span <= 0 {
		return limitBits, nil
	}
	if actual < span*4/5 {
		actual = span * 4 / 5
	}
	if actual > span*5/4 {
		actual = span * 5 / 4
	}
	t, neg, over := CompactToBig(lastInfo.Bits)
	if neg || over || t.Sign() == 0 {
		return limitBits, nil
	}
	t, _ = divU64(t, span)
	t = mulU32(t, uint32(actual))
	if t.Cmp(p.PoNLimit) > 0 {
		t = p.PoNLimit
	}
	if t.Sign() == 0 {
		t = p.PoNLimit
	}
	return BigToCompact(t), nil
}
