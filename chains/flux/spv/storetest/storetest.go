// Package storetest is the conformance suite every spv.Store implementation
// must pass. An implementation's tests call Run with a constructor of empty
// stores.
package storetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
)

// Run runs the conformance suite; open returns a new empty store whose
// lifetime is the test's.
func Run(t *testing.T, open func(t *testing.T) spv.Store) {
	for _, tc := range []struct {
		name string
		f    func(t *testing.T, s spv.Store)
	}{
		{"an empty store has no state", testEmpty},
		{"Init writes the anchor once", testInit},
		{"Commit connects blocks with undo and events", testConnect},
		{"Commit disconnects blocks, orphaning their events", testDisconnect},
		{"a block connected again replaces its orphaned events", testReconnect},
		{"EventsInRange never splits a block", testEventsLimit},
		{"net changes to fluxnodes, utxos and watched txs", testNetChanges},
		{"undo below the prune height is deleted", testPrune},
		{"a failing Commit changes nothing", testAtomic},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, open(t)) })
	}
}

// H is a deterministic test hash.
func H(s string) chainhash.Hash { return chainhash.Hash(sha256.Sum256([]byte(s))) }

// fakeHeader builds a header row of height on prev; its hash is derived
// from the branch tag (the store does not check headers).
func fakeHeader(tag string, height int32, prev chainhash.Hash) spv.HeaderRecord {
	work := make([]byte, 32)
	binary.BigEndian.PutUint32(work[28:], uint32(height+1))
	return spv.HeaderRecord{Hash: H(fmt.Sprintf("%s/%d", tag, height)), Height: height, Prev: prev,
		Raw: []byte(fmt.Sprintf("raw %s %d", tag, height)), Work: work, Main: true}
}

func initStore(t *testing.T, s spv.Store) spv.HeaderRecord {
	t.Helper()
	g := fakeHeader("main", 0, chainhash.Hash{})
	in := &spv.InitState{
		State:     spv.State{AnchorHeight: 0, AnchorHash: g.Hash, TipHeight: 0, TipHash: g.Hash},
		Headers:   []spv.HeaderRecord{g},
		Fluxnodes: []spv.FluxnodeRecord{{OutPoint: chainhash.OutPoint{Hash: H("fn"), Index: 1}, Data: []byte("entry")}},
	}
	if err := s.Init(in); err != nil {
		t.Fatal(err)
	}
	return g
}

