package signer

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// Signer signs digests with one key. It is the only way the relayer uses a
// key, so other backends (KMS, HSM, a remote signer) implement it too.
//
// Contract:
//   - Implementations are safe for concurrent use by multiple goroutines.
//   - Scheme, ID and Public are constant for the life of the Signer, never
//     fail and do no I/O. The returned slices are the caller's to keep.
//   - Sign has no side effect other than producing a signature: calling it
//     again for the same digest is harmless. It may return a different (but
//     equally valid) signature each time for backends that sign with random
//     nonces, so callers must not compare signature bytes to decide whether
//     they already signed something; they persist what they signed instead
//     (DESIGN §4, signing rule 3).
//   - Sign returns an error of kind fault.Invalid for a digest it will
//     never sign (wrong scheme, wrong length); retrying it unchanged fails
//     again. An error of kind fault.Transient (an unreachable remote
//     backend, a cancelled context) may be retried. A Signer never returns a
//     signature it has not checked against its own public key.
//   - The returned chains.Signature has Signer set to ID() and Digest left
//     zero: the caller sets the index of the digest in its submission.
type Signer interface {
	// Scheme is the scheme the key signs with.
	Scheme() chains.SigScheme
	// ID names the key as chains.Signature.Signer does: the 20-byte EVM
	// address of a secp256k1 key, the 32-byte public key of an ed25519 key.
	ID() []byte
	// Public returns the public key: 33-byte compressed secp256k1, or
	// 32-byte ed25519.
	Public() []byte
	// Sign signs a digest; d.Scheme must equal Scheme(). A secp256k1 digest
	// is exactly 32 bytes; an ed25519 digest is the non-empty message.
	Sign(ctx context.Context, d chains.Digest) (chains.Signature, error)
}

// DERSigner is implemented by secp256k1 signers that can also sign FLUX L1
// transaction inputs. The same concurrency and retry rules as Signer apply.
type DERSigner interface {
	Signer
	// SignDER returns a strict-DER, low-S ECDSA signature over a 32-byte
	// sighash (without the sighash-type byte, which the caller appends).
	SignDER(ctx context.Context, hash [32]byte) ([]byte, error)
}

// Sentinel errors. Errors returned by this package wrap one of them (test
// with errors.Is) inside a *fault.Error that carries the operation, the kind
// and, for files, the path.
var (
	// ErrWrongPassphrase: the key file is well formed but the passphrase does
	// not decrypt it (its MAC does not match).
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrCorrupt: the key file is not a key file this package can read
	// (malformed JSON, unsupported version, cipher or KDF, out-of-range KDF
	// parameters, or a public part that does not match the decrypted key).
	ErrCorrupt = errors.New("corrupt or unsupported key file")
	// ErrInsecurePermissions: a key or passphrase file, or the keystore
	// directory, is accessible to other users. The error is an
	// *InsecurePermissionsError naming the file and the fix.
	ErrInsecurePermissions = errors.New("insecure permissions")
	// ErrNotFound: the key file or directory does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists: a key with the same identity is already in the keystore.
	ErrExists = errors.New("key already exists")
	// ErrBadSignature: a signature does not verify (malformed, high s, wrong
	// signer or wrong digest).
	ErrBadSignature = errors.New("bad signature")
	// ErrUnsupportedScheme: the signature scheme is not one this package
	// knows.
	ErrUnsupportedScheme = errors.New("unsupported signature scheme")
	// ErrPassphraseSource: the passphrase source is missing, ambiguous, empty
	// or unreadable.
	ErrPassphraseSource = errors.New("passphrase source")
)

// secp256k1N is the secp256k1 group order n and secp256k1HalfN is n/2,
// both big-endian: a signature with s > n/2 is malleable and is rejected.
var secp256k1N, secp256k1HalfN = func() (n, half [32]byte) {
	order := crypto.S256().Params().N
	order.FillBytes(n[:])
	new(big.Int).Rsh(order, 1).FillBytes(half[:])
	return n, half
}()

// Sizes of keys and signatures.
const (
	// Secp256k1SigLen is the length of a recoverable secp256k1 signature.
	Secp256k1SigLen = 65
	// Secp256k1IDLen is the length of an EVM address.
	Secp256k1IDLen = 20
	// Secp256k1PublicLen is the length of a compressed secp256k1 public key.
	Secp256k1PublicLen = 33
	// Secp256k1DigestLen is the length of a secp256k1 digest.
	Secp256k1DigestLen = 32
)

// envelopeDomain prefixes every relayer envelope digest (DESIGN §3).
const envelopeDomain = "fluxbridge/v1/"

// EnvelopeDigest is the hash a relayer envelope's signature covers (DESIGN
// §3): sha256("fluxbridge/v1/" ‖ kind ‖ 0x00 ‖ payload). Kinds come from the
// fixed list of DESIGN §3 and never contain a NUL byte, which keeps the
// encoding unambiguous.
func EnvelopeDigest(kind string, payload []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(envelopeDomain))
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write(payload)
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// Verify checks that sig is a valid signature by sig.Signer over d. It is
// what the relayer runs on every signature a peer sends. For
// chains.SchemeSecp256k1 it requires a 32-byte digest, a 20-byte signer, a
// 65-byte signature with r, s in [1, n-1], s ≤ n/2 and v ∈ {0,1}, and that the
// recovered address is sig.Signer. For chains.SchemeEd25519 it requires a
// non-empty message, a 32-byte signer and a 64-byte canonical signature that
// verifies under that key. sig.Digest (an index) is not looked at. The error
// wraps ErrBadSignature or ErrUnsupportedScheme and has kind
// fault.Invalid.
func Verify(sig chains.Signature, d chains.Digest) error {
	const op = "signer.Verify"
	var err error
	switch d.Scheme {
	case chains.SchemeSecp256k1:
		err = verifySecp256k1(sig, d.Hash)
	case chains.SchemeEd25519:
		err = verifyEd25519(sig, d.Hash)
	default:
		err = fmt.Errorf("%w %q", ErrUnsupportedScheme, d.Scheme)
	}
	if err != nil {
		return fault.E(op, fault.Invalid, err)
	}
	return nil
}

