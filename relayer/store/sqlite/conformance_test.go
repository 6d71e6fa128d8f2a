package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/store/sqlite"
	"github.com/fluxbridge/fluxbridge/relayer/store/storetest"
	"github.com/fluxbridge/fluxbridge/signer"
)

// TestConformance runs the relayer.Store conformance suite against a fresh
// database file in WAL mode for every subtest.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) relayer.Store {
		key, err := signer.Generate(chains.SchemeSecp256k1)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "relayer.db")
		db, err := sqlite.Open(t.Context(), sqlite.Config{Path: path, Signer: key, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := os.Stat(path + "-wal"); err != nil {
			t.Fatalf("the database is not in WAL mode: %v", err)
		}
		return db
	})
}
