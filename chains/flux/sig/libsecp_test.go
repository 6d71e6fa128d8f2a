package sig

import (
	"bytes"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// The project builds with cgo (go-sqlite3 needs it), so verification runs
// on libsecp256k1; a build that silently fell back to the pure-Go library
// would be 3.4× slower.
func TestLibsecp256k1InUse(t *testing.T) {
	if !Libsecp256k1 {
		t.Fatal("sig verifies with the pure-Go fallback: build with CGO_ENABLED=1")
	}
}

// referenceVerify is Verify's accept/refuse decision computed with decred's
// pure-Go library alone, as the package did before libsecp256k1.
func referenceVerify(pub []byte, digest [32]byte, der []byte, requireLowS bool) bool {
	pk, err := ParsePubKey(pub)
	if err != nil {
		return false
	}
	sg, err := ParseDER(der)
	if err != nil {
		return false
	}
	r, s := sg.R(), sg.S()
	if s.IsOverHalfOrder() {
		if requireLowS {
			return false
		}
		s.Negate()
	}
	return ecdsa.NewSignature(&r, &s).Verify(digest[:], pk)
}

// Verify on libsecp256k1 decides as the pure-Go reference does on the
// mainnet PoN vector and its variants: high-S with and without the low-S
// rule, another digest, another key, the uncompressed key, a hybrid key.
func TestVerifyAgreesWithTheReference(t *testing.T) {
	v := loadPoN(t)
	other := v.digest
	other[0] ^= 1
	pk, err := ParsePubKey(v.pub)
	if err != nil {
		t.Fatal(err)
	}
	uncompressed := pk.SerializeUncompressed()
	hybrid := bytes.Clone(uncompressed)
	hybrid[0] = 0x06 | uncompressed[64]&1
	otherKey := secp256k1.PrivKeyFromBytes(bytes.Repeat([]byte{7}, 32)).PubKey().SerializeCompressed()
	for _, tc := range []struct {
		name   string
		pub    []byte
		digest [32]byte
		der    []byte
		lowS   bool
		ok     bool
	}{
		{"the vector", v.pub, v.digest, v.der, false, true},
		{"the vector under low-S", v.pub, v.digest, v.der, true, true},
		{"high-S normalized", v.pub, v.digest, highS(t, v.der), false, true},
		{"high-S under low-S", v.pub, v.digest, highS(t, v.der), true, false},
		{"another digest", v.pub, other, v.der, false, false},
		{"another key", otherKey, v.digest, v.der, false, false},
		{"the uncompressed key", uncompressed, v.digest, v.der, false, true},
		{"a hybrid key", hybrid, v.digest, v.der, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.pub, tc.digest, tc.der, tc.lowS)
			if (err == nil) != tc.ok || referenceVerify(tc.pub, tc.digest, tc.der, tc.lowS) != tc.ok {
				t.Fatalf("Verify = %v, reference %v; want ok %v", err, referenceVerify(tc.pub, tc.digest, tc.der, tc.lowS), tc.ok)
			}
		})
	}
}

// RecoverCompressed finds the key of a recoverable signature and its strict
// DER, and refuses high-S, a recovery id above 1 and a short signature.
func TestRecoverCompressed(t *testing.T) {
	priv := secp256k1.PrivKeyFromBytes(bytes.Repeat([]byte{0x42}, 32))
	want := priv.PubKey().SerializeCompressed()
	for i := range 8 {
		digest := [32]byte{byte(i), 0xfe}
		compact := ecdsa.SignCompact(priv, digest[:], true) // header ‖ R ‖ S, header 27+4+id
		sig := append(bytes.Clone(compact[1:]), compact[0]-31)
		pub, der, ok := RecoverCompressed(digest, sig)
		if !ok || !bytes.Equal(pub, want) {
			t.Fatalf("digest %d: recovered %x, %v; want %x", i, pub, ok, want)
		}
		if err := Verify(pub, digest, der, true); err != nil {
			t.Fatalf("digest %d: the DER it returns does not verify: %v", i, err)
		}
		if i > 0 {
			continue
		}
		high := bytes.Clone(sig)
		var s secp256k1.ModNScalar
		s.SetByteSlice(high[32:64])
		s.Negate()
		s.PutBytesUnchecked(high[32:64])
		high[64] ^= 1
		for name, bad := range map[string][]byte{"high-S": high, "recovery id 2": append(bytes.Clone(sig[:64]), 2), "64 bytes": sig[:64]} {
			if _, _, ok := RecoverCompressed(digest, bad); ok {
				t.Errorf("%s: recovered", name)
			}
		}
		flipped := bytes.Clone(sig)
		flipped[64] ^= 1
		if pub, _, ok := RecoverCompressed(digest, flipped); ok && bytes.Equal(pub, want) {
			t.Error("the other recovery id gives the same key")
		}
	}
}
