package p2p

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

func TestHandshakeSendsLightClientVersionThenSendHeaders(t *testing.T) {
	h := newRecHandler()
	cfg := testConfig(t, params.SimNet, h, func(c *Config) { c.StartHeight = func() int32 { return 1234 } })
	f := newFakeNode(t, params.SimNet, fakeOpts{height: 5000})
	p, fc, _ := startPeer(t, cfg, f, peerHooks{})
	if got := h.nextConnected(t); got != p {
		t.Fatalf("PeerConnected got %v, want %v", got, p)
	}

	v := fc.clientVer
	if v.ProtocolVersion != 170020 || v.Services != 0 || v.Relay || v.UserAgent != "/fluxbridge:0.1.0/" ||
		v.StartHeight != 1234 || v.Nonce == 0 || v.AddrFrom.Services != 0 {
		t.Errorf("our version = %+v; want protocol 170020, services 0, relay false, agent /fluxbridge:0.1.0/, height 1234, nonce ≠ 0", v)
	}
	if v.AddrRecv.AddrPort().Addr().String() != "127.0.0.1" {
		t.Errorf("addr_recv = %v, want the peer's address", v.AddrRecv.AddrPort())
	}
	fc.await(t, wire.CmdGetAddr, 0)
	want := []string{"version", "verack", "sendheaders", "getaddr"}
	if got := fc.commands(); !slices.Equal(got[:4], want) {
		t.Errorf("client sent %v, want %v first", got, want)
	}
	if p.StartHeight() != 5000 || p.Version().ProtocolVersion != int32(ProtocolVersion) {
		t.Errorf("peer start height %d, version %+v", p.StartHeight(), p.Version())
	}
}

func TestHandshakeRefusals(t *testing.T) {
	tests := []struct {
		name   string
		params *params.Params
		height int32 // our height
		opts   fakeOpts
		want   error
	}{
		{"protocol below the network minimum", params.SimNet, 0, fakeOpts{protocol: 170019}, ErrProtocolTooOld},
		{"protocol below the epoch at our height", params.MainNet, 2_020_000, fakeOpts{protocol: 170019}, ErrProtocolTooOld},
		{"negative protocol", params.SimNet, 0, fakeOpts{protocol: -1}, ErrProtocolTooOld},
		{"no NODE_NETWORK", params.SimNet, 0, fakeOpts{services: wire.NodeBloom}, ErrNoNetworkService},
		{"no verack in time", params.SimNet, 0, fakeOpts{noVerack: true}, ErrHandshakeTimeout},
		{"self connection", params.SimNet, 0, fakeOpts{echoNonce: true}, ErrSelfConnection},
		{"rejected by the peer", params.SimNet, 0, fakeOpts{reject: true}, ErrHandshake},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, tt.params, newRecHandler(), func(c *Config) {
				c.StartHeight = func() int32 { return tt.height }
				c.HandshakeTimeout = 300 * time.Millisecond
			})
			f := newFakeNode(t, tt.params, tt.opts)
			_, err := connect(context.Background(), cfg, f.Addr(), randNonce(), peerHooks{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("connect error = %v, want kind %v", err, tt.want)
			}
			var pe *PeerError
			if !errors.As(err, &pe) || pe.Addr != f.Addr() {
				t.Errorf("error %v is not a *PeerError for %s", err, f.Addr())
			}
			if tt.opts.noVerack {
				fc := f.next(t)
				select {
				case <-fc.gone:
				case <-time.After(waitTimeout):
					t.Fatal("the client kept the connection after refusing it")
				}
				if got := fc.commands(); slices.Contains(got, wire.CmdSendHeaders) {
					t.Errorf("sendheaders sent before verack: %v", got)
				}
			}
		})
	}
}

