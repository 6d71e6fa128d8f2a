package header

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

type oracleCase struct {
	Name      string   `json:"name"`
	Network   string   `json:"network"`
	Last      int32    `json:"last"`
	BlockTime uint32   `json:"block_time"`
	Blocks    [][3]any `json:"blocks"`
	Want      string   `json:"want"`
}

func parseBits(t testing.TB, s string) uint32 {
	t.Helper()
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		t.Fatalf("bad bits %q", s)
	}
	return uint32(v)
}

// TestNextWorkRequiredMatchesPythonOracle runs every vector the independent
// Python model (testdata/difficulty_oracle.py) generated: Digishield, LWMA,
// LWMA3, the Equihash (144,5) reset, the ZelHash ramp including its 256-bit
// wrap at 372,572 and 372,573, testnet's minimum-difficulty rule and the PoN
// retarget, on random-but-seeded chains.
func TestNextWorkRequiredMatchesPythonOracle(t *testing.T) {
	b, err := os.ReadFile("testdata/difficulty_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []oracleCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) < 250 {
		t.Fatalf("only %d oracle vectors", len(doc.Cases))
	}
	for _, tc := range doc.Cases {
		p, ok := params.ByName(tc.Network)
		if !ok {
			t.Fatalf("%s: unknown network %q", tc.Name, tc.Network)
		}
		chain := mapChain{}
		for _, blk := range tc.Blocks {
			h := int32(blk[0].(float64))
			chain[h] = Info{Height: h, Time: uint32(blk[1].(float64)), Bits: parseBits(t, blk[2].(string))}
		}
		got, err := NextWorkRequired(chain, tc.Last, tc.BlockTime, p)
		if err != nil {
			t.Errorf("%s: %v", tc.Name, err)
			continue
		}
		if want := parseBits(t, tc.Want); got != want {
			t.Errorf("%s (last %d): NextWorkRequired = %#08x, oracle %#08x", tc.Name, tc.Last, got, want)
		}
	}
}

// TestFirstPoNBlockGetsStartLimit: block 2,020,000 must carry ponStartLimit
// (0x1f0bffff), as the real first PoN block does.
func TestFirstPoNBlockGetsStartLimit(t *testing.T) {
	last, v := loadSharedHeader(t, "last-pow")
	chain := mapChain{v.Height: {Height: v.Height, Time: last.Time, Bits: last.Bits, Hash: last.BlockHash(), Version: last.Version}}
	first, fv := loadSharedHeader(t, "first-pon")
	got, err := NextWorkRequired(chain, v.Height, first.Time, params.MainNet)
	if err != nil {
		t.Fatal(err)
	}
	if got != 0x1f0bffff || got != first.Bits || fv.Bits != "1f0bffff" {
		t.Fatalf("next work after 2,019,999 = %#08x, header has %#08x, want 0x1f0bffff", got, first.Bits)
	}
}

// TestPoNRetargetRules checks the PoN retarget's branches by hand: the start
// limit for the whole first window, the clamp on both sides, divide before
// multiply, the ponLimit cap and the invalid-previous-bits fallback.
func TestPoNRetargetRules(t *testing.T) {
	p := params.MainNet
	act := p.PoNActivationHeight()
	build := func(last int32, span int64, bits uint32) mapChain {
		c := mapChain{}
		for h := last - 40; h <= last; h++ {
			c[h] = Info{Height: h, Time: uint32(1761415068 + int64(h-last+40)*span/29), Bits: bits}
		}
		// Make the window exactly span seconds.
		c[last] = Info{Height: last, Time: c[last-29].Time + uint32(span), Bits: bits}
		return c
	}
	tests := []struct {
		name string
		last int32
		span int64
		bits uint32
		want uint32
	}{
		{"first block of the window", act - 1, 870, 0x1d2ee03b, 0x1f0bffff},
		{"last block of the first window", act + 28, 870, 0x1f0bffff, 0x1f0bffff},
		{"on target: divide then multiply truncates", act + 29, 870, 0x1f0bffff, 0x1f0bfffe},
		{"too fast clamps to 4/5", act + 100, 1, 0x1f53f10d, 0x1f43273d},
		{"too slow clamps to 5/4", act + 100, 100000, 0x1f53f10d, 0x1f68e0f6},
		{"capped at ponLimit", act + 100, 100000, 0x200fffff, 0x200fffff},
		{"negative previous bits give ponLimit", act + 100, 870, 0x1f83f10d, 0x200fffff},
		{"zero previous bits give ponLimit", act + 100, 870, 0x1f000000, 0x200fffff},
		{"tiny target rounds to zero and gives ponLimit", act + 100, 870, 0x03000100, 0x200fffff},
	}
	for _, tc := range tests {
		got, err := NextPoNWorkRequired(build(tc.last, tc.span, tc.bits), tc.last, p)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: got %#08x, want %#08x", tc.name, got, tc.want)
		}
	}
}

// TestNextWorkRequiredMissingAncestor: a chain view without the blocks a rule
// needs gives a typed error, never a guess.
func TestNextWorkRequiredMissingAncestor(t *testing.T) {
	c := mapChain{2500000: {Height: 2500000, Time: 1, Bits: 0x1f53f10d}}
	_, err := NextWorkRequired(c, 2500000, 2, params.MainNet)
	wantCode(t, "PoN window without its first block", err, ErrMissingAncestor)
	_, err = NextWorkRequired(mapChain{}, 300000, 2, params.MainNet)
	wantCode(t, "LWMA3 without ancestors", err, ErrMissingAncestor)
	got, err := NextWorkRequired(mapChain{}, -1, 0, params.MainNet)
	if err != nil || got != 0x1f07ffff {
		t.Errorf("genesis: %#08x %v, want powLimit", got, err)
	}
}

// TestTestnetMinDifficultyRule: on testnet a block more than two spacings
// after its parent may use powLimit; on mainnet the rule does not exist.
func TestTestnetMinDifficultyRule(t *testing.T) {
	c := mapChain{}
	for h := int32(400); h <= 500; h++ {
		c[h] = Info{Height: h, Time: uint32(1600000000 + 60*int(h)), Bits: 0x1f0fffff}
	}
	limit := BigToCompact(params.TestNet.PowLimit)
	last := c[500].Time
	if got, _ := NextWorkRequired(c, 500, last+121, params.TestNet); got != limit {
		t.Errorf("testnet, 121 s late: %#08x, want powLimit %#08x", got, limit)
	}
	if got, _ := NextWorkRequired(c, 500, last+120, params.TestNet); got == limit {
		t.Errorf("testnet, 120 s late: got powLimit, want LWMA3")
	}
	m := mapChain{}
	for h := int32(400000); h <= 400100; h++ {
		m[h] = Info{Height: h, Time: uint32(1600000000 + 120*int(h-400000)), Bits: 0x1d2ee03b}
	}
	if got, _ := NextWorkRequired(m, 400100, m[400100].Time+100000, params.MainNet); got == BigToCompact(params.MainNet.PowLimit) {
		t.Error("mainnet has no minimum-difficulty rule")
	}
}
