package fluxtest

import (
	"errors"
	"math"
	"net"
	"net/netip"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// errObsolete ends a connection whose client speaks too old a protocol.
var errObsolete = errors.New("fluxtest: client protocol version too old")

// source is a chain a SimPeer serves.
type source interface {
	tip() *block
	at(h int32) *block
	lookup(h chainhash.Hash) *block
}

// source returns the chain this peer serves now.
func (p *SimPeer) source() source {
	if p.Fault() == FaultDifferentChain {
		if a, err := p.n.altChain(); err == nil {
			return a
		}
	}
	return p.n.chain
}

// handle answers one message from the client.
func (c *conn) handle(m wire.Message) error {
	if v, ok := m.(*wire.MsgVersion); ok {
		return c.handleVersion(v)
	}
	if !c.gotVersion.Load() {
		return nil // fluxd ignores (and scores) anything before version
	}
	switch m := m.(type) {
	case *wire.MsgVerAck:
		if !c.ready.Swap(true) && c.p.Fault().badBlock() {
			c.signal() // announce the bad block straight away
		}
	case *wire.MsgPing:
		return c.sendMsg(&wire.MsgPong{Nonce: m.Nonce})
	case *wire.MsgSendHeaders:
		c.sendHeaders.Store(true)
	case *wire.MsgGetHeaders:
		if c.p.Fault() == FaultAbsurdHeight {
			return nil // the claimed headers never come
		}
		return c.handleGetHeaders(m)
	case *wire.MsgGetData:
		return c.handleGetData(m)
	case *wire.MsgTx:
		return c.handleTx(m)
	case *wire.MsgGetAddr:
		return c.handleGetAddr()
	}
	return nil // inv, headers, block, reject, notfound, pong, unknown: nothing to answer
}

// handleVersion answers the client's version with ours and verack.
func (c *conn) handleVersion(v *wire.MsgVersion) error {
	if c.gotVersion.Swap(true) {
		return nil // a second version is ignored, as fluxd does (after scoring it)
	}
	p := c.p.n.p
	if uint32(v.ProtocolVersion) < p.MinPeerProtocolVersion {
		_ = c.writeRaw(wire.EncodeMessage(p.Magic, &wire.MsgReject{
			Message: wire.CmdVersion, Code: wire.RejectObsolete, Reason: "Version must be 170020 or greater"}))
		return errObsolete
	}
	n := c.p.n
	ours := &wire.MsgVersion{
		ProtocolVersion: int32(params.ProtocolVersionPoN),
		Services:        wire.NodeNetwork,
		Timestamp:       n.cfg.Now().Unix(),
		AddrRecv:        netAddr(c.nc.RemoteAddr(), 0),
		AddrFrom:        netAddr(c.nc.LocalAddr(), wire.NodeNetwork),
		Nonce:           0x5eed<<48 | uint64(c.p.index)<<32 | c.id,
		UserAgent:       UserAgent,
		StartHeight:     c.p.startHeight(),
		Relay:           true,
	}
	if err := c.writeRaw(wire.EncodeMessage(p.Magic, ours)); err != nil {
		return err
	}
	return c.writeRaw(wire.EncodeMessage(p.Magic, &wire.MsgVerAck{}))
}

// startHeight is the height the peer's version message claims: its tip's,
// or 2^31-1 for FaultAbsurdHeight.
func (p *SimPeer) startHeight() int32 {
	if p.Fault() == FaultAbsurdHeight {
		return math.MaxInt32
	}
	return p.source().tip().height
}

// netAddr converts a TCP address for a version message.
func netAddr(a net.Addr, services uint64) wire.NetAddress {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return wire.NetAddress{Services: services}
	}
	return wire.NewNetAddress(services, ap)
}

// locate returns the height of the first locator hash on src's active
// chain, or 0 (genesis) if none is, as fluxd's FindForkInGlobalIndex does.
func locate(src source, locator []chainhash.Hash) int32 {
	for _, h := range locator {
		if b := src.lookup(h); b != nil && src.at(b.height) == b {
			return b.height
		}
	}
	return 0
}

