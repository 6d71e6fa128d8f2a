package fluxtest

import (
	"errors"
	"fmt"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// Defaults of Config.
const (
	// DefaultFluxnodes is the number of test fluxnodes registered at genesis.
	DefaultFluxnodes = 4
	// DefaultPeers is the number of loopback listeners serving the chain.
	DefaultPeers = 3
	// MaxFluxnodes bounds Config.Fluxnodes and the number of live test nodes
	// (registrations pause while this many are in the set): every block
	// evaluates the PoN lottery of each confirmed node.
	MaxFluxnodes = 64
	// MaxPeers bounds Config.Peers.
	MaxPeers = 32
)

// Config configures a Network. The zero value is usable: SimNet, four
// fluxnodes, three peers on 127.0.0.1, manual block production, the system
// clock.
type Config struct {
	// Params is the network; nil means params.SimNet. It must be a network
	// on which every block after genesis is a PoN block (PoN active from
	// height 1) and that has no TESTNOD bypass.
	Params *params.Params
	// Fluxnodes is the number of test fluxnodes registered at genesis
	// (default DefaultFluxnodes, at most MaxFluxnodes). Their keys are
	// FluxnodeKey(0..Fluxnodes-1).
	Fluxnodes int
	// Peers is the number of loopback listeners serving the same chain
	// (default DefaultPeers, at most MaxPeers). Ignored when ListenAddrs is set.
	Peers int
	// ListenAddrs, when not empty, are the listen addresses, one peer each
	// (e.g. "127.0.0.1:36125"); by default every peer listens on 127.0.0.1:0.
	ListenAddrs []string
	// AnnounceWithInv makes the peers announce a new tip with an inv of its
	// hash even to clients that sent sendheaders, as a node without BIP 130
	// does (and a BIP 130 node after a burst of blocks). By default a client
	// that sent sendheaders gets the tip's header.
	AnnounceWithInv bool
	// BlockInterval, when positive, makes Start produce a block every
	// interval in the background; zero means blocks are produced only by Mine.
	BlockInterval time.Duration
	// Now is the clock used for version and addr timestamps; nil means time.Now.
	// Block times do not follow it: they advance 30 s per slot from genesis.
	Now func() time.Time
}

// withDefaults returns cfg with defaults filled in, or an error naming the bad field.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Params == nil {
		cfg.Params = params.SimNet
	}
	p := cfg.Params
	if p.PoNActivationHeight() != 1 {
		return cfg, fmt.Errorf("fluxtest: Config.Params: network %s activates PoN at %d; fluxtest needs PoN from height 1", p.Name, p.PoNActivationHeight())
	}
	if p.TestBypassCollateral != nil {
		return cfg, fmt.Errorf("fluxtest: Config.Params: network %s has a TESTNOD bypass; fluxtest needs every producer checked", p.Name)
	}
	switch {
	case cfg.Fluxnodes == 0:
		cfg.Fluxnodes = DefaultFluxnodes
	case cfg.Fluxnodes < 0 || cfg.Fluxnodes > MaxFluxnodes:
		return cfg, fmt.Errorf("fluxtest: Config.Fluxnodes is %d; want 1..%d", cfg.Fluxnodes, MaxFluxnodes)
	}
	if len(cfg.ListenAddrs) > 0 {
		cfg.Peers = len(cfg.ListenAddrs)
	}
	switch {
	case cfg.Peers == 0:
		cfg.Peers = DefaultPeers
	case cfg.Peers < 0 || cfg.Peers > MaxPeers:
		return cfg, fmt.Errorf("fluxtest: Config.Peers is %d; want 1..%d", cfg.Peers, MaxPeers)
	}
	if len(cfg.ListenAddrs) == 0 {
		cfg.ListenAddrs = make([]string, cfg.Peers)
		for i := range cfg.ListenAddrs {
			cfg.ListenAddrs[i] = "127.0.0.1:0"
		}
	}
	if cfg.BlockInterval < 0 {
		return cfg, errors.New("fluxtest: Config.BlockInterval is negative")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg, nil
}

// Fault is a misbehaviour a SimPeer can be told to show. The list is append-only.
type Fault int

// The faults. The bad-block faults (FaultForgedHeader to FaultWrongMerkleRoot,
// FaultEquivocate) build a block on the honest tip that only the faulty peer
// announces and serves: in its getheaders answers after the honest tip, in
// answer to getdata, and in an announcement after the handshake and after
// every new tip.
const (
	// FaultNone: serve the honest chain.
	FaultNone Fault = iota
	// FaultStall: accept connections, then never answer (no version, no
	// headers, no blocks), while reading whatever the client sends.
	FaultStall
	// FaultForgedHeader: a block whose collateral outpoint was ground until
	// its PoN hash met the target (the cheap header forgery), signed by a key
	// that belongs to no fluxnode.
	FaultForgedHeader
	// FaultUnknownProducer: a block produced by a deterministic test key that
	// was never registered (FluxnodeKey of an unused index), PoN target met
	// and validly signed by that key.
	FaultUnknownProducer
	// FaultBadSignature: a block by a registered producer whose signature is
	// a valid DER signature of the block hash by a different key.
	FaultBadSignature
	// FaultUnsigned: a block by a registered producer with an empty signature.
	FaultUnsigned
	// FaultWrongMerkleRoot: a validly signed header whose merkle root does
	// not match the transactions of the block served for it.
	FaultWrongMerkleRoot
	// FaultOversized: after the handshake, every message is replaced by a
	// frame header declaring a payload of MaxMessagePayload+1 bytes.
	FaultOversized
	// FaultMalformed: after the handshake, every message is damaged, in turn:
	// a payload that does not decode (valid checksum), a bad checksum, bad magic.
	FaultMalformed
	// FaultDifferentChain: serve a separate, valid-looking chain from genesis,
	// one block longer than the honest one, produced by fluxnodes that are not
	// in the network's snapshot.
	FaultDifferentChain
	// FaultEquivocate: two different valid blocks on the honest tip, by
	// registered producers; successive announcements and getheaders answers
	// alternate between them, and getdata serves both.
	FaultEquivocate
	// FaultAbsurdHeight: the version message claims height 2^31-1 (the cheap
	// liveness attack on a light node that believes start heights), and
	// getheaders requests go unanswered, so the claim is never backed by
	// headers. Everything else is served honestly (pings, getdata, tip
	// announcements), so the peer stays connected. The claim is made at the
	// handshake: set the fault before the client connects.
	FaultAbsurdHeight
	numFaults
)

var faultNames = [...]string{
	FaultNone:            "none",
	FaultStall:           "stall",
	FaultForgedHeader:    "forged-header",
	FaultUnknownProducer: "unknown-producer",
	FaultBadSignature:    "bad-signature",
	FaultUnsigned:        "unsigned",
	FaultWrongMerkleRoot: "wrong-merkle-root",
	FaultOversized:       "oversized",
	FaultMalformed:       "malformed",
	FaultDifferentChain:  "different-chain",
	FaultEquivocate:      "equivocate",
	FaultAbsurdHeight:    "absurd-height",
}

// String returns the fault's name, e.g. "forged-header".
func (f Fault) String() string {
	if f >= 0 && f < numFaults {
		return faultNames[f]
	}
	return fmt.Sprintf("fault(%d)", int(f))
}

// badBlock reports whether f is served as an extra block on the honest tip.
func (f Fault) badBlock() bool {
	switch f {
	case FaultForgedHeader, FaultUnknownProducer, FaultBadSignature, FaultUnsigned,
		FaultWrongMerkleRoot, FaultEquivocate:
		return true
	}
	return false
}
