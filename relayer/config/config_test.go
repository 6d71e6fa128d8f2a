package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"golang.org/x/crypto/sha3"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// member returns a member with a real key pair derived from b.
func member(b byte, peer string) Member {
	k := secp256k1.PrivKeyFromBytes([]byte{31: b, 0: 1})
	h := sha3.NewLegacyKeccak256()
	h.Write(k.PubKey().SerializeUncompressed()[1:])
	return Member{Name: "m", Address: Address(h.Sum(nil)[12:]), PublicKey: k.PubKey().SerializeCompressed(), Peer: peer}
}

func valid() *Config {
	ms := []Member{member(1, ""), member(2, "127.0.0.1:7481"), member(3, "127.0.0.1:7482")}
	no := false
	return &Config{
		Relayer: Relayer{DataDir: "/data", Key: ms[0].Address, PassphraseFile: "/data/pass"},
		Flux:    Flux{Network: Network{params.SimNet}, Peers: []string{"127.0.0.1:1"}, UseDNSSeeds: &no},
		Signers: Signers{Threshold: 2, Members: ms},
		Chains: []Chain{{ID: 1337, Name: "dev", Plugin: "/bin/p", PluginSHA256: bytes.Repeat([]byte{0xab}, 32),
			PluginConfig: PluginConfig{Bridge: Address{0x11, 19: 0x11},
				Settings: map[string]any{"endpoints": []any{"http://x"}, "fees": map[string]any{"bump_after": "30s"}}}}},
		Governor: Governor{Limits: Limits{1337: 5}},
	}
}

// withNext gives c a next set: member 1 (this relayer) leaves, member 4
// joins, members 2 and 3 stay with the same keys and peers.
func withNext(c *Config) *Config {
	ms := c.Signers.Members
	c.Signers.Next = &NextSigners{Activation: 120_000, Threshold: 2,
		Members: []Member{ms[1], ms[2], member(4, "127.0.0.1:7483")}}
	return c
}

// nextOnly is a valid config of a relayer that is only in the next set.
func nextOnly() *Config {
	c := withNext(valid())
	c.Signers.Members[0].Peer = "127.0.0.1:7480"
	c.Signers.Next.Members[2].Peer = ""
	c.Relayer.Key = c.Signers.Next.Members[2].Address
	return c
}

func TestRenderParsesBackToTheSameConfig(t *testing.T) {
	c := valid()
	c.Log.Level = slog.LevelWarn
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
	// The typed values are there for the daemon, parsed once.
	if back.Flux.Network.Params != params.SimNet || back.Chains[0].ID != chains.ID(1337) ||
		back.Chains[0].PluginConfig.Bridge != (Address{0x11, 19: 0x11}) || back.Governor.Limits[1337] != 5 {
		t.Fatalf("typed values: %+v", back)
	}
	again, err := Render(back)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("rendering the parsed config differs (%v):\n%s\n---\n%s", err, again, out)
	}
}

// A config as an operator writes it, by hand: mixed-case addresses, a 0x
// public key, no defaults written.
func TestParseAHandWrittenConfig(t *testing.T) {
	c := valid()
	m := c.Signers.Members
	text := `
[relayer]
data_dir = "data"
key = "` + strings.ToUpper(m[0].Address.String()[2:]) + `"
[flux]
network = "testnet"
[signers]
threshold = 2
[[signers.member]]
address = "0x` + strings.ToUpper(m[0].Address.String()[2:]) + `"
public_key = "0x` + hexOf(m[0].PublicKey) + `"
[[signers.member]]
address = "` + m[1].Address.String() + `"
public_key = "` + hexOf(m[1].PublicKey) + `"
peer = "b:1"
[[chain]]
id = 56
plugin = "p"
plugin_unpinned = true
[chain.plugin_config]
bridge = "0xAbCdEf0000000000000000000000000000000001"
endpoints = ["https://bsc.example"]
[chain.plugin_config.fees]
bump_after = "30s"
[governor.limits]
"56" = 7
`
	_, err := Parse([]byte(text), "/etc/fb")
	ve, ok := err.(*ValidationError)
	if !ok || len(ve.Problems) != 1 || ve.Problems[0].Field != "relayer.key" || !strings.Contains(ve.Problems[0].Message, "no 0x prefix") {
		t.Fatalf("a key without 0x: %v", err)
	}
	got, err := Parse([]byte(strings.Replace(text, `key = "`, `key = "0x`, 1)), "/etc/fb")
	if err != nil {
		t.Fatal(err)
	}
	if got.Relayer.Key != m[0].Address || got.Signers.Members[0].Address != m[0].Address ||
		!bytes.Equal(got.Signers.Members[0].PublicKey, m[0].PublicKey) || got.Flux.Network.Params != params.TestNet ||
		got.Chains[0].ID != 56 || got.Chains[0].PluginConfig.Bridge != (Address{0xab, 0xcd, 0xef, 19: 1}) ||
		got.Governor.Limits[56] != 7 || !*got.Flux.UseDNSSeeds {
		t.Fatalf("parsed %+v", got)
	}
	var plugin map[string]any
	pc, err := json.Marshal(got.Chains[0].PluginConfig)
	if err != nil || json.Unmarshal(pc, &plugin) != nil {
		t.Fatalf("plugin config JSON %s: %v", pc, err)
	}
	if plugin["bridge"] != "0xabcdef0000000000000000000000000000000001" || plugin["endpoints"] == nil || plugin["fees"] == nil {
		t.Fatalf("the plugin's JSON lost a setting: %s", pc)
	}
}

