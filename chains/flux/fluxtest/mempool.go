package fluxtest

import (
	"errors"
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// maxMempoolBytes bounds the transactions one block takes from the mempool,
// leaving room for the coinbase and the scheduled fluxnode transactions.
const maxMempoolBytes = wire.MaxBlockSize - 100_000

// RejectError is why the network refused a transaction: the code and reason
// a fluxd node would put in its reject message.
type RejectError struct {
	// TxID is the refused transaction's id.
	TxID chainhash.Hash
	// Code is the reject code (wire.RejectInvalid, wire.RejectDuplicate, ...).
	Code wire.RejectCode
	// Reason is fluxd's reject reason, e.g. "bad-txns-inputs-missingorspent".
	Reason string
	// Err is the underlying failure, if any (a script or sanity error).
	Err error
}

func (e *RejectError) Error() string {
	s := fmt.Sprintf("fluxtest: tx %s rejected (%s): %s", e.TxID, e.Code, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying failure.
func (e *RejectError) Unwrap() error { return e.Err }

func reject(id chainhash.Hash, code wire.RejectCode, reason string, err error) *RejectError {
	return &RejectError{TxID: id, Code: code, Reason: reason, Err: err}
}

// validateLocked checks t for the mempool against the UTXO set and the
// outputs the mempool already spends (fluxd's AcceptToMemoryPool, restricted
// to transparent v4 transactions). n.mu must be held.
func (n *Network) validateLocked(t *tx.Tx) *RejectError {
	id := t.TxID()
	next := n.chain.height() + 1
	if _, ok := n.mempool[id]; ok {
		return reject(id, wire.RejectDuplicate, "txn-already-in-mempool", nil)
	}
	if _, ok := n.chain.txHeight[id]; ok {
		return reject(id, wire.RejectDuplicate, "txn-already-known", nil)
	}
	if err := t.CheckSanity(); err != nil {
		return reject(id, wire.RejectInvalid, "bad-txns-sanity", err)
	}
	if n.censor != nil && n.censor(t) {
		return reject(id, wire.RejectNonstandard, "censored-by-fluxtest", nil)
	}
	switch {
	case t.IsFluxnode():
		return reject(id, wire.RejectNonstandard, "fluxnode-tx-not-relayed-by-fluxtest", nil)
	case !t.IsSapling():
		return reject(id, wire.RejectInvalid, "tx-overwinter-not-active", nil)
	case len(t.JoinSplits) > 0 || len(t.ShieldedSpends) > 0 || len(t.ShieldedOutputs) > 0:
		return reject(id, wire.RejectNonstandard, "shielded-not-supported-by-fluxtest", nil)
	case t.IsCoinBase():
		return reject(id, wire.RejectInvalid, "coinbase", nil)
	case t.ExpiryHeight != 0 && uint32(next) > t.ExpiryHeight:
		return reject(id, wire.RejectInvalid, "tx-overwinter-expired", nil)
	}
	var in int64
	branch := n.p.BranchID(next)
	for i, txin := range t.Inputs {
		if other, ok := n.spent[txin.PrevOut]; ok {
			return reject(id, wire.RejectDuplicate, "txn-mempool-conflict",
				fmt.Errorf("input %d spends %s, already spent by %s", i, txin.PrevOut, other))
		}
		e, ok := n.chain.utxo[txin.PrevOut]
		if !ok {
			return reject(id, wire.RejectInvalid, "bad-txns-inputs-missingorspent", fmt.Errorf("input %d: %s", i, txin.PrevOut))
		}
		if e.coinbase && next-e.height < n.p.CoinbaseMaturity {
			return reject(id, wire.RejectInvalid, "bad-txns-premature-spend-of-coinbase",
				fmt.Errorf("input %d: coinbase from height %d", i, e.height))
		}
		if err := t.VerifyInput(i, tx.PrevOut{Script: e.out.Script, Value: e.out.Value}, branch); err != nil {
			return reject(id, wire.RejectInvalid, "mandatory-script-verify-flag-failed", err)
		}
		in += e.out.Value
	}
	var out int64
	for _, o := range t.Outputs {
		out += o.Value
	}
	if in < out {
		return reject(id, wire.RejectInvalid, "bad-txns-in-belowout", fmt.Errorf("inputs %d < outputs %d", in, out))
	}
	return nil
}

// addLocked puts a validated t in the mempool.
func (n *Network) addLocked(t *tx.Tx) {
	id := t.TxID()
	n.mempool[id] = t
	n.order = append(n.order, id)
	for _, in := range t.Inputs {
		n.spent[in.PrevOut] = id
		delete(n.reserved, in.PrevOut)
	}
}

// Censor makes the network refuse every transaction refuse reports (nil:
// none), so it is never mined, as a cartel of block producers would: a fault
// the real network produces only by collusion. Transactions already in the
// mempool stay there.
func (n *Network) Censor(refuse func(*tx.Tx) bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.censor = refuse
}

// SubmitTx offers t to the mempool. It is accepted when every input spends
// an unspent, mature output that no mempool transaction spends and verifies
// with tx.VerifyInput (P2PKH or P2SH multisig, ZIP-243 with the branch id of
// the next block), and the outputs do not exceed the inputs; it is then
// mined in the next block. A refusal is a *RejectError.
func (n *Network) SubmitTx(t *tx.Tx) error {
	if t == nil {
		return errors.New("fluxtest: SubmitTx(nil)")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.validateLocked(t); err != nil {
		return err
	}
	n.addLocked(t)
	return nil
}

// exclude reports whether a wallet output is spent by the mempool or
// reserved by a built payment. n.mu must be held.
func (n *Network) exclude(op chainhash.OutPoint) bool {
	if _, ok := n.spent[op]; ok {
		return true
	}
	_, ok := n.reserved[op]
	return ok
}

// BuildPay returns a signed transaction paying outs from the network's
// wallet (mature coinbase outputs, P2PKH, fee PayFee, change to the wallet)
// without submitting it. Its inputs are reserved: later payments do not
// spend them.
func (n *Network) BuildPay(outs []tx.TxOut) (*tx.Tx, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	t, err := n.chain.buildPayment(outs, n.chain.height()+1, n.exclude)
	if err != nil {
		return nil, err
	}
	for _, in := range t.Inputs {
		n.reserved[in.PrevOut] = struct{}{}
	}
	return t, nil
}

// BuildPayment is BuildPay of one output of value to PayeeScript.
func (n *Network) BuildPayment(value int64) (*tx.Tx, error) {
	return n.BuildPay([]tx.TxOut{{Value: value, Script: PayeeScript()}})
}

// Pay builds a payment of outs from the wallet (see BuildPay) and submits
// it; it is mined in the next block.
func (n *Network) Pay(outs []tx.TxOut) (*tx.Tx, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	t, err := n.chain.buildPayment(outs, n.chain.height()+1, n.exclude)
	if err != nil {
		return nil, err
	}
	if rerr := n.validateLocked(t); rerr != nil {
		return nil, rerr
	}
	n.addLocked(t)
	return t, nil
}

// takeMempoolLocked returns the mempool transactions for the next block,
// in arrival order, within maxMempoolBytes.
func (n *Network) takeMempoolLocked() []*tx.Tx {
	var out []*tx.Tx
	size := 0
	for _, id := range n.order {
		t := n.mempool[id]
		if size += t.SerializeSize(); size > maxMempoolBytes {
			break
		}
		out = append(out, t)
	}
	return out
}

// removeMinedLocked drops the transactions of b from the mempool.
func (n *Network) removeMinedLocked(b *block) {
	mined := false
	for i, t := range b.msg.Txs {
		if _, ok := n.mempool[b.txids[i]]; !ok {
			continue
		}
		mined = true
		delete(n.mempool, b.txids[i])
		for _, in := range t.Inputs {
			delete(n.spent, in.PrevOut)
		}
	}
	if !mined {
		return
	}
	kept := n.order[:0]
	for _, id := range n.order {
		if _, ok := n.mempool[id]; ok {
			kept = append(kept, id)
		}
	}
	n.order = kept
}

// resubmitLocked rebuilds the mempool from txs followed by the current
// mempool, dropping whatever no longer validates (after a reorg).
func (n *Network) resubmitLocked(txs []*tx.Tx) {
	all := append([]*tx.Tx(nil), txs...)
	for _, id := range n.order {
		all = append(all, n.mempool[id])
	}
	n.mempool = make(map[chainhash.Hash]*tx.Tx)
	n.spent = make(map[chainhash.OutPoint]chainhash.Hash)
	n.order = nil
	for _, t := range all {
		if n.validateLocked(t) == nil {
			n.addLocked(t)
		}
	}
}

// MempoolTx reports whether the transaction id is in the mempool.
func (n *Network) MempoolTx(id chainhash.Hash) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	_, ok := n.mempool[id]
	return ok
}

// mempoolTx returns the mempool transaction id, or nil.
func (n *Network) mempoolTx(id chainhash.Hash) *tx.Tx {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.mempool[id]
}

// Confirmations returns how many blocks of the active chain confirm the
// transaction id (1 in the tip), or 0 if it is not in the active chain.
func (n *Network) Confirmations(id chainhash.Hash) int32 {
	n.mu.Lock()
	defer n.mu.Unlock()
	h, ok := n.chain.txHeight[id]
	if !ok {
		return 0
	}
	return n.chain.height() - h + 1
}

// UTXO returns the unspent output op of the active chain.
func (n *Network) UTXO(op chainhash.OutPoint) (tx.TxOut, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	e, ok := n.chain.utxo[op]
	return e.out, ok
}
