package p2p

import (
	"context"
	"errors"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// run drives a peer whose handshake has completed, until it is disconnected
// or ctx ends. It starts the writer and the monitor, calls h.PeerConnected,
// runs the reader, and once every goroutine has returned closes Done and
// calls h.PeerDisconnected. It returns the disconnection error.
func (p *Peer) run(ctx context.Context, h Handler) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Ending ctx disconnects the peer; disconnecting stops every goroutine below.
	stop := context.AfterFunc(ctx, func() {
		p.disconnect(newError(p.addr, ErrClosed, "cancelled", context.Cause(ctx)))
	})
	defer stop()

	var g group
	g.Go(ctx, "p2p.peer.writer", p.writeLoop)
	g.Go(ctx, "p2p.peer.monitor", p.monitorLoop)
	h.PeerConnected(p)
	g.Go(ctx, "p2p.peer.reader", func(ctx context.Context) { p.readLoop(ctx, h) })
	<-p.quit
	g.Wait()
	close(p.done)
	err := p.Err()
	h.PeerDisconnected(p, err)
	return err
}

// readLoop reads messages until the peer is disconnected, consumes the
// ones the peer layer handles and hands the rest to h, one at a time (the
// handler's pace is the TCP stream's back-pressure).
func (p *Peer) readLoop(ctx context.Context, h Handler) {
	for {
		// Socket deadline in real time: a backstop for a peer that stalls
		// inside a message; the monitor applies IdleTimeout on Config.Now.
		if err := p.conn.SetReadDeadline(time.Now().Add(p.cfg.IdleTimeout)); err != nil {
			p.disconnect(p.ioError(ctx, "set read deadline", err, ErrIdleTimeout))
			return
		}
		m, err := wire.ReadMessage(p.reader, p.magic)
		select {
		case <-p.quit:
			return
		default:
		}
		if err != nil {
			if fatal := p.readError(ctx, err, ErrIdleTimeout); fatal != nil {
				p.disconnect(fatal)
				return
			}
			continue
		}
		p.mu.Lock()
		p.lastRecv = p.cfg.Now()
		p.mu.Unlock()
		if p.consume(m) {
			continue
		}
		h.Message(p, m)
	}
}

// consume handles the messages of the peer layer itself and reports whether
// m was one of them.
func (p *Peer) consume(m wire.Message) bool {
	switch m := m.(type) {
	case *wire.MsgPing:
		_ = p.Send(&wire.MsgPong{Nonce: m.Nonce}) // a full queue disconnects; nothing else to do
	case *wire.MsgPong:
		p.mu.Lock()
		if p.pingOutstanding && m.Nonce == p.pingNonce {
			p.pingOutstanding = false
			p.pingRTT = p.cfg.Now().Sub(p.lastPing)
		}
		p.mu.Unlock()
	case *wire.MsgVersion:
		p.misbehave(ScoreDuplicateVersion, "duplicate version", nil)
	case *wire.MsgVerAck, *wire.MsgGetAddr:
		// Nothing to do: the handshake is over; a light client serves no addresses.
	case *wire.MsgSendHeaders:
		p.mu.Lock()
		p.wantsHeaders = true
		p.mu.Unlock()
	case *wire.MsgAddr:
		if p.hooks.onAddr != nil {
			p.hooks.onAddr(p, m.AddrList)
		}
	default:
		return false
	}
	return true
}

// writeLoop writes queued messages until the peer is disconnected. A write
// that fails or exceeds Config.WriteTimeout disconnects the peer.
func (p *Peer) writeLoop(ctx context.Context) {
	for {
		var m wire.Message
		select {
		case <-p.quit:
			return
		case m = <-p.sendq:
		}
		if err := p.conn.SetWriteDeadline(time.Now().Add(p.cfg.WriteTimeout)); err != nil {
			p.disconnect(p.ioError(ctx, "set write deadline", err, ErrSlowPeer))
			return
		}
		if _, err := wire.WriteMessage(p.conn, p.magic, m); err != nil {
			var me *wire.MessageError
			if errors.As(err, &me) {
				// Our own message is unencodable (too large, bad command): nothing was
				// written, the stream is intact; drop it and say so.
				p.cfg.Logger.Error("dropping unencodable message", "peer", p.addr, "err", err)
				continue
			}
			p.disconnect(p.ioError(ctx, "write "+m.Command(), err, ErrSlowPeer))
			return
		}
	}
}

// monitorLoop checks the idle and ping timers every Config.TickInterval
// against Config.Now, and sends pings.
func (p *Peer) monitorLoop(ctx context.Context) {
	t := time.NewTicker(p.cfg.TickInterval)
	defer t.Stop()
	for {
		select {
		case <-p.quit:
			return
		case <-t.C:
			if err := p.checkTimers(p.cfg.Now()); err != nil {
				p.disconnect(err)
				return
			}
		}
	}
}

// checkTimers applies the idle and ping rules at time now: it returns the
// error to disconnect with, or sends a ping when one is due.
func (p *Peer) checkTimers(now time.Time) error {
	p.mu.Lock()
	if idle := now.Sub(p.lastRecv); idle >= p.cfg.IdleTimeout {
		p.mu.Unlock()
		return newError(p.addr, ErrIdleTimeout, "nothing received for "+idle.String(), nil)
	}
	if p.pingOutstanding {
		waited := now.Sub(p.lastPing)
		p.mu.Unlock()
		if waited >= p.cfg.PingTimeout {
			return newError(p.addr, ErrPingTimeout, "no pong for "+waited.String(), nil)
		}
		return nil
	}
	if now.Sub(p.lastPing) < p.cfg.PingInterval {
		p.mu.Unlock()
		return nil
	}
	nonce := randNonce()
	p.pingNonce, p.pingOutstanding, p.lastPing = nonce, true, now
	p.mu.Unlock()
	_ = p.Send(&wire.MsgPing{Nonce: nonce}) // a full queue disconnects; nothing else to do
	return nil
}
