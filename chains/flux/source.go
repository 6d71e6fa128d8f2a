package flux

import (
	"context"
	"errors"
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/fault"
)

// kindOf maps the light node's library errors to fault kinds: the one place
// where the FLUX library's errors meet the rest of the code. A bad cursor is
// the caller's invalid input, a closed chain a node shutting down (try
// again), anything else (storage) internal.
func kindOf(err error) fault.Kind {
	switch {
	case errors.Is(err, spv.ErrBadCursor):
		return fault.Invalid
	case errors.Is(err, spv.ErrClosed):
		return fault.Transient
	}
	return fault.Internal
}

// Node implements chains.Source.
var _ chains.Source = (*Node)(nil)

// Chain returns chains.FluxL1.
func (n *Node) Chain() chains.ID { return chains.FluxL1 }

// Head reports the verified tip, the final block (the reorg limit below it)
// and whether the node is healthy enough to be signed on.
func (n *Node) Head(ctx context.Context) (chains.Head, error) {
	tip := n.chain.Tip()
	h := chains.Head{Tip: chains.BlockRef{Height: uint64(tip.Height), Hash: tip.Hash.String(), Time: headerTime(tip.Header)}}
	finalHeight := tip.Height - n.cfg.Params.MaxReorgDepth
	if finalHeight < 0 {
		finalHeight = 0
	}
	if fh, ok := n.chain.HeaderAt(finalHeight); ok {
		h.Final = chains.BlockRef{Height: uint64(finalHeight), Hash: fh.BlockHash().String(), Time: headerTime(fh)}
	}
	h.Healthy, h.Reason = n.health(tip)
	return h, nil
}

// Events returns the bridge events after req.After at req.Confirmations
// depth, retracting first what a reorganisation removed.
func (n *Node) Events(ctx context.Context, req chains.EventsRequest) (chains.EventsResponse, error) {
	conf := req.Confirmations
	if conf == 0 {
		conf = 1
	}
	evs, next, err := n.chain.EventsAfter(req.After, conf, req.Limit)
	if err != nil {
		return chains.EventsResponse{}, fault.E("flux.Events", kindOf(err), err)
	}
	head, _ := n.Head(ctx)
	return chains.EventsResponse{Events: evs, Next: next, Head: head}, nil
}

// Reobserve returns the events of one transaction as the best chain holds them
// now, re-verifying each event's merkle proof against the stored header.
func (n *Node) Reobserve(ctx context.Context, txid string) ([]chains.Event, error) {
	id, err := chainhash.FromDisplay(txid)
	if err != nil {
		return nil, fault.E("flux.Reobserve", fault.Invalid, err)
	}
	evs, err := n.chain.EventsForTx(id)
	if err != nil {
		return nil, fault.E("flux.Reobserve", kindOf(err), err)
	}
	if len(evs) == 0 {
		return nil, fault.E("flux.Reobserve", fault.NotFound, fmt.Errorf("no bridge event of %s on the best chain", txid))
	}
	for _, ev := range evs {
		if err := n.verifyEvidence(ev); err != nil {
			return nil, fault.E("flux.Reobserve", fault.Conflict, err)
		}
	}
	return evs, nil
}
