// Package store implements spv.Store on SQLite (sqlx over mattn/go-sqlite3):
// WAL, foreign keys on, a busy timeout, immediate write transactions,
// synchronous=NORMAL, embedded ordered migrations recorded in a table, one
// writer connection, so there is exactly one writer, and a few read-only
// connections, so that reads go on while a batch commits (WAL gives each
// read the last committed state, never part of a transaction). It is the
// only package of the light node that imports a database driver; its row
// types stay private.
package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // the SQLite driver

	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/internal/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// BusyTimeout is how long a connection waits for a lock before failing.
const BusyTimeout = 5 * time.Second

// Reader connections: how many, and the page cache of each (WAL empties a
// reader's cache whenever the database changed, so a large one buys
// nothing while the node syncs).
const (
	maxReaders       = 2
	readerCachePages = 64
)

// DB is the light node's SQLite database. It implements spv.Store and is
// safe for concurrent use.
type DB struct {
	db   *sqlx.DB // the one writer connection (and migrations)
	rdb  *sqlx.DB // read-only connections
	path string
}

var _ spv.Store = (*DB)(nil)

// dsn is the data source name of the writer connection, or of a reader
// connection (ro): the pragmas every connection gets on open.
func dsn(path string, ro bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", strconv.FormatInt(BusyTimeout.Milliseconds(), 10))
	q.Set("_synchronous", "NORMAL")
	if ro {
		q.Set("mode", "ro")
		q.Set("_cache_size", strconv.Itoa(readerCachePages))
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and applies any
// pending migrations.
func Open(path string) (*DB, error) {
	db, err := sqlx.Open("sqlite3", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// One writer connection: one writer, and the pragmas above hold for every write.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	d := &DB{db: db, path: path}
	if err := d.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	// Readers open after the migrations: the file exists and is in WAL mode.
	if d.rdb, err = sqlx.Open("sqlite3", dsn(path, true)); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	d.rdb.SetMaxOpenConns(maxReaders)
	d.rdb.SetMaxIdleConns(maxReaders)
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
func (d *DB) Close() error { return errors.Join(d.rdb.Close(), d.db.Close()) }

// schema is the light node's migrations, recorded in
// lightnode_schema_migrations so that the relayer's store can share the
// database file (DESIGN §2, §7).
var schema = &migrate.Runner{
	Namespace: "lightnode",
	FS:        migrations,
	Dir:       "migrations",
	// Before internal/migrate, the light node recorded its migrations in
	// schema_migrations (version, name, applied_at in RFC 3339) without a
	// checksum; the first Open moves those records into
	// lightnode_schema_migrations with the checksums of this binary's files.
	Legacy: &migrate.Legacy{
		Table:   "schema_migrations",
		Columns: []string{"version", "name", "applied_at"},
		Select:  `SELECT name, '', CAST(strftime('%s', applied_at) AS INTEGER) * 1000 FROM schema_migrations`,
	},
}

// migrate applies the embedded migrations not yet recorded, each in its own
// transaction, in file-name order, and refuses a database whose records
// differ from this binary's migrations (errors.Is(err, migrate.ErrRefused)).
func (d *DB) migrate() error {
	if _, err := schema.Migrate(context.Background(), d.db.DB); err != nil {
		return fmt.Errorf("store: %s: %w", d.path, err)
	}
	return nil
}

// MigrationCount returns how many migrations are recorded as applied.
func (d *DB) MigrationCount() (int, error) {
	st, err := schema.Check(context.Background(), d.db)
	if err != nil {
		return 0, fmt.Errorf("store: %s: %w", d.path, err)
	}
	return len(st.Applied), nil
}

// JournalMode returns SQLite's journal mode ("wal" once opened).
func (d *DB) JournalMode() (string, error) {
	var m string
	err := d.db.Get(&m, `PRAGMA journal_mode`)
	return m, err
}
