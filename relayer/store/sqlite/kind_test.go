package sqlite

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/mattn/go-sqlite3"

	"github.com/fluxbridge/fluxbridge/fault"
)

// Driver errors are classified by SQLite's result codes, never by their text.
func TestKindOfUsesResultCodes(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want fault.Kind
	}{
		{"busy", sqlite3.Error{Code: sqlite3.ErrBusy}, fault.Transient},
		{"locked, wrapped", fmt.Errorf("exec: %w", sqlite3.Error{Code: sqlite3.ErrLocked}), fault.Transient},
		{"cancelled", context.Canceled, fault.Transient},
		{"disk full", sqlite3.Error{Code: sqlite3.ErrFull}, fault.Internal},
		{"a message that only looks busy", errors.New("database is locked (busy)"), fault.Internal},
	}
	for _, c := range cases {
		if got := kindOf(c.err); got != c.want {
			t.Errorf("%s: kindOf = %v, want %v", c.name, got, c.want)
		}
	}
}
