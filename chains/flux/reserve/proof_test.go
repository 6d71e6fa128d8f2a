package reserve

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// unsignedLock is a distinct lock transaction (the scanner checks no
// signatures), seq making it unique.
func unsignedLock(seq int) *tx.Tx {
	x := tx.NewV4(0, 0)
	x.Inputs = []tx.TxIn{{PrevOut: chainhash.OutPoint{Hash: chainhash.Hash{0xee, byte(seq), byte(seq >> 8)}}, Sequence: 0xffffffff}}
	x.Outputs = []tx.TxOut{toReserve(tx.Coin + int64(seq)), memoOut(lockMemo(chainEth))}
	return x
}

func txidsOf(txs []*tx.Tx) []chainhash.Hash {
	ids := make([]chainhash.Hash, len(txs))
	for i, x := range txs {
		ids[i] = x.TxID()
	}
	return ids
}

// In blocks of 1 to 17 transactions, the proof ScanBlock gives the
// transaction at every position carries fluxd's branch
// (tx.MerkleBranch), verifies to its txid, and survives an encoding round
// trip.
func TestProofAtEveryPosition(t *testing.T) {
	s := testScanner(t)
	for n := 1; n <= 17; n++ {
		txs := make([]*tx.Tx, n)
		for i := range txs {
			txs[i] = unsignedLock(n*100 + i)
		}
		ids := txidsOf(txs)
		h := header(txs)
		res, err := s.ScanBlock(testHeight, h, txs, nil)
		if err != nil {
			t.Fatalf("%d txs: %v", n, err)
		}
		if len(res.Locks) != n {
			t.Fatalf("%d txs: %d locks", n, len(res.Locks))
		}
		for i, l := range res.Locks {
			p := l.Proof
			if p.TxIndex != uint32(i) || p.TxCount != uint32(n) || !bytes.Equal(p.Header, h.Bytes()) || !bytes.Equal(p.RawTx, txs[i].Bytes()) {
				t.Fatalf("%d txs, index %d: proof fields %d/%d", n, i, p.TxIndex, p.TxCount)
			}
			if want := tx.MerkleBranch(ids, i); !reflect.DeepEqual(p.Branch, want) && !(len(want) == 0 && len(p.Branch) == 0) {
				t.Fatalf("%d txs, index %d: branch %v, fluxd's %v", n, i, p.Branch, want)
			}
			got, err := p.Verify()
			if err != nil || got != ids[i] {
				t.Fatalf("%d txs, index %d: Verify = %s, %v", n, i, got, err)
			}
			b, err := p.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			q, err := UnmarshalProof(b)
			if err != nil {
				t.Fatalf("%d txs, index %d: UnmarshalProof: %v", n, i, err)
			}
			if got, err := q.Verify(); err != nil || got != ids[i] {
				t.Fatalf("%d txs, index %d: decoded proof Verify = %s, %v", n, i, got, err)
			}
			if b2, _ := q.MarshalBinary(); !bytes.Equal(b, b2) {
				t.Fatalf("%d txs, index %d: round trip changed the encoding", n, i)
			}
			np, err := NewProof(h, ids, i, txs[i].Bytes())
			if err != nil || !bytes.Equal(evidence(np), b) {
				t.Fatalf("%d txs, index %d: NewProof differs from ScanBlock's proof: %v", n, i, err)
			}
		}
	}
}

func TestTreeDepth(t *testing.T) {
	for n, want := range map[uint32]int{1: 0, 2: 1, 3: 2, 4: 2, 5: 3, 8: 3, 9: 4, 16: 4, 17: 5} {
		if got := treeDepth(n); got != want {
			t.Errorf("treeDepth(%d) = %d, want %d", n, got, want)
		}
	}
	if got := treeDepth(wire.MaxTxPerBlock); got != MaxProofDepth {
		t.Errorf("the largest block's depth is %d, MaxProofDepth %d", got, MaxProofDepth)
	}
}

