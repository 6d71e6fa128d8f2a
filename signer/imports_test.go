package signer_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsStayInBounds enforces DESIGN §2 for this package: signer may use
// go-ethereum and decred's secp256k1, but no plugin, storage or Solana SDK,
// and nothing of the relayer above it (keys never depend on the domain).
func TestImportsStayInBounds(t *testing.T) {
	forbidden := []string{
		"github.com/hashicorp/go-plugin",
		"google.golang.org/grpc",
		"github.com/gagliardetto/solana-go",
		"github.com/jmoiron/sqlx",
		"github.com/mattn/go-sqlite3",
		"github.com/fluxbridge/fluxbridge/relayer",
		"github.com/fluxbridge/fluxbridge/chains/evm",
		"github.com/fluxbridge/fluxbridge/chains/solana",
		"github.com/fluxbridge/fluxbridge/chains/chainrpc",
		"github.com/fluxbridge/fluxbridge/cmd",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if path == bad || strings.HasPrefix(path, strings.TrimSuffix(bad, "/")+"/") {
					t.Errorf("%s imports %s, which DESIGN §2 keeps out of signer", name, path)
				}
			}
		}
	}
}
