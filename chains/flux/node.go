package flux

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/p2p"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/store"
	"github.com/fluxbridge/fluxbridge/internal/run"
)

// Config configures a Node. Params and DataDir are required.
type Config struct {
	// Params is the network (params.MainNet, params.SimNet, …).
	Params *params.Params
	// DataDir holds the node's SQLite database (flux.db). It is created if missing.
	DataDir string
	// Peers are host:port addresses to connect to.
	Peers []string
	// UseDNSSeeds adds the network's DNS seeds to Peers.
	UseDNSSeeds bool
	// TargetPeers is how many outbound peers to keep (default 8; at least 3 are
	// needed for the node to call itself healthy on mainnet).
	TargetPeers int
	// Anchor is the trust anchor used when the database is empty: a checkpoint
	// with its headers and the fluxnode set at that height. Nil means the
	// network's genesis block with an empty fluxnode set.
	Anchor *spv.Anchor
	// Reserve configures bridge scanning (reserve scripts, supported chains,
	// minimum lock). Nil scans nothing: the node only follows the chain.
	Reserve *reserve.Config
	// Workers verifies producer signatures in parallel (default: GOMAXPROCS).
	Workers int
	// MaxBlocksInFlight bounds outstanding block requests over all peers
	// (default 1024) and MaxBlocksPerPeer per peer (default 128).
	MaxBlocksInFlight int
	MaxBlocksPerPeer  int
	// BlockTimeout is how long a requested block may take before it is asked
	// of another peer (default 20 s).
	BlockTimeout time.Duration
	// HeaderTimeout is how long a getheaders may go unanswered before another
	// peer is asked (default 15 s).
	HeaderTimeout time.Duration
	// RebroadcastInterval is how often unconfirmed own transactions are sent
	// again (default 1 min).
	RebroadcastInterval time.Duration
	// HealthLag is how many blocks the node may trail the best peer and still
	// be healthy (default 2).
	HealthLag int32
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives the node's logs (default slog.Default()).
	Logger *slog.Logger
	// Resolve and Dial override DNS resolution and dialing (tests).
	Resolve p2p.ResolveFunc
	Dial    p2p.DialFunc
}

func (c *Config) setDefaults() error {
	if c.Params == nil {
		return errors.New("flux: Config.Params is required")
	}
	if c.DataDir == "" {
		return errors.New("flux: Config.DataDir is required")
	}
	if c.TargetPeers <= 0 {
		c.TargetPeers = 8
	}
	if c.MaxBlocksInFlight <= 0 {
		c.MaxBlocksInFlight = 1024
	}
	if c.MaxBlocksPerPeer <= 0 {
		c.MaxBlocksPerPeer = 128
	}
	if c.BlockTimeout <= 0 {
		c.BlockTimeout = 20 * time.Second
	}
	if c.HeaderTimeout <= 0 {
		c.HeaderTimeout = 15 * time.Second
	}
	if c.RebroadcastInterval <= 0 {
		c.RebroadcastInterval = time.Minute
	}
	if c.HealthLag <= 0 {
		c.HealthLag = 2
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

// Node is the embedded FLUX light node. It is safe for concurrent use.
type Node struct {
	cfg   Config
	db    *store.DB
	chain *spv.Chain
	peers *p2p.Manager
	sync  *syncer
	bcast *broadcaster

	mu      sync.Mutex
	running bool
}

// New opens (or creates) the node's database and chain state. Call Run to
// connect to peers and sync, and Close when done.
func New(cfg Config) (*Node, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	db, err := store.Open(filepath.Join(cfg.DataDir, databaseFile))
	if err != nil {
		return nil, fmt.Errorf("flux: open database: %w", err)
	}
	var scanner *reserve.Scanner
	if cfg.Reserve != nil {
		rc := *cfg.Reserve
		rc.Params = cfg.Params
		if scanner, err = reserve.NewScanner(rc); err != nil {
			db.Close()
			return nil, fmt.Errorf("flux: reserve scanner: %w", err)
		}
	}
	chain, err := spv.Open(spv.Config{
		Params:  cfg.Params,
		Store:   db,
		Anchor:  cfg.Anchor,
		Scanner: scanner,
		Now:     cfg.Now,
		Workers: cfg.Workers,
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("flux: open chain: %w", err)
	}
	n := &Node{cfg: cfg, db: db, chain: chain}
	n.sync = newSyncer(n)
	n.bcast = newBroadcaster(n)
	addrs := append([]string(nil), cfg.Peers...)
	var seeds []string
	if cfg.UseDNSSeeds {
		seeds = cfg.Params.DNSSeeds
	}
	n.peers, err = p2p.NewManager(p2p.Config{
		Params:         cfg.Params,
		Seeds:          seeds,
		Addresses:      addrs,
		TargetOutbound: cfg.TargetPeers,
		Handler:        n.sync,
		StartHeight:    func() int32 { return n.chain.Tip().Height },
		Now:            cfg.Now,
		Resolve:        cfg.Resolve,
		Dial:           cfg.Dial,
		Logger:         cfg.Logger,
	})
	if err != nil {
		chain.Close()
		db.Close()
		return nil, fmt.Errorf("flux: peer manager: %w", err)
	}
	return n, nil
}

// Run connects to peers, syncs and follows the chain, and tracks broadcast
// transactions until ctx is cancelled or a component fails. It returns nil on
// cancellation.
func (n *Node) Run(ctx context.Context) error {
	n.mu.Lock()
	if n.running {
		n.mu.Unlock()
		return errors.New("flux: Run called twice")
	}
	n.running = true
	n.mu.Unlock()

	g, _ := run.New(ctx)
	g.Go("peers", n.peers.Run)
	g.Go("sync", n.sync.run)
	g.Go("broadcast", n.bcast.run)
	if err := g.Wait(); err != nil {
		return fmt.Errorf("flux: %w", err)
	}
	return nil
}

// Close releases the chain state and the database. Run must have returned.
func (n *Node) Close() error {
	return errors.Join(n.chain.Close(), n.db.Close())
}

// ChainState exposes the verified chain state (read-only use).
func (n *Node) ChainState() *spv.Chain { return n.chain }

// Progress is a snapshot of the node's sync state.
type Progress struct {
	Height         int32  `json:"height"`
	Tip            string `json:"tip"`
	HeaderHeight   int32  `json:"header_height"`
	BestPeerHeight int32  `json:"best_peer_height"`
	Peers          int    `json:"peers"`
	Fluxnodes      int    `json:"fluxnodes"`
}

// Progress returns the node's current sync state.
func (n *Node) Progress() Progress {
	tip := n.chain.Tip()
	return Progress{
		Height:         tip.Height,
		Tip:            tip.Hash.String(),
		HeaderHeight:   n.chain.BestHeader().Height,
		BestPeerHeight: n.sync.bestPeerHeight(),
		Peers:          len(n.peers.Peers()),
		Fluxnodes:      n.chain.Fluxnodes(),
	}
}

// WaitForHeight blocks until the connected tip reaches height h or ctx ends.
func (n *Node) WaitForHeight(ctx context.Context, h int32) error {
	for {
		ch := n.sync.tipChanged()
		if n.chain.Tip().Height >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}
