package reserve

import (
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/coded"
)

// Error is a failure of this package with one of its codes (Code); compare
// with errors.Is against the sentinels.
type Error = coded.Error[Code]

// Package names this package in error messages.
func (Code) Package() string { return "reserve" }

// Code names one reason the scanner or a proof check failed. Codes are
// stable strings; new ones are only ever appended.
type Code string

// Error codes.
const (
	// CodeConfig: NewScanner was given an incomplete or inconsistent Config.
	CodeConfig Code = "reserve-config"
	// CodeValueRange: a transaction touching the reserve has an output value
	// or an output total outside [0, MaxMoney] (consensus-invalid; the
	// decoder accepts any int64).
	CodeValueRange Code = "reserve-value-range"
	// CodeDoubleSpend: a reserve output is spent twice within one block.
	CodeDoubleSpend Code = "reserve-double-spend"
	// CodeMerkle: the block's transactions do not hash to its header's merkle
	// root, or the tree is mutated (duplicated trailing transactions).
	CodeMerkle Code = "reserve-merkle"
	// CodeBlock: the block handed to ScanBlock is malformed (nil header or
	// transaction, too many transactions, txids not matching transactions).
	CodeBlock Code = "reserve-block"

	// CodeProofEncoding: a proof's binary form is truncated, oversized,
	// of an unknown version or followed by trailing bytes.
	CodeProofEncoding Code = "proof-encoding"
	// CodeProofHeader: the proof's header does not decode.
	CodeProofHeader Code = "proof-header"
	// CodeProofTx: the proof's raw transaction does not decode.
	CodeProofTx Code = "proof-tx"
	// CodeProofIndex: TxCount is zero or above the block limit, or TxIndex is
	// not below TxCount.
	CodeProofIndex Code = "proof-index"
	// CodeProofDepth: the branch length is not the depth of a tree of
	// TxCount leaves.
	CodeProofDepth Code = "proof-depth"
	// CodeProofDuplicate: the branch uses a duplicated node's position (the
	// odd-level trick of CVE-2012-2459) or disagrees with TxCount about where
	// the duplicated nodes are.
	CodeProofDuplicate Code = "proof-duplicate"
	// CodeProofRoot: the branch does not lead to the header's merkle root.
	CodeProofRoot Code = "proof-root"
)

// Sentinels for errors.Is, one per code.
var (
	ErrConfig         = &Error{Code: CodeConfig}
	ErrValueRange     = &Error{Code: CodeValueRange}
	ErrDoubleSpend    = &Error{Code: CodeDoubleSpend}
	ErrMerkle         = &Error{Code: CodeMerkle}
	ErrBlock          = &Error{Code: CodeBlock}
	ErrProofEncoding  = &Error{Code: CodeProofEncoding}
	ErrProofHeader    = &Error{Code: CodeProofHeader}
	ErrProofTx        = &Error{Code: CodeProofTx}
	ErrProofIndex     = &Error{Code: CodeProofIndex}
	ErrProofDepth     = &Error{Code: CodeProofDepth}
	ErrProofDuplicate = &Error{Code: CodeProofDuplicate}
	ErrProofRoot      = &Error{Code: CodeProofRoot}
)

func errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Detail: fmt.Sprintf(format, args...)}
}

func wrap(c Code, err error, format string, args ...any) *Error {
	return &Error{Code: c, Detail: fmt.Sprintf(format, args...), Err: err}
}
