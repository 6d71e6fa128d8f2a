package reserve

import (
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// benchBlock is a 20-transaction block: a coinbase, 17 ordinary payments
// and 2 valid locks, with a reserve UTXO set of 1,000 entries.
func benchBlock(b *testing.B) (*wireHeader, []*tx.Tx, func(chainhash.OutPoint) bool) {
	b.Helper()
	var txs []*tx.Tx
	for i := range 17 {
		txs = append(txs, userPayment(b, byte(10+i), toUser(tx.Coin), toUser(2*tx.Coin)))
		if i == 5 || i == 12 {
			txs = append(txs, lockTx(b, byte(100+i), 3*tx.Coin))
		}
	}
	h, all := block(txs...)
	if len(all) != 20 {
		b.Fatalf("%d txs", len(all))
	}
	set := make(map[chainhash.OutPoint]bool, 1000)
	for i := range 1000 {
		set[chainhash.OutPoint{Hash: chainhash.Hash{0x99, byte(i), byte(i >> 8)}}] = true
	}
	return h, all, func(op chainhash.OutPoint) bool { return set[op] }
}

func BenchmarkScanBlock(b *testing.B) {
	s := testScanner(b)
	h, txs, isUTXO := benchBlock(b)
	b.ReportAllocs()
	for b.Loop() {
		res, err := s.ScanBlock(testHeight, h, txs, isUTXO)
		if err != nil || len(res.Locks) != 2 {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanBlockTxIDs is the same block when the caller already hashed
// the transactions (spv does, to check the merkle root).
func BenchmarkScanBlockTxIDs(b *testing.B) {
	s := testScanner(b)
	h, txs, isUTXO := benchBlock(b)
	ids := txidsOf(txs)
	b.ReportAllocs()
	for b.Loop() {
		res, err := s.ScanBlockTxIDs(testHeight, h, txs, ids, isUTXO)
		if err != nil || len(res.Locks) != 2 {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanBlockNothing is a 20-transaction block with no bridge
// activity, the common case while syncing.
func BenchmarkScanBlockNothing(b *testing.B) {
	s := testScanner(b)
	var txs []*tx.Tx
	for i := range 19 {
		txs = append(txs, userPayment(b, byte(10+i), toUser(tx.Coin), toUser(2*tx.Coin)))
	}
	h, all := block(txs...)
	ids := txidsOf(all)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ScanBlockTxIDs(testHeight, h, all, ids, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProofVerify(b *testing.B) {
	s := testScanner(b)
	h, txs, isUTXO := benchBlock(b)
	res, err := s.ScanBlock(testHeight, h, txs, isUTXO)
	if err != nil {
		b.Fatal(err)
	}
	p := res.Locks[0].Proof
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Verify(); err != nil {
			b.Fatal(err)
		}
	}
}
