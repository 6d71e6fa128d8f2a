package sig

import (
	"fmt"
	"strings"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/coded"
)

// Error is a failure of this package with one of its codes (Code); compare
// with errors.Is against the sentinels.
type Error = coded.Error[Code]

// Package names this package in error messages.
func (Code) Package() string { return "sig" }

// Code names one reason a signature or public key was rejected. Codes are
// stable strings; new ones are only ever appended.
type Code string

// Error codes. Every code that starts with "sig-der" is a DER encoding or
// range violation and matches ErrDER under errors.Is.
const (
	// CodeDER is the family code of every DER violation; it is only used by
	// the ErrDER sentinel.
	CodeDER Code = "sig-der"

	CodeDERSize        Code = "sig-der-size"          // length outside [8, 72]
	CodeDERSequence    Code = "sig-der-sequence"      // first byte is not 0x30
	CodeDERTotalLength Code = "sig-der-total-length"  // byte 1 does not cover the rest
	CodeDERRLength     Code = "sig-der-r-length"      // R length runs past the signature
	CodeDERSLength     Code = "sig-der-s-length"      // lengths of R and S do not add up
	CodeDERRType       Code = "sig-der-r-type"        // R is not an ASN.1 INTEGER
	CodeDERRZeroLength Code = "sig-der-r-zero-length" // R has length 0
	CodeDERRNegative   Code = "sig-der-r-negative"    // R has its top bit set
	CodeDERRPadding    Code = "sig-der-r-padding"     // R has a superfluous leading zero
	CodeDERSType       Code = "sig-der-s-type"        // S is not an ASN.1 INTEGER
	CodeDERSZeroLength Code = "sig-der-s-zero-length" // S has length 0
	CodeDERSNegative   Code = "sig-der-s-negative"    // S has its top bit set
	CodeDERSPadding    Code = "sig-der-s-padding"     // S has a superfluous leading zero
	CodeDERRRange      Code = "sig-der-r-range"       // R is 0 or >= the group order
	CodeDERSRange      Code = "sig-der-s-range"       // S is 0 or >= the group order
	CodeHighS          Code = "sig-high-s"            // S > n/2 where low-S is required
	CodeBadPubKey      Code = "sig-bad-pubkey"        // public key unparseable or not on the curve
	CodeInvalid        Code = "sig-invalid"           // well-formed but does not verify
)

// Covers makes ErrDER match every DER encoding or range violation.
func (c Code) Covers(other string) bool {
	return c == CodeDER && strings.HasPrefix(other, string(CodeDER)+"-")
}

// IsDER reports whether the code is a DER encoding or range violation.
func (c Code) IsDER() bool { return c == CodeDER || strings.HasPrefix(string(c), string(CodeDER)+"-") }

// Sentinels for errors.Is.
var (
	// ErrDER matches every DER encoding or range violation.
	ErrDER = &Error{Code: CodeDER}
	// ErrHighS is a high-S signature where low-S is required.
	ErrHighS = &Error{Code: CodeHighS}
	// ErrBadPubKey is a public key that is not a valid curve point encoding.
	ErrBadPubKey = &Error{Code: CodeBadPubKey}
	// ErrInvalid is a well-formed signature that does not verify.
	ErrInvalid = &Error{Code: CodeInvalid}
)

func errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Detail: fmt.Sprintf(format, args...)}
}
