package journal

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// secp256k1N and secp256k1HalfN are the group order n and n/2, big-endian.
var secp256k1N, secp256k1HalfN = func() (n, half [32]byte) {
	order := crypto.S256().Params().N
	order.FillBytes(n[:])
	new(big.Int).Rsh(order, 1).FillBytes(half[:])
	return n, half
}()

// malleate returns the other signature of the same key and digest: (r, n−s)
// with the recovery id flipped. It recovers the same key, so only the low-S
// rule refuses it.
func malleate(sig []byte) []byte {
	n := new(big.Int).SetBytes(secp256k1N[:])
	s := new(big.Int).Sub(n, new(big.Int).SetBytes(sig[32:64]))
	out := bytes.Clone(sig)
	s.FillBytes(out[32:64])
	out[64] ^= 1
	return out
}

func withByte(b []byte, i int, c byte) []byte {
	out := bytes.Clone(b)
	out[i] = c
	return out
}

// signatureCases are signatures of e that signer.Verify refuses, by the rule
// each breaks.
func signatureCases(e, other Entry) map[string]struct{ addr, sig []byte } {
	n, halfN := secp256k1N[:], secp256k1HalfN[:]
	set := func(part []byte, off int) []byte {
		out := bytes.Clone(e.Sig)
		copy(out[off:off+32], part)
		return out
	}
	return map[string]struct{ addr, sig []byte }{
		"v flipped":                  {e.Signer, withByte(e.Sig, 64, e.Sig[64]^1)},
		"v 2":                        {e.Signer, withByte(e.Sig, 64, 2)},
		"v 27":                       {e.Signer, withByte(e.Sig, 64, 27+e.Sig[64])},
		"high S, same key recovered": {e.Signer, malleate(e.Sig)},
		"r zero":                     {e.Signer, set(make([]byte, 32), 0)},
		"r = n":                      {e.Signer, set(n, 0)},
		"r all ones":                 {e.Signer, set(bytes.Repeat([]byte{0xff}, 32), 0)},
		"s zero":                     {e.Signer, set(make([]byte, 32), 32)},
		"s = n/2":                    {e.Signer, set(halfN, 32)},
		"s = n/2 + 1":                {e.Signer, set(withByte(halfN, 31, halfN[31]+1), 32)},
		"64 bytes":                   {e.Signer, e.Sig[:64]},
		"66 bytes":                   {e.Signer, append(bytes.Clone(e.Sig), 0)},
		"empty":                      {e.Signer, nil},
		"19-byte signer":             {e.Signer[:19], e.Sig},
		"21-byte signer":             {append(bytes.Clone(e.Signer), 0), e.Sig},
		"another key's address":      {other.Signer, e.Sig},
		"another entry's signature":  {e.Signer, other.Sig},
	}
}

// Check refuses with CodeBadSignature every signature that breaks a rule
// of signer.Verify, and every single-bit change of a good one.
func TestCheckRefusesBadSignatures(t *testing.T) {
	e := chain(t, testKey(t, 8), 1)[0]
	other := chain(t, testKey(t, 9), 1)[0]
	if e.Check() != nil {
		t.Fatal("a valid entry signature is refused")
	}
	if !bytes.Equal(recoverAddr(t, e.Hash, malleate(e.Sig)), e.Signer) {
		t.Fatal("the malleated signature does not recover the same key: the high-S case tests nothing")
	}
	for name, c := range signatureCases(e, other) {
		t.Run(name, func(t *testing.T) {
			bad := e
			bad.Signer, bad.Sig = c.addr, c.sig
			if err := bad.Check(); CodeOf(err) != CodeBadSignature {
				t.Fatalf("Check: %v, want code %q", err, CodeBadSignature)
			}
		})
	}
	for i := range len(e.Sig) * 8 {
		bad := e
		bad.Sig = withByte(e.Sig, i/8, e.Sig[i/8]^1<<(i%8))
		if err := bad.Check(); CodeOf(err) != CodeBadSignature {
			t.Fatalf("bit %d flipped: Check %v, want code %q", i, err, CodeBadSignature)
		}
	}
}

// recoverAddr is the address of the key that sig recovers, ignoring the
// low-S rule.
func recoverAddr(t *testing.T, h Hash, sig []byte) []byte {
	t.Helper()
	pub, err := crypto.SigToPub(h[:], sig)
	if err != nil {
		t.Fatal(err)
	}
	a := crypto.PubkeyToAddress(*pub)
	return a[:]
}
