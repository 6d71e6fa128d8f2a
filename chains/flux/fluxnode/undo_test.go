package fluxnode

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// blockGen draws random blocks from pool collaterals; the weights set how
// often each kind of transaction appears.
type blockGen struct {
	pool                                          int
	start, confirm, update, spend, unrelated, bad int
}

var defaultGen = blockGen{pool: 60, start: 2, confirm: 2, update: 3, spend: 1, unrelated: 1, bad: 1}

// randomEntries returns n entries in plausible states for a set after block tip.
func randomEntries(rng *rand.Rand, n int, tip int32) []Entry {
	es := make([]Entry, 0, n)
	for i := 0; i < n; i++ {
		e := Entry{Collateral: testOP(i), PubKey: testKey(i), CollateralPubKey: testKey(1000 + i), Tier: uint8(rng.IntN(4))}
		switch rng.IntN(3) {
		case 0:
			e.Status, e.StartHeight = StatusStarted, tip-rng.Int32N(240)
		case 1:
			e.Status, e.StartHeight = StatusDoS, tip-240-rng.Int32N(480)
			e.DoSHeight = e.StartHeight + 240
		default:
			e.Status, e.StartHeight = StatusConfirmed, tip-800-rng.Int32N(100)
			e.ConfirmedHeight = e.StartHeight + 5
			e.LastConfirmedHeight = tip - rng.Int32N(700)
			e.IP = "10.0.0.1:16125"
		}
		es = append(es, e)
	}
	return es
}

// randomBlock builds the transactions of block h against the current set:
// mostly valid changes, some that fluxd would reject, and unrelated spends.
func (g blockGen) block(rng *rand.Rand, s *Set, h int32) []*tx.Tx {
	txs := []*tx.Tx{coinbaseTx(h)}
	var started, confirmed []int
	for n := 0; n < g.pool; n++ {
		if e, ok := s.entries[testOP(n)]; ok {
			switch e.Status {
			case StatusStarted:
				started = append(started, n)
			case StatusConfirmed:
				confirmed = append(confirmed, n)
			}
		}
	}
	pick := func(ns []int) int {
		if len(ns) == 0 || rng.IntN(8) == 0 {
			return rng.IntN(g.pool)
		}
		return ns[rng.IntN(len(ns))]
	}
	ips := []string{"10.0.0.1:16125", "10.0.0.2:16125"}
	total := g.start + g.confirm + g.update + g.spend + g.unrelated + g.bad
	for k := rng.IntN(5); k > 0; k-- {
		switch r := rng.IntN(total); {
		case r < g.start:
			txs = append(txs, startTx(rng.IntN(g.pool)))
		case r < g.start+g.confirm:
			txs = append(txs, confirmTx(pick(started), false, ips[rng.IntN(2)]))
		case r < g.start+g.confirm+g.update:
			txs = append(txs, confirmTx(pick(confirmed), true, ips[rng.IntN(2)]))
		case r < g.start+g.confirm+g.update+g.spend:
			txs = append(txs, spendTx(testOP(pick(confirmed)), testOP(rng.IntN(g.pool))))
		case r < total-g.bad:
			txs = append(txs, spendTx(chainhash.OutPoint{Hash: chainhash.Hash{byte(h)}, Index: 1}))
		default:
			bad := confirmTx(pick(confirmed), true, "x")
			bad.Fluxnode.UpdateType = 7
			txs = append(txs, bad)
		}
	}
	return txs
}

// checkIndexes verifies the set's internal invariants: every entry is in
// exactly the index of its status at the right height, and nothing else is.
func checkIndexes(t *testing.T, s *Set) {
	t.Helper()
	total := 0
	for _, ix := range []*heightIndex{&s.started, &s.dos, &s.confirmed} {
		total += ix.n
		count := 0
		for i, h := range ix.heights {
			if i > 0 && ix.heights[i-1] >= h {
				t.Fatalf("index heights not ascending: %v", ix.heights)
			}
			if len(ix.at[h]) == 0 {
				t.Fatalf("index height %d without entries", h)
			}
			count += len(ix.at[h])
		}
		if count != ix.n || len(ix.at) != len(ix.heights) {
			t.Fatalf("index count %d, n %d, %d maps for %d heights", count, ix.n, len(ix.at), len(ix.heights))
		}
	}
	if total != len(s.entries) {
		t.Fatalf("indexes hold %d entries, set %d", total, len(s.entries))
	}
	for op, e := range s.entries {
		var ix *heightIndex
		h := e.StartHeight
		switch e.Status {
		case StatusStarted:
			ix = &s.started
		case StatusDoS:
			ix = &s.dos
		default:
			ix, h = &s.confirmed, e.LastConfirmedHeight
		}
		if _, ok := ix.at[h][op]; !ok {
			t.Fatalf("entry %s (%s) not indexed at %d", op, e.Status, h)
		}
	}
}

