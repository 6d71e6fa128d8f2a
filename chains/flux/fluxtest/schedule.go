package fluxtest

import (
	"fmt"
	"strconv"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// The fluxnode schedule: how the set changes over the chain's life.
const (
	// CollateralValue is what a joining test node's collateral output holds:
	// the CUMULUS collateral (V2_FLUXNODE_COLLAT_CUMULUS).
	CollateralValue int64 = 1000 * tx.Coin
	// CollateralMinConf is how deep a collateral must be before its START
	// (FLUXNODE_MIN_CONFIRMATION_DETERMINISTIC).
	CollateralMinConf int32 = 100
	// firstRegistration is the height at which the first joining node is
	// funded (the wallet's first coinbases mature at 101);
	// registrationInterval separates joins.
	firstRegistration    int32 = 200
	registrationInterval int32 = 300
	// maxLiveNodes pauses registrations while this many test nodes are
	// started or confirmed and not lapsing.
	maxLiveNodes = 24
	// minSteadyNodes is how many confirmed nodes that never lapse must
	// remain before a lapsing node may stop confirming.
	minSteadyNodes = 3
	// confirmDelay is how many blocks after its START a node confirms.
	confirmDelay int32 = 2
)

const statusConfirmed = fluxnode.StatusConfirmed

// schedule returns the fluxnode-related transactions of block h (funding
// payments, STARTs, initial and update CONFIRMs), decided from the set after
// block h-1, and registers a new test node when one is due. exclude reports
// wallet outputs a funding payment must not spend.
func (c *chainState) schedule(h int32, exclude func(chainhash.OutPoint) bool) []*tx.Tx {
	sigTime := c.tip().info.Time + uint32(c.p.PoNTargetSpacing)
	type state struct {
		e  fluxnode.Entry
		ok bool
	}
	states := make([]state, len(c.nodes))
	steady, live := 0, 0
	for i, n := range c.nodes {
		if !n.funded || n.retired {
			if !n.retired {
				live++
			}
			continue
		}
		e, ok := c.set.Lookup(n.collateral)
		states[i] = state{e, ok}
		if ok && !n.lapsing() {
			live++
			if e.Status == statusConfirmed && !n.lapses {
				steady++
			}
		}
	}
	if h >= c.nextReg && live < maxLiveNodes && len(c.nodes) < 1<<16 {
		n := newTestNode(len(c.nodes), c.nodeLabel, c.collLabel)
		n.regHeight = h
		c.nodes = append(c.nodes, n)
		states = append(states, state{})
		c.nextReg = h + registrationInterval
	}

	var out []*tx.Tx
	for i, n := range c.nodes {
		st := states[i]
		switch {
		case n.retired:
		case !n.funded:
			if h < n.regHeight {
				continue
			}
			fund, err := c.buildPayment([]tx.TxOut{{Value: CollateralValue, Script: p2pkh(n.collKey)}}, h, exclude)
			if err != nil {
				continue // not enough mature coins yet: try again next block
			}
			n.collateral = chainhash.OutPoint{Hash: fund.TxID(), Index: 0}
			n.funded = true
			out = append(out, fund)
		case !st.ok:
			if n.initial || n.lapsing() {
				n.retired = true // expired: it never comes back
				continue
			}
			if u, ok := c.utxo[n.collateral]; ok && h-u.height >= CollateralMinConf {
				out = append(out, c.startTx(n, sigTime))
			}
		case st.e.Status == fluxnode.StatusStarted:
			if h-st.e.StartHeight >= confirmDelay {
				out = append(out, c.confirmTx(n, sigTime, 0))
			}
		case st.e.Status == statusConfirmed:
			if h-st.e.LastConfirmedHeight < n.updateAfter || n.lapsing() {
				continue
			}
			if n.lapses && steady >= minSteadyNodes {
				n.lapseFrom = h // stop confirming: the node expires
				continue
			}
			out = append(out, c.confirmTx(n, sigTime, 1))
		}
	}
	return out
}

// startTx returns node n's START, signed as fluxd's SignMessage does by the
// collateral key over the txid's hex.
func (c *chainState) startTx(n *testNode, sigTime uint32) *tx.Tx {
	t := fluxnode.NewStartTx(c.p, tx.FluxnodeVersion, n.collateral, n.collPub, n.pub, sigTime)
	t.Fluxnode.Sig = signMessage(n.collKey, t.TxID().String())
	return t
}

// confirmTx returns node n's CONFIRM (updateType 0 initial, 1 update),
// signed by its operational key over fluxd's CONFIRM message. The
// benchmark signature stays NewConfirmTx's placeholder: SimNet has no
// benchmark key, and neither signature is covered by the txid.
func (c *chainState) confirmTx(n *testNode, sigTime uint32, updateType int8) *tx.Tx {
	t := fluxnode.NewConfirmTx(n.collateral, sigTime, updateType, n.ip)
	op := n.collateral
	msg := fmt.Sprintf("COutPoint(%s, %d)", op.Hash.String()[:10], op.Index) +
		strconv.FormatUint(uint64(op.Index), 10) + strconv.Itoa(int(updateType)) + strconv.FormatUint(uint64(sigTime), 10)
	t.Fluxnode.Sig = signMessage(n.key, msg)
	return t
}
