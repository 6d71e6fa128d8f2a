package spv

import (
	"bytes"
	"slices"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
)

// The in-memory reserve set answers with the records put (a script kept
// once however many outputs pay to it, and not the caller's slice), forgets
// a spent output, and lists every unspent one.
func TestUTXOSetKeepsEachScriptOnce(t *testing.T) {
	s := newUTXOSet(0)
	p2sh := []byte{0xa9, 0x14, 1, 2, 3, 0x87}
	next := []byte{0xa9, 0x14, 9, 9, 9, 0x87}
	var want []UTXORecord
	for i := range 1000 {
		r := UTXORecord{OutPoint: chainhash.OutPoint{Hash: chainhash.Hash{byte(i), byte(i >> 8)}, Index: uint32(i % 3)},
			Value: int64(i) * 1e8, Script: slices.Clone(p2sh), Height: int32(100 + i)}
		if i%10 == 0 {
			r.Script = slices.Clone(next)
		}
		s.put(r)
		want = append(want, UTXORecord{OutPoint: r.OutPoint, Value: r.Value, Script: slices.Clone(r.Script), Height: r.Height})
		r.Script[2] = 0xff // the caller's slice: not the set's
	}
	if len(s.scripts) != 2 || s.len() != 1000 {
		t.Fatalf("%d scripts kept for %d outputs, want 2 for 1000", len(s.scripts), s.len())
	}
	for _, w := range want {
		got, ok := s.get(w.OutPoint)
		if !ok || got.Value != w.Value || got.Height != w.Height || !bytes.Equal(got.Script, w.Script) || !s.has(w.OutPoint) {
			t.Fatalf("get(%s) = %+v, %v; want %+v", w.OutPoint, got, ok, w)
		}
	}
	for _, w := range want[:500] {
		s.del(w.OutPoint)
	}
	s.del(chainhash.OutPoint{Index: 7}) // not there: nothing happens
	if _, ok := s.get(want[0].OutPoint); ok || s.has(want[0].OutPoint) || s.len() != 500 {
		t.Fatalf("a spent output is still listed (%d left, want 500)", s.len())
	}
	seen := 0
	s.each(func(r UTXORecord) {
		w := want[slices.IndexFunc(want, func(w UTXORecord) bool { return w.OutPoint == r.OutPoint })]
		if r.Value != w.Value || !bytes.Equal(r.Script, w.Script) {
			t.Fatalf("each gave %+v, want %+v", r, w)
		}
		seen++
	})
	if seen != 500 {
		t.Fatalf("each listed %d outputs, want 500", seen)
	}
}
