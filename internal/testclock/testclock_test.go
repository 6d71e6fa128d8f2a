package testclock

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	c := New(start)
	if a, b := c.Now(), c.Now(); !a.Equal(start) || !b.Equal(start) {
		t.Fatalf("a manual clock moved by itself: %v, %v", a, b)
	}
	c.Advance(time.Minute)
	if got := c.Now(); !got.Equal(start.Add(time.Minute)) {
		t.Fatalf("after Advance: %v", got)
	}
	c.Set(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("after Set: %v", got)
	}
	s := Stepping(start, time.Second)
	if a, b := s.Now(), s.Now(); !a.Equal(start.Add(time.Second)) || !b.Equal(start.Add(2*time.Second)) {
		t.Fatalf("a stepping clock read %v then %v", a, b)
	}
}
