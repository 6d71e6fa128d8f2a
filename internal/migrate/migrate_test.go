package migrate_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver, for the tests only

	"github.com/fluxbridge/fluxbridge/internal/migrate"
)

// open opens path the way the stores do: WAL, a busy timeout, and write
// transactions that begin IMMEDIATE.
func open(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=10000&_txlock=immediate&_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func tempDB(t *testing.T) (*sql.DB, string) {
	path := filepath.Join(t.TempDir(), "test.db")
	return open(t, path), path
}

// files builds a migrations directory; a README shows that only *.sql counts.
func files(kv ...string) fstest.MapFS {
	m := fstest.MapFS{"migrations/README": {Data: []byte("not a migration")}}
	for i := 0; i < len(kv); i += 2 {
		m["migrations/"+kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1])}
	}
	return m
}

func runner(ns string, fsys fstest.MapFS) *migrate.Runner {
	return &migrate.Runner{Namespace: ns, FS: fsys, Dir: "migrations",
		Now: func() time.Time { return time.UnixMilli(1_700_000_000_000) }}
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func names(recs []migrate.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Name)
	}
	return out
}

func queryInt(t *testing.T, db *sql.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func tableExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	return queryInt(t, db, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '`+name+`'`) == 1
}

// Three migrations that only work in order: the third reads the column the
// second adds.
var ordered = []string{
	"0003_fill.sql", "UPDATE t SET y = x * 10;",
	"0001_create.sql", "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2);",
	"0002_column.sql", "ALTER TABLE t ADD COLUMN y INTEGER NOT NULL DEFAULT 0; INSERT INTO t (x) VALUES (3);",
}

func TestAppliesInOrderOnce(t *testing.T) {
	db, _ := tempDB(t)
	r := runner("relayer", files(ordered...))
	applied, err := r.Migrate(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0001_create.sql", "0002_column.sql", "0003_fill.sql"}
	if !slices.Equal(applied, want) {
		t.Fatalf("applied %v, want %v", applied, want)
	}
	if n := queryInt(t, db, `SELECT sum(y) FROM t`); n != 60 {
		t.Fatalf("sum(y) = %d, want 60: the migrations did not run in order", n)
	}
	st, err := r.Check(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names(st.Applied), want) || len(st.Pending) != 0 {
		t.Fatalf("status %+v", st)
	}
	for i, rec := range st.Applied {
		if body := files(ordered...)["migrations/"+want[i]].Data; rec.SHA256 != sum(string(body)) {
			t.Errorf("%s recorded with %s, want the file's SHA-256", rec.Name, rec.SHA256)
		}
		if rec.AppliedAt.UnixMilli() != 1_700_000_000_000 {
			t.Errorf("%s applied at %v", rec.Name, rec.AppliedAt)
		}
	}
	if !tableExists(t, db, "relayer_schema_migrations") {
		t.Fatal("no relayer_schema_migrations table")
	}

	// The second run is a no-op: nothing applied, nothing re-stamped, no data touched.
	r.Now = func() time.Time { return time.UnixMilli(1_800_000_000_000) }
	applied, err = r.Migrate(t.Context(), db)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second run applied %v (%v), want nothing", applied, err)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM t`); n != 3 {
		t.Fatalf("%d rows in t after the second run, want 3", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM relayer_schema_migrations WHERE applied_at = 1700000000000`); n != 3 {
		t.Fatalf("%d records keep their first stamp, want 3", n)
	}

	// A new migration in a later binary is applied alone.
	r.FS = files(append(slices.Clone(ordered), "0004_more.sql", "INSERT INTO t (x) VALUES (4);")...)
	if applied, err = r.Migrate(t.Context(), db); err != nil || !slices.Equal(applied, []string{"0004_more.sql"}) {
		t.Fatalf("later binary applied %v (%v)", applied, err)
	}
}

func TestTamperedMigrationIsRefused(t *testing.T) {
	db, _ := tempDB(t)
	if _, err := runner("relayer", files(ordered...)).Migrate(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	tampered := files(ordered...)
	tampered["migrations/0002_column.sql"] = &fstest.MapFile{Data: []byte("ALTER TABLE t ADD COLUMN y INTEGER; -- edited")}
	tampered["migrations/0004_new.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE never (x);")}
	r := runner("relayer", tampered)
	for _, run := range []func() error{
		func() error { _, err := r.Migrate(t.Context(), db); return err },
		func() error { _, err := r.Check(t.Context(), db); return err },
	} {
		err := run()
		var ce *migrate.ChecksumError
		if !errors.As(err, &ce) || !errors.Is(err, migrate.ErrRefused) {
			t.Fatalf("tampered migration: %v, want a *ChecksumError matching ErrRefused", err)
		}
		if ce.Name != "0002_column.sql" || ce.Recorded != sum(ordered[5]) || !strings.Contains(err.Error(), "0002_column.sql") ||
			!strings.Contains(err.Error(), "new migration") {
			t.Fatalf("error does not name the migration or the fix: %+v: %v", ce, err)
		}
	}
	if tableExists(t, db, "never") {
		t.Fatal("a refused database was migrated further")
	}
}

func TestUnknownRecordedMigrationIsRefused(t *testing.T) {
	db, _ := tempDB(t)
	if _, err := runner("relayer", files(ordered...)).Migrate(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	older := runner("relayer", files(ordered[2:]...)) // 0001 and 0002 only
	_, err := older.Migrate(t.Context(), db)
	var ue *migrate.UnknownError
	if !errors.As(err, &ue) || !errors.Is(err, migrate.ErrRefused) || ue.Name != "0003_fill.sql" ||
		!strings.Contains(err.Error(), "newer version") {
		t.Fatalf("future schema: %v, want an *UnknownError for 0003_fill.sql", err)
	}
	if _, err := older.Check(t.Context(), db); !errors.As(err, &ue) {
		t.Fatalf("Check of a future schema: %v", err)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM relayer_schema_migrations`); n != 3 {
		t.Fatalf("%d records after a refusal, want 3", n)
	}
}

func TestMigrationSortingBeforeAnAppliedOneIsRefused(t *testing.T) {
	db, _ := tempDB(t)
	if _, err := runner("relayer", files("0001_a.sql", "CREATE TABLE a (x);", "0003_c.sql", "CREATE TABLE c (x);")).Migrate(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	_, err := runner("relayer", files("0001_a.sql", "CREATE TABLE a (x);", "0002_b.sql", "CREATE TABLE b (x);",
		"0003_c.sql", "CREATE TABLE c (x);")).Migrate(t.Context(), db)
	var oe *migrate.OrderError
	if !errors.As(err, &oe) || !errors.Is(err, migrate.ErrRefused) || oe.Name != "0002_b.sql" || oe.Applied != "0003_c.sql" {
		t.Fatalf("out-of-order migration: %v", err)
	}
	if tableExists(t, db, "b") {
		t.Fatal("the out-of-order migration ran")
	}
}

func TestFailingMigrationRollsBackAndRecordsNothing(t *testing.T) {
	db, _ := tempDB(t)
	broken := files("0001_ok.sql", "CREATE TABLE ok (x);",
		"0002_broken.sql", "CREATE TABLE half (x); INSERT INTO half VALUES (1); INSERT INTO missing VALUES (1);",
		"0003_after.sql", "CREATE TABLE after (x);")
	applied, err := runner("lightnode", broken).Migrate(t.Context(), db)
	var me *migrate.MigrationError
	if !errors.As(err, &me) || me.Name != "0002_broken.sql" || me.Err == nil || errors.Is(err, migrate.ErrRefused) {
		t.Fatalf("broken migration: %v, want a *MigrationError for 0002_broken.sql", err)
	}
	if !slices.Equal(applied, []string{"0001_ok.sql"}) {
		t.Fatalf("applied %v before the failure", applied)
	}
	if tableExists(t, db, "half") || tableExists(t, db, "after") {
		t.Fatal("the failed migration, or one after it, left a table")
	}
	st, err := runner("lightnode", broken).Check(t.Context(), db)
	if err != nil || !slices.Equal(names(st.Applied), []string{"0001_ok.sql"}) ||
		!slices.Equal(st.Pending, []string{"0002_broken.sql", "0003_after.sql"}) {
		t.Fatalf("status after the failure: %+v %v", st, err)
	}
	// Nothing of it was recorded, so a fixed file applies.
	fixed := files("0001_ok.sql", "CREATE TABLE ok (x);", "0002_broken.sql", "CREATE TABLE half (x);",
		"0003_after.sql", "CREATE TABLE after (x);")
	if applied, err := runner("lightnode", fixed).Migrate(t.Context(), db); err != nil ||
		!slices.Equal(applied, []string{"0002_broken.sql", "0003_after.sql"}) {
		t.Fatalf("after the fix: %v %v", applied, err)
	}
}

// Two stores in one file: the same migration names, separate records, and
// neither's refusal touches the other.
func TestNamespacesShareOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	relayerDB, nodeDB := open(t, path), open(t, path) // two handles, as two stores open it
	rel := runner("relayer", files("0001_init.sql", "CREATE TABLE cursors (x);", "0002_more.sql", "CREATE TABLE transfers (x);"))
	node := runner("lightnode", files("0001_init.sql", "CREATE TABLE blocks (x);"))
	for range 2 {
		if _, err := rel.Migrate(t.Context(), relayerDB); err != nil {
			t.Fatal(err)
		}
		if _, err := node.Migrate(t.Context(), nodeDB); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := rel.Check(t.Context(), nodeDB)
	if err != nil || !slices.Equal(names(rs.Applied), []string{"0001_init.sql", "0002_more.sql"}) {
		t.Fatalf("relayer status: %+v %v", rs, err)
	}
	ns, err := node.Check(t.Context(), relayerDB)
	if err != nil || !slices.Equal(names(ns.Applied), []string{"0001_init.sql"}) || ns.Applied[0].SHA256 != sum("CREATE TABLE blocks (x);") {
		t.Fatalf("light node status: %+v %v", ns, err)
	}
	// The light node's binary changes its 0001 and a newer relayer recorded a
	// migration: each store is refused alone.
	if _, err := relayerDB.Exec(`INSERT INTO relayer_schema_migrations VALUES ('9999_future.sql', 'ab', 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := rel.Migrate(t.Context(), relayerDB); !errors.Is(err, migrate.ErrRefused) {
		t.Fatalf("relayer with a future migration: %v", err)
	}
	if _, err := node.Migrate(t.Context(), nodeDB); err != nil {
		t.Fatalf("the relayer's future migration refused the light node: %v", err)
	}
	node2 := runner("lightnode", files("0001_init.sql", "CREATE TABLE blocks (y);", "0002_x.sql", "CREATE TABLE x (y);"))
	if _, err := node2.Migrate(t.Context(), nodeDB); !errors.Is(err, migrate.ErrRefused) {
		t.Fatalf("tampered light node: %v", err)
	}
	if _, err := relayerDB.Exec(`DELETE FROM relayer_schema_migrations WHERE name = '9999_future.sql'`); err != nil {
		t.Fatal(err)
	}
	if _, err := rel.Check(t.Context(), relayerDB); err != nil {
		t.Fatalf("the light node's tampered migration refused the relayer: %v", err)
	}
}

// Several handles migrating one file at once apply each migration once.
func TestConcurrentRunsApplyEachMigrationOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "race.db")
	fsys := files("0001_a.sql", "CREATE TABLE n (x);", "0002_b.sql", "INSERT INTO n VALUES (1);", "0003_c.sql", "INSERT INTO n VALUES (2);")
	dbs := []*sql.DB{open(t, path), open(t, path), open(t, path), open(t, path)}
	var wg sync.WaitGroup
	total := make([]int, len(dbs))
	errs := make([]error, len(dbs))
	for i, db := range dbs {
		wg.Go(func() {
			applied, err := runner("relayer", fsys).Migrate(t.Context(), db)
			total[i], errs[i] = len(applied), err
		})
	}
	wg.Wait()
	n := 0
	for i := range dbs {
		if errs[i] != nil {
			t.Fatalf("runner %d: %v", i, errs[i])
		}
		n += total[i]
	}
	if n != 3 || queryInt(t, dbs[0], `SELECT count(*) FROM n`) != 2 {
		t.Fatalf("%d migrations applied in all, %d rows, want 3 and 2", n, queryInt(t, dbs[0], `SELECT count(*) FROM n`))
	}
}

func TestInvalidRunner(t *testing.T) {
	db, _ := tempDB(t)
	for _, r := range []*migrate.Runner{
		{Namespace: "Relayer", FS: files(ordered...), Dir: "migrations"},
		{Namespace: "a;drop", FS: files(ordered...), Dir: "migrations"},
		{Namespace: "relayer", FS: files(ordered...), Dir: "nowhere"},
		{Namespace: "relayer", Dir: "migrations"},
	} {
		if _, err := r.Migrate(t.Context(), db); !errors.Is(err, migrate.ErrConfig) {
			t.Errorf("%+v: %v, want ErrConfig", r, err)
		}
	}
}

// A table of the runner's name that it did not create is refused, not used.
func TestForeignTableIsRefused(t *testing.T) {
	db, _ := tempDB(t)
	if _, err := db.Exec(`CREATE TABLE relayer_schema_migrations (version INTEGER)`); err != nil {
		t.Fatal(err)
	}
	_, err := runner("relayer", files(ordered...)).Migrate(t.Context(), db)
	var fe *migrate.FormatError
	if !errors.As(err, &fe) || !errors.Is(err, migrate.ErrRefused) {
		t.Fatalf("foreign table: %v", err)
	}
}

func mustExec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}
