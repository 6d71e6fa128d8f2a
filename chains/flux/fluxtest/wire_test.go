package fluxtest

import (
	"bufio"
	"context"
	"net"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// readTimeout bounds every read of the raw test client.
const readTimeout = 10 * time.Second

// client is a raw wire client: net.Dial plus wire.WriteMessage/ReadMessage.
type client struct {
	t     *testing.T
	c     net.Conn
	r     *bufio.Reader
	magic [4]byte
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &client{t: t, c: c, r: bufio.NewReader(c), magic: params.SimNet.Magic}
}

func (c *client) write(m wire.Message) {
	c.t.Helper()
	if _, err := wire.WriteMessage(c.c, c.magic, m); err != nil {
		c.t.Fatal(err)
	}
}

// read returns the next message or the read error.
func (c *client) read(timeout time.Duration) (wire.Message, error) {
	_ = c.c.SetReadDeadline(time.Now().Add(timeout))
	return wire.ReadMessage(c.r, c.magic)
}

// next returns the next message, failing the test on an error.
func (c *client) next() wire.Message {
	c.t.Helper()
	m, err := c.read(readTimeout)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return m
}

func expect[T wire.Message](c *client) T {
	c.t.Helper()
	m := c.next()
	v, ok := m.(T)
	if !ok {
		c.t.Fatalf("got %s (%T), want %T", m.Command(), m, v)
	}
	return v
}

// handshake exchanges version and verack as the light client does.
func (c *client) handshake(sendHeaders bool) *wire.MsgVersion {
	c.t.Helper()
	c.write(&wire.MsgVersion{ProtocolVersion: int32(params.ProtocolVersionPoN), Timestamp: time.Now().Unix(), Nonce: 42, UserAgent: "/test/"})
	v := expect[*wire.MsgVersion](c)
	expect[*wire.MsgVerAck](c)
	if sendHeaders {
		// Before verack, so that the announcement a faulty peer makes on
		// verack already knows the client wants headers.
		c.write(&wire.MsgSendHeaders{})
	}
	c.write(&wire.MsgVerAck{})
	return v
}

// sync waits until the peer has handled everything sent so far: a ping is
// answered in order.
func (c *client) sync(nonce uint64) {
	c.t.Helper()
	c.write(&wire.MsgPing{Nonce: nonce})
	if p := expect[*wire.MsgPong](c); p.Nonce != nonce {
		c.t.Fatalf("pong %d, want %d", p.Nonce, nonce)
	}
}

// startNet returns a started network with blocks mined.
func startNet(t *testing.T, cfg Config, blocks int) *Network {
	t.Helper()
	n := newNet(t, cfg, blocks)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return n
}

func hashAt(n *Network, h int32) chainhash.Hash { return n.HeaderAt(h).BlockHash() }

// TestWireClientSyncsHeadersAndBlocks: a raw client does the handshake,
// pings, gets 160 linked headers from genesis, a block by getdata, notfound
// for unknown objects, and an announcement of a new block.
func TestWireClientSyncsHeadersAndBlocks(t *testing.T) {
	n := startNet(t, Config{}, 400)
	c := dial(t, n.Addrs()[0])
	v := c.handshake(true)
	if v.ProtocolVersion != int32(params.ProtocolVersionPoN) || v.Services != wire.NodeNetwork || v.StartHeight != 400 || !v.Relay {
		t.Fatalf("version %+v", v)
	}
	c.sync(7)

	c.write(&wire.MsgGetHeaders{Locator: []chainhash.Hash{params.SimNet.GenesisHash}})
	hs := expect[*wire.MsgHeaders](c).Headers
	if len(hs) != wire.MaxHeadersPerMessage {
		t.Fatalf("%d headers from genesis, want 160", len(hs))
	}
	prev := params.SimNet.GenesisHash
	for i, h := range hs {
		if h.PrevBlock != prev || h.BlockHash() != hashAt(n, int32(i+1)) {
			t.Fatalf("header %d does not link or is not block %d", i, i+1)
		}
		prev = h.BlockHash()
	}

	t.Run("locator in the middle, hash stop, unknown locator", func(t *testing.T) {
		for _, tc := range []struct {
			locator   []chainhash.Hash
			stop      chainhash.Hash
			first, nb int32
		}{
			{[]chainhash.Hash{hashAt(n, 395), hashAt(n, 390), params.SimNet.GenesisHash}, chainhash.Hash{}, 396, 5},
			{[]chainhash.Hash{params.SimNet.GenesisHash}, hashAt(n, 10), 1, 10},
			{[]chainhash.Hash{{1, 2, 3}}, chainhash.Hash{}, 1, 160},
			{[]chainhash.Hash{hashAt(n, 400)}, chainhash.Hash{}, 401, 0},
			{nil, hashAt(n, 33), 33, 1},
		} {
			c.write(&wire.MsgGetHeaders{Locator: tc.locator, HashStop: tc.stop})
			hs := expect[*wire.MsgHeaders](c).Headers
			if int32(len(hs)) != tc.nb || (tc.nb > 0 && hs[0].BlockHash() != hashAt(n, tc.first)) {
				t.Errorf("locator %v stop %v: %d headers", tc.locator, tc.stop, len(hs))
			}
		}
	})

	c.write(&wire.MsgGetData{InvList: []wire.InvVect{
		{Type: wire.InvTypeBlock, Hash: hashAt(n, 7)},
		{Type: wire.InvTypeBlock, Hash: chainhash.Hash{9}},
		{Type: wire.InvTypeTx, Hash: chainhash.Hash{8}},
	}})
	blk := expect[*wire.MsgBlock](c)
	if blk.BlockHash() != hashAt(n, 7) || len(blk.Txs) != len(n.BlockAt(7).Txs) {
		t.Fatalf("block %s with %d txs", blk.BlockHash(), len(blk.Txs))
	}
	if nf := expect[*wire.MsgNotFound](c); len(nf.InvList) != 2 {
		t.Fatalf("notfound %+v", nf.InvList)
	}

	if err := n.Mine(1); err != nil {
		t.Fatal(err)
	}
	ann := expect[*wire.MsgHeaders](c)
	if len(ann.Headers) != 1 || ann.Headers[0].BlockHash() != hashAt(n, 401) {
		t.Fatalf("announcement of block 401: %d headers", len(ann.Headers))
	}

	c.write(&wire.MsgGetAddr{})
	if a := expect[*wire.MsgAddr](c); len(a.AddrList) != 3 {
		t.Fatalf("addr with %d entries", len(a.AddrList))
	}
}

// TestWireTransactions: a tx message enters the mempool and is served by
// getdata; an invalid one is answered with reject carrying its code and hash.
func TestWireTransactions(t *testing.T) {
	n := startNet(t, Config{}, 110)
	c := dial(t, n.Addrs()[1])
	c.handshake(false)
	good, err := n.BuildPayment(3 * 100_000_000)
	if err != nil {
		t.Fatal(err)
	}
	c.write(&wire.MsgTx{Tx: good})
	c.sync(1)
	if !n.MempoolTx(good.TxID()) {
		t.Fatal("a valid tx message did not reach the mempool")
	}
	c.write(&wire.MsgGetData{InvList: []wire.InvVect{{Type: wire.InvTypeTx, Hash: good.TxID()}}})
	if got := expect[*wire.MsgTx](c); got.Tx.TxID() != good.TxID() {
		t.Fatal("getdata tx returned another transaction")
	}
	c.write(&wire.MsgTx{Tx: good})
	rj := expect[*wire.MsgReject](c)
	if rj.Message != wire.CmdTx || rj.Code != wire.RejectDuplicate || rj.Hash != good.TxID() || rj.Reason != "txn-already-in-mempool" {
		t.Fatalf("reject %+v", rj)
	}
	// Without sendheaders, a new block is announced by inv.
	if err := n.Mine(1); err != nil {
		t.Fatal(err)
	}
	inv := expect[*wire.MsgInv](c)
	if len(inv.InvList) != 1 || inv.InvList[0].Type != wire.InvTypeBlock || inv.InvList[0].Hash != hashAt(n, 111) {
		t.Fatalf("inv %+v", inv.InvList)
	}
	if n.Confirmations(good.TxID()) != 1 {
		t.Fatal("the relayed tx was not mined")
	}
}

// TestOldProtocolIsRejected: a client below 170020 gets reject and is disconnected.
func TestOldProtocolIsRejected(t *testing.T) {
	n := startNet(t, Config{}, 1)
	c := dial(t, n.Addrs()[0])
	c.write(&wire.MsgVersion{ProtocolVersion: 170019})
	if rj := expect[*wire.MsgReject](c); rj.Message != wire.CmdVersion || rj.Code != wire.RejectObsolete {
		t.Fatalf("reject %+v", rj)
	}
	if _, err := c.read(readTimeout); err == nil {
		t.Fatal("connection still open")
	}
}

// TestBackgroundProduction: with a BlockInterval the network mines on its
// own and announces every block; Close stops it.
func TestBackgroundProduction(t *testing.T) {
	n := startNet(t, Config{BlockInterval: 5 * time.Millisecond, Peers: 1}, 0)
	c := dial(t, n.Addrs()[0])
	c.handshake(true)
	var last int32
	for last < 3 {
		h := announced(t, c)
		b := n.chainBlock(h.BlockHash())
		if b == nil || b.height <= last {
			t.Fatalf("announced %s, not a new block of the chain", h.BlockHash())
		}
		last = b.height
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	h1, _ := n.Tip()
	if err := n.Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.read(readTimeout); err == nil {
		t.Fatal("connection open after Close")
	}
	if h2, _ := n.Tip(); h2 != h1 {
		t.Fatalf("production went on after Close: %d, then %d", h1, h2)
	}
}
