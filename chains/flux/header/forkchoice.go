package header

import (
	"math/big"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// Tip is a candidate chain tip as fork choice sees it.
type Tip struct {
	// Height is the tip block's height.
	Height int32
	// Work is the total chainwork up to and including the tip (sum of BlockWork).
	Work *big.Int
	// PoN is true if the tip block is a PoN block (version >= 100).
	PoN bool
	// PoNHash is the tip block's PoN lottery hash (HeaderPoNHash); unused unless PoN.
	PoNHash chainhash.Hash
}

// Better reports whether candidate a should replace the current best tip b,
// mirroring fluxd's CBlockIndexWorkComparator: more total work wins; with
// equal work, if both tips are PoN blocks at the same height, the lower PoN
// hash wins, compared as uint256::operator< does: memcmp over the internal
// byte order (byte 0 first), which is not numeric order; every other tie
// keeps b, the tip seen first. A nil Work counts as zero.
func Better(a, b Tip) bool {
	if c := workOf(a).Cmp(workOf(b)); c != 0 {
		return c > 0
	}
	if a.PoN && b.PoN && a.Height == b.Height {
		return a.PoNHash.Compare(b.PoNHash) < 0
	}
	return false
}

func workOf(t Tip) *big.Int {
	if t.Work == nil {
		return new(big.Int)
	}
	return t.Work
}

// CheckReorgDepth refuses a branch that forks off the active chain too deep
// (ContextualCheckBlockHeader's max-reorg rule): with the active tip at
// tipHeight and the last common block at forkHeight, a new block on the branch
// is refused when tipHeight - forkHeight >= p.MaxReorgDepthAt(tipHeight)
// (40 blocks; 5,000 while the tip is in 2,020,000..2,025,000 on mainnet).
func CheckReorgDepth(forkHeight, tipHeight int32, p *params.Params) error {
	limit := p.MaxReorgDepthAt(tipHeight)
	if int64(tipHeight)-int64(forkHeight) >= int64(limit) {
		return ruleErr(ErrReorgTooDeep, "fork at height %d is %d blocks below tip %d (limit %d)",
			forkHeight, int64(tipHeight)-int64(forkHeight), tipHeight, limit)
	}
	return nil
}

// CheckCheckpointFork refuses a branch whose first new block would sit below
// the last checkpoint: fluxd rejects every header at a height below its last
// known checkpoint. forkHeight is the height of the last block the branch
// shares with the active chain, so the first new block is at forkHeight+1.
//
// SECURITY: fluxd measures against the last checkpoint its own chain has
// reached. This helper uses p's last checkpoint outright, which is the same
// thing for a light node anchored at or above it (the only supported setup);
// a node syncing from genesis must not call it before its chain has passed
// the last checkpoint.
func CheckCheckpointFork(forkHeight int32, p *params.Params) error {
	cp, ok := p.LastCheckpoint()
	if !ok {
		return nil
	}
	if int64(forkHeight)+1 < int64(cp.Height) {
		return ruleErr(ErrForkBeforeCheckpoint, "branch forks at height %d, below the last checkpoint %d", forkHeight, cp.Height)
	}
	return nil
}
