package chains

import (
	"encoding/binary"
	"encoding/hex"

	"golang.org/x/crypto/sha3"
)

// MintAuthDigest is the MintAuth digest of DESIGN §3 that every relayer signs
// for an EVM mint and the bridge contract recomputes:
// keccak256("FLXMINT" ‖ uint32 chainId ‖ bridge(20) ‖ txid ‖ uint32 vout ‖ uint64 v ‖ recipient),
// packed, no message prefix, txid in internal byte order. It is the project's
// one implementation: the relayer, the EVM sink and the simulated chain use it.
//
// SECURITY: a relayer computes this itself from the transfer its own light
// node verified; the digest a sink (a plugin) returns is only accepted when it
// is byte-for-byte this value.
func MintAuthDigest(chain ID, bridge [20]byte, m Mint) [32]byte {
	buf := make([]byte, 0, 7+4+20+32+4+8+32)
	buf = append(buf, "FLXMINT"...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(chain))
	buf = append(buf, bridge[:]...)
	buf = append(buf, m.Lock.TxID[:]...)
	buf = binary.BigEndian.AppendUint32(buf, m.Lock.Vout)
	buf = binary.BigEndian.AppendUint64(buf, m.Amount)
	buf = append(buf, m.Recipient[:]...)
	h := sha3.NewLegacyKeccak256()
	h.Write(buf)
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// DisplayHash returns a FLUX hash (a transaction id or a block hash) held in
// internal byte order, as in a prevout or a header, in its display form:
// byte-reversed hex, as explorers and fluxd show it.
func DisplayHash(h [32]byte) string {
	var rev [32]byte
	for i := range h {
		rev[i] = h[31-i]
	}
	return hex.EncodeToString(rev[:])
}
