package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/internal/devnet"
	"github.com/fluxbridge/fluxbridge/internal/testbin"
)

// pluginPath is the EVM plugin binary TestMain builds once.
var pluginPath string

func TestMain(m *testing.M) {
	testbin.Main(m, testbin.Binary{Pkg: "cmd/fluxbridge-plugin-evm", Path: &pluginPath})
}

// A demo with --dir naming a directory that does not exist creates it (and
// its parents, mode 0700), writes the relayers' configs there, and prints
// the ready line and a result with every lock minted exactly once.
func TestDemoCreatesMissingDir(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "new", "devnet")
	var stdout, stderr bytes.Buffer
	code := run([]string{"--demo", "--locks", "3", "--burns", "3", "--dir", dir, "--plugin", pluginPath, "--flux-block", "50ms", "--timeout", "90s"}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout.String(), tail(stderr.String(), 3000))
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("stdout has %d lines, want the ready line and the result:\n%s", len(lines), stdout.String())
	}
	var r ready
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil {
		t.Fatalf("ready line %q: %v", lines[0], err)
	}
	if len(r.Relayers) != 3 || len(r.Peers) != 3 || r.EVMRPC == "" || r.Bridge == "" {
		t.Fatalf("ready line %q lacks the relayers or the endpoints", lines[0])
	}
	for _, p := range r.Relayers {
		if !strings.HasPrefix(p, dir+string(filepath.Separator)) {
			t.Fatalf("relayer config %s is not under --dir %s", p, dir)
		}
	}
	var res devnet.Result
	if err := json.Unmarshal([]byte(lines[1]), &res); err != nil {
		t.Fatalf("result line %q: %v", lines[1], err)
	}
	if res.Locks != 3 || res.Burns != 3 || res.RefundsDue != 2 || !res.OK() {
		t.Fatalf("result %+v: want 3 locks minted and 3 burns released exactly once, 2 refunds paid", res)
	}
	for _, p := range []string{filepath.Join(base, "new"), dir} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: mode %v, want a directory with mode 0700", p, fi.Mode())
		}
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--locks", "0"},
		{"--locks", "2", "--burns", "3"},
		{"--burns", "-1"},
		{"--locks", fmt.Sprint(devnet.MaxDemoLocks + 1)},
		{"--relayers", "3", "--threshold", "1"},
		{"--evm-chains", "0"},
		{"--evm-chains", fmt.Sprint(devnet.MaxEVMChains + 1)},
		{"extra"},
		{"--plugin", filepath.Join(t.TempDir(), "missing")},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != exitUsage || stdout.Len() != 0 {
			t.Errorf("%q: exit %d, stdout %q; want exit %d and no output", args, code, stdout.String(), exitUsage)
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
