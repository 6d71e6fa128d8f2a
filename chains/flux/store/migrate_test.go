package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
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
		if n, err := db.MigrationCount(); err != nil || n != 2 {
			t.Fatalf("%d migrations recorded (%v), want 2", n, err)
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

// A database at the first migration (blocks keyed by hash) keeps every row
// through 0002_blocks_rowid.sql, which makes blocks a rowid table, and the
// foreign keys of undo and events still point at blocks.
func TestBlocksRowidMigrationKeepsRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flux.db")
	old := rawDB(t, path)
	body, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	exec(t, old, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
	exec(t, old, string(body))
	exec(t, old, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, '0001_init.sql', '2025-01-02T03:04:05Z')`)
	g, a, b, side := storetest.H("g"), storetest.H("a"), storetest.H("b"), storetest.H("side")
	work := make([]byte, 32)
	exec(t, old, `INSERT INTO meta VALUES (1, 0, ?, 2, ?)`, g[:], b[:])
	for _, r := range []struct {
		hash, prev []byte
		height     int
		main       int
	}{{g[:], make([]byte, 32), 0, 1}, {a[:], g[:], 1, 1}, {b[:], a[:], 2, 1}, {side[:], g[:], 1, 0}} {
		exec(t, old, `INSERT INTO blocks (hash, height, prev, header, work, main) VALUES (?, ?, ?, ?, ?, ?)`,
			r.hash, r.height, r.prev, []byte{byte(r.height)}, work, r.main)
	}
	exec(t, old, `INSERT INTO undo (hash, height, data) VALUES (?, 2, x'0102')`, b[:])
	exec(t, old, `INSERT INTO events (block_hash, seq, height, id, txid, data, orphaned) VALUES (?, 0, 1, 'ev-a', ?, x'aa', 0)`, a[:], g[:])
	exec(t, old, `INSERT INTO events (block_hash, seq, height, id, txid, data, orphaned) VALUES (?, 0, 1, 'ev-side', ?, x'bb', 1)`, side[:], g[:])
	old.Close()

	db, err := store.Open(path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	hs, err := db.MainHeaders(0, 2)
	if err != nil || len(hs) != 3 || hs[0].Hash != g || hs[1].Hash != a || hs[2].Hash != b || hs[2].Prev != a {
		t.Fatalf("main headers after the migration: %+v %v", hs, err)
	}
	if r, ok, err := db.HeaderByHash(side); !ok || err != nil || r.Main || r.Height != 1 {
		t.Fatalf("side header after the migration: %+v %v %v", r, ok, err)
	}
	if u, ok, err := db.Undo(b); !ok || err != nil || len(u) != 2 {
		t.Fatalf("undo after the migration: %x %v %v", u, ok, err)
	}
	if evs, err := db.BlockEvents(side); err != nil || len(evs) != 1 || !evs[0].Orphaned {
		t.Fatalf("orphaned events after the migration: %+v %v", evs, err)
	}
	if e, ok, err := db.EventByID("ev-a"); !ok || err != nil || e.BlockHash != a {
		t.Fatalf("event after the migration: %+v %v %v", e, ok, err)
	}
	raw := rawDB(t, path)
	var ddl string
	if err := raw.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'blocks'`).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToUpper(ddl), "WITHOUT ROWID") {
		t.Fatalf("blocks is still keyed by hash: %s", ddl)
	}
	for _, child := range []string{"undo", "events"} {
		var parent string
		if err := raw.QueryRow(`SELECT "table" FROM pragma_foreign_key_list(?)`, child).Scan(&parent); err != nil || parent != "blocks" {
			t.Fatalf("%s references %q (%v), want blocks", child, parent, err)
		}
	}
	// The foreign keys hold: undo for a block that does not exist is refused.
	conn, err := raw.Conn(context.Background()) // one connection: the pragma holds for the insert
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `PRAGMA foreign_keys = ON`); err != nil {
		t.Fatal(err)
	}
	nope := storetest.H("nope")
	if _, err := conn.ExecContext(context.Background(), `INSERT INTO undo (hash, height, data) VALUES (?, 9, x'00')`, nope[:]); err == nil {
		t.Fatal("undo for an unknown block was accepted")
	}
}
