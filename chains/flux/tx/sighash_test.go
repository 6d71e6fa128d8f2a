package tx

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// oldLegacySigHash is a port of SignatureHashOld from fluxd's
// src/test/sighash_tests.cpp: it edits a copy of the transaction (blank
// scriptSigs, drop or null outputs, zero the JoinSplit signature) and hashes
// its ordinary serialization. It shares nothing with legacySigHash.
func oldLegacySigHash(t *Tx, in int, scriptCode []byte, hashType uint32) [32]byte {
	c := *t
	c.Inputs = make([]TxIn, len(t.Inputs))
	for i, x := range t.Inputs {
		c.Inputs[i] = TxIn{PrevOut: x.PrevOut, Sequence: x.Sequence}
	}
	c.Inputs[in].ScriptSig = scriptCode
	c.Outputs = append([]TxOut(nil), t.Outputs...)
	switch hashType & 0x1f {
	case SigHashNone:
		c.Outputs = nil
		for i := range c.Inputs {
			if i != in {
				c.Inputs[i].Sequence = 0
			}
		}
	case SigHashSingle:
		c.Outputs = c.Outputs[:in+1]
		for i := 0; i < in; i++ {
			c.Outputs[i] = TxOut{Value: -1}
		}
		for i := range c.Inputs {
			if i != in {
				c.Inputs[i].Sequence = 0
			}
		}
	}
	if hashType&SigHashAnyoneCanPay != 0 {
		c.Inputs = []TxIn{c.Inputs[in]}
	}
	c.JoinSplitSig = [64]byte{}
	w := codec.NewWriter(0)
	c.Encode(w)
	w.Uint32(hashType)
	return chainhash.DoubleSHA256(w.Bytes())
}

