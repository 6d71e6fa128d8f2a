package equihash

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// The solver finds exactly the (96,5) solution sets fluxd's BasicSolve and
// OptimisedSolve find on the published inputs (including the vector with a
// 3+-way collision in the final round, which yields three encodings of one
// index set).
func TestSolverFindsFluxdSolutionSets(t *testing.T) {
	var f struct {
		Solver []struct {
			N         uint32     `json:"n"`
			K         uint32     `json:"k"`
			Input     string     `json:"input"`
			Nonce     uint64     `json:"nonce"`
			Solutions [][]uint32 `json:"solutions"`
		} `json:"solver"`
	}
	readJSON(t, "testdata/fluxd_equihash_tests.json", &f)
	if len(f.Solver) != 11 {
		t.Fatalf("%d solver vectors, want 11", len(f.Solver))
	}
	s := mustShape(t, params.Equihash96_5)
	for _, v := range f.Solver {
		t.Run(fmt.Sprintf("%.12s/%d", v.Input, v.Nonce), func(t *testing.T) {
			input := fluxdInput(v.Input, v.Nonce)
			var want []string
			for _, idx := range v.Solutions {
				sol := make([]byte, s.solutionSize)
				s.packIndices(idx, sol)
				if err := s.verify(input, sol); err != nil {
					t.Fatalf("fluxd's solution %v does not verify: %v", idx, err)
				}
				want = append(want, string(sol))
			}
			var got []string
			for _, sol := range s.solve(input, 0) {
				got = append(got, string(sol))
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("solver found %d solutions, fluxd %d (sets differ)", len(got), len(want))
			}
		})
	}
}

// Solving the regtest genesis input with (48,5) finds the genesis solution,
// and every solution found verifies.
func TestSolverFindsRegtestGenesisSolution(t *testing.T) {
	g := params.RegTest.GenesisHeader()
	sols, err := Solve(params.Equihash48_5, g.EquihashInput(), 0)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sol := range sols {
		if err := Verify(params.Equihash48_5, g.EquihashInput(), sol); err != nil {
			t.Fatalf("solver output does not verify: %v", err)
		}
		found = found || bytes.Equal(sol, g.Solution)
	}
	if !found {
		t.Fatalf("%d solutions, none is the genesis solution %x", len(sols), g.Solution)
	}
}

// Every returned solution verifies, solutions are distinct, and max bounds
// the count; over many nonces (48,5) and (96,5) find solutions regularly.
func TestSolverOutputVerifies(t *testing.T) {
	for _, p := range []params.EquihashParams{params.Equihash48_5, params.Equihash96_5} {
		t.Run(fmt.Sprintf("%d_%d", p.N, p.K), func(t *testing.T) {
			nonces := 12
			if p.N == 96 {
				nonces = 3
			}
			total := 0
			in := params.RegTest.GenesisHeader().EquihashInput()
			for nonce := 0; nonce < nonces; nonce++ {
				in[108] = byte(nonce)
				sols, err := Solve(p, in, 0)
				if err != nil {
					t.Fatal(err)
				}
				seen := map[string]bool{}
				for _, sol := range sols {
					if err := Verify(p, in, sol); err != nil {
						t.Fatalf("nonce %d: %v", nonce, err)
					}
					if seen[string(sol)] {
						t.Fatalf("nonce %d: duplicate solution", nonce)
					}
					seen[string(sol)] = true
				}
				if len(sols) > 1 {
					one, err := Solve(p, in, 1)
					if err != nil || len(one) != 1 || !bytes.Equal(one[0], sols[0]) {
						t.Fatalf("nonce %d: Solve(max=1) = %d solutions, %v", nonce, len(one), err)
					}
				}
				total += len(sols)
			}
			if total == 0 {
				t.Fatalf("no solution over %d nonces", nonces)
			}
		})
	}
}

func TestSolverRefusesLargeParams(t *testing.T) {
	in := make([]byte, InputSize)
	for _, p := range []params.EquihashParams{params.Equihash200_9, params.Equihash144_5, params.ZelHash125_4} {
		if _, err := Solve(p, in, 1); !errors.Is(err, ErrSolverLimit) {
			t.Errorf("Solve(%d,%d) = %v, want %v", p.N, p.K, err, ErrSolverLimit)
		}
	}
	if _, err := Solve(params.Equihash48_5, in[:139], 1); !errors.Is(err, ErrBadInputSize) {
		t.Errorf("short input: %v", err)
	}
}
