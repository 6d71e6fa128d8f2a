package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// createOldFormat builds a database the way the relayer did before
// internal/migrate: the migrations named, applied and recorded in
// schema_migrations (name, sha256, applied_at in Unix ms), plus a cursor.
func createOldFormat(t *testing.T, path string, applied ...string) {
	t.Helper()
	db, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
	for i, name := range applied {
		body, err := migrations.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
		s := sha256.Sum256(body)
		exec(`INSERT INTO schema_migrations (name, sha256, applied_at) VALUES (?, ?, ?)`, name, hex.EncodeToString(s[:]), 1_650_000_000_000+i)
	}
	exec(`INSERT INTO cursors (stream, cursor) VALUES ('flux.seen', '42')`)
}

func tableCount(t *testing.T, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, name string) int {
	t.Helper()
	var n int
	if err := q.QueryRowContext(context.Background(), `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A database written by the relayer before internal/migrate opens, keeps its
// data and records, and continues with the migrations it lacks.
func TestOpensADatabaseInTheOldFormat(t *testing.T) {
	for _, c := range []struct {
		name    string
		applied []string
	}{
		// 0003 came after internal/migrate: no old-format database has it.
		{"every migration of the old format", []string{"0001_init.sql", "0002_attempts.sql"}},
		{"before 0002", []string{"0001_init.sql"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "relayer.db")
			createOldFormat(t, path, c.applied...)

			// A read-only open (fluxbridge status beside an older running
			// relayer) reads the old records and changes nothing.
			ro, err := OpenReadOnly(context.Background(), path)
			if err != nil {
				t.Fatalf("read-only open of an old database: %v", err)
			}
			if tableCount(t, ro.r, "schema_migrations") != 1 || tableCount(t, ro.r, "relayer_schema_migrations") != 0 {
				t.Fatal("a read-only open changed the bookkeeping")
			}
			ro.Close()

			db := mustOpen(t, path)
			if tableCount(t, db.w, "schema_migrations") != 0 {
				t.Fatal("the old bookkeeping table is still there")
			}
			st, err := schema.Check(context.Background(), db.w)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range st.Applied {
				got = append(got, r.Name)
			}
			if !slices.Equal(got, migrationNames(t)) || len(st.Pending) != 0 {
				t.Fatalf("after the upgrade: applied %v, pending %v", got, st.Pending)
			}
			if st.Applied[0].AppliedAt.UnixMilli() != 1_650_000_000_000 {
				t.Fatalf("0001 lost its applied_at: %v", st.Applied[0].AppliedAt)
			}
			var c chains.Cursor
			if err := db.View(context.Background(), func(tx relayer.Tx) (err error) { c, err = tx.Cursor("flux.seen"); return err }); err != nil || c != "42" {
				t.Fatalf("cursor after the upgrade: %q %v", c, err)
			}
			update(t, db, func(tx relayer.Tx) error { return tx.PutTransfer(lockTransfer(1, 5)) })
			db.Close()
			mustOpen(t, path) // and it opens again as a database of the new format
		})
	}
}

// migrationNames lists the embedded migrations in order.
func migrationNames(t *testing.T) []string {
	t.Helper()
	ents, err := migrations.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	if len(out) < 5 {
		t.Fatalf("only %d migrations embedded: %v", len(out), out)
	}
	return out
}

// TestTotalsMigrationCountsTheTransfersThere applies 0005 to a database
// that already holds transfers: the totals start from them, and then
// follow every change.
func TestTotalsMigrationCountsTheTransfersThere(t *testing.T) {
	path := filepath.Join(t.TempDir(), "relayer.db")
	db := mustOpen(t, path)
	update(t, db, func(tx relayer.Tx) error {
		for i, st := range []relayer.State{relayer.StateSeen, relayer.StateFinal, relayer.StateFinal, relayer.StateMinted} {
			tr := lockTransfer(i, 1_000_000_000_000+uint64(i))
			if err := tx.PutTransfer(tr); err != nil {
				return err
			}
			if st == relayer.StateSeen {
				continue
			}
			tr.State, tr.FinalAt = relayer.StateFinal, tr.SeenAt
			if err := tx.PutTransfer(tr); err != nil {
				return err
			}
			if st == relayer.StateMinted {
				for _, s := range []relayer.State{relayer.StateAttested, relayer.StateQuorum, relayer.StateSubmitted, relayer.StateMinted} {
					if tr.State = s; tx.PutTransfer(tr) != nil {
						return fmt.Errorf("to %s", s)
					}
				}
			}
		}
		return nil
	})
	// Undo 0005 (and the migrations after it) as if the database predates it.
	for _, q := range []string{`DROP INDEX spends_by_state`, `DROP INDEX spends_by_range`, `DROP INDEX spends_by_ref`,
		`DELETE FROM relayer_schema_migrations WHERE name = '0006_spend_reads.sql'`,
		`DROP TRIGGER transfer_totals_insert`, `DROP TRIGGER transfer_totals_update`, `DROP TRIGGER transfer_totals_delete`,
		`DROP TABLE transfer_totals`, `DROP INDEX transfers_waiting_batches`, `DELETE FROM relayer_schema_migrations WHERE name = '0005_tick_reads.sql'`} {
		if _, err := db.w.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	db = mustOpen(t, path)
	check := func(when string, wantLocked uint64, wantCount map[relayer.State]int) {
		t.Helper()
		if err := db.View(context.Background(), func(tx relayer.Tx) error {
			locked, err := tx.LockedTotal()
			if err != nil {
				return err
			}
			count, err := tx.CountByState()
			if err != nil {
				return err
			}
			if locked != wantLocked || !maps.Equal(count, wantCount) {
				t.Errorf("%s: locked %d, counts %v; want %d, %v", when, locked, count, wantLocked, wantCount)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	const base = 1_000_000_000_000
	check("after the migration", 3*base+1+2+3, map[relayer.State]int{relayer.StateSeen: 1, relayer.StateFinal: 2, relayer.StateMinted: 1})
	update(t, db, func(tx relayer.Tx) error {
		tr, err := tx.Transfer(lockTransfer(0, 0).ID)
		if err != nil {
			return err
		}
		tr.State, tr.FinalAt = relayer.StateFinal, tr.SeenAt
		return tx.PutTransfer(tr)
	})
	check("after a transfer became final", 4*base+1+2+3, map[relayer.State]int{relayer.StateFinal: 3, relayer.StateMinted: 1})
}
