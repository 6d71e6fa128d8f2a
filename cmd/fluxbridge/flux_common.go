package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// inspectFlags are the options every `fluxbridge flux` inspection command shares.
type inspectFlags struct {
	fs      *flag.FlagSet
	network *string
}

func newInspectFlags(name, usage string, stderr io.Writer) *inspectFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &inspectFlags{fs: fs, network: fs.String("network", "mainnet", "network: mainnet, testnet, regtest or simnet")}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n\nThe hex argument may be \"-\" to read it from standard input.\n\noptions:\n", usage)
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\nexit status: 0 every check passed, 1 a check failed (\"error\" names the rule), 2 bad usage or undecodable input\n")
	}
	return f
}

// errUsage marks a command-line mistake; the message has already been printed.
var errUsage = errors.New("usage")

// parse parses args and returns the network and the decoded hex argument.
// Errors are printed to stderr; the caller exits with exitUsage.
func (f *inspectFlags) parse(args []string, stdin io.Reader, stderr io.Writer) (*params.Params, []byte, error) {
	if err := f.fs.Parse(args); err != nil {
		return nil, nil, errUsage
	}
	p, ok := params.ByName(*f.network)
	if !ok {
		fmt.Fprintf(stderr, "%s: unknown network %q (want mainnet, testnet, regtest or simnet)\n", f.fs.Name(), *f.network)
		return nil, nil, errUsage
	}
	if f.fs.NArg() != 1 {
		fmt.Fprintf(stderr, "%s: want exactly one hex argument, got %d\n", f.fs.Name(), f.fs.NArg())
		f.fs.Usage()
		return nil, nil, errUsage
	}
	arg := f.fs.Arg(0)
	if arg == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 8<<20))
		if err != nil {
			fmt.Fprintf(stderr, "%s: reading standard input: %v\n", f.fs.Name(), err)
			return nil, nil, errUsage
		}
		arg = string(b)
	}
	raw, err := hex.DecodeString(strings.TrimSpace(arg))
	if err != nil {
		return p, nil, fmt.Errorf("input is not hex: %w", err)
	}
	return p, raw, nil
}

// stdin is the process's standard input; tests replace it.
var stdin io.Reader = os.Stdin

// writeJSON prints v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the report types always marshal; a failing writer has nowhere to report to
}

// decodeFailure reports undecodable input as JSON and returns exitUsage.
func decodeFailure(stdout, stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
	writeJSON(stdout, map[string]string{"error": "undecodable", "detail": err.Error()})
	return exitUsage
}

// checks collects the outcome of each check and remembers the first failure.
type checks struct {
	firstCode   string
	firstDetail string
}

// record notes a failed check; the first one becomes the report's error.
func (c *checks) record(code string, err error) {
	if err == nil || c.firstCode != "" {
		return
	}
	c.firstCode, c.firstDetail = code, err.Error()
}

func (c *checks) exitCode() int {
	if c.firstCode != "" {
		return exitCheck
	}
	return exitOK
}
