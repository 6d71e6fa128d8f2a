package store_test

import (
	"fmt"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv/storetest"
	"github.com/fluxbridge/fluxbridge/chains/flux/store"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) spv.Store { return store.MustOpen(t) })
}

func TestReopenKeepsDataAndMigrations(t *testing.T) {
	path := t.TempDir() + "/flux.db"
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	g := storetest.H("g")
	if err := db.Init(&spv.InitState{State: spv.State{AnchorHash: g, TipHash: g},
		Headers: []spv.HeaderRecord{{Hash: g, Raw: []byte{1}, Work: make([]byte, 32), Main: true}}}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = store.Open(path) // migrations already applied: nothing to do
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, ok, err := db.State()
	if !ok || err != nil || st.TipHash != g {
		t.Fatalf("state after reopen: %+v %v %v", st, ok, err)
	}
	if n, err := db.MigrationCount(); err != nil || n != 2 {
		t.Fatalf("%d migrations recorded (%v), want 2", n, err)
	}
	if mode, err := db.JournalMode(); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q (%v), want wal", mode, err)
	}
}

// BenchmarkCommit500 commits 500-block batches (header, undo, tip), the
// light node's per-batch write; the target is well under 100 ms per batch.
func BenchmarkCommit500(b *testing.B) {
	db := store.MustOpen(b)
	g := storetest.H("g")
	must(b, db.Init(&spv.InitState{State: spv.State{AnchorHash: g, TipHash: g},
		Headers: []spv.HeaderRecord{{Hash: g, Raw: []byte{1}, Work: make([]byte, 32), Main: true}}}))
	prev := spv.HeaderRecord{Hash: g}
	raw := make([]byte, 216)
	undo := make([]byte, 40)
	for b.Loop() {
		batch := &spv.Batch{}
		for range 500 {
			h := spv.HeaderRecord{Hash: storetest.H(fmt.Sprint(prev.Height + 1)), Height: prev.Height + 1, Prev: prev.Hash,
				Raw: raw, Work: make([]byte, 32), Main: true}
			batch.Connect = append(batch.Connect, spv.ConnectedBlock{Header: h, Undo: undo})
			prev = h
		}
		batch.Tip = spv.BlockRef{Hash: prev.Hash, Height: prev.Height}
		batch.PruneUndoBelow = prev.Height - 50
		must(b, db.Commit(batch))
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/batch")
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
