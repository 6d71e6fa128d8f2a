package devnet

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/internal/testbin"
)

// The RSS benchmark's transfer counts: the memory after rssFirst transfers is
// the baseline the memory after rssTotal is compared with (the target: within
// 10 %). The metric names carry the counts (rssLabel).
const (
	rssBurst = 500 // locks per FLUX block
	rssFirst = 1_000
	rssTotal = 10_000
)

// BenchmarkRelayerRSS measures the resident memory of one relayer and its EVM
// plugin as the transfers they have relayed grow: 3 relayers (k = 2) run as
// `fluxbridge run` processes, each with its own plugin process, light node
// and SQLite store, against the devnet's chains in this process. Locks come
// in bursts of rssBurst a FLUX block, each made final at once, with at most
// two bursts in flight. After rssFirst and after rssTotal transfers it reads
// relayer 0's and its plugin's VmRSS and RssAnon (the medians of 10
// readings over 2 s) and VmHWM from /proc, and reports them in MiB with the
// growth of the VmRSS sum (rss-growth-ratio; the target is at most 1.1). One run per benchmark call
// whatever b.N (it takes minutes): make bench runs it with -benchtime=1x.
// With FLUXBRIDGE_RSS_PROFILES=DIR set, relayer 0 also writes its Go heap
// profile after each measurement (fluxbridge run's FLUXBRIDGE_HEAPPROFILE),
// kept as DIR/relayer-heap-1k.pb.gz and DIR/relayer-heap-10k.pb.gz.
func BenchmarkRelayerRSS(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "fluxbridge")
	if err := testbin.Build("cmd/fluxbridge", bin); err != nil {
		b.Fatal(err)
	}
	setup := time.Now()
	d, err := Start(context.Background(), Config{Dir: b.TempDir(), Plugin: pluginPath, ChainsOnly: true, ManualFlux: true,
		Coins: rssTotal, LockMax: 2 * MinLock})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	logs := b.TempDir()
	// Relayer 0 writes its heap profiles to heap (rssProfile).
	profiles, heap := os.Getenv("FLUXBRIDGE_RSS_PROFILES"), ""
	var relayers []*exec.Cmd
	for i, cfg := range d.ConfigPaths {
		var env []string
		if i == 0 && profiles != "" {
			heap = filepath.Join(logs, "heap.pb.gz")
			env = append(os.Environ(), "FLUXBRIDGE_HEAPPROFILE="+heap)
		}
		relayers = append(relayers, startRelayerProcess(b, bin, cfg, filepath.Join(logs, fmt.Sprintf("relayer-%d.log", i)), env))
	}
	relayer := relayers[0].Process.Pid
	plugin := 0
	waitUntilRSS(b, "relayer 0's plugin process", time.Minute, func() bool {
		plugin = pluginOf(relayer)
		return plugin != 0
	})
	b.Logf("setup (%d prepared coins, %d relayer processes): %s", rssTotal, len(relayers), time.Since(setup).Round(time.Millisecond))

	w := d.NewWatcher()
	samples := map[int]rssSample{}
	start := time.Now()
	b.ResetTimer()
	// Two bursts are in flight at a time (the next is made final while the
	// relayers mint the tail of the last); at each measurement point every
	// transfer so far is minted and none beyond it has begun.
	var inflight [][]chains.LockRef
	for sent := 0; sent < rssTotal; sent += rssBurst {
		locks := make([]chains.LockRef, 0, rssBurst)
		for i := sent; i < sent+rssBurst; i++ {
			l, err := d.Lock(MinLock+int64(i%1000), [20]byte{0xc5, byte(i >> 16), byte(i >> 8), byte(i), 19: 1})
			if err != nil {
				b.Fatalf("lock %d: %v", i+1, err)
			}
			locks = append(locks, l)
		}
		if err := d.MineFlux(int(d.cfg.Confirmations)); err != nil {
			b.Fatal(err)
		}
		inflight = append(inflight, locks)
		n := sent + rssBurst
		measure := n == rssFirst || n == rssTotal
		keep := 1 // bursts left in flight
		if measure {
			keep = 0
		}
		for len(inflight) > keep {
			awaitMinted(b, d, w, inflight[0], 3*time.Minute)
			inflight = inflight[1:]
		}
		if measure {
			if p := pluginOf(relayer); p != plugin {
				b.Fatalf("relayer 0's plugin is process %d after %d transfers, was %d: a restarted plugin's memory is no measurement", p, n, plugin)
			}
			samples[n] = sampleRSS(b, relayer, plugin)
			b.Logf("after %d transfers (%s): relayer %+v, plugin %+v", n, time.Since(start).Round(time.Millisecond), samples[n].relayer, samples[n].plugin)
			if heap != "" {
				rssProfile(b, relayers[0].Process, heap, filepath.Join(profiles, "relayer-heap-"+rssLabel(n)+".pb.gz"))
			}
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if locks, events := w.Total(); locks != rssTotal || events != rssTotal {
		b.Fatalf("%d locks minted with %d mint events, want %d each", locks, events, rssTotal)
	}
	for _, n := range []int{rssFirst, rssTotal} {
		s := samples[n]
		for _, p := range []struct {
			name string
			m    memory
		}{{"relayer", s.relayer}, {"plugin", s.plugin}} {
			b.ReportMetric(p.m.rss, p.name+"-rss-"+rssLabel(n)+"-MiB")
			b.ReportMetric(p.m.anon, p.name+"-anon-"+rssLabel(n)+"-MiB")
			b.ReportMetric(p.m.hwm, p.name+"-hwm-"+rssLabel(n)+"-MiB")
		}
	}
	first, last := samples[rssFirst], samples[rssTotal]
	b.ReportMetric((last.relayer.rss+last.plugin.rss)/(first.relayer.rss+first.plugin.rss), "rss-growth-ratio")
	b.ReportMetric(float64(rssTotal)/elapsed.Seconds(), "transfers/s")
	b.ReportMetric(elapsed.Seconds(), "run-s")
	b.ReportMetric(0, "ns/op")
}

// rssLabel names a transfer count in metric names: 1000 → "1k".
func rssLabel(n int) string {
	if n%1000 == 0 {
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

// rssProfile has the relayer process p, run with FLUXBRIDGE_HEAPPROFILE=heap,
// write its heap profile (SIGUSR1) and copies it to dst. It runs after the
// readings: the relayer collects garbage before it writes.
func rssProfile(b *testing.B, p *os.Process, heap, dst string) {
	b.Helper()
	if err := os.Remove(heap); err != nil && !os.IsNotExist(err) {
		b.Fatal(err)
	}
	if err := p.Signal(syscall.SIGUSR1); err != nil {
		b.Fatal(err)
	}
	waitUntilRSS(b, "the relayer's heap profile", time.Minute, func() bool {
		_, err := os.Stat(heap)
		return err == nil
	})
	prof, err := os.ReadFile(heap)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(dst, prof, 0o644); err != nil {
		b.Fatal(err)
	}
	b.Logf("heap profile: %s", dst)
}

// startRelayerProcess runs `fluxbridge run --config cfg` with its log in
// logPath and env as its environment (nil: this process's), stopped
// (SIGTERM, then SIGKILL after 15 s) when b ends; a failed benchmark shows
// the end of the log.
func startRelayerProcess(b *testing.B, bin, cfg, logPath string, env []string) *exec.Cmd {
	b.Helper()
	logf, err := os.Create(logPath)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "run", "--config", cfg)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
		if b.Failed() {
			out, _ := os.ReadFile(logPath)
			b.Logf("%s (last 3000 bytes):\n%s", filepath.Base(logPath), out[max(0, len(out)-3000):])
		}
	})
	return cmd
}

