package devnet

import (
	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// LockWithMemo pays amount zatoshi to the reserve with memoData as the
// OP_RETURN data, well-formed or not (a malformed lock is refunded).
func (d *Devnet) LockWithMemo(amount int64, memoData []byte) (chains.LockRef, error) {
	s, err := script.NullData(memoData)
	if err != nil {
		return chains.LockRef{}, err
	}
	t, err := d.pay([]tx.TxOut{{Value: amount, Script: d.ReserveScript()}, {Value: 0, Script: s}})
	if err != nil {
		return chains.LockRef{}, err
	}
	return chains.LockRef{TxID: t.TxID(), Vout: 0}, nil
}

// UserScript is the scriptPubKey of the devnet user's prepared coins: where
// the refund of a lock paid from one goes.
func UserScript() []byte { return userScript() }

// Refund is one FLXF1 refund the simulated FLUX chain holds.
type Refund struct {
	Height int32
	Lock   chains.LockRef
	// Paid are the outputs that do not return to the reserve.
	Paid []tx.TxOut
}

// Refunds scans the simulated FLUX chain's active blocks for refunds.
func (d *Devnet) Refunds() []Refund {
	var out []Refund
	for h, t := range d.activeTxs() {
		var ref *Refund
		var paid []tx.TxOut
		for _, o := range t.Outputs {
			if m, err := memo.FromScript(o.Script); err == nil {
				if r, ok := m.(memo.Refund); ok {
					ref = &Refund{Height: h, Lock: chains.LockRef{TxID: r.LockTxID, Vout: r.Vout}}
				}
				continue
			}
			if !d.isReserve(o.Script) {
				paid = append(paid, o)
			}
		}
		if ref != nil {
			ref.Paid = paid
			out = append(out, *ref)
		}
	}
	return out
}