func hexOf(b []byte) string { t, _ := PublicKey(b).MarshalText(); return string(t) }

// A batch holds 1 to 256 locks (the bridge's MAX_BATCH); 0 takes the
// default, and batch_wait defaults to twice failover_after.
func TestMintBatchBounds(t *testing.T) {
	for _, tc := range []struct {
		value   string
		want    int
		problem bool
	}{{"1", 1, false}, {"256", 256, false}, {"0", 100, false}, {"257", 0, true}, {"-1", 0, true}} {
		c := valid()
		c.defaults("")
		out, err := Render(c)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Replace(string(out), "mint_batch = 100", "mint_batch = "+tc.value, 1)
		got, err := Parse([]byte(text), "/")
		var ve *ValidationError
		switch {
		case tc.problem && (!errors.As(err, &ve) || !strings.Contains(err.Error(), "relayer.mint_batch") || !strings.Contains(err.Error(), "1 to 256")):
			t.Errorf("mint_batch = %s: %v, want a relayer.mint_batch problem", tc.value, err)
		case !tc.problem && err != nil:
			t.Errorf("mint_batch = %s: %v", tc.value, err)
		case !tc.problem && (got.Relayer.MintBatch != tc.want || time.Duration(got.Relayer.BatchWait) != 2*time.Duration(got.Relayer.FailoverAfter)):
			t.Errorf("mint_batch = %s: got %d and batch_wait %s, want %d and twice %s", tc.value, got.Relayer.MintBatch,
				time.Duration(got.Relayer.BatchWait), tc.want, time.Duration(got.Relayer.FailoverAfter))
		}
	}
}

// Every value a field's type refuses is reported in one run, with the
// field's path (including the table's index) and the fix.
func TestParseReportsEveryBadValue(t *testing.T) {
	c := valid()
	c.defaults("")
	out, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	edit := func(old, new string) {
		t.Helper()
		if !strings.Contains(text, old) {
			t.Fatalf("%q is not in the rendered config", old)
		}
		text = strings.Replace(text, old, new, 1)
	}
	m := c.Signers.Members
	edit(`key = "`+m[0].Address.String()+`"`, `key = "0xabc"`)
	edit(`address = "`+m[1].Address.String()+`"`, `address = "`+m[1].Address.String()[2:]+`"`)
	edit(`public_key = "`+hexOf(m[2].PublicKey)+`"`, `public_key = "02`+strings.Repeat("zz", 32)+`"`)
	edit(`network = "simnet"`, `network = "regtest"`)
	edit(`failover_after = "10s"`, `failover_after = "soon"`)
	edit(`bridge = "0x1100000000000000000000000000000000000011"`, `bridge = "0x11"`)
	edit(`plugin_sha256 = "abab`, `plugin_sha256 = "`)
	edit(`"1337" = 5`, `"1337" = 5`+"\n"+`"bsc" = 1`+"\n"+`"56" = -1`)
	edit(`level = "info"`, `level = "loud"`)
	_, err = Parse([]byte(text), "/")
	ve, ok := err.(*ValidationError)
	if !ok {
		t.Fatalf("Parse = %v, want a *ValidationError", err)
	}
	want := map[string]string{
		"relayer.key":                   "set it to the 0x address `fluxbridge keys show` prints",
		"signers.member[1].address":     "no 0x prefix",
		"signers.member[2].public_key":  "export-public",
		"flux.network":                  "regtest",
		"relayer.failover_after":        `"soon" is not a duration`,
		"chain[0].plugin_config.bridge": "FluxBridge contract",
		"chain[0].plugin_sha256":        "64 hex digits",
		"governor.limits.bsc":           "decimal id",
		"governor.limits.56":            "non-negative",
		"log.level":                     "want debug, info, warn or error",
	}
	for _, p := range ve.Problems {
		if w, ok := want[p.Field]; ok && strings.Contains(p.Message, w) {
			delete(want, p.Field)
		}
	}
	if len(want) > 0 {
		t.Fatalf("not reported: %v\nin:\n%v", want, err)
	}
	if strings.Contains(err.Error(), "chains.ParseAddress: invalid") {
		t.Fatalf("a problem repeats the parser's operation and kind:\n%v", err)
	}
}

