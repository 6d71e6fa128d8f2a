package spv_test

import (
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
)

const benchBlocks = 2000 // four 500-block batches per iteration

func benchChain(b *testing.B) (*world, *branch) {
	w := newWorld(b, 8)
	br := w.genesis()
	w.grow(br, benchBlocks, 0)
	return w, br
}

// BenchmarkProcessBlocks connects 500-block batches of coinbase-only signed
// PoN blocks on a real SQLite store (headers fed beforehand, untimed).
func BenchmarkProcessBlocks(b *testing.B) {
	w, br := benchChain(b)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		n := w.openNode("")
		if err := n.headers(br, 1, br.tip()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for from := int32(1); from <= br.tip(); from += 500 {
			if got, err := n.chain.ProcessBlocks(br.msgs(from, from+499)); err != nil || got != 500 {
				b.Fatalf("ProcessBlocks = %d, %v", got, err)
			}
		}
		b.StopTimer()
		n.close()
		b.StartTimer()
	}
	b.ReportMetric(float64(benchBlocks*b.N)/b.Elapsed().Seconds(), "blocks/s")
}

// BenchmarkProcessHeaders validates 160-header messages (untimed store open).
func BenchmarkProcessHeaders(b *testing.B) {
	w, br := benchChain(b)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		n := w.openNode("")
		b.StartTimer()
		if err := n.headers(br, 1, br.tip()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		n.close()
		b.StartTimer()
	}
	b.ReportMetric(float64(benchBlocks*b.N)/b.Elapsed().Seconds(), "headers/s")
}

// BenchmarkFloor is the unavoidable work per block: one producer signature
// verification and two SHA256d (block hash and coinbase txid).
func BenchmarkFloor(b *testing.B) {
	w, br := benchChain(b)
	blocks := br.msgs(1, 500)
	keys := make([][]byte, len(blocks))
	for i, m := range blocks {
		for _, p := range w.producers {
			if p.collateral == m.Header.Collateral {
				keys[i] = p.pub
			}
		}
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		m := blocks[i%len(blocks)]
		if err := header.VerifyProducerSignature(&m.Header, keys[i%len(blocks)]); err != nil {
			b.Fatal(err)
		}
		_ = chainhash.DoubleSHA256(m.Txs[0].Bytes())
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
}
