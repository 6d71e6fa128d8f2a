package fluxtest

import (
	"errors"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// spend returns a v4 transaction spending ins (P2PKH outputs of key) to outs,
// signed with key for branch.
func spend(t *testing.T, n *Network, key *secp256k1.PrivateKey, ins []chainhash.OutPoint, outs []tx.TxOut) *tx.Tx {
	t.Helper()
	x := tx.NewV4(0, 0)
	for _, op := range ins {
		x.Inputs = append(x.Inputs, tx.TxIn{PrevOut: op, Sequence: 0xffffffff})
	}
	x.Outputs = append([]tx.TxOut(nil), outs...)
	h, _ := n.Tip()
	branch := n.p.BranchID(h + 1)
	for i, op := range ins {
		prev, ok := n.UTXO(op)
		if !ok {
			t.Fatalf("input %s not unspent", op)
		}
		d, err := tx.SignatureHash(x, i, prev.Script, prev.Value, tx.SigHashAll, branch)
		if err != nil {
			t.Fatal(err)
		}
		x.Inputs[i].ScriptSig = script.P2PKHScriptSig(append(signDER(key, d), byte(tx.SigHashAll)), key.PubKey().SerializeCompressed())
	}
	return x
}

// TestPayIsMinedAndItsInputsVerify: a payment from the wallet enters the
// mempool, is mined in the next block, and its inputs verify against the
// outputs they spent.
func TestPayIsMinedAndItsInputsVerify(t *testing.T) {
	n := newNet(t, Config{}, 110)
	outs := []tx.TxOut{{Value: 25 * tx.Coin, Script: PayeeScript()}}
	p, err := n.Pay(outs)
	if err != nil {
		t.Fatal(err)
	}
	prevs := make([]tx.PrevOut, len(p.Inputs))
	for i, in := range p.Inputs {
		out, ok := n.UTXO(in.PrevOut)
		if !ok {
			t.Fatalf("input %d spends %s, not unspent", i, in.PrevOut)
		}
		prevs[i] = tx.PrevOut{Script: out.Script, Value: out.Value}
	}
	if !n.MempoolTx(p.TxID()) || n.Confirmations(p.TxID()) != 0 {
		t.Fatal("the payment is not pending in the mempool")
	}
	if err := n.Mine(1); err != nil {
		t.Fatal(err)
	}
	h, _ := n.Tip()
	if n.MempoolTx(p.TxID()) || n.Confirmations(p.TxID()) != 1 {
		t.Fatalf("after one block: mempool %v, confirmations %d", n.MempoolTx(p.TxID()), n.Confirmations(p.TxID()))
	}
	if err := p.VerifyInputs(prevs, n.p.BranchID(h)); err != nil {
		t.Fatal(err)
	}
	if out, ok := n.UTXO(chainhash.OutPoint{Hash: p.TxID()}); !ok || out.Value != outs[0].Value {
		t.Fatalf("output 0: %+v, %v", out, ok)
	}
	cb := n.BlockAt(h).Txs[0]
	if cb.Outputs[0].Value != BlockSubsidy+PayFee {
		t.Fatalf("coinbase pays %d, want subsidy + fee %d", cb.Outputs[0].Value, BlockSubsidy+PayFee)
	}
	if err := n.Mine(9); err != nil {
		t.Fatal(err)
	}
	if c := n.Confirmations(p.TxID()); c != 10 {
		t.Fatalf("confirmations %d, want 10", c)
	}
}

// TestSubmitTxRules: SubmitTx accepts a valid spend and refuses, with
// fluxd's reject code and reason, every rule it enforces.
func TestSubmitTxRules(t *testing.T) {
	n := newNet(t, Config{}, 120)
	wallet := n.WalletKey()
	coinAt := func(h int32) chainhash.OutPoint { return chainhash.OutPoint{Hash: n.BlockAt(h).Txs[0].TxID()} }
	pay := []tx.TxOut{{Value: 13 * tx.Coin, Script: PayeeScript()}}

	first := spend(t, n, wallet, []chainhash.OutPoint{coinAt(1)}, pay)
	if err := n.SubmitTx(first); err != nil {
		t.Fatalf("valid spend refused: %v", err)
	}
	badSig := spend(t, n, wallet, []chainhash.OutPoint{coinAt(2)}, pay)
	badSig.Outputs[0].Value-- // after signing: the signature no longer covers the outputs
	wrongKey := spend(t, n, deriveKey(labelForger, 0), []chainhash.OutPoint{coinAt(3)}, pay)
	overspend := spend(t, n, wallet, []chainhash.OutPoint{coinAt(4)}, []tx.TxOut{{Value: BlockSubsidy + 1, Script: PayeeScript()}})
	immature := spend(t, n, wallet, []chainhash.OutPoint{coinAt(30)}, pay)
	missing := spend(t, n, wallet, []chainhash.OutPoint{coinAt(5)}, pay)
	missing.Inputs[0].PrevOut.Index = 7
	expired := spend(t, n, wallet, []chainhash.OutPoint{coinAt(6)}, pay)
	expired.ExpiryHeight = 50
	coinbase := n.BlockAt(7).Txs[0]

	cases := []struct {
		name   string
		tx     *tx.Tx
		code   wire.RejectCode
		reason string
	}{
		{"double spend of a mempool input", spend(t, n, wallet, []chainhash.OutPoint{coinAt(1)}, []tx.TxOut{{Value: tx.Coin, Script: PayeeScript()}}),
			wire.RejectDuplicate, "txn-mempool-conflict"},
		{"same transaction twice", first, wire.RejectDuplicate, "txn-already-in-mempool"},
		{"signature does not cover the outputs", badSig, wire.RejectInvalid, "mandatory-script-verify-flag-failed"},
		{"signed by a key that does not own the output", wrongKey, wire.RejectInvalid, "mandatory-script-verify-flag-failed"},
		{"outputs above inputs", overspend, wire.RejectInvalid, "bad-txns-in-belowout"},
		{"immature coinbase", immature, wire.RejectInvalid, "bad-txns-premature-spend-of-coinbase"},
		{"missing input", missing, wire.RejectInvalid, "bad-txns-inputs-missingorspent"},
		{"expired", expired, wire.RejectInvalid, "tx-overwinter-expired"},
		{"coinbase", coinbase, wire.RejectDuplicate, "txn-already-known"},
		{"fluxnode transaction", n.BlockAt(1).Txs[0], wire.RejectDuplicate, "txn-already-known"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := n.SubmitTx(tc.tx)
			var re *RejectError
			if !errors.As(err, &re) || re.Code != tc.code || re.Reason != tc.reason || re.TxID != tc.tx.TxID() {
				t.Fatalf("SubmitTx = %v; want %s %q", err, tc.code, tc.reason)
			}
			if n.MempoolTx(tc.tx.TxID()) && tc.tx != first {
				t.Fatal("a refused transaction is in the mempool")
			}
		})
	}
	if err := n.Mine(1); err != nil {
		t.Fatal(err)
	}
	if n.Confirmations(first.TxID()) != 1 {
		t.Fatal("the accepted spend was not mined")
	}
	again := spend(t, n, wallet, []chainhash.OutPoint{coinAt(8)}, pay)
	again.Inputs[0].PrevOut = coinAt(1) // spent by the mined transaction
	var re *RejectError
	if err := n.SubmitTx(again); !errors.As(err, &re) || re.Reason != "bad-txns-inputs-missingorspent" {
		t.Fatalf("spending a mined-spent output: %v", err)
	}
}

