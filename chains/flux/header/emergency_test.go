package header

import (
	"crypto/sha256"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// testKey returns a deterministic test private key.
func testKey(i int) *secp256k1.PrivateKey {
	s := sha256.Sum256([]byte{'h', 'e', 'a', 'd', 'e', 'r', byte(i)})
	return secp256k1.PrivKeyFromBytes(s[:])
}

// emergencyNet is mainnet with four test emergency keys (keys 0..3) and its
// minimum of two signatures.
func emergencyNet() *params.Params {
	p := *params.MainNet
	p.EmergencyPubKeys = nil
	for i := 0; i < 4; i++ {
		p.EmergencyPubKeys = append(p.EmergencyPubKeys, testKey(i).PubKey().SerializeCompressed())
	}
	return &p
}

func emergencyHeader() *wire.BlockHeader {
	return &wire.BlockHeader{
		Version:    wire.PoNVersion,
		PrevBlock:  chainhash.Hash{7},
		MerkleRoot: chainhash.Hash{8},
		Time:       1790797144,
		Bits:       0x1f53f10d,
		Collateral: params.MainNet.EmergencyCollateral,
	}
}

// signEntries returns the DER signatures of h by the given test keys.
func signEntries(h *wire.BlockHeader, keys ...int) [][]byte {
	hash := h.BlockHash()
	var out [][]byte
	for _, k := range keys {
		out = append(out, ecdsa.Sign(testKey(k), hash[:]).Serialize())
	}
	return out
}

// encodeSigs serializes a vector of byte vectors as fluxd's EncodeMultiSig does.
func encodeSigs(entries [][]byte) []byte {
	w := codec.NewWriter(256)
	w.CompactSize(uint64(len(entries)))
	for _, e := range entries {
		w.VarBytes(e)
	}
	return w.Bytes()
}

// TestVerifyEmergencySignatures covers the matching rule of
// ValidateEmergencyBlockSignatures: distinct keys, the count bounds, the entry
// size bound, and the early success that ignores entries after the minimum.
func TestVerifyEmergencySignatures(t *testing.T) {
	p := emergencyNet()
	h := emergencyHeader()
	sigs := func(keys ...int) [][]byte { return signEntries(h, keys...) }
	badDER := []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00}
	tests := []struct {
		name string
		raw  []byte
		want ErrorCode
	}{
		{"two distinct keys", encodeSigs(sigs(0, 1)), ""},
		{"two distinct keys, reverse key order", encodeSigs(sigs(3, 1)), ""},
		{"four distinct keys", encodeSigs(sigs(0, 1, 2, 3)), ""},
		{"same key twice", encodeSigs(sigs(2, 2)), ErrBadEmergencySigDuplicate},
		{"one signature", encodeSigs(sigs(0)), ErrBadEmergencySigCount},
		{"no signatures", encodeSigs(nil), ErrBadEmergencySigCount},
		{"empty field", nil, ErrBadEmergencySigCount},
		{"unknown key", encodeSigs(sigs(0, 9)), ErrBadEmergencySigUnknownKey},
		{"five entries", encodeSigs(sigs(0, 1, 2, 3, 0)), ErrBadEmergencySigCount},
		{"bad DER", encodeSigs(append(sigs(0), badDER)), ErrBadEmergencySig},
		{"74-byte entry before the second valid one", encodeSigs(append(append(sigs(0), make([]byte, 74)), sigs(1)...)), ErrBadEmergencySigSize},
		{"bad DER then two valid", encodeSigs(append([][]byte{badDER}, sigs(0, 1)...)), ""},
		{"signature over another hash", encodeSigs(signEntries(&wire.BlockHeader{Version: 100}, 0, 1)), ErrBadEmergencySigUnknownKey},
		// fluxd stops at the minimum, ignores trailing bytes and tolerates a
		// truncated entry after it; the matching rule is reproduced exactly.
		{"valid pair then trailing bytes", append(encodeSigs(sigs(0, 1)), 0xde, 0xad), ""},
		{"valid pair then a truncated third entry", func() []byte {
			b := encodeSigs(sigs(0, 1, 2))
			b[0] = 3
			return b[:len(b)-10]
		}(), ""},
		{"truncated second entry", func() []byte {
			b := encodeSigs(sigs(0, 1))
			return b[:len(b)-1]
		}(), ErrBadEmergencySig},
		{"non-canonical count", append([]byte{0xfd, 0x02, 0x00}, encodeSigs(sigs(0, 1))[1:]...), ErrBadEmergencySigCount},
	}
	for _, tc := range tests {
		hh := *h
		hh.BlockSig = tc.raw
		wantCode(t, tc.name, VerifyEmergencySignatures(&hh, p), tc.want)
	}

	normal := *h
	normal.Collateral.Index = 1
	normal.BlockSig = encodeSigs(sigs(0, 1))
	wantCode(t, "not an emergency collateral", VerifyEmergencySignatures(&normal, p), ErrBadEmergencySig)
}

// TestEmergencyRegtestBypass: regtest accepts any entries once their count is
// in range, as fluxd's regtest bypass does.
func TestEmergencyRegtestBypass(t *testing.T) {
	h := emergencyHeader()
	h.BlockSig = encodeSigs([][]byte{{1, 2, 3}})
	if err := VerifyEmergencySignatures(h, params.RegTest); err != nil {
		t.Errorf("regtest: %v", err)
	}
	h.BlockSig = encodeSigs(nil)
	wantCode(t, "regtest without entries", VerifyEmergencySignatures(h, params.RegTest), ErrBadEmergencySigCount)
}

// TestEmergencyBlockContextFree: emergency blocks may carry up to 512 bytes
// of signatures and skip the PoN lottery.
func TestEmergencyBlockContextFree(t *testing.T) {
	p := emergencyNet()
	h := emergencyHeader()
	h.Bits = 0x1d000001 // a lottery no hash would win
	h.BlockSig = make([]byte, 512)
	if err := CheckContextFree(h, p); err != nil {
		t.Errorf("512-byte emergency field: %v", err)
	}
	h.BlockSig = make([]byte, 513)
	wantCode(t, "513-byte emergency field", CheckContextFree(h, p), ErrBadPoNSigSize)
	n := *h
	n.Collateral.Index = 1
	n.BlockSig = make([]byte, 74)
	wantCode(t, "74-byte normal PoN signature", CheckContextFree(&n, p), ErrBadPoNSigSize)
	if !IsEmergency(h, p) || IsEmergency(&n, p) {
		t.Error("IsEmergency must require the emergency outpoint with index 0")
	}
}
