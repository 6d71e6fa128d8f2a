package address

import (
	"bytes"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// FuzzBase58 checks that decoding then encoding gives the input back and
// that encoding any bytes decodes to them.
func FuzzBase58(f *testing.F) {
	f.Add("t1PXd3mxzqNMWCB7ebKR1yfEGWFmtBLDdTn", []byte{0, 0, 1})
	f.Add("1111", []byte{})
	f.Fuzz(func(t *testing.T, s string, b []byte) {
		if d, err := Base58Decode(s); err == nil {
			if Base58Encode(d) != s {
				t.Fatalf("%q decodes to %x which encodes differently", s, d)
			}
		} else if !isTyped(err) {
			t.Fatalf("untyped error %v", err)
		}
		if len(b) <= 90 {
			d, err := Base58Decode(Base58Encode(b))
			if err != nil || !bytes.Equal(d, b) {
				t.Fatalf("%x does not round-trip: %x, %v", b, d, err)
			}
		}
	})
}

// FuzzDecode checks that every address accepted on a network re-encodes to
// the same string and maps to a script that maps back to it.
func FuzzDecode(f *testing.F) {
	f.Add("t1PXd3mxzqNMWCB7ebKR1yfEGWFmtBLDdTn")
	f.Add("t3hPu1YDeGUCp8m7BQCnnNUmRMJBa5RadyA")
	f.Add("tmHMBeeYRuc2eVicLNfP15YLxbQsooCA6jb")
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range params.Networks {
			a, err := Decode(s, p)
			if err != nil {
				if !isTyped(err) {
					t.Fatalf("untyped error %v", err)
				}
				continue
			}
			if a.Encode(p) != s {
				t.Fatalf("%q re-encodes as %q on %s", s, a.Encode(p), p.Name)
			}
			if b, ok := FromScript(a.Script()); !ok || b != a {
				t.Fatalf("script round trip of %q", s)
			}
		}
	})
}

// FuzzDecodeWIF checks that every accepted WIF re-encodes to the same string.
func FuzzDecodeWIF(f *testing.F) {
	f.Add("5Kd3NBUAdUnhyzenEwVLy9pBKxSwXvE9FMPyR4UKZvpe6E3AgLr")
	f.Add("Kz6UJmQACJmLtaQj5A3JAge4kVTNQ8gbvXuwbmCj7bsaabudb3RD")
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range params.Networks {
			priv, compressed, err := DecodeWIF(s, p)
			if err != nil {
				if !isTyped(err) {
					t.Fatalf("untyped error %v", err)
				}
				continue
			}
			if got := EncodeWIF(priv, compressed, p); got != s {
				t.Fatalf("%q re-encodes as %q", s, got)
			}
		}
	})
}
