//go:build cgo && !gofuzz

package sig

import libsecp "github.com/ethereum/go-ethereum/crypto/secp256k1"

// Libsecp256k1 reports whether the fast path is libsecp256k1 (built with
// cgo) rather than the pure-Go fallback.
const Libsecp256k1 = true

// verifyRS reports whether the signature rs (R ‖ S, 32 bytes each, S low)
// over digest verifies under pub, a compressed or uncompressed key in a
// format ParsePubKey accepts; an unparseable key does not verify. It is
// libsecp256k1's secp256k1_ecdsa_verify through go-ethereum's binding.
func verifyRS(pub []byte, digest *[32]byte, rs *[64]byte) bool {
	return libsecp.VerifySignature(pub, digest[:], rs[:])
}

// recoverKey returns the uncompressed (65-byte) key that made the
// recoverable signature sig (R ‖ S ‖ recovery id 0..3) over digest.
func recoverKey(digest *[32]byte, sig *[65]byte) ([]byte, bool) {
	k, err := libsecp.RecoverPubkey(digest[:], sig[:])
	return k, err == nil
}
