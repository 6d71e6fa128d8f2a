package reserve

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed corpus in testdata/fuzz")

// FuzzUnmarshalProof checks that every accepted encoding re-encodes to
// exactly its input, that rejections are typed, and that Verify neither
// panics nor returns a txid other than the raw transaction's.
func FuzzUnmarshalProof(f *testing.F) {
	for _, s := range proofSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := UnmarshalProof(b)
		if err != nil {
			if !errors.Is(err, ErrProofEncoding) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		out, err := p.MarshalBinary()
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("re-encodes as %x, %v", out, err)
		}
		txid, err := p.Verify()
		var e *Error
		if err != nil && (!errors.As(err, &e) || e.Code == "") {
			t.Fatalf("untyped Verify error %v", err)
		}
		if err == nil {
			x, derr := tx.Decode(p.RawTx)
			if derr != nil || x.TxID() != txid {
				t.Fatalf("verified txid %s for a raw tx that decodes with %v", txid, derr)
			}
		}
	})
}

func proofSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	txs := []*tx.Tx{unsignedLock(1), unsignedLock(2), unsignedLock(3)}
	var out [][]byte
	for _, i := range []int{0, 2} {
		p, err := NewProof(header(txs), txidsOf(txs), i, txs[i].Bytes())
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, evidence(p))
	}
	out = append(out, evidence(&Proof{Header: []byte{1}, TxIndex: 1, TxCount: 2, Branch: []chainhash.Hash{{2}}, RawTx: []byte{3}}))
	return out
}

// fuzzReserveSel is the first byte of a FuzzScanBlock input in the seeds: an
// outpoint whose txid starts with it counts as a pre-existing reserve UTXO.
const fuzzReserveSel = 0x55

// maxFuzzTxs bounds the transactions one FuzzScanBlock input decodes to.
const maxFuzzTxs = 64

// FuzzScanBlock scans blocks made of arbitrary decodable transactions: the
// input is one selector byte (outpoints whose txid starts with it are reserve
// UTXOs) followed by concatenated transactions. ScanBlock must not panic,
// must fail only with typed errors, and must keep Created and Spent
// consistent, with proofs and events that check out.
func FuzzScanBlock(f *testing.F) {
	for _, s := range scanSeeds(f) {
		f.Add(s)
	}
	s := testScanner(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		sel := data[0]
		r := codec.NewReader(data[1:])
		var txs []*tx.Tx
		for r.Len() > 0 && len(txs) < maxFuzzTxs {
			x := new(tx.Tx)
			if x.Decode(r) != nil {
				break
			}
			txs = append(txs, x)
		}
		if len(txs) == 0 {
			return
		}
		isUTXO := func(op chainhash.OutPoint) bool { return op.Hash[0] == sel }
		h := header(txs)
		res, err := s.ScanBlock(testHeight, h, txs, isUTXO)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		checkInvariants(t, res, isUTXO)
		created := map[chainhash.OutPoint]bool{}
		for _, u := range res.Created {
			created[u.OutPoint] = true
		}
		for _, l := range res.Locks {
			if x := txs[l.Proof.TxIndex]; int(l.Vout) >= len(x.Outputs) || !s.IsReserveScript(x.Outputs[l.Vout].Script) {
				t.Fatalf("lock %s does not name a reserve output", l.ID())
			}
			ev := l.Event(chains.FluxL1, h.BlockHash(), time.Unix(0, 0))
			if _, err := UnmarshalProof(ev.Evidence); err != nil {
				t.Fatalf("lock evidence: %v", err)
			}
		}
		for _, sp := range res.Spends {
			if len(sp.Inputs) == 0 {
				t.Fatalf("spend %s spends no reserve output", sp.ID())
			}
			for _, u := range sp.Change {
				if created[u.OutPoint] {
					continue
				}
				// Change not in Created was spent later in the block.
				if !spentLater(res, sp.TxID, u.OutPoint) {
					t.Fatalf("change %s of %s neither created nor spent", u.OutPoint, sp.ID())
				}
			}
			ev := sp.Event(chains.FluxL1, h.BlockHash(), time.Unix(0, 0))
			if _, err := UnmarshalProof(ev.Evidence); err != nil {
				t.Fatalf("spend evidence: %v", err)
			}
		}
	})
}

func spentLater(res *BlockResult, after chainhash.Hash, op chainhash.OutPoint) bool {
	seen := false
	for _, sp := range res.Spends {
		if sp.TxID == after {
			seen = true
			continue
		}
		if !seen {
			continue
		}
		for _, in := range sp.Inputs {
			if in == op {
				return true
			}
		}
	}
	return false
}

func scanSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	utxo := chainhash.OutPoint{Hash: chainhash.Hash{fuzzReserveSel, 1}, Index: 0}
	concat := func(txs ...*tx.Tx) []byte {
		out := []byte{fuzzReserveSel}
		for _, x := range txs {
			out = append(out, x.Bytes()...)
		}
		return out
	}
	deposit := lockTx(tb, 1, 2*tx.Coin)
	lockOut := chainhash.OutPoint{Hash: deposit.TxID(), Index: 1}
	release := reserveSpend(tb, []chainhash.OutPoint{utxo}, 3*tx.Coin, toUser(tx.Coin), toReserve(2*tx.Coin-1000),
		memoOut(memo.Release{ChainID: chainEth, FromNonce: 0, ToNonce: 1}))
	refund := reserveSpend(tb, []chainhash.OutPoint{lockOut}, 2*tx.Coin, toUser(2*tx.Coin-1000),
		memoOut(memo.Refund{LockTxID: lockOut.Hash, Vout: 1}))
	return [][]byte{
		concat(coinbase(testHeight), deposit, release),
		concat(deposit, refund),
		concat(userPayment(tb, 2, toReserve(tx.Coin), toReserve(tx.Coin)), userPayment(tb, 3, toUser(1))),
	}
}

// TestWriteFuzzSeeds writes the seed corpus with -update; without it, it
// checks the committed corpus is the one the seeds produce.
func TestWriteFuzzSeeds(t *testing.T) {
	for name, seeds := range map[string][][]byte{"FuzzUnmarshalProof": proofSeeds(t), "FuzzScanBlock": scanSeeds(t)} {
		dir := filepath.Join("testdata", "fuzz", name)
		for i, s := range seeds {
			path := filepath.Join(dir, fmt.Sprintf("seed-%d", i))
			want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
			if *update {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != want {
				t.Errorf("%s is stale or missing (%v); run go test -run TestWriteFuzzSeeds -update", path, err)
			}
		}
	}
}
