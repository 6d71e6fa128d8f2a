package chainrpc

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/hashicorp/go-plugin"

	"github.com/fluxbridge/fluxbridge/fault"
)

// supervise checks the plugin every PingInterval, or at once after a call
// failed in transport, and restarts it when its process has exited or it
// does not answer. It stops when ctx ends (Close).
func (p *Plugin) supervise(ctx context.Context) {
	defer close(p.done)
	tick := time.NewTicker(p.cfg.PingInterval)
	defer tick.Stop()
	b := backoff{min: p.cfg.RestartMin, max: p.cfg.RestartMax}
	lastUp := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-p.kick:
		}
		p.mu.Lock()
		c := p.live
		p.mu.Unlock()
		if c == nil || p.healthy(ctx, c) {
			continue // nil: Close took it
		}
		if ctx.Err() != nil {
			return
		}
		p.goDown(c)
		if time.Since(lastUp) >= p.cfg.RestartMax {
			b.reset() // it ran long enough: restart at once
		}
		if !p.restart(ctx, &b) {
			return
		}
		lastUp = time.Now()
	}
}

// healthy reports whether c's process runs and answers the go-plugin health
// service within PingTimeout. (go-plugin's ClientProtocol.Ping is the same
// check without a deadline, which would hang on a stopped process.)
func (p *Plugin) healthy(ctx context.Context, c *conn) bool {
	if c.client.Exited() {
		p.log.Warn("plugin exited", "pid", c.pid)
		return false
	}
	hctx, cancel := context.WithTimeout(ctx, p.cfg.PingTimeout)
	defer cancel()
	_, err := grpc_health_v1.NewHealthClient(c.cc).Check(hctx, &grpc_health_v1.HealthCheckRequest{Service: plugin.GRPCServiceName})
	if err != nil && ctx.Err() == nil {
		p.log.Warn("plugin does not answer its health check", "pid", c.pid, "err", err)
		return false
	}
	return true
}

// goDown marks the plugin down, so calls wait, and kills what is left of c.
func (p *Plugin) goDown(c *conn) {
	p.mu.Lock()
	if p.live == c {
		p.live = nil
		p.up = make(chan struct{})
	}
	p.mu.Unlock()
	c.stop(false)
}

// restart starts the plugin again, waiting b's delay before each attempt,
// until one runs and serves the same chain with the same capabilities as at
// Start. It reports false if ctx ended first.
func (p *Plugin) restart(ctx context.Context, b *backoff) bool {
	for attempt := 1; ; attempt++ {
		if d := b.next(); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return false
			case <-t.C:
			}
		}
		c, info, err := p.launch(ctx)
		if err == nil && (info.Chain != p.info.Chain || info.HasSource != p.info.HasSource || info.HasSink != p.info.HasSink) {
			c.stop(true)
			err = fault.E("chainrpc.Start", fault.Conflict, fmt.Errorf(
				"refusing the restarted plugin: it serves chain %v (source %t, sink %t), it served chain %v (source %t, sink %t) before",
				info.Chain, info.HasSource, info.HasSink, p.info.Chain, p.info.HasSource, p.info.HasSink))
		}
		if err != nil {
			if ctx.Err() != nil {
				return false
			}
			p.log.Error("plugin restart failed; the chain is unavailable until it succeeds", "attempt", attempt, "err", err)
			continue
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.stop(true)
			return false
		}
		p.live = c
		close(p.up)
		p.mu.Unlock()
		p.restarts.Add(1)
		p.log.Warn("plugin restarted", "pid", c.pid, "attempt", attempt, "restarts", p.restarts.Load())
		return true
	}
}

// backoff yields the delays before restart attempts: none for the first
// after a reset, then a jittered delay doubling from min up to max.
type backoff struct {
	min, max, cur time.Duration
}

func (b *backoff) reset() { b.cur = 0 }

func (b *backoff) next() time.Duration {
	d := b.cur
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	if d <= 0 {
		return 0
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1)) // in [d/2, d]
}

// current returns the live connection, waiting while the plugin restarts
// (bounded by ctx: then the error is transient).
func (p *Plugin) current(ctx context.Context, op string) (*conn, error) {
	for {
		p.mu.Lock()
		c, up, closed := p.live, p.up, p.closed
		p.mu.Unlock()
		if closed {
			return nil, fault.E(op, fault.Internal, errors.New("the plugin was closed"))
		}
		if c != nil {
			return c, nil
		}
		select {
		case <-up:
		case <-ctx.Done():
			return nil, fault.E(op, fault.Transient, fmt.Errorf("the plugin is down and restarting: %w", ctx.Err()))
		}
	}
}

// failed converts a call's error and, for a transport failure, asks the
// supervisor to check the plugin now rather than at the next tick.
func (p *Plugin) failed(op string, err error) error {
	if s, ok := status.FromError(err); !ok || s.Code() == codes.Unavailable {
		select {
		case p.kick <- struct{}{}:
		default: // a check is already due
		}
	}
	return fromStatus(op, err)
}

// Close stops the supervisor and the plugin process, and makes every later
// call fail. It waits for a restart in progress to finish (at most
// StartTimeout). Closing twice is harmless.
func (p *Plugin) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	c := p.live
	p.live = nil
	select {
	case <-p.up:
	default:
		close(p.up) // wake calls waiting for a restart: they see closed and fail
	}
	p.mu.Unlock()
	p.cancel()
	<-p.done
	if c != nil {
		c.stop(true)
	}
	return nil
}