func badSig(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadSignature, fmt.Sprintf(format, args...))
}

func verifySecp256k1(sig chains.Signature, hash []byte) error {
	if len(hash) != Secp256k1DigestLen {
		return badSig("digest is %d bytes, want %d", len(hash), Secp256k1DigestLen)
	}
	if len(sig.Signer) != Secp256k1IDLen {
		return badSig("signer is %d bytes, want a %d-byte address", len(sig.Signer), Secp256k1IDLen)
	}
	if len(sig.Sig) != Secp256k1SigLen {
		return badSig("signature is %d bytes, want %d", len(sig.Sig), Secp256k1SigLen)
	}
	// The same rules as crypto.ValidateSignatureValues (homestead) and
	// crypto.SigToPub, on the bytes: 1 ≤ r < n, 1 ≤ s ≤ n/2, v ∈ {0, 1},
	// then one libsecp256k1 recovery, whose key is on the curve by
	// construction, and its address. (SigToPub's big.Int decoding and
	// on-curve check of that key cost a fifth of a verification.)
	r, s, v := sig.Sig[:32], sig.Sig[32:64], sig.Sig[64]
	if bytes.Compare(s, secp256k1HalfN[:]) > 0 {
		return badSig("s is above n/2 (malleable)")
	}
	if v > 1 || isZero(r) || isZero(s) || bytes.Compare(r, secp256k1N[:]) >= 0 {
		return badSig("r, s or v out of range (v=%d)", v)
	}
	pub, err := crypto.Ecrecover(hash, sig.Sig)
	if err != nil {
		return badSig("recovery failed: %v", err)
	}
	if len(pub) != 65 || pub[0] != 4 {
		return badSig("recovery returned a %d-byte key", len(pub))
	}
	if got := crypto.Keccak256(pub[1:])[12:]; !bytes.Equal(got, sig.Signer) {
		return badSig("recovered signer %x, want %x", got, sig.Signer)
	}
	return nil
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func verifyEd25519(sig chains.Signature, msg []byte) error {
	if len(msg) == 0 {
		return badSig("empty message")
	}
	if len(sig.Signer) != ed25519.PublicKeySize {
		return badSig("signer is %d bytes, want a %d-byte public key", len(sig.Signer), ed25519.PublicKeySize)
	}
	if len(sig.Sig) != ed25519.SignatureSize {
		return badSig("signature is %d bytes, want %d", len(sig.Sig), ed25519.SignatureSize)
	}
	if !ed25519.Verify(ed25519.PublicKey(sig.Signer), msg, sig.Sig) {
		return badSig("ed25519 signature by %x does not verify", sig.Signer)
	}
	return nil
}

// FromPrivateKey returns an in-memory Signer for a raw private key: a 32-byte
// secp256k1 scalar, or a 32-byte ed25519 seed (or a 64-byte ed25519 private
// key, seed ‖ public key, whose public half must match the seed). The caller
// should clear key afterwards; the Signer keeps its own copy. It is meant for
// the keystore, tests and devnets; production keys come from Unlock.
func FromPrivateKey(scheme chains.SigScheme, key []byte) (Signer, error) {
	const op = "signer.FromPrivateKey"
	switch scheme {
	case chains.SchemeSecp256k1:
		s, err := newSecp256k1(key)
		if err != nil {
			return nil, fault.E(op, fault.Invalid, err)
		}
		return s, nil
	case chains.SchemeEd25519:
		s, err := newEd25519(key)
		if err != nil {
			return nil, fault.E(op, fault.Invalid, err)
		}
		return s, nil
	default:
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("%w %q", ErrUnsupportedScheme, scheme))
	}
}

// Generate returns an in-memory Signer for a fresh random key of the scheme.
// The key exists only in memory; use New to create a key in a keystore.
func Generate(scheme chains.SigScheme) (Signer, error) {
	const op = "signer.Generate"
	switch scheme {
	case chains.SchemeSecp256k1:
		priv, err := crypto.GenerateKey()
		if err != nil {
			return nil, fault.E(op, fault.Internal, err)
		}
		return &secp256k1Signer{priv: priv}, nil
	case chains.SchemeEd25519:
		_, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			return nil, fault.E(op, fault.Internal, err)
		}
		return &ed25519Signer{priv: priv}, nil
	default:
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("%w %q", ErrUnsupportedScheme, scheme))
	}
}

// checkSign validates the common preconditions of Sign.
func checkSign(ctx context.Context, want chains.SigScheme, d chains.Digest) error {
	if err := ctx.Err(); err != nil {
		return fault.E("signer.Sign", fault.Transient, err)
	}
	if d.Scheme != want {
		return fault.E("signer.Sign", fault.Invalid,
			fmt.Errorf("%w: a %s key cannot sign a %q digest", ErrUnsupportedScheme, want, d.Scheme))
	}
	return nil
}
