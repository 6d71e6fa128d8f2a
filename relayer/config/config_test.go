package config

import (
	"encoding/hex"
	"reflect"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"golang.org/x/crypto/sha3"
)

// member returns a member with a real key pair derived from b.
func member(b byte, peer string) Member {
	k := secp256k1.PrivKeyFromBytes([]byte{31: b, 0: 1})
	h := sha3.NewLegacyKeccak256()
	h.Write(k.PubKey().SerializeUncompressed()[1:])
	return Member{Name: "m", Address: "0x" + hex.EncodeToString(h.Sum(nil)[12:]), PublicKey: hex.EncodeToString(k.PubKey().SerializeCompressed()), Peer: peer}
}

func valid() *Config {
	ms := []Member{member(1, ""), member(2, "127.0.0.1:7481"), member(3, "127.0.0.1:7482")}
	no := false
	return &Config{
		Relayer: Relayer{DataDir: "/data", Key: ms[0].Address, PassphraseFile: "/data/pass"},
		Flux:    Flux{Network: "simnet", Peers: []string{"127.0.0.1:1"}, UseDNSSeeds: &no},
		Signers: Signers{Threshold: 2, Members: ms},
		Chains: []Chain{{ID: 1337, Name: "dev", Plugin: "/bin/p", PluginSHA256: strings.Repeat("ab", 32),
			PluginConfig: map[string]any{"bridge": "0x" + strings.Repeat("11", 20), "endpoints": []any{"http://x"}, "fees": map[string]any{"bump_after": "30s"}}}},
		Governor: Governor{Limits: map[string]uint64{"1337": 5}},
	}
}

func TestRenderParsesBackToTheSameConfig(t *testing.T) {
	c := valid()
	c.defaults("")
	out, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(out, "/")
	if err != nil {
		t.Fatalf("the rendered config does not parse: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, c) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v\n%s", back, c, out)
	}
	if n := strings.Count(string(out), "\n# "); n < 20 {
		t.Fatalf("only %d comment lines", n)
	}
}

func TestValidateNamesTheFieldAndTheFix(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		field  string
	}{
		{"data dir missing", func(c *Config) { c.Relayer.DataDir = "" }, "relayer.data_dir"},
		{"key not an address", func(c *Config) { c.Relayer.Key = "abc" }, "relayer.key"},
		{"two passphrase sources", func(c *Config) { c.Relayer.PassphraseEnv = "X" }, "relayer.passphrase_env"},
		{"unknown network", func(c *Config) { c.Flux.Network = "moon" }, "flux.network"},
		{"mainnet below 40 confirmations", func(c *Config) { c.Flux.Network, c.Flux.Confirmations = "mainnet", 10 }, "flux.confirmations"},
		{"peer not host:port", func(c *Config) { c.Flux.Peers = []string{"nope"} }, "flux.peers[0]"},
		{"threshold of half", func(c *Config) { c.Signers.Threshold = 1 }, "signers.threshold"},
		{"threshold above n", func(c *Config) { c.Signers.Threshold = 4 }, "signers.threshold"},
		{"duplicate member", func(c *Config) { c.Signers.Members[2] = c.Signers.Members[1] }, "signers.member[2].address"},
		{"public key of another address", func(c *Config) { c.Signers.Members[1].PublicKey = c.Signers.Members[2].PublicKey }, "signers.member[1].public_key"},
		{"member without a peer", func(c *Config) { c.Signers.Members[1].Peer = "" }, "signers.member[1].peer"},
		{"self not a member", func(c *Config) { c.Relayer.Key = "0x" + strings.Repeat("22", 20) }, "signers.member"},
		{"no chain", func(c *Config) { c.Chains = nil }, "chain"},
		{"unpinned plugin", func(c *Config) { c.Chains[0].PluginSHA256 = "" }, "chain[0].plugin_sha256"},
		{"no bridge", func(c *Config) { delete(c.Chains[0].PluginConfig, "bridge") }, "chain[0].plugin_config.bridge"},
		{"non-EVM chain id", func(c *Config) { c.Chains[0].ID = 0xF0000001 }, "chain[0].id"},
		{"limit for an unknown chain", func(c *Config) { c.Governor.Limits["56"] = 1 }, "governor.limits.56"},
		{"bad log level", func(c *Config) { c.Log.Level = "loud" }, "log.level"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.mutate(c)
			c.defaults("")
			err := c.Validate()
			ve, ok := err.(*ValidationError)
			if !ok {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			for _, p := range ve.Problems {
				if p.Field == tc.field && p.Message != "" {
					return
				}
			}
			t.Fatalf("no problem for %s in:\n%v", tc.field, err)
		})
	}
	c := valid()
	c.defaults("")
	if err := c.Validate(); err != nil {
		t.Fatalf("the valid config fails: %v", err)
	}
}

func TestParseRejectsUnknownKeysAndResolvesPaths(t *testing.T) {
	c := valid()
	c.Relayer.DataDir, c.Relayer.PassphraseFile, c.Chains[0].Plugin = "data", "pass", "bin/plugin"
	out, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(out, "/etc/fb")
	if err != nil {
		t.Fatal(err)
	}
	if got.Relayer.DataDir != "/etc/fb/data" || got.Relayer.Keystore != "/etc/fb/data/keys" || got.Chains[0].Plugin != "/etc/fb/bin/plugin" || got.Relayer.PassphraseFile != "/etc/fb/pass" {
		t.Fatalf("paths not resolved: %+v", got.Relayer)
	}
	_, err = Parse(append(out, []byte("\n[relayer2]\ndata_dri = 1\n")...), "/")
	if err == nil || !strings.Contains(err.Error(), "relayer2") {
		t.Fatalf("an unknown key: %v", err)
	}
	if _, err := Parse([]byte("[relayer]\nfailover_after = \"soon\"\n"), "/"); err == nil || !strings.Contains(err.Error(), "duration") {
		t.Fatalf("a bad duration: %v", err)
	}
}

func TestSelf(t *testing.T) {
	c := valid()
	m, i, err := c.Self()
	if err != nil || m.Address != c.Signers.Members[0].Address || i < 0 || i > 2 {
		t.Fatalf("Self = %v %d %v", m, i, err)
	}
}

func FuzzParse(f *testing.F) {
	c := valid()
	c.defaults("")
	out, _ := Render(c)
	f.Add(out)
	f.Add([]byte("[relayer]\ndata_dir = 1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b, "/")
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that does not validate: %v", err)
		}
	})
}
