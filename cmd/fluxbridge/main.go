// Command fluxbridge is the one binary of the fluxbridge relayer network.
//
// It runs a relayer (`init`, `keys`, `run`, `status`), and the inspection
// commands operators and auditors use to look at FLUX chain data (`flux
// header`, `flux tx`), the light node's sync (`flux sync`) and the simulated
// FLUX network (`flux simnet`). admin, swap and audit follow in later waves
// (DESIGN §9). The local devnet of simulated chains and relayers is a binary
// of its own, fluxbridge-devnet, so that this one never links a simulated
// EVM chain.
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit codes shared by every inspection command.
const (
	exitOK       = 0 // every check that could be made passed
	exitCheck    = 1 // a consensus or policy check failed
	exitUsage    = 2 // bad usage or undecodable input
	usageSummary = `usage: fluxbridge <command> [arguments]

commands:
  init          create a relayer directory: keys and a commented config.toml
  keys          new | show | export-public: the relayer's encrypted keys
  run           run a relayer (light node, chain plugins, peers, lock → mint)
  status        per-chain heads and lag, pending transfers, peers of a relayer
  flux header   decode and check a FLUX block header
  flux tx       decode and check a FLUX transaction
  flux sync     sync and verify the FLUX chain with the embedded light node
  flux simnet   run a simulated FLUX network node

Run "fluxbridge <command> -h" for the options of a command.
`
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageSummary)
		return exitUsage
	}
	switch args[0] {
	case "flux":
		return runFlux(args[1:], stdout, stderr)
	case "init":
		return runInit(args[1:], stdout, stderr)
	case "keys":
		return runKeys(args[1:], stdout, stderr)
	case "run":
		return runRun(args[1:], stdout, stderr)
	case "status":
		return runStatus(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usageSummary)
		return exitOK
	case "devnet":
		fmt.Fprintln(stderr, "fluxbridge: the local devnet is its own binary now, so the operator's binary links no simulated chain: run fluxbridge-devnet (make demo)")
		return exitUsage
	default:
		fmt.Fprintf(stderr, "fluxbridge: unknown command %q\n\n%s", args[0], usageSummary)
		return exitUsage
	}
}

func runFlux(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageSummary)
		return exitUsage
	}
	switch args[0] {
	case "header":
		return runFluxHeader(args[1:], stdout, stderr)
	case "tx":
		return runFluxTx(args[1:], stdout, stderr)
	case "sync":
		return runFluxSync(args[1:], stdout, stderr)
	case "simnet":
		return runFluxSimnet(args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "fluxbridge flux: unknown command %q (want header, tx, sync or simnet)\n", args[0])
		return exitUsage
	}
}
