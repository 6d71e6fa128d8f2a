package spv_test

import (
	"errors"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/store"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

func TestConnectBlocks(t *testing.T) {
	w := newWorld(t, 4)
	b := w.genesis()
	w.grow(b, 700, 0) // past the confirm expiry (640): producers live on update CONFIRMs
	n := w.openNode("")
	if err := n.headers(b, 1, b.tip()); err != nil {
		t.Fatal(err)
	}
	if got := n.chain.BestHeader(); got.Height != 700 || got.Hash != b.hash(700) {
		t.Fatalf("best header %d %s, want 700 %s", got.Height, got.Hash, b.hash(700))
	}
	if want := n.chain.WantBlocks(3); len(want) != 3 || want[0] != b.hash(1) || want[2] != b.hash(3) {
		t.Fatalf("WantBlocks(3) = %v", want)
	}
	if err := n.blocks(b, 100); err != nil {
		t.Fatal(err)
	}
	tip := n.chain.Tip()
	if tip.Height != 700 || tip.Hash != b.hash(700) {
		t.Fatalf("tip %d %s", tip.Height, tip.Hash)
	}
	if len(n.chain.WantBlocks(10)) != 0 {
		t.Fatal("WantBlocks not empty at the best header")
	}
	if got := n.chain.HeadersInMemory(); got > spv.WindowSize {
		t.Fatalf("%d headers in memory after 700 blocks, window %d", got, spv.WindowSize)
	}
	for _, h := range []int32{0, 1, 100, 499, 501, 700} { // below and inside the window
		got, ok := n.chain.HeaderAt(h)
		if !ok || got.BlockHash() != b.hash(h) {
			t.Fatalf("HeaderAt(%d) = %v, %v", h, ok, got)
		}
		if _, height, ok := n.chain.HeaderByHash(b.hash(h)); !ok || height != h {
			t.Fatalf("HeaderByHash(%d) = %d, %v", h, height, ok)
		}
	}
	if _, ok := n.chain.HeaderAt(701); ok {
		t.Fatal("HeaderAt above the tip")
	}
	loc := n.chain.Locator()
	if loc[0] != b.hash(700) || loc[len(loc)-1] != simnet.GenesisHash || len(loc) > 30 {
		t.Fatalf("locator of %d hashes from %s to %s", len(loc), loc[0], loc[len(loc)-1])
	}
	if n.chain.Fluxnodes() != 4 {
		t.Fatalf("%d fluxnodes", n.chain.Fluxnodes())
	}
}

func TestHeaderRules(t *testing.T) {
	w := newWorld(t, 2)
	b := w.genesis()
	w.grow(b, 5, 0)
	tests := []struct {
		name string
		hs   func() []*wire.BlockHeader
		want error
		code header.ErrorCode
	}{
		{"orphan headers are reported as such", func() []*wire.BlockHeader { return b.headers(3, 5) }, spv.ErrOrphanHeaders, ""},
		{"headers must be continuous", func() []*wire.BlockHeader {
			return append(b.headers(1, 2), b.headers(4, 4)...)
		}, spv.ErrNotContinuous, ""},
		{"nBits must equal the PoN retarget", func() []*wire.BlockHeader {
			h := b.headers(1, 1)
			h[0].Bits--
			return h
		}, nil, header.ErrBadPoNDiffBits},
		{"time must increase", func() []*wire.BlockHeader {
			h := b.headers(1, 1)
			for h[0].Time = simnet.GenesisTime(); header.CheckPoNTarget(h[0], 1, simnet) != nil; h[0].Time -= 30 {
			}
			return h
		}, nil, header.ErrTimeNotIncreasing},
		{"time may not be far in the future", func() []*wire.BlockHeader {
			h := b.headers(1, 1)
			h[0].Time = uint32(testNow.Unix()) + 3600
			return h
		}, nil, header.ErrTimeTooNew},
		{"a PoW header where PoN is active is refused", func() []*wire.BlockHeader {
			h := b.headers(1, 1)
			h[0].Version = 4
			return h
		}, nil, header.ErrInvalidSolution},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := w.openNode("")
			_, err := n.chain.ProcessHeaders(tc.hs())
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if tc.code != "" && header.CodeOf(err) != tc.code {
				t.Fatalf("error %v, want code %s", err, tc.code)
			}
			var he *spv.HeaderError
			if !errors.As(err, &he) {
				t.Fatalf("error %T is not a *HeaderError", err)
			}
			if n.chain.BestHeader().Height != 0 {
				t.Fatal("best header moved")
			}
		})
	}
}

