package p2p

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
	"github.com/fluxbridge/fluxbridge/internal/testclock"
)

// waitTimeout bounds every wait on real sockets in these tests.
const waitTimeout = 10 * time.Second

// eventually polls cond until it holds or waitTimeout passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// newFakeClock is a manual clock for Config.Now.
func newFakeClock() *testclock.Clock { return testclock.New(time.Unix(1_700_000_000, 0)) }

// fakeOpts configure how a fake node answers the handshake.
type fakeOpts struct {
	protocol   int32  // default ProtocolVersion
	services   uint64 // default NodeNetwork|NodeBloom
	height     int32
	noVerack   bool // never send verack
	echoNonce  bool // send back the client's own version nonce
	autoPong   bool // answer pings
	noRead     bool // stop reading after the handshake
	closeAfter bool // close the connection once the client completed the handshake
	reject     bool // answer the client's version with reject, as fluxd does to an obsolete one
}

// fakeNode is a FLUX node on loopback speaking the real wire protocol,
// just enough to exercise the client.
type fakeNode struct {
	t       testing.TB
	ln      net.Listener
	magic   [4]byte
	opts    fakeOpts
	accepts atomic.Int32
	conns   chan *fakeConn // every accepted connection, after its handshake; capacity bounds the test
	mu      sync.Mutex
	live    []*fakeConn
	closed  chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

// fakeConn is one client connection seen by a fakeNode.
type fakeConn struct {
	node      *fakeNode
	conn      net.Conn
	r         *bufio.Reader
	wmu       sync.Mutex
	clientVer *wire.MsgVersion
	mu        sync.Mutex
	got       []wire.Message // everything the client sent, in order, version included
	gone      chan struct{}  // closed when the client's side ended
}

func newFakeNode(t testing.TB, p *params.Params, o fakeOpts) *fakeNode {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.protocol == 0 {
		o.protocol = int32(ProtocolVersion)
	}
	if o.services == 0 {
		o.services = wire.NodeNetwork | wire.NodeBloom
	}
	f := &fakeNode{t: t, ln: ln, magic: p.Magic, opts: o, conns: make(chan *fakeConn, 64), closed: make(chan struct{})}
	f.wg.Add(1)
	go f.acceptLoop()
	t.Cleanup(f.Close)
	return f
}

func (f *fakeNode) Addr() string { return f.ln.Addr().String() }

// Close stops the listener and drops every connection.
func (f *fakeNode) Close() {
	f.once.Do(func() {
		close(f.closed)
		f.ln.Close()
		f.mu.Lock()
		for _, c := range f.live {
			c.conn.Close()
		}
		f.mu.Unlock()
	})
	f.wg.Wait()
}

func (f *fakeNode) acceptLoop() {
	defer f.wg.Done()
	for {
		conn, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.accepts.Add(1)
		c := &fakeConn{node: f, conn: conn, r: bufio.NewReader(conn), gone: make(chan struct{})}
		f.mu.Lock()
		select {
		case <-f.closed:
			conn.Close()
		default:
			f.live = append(f.live, c)
		}
		f.mu.Unlock()
		f.wg.Add(1)
		go c.serve()
	}
}

// next returns the next connection the node accepted (after its handshake).
func (f *fakeNode) next(t testing.TB) *fakeConn {
	t.Helper()
	select {
	case c := <-f.conns:
		return c
	case <-time.After(waitTimeout):
		t.Fatal("no connection to fake node")
		return nil
	}
}

func (c *fakeConn) send(m wire.Message) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := wire.WriteMessage(c.conn, c.node.magic, m)
	return err
}

func (c *fakeConn) sendRaw(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.conn.Write(b)
	return err
}

func (c *fakeConn) record(m wire.Message) {
	c.mu.Lock()
	c.got = append(c.got, m)
	c.mu.Unlock()
}

// received returns a copy of what the client sent so far.
func (c *fakeConn) received() []wire.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]wire.Message(nil), c.got...)
}

// commands returns the commands of what the client sent so far.
func (c *fakeConn) commands() []string {
	var out []string
	for _, m := range c.received() {
		out = append(out, m.Command())
	}
	return out
}

// await waits for the first message from the client with command cmd at or
// after index from and returns it with its index.
func (c *fakeConn) await(t testing.TB, cmd string, from int) (wire.Message, int) {
	t.Helper()
	var found wire.Message
	idx := -1
	eventually(t, "client message "+cmd, func() bool {
		for i, m := range c.received() {
			if i >= from && m.Command() == cmd {
				found, idx = m, i
				return true
			}
		}
		return false
	})
	return found, idx
}

