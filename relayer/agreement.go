package relayer

import (
	"fmt"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
)

// PeerTips reports the FLUX blocks the other relayers' light nodes last
// announced in their heartbeats (the daemon adapts relayer/peer's exchange).
type PeerTips interface {
	// FluxTips returns one entry per other member heard from at or after
	// since.
	FluxTips(since time.Time) []PeerTip
}

// PeerTip is what one other relayer's light node last reported: its best
// block and its final block (depth D_L1), hashes in display hex.
type PeerTip struct {
	Signer     []byte
	Tip, Final chains.BlockRef
}

// agreement counts how the peer relayers' chains stand to a lock's block.
type agreement struct {
	Agree, Disagree, Unknown int
}

// judgeLockBlock compares a lock's block with the blocks the peers reported
// (DESIGN §4 rule 2: the lock's block hash must match the FLUX hashes in most
// peer relayers' heartbeats). ours gives this relayer's best-chain hash at a
// height (false above its tip).
//
// For each peer it takes the lowest reported block at or above the lock's
// height that this relayer's chain reaches: the peer's final block when it is
// high enough, else its tip. A block on both chains at or above the lock
// means the peer's chain holds the lock's block too (a chain is a line of
// ancestors); a different hash means the chains split at or below that
// height. Taking the final block first keeps a race between two tip blocks
// from counting as disagreement. A peer whose blocks are all below the lock
// or above this relayer's tip is unknown.
//
// SECURITY: this is what catches a light node fed a private branch (by a
// producer of the fluxnode set) that its own peers no longer contradict: the
// other relayers' nodes follow the honest chain, so their final blocks differ
// from ours above the fork, which is below the lock.
func judgeLockBlock(lock chains.BlockRef, ours func(height uint64) (string, bool), peers []PeerTip) agreement {
	var a agreement
	for _, p := range peers {
		judged := false
		for _, b := range []chains.BlockRef{p.Final, p.Tip} {
			if b.Hash == "" || b.Height < lock.Height {
				continue
			}
			h, ok := ours(b.Height)
			if !ok {
				continue
			}
			if h == b.Hash {
				a.Agree++
			} else {
				a.Disagree++
			}
			judged = true
			break
		}
		if !judged {
			a.Unknown++
		}
	}
	return a
}

// refuses says why a lock must not be signed given the agreement ("" when it
// may): when most peers heard from disagree with this relayer's chain.
func (a agreement) refuses(lock chains.BlockRef) string {
	heard := a.Agree + a.Disagree + a.Unknown
	if heard == 0 || 2*a.Disagree <= heard {
		return ""
	}
	return fmt.Sprintf("%d of %d peer relayers' FLUX chains do not hold the lock's block %s at height %d",
		a.Disagree, heard, lock.Hash, lock.Height)
}
