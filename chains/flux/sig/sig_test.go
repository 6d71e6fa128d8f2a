package sig

import (
	"bytes"
	"errors"
	"math/big"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// ponHeader2996914 is mainnet PoN block 2,996,914 (flux-chain.md §10.3,
// VERIFIED there: hash 2c993776…7b6b, producer NIMBUS).
const ponHeader2996914 = "640000003e11cec142aee59a6830161743ca9544af8ce7e6b70a05f55021fb5d7c7a89c46c48e50efd092e4bae1625da7ae09183028f73362bd7143d3cb22e45bd8795c0d9988e7adc9c6da15d12246eeb18623d1f8039f5ee6bcae29261e383248d75225865bd6a0df1531f1e337912541d6ab04a6e6fd2790831792c09dd76350643c4768795acf9b8126d000000004730450221009935892f482692e4bc60901deaeedff2e1aed86c86e449eab44333bd85da8c26022012855f33364825129ecd1a4dabbe250ba72124abfa599574c623165861450f5a"

// ponProducer2996914 is the operational key of that block's producer.
const ponProducer2996914 = "0488a86cfd0cfbd7d8f51a63f55d196ac19a05c8aa327f6f06f614fa742f6ad310dcb4d403437ca9885c284b9d367e8c40ecb1f504fba651bfead4f2e457d793bb"

type ponVector struct {
	pub    []byte
	digest [32]byte
	der    []byte
}

func loadPoN(t testing.TB) ponVector {
	t.Helper()
	// The header is parsed by hand: the wire package's tests depend on this
	// package. The block hash covers the first 144 bytes; byte 144 is the
	// CompactSize length of the DER signature that follows.
	raw := vectors.Hex(t, ponHeader2996914)
	if len(raw) != 216 || int(raw[144]) != len(raw)-145 {
		t.Fatalf("unexpected header layout: %d bytes, signature length byte %d", len(raw), raw[144])
	}
	hash := chainhash.DoubleSHA256(raw[:144])
	if got, want := hash.String(), "2c9937766668220f96d0349da244f54ff641a0d12910fcfb5bc2f90a41af7b6b"; got != want {
		t.Fatalf("block hash %s, want %s", got, want)
	}
	return ponVector{pub: vectors.Hex(t, ponProducer2996914), digest: hash, der: raw[145:]}
}

func TestVerifyPoNBlockSignature(t *testing.T) {
	v := loadPoN(t)
	if len(v.der) != 71 {
		t.Fatalf("signature length %d, want 71", len(v.der))
	}
	if err := CheckDEREncoding(v.der); err != nil {
		t.Fatalf("CheckDEREncoding: %v", err)
	}
	for _, lowS := range []bool{false, true} {
		if err := Verify(v.pub, v.digest, v.der, lowS); err != nil {
			t.Fatalf("Verify(requireLowS=%v): %v", lowS, err)
		}
	}
	// The digest is used raw; the reversed (display order) hash must fail.
	var rev [32]byte
	for i := range rev {
		rev[i] = v.digest[31-i]
	}
	if err := Verify(v.pub, rev, v.der, false); !errors.Is(err, ErrInvalid) {
		t.Fatalf("reversed digest: got %v, want ErrInvalid", err)
	}
	// The same key in compressed form verifies too.
	pk, err := ParsePubKey(v.pub)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(pk.SerializeCompressed(), v.digest, v.der, true); err != nil {
		t.Fatalf("compressed key: %v", err)
	}
}

func TestVerifyPoNEveryBitFlipFails(t *testing.T) {
	v := loadPoN(t)
	for i := 0; i < len(v.der)*8; i++ {
		der := bytes.Clone(v.der)
		der[i/8] ^= 1 << (i % 8)
		if err := Verify(v.pub, v.digest, der, false); err == nil {
			t.Fatalf("signature bit %d flipped: verified", i)
		}
	}
	for i := 0; i < 256; i++ {
		d := v.digest
		d[i/8] ^= 1 << (i % 8)
		if err := Verify(v.pub, d, v.der, false); !errors.Is(err, ErrInvalid) {
			t.Fatalf("digest bit %d flipped: got %v, want ErrInvalid", i, err)
		}
	}
}

func TestVerifyPoNTruncationsFail(t *testing.T) {
	v := loadPoN(t)
	for n := 0; n < len(v.der); n++ {
		if err := Verify(v.pub, v.digest, v.der[:n], false); !errors.Is(err, ErrDER) {
			t.Fatalf("truncated to %d: got %v, want ErrDER", n, err)
		}
	}
	if err := Verify(v.pub, v.digest, append(bytes.Clone(v.der), 0x01), false); !errors.Is(err, ErrDER) {
		t.Fatalf("with a trailing hash-type byte: got %v, want ErrDER", err)
	}
}

// derOf encodes r and s as strict DER, without normalizing S.
func derOf(r, s []byte) []byte {
	enc := func(v []byte) []byte {
		v = bytes.TrimLeft(v, "\x00")
		if len(v) == 0 {
			v = []byte{0}
		}
		if v[0]&0x80 != 0 {
			v = append([]byte{0}, v...)
		}
		return append([]byte{0x02, byte(len(v))}, v...)
	}
	body := append(enc(r), enc(s)...)
	return append([]byte{0x30, byte(len(body))}, body...)
}

// highS returns the high-S twin of a signature.
func highS(t testing.TB, der []byte) []byte {
	t.Helper()
	sg, err := ParseDER(der)
	if err != nil {
		t.Fatal(err)
	}
	r, s := sg.R(), sg.S()
	if s.IsOverHalfOrder() {
		t.Fatal("signature is already high-S")
	}
	s.Negate()
	rb, sb := r.Bytes(), s.Bytes()
	return derOf(rb[:], sb[:])
}

func TestVerifyHighSRule(t *testing.T) {
	v := loadPoN(t)
	hi := highS(t, v.der)
	if low, err := IsLowS(hi); err != nil || low {
		t.Fatalf("IsLowS(high twin) = %v, %v", low, err)
	}
	if low, err := IsLowS(v.der); err != nil || !low {
		t.Fatalf("IsLowS(original) = %v, %v", low, err)
	}
	// CPubKey::Verify normalizes: a high-S PoN signature is accepted.
	if err := Verify(v.pub, v.digest, hi, false); err != nil {
		t.Fatalf("high-S with normalization: %v", err)
	}
	// Script policy (LOW_S) rejects it.
	if err := Verify(v.pub, v.digest, hi, true); !errors.Is(err, ErrHighS) {
		t.Fatalf("high-S under LOW_S: got %v, want ErrHighS", err)
	}
}

func TestVerifySignedDigests(t *testing.T) {
	for i := 1; i <= 20; i++ {
		var kb [32]byte
		kb[31], kb[0] = byte(i), 0x11
		priv := secp256k1.PrivKeyFromBytes(kb[:])
		digest := [32]byte{byte(i), 0xaa}
		der := ecdsa.Sign(priv, digest[:]).Serialize()
		pub := priv.PubKey()
		for _, key := range [][]byte{pub.SerializeCompressed(), pub.SerializeUncompressed()} {
			if err := Verify(key, digest, der, true); err != nil {
				t.Fatalf("key %d: %v", i, err)
			}
		}
		other := secp256k1.PrivKeyFromBytes([]byte{byte(i), 0x22}).PubKey().SerializeCompressed()
		if err := Verify(other, digest, der, true); !errors.Is(err, ErrInvalid) {
			t.Fatalf("wrong key %d: got %v, want ErrInvalid", i, err)
		}
	}
}

// curveOrder is n, the secp256k1 group order.
var curveOrder = secp256k1.Params().N

func TestParseDERRange(t *testing.T) {
	one := []byte{1}
	n := curveOrder.Bytes()
	nMinus1 := new(big.Int).Sub(curveOrder, big.NewInt(1)).Bytes()
	tests := []struct {
		name string
		r, s []byte
		want Code
	}{
		{"r and s equal one are in range", one, one, ""},
		{"r equal n-1 is in range", nMinus1, one, ""},
		{"s equal n-1 is in range", one, nMinus1, ""},
		{"r zero is out of range", []byte{0}, one, CodeDERRRange},
		{"s zero is out of range", one, []byte{0}, CodeDERSRange},
		{"r equal n is out of range", n, one, CodeDERRRange},
		{"s equal n is out of range", one, n, CodeDERSRange},
		{"r of 33 significant bytes is out of range", bytes.Repeat([]byte{0x7f}, 33), one, CodeDERRRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			der := derOf(tc.r, tc.s)
			if err := CheckDEREncoding(der); err != nil && tc.want != CodeDERRRange {
				t.Fatalf("encoding rejected: %v", err)
			}
			_, err := ParseDER(der)
			checkCode(t, err, tc.want)
		})
	}
}