// serve runs the fake side of the handshake, then records what the client sends.
func (c *fakeConn) serve() {
	defer c.node.wg.Done()
	defer close(c.gone)
	defer c.conn.Close()
	o := c.node.opts
	m, err := wire.ReadMessage(c.r, c.node.magic)
	if err != nil {
		return
	}
	v, ok := m.(*wire.MsgVersion)
	if !ok {
		return
	}
	c.clientVer = v
	c.record(v)
	if o.reject {
		c.send(&wire.MsgReject{Message: wire.CmdVersion, Code: wire.RejectObsolete, Reason: "Version must be 170021 or greater"})
		select {
		case c.node.conns <- c: // bounded: capacity 64, far more than any test connects
		default:
		}
		return
	}
	nonce := uint64(0xfeedface)
	if o.echoNonce {
		nonce = v.Nonce
	}
	ours := &wire.MsgVersion{
		ProtocolVersion: o.protocol,
		Services:        o.services,
		Timestamp:       time.Now().Unix(),
		AddrRecv:        wire.NewNetAddress(0, netip.MustParseAddrPort("127.0.0.1:1")),
		AddrFrom:        wire.NewNetAddress(o.services, netip.MustParseAddrPort("127.0.0.1:2")),
		Nonce:           nonce,
		UserAgent:       "/MagicBean:9.0.6(flux)/",
		StartHeight:     o.height,
		Relay:           true,
	}
	if c.send(ours) != nil {
		return
	}
	if !o.noVerack {
		if c.send(&wire.MsgVerAck{}) != nil {
			return
		}
	}
	if !o.noVerack {
		// Wait for the client's verack and sendheaders before announcing the
		// connection, so tests see a completed handshake.
		for {
			m, err := wire.ReadMessage(c.r, c.node.magic)
			if err != nil {
				return
			}
			c.record(m)
			if m.Command() == wire.CmdSendHeaders {
				break
			}
		}
	}
	select {
	case c.node.conns <- c: // bounded: capacity 64, far more than any test connects
	default:
		c.node.t.Error("fake node: too many connections queued")
	}
	if o.closeAfter {
		return
	}
	if o.noRead {
		<-c.node.closed
		return
	}
	for {
		m, err := wire.ReadMessage(c.r, c.node.magic)
		if err != nil {
			var me *wire.MessageError
			if errors.As(err, &me) {
				continue
			}
			return
		}
		c.record(m)
		if ping, ok := m.(*wire.MsgPing); ok && o.autoPong {
			if c.send(&wire.MsgPong{Nonce: ping.Nonce}) != nil {
				return
			}
		}
	}
}

// frame builds a raw frame with the given header fields and payload.
func frame(magic [4]byte, cmd string, length uint32, sum []byte, payload []byte) []byte {
	b := make([]byte, wire.MessageHeaderSize, wire.MessageHeaderSize+len(payload))
	copy(b[0:4], magic[:])
	copy(b[4:16], cmd)
	binary.LittleEndian.PutUint32(b[16:20], length)
	copy(b[20:24], sum)
	return append(b, payload...)
}

// recHandler records the Handler calls. Its channels are large enough for
// every test; a test that overflows them blocks its peer and fails on timeout.
type recHandler struct {
	connected    chan *Peer
	disconnected chan peerErr
	messages     chan peerMsg
	block        chan struct{} // when non-nil, Message waits on it
}

type peerErr struct {
	p   *Peer
	err error
}

type peerMsg struct {
	p *Peer
	m wire.Message
}

func newRecHandler() *recHandler {
	return &recHandler{
		connected:    make(chan *Peer, 256),
		disconnected: make(chan peerErr, 256),
		messages:     make(chan peerMsg, 4096),
	}
}

func (h *recHandler) PeerConnected(p *Peer) { h.connected <- p }

func (h *recHandler) PeerDisconnected(p *Peer, err error) { h.disconnected <- peerErr{p, err} }

func (h *recHandler) Message(p *Peer, m wire.Message) {
	if h.block != nil {
		<-h.block
	}
	h.messages <- peerMsg{p, m}
}

func (h *recHandler) nextConnected(t testing.TB) *Peer {
	t.Helper()
	select {
	case p := <-h.connected:
		return p
	case <-time.After(waitTimeout):
		t.Fatal("no PeerConnected")
		return nil
	}
}

func (h *recHandler) nextDisconnected(t testing.TB) peerErr {
	t.Helper()
	select {
	case e := <-h.disconnected:
		return e
	case <-time.After(waitTimeout):
		t.Fatal("no PeerDisconnected")
		return peerErr{}
	}
}

// next returns the next delivered message.
func (h *recHandler) next(t testing.TB) peerMsg {
	t.Helper()
	select {
	case pm := <-h.messages:
		return pm
	case <-time.After(waitTimeout):
		t.Fatal("no message delivered")
		return peerMsg{}
	}
}

// nextMessage returns the next delivered message with command cmd, skipping others.
func (h *recHandler) nextMessage(t testing.TB, cmd string) peerMsg {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		select {
		case pm := <-h.messages:
			if pm.m.Command() == cmd {
				return pm
			}
		case <-timeout:
			t.Fatalf("no %s message delivered", cmd)
			return peerMsg{}
		}
	}
}

// testConfig returns a validated config for peer-level tests.
func testConfig(t testing.TB, p *params.Params, h Handler, mutate func(*Config)) *Config {
	t.Helper()
	c := Config{Params: p, Handler: h, TickInterval: 5 * time.Millisecond, HandshakeTimeout: 5 * time.Second}
	if mutate != nil {
		mutate(&c)
	}
	v, err := c.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	return &v
}

// startPeer connects to f and runs the peer in the background; the returned
// stop function cancels it and waits for run to return.
func startPeer(t testing.TB, cfg *Config, f *fakeNode, hooks peerHooks) (*Peer, *fakeConn, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p, err := connect(ctx, cfg, f.Addr(), randNonce(), hooks)
	if err != nil {
		cancel()
		t.Fatalf("connect: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.run(ctx, cfg.Handler)
	}()
	stop := func() {
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return p, f.next(t), stop
}
