package wire

import (
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
)

// Handshake limits (RunOnFlux/fluxd src/net.h, src/version.h).
const (
	// MaxUserAgentLen is the longest user agent fluxd accepts (MAX_SUBVERSION_LENGTH).
	MaxUserAgentLen = 256
	// maxVersionPayload: version, services, time, two addresses, nonce,
	// CompactSize(256) and the user agent, start height, relay.
	maxVersionPayload = 4 + 8 + 8 + 2*NetAddressSize + 8 + 3 + MaxUserAgentLen + 4 + 1
)

// MsgVersion is the version message that opens a connection
// (fluxd CNode::PushVersion in src/net.cpp, ProcessMessage "version" in src/main.cpp).
//
// Relay is the last byte of the payload. Old peers omit it; fluxd then treats
// the peer as wanting transactions relayed, so Decode sets Relay to true when
// the byte is absent. Encode always writes it. A light client should send
// Relay = false until it loads a bloom filter.
type MsgVersion struct {
	ProtocolVersion int32
	Services        uint64
	Timestamp       int64
	AddrRecv        NetAddress
	AddrFrom        NetAddress
	Nonce           uint64
	UserAgent       string
	StartHeight     int32
	Relay           bool
}

// Command returns "version".
func (m *MsgVersion) Command() string { return CmdVersion }

// MaxPayload is the size of a version message with the longest user agent.
func (m *MsgVersion) MaxPayload() int { return maxVersionPayload }

// Decode reads a version payload; the trailing relay byte is optional.
func (m *MsgVersion) Decode(r *codec.Reader) error {
	var err error
	if m.ProtocolVersion, err = r.Int32("version.protocol_version"); err != nil {
		return err
	}
	if m.Services, err = r.Uint64("version.services"); err != nil {
		return err
	}
	if m.Timestamp, err = r.Int64("version.timestamp"); err != nil {
		return err
	}
	if err = m.AddrRecv.decode(r, "version.addr_recv"); err != nil {
		return err
	}
	if err = m.AddrFrom.decode(r, "version.addr_from"); err != nil {
		return err
	}
	if m.Nonce, err = r.Uint64("version.nonce"); err != nil {
		return err
	}
	if m.UserAgent, err = r.VarString("version.user_agent", MaxUserAgentLen); err != nil {
		return err
	}
	if m.StartHeight, err = r.Int32("version.start_height"); err != nil {
		return err
	}
	if r.Len() == 0 {
		m.Relay = true // fluxd: fRelayTxes = true when the byte is absent
		return nil
	}
	m.Relay, err = r.Bool("version.relay")
	return err
}

// Encode appends the version payload, relay byte included.
func (m *MsgVersion) Encode(w *codec.Writer) {
	w.Int32(m.ProtocolVersion)
	w.Uint64(m.Services)
	w.Int64(m.Timestamp)
	m.AddrRecv.encode(w)
	m.AddrFrom.encode(w)
	w.Uint64(m.Nonce)
	w.VarString(m.UserAgent)
	w.Int32(m.StartHeight)
	w.Bool(m.Relay)
}

// MsgVerAck acknowledges the peer's version. Its payload is empty.
type MsgVerAck struct{}

// Command returns "verack".
func (m *MsgVerAck) Command() string { return CmdVerAck }

// MaxPayload is 0.
func (m *MsgVerAck) MaxPayload() int { return 0 }

// Decode reads nothing.
func (m *MsgVerAck) Decode(*codec.Reader) error { return nil }

// Encode appends nothing.
func (m *MsgVerAck) Encode(*codec.Writer) {}

// MsgSendHeaders asks the peer to announce new blocks with headers (BIP130).
// Its payload is empty.
type MsgSendHeaders struct{}

// Command returns "sendheaders".
func (m *MsgSendHeaders) Command() string { return CmdSendHeaders }

// MaxPayload is 0.
func (m *MsgSendHeaders) MaxPayload() int { return 0 }

// Decode reads nothing.
func (m *MsgSendHeaders) Decode(*codec.Reader) error { return nil }

// Encode appends nothing.
func (m *MsgSendHeaders) Encode(*codec.Writer) {}

// MsgGetAddr asks the peer for addresses it knows. Its payload is empty.
type MsgGetAddr struct{}

// Command returns "getaddr".
func (m *MsgGetAddr) Command() string { return CmdGetAddr }

// MaxPayload is 0.
func (m *MsgGetAddr) MaxPayload() int { return 0 }

// Decode reads nothing.
func (m *MsgGetAddr) Decode(*codec.Reader) error { return nil }

// Encode appends nothing.
func (m *MsgGetAddr) Encode(*codec.Writer) {}

// MsgPing is a keep-alive carrying a nonce the peer echoes in pong
// (all protocol versions fluxd still accepts are above BIP0031_VERSION).
type MsgPing struct {
	Nonce uint64
}

// Command returns "ping".
func (m *MsgPing) Command() string { return CmdPing }

// MaxPayload is 8: the nonce.
func (m *MsgPing) MaxPayload() int { return 8 }

// Decode reads the nonce.
func (m *MsgPing) Decode(r *codec.Reader) error {
	var err error
	m.Nonce, err = r.Uint64("ping.nonce")
	return err
}

// Encode appends the nonce.
func (m *MsgPing) Encode(w *codec.Writer) { w.Uint64(m.Nonce) }

// MsgPong answers a ping with its nonce.
type MsgPong struct {
	Nonce uint64
}

// Command returns "pong".
func (m *MsgPong) Command() string { return CmdPong }

// MaxPayload is 8: the nonce.
func (m *MsgPong) MaxPayload() int { return 8 }

// Decode reads the nonce.
func (m *MsgPong) Decode(r *codec.Reader) error {
	var err error
	m.Nonce, err = r.Uint64("pong.nonce")
	return err
}

// Encode appends the nonce.
func (m *MsgPong) Encode(w *codec.Writer) { w.Uint64(m.Nonce) }
