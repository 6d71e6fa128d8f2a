package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
)

// Private row types: sqlx scans into these, callers only see spv's records.
type (
	metaRow struct {
		AnchorHeight int32  `db:"anchor_height"`
		AnchorHash   []byte `db:"anchor_hash"`
		TipHeight    int32  `db:"tip_height"`
		TipHash      []byte `db:"tip_hash"`
	}
	blockRow struct {
		Hash   []byte `db:"hash"`
		Height int32  `db:"height"`
		Prev   []byte `db:"prev"`
		Header []byte `db:"header"`
		Work   []byte `db:"work"`
		Main   bool   `db:"main"`
	}
	fluxnodeRow struct {
		TxID []byte `db:"txid"`
		Vout uint32 `db:"vout"`
		Data []byte `db:"data"`
	}
	utxoRow struct {
		TxID   []byte `db:"txid"`
		Vout   uint32 `db:"vout"`
		Value  int64  `db:"value"`
		Script []byte `db:"script"`
		Height int32  `db:"height"`
	}
	watchedRow struct {
		TxID      []byte `db:"txid"`
		Mined     bool   `db:"mined"`
		Height    int32  `db:"height"`
		BlockHash []byte `db:"block_hash"`
	}
	eventRow struct {
		BlockHash []byte `db:"block_hash"`
		Seq       int32  `db:"seq"`
		Height    int32  `db:"height"`
		ID        string `db:"id"`
		TxID      []byte `db:"txid"`
		Data      []byte `db:"data"`
		Orphaned  bool   `db:"orphaned"`
	}
)

// hashOf converts a stored 32-byte hash; a wrong length is corruption.
func hashOf(b []byte) (chainhash.Hash, error) {
	var h chainhash.Hash
	if len(b) != chainhash.Size {
		return h, fmt.Errorf("store: stored hash is %d bytes", len(b))
	}
	copy(h[:], b)
	return h, nil
}

func (r *blockRow) record() (spv.HeaderRecord, error) {
	hash, err := hashOf(r.Hash)
	if err != nil {
		return spv.HeaderRecord{}, err
	}
	prev, err := hashOf(r.Prev)
	if err != nil {
		return spv.HeaderRecord{}, err
	}
	return spv.HeaderRecord{Hash: hash, Height: r.Height, Prev: prev, Raw: r.Header, Work: r.Work, Main: r.Main}, nil
}

func (r *eventRow) record() (spv.EventRecord, error) {
	bh, err := hashOf(r.BlockHash)
	if err != nil {
		return spv.EventRecord{}, err
	}
	txid, err := hashOf(r.TxID)
	if err != nil {
		return spv.EventRecord{}, err
	}
	return spv.EventRecord{BlockHash: bh, Height: r.Height, Seq: r.Seq, ID: r.ID, TxID: txid, Data: r.Data, Orphaned: r.Orphaned}, nil
}

