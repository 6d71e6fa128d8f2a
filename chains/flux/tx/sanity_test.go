package tx

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
)

// TestCheckSanityOnSighashVectors applies the expectation of fluxd's
// sighash_from_data test: a row is valid unless its version is too low or
// (overwintered) its expiry height reaches the threshold.
func TestCheckSanityOnSighashVectors(t *testing.T) {
	valid := 0
	for i, r := range sighashRows(t) {
		tx, err := Decode(r.raw)
		if err != nil {
			t.Fatal(err)
		}
		err = tx.CheckSanity()
		switch {
		case tx.Overwintered && tx.ExpiryHeight >= ExpiryHeightThreshold:
			if !errors.Is(err, ErrExpiryTooHigh) {
				t.Fatalf("row %d: err = %v, want ErrExpiryTooHigh", i, err)
			}
		case !tx.Overwintered && tx.Version < 1:
			if !errors.Is(err, ErrVersionTooLow) {
				t.Fatalf("row %d: err = %v, want ErrVersionTooLow", i, err)
			}
		default:
			if err != nil {
				t.Fatalf("row %d (%v): %v", i, tx.Kind(), err)
			}
			valid++
		}
	}
	if valid < 300 {
		t.Fatalf("only %d valid rows", valid)
	}
}

func saneV4() *Tx {
	tx := NewV4(0, 100)
	tx.Inputs = []TxIn{{PrevOut: chainhash.OutPoint{Hash: chainhash.Hash{1}, Index: 0}}}
	tx.Outputs = []TxOut{{Value: 1000, Script: []byte{0x51}}}
	return tx
}

func joinSplitWith(vpubOld, vpubNew int64, nf byte) JoinSplit {
	js := make(JoinSplit, JoinSplitSizeGroth)
	binary.LittleEndian.PutUint64(js[0:], uint64(vpubOld))
	binary.LittleEndian.PutUint64(js[8:], uint64(vpubNew))
	js[joinSplitNullifiersOffset] = nf
	js[joinSplitNullifiersOffset+32] = nf + 1
	return js
}

