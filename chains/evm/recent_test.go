package evm

import (
	"fmt"
	"testing"
)

// The sink's memory of built mints stays at its bound however many are
// built, keeps the newest, and updates an id in place.
func TestRecentValuesStayBounded(t *testing.T) {
	r := newRecentValues(100)
	for i := range 10_000 {
		r.put(fmt.Sprint(i), uint64(i))
		r.put(fmt.Sprint(i), uint64(i)+1) // again: no second slot
	}
	if len(r.vals) != 100 || len(r.order) != 100 {
		t.Fatalf("%d values and %d ids kept, want 100", len(r.vals), len(r.order))
	}
	for i := 9_900; i < 10_000; i++ {
		if v, ok := r.get(fmt.Sprint(i)); !ok || v != uint64(i)+1 {
			t.Fatalf("id %d: %d, %v; want %d kept", i, v, ok, i+1)
		}
	}
	if _, ok := r.get("9899"); ok {
		t.Fatal("the oldest id beyond the bound is kept")
	}
}
