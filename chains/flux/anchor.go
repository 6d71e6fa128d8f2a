package flux

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/p2p"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/store"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// databaseFile is the node's SQLite database inside Config.DataDir.
const databaseFile = "flux.db"

// HasState reports whether dataDir holds a light node database with chain
// state, in which case the node resumes from it and ignores Config.Anchor
// (a non-nil Anchor must then name the stored one). A missing directory or
// database is no state; a database that cannot be opened is an error.
func HasState(dataDir string) (bool, error) {
	path := filepath.Join(dataDir, databaseFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("flux: %w", err)
	}
	db, err := store.Open(path)
	if err != nil {
		return false, fmt.Errorf("flux: open database: %w", err)
	}
	defer db.Close()
	_, ok, err := db.State()
	if err != nil {
		return false, fmt.Errorf("flux: read database state: %w", err)
	}
	return ok, nil
}

// Defaults of BootstrapConfig.
const (
	// DefaultBootstrapPeers is how many peers the bootstrap keeps connected.
	DefaultBootstrapPeers = 3
	// DefaultBootstrapRequestTimeout bounds the wait for each answer.
	DefaultBootstrapRequestTimeout = 20 * time.Second
	// DefaultBootstrapPeerWait bounds the wait for a peer not yet tried.
	DefaultBootstrapPeerWait = time.Minute
	// DefaultBootstrapBlocksInFlight bounds the blocks requested and not yet
	// replayed (and so the bodies held in memory).
	DefaultBootstrapBlocksInFlight = 64
	// defaultBootstrapAttemptsDNS is MaxAttempts when DNS seeds are used.
	defaultBootstrapAttemptsDNS = 8
	// maxAnnouncement is the most headers an unsolicited announcement carries
	// (fluxd's MAX_BLOCKS_TO_ANNOUNCE). A headers message that does not
	// extend the requested chain and is no longer than this is taken for an
	// announcement and skipped; a longer one is a wrong answer.
	maxAnnouncement = 8
	// bootstrapInbox bounds the events waiting for the bootstrap loop.
	bootstrapInbox = 256
)

// The kinds of BootstrapPeerError. Callers decide by kind with errors.Is.
var (
	// ErrAnchorMismatch: the peer's header chain, linked to the checkpoint and
	// valid, has another block at the snapshot's height. Either the peer is
	// on another branch or the snapshot is not from the network's chain.
	ErrAnchorMismatch = errors.New("flux: anchor mismatch")
	// ErrChainTooShort: the peer's chain ends below the snapshot's height.
	ErrChainTooShort = errors.New("flux: chain too short")
	// ErrPeerMisbehaving: the peer broke a consensus or protocol rule (headers
	// that do not link, a header rule, a block whose merkle root does not
	// match its header). The peer is banned.
	ErrPeerMisbehaving = errors.New("flux: peer misbehaving")
	// ErrPeerUnresponsive: the peer did not answer in time, disconnected, or
	// said it does not have a block. Another peer may do better.
	ErrPeerUnresponsive = errors.New("flux: peer unresponsive")
	// ErrNoPeers: no further peer could be tried (MaxAttempts reached, or no
	// untried peer connected within PeerWait).
	ErrNoPeers = errors.New("flux: no peer left to try")
)

