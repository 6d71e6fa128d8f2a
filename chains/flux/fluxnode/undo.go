package fluxnode

import (
	"sort"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
)

// Limits of the binary Undo encoding.
const (
	// MaxUndoChanges bounds the changes one block's undo may hold. A block
	// changes at most every entry of the set (a mass expiry); the live set
	// holds about 10^4 entries.
	MaxUndoChanges = 1 << 20
	// minChangeSize is the smallest encoded change: outpoint and flag.
	minChangeSize = 36 + 1
)

// undoVersion is the first byte of the binary Undo encoding.
const undoVersion = 1

// Change is one entry a block changed: its state before the block.
type Change struct {
	// Collateral is the entry's key.
	Collateral chainhash.OutPoint
	// Prev is the entry before the block, or nil if there was none.
	Prev *Entry
}

// Undo is what Revert needs to undo one ApplyBlock: the previous state of
// every entry the block changed, sorted by collateral. It is fluxd's
// CFluxnodeTxBlockUndo in a simpler form: whole previous entries instead of
// per-rule fields, so that Revert restores the earlier state exactly.
type Undo struct {
	// Height is the height of the block the undo reverts.
	Height int32
	// Changes are the changed entries' previous states, sorted by collateral,
	// one per collateral.
	Changes []Change
	// Skipped lists the fluxnode transactions ApplyBlock ignored. It is
	// informational and not part of the binary encoding.
	Skipped []Skip
}

// Touched returns the collaterals whose entries the block changed (added,
// modified or removed), sorted; after ApplyBlock or Revert the caller
// re-writes exactly these rows (Lookup gives the new value, or none).
func (u *Undo) Touched() []chainhash.OutPoint {
	out := make([]chainhash.OutPoint, len(u.Changes))
	for i, c := range u.Changes {
		out[i] = c.Collateral
	}
	return out
}

// Revert undoes u, which must be the undo of the last block applied (and not
// yet reverted): the set returns exactly to its state before that block. It
// fails with ErrUndo, leaving the set unchanged, when u is for another height
// or is inconsistent.
func (s *Set) Revert(u *Undo) error {
	const op = "Revert"
	if u == nil {
		return errorf(op, ErrUndo, nil, "nil undo")
	}
	if s.tipKnown && u.Height != s.tip {
		return errorf(op, ErrUndo, nil, "undo of block %d, last applied block is %d", u.Height, s.tip)
	}
	for i, c := range u.Changes {
		if i > 0 && !lessOutPoint(u.Changes[i-1].Collateral, c.Collateral) {
			return errorf(op, ErrUndo, nil, "changes not sorted and unique at %s", c.Collateral)
		}
		if c.Prev != nil && (c.Prev.Collateral != c.Collateral || !c.Prev.Status.valid()) {
			return errorf(op, ErrUndo, nil, "change %s holds entry %s with status %d", c.Collateral, c.Prev.Collateral, c.Prev.Status)
		}
	}
	for _, c := range u.Changes {
		if c.Prev == nil {
			s.remove(c.Collateral)
		} else {
			s.put(c.Prev.clone())
		}
	}
	s.tip, s.tipKnown = u.Height-1, true
	return nil
}

// recorder keeps the state of each entry before its first change in a block.
type recorder struct {
	s    *Set
	prev map[chainhash.OutPoint]*Entry
}

func (r *recorder) touch(op chainhash.OutPoint) {
	if _, done := r.prev[op]; done {
		return
	}
	var p *Entry
	if e, ok := r.s.entries[op]; ok {
		c := e.clone()
		p = &c
	}
	r.prev[op] = p
}

// changes returns the recorded states, sorted by collateral.
func (r *recorder) changes() []Change {
	out := make([]Change, 0, len(r.prev))
	for op, p := range r.prev {
		out = append(out, Change{Collateral: op, Prev: p})
	}
	sort.Slice(out, func(i, j int) bool { return lessOutPoint(out[i].Collateral, out[j].Collateral) })
	return out
}

