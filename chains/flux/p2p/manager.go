package p2p

import (
	"context"
	"errors"
	"net/netip"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// Manager keeps Config.TargetOutbound outbound peers connected, from the
// configured addresses, the DNS seeds and the addresses peers tell us about,
// one connection per address, with per-address backoff and bans.
// Its methods are safe for concurrent use, also from Handler callbacks.
//
// Goroutines (pprof label "goroutine"): Run's own loop; one "p2p.conn" per
// address being dialled or connected, which runs the handshake and then the
// peer ("p2p.peer.reader", "p2p.peer.writer", "p2p.peer.monitor"); and
// "p2p.seeds" while DNS seeds are looked up. All stop when Run's context ends,
// and Run returns only after they have.
type Manager struct {
	cfg     Config
	running atomic.Bool
	// rounds counts the dial rounds Run has made (a diagnostic: how often
	// the book was consulted).
	rounds atomic.Uint64
	// wake nudges Run's loop to dial again; capacity 1, sends never block.
	wake chan struct{}

	mu          sync.Mutex
	book        *addrBook           // guarded by mu
	peers       map[string]*Peer    // connected peers by address; guarded by mu
	pending     map[string]struct{} // addresses being dialled; guarded by mu
	nonces      map[uint64]struct{} // our version nonces in use; guarded by mu
	resolving   bool                // a seed lookup is running; guarded by mu
	lastResolve time.Time           // guarded by mu
}

// NewManager validates cfg and returns a Manager; call Run to connect.
func NewManager(cfg Config) (*Manager, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	m := &Manager{
		cfg:     c,
		wake:    make(chan struct{}, 1),
		book:    newAddrBook(c.MaxAddresses, localNetwork(c.Params), c.BackoffMin, c.BackoffMax),
		peers:   make(map[string]*Peer),
		pending: make(map[string]struct{}),
		nonces:  make(map[uint64]struct{}),
	}
	for _, a := range c.Addresses {
		n, _ := normalizeAddr(a, c.Params.DefaultPort) // validated by withDefaults
		m.book.add(n, srcConfigured)
	}
	return m, nil
}

// localNetwork reports whether p is a network that runs on one machine or
// LAN (regtest, simnet), where loopback and private addresses are dialable.
func localNetwork(p *params.Params) bool {
	return p.Name == params.RegTest.Name || p.Name == params.SimNet.Name
}

// Run connects and keeps peers until ctx ends, then disconnects every peer
// and returns nil once all of its goroutines have stopped. It may be called once.
func (m *Manager) Run(ctx context.Context) error {
	if !m.running.CompareAndSwap(false, true) {
		return errors.New("p2p: Manager.Run called twice")
	}
	var g group
	defer g.Wait()
	t := time.NewTicker(m.cfg.TickInterval)
	defer t.Stop()
	for {
		m.fill(ctx, &g)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-m.wake:
		}
	}
}

// poke wakes Run's loop without blocking.
func (m *Manager) poke() {
	select {
	case m.wake <- struct{}{}: // bounded: capacity 1, else a wake-up is already pending
	default:
	}
}

// fill starts dials until connected plus pending reaches the target, and a
// seed lookup when the book has too few addresses to dial.
func (m *Manager) fill(ctx context.Context, g *group) {
	if ctx.Err() != nil {
		return
	}
	defer m.rounds.Add(1)
	now := m.cfg.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.book.pruneBans(now)
	need := m.cfg.TargetOutbound - len(m.peers) - len(m.pending)
	cands := m.book.candidates(now, need, func(a string) bool {
		_, c := m.peers[a]
		_, p := m.pending[a]
		return c || p
	})
	for _, addr := range cands {
		m.pending[addr] = struct{}{}
		g.Go(ctx, "p2p.conn", func(ctx context.Context) { m.connectAndRun(ctx, addr) })
	}
	if need > len(cands) && len(m.cfg.Seeds) > 0 && !m.resolving &&
		(m.lastResolve.IsZero() || now.Sub(m.lastResolve) >= m.cfg.SeedInterval) {
		m.resolving, m.lastResolve = true, now
		g.Go(ctx, "p2p.seeds", m.resolveSeeds)
	}
}

// resolveSeeds looks up every DNS seed and adds its addresses at the
// network's default port.
func (m *Manager) resolveSeeds(ctx context.Context) {
	defer func() {
		m.mu.Lock()
		m.resolving = false
		m.mu.Unlock()
		m.poke()
	}()
	for _, host := range m.cfg.Seeds {
		rctx, cancel := context.WithTimeout(ctx, m.cfg.DialTimeout)
		ips, err := m.cfg.Resolve(rctx, host)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			m.cfg.Logger.Warn("DNS seed lookup failed", "seed", host, "err", err)
			continue
		}
		added := 0
		m.mu.Lock()
		for _, ip := range ips {
			ap := netip.AddrPortFrom(ip.Unmap(), m.cfg.Params.DefaultPort)
			if m.book.dialable(ap) && m.book.add(ap.String(), srcSeed) {
				added++
			}
		}
		m.mu.Unlock()
		m.cfg.Logger.Debug("DNS seed resolved", "seed", host, "addresses", len(ips), "new", added)
	}
}