// BootstrapConfig configures BootstrapAnchor. Params and Snapshot are required.
type BootstrapConfig struct {
	// Params is the network.
	Params *params.Params
	// Snapshot is the fluxnode set after the anchor block, as the operator's
	// fluxd prints it (getfluxnodesnapshot: confirmed nodes only; entries
	// with another status are kept as given). Its Height and BlockHash name
	// the anchor.
	Snapshot *fluxnode.Snapshot
	// Peers are host:port addresses to connect to.
	Peers []string
	// UseDNSSeeds adds the network's DNS seeds.
	UseDNSSeeds bool
	// TargetPeers is how many peers to keep connected (default
	// DefaultBootstrapPeers).
	TargetPeers int
	// MaxAttempts is how many peers may fail before BootstrapAnchor gives up
	// (default: the number of Peers, or 8 with DNS seeds, at least 1).
	MaxAttempts int
	// RequestTimeout bounds the wait for each headers answer and for each
	// block of a getdata (default DefaultBootstrapRequestTimeout).
	RequestTimeout time.Duration
	// PeerWait bounds the wait for a connected peer not yet tried (default
	// DefaultBootstrapPeerWait).
	PeerWait time.Duration
	// MaxBlocksInFlight bounds the blocks requested and not yet replayed
	// (default DefaultBootstrapBlocksInFlight).
	MaxBlocksInFlight int
	// Now is the clock of the header time rule (default time.Now). Request
	// timeouts use real time.
	Now func() time.Time
	// Logger receives progress (default slog.Default()).
	Logger *slog.Logger
	// Resolve and Dial override DNS resolution and dialing (tests).
	Resolve p2p.ResolveFunc
	Dial    p2p.DialFunc
}

