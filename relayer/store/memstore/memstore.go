// Package memstore is an in-memory relayer.Store for unit tests of the
// pipeline. It keeps the contract of relayer/store.go as
// relayer/store/sqlite does (the conformance suite relayer/store/storetest
// runs against both): Updates run one at a time on a copy of the state that
// replaces it only when fn succeeds, Views read an immutable snapshot, times
// are kept to the millisecond, errors are *fault.Error values of the same
// kinds, and the journal is hash-chained and signed by relayer/journal
// exactly as the SQLite store seals it.
//
// Nothing is persisted: a Store lives as long as its test.
package memstore

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/journal"
	"github.com/fluxbridge/fluxbridge/signer"
)

// Config configures New.
type Config struct {
	// Signer signs journal entries.
	Signer signer.Signer
	// Now is the clock (default time.Now); each transaction takes it once.
	Now func() time.Time
}

// Store is an in-memory relayer.Store, safe for concurrent use.
type Store struct {
	cfg Config

	wmu sync.Mutex // serialises Updates

	mu     sync.RWMutex // guards cur and closed
	cur    *state       // the committed state; never changed once published
	closed bool
}

var _ relayer.Store = (*Store)(nil)

// New returns an empty store.
func New(cfg Config) (*Store, error) {
	if cfg.Signer == nil {
		return nil, fault.E("memstore.New", fault.Invalid, errors.New("a Signer is required"))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Store{cfg: cfg, cur: newState()}, nil
}

// snapshot returns the committed state.
func (s *Store) snapshot(op string) (*state, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, fault.E(op, fault.Internal, errors.New("the store is closed"))
	}
	return s.cur, nil
}

// now is a transaction's timestamp: the clock, in UTC, to the millisecond.
func (s *Store) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Millisecond) }

// Update runs fn in one write transaction (relayer.Store): on a copy of the
// committed state, published if fn succeeds and dropped if it fails.
func (s *Store) Update(ctx context.Context, fn func(relayer.Tx) error) error {
	const op = "memstore.Update"
	if err := ctx.Err(); err != nil {
		return fault.E(op, fault.Transient, err)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	base, err := s.snapshot(op)
	if err != nil {
		return err
	}
	t := &tx{ctx: ctx, signer: s.cfg.Signer, now: s.now(), st: base.clone()}
	err = fn(t)
	t.end()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fault.E(op, fault.Internal, errors.New("the store was closed during the Update"))
	}
	s.cur = t.st
	return nil
}

// View runs fn in a read transaction on the committed state (relayer.Store).
func (s *Store) View(ctx context.Context, fn func(relayer.Tx) error) error {
	const op = "memstore.View"
	if err := ctx.Err(); err != nil {
		return fault.E(op, fault.Transient, err)
	}
	st, err := s.snapshot(op)
	if err != nil {
		return err
	}
	t := &tx{ctx: ctx, now: s.now(), st: st, ro: true}
	defer t.end()
	return fn(t)
}

// Close closes the store: Update and View fail from now on.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// JournalHead returns the last journal entry (ok = false when empty).
func (s *Store) JournalHead(ctx context.Context) (journal.Entry, bool, error) {
	st, err := s.snapshot("memstore.JournalHead")
	if err != nil || len(st.journal) == 0 {
		return journal.Entry{}, false, err
	}
	return cloneEntry(st.journal[len(st.journal)-1]), true, nil
}

// JournalRange returns up to limit journal entries from seq on, in order (a
// negative limit: all of them).
func (s *Store) JournalRange(ctx context.Context, from uint64, limit int) ([]journal.Entry, error) {
	st, err := s.snapshot("memstore.JournalRange")
	if err != nil {
		return nil, err
	}
	es := st.journal[min(uint64(len(st.journal)), max(from, 1)-1):] // entry seq n is at n-1
	if limit >= 0 && len(es) > limit {
		es = es[:limit]
	}
	out := make([]journal.Entry, len(es))
	for i, e := range es {
		out[i] = cloneEntry(e)
	}
	return out, nil
}

// state is everything a store holds. A published state is never changed: an
// Update works on a clone, which copies the maps and clips the slices so
// that appends reallocate.
type state struct {
	cursors   map[string]chains.Cursor
	transfers map[string]relayer.Transfer
	// attestations holds each transfer's attestations by signer; an inner
	// map is copied before it changes (it may be shared with older states).
	attestations map[string]map[string]relayer.Attestation
	submissions  []relayer.Submission
	approvals    map[string]approval
	utxos        map[utxoKey]relayer.ReserveUTXO
	journal      []journal.Entry
	settings     map[string]string
	heads        map[chains.ID]chains.Head
	burns        map[burnKey]relayer.Burn
	spends       map[string]relayer.Spend
	// spendSigs holds each spend's signatures by signer; an inner map is
	// copied before it changes, as attestations' are.
	spendSigs map[string]map[string]relayer.SpendSignature
}

// approval is one governor approval.
type approval struct {
	chain  chains.ID
	amount uint64
	at     time.Time
}

// utxoKey names a reserve output.
type utxoKey struct {
	txid string
	vout uint32
}

func newState() *state {
	return &state{cursors: map[string]chains.Cursor{}, transfers: map[string]relayer.Transfer{},
		attestations: map[string]map[string]relayer.Attestation{}, approvals: map[string]approval{},
		utxos: map[utxoKey]relayer.ReserveUTXO{}, settings: map[string]string{}, heads: map[chains.ID]chains.Head{},
		burns: map[burnKey]relayer.Burn{}, spends: map[string]relayer.Spend{}, spendSigs: map[string]map[string]relayer.SpendSignature{}}
}

func (st *state) clone() *state {
	return &state{cursors: maps.Clone(st.cursors), transfers: maps.Clone(st.transfers),
		attestations: maps.Clone(st.attestations), submissions: slices.Clip(st.submissions),
		approvals: maps.Clone(st.approvals), utxos: maps.Clone(st.utxos), journal: slices.Clip(st.journal),
		settings: maps.Clone(st.settings), heads: maps.Clone(st.heads),
		burns: maps.Clone(st.burns), spends: maps.Clone(st.spends), spendSigs: maps.Clone(st.spendSigs)}
}

// ms keeps a time as the SQLite store does: UTC unix milliseconds, the zero
// time (and the Unix epoch, which it cannot tell apart) as the zero time.
func ms(t time.Time) time.Time {
	if t.IsZero() || t.UnixMilli() == 0 {
		return time.Time{}
	}
	return time.UnixMilli(t.UnixMilli()).UTC()
}

// msOf is the unix-millisecond value a time is compared by (0 when zero).
func msOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func cloneEntry(e journal.Entry) journal.Entry {
	e.Content, e.Signer, e.Sig = slices.Clone(e.Content), slices.Clone(e.Signer), slices.Clone(e.Sig)
	return e
}
