package fluxtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// Network is a simulated FLUX network: one honest chain, its mempool and
// wallet, and the SimPeers serving it. Its methods are safe for concurrent use.
type Network struct {
	cfg Config
	p   *params.Params

	// mu serializes every change of the chain, the mempool and the wallet.
	mu       sync.Mutex
	chain    *chainState
	mempool  map[chainhash.Hash]*tx.Tx
	order    []chainhash.Hash                      // mempool arrival order
	spent    map[chainhash.OutPoint]chainhash.Hash // outputs mempool txs spend
	reserved map[chainhash.OutPoint]struct{}       // inputs of built, unsubmitted payments
	alt      *altChain
	censor   func(*tx.Tx) bool // Censor's predicate

	peers   []*SimPeer
	connSeq atomic.Uint64

	// life guards the running state.
	life    sync.Mutex
	started bool
	closed  bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	bgErr   error
}

// New builds a network holding the genesis block, with cfg.Fluxnodes test
// fluxnodes registered. Start serves it.
func New(cfg Config) (*Network, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	n := &Network{
		cfg:      cfg,
		p:        cfg.Params,
		chain:    newChainState(cfg.Params, cfg.Fluxnodes, labelFluxnode, labelCollateral),
		mempool:  make(map[chainhash.Hash]*tx.Tx),
		spent:    make(map[chainhash.OutPoint]chainhash.Hash),
		reserved: make(map[chainhash.OutPoint]struct{}),
	}
	for i, a := range cfg.ListenAddrs {
		n.peers = append(n.peers, &SimPeer{n: n, index: i, listen: a, conns: make(map[*conn]struct{})})
	}
	return n, nil
}

// Params returns the network's parameters.
func (n *Network) Params() *params.Params { return n.p }

// Start opens the listeners and starts serving (and, with a BlockInterval,
// producing blocks). Everything stops when ctx ends or Close is called.
func (n *Network) Start(ctx context.Context) error {
	n.life.Lock()
	defer n.life.Unlock()
	if n.started || n.closed {
		return errors.New("fluxtest: Start called twice or after Close")
	}
	var lc net.ListenConfig
	for _, p := range n.peers {
		ln, err := lc.Listen(ctx, "tcp", p.listen)
		if err != nil {
			for _, q := range n.peers {
				if q.ln != nil {
					_ = q.ln.Close()
				}
			}
			return fmt.Errorf("fluxtest: peer %d: %w", p.index, err)
		}
		p.ln = ln
	}
	ctx, n.cancel = context.WithCancel(ctx)
	n.started = true
	for _, p := range n.peers {
		n.wg.Add(1)
		go func() { // "fluxtest/peer/accept": one per listener, ends when the listener closes
			defer n.wg.Done()
			p.acceptLoop(ctx)
		}()
	}
	n.wg.Add(1)
	go func() { // "fluxtest/closer": closes listeners and connections when ctx ends
		defer n.wg.Done()
		<-ctx.Done()
		for _, p := range n.peers {
			_ = p.ln.Close()
			p.closeConns()
		}
	}()
	if n.cfg.BlockInterval > 0 {
		n.wg.Add(1)
		go func() { // "fluxtest/producer": one block per interval until ctx ends
			defer n.wg.Done()
			n.produce(ctx)
		}()
	}
	return nil
}

// produce mines a block every BlockInterval; it stops at the first error,
// which Err reports.
func (n *Network) produce(ctx context.Context) {
	t := time.NewTicker(n.cfg.BlockInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := n.Mine(1); err != nil {
			n.life.Lock()
			n.bgErr = err
			n.life.Unlock()
			return
		}
	}
}

// Err returns the error that stopped background block production, if any.
func (n *Network) Err() error {
	n.life.Lock()
	defer n.life.Unlock()
	return n.bgErr
}

// Close stops serving and producing and waits for every goroutine.
func (n *Network) Close() error {
	n.life.Lock()
	if n.closed {
		n.life.Unlock()
		return nil
	}
	n.closed = true
	cancel := n.cancel
	n.life.Unlock()
	if cancel != nil {
		cancel()
	}
	n.wg.Wait()
	return nil
}

// Addrs returns the peers' listen addresses (the bound ones after Start).
func (n *Network) Addrs() []string {
	out := make([]string, len(n.peers))
	for i, p := range n.peers {
		out[i] = p.Addr()
	}
	return out
}

// Peer returns SimPeer i (0 <= i < len(Addrs())).
func (n *Network) Peer(i int) *SimPeer { return n.peers[i] }

