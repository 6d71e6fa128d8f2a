// Package store implements spv.Store on SQLite (sqlx over mattn/go-sqlite3):
// WAL, foreign keys on, a busy timeout, immediate write transactions,
// synchronous=NORMAL, embedded ordered migrations recorded in a table, and
// one connection, so there is exactly one writer. It is the only package of
// the light node that imports a database driver; its row types stay private.
package store

import (
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // the SQLite driver

	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
)

//go:embed migrations/*.sql
var migrations embed.FS

// BusyTimeout is how long a connection waits for a lock before failing.
const BusyTimeout = 5 * time.Second

// DB is the light node's SQLite database. It implements spv.Store and is
// safe for concurrent use.
type DB struct {
	db   *sqlx.DB
	path string
}

var _ spv.Store = (*DB)(nil)

// Open opens (creating if needed) the database at path and applies any
// pending migrations.
func Open(path string) (*DB, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", strconv.FormatInt(BusyTimeout.Milliseconds(), 10))
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	db, err := sqlx.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// One connection: one writer, and the pragmas above hold for every query.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	d := &DB{db: db, path: path}
	if err := d.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

// MustOpen opens a fresh database in tb.TempDir and closes it at the end of
// the test. It is a test helper.
func MustOpen(tb testing.TB) *DB {
	tb.Helper()
	d, err := Open(tb.TempDir() + "/flux.db")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

// Path returns the database file's path.
func (d *DB) Path() string { return d.path }

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// migrate applies the embedded migrations not yet recorded, each in its own
// transaction, in file-name order.
func (d *DB) migrate() error {
	if _, err := d.db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	var applied []int
	if err := d.db.Select(&applied, `SELECT version FROM schema_migrations`); err != nil {
		return fmt.Errorf("store: read migrations: %w", err)
	}
	done := make(map[int]bool, len(applied))
	for _, v := range applied {
		done[v] = true
	}
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("store: migration %s: no version prefix", base)
		}
		if done[v] {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := d.db.Beginx()
		if err != nil {
			return fmt.Errorf("store: migration %s: %w", base, err)
		}
		if _, err := tx.Exec(string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %s: %w", base, err)
		}
		if _, err := tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			v, base, time.Now().UTC().Format(time.RFC3339)); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: record migration %s: %w", base, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migration %s: %w", base, err)
		}
	}
	return nil
}

// MigrationCount returns how many migrations are recorded as applied.
func (d *DB) MigrationCount() (int, error) {
	var n int
	err := d.db.Get(&n, `SELECT count(*) FROM schema_migrations`)
	return n, err
}

// JournalMode returns SQLite's journal mode ("wal" once opened).
func (d *DB) JournalMode() (string, error) {
	var m string
	err := d.db.Get(&m, `PRAGMA journal_mode`)
	return m, err
}
