// Package depcheck enforces the dependency rules of DESIGN §2: which packages
// may import chain SDKs, storage drivers and the plugin framework, and which
// packages must stay pure (no I/O, no logging). The test in this package runs
// `go list` over the module and fails on any violation.
package depcheck

import (
	"fmt"
	"sort"
	"strings"
)

// Module is the module path all rules are relative to.
const Module = "github.com/fluxbridge/fluxbridge"

// Package is what the rules need to know of one package.
type Package struct {
	ImportPath string
	Imports    []string // direct imports
	Deps       []string // transitive dependencies
}

// Rule forbids packages matching Forbidden to every package that is not Allowed.
// With Transitive set, the rule applies to all dependencies, not only direct imports.
type Rule struct {
	Name       string
	Forbidden  []string // import-path prefixes
	Except     []string // import paths (prefixes, or with "!" exact) inside Forbidden that stay allowed
	Allowed    []string // module-relative package prefixes that may use them ("" = none)
	AppliesTo  []string // module-relative package prefixes the rule covers (empty = whole module)
	Transitive bool
}

// Rules are DESIGN §2's dependency rules.
var Rules = []Rule{
	{
		Name:      "sqlx and go-sqlite3 only in storage packages",
		Forbidden: []string{"github.com/jmoiron/sqlx", "github.com/mattn/go-sqlite3"},
		Allowed:   []string{"relayer/store/sqlite", "chains/flux/store"},
	},
	{
		Name: "the domain (relayer) and the chain contract (chains) import no chain SDK, storage driver or plugin framework",
		Forbidden: []string{"github.com/ethereum/go-ethereum", "github.com/gagliardetto/solana-go",
			"github.com/jmoiron/sqlx", "github.com/mattn/go-sqlite3", "github.com/hashicorp/go-plugin"},
		AppliesTo:  []string{"relayer!", "chains!", "chains/chainstest"},
		Transitive: true,
	},
	{
		// internal/devnet drives the simulated EVM chain (evmsim) as a test
		// and development harness; no relayer code path goes through it.
		Name:      "go-ethereum only in chains/evm, contracts/evm, signer, relayer/journal and the devnet harness (its libsecp256k1 binding anywhere)",
		Forbidden: []string{"github.com/ethereum/go-ethereum"},
		Except:    libsecp256k1,
		Allowed:   []string{"chains/evm", "contracts/evm", "signer", "relayer/journal", "cmd/fluxbridge-plugin-evm", "internal/devnet"},
	},
	{
		// Every package returns fault errors, so fault depends on nothing.
		Name:      "the error vocabulary (fault) is a leaf: the standard library only",
		Forbidden: []string{"github.com/", "golang.org/", "google.golang.org/"},
		AppliesTo: []string{"fault"},
	},
	{
		Name:      "go-plugin only in chains/chainrpc (plugin mains serve through it)",
		Forbidden: []string{"github.com/hashicorp/go-plugin"},
		Allowed:   []string{"chains/chainrpc"},
	},
	{
		Name:      "solana-go only in chains/solana",
		Forbidden: []string{"github.com/gagliardetto/solana-go"},
		Allowed:   []string{"chains/solana", "cmd/fluxbridge-plugin-solana"},
	},
	{
		// The light node verifies with libsecp256k1 through go-ethereum's cgo
		// binding (issue 12: 3.4× faster than the pure-Go library) and
		// takes nothing else from go-ethereum.
		Name:       "the FLUX light node uses libsecp256k1 through go-ethereum's binding only, never the rest of go-ethereum or btcec",
		Forbidden:  []string{"github.com/ethereum/go-ethereum", "github.com/btcsuite/btcd"},
		Except:     libsecp256k1,
		AppliesTo:  []string{"chains/flux"},
		Transitive: true,
	},
	{
		Name: "pure packages do no I/O and do not log",
		// "net!" is the socket package only: net/netip holds plain address values.
		Forbidden: []string{"os", "net!", "net/http", "net/rpc", "net/smtp", "log", "database/sql",
			"github.com/jmoiron/sqlx", "github.com/mattn/go-sqlite3"},
		AppliesTo: []string{"chains/flux/chainhash", "chains/flux/internal/codec", "chains/flux/internal/blake2b", "chains/flux/internal/coded",
			"chains/flux/params", "chains/flux/wire", "chains/flux/equihash", "chains/flux/header",
			"chains/flux/tx", "chains/flux/script", "chains/flux/sig", "chains/flux/address",
			"chains/flux/memo", "chains/flux/reserve", "chains/flux/fluxnode"},
	},
}

// libsecp256k1 is go-ethereum's cgo binding of libsecp256k1 and the one
// package it needs.
var libsecp256k1 = []string{"github.com/ethereum/go-ethereum/crypto/secp256k1!", "github.com/ethereum/go-ethereum/common/math!"}

// matches reports whether module-relative path rel matches a prefix list entry.
// An entry ending in "!" matches that package only, not its subpackages.
func matches(rel string, prefixes []string) bool {
	for _, p := range prefixes {
		if exact, ok := strings.CutSuffix(p, "!"); ok {
			if rel == exact {
				return true
			}
			continue
		}
		if rel == p || strings.HasPrefix(rel, p+"/") {
			return true
		}
	}
	return false
}

// importMatches reports whether imp is forbidden: an entry matches that import
// path and everything below it, or with a trailing "!" that path only.
func importMatches(imp string, forbidden []string) bool {
	for _, f := range forbidden {
		if exact, ok := strings.CutSuffix(f, "!"); ok {
			if imp == exact {
				return true
			}
			continue
		}
		if imp == f || strings.HasPrefix(imp, f+"/") {
			return true
		}
	}
	return false
}

// Check returns one line per violation, sorted.
func Check(pkgs []Package, rules []Rule) []string {
	var out []string
	for _, p := range pkgs {
		rel, ok := strings.CutPrefix(p.ImportPath, Module+"/")
		if !ok {
			if p.ImportPath != Module {
				continue
			}
			rel = ""
		}
		// Test helpers and the checker itself may do I/O.
		if strings.HasSuffix(rel, "_test") {
			continue
		}
		for _, r := range rules {
			if len(r.AppliesTo) > 0 && !matches(rel, r.AppliesTo) {
				continue
			}
			if matches(rel, r.Allowed) {
				continue
			}
			list := p.Imports
			if r.Transitive {
				list = p.Deps
			}
			for _, imp := range list {
				if importMatches(imp, r.Forbidden) && !importMatches(imp, r.Except) {
					out = append(out, fmt.Sprintf("%s imports %s: %s", p.ImportPath, imp, r.Name))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
