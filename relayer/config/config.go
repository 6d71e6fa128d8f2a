// Package config is a relayer's configuration: one TOML file (DESIGN §9),
// decoded strictly (an unknown key is an error naming its path), given
// defaults, and validated with messages that name the field and the fix.
//
// Values decode once, into the types the relayer uses: addresses into
// Address ([20]byte, read by chains.ParseAddress), public keys and checksums
// into bytes, the network into its *params.Params, chain ids into chains.ID,
// durations into Duration, and each chain's plugin_config.bridge into
// PluginConfig.Bridge. The daemon passes them on and parses nothing again.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
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
	Release  Release  `toml:"release"`
	Log      Log      `toml:"log"`
}

// Release configures burn → release (DESIGN §4, release batching). Every
// relayer of the set must use the same values: a validator signs only the
// transaction it builds itself.
type Release struct {
	// Cadence is the length of a release round in FLUX blocks (default 10).
	Cadence uint64 `toml:"cadence"`
	// FeeRate is the FLUX fee rate in zatoshi per byte (default 10; 1 to 999,
	// between the minimum relay fee and fluxd's absurd-fee limit).
	FeeRate uint64 `toml:"fee_rate"`
	// Fee is the release fee each payout is net of, in zatoshi (default
	// 100000). Every bridge's minBurn must be at least Fee plus the dust
	// limit, so that every burn can be paid.
	Fee uint64 `toml:"fee"`
	// MaxBatch bounds the burns one release pays (default 100, at most 500).
	MaxBatch int `toml:"max_batch"`
	// ConsolidateAbove is the number of final reserve outputs above which the
	// smallest are merged into one (default 50; -1: never).
	ConsolidateAbove int `toml:"consolidate_above"`
}

// Relayer is this relayer's own identity and storage.
type Relayer struct {
	// DataDir holds the relayer's database, the light node's and the
	// keystore by default. Relative paths resolve against the config file.
	DataDir string `toml:"data_dir"`
	// Keystore is the key directory (default DataDir/keys).
	Keystore string `toml:"keystore"`
	// Key is the address of the relayer's secp256k1 key in the keystore.
	Key Address `toml:"key"`
	// PassphraseFile or PassphraseEnv holds the key's passphrase; with
	// neither, `fluxbridge run` prompts on the terminal.
	PassphraseFile string `toml:"passphrase_file"`
	PassphraseEnv  string `toml:"passphrase_env"`
	// FailoverAfter is how long the designated submitter of a mint may be
	// silent before the next one submits (default 10s).
	FailoverAfter Duration `toml:"failover_after"`
	// MintBatch is B, the most locks one batched mint holds (default 100,
	// at most 256; 1 mints every lock alone). Every relayer of the set uses
	// the same B. BatchWait is how long a lock waits for its batch before it
	// is minted alone (default 2 × failover_after).
	MintBatch int      `toml:"mint_batch"`
	BatchWait Duration `toml:"batch_wait"`
	// StatusEvery is how often the running relayer records its status for
	// `fluxbridge status` (default 5s).
	StatusEvery Duration `toml:"status_every"`
}

