package evm

import (
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// Defaults applied by Config.withDefaults.
const (
	// DefaultMaxBlockRange is the widest eth_getLogs range asked for at once.
	DefaultMaxBlockRange = 1_000
	// DefaultRangesPerCall bounds how many ranges one Events call scans when
	// it finds no event, so a call from an old cursor returns in bounded time.
	DefaultRangesPerCall = 10
	// DefaultLimit is the page size of Events when the request has none.
	DefaultLimit = 500
	// DefaultCallTimeout bounds every single RPC call.
	DefaultCallTimeout = 10 * time.Second
	// DefaultMaxResponseBytes bounds the body of every RPC response.
	DefaultMaxResponseBytes = 8 << 20
	// DefaultBumpAfter is how long a transaction may stay unmined before
	// the sink replaces it with higher fees.
	DefaultBumpAfter = 60 * time.Second
	// MinBumpPercent is the smallest fee increase of a replacement: geth's
	// pool needs 10 %, and 12.5 % is the base-fee step of one full block.
	MinBumpPercent = 12.5
	// DefaultGasMarginPercent is added to the gas estimate of a mint.
	DefaultGasMarginPercent = 25
)

// Config configures the EVM source and sink of one bridge contract.
type Config struct {
	// Endpoints are the JSON-RPC URLs (http or https) of the chain's nodes.
	// The operator's own nodes; at least one.
	Endpoints []string
	// Quorum is how many endpoints must answer alike for anything the
	// source reports; 0 means all of them.
	Quorum int
	// ChainID is the EIP-155 chain id every endpoint must report.
	ChainID chains.ID
	// Bridge is the address of the FluxBridge contract.
	Bridge common.Address
	// StartBlock is where the event stream begins (the empty cursor): the
	// bridge's deployment block or any block before it.
	StartBlock uint64
	// MaxBlockRange is the widest eth_getLogs range (default 1,000).
	MaxBlockRange uint64
	// RangesPerCall bounds the ranges one Events call scans (default 10).
	RangesPerCall int
	// DefaultLimit is the page size when a request sets none (default 500).
	DefaultLimit int
	// CallTimeout bounds every RPC call (default 10 s).
	CallTimeout time.Duration
	// MaxResponseBytes bounds every RPC response body (default 8 MiB).
	MaxResponseBytes int64
	// SubmitterKey pays the gas of mint transactions. It has no authority
	// over the bridge (anyone may call mint). Required by the sink only.
	SubmitterKey *ecdsa.PrivateKey
	// Fees are the sink's fee settings.
	Fees FeeConfig
	// Logger receives operational logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock used to decide when a transaction is stuck; nil
	// means time.Now.
	Now func() time.Time
}

// FeeConfig holds the sink's EIP-1559 fee policy.
type FeeConfig struct {
	// MaxFeePerGas is the cap no transaction's fee cap ever exceeds (wei).
	// Required by the sink.
	MaxFeePerGas *big.Int
	// TipCap is the priority fee of a first submission (wei, default 1 gwei,
	// at most MaxFeePerGas).
	TipCap *big.Int
	// BumpAfter is how long a transaction may stay unmined before it is
	// replaced with higher fees (default 60 s).
	BumpAfter time.Duration
	// BumpPercent is the fee increase of a replacement, at least 12.5.
	BumpPercent float64
	// GasMarginPercent is added to the gas estimate (default 25).
	GasMarginPercent int
}

// withDefaults returns c with defaults filled in, or an error naming the
// first missing or invalid field.
func (c Config) withDefaults(needKey bool) (Config, error) {
	bad := func(field, format string, args ...any) (Config, error) {
		return c, fault.E("evm.Config", fault.Invalid, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if len(c.Endpoints) == 0 {
		return bad("Endpoints", "at least one RPC URL is required")
	}
	seen := map[string]bool{}
	for i, e := range c.Endpoints {
		u, err := url.Parse(e)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad(fmt.Sprintf("Endpoints[%d]", i), "%q is not an http(s) URL", e)
		}
		if seen[e] {
			return bad(fmt.Sprintf("Endpoints[%d]", i), "%q is listed twice", e)
		}
		seen[e] = true
	}
	switch {
	case c.Quorum == 0:
		c.Quorum = len(c.Endpoints)
	case c.Quorum < 0 || c.Quorum > len(c.Endpoints):
		return bad("Quorum", "%d is outside 1..%d (the number of endpoints)", c.Quorum, len(c.Endpoints))
	}
	if c.ChainID == 0 || !c.ChainID.IsEVM() {
		return bad("ChainID", "%d is not an EIP-155 chain id", uint32(c.ChainID))
	}
	if c.Bridge == (common.Address{}) {
		return bad("Bridge", "the bridge contract address is required")
	}
	if c.MaxBlockRange == 0 {
		c.MaxBlockRange = DefaultMaxBlockRange
	}
	if c.RangesPerCall == 0 {
		c.RangesPerCall = DefaultRangesPerCall
	}
	if c.RangesPerCall < 0 {
		return bad("RangesPerCall", "%d is negative", c.RangesPerCall)
	}
	if c.DefaultLimit == 0 {
		c.DefaultLimit = DefaultLimit
	}
	if c.DefaultLimit < 0 {
		return bad("DefaultLimit", "%d is negative", c.DefaultLimit)
	}
	if c.CallTimeout == 0 {
		c.CallTimeout = DefaultCallTimeout
	}
	if c.CallTimeout < 0 {
		return bad("CallTimeout", "%v is negative", c.CallTimeout)
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if c.MaxResponseBytes < 1024 {
		return bad("MaxResponseBytes", "%d is below 1 KiB", c.MaxResponseBytes)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if !needKey {
		return c, nil
	}
	if c.SubmitterKey == nil {
		return bad("SubmitterKey", "the sink needs a key to pay for mint transactions")
	}
	f := &c.Fees
	if f.MaxFeePerGas == nil || f.MaxFeePerGas.Sign() <= 0 {
		return bad("Fees.MaxFeePerGas", "a positive fee cap (wei) is required")
	}
	if f.TipCap == nil {
		f.TipCap = big.NewInt(1_000_000_000)
		if f.TipCap.Cmp(f.MaxFeePerGas) > 0 {
			f.TipCap = new(big.Int).Set(f.MaxFeePerGas)
		}
	}
	if f.TipCap.Sign() < 0 || f.TipCap.Cmp(f.MaxFeePerGas) > 0 {
		return bad("Fees.TipCap", "%v is outside 0..MaxFeePerGas (%v)", f.TipCap, f.MaxFeePerGas)
	}
	if f.BumpAfter == 0 {
		f.BumpAfter = DefaultBumpAfter
	}
	if f.BumpAfter < 0 {
		return bad("Fees.BumpAfter", "%v is negative", f.BumpAfter)
	}
	if f.BumpPercent == 0 {
		f.BumpPercent = MinBumpPercent
	}
	if math.IsNaN(f.BumpPercent) || f.BumpPercent < MinBumpPercent || f.BumpPercent > 1000 {
		return bad("Fees.BumpPercent", "%v is outside %v..1000", f.BumpPercent, MinBumpPercent)
	}
	if f.GasMarginPercent == 0 {
		f.GasMarginPercent = DefaultGasMarginPercent
	}
	if f.GasMarginPercent < 0 || f.GasMarginPercent > 1000 {
		return bad("Fees.GasMarginPercent", "%d is outside 0..1000", f.GasMarginPercent)
	}
	return c, nil
}

// FileConfig is the JSON form of Config that a plugin receives from the host
// (chainrpc's PluginConfig). Addresses are 0x hex, durations Go duration
// strings ("10s"), wei amounts decimal strings. Unknown fields are refused.
type FileConfig struct {
	Endpoints        []string `json:"endpoints"`
	Quorum           int      `json:"quorum,omitempty"`
	ChainID          uint32   `json:"chain_id"`
	Bridge           string   `json:"bridge"`
	StartBlock       uint64   `json:"start_block,omitempty"`
	MaxBlockRange    uint64   `json:"max_block_range,omitempty"`
	RangesPerCall    int      `json:"ranges_per_call,omitempty"`
	DefaultLimit     int      `json:"default_limit,omitempty"`
	CallTimeout      string   `json:"call_timeout,omitempty"`
	MaxResponseBytes int64    `json:"max_response_bytes,omitempty"`
	// SubmitterKeyFile names a file holding the submitter's private key in
	// hex. It must not be readable by group or others. Empty: no sink.
	SubmitterKeyFile string `json:"submitter_key_file,omitempty"`
	Fees             struct {
		MaxFeePerGas     string  `json:"max_fee_per_gas,omitempty"`
		TipCap           string  `json:"tip_cap,omitempty"`
		BumpAfter        string  `json:"bump_after,omitempty"`
		BumpPercent      float64 `json:"bump_percent,omitempty"`
		GasMarginPercent int     `json:"gas_margin_percent,omitempty"`
	} `json:"fees"`
}

// maxConfigBytes bounds a JSON config before it is decoded.
const maxConfigBytes = 64 << 10

// ParseConfig decodes and validates a JSON config. The returned Config has
// its defaults applied; it has a SubmitterKey only when the file names one
// (the sink needs it, the source does not). Every error is fault.Invalid and
// names the field.
func ParseConfig(data []byte) (Config, error) {
	const op = "evm.ParseConfig"
	bad := func(field string, err error) (Config, error) {
		return Config{}, fault.E(op, fault.Invalid, fmt.Errorf("%s: %w", field, err))
	}
	if len(data) > maxConfigBytes {
		return Config{}, fault.E(op, fault.Invalid, fmt.Errorf("config is %d bytes, over %d", len(data), maxConfigBytes))
	}
	var fc FileConfig
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return Config{}, fault.E(op, fault.Invalid, fmt.Errorf("config JSON: %w", err))
	}
	if dec.More() {
		return Config{}, fault.E(op, fault.Invalid, errors.New("config JSON: trailing data"))
	}
	cfg := Config{
		Endpoints:        fc.Endpoints,
		Quorum:           fc.Quorum,
		ChainID:          chains.ID(fc.ChainID),
		StartBlock:       fc.StartBlock,
		MaxBlockRange:    fc.MaxBlockRange,
		RangesPerCall:    fc.RangesPerCall,
		DefaultLimit:     fc.DefaultLimit,
		MaxResponseBytes: fc.MaxResponseBytes,
	}
	bridge, err := chains.ParseAddress(fc.Bridge)
	if err != nil {
		return bad("bridge", err)
	}
	cfg.Bridge = bridge
	if cfg.CallTimeout, err = parseDuration(fc.CallTimeout); err != nil {
		return bad("call_timeout", err)
	}
	if cfg.Fees.BumpAfter, err = parseDuration(fc.Fees.BumpAfter); err != nil {
		return bad("fees.bump_after", err)
	}
	if cfg.Fees.MaxFeePerGas, err = parseWei(fc.Fees.MaxFeePerGas); err != nil {
		return bad("fees.max_fee_per_gas", err)
	}
	if cfg.Fees.TipCap, err = parseWei(fc.Fees.TipCap); err != nil {
		return bad("fees.tip_cap", err)
	}
	cfg.Fees.BumpPercent = fc.Fees.BumpPercent
	cfg.Fees.GasMarginPercent = fc.Fees.GasMarginPercent
	needKey := fc.SubmitterKeyFile != ""
	if needKey {
		if cfg.SubmitterKey, err = LoadKeyFile(fc.SubmitterKeyFile); err != nil {
			return Config{}, err
		}
	}
	return cfg.withDefaults(needKey)
}

func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not positive", s)
	}
	return d, nil
}

// parseWei parses a decimal wei amount of at most 256 bits; empty is nil.
func parseWei(s string) (*big.Int, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) > 78 {
		return nil, fmt.Errorf("%q is too long for a wei amount", s)
	}
	v, ok := new(big.Int).SetString(s, 10)
	if !ok || v.Sign() < 0 || v.BitLen() > 256 {
		return nil, fmt.Errorf("%q is not a non-negative decimal wei amount", s)
	}
	return v, nil
}

// LoadKeyFile reads a secp256k1 private key stored as hex (optionally
// 0x-prefixed, surrounding whitespace ignored). It refuses a file that group
// or others may read, since the key pays for gas.
func LoadKeyFile(path string) (*ecdsa.PrivateKey, error) {
	const op = "evm.LoadKeyFile"
	bad := func(err error) (*ecdsa.PrivateKey, error) {
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("submitter_key_file %s: %w", path, err))
	}
	st, err := os.Stat(path)
	if err != nil {
		return bad(err)
	}
	if !st.Mode().IsRegular() {
		return bad(errors.New("not a regular file"))
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return bad(fmt.Errorf("mode %04o lets group or others read it; chmod 600", perm))
	}
	if st.Size() > 1024 {
		return bad(fmt.Errorf("%d bytes is too large for a hex key", st.Size()))
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return bad(err)
	}
	s := strings.TrimPrefix(strings.TrimSpace(string(raw)), "0x")
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return bad(errors.New("want 32 bytes of hex"))
	}
	key, err := crypto.ToECDSA(b)
	if err != nil {
		return bad(err)
	}
	return key, nil
}
