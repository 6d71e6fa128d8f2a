// Package sqlite is the relayer's store (relayer.Store) on SQLite: WAL mode,
// foreign keys on, a busy timeout, one writer connection serialising the
// Updates and a pool of readers for Views, and embedded ordered migrations
// recorded with their checksums (DESIGN §7). The journal lives in the same
// database, so an entry commits together with the state step it explains.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3" // the SQLite driver, and its result codes

	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/internal/migrate"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/journal"
	"github.com/fluxbridge/fluxbridge/signer"
)

//go:embed migrations/*.sql
var migrations embed.FS

// BusyTimeout is how long a connection waits for a lock held by another.
const BusyTimeout = 10 * time.Second

// The connections and their page caches, which SQLite allocates with C's
// malloc outside the Go heap, one cache per connection (2,000 KiB each by
// default).
const (
	// writerCachePages is the page cache of the writer connection (SQLite's
	// default of 2,000 KiB in 4 KiB pages): it keeps its pages from one
	// Update to the next, so the pages the pipeline writes stay cached.
	writerCachePages = 500
	// readerCachePages is the page cache of each reader connection. In WAL
	// mode a connection empties its cache when it begins a read after
	// another connection committed, and the writer commits several times a
	// second, so a reader's cache serves one View only. 20 pages is SQLite's
	// first bulk allocation of a cache (SQLITE_DEFAULT_PCACHE_INITSZ): a
	// reader reuses them and never mallocs and frees single pages, which
	// fragments the C heap of a long-running relayer.
	readerCachePages = 20
	// maxReaders is how many reader connections serve Views at once. They
	// stay open: a connection closed and opened again parses the schema and
	// builds its caches anew, again through malloc.
	maxReaders = 4
)

// Config configures Open.
type Config struct {
	// Path is the database file; its directory is created (0700) if missing.
	Path string
	// Signer signs journal entries.
	Signer signer.Signer
	// Now is the clock (default time.Now); each transaction takes it once.
	Now func() time.Time
}

// DB is the relayer's SQLite store. It implements relayer.Store and is safe
// for concurrent use.
type DB struct {
	cfg      Config
	w        *sqlx.DB // the one writer connection
	r        *sqlx.DB // readers
	readOnly bool

	mu    sync.Mutex            // serialises Updates and guards head and stmts
	head  *journal.Entry        // the last committed journal entry (nil: empty)
	stmts map[string]*sqlx.Stmt // statements prepared on the writer connection
	// unprepared are queries Updates ran unprepared, to prepare next.
	unprepared map[string]bool
}

var _ relayer.Store = (*DB)(nil)

// dsn is the data source name of a writer connection, or of a reader
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
		q.Set("_cache_size", strconv.Itoa(writerCachePages))
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database and applies pending migrations.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	const op = "sqlite.Open"
	if cfg.Path == "" || cfg.Signer == nil {
		return nil, fault.E(op, fault.Invalid, errors.New("Path and Signer are required"))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o700); err != nil {
		return nil, fault.E(op, fault.Internal, err)
	}
	w, err := sqlx.Open("sqlite3", dsn(cfg.Path, false))
	if err != nil {
		return nil, fault.E(op, fault.Internal, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	db := &DB{cfg: cfg, w: w, stmts: map[string]*sqlx.Stmt{}, unprepared: map[string]bool{}}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if db.r, err = sqlx.Open("sqlite3", dsn(cfg.Path, true)); err != nil {
		w.Close()
		return nil, fault.E(op, fault.Internal, err)
	}
	db.r.SetMaxOpenConns(maxReaders)
	db.r.SetMaxIdleConns(maxReaders)
	if db.head, err = db.loadHead(ctx, db.w); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenReadOnly opens an existing database for View only (`fluxbridge
// status`, audits), alongside a relayer that may be running. Update fails.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	const op = "sqlite.OpenReadOnly"
	if _, err := os.Stat(path); err != nil {
		return nil, fault.E(op, fault.NotFound, fmt.Errorf("no relayer database at %s (has the relayer run yet?)", path))
	}
	r, err := sqlx.Open("sqlite3", dsn(path, true))
	if err != nil {
		return nil, fault.E(op, fault.Internal, err)
	}
	db := &DB{cfg: Config{Path: path, Now: time.Now}, r: r, readOnly: true}
	if err := db.checkMigrations(ctx, r); err != nil {
		r.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error {
	var errs []error
	db.mu.Lock()
	for _, st := range db.stmts {
		errs = append(errs, st.Close())
	}
	db.stmts = nil
	db.mu.Unlock()
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	return errors.Join(errs...)
}

// Path is the database file.
func (db *DB) Path() string { return db.cfg.Path }

// Update runs fn in one write transaction (relayer.Store).
func (db *DB) Update(ctx context.Context, fn func(relayer.Tx) error) error {
	const op = "sqlite.Update"
	if db.readOnly {
		return fault.E(op, fault.Internal, errors.New("the database is open read-only"))
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	sqltx, err := db.w.BeginTxx(ctx, nil)
	if err != nil {
		return fault.E(op, kindOf(err), err)
	}
	t := &tx{db: db, tx: sqltx, now: db.cfg.Now().UTC().Truncate(time.Millisecond), ctx: ctx, head: db.head}
	if err := fn(t); err != nil {
		sqltx.Rollback()
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fault.E(op, kindOf(err), err)
	}
	db.head = t.head
	db.prepare(ctx)
	return nil
}

// prepare prepares the queries the last Updates ran unprepared (bounded:
// the store's queries are a fixed set plus a few Transfers variants).
func (db *DB) prepare(ctx context.Context) {
	for q := range db.unprepared {
		delete(db.unprepared, q)
		if len(db.stmts) >= 256 {
			continue
		}
		if st, err := db.w.PreparexContext(ctx, q); err == nil {
			db.stmts[q] = st
		}
	}
}

// View runs fn in a read transaction (relayer.Store).
func (db *DB) View(ctx context.Context, fn func(relayer.Tx) error) error {
	sqltx, err := db.r.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fault.E("sqlite.View", kindOf(err), err)
	}
	defer sqltx.Rollback()
	return fn(&tx{db: db, tx: sqltx, now: db.cfg.Now().UTC().Truncate(time.Millisecond), ctx: ctx, ro: true})
}

// kindOf classifies a driver error by its SQLite result code: busy and
// locked are transient, a cancelled context too, anything else internal.
func kindOf(err error) fault.Kind {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fault.Transient
	}
	// SQLite's result codes, not its messages, say what failed.
	var se sqlite3.Error
	if errors.As(err, &se) {
		if se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked {
			return fault.Transient
		}
	}
	return fault.Internal
}

// schema is the relayer's migrations, recorded in relayer_schema_migrations
// so that the light node's store can share the database file (DESIGN §2, §7).
var schema = &migrate.Runner{
	Namespace: "relayer",
	FS:        migrations,
	Dir:       "migrations",
	// Before internal/migrate, the relayer recorded its migrations in
	// schema_migrations (name, sha256, applied_at in Unix ms); the first Open
	// moves those records into relayer_schema_migrations.
	Legacy: &migrate.Legacy{
		Table:   "schema_migrations",
		Columns: []string{"name", "sha256", "applied_at"},
		Select:  `SELECT name, sha256, applied_at FROM schema_migrations`,
	},
}

// migrate applies the embedded migrations in order, each in its own
// transaction, recording its name and checksum; it refuses a database whose
// records differ from this binary's migrations.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := schema.Migrate(ctx, db.w.DB); err != nil {
		return db.migrationError("sqlite.migrate", err)
	}
	return nil
}

