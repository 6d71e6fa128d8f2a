package fluxtest

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// FuzzSubmitTx: whatever transaction bytes decode to, SubmitTx never panics,
// refuses with a *RejectError, or accepts only a transaction whose every
// input spends an unspent output, verifies, and covers the outputs. The
// network is the deterministic 320-block chain the seeds were taken from.
func FuzzSubmitTx(f *testing.F) {
	n, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	if err := n.Mine(320); err != nil {
		f.Fatal(err)
	}
	h, _ := n.Tip()
	branch := n.p.BranchID(h + 1)
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := tx.Decode(b)
		if err != nil {
			return
		}
		var prevs []tx.PrevOut
		var in, out int64
		for _, i := range x.Inputs {
			o, ok := n.UTXO(i.PrevOut)
			prevs = append(prevs, tx.PrevOut{Script: o.Script, Value: o.Value})
			if ok {
				in += o.Value
			}
		}
		for _, o := range x.Outputs {
			out += o.Value
		}
		err = n.SubmitTx(x)
		var re *RejectError
		switch {
		case err == nil:
			if verr := x.VerifyInputs(prevs, branch); verr != nil || in < out {
				t.Fatalf("accepted an invalid transaction: %v (in %d, out %d)", verr, in, out)
			}
		case !errors.As(err, &re) || re.TxID != x.TxID():
			t.Fatalf("refusal is not a RejectError for the tx: %v", err)
		}
	})
}

// FuzzPeerMessages: a client sending arbitrary bytes never crashes or hangs
// a SimPeer connection; the connection ends when the client closes.
func FuzzPeerMessages(f *testing.F) {
	n, err := New(Config{Peers: 1})
	if err != nil {
		f.Fatal(err)
	}
	if err := n.Mine(10); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		server, cl := net.Pipe()
		c := &conn{p: n.peers[0], nc: server, announce: make(chan struct{}, 1), done: make(chan struct{})}
		drained := make(chan struct{})
		go func() { // drains the server's answers until the pipe closes
			defer close(drained)
			_, _ = io.Copy(io.Discard, cl)
		}()
		go func() { // the client: the fuzz input, then hang up
			_, _ = cl.Write(b)
			_ = cl.Close()
		}()
		c.readLoop(context.Background())
		c.close()
		<-drained
	})
}