// newNonce returns a version nonce not in use and records it.
func (m *Manager) newNonce() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	for {
		n := randNonce()
		if _, used := m.nonces[n]; !used {
			m.nonces[n] = struct{}{}
			return n
		}
	}
}

// isOwnNonce reports whether n is one of our version nonces.
func (m *Manager) isOwnNonce(n uint64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.nonces[n]
	return ok
}

// connectAndRun dials addr, runs the handshake and then the peer until it
// disconnects, and records the outcome in the address book.
func (m *Manager) connectAndRun(ctx context.Context, addr string) {
	nonce := m.newNonce()
	defer func() {
		m.mu.Lock()
		delete(m.nonces, nonce)
		m.mu.Unlock()
		m.poke()
	}()
	hooks := peerHooks{isOwnNonce: m.isOwnNonce, onAddr: m.onAddr, onBan: m.onBan}
	p, err := connect(ctx, &m.cfg, addr, nonce, hooks)
	now := m.cfg.Now()
	m.mu.Lock()
	delete(m.pending, addr)
	if err != nil {
		if errors.Is(err, ErrSelfConnection) {
			m.book.ban(addr, now.Add(m.cfg.BanDuration))
		}
		m.book.failed(addr, now)
		m.mu.Unlock()
		if ctx.Err() == nil {
			m.cfg.Logger.Debug("connection failed", "addr", addr, "err", err)
		}
		return
	}
	if m.book.banned(addr, now) {
		// Banned by Manager.Ban while we were handshaking.
		m.mu.Unlock()
		p.disconnect(newError(addr, ErrBanned, "", nil))
		return
	}
	m.peers[addr] = p
	m.mu.Unlock()
	m.cfg.Logger.Info("peer connected", "peer", addr, "id", p.ID(), "version", p.version.ProtocolVersion,
		"agent", p.version.UserAgent, "height", p.version.StartHeight)

	err = p.run(ctx, m.cfg.Handler)

	now = m.cfg.Now()
	m.mu.Lock()
	delete(m.peers, addr)
	m.book.disconnected(addr, now, now.Sub(p.connectedAt))
	m.mu.Unlock()
	if ctx.Err() == nil {
		m.cfg.Logger.Info("peer disconnected", "peer", addr, "id", p.ID(), "err", err)
	}
}

// onAddr learns the addresses a peer sent.
func (m *Manager) onAddr(p *Peer, list []wire.TimedNetAddress) {
	m.mu.Lock()
	n := m.book.learn(list)
	m.mu.Unlock()
	if n > 0 {
		m.cfg.Logger.Debug("learned addresses", "peer", p.addr, "new", n)
		m.poke()
	}
}

// onBan bans a misbehaving peer's address.
func (m *Manager) onBan(p *Peer, reason string) {
	m.mu.Lock()
	m.book.ban(p.addr, m.cfg.Now().Add(m.cfg.BanDuration))
	m.mu.Unlock()
	m.cfg.Logger.Warn("peer banned", "peer", p.addr, "reason", reason, "for", m.cfg.BanDuration)
}

// Peers returns the connected peers, ordered by ID.
func (m *Manager) Peers() []*Peer {
	m.mu.Lock()
	out := make([]*Peer, 0, len(m.peers))
	for _, p := range m.peers {
		out = append(out, p)
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// Broadcast sends msg to every connected peer. It never blocks: a peer whose
// queue is full is disconnected (ErrSlowPeer).
func (m *Manager) Broadcast(msg wire.Message) {
	for _, p := range m.Peers() {
		_ = p.Send(msg) // the only failures are a closed or a slow peer; both are already handled
	}
}

// Ban bans addr ("host:port", or "host" for the default port) for
// Config.BanDuration and disconnects a peer connected to it. It returns an
// error only for an address it cannot parse.
func (m *Manager) Ban(addr, reason string) error {
	a, err := normalizeAddr(addr, m.cfg.Params.DefaultPort)
	if err != nil {
		return configError("Ban: %v", err)
	}
	m.mu.Lock()
	m.book.ban(a, m.cfg.Now().Add(m.cfg.BanDuration))
	p := m.peers[a]
	m.mu.Unlock()
	if p != nil {
		p.disconnect(newError(a, ErrBanned, reason, nil))
	}
	m.cfg.Logger.Warn("address banned", "addr", a, "reason", reason, "for", m.cfg.BanDuration)
	return nil
}

// Banned reports whether addr is banned now.
func (m *Manager) Banned(addr string) bool {
	a, err := normalizeAddr(addr, m.cfg.Params.DefaultPort)
	if err != nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.book.banned(a, m.cfg.Now())
}

// KnownAddresses returns how many addresses the book holds (configured,
// seeded and learned).
func (m *Manager) KnownAddresses() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.book.len()
}

// BestPeerHeight returns the highest height any connected peer has shown:
// the maximum of the peers' version start heights and the heights the
// handler reported with Peer.SetAnnouncedHeight. It is 0 with no peers.
func (m *Manager) BestPeerHeight() int32 {
	var best int32
	for _, p := range m.Peers() {
		best = max(best, p.BestHeight())
	}
	return best
}

// String returns a short summary for logs.
func (m *Manager) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return "p2p.Manager{peers: " + strconv.Itoa(len(m.peers)) + ", pending: " + strconv.Itoa(len(m.pending)) +
		", addresses: " + strconv.Itoa(m.book.len()) + "}"
}
