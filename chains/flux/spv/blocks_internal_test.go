package spv

import (
	"bytes"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// headerBytes is the header's wire form, as Bytes, for PoW and PoN headers
// of every signature and solution size.
func TestHeaderBytesIsTheWireForm(t *testing.T) {
	pon := wire.BlockHeader{Version: wire.PoNVersion, PrevBlock: chainhash.Hash{1}, Time: 7, Bits: 0x1f07ffff,
		Collateral: chainhash.OutPoint{Hash: chainhash.Hash{2}, Index: 3}}
	for _, n := range []int{0, 1, 71, 72, 73, 252, 253, wire.MaxEmergencyBlockSigSize} {
		h := pon
		h.BlockSig = bytes.Repeat([]byte{0xab}, n)
		if got, want := headerBytes(&h), h.Bytes(); !bytes.Equal(got, want) {
			t.Fatalf("PoN header with a %d-byte signature: %x, want %x", n, got, want)
		}
	}
	for _, n := range []int{0, 100, 400, wire.MaxSolutionSize} {
		h := *params.SimNet.GenesisHeader()
		if h.IsPoN() {
			t.Fatal("the genesis header is not a PoW header")
		}
		h.Solution = bytes.Repeat([]byte{0xcd}, n)
		if got, want := headerBytes(&h), h.Bytes(); !bytes.Equal(got, want) {
			t.Fatalf("PoW header with a %d-byte solution: %x, want %x", n, got, want)
		}
	}
}
