package spv_test

import (
	"crypto/sha256"
	"strconv"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

func ecdsaSign(p producer, hash chainhash.Hash) []byte {
	return ecdsa.Sign(p.key, hash[:]).Serialize()
}

// emergencyProducer has the emergency collateral and no key of its own.
func emergencyProducer() producer {
	return producer{collateral: simnet.EmergencyCollateral}
}

// emergencySigs is the serialized signature vector of the emergency keys idx.
func emergencySigs(t *testing.T, h *wire.BlockHeader, idx ...int) []byte {
	hash := h.BlockHash()
	w := codec.NewWriter(256)
	w.CompactSize(uint64(len(idx)))
	for _, i := range idx {
		seed := sha256.Sum256([]byte("fluxbridge/simnet/emergency-key/" + strconv.Itoa(i)))
		k := secp256k1.PrivKeyFromBytes(seed[:])
		if got := k.PubKey().SerializeCompressed(); string(got) != string(simnet.EmergencyPubKeys[i]) {
			t.Fatalf("emergency key %d does not derive from its documented seed", i)
		}
		w.VarBytes(ecdsa.Sign(k, hash[:]).Serialize())
	}
	return w.Bytes()
}
