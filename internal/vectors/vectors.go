// Package vectors locates the test vectors and mainnet data committed in the
// repository's testdata/ directory (testdata/README.md gives each file's
// provenance). A missing file fails the test that needs it: a clone has every
// vector, so a missing one is a broken checkout, never a reason to skip.
package vectors

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the repository's testdata directory (beside go.mod).
func Dir(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatalf("vectors: %v", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "testdata")
		}
		if filepath.Dir(d) == d {
			tb.Fatalf("vectors: no go.mod above %s", wd)
		}
	}
}

// Path returns the path of a vector file, e.g. Path(t, "flux/sighash.json"),
// and fails the test if the file is missing.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(Dir(tb), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("test vector %s is missing (testdata/README.md lists every vector file): %v", p, err)
	}
	return p
}

// Read returns the contents of a vector file, failing the test if it is missing.
func Read(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Path(tb, rel))
	if err != nil {
		tb.Fatalf("vectors: %v", err)
	}
	return b
}

// Hex decodes a hex literal in a test, failing the test on a malformed one.
func Hex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatalf("bad hex literal: %v", err)
	}
	return b
}
