package benchtab

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Report is what bench/results.json holds.
type Report struct {
	Go     string `json:"go"`
	Date   string `json:"date"`
	CPUs   int    `json:"cpus"`
	CPU    string `json:"cpu,omitempty"`
	Goos   string `json:"goos,omitempty"`
	Goarch string `json:"goarch,omitempty"`

	Figures  []Figure `json:"figures"`
	GasTable GasTable `json:"gas_table"`
	// Metrics are every benchmark of the run: the median of each unit.
	Metrics    []RawMetrics `json:"metrics"`
	Failed     []string     `json:"failed_benchmarks,omitempty"`
	FailedPkgs []string     `json:"failed_packages,omitempty"`
}

// RawMetrics is one benchmark's metrics; Samples is set when it ran more
// than once (-count).
type RawMetrics struct {
	Pkg     string               `json:"pkg"`
	Name    string               `json:"name"`
	Procs   int                  `json:"procs"`
	N       int64                `json:"n"`
	Metrics map[string]float64   `json:"metrics"`
	Samples map[string][]float64 `json:"samples,omitempty"`
}

// Env is what the report records of the machine and toolchain.
type Env struct {
	Go   string
	Date time.Time
	CPUs int
}

// NewReport evaluates every spec and the gas table on run.
func NewReport(run *Run, specs []Spec, env Env) Report {
	r := Report{Go: env.Go, Date: env.Date.UTC().Format(time.RFC3339), CPUs: env.CPUs, CPU: run.CPU, Goos: run.Goos, Goarch: run.Goarch,
		GasTable: Gas(run), Failed: run.Failed, FailedPkgs: run.FailedPkgs}
	for _, s := range specs {
		r.Figures = append(r.Figures, Evaluate(run, s))
	}
	for _, res := range run.Results {
		m := RawMetrics{Pkg: res.Pkg, Name: res.Name, Procs: res.Procs, N: res.N, Metrics: map[string]float64{}}
		for unit, s := range res.Samples {
			m.Metrics[unit], _ = res.Value(unit)
			if len(s) > 1 {
				if m.Samples == nil {
					m.Samples = map[string][]float64{}
				}
				m.Samples[unit] = s
			}
		}
		r.Metrics = append(r.Metrics, m)
	}
	return r
}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteTable writes the figures as one aligned table, the floors' meaning
// under it, then the gas table and any failures.
func (r Report) WriteTable(w io.Writer) error {
	rows := [][]string{{"figure", "value", "floor (same run)", "ratio", "target", "met?"}}
	var notes []string
	for _, f := range r.Figures {
		value, floor, ratio := "—", "—", "—"
		switch {
		case f.Value == nil:
			value = f.Status
		default:
			value = formatValue(*f.Value, f.Unit) + " " + f.Unit
		}
		switch {
		case f.Floor != nil:
			floor = formatValue(*f.Floor, f.Unit) + " " + f.Unit
			ratio = formatRatio(*f.Ratio)
		case f.FloorIs != "" && f.Value != nil:
			floor = "not run"
		}
		if f.FloorIs != "" {
			notes = append(notes, fmt.Sprintf("  floor of %q: %s", f.Figure, f.FloorIs))
		}
		rows = append(rows, []string{f.Figure, value, floor, ratio, f.Target, f.Status})
	}
	var b strings.Builder
	writeAligned(&b, rows, []bool{false, true, true, true, false, false})
	for _, n := range notes {
		b.WriteString(n + "\n")
	}
	if g := r.GasTable; len(g.Rows) > 0 {
		b.WriteString("\ngas per mint to a new holder, by quorum and batch size (" + strings.Join(g.Sources, ", ") + ")\n")
		gr := [][]string{append([]string{"quorum"}, g.Columns...)}
		right := []bool{false}
		for _, row := range g.Rows {
			cells := []string{row.Quorum}
			for _, c := range g.Columns {
				v, ok := row.Gas[c]
				if !ok {
					cells = append(cells, "not run")
					continue
				}
				cells = append(cells, formatValue(v, "gas"))
			}
			gr = append(gr, cells)
		}
		for range g.Columns {
			right = append(right, true)
		}
		writeAligned(&b, gr, right)
	} else {
		b.WriteString("\ngas per mint by quorum and batch size: not run\n")
	}
	if len(r.Failed) > 0 || len(r.FailedPkgs) > 0 {
		b.WriteString("\nfailed: " + strings.Join(slices.Concat(r.Failed, r.FailedPkgs), "; ") + "\n")
	}
	fmt.Fprintf(&b, "\n%s, %d CPUs (%s), %s\n", r.Go, r.CPUs, r.CPU, r.Date)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeAligned writes rows as columns two spaces apart, a rule under the
// first row; right aligns the columns it marks.
func writeAligned(b *strings.Builder, rows [][]string, right []bool) {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for ri, row := range rows {
		var line strings.Builder
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				line.WriteString("  ")
			}
			if right[i] && ri > 0 {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
		if ri == 0 {
			total := 2 * (len(widths) - 1)
			for _, w := range widths {
				total += w
			}
			b.WriteString(strings.Repeat("-", total) + "\n")
		}
	}
}

// formatValue formats v for unit: thousands separated above 1,000,
// otherwise with two or one decimals.
func formatValue(v float64, unit string) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'f', -1, 64)
	case math.Abs(math.Round(v)) >= 1000 || unit == "gas":
		return thousands(int64(math.Round(v)))
	case math.Abs(v) >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case math.Abs(v) >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// formatRatio formats a ratio with three significant digits.
func formatRatio(r float64) string {
	switch {
	case r >= 10:
		return strconv.FormatFloat(r, 'f', 1, 64) + "×"
	case r >= 0.1:
		return strconv.FormatFloat(r, 'f', 2, 64) + "×"
	default:
		return strconv.FormatFloat(r, 'f', 3, 64) + "×"
	}
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []string
	for len(s) > 3 {
		out = append([]string{s[len(s)-3:]}, out...)
		s = s[:len(s)-3]
	}
	out = append([]string{s}, out...)
	res := strings.Join(out, ",")
	if neg {
		res = "-" + res
	}
	return res
}

// trimFloat formats v with as few digits as it needs.
func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
