package fluxnode

import (
	"bytes"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

func TestBuildersMakeValidFluxnodeTransactions(t *testing.T) {
	redeem := append(append([]byte{0x51, 0x21}, testKey(70)...), 0x51, 0xae)
	tests := []struct {
		name    string
		tx      *tx.Tx
		kind    tx.Kind
		version int32
	}{
		{"v5 START", NewStartTx(params.MainNet, 5, testOP(1), testKey(2), testKey(3), 1_700_000_000), tx.KindFluxnodeStart, 5},
		{"v6 normal START", NewStartTx(params.MainNet, 6, testOP(1), testKey(2), testUncompressedKey(3), 1_700_000_000), tx.KindFluxnodeStart, 6},
		{"v6 P2SH START", NewStartP2SHTx(params.MainNet, testOP(1), testKey(3), redeem, 1_700_000_000), tx.KindFluxnodeStart, 6},
		{"v6 START with delegates", WithDelegates(NewStartTx(params.MainNet, 6, testOP(1), testKey(2), testKey(3), 1),
			tx.Delegates{Version: 1, Type: tx.DelegatesUpdate, Keys: [][]byte{testKey(9)}}), tx.KindFluxnodeStart, 6},
		{"initial CONFIRM", NewConfirmTx(testOP(1), 1_700_000_000, 0, "1.2.3.4:16125"), tx.KindFluxnodeConfirm, 5},
		{"update CONFIRM", NewConfirmTx(testOP(1), 1_700_000_000, 1, "1.2.3.4:16125"), tx.KindFluxnodeConfirm, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.tx.CheckSanity(); err != nil {
				t.Fatalf("CheckSanity: %v", err)
			}
			raw := tc.tx.Bytes()
			back, err := tx.Decode(raw)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !bytes.Equal(back.Bytes(), raw) || back.Kind() != tc.kind || back.Version != tc.version {
				t.Fatalf("decoded kind %s version %d", back.Kind(), back.Version)
			}
			if len(back.Fluxnode.Sig) != CompactSigSize {
				t.Fatalf("sig of %d bytes", len(back.Fluxnode.Sig))
			}
			if tc.kind == tx.KindFluxnodeConfirm && len(back.Fluxnode.BenchmarkSig) != CompactSigSize {
				t.Fatalf("benchmark sig of %d bytes", len(back.Fluxnode.BenchmarkSig))
			}
			// Signatures are outside the txid: replacing them changes nothing
			// the light node checks.
			id := back.TxID()
			back.Fluxnode.Sig = bytes.Repeat([]byte{7}, CompactSigSize)
			if back.TxID() != id {
				t.Fatal("txid depends on the signature")
			}
		})
	}
}

func TestBuilderMisuseIsAProgrammingError(t *testing.T) {
	for name, f := range map[string]func(){
		"NewStartTx version 4":     func() { NewStartTx(params.MainNet, 4, testOP(1), testKey(1), testKey(2), 1) },
		"WithDelegates on v5":      func() { WithDelegates(startTx(1), tx.Delegates{}) },
		"WithDelegates on CONFIRM": func() { WithDelegates(confirmTx(1, false, ""), tx.Delegates{}) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
}