// proofIn returns the proof of index i in a block of n unsigned locks.
func proofIn(t *testing.T, n, i int) *Proof {
	t.Helper()
	txs := make([]*tx.Tx, n)
	for j := range txs {
		txs[j] = unsignedLock(1000 + j)
	}
	p, err := NewProof(header(txs), txidsOf(txs), i, txs[i].Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Verify(); err != nil {
		t.Fatalf("base proof: %v", err)
	}
	return p
}

// Verify refuses a proof whose position, branch, transaction or header was
// changed, naming what failed; in particular the duplicated-position trick
// that tx.VerifyMerkleBranch alone lets through.
func TestProofRejects(t *testing.T) {
	tests := []struct {
		name   string
		n, i   int
		mutate func(t *testing.T, p *Proof)
		want   *Error
	}{
		{"index equal to the count", 5, 2, func(_ *testing.T, p *Proof) { p.TxIndex = 5 }, ErrProofIndex},
		{"count zero", 5, 2, func(_ *testing.T, p *Proof) { p.TxIndex, p.TxCount = 0, 0 }, ErrProofIndex},
		{"count above the block limit", 5, 2, func(_ *testing.T, p *Proof) { p.TxCount = wire.MaxTxPerBlock + 1 }, ErrProofIndex},
		{"wrong index", 5, 2, func(_ *testing.T, p *Proof) { p.TxIndex = 3 }, ErrProofRoot},
		{"wrong index of the same parity", 5, 1, func(_ *testing.T, p *Proof) { p.TxIndex = 3 }, ErrProofRoot},
		{"branch too short", 5, 2, func(_ *testing.T, p *Proof) { p.Branch = p.Branch[:2] }, ErrProofDepth},
		{"branch too long", 5, 2, func(_ *testing.T, p *Proof) { p.Branch = append(p.Branch, chainhash.Hash{1}) }, ErrProofDepth},
		{"branch too long for a count that fits it", 5, 2, func(_ *testing.T, p *Proof) { p.TxCount = 3 }, ErrProofDepth},
		{"duplicated position: last of 3 claimed as index 3 of 4", 3, 2, func(t *testing.T, p *Proof) {
			txid, _ := p.Verify()
			h, _ := wire.DecodeBlockHeader(p.Header)
			if !tx.VerifyMerkleBranch(txid, p.Branch, 3, h.MerkleRoot) {
				t.Fatal("the trick does not fool the bare branch check; the test proves nothing")
			}
			p.TxIndex, p.TxCount = 3, 4
		}, ErrProofDuplicate},
		{"duplicated position: last of 5 claimed as index 5 of 6", 5, 4, func(_ *testing.T, p *Proof) { p.TxIndex, p.TxCount = 5, 6 }, ErrProofDuplicate},
		{"duplicated node claimed as not the last", 3, 2, func(_ *testing.T, p *Proof) { p.TxCount = 4 }, ErrProofDuplicate},
		{"last of an odd level paired with another node", 5, 4, func(_ *testing.T, p *Proof) { p.Branch[0] = chainhash.Hash{1} }, ErrProofDuplicate},
		{"tampered branch hash", 5, 2, func(_ *testing.T, p *Proof) { p.Branch[1][0] ^= 1 }, ErrProofRoot},
		{"tampered raw tx", 5, 2, func(_ *testing.T, p *Proof) {
			x, _ := tx.Decode(p.RawTx)
			x.Outputs[0].Value++
			p.RawTx = x.Bytes()
		}, ErrProofRoot},
		{"truncated raw tx", 5, 2, func(_ *testing.T, p *Proof) { p.RawTx = p.RawTx[:len(p.RawTx)-1] }, ErrProofTx},
		{"raw tx with trailing bytes", 5, 2, func(_ *testing.T, p *Proof) { p.RawTx = append(bytes.Clone(p.RawTx), 0) }, ErrProofTx},
		{"tampered header merkle root", 5, 2, func(_ *testing.T, p *Proof) {
			h, _ := wire.DecodeBlockHeader(p.Header)
			h.MerkleRoot[31] ^= 1
			p.Header = h.Bytes()
		}, ErrProofRoot},
		{"truncated header", 5, 2, func(_ *testing.T, p *Proof) { p.Header = p.Header[:100] }, ErrProofHeader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := proofIn(t, tc.n, tc.i)
			tc.mutate(t, p)
			if _, err := p.Verify(); !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

// Golden: the binary form written out field by field.
func TestProofEncodingGolden(t *testing.T) {
	p := &Proof{Header: []byte{0xab, 0xcd}, TxIndex: 3, TxCount: 0x105, Branch: []chainhash.Hash{{0xaa, 31: 0xbb}}, RawTx: []byte{0x09}}
	want := vectors.Hex(t, "01"+"02abcd"+"03000000"+"05010000"+"01"+"aa"+"000000000000000000000000000000000000000000000000000000000000"+"bb"+"0109")
	got, err := p.MarshalBinary()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("MarshalBinary = %x, %v; want %x", got, err, want)
	}
	q, err := UnmarshalProof(want)
	if err != nil || !reflect.DeepEqual(q, p) {
		t.Fatalf("UnmarshalProof = %+v, %v", q, err)
	}
}

// UnmarshalProof is bounded and typed: every truncation, an unknown version,
// trailing bytes and oversized counts fail with CodeProofEncoding wrapping
// the decoder's kind, before anything is allocated.
func TestUnmarshalProofRejects(t *testing.T) {
	good := evidence(proofIn(t, 5, 2))
	for n := range len(good) {
		// A cut inside a length-prefixed field reads as a length beyond the bytes left.
		_, err := UnmarshalProof(good[:n])
		if !errors.Is(err, ErrProofEncoding) || !errors.Is(err, codec.ErrTruncated) && !errors.Is(err, codec.ErrTooLarge) {
			t.Fatalf("truncated at %d of %d: %v", n, len(good), err)
		}
	}
	huge := func(prefix string) []byte { return vectors.Hex(t, prefix) }
	tests := []struct {
		name string
		b    []byte
		kind error
	}{
		{"version 2", append([]byte{2}, good[1:]...), codec.ErrInvalid},
		{"version 0", append([]byte{0}, good[1:]...), codec.ErrInvalid},
		{"trailing byte", append(bytes.Clone(good), 0), codec.ErrTrailing},
		{"header longer than any header", huge("01" + "fdd007"), codec.ErrTooLarge},
		{"branch longer than the deepest tree", huge("01" + "00" + "00000000" + "01000000" + "14"), codec.ErrTooLarge},
		{"branch count beyond the bytes left", huge("01" + "00" + "00000000" + "01000000" + "05" + "00"), codec.ErrTooLarge},
		{"raw tx longer than a block", huge("01" + "00" + "00000000" + "01000000" + "00" + "fe81841e00"), codec.ErrTooLarge},
		{"raw tx length beyond the bytes left", huge("01" + "00" + "00000000" + "01000000" + "00" + "fde803"), codec.ErrTooLarge},
		{"non-canonical length", huge("01" + "fd0200" + "abcd"), codec.ErrNonCanonical},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := UnmarshalProof(tc.b)
			if p != nil || !errors.Is(err, ErrProofEncoding) || !errors.Is(err, tc.kind) {
				t.Fatalf("UnmarshalProof = %v, %v; want %v", p, err, tc.kind)
			}
		})
	}
}

// MarshalBinary refuses what UnmarshalProof would refuse, so every encoding
// it produces decodes.
func TestMarshalProofRejectsOversizedFields(t *testing.T) {
	tests := []struct {
		name string
		p    Proof
	}{
		{"header", Proof{Header: make([]byte, wire.MaxHeaderSize+1)}},
		{"branch", Proof{Branch: make([]chainhash.Hash, MaxProofDepth+1)}},
		{"raw tx", Proof{RawTx: make([]byte, wire.MaxTxSize+1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if b, err := tc.p.MarshalBinary(); !errors.Is(err, ErrProofEncoding) || b != nil {
				t.Fatalf("MarshalBinary = %d bytes, %v", len(b), err)
			}
		})
	}
}

// NewProof checks its inputs: the txids must give the header's root and the
// raw transaction must be the one at index.
func TestNewProofChecksItsInputs(t *testing.T) {
	txs := []*tx.Tx{unsignedLock(1), unsignedLock(2), unsignedLock(3)}
	ids := txidsOf(txs)
	h := header(txs)
	if _, err := NewProof(h, ids, 1, txs[2].Bytes()); !errors.Is(err, ErrBlock) {
		t.Errorf("another tx's bytes: %v", err)
	}
	if _, err := NewProof(h, ids, 3, txs[2].Bytes()); !errors.Is(err, ErrBlock) {
		t.Errorf("index out of range: %v", err)
	}
	if _, err := NewProof(h, ids, 1, []byte{1}); !errors.Is(err, ErrProofTx) {
		t.Errorf("undecodable tx: %v", err)
	}
	bad := *h
	bad.MerkleRoot = chainhash.Hash{}
	if _, err := NewProof(&bad, ids, 1, txs[1].Bytes()); !errors.Is(err, ErrMerkle) {
		t.Errorf("wrong root: %v", err)
	}
}
