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
	"syscall"
	"time"

	"github.com/fluxbridge/fluxbridge/internal/devnet"
	"github.com/fluxbridge/fluxbridge/relayer/config"
)

const devnetUsage = "fluxbridge devnet [--dir DIR] [--relayers N] [--threshold K] [--plugin PATH] [--chains-only] [--demo [--locks N] [--timeout D]]"

// devnetReady is the JSON line `devnet` prints once everything listens.
type devnetReady struct {
	FluxPeers []string `json:"flux_peers"`
	EVMRPC    string   `json:"evm_rpc"`
	ChainID   uint64   `json:"evm_chain_id"`
	Bridge    string   `json:"bridge"`
	Token     string   `json:"token"`
	Reserve   string   `json:"reserve_script"`
	Relayers  []string `json:"relayer_configs"`
	Peers     []string `json:"relayer_peers,omitempty"`
}

// runDevnet runs a local network: simulated FLUX and EVM chains and n
// relayers (or, with --chains-only, their configurations for `fluxbridge
// run`). With --demo it makes user locks and exits when all are minted.
func runDevnet(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fluxbridge devnet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "directory for the relayers' data, keys and configs (default: a temporary directory, removed at exit)")
	n := fs.Int("relayers", 3, "number of relayers n")
	k := fs.Int("threshold", 2, "signatures needed k (more than n/2)")
	plugin := fs.String("plugin", "", "the fluxbridge-plugin-evm binary (default: next to this executable)")
	chainsOnly := fs.Bool("chains-only", false, "start only the chains and write the relayers' configs; run the relayers with `fluxbridge run`")
	demo := fs.Bool("demo", false, "make user locks and exit when every lock is minted (prints a final JSON line)")
	locks := fs.Int("locks", 20, "locks the demo makes")
	timeout := fs.Duration("timeout", 3*time.Minute, "how long the demo waits for the mints")
	fluxEvery := fs.Duration("flux-block", 250*time.Millisecond, "FLUX block interval")
	verbose := fs.Bool("v", false, "log the relayers' activity to stderr")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n\nPrints a JSON line with the endpoints once everything listens. With --demo, prints\n{\"locks\",\"minted\",\"double_mints\",\"lost\",\"p50_ms\",\"p99_ms\",…} at the end and exits 0 only if\nevery lock was minted exactly once.\n\noptions:\n", devnetUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return exitUsage
	}
	if *n < 1 || *k < 1 || *k > *n || 2**k <= *n || *locks < 1 || *locks > 5000 {
		fmt.Fprintln(stderr, "fluxbridge devnet: want 1 ≤ n/2 < k ≤ n and 1 ≤ --locks ≤ 5000")
		return exitUsage
	}
	if *plugin == "" {
		exe, err := os.Executable()
		if err == nil {
			*plugin = filepath.Join(filepath.Dir(exe), "fluxbridge-plugin-evm")
		}
	}
	if _, err := os.Stat(*plugin); err != nil {
		fmt.Fprintf(stderr, "fluxbridge devnet: the EVM plugin %q: %v (build it with `make build`, or pass --plugin)\n", *plugin, err)
		return exitUsage
	}
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "fluxbridge-devnet-")
		if err != nil {
			fmt.Fprintf(stderr, "fluxbridge devnet: %v\n", err)
			return exitCheck
		}
		defer os.RemoveAll(tmp)
		*dir = tmp
	}
	log := newLogger(logConfig(*verbose), stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := devnet.Start(ctx, devnet.Config{Dir: *dir, Plugin: *plugin, Relayers: *n, Threshold: *k, ChainsOnly: *chainsOnly,
		FluxBlockEvery: *fluxEvery, Coins: max(*locks, 16), Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge devnet: %v\n", err)
		return exitCheck
	}
	defer d.Close()
	ready := devnetReady{FluxPeers: d.Flux.Addrs(), EVMRPC: d.EVM.URL, ChainID: d.EVM.ChainID.Uint64(), Bridge: d.EVM.BridgeAddr.Hex(),
		Token: d.EVM.TokenAddr.Hex(), Reserve: fmt.Sprintf("%x", d.ReserveScript()), Relayers: d.ConfigPaths}
	for i := range *n {
		if r := d.Relayer(i); r != nil {
			ready.Peers = append(ready.Peers, r.PeerAddr())
		}
	}
	line, _ := json.Marshal(ready)
	fmt.Fprintln(stdout, string(line))
	if !*demo {
		<-ctx.Done()
		return exitOK
	}
	res, err := d.Demo(ctx, *locks, *timeout)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge devnet: %v\n", err)
		return exitCheck
	}
	out, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(out))
	if !res.OK() {
		return exitCheck
	}
	return exitOK
}

func logConfig(verbose bool) config.Log {
	if verbose {
		return config.Log{Level: "info", Format: "text"}
	}
	return config.Log{Level: "error", Format: "text"}
}
