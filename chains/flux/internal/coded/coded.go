// Package coded is the error shape shared by the FLUX library's packages: an
// error is data, a code from the package's own append-only list, a detail for
// people, and optionally a cause. Callers decide by code with errors.Is
// against the package's sentinels, never by text.
package coded

// Code is a package's error code type: a string type whose Package method
// names the package, used as the message prefix.
type Code interface {
	~string
	Package() string
}

// Covering is implemented by code types in which one code stands for a
// family of others (sig's "sig-der" covers every "sig-der-…").
type Covering interface {
	Covers(other string) bool
}

// Error is a failure with a code. Compare with errors.Is against a sentinel
// &Error{Code: …}; the detail and cause do not take part.
type Error[C Code] struct {
	Code   C
	Detail string
	Err    error
}

// Error formats "<package>: <code>[: <detail>][: <cause>]".
func (e *Error[C]) Error() string {
	s := e.Code.Package() + ": " + string(e.Code)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error[C]) Unwrap() error { return e.Err }

// Is reports whether target is an *Error of the same code type whose code is
// e's, or covers e's.
func (e *Error[C]) Is(target error) bool {
	t, ok := target.(*Error[C])
	if !ok {
		return false
	}
	if t.Code == e.Code {
		return true
	}
	c, ok := any(t.Code).(Covering)
	return ok && c.Covers(string(e.Code))
}
