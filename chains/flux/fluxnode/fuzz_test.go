package fluxnode

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzUnmarshalEntry: decoding never panics, and whatever decodes re-encodes
// to the same bytes.
func FuzzUnmarshalEntry(f *testing.F) {
	good, _ := sampleEntry().MarshalBinary()
	f.Add(good)
	f.Add([]byte{1, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := UnmarshalEntry(b)
		if err != nil {
			return
		}
		again, err := e.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded entry does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n%x\n%x", again, b)
		}
	})
}

// FuzzUnmarshalUndo: decoding never panics, whatever decodes re-encodes to
// the same bytes, and a decoded undo is accepted or refused by Revert
// without panicking.
func FuzzUnmarshalUndo(f *testing.F) {
	e := sampleEntry()
	u := &Undo{Height: 9, Changes: []Change{{Collateral: e.Collateral, Prev: &e}}}
	good, _ := u.MarshalBinary()
	f.Add(good)
	f.Add([]byte{1, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := UnmarshalUndo(b)
		if err != nil {
			return
		}
		again, err := u.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded undo does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n%x\n%x", again, b)
		}
		s := NewSetFromEntries(nil, nil)
		if err := s.Revert(u); err != nil {
			t.Fatalf("Revert of a decoded undo on a set without a tip: %v", err)
		}
		if s.Len() > len(u.Changes) {
			t.Fatalf("%d entries from %d changes", s.Len(), len(u.Changes))
		}
	})
}

// FuzzParseSnapshot: parsing never panics, and a parsed snapshot survives a
// MarshalJSON/ParseSnapshot round trip unchanged.
func FuzzParseSnapshot(f *testing.F) {
	f.Add([]byte(sampleSnapshot))
	f.Add([]byte(`{"result": {"height": 1, "blockhash": "0000000000000000000000000000000000000000000000000000000000000001", "nodes": []}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		snap, err := ParseSnapshot(b)
		if err != nil {
			return
		}
		raw, err := json.Marshal(snap)
		if err != nil {
			// Only entries that cannot be encoded (status out of range) may fail.
			t.Fatalf("MarshalJSON of a parsed snapshot: %v", err)
		}
		back, err := ParseSnapshot(raw)
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, raw)
		}
		if len(back.Entries) == 0 {
			back.Entries = snap.Entries[:0:0]
		}
		if len(snap.Entries) == 0 {
			snap.Entries = back.Entries
		}
		if !reflect.DeepEqual(back, snap) {
			t.Fatalf("round trip differs:\n got %+v\nwant %+v", back, snap)
		}
	})
}
