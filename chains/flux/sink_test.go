package flux

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/fault"
)

// testReserveKey is the private key of testReserveRedeem's key i.
func testReserveKey(i int) *secp256k1.PrivateKey {
	d := sha256.Sum256([]byte(fmt.Sprintf("fluxbridge/flux/node_test/reserve/%d", i)))
	return secp256k1.PrivKeyFromBytes(d[:])
}

// signAll signs every digest of sub with the reserve keys who, as a relayer
// does: 65-byte recoverable signatures r ‖ s ‖ v.
func signAll(sub chains.Submission, who ...int) []chains.Signature {
	var out []chains.Signature
	for _, w := range who {
		for i, d := range sub.Digests {
			c := ecdsa.SignCompact(testReserveKey(w), d.Hash, true) // header ‖ r ‖ s
			sig := append(append([]byte(nil), c[1:]...), c[0]-27-4)
			out = append(out, chains.Signature{Signer: []byte{byte(w)}, Digest: i, Sig: sig})
		}
	}
	return out
}

// The reserve sink builds a release from the node's own view of the
// reserve, assembles it from recoverable signatures (refusing fewer than k),
// broadcasts it and sees it mined; a move pays everything final to the new
// set's script.
func TestReserveSinkReleasesAndMoves(t *testing.T) {
	h := newHarness(t, harnessOpts{blocks: 120, reserve: true})
	h.waitTip(30 * time.Second)
	for range 2 {
		if _, err := h.net.Pay(testLockOutputs(t, 30*tx.Coin, 1, [20]byte{0xaa})); err != nil {
			t.Fatal(err)
		}
		if err := h.net.Mine(1); err != nil {
			t.Fatal(err)
		}
	}
	h.waitTip(20 * time.Second)
	tip := uint64(h.node.ChainState().Tip().Height)
	snk, err := h.node.ReserveSink(testReserveRedeem())
	if err != nil {
		t.Fatal(err)
	}
	prefix := h.node.cfg.Params.PubKeyHashPrefix
	to := append(prefix[:], bytes.Repeat([]byte{7}, 20)...)
	rel := chains.ReserveSpend{Chain: 1, FromNonce: 0, ToNonce: 0, Payouts: []chains.Payout{{To: to, Amount: 10 * tx.Coin}},
		RefHeight: tip, Expiry: tip + 20, FeeRate: 10}
	ctx := context.Background()
	sub, err := snk.Build(ctx, chains.BuildRequest{Kind: chains.SubmitReserveSpend, Spend: &rel})
	if err != nil {
		t.Fatal(err)
	}
	if len(sub.Inputs) != 1 || len(sub.Digests) != 1 || sub.Threshold != 2 {
		t.Fatalf("submission %+v", sub)
	}
	again, err := snk.Build(ctx, chains.BuildRequest{Kind: chains.SubmitReserveSpend, Spend: &rel})
	if err != nil || !bytes.Equal(again.Payload, sub.Payload) || again.TxID != sub.TxID {
		t.Fatalf("built twice differently: %v", err)
	}
	if _, err := snk.Submit(ctx, chains.SubmitRequest{Submission: sub, Signatures: signAll(sub, 1)}); fault.KindOf(err) != fault.Rejected {
		t.Fatalf("one signature of two: %v, want Rejected", err)
	}
	st, err := snk.Submit(ctx, chains.SubmitRequest{Submission: sub, Signatures: signAll(sub, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := chainhash.FromDisplay(st.TxID)
	for deadline := time.Now().Add(10 * time.Second); !h.net.MempoolTx(id); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("release %s never reached the network's mempool", st.TxID)
		}
	}
	if err := h.net.Mine(1); err != nil {
		t.Fatal(err)
	}
	h.waitTip(20 * time.Second)
	if h.net.Confirmations(id) != 1 {
		t.Fatalf("release %s not mined", st.TxID)
	}
	height, _ := h.net.Tip()
	mined := h.net.BlockAt(height).Txs
	var paid bool
	for _, x := range mined {
		for _, o := range x.Outputs {
			if m, err := memo.FromScript(o.Script); err == nil && m.(memo.Release).ChainID == 1 {
				paid = true
			}
		}
	}
	if !paid {
		t.Fatal("no FLXR1 release in the block")
	}
	if s, err := snk.Status(ctx, chains.SubmitReserveSpend, st.TxID); err != nil || s.State != chains.StateIncluded {
		t.Fatalf("status %+v, %v", s, err)
	}

	// A move of everything final to a new 2-of-2 set.
	newRedeem, err := script.MultisigRedeemScript(2, [][]byte{testReserveKey(5).PubKey().SerializeCompressed(), testReserveKey(6).PubKey().SerializeCompressed()})
	if err != nil {
		t.Fatal(err)
	}
	tip = uint64(h.node.ChainState().Tip().Height)
	mv := chains.ReserveSpend{MoveTo: newRedeem, RefHeight: tip, Expiry: tip + 20, FeeRate: 10}
	sub, err = snk.Build(ctx, chains.BuildRequest{Kind: chains.SubmitReserveSpend, Spend: &mv})
	if err != nil {
		t.Fatal(err)
	}
	if len(sub.Inputs) != 2 { // the other lock and the release's change
		t.Fatalf("the move spends %d outputs, want 2", len(sub.Inputs))
	}
	mv.MoveTo = []byte{1, 2, 3}
	if _, err := snk.Build(ctx, chains.BuildRequest{Kind: chains.SubmitReserveSpend, Spend: &mv}); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("a move to a non-multisig script: %v, want Invalid", err)
	}
}
