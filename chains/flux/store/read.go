package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
)

const blockCols = `hash, height, prev, header, work, main`
const eventCols = `block_hash, seq, height, id, txid, data, orphaned`

// records converts scanned rows with conv, failing on the first bad row.
func records[Row, Rec any](rows []Row, conv func(*Row) (Rec, error)) ([]Rec, error) {
	out := make([]Rec, len(rows))
	for i := range rows {
		r, err := conv(&rows[i])
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// MainHeaders implements spv.Store.
func (d *DB) MainHeaders(from, to int32) ([]spv.HeaderRecord, error) {
	var rows []blockRow
	if err := d.rdb.Select(&rows, `SELECT `+blockCols+` FROM blocks WHERE main = 1 AND height BETWEEN ? AND ? ORDER BY height`, from, to); err != nil {
		return nil, fmt.Errorf("store: main headers %d..%d: %w", from, to, err)
	}
	return records(rows, (*blockRow).record)
}

func (d *DB) oneBlock(q string, arg any) (spv.HeaderRecord, bool, error) {
	var r blockRow
	err := d.rdb.Get(&r, `SELECT `+blockCols+` FROM blocks WHERE `+q, arg)
	if errors.Is(err, sql.ErrNoRows) {
		return spv.HeaderRecord{}, false, nil
	}
	if err != nil {
		return spv.HeaderRecord{}, false, fmt.Errorf("store: header: %w", err)
	}
	rec, err := r.record()
	return rec, err == nil, err
}

// HeaderAt implements spv.Store.
func (d *DB) HeaderAt(height int32) (spv.HeaderRecord, bool, error) {
	return d.oneBlock(`main = 1 AND height = ?`, height)
}

// HeaderByHash implements spv.Store.
func (d *DB) HeaderByHash(hash chainhash.Hash) (spv.HeaderRecord, bool, error) {
	return d.oneBlock(`hash = ?`, hash[:])
}

// Undo implements spv.Store.
func (d *DB) Undo(hash chainhash.Hash) ([]byte, bool, error) {
	var b []byte
	err := d.rdb.Get(&b, `SELECT data FROM undo WHERE hash = ?`, hash[:])
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: undo %s: %w", hash, err)
	}
	return b, true, nil
}

// Fluxnodes implements spv.Store.
func (d *DB) Fluxnodes() ([]spv.FluxnodeRecord, error) {
	var rows []fluxnodeRow
	if err := d.rdb.Select(&rows, `SELECT txid, vout, data FROM fluxnodes ORDER BY txid, vout`); err != nil {
		return nil, fmt.Errorf("store: fluxnodes: %w", err)
	}
	out := make([]spv.FluxnodeRecord, len(rows))
	for i, r := range rows {
		h, err := hashOf(r.TxID)
		if err != nil {
			return nil, err
		}
		out[i] = spv.FluxnodeRecord{OutPoint: chainhash.OutPoint{Hash: h, Index: r.Vout}, Data: r.Data}
	}
	return out, nil
}

// UTXOs implements spv.Store.
func (d *DB) UTXOs() ([]spv.UTXORecord, error) {
	var rows []utxoRow
	if err := d.rdb.Select(&rows, `SELECT txid, vout, value, script, height FROM reserve_utxos ORDER BY txid, vout`); err != nil {
		return nil, fmt.Errorf("store: reserve utxos: %w", err)
	}
	out := make([]spv.UTXORecord, len(rows))
	for i, r := range rows {
		h, err := hashOf(r.TxID)
		if err != nil {
			return nil, err
		}
		out[i] = spv.UTXORecord{OutPoint: chainhash.OutPoint{Hash: h, Index: r.Vout}, Value: r.Value, Script: r.Script, Height: r.Height}
	}
	return out, nil
}

// Watched implements spv.Store.
func (d *DB) Watched() ([]spv.WatchedTx, error) {
	var rows []watchedRow
	if err := d.rdb.Select(&rows, `SELECT txid, mined, height, block_hash FROM watched ORDER BY txid`); err != nil {
		return nil, fmt.Errorf("store: watched: %w", err)
	}
	out := make([]spv.WatchedTx, len(rows))
	for i, r := range rows {
		id, err := hashOf(r.TxID)
		if err != nil {
			return nil, err
		}
		w := spv.WatchedTx{TxID: id, Mined: r.Mined, Height: r.Height}
		if r.Mined {
			if w.BlockHash, err = hashOf(r.BlockHash); err != nil {
				return nil, err
			}
		}
		out[i] = w
	}
	return out, nil
}

// EventsInRange implements spv.Store.
func (d *DB) EventsInRange(from, to int32, limit int) ([]spv.EventRecord, error) {
	var rows []eventRow
	q := `SELECT ` + eventCols + ` FROM events WHERE orphaned = 0 AND height BETWEEN ? AND ? ORDER BY height, seq`
	args := []any{from, to}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	if err := d.rdb.Select(&rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: events %d..%d: %w", from, to, err)
	}
	if limit > 0 && len(rows) == limit {
		// Finish the last block: a response never splits one.
		last := rows[len(rows)-1]
		var rest []eventRow
		if err := d.rdb.Select(&rest, `SELECT `+eventCols+` FROM events WHERE block_hash = ? AND seq > ? ORDER BY seq`,
			last.BlockHash, last.Seq); err != nil {
			return nil, fmt.Errorf("store: events of %x: %w", last.BlockHash, err)
		}
		rows = append(rows, rest...)
	}
	return records(rows, (*eventRow).record)
}

// BlockEvents implements spv.Store.
func (d *DB) BlockEvents(hash chainhash.Hash) ([]spv.EventRecord, error) {
	var rows []eventRow
	if err := d.rdb.Select(&rows, `SELECT `+eventCols+` FROM events WHERE block_hash = ? ORDER BY seq`, hash[:]); err != nil {
		return nil, fmt.Errorf("store: events of %s: %w", hash, err)
	}
	return records(rows, (*eventRow).record)
}

// EventsByTx implements spv.Store.
func (d *DB) EventsByTx(txid chainhash.Hash) ([]spv.EventRecord, error) {
	var rows []eventRow
	if err := d.rdb.Select(&rows, `SELECT `+eventCols+` FROM events WHERE txid = ? AND orphaned = 0 ORDER BY height, seq`, txid[:]); err != nil {
		return nil, fmt.Errorf("store: events of tx %s: %w", txid, err)
	}
	return records(rows, (*eventRow).record)
}

// EventByID implements spv.Store.
func (d *DB) EventByID(id string) (spv.EventRecord, bool, error) {
	var r eventRow
	err := d.rdb.Get(&r, `SELECT `+eventCols+` FROM events WHERE id = ? AND orphaned = 0 ORDER BY height DESC LIMIT 1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return spv.EventRecord{}, false, nil
	}
	if err != nil {
		return spv.EventRecord{}, false, fmt.Errorf("store: event %s: %w", id, err)
	}
	rec, err := r.record()
	return rec, err == nil, err
}
