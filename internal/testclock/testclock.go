// Package testclock is the manual clock tests pass where code takes a `now`
// function: it stands still until a test sets or advances it, or, with a
// step, moves forward by the step on every reading, so time passes as fast
// as the code under test works and backoffs expire without sleeping.
package testclock

import (
	"sync"
	"time"
)

// Clock is a manual clock, safe for concurrent use. Use New.
type Clock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

// New returns a clock standing at start.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Stepping returns a clock at start that moves step forward on every reading.
func Stepping(start time.Time, step time.Duration) *Clock {
	return &Clock{now: start, step: step}
}

// Now reads the clock (after moving it one step, for a stepping clock).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

// Set sets the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
