package devnet

import (
	"context"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
)

// BenchmarkLockToMint measures the pipeline of 3 relayers (k = 2), each with
// its own light node, SQLite store and EVM plugin process, on this machine:
// a batch of locks becomes final in one FLUX block, and the benchmark reports
// the sustained transfers per second from that block to the last mint and
// the p50/p99 latency from finality to the EVM block carrying each mint.
// Targets (issue 5): ≥ 500 transfers/s and p99 ≤ 2 s.
func BenchmarkLockToMint(b *testing.B) {
	const batch = 500
	d, err := Start(context.Background(), Config{Dir: b.TempDir(), Plugin: pluginPath, ManualFlux: true,
		Coins: batch * 2, LockMax: 2 * MinLock})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var res Result
	for b.Loop() {
		locks := make([]chains.LockRef, 0, batch)
		for i := range batch {
			l, err := d.Lock(MinLock+int64(i), [20]byte{0xbe, byte(i >> 8), byte(i), 19: 1})
			if err != nil {
				b.Fatal(err)
			}
			locks = append(locks, l)
		}
		if err := d.MineFlux(int(d.cfg.Confirmations)); err != nil {
			b.Fatal(err)
		}
		if res, err = d.Await(context.Background(), locks, 5*time.Minute); err != nil {
			b.Fatal(err)
		}
		if !res.OK() {
			b.Fatalf("not every lock minted exactly once: %+v", res)
		}
	}
	b.ReportMetric(res.Throughput, "transfers/s")
	b.ReportMetric(res.P50ms, "p50-ms")
	b.ReportMetric(res.P99ms, "p99-ms")
	b.ReportMetric(0, "ns/op")
}
