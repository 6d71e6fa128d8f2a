package fault

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOfFindsTheFirstKindedError(t *testing.T) {
	cause := errors.New("boom")
	cases := []struct {
		name string
		err  error
		want Kind
	}{
		{"kinded", E("op", NotFound, cause), NotFound},
		{"wrapped", fmt.Errorf("while x: %w", E("op", Reorged, cause)), Reorged},
		{"outermost wins", E("outer", Transient, E("inner", Invalid, cause)), Transient},
		{"unkinded is internal", cause, Internal},
		{"nil is internal", nil, Internal},
	}
	for _, c := range cases {
		if got := KindOf(c.err); got != c.want {
			t.Errorf("%s: KindOf = %v, want %v", c.name, got, c.want)
		}
	}
	if Is(Internal, nil) || !Is(Conflict, E("op", Conflict, nil)) || Is(Conflict, E("op", Invalid, nil)) {
		t.Error("Is disagrees with KindOf")
	}
}

func TestErrorTextAndUnwrap(t *testing.T) {
	cause := errors.New("boom")
	e := E("flux.Events", Invalid, cause)
	if e.Error() != "flux.Events: invalid: boom" || !errors.Is(e, cause) {
		t.Fatalf("%q, unwraps to cause: %v", e.Error(), errors.Is(e, cause))
	}
	if got := E("op", Conflict, nil).Error(); got != "op: conflict" {
		t.Fatalf("no cause: %q", got)
	}
}

// Kinds cross process boundaries by name: every kind parses back, and the
// names are the append-only list (a renamed kind would break old plugins).
func TestKindNamesRoundTrip(t *testing.T) {
	want := []string{"internal", "invalid", "not-found", "conflict", "transient", "reorged", "rejected", "forbidden"}
	ks := Kinds()
	if len(ks) != len(want) {
		t.Fatalf("%d kinds, want %d", len(ks), len(want))
	}
	for i, k := range ks {
		if k.String() != want[i] {
			t.Errorf("kind %d is %q, want %q", i, k, want[i])
		}
		if back, ok := Parse(k.String()); !ok || back != k {
			t.Errorf("Parse(%q) = %v, %v", k, back, ok)
		}
	}
	if _, ok := Parse("bogus"); ok {
		t.Error("an unknown name parses")
	}
	if Kind(99).String() != "kind(99)" {
		t.Error("an unknown kind has no fallback name")
	}
}