// awaitMinted waits until every lock has a mint event, mining a FLUX block
// when nothing moved for 5 s (a light node that heard of a peer's tip before
// a burst of blocks may call the peers disagreeing until the next block).
func awaitMinted(b *testing.B, d *Devnet, w *Watcher, locks []chains.LockRef, timeout time.Duration) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done, moved := 0, time.Now()
	for {
		if err := w.Poll(ctx); err != nil && ctx.Err() == nil {
			b.Fatal(err)
		}
		n := 0
		for _, l := range locks {
			if t, _ := w.Minted(l); !t.IsZero() {
				n++
			}
		}
		if n == len(locks) {
			return
		}
		if n > done {
			done, moved = n, time.Now()
		}
		if time.Since(moved) > 5*time.Second {
			if err := d.MineFlux(1); err != nil {
				b.Fatal(err)
			}
			moved = time.Now()
		}
		select {
		case <-ctx.Done():
			b.Fatalf("%d of %d locks minted after %s", n, len(locks), timeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// memory is a process's resident set in MiB: VmRSS, its anonymous part
// RssAnon (heaps, stacks: not the mapped files) and its peak VmHWM.
type memory struct{ rss, anon, hwm float64 }

type rssSample struct{ relayer, plugin memory }

// sampleRSS reads the relayer's and the plugin's memory 10 times over 2 s:
// the median VmRSS and RssAnon, and the peak: the kernel updates VmHWM
// lazily, so it is at least the largest VmRSS read.
func sampleRSS(b *testing.B, relayer, plugin int) rssSample {
	b.Helper()
	var rs, ps []memory
	for i := range 10 {
		if i > 0 {
			time.Sleep(200 * time.Millisecond)
		}
		r, err := readMemory(relayer)
		if err != nil {
			b.Fatal(err)
		}
		p, err := readMemory(plugin)
		if err != nil {
			b.Fatal(err)
		}
		rs, ps = append(rs, r), append(ps, p)
	}
	return rssSample{relayer: medianMemory(rs), plugin: medianMemory(ps)}
}

// medianMemory is the median of the readings' VmRSS and RssAnon and the
// largest of their VmHWM and VmRSS.
func medianMemory(ms []memory) memory {
	var rss, anon []float64
	var m memory
	for _, r := range ms {
		rss, anon = append(rss, r.rss), append(anon, r.anon)
		m.hwm = max(m.hwm, r.hwm, r.rss)
	}
	slices.Sort(rss)
	slices.Sort(anon)
	m.rss, m.anon = rss[len(rss)/2], anon[len(anon)/2]
	return m
}

// readMemory reads VmRSS, RssAnon and VmHWM of a process from /proc/<pid>/status.
func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	found := 0
	for line := range strings.Lines(string(b)) {
		key, val, ok := strings.Cut(line, ":")
		dst := map[string]*float64{"VmRSS": &m.rss, "RssAnon": &m.anon, "VmHWM": &m.hwm}[key]
		if !ok || dst == nil {
			continue
		}
		f := strings.Fields(val) // "12345 kB"
		if len(f) != 2 || f[1] != "kB" {
			return memory{}, fmt.Errorf("/proc/%d/status: %s is %q", pid, key, strings.TrimSpace(val))
		}
		kb, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			return memory{}, fmt.Errorf("/proc/%d/status: %s: %v", pid, key, err)
		}
		*dst = kb / 1024
		found++
	}
	if found != 3 {
		return memory{}, fmt.Errorf("/proc/%d/status lacks VmRSS, RssAnon or VmHWM", pid)
	}
	return m, nil
}

// pluginOf returns the pid of the EVM plugin process the relayer process pid
// runs (its child running fluxbridge-plugin-evm), or 0.
func pluginOf(pid int) int {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	for _, e := range dirs {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", child))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so read after its ')'.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 2 || f[1] != strconv.Itoa(pid) || f[0] == "Z" {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", child))
		if bytes.Contains(cmdline, []byte("fluxbridge-plugin-evm")) {
			return child
		}
	}
	return 0
}

// waitUntilRSS polls cond until it holds, failing b after timeout.
func waitUntilRSS(b *testing.B, what string, timeout time.Duration, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
