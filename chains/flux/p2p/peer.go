package p2p

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// readBufferSize is the buffered reader in front of each connection: large
// enough that a typical block or headers message arrives in a few reads.
const readBufferSize = 64 << 10

// peerIDs numbers peers process-wide; IDs are never reused.
var peerIDs atomic.Uint64

// peerHooks connect a peer to its manager; every field may be nil.
type peerHooks struct {
	// isOwnNonce reports whether a version nonce is one we sent on any
	// connection (self-connection detection).
	isOwnNonce func(nonce uint64) bool
	// onAddr receives the addresses of an addr message.
	onAddr func(p *Peer, addrs []wire.TimedNetAddress)
	// onBan bans the peer's address for Config.BanDuration.
	onBan func(p *Peer, reason string)
}

// Peer is one outbound connection to a FLUX node, past its handshake.
// Its methods are safe for concurrent use.
type Peer struct {
	id    uint64
	addr  string
	cfg   *Config
	conn  net.Conn
	magic [4]byte
	nonce uint64 // the nonce of our version message
	hooks peerHooks

	// version is the peer's version message; set by the handshake, then read-only.
	version *wire.MsgVersion
	// connectedAt is when the handshake completed (Config.Now); read-only after it.
	connectedAt time.Time

	// reader buffers the connection; created by the handshake, then used
	// only by the reader goroutine.
	reader *bufio.Reader

	// sendq holds messages for the writer; Send never blocks on it.
	sendq chan wire.Message
	// quit is closed by disconnect; done when every goroutine of the peer has returned.
	quit      chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	announced atomic.Int32

	mu              sync.Mutex
	err             error         // why the peer was disconnected; guarded by mu
	score           int           // misbehaviour score; guarded by mu
	lastRecv        time.Time     // when the last message was read; guarded by mu
	lastPing        time.Time     // when we last sent a ping; guarded by mu
	pingNonce       uint64        // nonce of the outstanding ping; guarded by mu
	pingOutstanding bool          // guarded by mu
	pingRTT         time.Duration // round trip of the last answered ping; guarded by mu
	wantsHeaders    bool          // the peer sent sendheaders; guarded by mu
}

// newPeer wraps a connected conn; the handshake has not started.
func newPeer(cfg *Config, addr string, conn net.Conn, nonce uint64, hooks peerHooks) *Peer {
	return &Peer{
		id:    peerIDs.Add(1),
		addr:  addr,
		cfg:   cfg,
		conn:  conn,
		magic: cfg.Params.Magic,
		nonce: nonce,
		hooks: hooks,
		sendq: make(chan wire.Message, cfg.SendQueue),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
}

// ID returns the peer's process-unique identifier.
func (p *Peer) ID() uint64 { return p.id }

// Addr returns the address the peer was dialled at, "host:port".
func (p *Peer) Addr() string { return p.addr }

// String returns "peer <id> <addr>".
func (p *Peer) String() string { return fmt.Sprintf("peer %d %s", p.id, p.addr) }

// Version returns a copy of the peer's version message.
func (p *Peer) Version() *wire.MsgVersion {
	v := *p.version
	return &v
}

// StartHeight returns the best height the peer advertised in its version
// message. It is a claim nothing in the handshake proves: a handler must not
// treat it as the peer's chain (the flux node counts it for a bounded time,
// until the peer's headers prove or refute it).
func (p *Peer) StartHeight() int32 { return p.version.StartHeight }

// SetAnnouncedHeight records a height the peer has shown it has (for example
// the height of a header it announced or sent). The peer layer cannot know
// heights from headers by itself (headers carry none), so the handler reports
// them; lower values than the current one are ignored.
func (p *Peer) SetAnnouncedHeight(h int32) {
	for {
		cur := p.announced.Load()
		if h <= cur || p.announced.CompareAndSwap(cur, h) {
			return
		}
	}
}

// BestHeight returns the larger of StartHeight and the announced height; like
// StartHeight, it may be an unverified claim.
func (p *Peer) BestHeight() int32 { return max(p.StartHeight(), p.announced.Load()) }

// WantsHeaders reports whether the peer asked for header announcements (sendheaders).
func (p *Peer) WantsHeaders() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.wantsHeaders
}

// PingRTT returns the round-trip time of the last answered ping, or 0.
func (p *Peer) PingRTT() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pingRTT
}

// Score returns the peer's misbehaviour score.
func (p *Peer) Score() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.score
}

// Done returns a channel closed once the peer is disconnected and all its
// goroutines have returned.
func (p *Peer) Done() <-chan struct{} { return p.done }

