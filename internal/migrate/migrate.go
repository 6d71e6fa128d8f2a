// Package migrate runs a store's embedded, ordered SQL migrations against an
// open SQLite database and records each one, with the SHA-256 of its file, in
// a bookkeeping table of the store's own (DESIGN §7). The table is named after
// the store's namespace, <namespace>_schema_migrations, so several stores can
// keep their schemas in one database file (the relayer's store and the light
// node's, DESIGN §2) without reading or refusing each other's records.
//
// Every migration runs in its own transaction together with the row that
// records it, so a migration that fails leaves nothing behind. Before it applies
// anything, Migrate refuses a database whose records do not match the binary:
// a recorded migration whose checksum differs from the embedded file
// (*ChecksumError), one the binary does not have (*UnknownError: the database
// was written by a newer version), or a new migration that sorts before one
// already applied (*OrderError). All three match ErrRefused with errors.Is, and
// a refused database is left exactly as it was.
//
// A store that recorded its migrations in a table of its own format before this
// package existed describes that table with a Legacy value; the first Migrate
// moves its records into the namespaced table and drops it, in one transaction.
//
// The package uses database/sql only and imports no driver: a store passes the
// *sql.DB it opened (sqlx's DB embeds one). It relies on SQLite's
// pragma_table_info, and expects write transactions to begin IMMEDIATE (the
// go-sqlite3 DSN option _txlock=immediate), so that two processes opening the
// same file apply each migration once.
package migrate

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// TableSuffix ends the name of every bookkeeping table: the relayer's store,
// with namespace "relayer", records its migrations in relayer_schema_migrations.
const TableSuffix = "_schema_migrations"

// columns are the bookkeeping table's columns: the migration's file name, the
// hex SHA-256 of the file as it was applied, and when it was applied (Unix
// milliseconds).
var columns = []string{"name", "sha256", "applied_at"}

// namespaceRE is what a namespace may look like; it becomes part of a table name.
var namespaceRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Querier runs a query. *sql.DB, *sql.Conn and *sql.Tx implement it, and so
// does sqlx's DB.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// DB is what Migrate needs of a database: queries and transactions. *sql.DB
// implements it.
type DB interface {
	Querier
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// Runner applies one store's migrations. Its zero value is not usable: set
// Namespace, FS and Dir. A Runner is safe for concurrent use.
type Runner struct {
	// Namespace names the store ("relayer", "lightnode"). It is lower-case
	// letters, digits and underscores, starts with a letter, and is at most 32
	// bytes long. Its records are kept in Namespace + TableSuffix.
	Namespace string
	// FS holds the migrations, typically an embed.FS.
	FS fs.FS
	// Dir is the directory of FS that holds them. Every *.sql file in it is a
	// migration; they are applied in the lexical order of their names, so name
	// them with a fixed-width number first (0001_init.sql, 0002_….sql).
	Dir string
	// Legacy, if not nil, is the bookkeeping table this store used before this
	// package; Migrate adopts its records (see Legacy).
	Legacy *Legacy
	// Now is the clock that stamps applied migrations (default time.Now).
	Now func() time.Time
}

// Legacy describes the bookkeeping table a store kept before this package.
// Migrate recognises it by its name and its exact set of columns (a table of
// that name with other columns belongs to another store and is left alone),
// copies its records into the namespaced table, checks them like any other
// record, and drops it, all in one transaction; a database it refuses keeps
// its legacy table. Check reads a legacy table without changing it.
type Legacy struct {
	// Table is the legacy table's name.
	Table string
	// Columns are all of its columns, in any order.
	Columns []string
	// Select reads its records as three columns: the migration's file name,
	// its hex SHA-256 ('' if the legacy format recorded none) and when it
	// was applied in Unix milliseconds (NULL if unknown). A record without a
	// checksum is given the checksum of the binary's file of that name: the
	// legacy format never recorded what it applied, so the file is trusted
	// once, as the legacy runner always did.
	Select string
}

// Migration is one embedded migration.
type Migration struct {
	Name   string // file name, e.g. "0001_init.sql"
	SHA256 string // hex SHA-256 of the file
	body   []byte
}

// Record is one applied migration as the database recorded it.
type Record struct {
	Name      string
	SHA256    string
	AppliedAt time.Time // zero if the legacy format did not record it
}

// Status is what a database holds against the binary's migrations.
type Status struct {
	// Applied are the recorded migrations, in order.
	Applied []Record
	// Pending are the names of the binary's migrations not applied yet, in order.
	Pending []string
}

// Table returns the name of r's bookkeeping table.
func (r *Runner) Table() string { return r.Namespace + TableSuffix }

// Migrations returns r's migrations in the order they apply.
func (r *Runner) Migrations() ([]Migration, error) {
	if !namespaceRE.MatchString(r.Namespace) {
		return nil, fmt.Errorf("%w: namespace %q is not lower-case letters, digits and underscores starting with a letter (at most 32 bytes)", ErrConfig, r.Namespace)
	}
	if r.FS == nil {
		return nil, fmt.Errorf("%w: %s: no FS", ErrConfig, r.Namespace)
	}
	names, err := fs.Glob(r.FS, path.Join(r.Dir, "*.sql"))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrConfig, r.Namespace, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: %s: no *.sql migrations in directory %q", ErrConfig, r.Namespace, r.Dir)
	}
	sort.Strings(names)
	ms := make([]Migration, len(names))
	for i, n := range names {
		body, err := fs.ReadFile(r.FS, n)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrConfig, r.Namespace, err)
		}
		sum := sha256.Sum256(body)
		ms[i] = Migration{Name: path.Base(n), SHA256: hex.EncodeToString(sum[:]), body: body}
	}
	return ms, nil
}

