// Package config is a relayer's configuration: one TOML file (DESIGN §9),
// decoded strictly (an unknown key is an error naming its path), given
// defaults, and validated with messages that name the field and the fix.
package config

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"golang.org/x/crypto/sha3"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// MaxFileSize bounds a configuration file.
const MaxFileSize = 1 << 20

// Config is a relayer's whole configuration.
type Config struct {
	Relayer  Relayer  `toml:"relayer"`
	Flux     Flux     `toml:"flux"`
	Signers  Signers  `toml:"signers"`
	Peer     Peer     `toml:"peer"`
	Chains   []Chain  `toml:"chain"`
	Governor Governor `toml:"governor"`
	Log      Log      `toml:"log"`
}

// Relayer is this relayer's own identity and storage.
type Relayer struct {
	// DataDir holds the relayer's database, the light node's and the
	// keystore by default. Relative paths resolve against the config file.
	DataDir string `toml:"data_dir"`
	// Keystore is the key directory (default DataDir/keys).
	Keystore string `toml:"keystore"`
	// Key is the 0x address of the relayer's secp256k1 key in the keystore.
	Key string `toml:"key"`
	// PassphraseFile or PassphraseEnv holds the key's passphrase; with
	// neither, `fluxbridge run` prompts on the terminal.
	PassphraseFile string `toml:"passphrase_file"`
	PassphraseEnv  string `toml:"passphrase_env"`
	// FailoverAfter is how long the designated submitter of a mint may be
	// silent before the next one submits (default 10s).
	FailoverAfter Duration `toml:"failover_after"`
	// StatusEvery is how often the running relayer records its status for
	// `fluxbridge status` (default 5s).
	StatusEvery Duration `toml:"status_every"`
}

// Flux configures the embedded light node.
type Flux struct {
	// Network is mainnet, testnet or simnet (default mainnet).
	Network string `toml:"network"`
	// Peers are host:port addresses; UseDNSSeeds adds the network's seeds
	// (default true when Peers is empty on mainnet and testnet).
	Peers       []string `toml:"peers"`
	UseDNSSeeds *bool    `toml:"use_dns_seeds"`
	// Confirmations is D_L1, the depth at which a lock is final (default 40).
	Confirmations uint32 `toml:"confirmations"`
	// MinLock is the smallest valid lock in zatoshi; smaller ones are
	// refunded. Set it to at least every destination contract's minimum.
	MinLock uint64 `toml:"min_lock"`
	// Anchor is a fluxnode-set snapshot (fluxd's getfluxnodesnapshot) the
	// light node starts from on an empty data directory; empty starts at
	// the network's genesis block with an empty set.
	Anchor string `toml:"anchor"`
}

// Signers is the signer set.
type Signers struct {
	// Threshold is k, more than half of the members.
	Threshold int `toml:"threshold"`
	// Members are every relayer of the set, this one included.
	Members []Member `toml:"member"`
}

// Member is one relayer of the set.
type Member struct {
	Name string `toml:"name"`
	// Address is the 0x address of the member's secp256k1 key.
	Address string `toml:"address"`
	// PublicKey is its 33-byte compressed public key in hex.
	PublicKey string `toml:"public_key"`
	// Peer is the host:port of its peer endpoint (empty for this relayer).
	Peer string `toml:"peer"`
}

// Peer configures this relayer's peer endpoint.
type Peer struct {
	// Listen is the host:port to serve on (default 127.0.0.1:7480).
	Listen string `toml:"listen"`
	// HeartbeatEvery is the heartbeat interval (default 2s).
	HeartbeatEvery Duration `toml:"heartbeat_every"`
}

// Chain is one destination chain served by a plugin.
type Chain struct {
	// ID is the chain id (an EVM chain's EIP-155 id).
	ID   uint32 `toml:"id"`
	Name string `toml:"name"`
	// Plugin is the plugin binary; PluginSHA256 its pinned checksum
	// (required unless PluginUnpinned, for development only).
	Plugin         string `toml:"plugin"`
	PluginSHA256   string `toml:"plugin_sha256"`
	PluginUnpinned bool   `toml:"plugin_unpinned"`
	// PluginConfig is passed to the plugin as JSON; PluginEnv is the
	// plugin's whole environment (the relayer's is not inherited).
	PluginConfig map[string]any `toml:"plugin_config"`
	PluginEnv    []string       `toml:"plugin_env"`
}

