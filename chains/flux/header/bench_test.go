package header

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	libsecp "github.com/ethereum/go-ethereum/crypto/secp256k1"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/sig"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// header144_5 builds a (144,5) header from the equihash package's generated
// vector (the genesis Equihash input with another nonce; no real (144,5) FLUX
// header is available). Its hash meets no real target, so benchmarks run it
// on a copy of mainnet with SkipPowCheck: the skipped comparison is one
// 256-bit compare next to the Equihash. ok is false if the vector is absent.
func header144_5(tb testing.TB) (*wire.BlockHeader, bool) {
	b, err := os.ReadFile("../equihash/testdata/equihash144_5.json")
	if err != nil {
		return nil, false
	}
	var v struct {
		Input     string   `json:"input"`
		Solutions []string `json:"solutions"`
	}
	if err := json.Unmarshal(b, &v); err != nil || len(v.Solutions) == 0 {
		return nil, false
	}
	in := vectors.Hex(tb, v.Input)
	h := params.MainNet.GenesisHeader()
	copy(h.Nonce[:], in[wire.CommonHeaderSize:])
	h.Solution = vectors.Hex(tb, v.Solutions[0])
	return h, true
}

// BenchmarkVerifyHeader measures one header verification per era: for PoW
// the context-free rules (Equihash + target); for PoN the context-free rules
// (sizes + lottery), the PoN target at its height and the producer signature.
func BenchmarkVerifyHeader(b *testing.B) {
	gen, _ := loadSharedHeader(b, "genesis")
	zel, _ := loadSharedHeader(b, "last-pow")
	b.Run("pow_200_9_genesis", func(b *testing.B) {
		for b.Loop() {
			if err := CheckContextFree(gen, params.MainNet); err != nil {
				b.Fatal(err)
			}
		}
	})
	if h, ok := header144_5(b); ok {
		skip := *params.MainNet
		skip.SkipPowCheck = true
		b.Run("pow_144_5", func(b *testing.B) {
			for b.Loop() {
				if err := CheckSolutionSize(h, 200000, &skip); err != nil {
					b.Fatal(err)
				}
				if err := CheckContextFree(h, &skip); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("pow_125_4_zelhash", func(b *testing.B) {
		for b.Loop() {
			if err := CheckContextFree(zel, params.MainNet); err != nil {
				b.Fatal(err)
			}
		}
	})
	pon, v, pub := loadPoN2996914(b)
	b.Run("pon_2996914_with_signature", func(b *testing.B) {
		for b.Loop() {
			if err := CheckContextFree(pon, params.MainNet); err != nil {
				b.Fatal(err)
			}
			if err := CheckPoNTarget(pon, v.Height, params.MainNet); err != nil {
				b.Fatal(err)
			}
			if err := VerifyProducerSignature(pon, pub); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkFloor measures the bare primitives a header verification cannot
// avoid: the PoN block hash (SHA256d of 144 bytes), the PoN lottery hash
// (SHA256d of 72 bytes) and one secp256k1 ECDSA verification, the floor's
// with libsecp256k1 (go-ethereum's binding, the fastest implementation
// here) and, for the ratio, with decred's pure-Go library.
func BenchmarkFloor(b *testing.B) {
	pon, _, pub := loadPoN2996914(b)
	hashed := pon.HashedBytes()
	var pre [72]byte
	b.Run("sha256d_144", func(b *testing.B) {
		for b.Loop() {
			_ = chainhash.DoubleSHA256(hashed)
		}
	})
	b.Run("sha256d_72", func(b *testing.B) {
		for b.Loop() {
			_ = chainhash.DoubleSHA256(pre[:])
		}
	})
	hash := pon.BlockHash()
	rs, _, err := sig.Normalized(pon.BlockSig)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("secp256k1_verify", func(b *testing.B) {
		for b.Loop() {
			if !libsecp.VerifySignature(pub, hash[:], rs[:]) {
				b.Fatal("signature does not verify")
			}
		}
	})
	pk, err := sig.ParsePubKey(pub)
	if err != nil {
		b.Fatal(err)
	}
	s, err := ecdsa.ParseDERSignature(pon.BlockSig)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("secp256k1_verify_purego", func(b *testing.B) {
		for b.Loop() {
			if !s.Verify(hash[:], pk) {
				b.Fatal("signature does not verify")
			}
		}
	})
}
