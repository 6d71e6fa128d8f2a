package memo

import "fmt"

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

// Error is a rejected memo. Err, when set, is the underlying cause.
type Error struct {
	Code   Code
	Detail string
	Err    error
}

// Error implements error.
func (e *Error) Error() string {
	s := "memo: " + string(e.Code)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

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