// chainOf builds n connected blocks on parent, with one event in every
// block whose height is a multiple of 3 (two in multiples of 6).
func chainOf(tag string, parent spv.HeaderRecord, n int) []spv.ConnectedBlock {
	var out []spv.ConnectedBlock
	prev := parent
	for range n {
		h := fakeHeader(tag, prev.Height+1, prev.Hash)
		cb := spv.ConnectedBlock{Header: h, Undo: []byte("undo " + tag)}
		if h.Height%3 == 0 {
			for k := range 1 + btoi(h.Height%6 == 0) {
				id := fmt.Sprintf("%s-%d-%d", tag, h.Height, k)
				cb.Events = append(cb.Events, spv.EventRecord{BlockHash: h.Hash, Height: h.Height, Seq: int32(k),
					ID: id, TxID: H("tx " + id), Data: []byte(id)})
			}
		}
		out = append(out, cb)
		prev = h
	}
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func tipOf(cbs []spv.ConnectedBlock) spv.BlockRef {
	h := cbs[len(cbs)-1].Header
	return spv.BlockRef{Hash: h.Hash, Height: h.Height}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testEmpty(t *testing.T, s spv.Store) {
	if _, ok, err := s.State(); ok || err != nil {
		t.Fatalf("State of an empty store: %v, %v", ok, err)
	}
	if _, ok, err := s.HeaderAt(0); ok || err != nil {
		t.Fatalf("HeaderAt on an empty store: %v, %v", ok, err)
	}
}

func testInit(t *testing.T, s spv.Store) {
	g := initStore(t, s)
	st, ok, err := s.State()
	if !ok || err != nil || st.TipHash != g.Hash || st.AnchorHash != g.Hash {
		t.Fatalf("State = %+v, %v, %v", st, ok, err)
	}
	if err := s.Init(&spv.InitState{State: st}); err == nil {
		t.Fatal("a second Init succeeded")
	}
	fs, err := s.Fluxnodes()
	if err != nil || len(fs) != 1 || string(fs[0].Data) != "entry" {
		t.Fatalf("Fluxnodes = %v, %v", fs, err)
	}
	r, ok, err := s.HeaderByHash(g.Hash)
	if !ok || err != nil || !r.Main || !bytes.Equal(r.Raw, g.Raw) || !bytes.Equal(r.Work, g.Work) {
		t.Fatalf("HeaderByHash = %+v, %v, %v", r, ok, err)
	}
}

func testConnect(t *testing.T, s spv.Store) {
	g := initStore(t, s)
	cbs := chainOf("main", g, 10)
	must(t, s.Commit(&spv.Batch{Connect: cbs, Tip: tipOf(cbs)}))
	st, _, _ := s.State()
	if st.TipHeight != 10 || st.TipHash != cbs[9].Header.Hash {
		t.Fatalf("tip %d", st.TipHeight)
	}
	hs, err := s.MainHeaders(3, 5)
	if err != nil || len(hs) != 3 || hs[0].Height != 3 || hs[2].Hash != cbs[4].Header.Hash || hs[1].Prev != hs[0].Hash {
		t.Fatalf("MainHeaders(3,5) = %v, %v", hs, err)
	}
	if r, ok, _ := s.HeaderAt(7); !ok || r.Hash != cbs[6].Header.Hash {
		t.Fatal("HeaderAt(7)")
	}
	if u, ok, _ := s.Undo(cbs[4].Header.Hash); !ok || string(u) != "undo main" {
		t.Fatalf("Undo = %q, %v", u, ok)
	}
	evs, err := s.EventsInRange(1, 10, 0)
	if err != nil || len(evs) != 4 || evs[0].ID != "main-3-0" || evs[2].ID != "main-6-1" || evs[3].ID != "main-9-0" {
		t.Fatalf("EventsInRange = %v, %v", ids(evs), err)
	}
	if evs, _ := s.EventsByTx(H("tx main-6-1")); len(evs) != 1 || evs[0].Seq != 1 || evs[0].Height != 6 {
		t.Fatalf("EventsByTx = %v", ids(evs))
	}
	if e, ok, _ := s.EventByID("main-9-0"); !ok || e.BlockHash != cbs[8].Header.Hash || string(e.Data) != "main-9-0" {
		t.Fatalf("EventByID = %+v, %v", e, ok)
	}
}

func testDisconnect(t *testing.T, s spv.Store) {
	g := initStore(t, s)
	cbs := chainOf("main", g, 10)
	must(t, s.Commit(&spv.Batch{Connect: cbs, Tip: tipOf(cbs)}))
	side := chainOf("side", cbs[4].Header, 6) // 6..11
	var dis []spv.BlockRef
	for i := 9; i >= 5; i-- {
		dis = append(dis, spv.BlockRef{Hash: cbs[i].Header.Hash, Height: cbs[i].Header.Height})
	}
	must(t, s.Commit(&spv.Batch{Disconnect: dis, Connect: side, Tip: tipOf(side)}))
	if r, ok, _ := s.HeaderAt(8); !ok || r.Hash != side[2].Header.Hash {
		t.Fatal("HeaderAt(8) is not the side branch's")
	}
	old, ok, _ := s.HeaderByHash(cbs[7].Header.Hash)
	if !ok || old.Main {
		t.Fatalf("disconnected header: %v, main %v", ok, old.Main)
	}
	if _, ok, _ := s.Undo(cbs[7].Header.Hash); ok {
		t.Fatal("undo of a disconnected block kept")
	}
	orphaned, _ := s.BlockEvents(cbs[8].Header.Hash)
	if len(orphaned) != 1 || !orphaned[0].Orphaned {
		t.Fatalf("orphaned events: %+v", orphaned)
	}
	evs, _ := s.EventsInRange(1, 11, 0)
	if got := fmt.Sprint(ids(evs)); got != "[main-3-0 side-6-0 side-6-1 side-9-0]" {
		t.Fatalf("main-chain events %s", got)
	}
	if _, ok, _ := s.EventByID("main-9-0"); ok {
		t.Fatal("EventByID finds an orphaned event")
	}
	if evs, _ := s.EventsByTx(H("tx main-9-0")); len(evs) != 0 {
		t.Fatal("EventsByTx finds an orphaned event")
	}
}

func testReconnect(t *testing.T, s spv.Store) {
	g := initStore(t, s)
	cbs := chainOf("main", g, 6)
	must(t, s.Commit(&spv.Batch{Connect: cbs, Tip: tipOf(cbs)}))
	side := chainOf("side", cbs[4].Header, 2)
	must(t, s.Commit(&spv.Batch{Disconnect: []spv.BlockRef{tipOf(cbs)}, Connect: side, Tip: tipOf(side)}))
	must(t, s.Commit(&spv.Batch{
		Disconnect: []spv.BlockRef{tipOf(side), {Hash: side[0].Header.Hash, Height: 6}},
		Connect:    cbs[5:], Tip: tipOf(cbs)}))
	evs, _ := s.BlockEvents(cbs[5].Header.Hash)
	if len(evs) != 2 || evs[0].Orphaned || evs[1].Orphaned {
		t.Fatalf("reconnected block's events: %+v", evs)
	}
	if e, ok, _ := s.EventByID("main-6-1"); !ok || e.Orphaned {
		t.Fatal("reconnected event not found")
	}
}

func testEventsLimit(t *testing.T, s spv.Store) {
	g := initStore(t, s)
	cbs := chainOf("main", g, 12)
	must(t, s.Commit(&spv.Batch{Connect: cbs, Tip: tipOf(cbs)}))
	for _, tc := range []struct {
		limit int
		want  string
	}{
		{1, "[main-3-0]"},
		{2, "[main-3-0 main-6-0 main-6-1]"},
		{3, "[main-3-0 main-6-0 main-6-1]"},
		{4, "[main-3-0 main-6-0 main-6-1 main-9-0]"},
	} {
		evs, err := s.EventsInRange(1, 12, tc.limit)
		if got := fmt.Sprint(ids(evs)); err != nil || got != tc.want {
			t.Errorf("limit %d: %s (%v), want %s", tc.limit, got, err, tc.want)
		}
	}
	if evs, _ := s.EventsInRange(7, 12, 0); fmt.Sprint(ids(evs)) != "[main-9-0 main-12-0 main-12-1]" {
		t.Errorf("range 7..12: %v", ids(evs))
	}
}

func testNetChanges(t *testing.T, s spv.Store) {
	g := initStore(t, s)
	cbs := chainOf("main", g, 2)
	op := func(i uint32) chainhash.OutPoint { return chainhash.OutPoint{Hash: H("op"), Index: i} }
	must(t, s.Commit(&spv.Batch{
		Connect:        cbs,
		FluxnodePut:    []spv.FluxnodeRecord{{OutPoint: op(1), Data: []byte("a")}, {OutPoint: op(2), Data: []byte("b")}},
		FluxnodeDelete: []chainhash.OutPoint{{Hash: H("fn"), Index: 1}},
		UTXOPut:        []spv.UTXORecord{{OutPoint: op(3), Value: 7, Script: []byte{0xa9}, Height: 2}},
		Watched:        []spv.WatchedTx{{TxID: H("w"), Mined: true, Height: 2, BlockHash: cbs[1].Header.Hash}},
		Tip:            tipOf(cbs),
	}))
	must(t, s.Watch(H("w2")))
	must(t, s.Watch(H("w2")))
	fs, _ := s.Fluxnodes()
	if len(fs) != 2 || fs[0].OutPoint != op(1) || string(fs[1].Data) != "b" {
		t.Fatalf("fluxnodes %+v", fs)
	}
	us, _ := s.UTXOs()
	if len(us) != 1 || us[0].Value != 7 || us[0].Height != 2 || !bytes.Equal(us[0].Script, []byte{0xa9}) {
		t.Fatalf("utxos %+v", us)
	}
	ws, _ := s.Watched()
	if len(ws) != 2 {
		t.Fatalf("watched %+v", ws)
	}
	for _, w := range ws {
		if (w.TxID == H("w")) != w.Mined || (w.Mined && w.BlockHash != cbs[1].Header.Hash) {
			t.Fatalf("watched %+v", w)
		}
	}
	more := chainOf("main", cbs[1].Header, 1)
	must(t, s.Commit(&spv.Batch{
		Connect:        more,
		FluxnodeDelete: []chainhash.OutPoint{op(1)},
		UTXODelete:     []chainhash.OutPoint{op(3)},
		Watched:        []spv.WatchedTx{{TxID: H("w")}},
		Tip:            tipOf(more),
	}))
	if fs, _ := s.Fluxnodes(); len(fs) != 1 {
		t.Fatalf("fluxnodes after delete %+v", fs)
	}
	if us, _ := s.UTXOs(); len(us) != 0 {
		t.Fatalf("utxos after delete %+v", us)
	}
	if ws, _ := s.Watched(); ws[0].Mined || ws[1].Mined {
		t.Fatalf("watched after unmining %+v", ws)
	}
}

func testPrune(t *testing.T, s spv.Store) {
	g := initStore(t, s)
	cbs := chainOf("main", g, 10)
	must(t, s.Commit(&spv.Batch{Connect: cbs, Tip: tipOf(cbs), PruneUndoBelow: 6}))
	for i, cb := range cbs {
		_, ok, err := s.Undo(cb.Header.Hash)
		if err != nil || ok != (cb.Header.Height >= 6) {
			t.Fatalf("undo of block %d kept = %v (%v)", i+1, ok, err)
		}
	}
}

func testAtomic(t *testing.T, s spv.Store) {
	g := initStore(t, s)
	cbs := chainOf("main", g, 5)
	bad := &spv.Batch{
		Connect:     cbs,
		FluxnodePut: []spv.FluxnodeRecord{{OutPoint: chainhash.OutPoint{Hash: H("x")}, Data: []byte("x")}},
		Tip:         spv.BlockRef{Hash: H("not connected"), Height: 5},
	}
	if err := s.Commit(bad); err == nil {
		t.Fatal("a batch whose tip is not its last block committed")
	}
	st, _, _ := s.State()
	if st.TipHeight != 0 {
		t.Fatalf("tip moved to %d", st.TipHeight)
	}
	if _, ok, _ := s.HeaderAt(3); ok {
		t.Fatal("a header of the failed batch was kept")
	}
	if fs, _ := s.Fluxnodes(); len(fs) != 1 {
		t.Fatal("a fluxnode of the failed batch was kept")
	}
	must(t, s.Commit(&spv.Batch{Connect: cbs, Tip: tipOf(cbs)}))
}

func ids(evs []spv.EventRecord) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}
