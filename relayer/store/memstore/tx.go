package memstore

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/journal"
	"github.com/fluxbridge/fluxbridge/signer"
)

// tx implements relayer.Tx on one state: the Update's own copy, or the
// committed state a View reads.
type tx struct {
	ctx    context.Context
	signer signer.Signer
	now    time.Time
	ro     bool

	mu   sync.Mutex // guards st and done
	st   *state
	done bool
}

var _ relayer.Tx = (*tx)(nil)

// begin locks the transaction for one call, failing once it has ended and
// for a write in a read transaction. On success the caller unlocks t.mu.
func (t *tx) begin(op string, write bool) error {
	t.mu.Lock()
	switch {
	case t.done:
		t.mu.Unlock()
		return fault.E(op, fault.Internal, errors.New("the transaction has ended"))
	case write && t.ro:
		t.mu.Unlock()
		return fault.E(op, fault.Internal, errors.New("write in a read transaction"))
	}
	return nil
}

// end ends the transaction: its methods fail from now on.
func (t *tx) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.done = true
}

func (t *tx) Now() time.Time { return t.now }

func (t *tx) Cursor(stream string) (chains.Cursor, error) {
	if err := t.begin("memstore.Cursor", false); err != nil {
		return "", err
	}
	defer t.mu.Unlock()
	return t.st.cursors[stream], nil
}

func (t *tx) SetCursor(stream string, c chains.Cursor) error {
	if err := t.begin("memstore.SetCursor", true); err != nil {
		return err
	}
	defer t.mu.Unlock()
	t.st.cursors[stream] = c
	return nil
}

// storedTransfer is tr as the store keeps and returns it: its own slices,
// its times to the millisecond.
func storedTransfer(tr relayer.Transfer) relayer.Transfer {
	tr.Evidence, tr.Digest = bytes.Clone(tr.Evidence), bytes.Clone(tr.Digest)
	for _, p := range []*time.Time{&tr.Block.Time, &tr.ReleaseAt, &tr.SeenAt, &tr.FinalAt, &tr.AttestedAt, &tr.QuorumAt,
		&tr.SubmittedAt, &tr.MintedAt, &tr.UpdatedAt, &tr.NextAttempt} {
		*p = ms(*p)
	}
	return tr
}

func (t *tx) Transfer(id string) (relayer.Transfer, error) {
	const op = "memstore.Transfer"
	if err := t.begin(op, false); err != nil {
		return relayer.Transfer{}, err
	}
	defer t.mu.Unlock()
	tr, ok := t.st.transfers[id]
	if !ok {
		return relayer.Transfer{}, fault.E(op, fault.NotFound, fmt.Errorf("no transfer %s", id))
	}
	return storedTransfer(tr), nil
}

func (t *tx) PutTransfer(tr relayer.Transfer) error {
	const op = "memstore.PutTransfer"
	if err := t.begin(op, true); err != nil {
		return err
	}
	defer t.mu.Unlock()
	if tr.ID == "" || !tr.State.Valid() {
		return fault.E(op, fault.Invalid, fmt.Errorf("transfer %q in state %q", tr.ID, tr.State))
	}
	if old, ok := t.st.transfers[tr.ID]; ok {
		if !relayer.CanMove(old.State, tr.State) {
			return fault.E(op, fault.Conflict, fmt.Errorf("transfer %s cannot move from %s to %s", tr.ID, old.State, tr.State))
		}
		if old.Lock != tr.Lock || old.Dest != tr.Dest || old.Recipient != tr.Recipient || old.Amount != tr.Amount {
			return fault.E(op, fault.Conflict, fmt.Errorf("transfer %s: lock, destination, recipient and amount never change", tr.ID))
		}
	}
	t.st.transfers[tr.ID] = storedTransfer(tr)
	return nil
}

func (t *tx) Transfers(q relayer.TransferQuery) ([]relayer.Transfer, error) {
	if err := t.begin("memstore.Transfers", false); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	byAttempt := !q.AttemptDue.IsZero()
	order := func(a, b relayer.Transfer) int {
		if byAttempt {
			if c := cmp.Compare(msOf(a.NextAttempt), msOf(b.NextAttempt)); c != 0 {
				return c
			}
		}
		return cmp.Or(cmp.Compare(msOf(a.SeenAt), msOf(b.SeenAt)), strings.Compare(a.ID, b.ID))
	}
	var after *relayer.Transfer
	if q.AfterID != "" {
		a, ok := t.st.transfers[q.AfterID]
		if !ok {
			return []relayer.Transfer{}, nil // nothing is ordered after an unknown transfer
		}
		after = &a
	}
	out := []relayer.Transfer{}
	for _, tr := range t.st.transfers {
		switch {
		case len(q.States) > 0 && !slices.Contains(q.States, tr.State),
			q.Dest != 0 && tr.Dest != q.Dest,
			q.Batch != "" && tr.Batch != q.Batch,
			!q.DueBefore.IsZero() && (tr.State != relayer.StateQueued || msOf(tr.ReleaseAt) > q.DueBefore.UnixMilli()),
			byAttempt && msOf(tr.NextAttempt) > q.AttemptDue.UnixMilli(),
			after != nil && order(tr, *after) <= 0:
			continue
		}
		out = append(out, tr)
	}
	slices.SortFunc(out, order)
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	for i := range out {
		out[i] = storedTransfer(out[i])
		if q.NoEvidence {
			out[i].Evidence = nil
		}
	}
	return out, nil
}

