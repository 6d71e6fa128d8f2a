package fluxnode

import (
	"bytes"
	"slices"
	"sort"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// Set is the fluxnode set of one chain state: fluxd's three trackers (START,
// DoS and confirmed) merged into one map keyed by collateral, plus indexes by
// height so that a block's expiries are found without scanning every entry.
// A Set is not safe for concurrent use.
type Set struct {
	p       *params.Params
	entries map[chainhash.OutPoint]*Entry
	// started and dos index StatusStarted and StatusDoS entries by
	// StartHeight; confirmed indexes StatusConfirmed entries by
	// LastConfirmedHeight.
	started, dos, confirmed heightIndex

	// tip is the height of the last applied block when tipKnown. A set built
	// from entries alone does not know it and accepts any next height once.
	tip      int32
	tipKnown bool
	// backfilled is the last height Backfill replayed (0 before the first);
	// applied is set by the first ApplyBlock, after which Backfill refuses.
	backfilled int32
	applied    bool
}

// NewSet returns an empty set for network p (sync from genesis).
func NewSet(p *params.Params) *Set {
	return &Set{
		p:         p,
		entries:   make(map[chainhash.OutPoint]*Entry),
		started:   newHeightIndex(),
		dos:       newHeightIndex(),
		confirmed: newHeightIndex(),
	}
}

// NewSetFromEntries returns a set holding copies of es (as stored by the
// caller after the last applied block). An entry with an invalid Status is
// ignored; of two entries with the same collateral the later wins. The set
// does not know the height of the last applied block, so the first
// ApplyBlock or Revert is not checked against it.
func NewSetFromEntries(p *params.Params, es []Entry) *Set {
	s := NewSet(p)
	for _, e := range es {
		if !e.Status.valid() {
			continue
		}
		s.put(e.clone())
	}
	return s
}

// NewSetFromSnapshot returns the set a snapshot describes, positioned after
// block snap.Height: the next ApplyBlock must be for snap.Height+1, and
// Backfill may replay the blocks before it (see Backfill).
func NewSetFromSnapshot(p *params.Params, snap *Snapshot) *Set {
	s := NewSetFromEntries(p, snap.Entries)
	s.tip, s.tipKnown = snap.Height, true
	return s
}

// Lookup returns the entry of collateral op if any tracker holds it: fluxd's
// GetFluxnodeData, which PoN block validation uses to find the producer's
// operational key. Started and DoS entries are found too, exactly as fluxd
// finds them. The returned Entry is a copy.
func (s *Set) Lookup(op chainhash.OutPoint) (Entry, bool) {
	e, ok := s.entries[op]
	if !ok {
		return Entry{}, false
	}
	return e.clone(), true
}

// Len returns the number of entries in all three trackers.
func (s *Set) Len() int { return len(s.entries) }

// Count returns the number of entries with status st.
func (s *Set) Count(st Status) int {
	switch st {
	case StatusStarted:
		return s.started.n
	case StatusDoS:
		return s.dos.n
	case StatusConfirmed:
		return s.confirmed.n
	}
	return 0
}

// Entries returns copies of every entry, sorted by collateral (txid bytes in
// internal order, then output index).
func (s *Set) Entries() []Entry {
	out := make([]Entry, 0, len(s.entries))
	for _, e := range s.entries {
		out = append(out, e.clone())
	}
	sort.Slice(out, func(i, j int) bool { return lessOutPoint(out[i].Collateral, out[j].Collateral) })
	return out
}

// Tip returns the height of the last applied block, if the set knows it.
func (s *Set) Tip() (int32, bool) { return s.tip, s.tipKnown }

func lessOutPoint(a, b chainhash.OutPoint) bool {
	if c := bytes.Compare(a.Hash[:], b.Hash[:]); c != 0 {
		return c < 0
	}
	return a.Index < b.Index
}

// put inserts or replaces the entry for e.Collateral and indexes it. e must
// not be shared with the caller.
func (s *Set) put(e Entry) {
	s.remove(e.Collateral)
	pe := &e
	s.entries[e.Collateral] = pe
	s.index(pe, true)
}

// remove deletes the entry of op, if any, from the map and the indexes.
func (s *Set) remove(op chainhash.OutPoint) {
	if old, ok := s.entries[op]; ok {
		s.index(old, false)
		delete(s.entries, op)
	}
}

func (s *Set) index(e *Entry, add bool) {
	var ix *heightIndex
	h := e.StartHeight
	switch e.Status {
	case StatusStarted:
		ix = &s.started
	case StatusDoS:
		ix = &s.dos
	case StatusConfirmed:
		ix, h = &s.confirmed, e.LastConfirmedHeight
	default:
		return
	}
	if add {
		ix.add(h, e.Collateral)
	} else {
		ix.remove(h, e.Collateral)
	}
}

// heightIndex maps a height to the collaterals indexed at it and keeps the
// heights in ascending order, so that "every entry at height h" and "every
// entry below height h" cost only what they return.
type heightIndex struct {
	at      map[int32]map[chainhash.OutPoint]struct{}
	heights []int32 // ascending, each with a non-empty set in at
	n       int
}

func newHeightIndex() heightIndex {
	return heightIndex{at: make(map[int32]map[chainhash.OutPoint]struct{})}
}

func (x *heightIndex) add(h int32, op chainhash.OutPoint) {
	m, ok := x.at[h]
	if !ok {
		m = make(map[chainhash.OutPoint]struct{})
		x.at[h] = m
		i, _ := slices.BinarySearch(x.heights, h)
		x.heights = slices.Insert(x.heights, i, h)
	}
	if _, dup := m[op]; !dup {
		m[op] = struct{}{}
		x.n++
	}
}

func (x *heightIndex) remove(h int32, op chainhash.OutPoint) {
	m, ok := x.at[h]
	if !ok {
		return
	}
	if _, ok := m[op]; !ok {
		return
	}
	delete(m, op)
	x.n--
	if len(m) == 0 {
		delete(x.at, h)
		if i, found := slices.BinarySearch(x.heights, h); found {
			x.heights = slices.Delete(x.heights, i, i+1)
		}
	}
}

// exactly returns the collaterals indexed at height h, sorted.
func (x *heightIndex) exactly(h int32) []chainhash.OutPoint {
	return sortedKeys(x.at[h])
}

// below returns the collaterals indexed at heights < h, sorted.
func (x *heightIndex) below(h int32) []chainhash.OutPoint {
	var out []chainhash.OutPoint
	for _, k := range x.heights {
		if k >= h {
			break
		}
		for op := range x.at[k] {
			out = append(out, op)
		}
	}
	sort.Slice(out, func(i, j int) bool { return lessOutPoint(out[i], out[j]) })
	return out
}

func sortedKeys(m map[chainhash.OutPoint]struct{}) []chainhash.OutPoint {
	if len(m) == 0 {
		return nil
	}
	out := make([]chainhash.OutPoint, 0, len(m))
	for op := range m {
		out = append(out, op)
	}
	sort.Slice(out, func(i, j int) bool { return lessOutPoint(out[i], out[j]) })
	return out
}
