package sqlite

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// The burn → release tables of migration 0003: burns, spends and
// spend_signatures.

type burnRow struct {
	Chain       uint32 `db:"chain"`
	Nonce       uint64 `db:"nonce"`
	ID          string `db:"id"`
	State       string `db:"state"`
	AmountHi    int64  `db:"amount_hi"`
	AmountLo    int64  `db:"amount_lo"`
	To          []byte `db:"to_addr"`
	Sender      string `db:"sender"`
	TxID        string `db:"txid"`
	BlockHeight uint64 `db:"block_height"`
	BlockHash   string `db:"block_hash"`
	BlockTime   int64  `db:"block_time"`
	Evidence    []byte `db:"evidence"`
	Release     string `db:"release_txid"`
	Unpayable   string `db:"unpayable"`
	SeenAt      int64  `db:"seen_at"`
	FinalAt     int64  `db:"final_at"`
	ReleasedAt  int64  `db:"released_at"`
	SettledAt   int64  `db:"settled_at"`
	UpdatedAt   int64  `db:"updated_at"`
}

func (r burnRow) burn() relayer.Burn {
	return relayer.Burn{ID: r.ID, Chain: chains.ID(r.Chain), Nonce: r.Nonce, Amount: join(r.AmountHi, r.AmountLo), To: r.To,
		Sender: r.Sender, TxID: r.TxID, Block: chains.BlockRef{Height: r.BlockHeight, Hash: r.BlockHash, Time: fromMS(r.BlockTime)},
		Evidence: r.Evidence, State: relayer.BurnState(r.State), Release: r.Release, Unpayable: r.Unpayable,
		SeenAt: fromMS(r.SeenAt), FinalAt: fromMS(r.FinalAt), ReleasedAt: fromMS(r.ReleasedAt), SettledAt: fromMS(r.SettledAt),
		UpdatedAt: fromMS(r.UpdatedAt)}
}

func (t *tx) Burn(chain chains.ID, nonce uint64) (relayer.Burn, error) {
	const op = "sqlite.Burn"
	if nonce > math.MaxInt64 { // never stored: SQLite's integers are signed
		return relayer.Burn{}, fault.E(op, fault.NotFound, fmt.Errorf("no burn %s", relayer.BurnID(chain, nonce)))
	}
	var r burnRow
	err := t.get(&r, `SELECT * FROM burns WHERE chain = ? AND nonce = ?`, uint32(chain), nonce)
	if errors.Is(err, sql.ErrNoRows) {
		return relayer.Burn{}, fault.E(op, fault.NotFound, fmt.Errorf("no burn %s", relayer.BurnID(chain, nonce)))
	}
	if err != nil {
		return relayer.Burn{}, fault.E(op, kindOf(err), err)
	}
	return r.burn(), nil
}

func (t *tx) PutBurn(b relayer.Burn) error {
	const op = "sqlite.PutBurn"
	if err := t.write(op); err != nil {
		return err
	}
	var prev *relayer.Burn
	if b.ID == relayer.BurnID(b.Chain, b.Nonce) { // else CheckBurnWrite refuses it
		old, err := t.Burn(b.Chain, b.Nonce)
		switch {
		case err == nil:
			prev = &old
		case fault.KindOf(err) != fault.NotFound:
			return err
		}
	}
	if err := relayer.CheckBurnWrite(op, prev, b); err != nil {
		return err
	}
	hi, lo := split(b.Amount)
	return t.exec(op, `INSERT INTO burns (chain, nonce, id, state, amount_hi, amount_lo, to_addr, sender, txid,
		block_height, block_hash, block_time, evidence, release_txid, unpayable, seen_at, final_at, released_at, settled_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?, ?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(chain, nonce) DO UPDATE SET state=excluded.state, sender=excluded.sender, txid=excluded.txid,
		block_height=excluded.block_height, block_hash=excluded.block_hash, block_time=excluded.block_time,
		evidence=excluded.evidence, release_txid=excluded.release_txid, unpayable=excluded.unpayable,
		seen_at=excluded.seen_at, final_at=excluded.final_at, released_at=excluded.released_at,
		settled_at=excluded.settled_at, updated_at=excluded.updated_at`,
		uint32(b.Chain), b.Nonce, b.ID, string(b.State), hi, lo, b.To, b.Sender, b.TxID,
		b.Block.Height, b.Block.Hash, ms(b.Block.Time), b.Evidence, b.Release, b.Unpayable,
		ms(b.SeenAt), ms(b.FinalAt), ms(b.ReleasedAt), ms(b.SettledAt), ms(b.UpdatedAt))
}

