package fluxtest

import (
	"math"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// TestSameCallsMineTheSameChain: two networks built from the same Config and
// given the same calls hold the same blocks, so a second network can repeat
// a first one's history and then mine a private branch from it.
func TestSameCallsMineTheSameChain(t *testing.T) {
	a := newNet(t, Config{}, 150)
	b := newNet(t, Config{Peers: 1}, 150)
	for _, n := range []*Network{a, b} {
		if _, err := n.Pay([]tx.TxOut{{Value: 7 * tx.Coin, Script: PayeeScript()}}); err != nil {
			t.Fatal(err)
		}
		if err := n.Mine(60); err != nil { // past the first fluxnode registration at 200
			t.Fatal(err)
		}
	}
	ha, _ := a.Tip()
	hb, _ := b.Tip()
	if ha != hb {
		t.Fatalf("tips at %d and %d", ha, hb)
	}
	for h := int32(0); h <= ha; h++ {
		if hashAt(a, h) != hashAt(b, h) {
			t.Fatalf("the chains differ at height %d", h)
		}
	}
	// One more payment on b only: the branches part.
	if _, err := b.Pay([]tx.TxOut{{Value: tx.Coin, Script: PayeeScript()}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Mine(1); err != nil {
		t.Fatal(err)
	}
	if err := b.Mine(1); err != nil {
		t.Fatal(err)
	}
	if hashAt(a, ha+1) == hashAt(b, ha+1) {
		t.Fatal("different calls mined the same block")
	}
}

// TestAbsurdHeightFault: the peer claims height 2^31-1 in its version message
// and leaves getheaders unanswered, but answers pings and getdata and
// announces the honest tip.
func TestAbsurdHeightFault(t *testing.T) {
	n := startNet(t, Config{}, 20)
	n.Peer(0).SetFault(FaultAbsurdHeight)
	c := dial(t, n.Addrs()[0])
	if v := c.handshake(true); v.StartHeight != math.MaxInt32 {
		t.Fatalf("start height %d, want 2^31-1", v.StartHeight)
	}
	c.write(&wire.MsgGetHeaders{Locator: []chainhash.Hash{params.SimNet.GenesisHash}})
	c.sync(1) // the pong comes first: nothing answered the getheaders
	c.write(&wire.MsgGetData{InvList: []wire.InvVect{{Type: wire.InvTypeBlock, Hash: hashAt(n, 5)}}})
	if b := expect[*wire.MsgBlock](c); b.Header.BlockHash() != hashAt(n, 5) {
		t.Fatal("getdata served another block")
	}
	if err := n.Mine(1); err != nil {
		t.Fatal(err)
	}
	if h := announced(t, c); h.BlockHash() != hashAt(n, 21) {
		t.Fatal("the peer does not announce the honest tip")
	}
	if m, err := c.read(200 * time.Millisecond); err == nil {
		t.Fatalf("unexpected %s: the getheaders was answered late", m.Command())
	}
}

// TestAnnounceWithInv: with Config.AnnounceWithInv a client that sent
// sendheaders still gets new tips announced by inv.
func TestAnnounceWithInv(t *testing.T) {
	n := startNet(t, Config{AnnounceWithInv: true}, 20)
	c := dial(t, n.Addrs()[0])
	c.handshake(true)
	c.sync(1)
	if err := n.Mine(1); err != nil {
		t.Fatal(err)
	}
	inv := expect[*wire.MsgInv](c)
	if len(inv.InvList) != 1 || inv.InvList[0].Type != wire.InvTypeBlock || inv.InvList[0].Hash != hashAt(n, 21) {
		t.Fatalf("inv %+v, want the new tip", inv.InvList)
	}
}
