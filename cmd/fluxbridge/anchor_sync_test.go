package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxtest"
)

// confirmedSnapshotAt rebuilds the `flux simnet` chain in process (fluxtest
// is deterministic) and returns fluxd's view of its fluxnode set after block
// h: the confirmed nodes only, as getfluxnodesnapshot prints them. It also
// returns the rebuilt chain's tip hash at tip, to check the rebuild.
func confirmedSnapshotAt(t *testing.T, h, tip int32) (snap []byte, tipHash string, dropped int) {
	t.Helper()
	net, err := fluxtest.New(fluxtest.Config{Peers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := net.Mine(int(h)); err != nil {
		t.Fatal(err)
	}
	full := net.FluxnodeSet()
	confirmed := &fluxnode.Snapshot{Height: full.Height, BlockHash: full.BlockHash}
	for _, e := range full.Entries {
		if e.Status == fluxnode.StatusConfirmed {
			confirmed.Entries = append(confirmed.Entries, e)
		}
	}
	if err := net.Mine(int(tip - h)); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(confirmed)
	if err != nil {
		t.Fatal(err)
	}
	_, th := net.Tip()
	return b, th.String(), len(full.Entries) - len(confirmed.Entries)
}

// A `flux sync` anchored on a confirmed-only snapshot above genesis
// bootstraps its anchor from the peer, syncs to the simulated network's tip,
// and resumes from its store on a second run with the same --anchor.
func TestSyncFromSnapshotAboveGenesis(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	const anchorHeight, blocks = 1200, 1500
	bin := buildBinary(t)
	snap, tip, dropped := confirmedSnapshotAt(t, anchorHeight, blocks)
	if dropped == 0 {
		t.Fatalf("the set at %d has no unconfirmed entry: the backfill would go untested", anchorHeight)
	}
	sim := startSimnet(t, bin, blocks)
	if sim.Tip != tip {
		t.Fatalf("simnet tip %s, the in-process rebuild's %s: fluxtest is not deterministic", sim.Tip, tip)
	}
	anchorFile := filepath.Join(t.TempDir(), "snapshot.json")
	if err := os.WriteFile(anchorFile, snap, 0o600); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	args := []string{"flux", "sync", "--network", "simnet", "--peer", sim.Listen, "--anchor", anchorFile,
		"--datadir", data, "--until-height", itoa(blocks), "--json"}
	for run, wantStart := range []int32{anchorHeight, blocks} {
		cmd := exec.Command(bin, args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run+1, err, stderr.String())
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		var res syncResult
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
			t.Fatalf("run %d: final line %q: %v", run+1, lines[len(lines)-1], err)
		}
		if res.StartHeight != wantStart || res.Height != blocks || res.Tip != sim.Tip {
			t.Fatalf("run %d: synced %d..%d %s, want %d..%d %s", run+1, res.StartHeight, res.Height, res.Tip, wantStart, blocks, sim.Tip)
		}
		if resumed := strings.Contains(stderr.String(), "the snapshot only names its anchor"); resumed != (run == 1) {
			t.Fatalf("run %d: resumed from the store: %v\n%s", run+1, resumed, stderr.String())
		}
	}
}
