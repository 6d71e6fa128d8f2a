package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
	"reflect"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/journal"
)

// tx implements relayer.Tx on one SQLite transaction.
type tx struct {
	db   *DB
	tx   *sqlx.Tx
	ctx  context.Context
	now  time.Time
	ro   bool
	head *journal.Entry // the journal head as this transaction sees it
}

var _ relayer.Tx = (*tx)(nil)

func (t *tx) Now() time.Time { return t.now }

func (t *tx) write(op string) error {
	if t.ro {
		return fault.E(op, fault.Internal, errors.New("write in a read transaction"))
	}
	return nil
}

func (t *tx) exec(op, q string, args ...any) error {
	if err := t.write(op); err != nil {
		return err
	}
	var err error
	if st := t.stmt(q); st != nil {
		_, err = st.ExecContext(t.ctx, args...)
	} else {
		_, err = t.tx.ExecContext(t.ctx, q, args...)
	}
	if err != nil {
		return fault.E(op, kindOf(err), err)
	}
	return nil
}

// stmt returns q prepared on the writer connection, bound to this
// transaction, if it was prepared before; otherwise nil, and q is prepared
// after the Update ends (the writer's one connection is busy until then).
// Preparing is a quarter of a small statement's cost.
func (t *tx) stmt(q string) *sqlx.Stmt {
	st, ok := t.db.stmts[q]
	if !ok {
		t.db.unprepared[q] = true
		return nil
	}
	return t.tx.StmtxContext(t.ctx, st)
}

// get and sel run a query, prepared when in a write transaction.
func (t *tx) get(dest any, q string, args ...any) error {
	if st := t.stmtFor(q); st != nil {
		return st.GetContext(t.ctx, dest, args...)
	}
	return t.tx.GetContext(t.ctx, dest, q, args...)
}

func (t *tx) sel(dest any, q string, args ...any) error {
	if st := t.stmtFor(q); st != nil {
		return st.SelectContext(t.ctx, dest, args...)
	}
	return t.tx.SelectContext(t.ctx, dest, q, args...)
}

// stmtFor is stmt for a write transaction and nil for a read one.
func (t *tx) stmtFor(q string) *sqlx.Stmt {
	if t.ro {
		return nil
	}
	return t.stmt(q)
}

// split and join keep a uint64 in two signed-safe 32-bit halves.
func split(v uint64) (int64, int64) { return int64(v >> 32), int64(v & 0xffffffff) }
func join(hi, lo int64) uint64      { return uint64(hi)<<32 | uint64(lo) }

// ms and fromMS store times as unix milliseconds, 0 for the zero time.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func (t *tx) Cursor(stream string) (chains.Cursor, error) {
	var c string
	err := t.get(&c, `SELECT cursor FROM cursors WHERE stream = ?`, stream)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fault.E("sqlite.Cursor", kindOf(err), err)
	}
	return chains.Cursor(c), nil
}

func (t *tx) SetCursor(stream string, c chains.Cursor) error {
	return t.exec("sqlite.SetCursor", `INSERT INTO cursors (stream, cursor) VALUES (?, ?) ON CONFLICT(stream) DO UPDATE SET cursor = excluded.cursor`, stream, string(c))
}

type transferRow struct {
	ID          string `db:"id"`
	State       string `db:"state"`
	LockTxID    []byte `db:"lock_txid"`
	LockVout    uint32 `db:"lock_vout"`
	Dest        uint32 `db:"dest"`
	Recipient   []byte `db:"recipient"`
	AmountHi    int64  `db:"amount_hi"`
	AmountLo    int64  `db:"amount_lo"`
	BlockHeight uint64 `db:"block_height"`
	BlockHash   string `db:"block_hash"`
	BlockTime   int64  `db:"block_time"`
	Evidence    []byte `db:"evidence"`
	Invalid     string `db:"invalid"`
	RefundTo    string `db:"refund_to"`
	Digest      []byte `db:"digest"`
	ReleaseAt   int64  `db:"release_at"`
	Reason      string `db:"reason"`
	MintTx      string `db:"mint_tx"`
	MintedHi    int64  `db:"minted_hi"`
	MintedLo    int64  `db:"minted_lo"`
	SeenAt      int64  `db:"seen_at"`
	FinalAt     int64  `db:"final_at"`
	AttestedAt  int64  `db:"attested_at"`
	QuorumAt    int64  `db:"quorum_at"`
	SubmittedAt int64  `db:"submitted_at"`
	MintedAt    int64  `db:"minted_at"`
	UpdatedAt   int64  `db:"updated_at"`
	Attempts    uint32 `db:"attempts"`
	NextAttempt int64  `db:"next_attempt"`
	Refused     string `db:"refused"`
	Batch       string `db:"batch"`
}