// Migrate brings db up to date: it creates the bookkeeping table (adopting a
// legacy one), refuses a database whose records do not match the binary, and
// applies the pending migrations in order, each in its own transaction with
// its record. It returns the names of the migrations it applied; on a
// *MigrationError, those before the failing one stay applied.
func (r *Runner) Migrate(ctx context.Context, db DB) ([]string, error) {
	ms, err := r.Migrations()
	if err != nil {
		return nil, err
	}
	recorded, err := r.prepare(ctx, db, ms)
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range ms {
		if _, ok := recorded[m.Name]; ok {
			continue
		}
		done, err := r.apply(ctx, db, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, m.Name)
		}
	}
	return applied, nil
}

// Check verifies, without writing, that the database's records match the
// binary's migrations, and reports which are applied and which pending. It
// reads a legacy table if the namespaced one does not exist yet; a database
// with neither has nothing applied.
func (r *Runner) Check(ctx context.Context, q Querier) (Status, error) {
	ms, err := r.Migrations()
	if err != nil {
		return Status{}, err
	}
	cols, err := r.tableColumns(ctx, q, r.Table())
	if err != nil {
		return Status{}, err
	}
	var recs []Record
	switch {
	case len(cols) > 0:
		if err := r.checkFormat(cols); err != nil {
			return Status{}, err
		}
		recs, err = r.records(ctx, q)
	default:
		var own bool
		if own, err = r.ownLegacy(ctx, q); own {
			recs, err = r.legacyRecords(ctx, q, ms)
		}
	}
	if err != nil {
		return Status{}, err
	}
	if err := r.verify(recs, ms); err != nil {
		return Status{}, err
	}
	st := Status{Applied: recs}
	done := recordSet(recs)
	for _, m := range ms {
		if _, ok := done[m.Name]; !ok {
			st.Pending = append(st.Pending, m.Name)
		}
	}
	return st, nil
}

// prepare creates the bookkeeping table (adopting a legacy one) and verifies
// the records, in one transaction that a refusal rolls back. It returns the
// records by name.
func (r *Runner) prepare(ctx context.Context, db DB, ms []Migration) (map[string]Record, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, r.dbError("begin", err)
	}
	defer tx.Rollback()
	cols, err := r.tableColumns(ctx, tx, r.Table())
	if err != nil {
		return nil, err
	}
	if len(cols) > 0 {
		if err := r.checkFormat(cols); err != nil {
			return nil, err
		}
	} else {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE `+quote(r.Table())+` (
	name       TEXT PRIMARY KEY,
	sha256     TEXT NOT NULL,
	applied_at INTEGER NOT NULL
)`); err != nil {
			return nil, r.dbError("create "+r.Table(), err)
		}
		if err := r.adopt(ctx, tx, ms); err != nil {
			return nil, err
		}
	}
	recs, err := r.records(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := r.verify(recs, ms); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, r.dbError("commit", err)
	}
	return recordSet(recs), nil
}

// adopt copies the records of r's legacy table, if the database has one, into
// the namespaced table and drops it.
func (r *Runner) adopt(ctx context.Context, tx *sql.Tx, ms []Migration) error {
	own, err := r.ownLegacy(ctx, tx)
	if err != nil || !own {
		return err
	}
	recs, err := r.legacyRecords(ctx, tx, ms)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		var at int64
		if !rec.AppliedAt.IsZero() {
			at = rec.AppliedAt.UnixMilli()
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+quote(r.Table())+` (name, sha256, applied_at) VALUES (?, ?, ?)`,
			rec.Name, rec.SHA256, at); err != nil {
			return r.dbError("adopt "+r.Legacy.Table, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE `+quote(r.Legacy.Table)); err != nil {
		return r.dbError("drop "+r.Legacy.Table, err)
	}
	return nil
}