// TestP2SHMultisigSpendIsAccepted: an output to a 2-of-3 P2SH script is
// spent by two signatures in key order (ZIP-243, SIGHASH_ALL, OP_0 dummy);
// signatures out of order are refused.
func TestP2SHMultisigSpendIsAccepted(t *testing.T) {
	n := newNet(t, Config{}, 110)
	keys := []*secp256k1.PrivateKey{deriveKey("msig", 0), deriveKey("msig", 1), deriveKey("msig", 2)}
	pubs := make([][]byte, len(keys))
	for i, k := range keys {
		pubs[i] = k.PubKey().SerializeCompressed()
	}
	redeem, err := script.MultisigRedeemScript(2, pubs)
	if err != nil {
		t.Fatal(err)
	}
	lockScript := script.P2SH(script.Hash160(redeem))
	fund, err := n.Pay([]tx.TxOut{{Value: 5 * tx.Coin, Script: lockScript}})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Mine(1); err != nil {
		t.Fatal(err)
	}
	build := func(signers ...int) *tx.Tx {
		x := tx.NewV4(0, 0)
		x.Inputs = []tx.TxIn{{PrevOut: chainhash.OutPoint{Hash: fund.TxID()}, Sequence: 0xffffffff}}
		x.Outputs = []tx.TxOut{{Value: 5*tx.Coin - PayFee, Script: PayeeScript()}}
		h, _ := n.Tip()
		d, err := tx.SignatureHash(x, 0, redeem, 5*tx.Coin, tx.SigHashAll, n.p.BranchID(h+1))
		if err != nil {
			t.Fatal(err)
		}
		var sigs [][]byte
		for _, i := range signers {
			sigs = append(sigs, append(signDER(keys[i], d), byte(tx.SigHashAll)))
		}
		ss, err := script.MultisigScriptSig(sigs, redeem)
		if err != nil {
			t.Fatal(err)
		}
		x.Inputs[0].ScriptSig = ss
		return x
	}
	if err := n.SubmitTx(build(2, 0)); err == nil {
		t.Fatal("signatures out of key order accepted")
	}
	good := build(0, 2)
	if err := n.SubmitTx(good); err != nil {
		t.Fatal(err)
	}
	if err := n.Mine(1); err != nil {
		t.Fatal(err)
	}
	if n.Confirmations(good.TxID()) != 1 {
		t.Fatal("multisig spend not mined")
	}
}

// TestBuildPaymentReservesItsInputs: built payments do not share inputs,
// and the wallet runs out rather than double-spending.
func TestBuildPaymentReservesItsInputs(t *testing.T) {
	n := newNet(t, Config{}, 102) // coinbases 1..3 are mature for block 103
	seen := map[chainhash.OutPoint]bool{}
	for i := 0; i < 3; i++ {
		p, err := n.BuildPayment(tx.Coin)
		if err != nil {
			t.Fatalf("payment %d: %v", i, err)
		}
		for _, in := range p.Inputs {
			if seen[in.PrevOut] {
				t.Fatalf("payment %d reuses %s", i, in.PrevOut)
			}
			seen[in.PrevOut] = true
		}
	}
	if _, err := n.BuildPayment(tx.Coin); !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("fourth payment: %v; want ErrInsufficientFunds", err)
	}
}