// transferColumnsNoEvidence selects the columns of transferRow with
// evidence NULL (TransferQuery.NoEvidence).
var transferColumnsNoEvidence = func() string {
	t := reflect.TypeFor[transferRow]()
	cols := make([]string, t.NumField())
	for i := range cols {
		cols[i] = t.Field(i).Tag.Get("db")
		if cols[i] == "evidence" {
			cols[i] = "NULL AS evidence"
		}
	}
	return strings.Join(cols, ", ")
}()

func (r transferRow) transfer() relayer.Transfer {
	tr := relayer.Transfer{ID: r.ID, State: relayer.State(r.State), Dest: chains.ID(r.Dest), Amount: join(r.AmountHi, r.AmountLo),
		Block: chains.BlockRef{Height: r.BlockHeight, Hash: r.BlockHash, Time: fromMS(r.BlockTime)}, Evidence: r.Evidence,
		Invalid: r.Invalid, RefundTo: r.RefundTo, Digest: r.Digest, ReleaseAt: fromMS(r.ReleaseAt), Reason: r.Reason,
		MintTx: r.MintTx, Minted: join(r.MintedHi, r.MintedLo), SeenAt: fromMS(r.SeenAt), FinalAt: fromMS(r.FinalAt),
		AttestedAt: fromMS(r.AttestedAt), QuorumAt: fromMS(r.QuorumAt), SubmittedAt: fromMS(r.SubmittedAt),
		MintedAt: fromMS(r.MintedAt), UpdatedAt: fromMS(r.UpdatedAt),
		Attempts: r.Attempts, NextAttempt: fromMS(r.NextAttempt), Refused: r.Refused, Batch: r.Batch}
	copy(tr.Lock.TxID[:], r.LockTxID)
	tr.Lock.Vout = r.LockVout
	copy(tr.Recipient[:], r.Recipient)
	return tr
}

