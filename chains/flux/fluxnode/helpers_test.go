package fluxnode

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// testOP returns a distinct collateral outpoint for n.
func testOP(n int) chainhash.OutPoint {
	var h chainhash.Hash
	binary.BigEndian.PutUint32(h[:4], uint32(n)+1)
	h[31] = 0xc0
	return chainhash.OutPoint{Hash: h, Index: uint32(n % 3)}
}

// testKey returns a distinct 33-byte compressed-looking public key for n.
func testKey(n int) []byte {
	k := make([]byte, 33)
	k[0] = 0x02 | byte(n&1)
	binary.BigEndian.PutUint32(k[1:], uint32(n)+7)
	k[32] = 0x5a
	return k
}

// testUncompressedKey returns a distinct 65-byte uncompressed-looking key.
func testUncompressedKey(n int) []byte {
	k := make([]byte, 65)
	k[0] = 0x04
	binary.BigEndian.PutUint32(k[1:], uint32(n)+11)
	return k
}

func startTx(n int) *tx.Tx {
	return NewStartTx(params.SimNet, 5, testOP(n), testKey(1000+n), testKey(n), 1_700_000_000)
}

func confirmTx(n int, update bool, ip string) *tx.Tx {
	ut := int8(0)
	if update {
		ut = 1
	}
	return NewConfirmTx(testOP(n), 1_700_000_000, ut, ip)
}

// spendTx returns a transparent v4 transaction spending the given outpoints.
func spendTx(ops ...chainhash.OutPoint) *tx.Tx {
	t := tx.NewV4(0, 0)
	for _, op := range ops {
		t.Inputs = append(t.Inputs, tx.TxIn{PrevOut: op, ScriptSig: []byte{0x51}, Sequence: 0xffffffff})
	}
	t.Outputs = append(t.Outputs, tx.TxOut{Value: 1000, Script: []byte{0x51}})
	return t
}

// coinbaseTx returns a coinbase; its null input must never count as a spend.
func coinbaseTx(h int32) *tx.Tx {
	t := tx.NewV4(0, 0)
	t.Inputs = []tx.TxIn{{PrevOut: chainhash.OutPoint{Index: 0xffffffff}, ScriptSig: []byte{3, byte(h), byte(h >> 8), byte(h >> 16)}, Sequence: 0xffffffff}}
	t.Outputs = []tx.TxOut{{Value: 5000, Script: []byte{0x51}}}
	return t
}

// chain applies blocks from..to to s (to inclusive); blocks[h] are the
// non-coinbase transactions of block h. It returns the undo of each block.
func chain(t testing.TB, s *Set, from, to int32, blocks map[int32][]*tx.Tx) []*Undo {
	t.Helper()
	var us []*Undo
	for h := from; h <= to; h++ {
		txs := append([]*tx.Tx{coinbaseTx(h)}, blocks[h]...)
		u, err := s.ApplyBlock(h, txs)
		if err != nil {
			t.Fatalf("ApplyBlock(%d): %v", h, err)
		}
		us = append(us, u)
	}
	return us
}

// stateBytes is the canonical encoding of every entry of s, in order.
func stateBytes(t testing.TB, s *Set) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, e := range s.Entries() {
		b, err := e.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary(%s): %v", e.Collateral, err)
		}
		buf.Write(b)
	}
	return buf.Bytes()
}

func mustLookup(t *testing.T, s *Set, op chainhash.OutPoint) Entry {
	t.Helper()
	e, ok := s.Lookup(op)
	if !ok {
		t.Fatalf("Lookup(%s): not found", op)
	}
	return e
}

func mustMissing(t *testing.T, s *Set, op chainhash.OutPoint) {
	t.Helper()
	if e, ok := s.Lookup(op); ok {
		t.Fatalf("Lookup(%s): found %+v, want none", op, e)
	}
}