func TestHandshakeAcceptsOldEpochPeerAtOldHeight(t *testing.T) {
	// At height 0 mainnet's epoch protocol is 170002: a 170019 peer is fine there.
	cfg := testConfig(t, params.MainNet, newRecHandler(), nil)
	f := newFakeNode(t, params.MainNet, fakeOpts{protocol: 170019})
	p, err := connect(context.Background(), cfg, f.Addr(), randNonce(), peerHooks{})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	p.Disconnect("test over")
}

func TestHandshakeDetectsNonceOfAnotherOwnConnection(t *testing.T) {
	cfg := testConfig(t, params.SimNet, newRecHandler(), nil)
	f := newFakeNode(t, params.SimNet, fakeOpts{})
	hooks := peerHooks{isOwnNonce: func(n uint64) bool { return n == 0xfeedface }} // the fake's nonce
	_, err := connect(context.Background(), cfg, f.Addr(), randNonce(), hooks)
	if !errors.Is(err, ErrSelfConnection) {
		t.Fatalf("error = %v, want ErrSelfConnection", err)
	}
}

func TestPeerAnswersPingWithPong(t *testing.T) {
	h := newRecHandler()
	cfg := testConfig(t, params.SimNet, h, nil)
	_, fc, _ := startPeer(t, cfg, newFakeNode(t, params.SimNet, fakeOpts{}), peerHooks{})
	if err := fc.send(&wire.MsgPing{Nonce: 0xabcdef}); err != nil {
		t.Fatal(err)
	}
	m, _ := fc.await(t, wire.CmdPong, 0)
	if m.(*wire.MsgPong).Nonce != 0xabcdef {
		t.Errorf("pong nonce %#x, want 0xabcdef", m.(*wire.MsgPong).Nonce)
	}
}

func TestPeerThatNeverPongsIsDropped(t *testing.T) {
	clock := newFakeClock()
	h := newRecHandler()
	cfg := testConfig(t, params.SimNet, h, func(c *Config) {
		c.Now = clock.Now
		c.PingInterval = time.Minute
		c.PingTimeout = 30 * time.Second
	})
	p, fc, _ := startPeer(t, cfg, newFakeNode(t, params.SimNet, fakeOpts{}), peerHooks{})

	// The first ping is answered: the peer stays and is pinged again.
	clock.Advance(time.Minute)
	m, i := fc.await(t, wire.CmdPing, 0)
	if err := fc.send(&wire.MsgPong{Nonce: m.(*wire.MsgPing).Nonce}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "pong recorded", p.pingAnswered)
	clock.Advance(time.Minute)
	fc.await(t, wire.CmdPing, i+1)
	if err := p.Err(); err != nil {
		t.Fatalf("peer dropped after answering: %v", err)
	}

	// The second is not.
	clock.Advance(30 * time.Second)
	e := h.nextDisconnected(t)
	if !errors.Is(e.err, ErrPingTimeout) {
		t.Fatalf("disconnect error = %v, want ErrPingTimeout", e.err)
	}
}

// pingAnswered reports whether no ping is outstanding (test helper).
func (p *Peer) pingAnswered() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.pingOutstanding
}

func TestIdlePeerIsDropped(t *testing.T) {
	clock := newFakeClock()
	h := newRecHandler()
	cfg := testConfig(t, params.SimNet, h, func(c *Config) {
		c.Now = clock.Now
		c.IdleTimeout = time.Minute
		c.PingInterval = time.Hour
	})
	startPeer(t, cfg, newFakeNode(t, params.SimNet, fakeOpts{}), peerHooks{})
	clock.Advance(time.Minute)
	if e := h.nextDisconnected(t); !errors.Is(e.err, ErrIdleTimeout) {
		t.Fatalf("disconnect error = %v, want ErrIdleTimeout", e.err)
	}
}

