package depcheck

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// listModule runs `go list -json` over the whole module (non-test packages).
func listModule(t *testing.T) []Package {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p Package
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func TestModuleFollowsDependencyRules(t *testing.T) {
	for _, v := range Check(listModule(t), Rules) {
		t.Error(v)
	}
}

// A rule that names a package which does not exist guards nothing: every
// AppliesTo entry must match a package of the module (Allowed entries may
// name packages still to come, such as chains/solana).
func TestRulesNameExistingPackages(t *testing.T) {
	var rels []string
	for _, p := range listModule(t) {
		rels = append(rels, strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, Module), "/"))
	}
	for _, r := range Rules {
		for _, a := range r.AppliesTo {
			found := false
			for _, rel := range rels {
				found = found || matches(rel, []string{a})
			}
			if !found {
				t.Errorf("rule %q applies to %q, which matches no package", r.Name, a)
			}
		}
	}
}

// The checker itself must catch each kind of violation; otherwise the test above proves nothing.
func TestCheckReportsViolations(t *testing.T) {
	pkg := func(rel string, imports ...string) Package {
		return Package{ImportPath: Module + "/" + rel, Imports: imports, Deps: imports}
	}
	cases := []struct {
		name string
		p    Package
		want int
	}{
		{"sqlite outside storage", pkg("relayer/api", "github.com/mattn/go-sqlite3"), 1},
		{"sqlite in storage", pkg("relayer/store/sqlite", "github.com/jmoiron/sqlx"), 0},
		{"geth in the domain", pkg("relayer", "github.com/ethereum/go-ethereum/common"), 2},
		{"geth in the evm chain", pkg("chains/evm", "github.com/ethereum/go-ethereum/ethclient"), 0},
		{"solana-go outside chains/solana", pkg("chains/evm", "github.com/gagliardetto/solana-go"), 1},
		{"go-plugin in the chain contract", pkg("chains", "github.com/hashicorp/go-plugin"), 2},
		{"go-plugin in chainrpc", pkg("chains/chainrpc", "github.com/hashicorp/go-plugin"), 0},
		{"go-plugin in a plugin main", pkg("cmd/fluxbridge-plugin-evm", "github.com/hashicorp/go-plugin"), 1},
		{"geth in the conformance suite", pkg("chains/chainstest", "github.com/ethereum/go-ethereum/common"), 2},
		{"btcd in the light node", pkg("chains/flux/spv", "github.com/btcsuite/btcd/wire"), 1},
		{"libsecp256k1's binding in the light node", pkg("chains/flux/sig", "github.com/ethereum/go-ethereum/crypto/secp256k1", "github.com/ethereum/go-ethereum/common/math"), 0},
		{"geth's crypto in the light node", pkg("chains/flux/sig", "github.com/ethereum/go-ethereum/crypto"), 2},
		{"below libsecp256k1's binding in the light node", pkg("chains/flux/sig", "github.com/ethereum/go-ethereum/crypto/secp256k1/x"), 2},
		{"os in a pure package", pkg("chains/flux/wire", "os"), 1},
		{"slog in a pure package", pkg("chains/flux/header", "log/slog"), 1},
		{"io in a pure package", pkg("chains/flux/wire", "io"), 0},
		{"net/netip in a pure package", pkg("chains/flux/wire", "net/netip"), 0},
		{"net in a pure package", pkg("chains/flux/wire", "net"), 1},
		{"os/exec in a pure package", pkg("chains/flux/tx", "os/exec"), 1},
		{"os in the p2p client", pkg("chains/flux/p2p", "os"), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Check([]Package{c.p}, Rules); len(got) != c.want {
				t.Fatalf("got %d violations %q, want %d", len(got), got, c.want)
			}
		})
	}
}
