package signer

import (
	"context"
	"crypto/ecdsa"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	decredecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// secp256k1Signer is an in-memory secp256k1 key. It is immutable after
// construction and so safe for concurrent use.
type secp256k1Signer struct {
	priv *ecdsa.PrivateKey
}

var _ DERSigner = (*secp256k1Signer)(nil)

func newSecp256k1(key []byte) (*secp256k1Signer, error) {
	priv, err := crypto.ToECDSA(key)
	if err != nil {
		return nil, fmt.Errorf("secp256k1 private key: %v", err)
	}
	return &secp256k1Signer{priv: priv}, nil
}

// Scheme returns chains.SchemeSecp256k1.
func (s *secp256k1Signer) Scheme() chains.SigScheme { return chains.SchemeSecp256k1 }

// ID returns the key's 20-byte EVM address.
func (s *secp256k1Signer) ID() []byte {
	a := crypto.PubkeyToAddress(s.priv.PublicKey)
	return a[:]
}

// Public returns the 33-byte compressed public key.
func (s *secp256k1Signer) Public() []byte { return crypto.CompressPubkey(&s.priv.PublicKey) }

// String names the key without revealing it, so a Signer that ends up in a
// log line prints its address only.
func (s *secp256k1Signer) String() string { return fmt.Sprintf("secp256k1:%x", s.ID()) }

// GoString is String, for %#v.
func (s *secp256k1Signer) GoString() string { return s.String() }

// Sign returns a 65-byte r ‖ s ‖ v signature (v ∈ {0,1}, low s) over a
// 32-byte digest, with no message prefix.
func (s *secp256k1Signer) Sign(ctx context.Context, d chains.Digest) (chains.Signature, error) {
	if err := checkSign(ctx, chains.SchemeSecp256k1, d); err != nil {
		return chains.Signature{}, err
	}
	if len(d.Hash) != Secp256k1DigestLen {
		return chains.Signature{}, fault.E("signer.Sign", fault.Invalid,
			fmt.Errorf("secp256k1 digest is %d bytes, want %d", len(d.Hash), Secp256k1DigestLen))
	}
	raw, err := crypto.Sign(d.Hash, s.priv)
	if err != nil {
		return chains.Signature{}, fault.E("signer.Sign", fault.Internal, err)
	}
	sig := chains.Signature{Signer: s.ID(), Sig: raw}
	// Check our own output before it leaves: a faulty signature must never
	// reach a peer or a chain.
	if err := Verify(sig, d); err != nil {
		return chains.Signature{}, fault.E("signer.Sign", fault.Internal, fmt.Errorf("own signature does not verify: %w", err))
	}
	return sig, nil
}

// SignDER returns a strict-DER, low-S (BIP 62) ECDSA signature over hash with
// an RFC 6979 deterministic nonce.
func (s *secp256k1Signer) SignDER(ctx context.Context, hash [32]byte) ([]byte, error) {
	const op = "signer.SignDER"
	if err := ctx.Err(); err != nil {
		return nil, fault.E(op, fault.Transient, err)
	}
	// crypto.FromECDSA, not PrivateKey.Bytes: secp256k1 is not a curve
	// crypto/ecdsa knows, and Bytes refuses it.
	b := crypto.FromECDSA(s.priv)
	priv := secp256k1.PrivKeyFromBytes(b)
	clear(b)
	defer priv.Zero()
	sig := decredecdsa.Sign(priv, hash[:])
	if st := sig.S(); st.IsOverHalfOrder() {
		return nil, fault.E(op, fault.Internal, fmt.Errorf("signature has high s"))
	}
	if !sig.Verify(hash[:], priv.PubKey()) {
		return nil, fault.E(op, fault.Internal, fmt.Errorf("own DER signature does not verify"))
	}
	return sig.Serialize(), nil
}
