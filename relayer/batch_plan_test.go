package relayer

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
)

// cand is a candidate in block blk to dest with digest {d}.
func cand(blk string, dest chains.ID, d byte) candidate {
	return candidate{t: Transfer{ID: fmt.Sprintf("%s/%d/%d", blk, dest, d), Block: chains.BlockRef{Hash: blk}, Dest: dest}, digest: [32]byte{d}}
}

// The batches of a step: per block and destination, in digest order, in
// chunks of at most B; a chunk of one is no batch; a candidate whose
// preparation failed is in none.
func TestPlanBatches(t *testing.T) {
	failed := cand("a", 1, 9)
	failed.err = errors.New("the light node no longer reports this lock")
	cands := []candidate{
		cand("a", 1, 5), cand("a", 1, 3), cand("b", 1, 7), cand("a", 2, 4), cand("a", 1, 1), cand("a", 2, 2),
		cand("b", 1, 6), cand("c", 1, 8), failed, cand("a", 1, 4), cand("a", 1, 2),
	}
	type batch struct {
		dest    chains.ID
		digests []byte
	}
	got := func(max int) []batch {
		var out []batch
		for _, b := range planBatches(cands, max) {
			x := batch{dest: b.dest}
			for j, i := range b.members {
				if cands[i].digest != b.digests[j] {
					t.Fatalf("member %d's digest is not the batch's digest %d", i, j)
				}
				x.digests = append(x.digests, b.digests[j][0])
			}
			out = append(out, x)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		max  int
		want []batch
	}{
		{"B = 100: one batch per block and destination, block c's single lock in none", 100,
			[]batch{{1, []byte{1, 2, 3, 4, 5}}, {1, []byte{6, 7}}, {2, []byte{2, 4}}}},
		{"B = 2: chunks of two, the odd one alone", 2,
			[]batch{{1, []byte{1, 2}}, {1, []byte{3, 4}}, {1, []byte{6, 7}}, {2, []byte{2, 4}}}},
		{"B = 3", 3, []batch{{1, []byte{1, 2, 3}}, {1, []byte{4, 5}}, {1, []byte{6, 7}}, {2, []byte{2, 4}}}},
		{"B = 1: no batches", 1, nil},
	} {
		if g := got(tc.max); !reflect.DeepEqual(g, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, g, tc.want)
		}
	}
	// The same candidates in another order make the same batches.
	rev := make([]candidate, len(cands))
	for i, c := range cands {
		rev[len(cands)-1-i] = c
	}
	for _, max := range []int{2, 3, 100} {
		a, b := planBatches(cands, max), planBatches(rev, max)
		if len(a) != len(b) {
			t.Fatalf("B = %d: %d batches, %d in reverse order", max, len(a), len(b))
		}
		for _, x := range a {
			found := false
			for _, y := range b {
				found = found || reflect.DeepEqual(x.digests, y.digests)
			}
			if !found {
				t.Errorf("B = %d: batch %v is not formed from the reversed candidates", max, x.digests)
			}
		}
	}
}

// A step cut at its limit leaves the last block's final locks to the next
// step, so every relayer signs a block's locks together; queued ones and a
// block that fills the step alone stay.
func TestWholeBlocks(t *testing.T) {
	tr := func(id, blk string, s State) Transfer {
		return Transfer{ID: id, Block: chains.BlockRef{Hash: blk}, State: s}
	}
	ids := func(ts []Transfer) (out []string) {
		for _, t := range ts {
			out = append(out, t.ID)
		}
		return out
	}
	two := []Transfer{tr("1", "a", StateFinal), tr("2", "a", StateFinal), tr("3", "b", StateFinal), tr("4", "b", StateFinal)}
	one := []Transfer{tr("1", "a", StateFinal), tr("2", "a", StateFinal)}
	for _, tc := range []struct {
		name string
		todo []Transfer
		cut  bool
		want []string
	}{
		{"not cut", two, false, []string{"1", "2", "3", "4"}},
		{"cut: block b waits", two, true, []string{"1", "2"}},
		{"cut, one block", one, true, []string{"1", "2"}},
		{"empty", nil, true, nil},
	} {
		if g := ids(wholeBlocks(tc.todo, tc.cut)); !reflect.DeepEqual(g, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, g, tc.want)
		}
	}
}

// A batch signature payload round-trips, and every malformed one is refused.
func TestBatchSignaturePayload(t *testing.T) {
	sig := bytes.Repeat([]byte{7}, 65)
	b := BatchSignature{Dest: 1337, Digests: [][32]byte{{1}, {2}, {3}}, Sig: sig}
	p, err := MarshalBatchSignature(b)
	if err != nil {
		t.Fatal(err)
	}
	back, err := UnmarshalBatchSignature(p)
	if err != nil || !reflect.DeepEqual(back, b) {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	for _, tc := range []struct {
		name string
		b    BatchSignature
	}{
		{"no digest", BatchSignature{Dest: 1, Sig: sig}},
		{"unsorted", BatchSignature{Dest: 1, Digests: [][32]byte{{2}, {1}}, Sig: sig}},
		{"a digest twice", BatchSignature{Dest: 1, Digests: [][32]byte{{1}, {1}}, Sig: sig}},
		{"short signature", BatchSignature{Dest: 1, Digests: [][32]byte{{1}}, Sig: sig[:64]}},
		{"over MaxBatch", BatchSignature{Dest: 1, Digests: make([][32]byte, chains.MaxBatch+1), Sig: sig}},
	} {
		if _, err := MarshalBatchSignature(tc.b); !errors.Is(err, ErrBatchSignature) {
			t.Errorf("marshal %s: %v, want ErrBatchSignature", tc.name, err)
		}
	}
	for _, tc := range []struct {
		name string
		p    []byte
	}{
		{"empty", nil},
		{"version 2", append([]byte{2}, p[1:]...)},
		{"one byte short", p[:len(p)-1]},
		{"one byte long", append(append([]byte{}, p...), 0)},
		{"count says 4", append(append(append([]byte{}, p[:5]...), 0, 4), p[7:]...)},
		{"unsorted", append(append(append(append([]byte{}, p[:7]...), p[7+32:7+64]...), p[7:7+32]...), p[7+64:]...)},
	} {
		if _, err := UnmarshalBatchSignature(tc.p); !errors.Is(err, ErrBatchSignature) {
			t.Errorf("unmarshal %s: %v, want ErrBatchSignature", tc.name, err)
		}
	}
}

// Whatever the bytes, decoding a batch signature never panics, and what it
// accepts encodes back to the same bytes.
func FuzzBatchSignature(f *testing.F) {
	p, _ := MarshalBatchSignature(BatchSignature{Dest: 1337, Digests: [][32]byte{{1}, {2}}, Sig: make([]byte, 65)})
	f.Add(p)
	f.Add([]byte{1, 0, 0, 5, 57, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := UnmarshalBatchSignature(b)
		if err != nil {
			return
		}
		again, err := MarshalBatchSignature(got)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted %x but encodes it as %x (%v)", b, again, err)
		}
	})
}
