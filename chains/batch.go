package chains

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/crypto/sha3"

	"github.com/fluxbridge/fluxbridge/fault"
)

// MaxBatch is the most mints one batch holds (the bridge's MAX_BATCH).
const MaxBatch = 256

// CheckBatch reports whether digests can form a batch the bridge takes: 1 to
// MaxBatch MintAuth digests in strictly ascending order (so no lock twice).
// The error is fault.Invalid.
func CheckBatch(digests [][32]byte) error {
	const op = "chains.CheckBatch"
	if len(digests) == 0 || len(digests) > MaxBatch {
		return fault.E(op, fault.Invalid, fmt.Errorf("a batch of %d mints: want 1 to %d", len(digests), MaxBatch))
	}
	for i := 1; i < len(digests); i++ {
		if bytes.Compare(digests[i-1][:], digests[i][:]) >= 0 {
			return fault.E(op, fault.Invalid, errors.New("the batch's digests are not strictly ascending"))
		}
	}
	return nil
}

// BatchID is the submission id of the batch with batch digest d:
// "batch:<hex d>".
func BatchID(d [32]byte) string { return "batch:" + hex.EncodeToString(d[:]) }

// BatchDigest is the batch digest of DESIGN §3 that every relayer signs for
// a batch of EVM mints and the bridge contract recomputes (batchDigest):
// keccak256("FLXMINTB" ‖ uint32 chainId ‖ bridge(20) ‖ uint32 count ‖ d₁ ‖ … ‖ dₙ),
// packed, no message prefix, where dᵢ are the batch's MintAuth digests
// (MintAuthDigest) in strictly ascending order. It is only meaningful for
// digests that pass CheckBatch. It is the project's one implementation.
//
// SECURITY: a relayer computes this itself from the mints its own light node
// verified; a batch digest a sink returns is only accepted when it is byte
// for byte this value.
func BatchDigest(chain ID, bridge [20]byte, digests [][32]byte) [32]byte {
	h := sha3.NewLegacyKeccak256()
	var head [8 + 4 + 20 + 4]byte
	copy(head[:], "FLXMINTB")
	binary.BigEndian.PutUint32(head[8:], uint32(chain))
	copy(head[12:], bridge[:])
	binary.BigEndian.PutUint32(head[32:], uint32(len(digests)))
	h.Write(head[:])
	for _, d := range digests {
		h.Write(d[:])
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}
