package store_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/spv/storetest"
	"github.com/fluxbridge/fluxbridge/chains/flux/store"
	"github.com/fluxbridge/fluxbridge/internal/migrate"
)

// rawDB opens path without the store, to build or inspect a database by hand.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func tables(t *testing.T, db *sql.DB, name string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A database written by the light node before internal/migrate (records in
// schema_migrations: version, name, applied_at in RFC 3339, no checksum)
// opens, keeps its state, and has its records moved to the new table.
func TestOpensADatabaseInTheOldFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flux.db")
	old := rawDB(t, path)
	body, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	g := storetest.H("g")
	exec(t, old, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
	exec(t, old, string(body))
	exec(t, old, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, '0001_init.sql', '2025-01-02T03:04:05Z')`)
	exec(t, old, `INSERT INTO meta VALUES (1, 7, ?, 7, ?)`, g[:], g[:])
	old.Close()

	for range 2 { // the upgrade, then an ordinary open
		db, err := store.Open(path)
		if err != nil {
			t.Fatalf("open of an old database: %v", err)
		}
		st, ok, err := db.State()
		if !ok || err != nil || st.TipHash != g || st.TipHeight != 7 {
			t.Fatalf("state after the upgrade: %+v %v %v", st, ok, err)
		}
		if n, err := db.MigrationCount(); err != nil || n != 1 {
			t.Fatalf("%d migrations recorded (%v), want 1", n, err)
		}
		db.Close()
	}
	after := rawDB(t, path)
	if tables(t, after, "schema_migrations") != 0 || tables(t, after, "lightnode_schema_migrations") != 1 {
		t.Fatal("the records were not moved to lightnode_schema_migrations")
	}
	var at int64
	if err := after.QueryRow(`SELECT applied_at FROM lightnode_schema_migrations WHERE name = '0001_init.sql'`).Scan(&at); err != nil || at != 1735787045000 {
		t.Fatalf("applied_at %d (%v), want 2025-01-02T03:04:05Z in ms", at, err)
	}
}

// A database whose records do not match the binary is refused with a typed
// error that names the migration.
func TestRefusesAForeignSchema(t *testing.T) {
	for _, c := range []struct {
		name, change string
		want         any
	}{
		{"tampered", `UPDATE lightnode_schema_migrations SET sha256 = 'x' WHERE name = '0001_init.sql'`, new(*migrate.ChecksumError)},
		{"future", `INSERT INTO lightnode_schema_migrations VALUES ('9999_future.sql', 'y', 0)`, new(*migrate.UnknownError)},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "flux.db")
			db, err := store.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			exec(t, rawDB(t, path), c.change)
			if _, err := store.Open(path); !errors.As(err, c.want) || !errors.Is(err, migrate.ErrRefused) {
				t.Fatalf("open: %v, want %T", err, c.want)
			}
		})
	}
}
