package sig

import (
	"bytes"
	"errors"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// FuzzParseDER checks that ParseDER accepts exactly what CheckDEREncoding
// accepts plus the range rule, that it agrees with decred's independent strict
// parser, and that an accepted encoding is canonical (re-encoding R and S
// gives the input back).
func FuzzParseDER(f *testing.F) {
	v := loadPoN(f)
	f.Add(v.der)
	f.Add(highS(f, v.der))
	f.Add([]byte{0x30, 6, 2, 1, 1, 2, 1, 1})
	f.Add([]byte{0x30, 7, 2, 2, 0, 0x80, 2, 1, 1})
	f.Add(append(bytes.Clone(v.der), 1))
	f.Fuzz(func(t *testing.T, der []byte) {
		encErr := CheckDEREncoding(der)
		sg, err := ParseDER(der)
		_, refErr := ecdsa.ParseDERSignature(der)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("ParseDER err %v, decred err %v", err, refErr)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !e.Code.IsDER() {
				t.Fatalf("untyped or non-DER error %v", err)
			}
			if encErr == nil && e.Code != CodeDERRRange && e.Code != CodeDERSRange {
				t.Fatalf("encoding valid but ParseDER failed with %v", err)
			}
			if _, lerr := IsLowS(der); lerr == nil {
				t.Fatal("IsLowS accepted what ParseDER rejected")
			}
			return
		}
		if encErr != nil {
			t.Fatalf("ParseDER accepted what CheckDEREncoding rejects: %v", encErr)
		}
		r, s := sg.R(), sg.S()
		rb, sb := r.Bytes(), s.Bytes()
		if got := derOf(rb[:], sb[:]); !bytes.Equal(got, der) {
			t.Fatalf("not canonical: %x re-encodes as %x", der, got)
		}
		low, lerr := IsLowS(der)
		if lerr != nil || low == s.IsOverHalfOrder() {
			t.Fatalf("IsLowS = %v, %v", low, lerr)
		}
	})
}

// FuzzVerify checks that Verify never panics, only returns typed errors, and
// that anything accepted for the PoN producer key is a strict DER signature.
func FuzzVerify(f *testing.F) {
	v := loadPoN(f)
	f.Add(v.pub, v.digest[:], v.der, false)
	f.Add(v.pub, v.digest[:], highS(f, v.der), true)
	f.Add(v.pub[:33], v.digest[:], v.der, false)
	f.Fuzz(func(t *testing.T, pub, digest, der []byte, lowS bool) {
		var d [32]byte
		copy(d[:], digest)
		err := Verify(pub, d, der, lowS)
		if ref := referenceVerify(pub, d, der, lowS); (err == nil) != ref {
			t.Fatalf("Verify = %v, the pure-Go reference accepts: %v", err, ref)
		}
		if err == nil {
			if CheckDEREncoding(der) != nil {
				t.Fatal("accepted a non-DER signature")
			}
			if lowS {
				if low, _ := IsLowS(der); !low {
					t.Fatal("accepted high-S under requireLowS")
				}
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("untyped error %v", err)
		}
	})
}
