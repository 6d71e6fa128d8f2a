package reserve

import (
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/fluxbridge/fluxbridge/chains/flux/address"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// The refund address comes from the first input's scriptSig: a P2PKH spend
// gives the t1 address of its key, a P2SH multisig spend the t3 address of
// its redeem script; a coinbase, a shielded-only transaction, a non-push
// scriptSig and every other shape give none. The signed inputs are real and
// verify against the outputs they spend.
func TestRefundAddressDerivation(t *testing.T) {
	prev := chainhash.OutPoint{Hash: chainhash.Hash{0xcc}, Index: 1}
	const prevValue = 3 * tx.Coin
	spending := func(ins ...tx.TxIn) *tx.Tx {
		x := tx.NewV4(0, testHeight+20)
		x.Inputs = ins
		x.Outputs = []tx.TxOut{toReserve(tx.Coin), toUser(prevValue - tx.Coin - 1000)}
		return x
	}
	in := tx.TxIn{PrevOut: prev, Sequence: 0xffffffff}
	in2 := tx.TxIn{PrevOut: chainhash.OutPoint{Hash: chainhash.Hash{0xcd}}, Sequence: 0xffffffff}
	p2pkh := func(compressed bool) (*tx.Tx, []byte) {
		x := spending(in)
		signP2PKH(t, x, 0, userKey, compressed, prevValue)
		return x, p2pkhOf(userKey, compressed)
	}
	p2sh := func(m multisig) (*tx.Tx, []byte) {
		x := spending(in)
		m.signInput(t, x, 0, prevValue)
		return x, m.script()
	}
	userHash := func(compressed bool) address.Address {
		return address.Address{Kind: address.P2PKH, Hash: script.Hash160(pubKeyOf(userKey, compressed))}
	}
	tests := []struct {
		name  string
		build func() (x *tx.Tx, prevScript []byte) // prevScript: the output the first input really spends, nil if none
		want  address.Address                      // Kind 0: no address
	}{
		{"P2PKH spend with a compressed key", func() (*tx.Tx, []byte) { return p2pkh(true) }, userHash(true)},
		{"P2PKH spend with an uncompressed key", func() (*tx.Tx, []byte) { return p2pkh(false) }, userHash(false)},
		{"P2SH 1-of-2 multisig spend", func() (*tx.Tx, []byte) { return p2sh(userMS) },
			address.Address{Kind: address.P2SH, Hash: script.Hash160(userMS.redeem)}},
		{"P2SH 3-of-5 multisig spend", func() (*tx.Tx, []byte) { return p2sh(newReserveMS) },
			address.Address{Kind: address.P2SH, Hash: script.Hash160(newReserveMS.redeem)}},
		{"only the first input counts", func() (*tx.Tx, []byte) {
			x := spending(in, in2)
			signP2PKH(t, x, 0, userKey, true, prevValue)
			signP2PKH(t, x, 1, testKey("other", 0), true, prevValue)
			return x, p2pkhOf(userKey, true)
		}, userHash(true)},
		{"coinbase", func() (*tx.Tx, []byte) {
			x := coinbase(testHeight)
			x.Outputs = append(x.Outputs, toReserve(tx.Coin))
			return x, nil
		}, address.Address{}},
		{"shielded-only inputs", func() (*tx.Tx, []byte) {
			x := spending()
			x.ShieldedSpends = make([]tx.ShieldedSpend, 1)
			return x, nil
		}, address.Address{}},
		{"non-push scriptSig", func() (*tx.Tx, []byte) {
			x, _ := p2pkh(true)
			x.Inputs[0].ScriptSig = append(x.Inputs[0].ScriptSig, script.OP_DUP, script.OP_DROP)
			return x, nil
		}, address.Address{}},
		{"truncated push", func() (*tx.Tx, []byte) {
			x, _ := p2pkh(true)
			x.Inputs[0].ScriptSig = x.Inputs[0].ScriptSig[:len(x.Inputs[0].ScriptSig)-1]
			return x, nil
		}, address.Address{}},
		{"P2PK spend (signature only)", func() (*tx.Tx, []byte) {
			x, _ := p2pkh(true)
			pushes, _ := script.ExtractPushes(x.Inputs[0].ScriptSig, true)
			x.Inputs[0].ScriptSig = script.AppendPush(nil, pushes[0])
			return x, nil
		}, address.Address{}},
		{"two pushes whose first is no DER signature", func() (*tx.Tx, []byte) {
			x := spending(in)
			x.Inputs[0].ScriptSig = script.P2PKHScriptSig([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 1}, pubKeyOf(userKey, true))
			return x, nil
		}, address.Address{}},
		{"P2SH spend of a non-multisig redeem script", func() (*tx.Tx, []byte) {
			x, _ := p2pkh(true)
			x.Inputs[0].ScriptSig = script.AppendPush(x.Inputs[0].ScriptSig, p2pkhOf(userKey, true))
			return x, nil
		}, address.Address{}},
		{"multisig spend without the OP_0 dummy", func() (*tx.Tx, []byte) {
			x, _ := p2sh(userMS)
			x.Inputs[0].ScriptSig = x.Inputs[0].ScriptSig[1:]
			return x, nil
		}, address.Address{}},
		{"multisig spend with too few signatures", func() (*tx.Tx, []byte) {
			x, _ := p2sh(reserveMS)
			pushes, _ := script.ExtractPushes(x.Inputs[0].ScriptSig, true)
			ss := script.AppendPush([]byte{script.OP_0}, pushes[1])
			x.Inputs[0].ScriptSig = script.AppendPush(ss, reserveMS.redeem)
			return x, nil
		}, address.Address{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, prevScript := tc.build()
			if prevScript != nil {
				if err := x.VerifyInput(0, tx.PrevOut{Script: prevScript, Value: prevValue}, testBranch); err != nil {
					t.Fatalf("test input does not verify: %v", err)
				}
			}
			got, ok := RefundAddress(x)
			if ok != (tc.want.Kind != 0) || got != tc.want {
				t.Fatalf("RefundAddress = %+v, %v; want %+v", got, ok, tc.want)
			}
			if ok {
				enc := got.Encode(testParams)
				if prefix := map[address.Kind]string{address.P2PKH: "t1", address.P2SH: "t3"}[got.Kind]; !strings.HasPrefix(enc, prefix) {
					t.Errorf("mainnet address %s lacks prefix %s", enc, prefix)
				}
			}
			// Through the scanner: the payment (no memo) is an invalid lock
			// refunded to that address, or one awaiting a claim.
			res := scan(t, testScanner(t), nil, x)
			if len(res.Locks) != 1 {
				t.Fatalf("%d locks", len(res.Locks))
			}
			l := res.Locks[0]
			wantTo := ""
			if ok {
				wantTo = tc.want.Encode(testParams)
			}
			if l.Valid() || l.HasRefundAddress != ok || l.RefundAddress != tc.want || l.RefundTo != wantTo {
				t.Errorf("lock %q refund %v %+v %q, want %q", l.Invalid, l.HasRefundAddress, l.RefundAddress, l.RefundTo, wantTo)
			}
		})
	}
}

// Golden: an invalid lock paid by a P2PKH spend of the key with secret 1
// (public key G, HASH160 751e76e8…3bd6) is refunded to
// t1UYsZVJkLPeMjxEtACvSxfWuNmddpWfxzs, the Base58Check of 1cb8 ‖ that hash
// computed independently (Python hashlib).
func TestRefundAddressGolden(t *testing.T) {
	var one [32]byte
	one[31] = 1
	k := secp256k1.PrivKeyFromBytes(one[:])
	x := tx.NewV4(0, testHeight+20)
	x.Inputs = []tx.TxIn{{PrevOut: chainhash.OutPoint{Hash: chainhash.Hash{1}}, Sequence: 0xffffffff}}
	x.Outputs = []tx.TxOut{toReserve(tx.Coin)}
	signP2PKH(t, x, 0, k, true, tx.Coin)
	res := scan(t, testScanner(t), nil, x)
	if got := res.Locks[0].RefundTo; got != "t1UYsZVJkLPeMjxEtACvSxfWuNmddpWfxzs" {
		t.Fatalf("RefundTo = %s", got)
	}
}
