package script

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/sig"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

func TestMultisigRedeemScriptRules(t *testing.T) {
	_, pubs := testKeys(16)
	unc := make([]byte, 65)
	unc[0] = 4
	notOnCurve := append([]byte{0x02}, bytes.Repeat([]byte{0xff}, 32)...)
	tests := []struct {
		name string
		k    int
		keys [][]byte
		want Code
	}{
		{"1-of-1", 1, pubs[:1], ""},
		{"15-of-15 fits in 520 bytes", 15, pubs[:15], ""},
		{"k zero", 0, pubs[:3], CodeMultisigParams},
		{"k above n", 4, pubs[:3], CodeMultisigParams},
		{"no keys", 1, nil, CodeMultisigParams},
		{"16 keys", 1, pubs, CodeMultisigParams},
		{"uncompressed key", 1, [][]byte{pubs[0], unc}, CodePubKeyType},
		{"key not on the curve", 1, [][]byte{notOnCurve}, CodePubKeyType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			redeem, err := MultisigRedeemScript(tc.k, tc.keys)
			if tc.want != "" {
				if !IsCode(err, tc.want) {
					t.Fatalf("got %v, want %s", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(redeem) != 3+34*len(tc.keys) || len(redeem) > MaxScriptElementSize {
				t.Fatalf("length %d", len(redeem))
			}
			k, keys, err := ParseMultisig(redeem)
			if err != nil || k != tc.k || len(keys) != len(tc.keys) {
				t.Fatalf("ParseMultisig = %d, %d keys, %v", k, len(keys), err)
			}
			for i := range keys {
				if !bytes.Equal(keys[i], tc.keys[i]) {
					t.Fatalf("key %d differs", i)
				}
			}
		})
	}
}

func TestParseMultisigRejects(t *testing.T) {
	_, pubs := testKeys(3)
	good, _ := MultisigRedeemScript(2, pubs)
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name   string
		redeem []byte
		want   Code
	}{
		{"empty", nil, CodeNotMultisig},
		{"CHECKMULTISIGVERIFY", mod(func(b []byte) []byte { b[len(b)-1] = OP_CHECKMULTISIGVERIFY; return b }), CodeNotMultisig},
		{"k not a small int", mod(func(b []byte) []byte { b[0] = OP_NOP; return b }), CodeNotMultisig},
		{"k zero", mod(func(b []byte) []byte { b[0] = OP_0; return b }), CodeMultisigParams},
		{"k above n", mod(func(b []byte) []byte { b[0] = OP_4; return b }), CodeMultisigParams},
		{"n does not match the keys", mod(func(b []byte) []byte { b[len(b)-2] = OP_2; return b }), CodeNotMultisig},
		{"key pushed with PUSHDATA1", append(append([]byte{OP_1, OP_PUSHDATA1, 33}, pubs[0]...), OP_1, OP_CHECKMULTISIG), CodeNotMultisig},
		{"key with prefix 0x04", mod(func(b []byte) []byte { b[2] = 0x04; return b }), CodePubKeyType},
		{"over 520 bytes", append(bytes.Repeat([]byte{OP_1}, 600), OP_CHECKMULTISIG), CodeElementSize},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := ParseMultisig(tc.redeem); !IsCode(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

func TestMultisigScriptSigEncoding(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 8, 15} {
		privs, pubs := testKeys(n)
		redeem, err := MultisigRedeemScript(n, pubs)
		if err != nil {
			t.Fatal(err)
		}
		sigs := signAll(privs, [32]byte{1}, SigHashAll)
		ss, err := MultisigScriptSig(sigs, redeem)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		// Push opcode of the redeem script: direct, PUSHDATA1 or PUSHDATA2.
		off := len(ss) - len(redeem)
		switch {
		case len(redeem) <= 75 && ss[off-1] != byte(len(redeem)):
			t.Fatalf("n=%d: direct push expected", n)
		case len(redeem) > 75 && len(redeem) <= 255 && !bytes.Equal(ss[off-2:off], []byte{OP_PUSHDATA1, byte(len(redeem))}):
			t.Fatalf("n=%d: PUSHDATA1 expected", n)
		case len(redeem) > 255 && !bytes.Equal(ss[off-3:off], []byte{OP_PUSHDATA2, byte(len(redeem)), byte(len(redeem) >> 8)}):
			t.Fatalf("n=%d: PUSHDATA2 expected", n)
		}
		elems, err := ExtractPushes(ss, true)
		if err != nil || len(elems) != n+2 || len(elems[0]) != 0 || !bytes.Equal(elems[n+1], redeem) {
			t.Fatalf("n=%d: scriptSig does not parse back: %v", n, err)
		}
	}
	_, pubs := testKeys(3)
	redeem, _ := MultisigRedeemScript(2, pubs)
	if _, err := MultisigScriptSig([][]byte{make([]byte, 72)}, redeem); !IsCode(err, CodeSigCount) {
		t.Fatalf("one signature for 2-of-3: %v", err)
	}
	if _, err := MultisigScriptSig([][]byte{make([]byte, 72), nil}, redeem); !IsCode(err, CodeSigSize) {
		t.Fatalf("empty signature: %v", err)
	}
	if _, err := MultisigScriptSig([][]byte{make([]byte, 72), make([]byte, 75)}, redeem); !IsCode(err, CodeSigSize) {
		t.Fatalf("75-byte signature: %v", err)
	}
	if _, err := MultisigScriptSig(nil, []byte{OP_1}); !IsCode(err, CodeNotMultisig) {
		t.Fatalf("bad redeem: %v", err)
	}
}

func TestVerifySpendP2SHMultisigValid(t *testing.T) {
	for _, kn := range [][2]int{{1, 1}, {1, 3}, {2, 3}, {3, 5}, {5, 8}, {7, 10}, {11, 15}, {15, 15}} {
		k, n := kn[0], kn[1]
		privs, pubs := testKeys(n)
		redeem, err := MultisigRedeemScript(k, pubs)
		if err != nil {
			t.Fatal(err)
		}
		digest := [32]byte{byte(k), byte(n), 0x77}
		// Sign with every other key where possible, to exercise key skipping.
		var signers = privs[n-k:]
		if k*2 <= n {
			signers = nil
			for i := 0; i < k; i++ {
				signers = append(signers, privs[2*i])
			}
		}
		ss, err := MultisigScriptSig(signAll(signers, digest, SigHashAll), redeem)
		if err != nil {
			t.Fatalf("%d-of-%d: %v", k, n, err)
		}
		spk := P2SH(Hash160(redeem))
		if err := VerifySpend(ss, spk, fixedHasher(t, redeem, SigHashAll, digest)); err != nil {
			t.Fatalf("%d-of-%d: %v", k, n, err)
		}
		if err := VerifySpend(ss, spk, fixedHasher(t, redeem, SigHashAll, [32]byte{1})); !IsCode(err, CodeSigInvalid) {
			t.Fatalf("%d-of-%d other digest: %v", k, n, err)
		}
	}
}

func TestVerifySpendP2SHMultisigRejects(t *testing.T) {
	privs, pubs := testKeys(4)
	redeem, _ := MultisigRedeemScript(2, pubs[:3])
	other, _ := MultisigRedeemScript(2, [][]byte{pubs[0], pubs[1], pubs[3]})
	digest := [32]byte{0xd1}
	s := signAll(privs, digest, SigHashAll)
	spk := P2SH(Hash160(redeem))
	push := func(elems ...[]byte) []byte {
		var out []byte
		for _, e := range elems {
			out = AppendPush(out, e)
		}
		return out
	}
	wrongType := append(bytes.Clone(s[1][:len(s[1])-1]), 0x81)
	badSig := bytes.Clone(s[1])
	badSig[10] ^= 1
	tests := []struct {
		name      string
		scriptSig []byte
		spk       []byte
		want      Code
	}{
		{"the valid spend", push(nil, s[0], s[1], redeem), spk, ""},
		{"keys 0 and 2", push(nil, s[0], s[2], redeem), spk, ""},
		{"signatures in the wrong order", push(nil, s[1], s[0], redeem), spk, CodeSigOrder},
		{"the same signature twice", push(nil, s[0], s[0], redeem), spk, CodeSigDuplicate},
		{"missing dummy", push(s[0], s[1], redeem), spk, CodeMissingDummy},
		{"non-null dummy OP_1", append([]byte{OP_1}, push(s[0], s[1], redeem)...), spk, CodeNullDummy},
		{"high-S signature", push(nil, s[0], toHighS(t, s[1]), redeem), spk, CodeSigHighS},
		{"hash type ALL|ANYONECANPAY", push(nil, s[0], wrongType, redeem), spk, CodeSigHashType},
		{"non-minimal push of a signature", append(append([]byte{OP_0, OP_PUSHDATA1, byte(len(s[0]))}, s[0]...), push(s[1], redeem)...), spk, CodeNonMinimalPush},
		{"redeem script of another key set", push(nil, s[0], s[1], other), spk, CodeRedeemHash},
		{"too many signatures", push(nil, s[0], s[1], s[2], redeem), spk, CodeTooManySigs},
		{"too few signatures", push(nil, s[0], redeem), spk, CodeTooFewSigs},
		{"an extra push below the dummy", push([]byte{7}, nil, s[0], s[1], redeem), spk, CodeCleanStack},
		{"signature by a key outside the set", push(nil, s[0], s[3], redeem), spk, CodeSigInvalid},
		{"corrupted signature", push(nil, s[0], badSig, redeem), spk, CodeSigInvalid},
		{"signature not DER", push(nil, s[0], append([]byte{0x31}, s[1][1:]...), redeem), spk, CodeSigDER},
		{"non-push opcode", append([]byte{OP_NOP}, push(nil, s[0], s[1], redeem)...), spk, CodeNotPushOnly},
		{"redeem is not multisig", push(nil, s[0], s[1], []byte{OP_1}), P2SH(Hash160([]byte{OP_1})), CodeRedeemScript},
		{"empty scriptSig", nil, spk, CodeRedeemScript},
		{"P2PK scriptPubKey", push(nil, s[0], s[1], redeem), append(AppendPush(nil, pubs[0]), OP_CHECKSIG), CodeUnsupported},
		{"oversized scriptSig", make([]byte, MaxScriptSigSize+1), spk, CodeScriptSigSize},
		{"truncated scriptSig", push(nil, s[0], s[1], redeem)[:50], spk, CodeTruncatedPush},
	}
	seen := map[Code]string{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifySpend(tc.scriptSig, tc.spk, fixedHasher(t, redeem, SigHashAll, digest))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !IsCode(err, tc.want) || !errors.Is(err, &Error{Code: tc.want}) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
		if prev, dup := seen[tc.want]; dup && tc.want != "" && tc.want != CodeSigInvalid && tc.want != CodeRedeemScript {
			t.Errorf("%q and %q share code %s", prev, tc.name, tc.want)
		}
		seen[tc.want] = tc.name
	}
}

func TestVerifySpendHighSWrapsSigError(t *testing.T) {
	privs, pubs := testKeys(1)
	redeem, _ := MultisigRedeemScript(1, pubs)
	s := toHighS(t, signAll(privs, [32]byte{}, SigHashAll)[0])
	ss := append(AppendPush([]byte{OP_0}, s), AppendPush(nil, redeem)...)
	err := VerifySpend(ss, P2SH(Hash160(redeem)), fixedHasher(t, redeem, SigHashAll, [32]byte{}))
	if !errors.Is(err, sig.ErrHighS) {
		t.Fatalf("got %v, want it to wrap sig.ErrHighS", err)
	}
}

func TestVerifySpendHasherError(t *testing.T) {
	privs, pubs := testKeys(1)
	redeem, _ := MultisigRedeemScript(1, pubs)
	ss, _ := MultisigScriptSig(signAll(privs, [32]byte{}, SigHashAll), redeem)
	boom := errors.New("no such input")
	err := VerifySpend(ss, P2SH(Hash160(redeem)), func([]byte, uint32) ([32]byte, error) { return [32]byte{}, boom })
	if !IsCode(err, CodeSigHash) || !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
}

func TestVerifySpendP2PKHRules(t *testing.T) {
	privs, pubs := testKeys(2)
	digest := [32]byte{0xee}
	spk := P2PKH(Hash160(pubs[0]))
	s := signAll(privs, digest, SigHashAll)
	unc := privs[0].PubKey().SerializeUncompressed()
	sUnc := signAll(privs[:1], digest, SigHashAll)[0]
	none := signAll(privs[:1], digest, SigHashNone|SigHashAnyoneCanPay)[0]
	tests := []struct {
		name      string
		scriptSig []byte
		spk       []byte
		hashType  uint32
		want      Code
	}{
		{"valid compressed", P2PKHScriptSig(s[0], pubs[0]), spk, SigHashAll, ""},
		{"valid uncompressed", P2PKHScriptSig(sUnc, unc), P2PKH(Hash160(unc)), SigHashAll, ""},
		{"defined hash type NONE|ANYONECANPAY", P2PKHScriptSig(none, pubs[0]), spk, SigHashNone | SigHashAnyoneCanPay, ""},
		{"wrong key", P2PKHScriptSig(s[1], pubs[1]), spk, SigHashAll, CodePubKeyHash},
		{"signature by another key", P2PKHScriptSig(s[1], pubs[0]), spk, SigHashAll, CodeSigInvalid},
		{"only a signature", AppendPush(nil, s[0]), spk, SigHashAll, CodeP2PKHElements},
		{"extra push", append([]byte{OP_0}, P2PKHScriptSig(s[0], pubs[0])...), spk, SigHashAll, CodeCleanStack},
		{"undefined hash type", P2PKHScriptSig(append(bytes.Clone(s[0][:len(s[0])-1]), 4), pubs[0]), spk, SigHashAll, CodeSigHashType},
		{"high-S", P2PKHScriptSig(toHighS(t, s[0]), pubs[0]), spk, SigHashAll, CodeSigHighS},
		{"public key not on the curve", P2PKHScriptSig(s[0], append([]byte{2}, bytes.Repeat([]byte{0xff}, 32)...)), spk, SigHashAll, CodePubKeyEncoding},
		{"empty signature", P2PKHScriptSig(nil, pubs[0]), spk, SigHashAll, CodeSigDER},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifySpend(tc.scriptSig, tc.spk, fixedHasher(t, tc.spk, tc.hashType, digest))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !IsCode(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

// mainnetTx is the v4 9-input transaction of flux-chain.md §10.6.
type mainnetTx struct {
	Name        string `json:"name"`
	Raw         string `json:"raw"`
	InputsSpend struct {
		ScriptPubKey string `json:"script_pubkey"`
	} `json:"inputs_spend"`
	Sighash struct {
		Input     int    `json:"input"`
		HashType  uint32 `json:"hash_type"`
		DigestRaw string `json:"digest_raw"`
	} `json:"sighash"`
}

// firstInputScriptSig reads input 0's scriptSig from a raw v4 tx: header and
// version group id (4+4), input count (1 byte here), prevout (36), then a
// CompactSize-prefixed script.
func firstInputScriptSig(t *testing.T, raw []byte) []byte {
	t.Helper()
	r := codec.NewReader(raw)
	if _, err := r.Bytes(4+4, "header"); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Uint8("vin count"); err != nil || n != 9 {
		t.Fatalf("vin count %d, %v", n, err)
	}
	if _, err := r.OutPoint("prevout"); err != nil {
		t.Fatal(err)
	}
	ss, err := r.VarBytes("scriptSig", MaxScriptSigSize)
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

func loadMainnetTx(t *testing.T) (scriptSig, spk []byte, digest [32]byte) {
	t.Helper()
	var v struct {
		Transactions []mainnetTx `json:"transactions"`
	}
	if err := json.Unmarshal(vectors.Read(t, "flux/mainnet_vectors.json"), &v); err != nil {
		t.Fatal(err)
	}
	for _, tx := range v.Transactions {
		if tx.Name != "v4-sapling-9-inputs" {
			continue
		}
		if tx.Sighash.Input != 0 || tx.Sighash.HashType != SigHashAll {
			t.Fatalf("unexpected sighash vector %+v", tx.Sighash)
		}
		copy(digest[:], vectors.Hex(t, tx.Sighash.DigestRaw))
		return firstInputScriptSig(t, vectors.Hex(t, tx.Raw)), vectors.Hex(t, tx.InputsSpend.ScriptPubKey), digest
	}
	t.Fatal("v4-sapling-9-inputs not in mainnet_vectors.json")
	return nil, nil, digest
}

func TestVerifySpendMainnetP2PKHInput0(t *testing.T) {
	ss, spk, digest := loadMainnetTx(t)
	if len(ss) != 0x6a || Classify(spk) != ClassP2PKH {
		t.Fatalf("scriptSig %d bytes, scriptPubKey %s", len(ss), Classify(spk))
	}
	if err := VerifySpend(ss, spk, fixedHasher(t, spk, SigHashAll, digest)); err != nil {
		t.Fatalf("input 0: %v", err)
	}
	for i := 0; i < 256; i++ {
		d := digest
		d[i/8] ^= 1 << (i % 8)
		if err := VerifySpend(ss, spk, fixedHasher(t, spk, SigHashAll, d)); !IsCode(err, CodeSigInvalid) {
			t.Fatalf("digest bit %d flipped: %v", i, err)
		}
	}
	for i := 0; i < len(ss)*8; i++ {
		m := bytes.Clone(ss)
		m[i/8] ^= 1 << (i % 8)
		// A real hasher commits to the hash type: any other type gets another digest.
		hasher := func(_ []byte, ht uint32) ([32]byte, error) {
			if ht != SigHashAll {
				return [32]byte{byte(ht)}, nil
			}
			return digest, nil
		}
		if err := VerifySpend(m, spk, hasher); err == nil {
			t.Fatalf("scriptSig bit %d flipped: verified", i)
		}
	}
}

func BenchmarkVerifySpendP2SH(b *testing.B) {
	privs, pubs := testKeys(3)
	redeem, _ := MultisigRedeemScript(2, pubs)
	digest := [32]byte{0xbe}
	ss, _ := MultisigScriptSig(signAll(privs[:2], digest, SigHashAll), redeem)
	spk := P2SH(Hash160(redeem))
	hasher := func([]byte, uint32) ([32]byte, error) { return digest, nil }
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifySpend(ss, spk, hasher); err != nil {
			b.Fatal(err)
		}
	}
}