func (t *tx) Transfer(id string) (relayer.Transfer, error) {
	var r transferRow
	err := t.get(&r, `SELECT * FROM transfers WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return relayer.Transfer{}, fault.E("sqlite.Transfer", fault.NotFound, fmt.Errorf("no transfer %s", id))
	}
	if err != nil {
		return relayer.Transfer{}, fault.E("sqlite.Transfer", kindOf(err), err)
	}
	return r.transfer(), nil
}

func (t *tx) PutTransfer(tr relayer.Transfer) error {
	const op = "sqlite.PutTransfer"
	if err := t.write(op); err != nil {
		return err
	}
	if tr.ID == "" || !tr.State.Valid() {
		return fault.E(op, fault.Invalid, fmt.Errorf("transfer %q in state %q", tr.ID, tr.State))
	}
	old, err := t.Transfer(tr.ID)
	switch {
	case err == nil:
		if !relayer.CanMove(old.State, tr.State) {
			return fault.E(op, fault.Conflict, fmt.Errorf("transfer %s cannot move from %s to %s", tr.ID, old.State, tr.State))
		}
		if old.Lock != tr.Lock || old.Dest != tr.Dest || old.Recipient != tr.Recipient || old.Amount != tr.Amount {
			return fault.E(op, fault.Conflict, fmt.Errorf("transfer %s: lock, destination, recipient and amount never change", tr.ID))
		}
	case fault.KindOf(err) != fault.NotFound:
		return err
	}
	ahi, alo := split(tr.Amount)
	mhi, mlo := split(tr.Minted)
	return t.exec(op, `INSERT INTO transfers (id, state, lock_txid, lock_vout, dest, recipient, amount_hi, amount_lo,
		block_height, block_hash, block_time, evidence, invalid, refund_to, digest, release_at, reason, mint_tx, minted_hi, minted_lo,
		seen_at, final_at, attested_at, quorum_at, submitted_at, minted_at, updated_at, attempts, next_attempt, refused, batch)
		VALUES (?,?,?,?,?,?,?,?, ?,?,?,?,?,?,?,?,?,?,?,?, ?,?,?,?,?,?,?, ?,?,?,?)
		ON CONFLICT(id) DO UPDATE SET state=excluded.state, block_height=excluded.block_height, block_hash=excluded.block_hash,
		block_time=excluded.block_time, evidence=excluded.evidence, invalid=excluded.invalid, refund_to=excluded.refund_to,
		digest=excluded.digest, release_at=excluded.release_at, reason=excluded.reason, mint_tx=excluded.mint_tx,
		minted_hi=excluded.minted_hi, minted_lo=excluded.minted_lo, seen_at=excluded.seen_at, final_at=excluded.final_at,
		attested_at=excluded.attested_at, quorum_at=excluded.quorum_at, submitted_at=excluded.submitted_at,
		minted_at=excluded.minted_at, updated_at=excluded.updated_at, attempts=excluded.attempts,
		next_attempt=excluded.next_attempt, refused=excluded.refused, batch=excluded.batch`,
		tr.ID, string(tr.State), tr.Lock.TxID[:], tr.Lock.Vout, uint32(tr.Dest), tr.Recipient[:], ahi, alo,
		tr.Block.Height, tr.Block.Hash, ms(tr.Block.Time), tr.Evidence, tr.Invalid, tr.RefundTo, tr.Digest, ms(tr.ReleaseAt), tr.Reason, tr.MintTx, mhi, mlo,
		ms(tr.SeenAt), ms(tr.FinalAt), ms(tr.AttestedAt), ms(tr.QuorumAt), ms(tr.SubmittedAt), ms(tr.MintedAt), ms(tr.UpdatedAt),
		tr.Attempts, ms(tr.NextAttempt), tr.Refused, tr.Batch)
}

func (t *tx) Transfers(q relayer.TransferQuery) ([]relayer.Transfer, error) {
	var where []string
	var args []any
	if len(q.States) > 0 {
		where = append(where, "state IN (?"+strings.Repeat(",?", len(q.States)-1)+")")
		for _, s := range q.States {
			args = append(args, string(s))
		}
	}
	if q.Dest != 0 {
		where, args = append(where, "dest = ?"), append(args, uint32(q.Dest))
	}
	if q.Batch != "" {
		// batch != '' lets SQLite use the partial index transfers_by_batch
		// (a bound parameter alone does not imply it).
		where, args = append(where, "batch = ? AND batch != ''"), append(args, q.Batch)
	}
	if !q.DueBefore.IsZero() {
		where, args = append(where, "state = 'queued' AND release_at <= ?"), append(args, q.DueBefore.UnixMilli())
	}
	if !q.AttemptDue.IsZero() {
		where, args = append(where, "next_attempt <= ?"), append(args, q.AttemptDue.UnixMilli())
	}
	if q.AfterID != "" {
		// Pages follow the order below.
		if !q.AttemptDue.IsZero() {
			where = append(where, "(next_attempt, seen_at, id) > (SELECT next_attempt, seen_at, id FROM transfers WHERE id = ?)")
		} else {
			where = append(where, "(seen_at, id) > (SELECT seen_at, id FROM transfers WHERE id = ?)")
		}
		args = append(args, q.AfterID)
	}
	s := `SELECT * FROM transfers`
	if q.NoEvidence {
		s = `SELECT ` + transferColumnsNoEvidence + ` FROM transfers`
	}
	if len(where) > 0 {
		s += " WHERE " + strings.Join(where, " AND ")
	}
	if !q.AttemptDue.IsZero() {
		s += " ORDER BY next_attempt, seen_at, id"
	} else {
		s += " ORDER BY seen_at, id"
	}
	if q.Limit > 0 {
		s += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	var rows []transferRow
	if err := t.sel(&rows, s, args...); err != nil {
		return nil, fault.E("sqlite.Transfers", kindOf(err), err)
	}
	out := make([]relayer.Transfer, len(rows))
	for i, r := range rows {
		out[i] = r.transfer()
	}
	return out, nil
}

func (t *tx) Batches(states []relayer.State, limit int) ([]relayer.BatchRef, error) {
	q := `SELECT batch, MIN(dest) AS dest, MIN(attested_at) AS attested_at, MIN(seen_at) AS first_seen FROM transfers WHERE batch != ''`
	var args []any
	if len(states) > 0 {
		q += " AND state IN (?" + strings.Repeat(",?", len(states)-1) + ")"
		for _, s := range states {
			args = append(args, string(s))
		}
	}
	q += " GROUP BY batch ORDER BY first_seen, batch"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	var rows []struct {
		Batch      string `db:"batch"`
		Dest       uint32 `db:"dest"`
		AttestedAt int64  `db:"attested_at"`
		FirstSeen  int64  `db:"first_seen"`
	}
	if err := t.sel(&rows, q, args...); err != nil {
		return nil, fault.E("sqlite.Batches", kindOf(err), err)
	}
	out := make([]relayer.BatchRef, len(rows))
	for i, r := range rows {
		out[i] = relayer.BatchRef{ID: r.Batch, Dest: chains.ID(r.Dest), AttestedAt: fromMS(r.AttestedAt)}
	}
	return out, nil
}

func (t *tx) CountByState() (map[relayer.State]int, error) {
	var rows []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := t.sel(&rows, `SELECT state, n FROM transfer_totals WHERE n > 0`); err != nil {
		return nil, fault.E("sqlite.CountByState", kindOf(err), err)
	}
	out := map[relayer.State]int{}
	for _, r := range rows {
		out[relayer.State(r.State)] = r.N
	}
	return out, nil
}

// sum64 adds halves summed by SQLite, reporting overflow.
func sum64(op string, hi, lo int64) (uint64, error) {
	h, carry := bits.Add64(uint64(lo), uint64(hi)<<32, 0)
	if carry != 0 || uint64(hi)>>32 != 0 {
		return 0, fault.E(op, fault.Internal, errors.New("sum overflows 64 bits"))
	}
	return h, nil
}

func (t *tx) LockedTotal() (uint64, error) {
	var s struct {
		Hi int64 `db:"hi"`
		Lo int64 `db:"lo"`
	}
	err := t.get(&s, `SELECT COALESCE(SUM(amount_hi),0) AS hi, COALESCE(SUM(amount_lo),0) AS lo FROM transfer_totals WHERE state IN (?,?,?,?,?,?)`,
		string(relayer.StateFinal), string(relayer.StateQueued), string(relayer.StateAttested), string(relayer.StateQuorum),
		string(relayer.StateSubmitted), string(relayer.StateMinted))
	if err != nil {
		return 0, fault.E("sqlite.LockedTotal", kindOf(err), err)
	}
	return sum64("sqlite.LockedTotal", s.Hi, s.Lo)
}

type attestationRow struct {
	TransferID string `db:"transfer_id"`
	Signer     []byte `db:"signer"`
	Dest       uint32 `db:"dest"`
	LockTxID   []byte `db:"lock_txid"`
	LockVout   uint32 `db:"lock_vout"`
	AmountHi   int64  `db:"amount_hi"`
	AmountLo   int64  `db:"amount_lo"`
	Recipient  []byte `db:"recipient"`
	Digest     []byte `db:"digest"`
	Sig        []byte `db:"sig"`
	Envelope   []byte `db:"envelope"`
	ReceivedAt int64  `db:"received_at"`
}

func (r attestationRow) attestation() relayer.Attestation {
	a := relayer.Attestation{TransferID: r.TransferID, Dest: chains.ID(r.Dest), Signer: r.Signer, Digest: r.Digest, Sig: r.Sig,
		Envelope: r.Envelope, ReceivedAt: fromMS(r.ReceivedAt)}
	copy(a.Mint.Lock.TxID[:], r.LockTxID)
	a.Mint.Lock.Vout = r.LockVout
	a.Mint.Amount = join(r.AmountHi, r.AmountLo)
	copy(a.Mint.Recipient[:], r.Recipient)
	return a
}

func (t *tx) AddAttestation(a relayer.Attestation) (bool, error) {
	const op = "sqlite.AddAttestation"
	if err := t.write(op); err != nil {
		return false, err
	}
	if a.TransferID == "" || len(a.Signer) == 0 || len(a.Digest) == 0 || len(a.Sig) == 0 {
		return false, fault.E(op, fault.Invalid, errors.New("an attestation needs a transfer, a signer, a digest and a signature"))
	}
	var r attestationRow
	err := t.get(&r, `SELECT * FROM attestations WHERE transfer_id = ? AND signer = ?`, a.TransferID, a.Signer)
	switch {
	case err == nil:
		old := r.attestation()
		if !bytes.Equal(old.Digest, a.Digest) || old.Mint != a.Mint || old.Dest != a.Dest {
			return false, fault.E(op, fault.Conflict, fmt.Errorf("signer %x already attested %s with digest %x", a.Signer, a.TransferID, old.Digest))
		}
		return false, nil
	case !errors.Is(err, sql.ErrNoRows):
		return false, fault.E(op, kindOf(err), err)
	}
	hi, lo := split(a.Mint.Amount)
	at := a.ReceivedAt
	if at.IsZero() {
		at = t.now
	}
	return true, t.exec(op, `INSERT INTO attestations VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, a.TransferID, a.Signer, uint32(a.Dest),
		a.Mint.Lock.TxID[:], a.Mint.Lock.Vout, hi, lo, a.Mint.Recipient[:], a.Digest, a.Sig, a.Envelope, ms(at))
}

