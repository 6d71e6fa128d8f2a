package flux

import (
	"fmt"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// minHealthyPeers is how many agreeing peers the node needs before it trusts
// its view of the tip (DESIGN §5: at least 3). Test networks with fewer
// configured peers accept as many as were configured.
const minHealthyPeers = 3

// peerLink is how a peer's best verified header relates to our tip.
type peerLink int

const (
	// linkNone: the peer has shown no header the chain holds.
	linkNone peerLink = iota
	// linkTip: its best header is our tip or a descendant of it, so its
	// chain holds our tip's hash.
	linkTip
	// linkBelow: its best header is an ancestor of our tip: it is on our
	// chain but has not shown our tip.
	linkBelow
	// linkFork: its best header is on another branch.
	linkFork
	// linkAbove: its best header is more than the health lag above our tip;
	// how it links was not traced (the node is behind it whichever it is).
	linkAbove
	// linkGone: the chain no longer holds its best header: a side branch
	// pruned below the reorg limit, or a branch found invalid.
	linkGone
)

// peerView is what the health rule knows of one connected peer.
type peerView struct {
	// Addr names the peer in reasons.
	Addr string
	// Best is the best header of its chain the peer has shown us and the
	// chain holds (zero with linkNone), and Link how it relates to our tip.
	Best blockRef
	Link peerLink
	// Claim is an unverified height the peer claimed (its version start
	// height), 0 for none; it counts until ClaimUntil.
	Claim      int32
	ClaimUntil time.Time
}

// judgeHealth applies DESIGN §4 rule 2 to our tip and the connected peers'
// views: it reports whether the node may be signed on, and otherwise why, in
// words for operators (`fluxbridge status` shows them). need is how many
// agreeing peers are required, lag how many blocks a peer may trail or lead
// our tip, now the time claims are judged at. The rules, in order:
//
//  1. At least need peers are connected.
//  2. Behind (verified): no peer has shown a header more than lag above our
//     tip that the chain still holds.
//  3. Behind (claimed): no peer's unverified claim more than lag above our
//     tip still counts (claims count only until ClaimUntil).
//  4. Agreement: a peer agrees when its chain holds our tip's hash (linkTip),
//     or it is on our chain at most lag blocks below our tip (linkBelow). At
//     least need peers, and a strict majority of the connected ones, agree.
//
// When rule 4 fails and every peer's best header is more than lag below our
// tip, the reason says the node is ahead of the peers; otherwise that the
// peers disagree.
//
// SECURITY: agreement is by hash and on headers the chain validated, never on
// heights or claims: a producer who feeds us a private branch (one full
// nodes would reject, or never see) through one peer gets at most that
// peer's agreement, and a tip above every peer, or level with them on
// another hash, is unhealthy. A claimed height can only delay health, and
// only until ClaimUntil.
func judgeHealth(tip blockRef, peers []peerView, need int, lag int32, now time.Time) (bool, string) {
	if len(peers) < need {
		return false, fmt.Sprintf("%d peers connected, %d needed", len(peers), need)
	}
	var (
		top, held, claim    *peerView // best shown header, best still held, highest live claim
		agree, below, forks int
		shown               int
	)
	for i := range peers {
		v := &peers[i]
		if v.Link != linkNone {
			shown++
			if top == nil || v.Best.Height > top.Best.Height {
				top = v
			}
			if v.Link != linkGone && (held == nil || v.Best.Height > held.Best.Height) {
				held = v
			}
		}
		if v.Claim > 0 && now.Before(v.ClaimUntil) && (claim == nil || v.Claim > claim.Claim) {
			claim = v
		}
		switch {
		case v.Link == linkTip, v.Link == linkBelow && tip.Height-v.Best.Height <= lag:
			agree++
		case v.Link == linkBelow:
			below++
		case v.Link == linkFork, v.Link == linkGone:
			forks++
		}
	}
	if held != nil && held.Best.Height-tip.Height > lag {
		return false, fmt.Sprintf("behind: tip %d, peer %s has shown headers to %d", tip.Height, held.Addr, held.Best.Height)
	}
	if claim != nil && claim.Claim-tip.Height > lag {
		return false, fmt.Sprintf("behind: tip %d, peer %s claims height %d (unverified: ignored after %s unless its headers prove it)",
			tip.Height, claim.Addr, claim.Claim, claim.ClaimUntil.UTC().Format(time.RFC3339))
	}
	if agree >= need && 2*agree > len(peers) {
		return true, ""
	}
	if top == nil {
		return false, fmt.Sprintf("no peer has shown a header yet (%d connected)", len(peers))
	}
	if tip.Height-top.Best.Height > lag {
		return false, fmt.Sprintf("ahead of the peers: tip %d %s, the best header a peer has shown is %d (%d blocks lower); %d of %d peers on another branch",
			tip.Height, shortHash(tip.Hash), top.Best.Height, tip.Height-top.Best.Height, forks, len(peers))
	}
	return false, fmt.Sprintf("peers disagree on the tip: %d of %d peers hold tip %d %s (need %d and a majority); %d on another branch, %d more than %d blocks behind, %d silent",
		agree, len(peers), tip.Height, shortHash(tip.Hash), need, forks, below, lag, len(peers)-shown)
}

// shortHash abbreviates a block hash (display order) for reasons.
func shortHash(h chainhash.Hash) string { return h.String()[:16] }

// health collects the connected peers' views and judges them against tip
// (judgeHealth), so that Head reports health for the tip it reports.
func (n *Node) health(tip spv.Tip) (bool, string) {
	need := minHealthyPeers
	if len(n.cfg.Peers) > 0 && len(n.cfg.Peers) < need && !n.cfg.UseDNSSeeds {
		need = len(n.cfg.Peers)
	}
	states := n.sync.peerStates()
	views := make([]peerView, len(states))
	for i, st := range states {
		views[i] = peerView{Addr: st.addr, Best: st.best, Link: n.linkOf(st.best, tip), Claim: st.claim, ClaimUntil: st.claimUntil}
	}
	return judgeHealth(blockRef{Height: tip.Height, Hash: tip.Hash}, views, need, n.cfg.HealthLag, n.cfg.Now())
}

// linkOf relates a peer's best header to our tip, through the chain's
// headers: the main chain at or below the tip, and the header tree above it.
func (n *Node) linkOf(best blockRef, tip spv.Tip) peerLink {
	if best.Hash.IsZero() {
		return linkNone
	}
	if _, _, ok := n.chain.HeaderByHash(best.Hash); !ok {
		return linkGone
	}
	switch {
	case best.Height-tip.Height > n.cfg.HealthLag:
		return linkAbove
	case best.Height <= tip.Height:
		hdr, ok := n.chain.HeaderAt(best.Height)
		switch {
		case !ok || hdr.BlockHash() != best.Hash:
			return linkFork
		case best.Height == tip.Height:
			return linkTip
		}
		return linkBelow
	}
	// Above the tip by at most the lag: walk back to the tip's height.
	h := best.Hash
	for height := best.Height; height > tip.Height; height-- {
		hdr, _, ok := n.chain.HeaderByHash(h)
		if !ok {
			return linkFork
		}
		h = hdr.PrevBlock
	}
	if h != tip.Hash {
		return linkFork
	}
	return linkTip
}

// verifyEvidence re-checks an event's merkle proof and that its header is
// still the best chain's block at that height.
func (n *Node) verifyEvidence(ev chains.Event) error {
	p, err := reserve.UnmarshalProof(ev.Evidence)
	if err != nil {
		return fmt.Errorf("event %s: evidence: %w", ev.ID, err)
	}
	txid, err := p.Verify()
	if err != nil {
		return fmt.Errorf("event %s: proof: %w", ev.ID, err)
	}
	if txid.String() != ev.TxID {
		return fmt.Errorf("event %s: proof is for tx %s", ev.ID, txid)
	}
	h, err := wire.DecodeBlockHeader(p.Header)
	if err != nil {
		return fmt.Errorf("event %s: proof header: %w", ev.ID, err)
	}
	stored, ok := n.chain.HeaderAt(int32(ev.Block.Height))
	if !ok || stored.BlockHash() != h.BlockHash() {
		return fmt.Errorf("event %s: block %s is not the best chain's block at height %d", ev.ID, h.BlockHash(), ev.Block.Height)
	}
	return nil
}

// headerTime is a header's timestamp, or the zero time for no header.
func headerTime(h *wire.BlockHeader) time.Time {
	if h == nil {
		return time.Time{}
	}
	return time.Unix(int64(h.Time), 0).UTC()
}
