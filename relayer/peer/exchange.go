package peer

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/internal/run"
	"github.com/fluxbridge/fluxbridge/relayer/peer/peerpb"
	"github.com/fluxbridge/fluxbridge/signer"
)

// Member is one relayer of the set.
type Member struct {
	// ID is the 20-byte address of its key.
	ID []byte
	// Addr is its endpoint (host:port); empty means it is not dialled.
	Addr string
}

// Config configures an Exchange. Self, Listen and Handle are required.
type Config struct {
	// Self is this relayer's secp256k1 key.
	Self signer.Signer
	// Listen is where to serve (e.g. "127.0.0.1:0").
	Listen string
	// Members is the signer set, Self included (its Addr is ignored).
	Members []Member
	// Handle receives every envelope that passed Check and comes from a
	// member other than Self. Its error's kind is counted as the drop
	// reason (conflict, invalid, handler-<kind>). It runs on the serving
	// goroutine and must not block for long.
	Handle func(ctx context.Context, from []byte, e Envelope) error
	// Heartbeat returns this relayer's heartbeat, sent every
	// HeartbeatInterval (default 2 s); nil sends none.
	Heartbeat         func() Heartbeat
	HeartbeatInterval time.Duration
	// QueueSize bounds each peer's outbound queue (default 65,536); when it
	// is full the oldest envelope is dropped and counted ("queue-full").
	QueueSize int
	Logger    *slog.Logger
}

// maxBatch is how many queued envelopes one Deliver call carries.
const maxBatch = 512

// maxRecv bounds a received batch.
const maxRecv = 8 << 20

// Exchange serves this relayer's endpoint and sends to its peers.
type Exchange struct {
	cfg     Config
	self    []byte
	log     *slog.Logger
	lis     net.Listener
	srv     *grpc.Server
	peers   []*remote
	byID    map[string]*remote
	members map[string]bool

	mu    sync.Mutex
	drops map[string]uint64

	closeOnce sync.Once
}

// remote is one peer: its outbound queue and what was seen of it.
type remote struct {
	id   []byte
	addr string

	mu          sync.Mutex
	queue       []Envelope
	wake        chan struct{} // capacity 1: a pending wake-up, never blocks
	connected   bool
	lastSeen    time.Time
	hb          Heartbeat
	hbAt        time.Time
	sent, recv  uint64
	dropped     uint64
	lastErr     string
	queueLimit  int
	dropCounter func(string)
}

// New validates cfg and opens the listener.
func New(cfg Config) (*Exchange, error) {
	const op = "peer.New"
	if cfg.Self == nil || cfg.Listen == "" || cfg.Handle == nil {
		return nil, fault.E(op, fault.Invalid, errors.New("the config needs Self, Listen and Handle"))
	}
	if cfg.Self.Scheme() != chains.SchemeSecp256k1 {
		return nil, fault.E(op, fault.Invalid, errors.New("the exchange key must be secp256k1"))
	}
	if cfg.HeartbeatInterval <= 0 {
		cfg.HeartbeatInterval = 2 * time.Second
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 65536
	}
	x := &Exchange{cfg: cfg, self: cfg.Self.ID(), log: cfg.Logger, byID: map[string]*remote{}, members: map[string]bool{}, drops: map[string]uint64{}}
	if x.log == nil {
		x.log = slog.New(slog.DiscardHandler)
	}
	isMember := false
	for _, m := range cfg.Members {
		if len(m.ID) != 20 || x.members[string(m.ID)] {
			return nil, fault.E(op, fault.Invalid, fmt.Errorf("member %x: want distinct 20-byte ids", m.ID))
		}
		x.members[string(m.ID)] = true
		if bytes.Equal(m.ID, x.self) {
			isMember = true
			continue
		}
		r := &remote{id: bytes.Clone(m.ID), addr: m.Addr, wake: make(chan struct{}, 1), queueLimit: cfg.QueueSize, dropCounter: x.drop}
		x.peers = append(x.peers, r)
		x.byID[string(m.ID)] = r
	}
	if !isMember {
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("this key %x is not a member", x.self))
	}
	lis, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fault.E(op, fault.Transient, err)
	}
	x.lis = lis
	x.srv = grpc.NewServer(grpc.MaxRecvMsgSize(maxRecv))
	peerpb.RegisterPeerServer(x.srv, &server{x: x})
	return x, nil
}

