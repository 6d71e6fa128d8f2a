// Package daemon assembles one running relayer from its configuration: the
// unlocked key, the SQLite store, the embedded FLUX light node, a chain plugin
// process per destination, the peer exchange and the lock → mint pipeline
// (DESIGN §2). `fluxbridge run` and `fluxbridge-devnet` both use it.
package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/chainrpc"
	"github.com/fluxbridge/fluxbridge/chains/flux"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/internal/run"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/config"
	"github.com/fluxbridge/fluxbridge/relayer/peer"
	"github.com/fluxbridge/fluxbridge/relayer/store/sqlite"
	"github.com/fluxbridge/fluxbridge/signer"
)

// Options configures Open.
type Options struct {
	// Config is the relayer configuration, with the typed values config.Load
	// decoded; Open validates it again and re-parses nothing. Required.
	Config *config.Config
	// Passphrase unlocks the relayer's key. Required.
	Passphrase string
	// Logger receives every component's logs (default slog.Default()).
	Logger *slog.Logger
	// Now is the clock of the pipeline and the store (default time.Now).
	Now func() time.Time
	// Tune adjusts the pipeline's configuration before it starts (tests and
	// the devnet use it for short polls); nil leaves the defaults.
	Tune func(*relayer.Config)
}

// Daemon is one assembled relayer.
type Daemon struct {
	cfg      *config.Config
	log      *slog.Logger
	key      signer.Signer
	store    *sqlite.DB
	node     *flux.Node
	plugins  []*chainrpc.Plugin
	exchange *peer.Exchange
	relayer  *relayer.Relayer

	closeOnce sync.Once
}