// State implements spv.Store.
func (d *DB) State() (spv.State, bool, error) {
	var m metaRow
	err := d.rdb.Get(&m, `SELECT anchor_height, anchor_hash, tip_height, tip_hash FROM meta WHERE id = 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return spv.State{}, false, nil
	}
	if err != nil {
		return spv.State{}, false, fmt.Errorf("store: state: %w", err)
	}
	ah, err := hashOf(m.AnchorHash)
	if err != nil {
		return spv.State{}, false, err
	}
	th, err := hashOf(m.TipHash)
	if err != nil {
		return spv.State{}, false, err
	}
	return spv.State{AnchorHeight: m.AnchorHeight, AnchorHash: ah, TipHeight: m.TipHeight, TipHash: th}, true, nil
}

// Init implements spv.Store.
func (d *DB) Init(in *spv.InitState) error {
	return d.inTx(func(tx *sqlx.Tx) error {
		var n int
		if err := tx.Get(&n, `SELECT count(*) FROM meta`); err != nil {
			return err
		}
		if n != 0 {
			return errors.New("store: Init on a non-empty store")
		}
		s := in.State
		if _, err := tx.Exec(`INSERT INTO meta (id, anchor_height, anchor_hash, tip_height, tip_hash) VALUES (1, ?, ?, ?, ?)`,
			s.AnchorHeight, s.AnchorHash[:], s.TipHeight, s.TipHash[:]); err != nil {
			return err
		}
		st, err := prepare(tx)
		if err != nil {
			return err
		}
		defer st.close()
		for _, h := range in.Headers {
			if _, err := st.putBlock.Exec(h.Hash[:], h.Height, h.Prev[:], h.Raw, h.Work); err != nil {
				return fmt.Errorf("header %s: %w", h.Hash, err)
			}
		}
		for _, f := range in.Fluxnodes {
			if _, err := st.putFluxnode.Exec(f.OutPoint.Hash[:], f.OutPoint.Index, f.Data); err != nil {
				return fmt.Errorf("fluxnode %s: %w", f.OutPoint, err)
			}
		}
		return nil
	})
}

// Watch implements spv.Store.
func (d *DB) Watch(txid chainhash.Hash) error {
	return d.inTx(func(tx *sqlx.Tx) error {
		_, err := tx.Exec(`INSERT INTO watched (txid) VALUES (?) ON CONFLICT (txid) DO NOTHING`, txid[:])
		return err
	})
}

// inTx runs f in one (immediate) write transaction.
func (d *DB) inTx(f func(*sqlx.Tx) error) error {
	tx, err := d.db.Beginx()
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return fmt.Errorf("store: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// stmts are the per-block statements, prepared once per transaction.
type stmts struct {
	putBlock, disconnect, orphanEvents, dropUndo, dropEvents, putUndo, putEvent *sqlx.Stmt
	putFluxnode, delFluxnode, putUTXO, delUTXO, putWatched                      *sqlx.Stmt
	// addBlock inserts a new block row, leaving alone a row whose hash is
	// stored; reconnect then marks such a row main again (putBlock and
	// dropEvents, split for the common case: a block never connected before).
	addBlock, reconnect *sqlx.Stmt
}

func prepare(tx *sqlx.Tx) (*stmts, error) {
	s := new(stmts)
	for _, p := range []struct {
		dst *(*sqlx.Stmt)
		q   string
	}{
		{&s.putBlock, `INSERT INTO blocks (hash, height, prev, header, work, main) VALUES (?, ?, ?, ?, ?, 1)
			ON CONFLICT (hash) DO UPDATE SET main = 1, header = excluded.header, work = excluded.work`},
		{&s.disconnect, `UPDATE blocks SET main = 0 WHERE hash = ?`},
		{&s.orphanEvents, `UPDATE events SET orphaned = 1 WHERE block_hash = ?`},
		{&s.dropUndo, `DELETE FROM undo WHERE hash = ?`},
		{&s.dropEvents, `DELETE FROM events WHERE block_hash = ?`},
		{&s.putUndo, `INSERT OR REPLACE INTO undo (hash, height, data) VALUES (?, ?, ?)`},
		{&s.putEvent, `INSERT INTO events (block_hash, seq, height, id, txid, data, orphaned) VALUES (?, ?, ?, ?, ?, ?, 0)`},
		{&s.putFluxnode, `INSERT OR REPLACE INTO fluxnodes (txid, vout, data) VALUES (?, ?, ?)`},
		{&s.delFluxnode, `DELETE FROM fluxnodes WHERE txid = ? AND vout = ?`},
		{&s.putUTXO, `INSERT OR REPLACE INTO reserve_utxos (txid, vout, value, script, height) VALUES (?, ?, ?, ?, ?)`},
		{&s.delUTXO, `DELETE FROM reserve_utxos WHERE txid = ? AND vout = ?`},
		{&s.putWatched, `INSERT OR REPLACE INTO watched (txid, mined, height, block_hash) VALUES (?, ?, ?, ?)`},
		{&s.addBlock, `INSERT INTO blocks (hash, height, prev, header, work, main) VALUES (?, ?, ?, ?, ?, 1)
			ON CONFLICT (hash) DO NOTHING`},
		{&s.reconnect, `UPDATE blocks SET main = 1, header = ?, work = ? WHERE hash = ?`},
	} {
		st, err := tx.Preparex(p.q)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("prepare %q: %w", p.q, err)
		}
		*p.dst = st
	}
	return s, nil
}

func (s *stmts) close() {
	for _, st := range []*sqlx.Stmt{s.putBlock, s.disconnect, s.orphanEvents, s.dropUndo, s.dropEvents, s.putUndo,
		s.putEvent, s.putFluxnode, s.delFluxnode, s.putUTXO, s.delUTXO, s.putWatched, s.addBlock, s.reconnect} {
		if st != nil {
			st.Close()
		}
	}
}

// connect writes a connected block's header row as putBlock and dropEvents
// would: a new row on the main chain, or an old row (a block connected
// before) marked main again with its header and work, and its orphaned
// events deleted.
func (s *stmts) connect(h *spv.HeaderRecord) error {
	res, err := s.addBlock.Exec(h.Hash[:], h.Height, h.Prev[:], h.Raw, h.Work)
	if err != nil {
		return fmt.Errorf("connect %s: %w", h.Hash, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err // new: no events can refer to it (foreign key)
	}
	if res, err = s.reconnect.Exec(h.Raw, h.Work, h.Hash[:]); err != nil {
		return fmt.Errorf("connect %s: %w", h.Hash, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return fmt.Errorf("connect %s: row not written", h.Hash)
	}
	_, err = s.dropEvents.Exec(h.Hash[:])
	return err
}

// Commit implements spv.Store: the whole batch in one transaction.
func (d *DB) Commit(b *spv.Batch) error {
	return d.inTx(func(tx *sqlx.Tx) error {
		st, err := prepare(tx)
		if err != nil {
			return err
		}
		defer st.close()
		for _, r := range b.Disconnect {
			res, err := st.disconnect.Exec(r.Hash[:])
			if err != nil {
				return fmt.Errorf("disconnect %s: %w", r.Hash, err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return fmt.Errorf("disconnect %s: no such block", r.Hash)
			}
			if _, err := st.orphanEvents.Exec(r.Hash[:]); err != nil {
				return err
			}
			if _, err := st.dropUndo.Exec(r.Hash[:]); err != nil {
				return err
			}
		}
		for _, c := range b.Connect {
			h := c.Header
			if err := st.connect(&h); err != nil {
				return err
			}
			// Undo data the batch's own pruning would delete is not written:
			// the outcome is the same, at the cost of neither.
			if h.Height >= b.PruneUndoBelow {
				if _, err := st.putUndo.Exec(h.Hash[:], h.Height, c.Undo); err != nil {
					return err
				}
			}
			for _, e := range c.Events {
				if _, err := st.putEvent.Exec(h.Hash[:], e.Seq, h.Height, e.ID, e.TxID[:], e.Data); err != nil {
					return fmt.Errorf("event %s: %w", e.ID, err)
				}
			}
		}
		for _, f := range b.FluxnodePut {
			if _, err := st.putFluxnode.Exec(f.OutPoint.Hash[:], f.OutPoint.Index, f.Data); err != nil {
				return err
			}
		}
		for _, op := range b.FluxnodeDelete {
			if _, err := st.delFluxnode.Exec(op.Hash[:], op.Index); err != nil {
				return err
			}
		}
		for _, op := range b.UTXODelete {
			if _, err := st.delUTXO.Exec(op.Hash[:], op.Index); err != nil {
				return err
			}
		}
		for _, u := range b.UTXOPut {
			if _, err := st.putUTXO.Exec(u.OutPoint.Hash[:], u.OutPoint.Index, u.Value, u.Script, u.Height); err != nil {
				return err
			}
		}
		for _, w := range b.Watched {
			var bh []byte
			if w.Mined {
				bh = w.BlockHash[:]
			}
			if _, err := st.putWatched.Exec(w.TxID[:], w.Mined, w.Height, bh); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`DELETE FROM undo WHERE height < ?`, b.PruneUndoBelow); err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE meta SET tip_height = ?, tip_hash = ? WHERE id = 1`, b.Tip.Height, b.Tip.Hash[:])
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errors.New("commit on an uninitialised store")
		}
		var main []byte
		if err := tx.Get(&main, `SELECT hash FROM blocks WHERE height = ? AND main = 1`, b.Tip.Height); err != nil {
			return fmt.Errorf("tip %d %s is not on the main chain: %w", b.Tip.Height, b.Tip.Hash, err)
		}
		if h, _ := hashOf(main); h != b.Tip.Hash {
			return fmt.Errorf("tip %s is not the main block %s at height %d", b.Tip.Hash, h, b.Tip.Height)
		}
		return nil
	})
}
