package fluxtest

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// replay returns a light chain holding the network's active chain.
func replay(t *testing.T, n *Network) *lightChain {
	t.Helper()
	l := newLightChain(params.SimNet, n.Snapshot())
	h, _ := n.Tip()
	for i := int32(1); i <= h; i++ {
		if err := l.accept(n.BlockAt(i)); err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
	}
	return l
}

// announced returns the one header the faulty peer announces after the handshake.
func announced(t *testing.T, c *client) *wire.BlockHeader {
	t.Helper()
	hs := expect[*wire.MsgHeaders](c).Headers
	if len(hs) != 1 {
		t.Fatalf("announcement of %d headers", len(hs))
	}
	return hs[0]
}

// TestBadBlockFaults: each bad-block fault is observed by a raw client as
// an announced block on the tip that the light node's rules reject for the
// fault's reason, and the same block is served by getheaders and getdata.
func TestBadBlockFaults(t *testing.T) {
	cases := []struct {
		fault Fault
		check func(t *testing.T, n *Network, l *lightChain, h *wire.BlockHeader, b *wire.MsgBlock)
	}{
		{FaultForgedHeader, func(t *testing.T, n *Network, l *lightChain, h *wire.BlockHeader, _ *wire.MsgBlock) {
			// The header itself is valid: only the producer check catches it.
			if err := header.CheckContextual(h, l.height()+1, l, time.Now(), n.p); err != nil {
				t.Fatalf("forged header fails the header rules: %v", err)
			}
			if err := l.checkHeader(h); !errors.Is(err, errUnknownProducer) {
				t.Fatalf("forged header: %v; want unknown producer", err)
			}
		}},
		{FaultUnknownProducer, func(t *testing.T, n *Network, l *lightChain, h *wire.BlockHeader, _ *wire.MsgBlock) {
			if err := l.checkHeader(h); !errors.Is(err, errUnknownProducer) {
				t.Fatalf("%v; want unknown producer", err)
			}
			signed := false
			for i := range 8 {
				if header.VerifyProducerSignature(h, FluxnodeKey(1_000_000+i).PubKey().SerializeCompressed()) == nil {
					signed = true
				}
			}
			if !signed {
				t.Fatal("not validly signed by an unregistered test key")
			}
		}},
		{FaultBadSignature, func(t *testing.T, n *Network, l *lightChain, h *wire.BlockHeader, _ *wire.MsgBlock) {
			if _, ok := l.set.Lookup(h.Collateral); !ok || len(h.BlockSig) == 0 {
				t.Fatal("producer not registered or signature empty")
			}
			if err := l.checkHeader(h); header.CodeOf(err) != header.ErrBadPoNSignature {
				t.Fatalf("%v; want %s", err, header.ErrBadPoNSignature)
			}
		}},
		{FaultUnsigned, func(t *testing.T, n *Network, l *lightChain, h *wire.BlockHeader, _ *wire.MsgBlock) {
			if len(h.BlockSig) != 0 {
				t.Fatalf("signature of %d bytes", len(h.BlockSig))
			}
			if err := l.checkHeader(h); header.CodeOf(err) != header.ErrBadPoNSignature {
				t.Fatalf("%v; want %s", err, header.ErrBadPoNSignature)
			}
		}},
		{FaultWrongMerkleRoot, func(t *testing.T, n *Network, l *lightChain, h *wire.BlockHeader, b *wire.MsgBlock) {
			if err := l.checkHeader(h); err != nil {
				t.Fatalf("the header should be valid and signed: %v", err)
			}
			if err := l.accept(b); !errors.Is(err, tx.ErrMerkleMismatch) {
				t.Fatalf("block: %v; want %v", err, tx.ErrMerkleMismatch)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.fault.String(), func(t *testing.T) {
			n := startNet(t, Config{}, 50)
			n.Peer(0).SetFault(tc.fault)
			l := replay(t, n)
			_, tip := n.Tip()
			c := dial(t, n.Addrs()[0])
			c.handshake(true)
			h := announced(t, c)
			if h.PrevBlock != tip {
				t.Fatal("the bad block is not on the tip")
			}
			c.write(&wire.MsgGetHeaders{Locator: []chainhash.Hash{tip}})
			if hs := expect[*wire.MsgHeaders](c).Headers; len(hs) != 1 || hs[0].BlockHash() != h.BlockHash() {
				t.Fatalf("getheaders from the tip: %d headers, not the bad one", len(hs))
			}
			c.write(&wire.MsgGetData{InvList: []wire.InvVect{{Type: wire.InvTypeBlock, Hash: h.BlockHash()}}})
			b := expect[*wire.MsgBlock](c)
			if b.BlockHash() != h.BlockHash() {
				t.Fatal("getdata served another block")
			}
			tc.check(t, n, l, h, b)

			// Honest peers never show it.
			d := dial(t, n.Addrs()[1])
			d.handshake(true)
			d.write(&wire.MsgGetData{InvList: []wire.InvVect{{Type: wire.InvTypeBlock, Hash: h.BlockHash()}}})
			expect[*wire.MsgNotFound](d)
		})
	}
}

// TestEquivocatingPeerShowsTwoValidTips: successive answers carry two
// different blocks at the same height, both valid and by registered producers.
func TestEquivocatingPeerShowsTwoValidTips(t *testing.T) {
	n := startNet(t, Config{}, 50)
	n.Peer(2).SetFault(FaultEquivocate)
	l := replay(t, n)
	_, tip := n.Tip()
	c := dial(t, n.Addrs()[2])
	c.handshake(true)
	first := announced(t, c)
	c.write(&wire.MsgGetHeaders{Locator: []chainhash.Hash{tip}})
	second := expect[*wire.MsgHeaders](c).Headers[0]
	if first.BlockHash() == second.BlockHash() || first.PrevBlock != tip || second.PrevBlock != tip {
		t.Fatal("no two different blocks on the tip")
	}
	for _, h := range []*wire.BlockHeader{first, second} {
		if err := l.checkHeader(h); err != nil {
			t.Fatalf("equivocating block %s: %v", h.BlockHash(), err)
		}
		c.write(&wire.MsgGetData{InvList: []wire.InvVect{{Type: wire.InvTypeBlock, Hash: h.BlockHash()}}})
		if b := expect[*wire.MsgBlock](c); b.BlockHash() != h.BlockHash() {
			t.Fatal("getdata served another block")
		}
	}
}

// TestDifferentChainFault: the peer serves a longer chain from genesis
// whose producers are not in the network's snapshot.
func TestDifferentChainFault(t *testing.T) {
	n := startNet(t, Config{}, 200)
	n.Peer(1).SetFault(FaultDifferentChain)
	c := dial(t, n.Addrs()[1])
	if v := c.handshake(true); v.StartHeight != 201 {
		t.Fatalf("start height %d, want 201", v.StartHeight)
	}
	c.write(&wire.MsgGetHeaders{Locator: []chainhash.Hash{params.SimNet.GenesisHash}})
	hs := expect[*wire.MsgHeaders](c).Headers
	if len(hs) != 160 || hs[0].BlockHash() == hashAt(n, 1) {
		t.Fatal("the different chain is not different")
	}
	// Valid by the header rules, but by producers the anchor does not know.
	l := newLightChain(params.SimNet, n.Snapshot())
	if err := header.CheckContextual(hs[0], 1, l, time.Now(), n.p); err != nil {
		t.Fatal(err)
	}
	if err := l.checkHeader(hs[0]); !errors.Is(err, errUnknownProducer) {
		t.Fatalf("%v; want unknown producer", err)
	}
	// Its own snapshot validates the whole chain.
	alt, err := n.altChain()
	if err != nil {
		t.Fatal(err)
	}
	la := newLightChain(params.SimNet, alt.snapshot)
	for h := int32(1); h <= 201; h++ {
		if err := la.accept(alt.at(h).msg); err != nil {
			t.Fatalf("different chain block %d: %v", h, err)
		}
	}
}

// TestFramingFaults: oversized and malformed frames, and a stalling peer,
// as a raw client sees them.
func TestFramingFaults(t *testing.T) {
	n := startNet(t, Config{}, 5)
	t.Run("oversized", func(t *testing.T) {
		n.Peer(0).SetFault(FaultOversized)
		c := dial(t, n.Addrs()[0])
		c.handshake(false)
		c.write(&wire.MsgPing{Nonce: 1})
		if _, err := c.read(readTimeout); !errors.Is(err, wire.ErrPayloadTooLarge) {
			t.Fatalf("%v; want %v", err, wire.ErrPayloadTooLarge)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		n.Peer(1).SetFault(FaultMalformed)
		c := dial(t, n.Addrs()[1])
		c.handshake(false)
		for i, want := range []error{wire.ErrMalformedPayload, wire.ErrBadChecksum, wire.ErrBadMagic} {
			c.write(&wire.MsgPing{Nonce: uint64(i)})
			if _, err := c.read(readTimeout); !errors.Is(err, want) {
				t.Fatalf("message %d: %v; want %v", i, err, want)
			}
		}
	})
	t.Run("stall", func(t *testing.T) {
		n.Peer(2).SetFault(FaultStall)
		c := dial(t, n.Addrs()[2])
		c.write(&wire.MsgVersion{ProtocolVersion: int32(params.ProtocolVersionPoN)})
		var ne net.Error
		if _, err := c.read(300 * time.Millisecond); !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("%v; want a read timeout", err)
		}
		if n.Peer(2).Conns() != 1 {
			t.Fatal("the stalling peer dropped the connection")
		}
	})
}

// TestSetFaultAppliesToCurrentConnections: an honest connection turns
// faulty when the fault is set, and honest again when it is cleared.
func TestSetFaultAppliesToCurrentConnections(t *testing.T) {
	n := startNet(t, Config{}, 20)
	c := dial(t, n.Addrs()[0])
	c.handshake(true)
	c.sync(1)
	n.Peer(0).SetFault(FaultForgedHeader)
	h := announced(t, c)
	if _, ok := replay(t, n).set.Lookup(h.Collateral); ok {
		t.Fatal("the forged block's producer is registered")
	}
	n.Peer(0).SetFault(FaultNone)
	h = announced(t, c)
	if _, tip := n.Tip(); h.BlockHash() != tip {
		t.Fatal("after FaultNone the peer does not announce the honest tip")
	}
}
