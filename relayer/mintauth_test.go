package relayer_test

import (
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// The domain's MintAuth digest must equal the deployed contract's mintDigest
// (evmsim computes it independently with go-ethereum and checks it against
// the contract in its own tests).
func TestMintAuthDigestMatchesTheContract(t *testing.T) {
	sim, err := evmsim.New(evmsim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	var bridge [20]byte
	copy(bridge[:], sim.BridgeAddr.Bytes())
	for i, m := range []chains.Mint{
		{Lock: chains.LockRef{TxID: [32]byte{1}, Vout: 0}, Amount: 1, Recipient: [32]byte{31: 1}},
		{Lock: chains.LockRef{TxID: [32]byte{0xff, 31: 0xee}, Vout: 4294967295}, Amount: ^uint64(0), Recipient: [32]byte{12: 0xab, 31: 0xcd}},
	} {
		want := sim.MintDigest(m.Lock.TxID, m.Lock.Vout, m.Amount, m.Recipient)
		if got := relayer.MintAuthDigest(chains.ID(sim.ChainID.Uint64()), bridge, m); got != want {
			t.Errorf("mint %d: digest %x, contract %x", i, got, want)
		}
	}
}
