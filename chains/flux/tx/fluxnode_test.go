package tx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// fnBytes assembles a fluxnode transaction by hand, field by field, so the
// tests do not depend on Encode. signed holds the fields that fluxd leaves out
// of the txid; hashed the rest, in order.
type fnBytes struct {
	wire, hashed []byte
}

func (b *fnBytes) both(p ...[]byte) *fnBytes {
	for _, x := range p {
		b.wire = append(b.wire, x...)
		b.hashed = append(b.hashed, x...)
	}
	return b
}

func (b *fnBytes) sigOnly(p ...[]byte) *fnBytes {
	for _, x := range p {
		b.wire = append(b.wire, x...)
	}
	return b
}

func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func i8(v int8) []byte    { return []byte{byte(v)} }
func varb(p []byte) []byte {
	return append(codec.AppendCompactSize(nil, uint64(len(p))), p...)
}
func rep(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

var (
	testCollateral = append(rep(0x11, 32), u32(3)...)
	testCompressed = append([]byte{0x02}, rep(0x22, 32)...)
	testUncompress = append([]byte{0x04}, rep(0x33, 64)...)
	testSig        = rep(0x44, 65)
	testBenchSig   = rep(0x55, 65)
	testRedeem     = []byte{0x52, 0x21, 0x02, 0x51, 0xae}
)

func TestFluxnodeVariantsDecodeEncodeAndTxID(t *testing.T) {
	startV5 := new(fnBytes).both(u32(5), i8(2), testCollateral, varb(testUncompress), varb(testCompressed), u32(1700000000)).sigOnly(varb(testSig))
	normalV6 := func(fluxTxVersion uint32) *fnBytes {
		return new(fnBytes).both(u32(6), i8(2), u32(fluxTxVersion), testCollateral, varb(testCompressed), varb(testCompressed), u32(7)).sigOnly(varb(testSig))
	}
	p2shV6 := func(fluxTxVersion uint32) *fnBytes {
		return new(fnBytes).both(u32(6), i8(2), u32(fluxTxVersion), testCollateral, varb(testCompressed), varb(testRedeem), u32(7)).sigOnly(varb(testSig))
	}
	confirm := func(version uint32) *fnBytes {
		return new(fnBytes).both(u32(version), i8(4), testCollateral, u32(9), i8(2), u32(1700000001), i8(0), varb([]byte("1.2.3.4:16125"))).sigOnly(varb(testSig), varb(testBenchSig))
	}
	twoKeys := append(append([]byte{2}, varb(testCompressed)...), varb(append([]byte{0x03}, rep(0x66, 32)...))...)

	tests := []struct {
		name   string
		b      *fnBytes
		kind   Kind
		layout startLayout
		check  func(t *testing.T, f *Fluxnode)
	}{
		{"v5 START", startV5, KindFluxnodeStart, startNormal, func(t *testing.T, f *Fluxnode) {
			if !bytes.Equal(f.CollateralPubKey, testUncompress) || !bytes.Equal(f.PubKey, testCompressed) || f.SigTime != 1700000000 {
				t.Fatalf("%+v", f)
			}
		}},
		{"v6 START legacy normal value 1", normalV6(1), KindFluxnodeStart, startNormal, nil},
		{"v6 START normal bit with high type bits", normalV6(0x81), KindFluxnodeStart, startNormal, nil},
		{"v6 START legacy P2SH value 2", p2shV6(2), KindFluxnodeStart, startP2SH, func(t *testing.T, f *Fluxnode) {
			if !bytes.Equal(f.RedeemScript, testRedeem) || f.CollateralPubKey != nil {
				t.Fatalf("%+v", f)
			}
		}},
		{"v6 START both type bits read as P2SH", p2shV6(3), KindFluxnodeStart, startP2SH, nil},
		{"v6 START no type bit has no fields", new(fnBytes).both(u32(6), i8(2), u32(0x40)), KindFluxnodeStart, startNone, nil},
		{"v6 START delegates bit, flag false", normalV6(0x0101).both([]byte{0}), KindFluxnodeStart, startNormal, func(t *testing.T, f *Fluxnode) {
			if f.UsingDelegates {
				t.Fatal("UsingDelegates set")
			}
		}},
		{"v6 START delegates UPDATE with keys", normalV6(0x0101).both([]byte{1}, i8(1), i8(1), twoKeys), KindFluxnodeStart, startNormal, func(t *testing.T, f *Fluxnode) {
			if !f.UsingDelegates || f.Delegates.Type != DelegatesUpdate || len(f.Delegates.Keys) != 2 {
				t.Fatalf("%+v", f.Delegates)
			}
		}},
		{"v6 START delegates SIGNING has no keys", p2shV6(0x0102).both([]byte{1}, i8(1), i8(2)), KindFluxnodeStart, startP2SH, func(t *testing.T, f *Fluxnode) {
			if f.Delegates.Type != DelegatesSigning || f.Delegates.Keys != nil {
				t.Fatalf("%+v", f.Delegates)
			}
		}},
		{"v6 START delegates version 2 UPDATE has no keys", normalV6(0x0101).both([]byte{1}, i8(2), i8(1)), KindFluxnodeStart, startNormal, nil},
		{"v6 START delegates only, no type bit", new(fnBytes).both(u32(6), i8(2), u32(0x0100), []byte{1}, i8(1), i8(2)), KindFluxnodeStart, startNone, nil},
		{"v5 CONFIRM", confirm(5), KindFluxnodeConfirm, startNone, func(t *testing.T, f *Fluxnode) {
			if f.IP != "1.2.3.4:16125" || f.BenchmarkTier != 2 || f.BenchmarkSigTime != 1700000001 || !bytes.Equal(f.BenchmarkSig, testBenchSig) {
				t.Fatalf("%+v", f)
			}
		}},
		{"v6 CONFIRM", confirm(6), KindFluxnodeConfirm, startNone, nil},
		{"v5 unknown type is a bare type byte", new(fnBytes).both(u32(5), i8(1)), KindFluxnodeOther, startNone, nil},
		{"v5 type 6 is not START", new(fnBytes).both(u32(5), i8(6)), KindFluxnodeOther, startNone, nil},
		{"v6 unknown type is a bare type byte", new(fnBytes).both(u32(6), i8(8)), KindFluxnodeOther, startNone, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := Decode(tc.b.wire)
			if err != nil {
				t.Fatal(err)
			}
			if got := tx.Bytes(); !bytes.Equal(got, tc.b.wire) {
				t.Fatalf("re-encoding\n got %x\nwant %x", got, tc.b.wire)
			}
			if tx.SerializeSize() != len(tc.b.wire) {
				t.Fatalf("SerializeSize %d, want %d", tx.SerializeSize(), len(tc.b.wire))
			}
			if k := tx.Kind(); k != tc.kind {
				t.Fatalf("kind %v, want %v", k, tc.kind)
			}
			if tx.Fluxnode.IsStart(tx.Version) && tx.Version == 6 && layoutOf(tx.Fluxnode.FluxTxVersion) != tc.layout {
				t.Fatalf("layout %v, want %v", layoutOf(tx.Fluxnode.FluxTxVersion), tc.layout)
			}
			if got, want := tx.TxID(), chainhash.DoubleSHA256(tc.b.hashed); got != want {
				t.Fatalf("txid %s, want SHA256d of the unsigned fields %s", got, want)
			}
			if len(tc.b.hashed) != len(tc.b.wire) && tx.TxID() == chainhash.DoubleSHA256(tc.b.wire) {
				t.Fatal("txid covers the signatures")
			}
			if tc.check != nil {
				tc.check(t, tx.Fluxnode)
			}
		})
	}
}

