package spv_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// outcome is what a batch did: the count, the error, the tip in memory and
// in the store.
type outcome struct {
	connected int
	err       string
	tip       int32
	stored    int32
}

func (o outcome) String() string {
	return fmt.Sprintf("connected %d, tip %d, stored %d, err %q", o.connected, o.tip, o.stored, o.err)
}

// runBatch gives bs to a fresh node synced to base with b's headers from..to,
// through ProcessBlocks or, with checked, through CheckBlock (all checks run
// concurrently, before the batch connects) and ProcessCheckedBlocks.
func runBatch(t *testing.T, w *world, base, b *branch, from, to int32, bs []*wire.MsgBlock, checked bool) (outcome, error) {
	t.Helper()
	n := w.openNode("")
	n.mustSync(base)
	if err := n.headers(b, from, to); err != nil {
		t.Fatal(err)
	}
	var got int
	var err error
	if checked {
		cbs := make([]*spv.CheckedBlock, len(bs))
		var wg sync.WaitGroup
		for i, m := range bs {
			wg.Go(func() { cbs[i] = n.chain.CheckBlock(m) })
		}
		wg.Wait()
		got, err = n.chain.ProcessCheckedBlocks(cbs)
	} else {
		got, err = n.chain.ProcessBlocks(bs)
	}
	o := outcome{connected: got, tip: n.chain.Tip().Height}
	if err != nil {
		o.err = err.Error()
	}
	st, _, serr := n.db.State()
	if serr != nil {
		t.Fatal(serr)
	}
	o.stored = st.TipHeight
	return o, err
}

// A batch whose k-th block has a bad signature (or an unknown producer, or a
// bad body) is refused by ProcessCheckedBlocks exactly as by ProcessBlocks:
// the same error for the same block, the k blocks before it connected and
// stored, nothing after it.
func TestCheckedBatchRefusesTheKthBlockAsBefore(t *testing.T) {
	w := newWorld(t, 3)
	base := w.genesis()
	w.grow(base, 10, 0)
	stranger := newProducer("stranger")
	const size = 5
	honest := base.fork(10)
	w.grow(honest, size, 0) // 11..15
	bads := []struct {
		name  string
		spoil func(m *wire.MsgBlock)
		want  error
	}{
		{"signature by another key", func(m *wire.MsgBlock) { m.Header.BlockSig = signWith(stranger, &m.Header) }, spv.ErrBadSignature},
		{"no signature", func(m *wire.MsgBlock) { m.Header.BlockSig = nil }, spv.ErrBadSignature},
		{"signature with a flipped bit", func(m *wire.MsgBlock) {
			m.Header.BlockSig = append([]byte(nil), m.Header.BlockSig...)
			m.Header.BlockSig[len(m.Header.BlockSig)/2] ^= 1
		}, spv.ErrBadSignature},
		{"merkle root", func(m *wire.MsgBlock) {
			m.Txs = append([]*tx.Tx(nil), m.Txs...)
			m.Txs[0] = coinbase(99, 99)
		}, spv.ErrBadMerkleRoot},
	}
	for _, bad := range bads {
		for k := range size {
			t.Run(fmt.Sprintf("%s at %d", bad.name, k), func(t *testing.T) {
				bs := honest.msgs(11, 10+size)
				m := *bs[k]
				bad.spoil(&m)
				bs[k] = &m
				plain, perr := runBatch(t, w, base, honest, 11, 10+size, bs, false)
				checked, cerr := runBatch(t, w, base, honest, 11, 10+size, bs, true)
				if plain != checked {
					t.Fatalf("ProcessCheckedBlocks: %v\nProcessBlocks:        %v", checked, plain)
				}
				var be *spv.BlockError
				if !errors.As(cerr, &be) || !errors.Is(cerr, bad.want) || !errors.Is(perr, bad.want) {
					t.Fatalf("errors %v / %v, want %v", cerr, perr, bad.want)
				}
				if be.Hash != honest.hash(int32(11+k)) || checked.connected != k || checked.tip != int32(10+k) || checked.stored != int32(10+k) {
					t.Fatalf("%v naming %s; want the block at %d refused after %d connected", checked, be.Hash, 11+k, k)
				}
			})
		}
	}
}

// Blocks checked before the batch's earlier blocks changed the fluxnode set
// are verified again against the set at their height: a producer registered
// within the batch signs the next block, and a producer whose collateral is
// spent within the batch is refused, both as ProcessBlocks does.
func TestCheckedBatchFollowsSetChangesWithinIt(t *testing.T) {
	t.Run("registered within the batch", func(t *testing.T) {
		w := newWorld(t, 3)
		b := w.genesis()
		w.grow(b, 5, 0)
		nn := newProducer("newcomer")
		sigTime := uint32(testNow.Unix())
		w.extend(b, blockOpts{txs: []*tx.Tx{fluxnode.NewStartTx(simnet, 5, nn.collateral, nn.pub, nn.pub, sigTime)}})
		w.extend(b, blockOpts{txs: []*tx.Tx{fluxnode.NewConfirmTx(nn.collateral, sigTime, 0, "10.1.1.1")}})
		w.extend(b, blockOpts{producer: &nn}) // 8
		w.grow(b, 2, 0)
		base := b.fork(1)
		plain, perr := runBatch(t, w, base, b, 2, b.tip(), b.msgs(2, b.tip()), false)
		checked, cerr := runBatch(t, w, base, b, 2, b.tip(), b.msgs(2, b.tip()), true)
		if perr != nil || cerr != nil || plain != checked || checked.tip != b.tip() {
			t.Fatalf("ProcessCheckedBlocks: %v (%v)\nProcessBlocks:        %v (%v)", checked, cerr, plain, perr)
		}
	})
	t.Run("spent within the batch", func(t *testing.T) {
		w := newWorld(t, 3)
		b := w.genesis()
		w.grow(b, 5, 0)
		victim := w.producers[0]
		w.extend(b, blockOpts{producer: &w.producers[1], txs: []*tx.Tx{spendTx(victim.collateral)}}) // 6
		w.extend(b, blockOpts{producer: &victim})                                                    // 7
		base := b.fork(1)
		plain, perr := runBatch(t, w, base, b, 2, 7, b.msgs(2, 7), false)
		checked, cerr := runBatch(t, w, base, b, 2, 7, b.msgs(2, 7), true)
		if plain != checked || !errors.Is(cerr, spv.ErrUnknownProducer) || !errors.Is(perr, spv.ErrUnknownProducer) || checked.connected != 5 {
			t.Fatalf("ProcessCheckedBlocks: %v (%v)\nProcessBlocks:        %v (%v)", checked, cerr, plain, perr)
		}
	})
}
