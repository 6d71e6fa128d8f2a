package flux

import (
	"fmt"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// minHealthyPeers is how many peers the node needs before it trusts its view
// of the tip (DESIGN §5: at least 3). Test networks with fewer configured
// peers accept as many as were configured.
const minHealthyPeers = 3

// health applies DESIGN §4 rule 2: never sign while the light node is behind
// the best peer tip or its peers disagree on the tip.
func (n *Node) health() (bool, string) {
	need := minHealthyPeers
	if len(n.cfg.Peers) > 0 && len(n.cfg.Peers) < need && !n.cfg.UseDNSSeeds {
		need = len(n.cfg.Peers)
	}
	heights := n.sync.peerHeights()
	if len(heights) < need {
		return false, fmt.Sprintf("%d peers connected, %d needed", len(heights), need)
	}
	tip := n.chain.Tip().Height
	var best, agree int32
	for _, h := range heights {
		best = max(best, h)
	}
	if best-tip > n.cfg.HealthLag {
		return false, fmt.Sprintf("behind: tip %d, best peer %d", tip, best)
	}
	for _, h := range heights {
		if best-h <= n.cfg.HealthLag {
			agree++
		}
	}
	if int(agree) < need {
		return false, fmt.Sprintf("peers disagree on the tip: %d of %d within %d blocks of %d", agree, len(heights), n.cfg.HealthLag, best)
	}
	return true, ""
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
