package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/relayer/config"
	"github.com/fluxbridge/fluxbridge/signer"
)

const initUsage = "fluxbridge init [--dir DIR] [--network mainnet|testnet|simnet] [--passphrase-file F | --passphrase-env V] [--force]"

// runInit creates a relayer directory: a keystore with a new secp256k1 key
// (and an ed25519 key for Solana), and a commented config.toml naming this
// relayer as the only member so far.
func runInit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fluxbridge init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "fluxbridge", "directory to create (0700)")
	var network config.Network
	fs.TextVar(&network, "network", config.Network{Params: params.MainNet}, "FLUX network: mainnet, testnet or simnet")
	force := fs.Bool("force", false, "overwrite an existing config.toml")
	pf := addPassphraseFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n\nCreates DIR/keys (a new secp256k1 relayer key and an ed25519 key) and DIR/config.toml.\n\noptions:\n", initUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return exitUsage
	}
	cfgPath := filepath.Join(*dir, "config.toml")
	if _, err := os.Stat(cfgPath); err == nil && !*force {
		fmt.Fprintf(stderr, "fluxbridge init: %s exists; pass --force to overwrite it (its keys are kept)\n", cfgPath)
		return exitUsage
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		fmt.Fprintf(stderr, "fluxbridge init: %v\n", err)
		return exitCheck
	}
	pass, err := pf.newPassphrase(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge init: %v\n", err)
		return exitUsage
	}
	keys := filepath.Join(*dir, "data", "keys")
	key, err := signer.New(keys, chains.SchemeSecp256k1, pass)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge init: %v\n", err)
		return exitCheck
	}
	sol, err := signer.New(keys, chains.SchemeEd25519, pass)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge init: %v\n", err)
		return exitCheck
	}
	self := config.Member{Name: "me", Address: config.Address(key.ID), PublicKey: key.Public}
	// The chain's plugin_sha256 and bridge are left unset: the operator fills
	// them in, and until then `fluxbridge run` reports both by field.
	c := &config.Config{
		Relayer: config.Relayer{DataDir: "data", Keystore: "data/keys", Key: self.Address, PassphraseFile: *pf.file, PassphraseEnv: *pf.env},
		Flux:    config.Flux{Network: network},
		Signers: config.Signers{Threshold: 1, Members: []config.Member{self}},
		Chains: []config.Chain{{ID: 1, Name: "ethereum", Plugin: "fluxbridge-plugin-evm",
			PluginConfig: config.PluginConfig{Settings: map[string]any{"endpoints": []any{"https://your-own-node.example"}, "chain_id": 1,
				"submitter_key_file": "data/submitter.key"}}}},
	}
	out, err := config.Render(c)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge init: %v\n", err)
		return exitCheck
	}
	header := "# Written by `fluxbridge init`. Before `fluxbridge run`: add the other members of the set\n" +
		"# ([[signers.member]] blocks from their `fluxbridge keys export-public`) and raise threshold to k,\n" +
		"# set [[chain]] to your chain's plugin, its sha256 and the bridge address, and list FLUX peers.\n\n"
	if err := os.WriteFile(cfgPath, append([]byte(header), out...), 0o600); err != nil {
		fmt.Fprintf(stderr, "fluxbridge init: %v\n", err)
		return exitCheck
	}
	fmt.Fprintf(stdout, "relayer key     %s\npublic key      %x\nsolana key      %x\nconfig          %s\n\n", self.Address, []byte(self.PublicKey), sol.ID, cfgPath)
	fmt.Fprintf(stdout, "Next: send `fluxbridge keys export-public --keystore %s` to the other operators, add theirs to %s,\nset the chains, then `fluxbridge run --config %s`.\n", keys, cfgPath, cfgPath)
	return exitOK
}
