package header

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/sig"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// TestPoNVectorsMatchMainnet: slot, PoN hash, block hash and target of the
// first PoN block (shared vectors) and of block 2,996,914 (flux-chain.md §10.3).
func TestPoNVectorsMatchMainnet(t *testing.T) {
	first, fv := loadSharedHeader(t, "first-pon")
	h, v, _ := loadPoN2996914(t)
	tests := []struct {
		name    string
		h       *wire.BlockHeader
		height  int32
		hash    string
		slot    uint32
		ponHash string
	}{
		{"first-pon 2,020,000", first, fv.Height, fv.Hash, fv.Slot, fv.PoNHash},
		{"2,996,914", h, v.Height, v.Hash, v.Slot, v.PoNHash},
	}
	for _, tc := range tests {
		if got := tc.h.BlockHash().String(); got != tc.hash {
			t.Errorf("%s: block hash %s, want %s", tc.name, got, tc.hash)
		}
		if got := Slot(params.MainNet, tc.h.Time); got != tc.slot {
			t.Errorf("%s: slot %d, want %d", tc.name, got, tc.slot)
		}
		if got := PoNHash(tc.h.Collateral, tc.h.PrevBlock, tc.slot); got.String() != tc.ponHash {
			t.Errorf("%s: PoN hash %s, want %s", tc.name, got, tc.ponHash)
		}
		if got := HeaderPoNHash(tc.h, params.MainNet); got.String() != tc.ponHash {
			t.Errorf("%s: HeaderPoNHash %s, want %s", tc.name, got, tc.ponHash)
		}
		if err := CheckPoNTarget(tc.h, tc.height, params.MainNet); err != nil {
			t.Errorf("%s: CheckPoNTarget at its height: %v", tc.name, err)
		}
		if err := CheckPoNTarget(tc.h, 0, params.MainNet); err != nil {
			t.Errorf("%s: CheckPoNTarget without height: %v", tc.name, err)
		}
		if err := CheckContextFree(tc.h, params.MainNet); err != nil {
			t.Errorf("%s: CheckContextFree: %v", tc.name, err)
		}
	}
}

// TestSlotBeforeGenesis: times before genesis follow the C++ truncating
// int64 division narrowed to uint32.
func TestSlotBeforeGenesis(t *testing.T) {
	g := params.MainNet.GenesisHeader().Time
	tests := []struct {
		time uint32
		want uint32
	}{
		{g, 0}, {g + 29, 0}, {g + 30, 1},
		{g - 1, 0}, {g - 29, 0}, {g - 30, 0xffffffff}, {g - 59, 0xffffffff}, {g - 60, 0xfffffffe},
		{0, uint32(int64(-int64(g)) / 30)},
		{0xffffffff, uint32((int64(0xffffffff) - int64(g)) / 30)},
	}
	for _, tc := range tests {
		if got := Slot(params.MainNet, tc.time); got != tc.want {
			t.Errorf("Slot(%d) = %#x, want %#x", tc.time, got, tc.want)
		}
	}
}

// TestPoNHashIsSHA256dOf72Bytes pins the preimage layout.
func TestPoNHashIsSHA256dOf72Bytes(t *testing.T) {
	op := chainhash.OutPoint{Hash: chainhash.Hash{1, 2, 3}, Index: 0x04030201}
	prev := chainhash.Hash{31: 9}
	var pre []byte
	pre = append(pre, op.Hash[:]...)
	pre = append(pre, 1, 2, 3, 4)
	pre = append(pre, prev[:]...)
	pre = append(pre, 0x78, 0x56, 0x34, 0x12)
	if len(pre) != 72 {
		t.Fatal("bad preimage")
	}
	if got, want := PoNHash(op, prev, 0x12345678), chainhash.DoubleSHA256(pre); got != want {
		t.Fatalf("PoNHash = %s, want %s", got, want)
	}
}

