package equihash

import (
	"encoding/binary"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// benchVectors returns one valid vector per benchmarked variant, keyed by the
// sub-benchmark name.
func benchVectors(b *testing.B) map[string]realVector {
	b.Helper()
	out := map[string]realVector{}
	for _, v := range realVectors(b) {
		switch {
		case v.name == "mainnet genesis (200,9)":
			out["200_9"] = v
		case v.name == "mainnet 2019999 ZelHash (125,4)":
			out["125_4_zelhash"] = v
		case v.name == "regtest params genesis":
			out["48_5"] = v
		}
	}
	var f vector144File
	readJSON(b, vector144Path, &f)
	if len(f.Solutions) > 0 {
		out["144_5"] = realVector{"generated (144,5)", params.Equihash144_5, vectors.Hex(b, f.Input), vectors.Hex(b, f.Solutions[0])}
	}
	return out
}

var benchOrder = []string{"200_9", "144_5", "125_4_zelhash", "48_5"}

func BenchmarkVerify(b *testing.B) {
	vs := benchVectors(b)
	for _, name := range benchOrder {
		v, ok := vs[name]
		b.Run(name, func(b *testing.B) {
			if !ok {
				b.Skip("no vector")
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := Verify(v.p, v.input, v.solution); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFloor is the bare BLAKE2b work a verification of the same vector
// cannot avoid: the distinct outputs it needs (512 for a random (200,9)
// solution; for ZelHash every output of every group of 16 up to the highest g
// used), each a clone of the personalized state, a 4-byte write and a
// finalization.
func BenchmarkFloor(b *testing.B) {
	vs := benchVectors(b)
	for _, name := range benchOrder {
		v, ok := vs[name]
		b.Run(name, func(b *testing.B) {
			if !ok {
				b.Skip("no vector")
			}
			s := mustShape(b, v.p)
			var idx [maxIndices]uint32
			s.unpackIndices(v.solution, idx[:s.numIndices])
			hashes := minimalHashCount(s, idx[:s.numIndices])
			base := s.baseState(v.input)
			var out [maxHashOutput]byte
			for b.Loop() {
				for g := 0; g < hashes; g++ {
					d := *base
					var le [4]byte
					binary.LittleEndian.PutUint32(le[:], uint32(g))
					d.Write(le[:])
					d.Sum(out[:0])
				}
			}
			b.ReportMetric(float64(hashes), "hashes/op")
		})
	}
}

// BenchmarkSolve measures the solver on the test networks' parameters.
func BenchmarkSolve(b *testing.B) {
	in := params.RegTest.GenesisHeader().EquihashInput()
	for _, p := range []params.EquihashParams{params.Equihash48_5, params.Equihash96_5} {
		b.Run(map[uint32]string{48: "48_5", 96: "96_5"}[p.N], func(b *testing.B) {
			for b.Loop() {
				if _, err := Solve(p, in, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
