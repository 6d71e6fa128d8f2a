package fluxnode

import "fmt"

// ErrorCode classifies a fluxnode-set failure. An ErrorCode is itself an
// error, so callers test with errors.Is(err, fluxnode.ErrDecode). The list is
// append-only.
type ErrorCode int

// The error codes.
const (
	// ErrHeight: ApplyBlock was given a height that does not follow the last
	// applied block, or Backfill a height outside the backfill window. The
	// caller's chain bookkeeping is out of step with the set; nothing changed.
	ErrHeight ErrorCode = iota + 1
	// ErrUndo: Revert was given undo data that is not for the last applied
	// block. Nothing changed.
	ErrUndo
	// ErrDecode: a binary Entry or Undo is malformed (truncated, too large,
	// unknown version, invalid field or trailing bytes).
	ErrDecode
	// ErrEncode: an Entry or Undo holds a field too large for the binary format.
	ErrEncode
	// ErrSnapshot: a getfluxnodesnapshot document is malformed or lacks a
	// required field.
	ErrSnapshot
)

var codeNames = map[ErrorCode]string{
	ErrHeight:   "height out of sequence",
	ErrUndo:     "undo does not match the set",
	ErrDecode:   "malformed encoding",
	ErrEncode:   "value cannot be encoded",
	ErrSnapshot: "malformed snapshot",
}

// Error returns the code's description.
func (c ErrorCode) Error() string {
	if s, ok := codeNames[c]; ok {
		return "fluxnode: " + s
	}
	return fmt.Sprintf("fluxnode: error %d", int(c))
}

// Error is a failure of one operation. It unwraps to its Code and, when
// present, to the underlying cause, so both errors.Is(err, ErrDecode) and a
// test for the cause work.
type Error struct {
	// Op names the operation, e.g. "UnmarshalEntry".
	Op string
	// Code classifies the failure.
	Code ErrorCode
	// Detail is extra context; it may be empty.
	Detail string
	// Err is the underlying cause, or nil.
	Err error
}

// Error formats the failure as "fluxnode: <op>: <code>: <detail>: <cause>".
func (e *Error) Error() string {
	s := "fluxnode: " + e.Op + ": " + codeNames[e.Code]
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the code and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Code}
	}
	return []error{e.Code, e.Err}
}

func errorf(op string, c ErrorCode, cause error, format string, args ...any) error {
	return &Error{Op: op, Code: c, Detail: fmt.Sprintf(format, args...), Err: cause}
}
