package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
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
			if !slices.Equal(got, []string{"0001_init.sql", "0002_attempts.sql", "0003_release.sql", "0004_batches.sql"}) || len(st.Pending) != 0 {
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