// Governor configures the off-chain governor (DESIGN §6).
type Governor struct {
	// Window is the notional window (default 24h).
	Window Duration `toml:"window"`
	// Limits are zatoshi per window per chain id (decimal keys); a chain
	// without a limit is unlimited.
	Limits map[string]uint64 `toml:"limits"`
	// LargeTransfer is the amount from which a transfer waits LargeDelay
	// after finality (0: none). LargeDelay defaults to 24h.
	LargeTransfer uint64   `toml:"large_transfer"`
	LargeDelay    Duration `toml:"large_delay"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error (default info).
	Level string `toml:"level"`
	// Format is json, text or auto (text on a terminal; default auto).
	Format string `toml:"format"`
}

// Duration is a time.Duration written as "10s", "24h".
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration like \"10s\" or \"24h\"", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Problem is one validation problem: the field's path and what to do.
type Problem struct {
	Field, Message string
}

// ValidationError lists every problem of a configuration.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid configuration:")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s: %s", p.Field, p.Message)
	}
	return b.String()
}

// Load reads, decodes, defaults, resolves and validates the file at path.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("config: %s is larger than %d bytes", path, MaxFileSize)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	c, err := Parse(data, filepath.Dir(abs))
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes data (relative paths resolve against dir), applies the
// defaults and validates.
func Parse(data []byte, dir string) (*Config, error) {
	var c Config
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&c)
	if err != nil {
		return nil, err
	}
	if und := md.Undecoded(); len(und) > 0 {
		var ps []Problem
		for _, k := range und {
			if strings.HasPrefix(k.String(), "chain.plugin_config") || strings.Contains(k.String(), ".plugin_config.") {
				continue // the plugin's own keys
			}
			ps = append(ps, Problem{k.String(), "unknown key: remove it or check its spelling"})
		}
		if len(ps) > 0 {
			return nil, &ValidationError{ps}
		}
	}
	c.defaults(dir)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Config) defaults(dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) || dir == "" {
			return p
		}
		return filepath.Join(dir, p)
	}
	c.Relayer.DataDir = abs(c.Relayer.DataDir)
	if c.Relayer.Keystore == "" && c.Relayer.DataDir != "" {
		c.Relayer.Keystore = filepath.Join(c.Relayer.DataDir, "keys")
	}
	c.Relayer.Keystore = abs(c.Relayer.Keystore)
	c.Relayer.PassphraseFile = abs(c.Relayer.PassphraseFile)
	c.Flux.Anchor = abs(c.Flux.Anchor)
	setDur(&c.Relayer.FailoverAfter, 10*time.Second)
	setDur(&c.Relayer.StatusEvery, 5*time.Second)
	if c.Flux.Network == "" {
		c.Flux.Network = "mainnet"
	}
	if c.Flux.UseDNSSeeds == nil {
		v := len(c.Flux.Peers) == 0 && c.Flux.Network != "simnet"
		c.Flux.UseDNSSeeds = &v
	}
	if c.Flux.Confirmations == 0 {
		c.Flux.Confirmations = 40
	}
	if c.Peer.Listen == "" {
		c.Peer.Listen = "127.0.0.1:7480"
	}
	setDur(&c.Peer.HeartbeatEvery, 2*time.Second)
	for i := range c.Chains {
		c.Chains[i].Plugin = abs(c.Chains[i].Plugin)
	}
	setDur(&c.Governor.Window, 24*time.Hour)
	setDur(&c.Governor.LargeDelay, 24*time.Hour)
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "auto"
	}
}

func setDur(d *Duration, v time.Duration) {
	if *d == 0 {
		*d = Duration(v)
	}
}

// Validate checks every field and reports every problem at once.
func (c *Config) Validate() error {
	var ps []Problem
	bad := func(field, format string, a ...any) { ps = append(ps, Problem{field, fmt.Sprintf(format, a...)}) }
	if c.Relayer.DataDir == "" {
		bad("relayer.data_dir", "required: the directory for the relayer's databases, e.g. \"data\"")
	}
	if _, err := ParseAddress(c.Relayer.Key); err != nil {
		bad("relayer.key", "%v: set it to the 0x address `fluxbridge keys show` prints", err)
	}
	if c.Relayer.PassphraseFile != "" && c.Relayer.PassphraseEnv != "" {
		bad("relayer.passphrase_env", "set passphrase_file or passphrase_env, not both")
	}
	for f, d := range map[string]Duration{"relayer.failover_after": c.Relayer.FailoverAfter, "relayer.status_every": c.Relayer.StatusEvery,
		"peer.heartbeat_every": c.Peer.HeartbeatEvery, "governor.window": c.Governor.Window, "governor.large_delay": c.Governor.LargeDelay} {
		if d < 0 {
			bad(f, "must not be negative")
		}
	}
	switch c.Flux.Network {
	case "mainnet", "testnet", "simnet":
	default:
		bad("flux.network", "%q: want mainnet, testnet or simnet", c.Flux.Network)
	}
	if c.Flux.Network == "mainnet" && c.Flux.Confirmations < 40 {
		bad("flux.confirmations", "%d: mainnet locks are final at depth 40 (the light node follows reorganisations up to 40 blocks); use at least 40", c.Flux.Confirmations)
	}
	if len(c.Flux.Peers) == 0 && (c.Flux.UseDNSSeeds == nil || !*c.Flux.UseDNSSeeds) {
		bad("flux.peers", "no peers and no DNS seeds: list host:port peers or set use_dns_seeds = true")
	}
	for i, p := range c.Flux.Peers {
		if !hostPort(p) {
			bad(fmt.Sprintf("flux.peers[%d]", i), "%q is not host:port", p)
		}
	}
	n := len(c.Signers.Members)
	if n == 0 {
		bad("signers.member", "the set needs at least this relayer: add [[signers.member]] blocks (`fluxbridge keys export-public` prints one)")
	}
	if c.Signers.Threshold < 1 || c.Signers.Threshold > n || 2*c.Signers.Threshold <= n {
		bad("signers.threshold", "%d of %d members: k must be more than half of the members and at most all of them", c.Signers.Threshold, n)
	}
	self, addrs := false, map[string]bool{}
	key, _ := ParseAddress(c.Relayer.Key)
	for i, m := range c.Signers.Members {
		f := fmt.Sprintf("signers.member[%d]", i)
		a, err := ParseAddress(m.Address)
		if err != nil {
			bad(f+".address", "%v", err)
			continue
		}
		if addrs[string(a)] {
			bad(f+".address", "%s is listed twice", m.Address)
		}
		addrs[string(a)] = true
		isSelf := key != nil && bytes.Equal(a, key)
		self = self || isSelf
		if err := checkPublicKey(m.PublicKey, a); err != nil {
			bad(f+".public_key", "%v", err)
		}
		if !isSelf && !hostPort(m.Peer) {
			bad(f+".peer", "%q: every other member needs its peer endpoint as host:port", m.Peer)
		}
	}
	if key != nil && n > 0 && !self {
		bad("signers.member", "this relayer (relayer.key %s) is not a member of the set", c.Relayer.Key)
	}
	if !hostPort(c.Peer.Listen) {
		bad("peer.listen", "%q is not host:port", c.Peer.Listen)
	}
	if len(c.Chains) == 0 {
		bad("chain", "no destination chain: add a [[chain]] block")
	}
	ids := map[uint32]bool{}
	for i, ch := range c.Chains {
		f := fmt.Sprintf("chain[%d]", i)
		if ch.ID == 0 || ch.ID >= 0xF0000000 {
			bad(f+".id", "%d: want an EVM chain id (EIP-155), e.g. 1 or 56", ch.ID)
		}
		if ids[ch.ID] {
			bad(f+".id", "chain %d is configured twice", ch.ID)
		}
		ids[ch.ID] = true
		if ch.Plugin == "" {
			bad(f+".plugin", "required: the path of the chain's plugin binary")
		}
		if ch.PluginSHA256 == "" && !ch.PluginUnpinned {
			bad(f+".plugin_sha256", "required: `sha256sum` of the plugin binary (or plugin_unpinned = true for development)")
		} else if ch.PluginSHA256 != "" {
			if b, err := hex.DecodeString(ch.PluginSHA256); err != nil || len(b) != 32 {
				bad(f+".plugin_sha256", "want 64 hex digits")
			}
		}
		if b, _ := ch.PluginConfig["bridge"].(string); b == "" {
			bad(f+".plugin_config.bridge", "required: the 0x address of the FluxBridge contract the relayers sign for")
		} else if _, err := ParseAddress(b); err != nil {
			bad(f+".plugin_config.bridge", "%v", err)
		}
		for j, e := range ch.PluginEnv {
			if !strings.Contains(e, "=") {
				bad(fmt.Sprintf("%s.plugin_env[%d]", f, j), "%q: want KEY=VALUE", e)
			}
		}
	}
	keys := make([]string, 0, len(c.Governor.Limits))
	for k := range c.Governor.Limits {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		id, err := strconv.ParseUint(k, 10, 32)
		if err != nil || !ids[uint32(id)] {
			bad("governor.limits."+k, "want the decimal id of a configured [[chain]]")
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q: want debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "text", "auto":
	default:
		bad("log.format", "%q: want json, text or auto", c.Log.Format)
	}
	if len(ps) > 0 {
		return &ValidationError{ps}
	}
	return nil
}

// Self returns this relayer's member entry and its index among the members
// sorted by address.
func (c *Config) Self() (Member, int, error) {
	key, err := ParseAddress(c.Relayer.Key)
	if err != nil {
		return Member{}, 0, err
	}
	var addrs [][]byte
	var self *Member
	for i, m := range c.Signers.Members {
		a, err := ParseAddress(m.Address)
		if err != nil {
			return Member{}, 0, err
		}
		addrs = append(addrs, a)
		if bytes.Equal(a, key) {
			self = &c.Signers.Members[i]
		}
	}
	if self == nil {
		return Member{}, 0, errors.New("relayer.key is not a member of the set")
	}
	slices.SortFunc(addrs, bytes.Compare)
	return *self, slices.IndexFunc(addrs, func(a []byte) bool { return bytes.Equal(a, key) }), nil
}

// ParseAddress parses a 0x-prefixed 20-byte hex address (any case).
func ParseAddress(s string) ([]byte, error) {
	h, ok := strings.CutPrefix(s, "0x")
	if !ok {
		h, ok = strings.CutPrefix(s, "0X")
	}
	b, err := hex.DecodeString(h)
	if !ok || err != nil || len(b) != 20 {
		return nil, fmt.Errorf("%q is not a 0x-prefixed 20-byte hex address", s)
	}
	return b, nil
}

// checkPublicKey checks a compressed secp256k1 key that must belong to addr.
func checkPublicKey(s string, addr []byte) error {
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil || len(b) != 33 {
		return fmt.Errorf("want the 33-byte compressed public key in hex (66 digits): `fluxbridge keys export-public` prints it")
	}
	pk, err := secp256k1.ParsePubKey(b)
	if err != nil {
		return fmt.Errorf("not a secp256k1 public key: %v", err)
	}
	h := sha3.NewLegacyKeccak256()
	h.Write(pk.SerializeUncompressed()[1:])
	if sum := h.Sum(nil); !bytes.Equal(sum[12:], addr) {
		return fmt.Errorf("belongs to 0x%x, not to the member's address", sum[12:])
	}
	return nil
}

func hostPort(s string) bool {
	_, p, err := net.SplitHostPort(s)
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n < 65536
}