// Snapshot returns the fluxnode set at genesis: the initial test nodes, all
// confirmed. A light node anchored at genesis starts from it.
func (n *Network) Snapshot() *fluxnode.Snapshot {
	s := *n.chain.snapshot
	s.Entries = append([]fluxnode.Entry(nil), s.Entries...)
	return &s
}

// SnapshotJSON returns Snapshot in fluxd's getfluxnodesnapshot JSON shape.
func (n *Network) SnapshotJSON() []byte {
	b, err := json.Marshal(n.Snapshot())
	if err != nil {
		panic("fluxtest: snapshot does not marshal: " + err.Error()) // entries are built here, always valid
	}
	return b
}

// FluxnodeSet returns the fluxnode set after the tip, as a snapshot.
func (n *Network) FluxnodeSet() *fluxnode.Snapshot {
	n.mu.Lock()
	defer n.mu.Unlock()
	tip := n.chain.tip()
	return n.chain.set.Snapshot(tip.height, tip.hash)
}

// WalletKey returns the key of the wallet every coinbase pays (P2PKH of its
// compressed public key), so tests can build their own spends.
func (n *Network) WalletKey() *secp256k1.PrivateKey { return n.chain.walletKey }

// WalletScript returns the wallet's P2PKH script.
func (n *Network) WalletScript() []byte { return append([]byte(nil), n.chain.walletScript...) }

// Tip returns the active chain's tip.
func (n *Network) Tip() (height int32, hash chainhash.Hash) {
	b := n.chain.tip()
	return b.height, b.hash
}

// BlockAt returns the active block at height h, or nil. It must not be modified.
func (n *Network) BlockAt(h int32) *wire.MsgBlock {
	if b := n.chain.at(h); b != nil {
		return b.msg
	}
	return nil
}

// HeaderAt returns a copy of the active header at height h, or nil.
func (n *Network) HeaderAt(h int32) *wire.BlockHeader {
	b := n.chain.at(h)
	if b == nil {
		return nil
	}
	hdr := b.msg.Header
	hdr.BlockSig = append([]byte(nil), hdr.BlockSig...)
	return &hdr
}

// chainBlock returns the block with hash h, active or replaced by a reorg.
func (n *Network) chainBlock(h chainhash.Hash) *block { return n.chain.lookup(h) }

// Mine produces k blocks now, each taking the mempool's transactions, and
// announces every new tip to connected clients.
func (n *Network) Mine(k int) error {
	for range k {
		n.mu.Lock()
		_, err := n.mineLocked(nil)
		n.mu.Unlock()
		if err != nil {
			return err
		}
		n.announce()
	}
	return nil
}

// mineLocked mines one block with the mempool; n.mu must be held.
func (n *Network) mineLocked(below *chainhash.Hash) (*block, error) {
	b, err := n.chain.mineOne(n.takeMempoolLocked(), n.exclude, below)
	if err != nil {
		return nil, err
	}
	n.removeMinedLocked(b)
	return b, nil
}

// Reorg replaces the last depth blocks with length new ones (length >=
// depth >= 1) that fork choice prefers: with more blocks, more work; with
// as many, the new tip's PoN hash sorts below the old tip's. The
// transactions of the replaced blocks go back to the mempool and are mined
// again in the new branch; fluxnode transactions are re-made by the schedule.
func (n *Network) Reorg(depth, length int) error {
	n.mu.Lock()
	err := n.reorgLocked(depth, length)
	n.mu.Unlock()
	n.announce()
	return err
}

func (n *Network) reorgLocked(depth, length int) error {
	tip := n.chain.tip()
	if depth < 1 || length < depth || int32(depth) > tip.height {
		return fmt.Errorf("fluxtest: Reorg(%d, %d) at height %d: need 1 <= depth <= length and depth <= height", depth, length, tip.height)
	}
	var back [][]*tx.Tx
	for range depth {
		b, err := n.chain.disconnect()
		if err != nil {
			return err
		}
		var txs []*tx.Tx
		for _, t := range b.msg.Txs {
			if !t.IsCoinBase() && !t.IsFluxnode() {
				txs = append(txs, t)
			}
		}
		back = append(back, txs)
	}
	var returned []*tx.Tx
	for i := len(back) - 1; i >= 0; i-- {
		returned = append(returned, back[i]...)
	}
	n.chain.tag++
	n.resubmitLocked(returned)
	for i := range length {
		var below *chainhash.Hash
		if length == depth && i == length-1 {
			below = &tip.ponHash
		}
		if _, err := n.mineLocked(below); err != nil {
			return err
		}
	}
	return nil
}

// announce tells every connected client about the new tip.
func (n *Network) announce() {
	for _, p := range n.peers {
		p.announceAll()
	}
}