// Open unlocks the key and opens or starts every component; Run runs them.
// On error everything opened so far is closed.
func Open(ctx context.Context, o Options) (_ *Daemon, err error) {
	if o.Config == nil {
		return nil, fault.E("daemon.Open", fault.Invalid, errors.New("a configuration is required"))
	}
	// config.Load validated it; a configuration built in Go may not be.
	if err := o.Config.Validate(); err != nil {
		return nil, fault.E("daemon.Open", fault.Invalid, err)
	}
	cfg := o.Config
	d := &Daemon{cfg: cfg, log: o.Logger}
	if d.log == nil {
		d.log = slog.Default()
	}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	if d.key, err = unlock(cfg, o.Passphrase); err != nil {
		return nil, err
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(filepath.Join(cfg.Relayer.DataDir, "flux"), 0o700); err != nil {
		return nil, fault.E("daemon.Open", fault.Internal, err)
	}
	if d.store, err = sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(cfg.Relayer.DataDir, "relayer.db"), Signer: d.key, Now: now}); err != nil {
		return nil, err
	}
	p := cfg.Flux.Network.Params
	current, err := setOf("the reserve", cfg.Signers.Threshold, cfg.Signers.Members)
	if err != nil {
		return nil, err
	}
	// The scanner watches the reserve scripts of both sets: the current
	// set's, and the next set's the reserve moves to (DESIGN §6).
	reserveScripts := [][]byte{current.p2sh()}
	var next *relayer.NextSet // its Reserve once the node is up
	if n := cfg.Signers.Next; n != nil {
		s, err := setOf("the next set's reserve", n.Threshold, n.Members)
		if err != nil {
			return nil, err
		}
		next = &relayer.NextSet{Activation: n.Activation, Members: s.ids, Threshold: n.Threshold, Proposers: s.proposers, Redeem: s.redeem}
		reserveScripts = append(reserveScripts, s.p2sh())
	}
	supported := map[uint32]bool{}
	for _, c := range cfg.Chains {
		supported[uint32(c.ID)] = true
	}
	fluxDir := filepath.Join(cfg.Relayer.DataDir, "flux")
	seeds := cfg.Flux.UseDNSSeeds != nil && *cfg.Flux.UseDNSSeeds
	snap, err := flux.ReadSnapshot(cfg.Flux.Anchor, p)
	if err != nil {
		return nil, fault.E("daemon.Open", fault.Invalid, fmt.Errorf("flux.anchor: %w", err))
	}
	anchor, err := flux.LoadAnchor(ctx, snap, flux.AnchorSource{Params: p, Peers: cfg.Flux.Peers, DataDir: fluxDir, Logger: d.log.With("component", "flux")})
	if err != nil {
		return nil, fault.E("daemon.Open", fault.Transient, fmt.Errorf("flux.anchor: %w", err))
	}
	if d.node, err = flux.New(flux.Config{
		Params: p, DataDir: fluxDir, Peers: cfg.Flux.Peers, UseDNSSeeds: seeds, Anchor: anchor,
		Reserve: &reserve.Config{Params: p, ReserveScripts: reserveScripts,
			SupportedChains: func(id uint32) bool { return supported[id] }, MinLock: int64(cfg.Flux.MinLock)},
		Logger: d.log.With("component", "flux"),
	}); err != nil {
		return nil, err
	}
	dests, burns, err := d.startPlugins(ctx)
	if err != nil {
		return nil, err
	}
	reserveSink, err := d.node.ReserveSink(current.redeem)
	if err != nil {
		return nil, err
	}
	if next != nil {
		if next.Reserve, err = d.node.ReserveSink(next.Redeem); err != nil {
			return nil, err
		}
	}
	// The exchange comes first: the pipeline sends through it and reads the
	// peers' heartbeats from it. Nothing reaches d.handle or d.heartbeat
	// before Run starts the exchange, by which time the pipeline exists.
	if d.exchange, err = peer.New(peer.Config{
		Self: d.key, Listen: cfg.Peer.Listen, Members: peersOf(cfg), Handle: d.handle, Heartbeat: d.heartbeat,
		HeartbeatInterval: time.Duration(cfg.Peer.HeartbeatEvery), Logger: d.log.With("component", "peer"),
	}); err != nil {
		return nil, err
	}
	rcfg := relayer.Config{
		Store: d.store, Signer: d.key, Verify: signer.Verify, Source: d.node, Headers: headerSource{d.node},
		Peers: peerTips{d.exchange}, Destinations: dests, Members: current.ids, Threshold: cfg.Signers.Threshold,
		SetID: cfg.Signers.SetID, Next: next,
		Outbox: outbox{key: d.key, x: d.exchange}, Confirmations: cfg.Flux.Confirmations, Governor: governorOf(cfg),
		FailoverAfter: time.Duration(cfg.Relayer.FailoverAfter), MintBatch: cfg.Relayer.MintBatch,
		BatchWait: time.Duration(cfg.Relayer.BatchWait), Now: now, Logger: d.log.With("component", "relayer"),
		Releases: relayer.Releases{Reserve: reserveSink, Burns: burns, Proposers: current.proposers,
			Prefixes: [][2]byte{p.PubKeyHashPrefix, p.ScriptHashPrefix}, Cadence: cfg.Release.Cadence,
			FeeRate: cfg.Release.FeeRate, Fee: cfg.Release.Fee, MaxBatch: cfg.Release.MaxBatch, ConsolidateAbove: cfg.Release.ConsolidateAbove},
	}
	if o.Tune != nil {
		o.Tune(&rcfg)
	}
	if d.relayer, err = relayer.New(rcfg); err != nil {
		return nil, err
	}
	return d, nil
}

