package spv_test

import (
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

func TestBadBlocksAreRejected(t *testing.T) {
	w := newWorld(t, 3)
	base := w.genesis()
	w.grow(base, 10, 0)
	stranger := newProducer("stranger")
	x1 := spendTx(chainhash.OutPoint{Hash: hashOf("x1"), Index: 0})
	x2 := spendTx(chainhash.OutPoint{Hash: hashOf("x2"), Index: 0})

	honest := base.fork(10)
	w.grow(honest, 1, 0)
	w.extend(honest, blockOpts{txs: []*tx.Tx{x1, x2}})
	w.grow(honest, 1, 0)

	variant := func(f func(m *wire.MsgBlock)) func() (*branch, *wire.MsgBlock) {
		return func() (*branch, *wire.MsgBlock) {
			m := *honest.at(12)
			m.Txs = append([]*tx.Tx(nil), m.Txs...)
			f(&m)
			return honest, &m
		}
	}
	tests := []struct {
		name string
		// build returns the branch whose headers are announced and the block
		// sent at height 12 in place of the branch's own.
		build func() (*branch, *wire.MsgBlock)
		want  error
		// remembered: the header itself is invalid and is refused from now on;
		// otherwise only the body was bad and the honest block still connects.
		remembered bool
	}{
		{"a producer missing from the fluxnode set is refused", func() (*branch, *wire.MsgBlock) {
			b := honest.fork(11)
			w.extend(b, blockOpts{producer: &stranger, txs: []*tx.Tx{x1, x2}})
			w.grow(b, 1, 0)
			return b, b.at(12)
		}, spv.ErrUnknownProducer, true},
		{"a signature by another key is refused", variant(func(m *wire.MsgBlock) {
			m.Header.BlockSig = signWith(stranger, &m.Header)
		}), spv.ErrBadSignature, false},
		{"an unsigned block is refused", variant(func(m *wire.MsgBlock) {
			m.Header.BlockSig = nil
		}), spv.ErrBadSignature, false},
		{"a body whose merkle root differs is refused", variant(func(m *wire.MsgBlock) {
			m.Txs[0] = coinbase(12, 99)
		}), spv.ErrBadMerkleRoot, false},
		{"a mutated transaction list is refused", variant(func(m *wire.MsgBlock) {
			m.Txs = append(m.Txs, m.Txs[len(m.Txs)-1])
		}), spv.ErrMutatedMerkle, false},
		{"a block without transactions is refused", variant(func(m *wire.MsgBlock) {
			m.Txs = nil
		}), spv.ErrNoTransactions, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, bad := tc.build()
			n := w.openNode("")
			n.mustSync(base)
			if err := n.headers(b, 11, 13); err != nil {
				t.Fatal(err)
			}
			got, err := n.chain.ProcessBlocks([]*wire.MsgBlock{b.at(11), bad, b.at(13)})
			var be *spv.BlockError
			if !errors.As(err, &be) || !errors.Is(err, tc.want) {
				t.Fatalf("ProcessBlocks: %v, want a *BlockError for %v", err, tc.want)
			}
			if be.Hash != b.hash(12) || be.Height != 12 || got != 1 {
				t.Fatalf("BlockError names %s at %d after %d connected; want %s at 12 after 1", be.Hash, be.Height, got, b.hash(12))
			}
			if tip := n.chain.Tip(); tip.Hash != b.hash(11) {
				t.Fatalf("tip %d", tip.Height)
			}
			if best := n.chain.BestHeader(); best.Hash != b.hash(11) {
				t.Fatalf("best header did not fall back: %d", best.Height)
			}
			if want := n.chain.WantBlocks(5); len(want) != 0 {
				t.Fatalf("still wants %d blocks of the bad branch", len(want))
			}
			if st, _, _ := n.db.State(); st.TipHash != b.hash(11) {
				t.Fatalf("stored tip %d", st.TipHeight)
			}
			if _, _, ok := n.chain.HeaderByHash(b.hash(13)); ok {
				t.Fatal("the bad block's descendant is still known")
			}
			_, err = n.chain.ProcessHeaders(b.headers(12, 13))
			if tc.remembered {
				if !errors.Is(err, spv.ErrKnownInvalid) {
					t.Fatalf("re-announcing an invalid header: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("the header of a block with a bad body was condemned: %v", err)
			}
			n.mustSync(b)
		})
	}
}

func signWith(p producer, h *wire.BlockHeader) []byte {
	hash := h.BlockHash()
	return ecdsaSign(p, hash)
}

// TestProducerRegisteredInBlockCanSignNext: a START and CONFIRM in block h
// make the new fluxnode a producer of block h+1, within one batch (the
// speculative check used the set at the batch's start and must be redone).
func TestProducerRegisteredInBlockCanSignNext(t *testing.T) {
	w := newWorld(t, 3)
	b := w.genesis()
	w.grow(b, 5, 0)
	nn := newProducer("newcomer")
	sigTime := uint32(testNow.Unix())
	w.extend(b, blockOpts{txs: []*tx.Tx{
		fluxnode.NewStartTx(simnet, 5, nn.collateral, nn.pub, nn.pub, sigTime),
	}})
	w.extend(b, blockOpts{txs: []*tx.Tx{fluxnode.NewConfirmTx(nn.collateral, sigTime, 0, "10.1.1.1")}})
	w.extend(b, blockOpts{producer: &nn}) // 8
	w.grow(b, 2, 0)
	n := w.openNode("")
	n.mustSync(b)
	e, ok := lookup(n.chain, nn.collateral)
	if !ok || string(e.PubKey) != string(nn.pub) {
		t.Fatalf("newcomer entry %+v, %v", e, ok)
	}
}

// TestSpentCollateralCannotSign: a block spending a fluxnode's collateral
// removes it, so the next block it signs has an unknown producer.
func TestSpentCollateralCannotSign(t *testing.T) {
	w := newWorld(t, 3)
	b := w.genesis()
	w.grow(b, 5, 0)
	victim := w.producers[0]
	w.extend(b, blockOpts{producer: &w.producers[1], txs: []*tx.Tx{spendTx(victim.collateral)}}) // 6
	w.extend(b, blockOpts{producer: &victim})                                                    // 7
	n := w.openNode("")
	if err := n.headers(b, 1, 7); err != nil {
		t.Fatal(err)
	}
	got, err := n.chain.ProcessBlocks(b.msgs(1, 7))
	if !errors.Is(err, spv.ErrUnknownProducer) || got != 6 {
		t.Fatalf("ProcessBlocks = %d, %v; want 6 and %v", got, err, spv.ErrUnknownProducer)
	}
	if _, ok := lookup(n.chain, victim.collateral); ok {
		t.Fatal("the spent collateral is still in the set")
	}
}

func TestEmergencyBlockNeedsTwoKeys(t *testing.T) {
	// SimNet's emergency keys are SHA256("fluxbridge/simnet/emergency-key/<i>").
	w := newWorld(t, 2)
	b := w.genesis()
	w.grow(b, 3, 0)
	n := w.openNode("")
	n.mustSync(b)
	em := emergencyProducer()
	w.extend(b, blockOpts{producer: &em, unsigned: true})
	m := b.at(4)
	m.Header.BlockSig = emergencySigs(t, &m.Header, 0, 2)
	n.mustSync(b)

	c := b.fork(3)
	w.extend(c, blockOpts{producer: &em, unsigned: true, tag: 5})
	c.at(4).Header.BlockSig = emergencySigs(t, &c.at(4).Header, 1)
	m2 := w.openNode("")
	m2.mustSync(b.fork(3))
	if _, err := m2.chain.ProcessHeaders(c.headers(4, 4)); header.CodeOf(err) != header.ErrBadEmergencySigCount {
		t.Fatalf("one emergency signature: %v", err)
	}
}
