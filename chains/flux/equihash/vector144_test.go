package equihash

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// gen144 regenerates testdata/equihash144_5.json with the unbounded solver
// (about 2.5 GiB and a minute or two; never part of a normal run):
//
//	go test -run TestGenerated144_5Vector -gen144 ./chains/flux/equihash/
var gen144 = flag.Bool("gen144", false, "regenerate testdata/equihash144_5.json (slow, ~2.5 GiB)")

const vector144Path = "testdata/equihash144_5.json"

type vector144File struct {
	About     string   `json:"_about"`
	Input     string   `json:"input"`
	Solutions []string `json:"solutions"`
}

// No real (144,5) FLUX header is in our references, so this vector was made
// by this package's solver and checked by the independent Python verifier
// testdata/equihash_oracle.py (see the file's _about line).
func TestGenerated144_5Vector(t *testing.T) {
	if *gen144 {
		generate144(t)
	}
	var f vector144File
	readJSON(t, vector144Path, &f)
	if len(f.Solutions) == 0 {
		t.Fatal("no solutions in the vector file")
	}
	input := vectors.Hex(t, f.Input)
	s := mustShape(t, params.Equihash144_5)
	for i, h := range f.Solutions {
		sol := vectors.Hex(t, h)
		if err := Verify(params.Equihash144_5, input, sol); err != nil {
			t.Fatalf("solution %d: %v", i, err)
		}
		if c := referenceVerify(s, input, sol); c != 0 {
			t.Fatalf("solution %d: reference verifier: %v", i, c)
		}
		flipEveryBit(t, realVector{"(144,5) generated", params.Equihash144_5, input, sol}, 1)
	}
}

func generate144(t *testing.T) {
	s := mustShape(t, params.Equihash144_5)
	input := params.MainNet.GenesisHeader().EquihashInput()
	for nonce := uint32(0); ; nonce++ {
		binary.LittleEndian.PutUint32(input[108:], nonce)
		sols := s.solve(input, 0)
		t.Logf("nonce %d: %d solutions", nonce, len(sols))
		if len(sols) == 0 {
			continue
		}
		f := vector144File{
			About: fmt.Sprintf("Equihash (144,5) \"ZelProof\" vector made by this package's Wagner solver "+
				"(go test -run TestGenerated144_5Vector -gen144): input = the mainnet genesis Equihash input "+
				"with the first 4 nonce bytes set to LE32(%d); every solution the solver found. "+
				"Checked independently with testdata/equihash_oracle.py (Python hashlib.blake2b, person=b'ZelProof'+LE32(144)+LE32(5)). "+
				"No real (144,5) FLUX header was available.", nonce),
			Input: hex.EncodeToString(input),
		}
		for _, sol := range sols {
			f.Solutions = append(f.Solutions, hex.EncodeToString(sol))
		}
		b, err := json.MarshalIndent(f, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vector144Path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
}