func TestRestartResumes(t *testing.T) {
	w := newWorld(t, 3)
	b := w.genesis()
	w.grow(b, 300, 0)
	// The reference: one node syncing straight through.
	ref := w.openNode("")
	ref.mustSync(b)

	n := w.openNode("")
	if err := n.headers(b, 1, 260); err != nil {
		t.Fatal(err)
	}
	if err := n.blocks(b, 110); err != nil { // 110, 220, 260: stop in the middle
		t.Fatal(err)
	}
	if _, err := n.chain.ProcessHeaders(b.headers(261, 280)); err != nil {
		t.Fatal(err)
	}
	n = n.reopen(w)
	if tip := n.chain.Tip(); tip.Height != 260 || tip.Hash != b.hash(260) {
		t.Fatalf("after reopen: tip %d %s", tip.Height, tip.Hash)
	}
	if best := n.chain.BestHeader(); best.Height != 260 {
		t.Fatalf("after reopen: unconnected headers survived (best %d)", best.Height)
	}
	n.mustSync(b)
	if got, want := n.chain.FluxnodeSet(), ref.chain.FluxnodeSet(); !sameEntries(got, want) {
		t.Fatalf("fluxnode set differs after restart: %d vs %d entries", len(got), len(want))
	}
	if got, want := n.chain.Tip().Work, ref.chain.Tip().Work; got.Cmp(want) != 0 {
		t.Fatalf("work %v, reference %v", got, want)
	}
}

// failingStore is the real store with a fault injected: Commit fails after
// `ok` successful commits, as a crash between two batches would leave it.
type failingStore struct {
	*store.DB
	ok int
}

func (f *failingStore) Commit(b *spv.Batch) error {
	if f.ok == 0 {
		return errors.New("injected crash")
	}
	f.ok--
	return f.DB.Commit(b)
}

