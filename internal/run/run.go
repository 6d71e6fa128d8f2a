// Package run supervises the long-lived goroutines of a component: each is
// named, returns an error, and stops with the group's context; the first one
// that fails cancels the others, and Wait returns what killed the group.
// The daemon, the light node, the relayer's pipeline and the peer exchange
// all run their goroutines in a Group.
package run

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Group is a set of named goroutines sharing one context. The zero value is
// not usable; call New.
type Group struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup

	mu  sync.Mutex
	err error // the first failure, named
}

// New returns a group whose context is derived from ctx; the context ends
// when ctx does or when a member fails.
func New(ctx context.Context) (*Group, context.Context) {
	gctx, cancel := context.WithCancelCause(ctx)
	return &Group{ctx: gctx, cancel: cancel}, gctx
}

// ErrReturned is the failure of a member that returned nil while the group
// was still running: members are services that run until they are stopped.
var ErrReturned = errors.New("returned before it was stopped")

// Go starts fn as the member called name. fn runs until the group's context
// ends and then returns. Returning before that, with an error or with nil
// (ErrReturned), fails the group: the context is cancelled and Wait returns
// the failure, named. The context's own error after it ended is not a failure.
func (g *Group) Go(name string, fn func(ctx context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		err := fn(g.ctx)
		switch {
		case g.stopping(err):
			return
		case err == nil:
			err = ErrReturned
		}
		g.fail(fmt.Errorf("%s: %w", name, err))
	}()
}

// stopping reports whether a member returned err because the group's
// context ended (nil or the context's own error).
func (g *Group) stopping(err error) bool {
	if g.ctx.Err() == nil {
		return false
	}
	return err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Cause(g.ctx))
}

// Stop cancels the group's context without an error (a normal shutdown).
func (g *Group) Stop() { g.cancel(nil) }

func (g *Group) fail(err error) {
	g.mu.Lock()
	if g.err == nil {
		g.err = err
	}
	g.mu.Unlock()
	g.cancel(err)
}

// Wait waits for every member to return and returns the first failure, or
// nil if none failed (the parent context ended or Stop was called).
func (g *Group) Wait() error {
	g.wg.Wait()
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}
