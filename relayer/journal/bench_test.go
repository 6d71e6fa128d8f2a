package journal

import (
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// BenchmarkSignaturePrimitives measures the libsecp256k1 work under
// BenchmarkVerify (go-ethereum's crypto, as signer uses it) on the same
// entry: the public-key recovery Check needs, and for the ratio, a plain
// verification against the known uncompressed public key, the floor
// (chains/flux/header's BenchmarkFloor/secp256k1_verify) that the journal
// check is measured against.
func BenchmarkSignaturePrimitives(b *testing.B) {
	s := testKey(b, 7)
	e := chain(b, s, 1)[0]
	b.Run("ecrecover", func(b *testing.B) {
		for b.Loop() {
			if _, err := crypto.Ecrecover(e.Hash[:], e.Sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	pk, err := crypto.DecompressPubkey(s.Public())
	if err != nil {
		b.Fatal(err)
	}
	pub := crypto.FromECDSAPub(pk) // uncompressed, as the floor's
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if !crypto.VerifySignature(pub, e.Hash[:], e.Sig[:64]) {
				b.Fatal("signature does not verify")
			}
		}
	})
}
