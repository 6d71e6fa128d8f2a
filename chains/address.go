package chains

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fluxbridge/fluxbridge/fault"
)

// maxQuoted bounds how much of a rejected input an error message repeats.
const maxQuoted = 48

// ParseAddress parses an EVM address: "0x" followed by exactly 40 hex digits.
// It is the project's one address parser; the configuration, the daemon and
// the command line all use it.
//
// The digits may be in any case, and "0X" is accepted as the prefix too (as
// go-ethereum accepts it). A mixed-case address is not checked against its
// EIP-55 checksum. Every error is a fault.Invalid *Error that says what is
// wrong with the input (no prefix, the wrong number of digits, a non-hex
// digit) and repeats at most its first 48 bytes.
func ParseAddress(s string) ([20]byte, error) {
	const op = "chains.ParseAddress"
	var a [20]byte
	h, ok := strings.CutPrefix(s, "0x")
	if !ok {
		h, ok = strings.CutPrefix(s, "0X")
	}
	switch {
	case !ok:
		return a, fault.E(op, fault.Invalid, fmt.Errorf("%s has no 0x prefix: want 0x and 40 hex digits", quote(s)))
	case len(h) != 2*len(a):
		return a, fault.E(op, fault.Invalid, fmt.Errorf("%s has %d characters after 0x: want 40 hex digits", quote(s), len(h)))
	}
	if _, err := hex.Decode(a[:], []byte(h)); err != nil {
		i := max(strings.IndexFunc(h, func(r rune) bool { return !isHexDigit(r) }), 0)
		r, _ := utf8.DecodeRuneInString(h[i:])
		return [20]byte{}, fault.E(op, fault.Invalid, fmt.Errorf("%s: %s at offset %d is not a hex digit", quote(s), strconv.QuoteRune(r), 2+i))
	}
	return a, nil
}

// FormatAddress writes a as ParseAddress reads it: "0x" and 40 lowercase hex digits.
func FormatAddress(a [20]byte) string { return "0x" + hex.EncodeToString(a[:]) }

func isHexDigit(r rune) bool {
	return '0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F'
}

// quote quotes s for an error message, cut to maxQuoted bytes.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:maxQuoted]) + "…"
}
