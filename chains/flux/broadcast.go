package flux

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/p2p"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
	"github.com/fluxbridge/fluxbridge/fault"
)

// TxState is where one of our own transactions stands.
type TxState string

// Transaction states.
const (
	TxPending  TxState = "pending"  // sent, not in a block of the best chain
	TxMined    TxState = "mined"    // in a block of the best chain
	TxRejected TxState = "rejected" // every peer that answered refused it
	TxUnknown  TxState = "unknown"  // never broadcast by this node
)

// TxStatus reports a broadcast transaction.
type TxStatus struct {
	State         TxState `json:"state"`
	Height        int32   `json:"height,omitempty"`
	BlockHash     string  `json:"block_hash,omitempty"`
	Confirmations int32   `json:"confirmations,omitempty"`
	// Reject is the last reject reason a peer gave (also set while pending:
	// one peer's refusal is not final while others may accept).
	Reject string `json:"reject,omitempty"`
}

type tracked struct {
	tx       *tx.Tx
	sentAt   time.Time
	reject   string
	rejected bool
}

// broadcaster sends our transactions to every peer, sends them again until
// they are mined, and tracks them to depth through the chain's watch list.
type broadcaster struct {
	n  *Node
	mu sync.Mutex
	// txs holds the raw transactions still to be confirmed. SECURITY: the chain
	// persists the watch (txid) so confirmation tracking survives a restart; the
	// caller that built the transaction keeps the decision to send it and
	// re-broadcasts after a restart (DESIGN §4 rule 3).
	txs  map[chainhash.Hash]*tracked
	kick chan struct{}
}

func newBroadcaster(n *Node) *broadcaster {
	return &broadcaster{n: n, txs: make(map[chainhash.Hash]*tracked), kick: make(chan struct{}, 1)}
}

// Broadcast verifies nothing about t's scripts (the caller checked them with
// tx.VerifyInputs before deciding to send), records it for tracking, and sends
// it to every connected peer. It returns once sent; TxStatus follows it.
// Broadcasting the same transaction again is harmless.
func (n *Node) Broadcast(ctx context.Context, t *tx.Tx) (chainhash.Hash, error) {
	id := t.TxID()
	if err := n.chain.Watch(id); err != nil {
		return id, fault.E("flux.Broadcast", fault.Internal, err)
	}
	b := n.bcast
	b.mu.Lock()
	if _, ok := b.txs[id]; !ok {
		b.txs[id] = &tracked{tx: t}
	}
	b.mu.Unlock()
	if len(n.peers.Peers()) == 0 {
		return id, fault.E("flux.Broadcast", fault.Transient, errors.New("no connected peers; will send when one connects"))
	}
	b.sendAll()
	return id, nil
}

// TxStatus reports a transaction broadcast through this node.
func (n *Node) TxStatus(id chainhash.Hash) TxStatus {
	height, hash, found := n.chain.FindTx(id)
	b := n.bcast
	b.mu.Lock()
	t, known := b.txs[id]
	var st TxStatus
	if known {
		st.Reject = t.reject
	}
	b.mu.Unlock()
	switch {
	case found:
		st.State, st.Height, st.BlockHash = TxMined, height, hash.String()
		st.Confirmations = n.chain.Tip().Height - height + 1
	case known && t.rejected:
		st.State = TxRejected
	case known:
		st.State = TxPending
	default:
		st.State = TxUnknown
	}
	return st
}

// WaitForConfirmations blocks until id has at least conf confirmations.
func (n *Node) WaitForConfirmations(ctx context.Context, id chainhash.Hash, conf int32) (TxStatus, error) {
	for {
		ch := n.sync.tipChanged()
		st := n.TxStatus(id)
		if st.State == TxMined && st.Confirmations >= conf {
			return st, nil
		}
		if st.State == TxRejected {
			return st, fault.E("flux.WaitForConfirmations", fault.Rejected, fmt.Errorf("rejected: %s", st.Reject))
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-ch:
		}
	}
}

func (b *broadcaster) sendAll() {
	b.mu.Lock()
	var msgs []*wire.MsgTx
	now := b.n.cfg.Now()
	for id, t := range b.txs {
		if _, _, mined := b.n.chain.FindTx(id); mined {
			continue
		}
		t.sentAt = now
		msgs = append(msgs, &wire.MsgTx{Tx: t.tx})
	}
	b.mu.Unlock()
	for _, m := range msgs {
		b.n.peers.Broadcast(m)
	}
}

// rejected records a peer's reject of one of our transactions. Duplicates
// ("already have it", "already in a block") are not failures.
func (b *broadcaster) rejected(p *p2p.Peer, m *wire.MsgReject) {
	if m.Message != "tx" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.txs[m.Hash]
	if !ok {
		return
	}
	t.reject = fmt.Sprintf("%s (code %#x from %s)", m.Reason, uint8(m.Code), p.Addr())
	if m.Code == wire.RejectDuplicate {
		return
	}
	// One refusal is final only for consensus-invalid transactions; policy
	// refusals (fee, dust, non-standard) may differ between peers.
	if m.Code == wire.RejectInvalid || m.Code == wire.RejectMalformed {
		t.rejected = true
	}
}

// tipMoved wakes the loop to re-check what is mined and forget confirmed txs.
func (b *broadcaster) tipMoved() {
	select {
	case b.kick <- struct{}{}:
	default: // a wake-up is already pending
	}
}

func (b *broadcaster) run(ctx context.Context) error {
	t := time.NewTicker(b.n.cfg.RebroadcastInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			b.sendAll()
		case <-b.kick:
			b.forgetDeep()
		}
	}
}

// forgetDeep drops raw transactions buried deeper than the reorg limit; the
// chain's watch list still answers TxStatus for them.
func (b *broadcaster) forgetDeep() {
	tip := b.n.chain.Tip().Height
	depth := b.n.cfg.Params.MaxReorgDepth
	b.mu.Lock()
	defer b.mu.Unlock()
	for id := range b.txs {
		if h, _, ok := b.n.chain.FindTx(id); ok && tip-h+1 > depth {
			delete(b.txs, id)
		}
	}
}