func (c *BootstrapConfig) setDefaults() error {
	switch {
	case c.Params == nil:
		return errors.New("flux: BootstrapConfig.Params is required")
	case c.Snapshot == nil:
		return errors.New("flux: BootstrapConfig.Snapshot is required")
	case c.Snapshot.Height < 0:
		return fmt.Errorf("flux: BootstrapConfig.Snapshot height %d", c.Snapshot.Height)
	case c.Snapshot.Height > 0 && len(c.Peers) == 0 && !c.UseDNSSeeds:
		return errors.New("flux: BootstrapConfig needs Peers or UseDNSSeeds")
	}
	if c.TargetPeers <= 0 {
		c.TargetPeers = DefaultBootstrapPeers
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = max(len(c.Peers), 1)
		if c.UseDNSSeeds {
			c.MaxAttempts = max(c.MaxAttempts, defaultBootstrapAttemptsDNS)
		}
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultBootstrapRequestTimeout
	}
	if c.PeerWait <= 0 {
		c.PeerWait = DefaultBootstrapPeerWait
	}
	if c.MaxBlocksInFlight <= 0 {
		c.MaxBlocksInFlight = DefaultBootstrapBlocksInFlight
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

// BootstrapPeerError is why one peer could not complete the bootstrap.
type BootstrapPeerError struct {
	// Addr is the peer's address.
	Addr string
	// Kind is ErrAnchorMismatch, ErrChainTooShort, ErrPeerMisbehaving or
	// ErrPeerUnresponsive.
	Kind error
	// Err says what happened.
	Err error
}

func (e *BootstrapPeerError) Error() string {
	return fmt.Sprintf("peer %s: %v: %v", e.Addr, e.Kind, e.Err)
}

// Unwrap returns the kind and the detail.
func (e *BootstrapPeerError) Unwrap() []error { return []error{e.Kind, e.Err} }

// BootstrapError is the failure of BootstrapAnchor: why it stopped (ErrNoPeers
// or the context's error) and what each peer tried did wrong. errors.Is
// matches the stop reason and every peer's kind.
type BootstrapError struct {
	// Height and Hash name the anchor.
	Height int32
	Hash   chainhash.Hash
	// Err is why no further peer was tried.
	Err error
	// Failures are the peers tried, in order.
	Failures []*BootstrapPeerError
}

func (e *BootstrapError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "flux: bootstrap anchor at %d %s: %v", e.Height, e.Hash, e.Err)
	for _, f := range e.Failures {
		b.WriteString("; ")
		b.WriteString(f.Error())
	}
	return b.String()
}

// Unwrap returns Err and the failures.
func (e *BootstrapError) Unwrap() []error {
	out := []error{e.Err}
	for _, f := range e.Failures {
		out = append(out, f)
	}
	return out
}

// BootstrapAnchor turns a fluxnode snapshot at height H (fluxd's
// getfluxnodesnapshot with its blockhash) into a trust anchor for Config.Anchor:
// it fetches and verifies the headers from a built-in checkpoint to H, and
// replays the blocks from fluxnode.BackfillFrom(H) to H to rebuild the
// started and DoS entries the snapshot leaves out. It uses its own
// short-lived peer connections, one peer at a time: a peer that fails is
// disconnected (banned if it broke a rule) and the next one continues.
//
// A snapshot at height 0 must name the genesis block; it is returned as the
// genesis anchor without connecting to anyone.
//
// SECURITY: trusted, from the operator's own fluxd: the snapshot's block
// hash (which block the chain is anchored at) and its list of confirmed
// nodes (whose operational keys are accepted as producers from H+1 on).
// Verified here: the headers link, one by one, from the highest built-in
// checkpoint at least max(the backfill window, the anchor's header window)
// below H up to a header at H whose hash is the snapshot's; every header
// passes CheckContextFree, every built-in checkpoint on the way matches, and
// every header with enough ancestors fetched passes CheckContextual (the
// first ones after the checkpoint lack their difficulty window and are
// covered by the hash chain to H instead); every replayed block's merkle
// root matches its verified header. Producer signatures of the replayed
// blocks are not checked: the set that signed them is what is being rebuilt,
// and the hash chain from the trusted hash already fixes every one of them.
func BootstrapAnchor(ctx context.Context, cfg BootstrapConfig) (*spv.Anchor, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	p, snap := cfg.Params, cfg.Snapshot
	if snap.Height == 0 {
		if snap.BlockHash != p.GenesisHash {
			return nil, fmt.Errorf("%w: snapshot at height 0 names %s, not %s's genesis block %s", ErrAnchorMismatch, snap.BlockHash, p.Name, p.GenesisHash)
		}
		return &spv.Anchor{Height: 0, Hash: p.GenesisHash, Fluxnodes: snap}, nil
	}
	b := newBootstrap(cfg)
	mgr, err := p2p.NewManager(p2p.Config{
		Params:         p,
		Seeds:          seedsIf(cfg.UseDNSSeeds, p),
		Addresses:      append([]string(nil), cfg.Peers...),
		TargetOutbound: cfg.TargetPeers,
		Handler:        b,
		StartHeight:    func() int32 { return snap.Height },
		Now:            cfg.Now,
		Resolve:        cfg.Resolve,
		Dial:           cfg.Dial,
		Logger:         cfg.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("flux: bootstrap peer manager: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // "flux.bootstrap.peers": the manager, stopped by cancel below
		defer wg.Done()
		_ = mgr.Run(ctx) // returns nil once ctx ends; it has no other outcome
	}()
	anchor, err := b.run(ctx)
	cancel()
	close(b.done) // handlers stop waiting for the loop
	wg.Wait()
	return anchor, err
}

func seedsIf(use bool, p *params.Params) []string {
	if use {
		return p.DNSSeeds
	}
	return nil
}

// bootEvent is a peer event for the bootstrap loop.
type bootEvent struct {
	kind eventKind
	peer *p2p.Peer
	msg  wire.Message
}

// bootstrap is BootstrapAnchor's state. Its p2p.Handler methods run on peer
// goroutines and only enqueue; everything else runs on run's goroutine.
type bootstrap struct {
	cfg   BootstrapConfig
	p     *params.Params
	snap  *fluxnode.Snapshot
	log   *slog.Logger
	inbox chan bootEvent
	done  chan struct{} // closed when run has returned

	// Loop-owned state.
	peers    map[uint64]*p2p.Peer
	tried    map[string]bool
	failures []*BootstrapPeerError

	cp       params.Checkpoint
	keepFrom int32               // lowest height whose header is kept
	headers  []*wire.BlockHeader // heights keepFrom..H once verified
	hashes   map[chainhash.Hash]int32
	set      *fluxnode.Set
	next     int32 // next block to replay
	skipped  int   // fluxnode transactions Backfill skipped
}

func newBootstrap(cfg BootstrapConfig) *bootstrap {
	p, h := cfg.Params, cfg.Snapshot.Height
	b := &bootstrap{
		cfg:   cfg,
		p:     p,
		snap:  cfg.Snapshot,
		log:   cfg.Logger.With("component", "flux-bootstrap"),
		inbox: make(chan bootEvent, bootstrapInbox),
		done:  make(chan struct{}),
		peers: make(map[uint64]*p2p.Peer),
		tried: make(map[string]bool),
		set:   fluxnode.NewSetFromSnapshot(p, cfg.Snapshot),
		next:  fluxnode.BackfillFrom(h),
	}
	b.cp = AnchorCheckpoint(p, h)
	b.keepFrom = min(fluxnode.BackfillFrom(h), h-int32(spv.AnchorHeadersNeeded(p, h))+1)
	return b
}

// AnchorCheckpoint returns the built-in checkpoint BootstrapAnchor links the
// headers of an anchor at height h to: the highest one at least
// max(the backfill window, spv.AnchorHeadersNeeded(p, h)) below h, or the
// genesis block.
func AnchorCheckpoint(p *params.Params, h int32) params.Checkpoint {
	window := max(h-fluxnode.BackfillFrom(h)+1, int32(spv.AnchorHeadersNeeded(p, h)))
	best := params.Checkpoint{Height: 0, Hash: p.GenesisHash}
	for _, c := range p.Checkpoints {
		if c.Height <= h-window && c.Height > best.Height {
			best = c
		}
	}
	return best
}

func (b *bootstrap) enqueue(ev bootEvent) {
	select {
	case b.inbox <- ev: // blocks the peer's reader while the loop is busy: back-pressure
	case <-b.done:
	}
}

// PeerConnected implements p2p.Handler.
func (b *bootstrap) PeerConnected(p *p2p.Peer) { b.enqueue(bootEvent{kind: evConnected, peer: p}) }

// PeerDisconnected implements p2p.Handler.
func (b *bootstrap) PeerDisconnected(p *p2p.Peer, _ error) {
	b.enqueue(bootEvent{kind: evDisconnected, peer: p})
}

// Message implements p2p.Handler; only answers to our requests are kept.
func (b *bootstrap) Message(p *p2p.Peer, m wire.Message) {
	switch m.(type) {
	case *wire.MsgHeaders, *wire.MsgBlock, *wire.MsgNotFound:
		b.enqueue(bootEvent{kind: evMessage, peer: p, msg: m})
	}
}

// run tries peers until one completes the anchor or no peer is left.
func (b *bootstrap) run(ctx context.Context) (*spv.Anchor, error) {
	h, hash := b.snap.Height, b.snap.BlockHash
	b.log.Info("bootstrapping anchor", "height", h, "hash", hash, "checkpoint", b.cp.Height, "backfill_from", b.next)
	for {
		if len(b.failures) >= b.cfg.MaxAttempts {
			return nil, b.fail(ErrNoPeers)
		}
		peer, err := b.nextPeer(ctx)
		if err != nil {
			return nil, b.fail(err)
		}
		b.tried[peer.Addr()] = true
		err = b.tryPeer(ctx, peer)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil, b.fail(ctx.Err())
		}
		var pe *BootstrapPeerError
		if !errors.As(err, &pe) {
			return nil, err // not the peer's fault: stop
		}
		b.failures = append(b.failures, pe)
		if errors.Is(pe.Kind, ErrPeerMisbehaving) {
			peer.Misbehaving(p2p.BanScore, "bootstrap: "+pe.Err.Error())
		} else {
			peer.Disconnect("bootstrap: " + pe.Error())
		}
		b.log.Warn("bootstrap peer failed", "peer", peer.Addr(), "kind", pe.Kind, "err", pe.Err)
	}
	need := spv.AnchorHeadersNeeded(b.p, h)
	anchor := &spv.Anchor{
		Height:    h,
		Hash:      hash,
		Headers:   append([]*wire.BlockHeader(nil), b.headers[len(b.headers)-need:]...),
		Fluxnodes: &fluxnode.Snapshot{Height: h, BlockHash: hash, Entries: b.set.Entries()},
	}
	b.log.Info("anchor bootstrapped", "height", h, "hash", hash, "fluxnodes", len(anchor.Fluxnodes.Entries),
		"started", b.set.Count(fluxnode.StatusStarted), "dos", b.set.Count(fluxnode.StatusDoS), "skipped_txs", b.skipped)
	return anchor, nil
}

func (b *bootstrap) fail(err error) error {
	return &BootstrapError{Height: b.snap.Height, Hash: b.snap.BlockHash, Err: err, Failures: b.failures}
}

// handle keeps the peer list; it returns a message event's message.
func (b *bootstrap) handle(ev bootEvent) wire.Message {
	switch ev.kind {
	case evConnected:
		b.peers[ev.peer.ID()] = ev.peer
	case evDisconnected:
		delete(b.peers, ev.peer.ID())
	case evMessage:
		return ev.msg
	}
	return nil
}

// nextPeer returns a connected peer whose address was not tried yet, waiting
// up to PeerWait for one.
func (b *bootstrap) nextPeer(ctx context.Context) (*p2p.Peer, error) {
	timer := time.NewTimer(b.cfg.PeerWait)
	defer timer.Stop()
	for {
		var pick *p2p.Peer
		for _, p := range b.peers {
			if !b.tried[p.Addr()] && (pick == nil || p.ID() < pick.ID()) {
				pick = p
			}
		}
		if pick != nil {
			return pick, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
			return nil, fmt.Errorf("%w: no untried peer connected within %v", ErrNoPeers, b.cfg.PeerWait)
		case ev := <-b.inbox:
			b.handle(ev)
		}
	}
}

// recv returns the next message from peer, handling other events meanwhile.
func (b *bootstrap) recv(ctx context.Context, peer *p2p.Peer, timer *time.Timer) (wire.Message, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
			return nil, b.peerErr(peer, ErrPeerUnresponsive, fmt.Errorf("no answer within %v", b.cfg.RequestTimeout))
		case ev := <-b.inbox:
			m := b.handle(ev)
			if ev.peer != peer {
				continue // other peers' messages are not ours to read
			}
			if ev.kind == evDisconnected {
				return nil, b.peerErr(peer, ErrPeerUnresponsive, fmt.Errorf("disconnected: %v", peer.Err()))
			}
			if m != nil {
				return m, nil
			}
		}
	}
}

func (b *bootstrap) peerErr(peer *p2p.Peer, kind error, err error) *BootstrapPeerError {
	return &BootstrapPeerError{Addr: peer.Addr(), Kind: kind, Err: err}
}

func (b *bootstrap) send(peer *p2p.Peer, m wire.Message) error {
	if err := peer.Send(m); err != nil {
		return b.peerErr(peer, ErrPeerUnresponsive, err)
	}
	return nil
}

// tryPeer completes what is left of the bootstrap with one peer.
func (b *bootstrap) tryPeer(ctx context.Context, peer *p2p.Peer) error {
	if peer.StartHeight() < b.snap.Height {
		return b.peerErr(peer, ErrChainTooShort, fmt.Errorf("peer is at height %d", peer.StartHeight()))
	}
	if b.headers == nil {
		hs, err := b.fetchHeaders(ctx, peer)
		if err != nil {
			return err
		}
		b.headers = hs
		b.hashes = make(map[chainhash.Hash]int32, len(hs))
		for i, hdr := range hs {
			b.hashes[hdr.BlockHash()] = b.keepFrom + int32(i)
		}
	}
	return b.fetchBlocks(ctx, peer)
}