func (t *tx) Attestations(id string) ([]relayer.Attestation, error) {
	var rows []attestationRow
	if err := t.sel(&rows, `SELECT * FROM attestations WHERE transfer_id = ? ORDER BY signer`, id); err != nil {
		return nil, fault.E("sqlite.Attestations", kindOf(err), err)
	}
	out := make([]relayer.Attestation, len(rows))
	for i, r := range rows {
		out[i] = r.attestation()
	}
	return out, nil
}

func (t *tx) AddSubmission(s relayer.Submission) error {
	signers := make([]string, len(s.Signers))
	for i, b := range s.Signers {
		signers[i] = hex.EncodeToString(b)
	}
	at := s.At
	if at.IsZero() {
		at = t.now
	}
	return t.exec("sqlite.AddSubmission", `INSERT INTO submissions (transfer_id, dest, txid, state, signers, at) VALUES (?,?,?,?,?,?)`,
		s.TransferID, uint32(s.Dest), s.TxID, string(s.State), strings.Join(signers, ","), ms(at))
}

func (t *tx) Approve(chain chains.ID, id string, amount uint64) error {
	hi, lo := split(amount)
	return t.exec("sqlite.Approve", `INSERT INTO governor_approvals VALUES (?,?,?,?,?) ON CONFLICT(transfer_id) DO NOTHING`, id, uint32(chain), hi, lo, ms(t.now))
}

