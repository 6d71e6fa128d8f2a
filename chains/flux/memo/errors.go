package memo

import (
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/coded"
)

// Error is a failure of this package with one of its codes (Code); compare
// with errors.Is against the sentinels.
type Error = coded.Error[Code]

// Package names this package in error messages.
func (Code) Package() string { return "memo" }

// Code names one reason a memo was rejected. Codes are stable strings; new
// ones are only ever appended.
type Code string

// Error codes.
const (
	CodeUnknownMagic     Code = "memo-unknown-magic"     // not FLXB1, FLXR1 or FLXF1 (or the wrong one)
	CodeLength           Code = "memo-length"            // wrong length for the memo kind
	CodeVersion          Code = "memo-version"           // lock memo version other than 0x01
	CodeChainID          Code = "memo-chain-id"          // chain id 0 or the FLUX L1 itself
	CodeRecipientPadding Code = "memo-recipient-padding" // EVM recipient without 12 leading zero bytes
	CodeZeroRecipient    Code = "memo-zero-recipient"    // recipient is all zero
	CodeNonceRange       Code = "memo-nonce-range"       // fromNonce > toNonce
	CodeNotMemoScript    Code = "memo-not-op-return"     // script is not exactly OP_RETURN <push>
)

// Sentinels for errors.Is.
var (
	ErrUnknownMagic     = &Error{Code: CodeUnknownMagic}
	ErrLength           = &Error{Code: CodeLength}
	ErrVersion          = &Error{Code: CodeVersion}
	ErrChainID          = &Error{Code: CodeChainID}
	ErrRecipientPadding = &Error{Code: CodeRecipientPadding}
	ErrZeroRecipient    = &Error{Code: CodeZeroRecipient}
	ErrNonceRange       = &Error{Code: CodeNonceRange}
	ErrNotMemoScript    = &Error{Code: CodeNotMemoScript}
)

func errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Detail: fmt.Sprintf(format, args...)}
}
