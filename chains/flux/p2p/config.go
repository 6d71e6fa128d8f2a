package p2p

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// ProtocolVersion is the protocol version the light client advertises
// (PROOF_OF_NODE): high enough for every fluxd epoch check, low enough that
// fluxd never sends it the checkpoint-trusting cmpheaders (flux-chain.md §6.5).
const ProtocolVersion = params.ProtocolVersionPoN

// UserAgent is what the light client puts in its version message.
const UserAgent = "/fluxbridge:0.1.0/"

// BanScore is the misbehaviour score at which a peer is disconnected and its
// address banned (fluxd's -banscore default).
const BanScore = 100

// Automatic misbehaviour scores for framing and decoding failures.
const (
	// ScoreBadMagic is given for a frame with another network's magic: the
	// peer is on the wrong network or speaks garbage, so it is banned at once.
	ScoreBadMagic = BanScore
	// ScoreOversize is given for a declared payload larger than the command
	// allows. The peer is disconnected (the stream is out of sync) but, on its
	// own, not banned: a limit of ours that is too tight must not ban honest peers.
	ScoreOversize = 50
	// ScoreMalformed is given for a payload that does not decode; the
	// connection is kept (the stream stays in sync), five of them ban.
	ScoreMalformed = 20
	// ScoreDuplicateVersion is given for a second version message (fluxd: 1).
	ScoreDuplicateVersion = 1
)

// DialFunc opens a TCP connection to address ("host:port"). It must honour
// ctx's deadline and cancellation. net.Dialer's DialContext has this shape.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// ResolveFunc looks up the IP addresses of a DNS seed host name.
type ResolveFunc func(ctx context.Context, host string) ([]netip.Addr, error)

// Handler receives a peer's life cycle and messages.
//
// Concurrency: for one peer, the calls are sequential and ordered:
// PeerConnected first (after the handshake), then every Message in the order
// the peer sent them, then PeerDisconnected exactly once, after the last
// Message has returned. Calls for different peers run concurrently, on each
// peer's own goroutines, so implementations must be safe for concurrent use.
//
// Message may block briefly; while it does, that peer's stream is not read,
// which back-pressures the TCP connection (this is the bound on how much a
// peer can make us buffer). Blocking longer than Config.PingTimeout gets the
// peer dropped for an unread pong. The handler may call the peer's Send,
// Misbehaving and SetAnnouncedHeight, and any Manager method, from inside a
// callback. A Message it keeps must not be modified by anyone else; the peer
// layer does not touch it after the call.
type Handler interface {
	// PeerConnected is called once the handshake has completed and the peer
	// may be sent messages.
	PeerConnected(p *Peer)
	// PeerDisconnected is called once the connection is closed; err says why
	// (a *PeerError, or one whose Kind is ErrClosed on cancellation).
	PeerDisconnected(p *Peer, err error)
	// Message is called for every message the peer layer does not consume
	// itself. The peer layer consumes version, verack, ping, pong,
	// sendheaders, getaddr and addr; everything else, including reject,
	// headers, inv, block, tx, notfound and *wire.MsgUnknown, is delivered.
	Message(p *Peer, m wire.Message)
}

// Config configures a Manager and the peers it connects. Zero durations and
// sizes take the documented defaults.
type Config struct {
	// Params is the network; required.
	Params *params.Params
	// Seeds are DNS seed host names, resolved with Resolve; each address is
	// dialled at Params.DefaultPort. Pass Params.DNSSeeds to use fluxd's.
	Seeds []string
	// Addresses are peers to connect to: "host:port", or "host" for
	// Params.DefaultPort. They are never evicted from the address book.
	Addresses []string
	// TargetOutbound is how many peers to keep connected (default 8; at least 3 on mainnet).
	TargetOutbound int
	// Handler receives the peers' life cycle and messages; required.
	Handler Handler
	// StartHeight returns our best height for the version message and the
	// epoch protocol check (default: 0).
	StartHeight func() int32
	// Now is the clock behind every timeout, ban and backoff (default time.Now).
	// Socket deadlines use real time as a backstop.
	Now func() time.Time
	// Dial opens connections (default net.Dialer.DialContext).
	Dial DialFunc
	// Resolve looks up DNS seeds (default net.DefaultResolver.LookupNetIP "ip").
	Resolve ResolveFunc
	// Logger receives the manager's logs (default: discarded).
	Logger *slog.Logger
	// UserAgent is sent in our version message (default UserAgent).
	UserAgent string

	// DialTimeout bounds one TCP connect (default 10 s).
	DialTimeout time.Duration
	// HandshakeTimeout bounds version+verack after connecting (default 30 s).
	HandshakeTimeout time.Duration
	// PingInterval is how often we ping a connected peer (default 2 min).
	PingInterval time.Duration
	// PingTimeout is how long a ping may go unanswered (default 2 min).
	PingTimeout time.Duration
	// IdleTimeout drops a peer from which nothing arrived for this long (default 6 min,
	// fluxd's 3 × 120 s).
	IdleTimeout time.Duration
	// WriteTimeout bounds one message write (default 1 min).
	WriteTimeout time.Duration
	// SendQueue is each peer's send queue length; a full queue disconnects
	// the peer (default 256).
	SendQueue int
	// BanDuration is how long a misbehaving or banned address is skipped (default 24 h).
	BanDuration time.Duration
	// MaxAddresses bounds the address book of seeded and learned addresses
	// (default 1000); configured addresses come on top.
	MaxAddresses int
	// BackoffMin and BackoffMax bound the per-address redial delay, which
	// doubles on every failure, with jitter (defaults 1 s and 5 min).
	BackoffMin, BackoffMax time.Duration
	// SeedInterval is the least time between two DNS seed lookups, done when
	// the address book has no address to dial (default 1 min).
	SeedInterval time.Duration
	// TickInterval is how often timers are checked against Now (default 1 s).
	TickInterval time.Duration
}

