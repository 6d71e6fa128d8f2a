package config

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"golang.org/x/crypto/sha3"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// The types below are what a configuration's values decode into, once: each
// reads its TOML text with the project's one parser for it and writes it
// back the same way, so Render's output parses to the same values and the
// daemon re-parses nothing.

// Address is an EVM address (of a relayer's secp256k1 key or of a bridge
// contract), written as "0x" and 40 hex digits and read by
// chains.ParseAddress. The zero address means unset: an empty string decodes
// to it, and Validate reports it where an address is required.
type Address [20]byte

// UnmarshalText implements encoding.TextUnmarshaler with chains.ParseAddress.
func (a *Address) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*a = Address{}
		return nil
	}
	v, err := chains.ParseAddress(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (a Address) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// String returns the address as chains.FormatAddress writes it.
func (a Address) String() string { return chains.FormatAddress(a) }

// IsZero reports whether a is unset.
func (a Address) IsZero() bool { return a == Address{} }

// Bytes returns the address in a new slice.
func (a Address) Bytes() []byte { return bytes.Clone(a[:]) }

// PublicKey is a 33-byte compressed secp256k1 public key, written as 66 hex
// digits (an optional 0x prefix is ignored), as `fluxbridge keys
// export-public` prints it. Empty means unset.
type PublicKey []byte

// UnmarshalText implements encoding.TextUnmarshaler: it accepts only a point
// on the curve.
func (k *PublicKey) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*k = nil
		return nil
	}
	raw, err := hex.DecodeString(strings.TrimPrefix(string(b), "0x"))
	if err != nil || len(raw) != 33 {
		return errors.New("want the 33-byte compressed public key in hex (66 digits)")
	}
	if _, err := secp256k1.ParsePubKey(raw); err != nil {
		return fmt.Errorf("not a secp256k1 public key: %v", err)
	}
	*k = raw
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (k PublicKey) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(k)), nil }

// Address returns the EVM address of the key.
func (k PublicKey) Address() (Address, error) {
	if len(k) != 33 {
		return Address{}, fmt.Errorf("%d bytes: want the 33-byte compressed public key in hex (66 digits)", len(k))
	}
	pk, err := secp256k1.ParsePubKey(k)
	if err != nil {
		return Address{}, fmt.Errorf("not a secp256k1 public key: %v", err)
	}
	h := sha3.NewLegacyKeccak256()
	h.Write(pk.SerializeUncompressed()[1:])
	return Address(h.Sum(nil)[12:]), nil
}

// Checksum is a SHA-256 digest written as 64 hex digits, as `sha256sum`
// prints it. Empty means unset.
type Checksum []byte

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Checksum) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*c = nil
		return nil
	}
	raw, err := hex.DecodeString(string(b))
	if err != nil || len(raw) != 32 {
		return errors.New("want 64 hex digits")
	}
	*c = raw
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (c Checksum) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(c)), nil }

// Network is the FLUX network the light node follows, written as its name
// and read by params.ByName. Params is nil when unset (an empty name);
// Parse then defaults it to mainnet.
type Network struct {
	Params *params.Params
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (n *Network) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*n = Network{}
		return nil
	}
	p, ok := params.ByName(string(b))
	if !ok {
		return fmt.Errorf("%s is not a FLUX network: want mainnet, testnet or simnet", strconv.Quote(cut(string(b))))
	}
	if err := relayerNetwork(p); err != nil {
		return err
	}
	n.Params = p
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (n Network) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// String returns the network's name, or "" when unset.
func (n Network) String() string {
	if n.Params == nil {
		return ""
	}
	return n.Params.Name
}

// relayerNetwork reports why a relayer cannot run on p, or nil.
func relayerNetwork(p *params.Params) error {
	switch {
	case p == nil:
		return errors.New("required: mainnet, testnet or simnet")
	case p == params.RegTest:
		return errors.New("regtest skips proof of work and activates no upgrade, so the light node could verify nothing: want mainnet, testnet or simnet")
	}
	return nil
}

// Duration is a time.Duration written as "10s", "24h".
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%s is not a duration like \"10s\" or \"24h\"", strconv.Quote(cut(string(b))))
	}
	*d = Duration(v)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// PluginConfig is a chain plugin's own settings, the [chain.plugin_config]
// table, passed to the plugin as one JSON object. Bridge is the one setting
// the relayer reads too: the MintAuth digest it signs commits to it.
type PluginConfig struct {
	// Bridge is plugin_config.bridge, the FluxBridge contract the relayers
	// sign for.
	Bridge Address
	// Settings are the plugin's other keys as TOML decodes them (string,
	// int64, float64, bool, []any, map[string]any); it never holds "bridge".
	Settings map[string]any
}

// UnmarshalTOML implements toml.Unmarshaler.
func (p *PluginConfig) UnmarshalTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("want a table of the plugin's settings, not %T", v)
	}
	var out PluginConfig
	for k, x := range m {
		if k != "bridge" {
			if out.Settings == nil {
				out.Settings = map[string]any{}
			}
			out.Settings[k] = x
			continue
		}
		s, ok := x.(string)
		if !ok {
			return &fieldError{"bridge", fmt.Errorf("want a quoted 0x address, not %T", x)}
		}
		if err := out.Bridge.UnmarshalText([]byte(s)); err != nil {
			return &fieldError{"bridge", err}
		}
	}
	*p = out
	return nil
}

// MarshalJSON writes the settings and the bridge, the object the plugin reads.
func (p PluginConfig) MarshalJSON() ([]byte, error) {
	m := maps.Clone(p.Settings)
	if m == nil {
		m = map[string]any{}
	}
	m["bridge"] = p.Bridge.String()
	return json.Marshal(m)
}

// Limits are the governor's per-chain limits in zatoshi per window, written
// as a table from decimal chain ids to amounts.
type Limits map[chains.ID]uint64

// UnmarshalTOML implements toml.Unmarshaler; it reports every bad entry.
func (l *Limits) UnmarshalTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("want a table of \"chain id\" = zatoshi, not %T", v)
	}
	out := make(Limits, len(m))
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(m)) {
		id, err := strconv.ParseUint(k, 10, 32)
		if err != nil {
			errs = append(errs, &fieldError{k, errors.New("want the decimal id of a configured [[chain]]")})
			continue
		}
		n, ok := m[k].(int64)
		if !ok || n < 0 {
			errs = append(errs, &fieldError{k, errors.New("want an amount in zatoshi (a non-negative integer)")})
			continue
		}
		out[chains.ID(id)] = uint64(n)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	*l = out
	return nil
}

// fieldError is an error with one key inside the value that failed to
// decode; the problem it becomes names that key's path.
type fieldError struct {
	Field string
	Err   error
}

func (e *fieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *fieldError) Unwrap() error { return e.Err }

// cut shortens s for an error message.
func cut(s string) string {
	const n = 48
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
