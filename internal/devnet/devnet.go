// Package devnet runs a local fluxbridge network in one process: a simulated
// FLUX network speaking the real wire protocol (chains/flux/fluxtest), one or
// more simulated EVM chains with the contracts deployed, each served over
// loopback JSON-RPC (contracts/evm/evmsim), and n relayers, each with its own
// data directory, keystore, light node, SQLite store, EVM plugin process per
// EVM chain and peer endpoint (relayer/daemon). The fluxbridge-devnet command
// and the end-to-end tests use it.
package devnet

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/chainrpc"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxtest"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/config"
	"github.com/fluxbridge/fluxbridge/relayer/daemon"
	"github.com/fluxbridge/fluxbridge/signer"
)

// Passphrase unlocks every devnet key. The devnet's keys protect nothing.
const Passphrase = "devnet"

// MinLock is the devnet's minimum lock (contract and reserve scanner): 1 FLUX.
const MinLock = 100_000_000

// Config configures a devnet. Dir and Plugin are required.
type Config struct {
	// Dir holds each relayer's directory (relayer-0, relayer-1, …). Start
	// creates it, and its missing parents, with mode 0700.
	Dir string
	// Plugin is the fluxbridge-plugin-evm binary.
	Plugin string
	// Relayers is n (default 3); Threshold is k (default 2).
	Relayers, Threshold int
	// EVMChains is how many EVM chains to run (default 1, at most
	// MaxEVMChains). Chain c has the EIP-155 id FirstEVMChainID + c and a
	// bridge with the same relayer set as every other; each relayer serves
	// every chain, with a plugin process of its own per chain.
	EVMChains int
	// Confirmations is D_L1 (default 40).
	Confirmations uint32
	// FluxBlockEvery and EVMBlockEvery pace block production (defaults
	// 250 ms and 100 ms). Zero FluxBlockEvery with ManualFlux set leaves
	// FLUX blocks to Mine.
	FluxBlockEvery, EVMBlockEvery time.Duration
	ManualFlux                    bool
	// ChainsOnly starts the chains and writes the relayers' configurations
	// without starting the relayers (they run as `fluxbridge run` processes).
	ChainsOnly bool
	// Coins is how many coins to prepare for locks (default 64); each
	// covers one lock of up to LockMax (default MaxLock). They belong to
	// the devnet's own user, so nothing but Lock spends them; once they are
	// spent, Lock pays from the simulated network's wallet.
	Coins   int
	LockMax int64
	// Governor is every relayer's governor configuration.
	Governor config.Governor
	// FailoverAfter is how long a silent submitter is waited for (default 3 s).
	FailoverAfter time.Duration
	// Next, when set, declares a next signer set (a rotation); its members
	// may name relayers beyond Relayers, which start too.
	Next *NextSet
	// Tune adjusts relayer i's pipeline (tests).
	Tune func(i int, c *relayer.Config)
	// Now is the relayers' clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// FirstEVMChainID is the EIP-155 id of the devnet's first EVM chain, the
// simulated backend's own; chain c has FirstEVMChainID + c.
const FirstEVMChainID = 1337

// MaxEVMChains is the most EVM chains a devnet runs.
const MaxEVMChains = 8

// MaxLock is the default largest lock a prepared coin covers: 5 FLUX.
// (The simulated network pays its wallet 14 FLUX a block, so the blocks
// fund mines are what limits how much a devnet can lock.)
const MaxLock = 5 * tx.Coin

// Devnet is a running local network.
type Devnet struct {
	cfg  Config
	log  *slog.Logger
	Flux *fluxtest.Network
	// EVMs are the EVM chains (Config.EVMChains of them); EVM is EVMs[0].
	EVMs   []*evmsim.Chain
	EVM    *evmsim.Chain
	Redeem []byte
	// NextRedeem is the next signer set's redeem script (with Config.Next).
	NextRedeem []byte
	// Keys are the relayers' keys: the bridges' first signer set (evmsim's
	// SignerKeys, sorted by address), then the keys of the relayers only in
	// the next set.
	Keys []*ecdsa.PrivateKey
	// ConfigPaths are the relayers' config files.
	ConfigPaths []string

	// coinMu guards coins, the prepared coins not spent yet (coins.go).
	coinMu sync.Mutex
	coins  []coin
	// burnMu serialises burns (burns.go).
	burnMu sync.Mutex

	mu       sync.Mutex
	relayers []*runningRelayer
	heights  map[int32]time.Time // FLUX height → when the devnet saw it mined
	stop     context.CancelFunc
	wg       sync.WaitGroup
}

type runningRelayer struct {
	d      *daemon.Daemon
	cancel context.CancelFunc
	done   chan error
}

// Start starts the chains and, unless ChainsOnly, the relayers.
func Start(ctx context.Context, cfg Config) (_ *Devnet, err error) {
	if cfg.Dir == "" || cfg.Plugin == "" {
		return nil, errors.New("devnet: Dir and Plugin are required")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("devnet: %w", err)
	}
	if cfg.Relayers == 0 {
		cfg.Relayers = 3
	}
	if cfg.Threshold == 0 {
		cfg.Threshold = cfg.Relayers/2 + 1
	}
	if cfg.EVMChains == 0 {
		cfg.EVMChains = 1
	}
	if cfg.EVMChains < 1 || cfg.EVMChains > MaxEVMChains {
		return nil, fmt.Errorf("devnet: %d EVM chains: want 1 to %d", cfg.EVMChains, MaxEVMChains)
	}
	if cfg.Confirmations == 0 {
		cfg.Confirmations = 40
	}
	if cfg.FluxBlockEvery == 0 && !cfg.ManualFlux {
		cfg.FluxBlockEvery = 250 * time.Millisecond
	}
	if cfg.EVMBlockEvery == 0 {
		cfg.EVMBlockEvery = 100 * time.Millisecond
	}
	if cfg.Coins == 0 {
		cfg.Coins = 64
	}
	if cfg.LockMax == 0 {
		cfg.LockMax = MaxLock
	}
	if cfg.FailoverAfter == 0 {
		cfg.FailoverAfter = 3 * time.Second
	}
	d := &Devnet{cfg: cfg, log: cfg.Logger, heights: map[int32]time.Time{}}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	runCtx, stop := context.WithCancel(context.Background())
	d.stop = stop
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	if d.Flux, err = fluxtest.New(fluxtest.Config{}); err != nil {
		return nil, err
	}
	if err := d.Flux.Start(runCtx); err != nil {
		return nil, err
	}
	// Every chain's relayer keys are evmsim's deterministic set for
	// cfg.Relayers signers, whatever the chain id: one relayer set for all.
	for c := range cfg.EVMChains {
		ch, err := evmsim.New(evmsim.Config{Signers: cfg.Relayers, Threshold: cfg.Threshold, HTTP: true,
			Accounts: cfg.relayerCount() + 1, MinLock: MinLock, ChainID: uint64(FirstEVMChainID + c)})
		if err != nil {
			return nil, err
		}
		d.EVMs = append(d.EVMs, ch)
		// The bridge is final before any relayer starts, as it is long before
		// one does on a real chain: a relayer refuses to sign while its
		// ledger reads find no contract at the finalized block.
		if err := ch.FinalizeAll(ctx); err != nil {
			return nil, fmt.Errorf("devnet: finalizing EVM chain %d's deployment: %w", c, err)
		}
		if c > 0 && !sameKeys(ch.SignerKeys, d.EVMs[0].SignerKeys) {
			return nil, fmt.Errorf("devnet: EVM chain %d's relayer keys differ from chain 0's", c)
		}
	}
	d.EVM = d.EVMs[0]
	d.Keys = slices.Clone(d.EVM.SignerKeys)
	for i := cfg.Relayers; i < cfg.relayerCount(); i++ {
		d.Keys = append(d.Keys, evmsim.SignerKey(i))
	}
	if d.Redeem, err = redeemOf(cfg.Threshold, d.Keys[:cfg.Relayers]); err != nil {
		return nil, err
	}
	if n := cfg.Next; n != nil {
		if err := n.check(cfg.Relayers); err != nil {
			return nil, err
		}
		var keys []*ecdsa.PrivateKey
		for _, i := range n.Members {
			keys = append(keys, d.Keys[i])
		}
		if d.NextRedeem, err = redeemOf(n.Threshold, keys); err != nil {
			return nil, err
		}
	}
	if err := d.fund(); err != nil {
		return nil, err
	}
	if err := d.writeConfigs(); err != nil {
		return nil, err
	}
	d.wg.Add(2)
	go func() { defer d.wg.Done(); d.produceEVM(runCtx) }()
	go func() { defer d.wg.Done(); d.produceFlux(runCtx) }()
	if !cfg.ChainsOnly {
		for i := range cfg.relayerCount() {
			if err := d.StartRelayer(ctx, i); err != nil {
				return nil, err
			}
		}
	}
	return d, nil
}

// writeConfigs writes relayer-i/{config.toml, keys/, passphrase,
// submitter.key} for every relayer, and relayer-i/submitter-c.key for each
// further EVM chain c. Relayer i's submitter on every chain is the chain's
// funded user i.
func (d *Devnet) writeConfigs() error {
	n := d.cfg.relayerCount()
	ports := make([]string, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		ports[i] = l.Addr().String()
		l.Close()
	}
	sum, err := chainrpc.Checksum(d.cfg.Plugin)
	if err != nil {
		return fmt.Errorf("devnet: the EVM plugin: %w", err)
	}
	plugin, err := filepath.Abs(d.cfg.Plugin)
	if err != nil {
		return err
	}
	var members []config.Member
	for i, k := range d.Keys {
		members = append(members, config.Member{Name: fmt.Sprintf("relayer-%d", i), Address: config.Address(crypto.PubkeyToAddress(k.PublicKey)),
			PublicKey: crypto.CompressPubkey(&k.PublicKey), Peer: ports[i]})
	}
	signers := config.Signers{Threshold: d.cfg.Threshold, Members: members[:d.cfg.Relayers]}
	if n := d.cfg.Next; n != nil {
		next := &config.NextSigners{Activation: n.Activation, Threshold: n.Threshold}
		for _, i := range n.Members {
			next.Members = append(next.Members, members[i])
		}
		signers.Next = next
	}
	anchor, err := filepath.Abs(filepath.Join(d.cfg.Dir, "anchor.json"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(anchor, d.Flux.SnapshotJSON(), 0o600); err != nil {
		return err
	}
	for i, k := range d.Keys {
		dir, err := filepath.Abs(filepath.Join(d.cfg.Dir, fmt.Sprintf("relayer-%d", i)))
		if err != nil {
			return err
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		ks := signer.Keystore{Dir: filepath.Join(dir, "keys"), KDF: signer.LightKDF}
		if keys, _ := ks.List(); len(keys) == 0 {
			if _, err := ks.Import(chains.SchemeSecp256k1, crypto.FromECDSA(k), Passphrase); err != nil {
				return err
			}
		}
		pass := filepath.Join(dir, "passphrase")
		if err := os.WriteFile(pass, []byte(Passphrase+"\n"), 0o600); err != nil {
			return err
		}
		var chainCfgs []config.Chain
		for c, ch := range d.EVMs {
			subKey, name := filepath.Join(dir, "submitter.key"), "devnet-evm"
			if c > 0 {
				subKey, name = filepath.Join(dir, fmt.Sprintf("submitter-%d.key", c)), fmt.Sprintf("devnet-evm-%d", c)
			}
			if err := writeKey(subKey, ch.Users[i]); err != nil {
				return err
			}
			chainCfgs = append(chainCfgs, config.Chain{ID: chains.ID(ch.ChainID.Uint64()), Name: name, Plugin: plugin, PluginSHA256: sum,
				PluginConfig: config.PluginConfig{Bridge: config.Address(ch.BridgeAddr), Settings: map[string]any{"endpoints": []any{ch.URL},
					"chain_id": ch.ChainID.Uint64(), "submitter_key_file": subKey, "fees": map[string]any{"max_fee_per_gas": "1000000000000", "bump_after": "30s"}}}})
		}
		c := &config.Config{
			Relayer: config.Relayer{DataDir: filepath.Join(dir, "data"), Keystore: ks.Dir, Key: members[i].Address, PassphraseFile: pass,
				FailoverAfter: config.Duration(d.cfg.FailoverAfter), StatusEvery: config.Duration(time.Second)},
			Flux:     config.Flux{Network: config.Network{Params: params.SimNet}, Peers: d.Flux.Addrs(), Confirmations: d.cfg.Confirmations, MinLock: MinLock, Anchor: anchor},
			Signers:  signers,
			Peer:     config.Peer{Listen: ports[i], HeartbeatEvery: config.Duration(time.Second)},
			Chains:   chainCfgs,
			Governor: d.cfg.Governor,
			Log:      config.Log{Level: slog.LevelInfo, Format: "text"},
		}
		out, err := config.Render(c)
		if err != nil {
			return err
		}
		p := filepath.Join(dir, "config.toml")
		if err := os.WriteFile(p, out, 0o600); err != nil {
			return err
		}
		if _, err := config.Load(p); err != nil {
			return fmt.Errorf("devnet: the written config does not load: %w", err)
		}
		d.ConfigPaths = append(d.ConfigPaths, p)
	}
	d.relayers = make([]*runningRelayer, n)
	return nil
}

// sameKeys reports whether a and b are the same keys in the same order.
func sameKeys(a, b []*ecdsa.PrivateKey) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

func writeKey(path string, k *ecdsa.PrivateKey) error {
	return os.WriteFile(path, []byte(hex.EncodeToString(crypto.FromECDSA(k))), 0o600)
}

// StartRelayer starts relayer i in this process (after a StopRelayer it
// resumes from its data directory).
func (d *Devnet) StartRelayer(ctx context.Context, i int) error {
	d.mu.Lock()
	running := d.relayers[i] != nil
	d.mu.Unlock()
	if running {
		return fmt.Errorf("devnet: relayer %d is running", i)
	}
	c, err := config.Load(d.ConfigPaths[i])
	if err != nil {
		return err
	}
	log := d.log.With("relayer", i)
	dm, err := daemon.Open(ctx, daemon.Options{Config: c, Passphrase: Passphrase, Logger: log, Now: d.cfg.Now,
		Tune: func(rc *relayer.Config) {
			rc.Poll, rc.StatusPoll, rc.Rebroadcast = 50*time.Millisecond, 300*time.Millisecond, 2*time.Second
			if d.cfg.Tune != nil {
				d.cfg.Tune(i, rc)
			}
		}})
	if err != nil {
		return err
	}
	rctx, cancel := context.WithCancel(context.Background())
	rr := &runningRelayer{d: dm, cancel: cancel, done: make(chan error, 1)}
	go func() { rr.done <- dm.Run(rctx) }()
	d.mu.Lock()
	d.relayers[i] = rr
	d.mu.Unlock()
	return nil
}

// StopRelayer stops relayer i and waits until it has closed its files.
func (d *Devnet) StopRelayer(i int) error {
	d.mu.Lock()
	rr := d.relayers[i]
	d.relayers[i] = nil
	d.mu.Unlock()
	if rr == nil {
		return nil
	}
	rr.cancel()
	return <-rr.done
}

// Relayer returns relayer i's daemon, or nil when it is not running here.
func (d *Devnet) Relayer(i int) *daemon.Daemon {
	d.mu.Lock()
	defer d.mu.Unlock()
	if rr := d.relayers[i]; rr != nil {
		return rr.d
	}
	return nil
}

// ReserveScript is the reserve's P2SH scriptPubKey.
func (d *Devnet) ReserveScript() []byte { return script.P2SH(script.Hash160(d.Redeem)) }

// Lock pays amount zatoshi to the reserve with an FLXB1 memo minting to
// recipient on the devnet's first EVM chain, from one prepared coin while
// any is left; it is mined in the next FLUX block. It is LockOn(0, …).
func (d *Devnet) Lock(amount int64, recipient [20]byte) (chains.LockRef, error) {
	return d.LockOn(0, amount, recipient)
}

// LockOn is Lock minting on EVM chain c (an index into EVMs).
func (d *Devnet) LockOn(c int, amount int64, recipient [20]byte) (chains.LockRef, error) {
	if c < 0 || c >= len(d.EVMs) {
		return chains.LockRef{}, fmt.Errorf("devnet: EVM chain %d: the devnet runs %d", c, len(d.EVMs))
	}
	return d.lockTo(d.ReserveScript(), c, amount, recipient)
}

// lockTo is LockOn paying the reserve script reserve.
func (d *Devnet) lockTo(reserve []byte, c int, amount int64, recipient [20]byte) (chains.LockRef, error) {
	m := memo.Lock{ChainID: uint32(d.EVMs[c].ChainID.Uint64()), Recipient: memo.EVMRecipient(recipient)}
	t, err := d.pay([]tx.TxOut{{Value: amount, Script: reserve}, {Value: 0, Script: memo.Script(m)}})
	if err != nil {
		return chains.LockRef{}, err
	}
	return chains.LockRef{TxID: t.TxID(), Vout: 0}, nil
}

// MinedAt returns when the devnet saw FLUX height h produced.
func (d *Devnet) MinedAt(h int32) (time.Time, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.heights[h]
	return t, ok
}

// MineFlux produces k FLUX blocks now and records their times.
func (d *Devnet) MineFlux(k int) error {
	if err := d.Flux.Mine(k); err != nil {
		return err
	}
	d.noteTip()
	return nil
}

func (d *Devnet) noteTip() {
	h, _ := d.Flux.Tip()
	now := time.Now()
	d.mu.Lock()
	for ; h >= 0; h-- {
		if _, ok := d.heights[h]; ok {
			break
		}
		d.heights[h] = now
	}
	d.mu.Unlock()
}

func (d *Devnet) produceFlux(ctx context.Context) {
	d.noteTip()
	if d.cfg.FluxBlockEvery <= 0 {
		return
	}
	t := time.NewTicker(d.cfg.FluxBlockEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := d.MineFlux(1); err != nil {
				d.log.Error("devnet: mining a FLUX block", "err", err)
			}
		}
	}
}

func (d *Devnet) produceEVM(ctx context.Context) {
	t := time.NewTicker(d.cfg.EVMBlockEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, ch := range d.EVMs {
				ch.Commit()
			}
		}
	}
}

// Close stops the relayers and the chains.
func (d *Devnet) Close() error {
	var errs []error
	for i := range d.relayers {
		errs = append(errs, d.StopRelayer(i))
	}
	if d.stop != nil {
		d.stop()
	}
	d.wg.Wait()
	for _, ch := range d.EVMs {
		errs = append(errs, ch.Close())
	}
	if d.Flux != nil {
		errs = append(errs, d.Flux.Close())
	}
	return errors.Join(errs...)
}