// Addr is the bound listen address.
func (x *Exchange) Addr() string { return x.lis.Addr().String() }

// Run serves and sends until ctx ends, and returns what stopped it earlier
// (the listener failing, or Close while running).
func (x *Exchange) Run(ctx context.Context) error {
	g, _ := run.New(ctx)
	g.Go("serve", func(ctx context.Context) error {
		err := x.srv.Serve(x.lis) // returns once the server is stopped
		if ctx.Err() != nil {
			return nil
		}
		return err // the listener failed, or Close stopped the server while running
	})
	g.Go("stop", func(ctx context.Context) error {
		<-ctx.Done()
		x.srv.Stop()
		return nil
	})
	for _, r := range x.peers {
		if r.addr == "" {
			continue
		}
		g.Go("send "+hex.EncodeToString(r.id), func(ctx context.Context) error {
			x.send(ctx, r)
			return nil
		})
	}
	if x.cfg.Heartbeat != nil {
		g.Go("heartbeat", func(ctx context.Context) error {
			x.heartbeats(ctx)
			return nil
		})
	}
	return g.Wait()
}

// Close stops serving.
func (x *Exchange) Close() error {
	x.closeOnce.Do(func() {
		x.srv.Stop()
		x.lis.Close()
	})
	return nil
}

// Broadcast queues e for every peer; it never blocks.
func (x *Exchange) Broadcast(e Envelope) {
	for _, r := range x.peers {
		r.enqueue(e)
	}
}

