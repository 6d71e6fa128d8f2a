package equihash

import "fmt"

// Code says why a solution (or a request to the solver) was refused. Codes are
// data: callers decide by code, print String (a stable kebab-case name) and can
// test with errors.Is(err, equihash.ErrCollision).
//
// This list is append-only: a code's number and name never change.
type Code uint8

// The failure codes, in the order fluxd's checks meet them.
const (
	// ErrUnsupportedParams: the (N,K) pair is not one fluxd verifies, or the
	// EquihashParams value disagrees with fluxd on its solution size,
	// personalization or twist.
	ErrUnsupportedParams Code = iota + 1
	// ErrBadInputSize: the Equihash input is not the 140 bytes of the header's
	// common part followed by the nonce.
	ErrBadInputSize
	// ErrBadSolutionSize: the solution is not SolutionSize bytes long.
	ErrBadSolutionSize
	// ErrCollision: two sibling rows do not agree on their next collision bits.
	ErrCollision
	// ErrIndexOrder: the right subtree's index list sorts before the left one's
	// (fluxd compares the big-endian index bytes with memcmp).
	ErrIndexOrder
	// ErrDuplicateIndex: two sibling subtrees share an index.
	ErrDuplicateIndex
	// ErrNonZero: the XOR of all 2^K rows is not zero.
	ErrNonZero
	// ErrSolverLimit: Solve was asked for parameters whose memory need exceeds
	// MaxSolveIndexBits.
	ErrSolverLimit
)

var codeNames = [...]string{
	ErrUnsupportedParams: "equihash-unsupported-params",
	ErrBadInputSize:      "equihash-input-size",
	ErrBadSolutionSize:   "equihash-solution-size",
	ErrCollision:         "equihash-collision",
	ErrIndexOrder:        "equihash-order",
	ErrDuplicateIndex:    "equihash-duplicate-index",
	ErrNonZero:           "equihash-nonzero",
	ErrSolverLimit:       "equihash-solver-limit",
}

// String returns the code's stable name, e.g. "equihash-order".
func (c Code) String() string {
	if int(c) < len(codeNames) && codeNames[c] != "" {
		return codeNames[c]
	}
	return fmt.Sprintf("equihash-code-%d", uint8(c))
}

// Error makes a Code usable as an errors.Is target.
func (c Code) Error() string { return c.String() }

// MarshalText encodes the code as its stable name (for JSON output).
func (c Code) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Error is a refused solution: a code and a human-readable detail saying where.
type Error struct {
	Code   Code
	Detail string // e.g. "round 2, rows 4 and 6"; may be empty
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Code.String()
	}
	return e.Code.String() + ": " + e.Detail
}

// Unwrap returns the code, so errors.Is(err, ErrIndexOrder) works.
func (e *Error) Unwrap() error { return e.Code }

func errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Detail: fmt.Sprintf(format, args...)}
}
