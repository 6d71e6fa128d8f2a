//go:build !cgo || gofuzz

package sig

import (
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// Libsecp256k1 reports whether the fast path is libsecp256k1 (built with
// cgo) rather than the pure-Go fallback.
const Libsecp256k1 = false

// verifyRS is libsecp_cgo.go's, with decred's pure-Go library (about 3.4×
// slower): the build without cgo.
func verifyRS(pub []byte, digest *[32]byte, rs *[64]byte) bool {
	pk, err := secp256k1.ParsePubKey(pub)
	if err != nil {
		return false
	}
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(rs[:32]) || s.SetByteSlice(rs[32:]) || r.IsZero() || s.IsZero() || s.IsOverHalfOrder() {
		return false
	}
	return ecdsa.NewSignature(&r, &s).Verify(digest[:], pk)
}

// recoverKey is libsecp_cgo.go's, with decred's pure-Go library.
func recoverKey(digest *[32]byte, sig *[65]byte) ([]byte, bool) {
	if sig[64] > 3 {
		return nil, false
	}
	compact := make([]byte, 65)
	compact[0] = 27 + sig[64]
	copy(compact[1:], sig[:64])
	pk, _, err := ecdsa.RecoverCompact(compact, digest[:])
	if err != nil {
		return nil, false
	}
	return pk.SerializeUncompressed(), true
}
