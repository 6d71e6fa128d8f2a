package signer

import (
	"context"
	"crypto/ed25519"
	"crypto/subtle"
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// ed25519Signer is an in-memory ed25519 key. It is immutable after
// construction and so safe for concurrent use.
type ed25519Signer struct {
	priv ed25519.PrivateKey
}

var _ Signer = (*ed25519Signer)(nil)

// newEd25519 accepts a 32-byte seed or a 64-byte seed ‖ public key.
func newEd25519(key []byte) (*ed25519Signer, error) {
	switch len(key) {
	case ed25519.SeedSize:
		return &ed25519Signer{priv: ed25519.NewKeyFromSeed(key)}, nil
	case ed25519.PrivateKeySize:
		priv := ed25519.NewKeyFromSeed(key[:ed25519.SeedSize])
		if subtle.ConstantTimeCompare(priv[ed25519.SeedSize:], key[ed25519.SeedSize:]) != 1 {
			return nil, fmt.Errorf("ed25519 private key: public half does not match the seed")
		}
		return &ed25519Signer{priv: priv}, nil
	default:
		return nil, fmt.Errorf("ed25519 private key is %d bytes, want a %d-byte seed or a %d-byte key",
			len(key), ed25519.SeedSize, ed25519.PrivateKeySize)
	}
}

// Scheme returns chains.SchemeEd25519.
func (s *ed25519Signer) Scheme() chains.SigScheme { return chains.SchemeEd25519 }

// ID returns the 32-byte public key.
func (s *ed25519Signer) ID() []byte { return s.Public() }

// Public returns the 32-byte public key.
func (s *ed25519Signer) Public() []byte {
	return append([]byte(nil), s.priv[ed25519.SeedSize:]...)
}

// String names the key without revealing it.
func (s *ed25519Signer) String() string { return fmt.Sprintf("ed25519:%x", s.Public()) }

// GoString is String, for %#v.
func (s *ed25519Signer) GoString() string { return s.String() }

// Sign returns a 64-byte ed25519 signature over the message d.Hash.
func (s *ed25519Signer) Sign(ctx context.Context, d chains.Digest) (chains.Signature, error) {
	if err := checkSign(ctx, chains.SchemeEd25519, d); err != nil {
		return chains.Signature{}, err
	}
	if len(d.Hash) == 0 {
		return chains.Signature{}, fault.E("signer.Sign", fault.Invalid, fmt.Errorf("empty ed25519 message"))
	}
	sig := chains.Signature{Signer: s.ID(), Sig: ed25519.Sign(s.priv, d.Hash)}
	if err := Verify(sig, d); err != nil {
		return chains.Signature{}, fault.E("signer.Sign", fault.Internal, fmt.Errorf("own signature does not verify: %w", err))
	}
	return sig, nil
}
