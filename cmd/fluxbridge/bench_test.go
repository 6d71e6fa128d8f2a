package main

import (
	"crypto/sha256"
	"encoding/json"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	libsecp "github.com/ethereum/go-ethereum/crypto/secp256k1"
)

// syncOnce runs `fluxbridge flux sync` against a simnet until height and
// returns its result and the sync process's peak RSS in MiB.
func syncOnce(b *testing.B, bin string, sim simnetInfo, height int32) (syncResult, float64) {
	b.Helper()
	cmd := exec.Command(bin, "flux", "sync", "--network", "simnet", "--peer", sim.Listen, "--anchor", sim.Anchor,
		"--datadir", b.TempDir(), "--until-height", itoa(height), "--json")
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("sync: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var res syncResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		b.Fatalf("sync output %q: %v", out, err)
	}
	// Blocks connect in batches, so the run may stop a little past height.
	if res.Height < height {
		b.Fatalf("synced to %d, want at least %d", res.Height, height)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return res, float64(ru.Maxrss) / 1024 // Linux reports KiB
}

// floorPerBlock is the work no verifying light node can skip per PoN block:
// one secp256k1 signature verification and two SHA256d (block hash, PoN hash).
func floorPerBlock(b *testing.B) time.Duration {
	key := secp256k1.PrivKeyFromBytes(sha256.New().Sum(nil))
	msg := sha256.Sum256([]byte("block"))
	sig, err := libsecp.Sign(msg[:], key.Serialize())
	if err != nil {
		b.Fatal(err)
	}
	pub := key.PubKey().SerializeCompressed()
	header := make([]byte, 144)
	lottery := make([]byte, 72)
	const n = 2000
	start := time.Now()
	for i := 0; i < n; i++ {
		h1 := sha256.Sum256(header)
		h1 = sha256.Sum256(h1[:])
		h2 := sha256.Sum256(lottery)
		h2 = sha256.Sum256(h2[:])
		header[0], lottery[0] = h1[0], h2[0]
		if !libsecp.VerifySignature(pub, msg[:], sig[:64]) {
			b.Fatal("floor signature does not verify")
		}
	}
	return time.Since(start) / n
}

// BenchmarkSync50000Blocks syncs 50,000 simulated PoN blocks over loopback with
// a real `fluxbridge flux sync` process, and reports blocks/s, the sync
// process's peak RSS at 10,000 and at 50,000 blocks (memory must not grow with
// chain length beyond the stored headers), and the single-core floor.
func BenchmarkSync50000Blocks(b *testing.B) {
	bin := buildBinary(b)
	sim := startSimnet(b, bin, 50_000)
	floor := floorPerBlock(b)
	b.ResetTimer()
	var rate, rss10k, rss50k float64
	for i := 0; i < b.N; i++ {
		_, rss10k = syncOnce(b, bin, sim, 10_000)
		var res syncResult
		res, rss50k = syncOnce(b, bin, sim, 50_000)
		rate = res.BlocksPerSec
	}
	floorRate := float64(time.Second) / float64(floor)
	b.ReportMetric(rate, "blocks/s")
	b.ReportMetric(floorRate, "floor_blocks/s")
	b.ReportMetric(rate/floorRate, "of_floor")
	b.ReportMetric(rate/(2*floorRate), "of_two_core_floor") // the target: at least 0.5
	b.ReportMetric(rss10k, "peakRSS_MiB@10k")
	b.ReportMetric(rss50k, "peakRSS_MiB@50k")
}
