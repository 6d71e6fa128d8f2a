package run

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestTheFirstFailureCancelsTheRest(t *testing.T) {
	g, ctx := New(t.Context())
	boom := errors.New("boom")
	stopped := make(chan struct{})
	g.Go("waiter", func(ctx context.Context) error {
		<-ctx.Done()
		close(stopped)
		return ctx.Err()
	})
	g.Go("failer", func(context.Context) error { return boom })
	err := g.Wait()
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "failer: ") {
		t.Fatalf("Wait = %v, want the failer's error, named", err)
	}
	select {
	case <-stopped:
	default:
		t.Fatal("the other member did not stop")
	}
	if !errors.Is(context.Cause(ctx), boom) {
		t.Fatalf("the group's context ended with %v", context.Cause(ctx))
	}
}

func TestAnEndedParentIsNotAFailure(t *testing.T) {
	parent, cancel := context.WithCancel(t.Context())
	g, _ := New(parent)
	for _, name := range []string{"a", "b"} {
		g.Go(name, func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
	}
	cancel()
	if err := g.Wait(); err != nil {
		t.Fatalf("Wait after the parent ended = %v, want nil", err)
	}
}

func TestStopIsNotAFailure(t *testing.T) {
	g, _ := New(t.Context())
	g.Go("service", func(ctx context.Context) error {
		<-ctx.Done()
		return nil
	})
	g.Stop()
	if err := g.Wait(); err != nil {
		t.Fatalf("Wait after Stop = %v, want nil", err)
	}
}

func TestAMemberReturningEarlyFailsTheGroup(t *testing.T) {
	g, ctx := New(t.Context())
	g.Go("quitter", func(context.Context) error { return nil })
	g.Go("service", func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	if err := g.Wait(); !errors.Is(err, ErrReturned) || !strings.HasPrefix(err.Error(), "quitter: ") {
		t.Fatalf("Wait = %v, want the quitter's ErrReturned", err)
	}
	if ctx.Err() == nil {
		t.Fatal("the group's context is still running")
	}
}

func TestOnlyTheFirstFailureIsReported(t *testing.T) {
	g, _ := New(t.Context())
	first := errors.New("first")
	release := make(chan struct{})
	g.Go("one", func(context.Context) error { defer close(release); return first })
	g.Go("two", func(ctx context.Context) error {
		<-release
		<-ctx.Done()
		return errors.New("second, while stopping")
	})
	if err := g.Wait(); !errors.Is(err, first) {
		t.Fatalf("Wait = %v, want the first failure", err)
	}
}
