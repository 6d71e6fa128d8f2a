package fluxnode

import (
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

const benchNodes, benchBase = 7000, 3_000_000

// benchEntries returns n confirmed nodes whose last CONFIRM heights are
// spread over lastConfirmed-spread+1 … lastConfirmed.
func benchEntries(n int, lastConfirmed, spread int32) []Entry {
	es := make([]Entry, n)
	for i := range es {
		es[i] = Entry{
			Collateral: testOP(i), PubKey: testKey(i), CollateralPubKey: testKey(100_000 + i),
			Status: StatusConfirmed, StartHeight: lastConfirmed - 2000, ConfirmedHeight: lastConfirmed - 1990,
			LastConfirmedHeight: lastConfirmed - int32(i)%spread, Tier: uint8(1 + i%3), IP: "10.1.2.3:16125",
		}
	}
	return es
}

// benchTransparent returns a coinbase and ten ordinary two-input payments
// that touch no collateral: a typical PoN block.
func benchTransparent(h int32) []*tx.Tx {
	txs := []*tx.Tx{coinbaseTx(h)}
	for i := 0; i < 10; i++ {
		txs = append(txs, spendTx(
			chainhash.OutPoint{Hash: chainhash.Hash{byte(i), 0xaa}, Index: 0},
			chainhash.OutPoint{Hash: chainhash.Hash{byte(i), 0xbb}, Index: 1}))
	}
	return txs
}

// BenchmarkApplyBlockNoFluxnodeTxs is the per-block cost with 7,000 nodes
// when nothing changes: expiries are looked up by height, not scanned.
func BenchmarkApplyBlockNoFluxnodeTxs(b *testing.B) {
	es := benchEntries(benchNodes, benchBase, 100) // nothing expires for 540 blocks
	txs := benchTransparent(benchBase + 1)
	const period = 400
	s := NewSetFromEntries(params.SimNet, es)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%period == 0 {
			s.tipKnown = false // nothing changed: replay the same heights
		}
		u, err := s.ApplyBlock(benchBase+1+int32(i%period), txs)
		if err != nil || len(u.Changes) != 0 {
			b.Fatalf("ApplyBlock: %v, %d changes", err, len(u.Changes))
		}
	}
}

// BenchmarkApplyBlock20Confirms is a block with 20 update CONFIRMs (and the
// ten ordinary payments) on a set of 7,000 nodes.
func BenchmarkApplyBlock20Confirms(b *testing.B) {
	const period = 120 // nodes expire 131 blocks after the base
	es := benchEntries(benchNodes, benchBase-510, 1)
	blocks := make([][]*tx.Tx, period)
	for j := range blocks {
		blocks[j] = benchTransparent(benchBase + 1 + int32(j))
		for k := 0; k < 20; k++ {
			blocks[j] = append(blocks[j], NewConfirmTx(testOP(20*j+k), 1_700_000_000, 1, "10.1.2.3:16125"))
		}
	}
	s := NewSetFromEntries(params.SimNet, es)
	undos := make([]*Undo, 0, period)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%period == 0 && i > 0 {
			b.StopTimer() // back to the base state by reverting the round
			for k := len(undos) - 1; k >= 0; k-- {
				if err := s.Revert(undos[k]); err != nil {
					b.Fatal(err)
				}
			}
			undos = undos[:0]
			b.StartTimer()
		}
		u, err := s.ApplyBlock(benchBase+1+int32(i%period), blocks[i%period])
		if err != nil || len(u.Changes) != 20 || len(u.Skipped) != 0 {
			b.Fatalf("ApplyBlock: %v, %d changes, %d skipped", err, len(u.Changes), len(u.Skipped))
		}
		undos = append(undos, u)
	}
}
