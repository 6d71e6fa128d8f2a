package fluxtest

import (
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// lightChain replays blocks as the light node does: header rules, the
// producer's signature against the fluxnode set at height-1, the merkle
// root, transaction sanity, and the set's own transition.
type lightChain struct {
	p     *params.Params
	infos []header.Info
	set   *fluxnode.Set
}

func newLightChain(p *params.Params, snap *fluxnode.Snapshot) *lightChain {
	g := p.GenesisHeader()
	return &lightChain{
		p:     p,
		infos: []header.Info{{Height: 0, Time: g.Time, Bits: g.Bits, Hash: g.BlockHash(), Version: g.Version}},
		set:   fluxnode.NewSetFromSnapshot(p, snap),
	}
}

func (l *lightChain) Info(h int32) (header.Info, bool) {
	if h < 0 || int(h) >= len(l.infos) {
		return header.Info{}, false
	}
	return l.infos[h], true
}

func (l *lightChain) height() int32 { return int32(len(l.infos) - 1) }

// checkHeader applies the header rules and the producer check to the next header.
func (l *lightChain) checkHeader(h *wire.BlockHeader) error {
	height := l.height() + 1
	if err := header.CheckContextFree(h, l.p); err != nil {
		return err
	}
	if err := header.CheckContextual(h, height, l, time.Now(), l.p); err != nil {
		return err
	}
	e, ok := l.set.Lookup(h.Collateral)
	if !ok {
		return errUnknownProducer
	}
	return header.VerifyProducerSignatureFor(h, e.PubKey, l.p)
}

// accept validates block b at the next height and connects it.
func (l *lightChain) accept(b *wire.MsgBlock) error {
	if err := l.checkHeader(&b.Header); err != nil {
		return err
	}
	ids := make([]chainhash.Hash, len(b.Txs))
	for i, t := range b.Txs {
		if err := t.CheckSanity(); err != nil {
			return err
		}
		ids[i] = t.TxID()
	}
	if len(b.Txs) == 0 || !b.Txs[0].IsCoinBase() {
		return errNoCoinbase
	}
	if err := tx.VerifyMerkleRoot(ids, b.Header.MerkleRoot); err != nil {
		return err
	}
	height := l.height() + 1
	u, err := l.set.ApplyBlock(height, b.Txs)
	if err != nil {
		return err
	}
	if len(u.Skipped) > 0 {
		return errSkipped
	}
	hdr := b.Header
	l.infos = append(l.infos, header.Info{Height: height, Time: hdr.Time, Bits: hdr.Bits, Hash: hdr.BlockHash(), Version: hdr.Version})
	return nil
}

type testErr string

func (e testErr) Error() string { return string(e) }

const (
	errUnknownProducer = testErr("producer not in the fluxnode set")
	errNoCoinbase      = testErr("first transaction is not a coinbase")
	errSkipped         = testErr("the fluxnode set skipped a transaction")
)

// newNet returns a network with blocks mined, closed at the end of the test.
func newNet(t testing.TB, cfg Config, blocks int) *Network {
	t.Helper()
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Close() })
	if err := n.Mine(blocks); err != nil {
		t.Fatal(err)
	}
	return n
}

// tipOf returns the fork-choice view of the active chain's tip.
func tipOf(n *Network) header.Tip {
	h, _ := n.Tip()
	hdr := n.HeaderAt(h)
	work := header.BlockWork(0, 0)
	for i := int32(0); i <= h; i++ {
		x := n.HeaderAt(i)
		work.Add(work, header.BlockWork(x.Version, x.Bits))
	}
	return header.Tip{Height: h, Work: work, PoN: hdr.IsPoN(), PoNHash: header.HeaderPoNHash(hdr, n.p)}
}
