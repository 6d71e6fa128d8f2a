// Package fault is the project's error vocabulary, in the style of upspin's
// errors package: an error is data with the operation that failed and a kind
// from an append-only list, so callers decide by kind, never by an error's
// text, on either side of a plugin or peer boundary.
//
// A package returns fault.E(op, kind, cause) where it knows what went wrong;
// a library's own codes (SQLite result codes, the FLUX consensus library's
// rule codes, gRPC status codes) are mapped to kinds once, where that library
// meets the rest of the code. fault imports nothing of the project: every
// package may use it.
package fault

import (
	"errors"
	"fmt"
)

// Kind classifies an error. The list is append-only: kinds cross process
// boundaries by name (Kind.String and Parse).
type Kind int

// Error kinds.
const (
	// Internal: a bug or an unexpected state.
	Internal Kind = iota
	// Invalid: bad input; retrying the same request fails again.
	Invalid
	// NotFound: the thing asked for does not exist (yet).
	NotFound
	// Conflict: it contradicts what is already known or done.
	Conflict
	// Transient: try again later (a timeout, an unreachable peer, a busy
	// database).
	Transient
	// Reorged: the data was on a branch that is no longer the best chain.
	Reorged
	// Rejected: the chain refused it (policy or consensus).
	Rejected
	// Forbidden: the destination's immutable rules forbid this request
	// whoever signs it (a value below its minimum or not above its fee, a
	// recipient it refuses); it will never succeed, so a lock is refunded.
	Forbidden
)

var names = [...]string{"internal", "invalid", "not-found", "conflict", "transient", "reorged", "rejected", "forbidden"}

// Kinds lists every kind, in order.
func Kinds() []Kind {
	out := make([]Kind, len(names))
	for i := range names {
		out[i] = Kind(i)
	}
	return out
}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(names) {
		return names[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Parse returns the kind named name (as Kind.String spells it).
func Parse(name string) (Kind, bool) {
	for i, n := range names {
		if n == name {
			return Kind(i), true
		}
	}
	return Internal, false
}

// Error is an error with the operation that failed and its kind.
type Error struct {
	Op   string // e.g. "flux.Events"
	Kind Kind
	Err  error // the cause; may be nil
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Op + ": " + e.Kind.String()
	}
	return e.Op + ": " + e.Kind.String() + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// E builds an *Error.
func E(op string, kind Kind, err error) *Error { return &Error{Op: op, Kind: kind, Err: err} }

// KindOf returns the kind of the first *Error in err's chain, or Internal
// (for nil too: asking the kind of no error is a bug).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is not nil and of kind k.
func Is(k Kind, err error) bool { return err != nil && KindOf(err) == k }
