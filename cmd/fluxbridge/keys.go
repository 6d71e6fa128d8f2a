package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/signer"
)

const keysUsage = `usage: fluxbridge keys new [--keystore DIR] [--scheme secp256k1|ed25519] [--passphrase-file F | --passphrase-env V]
       fluxbridge keys show [--keystore DIR] [--json]
       fluxbridge keys export-public [--keystore DIR] [--address 0x…] [--name NAME] [--peer HOST:PORT]
`

// runKeys manages the relayer's encrypted keystore.
func runKeys(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, keysUsage)
		return exitUsage
	}
	switch args[0] {
	case "new":
		return runKeysNew(args[1:], stdout, stderr)
	case "show":
		return runKeysShow(args[1:], stdout, stderr)
	case "export-public":
		return runKeysExport(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, keysUsage)
		return exitOK
	}
	fmt.Fprintf(stderr, "fluxbridge keys: unknown command %q\n\n%s", args[0], keysUsage)
	return exitUsage
}

// passphraseFlags are the flags every key-creating command takes.
type passphraseFlags struct{ file, env *string }

func addPassphraseFlags(fs *flag.FlagSet) passphraseFlags {
	return passphraseFlags{
		file: fs.String("passphrase-file", "", "read the passphrase from this file (mode 0600)"),
		env:  fs.String("passphrase-env", "", "read the passphrase from this environment variable"),
	}
}

// newPassphrase gets a passphrase for a new key: from the file or variable,
// or asked twice on the terminal.
func (p passphraseFlags) newPassphrase(stderr io.Writer) (string, error) {
	src := signer.PassphraseSource{File: *p.file, Env: *p.env, Prompt: *p.file == "" && *p.env == ""}
	pass, err := signer.Passphrase(src, "New passphrase: ", os.Stdin, stderr)
	if err != nil || !src.Prompt {
		return pass, err
	}
	again, err := signer.Passphrase(src, "Repeat it: ", os.Stdin, stderr)
	if err != nil {
		return "", err
	}
	if again != pass {
		return "", fmt.Errorf("the passphrases differ")
	}
	return pass, nil
}

func parseScheme(s string) (chains.SigScheme, error) {
	switch s {
	case "secp256k1":
		return chains.SchemeSecp256k1, nil
	case "ed25519":
		return chains.SchemeEd25519, nil
	}
	return "", fmt.Errorf("--scheme %q: want secp256k1 or ed25519", s)
}

func runKeysNew(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fluxbridge keys new", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("keystore", "fluxbridge/data/keys", "keystore directory (created 0700)")
	scheme := fs.String("scheme", "secp256k1", "secp256k1 (the relayer key: EVM MintAuth, FLUX reserve, envelopes) or ed25519 (Solana)")
	pf := addPassphraseFlags(fs)
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return exitUsage
	}
	sc, err := parseScheme(*scheme)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge keys new: %v\n", err)
		return exitUsage
	}
	pass, err := pf.newPassphrase(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge keys new: %v\n", err)
		return exitUsage
	}
	info, err := signer.New(*dir, sc, pass)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge keys new: %v\n", err)
		return exitCheck
	}
	printKey(stdout, info)
	return exitOK
}

// keyJSON is how `keys show --json` prints a key.
type keyJSON struct {
	Scheme    string `json:"scheme"`
	ID        string `json:"id"`
	PublicKey string `json:"public_key"`
	Path      string `json:"path"`
}

func keyID(k signer.KeyInfo) string {
	if k.Scheme == chains.SchemeSecp256k1 {
		return "0x" + hex.EncodeToString(k.ID)
	}
	return hex.EncodeToString(k.ID)
}

func printKey(w io.Writer, k signer.KeyInfo) {
	fmt.Fprintf(w, "%s  %s  public key %s  (%s)\n", k.Scheme, keyID(k), hex.EncodeToString(k.Public), k.Path)
}

func runKeysShow(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fluxbridge keys show", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("keystore", "fluxbridge/data/keys", "keystore directory")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return exitUsage
	}
	keys, err := signer.List(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge keys show: %v\n", err)
		return exitCheck
	}
	if *asJSON {
		out := make([]keyJSON, len(keys))
		for i, k := range keys {
			out[i] = keyJSON{Scheme: string(k.Scheme), ID: keyID(k), PublicKey: hex.EncodeToString(k.Public), Path: k.Path}
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return exitOK
	}
	if len(keys) == 0 {
		fmt.Fprintf(stdout, "no keys in %s (create one with `fluxbridge keys new`)\n", *dir)
	}
	for _, k := range keys {
		printKey(stdout, k)
	}
	return exitOK
}

// runKeysExport prints the [[signers.member]] block other operators paste
// into their configuration.
func runKeysExport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fluxbridge keys export-public", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("keystore", "fluxbridge/data/keys", "keystore directory")
	addr := fs.String("address", "", "the key's 0x address (default: the only secp256k1 key)")
	name := fs.String("name", "", "this operator's name in the set")
	peer := fs.String("peer", "", "this relayer's public peer endpoint host:port")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return exitUsage
	}
	var want [20]byte
	if *addr != "" {
		var err error
		if want, err = chains.ParseAddress(*addr); err != nil {
			fmt.Fprintf(stderr, "fluxbridge keys export-public: --address: %v\n", err)
			return exitUsage
		}
	}
	keys, err := signer.List(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge keys export-public: %v\n", err)
		return exitCheck
	}
	var found []signer.KeyInfo
	for _, k := range keys {
		if k.Scheme == chains.SchemeSecp256k1 && (*addr == "" || bytes.Equal(k.ID, want[:])) {
			found = append(found, k)
		}
	}
	if len(found) != 1 {
		fmt.Fprintf(stderr, "fluxbridge keys export-public: %d matching secp256k1 keys in %s: name one with --address\n", len(found), *dir)
		return exitUsage
	}
	k := found[0]
	if len(k.Public) == 0 {
		fmt.Fprintf(stderr, "fluxbridge keys export-public: %s stores no public key (a geth key file): unlock it once with `fluxbridge run`\n", k.Path)
		return exitCheck
	}
	fmt.Fprintf(stdout, "[[signers.member]]\nname = %q\naddress = %q\npublic_key = %q\npeer = %q\n", *name, keyID(k), hex.EncodeToString(k.Public), *peer)
	return exitOK
}
