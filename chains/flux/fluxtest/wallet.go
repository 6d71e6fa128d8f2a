package fluxtest

import (
	"errors"
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// Payment constants.
const (
	// PayFee is the fee of every payment the wallet builds: far above
	// fluxd's minimum relay fee (100 zat/kB) for any transaction it makes.
	PayFee int64 = 10_000
	// dustLimit is fluxd's dust threshold for a P2PKH output (54 zat);
	// change below it is left to the fee.
	dustLimit int64 = 54
	// maxPayInputs bounds the inputs of one payment (each is a 14 FLUX
	// coinbase, so one payment moves at most about 14,000 FLUX).
	maxPayInputs = 1000
)

// ErrInsufficientFunds means the wallet's mature, unreserved outputs do not
// cover a payment.
var ErrInsufficientFunds = errors.New("fluxtest: wallet has too few mature coins")

// selectCoins picks wallet outputs spendable in block nextHeight (mature,
// not excluded), oldest first, until they cover need.
func (c *chainState) selectCoins(need int64, nextHeight int32, exclude func(chainhash.OutPoint) bool) ([]chainhash.OutPoint, []utxoEntry, int64, error) {
	var ops []chainhash.OutPoint
	var es []utxoEntry
	var sum int64
	picked := make(map[chainhash.OutPoint]struct{})
	prefix := true
	for i := c.walletCursor; i < len(c.walletOps) && sum < need; i++ {
		op := c.walletOps[i]
		e, ok := c.utxo[op]
		if !ok {
			if prefix {
				c.walletCursor = i + 1
			}
			continue
		}
		prefix = false
		if _, dup := picked[op]; dup || (exclude != nil && exclude(op)) {
			continue
		}
		if e.coinbase && nextHeight-e.height < c.p.CoinbaseMaturity {
			continue
		}
		if len(ops) == maxPayInputs {
			break
		}
		picked[op] = struct{}{}
		ops, es = append(ops, op), append(es, e)
		sum += e.out.Value
	}
	if sum < need {
		return nil, nil, 0, fmt.Errorf("%w: need %d zat, found %d", ErrInsufficientFunds, need, sum)
	}
	return ops, es, sum, nil
}

// buildPayment returns a signed v4 transaction paying outs from the wallet,
// for inclusion in block nextHeight, with change back to the wallet.
func (c *chainState) buildPayment(outs []tx.TxOut, nextHeight int32, exclude func(chainhash.OutPoint) bool) (*tx.Tx, error) {
	var total int64
	for _, o := range outs {
		if o.Value < 0 || o.Value > tx.MaxMoney {
			return nil, fmt.Errorf("fluxtest: payment output of %d zat", o.Value)
		}
		total += o.Value
	}
	if len(outs) == 0 {
		return nil, errors.New("fluxtest: payment without outputs")
	}
	ops, es, sum, err := c.selectCoins(total+PayFee, nextHeight, exclude)
	if err != nil {
		return nil, err
	}
	t := tx.NewV4(0, 0)
	for _, op := range ops {
		t.Inputs = append(t.Inputs, tx.TxIn{PrevOut: op, Sequence: 0xffffffff})
	}
	t.Outputs = append(t.Outputs, outs...)
	if change := sum - total - PayFee; change >= dustLimit {
		t.Outputs = append(t.Outputs, tx.TxOut{Value: change, Script: c.walletScript})
	}
	branch := c.p.BranchID(nextHeight)
	for i := range t.Inputs {
		digest, err := tx.SignatureHash(t, i, es[i].out.Script, es[i].out.Value, tx.SigHashAll, branch)
		if err != nil {
			return nil, err
		}
		der := append(signDER(c.walletKey, digest), byte(tx.SigHashAll))
		t.Inputs[i].ScriptSig = script.P2PKHScriptSig(der, c.walletPub)
	}
	return t, nil
}