func (t *tx) Approved(chain chains.ID, since time.Time) (uint64, error) {
	var s struct {
		Hi int64 `db:"hi"`
		Lo int64 `db:"lo"`
	}
	if err := t.get(&s, `SELECT COALESCE(SUM(amount_hi),0) AS hi, COALESCE(SUM(amount_lo),0) AS lo FROM governor_approvals WHERE chain = ? AND approved_at >= ?`,
		uint32(chain), since.UnixMilli()); err != nil {
		return 0, fault.E("sqlite.Approved", kindOf(err), err)
	}
	return sum64("sqlite.Approved", s.Hi, s.Lo)
}

func (t *tx) AddReserveUTXO(u relayer.ReserveUTXO) error {
	hi, lo := split(u.Amount)
	return t.exec("sqlite.AddReserveUTXO", `INSERT INTO reserve_utxos (txid, vout, amount_hi, amount_lo, height, transfer_id) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING`,
		u.TxID, u.Vout, hi, lo, u.Height, u.TransferID)
}

func (t *tx) Journal(entry relayer.Entry) (uint64, error) {
	const op = "sqlite.Journal"
	if err := t.write(op); err != nil {
		return 0, err
	}
	e, err := journal.Seal(t.ctx, t.head, t.now, entry.JournalKind(), entry, t.db.cfg.Signer)
	if err != nil {
		return 0, fault.E(op, fault.Invalid, err)
	}
	if err := t.exec(op, `INSERT INTO journal VALUES (?,?,?,?,?,?,?,?)`, e.Seq, e.Time.UnixMilli(), e.Kind, []byte(e.Content),
		e.Prev[:], e.Hash[:], []byte(e.Signer), []byte(e.Sig)); err != nil {
		return 0, err
	}
	t.head = &e
	return e.Seq, nil
}

