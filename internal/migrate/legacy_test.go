package migrate_test

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/internal/migrate"
)

// The two formats fluxbridge's stores used before this package, both in a
// table named schema_migrations.
var (
	// checksummed is the relayer's: name, sha256, applied_at (Unix ms).
	checksummed = &migrate.Legacy{Table: "schema_migrations", Columns: []string{"name", "sha256", "applied_at"},
		Select: `SELECT name, sha256, applied_at FROM schema_migrations`}
	// versioned is the light node's: version, name, applied_at (RFC 3339), no checksum.
	versioned = &migrate.Legacy{Table: "schema_migrations", Columns: []string{"version", "name", "applied_at"},
		Select: `SELECT name, '', CAST(strftime('%s', applied_at) AS INTEGER) * 1000 FROM schema_migrations`}
)

func TestAdoptsAChecksummedLegacyTable(t *testing.T) {
	db, _ := tempDB(t)
	mustExec(t, db, `CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
		ordered[3], `INSERT INTO schema_migrations VALUES ('0001_create.sql', '`+sum(ordered[3])+`', 1600000000000)`)
	r := runner("relayer", files(ordered...))
	r.Legacy = checksummed

	// Check reads the legacy table and changes nothing.
	st, err := r.Check(t.Context(), db)
	if err != nil || !slices.Equal(names(st.Applied), []string{"0001_create.sql"}) || len(st.Pending) != 2 {
		t.Fatalf("status of a legacy database: %+v %v", st, err)
	}
	if !tableExists(t, db, "schema_migrations") || tableExists(t, db, "relayer_schema_migrations") {
		t.Fatal("Check changed the database")
	}

	applied, err := r.Migrate(t.Context(), db)
	if err != nil || !slices.Equal(applied, []string{"0002_column.sql", "0003_fill.sql"}) {
		t.Fatalf("migrating a legacy database applied %v (%v)", applied, err)
	}
	if tableExists(t, db, "schema_migrations") {
		t.Fatal("the legacy table is still there")
	}
	st, err = r.Check(t.Context(), db)
	if err != nil || len(st.Applied) != 3 || st.Applied[0].AppliedAt.UnixMilli() != 1600000000000 {
		t.Fatalf("adopted records: %+v %v", st, err)
	}
}

func TestAdoptsALegacyTableWithoutChecksums(t *testing.T) {
	db, _ := tempDB(t)
	mustExec(t, db, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
		ordered[3], `INSERT INTO schema_migrations VALUES (1, '0001_create.sql', '2024-05-06T07:08:09Z')`)
	r := runner("lightnode", files(ordered...))
	r.Legacy = versioned
	if _, err := r.Migrate(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	st, err := r.Check(t.Context(), db)
	if err != nil || len(st.Applied) != 3 || st.Applied[0].SHA256 != sum(ordered[3]) ||
		!st.Applied[0].AppliedAt.Equal(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)) {
		t.Fatalf("adopted records: %+v %v", st, err)
	}
	if tableExists(t, db, "schema_migrations") {
		t.Fatal("the legacy table is still there")
	}
}

// A legacy database the binary refuses keeps its legacy table, untouched.
func TestRefusedLegacyDatabaseIsLeftAlone(t *testing.T) {
	for _, c := range []struct {
		name, record string
		want         any
	}{
		{"tampered", `INSERT INTO schema_migrations VALUES ('0001_create.sql', 'ab', 1)`, new(*migrate.ChecksumError)},
		{"future", `INSERT INTO schema_migrations VALUES ('0009_future.sql', 'ab', 1)`, new(*migrate.UnknownError)},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, _ := tempDB(t)
			mustExec(t, db, `CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, applied_at INTEGER NOT NULL)`, c.record)
			r := runner("relayer", files(ordered...))
			r.Legacy = checksummed
			if _, err := r.Migrate(t.Context(), db); !errors.As(err, c.want) {
				t.Fatalf("Migrate: %v, want %T", err, c.want)
			}
			if _, err := r.Check(t.Context(), db); !errors.As(err, c.want) {
				t.Fatalf("Check: %v, want %T", err, c.want)
			}
			if !tableExists(t, db, "schema_migrations") || tableExists(t, db, "relayer_schema_migrations") || tableExists(t, db, "t") {
				t.Fatal("a refused legacy database was changed")
			}
		})
	}
}

// In a shared file, another store's legacy table (other columns) is not
// adopted: it stays for its owner, whichever store opens the file first.
func TestAnotherStoresLegacyTableIsLeftToItsOwner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	db := open(t, path)
	mustExec(t, db, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
		`CREATE TABLE blocks (x)`, `INSERT INTO schema_migrations VALUES (1, '0001_init.sql', '2024-05-06T07:08:09Z')`)
	rel := runner("relayer", files("0001_init.sql", "CREATE TABLE cursors (x);"))
	rel.Legacy = checksummed
	if _, err := rel.Migrate(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	if !tableExists(t, db, "schema_migrations") {
		t.Fatal("the relayer adopted the light node's legacy table")
	}
	node := runner("lightnode", files("0001_init.sql", "CREATE TABLE blocks (x);"))
	node.Legacy = versioned
	applied, err := node.Migrate(t.Context(), db)
	if err != nil || len(applied) != 0 || tableExists(t, db, "schema_migrations") {
		t.Fatalf("the light node's adoption: applied %v, %v", applied, err)
	}
}
