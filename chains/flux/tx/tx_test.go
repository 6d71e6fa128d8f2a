package tx

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
)

func TestNineInputTxTruncatedAtEveryOffset(t *testing.T) {
	raw := mainnetRaw(t, "v4-sapling-9-inputs")
	for n := 0; n < len(raw); n++ {
		if _, err := Decode(raw[:n]); !isShortInput(err) {
			t.Fatalf("prefix of %d bytes: err = %v, want ErrTruncated or ErrTooLarge", n, err)
		}
	}
}

// TestBitFlipsDecodeOrFailTyped flips every bit of the 9-input tx: each result
// either fails with a *codec.Error or decodes and re-encodes byte-exactly.
func TestBitFlipsDecodeOrFailTyped(t *testing.T) {
	raw := mainnetRaw(t, "v4-sapling-9-inputs")
	buf := make([]byte, len(raw))
	for i := range raw {
		for bit := 0; bit < 8; bit++ {
			copy(buf, raw)
			buf[i] ^= 1 << bit
			tx, err := Decode(buf)
			if err != nil {
				var ce *codec.Error
				if !errors.As(err, &ce) {
					t.Fatalf("byte %d bit %d: untyped error %v", i, bit, err)
				}
				continue
			}
			if !bytes.Equal(tx.Bytes(), buf) {
				t.Fatalf("byte %d bit %d: decoded but re-encodes differently", i, bit)
			}
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	v4 := mainnetRaw(t, "v4-sapling-9-inputs")
	withHeader := func(header, vgid []byte) []byte {
		b := append(append([]byte{}, header...), vgid...)
		return append(b, v4[8:]...)
	}
	tests := []struct {
		name  string
		raw   []byte
		kind  error
		field string
	}{
		{"empty input", nil, codec.ErrTruncated, "tx.header"},
		{"v4 header with Overwinter group id", withHeader(u32(0x80000004), u32(OverwinterVersionGroupID)), codec.ErrInvalid, "tx.version_group_id"},
		{"v3 header with Sapling group id", withHeader(u32(0x80000003), u32(SaplingVersionGroupID)), codec.ErrInvalid, "tx.version_group_id"},
		{"overwintered v5", withHeader(u32(0x80000005), u32(SaplingVersionGroupID)), codec.ErrInvalid, "tx.version_group_id"},
		{"overwintered v2", withHeader(u32(0x80000002), u32(OverwinterVersionGroupID)), codec.ErrInvalid, "tx.version_group_id"},
		{"unknown group id", withHeader(u32(0x80000004), u32(0x12345678)), codec.ErrInvalid, "tx.version_group_id"},
		{"trailing byte", append(append([]byte{}, v4...), 0), codec.ErrTrailing, "tx"},
		{"vin count above MaxTxIns", bytes.Join([][]byte{u32(1), codec.AppendCompactSize(nil, MaxTxIns+1)}, nil), codec.ErrTooLarge, "tx.vin.count"},
		{"vin count beyond bytes left", bytes.Join([][]byte{u32(1), {0x02}, rep(0, 41)}, nil), codec.ErrTooLarge, "tx.vin.count"},
		{"non-canonical vin count", bytes.Join([][]byte{u32(1), {0xfd, 0x01, 0x00}}, nil), codec.ErrNonCanonical, "tx.vin.count"},
		{"script length beyond bytes left", bytes.Join([][]byte{u32(1), {1}, rep(0, 36), {0xfd, 0x00, 0x01}, rep(0, 10)}, nil), codec.ErrTooLarge, "tx.vin.script_sig.len"},
		{"shielded spend count beyond bytes left", bytes.Join([][]byte{u32(0x80000004), u32(SaplingVersionGroupID), {0, 0}, u32(0), u32(0), rep(0, 8), {1}, rep(0, 383)}, nil), codec.ErrTooLarge, "tx.shielded_spends.count"},
		{"v2 joinsplit count beyond bytes left", bytes.Join([][]byte{u32(2), {0, 0}, u32(0), {1}, rep(0, JoinSplitSizePHGR-1)}, nil), codec.ErrTooLarge, "tx.joinsplits.count"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.raw)
			var ce *codec.Error
			if !errors.Is(err, tc.kind) || !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("err = %v, want %v at %s", err, tc.kind, tc.field)
			}
		})
	}
}

// TestLongScriptsDecode: fluxd deserializes scripts longer than MaxScriptSize
// (an unspendable output may be any length), so decoding must too.
func TestLongScriptsDecode(t *testing.T) {
	tx := NewV4(0, 0)
	tx.Inputs = []TxIn{{PrevOut: chainhash.OutPoint{Index: 1}, ScriptSig: rep(0x51, MaxScriptSize+1)}}
	tx.Outputs = []TxOut{{Value: 1, Script: rep(0x6a, 3*MaxScriptSize)}}
	got, err := Decode(tx.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Outputs[0].Script) != 3*MaxScriptSize {
		t.Fatal("script length changed")
	}
}

