package fluxtest

import (
	"runtime"
	"testing"
)

// BenchmarkMine measures Mine(10_000) on a fresh network: block assembly,
// the PoN lottery, one producer signature per block (the dominant cost),
// the fluxnode set and UTXO updates, and the cached encodings. It reports
// blocks per second and the live heap per block of chain kept in memory.
func BenchmarkMine(b *testing.B) {
	const blocks = 10_000
	var n *Network
	for b.Loop() {
		var err error
		if n, err = New(Config{}); err != nil {
			b.Fatal(err)
		}
		if err := n.Mine(blocks); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(blocks*b.N)/b.Elapsed().Seconds(), "blocks/s")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/blocks, "heapB/block")
	runtime.KeepAlive(n)
}
