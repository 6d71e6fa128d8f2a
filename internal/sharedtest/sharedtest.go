// Package sharedtest locates the project's shared test vectors, which live
// outside the repository in ../shared/testdata (next to the clone) and are
// never copied into it.
//
// Outside CI a missing vector file skips the test with a clear message; with
// CI=true it fails it, so CI can never pass by skipping.
package sharedtest

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared testdata directory: $FLUXBRIDGE_SHARED/testdata if
// that variable is set, else ../shared/testdata relative to the module root.
func Dir(tb testing.TB) string {
	tb.Helper()
	if s := os.Getenv("FLUXBRIDGE_SHARED"); s != "" {
		return filepath.Join(s, "testdata")
	}
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatalf("sharedtest: %v", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(d), "shared", "testdata")
		}
		if filepath.Dir(d) == d {
			tb.Fatalf("sharedtest: no go.mod above %s", wd)
		}
	}
}

// Path returns the path of a shared vector file, e.g. Path(t, "flux/sighash.json").
// If the file is missing it skips the test, or fails it when CI=true.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(Dir(tb), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("shared test vector %s is missing (CI=true, so this is a failure): %v", p, err)
		}
		tb.Skipf("shared test vector %s is missing; set FLUXBRIDGE_SHARED or clone next to shared/", p)
	}
	return p
}

// Read returns the contents of a shared vector file, with Path's skip/fail rule.
func Read(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Path(tb, rel))
	if err != nil {
		tb.Fatalf("sharedtest: %v", err)
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