// TestFluxnodeV6StartBitTypeHashedAsBareType mirrors the split between fluxd's
// CMutableTransaction (reads a START body when nType has the START bit) and
// CTransaction (hashes it only when nType == START).
func TestFluxnodeV6StartBitTypeHashedAsBareType(t *testing.T) {
	wire := bytes.Join([][]byte{u32(6), i8(6), u32(1), testCollateral, varb(testCompressed), varb(testCompressed), u32(7), varb(testSig)}, nil)
	tx, err := Decode(wire)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tx.Bytes(), wire) {
		t.Fatal("re-encoding differs")
	}
	if tx.Kind() != KindFluxnodeStart {
		t.Fatalf("kind %v", tx.Kind())
	}
	if got, want := tx.TxID(), chainhash.DoubleSHA256(wire[:5]); got != want {
		t.Fatalf("txid %s, want hash of header and type only %s", got, want)
	}
	if err := tx.CheckSanity(); !errors.Is(err, ErrFluxnodeType) {
		t.Fatalf("CheckSanity = %v, want ErrFluxnodeType", err)
	}
}

// TestFluxnodeDelegatesFlagAnyNonZeroByte: fluxd reads a bool as "byte != 0",
// writes it back as 1, and so hashes 1 into the txid.
func TestFluxnodeDelegatesFlagAnyNonZeroByte(t *testing.T) {
	prefix := bytes.Join([][]byte{u32(6), i8(2), u32(0x0101), testCollateral, varb(testCompressed), varb(testCompressed), u32(7)}, nil)
	tail := []byte{1, 2} // delegate version 1, SIGNING
	wire := bytes.Join([][]byte{prefix, varb(testSig), {0x7f}, tail}, nil)
	tx, err := Decode(wire)
	if err != nil {
		t.Fatal(err)
	}
	if !tx.Fluxnode.UsingDelegates {
		t.Fatal("flag byte 0x7f must read as true")
	}
	if !bytes.Equal(tx.Bytes(), wire) {
		t.Fatal("re-encoding must keep the byte 0x7f")
	}
	want := chainhash.DoubleSHA256(bytes.Join([][]byte{prefix, {1}, tail}, nil))
	if tx.TxID() != want {
		t.Fatal("txid must hash the flag as 1")
	}
}