// checkMigrations refuses a database whose recorded migrations differ from
// this binary's or that has migrations this binary does not know, without
// writing to it.
func (db *DB) checkMigrations(ctx context.Context, q migrate.Querier) error {
	if _, err := schema.Check(ctx, q); err != nil {
		return db.migrationError("sqlite.checkMigrations", err)
	}
	return nil
}

// migrationError classifies a migration error: a database this binary
// refuses (tampered, or written by a newer version) is a conflict.
func (db *DB) migrationError(op string, err error) error {
	kind := kindOf(err)
	if errors.Is(err, migrate.ErrRefused) {
		kind = fault.Conflict
	}
	return fault.E(op, kind, fmt.Errorf("%s: %w", db.cfg.Path, err))
}

// JournalHead returns the last journal entry (ok = false when empty).
func (db *DB) JournalHead(ctx context.Context) (journal.Entry, bool, error) {
	e, err := db.loadHead(ctx, db.r)
	if err != nil || e == nil {
		return journal.Entry{}, false, err
	}
	return *e, true, nil
}

// JournalRange returns up to limit journal entries from seq on, in order.
func (db *DB) JournalRange(ctx context.Context, from uint64, limit int) ([]journal.Entry, error) {
	var rows []journalRow
	if err := db.r.SelectContext(ctx, &rows, `SELECT * FROM journal WHERE seq >= ? ORDER BY seq LIMIT ?`, from, limit); err != nil {
		return nil, fault.E("sqlite.JournalRange", fault.Internal, err)
	}
	out := make([]journal.Entry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, nil
}

func (db *DB) loadHead(ctx context.Context, q sqlx.QueryerContext) (*journal.Entry, error) {
	var r journalRow
	err := sqlx.GetContext(ctx, q, &r, `SELECT * FROM journal ORDER BY seq DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fault.E("sqlite.JournalHead", fault.Internal, err)
	}
	e := r.entry()
	return &e, nil
}

type journalRow struct {
	Seq     uint64 `db:"seq"`
	Time    int64  `db:"time"`
	Kind    string `db:"kind"`
	Content []byte `db:"content"`
	Prev    []byte `db:"prev"`
	Hash    []byte `db:"hash"`
	Signer  []byte `db:"signer"`
	Sig     []byte `db:"sig"`
}

func (r journalRow) entry() journal.Entry {
	e := journal.Entry{Seq: r.Seq, Time: time.UnixMilli(r.Time).UTC(), Kind: r.Kind, Content: r.Content, Signer: r.Signer, Sig: r.Sig}
	copy(e.Prev[:], r.Prev)
	copy(e.Hash[:], r.Hash)
	return e
}