func TestCrashBetweenBatchesLosesNothing(t *testing.T) {
	w := newWorld(t, 3)
	b := w.genesis()
	w.grow(b, 120, 0)
	path := t.TempDir() + "/flux.db"
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	fs := &failingStore{DB: db, ok: 2}
	c, err := spv.Open(spv.Config{Params: simnet, Store: fs, Anchor: w.anchor(), Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ProcessHeaders(b.headers(1, 120)); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int32{40, 80} {
		if _, err := c.ProcessBlocks(b.msgs(int32(40*i+1), int32(40*i+40))); err != nil {
			t.Fatal(err)
		}
		if c.Tip().Height != want {
			t.Fatalf("tip %d, want %d", c.Tip().Height, want)
		}
	}
	if _, err := c.ProcessBlocks(b.msgs(81, 120)); err == nil {
		t.Fatal("the injected failure was not reported")
	}
	if _, err := c.ProcessBlocks(b.msgs(81, 120)); !errors.Is(err, spv.ErrStoreFailed) {
		t.Fatalf("a chain whose store failed went on: %v", err)
	}
	c.Close()
	db.Close()

	w2 := &node{t: t, path: path}
	n := w2.reopen(w)
	if tip := n.chain.Tip(); tip.Height != 80 || tip.Hash != b.hash(80) {
		t.Fatalf("after the crash: tip %d, want the last committed batch (80)", tip.Height)
	}
	n.mustSync(b)
}

func TestAnchor(t *testing.T) {
	w := newWorld(t, 2)
	b := w.genesis()
	w.grow(b, 40, 0)
	good := func() *spv.Anchor {
		snap := w.anchor().Fluxnodes
		snap.Height, snap.BlockHash = 40, b.hash(40)
		return &spv.Anchor{Height: 40, Hash: b.hash(40), Headers: b.headers(11, 40), Fluxnodes: snap}
	}
	tests := []struct {
		name   string
		anchor func() *spv.Anchor
		want   error
	}{
		{"a checkpoint anchor with its window opens", good, nil},
		{"headers must link", func() *spv.Anchor {
			a := good()
			a.Headers = append(b.headers(11, 20), b.headers(22, 40)...)
			return a
		}, spv.ErrBadAnchor},
		{"headers must end at the anchor hash", func() *spv.Anchor {
			a := good()
			a.Headers = b.headers(10, 39)
			return a
		}, spv.ErrAnchorMismatch},
		{"the PoN retarget window is needed", func() *spv.Anchor {
			a := good()
			a.Headers = b.headers(12, 40)
			return a
		}, spv.ErrBadAnchor},
		{"the snapshot must be at the anchor", func() *spv.Anchor {
			a := good()
			a.Fluxnodes.BlockHash = b.hash(39)
			return a
		}, spv.ErrAnchorMismatch},
		{"an anchor above genesis needs a snapshot", func() *spv.Anchor {
			a := good()
			a.Fluxnodes = nil
			return a
		}, spv.ErrBadAnchor},
		{"genesis must be the network's", func() *spv.Anchor {
			return &spv.Anchor{Height: 0, Hash: b.hash(1)}
		}, spv.ErrAnchorMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := store.MustOpen(t)
			c, err := spv.Open(spv.Config{Params: simnet, Store: db, Anchor: tc.anchor(), Now: func() time.Time { return testNow }})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open: %v, want %v", err, tc.want)
			}
			if err != nil {
				if _, ok, _ := db.State(); ok {
					t.Fatal("a refused anchor was written")
				}
				return
			}
			defer c.Close()
			if tip := c.Tip(); tip.Height != 40 || tip.Hash != b.hash(40) {
				t.Fatalf("tip %d %s", tip.Height, tip.Hash)
			}
			// From the anchor on, blocks connect and the set is the snapshot's.
			if _, err := c.ProcessHeaders(b.headers(30, 40)); err != nil {
				t.Fatal(err)
			}
			w.grow(b, 5, 0)
			defer func() { b.blocks = b.blocks[:41] }()
			if _, err := c.ProcessHeaders(b.headers(41, 45)); err != nil {
				t.Fatal(err)
			}
			if got, err := c.ProcessBlocks(b.msgs(41, 45)); err != nil || got != 5 {
				t.Fatalf("ProcessBlocks = %d, %v", got, err)
			}
		})
	}
}

func TestAnchorOfAnotherStoreIsRefused(t *testing.T) {
	w := newWorld(t, 2)
	b := w.genesis()
	w.grow(b, 35, 0)
	n := w.openNode("")
	path := n.path
	n.close()
	db, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	snap := w.anchor().Fluxnodes
	snap.Height, snap.BlockHash = 35, b.hash(35)
	other := &spv.Anchor{Height: 35, Hash: b.hash(35), Headers: b.headers(6, 35), Fluxnodes: snap}
	if _, err := spv.Open(spv.Config{Params: simnet, Store: db, Anchor: other}); !errors.Is(err, spv.ErrAnchorMismatch) {
		t.Fatalf("Open with another anchor: %v", err)
	}
	c, err := spv.Open(spv.Config{Params: simnet, Store: db}) // no anchor: the store's
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func sameEntries(a, b []fluxnode.Entry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, _ := a[i].MarshalBinary()
		y, _ := b[i].MarshalBinary()
		if string(x) != string(y) {
			return false
		}
	}
	return true
}
