package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer/config"
	"github.com/fluxbridge/fluxbridge/relayer/daemon"
	"github.com/fluxbridge/fluxbridge/signer"
)

const runUsage = "fluxbridge run --config FILE"

// runRun runs a relayer until SIGINT or SIGTERM.
func runRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fluxbridge run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "fluxbridge/config.toml", "the relayer's configuration file")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n\nRuns the relayer: its FLUX light node, chain plugins, peer exchange and lock → mint pipeline,\nuntil SIGINT or SIGTERM. Logs go to stderr.\n\nWith %s=FILE in the environment, it writes the Go heap profile\n(go tool pprof) to FILE on SIGUSR1 and when it stops.\n\noptions:\n", runUsage, heapProfileEnv)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return exitUsage
	}
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge run: %v\n", err)
		return exitUsage
	}
	log := newLogger(cfg.Log, stderr)
	pass, err := signer.Passphrase(signer.PassphraseSource{File: cfg.Relayer.PassphraseFile, Env: cfg.Relayer.PassphraseEnv,
		Prompt: cfg.Relayer.PassphraseFile == "" && cfg.Relayer.PassphraseEnv == ""}, "Passphrase of "+cfg.Relayer.Key.String()+": ", os.Stdin, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge run: %v\n", err)
		return exitCheck
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := daemon.Open(ctx, daemon.Options{Config: cfg, Passphrase: pass, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge run: %v\n", err)
		if fault.KindOf(err) == fault.Invalid || fault.KindOf(err) == fault.NotFound {
			return exitUsage
		}
		return exitCheck
	}
	log.Info("relayer started", "address", cfg.Relayer.Key.String(), "peer", d.PeerAddr(), "data_dir", cfg.Relayer.DataDir,
		"set", cfg.Signers.SetID, "members", len(cfg.Signers.Members), "threshold", cfg.Signers.Threshold)
	if n := cfg.Signers.Next; n != nil {
		log.Info("a next signer set is declared", "set", cfg.Signers.SetID+1, "members", len(n.Members), "threshold", n.Threshold,
			"activation", n.Activation)
	}
	heap := startHeapProfiler(os.Getenv(heapProfileEnv), func(err error) { log.Error("writing the heap profile", "err", err) })
	err = d.Run(ctx)
	if err := heap.Close(); err != nil {
		log.Error("writing the heap profile", "err", err)
	}
	if err != nil {
		log.Error("relayer stopped", "err", err)
		return exitCheck
	}
	log.Info("relayer stopped")
	return exitOK
}

// newLogger builds the slog logger of a config: JSON by default, text on a
// terminal (DESIGN §9).
func newLogger(c config.Log, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.Level}
	text := c.Format == "text"
	if c.Format == "" || c.Format == "auto" {
		text = isTerminal(w)
	}
	if text {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