func checkCode(t *testing.T, err error, want Code) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want *Error with code %s", err, want)
	}
	if e.Code != want {
		t.Fatalf("got code %s (%v), want %s", e.Code, err, want)
	}
	if !errors.Is(err, &Error{Code: want}) {
		t.Fatalf("errors.Is(%v, code %s) is false", err, want)
	}
}

func TestCheckDEREncodingRules(t *testing.T) {
	valid := derOf(bytes.Repeat([]byte{0x11}, 32), bytes.Repeat([]byte{0x22}, 32)) // 70 bytes
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(valid)) }
	tests := []struct {
		name string
		der  []byte
		want Code
	}{
		{"a 32-byte R and S encode validly", valid, ""},
		{"the minimal 8-byte form is valid", []byte{0x30, 6, 2, 1, 1, 2, 1, 1}, ""},
		{"R with a required zero pad is valid", derOf([]byte{0x80}, []byte{1}), ""},
		{"shorter than 8 bytes", []byte{0x30, 5, 2, 1, 1, 2, 0}, CodeDERSize},
		{"longer than 72 bytes", append([]byte{0x30, 71, 2, 33, 0}, make([]byte, 68)...), CodeDERSize},
		{"empty", nil, CodeDERSize},
		{"sequence tag not 0x30", mod(func(b []byte) []byte { b[0] = 0x31; return b }), CodeDERSequence},
		{"total length too small", mod(func(b []byte) []byte { b[1]--; return b }), CodeDERTotalLength},
		{"total length counts a hash-type byte", append(mod(func(b []byte) []byte { b[1]++; return b }), 1), CodeDERSLength},
		{"R length reaches the end", mod(func(b []byte) []byte { b[3] = byte(len(b) - 5); return b }), CodeDERRLength},
		{"S length too short", mod(func(b []byte) []byte { b[5+32]--; return b }), CodeDERSLength},
		{"R tag not INTEGER", mod(func(b []byte) []byte { b[2] = 0x03; return b }), CodeDERRType},
		{"R empty", []byte{0x30, 6, 2, 0, 2, 2, 1, 1}, CodeDERRZeroLength},
		{"R negative", mod(func(b []byte) []byte { b[4] = 0x80; return b }), CodeDERRNegative},
		{"R padded", mod(func(b []byte) []byte { b[4] = 0x00; return b }), CodeDERRPadding},
		{"S tag not INTEGER", mod(func(b []byte) []byte { b[4+32] = 0x03; return b }), CodeDERSType},
		{"S empty", []byte{0x30, 6, 2, 2, 1, 1, 2, 0}, CodeDERSZeroLength},
		{"S negative", mod(func(b []byte) []byte { b[6+32] = 0xff; return b }), CodeDERSNegative},
		{"S padded", mod(func(b []byte) []byte { b[6+32] = 0x00; return b }), CodeDERSPadding},
	}
	seen := map[Code]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckDEREncoding(tc.der)
			checkCode(t, err, tc.want)
			if tc.want != "" && !errors.Is(err, ErrDER) {
				t.Fatalf("%v does not match ErrDER", err)
			}
		})
		seen[tc.want] = true
	}
	for _, c := range []Code{CodeDERSize, CodeDERSequence, CodeDERTotalLength, CodeDERRLength, CodeDERSLength,
		CodeDERRType, CodeDERRZeroLength, CodeDERRNegative, CodeDERRPadding, CodeDERSType, CodeDERSZeroLength,
		CodeDERSNegative, CodeDERSPadding} {
		if !seen[c] {
			t.Errorf("no case for %s", c)
		}
	}
}