// startPlugins starts one plugin process per configured chain: each is a
// destination (its sink) and a burn source.
func (d *Daemon) startPlugins(ctx context.Context) ([]relayer.Destination, []chains.Source, error) {
	var dests []relayer.Destination
	var burns []chains.Source
	for i, c := range d.cfg.Chains {
		field := fmt.Sprintf("chain[%d]", i)
		pc, err := json.Marshal(c.PluginConfig)
		if err != nil {
			return nil, nil, fault.E("daemon.Open", fault.Invalid, fmt.Errorf("%s.plugin_config: %w", field, err))
		}
		p, err := chainrpc.Start(ctx, chainrpc.Config{Path: c.Plugin, SHA256: c.PluginSHA256, Unpinned: c.PluginUnpinned, Env: c.PluginEnv,
			PluginConfig: pc, Logger: d.log.With("component", "plugin", "chain", c.ID)})
		if err != nil {
			return nil, nil, err
		}
		d.plugins = append(d.plugins, p)
		sink := p.Sink()
		if sink == nil {
			return nil, nil, fault.E("daemon.Open", fault.Invalid, fmt.Errorf("%s: the plugin serves no sink (is submitter_key_file set?)", field))
		}
		if sink.Chain() != c.ID {
			return nil, nil, fault.E("daemon.Open", fault.Invalid, fmt.Errorf("%s: the plugin serves chain %s, not %s", field, sink.Chain(), c.ID))
		}
		l, err := sink.Limits(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: reading the bridge's minimum lock and mint fee: %w", field, err)
		}
		if err := checkMinLock(d.cfg.Flux.MinLock, c.ID, l); err != nil {
			return nil, nil, err
		}
		if err := checkMinBurn(d.cfg.Release.Fee, c.ID, l); err != nil {
			return nil, nil, err
		}
		dests = append(dests, relayer.Destination{Chain: c.ID, Bridge: c.PluginConfig.Bridge, Sink: sink, MinLock: l.MinLock, MintFee: l.MintFee})
		src := p.Source()
		if src == nil || src.Chain() != c.ID {
			return nil, nil, fault.E("daemon.Open", fault.Invalid, fmt.Errorf("%s: the plugin serves no burn source for chain %s", field, c.ID))
		}
		burns = append(burns, src)
	}
	return dests, burns, nil
}

// checkMinLock refuses a flux.min_lock that lets through a lock a bridge can
// never mint: one below the bridge's minLock, or not above its mintFee. Such
// a lock would be signed by every relayer and then revert forever; with
// min_lock at least the bridge's minimum the scanner makes it a refund.
func checkMinLock(minLock uint64, chain chains.ID, l chains.Limits) error {
	const op = "daemon.Open"
	switch {
	case minLock < l.MinLock:
		return fault.E(op, fault.Invalid, fmt.Errorf("flux.min_lock = %d zatoshi is below the minLock of chain %s's bridge (%d): raise flux.min_lock to at least %d",
			minLock, chain, l.MinLock, max(l.MinLock, l.MintFee+1)))
	case minLock <= l.MintFee:
		return fault.E(op, fault.Invalid, fmt.Errorf("flux.min_lock = %d zatoshi is not above the mintFee of chain %s's bridge (%d): raise flux.min_lock to at least %d",
			minLock, chain, l.MintFee, max(l.MinLock, l.MintFee+1)))
	}
	return nil
}

// Run runs the light node, the peer exchange and the pipeline until ctx
// ends, then closes everything. It returns the first component error that
// was not caused by ctx ending.
func (d *Daemon) Run(ctx context.Context) error {
	g, _ := run.New(ctx)
	g.Go("flux node", d.node.Run)
	g.Go("peer exchange", d.exchange.Run)
	g.Go("relayer", d.relayer.Run)
	every := time.Duration(d.cfg.Relayer.StatusEvery)
	if every <= 0 {
		every = 5 * time.Second
	}
	g.Go("status", func(ctx context.Context) error { return d.recordStatus(ctx, every) })
	return errors.Join(g.Wait(), d.Close())
}

// Relayer returns the pipeline.
func (d *Daemon) Relayer() *relayer.Relayer { return d.relayer }

// Store returns the relayer's store.
func (d *Daemon) Store() *sqlite.DB { return d.store }

// Node returns the embedded light node.
func (d *Daemon) Node() *flux.Node { return d.node }

// Exchange returns the peer exchange.
func (d *Daemon) Exchange() *peer.Exchange { return d.exchange }

// PeerAddr is where the peer exchange listens.
func (d *Daemon) PeerAddr() string { return d.exchange.Addr() }

// Close stops the plugins and closes the exchange, the node and the store.
func (d *Daemon) Close() error {
	var errs []error
	d.closeOnce.Do(func() {
		if d.exchange != nil {
			errs = append(errs, d.exchange.Close())
		}
		for _, p := range d.plugins {
			errs = append(errs, p.Close())
		}
		if d.node != nil {
			errs = append(errs, d.node.Close())
		}
		if d.store != nil {
			errs = append(errs, d.store.Close())
		}
	})
	return errors.Join(errs...)
}

