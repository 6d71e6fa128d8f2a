package benchtab

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

// figure returns the evaluated figure named name.
func figure(t *testing.T, figs []Figure, name string) Figure {
	t.Helper()
	for _, f := range figs {
		if f.Figure == name {
			return f
		}
	}
	t.Fatalf("no figure %q", name)
	return Figure{}
}

func evaluateAll(run *Run) []Figure {
	var out []Figure
	for _, s := range Specs {
		out = append(out, Evaluate(run, s))
	}
	return out
}

func checkFigure(t *testing.T, f Figure, value, floor float64, status string) {
	t.Helper()
	if f.Status != status {
		t.Errorf("%s: status %q, want %q", f.Figure, f.Status, status)
	}
	if f.Value == nil || !near(*f.Value, value) {
		t.Errorf("%s: value %v, want %v", f.Figure, deref(f.Value), value)
	}
	if math.IsNaN(floor) {
		if f.Floor != nil || f.Ratio != nil {
			t.Errorf("%s: floor %v, ratio %v, want none", f.Figure, deref(f.Floor), deref(f.Ratio))
		}
	} else if f.Floor == nil || !near(*f.Floor, floor) || f.Ratio == nil || !near(*f.Ratio, value/floor) {
		t.Errorf("%s: floor %v ratio %v, want %v and %v", f.Figure, deref(f.Floor), deref(f.Ratio), floor, value/floor)
	}
	if f.Met == nil || *f.Met != (status == StatusMet) {
		t.Errorf("%s: met %v with status %q", f.Figure, f.Met, f.Status)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// Every figure of the sample, computed by hand from testdata/make-bench.txt.
func TestEvaluateSample(t *testing.T) {
	figs := evaluateAll(sample(t))
	none := math.NaN()
	checkFigure(t, figure(t, figs, "PoN header + producer signature"),
		samplePoN/1000, (sampleSHA144+sampleSHA72+sampleSecpVerify)/1000, samplePoNStatus)
	checkFigure(t, figure(t, figs, "light-node sync over loopback, 50,000 blocks"),
		sampleSyncRate, 2*sampleSyncFloorRate, StatusMissed)
	checkFigure(t, figure(t, figs, "light-node sync: peak RSS at 50k vs 10k blocks"),
		sampleSyncRSS50k, sampleSyncRSS10k, StatusMet)
	checkFigure(t, figure(t, figs, "lock → mint, 500-lock burst, 3 relayers"), sampleLockRate, none, StatusMissed)
	checkFigure(t, figure(t, figs, "lock → mint: p99 after finality"), sampleLockP99, none, StatusMissed)
	checkFigure(t, figure(t, figs, "gas per mint to a new holder, 10-of-15, batch of 100"), sampleGas10of15x100, none, StatusMissed)
	checkFigure(t, figure(t, figs, "journal entry check"), sampleJournalVerify/1000, sampleSecpVerify/1000, StatusMissed)
	checkFigure(t, figure(t, figs, "relayer + plugin RSS after 10,000 transfers"),
		sampleRelayerRSS10k+samplePluginRSS10k, sampleRelayerRSS1k+samplePluginRSS1k, StatusMissed)
	// The sync's own ratio agrees with the one computed here.
	f := figure(t, figs, "light-node sync over loopback, 50,000 blocks")
	if math.Abs(*f.Ratio-sampleSyncOfTwoCores) > 0.001 {
		t.Errorf("sync ratio %v, the benchmark's of_two_core_floor %v", *f.Ratio, sampleSyncOfTwoCores)
	}
}

func TestTargetMet(t *testing.T) {
	atMost := Target{OfRatio: true, AtMost: true, Bound: 1.3}
	atLeast := Target{AtMost: false, Bound: 500}
	for _, c := range []struct {
		t    Target
		v    float64
		want bool
	}{
		{atMost, 1.3, true}, {atMost, 1.29, true}, {atMost, 1.3000001, false}, {atMost, math.NaN(), false},
		{atLeast, 500, true}, {atLeast, 499.9, false}, {atLeast, 1e9, true}, {atLeast, math.NaN(), false},
	} {
		if got := c.t.Met(c.v); got != c.want {
			t.Errorf("%+v.Met(%v) = %v, want %v", c.t, c.v, got, c.want)
		}
	}
	if s := atMost.string("µs"); s != "≤ 1.3× floor" {
		t.Errorf("ratio target %q", s)
	}
	if s := (Target{AtMost: true, Bound: 55_000}).string("gas"); s != "≤ 55,000 gas" {
		t.Errorf("value target %q", s)
	}
}

// A ratio is judged on the ratio, a value target on the value, whichever
// side of the bound the figure lies.
func TestEvaluateJudges(t *testing.T) {
	run := parse(t, `pkg: example.com/m/a
BenchmarkV-2   	100	  130 ns/op	 600 things/s
BenchmarkF-2   	100	  100 ns/op
BenchmarkSlow-2   	100	  131 ns/op
`)
	ratio := func(name string, bound float64) Spec {
		return Spec{Figure: name, Unit: "µs", Value: []Term{one("a", name, "ns/op")}, Floor: []Term{one("a", "BenchmarkF", "ns/op")},
			Target: Target{OfRatio: true, AtMost: true, Bound: bound}}
	}
	if f := Evaluate(run, ratio("BenchmarkV", 1.3)); f.Status != StatusMet || !near(*f.Ratio, 1.3) || !near(*f.Value, 0.13) {
		t.Errorf("at the bound: %+v", f)
	}
	if f := Evaluate(run, ratio("BenchmarkSlow", 1.3)); f.Status != StatusMissed || *f.Met {
		t.Errorf("above the bound: %+v", f)
	}
	value := Spec{Figure: "v", Unit: "things/s", Value: []Term{one("a", "BenchmarkV", "things/s")}, Target: Target{Bound: 500}}
	if f := Evaluate(run, value); f.Status != StatusMet || *f.Value != 600 {
		t.Errorf("value target: %+v", f)
	}
	value.Target.Bound = 601
	if f := Evaluate(run, value); f.Status != StatusMissed {
		t.Errorf("value target missed: %+v", f)
	}
	// Factors and alternatives.
	twice := Spec{Figure: "2f", Unit: "µs", Value: []Term{{Refs: []Ref{{"a", "BenchmarkNone", "ns/op"}, {"", "BenchmarkV", "ns/op"}}}},
		Floor: []Term{{Refs: []Ref{{"a", "BenchmarkF", "ns/op"}}, Times: 2}}, Target: Target{OfRatio: true, AtMost: true, Bound: 1}}
	if f := Evaluate(run, twice); f.Status != StatusMet || !near(*f.Ratio, 0.65) || len(f.Sources) != 2 || !strings.Contains(f.Sources[0], "BenchmarkV") {
		t.Errorf("factor and alternative: %+v", f)
	}
}

// A figure whose benchmark is missing is "not run" (or "failed"), and one
// whose floor is missing is not judged: never a crash.
func TestEvaluateMissing(t *testing.T) {
	run := parse(t, `pkg: github.com/fluxbridge/fluxbridge/relayer/journal
BenchmarkVerify-2   	22852	     54281 ns/op
FAIL	github.com/fluxbridge/fluxbridge/internal/devnet [build failed]
`)
	figs := evaluateAll(run)
	j := figure(t, figs, "journal entry check")
	if j.Status != StatusNoFloor || j.Met != nil || j.Value == nil || j.Ratio != nil || len(j.Missing) != 1 {
		t.Errorf("journal without its floor: %+v", j)
	}
	if f := figure(t, figs, "PoN header + producer signature"); f.Status != StatusNotRun || f.Value != nil || f.Met != nil {
		t.Errorf("header not run: %+v", f)
	}
	if f := figure(t, figs, "lock → mint, 500-lock burst, 3 relayers"); f.Status != StatusFailed || f.Met != nil {
		t.Errorf("devnet failed to build: %+v", f)
	}
	var b bytes.Buffer
	rep := NewReport(run, Specs, Env{Go: "go1.26.8", Date: time.Unix(0, 0), CPUs: 2})
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"not run", "floor not run", "failed", "54.3 µs", "gas per mint by quorum and batch size: not run",
		"failed: github.com/fluxbridge/fluxbridge/internal/devnet"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
}

func TestGasTableSample(t *testing.T) {
	g := Gas(sample(t))
	if strings.Join(g.Columns, ",") != "single,batch 1,batch 10,batch 100" {
		t.Fatalf("columns %q", g.Columns)
	}
	var quorums []string
	for _, r := range g.Rows {
		quorums = append(quorums, r.Quorum)
		if len(r.Gas) != 4 {
			t.Errorf("%s: %v", r.Quorum, r.Gas)
		}
	}
	if strings.Join(quorums, ",") != "3of4,5of7,10of15" {
		t.Fatalf("rows %q", quorums)
	}
	if got := g.Rows[2].Gas["batch 100"]; got != sampleGas10of15x100 {
		t.Errorf("10of15 batch 100: %v", got)
	}
	if got := g.Rows[0].Gas["single"]; got != sampleGas3of4Single {
		t.Errorf("3of4 single: %v", got)
	}
}

// contracts/evm's own batch figures win over the copy in mintgas.
func TestGasTablePrefersContracts(t *testing.T) {
	run := parse(t, `pkg: github.com/fluxbridge/fluxbridge/internal/benchtab/mintgas
BenchmarkMintBatchGas/10of15/batch=100-2   	30	  35049134 ns/op	  56578 gas/mint
BenchmarkMintBatchGas/3of4/batch=10-2   	30	  35049134 ns/op	  62008 gas/mint
pkg: github.com/fluxbridge/fluxbridge/contracts/evm
BenchmarkMintGas/10of15/batch=100-2   	30	  35049134 ns/op	  50000 gas/mint
BenchmarkMintGas/10of15-2   	30	  35049134 ns/op	  168663 gas/mint
BenchmarkMintGas/badname-2   	30	  35049134 ns/op	  1 gas/mint
`)
	g := Gas(run)
	if strings.Join(g.Columns, ",") != "single,batch 10,batch 100" || len(g.Rows) != 2 || g.Rows[1].Gas["batch 100"] != 50000 {
		t.Fatalf("%+v", g)
	}
	if f := Evaluate(run, Specs[5]); f.Status != StatusMet || *f.Value != 50000 {
		t.Fatalf("gas figure: %+v", f)
	}
}

func TestReportJSON(t *testing.T) {
	rep := NewReport(sample(t), Specs, Env{Go: "go1.26.8", Date: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), CPUs: 2})
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Go      string `json:"go"`
		Date    string `json:"date"`
		CPUs    int    `json:"cpus"`
		Figures []struct {
			Figure string   `json:"figure"`
			Value  *float64 `json:"value"`
			Unit   string   `json:"unit"`
			Floor  *float64 `json:"floor"`
			Ratio  *float64 `json:"ratio"`
			Target string   `json:"target"`
			Met    *bool    `json:"met"`
		} `json:"figures"`
		GasTable struct {
			Rows []struct {
				Quorum string             `json:"quorum"`
				Gas    map[string]float64 `json:"gas"`
			} `json:"rows"`
		} `json:"gas_table"`
		Metrics []struct {
			Pkg     string             `json:"pkg"`
			Name    string             `json:"name"`
			Metrics map[string]float64 `json:"metrics"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Go != "go1.26.8" || got.Date != "2026-01-02T03:04:05Z" || got.CPUs != 2 || len(got.Figures) != len(Specs) || len(got.GasTable.Rows) != 3 {
		t.Fatalf("%+v", got)
	}
	pon := got.Figures[0]
	if pon.Value == nil || pon.Floor == nil || pon.Ratio == nil || pon.Met == nil || pon.Unit != "µs" || pon.Target != "≤ 1.3× floor" {
		t.Fatalf("PoN figure %+v", pon)
	}
	found := false
	for _, m := range got.Metrics {
		if strings.HasSuffix(m.Pkg, "/internal/devnet") && m.Name == "BenchmarkRelayerRSS" {
			found = m.Metrics["plugin-rss-1k-MiB"] == samplePluginRSS1k
		}
	}
	if !found {
		t.Fatal("the raw metrics lack BenchmarkRelayerRSS's plugin-rss-1k-MiB")
	}
}

// The table's columns line up: every row's cells start where the header's do.
func TestWriteTableAligned(t *testing.T) {
	rep := NewReport(sample(t), Specs, Env{Go: "go1.26.8", Date: time.Unix(0, 0), CPUs: 2})
	var b bytes.Buffer
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	header := []rune(lines[0])
	metAt := strings.Index(lines[0], "met?")
	metCol := len([]rune(lines[0][:metAt]))
	if metAt < 0 || !strings.HasPrefix(lines[1], "---") {
		t.Fatalf("header %q", lines[0])
	}
	for _, l := range lines[2 : 2+len(Specs)] {
		r := []rune(l)
		if len(r) <= metCol || r[metCol-1] != ' ' || r[metCol] == ' ' {
			t.Errorf("row not aligned with the header %q:\n%s", string(header), l)
		}
	}
	if !strings.Contains(b.String(), "10of15") || !strings.Contains(b.String(), "batch 100") {
		t.Errorf("no gas table:\n%s", b.String())
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		v    float64
		unit string
		want string
	}{
		{56578, "gas", "56,578"}, {1234567.4, "blocks/s", "1,234,567"}, {999.6, "ms", "1,000"}, {123.4, "ms", "123"},
		{30.335, "µs", "30.3"}, {1.5, "MiB", "1.50"}, {-1234, "x", "-1,234"},
	} {
		if got := formatValue(c.v, c.unit); got != c.want {
			t.Errorf("formatValue(%v, %q) = %q, want %q", c.v, c.unit, got, c.want)
		}
	}
	if got := formatRatio(0.09857); got != "0.099×" {
		t.Errorf("formatRatio = %q", got)
	}
	if got := formatRatio(1.0414); got != "1.04×" {
		t.Errorf("formatRatio = %q", got)
	}
}