func (t *tx) Batches(states []relayer.State, limit int) ([]relayer.BatchRef, error) {
	if err := t.begin("memstore.Batches", false); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	type batch struct {
		ref       relayer.BatchRef
		firstSeen int64
	}
	byID := map[string]*batch{}
	for _, tr := range t.st.transfers {
		if tr.Batch == "" || (len(states) > 0 && !slices.Contains(states, tr.State)) {
			continue
		}
		b := byID[tr.Batch]
		if b == nil {
			b = &batch{ref: relayer.BatchRef{ID: tr.Batch, Dest: tr.Dest, AttestedAt: ms(tr.AttestedAt)}, firstSeen: msOf(tr.SeenAt)}
			byID[tr.Batch] = b
		}
		b.ref.Dest = min(b.ref.Dest, tr.Dest)
		if msOf(tr.AttestedAt) < msOf(b.ref.AttestedAt) {
			b.ref.AttestedAt = ms(tr.AttestedAt)
		}
		b.firstSeen = min(b.firstSeen, msOf(tr.SeenAt))
	}
	all := make([]*batch, 0, len(byID))
	for _, b := range byID {
		all = append(all, b)
	}
	slices.SortFunc(all, func(a, b *batch) int {
		return cmp.Or(cmp.Compare(a.firstSeen, b.firstSeen), strings.Compare(a.ref.ID, b.ref.ID))
	})
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	out := make([]relayer.BatchRef, len(all))
	for i, b := range all {
		out[i] = b.ref
	}
	return out, nil
}

func (t *tx) CountByState() (map[relayer.State]int, error) {
	if err := t.begin("memstore.CountByState", false); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	out := map[relayer.State]int{}
	for _, tr := range t.st.transfers {
		out[tr.State]++
	}
	return out, nil
}

// sum adds amounts, failing on overflow as the SQLite store does.
func sum(op string, amounts func(yield func(uint64) bool)) (uint64, error) {
	var total, carry uint64
	for a := range amounts {
		if total, carry = bits.Add64(total, a, 0); carry != 0 {
			return 0, fault.E(op, fault.Internal, errors.New("sum overflows 64 bits"))
		}
	}
	return total, nil
}

// locking are the states LockedTotal counts: valid locks at depth D_L1 or
// more (final and every later lock → mint state).
var locking = []relayer.State{relayer.StateFinal, relayer.StateQueued, relayer.StateAttested,
	relayer.StateQuorum, relayer.StateSubmitted, relayer.StateMinted}

func (t *tx) LockedTotal() (uint64, error) {
	const op = "memstore.LockedTotal"
	if err := t.begin(op, false); err != nil {
		return 0, err
	}
	defer t.mu.Unlock()
	return sum(op, func(yield func(uint64) bool) {
		for _, tr := range t.st.transfers {
			if slices.Contains(locking, tr.State) && !yield(tr.Amount) {
				return
			}
		}
	})
}

// storedAttestation is a as the store keeps and returns it.
func storedAttestation(a relayer.Attestation) relayer.Attestation {
	a.Signer, a.Digest, a.Sig, a.Envelope = bytes.Clone(a.Signer), bytes.Clone(a.Digest), bytes.Clone(a.Sig), bytes.Clone(a.Envelope)
	a.ReceivedAt = ms(a.ReceivedAt)
	return a
}

func (t *tx) AddAttestation(a relayer.Attestation) (bool, error) {
	const op = "memstore.AddAttestation"
	if err := t.begin(op, true); err != nil {
		return false, err
	}
	defer t.mu.Unlock()
	if a.TransferID == "" || len(a.Signer) == 0 || len(a.Digest) == 0 || len(a.Sig) == 0 {
		return false, fault.E(op, fault.Invalid, errors.New("an attestation needs a transfer, a signer, a digest and a signature"))
	}
	if old, ok := t.st.attestations[a.TransferID][string(a.Signer)]; ok {
		if !bytes.Equal(old.Digest, a.Digest) || old.Mint != a.Mint || old.Dest != a.Dest {
			return false, fault.E(op, fault.Conflict, fmt.Errorf("signer %x already attested %s with digest %x", a.Signer, a.TransferID, old.Digest))
		}
		return false, nil
	}
	if a.ReceivedAt.IsZero() {
		a.ReceivedAt = t.now
	}
	byts := maps.Clone(t.st.attestations[a.TransferID]) // may be shared with the committed state
	if byts == nil {
		byts = map[string]relayer.Attestation{}
	}
	byts[string(a.Signer)] = storedAttestation(a)
	t.st.attestations[a.TransferID] = byts
	return true, nil
}

