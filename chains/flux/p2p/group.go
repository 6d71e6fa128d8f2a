package p2p

import (
	"context"
	"runtime/pprof"
	"sync"
)

// group supervises named goroutines: each carries a pprof label
// "goroutine"=name (visible in goroutine profiles and panics' traces), and
// Wait returns once all of them have returned. Every function started must
// return when its context ends.
type group struct {
	wg sync.WaitGroup
}

// Go starts f(ctx) in a goroutine labelled name.
func (g *group) Go(ctx context.Context, name string, f func(ctx context.Context)) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		pprof.Do(ctx, pprof.Labels("goroutine", name), f)
	}()
}

// Wait blocks until every goroutine started with Go has returned.
func (g *group) Wait() { g.wg.Wait() }
