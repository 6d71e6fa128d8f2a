package testbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type runner struct {
	ran  bool
	path *string
	seen bool
}

func (r *runner) Run() int {
	r.ran = true
	_, err := os.Stat(*r.path)
	r.seen = err == nil
	return 7
}

// Main's builds exist while the tests run, the tests' code is returned, and
// the directory is gone afterwards.
func TestRunBuildsBeforeAndCleansUpAfter(t *testing.T) {
	var path string
	r := &runner{path: &path}
	if code := run(r, []Binary{{Pkg: "cmd/fluxbridge-plugin-evm", Path: &path}}); code != 7 {
		t.Fatalf("code %d, want the tests' 7", code)
	}
	if !r.ran || !r.seen || filepath.Base(path) != "fluxbridge-plugin-evm" {
		t.Fatalf("ran %v, binary present while running %v, path %q", r.ran, r.seen, path)
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Fatalf("the build directory is left: %v", err)
	}
}

// A build that fails is reported with the compiler's words and no test runs.
func TestAFailedBuildRunsNoTest(t *testing.T) {
	var path string
	r := &runner{path: &path}
	if code := run(r, []Binary{{Pkg: "cmd/no-such-command", Path: &path}}); code != 1 || r.ran {
		t.Fatalf("code %d, ran %v: want 1 and no tests", code, r.ran)
	}
	err := Build("cmd/no-such-command", filepath.Join(t.TempDir(), "x"))
	if err == nil || !strings.Contains(err.Error(), "no-such-command") {
		t.Fatalf("Build of a missing command: %v", err)
	}
	out := filepath.Join(t.TempDir(), "plugin")
	if err := Build("./cmd/fluxbridge-plugin-evm", out); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(out).CombinedOutput(); err == nil {
		t.Fatalf("the plugin ran without its host: %s", b)
	}
}

// A Set builds each command once, side by side, and Close removes them.
func TestSetBuildsOnceSideBySide(t *testing.T) {
	var s Set
	a := s.Path(t, "cmd/fluxbridge-plugin-evm")
	info, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	if again := s.Path(t, "cmd/fluxbridge-plugin-evm"); again != a {
		t.Fatalf("second path %q, want %q", again, a)
	}
	if later, _ := os.Stat(a); !later.ModTime().Equal(info.ModTime()) {
		t.Fatal("built twice")
	}
	b := s.Path(t, "cmd/fluxbridge-devnet")
	if filepath.Dir(a) != filepath.Dir(b) {
		t.Fatalf("%s and %s are not side by side", a, b)
	}
	s.Close()
	if _, err := os.Stat(filepath.Dir(a)); !os.IsNotExist(err) {
		t.Fatalf("Close left the binaries: %v", err)
	}
}