func TestValidateNamesTheFieldAndTheFix(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		field  string
	}{
		{"data dir missing", func(c *Config) { c.Relayer.DataDir = "" }, "relayer.data_dir"},
		{"key missing", func(c *Config) { c.Relayer.Key = Address{} }, "relayer.key"},
		{"two passphrase sources", func(c *Config) { c.Relayer.PassphraseEnv = "X" }, "relayer.passphrase_env"},
		{"regtest", func(c *Config) { c.Flux.Network.Params = params.RegTest }, "flux.network"},
		{"mainnet below 40 confirmations", func(c *Config) { c.Flux.Network, c.Flux.Confirmations = Network{params.MainNet}, 10 }, "flux.confirmations"},
		{"peer not host:port", func(c *Config) { c.Flux.Peers = []string{"nope"} }, "flux.peers[0]"},
		{"threshold of half", func(c *Config) { c.Signers.Threshold = 1 }, "signers.threshold"},
		{"threshold above n", func(c *Config) { c.Signers.Threshold = 4 }, "signers.threshold"},
		{"duplicate member", func(c *Config) { c.Signers.Members[2] = c.Signers.Members[1] }, "signers.member[2].address"},
		{"member without an address", func(c *Config) { c.Signers.Members[2].Address = Address{} }, "signers.member[2].address"},
		{"public key of another address", func(c *Config) { c.Signers.Members[1].PublicKey = c.Signers.Members[2].PublicKey }, "signers.member[1].public_key"},
		{"public key missing", func(c *Config) { c.Signers.Members[1].PublicKey = nil }, "signers.member[1].public_key"},
		{"public key not on the curve", func(c *Config) { c.Signers.Members[1].PublicKey = make(PublicKey, 33) }, "signers.member[1].public_key"},
		{"member without a peer", func(c *Config) { c.Signers.Members[1].Peer = "" }, "signers.member[1].peer"},
		{"self not a member", func(c *Config) { c.Relayer.Key = Address{0x22} }, "signers.member"},
		{"no members", func(c *Config) { c.Signers.Members = nil }, "signers.member"},
		{"set id past the largest with a next set", func(c *Config) { withNext(c).Signers.SetID = 1<<32 - 1 }, "signers.set_id"},
		{"next: no members", func(c *Config) { withNext(c).Signers.Next.Members = nil }, "signers.next.member"},
		{"next: threshold of half", func(c *Config) { withNext(c).Signers.Next.Threshold = 1 }, "signers.next.threshold"},
		{"next: threshold above n", func(c *Config) { withNext(c).Signers.Next.Threshold = 4 }, "signers.next.threshold"},
		{"next: no activation", func(c *Config) { withNext(c).Signers.Next.Activation = 0 }, "signers.next.activation"},
		{"next: duplicate member", func(c *Config) { n := withNext(c).Signers.Next; n.Members[2] = n.Members[1] }, "signers.next.member[2].address"},
		{"next: member without an address", func(c *Config) { withNext(c).Signers.Next.Members[2].Address = Address{} }, "signers.next.member[2].address"},
		{"next: public key of another address", func(c *Config) { n := withNext(c).Signers.Next; n.Members[2].PublicKey = n.Members[1].PublicKey }, "signers.next.member[2].public_key"},
		{"next: public key missing", func(c *Config) { withNext(c).Signers.Next.Members[2].PublicKey = nil }, "signers.next.member[2].public_key"},
		{"next: member without a peer", func(c *Config) { withNext(c).Signers.Next.Members[2].Peer = "" }, "signers.next.member[2].peer"},
		{"next: another public key than in the current set", func(c *Config) { withNext(c).Signers.Next.Members[0].PublicKey = member(9, "").PublicKey }, "signers.next.member[0].public_key"},
		{"next: another peer than in the current set", func(c *Config) { withNext(c).Signers.Next.Members[1].Peer = "127.0.0.1:9999" }, "signers.next.member[1].peer"},
		{"next: the current set again", func(c *Config) {
			c.Signers.Next = &NextSigners{Activation: 1, Threshold: 2, Members: slices.Clone(c.Signers.Members)}
		}, "signers.next"},
		{"next: the current set in another order", func(c *Config) {
			ms := c.Signers.Members
			c.Signers.Next = &NextSigners{Activation: 1, Threshold: 2, Members: []Member{ms[2], ms[0], ms[1]}}
		}, "signers.next"},
		{"self in neither set", func(c *Config) { withNext(c).Relayer.Key = member(9, "").Address }, "signers.member"},
		{"next only: the current set still needs its members' peers", func(c *Config) { nc := nextOnly(); nc.Signers.Members[0].Peer = ""; *c = *nc }, "signers.member[0].peer"},
		{"no chain", func(c *Config) { c.Chains = nil }, "chain"},
		{"unpinned plugin", func(c *Config) { c.Chains[0].PluginSHA256 = nil }, "chain[0].plugin_sha256"},
		{"short checksum", func(c *Config) { c.Chains[0].PluginSHA256 = Checksum{1} }, "chain[0].plugin_sha256"},
		{"no bridge", func(c *Config) { c.Chains[0].PluginConfig.Bridge = Address{} }, "chain[0].plugin_config.bridge"},
		{"bridge as a setting", func(c *Config) { c.Chains[0].PluginConfig.Settings["bridge"] = "0x01" }, "chain[0].plugin_config.bridge"},
		{"non-EVM chain id", func(c *Config) { c.Chains[0].ID = 0xF0000001 }, "chain[0].id"},
		{"limit for an unknown chain", func(c *Config) { c.Governor.Limits[56] = 1 }, "governor.limits.56"},
		{"bad log level", func(c *Config) { c.Log.Level = slog.LevelInfo + 1 }, "log.level"},
		{"bad log format", func(c *Config) { c.Log.Format = "xml" }, "log.format"},
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
	for name, c := range map[string]*Config{
		"the valid config":               valid(),
		"a config with a next set":       withNext(valid()),
		"a relayer only in the next set": nextOnly(),
		"a next set of the same members, new k": func() *Config {
			c := withNext(valid())
			c.Signers.Next.Members = slices.Clone(c.Signers.Members)
			c.Signers.Next.Threshold = 3
			return c
		}(),
		"this relayer in both sets, other own peer": func() *Config {
			c := withNext(valid())
			c.Signers.Next.Members[0] = c.Signers.Members[0]
			c.Signers.Next.Members[0].Peer = "x:1"
			return c
		}(),
	} {
		c.defaults("")
		if err := c.Validate(); err != nil {
			t.Fatalf("%s fails: %v", name, err)
		}
	}
}