func entryMap(t *testing.T, s *Set) map[chainhash.OutPoint]string {
	m := make(map[chainhash.OutPoint]string, s.Len())
	for _, e := range s.Entries() {
		b, err := e.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		m[e.Collateral] = string(b)
	}
	return m
}

// Random blocks applied and then reverted in reverse order, each through a
// MarshalBinary/UnmarshalUndo round trip, restore every earlier state
// exactly; Touched lists exactly the entries that changed.
func TestRandomBlocksRevertRestoresEveryState(t *testing.T) {
	const tip, blocks = 5000, 800
	for seed := uint64(1); seed <= 5; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0xf1))
		s := NewSetFromEntries(params.SimNet, randomEntries(rng, 40, tip))
		states := [][]byte{stateBytes(t, s)}
		var undos []*Undo
		applied, skipped := 0, 0
		for h := int32(tip + 1); h <= tip+blocks; h++ {
			before := entryMap(t, s)
			u, err := s.ApplyBlock(h, defaultGen.block(rng, s, h))
			if err != nil {
				t.Fatalf("seed %d: ApplyBlock(%d): %v", seed, h, err)
			}
			skipped += len(u.Skipped)
			after := entryMap(t, s)
			var changed []chainhash.OutPoint
			for op := range union(before, after) {
				if before[op] != after[op] {
					changed = append(changed, op)
				}
			}
			sortOPs(changed)
			if !reflect.DeepEqual(nilIfEmpty(changed), nilIfEmpty(u.Touched())) {
				t.Fatalf("seed %d block %d: Touched %v, changed %v", seed, h, u.Touched(), changed)
			}
			applied += len(changed)
			raw, err := u.MarshalBinary()
			if err != nil {
				t.Fatalf("seed %d block %d: MarshalBinary: %v", seed, h, err)
			}
			u2, err := UnmarshalUndo(raw)
			if err != nil {
				t.Fatalf("seed %d block %d: UnmarshalUndo: %v", seed, h, err)
			}
			if u2.Height != u.Height || !reflect.DeepEqual(u2.Changes, nilIfEmptyChanges(u.Changes)) {
				t.Fatalf("seed %d block %d: undo round trip differs", seed, h)
			}
			undos = append(undos, u2)
			states = append(states, stateBytes(t, s))
			if h%97 == 0 {
				checkIndexes(t, s)
			}
		}
		if applied < blocks/2 || skipped == 0 {
			t.Fatalf("seed %d: only %d entry changes and %d skips in %d blocks; the generator is too tame", seed, applied, skipped, blocks)
		}
		for i := len(undos) - 1; i >= 0; i-- {
			if err := s.Revert(undos[i]); err != nil {
				t.Fatalf("seed %d: Revert(%d): %v", seed, undos[i].Height, err)
			}
			if !bytes.Equal(stateBytes(t, s), states[i]) {
				t.Fatalf("seed %d: state after reverting block %d differs from the state before it", seed, undos[i].Height)
			}
		}
		checkIndexes(t, s)
	}
}

func withoutSkipped(txs []*tx.Tx, skipped []Skip) []*tx.Tx {
	drop := make(map[int]bool, len(skipped))
	for _, sk := range skipped {
		drop[sk.TxIndex] = true
	}
	var out []*tx.Tx
	for i, t := range txs {
		if !drop[i] {
			out = append(out, t)
		}
	}
	return out
}

func union(a, b map[chainhash.OutPoint]string) map[chainhash.OutPoint]struct{} {
	u := make(map[chainhash.OutPoint]struct{}, len(a)+len(b))
	for k := range a {
		u[k] = struct{}{}
	}
	for k := range b {
		u[k] = struct{}{}
	}
	return u
}

func sortOPs(ops []chainhash.OutPoint) {
	for i := 1; i < len(ops); i++ {
		for j := i; j > 0 && lessOutPoint(ops[j], ops[j-1]); j-- {
			ops[j], ops[j-1] = ops[j-1], ops[j]
		}
	}
}

func nilIfEmpty(ops []chainhash.OutPoint) []chainhash.OutPoint {
	if len(ops) == 0 {
		return nil
	}
	return ops
}

func nilIfEmptyChanges(cs []Change) []Change {
	if len(cs) == 0 {
		return []Change{}
	}
	return cs
}

