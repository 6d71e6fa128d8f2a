package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/fluxbridge/fluxbridge/relayer/config"
)

func TestInitKeysAndExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fb")
	pass := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(pass, []byte("correct horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"init", "--dir", dir, "--network", "simnet", "--passphrase-file", pass}, &out, &errb); code != exitOK {
		t.Fatalf("init exit %d: %s", code, errb.String())
	}
	if code := run([]string{"init", "--dir", dir, "--passphrase-file", pass}, &out, &errb); code != exitUsage {
		t.Fatalf("a second init without --force: exit %d", code)
	}
	// The written config parses; what is left to fill in is reported by field.
	_, err := config.Load(filepath.Join(dir, "config.toml"))
	var ve *config.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("the init config: %v", err)
	}
	for _, p := range ve.Problems {
		if !strings.HasPrefix(p.Field, "chain[0]") && p.Field != "flux.peers" {
			t.Errorf("init wrote a config with a problem outside what the operator fills in: %s: %s", p.Field, p.Message)
		}
	}
	out.Reset()
	keys := filepath.Join(dir, "data", "keys")
	if code := run([]string{"keys", "show", "--keystore", keys}, &out, &errb); code != exitOK || strings.Count(out.String(), "\n") != 2 ||
		!strings.Contains(out.String(), "secp256k1") || !strings.Contains(out.String(), "ed25519") {
		t.Fatalf("keys show: exit %d\n%s", code, out.String())
	}
	out.Reset()
	if code := run([]string{"keys", "export-public", "--keystore", keys, "--name", "op", "--peer", "relayer.example:7480"}, &out, &errb); code != exitOK {
		t.Fatalf("export-public: exit %d: %s", code, errb.String())
	}
	var block struct {
		Signers struct {
			Member []config.Member `toml:"member"`
		} `toml:"signers"`
	}
	if _, err := toml.Decode(out.String(), &block); err != nil || len(block.Signers.Member) != 1 {
		t.Fatalf("export-public printed %q: %v", out.String(), err)
	}
	m := block.Signers.Member[0]
	c := config.Config{Relayer: config.Relayer{Key: m.Address}, Signers: config.Signers{Threshold: 1, Members: []config.Member{m}}}
	if _, _, err := c.Self(); err != nil || m.Peer != "relayer.example:7480" || len(m.PublicKey) != 33 {
		t.Fatalf("exported member %+v: %v", m, err)
	}
}