func TestBadMagicDisconnectsAndBans(t *testing.T) {
	h := newRecHandler()
	cfg := testConfig(t, params.SimNet, h, nil)
	var banned []string
	hooks := peerHooks{onBan: func(p *Peer, reason string) { banned = append(banned, reason) }}
	p, fc, _ := startPeer(t, cfg, newFakeNode(t, params.SimNet, fakeOpts{}), hooks)
	if err := fc.sendRaw(wire.EncodeMessage(params.MainNet.Magic, &wire.MsgPing{Nonce: 1})); err != nil {
		t.Fatal(err)
	}
	e := h.nextDisconnected(t)
	if !errors.Is(e.err, ErrMisbehaving) || !errors.Is(e.err, wire.ErrBadMagic) {
		t.Fatalf("disconnect error = %v, want ErrMisbehaving wrapping wire.ErrBadMagic", e.err)
	}
	if p.Score() != ScoreBadMagic || len(banned) != 1 {
		t.Errorf("score %d, bans %v; want %d and one ban", p.Score(), banned, ScoreBadMagic)
	}
}

func TestBadChecksumSkipsMessageAndKeepsConnection(t *testing.T) {
	h := newRecHandler()
	cfg := testConfig(t, params.SimNet, h, nil)
	p, fc, _ := startPeer(t, cfg, newFakeNode(t, params.SimNet, fakeOpts{}), peerHooks{})
	bad := wire.EncodeMessage(params.SimNet.Magic, &wire.MsgInv{InvList: []wire.InvVect{{Type: wire.InvTypeBlock}}})
	bad[20] ^= 0xff // corrupt the checksum
	if err := fc.sendRaw(bad); err != nil {
		t.Fatal(err)
	}
	if err := fc.send(&wire.MsgNotFound{}); err != nil {
		t.Fatal(err)
	}
	pm := h.next(t) // the first message delivered must be the notfound, not the inv
	if pm.m.Command() != wire.CmdNotFound {
		t.Fatalf("delivered %s, want notfound (the corrupted inv skipped)", pm.m.Command())
	}
	if p.Err() != nil || p.Score() != 0 {
		t.Errorf("after a bad checksum: err %v, score %d; want connected, 0", p.Err(), p.Score())
	}
}

func TestOversizePayloadDisconnects(t *testing.T) {
	h := newRecHandler()
	cfg := testConfig(t, params.SimNet, h, nil)
	p, fc, _ := startPeer(t, cfg, newFakeNode(t, params.SimNet, fakeOpts{}), peerHooks{})
	if err := fc.sendRaw(frame(params.SimNet.Magic, "block", wire.MaxMessagePayload+1, []byte{0, 0, 0, 0}, nil)); err != nil {
		t.Fatal(err)
	}
	e := h.nextDisconnected(t)
	if !errors.Is(e.err, ErrProtocol) || !errors.Is(e.err, wire.ErrPayloadTooLarge) {
		t.Fatalf("disconnect error = %v, want ErrProtocol wrapping wire.ErrPayloadTooLarge", e.err)
	}
	if p.Score() != ScoreOversize {
		t.Errorf("score %d, want %d", p.Score(), ScoreOversize)
	}
}

func TestMalformedPayloadScoresAndContinues(t *testing.T) {
	h := newRecHandler()
	cfg := testConfig(t, params.SimNet, h, nil)
	p, fc, _ := startPeer(t, cfg, newFakeNode(t, params.SimNet, fakeOpts{}), peerHooks{})
	// A ping whose nonce is 4 bytes instead of 8.
	if err := fc.sendRaw(wire.EncodeMessage(params.SimNet.Magic, &wire.MsgUnknown{Cmd: "ping", Payload: []byte{1, 2, 3, 4}})); err != nil {
		t.Fatal(err)
	}
	if err := fc.send(&wire.MsgNotFound{}); err != nil {
		t.Fatal(err)
	}
	h.nextMessage(t, wire.CmdNotFound)
	if p.Err() != nil || p.Score() != ScoreMalformed {
		t.Errorf("err %v, score %d; want connected with score %d", p.Err(), p.Score(), ScoreMalformed)
	}
}