func TestRevertRefusesAnUndoOfAnotherBlock(t *testing.T) {
	s := NewSet(params.SimNet)
	us := chain(t, s, 100, 102, map[int32][]*tx.Tx{100: {startTx(1)}, 101: {confirmTx(1, false, "a:1")}})
	before := stateBytes(t, s)
	if err := s.Revert(us[1]); !errors.Is(err, ErrUndo) {
		t.Fatalf("Revert(undo of 101) at tip 102: %v, want ErrUndo", err)
	}
	if err := s.Revert(nil); !errors.Is(err, ErrUndo) {
		t.Fatalf("Revert(nil): %v, want ErrUndo", err)
	}
	bad := &Undo{Height: 102, Changes: []Change{{Collateral: testOP(2)}, {Collateral: testOP(1)}}}
	if lessOutPoint(testOP(2), testOP(1)) {
		bad.Changes[0], bad.Changes[1] = bad.Changes[1], bad.Changes[0]
	}
	bad.Changes = append(bad.Changes, bad.Changes[0])
	if err := s.Revert(bad); !errors.Is(err, ErrUndo) {
		t.Fatalf("Revert(unsorted): %v, want ErrUndo", err)
	}
	wrong := &Undo{Height: 102, Changes: []Change{{Collateral: testOP(1), Prev: &Entry{Collateral: testOP(2), Status: StatusStarted}}}}
	if err := s.Revert(wrong); !errors.Is(err, ErrUndo) {
		t.Fatalf("Revert(entry under another collateral): %v, want ErrUndo", err)
	}
	if !bytes.Equal(before, stateBytes(t, s)) {
		t.Fatal("a refused Revert changed the set")
	}
	for i := 2; i >= 0; i-- {
		if err := s.Revert(us[i]); err != nil {
			t.Fatalf("Revert(%d): %v", us[i].Height, err)
		}
	}
	if s.Len() != 0 {
		t.Fatalf("%d entries after reverting everything", s.Len())
	}
	// The set now knows its tip: block 100 must come next.
	if _, err := s.ApplyBlock(101, nil); !errors.Is(err, ErrHeight) {
		t.Fatalf("ApplyBlock(101) after reverting to 99: %v, want ErrHeight", err)
	}
}

// A snapshot like fluxd's (confirmed nodes only) plus Backfill of the blocks
// from BackfillFrom(anchor) rebuilds exactly the set a node that processed
// every block holds, and both stay equal afterwards.
func TestBackfillRebuildsStartAndDoSTrackers(t *testing.T) {
	const anchor, after = 1600, 400
	gen := blockGen{pool: 400, start: 6, confirm: 1, update: 3, spend: 1, unrelated: 1, bad: 1}
	for seed := uint64(1); seed <= 3; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0xbf))
		full := NewSet(params.SimNet)
		blocks := make(map[int32][]*tx.Tx)
		var confirmedOnly []Entry
		for h := int32(1); h <= anchor; h++ {
			txs := gen.block(rng, full, h)
			u, err := full.ApplyBlock(h, txs)
			if err != nil {
				t.Fatal(err)
			}
			// Keep the chain valid: drop what fluxd would have rejected (a
			// START for a collateral confirmed at the time, which the
			// snapshot may no longer show, cannot be told apart later).
			blocks[h] = withoutSkipped(txs, u.Skipped)
		}
		for _, e := range full.Entries() {
			if e.Status == StatusConfirmed {
				confirmedOnly = append(confirmedOnly, e)
			}
		}
		if full.Count(StatusStarted) == 0 || full.Count(StatusDoS) == 0 || len(confirmedOnly) == 0 {
			t.Fatalf("seed %d: started %d, DoS %d, confirmed %d at the anchor; the test proves nothing",
				seed, full.Count(StatusStarted), full.Count(StatusDoS), len(confirmedOnly))
		}
		anch := NewSetFromSnapshot(params.SimNet, &Snapshot{Height: anchor, Entries: confirmedOnly})
		if _, err := anch.Backfill(anchor+1, nil); !errors.Is(err, ErrHeight) {
			t.Fatalf("Backfill above the anchor: %v, want ErrHeight", err)
		}
		for b := BackfillFrom(anchor); b <= anchor; b++ {
			if _, err := anch.Backfill(b, blocks[b]); err != nil {
				t.Fatalf("Backfill(%d): %v", b, err)
			}
		}
		if _, err := anch.Backfill(anchor, blocks[anchor]); !errors.Is(err, ErrHeight) {
			t.Fatalf("Backfill twice: %v, want ErrHeight", err)
		}
		if !bytes.Equal(stateBytes(t, anch), stateBytes(t, full)) {
			t.Fatalf("seed %d: backfilled set differs from the full set at the anchor", seed)
		}
		checkIndexes(t, anch)
		for h := int32(anchor + 1); h <= anchor+after; h++ {
			txs := gen.block(rng, full, h)
			if _, err := full.ApplyBlock(h, txs); err != nil {
				t.Fatal(err)
			}
			if _, err := anch.ApplyBlock(h, txs); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(stateBytes(t, anch), stateBytes(t, full)) {
			t.Fatalf("seed %d: sets diverged after the anchor", seed)
		}
		if _, err := anch.Backfill(anchor, nil); !errors.Is(err, ErrHeight) {
			t.Fatalf("Backfill after ApplyBlock: %v, want ErrHeight", err)
		}
	}
}