// apply runs one migration and records it in one transaction. It reports
// false if another process applied it first.
func (r *Runner) apply(ctx context.Context, db DB, m Migration) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, r.dbError("begin", err)
	}
	defer tx.Rollback()
	// The write lock is held (BEGIN IMMEDIATE): look again, in case another
	// process applied it since the records were read.
	recs, err := r.records(ctx, tx)
	if err != nil {
		return false, err
	}
	if rec, ok := recordSet(recs)[m.Name]; ok {
		if rec.SHA256 != m.SHA256 {
			return false, &ChecksumError{Namespace: r.Namespace, Name: m.Name, Recorded: rec.SHA256, Binary: m.SHA256}
		}
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, string(m.body)); err != nil {
		return false, &MigrationError{Namespace: r.Namespace, Name: m.Name, Err: err}
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+quote(r.Table())+` (name, sha256, applied_at) VALUES (?, ?, ?)`,
		m.Name, m.SHA256, now().UnixMilli()); err != nil {
		return false, &MigrationError{Namespace: r.Namespace, Name: m.Name, Err: err}
	}
	if err := tx.Commit(); err != nil {
		return false, &MigrationError{Namespace: r.Namespace, Name: m.Name, Err: err}
	}
	return true, nil
}

// verify refuses records that do not match the binary's migrations.
func (r *Runner) verify(recs []Record, ms []Migration) error {
	byName := make(map[string]Migration, len(ms))
	for _, m := range ms {
		byName[m.Name] = m
	}
	last := ""
	for _, rec := range recs {
		m, ok := byName[rec.Name]
		if !ok {
			return &UnknownError{Namespace: r.Namespace, Name: rec.Name}
		}
		if rec.SHA256 != m.SHA256 {
			return &ChecksumError{Namespace: r.Namespace, Name: rec.Name, Recorded: rec.SHA256, Binary: m.SHA256}
		}
		last = max(last, rec.Name)
	}
	done := recordSet(recs)
	for _, m := range ms {
		if _, ok := done[m.Name]; !ok && m.Name < last {
			return &OrderError{Namespace: r.Namespace, Name: m.Name, Applied: last}
		}
	}
	return nil
}

// checkFormat refuses a namespaced table that this package did not create.
func (r *Runner) checkFormat(cols []string) error {
	if !sameSet(cols, columns) {
		return &FormatError{Table: r.Table(), Columns: cols}
	}
	return nil
}

// records reads the namespaced table, in order.
func (r *Runner) records(ctx context.Context, q Querier) ([]Record, error) {
	recs, err := readRecords(ctx, q, `SELECT name, sha256, applied_at FROM `+quote(r.Table())+` ORDER BY name`)
	if err != nil {
		return nil, r.dbError("read "+r.Table(), err)
	}
	return recs, nil
}

// ownLegacy reports whether the database holds r's legacy table.
func (r *Runner) ownLegacy(ctx context.Context, q Querier) (bool, error) {
	if r.Legacy == nil {
		return false, nil
	}
	cols, err := r.tableColumns(ctx, q, r.Legacy.Table)
	if err != nil {
		return false, err
	}
	return len(cols) > 0 && sameSet(cols, r.Legacy.Columns), nil
}

// legacyRecords reads r's legacy table, in order, filling in missing
// checksums from the binary's migrations. A record the binary does not know
// keeps an empty checksum; verify refuses it as unknown.
func (r *Runner) legacyRecords(ctx context.Context, q Querier, ms []Migration) ([]Record, error) {
	recs, err := readRecords(ctx, q, r.Legacy.Select)
	if err != nil {
		return nil, r.dbError("read legacy table "+r.Legacy.Table, err)
	}
	for i := range recs {
		if recs[i].SHA256 != "" {
			continue
		}
		if j := slices.IndexFunc(ms, func(m Migration) bool { return m.Name == recs[i].Name }); j >= 0 {
			recs[i].SHA256 = ms[j].SHA256
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Name < recs[j].Name })
	return recs, nil
}

func (r *Runner) dbError(what string, err error) error {
	return &DBError{Namespace: r.Namespace, Op: what, Err: err}
}

