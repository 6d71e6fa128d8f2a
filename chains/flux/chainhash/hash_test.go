package chainhash

import (
	"encoding/hex"
	"testing"
)

func TestDisplayOrderIsByteReversed(t *testing.T) {
	// The genesis coinbase txid: internal bytes 3a a1 3a 6f … , displayed 94c7aed6….
	const display = "94c7aed6b2c67f1718006684bfc3b92081a2f19d59075691b189160d6f3aa13a"
	h := MustFromDisplay(display)
	if h[0] != 0x3a || h[31] != 0x94 {
		t.Fatalf("internal order wrong: % x", h[:])
	}
	if h.String() != display {
		t.Fatalf("String() = %s", h)
	}
	b, _ := h.MarshalText()
	var back Hash
	if err := back.UnmarshalText(b); err != nil || back != h {
		t.Fatalf("text round trip: %v", err)
	}
}

func TestFromDisplayRejectsBadStrings(t *testing.T) {
	for _, s := range []string{"", "00", "zz" + string(make([]byte, 62)), "94c7aed6b2c67f1718006684bfc3b92081a2f19d59075691b189160d6f3aa13a00"} {
		if _, err := FromDisplay(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestDoubleSHA256OfEmptyInput(t *testing.T) {
	// SHA256(SHA256("")) — a well-known constant.
	want := "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456"
	h := DoubleSHA256()
	if got := hex.EncodeToString(h[:]); got != want {
		t.Fatalf("got %s", got)
	}
	if DoubleSHA256([]byte("ab"), []byte("c")) != DoubleSHA256([]byte("abc")) {
		t.Fatal("parts are not concatenated")
	}
}

func TestCompareIsMemcmpNotNumeric(t *testing.T) {
	var a, b Hash
	a[0], b[31] = 1, 2 // numerically (little-endian 256-bit) b > a, but memcmp says a > b
	if a.Compare(b) != 1 || b.Compare(a) != -1 || a.Compare(a) != 0 {
		t.Fatal("Compare is not memcmp over internal bytes")
	}
}

func TestOutPointStringRoundTrip(t *testing.T) {
	s := "47f62ada967f40da2b82213e9c43a612d6dada5479eb746e4b566d80094dfe02:7"
	o, err := ParseOutPoint(s)
	if err != nil || o.Index != 7 || o.String() != s {
		t.Fatalf("%v %v", o, err)
	}
	for _, bad := range []string{"abc", s[:10] + ":1", s[:65] + ":x", s[:65] + ":4294967296"} {
		if _, err := ParseOutPoint(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Any string either parses to an outpoint that formats back to the same string
// (modulo hex case), or fails; never a panic.
func FuzzParseOutPoint(f *testing.F) {
	f.Add("47f62ada967f40da2b82213e9c43a612d6dada5479eb746e4b566d80094dfe02:0")
	f.Add("1111111111111111111111111111111111111111111111111111111111111111:4294967295")
	f.Add(":")
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOutPoint(s)
		if err != nil {
			return
		}
		back, err := ParseOutPoint(o.String())
		if err != nil || back != o {
			t.Fatalf("%q parsed to %v which does not round-trip: %v", s, o, err)
		}
	})
}