// Flux configures the embedded light node.
type Flux struct {
	// Network is mainnet, testnet or simnet (default mainnet).
	Network Network `toml:"network"`
	// Peers are host:port addresses; UseDNSSeeds adds the network's seeds
	// (default true when Peers is empty and the network has seeds).
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

// Signers is the current signer set and, during a rotation (DESIGN §6), the
// next one. This relayer is a member of the current set, of the next set, or
// of both.
type Signers struct {
	// Threshold is k, more than half of the members.
	Threshold int `toml:"threshold"`
	// SetID is the current set's id on every bridge (default 1).
	SetID uint32 `toml:"set_id"`
	// Members are every relayer of the current set.
	Members []Member `toml:"member"`
	// Next, when set, is the signer set that takes over at its activation
	// height.
	Next *NextSigners `toml:"next"`
}

// NextSigners is the signer set that takes over from the current one: from
// the FLUX height Activation on it signs the releases and the current set
// rotates the bridges and moves the reserve to it. A member of both sets has
// the same public key and peer in both.
type NextSigners struct {
	// Activation is the FLUX height at which the next set takes over.
	Activation uint64 `toml:"activation"`
	// Threshold is the next set's k, more than half of its members.
	Threshold int `toml:"threshold"`
	// Members are every relayer of the next set.
	Members []Member `toml:"member"`
}

// Member is one relayer of a signer set.
type Member struct {
	// Name is the member's name, for people.
	Name string `toml:"name"`
	// Address is the address of the member's secp256k1 key.
	Address Address `toml:"address"`
	// PublicKey is that key's compressed public key.
	PublicKey PublicKey `toml:"public_key"`
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
	ID chains.ID `toml:"id"`
	// Name is the chain's name, for people.
	Name string `toml:"name"`
	// Plugin is the plugin binary; PluginSHA256 its pinned checksum
	// (required unless PluginUnpinned, for development only).
	Plugin         string   `toml:"plugin"`
	PluginSHA256   Checksum `toml:"plugin_sha256"`
	PluginUnpinned bool     `toml:"plugin_unpinned"`
	// PluginConfig is passed to the plugin as JSON; its bridge is the
	// contract the relayers sign for. PluginEnv is the plugin's whole
	// environment (the relayer's is not inherited).
	PluginConfig PluginConfig `toml:"plugin_config"`
	PluginEnv    []string     `toml:"plugin_env"`
}

// Governor configures the off-chain governor (DESIGN §6).
type Governor struct {
	// Window is the notional window (default 24h).
	Window Duration `toml:"window"`
	// Limits are zatoshi per window per chain; a chain without a limit is
	// unlimited.
	Limits Limits `toml:"limits"`
	// LargeTransfer is the amount from which a transfer waits LargeDelay
	// after finality (0: none). LargeDelay defaults to 24h.
	LargeTransfer uint64   `toml:"large_transfer"`
	LargeDelay    Duration `toml:"large_delay"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error (default info).
	Level slog.Level `toml:"level"`
	// Format is json, text or auto (text on a terminal; default auto).
	Format string `toml:"format"`
}

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
// defaults and validates. A value its field's type refuses (an address that
// is not one, a duration without a unit) is reported with every other such
// value, each with its field's path, in one *ValidationError; so are unknown
// keys, and then Validate's problems.
func Parse(data []byte, dir string) (*Config, error) {
	var c Config
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&c)
	if err != nil {
		if ps := valueProblems(data); len(ps) > 0 {
			return nil, &ValidationError{ps}
		}
		return nil, err
	}
	if und := md.Undecoded(); len(und) > 0 {
		var ps []Problem
		for _, k := range und {
			if strings.HasPrefix(k.String(), "chain.plugin_config.") {
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
	if c.Signers.SetID == 0 {
		c.Signers.SetID = 1
	}
	setDur(&c.Relayer.FailoverAfter, 10*time.Second)
	setDur(&c.Relayer.BatchWait, 2*time.Duration(c.Relayer.FailoverAfter))
	if c.Relayer.MintBatch == 0 {
		c.Relayer.MintBatch = 100
	}
	setDur(&c.Relayer.StatusEvery, 5*time.Second)
	if c.Flux.Network.Params == nil {
		c.Flux.Network.Params = params.MainNet
	}
	if c.Flux.UseDNSSeeds == nil {
		v := len(c.Flux.Peers) == 0 && len(c.Flux.Network.Params.DNSSeeds) > 0
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
	if c.Log.Format == "" {
		c.Log.Format = "auto"
	}
	if c.Release.Cadence == 0 {
		c.Release.Cadence = 10
	}
	if c.Release.FeeRate == 0 {
		c.Release.FeeRate = 10
	}
	if c.Release.Fee == 0 {
		c.Release.Fee = 100_000
	}
	if c.Release.MaxBatch == 0 {
		c.Release.MaxBatch = 100
	}
	if c.Release.ConsolidateAbove == 0 {
		c.Release.ConsolidateAbove = 50
	}
}

func setDur(d *Duration, v time.Duration) {
	if *d == 0 {
		*d = Duration(v)
	}
}

// Validate checks every field and reports every problem at once. The typed
// values are well formed by construction; Validate checks what they must be
// for a relayer: present, consistent with each other, and within bounds.
func (c *Config) Validate() error {
	var ps []Problem
	bad := func(field, format string, a ...any) { ps = append(ps, Problem{field, fmt.Sprintf(format, a...)}) }
	if c.Relayer.DataDir == "" {
		bad("relayer.data_dir", "required: the directory for the relayer's databases, e.g. \"data\"")
	}
	if c.Relayer.Key.IsZero() {
		bad("relayer.key", "required: %s", fixOf("relayer.key"))
	}
	if c.Relayer.MintBatch < 1 || c.Relayer.MintBatch > 256 {
		bad("relayer.mint_batch", "%d: a batch holds 1 to 256 locks (the bridge's MAX_BATCH); 1 mints every lock alone", c.Relayer.MintBatch)
	}
	if c.Relayer.PassphraseFile != "" && c.Relayer.PassphraseEnv != "" {
		bad("relayer.passphrase_env", "set passphrase_file or passphrase_env, not both")
	}
	for _, d := range []struct {
		field string
		d     Duration
	}{{"relayer.failover_after", c.Relayer.FailoverAfter}, {"relayer.batch_wait", c.Relayer.BatchWait}, {"relayer.status_every", c.Relayer.StatusEvery},
		{"peer.heartbeat_every", c.Peer.HeartbeatEvery}, {"governor.window", c.Governor.Window}, {"governor.large_delay", c.Governor.LargeDelay}} {
		if d.d < 0 {
			bad(d.field, "must not be negative")
		}
	}
	if err := relayerNetwork(c.Flux.Network.Params); err != nil {
		bad("flux.network", "%v", err)
	}
	if c.Flux.Network.Params == params.MainNet && c.Flux.Confirmations < 40 {
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
	c.validateSigners(bad)
	if c.Release.FeeRate < 1 || c.Release.FeeRate > 999 {
		bad("release.fee_rate", "%d zat/byte: use 1 to 999 (the minimum relay fee to below fluxd's absurd-fee limit), e.g. 10", c.Release.FeeRate)
	}
	if c.Release.MaxBatch < 1 || c.Release.MaxBatch > 500 {
		bad("release.max_batch", "%d: use 1 to 500 burns per release (a release must stay a standard transaction)", c.Release.MaxBatch)
	}
	if c.Release.ConsolidateAbove < -1 || c.Release.ConsolidateAbove > 10_000 {
		bad("release.consolidate_above", "%d: use a number of reserve outputs (e.g. 50), or -1 never to consolidate", c.Release.ConsolidateAbove)
	}
	if c.Release.Cadence < 1 || c.Release.Cadence > 1000 {
		bad("release.cadence", "%d: use 1 to 1000 FLUX blocks per round, e.g. 10 (about 5 minutes)", c.Release.Cadence)
	}
	if !hostPort(c.Peer.Listen) {
		bad("peer.listen", "%q is not host:port", c.Peer.Listen)
	}
	if len(c.Chains) == 0 {
		bad("chain", "no destination chain: add a [[chain]] block")
	}
	ids := map[chains.ID]bool{}
	for i, ch := range c.Chains {
		f := fmt.Sprintf("chain[%d]", i)
		if ch.ID == 0 || !ch.ID.IsEVM() {
			bad(f+".id", "%d: want an EVM chain id (EIP-155), e.g. 1 or 56", uint32(ch.ID))
		}
		if ids[ch.ID] {
			bad(f+".id", "chain %s is configured twice", ch.ID)
		}
		ids[ch.ID] = true
		if ch.Plugin == "" {
			bad(f+".plugin", "required: the path of the chain's plugin binary")
		}
		switch {
		case len(ch.PluginSHA256) == 0 && !ch.PluginUnpinned:
			bad(f+".plugin_sha256", "required: %s", fixOf("chain.plugin_sha256"))
		case len(ch.PluginSHA256) != 0 && len(ch.PluginSHA256) != 32:
			bad(f+".plugin_sha256", "%d bytes: want 64 hex digits", len(ch.PluginSHA256))
		}
		if ch.PluginConfig.Bridge.IsZero() {
			bad(f+".plugin_config.bridge", "required: %s", fixOf("chain.plugin_config.bridge"))
		}
		if _, ok := ch.PluginConfig.Settings["bridge"]; ok {
			bad(f+".plugin_config.bridge", "set PluginConfig.Bridge, not a \"bridge\" setting")
		}
		for j, e := range ch.PluginEnv {
			if !strings.Contains(e, "=") {
				bad(fmt.Sprintf("%s.plugin_env[%d]", f, j), "%q: want KEY=VALUE", e)
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(c.Governor.Limits)) {
		if !ids[id] {
			bad(fmt.Sprintf("governor.limits.%d", uint32(id)), "chain %s is not configured: want the decimal id of a configured [[chain]]", id)
		}
	}
	switch c.Log.Level {
	case slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError:
	default:
		bad("log.level", "%q: %s", strings.ToLower(c.Log.Level.String()), fixOf("log.level"))
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

// validateSigners checks the current signer set and the next one, if any
// (validateSet); that a member of both sets is the same relayer in both; that
// the next set has an activation height and differs from the current one; and
// that this relayer is a member of the current set, of the next one or of
// both.
func (c *Config) validateSigners(bad func(field, format string, a ...any)) {
	s := c.Signers
	self, unset := c.validateSet("signers", s.Threshold, s.Members, bad)
	if n := s.Next; n != nil {
		nself, nunset := c.validateSet("signers.next", n.Threshold, n.Members, bad)
		self, unset = self || nself, unset || nunset
		if n.Activation < 1 {
			bad("signers.next.activation", "required: the FLUX height (at least 1) at which the next set takes over; choose one that every relayer of both sets runs this configuration before")
		}
		if s.SetID == math.MaxUint32 {
			bad("signers.set_id", "%d: the next set takes id set_id + 1, which does not fit in 32 bits; set the current set's id as its bridges show it (default 1)", s.SetID)
		}
		current := map[Address]Member{}
		for _, m := range s.Members {
			if _, ok := current[m.Address]; !ok && !m.Address.IsZero() {
				current[m.Address] = m
			}
		}
		for i, m := range n.Members {
			o, ok := current[m.Address]
			if !ok {
				continue
			}
			f := fmt.Sprintf("signers.next.member[%d]", i)
			if len(m.PublicKey) != 0 && len(o.PublicKey) != 0 && !bytes.Equal(m.PublicKey, o.PublicKey) {
				bad(f+".public_key", "differs from the public key of %s in [[signers.member]]: a member of both sets has one key; use the same public_key in both blocks", m.Address)
			}
			if m.Address != c.Relayer.Key && m.Peer != o.Peer {
				bad(f+".peer", "%q differs from %q, the peer of %s in [[signers.member]]: a member of both sets has one peer endpoint; use the same peer in both blocks", m.Peer, o.Peer, m.Address)
			}
		}
		if len(n.Members) > 0 && n.Threshold == s.Threshold && maps.Equal(addressSet(s.Members), addressSet(n.Members)) {
			bad("signers.next", "the next set is the current one (the same members and threshold): change its members or its threshold, or remove [signers.next]")
		}
	}
	if !c.Relayer.Key.IsZero() && len(s.Members) > 0 && !self && !unset {
		if s.Next == nil {
			bad("signers.member", "this relayer (relayer.key %s) is not a member of the set: add its [[signers.member]] block (`fluxbridge keys export-public` prints it)", c.Relayer.Key)
		} else {
			bad("signers.member", "this relayer (relayer.key %s) is a member of neither the current set nor the next one: add its [[signers.member]] or [[signers.next.member]] block (`fluxbridge keys export-public` prints it)", c.Relayer.Key)
		}
	}
}

// validateSet checks the signer set whose fields are under prefix: its
// threshold, and every member: an address, once; a public key that belongs
// to it; a peer endpoint unless it is this relayer. It reports whether this
// relayer is a member and whether a member's address is unset.
func (c *Config) validateSet(prefix string, k int, members []Member, bad func(field, format string, a ...any)) (self, unset bool) {
	n := len(members)
	if n == 0 {
		bad(prefix+".member", "the set has no members: add a [[%s.member]] block for each (`fluxbridge keys export-public` prints one)", prefix)
	}
	if k < 1 || k > n || 2*k <= n {
		bad(prefix+".threshold", "%d of %d members: k must be more than half of the members and at most all of them", k, n)
	}
	seen := map[Address]bool{}
	for i, m := range members {
		f := fmt.Sprintf("%s.member[%d]", prefix, i)
		if m.Address.IsZero() {
			bad(f+".address", "required: %s", fixOf(f+".address"))
			unset = true
			continue
		}
		if seen[m.Address] {
			bad(f+".address", "%s is listed twice", m.Address)
		}
		seen[m.Address] = true
		isSelf := m.Address == c.Relayer.Key
		self = self || isSelf
		if len(m.PublicKey) == 0 {
			bad(f+".public_key", "required: %s", fixOf(f+".public_key"))
		} else if a, err := m.PublicKey.Address(); err != nil {
			bad(f+".public_key", "%v: %s", err, fixOf(f+".public_key"))
		} else if a != m.Address {
			bad(f+".public_key", "belongs to %s, not to the member's address: %s", a, fixOf(f+".public_key"))
		}
		if !isSelf && !c.Relayer.Key.IsZero() && !hostPort(m.Peer) {
			bad(f+".peer", "%q: every other member needs its peer endpoint as host:port", m.Peer)
		}
	}
	return self, unset
}

// addressSet is the set of the members' addresses.
func addressSet(members []Member) map[Address]bool {
	out := map[Address]bool{}
	for _, m := range members {
		out[m.Address] = true
	}
	return out
}

// AllMembers returns every member of the current set, then every member of
// the next set that is not in the current one: each relayer of either set
// once (the peer exchange's members).
func (c *Config) AllMembers() []Member {
	out := slices.Clone(c.Signers.Members)
	if c.Signers.Next == nil {
		return out
	}
	for _, m := range c.Signers.Next.Members {
		if !slices.ContainsFunc(out, func(o Member) bool { return o.Address == m.Address }) {
			out = append(out, m)
		}
	}
	return out
}

// Self returns this relayer's member entry (from the current set, or from
// the next one for a relayer only in the next set) and its index among
// AllMembers sorted by address.
func (c *Config) Self() (Member, int, error) {
	key := c.Relayer.Key
	if key.IsZero() {
		return Member{}, 0, errors.New("relayer.key is not set")
	}
	all := c.AllMembers()
	i := slices.IndexFunc(all, func(m Member) bool { return m.Address == key })
	if i < 0 {
		return Member{}, 0, errors.New("relayer.key is not a member of the current signer set nor of the next one")
	}
	addrs := make([]Address, len(all))
	for j, m := range all {
		addrs[j] = m.Address
	}
	slices.SortFunc(addrs, func(a, b Address) int { return bytes.Compare(a[:], b[:]) })
	return all[i], slices.Index(addrs, key), nil
}

func hostPort(s string) bool {
	_, p, err := net.SplitHostPort(s)
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n < 65536
}
