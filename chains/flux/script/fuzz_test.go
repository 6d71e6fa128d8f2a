package script

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// seedScripts returns real and synthetic scripts for the fuzz corpora.
func seedScripts(f *testing.F) [][]byte {
	privs, pubs := testKeys(3)
	redeem, _ := MultisigRedeemScript(2, pubs)
	ss, _ := MultisigScriptSig(signAll(privs[:2], [32]byte{}, SigHashAll), redeem)
	nd, _ := NullData([]byte("FLXR1"))
	return [][]byte{
		vectors.Hex(f, "76a9143e094e2b62d1e96bce68624dd4931da524e8909688ac"),
		P2SH(Hash160(redeem)), redeem, ss, nd,
		{OP_PUSHDATA4, 1, 0, 0, 0, 7}, {OP_PUSHDATA2, 0xff},
	}
}

// FuzzTokenizer checks that tokenizing never panics, that re-encoding each
// token with its own opcode reproduces the script exactly, and that
// IsPushOnly, ExtractPushes and Classify agree with the tokens.
func FuzzTokenizer(f *testing.F) {
	for _, s := range seedScripts(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		var rebuilt []byte
		pushOnly := true
		tk := MakeTokenizer(script)
		for tk.Next() {
			op, data := tk.Opcode(), tk.Data()
			if op > OP_16 {
				pushOnly = false
			}
			rebuilt = append(rebuilt, op)
			switch op {
			case OP_PUSHDATA1:
				rebuilt = append(rebuilt, byte(len(data)))
			case OP_PUSHDATA2:
				rebuilt = append(rebuilt, byte(len(data)), byte(len(data)>>8))
			case OP_PUSHDATA4:
				rebuilt = append(rebuilt, byte(len(data)), byte(len(data)>>8), byte(len(data)>>16), byte(len(data)>>24))
			}
			rebuilt = append(rebuilt, data...)
			if tk.Offset() != len(rebuilt) {
				t.Fatalf("offset %d, rebuilt %d", tk.Offset(), len(rebuilt))
			}
		}
		if err := tk.Err(); err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeTruncatedPush || e.Offset != len(rebuilt) {
				t.Fatalf("bad error %v at rebuilt length %d", err, len(rebuilt))
			}
			if IsPushOnly(script) || Classify(script) != ClassNonStandard {
				t.Fatal("truncated script accepted")
			}
			return
		}
		if !bytes.Equal(rebuilt, script) {
			t.Fatalf("re-encoding differs:\n%x\n%x", rebuilt, script)
		}
		if IsPushOnly(script) != pushOnly {
			t.Fatal("IsPushOnly disagrees with the tokens")
		}
		if elems, err := ExtractPushes(script, true); err == nil {
			var again []byte
			for _, e := range elems {
				again = AppendPush(again, e)
			}
			if !bytes.Equal(again, script) {
				t.Fatalf("minimal pushes do not round-trip: %x vs %x", again, script)
			}
		}
		if data, err := ParseNullData(script); err == nil && len(script) > 1 {
			again, err := NullData(data)
			if err != nil || !bytes.Equal(again, script) {
				t.Fatalf("null data does not round-trip: %x, %v", again, err)
			}
		}
		if k, keys, err := ParseMultisig(script); err == nil {
			if again, err := MultisigRedeemScript(k, keys); err == nil && !bytes.Equal(again, script) {
				t.Fatal("multisig does not round-trip")
			}
		}
	})
}

// FuzzVerifySpend checks that arbitrary scriptSig/scriptPubKey pairs never
// panic and fail only with typed errors, and that nothing verifies against a
// hasher whose digest no key signed.
func FuzzVerifySpend(f *testing.F) {
	seeds := seedScripts(f)
	f.Add(seeds[3], seeds[1])
	f.Add(P2PKHScriptSig(make([]byte, 71), make([]byte, 33)), seeds[0])
	f.Add([]byte{OP_0}, seeds[1])
	f.Fuzz(func(t *testing.T, scriptSig, scriptPubKey []byte) {
		err := VerifySpend(scriptSig, scriptPubKey, func([]byte, uint32) ([32]byte, error) {
			return [32]byte{0xf0, 0x0d}, nil
		})
		if err == nil {
			t.Fatal("verified against a digest nobody signed")
		}
		var e *Error
		if !errors.As(err, &e) || e.Code == "" {
			t.Fatalf("untyped error %v", err)
		}
	})
}