func TestLegacySigHashMatchesOldAlgorithm(t *testing.T) {
	scripts := [][]byte{nil, {0x76, 0xa9, 0x88, 0xac}, {0x51, 0xab, 0x52}}
	hashTypes := []uint32{1, 2, 3, 0x81, 0x82, 0x83, 0, 0x1f, 0xffffff43}
	checked := 0
	for i, r := range sighashRows(t) {
		tx, err := Decode(r.raw)
		if err != nil {
			t.Fatal(err)
		}
		if tx.Overwintered {
			continue
		}
		for in := range tx.Inputs {
			for _, ht := range hashTypes {
				for _, sc := range scripts {
					got, err := SignatureHash(tx, in, sc, 0, ht, 0)
					if ht&0x1f == SigHashSingle && in >= len(tx.Outputs) {
						if !errors.Is(err, ErrSingleNoOutput) {
							t.Fatalf("row %d: err = %v, want ErrSingleNoOutput", i, err)
						}
						continue
					}
					if err != nil {
						t.Fatalf("row %d: %v", i, err)
					}
					if want := oldLegacySigHash(tx, in, sc, ht); got != want {
						t.Fatalf("row %d input %d hashType %#x: legacy digest differs from the old algorithm", i, in, ht)
					}
					checked++
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d legacy digests checked", checked)
	}
}

// TestScriptCodeIsHashedVerbatim: OP_CODESEPARATOR (0xab) is disabled on FLUX,
// and fluxd's SignatureHash hashes scriptCode as given, without removing it.
func TestScriptCodeIsHashedVerbatim(t *testing.T) {
	withSep := []byte{0x51, 0xab, 0x52}
	stripped := []byte{0x51, 0x52}
	for _, name := range []string{"legacy", "zip243"} {
		var tx *Tx
		if name == "legacy" {
			tx = &Tx{Version: 1, Inputs: []TxIn{{Sequence: 1}}, Outputs: []TxOut{{Value: 1}}}
		} else {
			tx = NewV4(0, 0)
			tx.Inputs, tx.Outputs = []TxIn{{Sequence: 1}}, []TxOut{{Value: 1}}
		}
		a, _ := SignatureHash(tx, 0, withSep, 5, 1, 0x76B809BB)
		b, _ := SignatureHash(tx, 0, stripped, 5, 1, 0x76B809BB)
		if a == b {
			t.Fatalf("%s: OP_CODESEPARATOR was removed from scriptCode", name)
		}
		if name == "legacy" && a != oldLegacySigHash(tx, 0, withSep, 1) {
			t.Fatal("legacy digest differs from the old algorithm")
		}
	}
}

// TestJoinSplitSigVerifiesOverNotAnInputDigest: the generator of sighash.json
// signed each v4 transaction's JoinSplits with Ed25519 over
// SignatureHash(NOT_AN_INPUT, SIGHASH_ALL, amount 0, the row's branch id).
func TestJoinSplitSigVerifiesOverNotAnInputDigest(t *testing.T) {
	checked := 0
	for i, r := range sighashRows(t) {
		tx, err := Decode(r.raw)
		if err != nil {
			t.Fatal(err)
		}
		if !tx.IsSapling() || len(tx.JoinSplits) == 0 {
			continue
		}
		d, err := SignatureHash(tx, NotAnInput, nil, 0, SigHashAll, r.branch)
		if err != nil {
			t.Fatal(err)
		}
		if !ed25519.Verify(tx.JoinSplitPubKey[:], d[:], tx.JoinSplitSig[:]) {
			t.Fatalf("row %d: joinSplitSig does not verify", i)
		}
		d[0] ^= 1
		if ed25519.Verify(tx.JoinSplitPubKey[:], d[:], tx.JoinSplitSig[:]) {
			t.Fatal("verification is not sensitive to the digest")
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no v4 rows with JoinSplits")
	}
	t.Logf("%d joinSplitSigs verified", checked)
}

func TestSignatureHashErrors(t *testing.T) {
	v4, err := Decode(mainnetRaw(t, "v4-sapling-9-inputs"))
	if err != nil {
		t.Fatal(err)
	}
	legacy := &Tx{Version: 1, Inputs: make([]TxIn, 3), Outputs: make([]TxOut, 2)}
	confirm, err := Decode(vectors.Hex(t, confirmRaw))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		tx       *Tx
		in       int
		hashType uint32
		want     error
	}{
		{"v4 input past the end", v4, 9, 1, ErrInputIndex},
		{"v4 negative input", v4, -2, 1, ErrInputIndex},
		{"v4 NotAnInput", v4, NotAnInput, 1, nil},
		{"v4 SINGLE past the outputs is allowed", v4, 8, 3, nil},
		{"legacy input past the end", legacy, 3, 1, ErrInputIndex},
		{"legacy NotAnInput", legacy, NotAnInput, 1, ErrInputIndex},
		{"legacy SINGLE without matching output", legacy, 2, 3, ErrSingleNoOutput},
		{"legacy SINGLE|ANYONECANPAY without matching output", legacy, 2, 0x83, ErrSingleNoOutput},
		{"legacy SINGLE with matching output", legacy, 1, 3, nil},
		{"fluxnode tx has no inputs", confirm, 0, 1, ErrInputIndex},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SignatureHash(tc.tx, tc.in, nil, 0, tc.hashType, 0x76B809BB)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestZIP243SingleOutputsHash: with SIGHASH_SINGLE the digest commits to the
// output at the input's index only.
func TestZIP243SingleOutputsHash(t *testing.T) {
	tx, err := Decode(mainnetRaw(t, "v4-sapling-9-inputs"))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := SignatureHash(tx, 1, nil, 7, SigHashSingle, 0x76B809BB)
	c := *tx
	c.Outputs = append([]TxOut(nil), tx.Outputs...)
	c.Outputs[5].Value++
	if d, _ := SignatureHash(&c, 1, nil, 7, SigHashSingle, 0x76B809BB); d != base {
		t.Fatal("SINGLE digest depends on another output")
	}
	c.Outputs[1].Value++
	if d, _ := SignatureHash(&c, 1, nil, 7, SigHashSingle, 0x76B809BB); d == base {
		t.Fatal("SINGLE digest ignores its own output")
	}
	var le [4]byte
	binary.LittleEndian.PutUint32(le[:], 0x76B809BB)
	if string(append([]byte(personSigHashPrefix), le[:]...)) != "ZcashSigHash\xbb\x09\xb8\x76" {
		t.Fatal("personalization layout")
	}
}