func TestFluxnodePubKeyLengthMustMatchPrefix(t *testing.T) {
	tests := []struct {
		name string
		key  []byte
		ok   bool
	}{
		{"empty", nil, true},
		{"compressed", testCompressed, true},
		{"uncompressed", testUncompress, true},
		{"hybrid prefix 6", append([]byte{6}, rep(1, 64)...), true},
		{"compressed prefix, 65 bytes", append([]byte{2}, rep(1, 64)...), false},
		{"uncompressed prefix, 33 bytes", append([]byte{4}, rep(1, 32)...), false},
		{"unknown prefix", append([]byte{5}, rep(1, 32)...), false},
		{"longer than 65", append([]byte{4}, rep(1, 65)...), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wire := bytes.Join([][]byte{u32(5), i8(2), testCollateral, varb(tc.key), varb(testCompressed), u32(7), varb(testSig)}, nil)
			_, err := Decode(wire)
			if tc.ok && err != nil {
				t.Fatal(err)
			}
			if !tc.ok {
				var ce *codec.Error
				if !errors.Is(err, codec.ErrInvalid) || !errors.As(err, &ce) || !strings.Contains(ce.Field, "collateral_pubkey") || ce.Offset != 41 {
					t.Fatalf("err = %v, want ErrInvalid at collateral_pubkey offset 41", err)
				}
			}
		})
	}
}

func TestFluxnodeDelegateKeysAboveMaximum(t *testing.T) {
	keys := []byte{5}
	for i := 0; i < 5; i++ {
		keys = append(keys, varb(testCompressed)...)
	}
	wire := bytes.Join([][]byte{u32(6), i8(2), u32(0x0101), testCollateral, varb(testCompressed), varb(testCompressed), u32(7), varb(testSig), {1, 1, 1}, keys}, nil)
	var ce *codec.Error
	if _, err := Decode(wire); !errors.Is(err, codec.ErrTooLarge) || !errors.As(err, &ce) || ce.Field != "tx.fluxnode.delegates.keys.count" {
		t.Fatalf("err = %v, want ErrTooLarge at the delegate key count", err)
	}
}

func TestFluxnodeConfirmTruncatedAtEveryOffset(t *testing.T) {
	raw := vectors.Hex(t, confirmRaw)
	for n := 0; n < len(raw); n++ {
		_, err := Decode(raw[:n])
		if !isShortInput(err) {
			t.Fatalf("prefix of %d bytes: err = %v, want ErrTruncated or ErrTooLarge", n, err)
		}
	}
}

// isShortInput reports whether err is the *codec.Error a cut-off input gives:
// ErrTruncated inside a field, or ErrTooLarge when a count or length is larger
// than the bytes left.
func isShortInput(err error) bool {
	var ce *codec.Error
	return errors.As(err, &ce) && (ce.Kind == codec.ErrTruncated || ce.Kind == codec.ErrTooLarge)
}