func TestRejectWithTxHashReachesHandler(t *testing.T) {
	h := newRecHandler()
	cfg := testConfig(t, params.SimNet, h, nil)
	p, fc, _ := startPeer(t, cfg, newFakeNode(t, params.SimNet, fakeOpts{}), peerHooks{})
	txid := chainhash.DoubleSHA256([]byte("a transaction"))
	want := &wire.MsgReject{Message: wire.CmdTx, Code: wire.RejectInsufficientFee, Reason: "insufficient fee", Hash: txid}
	if err := fc.send(want); err != nil {
		t.Fatal(err)
	}
	pm := h.nextMessage(t, wire.CmdReject)
	got := pm.m.(*wire.MsgReject)
	if pm.p != p || *got != *want {
		t.Errorf("delivered %+v from %v, want %+v from %v", got, pm.p, want, p)
	}
}

func TestConsumedMessagesAreNotDelivered(t *testing.T) {
	h := newRecHandler()
	cfg := testConfig(t, params.SimNet, h, nil)
	p, fc, _ := startPeer(t, cfg, newFakeNode(t, params.SimNet, fakeOpts{}), peerHooks{})
	for _, m := range []wire.Message{&wire.MsgPing{Nonce: 7}, &wire.MsgPong{Nonce: 9}, &wire.MsgVerAck{},
		&wire.MsgSendHeaders{}, &wire.MsgGetAddr{}, &wire.MsgAddr{}, &wire.MsgUnknown{Cmd: "sendcmpct", Payload: []byte{0, 1, 0, 0, 0, 0, 0, 0, 0}}} {
		if err := fc.send(m); err != nil {
			t.Fatal(err)
		}
	}
	pm := h.next(t)
	if pm.m.Command() != "sendcmpct" {
		t.Errorf("first delivered message %s, want sendcmpct (the others are consumed)", pm.m.Command())
	}
	if !p.WantsHeaders() {
		t.Error("sendheaders from the peer not recorded")
	}
}

