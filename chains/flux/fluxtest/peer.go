package fluxtest

import (
	"bufio"
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// Serving limits.
const (
	// writeTimeout bounds one write to a client; a client that does not read
	// for this long is disconnected.
	writeTimeout = 10 * time.Second
	// maxConnsPerPeer bounds the connections one SimPeer serves at a time.
	maxConnsPerPeer = 64
	// UserAgent is the user agent SimPeers send in their version message.
	UserAgent = "/fluxtest:1.0/"
)

// SimPeer is one loopback listener serving the network's chain: a FLUX
// full node as a light client sees it.
type SimPeer struct {
	n      *Network
	index  int
	listen string
	ln     net.Listener
	fault  atomic.Int32

	mu    sync.Mutex
	conns map[*conn]struct{}

	// badMu guards the cached bad blocks of the current fault.
	badMu sync.Mutex
	bad   *badSet
	// turn alternates FaultEquivocate's two blocks.
	turn atomic.Uint64
}

// Addr returns the peer's listen address (the bound one once started).
func (p *SimPeer) Addr() string {
	if p.ln != nil {
		return p.ln.Addr().String()
	}
	return p.listen
}

// SetFault makes the peer misbehave as f, on its current connections and
// on new ones. FaultNone restores honest service.
func (p *SimPeer) SetFault(f Fault) {
	p.fault.Store(int32(f))
	p.badMu.Lock()
	p.bad = nil
	p.badMu.Unlock()
	p.announceAll()
}

// Fault returns the peer's current fault.
func (p *SimPeer) Fault() Fault { return Fault(p.fault.Load()) }

// Conns returns how many clients are connected.
func (p *SimPeer) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// acceptLoop accepts connections until the listener is closed.
func (p *SimPeer) acceptLoop(ctx context.Context) {
	for {
		nc, err := p.ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			continue // a transient accept error (e.g. too many files): keep serving
		}
		c := &conn{p: p, nc: nc, id: p.n.connSeq.Add(1), announce: make(chan struct{}, 1), done: make(chan struct{})}
		p.mu.Lock()
		full := len(p.conns) >= maxConnsPerPeer || ctx.Err() != nil
		if !full {
			p.conns[c] = struct{}{}
		}
		p.mu.Unlock()
		if full {
			_ = nc.Close()
			continue
		}
		p.n.wg.Add(2)
		go func() { // "fluxtest/peer/conn": reads and answers requests until the connection ends
			defer p.n.wg.Done()
			c.readLoop(ctx)
			c.close()
			p.mu.Lock()
			delete(p.conns, c)
			p.mu.Unlock()
		}()
		go func() { // "fluxtest/peer/announce": writes tip announcements until the connection ends
			defer p.n.wg.Done()
			c.announceLoop(ctx)
		}()
	}
}

// closeConns closes every connection.
func (p *SimPeer) closeConns() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.close()
	}
}

// announceAll signals every connection that the tip changed.
func (p *SimPeer) announceAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.signal()
	}
}

// conn is one client connection.
type conn struct {
	p  *SimPeer
	nc net.Conn
	id uint64 // distinct per connection, for the version nonce

	// announce carries "the tip changed" (capacity 1: signals coalesce, so a
	// send never blocks); done is closed when the connection ends.
	announce  chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	writeMu     sync.Mutex
	gotVersion  atomic.Bool
	ready       atomic.Bool // verack received: post-handshake traffic
	sendHeaders atomic.Bool
	// seq counts FaultMalformed's damaged sends.
	seq atomic.Uint64
}

func (c *conn) close() {
	c.closeOnce.Do(func() {
		close(c.done)
		_ = c.nc.Close()
	})
}

// signal wakes the announcer; it never blocks.
func (c *conn) signal() {
	select {
	case c.announce <- struct{}{}:
	default: // an announcement is already pending and will show the newest tip
	}
}

// readLoop reads messages and answers them.
func (c *conn) readLoop(ctx context.Context) {
	magic := c.p.n.p.Magic
	r := bufio.NewReaderSize(c.nc, 64<<10)
	for ctx.Err() == nil {
		m, err := wire.ReadMessage(r, magic)
		if err != nil {
			var me *wire.MessageError
			if errors.As(err, &me) && (errors.Is(err, wire.ErrBadChecksum) || errors.Is(err, wire.ErrBadCommand) ||
				errors.Is(err, wire.ErrMalformedPayload)) {
				continue // the stream is still in sync; fluxd skips such a message
			}
			return
		}
		if c.p.Fault() == FaultStall {
			continue
		}
		if err := c.handle(m); err != nil {
			return
		}
	}
}

// announceLoop writes an announcement of the tip each time it is signalled.
func (c *conn) announceLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.done:
			return
		case <-c.announce:
		}
		if !c.ready.Load() || c.p.Fault() == FaultStall {
			continue
		}
		if err := c.announceTip(); err != nil {
			c.close()
			return
		}
	}
}

// writeRaw writes one frame as is.
func (c *conn) writeRaw(frame []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_ = c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := c.nc.Write(frame)
	return err
}

// send writes a framed message, damaged as the peer's fault asks once the
// handshake is over.
func (c *conn) send(frame []byte) error {
	if c.ready.Load() {
		switch c.p.Fault() {
		case FaultStall:
			return nil
		case FaultOversized:
			frame = oversizedFrame(c.p.n.p.Magic, frame)
		case FaultMalformed:
			frame = malformedFrame(frame, c.seq.Add(1)-1)
		}
	}
	return c.writeRaw(frame)
}

// sendMsg frames m and sends it.
func (c *conn) sendMsg(m wire.Message) error {
	return c.send(wire.EncodeMessage(c.p.n.p.Magic, m))
}