func (t *tx) JournalHead() (uint64, [32]byte, bool, error) {
	if !t.ro {
		if t.head == nil {
			return 0, [32]byte{}, false, nil
		}
		return t.head.Seq, t.head.Hash, true, nil
	}
	e, err := t.db.loadHead(t.ctx, t.tx)
	if err != nil || e == nil {
		return 0, [32]byte{}, false, err
	}
	return e.Seq, e.Hash, true, nil
}

func (t *tx) Setting(key string) (string, bool, error) {
	var v string
	err := t.get(&v, `SELECT value FROM settings WHERE key = ?`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fault.E("sqlite.Setting", kindOf(err), err)
	}
	return v, true, nil
}

func (t *tx) SetSetting(key, value string) error {
	if value == "" {
		return t.exec("sqlite.SetSetting", `DELETE FROM settings WHERE key = ?`, key)
	}
	return t.exec("sqlite.SetSetting", `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
}

func (t *tx) PutHead(chain chains.ID, h chains.Head) error {
	healthy := 0
	if h.Healthy {
		healthy = 1
	}
	return t.exec("sqlite.PutHead", `INSERT INTO heads VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(chain) DO UPDATE SET
		tip_height=excluded.tip_height, tip_hash=excluded.tip_hash, tip_time=excluded.tip_time, final_height=excluded.final_height,
		final_hash=excluded.final_hash, final_time=excluded.final_time, healthy=excluded.healthy, reason=excluded.reason`,
		uint32(chain), h.Tip.Height, h.Tip.Hash, ms(h.Tip.Time), h.Final.Height, h.Final.Hash, ms(h.Final.Time), healthy, h.Reason)
}

func (t *tx) Heads() (map[chains.ID]chains.Head, error) {
	var rows []struct {
		Chain       uint32 `db:"chain"`
		TipHeight   uint64 `db:"tip_height"`
		TipHash     string `db:"tip_hash"`
		TipTime     int64  `db:"tip_time"`
		FinalHeight uint64 `db:"final_height"`
		FinalHash   string `db:"final_hash"`
		FinalTime   int64  `db:"final_time"`
		Healthy     bool   `db:"healthy"`
		Reason      string `db:"reason"`
	}
	if err := t.sel(&rows, `SELECT * FROM heads`); err != nil {
		return nil, fault.E("sqlite.Heads", kindOf(err), err)
	}
	out := map[chains.ID]chains.Head{}
	for _, r := range rows {
		out[chains.ID(r.Chain)] = chains.Head{Tip: chains.BlockRef{Height: r.TipHeight, Hash: r.TipHash, Time: fromMS(r.TipTime)},
			Final: chains.BlockRef{Height: r.FinalHeight, Hash: r.FinalHash, Time: fromMS(r.FinalTime)}, Healthy: r.Healthy, Reason: r.Reason}
	}
	return out, nil
}