// readRecords runs a query returning (name, sha256, applied_at ms) rows and
// reads them all before returning, so the connection is free again.
func readRecords(ctx context.Context, q Querier, query string) ([]Record, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var recs []Record
	for rows.Next() {
		var rec Record
		var at sql.NullInt64
		if err := rows.Scan(&rec.Name, &rec.SHA256, &at); err != nil {
			return nil, err
		}
		if at.Valid && at.Int64 != 0 {
			rec.AppliedAt = time.UnixMilli(at.Int64).UTC()
		}
		recs = append(recs, rec)
	}
	return recs, rows.Err()
}

// tableColumns returns the column names of table, none if it does not exist.
func (r *Runner) tableColumns(ctx context.Context, q Querier, table string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, r.dbError("columns of "+table, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, r.dbError("columns of "+table, err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, r.dbError("columns of "+table, err)
	}
	return cols, nil
}

func recordSet(recs []Record) map[string]Record {
	m := make(map[string]Record, len(recs))
	for _, rec := range recs {
		m[rec.Name] = rec
	}
	return m
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	for i := range x {
		x[i] = strings.ToLower(x[i])
	}
	for i := range y {
		y[i] = strings.ToLower(y[i])
	}
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// quote quotes an SQL identifier.
func quote(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }

// ErrRefused matches every refusal of a database whose records do not match
// the binary (*ChecksumError, *UnknownError, *OrderError, *FormatError): the
// database is left as it was, and retrying will not help.
var ErrRefused = errors.New("migrate: database refused")

// ErrConfig matches a Runner that cannot run: a bad namespace, or no
// migrations where it looks for them. It is a programming error.
var ErrConfig = errors.New("migrate: invalid runner")

// ChecksumError refuses a recorded migration whose checksum differs from the
// binary's file of the same name.
type ChecksumError struct {
	Namespace string
	Name      string // the migration's file name
	Recorded  string // the checksum in the database
	Binary    string // the checksum of the binary's file
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("%s migration %s was applied with SHA-256 %s, but this binary's %s has %s: "+
		"a released migration file was edited, or the database's records were altered; "+
		"restore the original file and put the change in a new migration, or restore the database from a backup",
		e.Namespace, e.Name, e.Recorded, e.Name, e.Binary)
}

// Is makes the error match ErrRefused.
func (e *ChecksumError) Is(target error) bool { return target == ErrRefused }

// UnknownError refuses a database that records a migration the binary does
// not have: a newer version wrote it, and this one does not know its schema.
type UnknownError struct {
	Namespace string
	Name      string // the unknown migration's file name
}

func (e *UnknownError) Error() string {
	return fmt.Sprintf("%s migration %s is recorded in the database but unknown to this binary: "+
		"a newer version of fluxbridge migrated it; run that version or a later one, or restore a backup made before the upgrade",
		e.Namespace, e.Name)
}

// Is makes the error match ErrRefused.
func (e *UnknownError) Is(target error) bool { return target == ErrRefused }

// OrderError refuses to apply a new migration that sorts before one already
// applied: the database would get the migrations in another order than a
// fresh one.
type OrderError struct {
	Namespace string
	Name      string // the new migration
	Applied   string // the last applied migration, which sorts after it
}

func (e *OrderError) Error() string {
	return fmt.Sprintf("%s migration %s is not applied yet but sorts before %s, which is: "+
		"rename it so that it sorts after %s (migrations apply in file-name order)",
		e.Namespace, e.Name, e.Applied, e.Applied)
}

// Is makes the error match ErrRefused.
func (e *OrderError) Is(target error) bool { return target == ErrRefused }

// FormatError refuses a bookkeeping table whose columns are not this
// package's: something else created a table of that name.
type FormatError struct {
	Table   string
	Columns []string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("table %s has columns (%s), not (%s): it was not created by fluxbridge's migration runner; "+
		"rename or drop it, or use another database file",
		e.Table, strings.Join(e.Columns, ", "), strings.Join(columns, ", "))
}

// Is makes the error match ErrRefused.
func (e *FormatError) Is(target error) bool { return target == ErrRefused }

// MigrationError reports a migration that failed. Its transaction was rolled
// back: nothing of it, and no record of it, is in the database.
type MigrationError struct {
	Namespace string
	Name      string
	Err       error
}

func (e *MigrationError) Error() string {
	return fmt.Sprintf("%s migration %s failed and was rolled back: %v", e.Namespace, e.Name, e.Err)
}

// Unwrap returns the database's error.
func (e *MigrationError) Unwrap() error { return e.Err }

// DBError reports a failure to read or write the bookkeeping tables.
type DBError struct {
	Namespace string
	Op        string // what the runner was doing
	Err       error
}

func (e *DBError) Error() string {
	return fmt.Sprintf("%s migrations: %s: %v", e.Namespace, e.Op, e.Err)
}

// Unwrap returns the database's error.
func (e *DBError) Unwrap() error { return e.Err }