func TestCheckSanityRules(t *testing.T) {
	coinbase := func(scriptLen int) *Tx {
		tx := saneV4()
		tx.Inputs = []TxIn{{PrevOut: chainhash.OutPoint{Index: 0xffffffff}, ScriptSig: make([]byte, scriptLen)}}
		return tx
	}
	confirm := func(edit func(f *Fluxnode)) *Tx {
		f := &Fluxnode{Type: FluxnodeConfirmType, Collateral: chainhash.OutPoint{Hash: chainhash.Hash{9}}, BenchmarkTier: 1, IP: "1.2.3.4"}
		if edit != nil {
			edit(f)
		}
		return &Tx{Version: FluxnodeVersion, Fluxnode: f}
	}
	start6 := func(fluxTxVersion int32, edit func(f *Fluxnode)) *Tx {
		f := &Fluxnode{Type: FluxnodeStartType, FluxTxVersion: fluxTxVersion, Collateral: chainhash.OutPoint{Hash: chainhash.Hash{9}}}
		if edit != nil {
			edit(f)
		}
		return &Tx{Version: FluxnodeUpgradeableVersion, Fluxnode: f}
	}
	compressed := append([]byte{2}, make([]byte, 32)...)
	tests := []struct {
		name string
		tx   func() *Tx
		want error
	}{
		{"sane v4 passes", saneV4, nil},
		{"version 0 is too low", func() *Tx { tx := saneV4(); tx.Overwintered, tx.Version = false, 0; return tx }, ErrVersionTooLow},
		{"expiry at threshold", func() *Tx { tx := saneV4(); tx.ExpiryHeight = ExpiryHeightThreshold; return tx }, ErrExpiryTooHigh},
		{"no inputs", func() *Tx { tx := saneV4(); tx.Inputs = nil; return tx }, ErrNoInputs},
		{"no outputs", func() *Tx { tx := saneV4(); tx.Outputs = nil; return tx }, ErrNoOutputs},
		{"shielded spend replaces inputs", func() *Tx {
			tx := saneV4()
			tx.Inputs, tx.ShieldedSpends = nil, make([]ShieldedSpend, 1)
			return tx
		}, nil},
		{"oversize", func() *Tx { tx := saneV4(); tx.Outputs[0].Script = make([]byte, MaxTxSize); return tx }, ErrTooLarge},
		{"negative output", func() *Tx { tx := saneV4(); tx.Outputs[0].Value = -1; return tx }, ErrOutputNegative},
		{"output above MaxMoney", func() *Tx { tx := saneV4(); tx.Outputs[0].Value = MaxMoney + 1; return tx }, ErrOutputTooLarge},
		{"output exactly MaxMoney", func() *Tx { tx := saneV4(); tx.Outputs[0].Value = MaxMoney; return tx }, nil},
		{"output total above MaxMoney", func() *Tx {
			tx := saneV4()
			tx.Outputs = []TxOut{{Value: MaxMoney}, {Value: 1}}
			return tx
		}, ErrOutputTotalTooLarge},
		{"value balance without shielded parts", func() *Tx { tx := saneV4(); tx.ValueBalance = 5; return tx }, ErrValueBalanceNonZero},
		{"value balance too large", func() *Tx {
			tx := saneV4()
			tx.ShieldedOutputs = make([]ShieldedOutput, 1)
			tx.ValueBalance = -MaxMoney - 1
			return tx
		}, ErrValueBalanceTooLarge},
		{"negative value balance adds to outputs", func() *Tx {
			tx := saneV4()
			tx.ShieldedOutputs = make([]ShieldedOutput, 1)
			tx.Outputs[0].Value, tx.ValueBalance = MaxMoney, -1
			return tx
		}, ErrOutputTotalTooLarge},
		{"positive value balance adds to inputs", func() *Tx {
			tx := saneV4()
			tx.ShieldedSpends = make([]ShieldedSpend, 1)
			tx.JoinSplits = []JoinSplit{joinSplitWith(0, MaxMoney, 1)}
			tx.ValueBalance = 1
			return tx
		}, ErrInputTotalTooLarge},
		{"joinsplit with both vpubs", func() *Tx { tx := saneV4(); tx.JoinSplits = []JoinSplit{joinSplitWith(1, 1, 1)}; return tx }, ErrJoinSplitValue},
		{"joinsplit negative vpub", func() *Tx { tx := saneV4(); tx.JoinSplits = []JoinSplit{joinSplitWith(-1, 0, 1)}; return tx }, ErrJoinSplitValue},
		{"joinsplit vpub_old adds to outputs", func() *Tx {
			tx := saneV4()
			tx.JoinSplits = []JoinSplit{joinSplitWith(MaxMoney, 0, 1)}
			return tx
		}, ErrOutputTotalTooLarge},
		{"joinsplit vpub_new total", func() *Tx {
			tx := saneV4()
			tx.JoinSplits = []JoinSplit{joinSplitWith(0, MaxMoney, 1), joinSplitWith(0, 1, 3)}
			return tx
		}, ErrInputTotalTooLarge},
		{"duplicate inputs", func() *Tx { tx := saneV4(); tx.Inputs = append(tx.Inputs, tx.Inputs[0]); return tx }, ErrDuplicateInputs},
		{"duplicate joinsplit nullifiers", func() *Tx {
			tx := saneV4()
			tx.JoinSplits = []JoinSplit{joinSplitWith(0, 0, 1), joinSplitWith(0, 0, 2)}
			return tx
		}, ErrDuplicateNullifiers},
		{"duplicate sapling nullifiers", func() *Tx {
			tx := saneV4()
			tx.ShieldedSpends = make([]ShieldedSpend, 2)
			return tx
		}, ErrDuplicateNullifiers},
		{"coinbase script of 2 bytes", func() *Tx { return coinbase(2) }, nil},
		{"coinbase script of 100 bytes", func() *Tx { return coinbase(100) }, nil},
		{"coinbase script of 1 byte", func() *Tx { return coinbase(1) }, ErrCoinbaseScriptSize},
		{"coinbase script of 101 bytes", func() *Tx { return coinbase(101) }, ErrCoinbaseScriptSize},
		{"coinbase with shielded output", func() *Tx { tx := coinbase(2); tx.ShieldedOutputs = make([]ShieldedOutput, 1); return tx }, ErrCoinbaseShielded},
		{"null prevout outside coinbase", func() *Tx {
			tx := saneV4()
			tx.Inputs = append(tx.Inputs, TxIn{PrevOut: chainhash.OutPoint{Index: 0xffffffff}})
			return tx
		}, ErrNullPrevOut},
		{"fluxnode confirm passes", func() *Tx { return confirm(nil) }, nil},
		{"fluxnode bad type", func() *Tx { return confirm(func(f *Fluxnode) { f.Type = 3 }) }, ErrFluxnodeType},
		{"fluxnode null collateral", func() *Tx {
			return confirm(func(f *Fluxnode) { f.Collateral = chainhash.OutPoint{Index: 0xffffffff} })
		}, ErrFluxnodeNullCollateral},
		{"fluxnode tier 0", func() *Tx { return confirm(func(f *Fluxnode) { f.BenchmarkTier = 0 }) }, ErrFluxnodeTier},
		{"fluxnode tier 4", func() *Tx { return confirm(func(f *Fluxnode) { f.BenchmarkTier = 4 }) }, ErrFluxnodeTier},
		{"fluxnode ip 41 bytes before V2 time", func() *Tx { return confirm(func(f *Fluxnode) { f.IP = string(make([]byte, 41)) }) }, ErrFluxnodeIP},
		{"fluxnode ip 60 bytes after V2 time", func() *Tx {
			return confirm(func(f *Fluxnode) { f.IP, f.BenchmarkSigTime = string(make([]byte, 60)), ConfirmIPSizeV2Time })
		}, nil},
		{"fluxnode update type 2", func() *Tx { return confirm(func(f *Fluxnode) { f.UpdateType = 2 }) }, ErrFluxnodeUpdateType},
		{"P2SH redeem script too large", func() *Tx {
			return start6(FluxTxP2SHBit, func(f *Fluxnode) { f.RedeemScript = make([]byte, MaxScriptSize+1) })
		}, ErrFluxnodeRedeemScript},
		{"redeem script size unchecked with conflicting bits", func() *Tx {
			return start6(FluxTxP2SHBit|FluxTxNormalBit, func(f *Fluxnode) { f.RedeemScript = make([]byte, MaxScriptSize+1) })
		}, nil},
		{"delegates bit without delegate data", func() *Tx { return start6(FluxTxNormalBit|FluxTxDelegatesBit, nil) }, ErrFluxnodeDelegates},
		{"delegates with five keys", func() *Tx {
			return start6(FluxTxNormalBit|FluxTxDelegatesBit, func(f *Fluxnode) {
				f.UsingDelegates = true
				f.Delegates = Delegates{Version: 1, Type: DelegatesUpdate, Keys: [][]byte{compressed, compressed, compressed, compressed, compressed}}
			})
		}, ErrFluxnodeDelegates},
		{"delegates with uncompressed key", func() *Tx {
			return start6(FluxTxNormalBit|FluxTxDelegatesBit, func(f *Fluxnode) {
				f.UsingDelegates = true
				f.Delegates = Delegates{Version: 1, Type: DelegatesUpdate, Keys: [][]byte{append([]byte{4}, make([]byte, 64)...)}}
			})
		}, ErrFluxnodeDelegates},
		{"delegates signing", func() *Tx {
			return start6(FluxTxNormalBit|FluxTxDelegatesBit, func(f *Fluxnode) {
				f.UsingDelegates = true
				f.Delegates = Delegates{Version: 1, Type: DelegatesSigning}
			})
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.tx().CheckSanity()
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var re *RuleError
			if err != nil && (!errors.As(err, &re) || re.Code != tc.want) {
				t.Fatalf("not a *RuleError with code %d", tc.want)
			}
		})
	}
}

func TestErrorCodesHaveNames(t *testing.T) {
	for c := ErrInputIndex; c <= ErrFluxnodeTier; c++ {
		if _, ok := codeNames[c]; !ok {
			t.Errorf("code %d has no name", int(c))
		}
	}
	if ErrorCode(999).Error() != "tx: rule error 999" {
		t.Fatal(ErrorCode(999).Error())
	}
	if (&RuleError{Code: ErrDuplicateInputs}).Error() != "tx: duplicate inputs" {
		t.Fatal("RuleError without detail")
	}
}