func (t *tx) Attestations(id string) ([]relayer.Attestation, error) {
	if err := t.begin("memstore.Attestations", false); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	out := []relayer.Attestation{}
	for _, a := range t.st.attestations[id] {
		out = append(out, storedAttestation(a))
	}
	slices.SortFunc(out, func(a, b relayer.Attestation) int { return bytes.Compare(a.Signer, b.Signer) })
	return out, nil
}

func (t *tx) AddSubmission(s relayer.Submission) error {
	if err := t.begin("memstore.AddSubmission", true); err != nil {
		return err
	}
	defer t.mu.Unlock()
	s.Signers = slices.Clone(s.Signers)
	for i, b := range s.Signers {
		s.Signers[i] = bytes.Clone(b)
	}
	if s.At.IsZero() {
		s.At = t.now
	}
	s.At = ms(s.At)
	t.st.submissions = append(t.st.submissions, s)
	return nil
}

func (t *tx) Approve(chain chains.ID, id string, amount uint64) error {
	if err := t.begin("memstore.Approve", true); err != nil {
		return err
	}
	defer t.mu.Unlock()
	if _, ok := t.st.approvals[id]; !ok {
		t.st.approvals[id] = approval{chain: chain, amount: amount, at: t.now}
	}
	return nil
}

func (t *tx) Approved(chain chains.ID, since time.Time) (uint64, error) {
	const op = "memstore.Approved"
	if err := t.begin(op, false); err != nil {
		return 0, err
	}
	defer t.mu.Unlock()
	return sum(op, func(yield func(uint64) bool) {
		for _, a := range t.st.approvals {
			if a.chain == chain && msOf(a.at) >= since.UnixMilli() && !yield(a.amount) {
				return
			}
		}
	})
}

func (t *tx) AddReserveUTXO(u relayer.ReserveUTXO) error {
	if err := t.begin("memstore.AddReserveUTXO", true); err != nil {
		return err
	}
	defer t.mu.Unlock()
	k := utxoKey{u.TxID, u.Vout}
	if _, ok := t.st.utxos[k]; !ok {
		t.st.utxos[k] = u
	}
	return nil
}

// Journal seals the entry with relayer/journal, as the SQLite store does.
func (t *tx) Journal(entry relayer.Entry) (uint64, error) {
	const op = "memstore.Journal"
	if err := t.begin(op, true); err != nil {
		return 0, err
	}
	defer t.mu.Unlock()
	if entry == nil {
		return 0, fault.E(op, fault.Invalid, errors.New("no journal entry"))
	}
	var head *journal.Entry
	if n := len(t.st.journal); n > 0 {
		head = &t.st.journal[n-1]
	}
	e, err := journal.Seal(t.ctx, head, t.now, entry.JournalKind(), entry, t.signer)
	if err != nil {
		return 0, fault.E(op, fault.Invalid, err)
	}
	t.st.journal = append(t.st.journal, e)
	return e.Seq, nil
}

func (t *tx) JournalHead() (uint64, [32]byte, bool, error) {
	if err := t.begin("memstore.JournalHead", false); err != nil {
		return 0, [32]byte{}, false, err
	}
	defer t.mu.Unlock()
	n := len(t.st.journal)
	if n == 0 {
		return 0, [32]byte{}, false, nil
	}
	return t.st.journal[n-1].Seq, t.st.journal[n-1].Hash, true, nil
}

func (t *tx) Setting(key string) (string, bool, error) {
	if err := t.begin("memstore.Setting", false); err != nil {
		return "", false, err
	}
	defer t.mu.Unlock()
	v, ok := t.st.settings[key]
	return v, ok, nil
}

func (t *tx) SetSetting(key, value string) error {
	if err := t.begin("memstore.SetSetting", true); err != nil {
		return err
	}
	defer t.mu.Unlock()
	if value == "" {
		delete(t.st.settings, key)
	} else {
		t.st.settings[key] = value
	}
	return nil
}

func (t *tx) PutHead(chain chains.ID, h chains.Head) error {
	if err := t.begin("memstore.PutHead", true); err != nil {
		return err
	}
	defer t.mu.Unlock()
	h.Tip.Time, h.Final.Time = ms(h.Tip.Time), ms(h.Final.Time)
	t.st.heads[chain] = h
	return nil
}

func (t *tx) Heads() (map[chains.ID]chains.Head, error) {
	if err := t.begin("memstore.Heads", false); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	return maps.Clone(t.st.heads), nil
}