// Err returns why the peer was disconnected, or nil while it is connected.
func (p *Peer) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Send queues msg for the peer and returns at once; it never blocks. If the
// queue is full the peer is too slow to keep up: it is disconnected and Send
// returns an error of kind ErrSlowPeer. On a disconnected peer it returns the
// disconnection error (kind ErrClosed if none more specific).
func (p *Peer) Send(msg wire.Message) error {
	select {
	case <-p.quit:
		return p.closedErr()
	default:
	}
	select {
	case p.sendq <- msg: // bounded: the queue has room, else the default branch runs
		return nil
	default:
		err := newError(p.addr, ErrSlowPeer, fmt.Sprintf("%d messages queued", cap(p.sendq)), nil)
		p.disconnect(err)
		return err
	}
}

// closedErr returns the disconnection error, or ErrClosed.
func (p *Peer) closedErr() error {
	if err := p.Err(); err != nil {
		return err
	}
	return newError(p.addr, ErrClosed, "", nil)
}

// Misbehaving adds score to the peer's misbehaviour score. When the total
// reaches BanScore the peer is disconnected (error kind ErrMisbehaving) and
// its address banned for Config.BanDuration. reason is recorded in the error.
func (p *Peer) Misbehaving(score int, reason string) { p.misbehave(score, reason, nil) }

func (p *Peer) misbehave(score int, reason string, cause error) {
	if score <= 0 {
		return
	}
	p.mu.Lock()
	before := p.score
	p.score += score
	after := p.score
	p.mu.Unlock()
	p.cfg.Logger.Debug("peer misbehaving", "peer", p.addr, "score", after, "added", score, "reason", reason)
	if before < BanScore && after >= BanScore {
		if p.hooks.onBan != nil {
			p.hooks.onBan(p, reason)
		}
		p.disconnect(newError(p.addr, ErrMisbehaving, fmt.Sprintf("score %d: %s", after, reason), cause))
	}
}

// Disconnect closes the connection without banning; reason is recorded in
// the error (kind ErrClosed).
func (p *Peer) Disconnect(reason string) {
	p.disconnect(newError(p.addr, ErrClosed, reason, nil))
}

// disconnect records err as the reason (the first one wins), stops the
// peer's goroutines and closes the connection. It is idempotent and does not block.
func (p *Peer) disconnect(err error) {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(p.quit)
		p.conn.Close()
	})
}

// connect dials addr and performs the handshake. On success the returned
// peer is ready for run; on failure the connection is closed.
func connect(ctx context.Context, cfg *Config, addr string, nonce uint64, hooks peerHooks) (*Peer, error) {
	dctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	conn, err := cfg.Dial(dctx, "tcp", addr)
	cancel()
	if err != nil {
		return nil, newError(addr, ErrDial, "", err)
	}
	p := newPeer(cfg, addr, conn, nonce, hooks)
	if err := p.handshake(ctx); err != nil {
		p.disconnect(err)
		return nil, p.Err()
	}
	return p, nil
}

// versionMessage builds our version message: a light client advertising
// protocol ProtocolVersion, no services and no transaction relay.
func (p *Peer) versionMessage(height int32) *wire.MsgVersion {
	recv := netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
	if ap, err := netip.ParseAddrPort(p.conn.RemoteAddr().String()); err == nil {
		recv = ap
	}
	return &wire.MsgVersion{
		ProtocolVersion: int32(ProtocolVersion),
		Services:        0,
		Timestamp:       p.cfg.Now().Unix(),
		AddrRecv:        wire.NewNetAddress(wire.NodeNetwork, recv),
		AddrFrom:        wire.NewNetAddress(0, netip.AddrPortFrom(netip.IPv4Unspecified(), 0)),
		Nonce:           p.nonce,
		UserAgent:       p.cfg.UserAgent,
		StartHeight:     height,
		Relay:           false,
	}
}

