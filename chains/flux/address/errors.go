package address

import (
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/coded"
)

// Error is a failure of this package with one of its codes (Code); compare
// with errors.Is against the sentinels.
type Error = coded.Error[Code]

// Package names this package in error messages.
func (Code) Package() string { return "address" }

// Code names one reason a string was rejected. Codes are stable strings; new
// ones are only ever appended.
type Code string

// Error codes.
const (
	CodeBadChar       Code = "address-bad-char"       // a character outside the Base58 alphabet
	CodeBadChecksum   Code = "address-bad-checksum"   // the 4-byte SHA256d checksum does not match
	CodeBadLength     Code = "address-bad-length"     // the string or its payload has the wrong length
	CodeUnknownPrefix Code = "address-unknown-prefix" // the version prefix belongs to no FLUX network
	CodeWrongNetwork  Code = "address-wrong-network"  // the version prefix belongs to another network
	CodeWIFFlag       Code = "wif-compression-flag"   // the 34th payload byte of a WIF is not 0x01
	CodeWIFKey        Code = "wif-invalid-key"        // the secret is zero or not below the group order
	CodeNotStandard   Code = "address-not-standard"   // script is neither P2PKH nor P2SH
)

// Sentinels for errors.Is.
var (
	ErrBadChar       = &Error{Code: CodeBadChar}
	ErrBadChecksum   = &Error{Code: CodeBadChecksum}
	ErrBadLength     = &Error{Code: CodeBadLength}
	ErrUnknownPrefix = &Error{Code: CodeUnknownPrefix}
	ErrWrongNetwork  = &Error{Code: CodeWrongNetwork}
	ErrWIFFlag       = &Error{Code: CodeWIFFlag}
	ErrWIFKey        = &Error{Code: CodeWIFKey}
)

func errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Detail: fmt.Sprintf(format, args...)}
}