func (t *tx) Burns(q relayer.BurnQuery) ([]relayer.Burn, error) {
	if q.FromNonce > math.MaxInt64 {
		return []relayer.Burn{}, nil // no stored nonce is that high
	}
	var where []string
	var args []any
	if q.Chain != 0 {
		where, args = append(where, "chain = ?"), append(args, uint32(q.Chain))
	}
	if len(q.States) > 0 {
		where = append(where, "state IN (?"+strings.Repeat(",?", len(q.States)-1)+")")
		for _, s := range q.States {
			args = append(args, string(s))
		}
	}
	if q.FromNonce > 0 {
		where, args = append(where, "nonce >= ?"), append(args, q.FromNonce)
	}
	s := `SELECT * FROM burns`
	if len(where) > 0 {
		s += " WHERE " + strings.Join(where, " AND ")
	}
	s += " ORDER BY chain, nonce"
	if q.Limit > 0 {
		s += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	var rows []burnRow
	if err := t.sel(&rows, s, args...); err != nil {
		return nil, fault.E("sqlite.Burns", kindOf(err), err)
	}
	out := make([]relayer.Burn, len(rows))
	for i, r := range rows {
		out[i] = r.burn()
	}
	return out, nil
}

type spendRow struct {
	TxID       string `db:"txid"`
	Kind       string `db:"kind"`
	Chain      uint32 `db:"chain"`
	FromNonce  uint64 `db:"from_nonce"`
	ToNonce    uint64 `db:"to_nonce"`
	Ref        string `db:"ref"`
	Round      uint64 `db:"round"`
	Proposer   []byte `db:"proposer"`
	Inputs     string `db:"inputs"`
	Expiry     uint64 `db:"expiry"`
	Unsigned   []byte `db:"unsigned"`
	Signed     []byte `db:"signed"`
	SignedByUs bool   `db:"signed_by_us"`
	State      string `db:"state"`
	Height     uint64 `db:"height"`
	Reason     string `db:"reason"`
	CreatedAt  int64  `db:"created_at"`
	UpdatedAt  int64  `db:"updated_at"`
}

func (r spendRow) spend() relayer.Spend {
	s := relayer.Spend{TxID: r.TxID, Kind: relayer.SpendKind(r.Kind), Chain: chains.ID(r.Chain), FromNonce: r.FromNonce,
		ToNonce: r.ToNonce, Ref: r.Ref, Round: r.Round, Proposer: r.Proposer, Expiry: r.Expiry, Unsigned: r.Unsigned,
		Signed: r.Signed, SignedByUs: r.SignedByUs, State: relayer.SpendState(r.State), Height: r.Height, Reason: r.Reason,
		CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt)}
	if r.Inputs != "" {
		s.Inputs = strings.Split(r.Inputs, ",")
	}
	return s
}

func (t *tx) Spend(txid string) (relayer.Spend, error) {
	var r spendRow
	err := t.get(&r, `SELECT * FROM spends WHERE txid = ?`, txid)
	if errors.Is(err, sql.ErrNoRows) {
		return relayer.Spend{}, fault.E("sqlite.Spend", fault.NotFound, fmt.Errorf("no spend %s", txid))
	}
	if err != nil {
		return relayer.Spend{}, fault.E("sqlite.Spend", kindOf(err), err)
	}
	return r.spend(), nil
}

func (t *tx) PutSpend(s relayer.Spend) error {
	const op = "sqlite.PutSpend"
	if err := t.write(op); err != nil {
		return err
	}
	var prev *relayer.Spend
	old, err := t.Spend(s.TxID)
	switch {
	case err == nil:
		prev = &old
	case fault.KindOf(err) != fault.NotFound:
		return err
	}
	if err := relayer.CheckSpendWrite(op, prev, s); err != nil {
		return err
	}
	return t.exec(op, `INSERT INTO spends (txid, kind, chain, from_nonce, to_nonce, ref, round, proposer, inputs, expiry,
		unsigned, signed, signed_by_us, state, height, reason, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?, ?,?,?,?,?,?,?,?)
		ON CONFLICT(txid) DO UPDATE SET signed=excluded.signed, signed_by_us=excluded.signed_by_us, state=excluded.state,
		height=excluded.height, reason=excluded.reason, updated_at=excluded.updated_at`,
		s.TxID, string(s.Kind), uint32(s.Chain), s.FromNonce, s.ToNonce, s.Ref, s.Round, s.Proposer, strings.Join(s.Inputs, ","), s.Expiry,
		s.Unsigned, s.Signed, s.SignedByUs, string(s.State), s.Height, s.Reason, ms(s.CreatedAt), ms(s.UpdatedAt))
}

