package devnet

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/relayer"
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

// BenchmarkBurnToRelease measures burn → release with 3 relayers (k = 2)
// and FLUX blocks every 250 ms: from the moment a relayer records a burn
// final to the FLUX block holding its release, in milliseconds and in FLUX
// blocks, for a batch of burns per iteration. Target (issue 11): under one
// cadence, 10 FLUX blocks.
func BenchmarkBurnToRelease(b *testing.B) {
	const users, batch = 4, 25
	d, err := Start(context.Background(), Config{Dir: b.TempDir(), Plugin: pluginPath, FluxBlockEvery: 250 * time.Millisecond,
		Coins: users, LockMax: 50 * tx.Coin})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var locks []chains.LockRef
	for u := range users {
		l, err := d.Lock(50*tx.Coin, d.User(u))
		if err != nil {
			b.Fatal(err)
		}
		locks = append(locks, l)
	}
	if res, err := d.Await(context.Background(), locks, 2*time.Minute); err != nil || !res.OK() {
		b.Fatalf("funding the users: %+v, %v", res, err)
	}
	chain := chains.ID(d.EVM.ChainID.Uint64())
	ctx := context.Background()
	var ms, blocks []float64
	next := 0
	for b.Loop() {
		for i := range batch {
			if _, err := d.Burn(ctx, i%users, 100_000_000+uint64(next+i)); err != nil {
				b.Fatal(err)
			}
		}
		next += batch
		rels, err := d.AwaitReleased(ctx, chain, uint64(next), 2*time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		var burns []relayer.Burn
		if err := d.Relayer(0).Store().View(ctx, func(tx relayer.Tx) (err error) {
			burns, err = tx.Burns(relayer.BurnQuery{Chain: chain, FromNonce: uint64(next - batch)})
			return err
		}); err != nil {
			b.Fatal(err)
		}
		for _, bn := range burns {
			for _, r := range rels {
				if r.Chain != chain || bn.Nonce < r.FromNonce || bn.Nonce > r.ToNonce {
					continue
				}
				at, ok := d.MinedAt(r.Height)
				if !ok || bn.FinalAt.IsZero() {
					continue
				}
				ms = append(ms, float64(at.Sub(bn.FinalAt).Milliseconds()))
				blocks = append(blocks, float64(d.heightAt(at)-d.heightAt(bn.FinalAt)))
			}
		}
	}
	slices.Sort(ms)
	slices.Sort(blocks)
	if len(ms) == 0 {
		b.Fatal("no release measured")
	}
	b.ReportMetric(percentile(ms, 0.5), "p50-ms")
	b.ReportMetric(percentile(ms, 0.99), "p99-ms")
	b.ReportMetric(percentile(blocks, 0.5), "p50-blocks")
	b.ReportMetric(percentile(blocks, 0.99), "p99-blocks")
	b.ReportMetric(0, "ns/op")
}
