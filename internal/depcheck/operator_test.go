package depcheck

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// simulatedChains are the import paths (each with everything below it) that
// only the local devnet may link: the simulated EVM chain, the devnet
// harness, and go-ethereum's simulated backend with the full node it runs.
var simulatedChains = []string{
	Module + "/contracts/evm/evmsim",
	Module + "/internal/devnet",
	"github.com/ethereum/go-ethereum/ethclient/simulated",
	"github.com/ethereum/go-ethereum/eth",
	"github.com/ethereum/go-ethereum/node",
}

// deps returns the transitive dependencies of a main package of the module
// (`go list -deps`, test files excluded), the package itself included.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", pkg)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, stderr.String())
	}
	return strings.Fields(string(out))
}

// simulated returns the dependencies of pkg that are simulated chains.
func simulated(t *testing.T, pkg string) []string {
	t.Helper()
	var out []string
	for _, d := range deps(t, pkg) {
		if importMatches(d, simulatedChains) {
			out = append(out, d)
		}
	}
	return out
}

// The operator's binary never links a simulated chain (DESIGN §2): the
// devnet is the fluxbridge-devnet binary of its own.
func TestOperatorBinaryLinksNoSimulatedChain(t *testing.T) {
	all := deps(t, "./cmd/fluxbridge")
	if !contains(all, Module+"/relayer/daemon") {
		t.Fatalf("go list -deps ./cmd/fluxbridge does not list the relayer daemon: %d packages", len(all))
	}
	if got := simulated(t, "./cmd/fluxbridge"); len(got) > 0 {
		t.Errorf("cmd/fluxbridge, the operator's binary, links simulated chains (only cmd/fluxbridge-devnet may):\n%s", strings.Join(got, "\n"))
	}
}

// The check above sees a simulated chain where there is one: the devnet
// binary links all of them.
func TestDevnetBinaryLinksTheSimulatedChains(t *testing.T) {
	got := simulated(t, "./cmd/fluxbridge-devnet")
	for _, want := range []string{Module + "/contracts/evm/evmsim", Module + "/internal/devnet",
		"github.com/ethereum/go-ethereum/ethclient/simulated", "github.com/ethereum/go-ethereum/eth", "github.com/ethereum/go-ethereum/node"} {
		if !contains(got, want) {
			t.Errorf("cmd/fluxbridge-devnet does not link %s; found %q", want, got)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
