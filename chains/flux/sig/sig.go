// Package sig checks and verifies the secp256k1 ECDSA signatures FLUX uses:
// strict DER (BIP66) encodings, the low-S policy, public key encodings, and
// verification with the fluxd semantics (CPubKey::Verify normalizes high-S
// signatures; script policy rejects them).
//
// Signatures here are DER bytes without the script hash-type byte. The
// package is pure: no I/O, no logging.
package sig

import (
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// Signature size limits for a DER signature without the hash-type byte
// (RunOnFlux/fluxd src/script/interpreter.cpp IsValidSignatureEncoding, whose
// 9..73 includes the hash type).
const (
	// MinDERSize is the shortest strict DER signature: 1-byte R and S.
	MinDERSize = 8
	// MaxDERSize is the longest strict DER signature: 33-byte R and S.
	MaxDERSize = 72
)

// Public key sizes (RunOnFlux/fluxd src/pubkey.h).
const (
	// CompressedPubKeySize is the size of a 0x02/0x03 compressed key.
	CompressedPubKeySize = 33
	// UncompressedPubKeySize is the size of a 0x04 uncompressed key.
	UncompressedPubKeySize = 65
)

// CheckDEREncoding checks that der (without a hash-type byte) is a strict DER
// signature as BIP66 defines it: 0x30 len 0x02 lenR R 0x02 lenS S, lengths
// consistent, both integers non-empty, non-negative and minimally encoded.
// It does not check that R and S are in range; ParseDER does.
func CheckDEREncoding(der []byte) error {
	n := len(der)
	if n < MinDERSize || n > MaxDERSize {
		return errorf(CodeDERSize, "length %d outside [%d, %d]", n, MinDERSize, MaxDERSize)
	}
	if der[0] != 0x30 {
		return errorf(CodeDERSequence, "first byte %#02x, want 0x30", der[0])
	}
	if int(der[1]) != n-2 {
		return errorf(CodeDERTotalLength, "total length %d, want %d", der[1], n-2)
	}
	lenR := int(der[3])
	if 5+lenR >= n {
		return errorf(CodeDERRLength, "R length %d leaves no room for S", lenR)
	}
	lenS := int(der[5+lenR])
	if lenR+lenS+6 != n {
		return errorf(CodeDERSLength, "R length %d + S length %d + 6 != %d", lenR, lenS, n)
	}
	if der[2] != 0x02 {
		return errorf(CodeDERRType, "R tag %#02x, want 0x02", der[2])
	}
	if lenR == 0 {
		return errorf(CodeDERRZeroLength, "R is empty")
	}
	if der[4]&0x80 != 0 {
		return errorf(CodeDERRNegative, "R is negative")
	}
	if lenR > 1 && der[4] == 0x00 && der[5]&0x80 == 0 {
		return errorf(CodeDERRPadding, "R has a superfluous leading zero")
	}
	if der[lenR+4] != 0x02 {
		return errorf(CodeDERSType, "S tag %#02x, want 0x02", der[lenR+4])
	}
	if lenS == 0 {
		return errorf(CodeDERSZeroLength, "S is empty")
	}
	if der[lenR+6]&0x80 != 0 {
		return errorf(CodeDERSNegative, "S is negative")
	}
	if lenS > 1 && der[lenR+6] == 0x00 && der[lenR+7]&0x80 == 0 {
		return errorf(CodeDERSPadding, "S has a superfluous leading zero")
	}
	return nil
}

// ParseDER parses a strict DER signature (CheckDEREncoding) and requires R and
// S in [1, n-1]. libsecp256k1, which fluxd uses, parses out-of-range values as
// zero so that verification fails; rejecting them here gives the same outcome
// with a precise error.
func ParseDER(der []byte) (*ecdsa.Signature, error) {
	if err := CheckDEREncoding(der); err != nil {
		return nil, err
	}
	lenR := int(der[3])
	r, err := scalar(der[4:4+lenR], CodeDERRRange, "R")
	if err != nil {
		return nil, err
	}
	s, err := scalar(der[6+lenR:], CodeDERSRange, "S")
	if err != nil {
		return nil, err
	}
	return ecdsa.NewSignature(&r, &s), nil
}

// scalar converts a minimally encoded non-negative DER integer to a scalar in
// [1, n-1].
func scalar(b []byte, c Code, name string) (secp256k1.ModNScalar, error) {
	var v secp256k1.ModNScalar
	if len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) > 32 {
		return v, errorf(c, "%s is %d bytes, larger than the group order", name, len(b))
	}
	if overflow := v.SetByteSlice(b); overflow {
		return v, errorf(c, "%s is not below the group order", name)
	}
	if v.IsZero() {
		return v, errorf(c, "%s is zero", name)
	}
	return v, nil
}

