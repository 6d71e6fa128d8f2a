package chains

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/fault"
)

// The vector's preimage is spelled out field by field as the contract's
// abi.encodePacked lays it out; its hash was computed with an independent
// keccak implementation (js-sha3 0.8.0, in contracts/evm/node_modules):
//
//	node -e 'console.log(require("js-sha3").keccak256(Buffer.from(process.argv[1], "hex")))' <preimage>
//
// contracts/evm's tests check BatchDigest against the deployed contract's
// batchDigest view as well.
func TestBatchDigestVector(t *testing.T) {
	var d1, d2, d3 [32]byte
	d1[0], d2[0] = 0x01, 0x80
	for i := range d3 {
		d3[i] = 0xff
	}
	preimage := strings.Join([]string{
		hex.EncodeToString([]byte("FLXMINTB")),     // tag, 8 bytes
		"00000539",                                 // uint32 chain id 1337
		"5fbdb2315678afecb367f032d93f642f64180aa3", // bridge
		"00000003", // uint32 count
		hex.EncodeToString(d1[:]), hex.EncodeToString(d2[:]), hex.EncodeToString(d3[:]),
	}, "")
	if len(preimage) != 2*(8+4+20+4+3*32) {
		t.Fatalf("preimage of %d hex digits", len(preimage))
	}
	const want = "2f51de4693b7307b06f4da51df0f43c17155818f97f509c1ab0415d0273f8e20"
	var bridge [20]byte
	copy(bridge[:], mustHex(t, "5fbdb2315678afecb367f032d93f642f64180aa3"))
	digests := [][32]byte{d1, d2, d3}
	if err := CheckBatch(digests); err != nil {
		t.Fatal(err)
	}
	if got := BatchDigest(1337, bridge, digests); hex.EncodeToString(got[:]) != want {
		t.Fatalf("BatchDigest = %x, want %s", got, want)
	}
	// Every field is bound: the chain, the bridge, the count and each digest.
	base := BatchDigest(1337, bridge, digests)
	other := bridge
	other[19]++
	d3b := d3
	d3b[31]--
	for name, got := range map[string][32]byte{
		"chain":      BatchDigest(1338, bridge, digests),
		"bridge":     BatchDigest(1337, other, digests),
		"a prefix":   BatchDigest(1337, bridge, digests[:2]),
		"a digest":   BatchDigest(1337, bridge, [][32]byte{d1, d2, d3b}),
		"one digest": BatchDigest(1337, bridge, [][32]byte{d1}),
	} {
		if got == base {
			t.Errorf("changing the %s leaves the batch digest unchanged", name)
		}
	}
}

func TestCheckBatch(t *testing.T) {
	d := func(b byte) [32]byte { var x [32]byte; x[0] = b; return x }
	many := make([][32]byte, MaxBatch+1)
	for i := range many {
		many[i][0], many[i][1] = byte(i>>8), byte(i)
	}
	for _, tc := range []struct {
		name    string
		digests [][32]byte
		ok      bool
	}{
		{"one", [][32]byte{d(1)}, true},
		{"ascending", [][32]byte{d(1), d(2), d(9)}, true},
		{"the most", many[:MaxBatch], true},
		{"none", nil, false},
		{"one too many", many, false},
		{"a duplicate", [][32]byte{d(1), d(1)}, false},
		{"descending", [][32]byte{d(2), d(1)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckBatch(tc.digests)
			if (err == nil) != tc.ok || err != nil && fault.KindOf(err) != fault.Invalid {
				t.Fatalf("CheckBatch = %v, want ok %v", err, tc.ok)
			}
		})
	}
}
