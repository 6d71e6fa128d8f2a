package config

import (
	"bytes"
	"encoding"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Render writes c as a commented TOML file that Parse reads back to the same
// configuration. Every field has a one-line comment; `fluxbridge init`
// writes its first config with it.
func Render(c *Config) ([]byte, error) {
	var b bytes.Buffer
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	q := strconv.Quote
	dur := func(d Duration) string { return q(time.Duration(d).String()) }
	txt := func(v encoding.TextMarshaler) string {
		t, _ := v.MarshalText() // the config's own types never fail
		return q(string(t))
	}
	w("# fluxbridge relayer configuration (DESIGN §9). Validate with `fluxbridge run`: every problem is")
	w("# reported with the field's path and the fix. Relative paths resolve against this file's directory.")
	w("")
	w("[relayer]")
	w("# Directory of the relayer's databases (relayer.db, flux/).")
	w("data_dir = %s", q(c.Relayer.DataDir))
	w("# Directory of the encrypted keys (default: data_dir/keys).")
	w("keystore = %s", q(c.Relayer.Keystore))
	w("# The 0x address of this relayer's secp256k1 key in the keystore (`fluxbridge keys show`).")
	w("key = %s", txt(c.Relayer.Key))
	w("# Where the key's passphrase comes from: a file (mode 0600) or an environment variable; neither = prompt.")
	w("passphrase_file = %s", q(c.Relayer.PassphraseFile))
	w("passphrase_env = %s", q(c.Relayer.PassphraseEnv))
	w("# How long the designated submitter of a mint may be silent before the next relayer submits.")
	w("failover_after = %s", dur(c.Relayer.FailoverAfter))
	w("# The most locks one batched mint holds (1 to 256; 1 mints every lock alone). Every relayer of the set uses the same value.")
	w("mint_batch = %d", c.Relayer.MintBatch)
	w("# How long a lock waits for its batch to reach k signatures before it is minted alone.")
	w("batch_wait = %s", dur(c.Relayer.BatchWait))
	w("# How often the running relayer records its status for `fluxbridge status`.")
	w("status_every = %s", dur(c.Relayer.StatusEvery))
	w("")
	w("[flux]")
	w("# The FLUX network the embedded light node follows: mainnet, testnet or simnet.")
	w("network = %s", txt(c.Flux.Network))
	w("# FLUX peers (host:port). Use nodes you trust to be distinct; the node also uses DNS seeds if enabled.")
	if len(c.Flux.Peers) == 0 {
		w("# peers = [\"203.0.113.7:16125\"]")
	} else {
		w("peers = %s", list(c.Flux.Peers))
	}
	if c.Flux.UseDNSSeeds != nil {
		w("# Also find peers through the network's DNS seeds.")
		w("use_dns_seeds = %v", *c.Flux.UseDNSSeeds)
	}
	w("# D_L1: the depth at which a lock is final and may be signed (40 on mainnet).")
	w("confirmations = %d", c.Flux.Confirmations)
	w("# The smallest valid lock in zatoshi (smaller ones are refunded); at least every bridge's minimum.")
	w("min_lock = %d", c.Flux.MinLock)
	w("# A fluxnode-set snapshot (fluxd's getfluxnodesnapshot) to start from; empty = the genesis block.")
	w("anchor = %s", q(c.Flux.Anchor))
	w("")
	w("[signers]")
	w("# k: how many members must sign a mint (more than half of the members).")
	w("threshold = %d", c.Signers.Threshold)
	w("# The set's id on every bridge (1 until a first rotation; then the id the bridges show).")
	w("set_id = %d", c.Signers.SetID)
	members := func(table string, ms []Member) {
		for _, m := range ms {
			w("")
			w("# One member of the set (another operator's `fluxbridge keys export-public` prints this block).")
			w("[[%s]]", table)
			w("name = %s", q(m.Name))
			w("address = %s", txt(m.Address))
			w("public_key = %s", txt(m.PublicKey))
			w("# Its peer endpoint (host:port); empty for this relayer.")
			w("peer = %s", q(m.Peer))
		}
	}
	members("signers.member", c.Signers.Members)
	w("")
	if n := c.Signers.Next; n != nil {
		w("# The next signer set, which takes over at its activation height (signer-set rotation, DESIGN §6).")
		w("# A member of both sets has the same public key and peer in both.")
		w("[signers.next]")
		w("# The FLUX height from which the next set signs releases and the bridges and the reserve move to it.")
		w("activation = %d", n.Activation)
		w("# Its k (more than half of its members).")
		w("threshold = %d", n.Threshold)
		members("signers.next.member", n.Members)
	} else {
		w("# To rotate the signer set, add the next one: [signers.next] with activation (a FLUX height) and")
		w("# threshold, then one [[signers.next.member]] block per member, as above.")
	}
	w("")
	w("[peer]")
	w("# Where this relayer's peer endpoint listens for the other members.")
	w("listen = %s", q(c.Peer.Listen))
	w("# How often heartbeats go to the peers.")
	w("heartbeat_every = %s", dur(c.Peer.HeartbeatEvery))
	for _, ch := range c.Chains {
		w("")
		w("# A destination chain, served by its plugin process.")
		w("[[chain]]")
		w("# The EIP-155 chain id.")
		w("id = %d", uint32(ch.ID))
		w("name = %s", q(ch.Name))
		w("# The plugin binary and its SHA-256 (`sha256sum`); plugin_unpinned = true only for development.")
		w("plugin = %s", q(ch.Plugin))
		w("plugin_sha256 = %s", txt(ch.PluginSHA256))
		w("plugin_unpinned = %v", ch.PluginUnpinned)
		w("# The plugin's environment (KEY=VALUE); the relayer's own environment is not passed on.")
		if len(ch.PluginEnv) == 0 {
			w("# plugin_env = [\"HTTPS_PROXY=http://proxy:3128\"]")
		} else {
			w("plugin_env = %s", list(ch.PluginEnv))
		}
		w("# The plugin's own settings (for the EVM plugin: endpoints, chain_id, bridge, submitter_key_file, fees).")
		w("[chain.plugin_config]")
		w("# The FluxBridge contract the relayers sign for (the plugin reads it too).")
		if _, ok := ch.PluginConfig.Settings["bridge"]; ok {
			return nil, fmt.Errorf("config: chain %s: a \"bridge\" setting: set PluginConfig.Bridge instead", ch.ID)
		}
		w("bridge = %s", txt(ch.PluginConfig.Bridge))
		pc, err := tomlTable(ch.PluginConfig.Settings)
		if err != nil {
			return nil, err
		}
		b.Write(pc)
	}
	w("")
	w("[release]")
	w("# Burn → release. Every relayer of the set must use the same values: validators sign only what they build.")
	w("# The round length in FLUX blocks; round r's proposer is member r mod n (by public key).")
	w("cadence = %d", c.Release.Cadence)
	w("# The FLUX fee rate of releases and refunds, zatoshi per byte.")
	w("fee_rate = %d", c.Release.FeeRate)
	w("# The release fee each payout is net of, zatoshi; every bridge's minBurn must cover it plus the dust limit.")
	w("fee = %d", c.Release.Fee)
	w("# The most burns one release pays.")
	w("max_batch = %d", c.Release.MaxBatch)
	w("# Above this many final reserve outputs the smallest are merged into one (-1: never).")
	w("consolidate_above = %d", c.Release.ConsolidateAbove)
	w("")
	w("[governor]")
	w("# The window of the per-chain notional limits.")
	w("window = %s", dur(c.Governor.Window))
	w("# Transfers from this amount (zatoshi) wait large_delay after finality; 0 = no delay.")
	w("large_transfer = %d", c.Governor.LargeTransfer)
	w("large_delay = %s", dur(c.Governor.LargeDelay))
	w("# Per-chain limits in zatoshi per window (\"chain id\" = amount); a chain without one is unlimited.")
	w("[governor.limits]")
	for _, id := range slices.Sorted(maps.Keys(c.Governor.Limits)) {
		w("\"%d\" = %d", uint32(id), c.Governor.Limits[id])
	}
	w("")
	w("[log]")
	w("# debug, info, warn or error.")
	w("level = %s", q(strings.ToLower(c.Log.Level.String())))
	w("# json, text or auto (text on a terminal).")
	w("format = %s", q(c.Log.Format))
	return b.Bytes(), nil
}

func list(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// tomlTable encodes a plugin's settings as the body of a TOML table.
func tomlTable(m map[string]any) ([]byte, error) {
	var b bytes.Buffer
	if len(m) == 0 {
		return nil, nil
	}
	enc := toml.NewEncoder(&b)
	enc.Indent = ""
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("config: plugin_config: %w", err)
	}
	// Nested tables the encoder wrote as [x] belong under [chain.plugin_config.x].
	out := strings.ReplaceAll(b.String(), "\n[", "\n[chain.plugin_config.")
	if strings.HasPrefix(out, "[") {
		out = "[chain.plugin_config." + out[1:]
	}
	return []byte(out), nil
}
