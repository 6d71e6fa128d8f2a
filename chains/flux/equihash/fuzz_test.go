package equihash

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

var fuzzVariants = []params.EquihashParams{
	params.Equihash200_9, params.Equihash144_5, params.ZelHash125_4,
	params.Equihash96_5, params.Equihash48_5,
}

// FuzzVerify feeds arbitrary inputs and solutions to Verify under each
// variant. Properties: no panic; every refusal is an *Error with a known code;
// the code agrees with the literal reference verifier; the size checks come
// first; an accepted solution re-verifies and is also accepted by the
// reference verifier.
func FuzzVerify(f *testing.F) {
	for _, v := range realVectors(f) {
		for i, p := range fuzzVariants {
			if p == v.p {
				f.Add(uint8(i), v.input, v.solution)
			}
		}
	}
	f.Add(uint8(4), make([]byte, InputSize), make([]byte, 36))
	f.Add(uint8(1), make([]byte, InputSize), bytes.Repeat([]byte{0xff}, 100))
	f.Fuzz(func(t *testing.T, which uint8, input, solution []byte) {
		p := fuzzVariants[int(which)%len(fuzzVariants)]
		s := mustShape(t, p)
		err := Verify(p, input, solution)
		switch {
		case len(input) != InputSize:
			if !errors.Is(err, ErrBadInputSize) {
				t.Fatalf("input of %d bytes: %v", len(input), err)
			}
			return
		case len(solution) != p.SolutionSize:
			if !errors.Is(err, ErrBadSolutionSize) {
				t.Fatalf("solution of %d bytes: %v", len(solution), err)
			}
			return
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !allowedFlipCodes[e.Code] {
				t.Fatalf("untyped or unexpected error %v", err)
			}
		}
		if want := referenceVerify(s, input, solution); want != codeOf(err) {
			t.Fatalf("Verify code %v, reference %v", codeOf(err), want)
		}
		if err == nil {
			if err2 := Verify(p, bytes.Clone(input), bytes.Clone(solution)); err2 != nil {
				t.Fatalf("accepted solution does not re-verify: %v", err2)
			}
		}
	})
}

// FuzzSolve runs the (48,5) solver on arbitrary inputs: every solution it
// returns verifies, none repeats, and wrong-sized inputs are refused.
func FuzzSolve(f *testing.F) {
	f.Add(params.RegTest.GenesisHeader().EquihashInput())
	f.Add(make([]byte, InputSize))
	f.Add([]byte("short"))
	f.Fuzz(func(t *testing.T, input []byte) {
		sols, err := Solve(params.Equihash48_5, input, 0)
		if len(input) != InputSize {
			if !errors.Is(err, ErrBadInputSize) || sols != nil {
				t.Fatalf("input of %d bytes: %v, %d solutions", len(input), err, len(sols))
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, sol := range sols {
			if err := Verify(params.Equihash48_5, input, sol); err != nil {
				t.Fatalf("solution %x: %v", sol, err)
			}
			if seen[string(sol)] {
				t.Fatalf("solution %x returned twice", sol)
			}
			seen[string(sol)] = true
		}
	})
}
