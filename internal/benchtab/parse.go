// Package benchtab turns the output of `go test -bench` into the project's
// benchmark table (make bench): it picks the figures of the performance
// targets by package, benchmark name and unit, divides each by the floor
// measured in the same run, judges it against its target, and renders the
// result as an aligned text table and as JSON (bench/results.json).
package benchtab

import (
	"bufio"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Result is one benchmark of a run: its metrics by unit. A benchmark
// reported more than once (-count) keeps every sample; Value is their median.
type Result struct {
	Pkg  string `json:"pkg"`
	Name string `json:"name"` // without the -GOMAXPROCS suffix
	// Procs is GOMAXPROCS (the name's suffix; 1 when there is none).
	Procs int `json:"procs"`
	// N is the iteration count of the last sample.
	N       int64                `json:"n"`
	Samples map[string][]float64 `json:"samples"`
}

// Value is the median of the samples of unit, and whether there are any.
func (r *Result) Value(unit string) (float64, bool) {
	s := r.Samples[unit]
	if len(s) == 0 {
		return 0, false
	}
	s = slices.Clone(s)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

// Run is a parsed `go test -bench` output.
type Run struct {
	Goos, Goarch, CPU string
	Results           []*Result
	// Failed are the benchmarks (pkg + " " + name) with a "--- FAIL" line,
	// and FailedPkgs the packages with a "FAIL pkg" line (a failed
	// benchmark, test or build).
	Failed     []string
	FailedPkgs []string
}

var (
	// procsSuffix is the "-N" GOMAXPROCS suffix of a benchmark name.
	procsSuffix = regexp.MustCompile(`^(.*)-(\d+)$`)
	failLine    = regexp.MustCompile(`--- FAIL: (Benchmark\S*)`)
	failPkgLine = regexp.MustCompile(`^FAIL\s+(\S+)`)
)

// Parse reads `go test -bench` output. Lines it does not know are skipped;
// a benchmark whose name line was interrupted by the benchmark's own output
// takes the results line that follows it.
func Parse(r io.Reader) (*Run, error) {
	run := &Run{}
	byKey := map[string]*Result{}
	pkg, pending := "", ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg, pending = strings.TrimSpace(line[5:]), ""
			continue
		case strings.HasPrefix(line, "goos: "):
			run.Goos = strings.TrimSpace(line[6:])
			continue
		case strings.HasPrefix(line, "goarch: "):
			run.Goarch = strings.TrimSpace(line[8:])
			continue
		case strings.HasPrefix(line, "cpu: "):
			run.CPU = strings.TrimSpace(line[5:])
			continue
		case line == "PASS", strings.HasPrefix(line, "ok "):
			pending = ""
			continue
		}
		if m := failLine.FindStringSubmatch(line); m != nil {
			name, _ := splitProcs(m[1])
			run.Failed = appendOnce(run.Failed, pkg+" "+name)
			pending = ""
			continue
		}
		if m := failPkgLine.FindStringSubmatch(line); m != nil {
			run.FailedPkgs = appendOnce(run.FailedPkgs, m[1])
			continue
		}
		name, rest := "", line
		if strings.HasPrefix(line, "Benchmark") {
			f := strings.Fields(line)
			name = f[0]
			rest = strings.TrimPrefix(line, name)
		} else if pending != "" {
			name = pending
		}
		if name == "" {
			continue
		}
		n, metrics, ok := parseResults(rest)
		if !ok {
			// A name line the benchmark's own output interrupted (or a
			// line of that output): its results may follow.
			if strings.HasPrefix(line, "Benchmark") {
				pending = name
			}
			continue
		}
		pending = ""
		base, procs := splitProcs(name)
		key := pkg + " " + base
		res := byKey[key]
		if res == nil {
			res = &Result{Pkg: pkg, Name: base, Procs: procs, Samples: map[string][]float64{}}
			byKey[key] = res
			run.Results = append(run.Results, res)
		}
		res.N = n
		for _, m := range metrics {
			res.Samples[m.unit] = append(res.Samples[m.unit], m.value)
		}
	}
	return run, sc.Err()
}

type metric struct {
	value float64
	unit  string
}

// parseResults parses "N value unit value unit …" (what follows a
// benchmark's name).
func parseResults(s string) (int64, []metric, bool) {
	f := strings.Fields(s)
	if len(f) < 3 || len(f)%2 != 1 {
		return 0, nil, false
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || n <= 0 {
		return 0, nil, false
	}
	var ms []metric
	for i := 1; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return 0, nil, false
		}
		ms = append(ms, metric{v, f[i+1]})
	}
	return n, ms, true
}

// splitProcs removes the "-N" GOMAXPROCS suffix go test adds to a name.
func splitProcs(name string) (string, int) {
	if m := procsSuffix.FindStringSubmatch(name); m != nil {
		if p, err := strconv.Atoi(m[2]); err == nil && p > 0 {
			return m[1], p
		}
	}
	return name, 1
}

func appendOnce(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// pkgMatches reports whether the import path pkg is the module-relative
// package rel ("chains/flux/header"): equal to it or ending in "/"+rel.
func pkgMatches(pkg, rel string) bool {
	return pkg == rel || strings.HasSuffix(pkg, "/"+rel)
}

// Find returns the result of the benchmark name in the package rel
// (module-relative, "" for any package).
func (r *Run) Find(rel, name string) *Result {
	for _, res := range r.Results {
		if res.Name == name && (rel == "" || pkgMatches(res.Pkg, rel)) {
			return res
		}
	}
	return nil
}

// Metric is the value of unit of the benchmark name in package rel.
func (r *Run) Metric(rel, name, unit string) (float64, bool) {
	res := r.Find(rel, name)
	if res == nil {
		return 0, false
	}
	return res.Value(unit)
}

// failed reports whether the benchmark name in package rel failed, or its
// package did (without a result for it).
func (r *Run) failed(rel, name string) bool {
	for _, f := range r.Failed {
		pkg, n, _ := strings.Cut(f, " ")
		if (n == name || strings.HasPrefix(name, n+"/")) && (rel == "" || pkgMatches(pkg, rel)) {
			return true
		}
	}
	for _, p := range r.FailedPkgs {
		if rel != "" && pkgMatches(p, rel) {
			return true
		}
	}
	return false
}
