package spv

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
)

func TestUndoRoundTrip(t *testing.T) {
	u := &blockUndo{
		fluxnode: []byte{1, 2, 3},
		created:  []chainhash.OutPoint{{Hash: chainhash.Hash{1}, Index: 2}},
		spent:    []UTXORecord{{OutPoint: chainhash.OutPoint{Hash: chainhash.Hash{3}, Index: 4}, Value: 5e8, Script: []byte{0xa9}, Height: 77}},
	}
	b := u.marshal()
	got, err := unmarshalUndo(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.marshal(), b) || got.spent[0].Height != 77 || got.created[0].Index != 2 {
		t.Fatalf("round trip changed the undo: %+v", got)
	}
	for i := range b {
		if _, err := unmarshalUndo(b[:i]); err == nil {
			t.Fatalf("truncated at %d decoded", i)
		}
	}
	if _, err := unmarshalUndo(append(b, 0)); err == nil {
		t.Fatal("trailing byte decoded")
	}
}

// FuzzUnmarshalUndo: the undo decoder never panics and re-encodes what it accepts exactly.
func FuzzUnmarshalUndo(f *testing.F) {
	f.Add((&blockUndo{}).marshal())
	f.Add((&blockUndo{fluxnode: []byte{9}, created: []chainhash.OutPoint{{Index: 1}}}).marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := unmarshalUndo(b)
		if err != nil {
			return
		}
		if !bytes.Equal(u.marshal(), b) {
			t.Fatalf("accepted %x re-encodes as %x", b, u.marshal())
		}
	})
}

// FuzzParseCursor: cursors round-trip through PartialCursor and ParseCursor,
// and every accepted cursor is in canonical form.
func FuzzParseCursor(f *testing.F) {
	f.Add("12:" + chainhash.Hash{1}.String())
	f.Add("0:" + chainhash.Hash{}.String())
	f.Add("7:" + chainhash.Hash{2}.String() + ":3")
	f.Fuzz(func(t *testing.T, s string) {
		h, hash, n, err := ParseCursor(chains.Cursor(s))
		if err != nil {
			return
		}
		if h < 0 || n < 0 {
			t.Fatalf("negative height %d or position %d from %q", h, n, s)
		}
		if c := PartialCursor(h, hash, n); string(c) != strings.ToLower(s) {
			t.Fatalf("%q accepted but formats as %q", s, c)
		}
		h2, hash2, n2, err := ParseCursor(PartialCursor(h, hash, n))
		if err != nil || h2 != h || hash2 != hash || n2 != n {
			t.Fatalf("%q: round trip %d %s %d -> %d %s %d, %v", s, h, hash, n, h2, hash2, n2, err)
		}
	})
}

// FuzzDecodeEvent: stored events decode without panicking and re-encode stably.
func FuzzDecodeEvent(f *testing.F) {
	b, _ := encodeEvent(chains.Event{Kind: chains.EventLock, ID: "flux:ab:0", Amount: 5, Evidence: []byte{1}})
	f.Add(b)
	f.Add([]byte(`{"Kind":"release","FromNonce":1,"ToNonce":3}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := decodeEvent(b)
		if err != nil {
			return
		}
		enc, err := encodeEvent(ev)
		if err != nil {
			t.Fatal(err)
		}
		ev2, err := decodeEvent(enc)
		if err != nil {
			t.Fatal(err)
		}
		enc2, _ := encodeEvent(ev2)
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("unstable encoding: %s vs %s", enc, enc2)
		}
	})
}