// A config with a next set renders as [signers.next] and its
// [[signers.next.member]] blocks, and loads back to the same configuration.
func TestRenderLoadsBackANextSet(t *testing.T) {
	c := withNext(valid())
	c.Signers.SetID = 3
	c.defaults("")
	out, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nset_id = 3\n", "\n[signers.next]\n", "\nactivation = 120000\n", "\n[[signers.next.member]]\n"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("%q is not in the rendered config:\n%s", want, out)
		}
	}
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatalf("the rendered config does not load: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, c) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v\n%s", back.Signers, c.Signers, out)
	}
	if again, err := Render(back); err != nil || !bytes.Equal(again, out) {
		t.Fatalf("rendering the loaded config differs (%v)", err)
	}
	// Without a next set the set id defaults to 1 and the file says how to add one.
	c = valid()
	c.defaults("")
	if out, err = Render(c); err != nil || !strings.Contains(string(out), "set_id = 1\n") || !strings.Contains(string(out), "[[signers.next.member]]") {
		t.Fatalf("Render without a next set (%v):\n%s", err, out)
	}
	if back, err := Parse(out, "/"); err != nil || back.Signers.Next != nil {
		t.Fatalf("Parse = %+v, %v", back, err)
	}
}

// The next set as an operator writes it, with a bad value in it: the
// problem names the next member's field and the fix.
func TestParseANextSetByHand(t *testing.T) {
	c := valid()
	c.defaults("")
	out, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	m := withNext(valid()).Signers.Next.Members
	text := strings.Replace(string(out), "\n[peer]\n", `
[signers.next]
activation = 120000   # FLUX height
threshold = 2
[[signers.next.member]]
name = "b"
address = "`+m[0].Address.String()+`"
public_key = "`+hexOf(m[0].PublicKey)+`"
peer = "`+m[0].Peer+`"
[[signers.next.member]]
name = "c"
address = "`+m[1].Address.String()+`"
public_key = "`+hexOf(m[1].PublicKey)+`"
peer = "`+m[1].Peer+`"
[[signers.next.member]]
name = "d"
address = "`+m[2].Address.String()+`"
public_key = "`+hexOf(m[2].PublicKey)+`"
peer = "`+m[2].Peer+`"

[peer]
`, 1)
	got, err := Parse([]byte(text), "/")
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if n := got.Signers.Next; n == nil || n.Activation != 120_000 || n.Threshold != 2 || len(n.Members) != 3 ||
		n.Members[2].Address != m[2].Address || !bytes.Equal(n.Members[2].PublicKey, m[2].PublicKey) || got.Signers.SetID != 1 {
		t.Fatalf("parsed %+v", got.Signers)
	}
	_, err = Parse([]byte(strings.Replace(text, `address = "`+m[2].Address.String(), `address = "`+m[2].Address.String()[2:], 1)), "/")
	ve, ok := err.(*ValidationError)
	if !ok || len(ve.Problems) != 1 || ve.Problems[0].Field != "signers.next.member[2].address" ||
		!strings.Contains(ve.Problems[0].Message, "export-public") {
		t.Fatalf("a next member's address without 0x: %v", err)
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
	if _, err := Parse([]byte("[signers]\nthreshold = \"two\"\n"), "/"); err == nil || !strings.Contains(err.Error(), "threshold") {
		t.Fatalf("a value of the wrong TOML type: %v", err)
	}
}

func TestSelf(t *testing.T) {
	c := valid()
	m, i, err := c.Self()
	if err != nil || m.Address != c.Signers.Members[0].Address || i < 0 || i > 2 {
		t.Fatalf("Self = %v %d %v", m, i, err)
	}
	c.Relayer.Key = Address{1}
	if _, _, err := c.Self(); err == nil {
		t.Fatal("Self found a relayer that is not a member")
	}
	// A relayer only in the next set is found there; its index is among
	// every member of both sets.
	c = nextOnly()
	all := c.AllMembers()
	if len(all) != 4 || all[3].Address != c.Relayer.Key || all[0].Address != c.Signers.Members[0].Address {
		t.Fatalf("AllMembers = %+v", all)
	}
	m, i, err = c.Self()
	if err != nil || m.Address != c.Relayer.Key || m.Peer != "" || i < 0 || i > 3 {
		t.Fatalf("Self of a next-only relayer = %v %d %v", m, i, err)
	}
	c.Relayer.Key = member(9, "").Address
	if _, _, err := c.Self(); err == nil {
		t.Fatal("Self found a relayer that is in neither set")
	}
	if all := valid().AllMembers(); len(all) != 3 {
		t.Fatalf("AllMembers without a next set = %+v", all)
	}
}

func FuzzParse(f *testing.F) {
	c := valid()
	c.defaults("")
	out, _ := Render(c)
	f.Add(out)
	c = withNext(valid())
	c.defaults("")
	out, _ = Render(c)
	f.Add(out)
	f.Add([]byte("[relayer]\ndata_dir = 1"))
	f.Add([]byte("[[signers.member]]\naddress = \"0x1\"\n[[signers.member]]\naddress = 2\n[governor.limits]\nx = 1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b, "/")
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that does not validate: %v", err)
		}
		out, err := Render(c)
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		if back, err := Parse(out, "/"); err != nil || !reflect.DeepEqual(back, c) {
			t.Fatalf("an accepted config does not round-trip: %v\n%s", err, out)
		}
	})
}