// IsLowS reports whether the strict DER signature der has S <= n/2 (fluxd
// CPubKey::CheckLowS). It fails with the ParseDER error if der is not a
// valid signature encoding.
func IsLowS(der []byte) (bool, error) {
	sg, err := ParseDER(der)
	if err != nil {
		return false, err
	}
	s := sg.S()
	return !s.IsOverHalfOrder(), nil
}

// ParsePubKey parses a compressed (33 bytes, 0x02/0x03) or uncompressed (65
// bytes, 0x04) secp256k1 public key and checks the point is on the curve.
// Hybrid (0x06/0x07) keys are rejected.
func ParsePubKey(b []byte) (*secp256k1.PublicKey, error) {
	switch {
	case len(b) == CompressedPubKeySize && (b[0] == 0x02 || b[0] == 0x03):
	case len(b) == UncompressedPubKeySize && b[0] == 0x04:
	default:
		if len(b) == 0 {
			return nil, errorf(CodeBadPubKey, "empty public key")
		}
		return nil, errorf(CodeBadPubKey, "%d-byte key with prefix %#02x is neither compressed nor uncompressed", len(b), b[0])
	}
	pk, err := secp256k1.ParsePubKey(b)
	if err != nil {
		return nil, errorf(CodeBadPubKey, "%v", err)
	}
	return pk, nil
}

// Verify checks the strict DER signature der (no hash-type byte) over the raw
// 32-byte digest (used as is, never reversed) against pubKey.
//
// With requireLowS false a high-S signature is normalized to low-S and then
// verified, as fluxd CPubKey::Verify does for PoN block signatures. With
// requireLowS true a high-S signature fails with ErrHighS, the script policy
// (SCRIPT_VERIFY_LOW_S) used for transaction signatures.
//
// The encoding rules are the project's own (ParseDER, ParsePubKey); the
// curve arithmetic is libsecp256k1's when built with cgo. A failure is
// diagnosed after the fact, in the order the checks always ran: the key,
// then the signature's encoding, then its S, then the verification.
func Verify(pubKey []byte, digest [32]byte, der []byte, requireLowS bool) error {
	rs, high, err := Normalized(der)
	if err == nil && high && requireLowS {
		err = errorf(CodeHighS, "S is above half the group order")
	}
	if err == nil && VerifyRS(pubKey, digest, &rs) {
		return nil
	}
	if _, kerr := ParsePubKey(pubKey); kerr != nil {
		return kerr
	}
	if err != nil {
		return err
	}
	return errorf(CodeInvalid, "signature does not verify")
}

// Normalized parses the strict DER signature der and returns it as R ‖ S
// with S made low (n − S when it was above n/2, reported by high), the form
// VerifyRS takes. The error is ParseDER's.
func Normalized(der []byte) (rs [64]byte, high bool, err error) {
	sg, err := ParseDER(der)
	if err != nil {
		return rs, false, err
	}
	r, s := sg.R(), sg.S()
	if high = s.IsOverHalfOrder(); high {
		s.Negate()
	}
	r.PutBytesUnchecked(rs[:32])
	s.PutBytesUnchecked(rs[32:])
	return rs, high, nil
}

// VerifyRS reports whether rs (R ‖ S, S low, as Normalized returns it) over
// digest verifies under pubKey, a key in a format ParsePubKey accepts
// (compressed or uncompressed; hybrid keys never verify). It is one
// libsecp256k1 verification.
func VerifyRS(pubKey []byte, digest [32]byte, rs *[64]byte) bool {
	switch {
	case len(pubKey) == CompressedPubKeySize && (pubKey[0] == 0x02 || pubKey[0] == 0x03):
	case len(pubKey) == UncompressedPubKeySize && pubKey[0] == 0x04:
	default:
		return false
	}
	return verifyRS(pubKey, &digest, rs)
}

// RecoverCompressed returns the compressed key that made the recoverable
// signature sig (R ‖ S ‖ recovery id 0 or 1, 65 bytes) over digest, and the
// signature in strict DER. A high-S signature, a recovery id above 1 or a
// signature no key makes is refused (ok false).
func RecoverCompressed(digest [32]byte, sig []byte) (pub, der []byte, ok bool) {
	if len(sig) != 65 || sig[64] > 1 {
		return nil, nil, false
	}
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:64]) || r.IsZero() || s.IsZero() || s.IsOverHalfOrder() {
		return nil, nil, false
	}
	full, ok := recoverKey(&digest, (*[65]byte)(sig))
	if !ok || len(full) != UncompressedPubKeySize {
		return nil, nil, false
	}
	pub = make([]byte, CompressedPubKeySize)
	pub[0] = 0x02 | full[64]&1
	copy(pub[1:], full[1:33])
	return pub, ecdsa.NewSignature(&r, &s).Serialize(), true
}
