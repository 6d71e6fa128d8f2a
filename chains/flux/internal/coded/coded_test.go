package coded

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

type testCode string

func (testCode) Package() string { return "test" }

func (c testCode) Covers(other string) bool {
	return c == "family" && strings.HasPrefix(other, "family-")
}

type otherCode string

func (otherCode) Package() string { return "other" }

func TestIsMatchesByCodeAndFamily(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &Error[testCode]{Code: "family-one", Detail: "d", Err: errors.New("cause")})
	if !errors.Is(err, &Error[testCode]{Code: "family-one"}) {
		t.Error("same code does not match")
	}
	if !errors.Is(err, &Error[testCode]{Code: "family"}) {
		t.Error("the family code does not cover its member")
	}
	if errors.Is(err, &Error[testCode]{Code: "family-two"}) {
		t.Error("a sibling code matches")
	}
	if errors.Is(err, &Error[otherCode]{Code: "family-one"}) {
		t.Error("a code of another package matches")
	}
	if got := errors.Unwrap(err).Error(); got != "test: family-one: d: cause" {
		t.Errorf("Error() = %q", got)
	}
}
