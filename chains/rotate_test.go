package chains

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/fault"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// vectorRotation is the rotation of the hand-computed vector: set 2, 2 of 3,
// on chain 1337's bridge 0x5fbdb231…0aa3.
func vectorRotation(t *testing.T) (ID, [20]byte, Rotation) {
	var bridge [20]byte
	copy(bridge[:], mustHex(t, "5fbdb2315678afecb367f032d93f642f64180aa3"))
	return 1337, bridge, Rotation{SetID: 2, Threshold: 2, Signers: [][]byte{
		mustHex(t, "0000000000000000000000000000000000000001"),
		mustHex(t, "8000000000000000000000000000000000000000"),
		mustHex(t, "ffffffffffffffffffffffffffffffffffffffff"),
	}}
}

// The vector's preimage is spelled out field by field as the contract's
// abi.encodePacked lays it out; its hash was computed with an independent
// keccak implementation (js-sha3 0.8, in contracts/evm/node_modules):
//
//	node -e 'console.log(require("js-sha3").keccak256(Buffer.from(process.argv[1], "hex")))' <preimage>
//
// chains/evm's tests check RotateDigest against the deployed contract's
// rotateDigest view as well.
func TestRotateDigestVector(t *testing.T) {
	preimage := strings.Join([]string{
		hex.EncodeToString([]byte("FLXSET")),       // tag, 6 bytes
		"00000539",                                 // uint32 chain id 1337
		"5fbdb2315678afecb367f032d93f642f64180aa3", // bridge
		"00000002",                                 // uint32 set id 2
		"02",                                       // uint8 threshold 2
		// address[]: each element padded to 32 bytes
		"0000000000000000000000000000000000000000000000000000000000000001",
		"0000000000000000000000008000000000000000000000000000000000000000",
		"000000000000000000000000ffffffffffffffffffffffffffffffffffffffff",
	}, "")
	if len(preimage) != 2*(6+4+20+4+1+3*32) {
		t.Fatalf("preimage of %d hex digits", len(preimage))
	}
	const want = "169cda4611c949767f63cf1d2480840b45b12d9788361ba8327ca40fd45b1806"
	chain, bridge, r := vectorRotation(t)
	if err := r.Check(); err != nil {
		t.Fatal(err)
	}
	if got := RotateDigest(chain, bridge, r); hex.EncodeToString(got[:]) != want {
		t.Fatalf("RotateDigest = %x, want %s", got, want)
	}
}

func TestRotateDigestBindsEveryField(t *testing.T) {
	chain, bridge, r := vectorRotation(t)
	base := RotateDigest(chain, bridge, r)
	clone := func() Rotation {
		c := r
		c.Signers = make([][]byte, len(r.Signers))
		for i, s := range r.Signers {
			c.Signers[i] = bytes.Clone(s)
		}
		return c
	}
	variants := map[string]func() [32]byte{
		"chain":     func() [32]byte { return RotateDigest(chain+1, bridge, r) },
		"bridge":    func() [32]byte { b := bridge; b[19]++; return RotateDigest(chain, b, r) },
		"set id":    func() [32]byte { c := clone(); c.SetID++; return RotateDigest(chain, bridge, c) },
		"threshold": func() [32]byte { c := clone(); c.Threshold = 3; return RotateDigest(chain, bridge, c) },
		"a signer":  func() [32]byte { c := clone(); c.Signers[1][19] = 1; return RotateDigest(chain, bridge, c) },
		"one fewer": func() [32]byte { c := clone(); c.Signers = c.Signers[:2]; return RotateDigest(chain, bridge, c) },
	}
	for name, v := range variants {
		if v() == base {
			t.Errorf("changing the %s keeps the digest", name)
		}
	}
}

func TestRotationCheck(t *testing.T) {
	a := func(b byte) []byte { s := make([]byte, SignerAddressLen); s[0] = b; return s }
	for _, tc := range []struct {
		name string
		r    Rotation
		ok   bool
	}{
		{"one of one", Rotation{Signers: [][]byte{a(1)}, Threshold: 1}, true},
		{"3 of 3", Rotation{Signers: [][]byte{a(1), a(2), a(3)}, Threshold: 3}, true},
		{"no signers", Rotation{Threshold: 1}, false},
		{"threshold 0", Rotation{Signers: [][]byte{a(1), a(2)}}, false},
		{"threshold above n", Rotation{Signers: [][]byte{a(1), a(2)}, Threshold: 3}, false},
		{"negative threshold", Rotation{Signers: [][]byte{a(1)}, Threshold: -1}, false},
		{"descending", Rotation{Signers: [][]byte{a(2), a(1)}, Threshold: 1}, false},
		{"repeated", Rotation{Signers: [][]byte{a(1), a(1)}, Threshold: 1}, false},
		{"zero address", Rotation{Signers: [][]byte{a(0), a(1)}, Threshold: 1}, false},
		{"19 bytes", Rotation{Signers: [][]byte{a(1)[:19]}, Threshold: 1}, false},
		{"32 bytes", Rotation{Signers: [][]byte{append(make([]byte, 12), a(1)...)}, Threshold: 1}, false},
	} {
		err := tc.r.Check()
		if tc.ok != (err == nil) || (err != nil && fault.KindOf(err) != fault.Invalid) {
			t.Errorf("%s: Check = %v", tc.name, err)
		}
	}
	var many Rotation
	for i := range 256 {
		s := make([]byte, SignerAddressLen)
		s[0], s[1] = byte(i>>8)+1, byte(i)
		many.Signers = append(many.Signers, s)
	}
	many.Threshold = 256
	if err := many.Check(); err == nil {
		t.Error("a threshold of 256 does not fit the uint8 the bridge signs")
	}
	many.Threshold = 255
	if err := many.Check(); err != nil {
		t.Errorf("255 of 256: %v", err)
	}
}

func TestRotationID(t *testing.T) {
	for _, n := range []uint32{1, 2, 1 << 31, 1<<32 - 1} {
		if got, err := ParseRotationID(RotationID(n)); err != nil || got != n {
			t.Errorf("ParseRotationID(%q) = %d, %v", RotationID(n), got, err)
		}
	}
	if RotationID(7) != "rotate:7" {
		t.Errorf("RotationID(7) = %q", RotationID(7))
	}
	for _, bad := range []string{"", "rotate:", "rotate:0", "rotate:01", "rotate:+1", "rotate:-1", "rotate: 1",
		"rotate:4294967296", "Rotate:1", "rotate:1:", "flux:1", "rotate:0x1"} {
		if _, err := ParseRotationID(bad); fault.KindOf(err) != fault.Invalid {
			t.Errorf("ParseRotationID(%q) = %v, want invalid", bad, err)
		}
	}
}