// handle routes a verified envelope from a member to the pipeline.
func (d *Daemon) handle(ctx context.Context, from []byte, e peer.Envelope) error {
	switch e.Kind {
	case peer.KindMintAttestation, peer.KindReleaseProposal, peer.KindReleaseSignature, peer.KindRefundProposal, peer.KindRefundSignature,
		peer.KindRotateSignature, peer.KindMintBatchSig:
		raw, err := e.MarshalBinary()
		if err != nil {
			return err
		}
		return d.relayer.HandleEnvelope(ctx, e.Kind, from, e.Payload, raw)
	case peer.KindReobserveRequest:
		var req peer.ReobserveRequest
		if err := req.UnmarshalBinary(e.Payload); err != nil {
			return err
		}
		return d.relayer.HandleReobserve(ctx, from, req.Chain, req.TxID)
	}
	return nil
}

// heartbeat is what this relayer tells its peers every few seconds.
func (d *Daemon) heartbeat() peer.Heartbeat {
	hb := peer.Heartbeat{Time: time.Now()}
	chain := d.node.ChainState()
	tip := chain.Tip()
	hb.FluxHeight, hb.FluxHash = uint64(tip.Height), tip.Hash
	if tip.Height >= int32(d.cfg.Flux.Confirmations) {
		final := tip.Height - int32(d.cfg.Flux.Confirmations) + 1
		if hd, ok := chain.HeaderAt(final); ok {
			hb.FluxFinal, hb.FluxFinalHash = uint64(final), hd.BlockHash()
		}
	}
	why := d.relayer.Refusing()
	hb.Healthy = why.Cause == relayer.RefusalNone
	hb.Paused = why.Cause == relayer.RefusalPaused
	return hb
}

// outbox seals the pipeline's payloads with the relayer's key and hands them
// to the exchange.
type outbox struct {
	key signer.Signer
	x   *peer.Exchange
}

func (o outbox) Broadcast(ctx context.Context, kind string, payload []byte) error {
	e, err := peer.Seal(ctx, o.key, kind, payload)
	if err != nil {
		return err
	}
	o.x.Broadcast(e)
	return nil
}

// headerSource gives the journal the light node's raw headers.
type headerSource struct{ n *flux.Node }

func (h headerSource) Anchor() (uint64, string) {
	ht, hash := h.n.ChainState().Anchor()
	return uint64(ht), hash.String()
}

func (h headerSource) HashAt(height uint64) (string, bool) {
	if height > math.MaxInt32 {
		return "", false
	}
	hd, ok := h.n.ChainState().HeaderAt(int32(height))
	if !ok {
		return "", false
	}
	return hd.BlockHash().String(), true
}

// peerTips gives the pipeline the FLUX blocks in the peers' heartbeats.
type peerTips struct{ x *peer.Exchange }

func (p peerTips) FluxTips(since time.Time) []relayer.PeerTip {
	var out []relayer.PeerTip
	for _, s := range p.x.Peers() {
		if s.HeartbeatAt.IsZero() || s.HeartbeatAt.Before(since) {
			continue
		}
		hb := s.Heartbeat
		out = append(out, relayer.PeerTip{Signer: s.ID,
			Tip:   chains.BlockRef{Height: hb.FluxHeight, Hash: chains.DisplayHash(hb.FluxHash)},
			Final: chains.BlockRef{Height: hb.FluxFinal, Hash: chains.DisplayHash(hb.FluxFinalHash)}})
	}
	return out
}

func (h headerSource) Headers(ctx context.Context, from, to uint64) ([][]byte, string, error) {
	var out [][]byte
	var last string
	for ht := from; ht <= to; ht++ {
		hd, ok := h.n.ChainState().HeaderAt(int32(ht))
		if !ok {
			return nil, "", fault.E("daemon.Headers", fault.Transient, fmt.Errorf("no header at height %d", ht))
		}
		out = append(out, hd.Bytes())
		last = hd.BlockHash().String()
	}
	return out, last, nil
}

