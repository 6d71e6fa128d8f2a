package chains

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/fault"
)

func TestParseAddress(t *testing.T) {
	want := [20]byte{0xde, 0xad, 0xbe, 0xef, 19: 0x01}
	cases := []struct {
		name string
		in   string
		ok   bool
		says string // a substring of the error when !ok
	}{
		{"lowercase", "0xdeadbeef00000000000000000000000000000001", true, ""},
		{"uppercase digits", "0xDEADBEEF00000000000000000000000000000001", true, ""},
		{"mixed case is accepted without an EIP-55 check", "0xDeAdBeEf00000000000000000000000000000001", true, ""},
		{"capital prefix", "0XDEADBEEF00000000000000000000000000000001", true, ""},
		{"missing 0x", "deadbeef00000000000000000000000000000001", false, "no 0x prefix"},
		{"missing 0x, 42 digits", "00deadbeef00000000000000000000000000000001", false, "no 0x prefix"},
		{"empty", "", false, "no 0x prefix"},
		{"prefix only", "0x", false, "0 characters after 0x"},
		{"one digit short", "0xdeadbeef0000000000000000000000000000001", false, "39 characters after 0x"},
		{"one byte long", "0xdeadbeef0000000000000000000000000000000001", false, "42 characters after 0x"},
		{"32-byte hash", "0x" + strings.Repeat("ab", 32), false, "64 characters after 0x"},
		{"non-hex digit", "0xdeadbeeg00000000000000000000000000000001", false, "'g' at offset 9 is not a hex digit"},
		{"space inside", "0xdeadbeef 0000000000000000000000000000001", false, "' ' at offset 10"},
		{"surrounding space", " 0xdeadbeef00000000000000000000000000000001", false, "no 0x prefix"},
		{"multi-byte rune", "0xdeadbeef€" + strings.Repeat("0", 29), false, "'€' at offset 10"},
		{"long input is cut in the message", "x" + strings.Repeat("0", 1000), false, "…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAddress(tc.in)
			if tc.ok {
				if err != nil || got != want {
					t.Fatalf("ParseAddress(%q) = %x, %v; want %x", tc.in, got, err, want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseAddress(%q) = %x, want an error", tc.in, got)
			}
			if fault.KindOf(err) != fault.Invalid || got != ([20]byte{}) {
				t.Fatalf("ParseAddress(%q) = %x, %v; want the zero address and an invalid-input error", tc.in, got, err)
			}
			if !strings.Contains(err.Error(), tc.says) || len(err.Error()) > 300 {
				t.Fatalf("ParseAddress(%q): %q does not say %q in under 300 bytes", tc.in, err, tc.says)
			}
		})
	}
}

func TestFormatAddressRoundTrips(t *testing.T) {
	a := [20]byte{0xAB, 19: 0xCD}
	s := FormatAddress(a)
	if s != "0xab000000000000000000000000000000000000cd" {
		t.Fatalf("FormatAddress = %s", s)
	}
	if back, err := ParseAddress(s); err != nil || back != a {
		t.Fatalf("ParseAddress(FormatAddress(a)) = %x, %v", back, err)
	}
}

// FuzzParseAddress checks ParseAddress against the rule it implements: it
// accepts exactly "0x" or "0X" and 40 hex digits, what it accepts formats back
// to the same address, and every rejection is an invalid-input error.
func FuzzParseAddress(f *testing.F) {
	f.Add("0xdeadbeef00000000000000000000000000000001")
	f.Add("0XDeAdBeEf00000000000000000000000000000001")
	f.Add("deadbeef00000000000000000000000000000001")
	f.Add("0xdeadbeef000000000000000000000000000000")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		raw, herr := hex.DecodeString(s[min(2, len(s)):])
		want := len(s) == 42 && (s[:2] == "0x" || s[:2] == "0X") && herr == nil
		if (err == nil) != want {
			t.Fatalf("ParseAddress(%q) = %v, want accepted %v", s, err, want)
		}
		if err != nil {
			if fault.KindOf(err) != fault.Invalid || len(err.Error()) > 300 {
				t.Fatalf("ParseAddress(%q): %v (kind %v, %d bytes)", s, err, fault.KindOf(err), len(err.Error()))
			}
			return
		}
		if string(raw) != string(a[:]) {
			t.Fatalf("ParseAddress(%q) = %x, want %x", s, a, raw)
		}
		if f := FormatAddress(a); !strings.EqualFold(f, s) {
			t.Fatalf("%q formats back as %q", s, f)
		}
	})
}
