package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/fluxtest"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

const simnetUsage = "fluxbridge flux simnet [--listen HOST:PORT] [--blocks N] [--block-interval D] [--fluxnodes N] [--datadir DIR]"

// exitSimnetFailure is the exit status when the simulated network cannot
// start or its block production fails.
const exitSimnetFailure = 1

// simnetReady is the one JSON line `flux simnet` prints once it is serving.
type simnetReady struct {
	Listen string `json:"listen"`
	Height int32  `json:"height"`
	Tip    string `json:"tip"`
	Anchor string `json:"anchor"`
}

// runFluxSimnet runs a simulated FLUX network (SimNet) with one listener
// until SIGINT or SIGTERM: it mines --blocks blocks first, writes the
// fluxnode snapshot at genesis to DIR/anchor.json (the light node's anchor)
// when --datadir is given, prints one JSON line {listen, height, tip,
// anchor}, then serves (mining every --block-interval if set).
func runFluxSimnet(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fluxbridge flux simnet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:"+strconv.Itoa(int(params.SimNet.DefaultPort)), "listen address host:port (port 0 picks a free port)")
	blocks := fs.Int("blocks", 0, "blocks to mine before serving")
	interval := fs.Duration("block-interval", 0, "mine a block every interval while serving (0: never)")
	fluxnodes := fs.Int("fluxnodes", fluxtest.DefaultFluxnodes, "test fluxnodes registered at genesis")
	dataDir := fs.String("datadir", "", "directory to write anchor.json (the genesis fluxnode snapshot) into")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n\nPrints one JSON line {\"listen\",\"height\",\"tip\",\"anchor\"} once serving, then runs until SIGINT or SIGTERM.\n\noptions:\n", simnetUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 0 || *blocks < 0 || *interval < 0 || *listen == "" {
		fmt.Fprintln(stderr, "fluxbridge flux simnet: want no positional arguments, --blocks >= 0, --block-interval >= 0 and a --listen address")
		fs.Usage()
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return simnet(ctx, simnetOptions{listen: *listen, blocks: *blocks, interval: *interval, fluxnodes: *fluxnodes, dataDir: *dataDir}, stdout, stderr)
}

type simnetOptions struct {
	listen    string
	blocks    int
	interval  time.Duration
	fluxnodes int
	dataDir   string
}

// simnet runs the network until ctx ends.
func simnet(ctx context.Context, o simnetOptions, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "fluxbridge flux simnet: "+format+"\n", a...)
		return exitSimnetFailure
	}
	net, err := fluxtest.New(fluxtest.Config{
		Fluxnodes:     o.fluxnodes,
		ListenAddrs:   []string{o.listen},
		BlockInterval: o.interval,
	})
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge flux simnet: %v\n", err)
		return exitUsage
	}
	start := time.Now()
	for done := 0; done < o.blocks; {
		if ctx.Err() != nil {
			return exitOK // interrupted while mining
		}
		k := min(o.blocks-done, 500)
		if err := net.Mine(k); err != nil {
			return fail("mining %d blocks: %v", o.blocks, err)
		}
		done += k
	}
	anchor := ""
	if o.dataDir != "" {
		if err := os.MkdirAll(o.dataDir, 0o700); err != nil {
			return fail("%v", err)
		}
		anchor = filepath.Join(o.dataDir, "anchor.json")
		if err := os.WriteFile(anchor, net.SnapshotJSON(), 0o600); err != nil {
			return fail("%v", err)
		}
	}
	if err := net.Start(ctx); err != nil {
		return fail("%v", err)
	}
	defer net.Close()
	height, tip := net.Tip()
	line, _ := json.Marshal(simnetReady{Listen: net.Addrs()[0], Height: height, Tip: tip.String(), Anchor: anchor})
	fmt.Fprintf(stdout, "%s\n", line)
	fmt.Fprintf(stderr, "fluxbridge flux simnet: %d blocks mined in %v; serving %s on %s\n",
		height, time.Since(start).Round(time.Millisecond), net.Params().Name, net.Addrs()[0])
	<-ctx.Done()
	if err := net.Err(); err != nil {
		return fail("block production stopped: %v", err)
	}
	return exitOK
}
