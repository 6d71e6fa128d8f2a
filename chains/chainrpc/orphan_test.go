package chainrpc

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// The parent watch reports the first parent pid that differs from the
// recorded one, and nothing once its context has ended.
func TestWatchParentNoticesAReparenting(t *testing.T) {
	var calls atomic.Int32
	getppid := func() int {
		if calls.Add(1) < 3 {
			return 4242
		}
		return 1
	}
	ppid, gone := watchParent(context.Background(), 4242, time.Millisecond, getppid)
	if !gone || ppid != 1 || calls.Load() != 3 {
		t.Fatalf("watchParent = %d, %t after %d polls; want 1, true after 3", ppid, gone, calls.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan bool)
	// The watch under test: it ends with ctx, cancelled below.
	go func() {
		_, gone := watchParent(ctx, 4242, time.Millisecond, func() int { return 4242 })
		done <- gone
	}()
	cancel()
	select {
	case gone := <-done:
		if gone {
			t.Fatal("watchParent reported a reparenting while the parent lived")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watchParent did not return when its context ended")
	}
}