func (r *remote) enqueue(e Envelope) {
	r.mu.Lock()
	if len(r.queue) >= r.queueLimit {
		r.queue = r.queue[1:]
		r.dropped++
		r.mu.Unlock()
		r.dropCounter("queue-full")
		r.mu.Lock()
	}
	r.queue = append(r.queue, e)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// send delivers r's queue in batches, reconnecting with backoff while r is down.
func (x *Exchange) send(ctx context.Context, r *remote) {
	conn, err := grpc.NewClient(r.addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(maxRecv)))
	if err != nil {
		r.setErr(err)
		x.log.Error("peer address", "peer", hex.EncodeToString(r.id), "addr", r.addr, "err", err)
		return
	}
	defer conn.Close()
	client := peerpb.NewPeerClient(conn)
	backoff := 100 * time.Millisecond
	for {
		r.mu.Lock()
		n := min(len(r.queue), maxBatch)
		batch := make([]Envelope, n)
		copy(batch, r.queue[:n])
		r.mu.Unlock()
		if n == 0 {
			select {
			case <-ctx.Done():
				return
			case <-r.wake:
				continue
			}
		}
		pb := &peerpb.Batch{Envelopes: make([]*peerpb.Envelope, n)}
		for i, e := range batch {
			pb.Envelopes[i] = &peerpb.Envelope{Kind: e.Kind, Payload: e.Payload, Signer: e.Signer, Signature: e.Signature}
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := client.Deliver(cctx, pb)
		cancel()
		if err != nil {
			r.setErr(err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		r.mu.Lock()
		// Enqueue may have dropped from the front meanwhile: remove what was
		// sent by identity, not by count.
		k := 0
		for k < len(r.queue) && k < n && sameEnvelope(r.queue[k], batch[k]) {
			k++
		}
		r.queue = r.queue[k:]
		r.sent += uint64(n)
		r.connected, r.lastErr = true, ""
		r.mu.Unlock()
	}
}

func sameEnvelope(a, b Envelope) bool {
	return a.Kind == b.Kind && bytes.Equal(a.Signature, b.Signature) && bytes.Equal(a.Payload, b.Payload)
}

func (r *remote) setErr(err error) {
	r.mu.Lock()
	r.connected, r.lastErr = false, err.Error()
	r.mu.Unlock()
}

func (x *Exchange) heartbeats(ctx context.Context) {
	t := time.NewTicker(x.cfg.HeartbeatInterval)
	defer t.Stop()
	for {
		hb, err := x.cfg.Heartbeat().MarshalBinary()
		if err == nil {
			var e Envelope
			if e, err = Seal(ctx, x.cfg.Self, KindHeartbeat, hb); err == nil {
				x.Broadcast(e)
			}
		}
		if err != nil && ctx.Err() == nil {
			x.log.Warn("heartbeat", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (x *Exchange) drop(reason string) {
	x.mu.Lock()
	x.drops[reason]++
	x.mu.Unlock()
}

// Drops returns the counts of refused envelopes by reason.
func (x *Exchange) Drops() map[string]uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make(map[string]uint64, len(x.drops))
	for k, v := range x.drops {
		out[k] = v
	}
	return out
}

// PeerStatus is what the exchange knows of one peer.
type PeerStatus struct {
	ID   []byte
	Addr string
	// Connected: the last delivery to it succeeded.
	Connected bool
	// LastSeen: the last envelope of any kind from it.
	LastSeen    time.Time
	Heartbeat   Heartbeat
	HeartbeatAt time.Time
	// Sent and Received count envelopes; Dropped those lost to a full queue.
	Sent, Received, Dropped uint64
	LastError               string
}

// Peers returns every peer's status.
func (x *Exchange) Peers() []PeerStatus {
	out := make([]PeerStatus, 0, len(x.peers))
	for _, r := range x.peers {
		r.mu.Lock()
		out = append(out, PeerStatus{ID: bytes.Clone(r.id), Addr: r.addr, Connected: r.connected, LastSeen: r.lastSeen, Heartbeat: r.hb,
			HeartbeatAt: r.hbAt, Sent: r.sent, Received: r.recv, Dropped: r.dropped, LastError: r.lastErr})
		r.mu.Unlock()
	}
	return out
}

// server is the gRPC service.
type server struct {
	peerpb.UnimplementedPeerServer
	x *Exchange
}

func (s *server) Deliver(ctx context.Context, b *peerpb.Batch) (*peerpb.Ack, error) {
	var accepted uint32
	for _, pe := range b.GetEnvelopes() {
		if s.x.receive(ctx, Envelope{Kind: pe.GetKind(), Payload: pe.GetPayload(), Signer: pe.GetSigner(), Signature: pe.GetSignature()}) {
			accepted++
		}
	}
	return &peerpb.Ack{Accepted: accepted}, nil
}

// receive checks one envelope and hands it to the handler.
func (x *Exchange) receive(ctx context.Context, e Envelope) bool {
	reason := ""
	switch {
	case !kinds[e.Kind]:
		reason = "unknown-kind"
	case len(e.Payload) > MaxPayload || len(e.Signer) != 20 || len(e.Signature) != signer.Secp256k1SigLen:
		reason = "malformed"
	case bytes.Equal(e.Signer, x.self):
		reason = "self"
	case !x.members[string(e.Signer)]:
		reason = "outsider"
	case e.Check() != nil:
		reason = "bad-signature"
	}
	if reason != "" {
		x.drop(reason)
		x.log.Debug("envelope dropped", "reason", reason, "kind", e.Kind, "signer", hex.EncodeToString(e.Signer))
		return false
	}
	r := x.byID[string(e.Signer)]
	now := time.Now()
	r.mu.Lock()
	r.lastSeen = now
	r.recv++
	r.mu.Unlock()
	if e.Kind == KindHeartbeat {
		var hb Heartbeat
		if err := hb.UnmarshalBinary(e.Payload); err != nil {
			x.drop("malformed")
			return false
		}
		r.mu.Lock()
		r.hb, r.hbAt = hb, now
		r.mu.Unlock()
	}
	if err := x.cfg.Handle(ctx, e.Signer, e); err != nil {
		reason := "handler-" + fault.KindOf(err).String()
		switch fault.KindOf(err) {
		case fault.Conflict:
			reason = "conflict"
		case fault.Invalid:
			reason = "invalid"
		}
		x.drop(reason)
		x.log.Debug("envelope refused", "reason", reason, "kind", e.Kind, "signer", hex.EncodeToString(e.Signer), "err", err)
		return false
	}
	return true
}
