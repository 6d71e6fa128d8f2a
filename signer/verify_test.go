package signer_test

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/signer"
)

// ed25519L is the order of the ed25519 base point.
var ed25519L, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)

func signOrFail(t *testing.T, s signer.Signer, d chains.Digest) chains.Signature {
	t.Helper()
	sig, err := s.Sign(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func with(sig chains.Signature, edit func(*chains.Signature)) chains.Signature {
	c := chains.Signature{Signer: slices.Clone(sig.Signer), Digest: sig.Digest, Sig: slices.Clone(sig.Sig)}
	edit(&c)
	return c
}

// highS turns a low-s recoverable signature into its malleated twin
// (n − s, v ⊕ 1), which is still a valid ECDSA signature by the same key.
func highS(sig []byte) []byte {
	out := slices.Clone(sig)
	s := new(big.Int).SetBytes(sig[32:64])
	new(big.Int).Sub(secpN, s).FillBytes(out[32:64])
	out[64] ^= 1
	return out
}

func TestVerifySecp256k1(t *testing.T) {
	s := fixedSecp256k1(t, 0x81)
	other := fixedSecp256k1(t, 0x82)
	hash := crypto.Keccak256([]byte("mint auth"))
	d := chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: hash}
	good := signOrFail(t, s, d)

	// The malleated twin really is a signature by the same key, so its
	// rejection below is due to the high s and nothing else.
	if pub, err := crypto.SigToPub(hash, highS(good.Sig)); err != nil || !bytes.Equal(crypto.PubkeyToAddress(*pub).Bytes(), s.ID()) {
		t.Fatalf("malleated signature does not recover the signer (%v)", err)
	}

	otherDigest := slices.Clone(hash)
	otherDigest[31] ^= 1
	tests := []struct {
		name string
		sig  chains.Signature
		d    chains.Digest
		ok   bool
	}{
		{"valid", good, d, true},
		{"the digest index is not looked at", with(good, func(c *chains.Signature) { c.Digest = 7 }), d, true},
		{"high s", with(good, func(c *chains.Signature) { c.Sig = highS(c.Sig) }), d, false},
		{"wrong signer", with(good, func(c *chains.Signature) { c.Signer = other.ID() }), d, false},
		{"wrong digest", good, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: otherDigest}, false},
		{"signature of 64 bytes", with(good, func(c *chains.Signature) { c.Sig = c.Sig[:64] }), d, false},
		{"signature of 66 bytes", with(good, func(c *chains.Signature) { c.Sig = append(c.Sig, 0) }), d, false},
		{"signer of 19 bytes", with(good, func(c *chains.Signature) { c.Signer = c.Signer[:19] }), d, false},
		{"signer given as a public key", with(good, func(c *chains.Signature) { c.Signer = s.Public() }), d, false},
		{"digest of 31 bytes", good, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: hash[:31]}, false},
		{"v = 27 (Ethereum's legacy offset)", with(good, func(c *chains.Signature) { c.Sig[64] += 27 }), d, false},
		{"v = 2", with(good, func(c *chains.Signature) { c.Sig[64] = 2 }), d, false},
		{"flipped v", with(good, func(c *chains.Signature) { c.Sig[64] ^= 1 }), d, false},
		{"r = 0", with(good, func(c *chains.Signature) { clear(c.Sig[:32]) }), d, false},
		{"s = 0", with(good, func(c *chains.Signature) { clear(c.Sig[32:64]) }), d, false},
		{"r = n", with(good, func(c *chains.Signature) { secpN.FillBytes(c.Sig[:32]) }), d, false},
		{"unknown scheme", good, chains.Digest{Scheme: "schnorr", Hash: hash}, false},
		{"verified as ed25519", good, chains.Digest{Scheme: chains.SchemeEd25519, Hash: hash}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := signer.Verify(tt.sig, tt.d)
			if tt.ok {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Verify accepted it")
			}
			if !errors.Is(err, signer.ErrBadSignature) && !errors.Is(err, signer.ErrUnsupportedScheme) {
				t.Errorf("err = %v, want ErrBadSignature or ErrUnsupportedScheme", err)
			}
			if fault.KindOf(err) != fault.Invalid {
				t.Errorf("kind = %v, want invalid", fault.KindOf(err))
			}
		})
	}
}

func TestVerifyEd25519(t *testing.T) {
	s := fixedEd25519(t, 0x83)
	other := fixedEd25519(t, 0x84)
	msg := []byte("solana message")
	d := chains.Digest{Scheme: chains.SchemeEd25519, Hash: msg}
	good := signOrFail(t, s, d)

	// S + L is the same signature in non-canonical form; it must be refused.
	nonCanonical := with(good, func(c *chains.Signature) {
		le := slices.Clone(c.Sig[32:])
		slices.Reverse(le)
		sv := new(big.Int).Add(new(big.Int).SetBytes(le), ed25519L)
		be := sv.FillBytes(make([]byte, 32))
		slices.Reverse(be)
		copy(c.Sig[32:], be)
	})

	tests := []struct {
		name string
		sig  chains.Signature
		d    chains.Digest
		ok   bool
	}{
		{"valid", good, d, true},
		{"wrong signer", with(good, func(c *chains.Signature) { c.Signer = other.ID() }), d, false},
		{"wrong message", good, chains.Digest{Scheme: chains.SchemeEd25519, Hash: []byte("solana messagE")}, false},
		{"empty message", good, chains.Digest{Scheme: chains.SchemeEd25519}, false},
		{"signature of 63 bytes", with(good, func(c *chains.Signature) { c.Sig = c.Sig[:63] }), d, false},
		{"signature of 65 bytes", with(good, func(c *chains.Signature) { c.Sig = append(c.Sig, 0) }), d, false},
		{"signer of 31 bytes", with(good, func(c *chains.Signature) { c.Signer = c.Signer[:31] }), d, false},
		{"signer of 33 bytes", with(good, func(c *chains.Signature) { c.Signer = append(c.Signer, 0) }), d, false},
		{"non-canonical s", nonCanonical, d, false},
		{"flipped bit in r", with(good, func(c *chains.Signature) { c.Sig[0] ^= 1 }), d, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := signer.Verify(tt.sig, tt.d)
			if tt.ok != (err == nil) {
				t.Fatalf("Verify = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && (!errors.Is(err, signer.ErrBadSignature) || fault.KindOf(err) != fault.Invalid) {
				t.Errorf("err = %v, want a KindInvalid ErrBadSignature", err)
			}
		})
	}
	if !bytes.Equal(nonCanonical.Sig[:32], good.Sig[:32]) || bytes.Equal(nonCanonical.Sig, good.Sig) {
		t.Fatal("non-canonical twin was not built")
	}
}