// handshake sends our version, requires the peer's version and verack
// within Config.HandshakeTimeout, answers version with verack, then sends
// sendheaders and getaddr. It writes directly to the connection: no other
// goroutine uses it yet.
func (p *Peer) handshake(ctx context.Context) error {
	ourHeight := p.cfg.StartHeight()
	minVersion := max(p.cfg.Params.MinPeerProtocolVersion, p.cfg.Params.EpochProtocolVersion(ourHeight))
	if err := p.conn.SetDeadline(time.Now().Add(p.cfg.HandshakeTimeout)); err != nil {
		return newError(p.addr, ErrClosed, "set deadline", err)
	}
	// Cancelling ctx expires the deadline, which unblocks the reads below.
	stop := context.AfterFunc(ctx, func() { p.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	write := func(m wire.Message) error {
		if _, err := wire.WriteMessage(p.conn, p.magic, m); err != nil {
			return p.ioError(ctx, "write "+m.Command(), err, ErrHandshakeTimeout)
		}
		return nil
	}
	if err := write(p.versionMessage(ourHeight)); err != nil {
		return err
	}
	r := bufio.NewReaderSize(p.conn, readBufferSize)
	var gotVerack bool
	for p.version == nil || !gotVerack {
		m, err := wire.ReadMessage(r, p.magic)
		if err != nil {
			if fatal := p.readError(ctx, err, ErrHandshakeTimeout); fatal != nil {
				return fatal
			}
			continue
		}
		switch m := m.(type) {
		case *wire.MsgVersion:
			if p.version != nil {
				p.misbehave(ScoreDuplicateVersion, "duplicate version", nil)
				continue
			}
			if err := p.checkVersion(m, minVersion); err != nil {
				return err
			}
			p.version = m
			if err := write(&wire.MsgVerAck{}); err != nil {
				return err
			}
		case *wire.MsgVerAck:
			if p.version == nil {
				return newError(p.addr, ErrHandshake, "verack before version", nil)
			}
			gotVerack = true
		case *wire.MsgPing:
			if p.version == nil {
				return newError(p.addr, ErrHandshake, "ping before version", nil)
			}
			if err := write(&wire.MsgPong{Nonce: m.Nonce}); err != nil {
				return err
			}
		case *wire.MsgReject:
			// fluxd refuses a handshake with a reject, then disconnects.
			return newError(p.addr, ErrHandshake, fmt.Sprintf("rejected: %s (%v) %q", m.Message, m.Code, m.Reason), nil)
		default:
			if p.version == nil {
				return newError(p.addr, ErrHandshake, m.Command()+" before version", nil)
			}
			// Between the peer's version and its verack: not yet ours to deliver; dropped.
		}
	}
	if err := write(&wire.MsgSendHeaders{}); err != nil {
		return err
	}
	if err := write(&wire.MsgGetAddr{}); err != nil {
		return err
	}
	if err := p.conn.SetDeadline(time.Time{}); err != nil {
		return newError(p.addr, ErrClosed, "clear deadline", err)
	}
	if ctx.Err() != nil {
		return newError(p.addr, ErrClosed, "cancelled", ctx.Err())
	}
	now := p.cfg.Now()
	p.connectedAt = now
	p.lastRecv = now
	p.lastPing = now
	p.reader = r
	return nil
}

// checkVersion applies the light client's rules to the peer's version.
func (p *Peer) checkVersion(v *wire.MsgVersion, minVersion uint32) error {
	if v.Nonce == p.nonce || (p.hooks.isOwnNonce != nil && p.hooks.isOwnNonce(v.Nonce)) {
		return newError(p.addr, ErrSelfConnection, fmt.Sprintf("nonce %#x", v.Nonce), nil)
	}
	if v.ProtocolVersion < 0 || uint32(v.ProtocolVersion) < minVersion {
		return newError(p.addr, ErrProtocolTooOld,
			fmt.Sprintf("version %d, need %d or greater (%s)", v.ProtocolVersion, minVersion, v.UserAgent), nil)
	}
	if v.Services&wire.NodeNetwork == 0 {
		return newError(p.addr, ErrNoNetworkService, fmt.Sprintf("services %#x (%s)", v.Services, v.UserAgent), nil)
	}
	return nil
}

// readError classifies an error of wire.ReadMessage. It returns nil when the
// stream is still in sync and reading may continue (a bad checksum or command
// skips the message; a malformed payload scores ScoreMalformed), and the
// error to disconnect with otherwise. timeoutKind is the kind of a socket timeout.
func (p *Peer) readError(ctx context.Context, err error, timeoutKind error) error {
	var me *wire.MessageError
	if errors.As(err, &me) {
		switch me.Kind {
		case wire.ErrBadChecksum, wire.ErrBadCommand:
			p.cfg.Logger.Debug("skipping message", "peer", p.addr, "err", err)
			return nil
		case wire.ErrMalformedPayload:
			p.misbehave(ScoreMalformed, "malformed "+me.Command, err)
			return nil
		case wire.ErrBadMagic:
			p.misbehave(ScoreBadMagic, "bad magic", err)
			return newError(p.addr, ErrProtocol, "", err)
		case wire.ErrPayloadTooLarge:
			p.misbehave(ScoreOversize, "oversize "+me.Command, err)
			return newError(p.addr, ErrProtocol, "", err)
		}
		return newError(p.addr, ErrProtocol, "", err)
	}
	return p.ioError(ctx, "read", err, timeoutKind)
}

// ioError classifies a socket error: a timeout is timeoutKind, anything
// else (EOF, reset, closed) is ErrClosed.
func (p *Peer) ioError(ctx context.Context, op string, err error, timeoutKind error) error {
	if ctx.Err() != nil {
		return newError(p.addr, ErrClosed, "cancelled", ctx.Err())
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return newError(p.addr, timeoutKind, op, err)
	}
	if errors.Is(err, io.EOF) {
		return newError(p.addr, ErrClosed, op+": closed by peer", err)
	}
	return newError(p.addr, ErrClosed, op, err)
}

// randNonce returns a random 64-bit nonce (math/rand/v2's global source is
// seeded from the OS).
func randNonce() uint64 {
	for {
		if n := rand.Uint64(); n != 0 {
			return n
		}
	}
}