// MarshalBinary encodes u (without Skipped): a version byte, the height, and
// the changes, each an outpoint, a presence flag and, if present, the
// length-prefixed Entry encoding. It fails with ErrEncode when the changes
// are not sorted and unique, exceed MaxUndoChanges, or an entry cannot be
// encoded.
func (u *Undo) MarshalBinary() ([]byte, error) {
	const op = "Undo.MarshalBinary"
	if len(u.Changes) > MaxUndoChanges {
		return nil, errorf(op, ErrEncode, nil, "%d changes", len(u.Changes))
	}
	w := codec.NewWriter(8 + len(u.Changes)*200)
	w.Uint8(undoVersion)
	w.Int32(u.Height)
	w.CompactSize(uint64(len(u.Changes)))
	for i, c := range u.Changes {
		if i > 0 && !lessOutPoint(u.Changes[i-1].Collateral, c.Collateral) {
			return nil, errorf(op, ErrEncode, nil, "changes not sorted and unique at %s", c.Collateral)
		}
		w.OutPoint(c.Collateral)
		if c.Prev == nil {
			w.Uint8(0)
			continue
		}
		if c.Prev.Collateral != c.Collateral {
			return nil, errorf(op, ErrEncode, nil, "change %s holds entry %s", c.Collateral, c.Prev.Collateral)
		}
		w.Uint8(1)
		ew := codec.NewWriter(256)
		if err := c.Prev.encode(ew); err != nil {
			return nil, err
		}
		w.VarBytes(ew.Bytes())
	}
	return w.Bytes(), nil
}

// UnmarshalUndo decodes an Undo written by MarshalBinary. Counts and lengths
// are checked against MaxUndoChanges, MaxEntrySize and the bytes left before
// allocating; changes must be sorted and unique and each entry must carry
// its change's collateral. Any failure is an *Error with code ErrDecode.
func UnmarshalUndo(b []byte) (*Undo, error) {
	u, err := decodeUndo(codec.NewReader(b))
	if err != nil {
		return nil, errorf("UnmarshalUndo", ErrDecode, err, "")
	}
	return u, nil
}

func decodeUndo(r *codec.Reader) (*Undo, error) {
	v, err := r.Uint8("undo.version")
	if err != nil {
		return nil, err
	}
	if v != undoVersion {
		return nil, codec.Errorf("undo.version", 0, codec.ErrInvalid, "version %d", v)
	}
	u := new(Undo)
	if u.Height, err = r.Int32("undo.height"); err != nil {
		return nil, err
	}
	n, err := r.Count("undo.changes.count", MaxUndoChanges, minChangeSize)
	if err != nil {
		return nil, err
	}
	u.Changes = make([]Change, n)
	for i := range u.Changes {
		c := &u.Changes[i]
		start := r.Offset()
		if c.Collateral, err = r.OutPoint("undo.change.collateral"); err != nil {
			return nil, err
		}
		if i > 0 && !lessOutPoint(u.Changes[i-1].Collateral, c.Collateral) {
			return nil, codec.Errorf("undo.change.collateral", start, codec.ErrInvalid, "changes not sorted and unique")
		}
		flag, err := r.Uint8("undo.change.present")
		if err != nil {
			return nil, err
		}
		switch flag {
		case 0:
			continue
		case 1:
		default:
			return nil, codec.Errorf("undo.change.present", r.Offset()-1, codec.ErrInvalid, "flag %d", flag)
		}
		entryStart := r.Offset()
		raw, err := r.VarBytes("undo.change.entry", MaxEntrySize)
		if err != nil {
			return nil, err
		}
		er := codec.NewReader(raw)
		e, err := decodeEntry(er)
		if err == nil {
			err = er.End("undo.change.entry")
		}
		if err != nil {
			return nil, err
		}
		if e.Collateral != c.Collateral {
			return nil, codec.Errorf("undo.change.entry", entryStart, codec.ErrInvalid, "entry %s under change %s", e.Collateral, c.Collateral)
		}
		c.Prev = &e
	}
	if err := r.End("undo"); err != nil {
		return nil, err
	}
	return u, nil
}
