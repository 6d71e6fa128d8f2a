package equihash

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

func TestRealSolutionsVerify(t *testing.T) {
	vs := realVectors(t)
	if len(vs) != 6 {
		t.Fatalf("got %d real vectors, want 6", len(vs))
	}
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			if err := Verify(v.p, v.input, v.solution); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if c := referenceVerify(mustShape(t, v.p), v.input, v.solution); c != 0 {
				t.Fatalf("reference verifier: %v", c)
			}
		})
	}
}

func mustShape(tb testing.TB, p params.EquihashParams) *shape {
	tb.Helper()
	s, err := shapeOf(p)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// The §10.4 header's block hash is SHA256d(input ‖ CompactSize(52) ‖ solution):
// this pins the vector's bytes to the hash flux-chain.md records.
func TestZelHashVectorBlockHashMatchesProvenance(t *testing.T) {
	tp := thirdParty(t)
	raw := append(vectors.Hex(t, tp.ZelHash.Input), 52)
	raw = append(raw, vectors.Hex(t, tp.ZelHash.Solution)...)
	h, err := wire.DecodeBlockHeader(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.BlockHash(); got != chainhash.MustFromDisplay(tp.ZelHash.BlockHash) {
		t.Fatalf("block hash %s, want %s", got, tp.ZelHash.BlockHash)
	}
}

// The genesis solutions verify only under the variant their size selects and
// under the personalization fluxd's InitialiseState picks.
func TestSolutionSizeSelectsVariant(t *testing.T) {
	tests := []struct {
		size int
		want params.EquihashParams
	}{
		{1344, params.Equihash200_9},
		{100, params.Equihash144_5},
		{68, params.Equihash96_5},
		{52, params.ZelHash125_4},
		{36, params.Equihash48_5},
	}
	for _, tt := range tests {
		got, ok := ParamsForSolutionSize(tt.size)
		if !ok || got != tt.want {
			t.Errorf("ParamsForSolutionSize(%d) = %+v, %v; want %+v", tt.size, got, ok, tt.want)
		}
	}
	for _, size := range []int{0, 1, 25, 35, 37, 51, 53, 99, 101, 1343, 1345, 1347} {
		if _, ok := ParamsForSolutionSize(size); ok {
			t.Errorf("ParamsForSolutionSize(%d) accepted", size)
		}
	}
}

// Params must agree with fluxd: "ZelProof" for (144,5) and (125,4), "ZcashPoW"
// otherwise; twist only for (125,4); SolutionWidth from (N,K).
func TestParamsAgreeWithFluxdInitialiseState(t *testing.T) {
	tests := []struct {
		p      params.EquihashParams
		person string
		twist  bool
		size   int
	}{
		{params.Equihash200_9, "ZcashPoW", false, 1344},
		{params.Equihash144_5, "ZelProof", false, 100},
		{params.ZelHash125_4, "ZelProof", true, 52},
		{params.Equihash96_5, "ZcashPoW", false, 68},
		{params.Equihash48_5, "ZcashPoW", false, 36},
	}
	for _, tt := range tests {
		if tt.p.Personalization != tt.person || tt.p.Twist != tt.twist || tt.p.SolutionSize != tt.size {
			t.Errorf("params (%d,%d) = %+v; fluxd uses %q twist=%v size %d", tt.p.N, tt.p.K, tt.p, tt.person, tt.twist, tt.size)
		}
		s := mustShape(t, tt.p)
		if string(s.person[:8]) != tt.person || s.twist != tt.twist || s.solutionSize != tt.size {
			t.Errorf("shape (%d,%d) disagrees with fluxd", tt.p.N, tt.p.K)
		}
	}
}

func TestUnsupportedParamsAreRefused(t *testing.T) {
	good := params.Equihash48_5
	tests := []struct {
		name string
		p    params.EquihashParams
	}{
		{"unknown (N,K)", params.EquihashParams{N: 96, K: 3, SolutionSize: 25, Personalization: "ZcashPoW"}},
		{"zero params", params.EquihashParams{}},
		{"wrong solution size", params.EquihashParams{N: 48, K: 5, SolutionSize: 37, Personalization: "ZcashPoW"}},
		{"wrong personalization", params.EquihashParams{N: 48, K: 5, SolutionSize: 36, Personalization: "ZelProof"}},
		{"twist on (48,5)", params.EquihashParams{N: 48, K: 5, SolutionSize: 36, Personalization: "ZcashPoW", Twist: true}},
		{"no twist on (125,4)", params.EquihashParams{N: 125, K: 4, SolutionSize: 52, Personalization: "ZelProof"}},
	}
	g := params.RegTest.GenesisHeader()
	if err := Verify(good, g.EquihashInput(), g.Solution); err != nil {
		t.Fatalf("control: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.p, g.EquihashInput(), g.Solution)
			if !errors.Is(err, ErrUnsupportedParams) {
				t.Fatalf("Verify = %v, want %v", err, ErrUnsupportedParams)
			}
			if _, err := Solve(tt.p, g.EquihashInput(), 1); !errors.Is(err, ErrUnsupportedParams) {
				t.Fatalf("Solve = %v, want %v", err, ErrUnsupportedParams)
			}
		})
	}
}

func TestInputMustBe140Bytes(t *testing.T) {
	g := params.RegTest.GenesisHeader()
	in := g.EquihashInput()
	for _, n := range []int{0, 1, 108, 139, 141, 280} {
		buf := make([]byte, n)
		copy(buf, in)
		err := Verify(params.Equihash48_5, buf, g.Solution)
		if !errors.Is(err, ErrBadInputSize) {
			t.Errorf("input of %d bytes: %v, want %v", n, err, ErrBadInputSize)
		}
	}
}

func TestSolutionMustHaveTheVariantsSize(t *testing.T) {
	for _, v := range realVectors(t) {
		sol := v.solution
		// Every truncation, one byte too many, and twice the size.
		lengths := []int{len(sol) + 1, 2 * len(sol)}
		for n := 0; n < len(sol); n++ {
			lengths = append(lengths, n)
		}
		for _, n := range lengths {
			buf := make([]byte, n)
			copy(buf, sol)
			err := Verify(v.p, v.input, buf)
			if !errors.Is(err, ErrBadSolutionSize) {
				t.Errorf("%s: solution of %d bytes: %v, want %v", v.name, n, err, ErrBadSolutionSize)
			}
		}
	}
}

// allowedFlipCodes are the codes a corrupted solution or input may produce:
// a changed input or index changes a row (collision or non-zero XOR), a
// changed index may also break the order or duplicate another index.
var allowedFlipCodes = map[Code]bool{ErrCollision: true, ErrIndexOrder: true, ErrDuplicateIndex: true, ErrNonZero: true}

func flipEveryBit(t *testing.T, v realVector, step int) {
	t.Helper()
	check := func(what string, bit int, input, sol []byte) {
		err := Verify(v.p, input, sol)
		if err == nil {
			t.Fatalf("%s bit %d flipped: accepted", what, bit)
		}
		var e *Error
		if !errors.As(err, &e) || !allowedFlipCodes[e.Code] {
			t.Fatalf("%s bit %d flipped: %v (%T) is not a plausible typed error", what, bit, err, err)
		}
	}
	sol := bytes.Clone(v.solution)
	for bit := 0; bit < 8*len(sol); bit += step {
		sol[bit/8] ^= 1 << (bit % 8)
		check("solution", bit, v.input, sol)
		sol[bit/8] ^= 1 << (bit % 8)
	}
	in := bytes.Clone(v.input)
	for bit := 0; bit < 8*len(in); bit += step {
		in[bit/8] ^= 1 << (bit % 8)
		check("input", bit, in, v.solution)
		in[bit/8] ^= 1 << (bit % 8)
	}
}

// Flipping any single bit of the solution or of the 140-byte input is
// rejected with a typed code: every bit for ZelHash and (48,5), every 7th bit
// for (200,9).
func TestEverySingleBitFlipIsRejected(t *testing.T) {
	for _, v := range realVectors(t) {
		step := 1
		if v.p.N == 200 {
			step = 7
			if testing.Short() {
				step = 61
			}
		}
		t.Run(v.name, func(t *testing.T) { flipEveryBit(t, v, step) })
	}
}

// fluxd's validator vectors (96,5): the original solution is valid and each
// mutation is refused with the code of the first check fluxd fails.
func TestFluxdValidatorVectors(t *testing.T) {
	var f struct {
		Validator []struct {
			Name    string   `json:"name"`
			N       uint32   `json:"n"`
			K       uint32   `json:"k"`
			Input   string   `json:"input"`
			Nonce   uint64   `json:"nonce"`
			Indices []uint32 `json:"indices"`
			Valid   bool     `json:"valid"`
		} `json:"validator"`
	}
	readJSON(t, "testdata/fluxd_equihash_tests.json", &f)
	want := map[string]Code{
		"Original valid solution":                           0,
		"Change one index":                                  ErrCollision,
		"Swap two arbitrary indices":                        ErrCollision,
		"Reverse the first pair of indices":                 ErrIndexOrder,
		"Swap the first and second pairs of indices":        ErrIndexOrder,
		"Swap the second-to-last and last pairs of indices": ErrIndexOrder,
		"Swap the first half and second half":               ErrIndexOrder,
		"Sort the indices":                                  ErrCollision,
		"Duplicate indices":                                 ErrDuplicateIndex,
		"Duplicate first half":                              ErrDuplicateIndex,
	}
	if len(f.Validator) != len(want) {
		t.Fatalf("%d validator vectors, want %d", len(f.Validator), len(want))
	}
	s := mustShape(t, params.Equihash96_5)
	for _, v := range f.Validator {
		t.Run(v.Name, func(t *testing.T) {
			code, ok := want[v.Name]
			if !ok {
				t.Fatalf("unexpected vector %q", v.Name)
			}
			if (code == 0) != v.Valid {
				t.Fatalf("table disagrees with fluxd's expectation %v", v.Valid)
			}
			sol := make([]byte, s.solutionSize)
			s.packIndices(v.Indices, sol)
			var back [maxIndices]uint32
			s.unpackIndices(sol, back[:s.numIndices])
			for i, x := range v.Indices {
				if back[i] != x {
					t.Fatalf("pack/unpack index %d: %d != %d", i, back[i], x)
				}
			}
			input := fluxdInput(v.Input, v.Nonce)
			if got := codeOf(s.verify(input, sol)); got != code {
				t.Fatalf("verify code %v, want %v", got, code)
			}
			if got := referenceVerify(s, input, sol); got != code {
				t.Fatalf("reference code %v, want %v", got, code)
			}
		})
	}
}

// zcash's published (96,5) solution in its minimal (packed) encoding.
func TestZcashMinimalEncodingVector(t *testing.T) {
	tp := thirdParty(t)
	s := mustShape(t, params.Equihash96_5)
	sol := vectors.Hex(t, tp.Zcash96_5.Solution)
	if err := s.verify(fluxdInput(tp.Zcash96_5.InputASCII, tp.Zcash96_5.Nonce), sol); err != nil {
		t.Fatal(err)
	}
	var idx [maxIndices]uint32
	s.unpackIndices(sol, idx[:s.numIndices])
	if idx[0] != 2261 || idx[1] != 15185 || idx[31] != 122568 {
		t.Fatalf("indices %v do not match the validator's original solution", idx[:s.numIndices])
	}
}

func TestErrorCodesAreStableAndDistinct(t *testing.T) {
	want := map[Code]string{
		ErrUnsupportedParams: "equihash-unsupported-params",
		ErrBadInputSize:      "equihash-input-size",
		ErrBadSolutionSize:   "equihash-solution-size",
		ErrCollision:         "equihash-collision",
		ErrIndexOrder:        "equihash-order",
		ErrDuplicateIndex:    "equihash-duplicate-index",
		ErrNonZero:           "equihash-nonzero",
		ErrSolverLimit:       "equihash-solver-limit",
	}
	for c, name := range want {
		if c.String() != name {
			t.Errorf("code %d is %q, want %q", c, c.String(), name)
		}
		if txt, _ := c.MarshalText(); string(txt) != name {
			t.Errorf("MarshalText(%d) = %q", c, txt)
		}
		err := error(errorf(c, "detail"))
		if !errors.Is(err, c) || err.Error() != name+": detail" {
			t.Errorf("errors.Is / Error() broken for %v: %q", c, err)
		}
		for other := range want {
			if other != c && errors.Is(err, other) {
				t.Errorf("%v matches %v", c, other)
			}
		}
	}
	if got := Code(200).String(); got != "equihash-code-200" {
		t.Errorf("unknown code prints %q", got)
	}
}

// Verify allocates only the BLAKE2b base state, whatever the variant.
func TestVerifyAllocations(t *testing.T) {
	for _, v := range realVectors(t) {
		allocs := testing.AllocsPerRun(5, func() {
			if err := Verify(v.p, v.input, v.solution); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > 1 {
			t.Errorf("%s: %v allocations per Verify, want at most 1", v.name, allocs)
		}
	}
}

// The twist's cache computes each BLAKE2b output once: for the mainnet
// 2,019,999 header that is the sum over groups of 16 of (highest g − base + 1),
// far below 16 per index; without the twist it is one per distinct g.
func TestHashCountIsMinimal(t *testing.T) {
	for _, v := range realVectors(t) {
		s := mustShape(t, v.p)
		var idx [maxIndices]uint32
		indices := idx[:s.numIndices]
		s.unpackIndices(v.solution, indices)
		want := minimalHashCount(s, indices)
		var rows [maxIndices][maxHashLen]byte
		got := s.fillRows(s.baseState(v.input), indices, rows[:s.numIndices])
		if got != want {
			t.Errorf("%s: %d BLAKE2b outputs, want %d", v.name, got, want)
		}
		if got > 16*s.numIndices || (!s.twist && got > s.numIndices) {
			t.Errorf("%s: %d outputs is over the bound", v.name, got)
		}
	}
}

// minimalHashCount counts the distinct BLAKE2b outputs a verification needs.
func minimalHashCount(s *shape, indices []uint32) int {
	need := map[uint32]bool{}
	for _, i := range indices {
		g := i / uint32(s.perOutput)
		if !s.twist {
			need[g] = true
			continue
		}
		for g2 := g &^ 15; g2 <= g; g2++ {
			need[g2] = true
		}
	}
	return len(need)
}
