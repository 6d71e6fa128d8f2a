package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

const syncUsage = "fluxbridge flux sync --network NET --peer HOST:PORT [--peer …] [--anchor FILE] --datadir DIR [--until-height H] [--json]"

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// syncResult is the final line `flux sync --json` prints.
type syncResult struct {
	StartHeight  int32   `json:"start_height"`
	Height       int32   `json:"height"`
	Tip          string  `json:"tip"`
	BlocksPerSec float64 `json:"blocks_per_sec"`
	Peers        int     `json:"peers"`
	Fluxnodes    int     `json:"fluxnodes"`
}

func runFluxSync(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fluxbridge flux sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	network := fs.String("network", "mainnet", "network: mainnet, testnet, regtest or simnet")
	var peers stringList
	fs.Var(&peers, "peer", "peer address host:port (repeatable); with none, the network's DNS seeds are used")
	anchorFile := fs.String("anchor", "", "fluxnode-set snapshot at the anchor, as fluxd's getfluxnodesnapshot prints it; above genesis, the headers from a built-in checkpoint and the blocks the set needs are fetched from the peers and verified (only on an empty data directory; otherwise it must name the stored anchor)")
	dataDir := fs.String("datadir", "", "directory of the light node's database (required); restarting resumes from it")
	until := fs.Int64("until-height", -1, "stop once the verified tip reaches this height")
	asJSON := fs.Bool("json", false, "print a final JSON line {height, tip, blocks_per_sec}")
	verbose := fs.Bool("v", false, "log at debug level")
	every := fs.Duration("progress-interval", 5*time.Second, "how often to log progress when standard error is not a terminal")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the sync to this file (go tool pprof reads it)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n\noptions:\n", syncUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	p, ok := params.ByName(*network)
	if !ok || *dataDir == "" || fs.NArg() != 0 {
		fmt.Fprintf(stderr, "fluxbridge flux sync: need a known --network and --datadir, and no positional arguments\n")
		fs.Usage()
		return exitUsage
	}
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		fmt.Fprintf(stderr, "fluxbridge flux sync: %v\n", err)
		return exitUsage
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "fluxbridge flux sync: --cpuprofile: %v\n", err)
			return exitUsage
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	if isTerminal(stderr) {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	snap, err := flux.ReadSnapshot(*anchorFile, p)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge flux sync: --anchor: %v\n", err)
		return exitUsage
	}
	anchor, err := flux.LoadAnchor(ctx, snap, flux.AnchorSource{Params: p, Peers: peers, DataDir: *dataDir, Logger: logger})
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge flux sync: --anchor: %v\n", err)
		return exitCheck
	}
	node, err := flux.New(flux.Config{
		Params:      p,
		DataDir:     *dataDir,
		Peers:       peers,
		UseDNSSeeds: len(peers) == 0,
		Anchor:      anchor,
		Logger:      logger,
	})
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge flux sync: %v\n", err)
		return exitCheck
	}
	defer node.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	startHeight := node.Progress().Height
	runErr := make(chan error, 1) // buffered: Run's result is read once, after cancel
	go func() { runErr <- node.Run(ctx) }()

	done := make(chan error, 1) // buffered: the waiter may finish after we stopped listening
	if *until >= 0 {
		go func() { done <- node.WaitForHeight(ctx, int32(*until)) }()
	}
	bar := newProgressBar(stderr, int32(*until))
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	logTick := time.NewTicker(max(*every, 10*time.Millisecond))
	defer logTick.Stop()
	var err2 error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err2 = <-done:
			break loop
		case err2 = <-runErr:
			runErr <- err2 // keep it for the final read below
			break loop
		case <-tick.C:
			bar.draw(node.Progress())
		case <-logTick.C:
			if !bar.on {
				pr := node.Progress()
				logger.Info("progress", "height", pr.Height, "tip", pr.Tip, "header_height", pr.HeaderHeight,
					"best_peer_height", pr.BestPeerHeight, "peers", pr.Peers, "fluxnodes", pr.Fluxnodes)
			}
		}
	}
	pr := node.Progress() // before cancelling, while the peers are still connected
	cancel()
	if err := <-runErr; err != nil && err2 == nil {
		err2 = err
	}
	bar.finish(pr)
	if err2 != nil && !errors.Is(err2, context.Canceled) {
		fmt.Fprintf(stderr, "fluxbridge flux sync: %v\n", err2)
		return exitCheck
	}
	if *asJSON {
		elapsed := time.Since(start).Seconds()
		writeLine(stdout, syncResult{
			StartHeight:  startHeight,
			Height:       pr.Height,
			Tip:          pr.Tip,
			BlocksPerSec: float64(pr.Height-startHeight) / max(elapsed, 1e-9),
			Peers:        pr.Peers,
			Fluxnodes:    pr.Fluxnodes,
		})
	}
	if *until >= 0 && pr.Height < int32(*until) {
		return exitCheck // interrupted before the requested height
	}
	return exitOK
}
