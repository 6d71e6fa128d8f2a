package p2p

import (
	"errors"
	"fmt"
)

// The kinds of peer failure. Every error this package returns for a peer is a
// *PeerError whose Kind is one of these, so callers decide with errors.Is.
// This list is append-only.
var (
	// ErrHandshake: the peer broke the handshake (a message other than
	// version first, a malformed version, a second version).
	ErrHandshake = errors.New("p2p: handshake failed")
	// ErrHandshakeTimeout: the peer's version or verack did not arrive within
	// Config.HandshakeTimeout.
	ErrHandshakeTimeout = errors.New("p2p: handshake timed out")
	// ErrProtocolTooOld: the peer's protocol version is below
	// max(Params.MinPeerProtocolVersion, Params.EpochProtocolVersion(our height)).
	ErrProtocolTooOld = errors.New("p2p: peer protocol version too old")
	// ErrNoNetworkService: the peer does not advertise NODE_NETWORK, so it
	// cannot serve blocks to a light client.
	ErrNoNetworkService = errors.New("p2p: peer does not serve blocks (no NODE_NETWORK)")
	// ErrSelfConnection: the peer echoed a version nonce we sent: we connected to ourselves.
	ErrSelfConnection = errors.New("p2p: connected to self")
	// ErrSlowPeer: the peer's send queue was full, so Send disconnected it
	// rather than block.
	ErrSlowPeer = errors.New("p2p: send queue full (slow peer)")
	// ErrPingTimeout: the peer did not answer our ping within Config.PingTimeout.
	ErrPingTimeout = errors.New("p2p: ping timeout")
	// ErrIdleTimeout: nothing was received from the peer for Config.IdleTimeout.
	ErrIdleTimeout = errors.New("p2p: idle timeout")
	// ErrMisbehaving: the peer's misbehaviour score reached BanScore; its
	// address is banned for Config.BanDuration.
	ErrMisbehaving = errors.New("p2p: peer misbehaved")
	// ErrBanned: the address is banned (by misbehaviour or Manager.Ban).
	ErrBanned = errors.New("p2p: address banned")
	// ErrProtocol: the peer sent bytes that break the framing (bad magic,
	// oversize payload); the stream cannot be resynchronised.
	ErrProtocol = errors.New("p2p: protocol violation")
	// ErrClosed: the connection was closed (by the peer, by the network, or
	// locally because the context ended or the peer was disconnected).
	ErrClosed = errors.New("p2p: connection closed")
	// ErrDial: the TCP connection could not be made.
	ErrDial = errors.New("p2p: dial failed")
)

// PeerError is a failure of one peer connection. errors.Is matches its Kind
// and the wrapped Err (for example a *wire.MessageError or an I/O error).
type PeerError struct {
	Addr   string // the peer's address, host:port
	Kind   error  // one of the Err* kinds above
	Detail string // extra context, may be empty
	Err    error  // the underlying error, may be nil
}

func (e *PeerError) Error() string {
	s := fmt.Sprintf("peer %s: %v", e.Addr, e.Kind)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the kind and the underlying error.
func (e *PeerError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// newError builds a *PeerError.
func newError(addr string, kind error, detail string, err error) *PeerError {
	return &PeerError{Addr: addr, Kind: kind, Detail: detail, Err: err}
}
