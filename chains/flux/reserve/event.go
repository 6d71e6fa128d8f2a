package reserve

import (
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
)

// LockID returns the transfer id of the lock output txid:vout,
// "flux:<display txid>:<vout>" (DESIGN §4), as chains.LockRef spells it. A
// refund's Ref names the lock it refunds the same way.
func LockID(txid chainhash.Hash, vout uint32) string {
	return chains.LockRef{TxID: txid, Vout: vout}.TransferID()
}

// blockRef is the chains.BlockRef of a block at height.
func blockRef(height int32, blockHash chainhash.Hash, t time.Time) chains.BlockRef {
	return chains.BlockRef{Height: uint64(max(height, 0)), Hash: blockHash.String(), Time: t}
}

// evidence is the proof's binary form; nil without a proof. Proofs built by
// ScanBlock are within the encoding's bounds, so this is MarshalBinary's
// result for them.
func evidence(p *Proof) []byte {
	if p == nil {
		return nil
	}
	return p.appendBinary(nil)
}

// amount converts a value in zatoshi; ScanBlock never produces a negative one.
func amount(v int64) uint64 { return uint64(max(v, 0)) }

// Event converts the lock to the chain-neutral event: kind lock (with the
// destination chain and recipient) or invalid-lock (with the reason and the
// refund address), in the block blockHash with timestamp t of chain chain
// (chains.FluxL1). Evidence is the proof's binary form.
func (l *Lock) Event(chain chains.ID, blockHash chainhash.Hash, t time.Time) chains.Event {
	ev := chains.Event{
		Kind:     chains.EventLock,
		ID:       l.ID(),
		Chain:    chain,
		TxID:     l.TxID.String(),
		Index:    l.Vout,
		Block:    blockRef(l.Height, blockHash, t),
		Amount:   amount(l.Value),
		Evidence: evidence(l.Proof),
	}
	ev.RefundTo = l.RefundTo
	if l.Valid() {
		ev.DestChain = chains.ID(l.Memo.ChainID)
		ev.Recipient = append([]byte(nil), l.Memo.Recipient[:]...)
		return ev
	}
	ev.Kind = chains.EventInvalidLock
	ev.Invalid = string(l.Invalid)
	return ev
}

// Event converts the spend to the chain-neutral event: kind release (with the
// memo's chain as DestChain and its nonce range), refund (Ref names the
// refunded lock) or reserve-spend. Amount is the value paid out of the
// reserve (Paid); Index is 0. Evidence is the proof's binary form.
func (s *Spend) Event(chain chains.ID, blockHash chainhash.Hash, t time.Time) chains.Event {
	ev := chains.Event{
		Kind:     s.Kind,
		ID:       s.ID(),
		Chain:    chain,
		TxID:     s.TxID.String(),
		Block:    blockRef(s.Height, blockHash, t),
		Amount:   amount(s.Paid),
		Evidence: evidence(s.Proof),
	}
	for _, o := range s.Inputs {
		ev.Inputs = append(ev.Inputs, chains.FormatOutPoint(o.Hash, o.Index))
	}
	switch s.Kind {
	case chains.EventRelease:
		ev.DestChain = chains.ID(s.Release.ChainID)
		ev.FromNonce, ev.ToNonce = s.Release.FromNonce, s.Release.ToNonce
	case chains.EventRefund:
		ev.Ref = LockID(s.Refund.LockTxID, s.Refund.Vout)
	}
	return ev
}
