// Command fluxbridge-devnet runs a local fluxbridge network: simulated FLUX
// and EVM chains and n relayers (internal/devnet). `make demo` runs it. It is
// a binary of its own so that the operator's fluxbridge binary never links a
// simulated chain (DESIGN §2).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fluxbridge/fluxbridge/internal/devnet"
)

// Exit codes, as the fluxbridge binary's.
const (
	exitOK    = 0 // every lock of a demo was minted exactly once, or the devnet was stopped
	exitCheck = 1 // the devnet failed, or a demo lock was lost or minted twice
	exitUsage = 2 // bad usage, or the EVM plugin is missing
)

const usage = "fluxbridge-devnet [--dir DIR] [--relayers N] [--threshold K] [--evm-chains N] [--plugin PATH] [--chains-only] [--demo [--locks N] [--burns N] [--timeout D]]"

// ready is the JSON line the devnet prints once everything listens. Its
// evm_rpc, evm_chain_id, bridge and token are the first EVM chain's;
// evm_chains lists every EVM chain's.
type ready struct {
	FluxPeers []string   `json:"flux_peers"`
	EVMRPC    string     `json:"evm_rpc"`
	ChainID   uint64     `json:"evm_chain_id"`
	Bridge    string     `json:"bridge"`
	Token     string     `json:"token"`
	EVMChains []evmChain `json:"evm_chains"`
	Reserve   string     `json:"reserve_script"`
	Relayers  []string   `json:"relayer_configs"`
	Peers     []string   `json:"relayer_peers,omitempty"`
}

// evmChain is one EVM chain's endpoints in the ready line.
type evmChain struct {
	RPC     string `json:"rpc"`
	ChainID uint64 `json:"chain_id"`
	Bridge  string `json:"bridge"`
	Token   string `json:"token"`
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs a local network: simulated FLUX and EVM chains and n relayers
// (or, with --chains-only, their configurations for `fluxbridge run`). With
// --demo it makes user locks and exits when all are minted. It returns the
// process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fluxbridge-devnet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "directory for the relayers' data, keys and configs, created if missing (default: a temporary directory, removed at exit)")
	n := fs.Int("relayers", 3, "number of relayers n")
	k := fs.Int("threshold", 2, "signatures needed k (more than n/2)")
	evmChains := fs.Int("evm-chains", 1, fmt.Sprintf("number of simulated EVM chains, 1 to %d, with chain ids %d, %d, …; every relayer serves each, and --demo alternates its locks between them",
		devnet.MaxEVMChains, devnet.FirstEVMChainID, devnet.FirstEVMChainID+1))
	plugin := fs.String("plugin", "", "the fluxbridge-plugin-evm binary (default: next to this executable)")
	chainsOnly := fs.Bool("chains-only", false, "start only the chains and write the relayers' configs; run the relayers with `fluxbridge run`")
	demo := fs.Bool("demo", false, "make user locks and exit when every lock is minted (prints a final JSON line)")
	locks := fs.Int("locks", 20, "locks the demo makes")
	burns := fs.Int("burns", 20, "burns the demo makes after the mints, from several user accounts, at most --locks (0: none)")
	timeout := fs.Duration("timeout", 3*time.Minute, "how long the demo waits for the mints")
	fluxEvery := fs.Duration("flux-block", 250*time.Millisecond, "FLUX block interval")
	verbose := fs.Bool("v", false, "log the relayers' activity to stderr")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n\nPrints a JSON line with the endpoints once everything listens. With --demo, prints\n{\"locks\",\"minted\",\"double_mints\",\"lost\",\"p50_ms\",\"p99_ms\",\"burns\",\"released\",\"double_releases\",\"refunds\",…}\nat the end and exits 0 only if every lock was minted, every burn released and every refund paid exactly once.\n\noptions:\n", usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return exitUsage
	}
	if *n < 1 || *k < 1 || *k > *n || 2**k <= *n || *locks < 1 || *locks > devnet.MaxDemoLocks || *burns < 0 || *burns > *locks {
		fmt.Fprintf(stderr, "fluxbridge-devnet: want 1 ≤ n/2 < k ≤ n, 1 ≤ --locks ≤ %d and 0 ≤ --burns ≤ --locks (the burns spend what the locks minted)\n", devnet.MaxDemoLocks)
		return exitUsage
	}
	if *evmChains < 1 || *evmChains > devnet.MaxEVMChains {
		fmt.Fprintf(stderr, "fluxbridge-devnet: want 1 ≤ --evm-chains ≤ %d\n", devnet.MaxEVMChains)
		return exitUsage
	}
	if *plugin == "" {
		exe, err := os.Executable()
		if err == nil {
			*plugin = filepath.Join(filepath.Dir(exe), "fluxbridge-plugin-evm")
		}
	}
	if _, err := os.Stat(*plugin); err != nil {
		fmt.Fprintf(stderr, "fluxbridge-devnet: the EVM plugin %q: %v (build it with `make build`, or pass --plugin)\n", *plugin, err)
		return exitUsage
	}
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "fluxbridge-devnet-")
		if err != nil {
			fmt.Fprintf(stderr, "fluxbridge-devnet: %v\n", err)
			return exitCheck
		}
		defer os.RemoveAll(tmp)
		*dir = tmp
	}
	level := slog.LevelError
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := devnet.Start(ctx, devnet.Config{Dir: *dir, Plugin: *plugin, Relayers: *n, Threshold: *k, EVMChains: *evmChains, ChainsOnly: *chainsOnly,
		FluxBlockEvery: *fluxEvery, Coins: max(*locks, 16) + 2, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge-devnet: %v\n", err)
		return exitCheck
	}
	defer d.Close()
	r := ready{FluxPeers: d.Flux.Addrs(), EVMRPC: d.EVM.URL, ChainID: d.EVM.ChainID.Uint64(), Bridge: d.EVM.BridgeAddr.Hex(),
		Token: d.EVM.TokenAddr.Hex(), Reserve: fmt.Sprintf("%x", d.ReserveScript()), Relayers: d.ConfigPaths}
	for _, ch := range d.EVMs {
		r.EVMChains = append(r.EVMChains, evmChain{RPC: ch.URL, ChainID: ch.ChainID.Uint64(), Bridge: ch.BridgeAddr.Hex(), Token: ch.TokenAddr.Hex()})
	}
	for i := range *n {
		if rl := d.Relayer(i); rl != nil {
			r.Peers = append(r.Peers, rl.PeerAddr())
		}
	}
	line, _ := json.Marshal(r)
	fmt.Fprintln(stdout, string(line))
	if !*demo {
		<-ctx.Done()
		return exitOK
	}
	res, err := d.Demo(ctx, *locks, *burns, *timeout)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge-devnet: %v\n", err)
		return exitCheck
	}
	out, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(out))
	if !res.OK() {
		return exitCheck
	}
	return exitOK
}
