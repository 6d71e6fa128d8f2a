// Command benchtab reads `go test -bench` output (a file or stdin), prints
// the project's benchmark table — each figure beside the floor measured in
// the same run, their ratio, the target and whether it is met — and the gas
// table, and writes the same as JSON. `make bench` runs it on bench/raw.txt.
//
//	benchtab [-in bench/raw.txt] [-json bench/results.json]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/fluxbridge/fluxbridge/internal/benchtab"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchtab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "the go test -bench output to read (default stdin)")
	out := fs.String("json", "", "write the results as JSON to this file")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	r := stdin
	if *in != "" {
		f, err := os.Open(*in)
		if err != nil {
			fmt.Fprintln(stderr, "benchtab:", err)
			return 1
		}
		defer f.Close()
		r = f
	}
	parsed, err := benchtab.Parse(r)
	if err != nil {
		fmt.Fprintln(stderr, "benchtab:", err)
		return 1
	}
	rep := benchtab.NewReport(parsed, benchtab.Specs, benchtab.Env{Go: runtime.Version(), Date: time.Now(), CPUs: runtime.NumCPU()})
	if err := rep.WriteTable(stdout); err != nil {
		fmt.Fprintln(stderr, "benchtab:", err)
		return 1
	}
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(stderr, "benchtab:", err)
			return 1
		}
		err = rep.WriteJSON(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			fmt.Fprintln(stderr, "benchtab:", err)
			return 1
		}
		fmt.Fprintf(stdout, "results written to %s\n", *out)
	}
	return 0
}
