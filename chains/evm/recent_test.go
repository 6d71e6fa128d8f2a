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
	if len(r.vals) != 100 || r.len() != 100 {
		t.Fatalf("%d values and %d ids kept, want 100", len(r.vals), r.len())
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

// A forgotten id frees its slot: what is kept is what was put and not yet
// forgotten, and the oldest of those goes first when the bound is reached.
func TestRecentValuesForget(t *testing.T) {
	r := newRecentValues(3)
	for i := range 1_000 {
		r.put(fmt.Sprint(i), uint64(i))
		r.forget(fmt.Sprint(i))
	}
	if r.len() != 0 || len(r.vals) != 0 {
		t.Fatalf("%d ids kept after each was forgotten", r.len())
	}
	r.put("a", 1)
	r.put("b", 2)
	r.put("c", 3)
	r.forget("b")
	r.forget("missing")
	r.put("d", 4) // room left by b: a stays
	if v, ok := r.get("a"); !ok || v != 1 {
		t.Fatalf("a: %d, %v; want kept", v, ok)
	}
	r.put("e", 5) // full: a, the oldest, goes
	if _, ok := r.get("a"); ok {
		t.Fatal("the oldest id is kept beyond the bound")
	}
	for id, want := range map[string]uint64{"c": 3, "d": 4, "e": 5} {
		if v, ok := r.get(id); !ok || v != want {
			t.Fatalf("%s: %d, %v; want %d", id, v, ok, want)
		}
	}
}