// handleGetHeaders answers with up to 160 headers after the fork point,
// up to and including hashStop; a faulty peer appends its bad block when
// the answer reaches the tip.
func (c *conn) handleGetHeaders(m *wire.MsgGetHeaders) error {
	src := c.p.source()
	tip := src.tip()
	var hdrs [][]byte
	if len(m.Locator) == 0 {
		// fluxd: no locator means "just the block hashStop".
		if b := src.lookup(m.HashStop); b != nil {
			hdrs = append(hdrs, b.hdr)
		}
	} else {
		for h := locate(src, m.Locator) + 1; h <= tip.height && len(hdrs) < wire.MaxHeadersPerMessage; h++ {
			b := src.at(h)
			if b == nil {
				break // a reorg shortened the chain meanwhile
			}
			hdrs = append(hdrs, b.hdr)
			if b.hash == m.HashStop {
				break
			}
		}
		reachedTip := len(hdrs) == 0 || string(hdrs[len(hdrs)-1]) == string(tip.hdr)
		if reachedTip && len(hdrs) < wire.MaxHeadersPerMessage {
			if bad := c.p.badFor(); bad != nil && bad.msg.Header.PrevBlock == tip.hash {
				hdrs = append(hdrs, bad.hdr)
			}
		}
	}
	return c.send(headersFrame(c.p.n.p.Magic, hdrs))
}

// headersFrame frames a headers message from cached header encodings.
func headersFrame(magic [4]byte, hdrs [][]byte) []byte {
	size := 3
	for _, h := range hdrs {
		size += len(h)
	}
	payload := codec.AppendCompactSize(make([]byte, 0, size), uint64(len(hdrs)))
	for _, h := range hdrs {
		payload = append(payload, h...)
	}
	return wire.EncodeMessage(magic, &wire.MsgUnknown{Cmd: wire.CmdHeaders, Payload: payload})
}

// handleGetData sends each requested block or transaction, then one
// notfound listing what the peer does not have.
func (c *conn) handleGetData(m *wire.MsgGetData) error {
	src := c.p.source()
	var missing []wire.InvVect
	for _, iv := range m.InvList {
		switch iv.Type {
		case wire.InvTypeBlock:
			b := src.lookup(iv.Hash)
			if b == nil {
				b = c.p.badByHash(iv.Hash)
			}
			if b == nil {
				missing = append(missing, iv)
				continue
			}
			if err := c.send(b.frame); err != nil {
				return err
			}
		case wire.InvTypeTx:
			t := c.p.n.mempoolTx(iv.Hash)
			if t == nil {
				missing = append(missing, iv)
				continue
			}
			if err := c.sendMsg(&wire.MsgTx{Tx: t}); err != nil {
				return err
			}
		default:
			missing = append(missing, iv)
		}
	}
	if len(missing) > 0 {
		return c.sendMsg(&wire.MsgNotFound{InvList: missing})
	}
	return nil
}

// handleTx submits a transaction and rejects it with fluxd's code and
// reason when it is refused.
func (c *conn) handleTx(m *wire.MsgTx) error {
	err := c.p.n.SubmitTx(m.Tx)
	if err == nil {
		return nil
	}
	rj := &wire.MsgReject{Message: wire.CmdTx, Code: wire.RejectInvalid, Reason: "rejected", Hash: m.Tx.TxID()}
	var re *RejectError
	if errors.As(err, &re) {
		rj.Code, rj.Reason = re.Code, re.Reason
	}
	if len(rj.Reason) > wire.MaxRejectReasonLen {
		rj.Reason = rj.Reason[:wire.MaxRejectReasonLen]
	}
	return c.sendMsg(rj)
}

// handleGetAddr answers with the network's listen addresses.
func (c *conn) handleGetAddr() error {
	now := uint32(c.p.n.cfg.Now().Unix())
	var list []wire.TimedNetAddress
	for _, a := range c.p.n.Addrs() {
		ap, err := netip.ParseAddrPort(a)
		if err != nil {
			continue
		}
		list = append(list, wire.TimedNetAddress{Timestamp: now, NetAddress: wire.NewNetAddress(wire.NodeNetwork, ap)})
	}
	return c.sendMsg(&wire.MsgAddr{AddrList: list})
}

// announceTip announces the tip (or the peer's bad block on it) with one
// header if the client sent sendheaders and the network does not announce
// with inv (Config.AnnounceWithInv), else with an inv.
func (c *conn) announceTip() error {
	src := c.p.source()
	b := src.tip()
	if bad := c.p.badFor(); bad != nil && bad.msg.Header.PrevBlock == b.hash {
		b = bad
	}
	if c.sendHeaders.Load() && !c.p.n.cfg.AnnounceWithInv {
		return c.send(headersFrame(c.p.n.p.Magic, [][]byte{b.hdr}))
	}
	return c.sendMsg(&wire.MsgInv{InvList: []wire.InvVect{{Type: wire.InvTypeBlock, Hash: b.hash}}})
}
