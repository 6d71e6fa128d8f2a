// Package testbin builds the project's commands for tests that run them as
// real processes (the EVM plugin, the test plugin, fluxbridge itself). A
// package that needs them in every test builds them once, in TestMain, with
// Main; one whose few process tests build lazily uses a Set, which keeps the
// binaries side by side (fluxbridge-devnet finds the plugin next to itself).
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Module is the module path commands are named under.
const Module = "github.com/fluxbridge/fluxbridge/"

// Binary is one command to build: Pkg is its path below the module
// ("cmd/fluxbridge-plugin-evm"), and Main stores the built binary's path in
// *Path.
type Binary struct {
	Pkg  string
	Path *string
}

// Runner runs a package's tests and returns the exit code: *testing.M, or a
// wrapper that prepares more around them.
type Runner interface{ Run() int }

// Main builds every binary into one temporary directory, runs the tests and
// removes the directory, then exits with the tests' code. A build that fails
// ends the test binary with the build's output, before any test runs.
func Main(m Runner, bins ...Binary) {
	os.Exit(run(m, bins))
}

func run(m Runner, bins []Binary) int {
	dir, err := os.MkdirTemp("", "fluxbridge-testbin")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testbin:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	for _, b := range bins {
		p := filepath.Join(dir, filepath.Base(b.Pkg))
		if err := Build(b.Pkg, p); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		*b.Path = p
	}
	return m.Run()
}

// Build builds the command pkg (a path below the module) into out. It works
// from any directory of the module; the error carries the build's output.
func Build(pkg, out string) error {
	cmd := exec.Command("go", "build", "-o", out, Module+strings.TrimPrefix(pkg, "./"))
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("testbin: building %s: %v\n%s", pkg, err, b)
	}
	return nil
}

// Set builds commands on first use into one directory, each once. The zero
// value is ready; Close removes the directory (call it after m.Run).
type Set struct {
	mu    sync.Mutex
	dir   string
	built map[string]error
}

// Path returns the binary of the command pkg (a path below the module),
// building it on first use; a failed build fails tb.
func (s *Set) Path(tb testing.TB, pkg string) string {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir == "" {
		dir, err := os.MkdirTemp("", "fluxbridge-testbin")
		if err != nil {
			tb.Fatalf("testbin: %v", err)
		}
		s.dir, s.built = dir, map[string]error{}
	}
	p := filepath.Join(s.dir, filepath.Base(pkg))
	err, done := s.built[pkg]
	if !done {
		err = Build(pkg, p)
		s.built[pkg] = err
	}
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// Close removes the binaries.
func (s *Set) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir != "" {
		os.RemoveAll(s.dir)
		s.dir, s.built = "", nil
	}
}
