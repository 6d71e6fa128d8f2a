package tx

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// The nine P2PKH signatures of mainnet tx 98f6cabf…b648 (block 2,019,999) verify
// through SignatureHash and the script verifier, with branch 0x76B809BB and the
// 18.75 FLUX each input spends; the wrong amount or branch breaks every one.
func TestAllNineMainnetSignaturesVerify(t *testing.T) {
	v := mainnetTxs(t)["v4-sapling-9-inputs"]
	if v.InputsSpend == nil {
		t.Fatal("vector lacks inputs_spend")
	}
	x, err := Decode(vectors.Hex(t, v.Raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Inputs) != 9 {
		t.Fatalf("%d inputs", len(x.Inputs))
	}
	prev := PrevOut{Script: vectors.Hex(t, v.InputsSpend.ScriptPubKey), Value: v.InputsSpend.AmountZat}
	prevs := make([]PrevOut, 9)
	for i := range prevs {
		prevs[i] = prev
	}
	if err := x.VerifyInputs(prevs, branchSapling); err != nil {
		t.Fatalf("real signatures rejected: %v", err)
	}
	for i := range x.Inputs {
		if err := x.VerifyInput(i, PrevOut{Script: prev.Script, Value: prev.Value - 1}, branchSapling); err == nil {
			t.Errorf("input %d verifies with the wrong amount", i)
		}
		if err := x.VerifyInput(i, prev, branchSprout); err == nil {
			t.Errorf("input %d verifies with the wrong branch id", i)
		}
	}
	if err := x.VerifyInputs(prevs[:8], branchSapling); err == nil {
		t.Error("a missing previous output was accepted")
	}
	if err := x.VerifyInput(9, prev, branchSapling); err == nil {
		t.Error("input index out of range was accepted")
	}
}

// Branch ids (params imports wire, which imports this package, so they are restated).
const (
	branchSapling uint32 = 0x76b809bb
	branchSprout  uint32 = 0
)

func testKey(i int) *secp256k1.PrivateKey {
	d := sha256.Sum256([]byte(fmt.Sprintf("fluxbridge/tx/verify_test/%d", i)))
	return secp256k1.PrivKeyFromBytes(d[:])
}

// A 2-of-3 reserve spend built the way releases are built: it verifies, and
// signatures out of key order or from a key outside the set do not.
func TestVerifyP2SHMultisigReleaseSpend(t *testing.T) {
	keys := []*secp256k1.PrivateKey{testKey(0), testKey(1), testKey(2)}
	pubs := make([][]byte, len(keys))
	for i, k := range keys {
		pubs[i] = k.PubKey().SerializeCompressed()
	}
	redeem, err := script.MultisigRedeemScript(2, pubs)
	if err != nil {
		t.Fatal(err)
	}
	reserve := script.P2SH(script.Hash160(redeem))
	x := NewV4(0, 0)
	x.Inputs = []TxIn{{PrevOut: chainhash.OutPoint{Hash: chainhash.Hash{7}, Index: 1}, Sequence: 0xffffffff}}
	x.Outputs = []TxOut{{Value: 99_000, Script: script.P2PKH([20]byte{1})}}
	prev := PrevOut{Script: reserve, Value: 100_000}
	digest, err := SignatureHash(x, 0, redeem, prev.Value, script.SigHashAll, branchSapling)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(k *secp256k1.PrivateKey) []byte {
		return append(ecdsa.Sign(k, digest[:]).Serialize(), byte(script.SigHashAll))
	}
	cases := []struct {
		name  string
		sigs  [][]byte
		valid bool
	}{
		{"keys 0 and 1 in order", [][]byte{sign(keys[0]), sign(keys[1])}, true},
		{"keys 0 and 2 in order", [][]byte{sign(keys[0]), sign(keys[2])}, true},
		{"keys 1 and 0 out of order", [][]byte{sign(keys[1]), sign(keys[0])}, false},
		{"a key outside the set", [][]byte{sign(keys[0]), sign(testKey(9))}, false},
		{"one signature twice", [][]byte{sign(keys[0]), sign(keys[0])}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ss, err := script.MultisigScriptSig(c.sigs, redeem)
			if err != nil {
				t.Fatal(err)
			}
			x.Inputs[0].ScriptSig = ss
			if err := x.VerifyInput(0, prev, branchSapling); (err == nil) != c.valid {
				t.Fatalf("valid=%v, got %v", c.valid, err)
			}
		})
	}
	// Changing an output after signing invalidates the signatures (SIGHASH_ALL).
	ss, _ := script.MultisigScriptSig([][]byte{sign(keys[0]), sign(keys[1])}, redeem)
	x.Inputs[0].ScriptSig = ss
	x.Outputs[0].Value--
	if err := x.VerifyInput(0, prev, branchSapling); err == nil {
		t.Fatal("a changed output still verifies")
	}
}