func TestSlowPeerIsDisconnectedWithoutBlockingSend(t *testing.T) {
	h := newRecHandler()
	cfg := testConfig(t, params.SimNet, h, func(c *Config) { c.SendQueue = 4 })
	p, _, _ := startPeer(t, cfg, newFakeNode(t, params.SimNet, fakeOpts{noRead: true}), peerHooks{})
	big := &wire.MsgInv{InvList: make([]wire.InvVect, wire.MaxInvPerMessage)} // 1.8 MB each

	sent := make(chan error, 1)
	go func() {
		for {
			if err := p.Send(big); err != nil {
				sent <- err // bounded: capacity 1, sent once
				return
			}
		}
	}()
	select {
	case err := <-sent:
		if !errors.Is(err, ErrSlowPeer) {
			t.Fatalf("Send error = %v, want ErrSlowPeer", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Send blocked or never failed on a peer that does not read")
	}
	if e := h.nextDisconnected(t); !errors.Is(e.err, ErrSlowPeer) {
		t.Fatalf("disconnect error = %v, want ErrSlowPeer", e.err)
	}
	if err := p.Send(&wire.MsgPing{}); !errors.Is(err, ErrSlowPeer) {
		t.Errorf("Send after disconnect = %v, want the disconnection error", err)
	}
}

func TestMisbehavingAccumulatesToBan(t *testing.T) {
	h := newRecHandler()
	cfg := testConfig(t, params.SimNet, h, nil)
	bans := make(chan string, 2)
	p, _, _ := startPeer(t, cfg, newFakeNode(t, params.SimNet, fakeOpts{}), peerHooks{
		onBan: func(p *Peer, reason string) { bans <- reason }, // bounded: one ban per peer
	})
	p.Misbehaving(60, "first")
	if p.Err() != nil || len(bans) != 0 {
		t.Fatalf("banned below the threshold: %v", p.Err())
	}
	p.Misbehaving(40, "second")
	e := h.nextDisconnected(t)
	if !errors.Is(e.err, ErrMisbehaving) || len(bans) != 1 || <-bans != "second" {
		t.Fatalf("disconnect error %v, bans %d; want ErrMisbehaving and one ban", e.err, len(bans))
	}
	p.Misbehaving(100, "after") // no second ban
	if len(bans) != 0 {
		t.Error("banned twice")
	}
}

func TestHandlerBlockingBackPressuresTheStream(t *testing.T) {
	h := newRecHandler()
	h.block = make(chan struct{})
	cfg := testConfig(t, params.SimNet, h, nil)
	p, fc, _ := startPeer(t, cfg, newFakeNode(t, params.SimNet, fakeOpts{}), peerHooks{})
	for range 3 {
		if err := fc.send(&wire.MsgNotFound{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := fc.send(&wire.MsgPing{Nonce: 5}); err != nil {
		t.Fatal(err)
	}
	// While the handler blocks on the first notfound nothing behind it is read.
	h.block <- struct{}{}
	pm := h.nextMessage(t, wire.CmdNotFound)
	if pm.p != p {
		t.Fatal("message from the wrong peer")
	}
	if slices.Contains(fc.commands(), wire.CmdPong) {
		t.Error("the ping behind a blocked handler was read")
	}
	close(h.block)
	fc.await(t, wire.CmdPong, 0)
}

func TestContextCancelDisconnectsWithErrClosed(t *testing.T) {
	h := newRecHandler()
	cfg := testConfig(t, params.SimNet, h, nil)
	p, _, stop := startPeer(t, cfg, newFakeNode(t, params.SimNet, fakeOpts{}), peerHooks{})
	stop()
	select {
	case <-p.Done():
	default:
		t.Fatal("Done not closed after run returned")
	}
	if e := h.nextDisconnected(t); !errors.Is(e.err, ErrClosed) {
		t.Errorf("disconnect error = %v, want ErrClosed", e.err)
	}
}

// nopHandler ignores everything.
type nopHandler struct{}

func (nopHandler) PeerConnected(*Peer)           {}
func (nopHandler) PeerDisconnected(*Peer, error) {}
func (nopHandler) Message(*Peer, wire.Message)   {}

// FuzzPeerStream feeds arbitrary bytes to a connected peer after its
// handshake: the peer must never panic, and must end with a typed error.
func FuzzPeerStream(f *testing.F) {
	magic := params.SimNet.Magic
	f.Add(wire.EncodeMessage(magic, &wire.MsgPing{Nonce: 1}))
	f.Add(wire.EncodeMessage(magic, &wire.MsgReject{Message: "tx", Code: wire.RejectDust, Reason: "dust"}))
	f.Add(wire.EncodeMessage(params.MainNet.Magic, &wire.MsgPing{Nonce: 1}))
	f.Add(frame(magic, "headers", 1<<30, []byte{1, 2, 3, 4}, nil))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		client, server := net.Pipe()
		cfg := testConfig(t, params.SimNet, nopHandler{}, func(c *Config) {
			c.Dial = func(context.Context, string, string) (net.Conn, error) { return client, nil }
		})
		go func() {
			defer server.Close()
			r := bufio.NewReader(server)
			if _, err := wire.ReadMessage(r, magic); err != nil {
				return
			}
			go io.Copy(io.Discard, r) // drain what the client sends: net.Pipe is unbuffered
			v := &wire.MsgVersion{ProtocolVersion: int32(ProtocolVersion), Services: wire.NodeNetwork, Nonce: 1}
			if _, err := wire.WriteMessage(server, magic, v); err != nil {
				return
			}
			if _, err := wire.WriteMessage(server, magic, &wire.MsgVerAck{}); err != nil {
				return
			}
			server.Write(data)
		}()
		p, err := connect(context.Background(), cfg, "pipe", 2, peerHooks{})
		if err != nil {
			t.Fatalf("handshake over a pipe failed: %v", err)
		}
		err = p.run(context.Background(), cfg.Handler)
		var pe *PeerError
		if !errors.As(err, &pe) {
			t.Fatalf("run ended with %v, want a *PeerError", err)
		}
	})
}
