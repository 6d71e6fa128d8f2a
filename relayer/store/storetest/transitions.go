package storetest

import (
	"testing"

	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// lifecycle describes one kind of record with a state for checkMoves.
type lifecycle[S ~string, T any] struct {
	states []S
	// record returns record n in state from; moved returns x in state to
	// with a marker field set, and isMoved tells whether got is that.
	record  func(n int, from S) T
	moved   func(x T, to S) T
	isMoved func(got T, to S) bool
	put     func(relayer.Tx, T) error
	get     func(relayer.Tx, T) (T, error)
	// allowed is the store's rule: a move it allows is stored, any other
	// is a fault.Conflict that writes nothing.
	allowed func(from, to S) bool
}

// checkMoves tries every move between two states, one record per move, in
// one Update (a refused put keeps its error and the Update commits, so a
// refused put must not have written anything), and checks what is stored.
func checkMoves[S ~string, T any](t *testing.T, e *env, l lifecycle[S, T]) {
	t.Helper()
	type move struct {
		from, to S
		x        T
		err      error
	}
	var moves []*move
	var xs []T
	for _, from := range l.states {
		for _, to := range l.states {
			m := &move{from: from, to: to, x: l.record(len(moves)+1, from)}
			moves, xs = append(moves, m), append(xs, m.x)
		}
	}
	putAll(t, e, l.put, xs...)
	e.update(t, func(tx relayer.Tx) error {
		for _, m := range moves {
			m.err = l.put(tx, l.moved(m.x, m.to))
		}
		return nil
	})
	e.view(t, func(tx relayer.Tx) error {
		for _, m := range moves {
			name := string(m.from) + " → " + string(m.to)
			got, err := l.get(tx, m.x)
			if err != nil {
				return err
			}
			if l.allowed(m.from, m.to) {
				if m.err != nil || !l.isMoved(got, m.to) {
					t.Errorf("%s (allowed): error %v, stored %+v", name, m.err, got)
				}
				continue
			}
			wantKind(t, name, m.err, fault.Conflict)
			same(t, name+" refused: stored", got, m.x)
		}
		return nil
	})
}