// Defaults.
const (
	DefaultTargetOutbound   = 8
	MinMainnetOutbound      = 3
	DefaultDialTimeout      = 10 * time.Second
	DefaultHandshakeTimeout = 30 * time.Second
	DefaultPingInterval     = 2 * time.Minute
	DefaultPingTimeout      = 2 * time.Minute
	DefaultIdleTimeout      = 6 * time.Minute
	DefaultWriteTimeout     = time.Minute
	DefaultSendQueue        = 256
	DefaultBanDuration      = 24 * time.Hour
	DefaultMaxAddresses     = 1000
	DefaultBackoffMin       = time.Second
	DefaultBackoffMax       = 5 * time.Minute
	DefaultSeedInterval     = time.Minute
	DefaultTickInterval     = time.Second
)

// ErrConfig is the kind of every configuration error.
var ErrConfig = errors.New("p2p: invalid config")

func configError(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, a...))
}

// withDefaults validates c and returns a copy with defaults filled in.
func (c Config) withDefaults() (Config, error) {
	if c.Params == nil {
		return c, configError("Params is required")
	}
	if c.Handler == nil {
		return c, configError("Handler is required")
	}
	if c.TargetOutbound < 0 {
		return c, configError("TargetOutbound %d is negative", c.TargetOutbound)
	}
	if c.TargetOutbound == 0 {
		c.TargetOutbound = DefaultTargetOutbound
	}
	if c.Params.Name == params.MainNet.Name && c.TargetOutbound < MinMainnetOutbound {
		return c, configError("TargetOutbound %d: mainnet needs at least %d peers", c.TargetOutbound, MinMainnetOutbound)
	}
	if c.StartHeight == nil {
		c.StartHeight = func() int32 { return 0 }
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Dial == nil {
		d := &net.Dialer{}
		c.Dial = d.DialContext
	}
	if c.Resolve == nil {
		c.Resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.UserAgent == "" {
		c.UserAgent = UserAgent
	}
	if len(c.UserAgent) > wire.MaxUserAgentLen {
		return c, configError("UserAgent longer than %d bytes", wire.MaxUserAgentLen)
	}
	durations := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"DialTimeout", &c.DialTimeout, DefaultDialTimeout},
		{"HandshakeTimeout", &c.HandshakeTimeout, DefaultHandshakeTimeout},
		{"PingInterval", &c.PingInterval, DefaultPingInterval},
		{"PingTimeout", &c.PingTimeout, DefaultPingTimeout},
		{"IdleTimeout", &c.IdleTimeout, DefaultIdleTimeout},
		{"WriteTimeout", &c.WriteTimeout, DefaultWriteTimeout},
		{"BanDuration", &c.BanDuration, DefaultBanDuration},
		{"BackoffMin", &c.BackoffMin, DefaultBackoffMin},
		{"BackoffMax", &c.BackoffMax, DefaultBackoffMax},
		{"SeedInterval", &c.SeedInterval, DefaultSeedInterval},
		{"TickInterval", &c.TickInterval, DefaultTickInterval},
	}
	for _, d := range durations {
		if *d.v < 0 {
			return c, configError("%s %v is negative", d.name, *d.v)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if c.BackoffMax < c.BackoffMin {
		return c, configError("BackoffMax %v is below BackoffMin %v", c.BackoffMax, c.BackoffMin)
	}
	if c.SendQueue < 0 {
		return c, configError("SendQueue %d is negative", c.SendQueue)
	}
	if c.SendQueue == 0 {
		c.SendQueue = DefaultSendQueue
	}
	if c.MaxAddresses < 0 {
		return c, configError("MaxAddresses %d is negative", c.MaxAddresses)
	}
	if c.MaxAddresses == 0 {
		c.MaxAddresses = DefaultMaxAddresses
	}
	for _, a := range c.Addresses {
		if _, err := normalizeAddr(a, c.Params.DefaultPort); err != nil {
			return c, configError("Addresses: %v", err)
		}
	}
	for _, s := range c.Seeds {
		if s == "" {
			return c, configError("Seeds: empty host name")
		}
	}
	return c, nil
}

// normalizeAddr turns "host" or "host:port" into "host:port", using
// defaultPort when none is given. IP literals are canonicalised.
func normalizeAddr(s string, defaultPort uint16) (string, error) {
	if s == "" {
		return "", errors.New("empty address")
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if ap.Port() == 0 {
			return "", fmt.Errorf("address %q: port 0", s)
		}
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String(), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.AddrPortFrom(a.Unmap(), defaultPort).String(), nil
	}
	if a, err := netip.ParseAddr(trimBrackets(s)); err == nil {
		return netip.AddrPortFrom(a.Unmap(), defaultPort).String(), nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		// No port: a bare host name.
		host, port = s, fmt.Sprint(defaultPort)
	}
	if host == "" {
		return "", fmt.Errorf("address %q: empty host", s)
	}
	var p uint64
	if _, err := fmt.Sscanf(port, "%d", &p); err != nil || p == 0 || p > 65535 || fmt.Sprint(p) != port {
		return "", fmt.Errorf("address %q: bad port %q", s, port)
	}
	for _, c := range host {
		if !(c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "", fmt.Errorf("address %q: bad host name", s)
		}
	}
	return net.JoinHostPort(host, port), nil
}

func trimBrackets(s string) string {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		return s[1 : len(s)-1]
	}
	return s
}
