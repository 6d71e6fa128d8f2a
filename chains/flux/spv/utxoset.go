package spv

import (
	"bytes"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
)

// utxoSet is the reserve's unspent outputs at the working tip, in memory.
// The outpoint is the key of a compact entry, and each distinct script is
// kept once (the reserve pays to one or two: the current set's P2SH, and
// the next set's during a rotation), so an output costs about 60 bytes
// rather than the 180 of a UTXORecord with its own script: the set is as
// large as the reserve's unconsolidated outputs, which a burst of locks
// grows by thousands.
type utxoSet struct {
	m       map[chainhash.OutPoint]utxoEntry
	scripts [][]byte // distinct scripts, by utxoEntry.script
}

// utxoEntry is one output of a utxoSet without its outpoint.
type utxoEntry struct {
	value  int64
	height int32
	script uint32 // index into utxoSet.scripts
}

func newUTXOSet(capacity int) *utxoSet {
	return &utxoSet{m: make(map[chainhash.OutPoint]utxoEntry, capacity)}
}

// get returns the output at op.
func (s *utxoSet) get(op chainhash.OutPoint) (UTXORecord, bool) {
	e, ok := s.m[op]
	if !ok {
		return UTXORecord{}, false
	}
	return s.record(op, e), true
}

// has reports whether op is unspent.
func (s *utxoSet) has(op chainhash.OutPoint) bool {
	_, ok := s.m[op]
	return ok
}

// put adds (or replaces) the output r.
func (s *utxoSet) put(r UTXORecord) {
	s.m[r.OutPoint] = utxoEntry{value: r.Value, height: r.Height, script: s.intern(r.Script)}
}

// del removes the output at op, if unspent.
func (s *utxoSet) del(op chainhash.OutPoint) { delete(s.m, op) }

// len is the number of unspent outputs.
func (s *utxoSet) len() int { return len(s.m) }

// each calls f with every unspent output, in no order. The records share
// their scripts with the set: f must not modify them.
func (s *utxoSet) each(f func(UTXORecord)) {
	for op, e := range s.m {
		f(s.record(op, e))
	}
}

func (s *utxoSet) record(op chainhash.OutPoint, e utxoEntry) UTXORecord {
	return UTXORecord{OutPoint: op, Value: e.value, Script: s.scripts[e.script], Height: e.height}
}

// intern returns the index of script, adding a copy of it if it is new.
func (s *utxoSet) intern(script []byte) uint32 {
	for i, sc := range s.scripts {
		if bytes.Equal(sc, script) {
			return uint32(i)
		}
	}
	s.scripts = append(s.scripts, bytes.Clone(script))
	return uint32(len(s.scripts) - 1)
}