func (t *tx) Spends(q relayer.SpendQuery) ([]relayer.Spend, error) {
	var where []string
	var args []any
	if len(q.Kinds) > 0 {
		where = append(where, "kind IN (?"+strings.Repeat(",?", len(q.Kinds)-1)+")")
		for _, k := range q.Kinds {
			args = append(args, string(k))
		}
	}
	if len(q.States) > 0 {
		where = append(where, "state IN (?"+strings.Repeat(",?", len(q.States)-1)+")")
		for _, s := range q.States {
			args = append(args, string(s))
		}
	}
	if q.Chain != 0 {
		where, args = append(where, "chain = ?"), append(args, uint32(q.Chain))
	}
	if q.SignedByUs {
		where = append(where, "signed_by_us = 1")
	}
	if q.Live {
		where = append(where, "state != 'dead'")
	}
	if q.Ref != "" {
		where, args = append(where, "ref = ?"), append(args, q.Ref)
	}
	if r := q.Overlapping; r != nil {
		where, args = append(where, "kind = 'release' AND from_nonce <= ? AND to_nonce >= ?"), append(args, r.To, r.From)
	}
	s := `SELECT * FROM spends`
	if len(where) > 0 {
		s += " WHERE " + strings.Join(where, " AND ")
	}
	if q.HighestFirst {
		s += " ORDER BY to_nonce DESC, txid"
	} else {
		s += " ORDER BY created_at, txid"
	}
	if q.Limit > 0 {
		s += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	var rows []spendRow
	if err := t.sel(&rows, s, args...); err != nil {
		return nil, fault.E("sqlite.Spends", kindOf(err), err)
	}
	out := make([]relayer.Spend, len(rows))
	for i, r := range rows {
		out[i] = r.spend()
	}
	return out, nil
}

// sigLen is the length of a recoverable signature; spend_signatures.sigs
// holds a signer's signatures concatenated.
const sigLen = 65

type spendSignatureRow struct {
	TxID       string `db:"txid"`
	Signer     []byte `db:"signer"`
	Sigs       []byte `db:"sigs"`
	Envelope   []byte `db:"envelope"`
	ReceivedAt int64  `db:"received_at"`
}

func (r spendSignatureRow) signature(op string) (relayer.SpendSignature, error) {
	if len(r.Sigs)%sigLen != 0 {
		return relayer.SpendSignature{}, fault.E(op, fault.Internal, fmt.Errorf("spend %s signer %x: %d bytes of signatures, not a multiple of %d",
			r.TxID, r.Signer, len(r.Sigs), sigLen))
	}
	s := relayer.SpendSignature{TxID: r.TxID, Signer: r.Signer, Envelope: r.Envelope, ReceivedAt: fromMS(r.ReceivedAt)}
	for b := range slices.Chunk(r.Sigs, sigLen) {
		s.Sigs = append(s.Sigs, b)
	}
	return s, nil
}

func (t *tx) AddSpendSignature(s relayer.SpendSignature) (bool, error) {
	const op = "sqlite.AddSpendSignature"
	if err := t.write(op); err != nil {
		return false, err
	}
	if err := relayer.CheckSpendSignature(op, s); err != nil {
		return false, err
	}
	sigs := bytes.Join(s.Sigs, nil)
	var r spendSignatureRow
	err := t.get(&r, `SELECT * FROM spend_signatures WHERE txid = ? AND signer = ?`, s.TxID, s.Signer)
	switch {
	case err == nil:
		if !bytes.Equal(r.Sigs, sigs) {
			return false, fault.E(op, fault.Conflict, fmt.Errorf("signer %x already signed spend %s with other signatures", s.Signer, s.TxID))
		}
		return false, nil
	case !errors.Is(err, sql.ErrNoRows):
		return false, fault.E(op, kindOf(err), err)
	}
	at := s.ReceivedAt
	if at.IsZero() {
		at = t.now
	}
	return true, t.exec(op, `INSERT INTO spend_signatures (txid, signer, sigs, envelope, received_at) VALUES (?,?,?,?,?)`,
		s.TxID, s.Signer, sigs, s.Envelope, ms(at))
}

func (t *tx) SpendSignatures(txid string) ([]relayer.SpendSignature, error) {
	const op = "sqlite.SpendSignatures"
	var rows []spendSignatureRow
	if err := t.sel(&rows, `SELECT * FROM spend_signatures WHERE txid = ? ORDER BY signer`, txid); err != nil {
		return nil, fault.E(op, kindOf(err), err)
	}
	out := make([]relayer.SpendSignature, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.signature(op); err != nil {
			return nil, err
		}
	}
	return out, nil
}
