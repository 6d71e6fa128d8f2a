package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/internal/testbin"
)

// bins are the commands the process tests run, built on first use side by
// side (fluxbridge-devnet finds the plugin next to itself) and removed after
// the tests.
var bins testbin.Set

func TestMain(m *testing.M) {
	code := m.Run()
	bins.Close()
	os.Exit(code)
}

// buildBinary builds the fluxbridge command once per test binary run.
func buildBinary(t testing.TB) string {
	t.Helper()
	return bins.Path(t, "cmd/fluxbridge")
}

// simnetInfo is the line `flux simnet` prints when it is ready.
type simnetInfo struct {
	Listen string `json:"listen"`
	Height int32  `json:"height"`
	Tip    string `json:"tip"`
	Anchor string `json:"anchor"`
}

// startSimnet runs `fluxbridge flux simnet` with blocks mined up front and
// returns what it printed. The process is killed at the end of the test.
func startSimnet(t testing.TB, bin string, blocks int) simnetInfo {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(bin, "flux", "simnet", "--listen", "127.0.0.1:0", "--blocks", itoa(int32(blocks)), "--datadir", dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("simnet printed nothing: %v", err)
	}
	var info simnetInfo
	if err := json.Unmarshal([]byte(line), &info); err != nil || info.Listen == "" || info.Anchor == "" {
		t.Fatalf("simnet line %q: %v", line, err)
	}
	if info.Height != int32(blocks) {
		t.Fatalf("simnet at height %d, want %d", info.Height, blocks)
	}
	return info
}

// The acceptance test for sync and resume: 10,000 simulated PoN blocks synced
// over loopback by a real `fluxbridge flux sync` process that is killed with
// SIGKILL part-way and restarted; the restart resumes from its store and ends
// on the simulated network's tip.
func TestSyncResumesAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and syncs 10,000 blocks")
	}
	bin := buildBinary(t)
	const blocks = 10_000
	sim := startSimnet(t, bin, blocks)
	data := t.TempDir()
	args := []string{"flux", "sync", "--network", "simnet", "--peer", sim.Listen, "--anchor", sim.Anchor,
		"--datadir", data, "--until-height", itoa(blocks), "--json", "--progress-interval", "20ms"}

	// First run: kill it once it has connected a few hundred blocks.
	first := exec.Command(bin, args...)
	stderr, err := first.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	killedAt := int32(-1)
	sc := bufio.NewScanner(stderr)
	deadline := time.Now().Add(2 * time.Minute)
	for sc.Scan() && time.Now().Before(deadline) {
		var rec struct {
			Msg    string `json:"msg"`
			Height int32  `json:"height"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "progress" && rec.Height >= 300 {
			killedAt = rec.Height
			_ = first.Process.Signal(syscall.SIGKILL)
			break
		}
	}
	_ = first.Wait()
	if killedAt < 0 {
		t.Fatal("the first sync never reported progress past height 300")
	}
	if killedAt >= blocks {
		t.Fatalf("the first sync finished (height %d) before it could be killed", killedAt)
	}

	// Second run: resumes from the store and reaches the tip.
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("second sync: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var res syncResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("final line %q: %v", lines[len(lines)-1], err)
	}
	// The tip a run reports is one it has committed, so nothing reported is lost.
	if res.StartHeight < killedAt {
		t.Errorf("restart began at height %d; the killed run had reported %d", res.StartHeight, killedAt)
	}
	if res.Height != blocks || res.Tip != sim.Tip {
		t.Fatalf("synced to %d %s, simnet tip is %d %s", res.Height, res.Tip, blocks, sim.Tip)
	}
	t.Logf("killed at %d, resumed from %d, %.0f blocks/s on the resumed run", killedAt, res.StartHeight, res.BlocksPerSec)
}
