// Package p2p is the FLUX light client's peer layer: outbound connections
// to fluxd nodes and the manager that keeps enough of them
// (DESIGN §5, flux-chain.md §6).
//
// A Peer dials, then performs the handshake as a light client: it sends
// version with protocol ProtocolVersion (170020), no services, relay false,
// our start height, UserAgent and a random nonce; it requires the peer's
// version (protocol at least max(MinPeerProtocolVersion, the epoch protocol
// at our height), NODE_NETWORK, not our own nonce) and verack within
// Config.HandshakeTimeout; then it sends sendheaders and one getaddr. After
// that, three goroutines serve it: a reader (wire.ReadMessage with socket
// deadlines, handing messages to the Handler one at a time), a writer
// (draining a bounded send queue; Send never blocks, a full queue drops the
// peer with ErrSlowPeer) and a monitor (ping every PingInterval, drop on no
// pong within PingTimeout or no traffic within IdleTimeout, on Config.Now).
//
// Framing failures follow fluxd: a bad checksum or command skips the
// message; a malformed payload scores ScoreMalformed and continues; bad
// magic (ScoreBadMagic, a ban) and an oversize payload (ScoreOversize)
// disconnect, since the stream cannot be resynchronised. Misbehaviour scores
// add up per connection; at BanScore the peer is dropped and its address
// banned for Config.BanDuration.
//
// The Manager keeps Config.TargetOutbound peers from the configured
// addresses, the DNS seeds (resolved through Config.Resolve at the network's
// default port) and addresses learned from addr messages (a bounded book),
// with one connection per address, exponential backoff with jitter per
// address and bans. Every error about a peer is a *PeerError whose Kind is
// one of the Err* values.
package p2p
