package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunWritesTableAndJSON(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results.json")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-in", "../../testdata/make-bench.txt", "-json", out}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"PoN header + producer signature", "relayer + plugin RSS after 10,000 transfers", "10of15", "results written to"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Go      string            `json:"go"`
		CPUs    int               `json:"cpus"`
		Figures []json.RawMessage `json:"figures"`
	}
	if err := json.Unmarshal(b, &rep); err != nil || !strings.HasPrefix(rep.Go, "go") || rep.CPUs < 1 || len(rep.Figures) != 9 {
		t.Fatalf("results.json: %+v, %v", rep, err)
	}
}

// Empty input (no benchmark ran) still prints a table, every figure not run.
func TestRunEmptyInput(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(nil, strings.NewReader("PASS\n"), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if n := strings.Count(stdout.String(), "not run"); n < 9 {
		t.Fatalf("%d figures not run, want all 9:\n%s", n, stdout.String())
	}
}

func TestRunErrors(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-in", filepath.Join(t.TempDir(), "missing.txt")}, nil, &stdout, &stderr); code != 1 {
		t.Errorf("a missing input: exit %d", code)
	}
	if code := run([]string{"-bogus"}, nil, &stdout, &stderr); code != 2 {
		t.Errorf("a bad flag: exit %d", code)
	}
	if code := run([]string{"extra"}, nil, &stdout, &stderr); code != 2 {
		t.Errorf("an argument: exit %d", code)
	}
}