// unlock opens the relayer's key from its keystore.
func unlock(cfg *config.Config, pass string) (signer.Signer, error) {
	keys, err := signer.List(cfg.Relayer.Keystore)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.Scheme == chains.SchemeSecp256k1 && bytes.Equal(k.ID, cfg.Relayer.Key[:]) {
			return signer.Unlock(k.Path, pass)
		}
	}
	return nil, fault.E("daemon.unlock", fault.NotFound, fmt.Errorf("relayer.key %s is not in the keystore %s", cfg.Relayer.Key, cfg.Relayer.Keystore))
}

// checkMinBurn refuses a release fee that a bridge's minimum burn does not
// cover with the dust limit to spare: a burn at that minimum could not be paid.
func checkMinBurn(fee uint64, chain chains.ID, l chains.Limits) error {
	if l.MinBurn < fee+relayer.DustLimit {
		return fault.E("daemon.Open", fault.Invalid, fmt.Errorf(
			"release.fee = %d: chain %s's bridge accepts burns from %d zatoshi (its minBurn), which must cover the release fee and the dust limit of %d; use a fee of at most %d",
			fee, chain, l.MinBurn, relayer.DustLimit, max(int64(l.MinBurn)-relayer.DustLimit, 0)))
	}
	return nil
}

// peersOf returns the peer exchange's members: every relayer of the current
// and the next signer set, each once, this one included.
func peersOf(cfg *config.Config) []peer.Member {
	var out []peer.Member
	for _, m := range cfg.AllMembers() {
		out = append(out, peer.Member{ID: m.Address.Bytes(), Addr: m.Peer})
	}
	return out
}

// signerSet is one configured signer set as the pipeline and the light node
// take it.
type signerSet struct {
	// ids are the members' addresses in configuration order; proposers the
	// same in the order of their public keys.
	ids, proposers [][]byte
	// redeem is the set's k-of-n reserve redeem script.
	redeem []byte
}

// setOf returns the signer set of the members ms with threshold k; what
// names its redeem script in an error.
func setOf(what string, k int, ms []config.Member) (signerSet, error) {
	ids, pubkeys := membersOf(ms)
	redeem, err := script.MultisigRedeemScript(k, pubkeys)
	if err != nil {
		return signerSet{}, fault.E("daemon.Open", fault.Invalid, fmt.Errorf("%s's redeem script: %w", what, err))
	}
	return signerSet{ids: ids, proposers: proposersOf(ms), redeem: redeem}, nil
}

// p2sh is the set's reserve script, the P2SH output script of its redeem
// script.
func (s signerSet) p2sh() []byte { return script.P2SH(script.Hash160(s.redeem)) }

// proposersOf returns the members' addresses in the order of their public
// keys: the release rounds' proposer order (DESIGN §4).
func proposersOf(members []config.Member) [][]byte {
	ms := slices.Clone(members)
	slices.SortFunc(ms, func(a, b config.Member) int { return bytes.Compare(a.PublicKey, b.PublicKey) })
	out := make([][]byte, len(ms))
	for i, m := range ms {
		out[i] = m.Address.Bytes()
	}
	return out
}

// membersOf returns the members' addresses in configuration order and their
// public keys sorted by key (the reserve's redeem script order).
func membersOf(members []config.Member) (ids, pubs [][]byte) {
	for _, m := range members {
		ids, pubs = append(ids, m.Address.Bytes()), append(pubs, bytes.Clone(m.PublicKey))
	}
	slices.SortFunc(pubs, bytes.Compare)
	return ids, pubs
}

func governorOf(cfg *config.Config) relayer.Governor {
	g := relayer.Governor{Window: time.Duration(cfg.Governor.Window), Large: cfg.Governor.LargeTransfer,
		LargeDelay: time.Duration(cfg.Governor.LargeDelay), Limits: map[chains.ID]uint64{}}
	maps.Copy(g.Limits, cfg.Governor.Limits)
	return g
}