func TestJoinSplitSizesByVersion(t *testing.T) {
	js := func(size int) []byte {
		b := rep(0x5a, size)
		copy(b, u32(7)) // vpub_old = 7 (low bytes)
		copy(b[4:], u32(0))
		copy(b[8:], rep(0, 8)) // vpub_new = 0
		return b
	}
	tests := []struct {
		name   string
		prefix []byte
		size   int
		kind   Kind
	}{
		{"v2 sprout uses PHGR proofs", u32(2), JoinSplitSizePHGR, KindSprout},
		{"v3 overwinter uses PHGR proofs", append(u32(0x80000003), u32(OverwinterVersionGroupID)...), JoinSplitSizePHGR, KindOverwinter},
		{"v4 sapling uses Groth proofs", append(u32(0x80000004), u32(SaplingVersionGroupID)...), JoinSplitSizeGroth, KindSapling},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := append([]byte{}, tc.prefix...)
			b = append(b, 0, 0) // no vin, no vout
			b = append(b, u32(0)...)
			if tc.kind != KindSprout {
				b = append(b, u32(0)...) // expiry
			}
			if tc.kind == KindSapling {
				b = append(b, rep(0, 8)...) // valueBalance
				b = append(b, 0, 0)
			}
			b = append(b, 1)
			b = append(b, js(tc.size)...)
			b = append(b, rep(0xaa, 32)...)
			b = append(b, rep(0xbb, 64)...)
			tx, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(tx.JoinSplits) != 1 || len(tx.JoinSplits[0]) != tc.size || tx.JoinSplitPubKey[0] != 0xaa || tx.JoinSplitSig[63] != 0xbb {
				t.Fatalf("joinsplit parsed wrongly: %d bytes", len(tx.JoinSplits[0]))
			}
			if tx.JoinSplits[0].VPubOld() != 7 || tx.JoinSplits[0].VPubNew() != 0 {
				t.Fatalf("vpub_old %d vpub_new %d", tx.JoinSplits[0].VPubOld(), tx.JoinSplits[0].VPubNew())
			}
			if tx.Kind() != tc.kind || !bytes.Equal(tx.Bytes(), b) || tx.SerializeSize() != len(b) {
				t.Fatalf("kind %v, round trip %v", tx.Kind(), bytes.Equal(tx.Bytes(), b))
			}
		})
	}
}

func TestKindOfEachVersion(t *testing.T) {
	legacy0 := bytes.Join([][]byte{u32(0), {0, 0}, u32(0)}, nil)
	tx, err := Decode(legacy0)
	if err != nil || tx.Kind() != KindLegacy {
		t.Fatalf("v0: %v %v", err, tx)
	}
	genesis, err := Decode(mainnetRaw(t, "genesis-coinbase"))
	if err != nil || genesis.Kind() != KindLegacy || !genesis.IsCoinBase() {
		t.Fatalf("genesis: %v", err)
	}
	// A non-overwintered v7 is a Sprout-layout tx, not a fluxnode tx.
	v7, err := Decode(bytes.Join([][]byte{u32(7), {0, 0}, u32(0), {0}}, nil))
	if err != nil || v7.Kind() != KindSprout {
		t.Fatalf("v7: %v", err)
	}
	names := map[Kind]string{KindLegacy: "legacy", KindSprout: "sprout", KindOverwinter: "overwinter",
		KindTransparent: "transparent", KindSapling: "sapling", KindFluxnodeStart: "fluxnode-start",
		KindFluxnodeConfirm: "fluxnode-confirm", KindFluxnodeOther: "fluxnode-other", Kind(99): "unknown"}
	for k, want := range names {
		if k.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(k), k.String(), want)
		}
	}
}

func TestNewV4BuildsTransparentTx(t *testing.T) {
	tx := NewV4(2019987, 2020018)
	tx.Inputs = append(tx.Inputs, TxIn{PrevOut: chainhash.OutPoint{Hash: chainhash.Hash{1}, Index: 2}, ScriptSig: []byte{0x51}, Sequence: 0xfffffffe})
	tx.Outputs = append(tx.Outputs, TxOut{Value: 5000, Script: []byte{0x76, 0xa9}})
	b := tx.Bytes()
	if !bytes.HasPrefix(b, []byte{0x04, 0x00, 0x00, 0x80, 0x85, 0x20, 0x2f, 0x89}) {
		t.Fatalf("header %x", b[:8])
	}
	if !bytes.HasSuffix(b, append(append(u32(2019987), u32(2020018)...), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) {
		t.Fatalf("tail %x", b[len(b)-19:])
	}
	if len(b) != tx.SerializeSize() {
		t.Fatalf("SerializeSize %d, len %d", tx.SerializeSize(), len(b))
	}
	got, err := Decode(b)
	if err != nil || got.Kind() != KindTransparent || got.TxID() != tx.TxID() {
		t.Fatalf("decode: %v", err)
	}
	if err := got.CheckSanity(); err != nil {
		t.Fatal(err)
	}
}
