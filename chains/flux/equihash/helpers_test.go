package equihash

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/blake2b"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// realVector is a (params, input, solution) triple that must verify.
type realVector struct {
	name     string
	p        params.EquihashParams
	input    []byte
	solution []byte
}

func readJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
}

// mainnetHeaders returns the PoW headers of the shared flux/mainnet_vectors.json.
func mainnetHeaders(tb testing.TB) map[string]*wire.BlockHeader {
	tb.Helper()
	var file struct {
		Headers []struct {
			Name          string `json:"name"`
			Kind          string `json:"kind"`
			Raw           string `json:"raw"`
			EquihashValid bool   `json:"equihash_valid"`
		} `json:"headers"`
	}
	if err := json.Unmarshal(vectors.Read(tb, "flux/mainnet_vectors.json"), &file); err != nil {
		tb.Fatal(err)
	}
	out := map[string]*wire.BlockHeader{}
	for _, h := range file.Headers {
		if !h.EquihashValid {
			continue
		}
		hdr, err := wire.DecodeBlockHeader(vectors.Hex(tb, h.Raw))
		if err != nil {
			tb.Fatalf("%s: %v", h.Name, err)
		}
		out[h.Name] = hdr
	}
	return out
}

type thirdPartyFile struct {
	ZelHash struct {
		Input     string `json:"input"`
		Solution  string `json:"solution"`
		BlockHash string `json:"block_hash"`
	} `json:"zelhash"`
	Zcash96_5 struct {
		InputASCII string `json:"input_ascii"`
		Nonce      uint64 `json:"nonce"`
		Solution   string `json:"solution"`
	} `json:"zcash96_5"`
}

func thirdParty(tb testing.TB) thirdPartyFile {
	var f thirdPartyFile
	readJSON(tb, "testdata/third_party_vectors.json", &f)
	return f
}

// realVectors gathers every real 140-byte vector: the shared mainnet headers,
// the §10.4 ZelHash header and the genesis blocks of params.
func realVectors(tb testing.TB) []realVector {
	tb.Helper()
	hs := mainnetHeaders(tb)
	tp := thirdParty(tb)
	vs := []realVector{
		{"mainnet genesis (200,9)", params.Equihash200_9, hs["genesis"].EquihashInput(), hs["genesis"].Solution},
		{"mainnet 2019999 ZelHash (125,4)", params.ZelHash125_4, hs["last-pow"].EquihashInput(), hs["last-pow"].Solution},
		{"powkit ZelHash (125,4) §10.4", params.ZelHash125_4, vectors.Hex(tb, tp.ZelHash.Input), vectors.Hex(tb, tp.ZelHash.Solution)},
	}
	for _, net := range []*params.Params{params.MainNet, params.TestNet, params.RegTest} {
		g := net.GenesisHeader()
		p, ok := ParamsForSolutionSize(len(g.Solution))
		if !ok {
			tb.Fatalf("%s genesis: solution size %d", net.Name, len(g.Solution))
		}
		vs = append(vs, realVector{net.Name + " params genesis", p, g.EquihashInput(), g.Solution})
	}
	return vs
}

// fluxdInput is the hashed input of fluxd's equihash_tests.cpp: the string
// followed by the nonce as a little-endian uint256.
func fluxdInput(s string, nonce uint64) []byte {
	b := append([]byte(s), make([]byte, 32)...)
	binary.LittleEndian.PutUint64(b[len(s):], nonce)
	return b
}

func codeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// referenceVerify is a deliberately literal second implementation of fluxd's
// IsValidSolution (rows carry their index lists; every check is the naive
// one), used to cross-check the optimised verifier in tests and fuzzing.
func referenceVerify(s *shape, input, solution []byte) Code {
	if len(solution) != s.solutionSize {
		return ErrBadSolutionSize
	}
	type row struct {
		hash    []byte
		indices []uint32
	}
	person := s.person
	indices := make([]uint32, s.numIndices)
	for j := range indices {
		var v uint32
		for b := 0; b < s.indexBits; b++ {
			bit := j*s.indexBits + b
			v = v<<1 | uint32(solution[bit/8]>>(7-bit%8)&1)
		}
		indices[j] = v
	}
	gen := func(g uint32) []byte {
		one := func(g uint32) []byte {
			d := blake2b.New(s.hashOutput, person[:])
			d.Write(input)
			d.Write(binary.LittleEndian.AppendUint32(nil, g))
			return d.Sum(nil)
		}
		if !s.twist {
			return one(g)
		}
		var sum [16]uint32
		for g2 := g &^ 15; g2 <= g; g2++ {
			h := one(g2)
			for w := range sum {
				sum[w] += binary.LittleEndian.Uint32(h[4*w:])
			}
		}
		out := make([]byte, 64)
		for w := range sum {
			binary.LittleEndian.PutUint32(out[4*w:], sum[w])
		}
		for i := 15; i < 64; i += 16 {
			out[i] &= 0xF8
		}
		return out
	}
	var rows []row
	for _, i := range indices {
		h := gen(i / uint32(s.perOutput))
		slice := h[int(i%uint32(s.perOutput))*s.sliceLen:][:s.sliceLen]
		var exp []byte
		for c := 0; c <= s.k; c++ {
			var v uint32
			for b := 0; b < s.collisionBits; b++ {
				bit := c*s.collisionBits + b
				v = v<<1 | uint32(slice[bit/8]>>(7-bit%8)&1)
			}
			for x := s.collisionLen - 1; x >= 0; x-- {
				exp = append(exp, byte(v>>(8*x)))
			}
		}
		rows = append(rows, row{exp, []uint32{i}})
	}
	cl := s.collisionLen
	for len(rows) > 1 {
		var next []row
		for j := 0; j < len(rows); j += 2 {
			a, b := rows[j], rows[j+1]
			if string(a.hash[:cl]) != string(b.hash[:cl]) {
				return ErrCollision
			}
			if listBefore(b.indices, a.indices) {
				return ErrIndexOrder
			}
			for _, x := range a.indices {
				for _, y := range b.indices {
					if x == y {
						return ErrDuplicateIndex
					}
				}
			}
			h := make([]byte, len(a.hash)-cl)
			for x := range h {
				h[x] = a.hash[cl+x] ^ b.hash[cl+x]
			}
			next = append(next, row{h, append(append([]uint32{}, a.indices...), b.indices...)})
		}
		rows = next
	}
	for _, v := range rows[0].hash {
		if v != 0 {
			return ErrNonZero
		}
	}
	return 0
}
