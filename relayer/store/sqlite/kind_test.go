package sqlite

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/mattn/go-sqlite3"

	"github.com/fluxbridge/fluxbridge/chains"
)

// Driver errors are classified by SQLite's result codes, never by their text.
func TestKindOfUsesResultCodes(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want chains.Kind
	}{
		{"busy", sqlite3.Error{Code: sqlite3.ErrBusy}, chains.KindTransient},
		{"locked, wrapped", fmt.Errorf("exec: %w", sqlite3.Error{Code: sqlite3.ErrLocked}), chains.KindTransient},
		{"cancelled", context.Canceled, chains.KindTransient},
		{"disk full", sqlite3.Error{Code: sqlite3.ErrFull}, chains.KindInternal},
		{"a message that only looks busy", errors.New("database is locked (busy)"), chains.KindInternal},
	}
	for _, c := range cases {
		if got := kindOf(c.err); got != c.want {
			t.Errorf("%s: kindOf = %v, want %v", c.name, got, c.want)
		}
	}
}
