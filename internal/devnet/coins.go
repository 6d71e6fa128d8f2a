package devnet

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxtest"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// The devnet's locks are paid by a user of its own, not by the simulated
// network's wallet. The wallet spends its outputs oldest first, for any
// payment: had the coins prepared for locks stayed in it, a later split
// payment of fund, or the collateral the network pays for a new fluxnode
// every 300 blocks, would have spent them, and a demo would have run out of
// coins long before its last lock (a 1,000-lock demo stopped at lock 646).
// Coins of the user's key are spent only by Lock, one coin per lock.

// userKey is the devnet user's key: it owns the prepared coins and signs
// the locks paid from them. It protects nothing.
var userKey = secp256k1.PrivKeyFromBytes(func() []byte {
	h := sha256.Sum256([]byte("fluxbridge/devnet/user"))
	return h[:]
}())

// dustLimit is fluxd's dust threshold for a P2PKH output: smaller change is
// left to the fee.
const dustLimit = 54

// coinsPerSplit is how many coins one split payment prepares.
const coinsPerSplit = 500

// coin is an unspent, confirmed output of the user's key.
type coin struct {
	op    chainhash.OutPoint
	value int64
}

// userScript is the P2PKH script of the user's key.
func userScript() []byte {
	return script.P2PKH(script.Hash160(userKey.PubKey().SerializeCompressed()))
}

// fund matures the network's wallet and pays Coins outputs of LockMax + fee
// from it to the user's key, so that many locks fit in one block. It mines
// until the wallet has enough mature coins for each split payment and until
// every split payment is confirmed.
func (d *Devnet) fund() error {
	if err := d.Flux.Mine(int(d.Flux.Params().CoinbaseMaturity) + 1); err != nil {
		return err
	}
	user := userScript()
	var splits []*tx.Tx
	for left := d.cfg.Coins; left > 0; {
		n := min(left, coinsPerSplit)
		outs := make([]tx.TxOut, n)
		for i := range outs {
			outs[i] = tx.TxOut{Value: d.cfg.LockMax + fluxtest.PayFee, Script: user}
		}
		t, err := d.Flux.Pay(outs)
		if errors.Is(err, fluxtest.ErrInsufficientFunds) {
			if err := d.Flux.Mine(50); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("devnet: preparing lock coins: %w", err)
		}
		splits = append(splits, t)
		left -= n
	}
	if err := d.Flux.Mine(1); err != nil {
		return err
	}
	var coins []coin
	for _, t := range splits {
		id := t.TxID()
		if d.Flux.Confirmations(id) == 0 {
			return fmt.Errorf("devnet: preparing lock coins: payment %s was not mined", id)
		}
		for i, o := range t.Outputs {
			if string(o.Script) == string(user) {
				coins = append(coins, coin{op: chainhash.OutPoint{Hash: id, Index: uint32(i)}, value: o.Value})
			}
		}
	}
	d.coinMu.Lock()
	d.coins = coins
	d.coinMu.Unlock()
	return nil
}

// CoinsLeft returns how many prepared coins are not spent yet.
func (d *Devnet) CoinsLeft() int {
	d.coinMu.Lock()
	defer d.coinMu.Unlock()
	return len(d.coins)
}

// pay submits a payment of outs: from one prepared coin of the user's key,
// with change to the network's wallet, or, when no prepared coin is left
// (or they are too small for outs), from the network's wallet. It is mined
// in the next FLUX block.
func (d *Devnet) pay(outs []tx.TxOut) (*tx.Tx, error) {
	var total int64
	for _, o := range outs {
		total += o.Value
	}
	d.coinMu.Lock()
	if len(d.coins) == 0 || d.coins[0].value < total+fluxtest.PayFee {
		d.coinMu.Unlock()
		return d.Flux.Pay(outs)
	}
	c := d.coins[0]
	d.coins = d.coins[1:]
	d.coinMu.Unlock()
	t := tx.NewV4(0, 0)
	t.Inputs = []tx.TxIn{{PrevOut: c.op, Sequence: 0xffffffff}}
	t.Outputs = append(t.Outputs, outs...)
	if change := c.value - total - fluxtest.PayFee; change >= dustLimit {
		t.Outputs = append(t.Outputs, tx.TxOut{Value: change, Script: d.Flux.WalletScript()})
	}
	tip, _ := d.Flux.Tip()
	digest, err := tx.SignatureHash(t, 0, userScript(), c.value, tx.SigHashAll, d.Flux.Params().BranchID(tip+1))
	if err != nil {
		return nil, err
	}
	sig := append(ecdsa.Sign(userKey, digest[:]).Serialize(), byte(tx.SigHashAll))
	t.Inputs[0].ScriptSig = script.P2PKHScriptSig(sig, userKey.PubKey().SerializeCompressed())
	if err := d.Flux.SubmitTx(t); err != nil {
		return nil, err
	}
	return t, nil
}