// TestCheckPoNTargetLimits: the start limit for the first window, ponLimit
// afterwards, the larger one without a height, and the range rules.
func TestCheckPoNTargetLimits(t *testing.T) {
	h, v, _ := loadPoN2996914(t)
	act := params.MainNet.PoNActivationHeight()
	withBits := func(bits uint32) *wire.BlockHeader {
		c := *h
		c.Bits = bits
		return &c
	}
	tests := []struct {
		name   string
		bits   uint32
		height int32
		want   ErrorCode
	}{
		{"real header at its height", 0x1f53f10d, v.Height, ""},
		{"easier than ponStartLimit in the first window", 0x1f53f10d, act + 29, ErrBadBits},
		{"same bits after the first window", 0x1f53f10d, act + 30, ""},
		{"ponLimit itself", 0x200fffff, act + 30, ""},
		{"above ponLimit", 0x20100000, act + 30, ErrBadBits},
		{"above ponLimit without height", 0x20100000, 0, ErrBadBits},
		{"negative", 0x1f83f10d, act + 30, ErrBadBits},
		{"zero", 0x1f000000, act + 30, ErrBadBits},
		{"overflow", 0x23000001, act + 30, ErrBadBits},
		{"hash above a harder target", 0x1e53f10d, act + 30, ErrBadPoNHash},
	}
	for _, tc := range tests {
		err := CheckPoNTarget(withBits(tc.bits), tc.height, params.MainNet)
		wantCode(t, tc.name, err, tc.want)
	}
	if err := CheckPoNTarget(withBits(0x1e53f10d), act+30, params.RegTest); err != nil {
		t.Errorf("regtest skips the PoN target check: %v", err)
	}
}

// derEncode builds a DER signature from 32-byte big-endian R and S.
func derEncode(r, s []byte) []byte {
	enc := func(b []byte) []byte {
		b = bytes.TrimLeft(b, "\x00")
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return append([]byte{2, byte(len(b))}, b...)
	}
	body := append(enc(r), enc(s)...)
	return append([]byte{0x30, byte(len(body))}, body...)
}

// TestVerifyProducerSignature2996914: the real producer signature verifies
// over the raw block hash; its high-S twin is accepted (fluxd normalizes);
// anything else is refused with its own code.
func TestVerifyProducerSignature2996914(t *testing.T) {
	h, _, pub := loadPoN2996914(t)
	if err := VerifyProducerSignature(h, pub); err != nil {
		t.Fatalf("real signature: %v", err)
	}
	if err := VerifyProducerSignatureFor(h, pub, params.MainNet); err != nil {
		t.Fatalf("real signature with params: %v", err)
	}
	parsed, err := sig.ParseDER(h.BlockSig)
	if err != nil {
		t.Fatal(err)
	}
	r, s := parsed.R(), parsed.S()
	s.Negate()
	rb, sb := r.Bytes(), s.Bytes()
	high := *h
	high.BlockSig = derEncode(rb[:], sb[:])
	if ok, _ := sig.IsLowS(high.BlockSig); ok {
		t.Fatal("test setup: negated S should be high")
	}
	if err := VerifyProducerSignature(&high, pub); err != nil {
		t.Errorf("high-S twin must be accepted: %v", err)
	}

	other := append([]byte(nil), pub...)
	other[5] ^= 1
	err = VerifyProducerSignature(h, other)
	wantCode(t, "unrelated key", err, ErrBadPoNSignature)
	var se *sig.Error
	if !errors.As(err, &se) {
		t.Errorf("signature error should wrap a *sig.Error: %v", err)
	}

	long := *h
	long.BlockSig = append(append([]byte(nil), h.BlockSig...), make([]byte, 74-len(h.BlockSig))...)
	wantCode(t, "74-byte signature", VerifyProducerSignature(&long, pub), ErrBadPoNSigSize)

	pow, _ := loadSharedHeader(t, "last-pow")
	wantCode(t, "PoW header", VerifyProducerSignature(pow, pub), ErrNotPoNBlock)

	compressed := ecdsaPub(t, pub)
	if err := VerifyProducerSignature(h, compressed); err != nil {
		t.Errorf("the same key compressed must verify too: %v", err)
	}
}

func ecdsaPub(t *testing.T, uncompressed []byte) []byte {
	t.Helper()
	pk, err := sig.ParsePubKey(uncompressed)
	if err != nil {
		t.Fatal(err)
	}
	return pk.SerializeCompressed()
}
