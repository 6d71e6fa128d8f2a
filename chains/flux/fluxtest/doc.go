// Package fluxtest is a simulated FLUX network (SimNet) for tests, benchmarks
// and the `fluxbridge flux simnet` command.
//
// A Network produces a Proof-of-Node chain from genesis with the real
// consensus packages (params.SimNet, wire, tx, script, header, fluxnode), so
// every block it mines is one the light node's mainnet rules accept: version
// 100 headers whose PoN lottery hash meets the retargeted nBits, signed with
// the producer's operational key, with a coinbase paying the network's wallet
// and a merkle root over the txids. A fluxnode.Set is kept in lockstep with
// the chain: besides the initial test fluxnodes (the snapshot a light node
// anchors on), test nodes join over time with START and CONFIRM transactions,
// refresh themselves with update CONFIRMs, and some are left to expire.
//
// The network validates and mines transparent v4 transactions (P2PKH and
// P2SH multisig inputs, ZIP-243 signature hashes), and serves its chain on
// loopback listeners (SimPeer) that speak the real wire protocol. Each
// SimPeer can be told to misbehave (Fault): stall, announce forged or badly
// signed blocks, send malformed frames, serve a different chain, equivocate,
// or claim an absurd height. Reorg replaces the last blocks with a branch
// that fork choice prefers.
//
// Block production is deterministic: two networks built from the same Config
// (Peers and ListenAddrs aside) and given the same calls (Mine, Pay, SubmitTx,
// Reorg) hold the same blocks. A test builds a private branch this way: a
// second network repeats the honest history, then mines blocks of its own,
// by the same registered fluxnodes, that only its peers serve (with Peers: 1,
// one peer, to the one client that dials it) until it is closed.
//
// Keys are deterministic (SHA-256 of a label), so a test can rebuild every
// key the network uses; none of them protects anything.
package fluxtest