func TestParsePubKeyFormats(t *testing.T) {
	v := loadPoN(t)
	pk, err := ParsePubKey(v.pub)
	if err != nil {
		t.Fatal(err)
	}
	comp, unc := pk.SerializeCompressed(), pk.SerializeUncompressed()
	if !bytes.Equal(unc, v.pub) {
		t.Fatal("uncompressed round trip differs")
	}
	hybrid := bytes.Clone(unc)
	hybrid[0] = 0x06 | (unc[64] & 1)
	offCurve := bytes.Clone(unc)
	offCurve[64] ^= 1
	badX := bytes.Clone(comp)
	badX[1], badX[2] = 0xff, 0xff
	for i := 3; i < 33; i++ {
		badX[i] = 0xff
	}
	tests := []struct {
		name string
		key  []byte
		ok   bool
	}{
		{"compressed", comp, true},
		{"uncompressed", unc, true},
		{"hybrid is rejected", hybrid, false},
		{"point off the curve", offCurve, false},
		{"x above the field prime", badX, false},
		{"compressed prefix with 65 bytes", append([]byte{0x02}, unc[1:]...), false},
		{"uncompressed prefix with 33 bytes", append([]byte{0x04}, comp[1:]...), false},
		{"empty", nil, false},
		{"32 bytes", comp[:32], false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePubKey(tc.key)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrBadPubKey) {
				t.Fatalf("got %v, want ErrBadPubKey", err)
			}
			if err := Verify(tc.key, v.digest, v.der, false); !errors.Is(err, ErrBadPubKey) {
				t.Fatalf("Verify: got %v, want ErrBadPubKey", err)
			}
		})
	}
}

func TestErrorIsFamilies(t *testing.T) {
	e := &Error{Code: CodeDERSPadding, Detail: "x"}
	if !errors.Is(e, ErrDER) || errors.Is(e, ErrHighS) || errors.Is(ErrHighS, ErrDER) {
		t.Fatal("errors.Is families are wrong")
	}
	if !CodeDERRRange.IsDER() || CodeInvalid.IsDER() {
		t.Fatal("IsDER is wrong")
	}
	if e.Error() != "sig: sig-der-s-padding: x" {
		t.Fatalf("message %q", e.Error())
	}
}

func BenchmarkVerify(b *testing.B) {
	v := loadPoN(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(v.pub, v.digest, v.der, false); err != nil {
			b.Fatal(err)
		}
	}
}
