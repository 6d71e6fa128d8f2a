package testclock

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	c := New(start)
	if !c.Now().Equal(start) || !c.Now().Equal(start) {
		t.Fatal("a manual clock moved by itself")
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
