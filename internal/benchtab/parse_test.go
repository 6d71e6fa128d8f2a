package benchtab

import (
	"math"
	"os"
	"strings"
	"testing"
)

// sample is testdata/make-bench.txt, a whole `make bench` run (see
// testdata/README.md).
func sample(t *testing.T) *Run {
	t.Helper()
	f, err := os.Open("testdata/make-bench.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func parse(t *testing.T, s string) *Run {
	t.Helper()
	run, err := Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }

func mustMetric(t *testing.T, run *Run, pkg, name, unit string, want float64) {
	t.Helper()
	got, ok := run.Metric(pkg, name, unit)
	if !ok {
		t.Fatalf("%s %s %s: not in the run", pkg, name, unit)
	}
	if !near(got, want) {
		t.Fatalf("%s %s %s = %v, want %v", pkg, name, unit, got, want)
	}
}

func TestParseSample(t *testing.T) {
	run := sample(t)
	if run.Goos != "linux" || run.Goarch != "amd64" || !strings.Contains(run.CPU, "Oxide") {
		t.Fatalf("environment %q %q %q", run.Goos, run.Goarch, run.CPU)
	}
	// Three packages have a BenchmarkVerify: each keeps its own.
	mustMetric(t, run, "chains/flux/sig", "BenchmarkVerify", "ns/op", sampleSigVerify)
	mustMetric(t, run, "relayer/journal", "BenchmarkVerify", "ns/op", sampleJournalVerify)
	mustMetric(t, run, "chains/flux/equihash", "BenchmarkVerify/200_9", "ns/op", sampleEquihash200_9)
	// The GOMAXPROCS suffix is gone from the name and kept as Procs.
	res := run.Find("chains/flux/header", "BenchmarkFloor/secp256k1_verify")
	if res == nil || res.Procs != 2 || res.N != sampleSecpN || !strings.HasSuffix(res.Pkg, "/chains/flux/header") {
		t.Fatalf("secp256k1_verify: %+v", res)
	}
	mustMetric(t, run, "chains/flux/header", "BenchmarkFloor/secp256k1_verify", "ns/op", sampleSecpVerify)
	mustMetric(t, run, "chains/flux/header", "BenchmarkFloor/secp256k1_verify", "B/op", 0)
	// Custom units, a benchmark whose name line its own output interrupted.
	mustMetric(t, run, "cmd/fluxbridge", "BenchmarkSync50000Blocks", "of_two_core_floor", sampleSyncOfTwoCores)
	mustMetric(t, run, "internal/devnet", "BenchmarkLockToMint", "p99-ms", sampleLockP99)
	mustMetric(t, run, "internal/devnet", "BenchmarkRelayerRSS", "relayer-rss-10k-MiB", sampleRelayerRSS10k)
	if _, ok := run.Metric("chains/flux/header", "BenchmarkFloor", "ns/op"); ok {
		t.Fatal("the parent of sub-benchmarks has a result")
	}
	if _, ok := run.Metric("relayer/journal", "BenchmarkVerify", "gas/mint"); ok {
		t.Fatal("a unit the benchmark does not report has a value")
	}
	if len(run.Failed) != 0 || len(run.FailedPkgs) != 0 {
		t.Fatalf("failures in a passing run: %v %v", run.Failed, run.FailedPkgs)
	}
}

// go test prints a benchmark's name before running it: what the benchmark
// itself prints lands after the name, and the results on a line of their own.
func TestParseInterruptedNameLine(t *testing.T) {
	run := parse(t, `goos: linux
pkg: github.com/fluxbridge/fluxbridge/cmd/fluxbridge
BenchmarkSync50000Blocks-2   	fluxbridge flux simnet: 50000 blocks mined in 4.278s; serving simnet on 127.0.0.1:42689
more output 1 2
       1	12310075631 ns/op	      4793 blocks/s	     24313 floor_blocks/s
BenchmarkOther-2	fluxbridge said something
PASS
       1	5 ns/op
`)
	mustMetric(t, run, "cmd/fluxbridge", "BenchmarkSync50000Blocks", "blocks/s", 4793)
	mustMetric(t, run, "cmd/fluxbridge", "BenchmarkSync50000Blocks", "ns/op", 12310075631)
	if run.Find("", "BenchmarkOther") != nil {
		t.Fatal("a results line after PASS was given to an interrupted benchmark")
	}
}

func TestParseRepeatsTakeTheMedian(t *testing.T) {
	run := parse(t, `pkg: example.com/m/a
BenchmarkX-4   	100	  30 ns/op
BenchmarkX-4   	100	  10 ns/op	 7 widgets
BenchmarkX-4   	100	  20 ns/op
BenchmarkY   	100	  1 ns/op
BenchmarkY   	100	  4 ns/op
BenchmarkZ/batch=100-4   	100	  1e+06 ns/op
`)
	mustMetric(t, run, "a", "BenchmarkX", "ns/op", 20)
	mustMetric(t, run, "a", "BenchmarkX", "widgets", 7)
	mustMetric(t, run, "a", "BenchmarkY", "ns/op", 2.5)
	mustMetric(t, run, "a", "BenchmarkZ/batch=100", "ns/op", 1e6)
	if x, y := run.Find("a", "BenchmarkX"), run.Find("a", "BenchmarkY"); x.Procs != 4 || y.Procs != 1 || len(x.Samples["ns/op"]) != 3 {
		t.Fatalf("X %+v, Y %+v", x, y)
	}
	if run.Find("m/a", "BenchmarkX") == nil || run.Find("b", "BenchmarkX") != nil || run.Find("", "BenchmarkX") == nil {
		t.Fatal("package matching is wrong")
	}
}

func TestParseFailures(t *testing.T) {
	run := parse(t, `goos: linux
pkg: github.com/fluxbridge/fluxbridge/internal/devnet
BenchmarkLockToMint-2   	--- FAIL: BenchmarkLockToMint-2
    bench_test.go:40: not every lock minted exactly once
FAIL
exit status 1
FAIL	github.com/fluxbridge/fluxbridge/internal/devnet	62.901s
FAIL	github.com/fluxbridge/fluxbridge/cmd/fluxbridge [build failed]
--- FAIL: TestSomething (0.00s)
`)
	if len(run.Failed) != 1 || run.Failed[0] != "github.com/fluxbridge/fluxbridge/internal/devnet BenchmarkLockToMint" {
		t.Fatalf("failed benchmarks %q", run.Failed)
	}
	if len(run.FailedPkgs) != 2 {
		t.Fatalf("failed packages %q", run.FailedPkgs)
	}
	if !run.failed("internal/devnet", "BenchmarkLockToMint") || !run.failed("cmd/fluxbridge", "BenchmarkSync50000Blocks") ||
		run.failed("chains/flux/header", "BenchmarkFloor/sha256d_72") {
		t.Fatal("failed() is wrong")
	}
	if len(run.Results) != 0 {
		t.Fatalf("results from failure lines: %+v", run.Results)
	}
}

func TestSplitProcs(t *testing.T) {
	for _, c := range []struct {
		in    string
		name  string
		procs int
	}{
		{"BenchmarkX-2", "BenchmarkX", 2},
		{"BenchmarkX", "BenchmarkX", 1},
		{"BenchmarkX/pow_125_4_zelhash-16", "BenchmarkX/pow_125_4_zelhash", 16},
		{"BenchmarkX/a-b", "BenchmarkX/a-b", 1},
	} {
		if n, p := splitProcs(c.in); n != c.name || p != c.procs {
			t.Errorf("splitProcs(%q) = %q, %d; want %q, %d", c.in, n, p, c.name, c.procs)
		}
	}
}
