package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/internal/migrate"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/journal"
	"github.com/fluxbridge/fluxbridge/signer"
)

func testKey(t testing.TB) signer.Signer {
	t.Helper()
	s, err := signer.FromPrivateKey(chains.SchemeSecp256k1, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mustOpen opens a fresh database in t.TempDir and closes it at the end.
func mustOpen(t testing.TB, path string) *DB {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "relayer.db")
	}
	db, err := Open(context.Background(), Config{Path: path, Signer: testKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func lockTransfer(i int, amount uint64) relayer.Transfer {
	l := chains.LockRef{TxID: [32]byte{byte(i), byte(i >> 8), 1}, Vout: uint32(i % 3)}
	now := time.Date(2026, 11, 23, 12, 0, i, 0, time.UTC)
	return relayer.Transfer{ID: l.TransferID(), State: relayer.StateSeen, Lock: l, Dest: 1337, Recipient: [32]byte{31: byte(i)},
		Amount: amount, Block: chains.BlockRef{Height: 100, Hash: "00ab", Time: now}, Evidence: []byte{1, 2, 3}, SeenAt: now, UpdatedAt: now}
}

func update(t *testing.T, db *DB, fn func(relayer.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func TestTransfersRoundTripAndMoveOnlyForward(t *testing.T) {
	db := mustOpen(t, "")
	tr := lockTransfer(1, ^uint64(0))
	tr.Digest, tr.Reason = bytes.Repeat([]byte{9}, 32), "why"
	update(t, db, func(tx relayer.Tx) error { return tx.PutTransfer(tr) })
	var got relayer.Transfer
	db.View(context.Background(), func(tx relayer.Tx) (err error) { got, err = tx.Transfer(tr.ID); return err })
	if got.Amount != ^uint64(0) || got.Lock != tr.Lock || got.Recipient != tr.Recipient || !bytes.Equal(got.Digest, tr.Digest) ||
		!got.SeenAt.Equal(tr.SeenAt) || got.Block != tr.Block || got.Reason != "why" || got.State != relayer.StateSeen {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, tr)
	}
	for _, c := range []struct {
		name   string
		mutate func(*relayer.Transfer)
	}{
		{"a backwards move", func(x *relayer.Transfer) { x.State = relayer.StateMinted; x.State = relayer.StateMinted }},
		{"a new amount", func(x *relayer.Transfer) { x.Amount = 1 }},
		{"a new recipient", func(x *relayer.Transfer) { x.Recipient[0] = 1 }},
	} {
		x := got
		x.State = relayer.StateFinal
		update(t, db, func(tx relayer.Tx) error { return tx.PutTransfer(x) })
		got = x
		y := x
		y.State = relayer.StateSeen
		if c.name != "a backwards move" {
			y = x
			c.mutate(&y)
		}
		err := db.Update(context.Background(), func(tx relayer.Tx) error { return tx.PutTransfer(y) })
		if fault.KindOf(err) != fault.Conflict {
			t.Errorf("%s: %v, want a conflict", c.name, err)
		}
	}
	if err := db.Update(context.Background(), func(tx relayer.Tx) error { _, err := tx.Transfer("nope"); return err }); fault.KindOf(err) != fault.NotFound {
		t.Errorf("missing transfer: %v", err)
	}
}

func TestQueriesAndTotals(t *testing.T) {
	db := mustOpen(t, "")
	update(t, db, func(tx relayer.Tx) error {
		for i := range 10 {
			tr := lockTransfer(i, uint64(1)<<40+uint64(i))
			if i >= 4 {
				tr.State = relayer.StateFinal
			}
			if i == 9 {
				tr.State, tr.ReleaseAt = relayer.StateQueued, tr.SeenAt.Add(time.Hour)
			}
			if err := tx.PutTransfer(tr); err != nil {
				return err
			}
		}
		return nil
	})
	db.View(context.Background(), func(tx relayer.Tx) error {
		fin, _ := tx.Transfers(relayer.TransferQuery{States: []relayer.State{relayer.StateFinal}})
		if len(fin) != 5 || fin[0].ID != lockTransfer(4, 0).ID {
			t.Errorf("final transfers: %d, first %v", len(fin), fin)
		}
		page, _ := tx.Transfers(relayer.TransferQuery{States: []relayer.State{relayer.StateFinal}, AfterID: fin[1].ID, Limit: 2})
		if len(page) != 2 || page[0].ID != fin[2].ID {
			t.Errorf("paging after %s: %v", fin[1].ID, page)
		}
		due, _ := tx.Transfers(relayer.TransferQuery{States: []relayer.State{relayer.StateQueued}, DueBefore: lockTransfer(9, 0).SeenAt})
		later, _ := tx.Transfers(relayer.TransferQuery{States: []relayer.State{relayer.StateQueued}, DueBefore: lockTransfer(9, 0).SeenAt.Add(time.Hour)})
		if len(due) != 0 || len(later) != 1 {
			t.Errorf("queued due: %d now, %d an hour later", len(due), len(later))
		}
		total, err := tx.LockedTotal()
		var want uint64
		for i := 4; i < 10; i++ {
			want += uint64(1)<<40 + uint64(i)
		}
		if err != nil || total != want {
			t.Errorf("LockedTotal = %d, %v; want %d", total, err, want)
		}
		counts, _ := tx.CountByState()
		if counts[relayer.StateSeen] != 4 || counts[relayer.StateFinal] != 5 || counts[relayer.StateQueued] != 1 {
			t.Errorf("counts %v", counts)
		}
		return nil
	})
	// Approvals sum per chain inside the window; uint64 halves add exactly.
	update(t, db, func(tx relayer.Tx) error {
		for i, a := range []uint64{^uint64(0) >> 1, 5, 7} {
			if err := tx.Approve(1337, fmt.Sprint(i), a); err != nil {
				return err
			}
		}
		if err := tx.Approve(1337, "0", 1); err != nil { // idempotent per transfer
			return err
		}
		return tx.Approve(56, "x", 100)
	})
	db.View(context.Background(), func(tx relayer.Tx) error {
		got, err := tx.Approved(1337, time.Time{})
		if err != nil || got != ^uint64(0)>>1+12 {
			t.Errorf("Approved = %d, %v", got, err)
		}
		return nil
	})
}

func TestAttestationsAreUniquePerSignerAndConflictsRefused(t *testing.T) {
	db := mustOpen(t, "")
	a := relayer.Attestation{TransferID: "flux:x:0", Dest: 1337, Mint: chains.Mint{Amount: ^uint64(0)}, Signer: []byte{1}, Digest: []byte{2}, Sig: []byte{3}, Envelope: []byte{4}}
	update(t, db, func(tx relayer.Tx) error {
		if added, err := tx.AddAttestation(a); !added || err != nil {
			t.Fatalf("first: %v %v", added, err)
		}
		if added, err := tx.AddAttestation(a); added || err != nil {
			t.Fatalf("the same again: %v %v", added, err)
		}
		b := a
		b.Digest = []byte{9}
		if _, err := tx.AddAttestation(b); fault.KindOf(err) != fault.Conflict {
			t.Fatalf("another digest from the same signer: %v", err)
		}
		c := a
		c.Signer = []byte{0}
		_, err := tx.AddAttestation(c)
		return err
	})
	db.View(context.Background(), func(tx relayer.Tx) error {
		got, _ := tx.Attestations("flux:x:0")
		if len(got) != 2 || !bytes.Equal(got[0].Signer, []byte{0}) || got[1].Mint.Amount != ^uint64(0) || !bytes.Equal(got[1].Envelope, []byte{4}) {
			t.Fatalf("attestations %+v", got)
		}
		return nil
	})
}

// A failed Update leaves nothing behind, and the journal stays one chain.
func TestUpdateIsAtomicAndTheJournalChains(t *testing.T) {
	db := mustOpen(t, "")
	update(t, db, func(tx relayer.Tx) error { _, err := tx.Journal(relayer.SigningPaused{Reason: "a"}); return err })
	boom := errors.New("boom")
	err := db.Update(context.Background(), func(tx relayer.Tx) error {
		tx.PutTransfer(lockTransfer(1, 5))
		tx.SetCursor("s", "c1")
		tx.Journal(relayer.SigningPaused{Reason: "b"})
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v", err)
	}
	update(t, db, func(tx relayer.Tx) error {
		if _, err := tx.Transfer(lockTransfer(1, 5).ID); fault.KindOf(err) != fault.NotFound {
			t.Errorf("a rolled-back transfer exists: %v", err)
		}
		if c, _ := tx.Cursor("s"); c != "" {
			t.Errorf("a rolled-back cursor exists: %q", c)
		}
		_, err := tx.Journal(relayer.SigningResumed{})
		return err
	})
	es, err := db.JournalRange(context.Background(), 1, 10)
	if err != nil || len(es) != 2 || es[1].Kind != relayer.KindSigningResumed {
		t.Fatalf("journal after a rollback: %v %v", es, err)
	}
	v := journal.Verifier{Signer: testKey(t).ID()}
	for _, e := range es {
		if err := v.Next(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.View(context.Background(), func(tx relayer.Tx) error { return tx.SetCursor("x", "y") }); fault.KindOf(err) != fault.Internal {
		t.Fatalf("a write inside View: %v", err)
	}
}

func TestConcurrentUpdatesSerialiseAndViewsSeeSnapshots(t *testing.T) {
	db := mustOpen(t, "")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				err := db.Update(context.Background(), func(tx relayer.Tx) error {
					tr := lockTransfer(g*100+i, 1)
					tr.State = relayer.StateFinal
					if err := tx.PutTransfer(tr); err != nil {
						return err
					}
					_, err := tx.Journal(relayer.LockFinal{Lock: relayer.Lock{ID: tr.ID}})
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				db.View(context.Background(), func(tx relayer.Tx) error {
					total, _ := tx.LockedTotal()
					seq, _, _, _ := tx.JournalHead()
					if total != seq { // one transfer and one entry per committed step
						t.Errorf("snapshot with %d locked and %d entries", total, seq)
					}
					return nil
				})
			}
		}()
	}
	wg.Wait()
	head, ok, err := db.JournalHead(context.Background())
	if err != nil || !ok || head.Seq != 200 {
		t.Fatalf("journal head %d %v %v", head.Seq, ok, err)
	}
}

func TestMigrationsAreRecordedAndChecked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "relayer.db")
	db, err := Open(context.Background(), Config{Path: path, Signer: testKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(context.Background(), Config{Path: path, Signer: testKey(t)}); err != nil {
		t.Fatalf("re-open: %v", err)
	}
	if _, err := db.w.Exec(`UPDATE relayer_schema_migrations SET sha256 = 'x' WHERE name = '0001_init.sql'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var ce *migrate.ChecksumError
	if _, err := Open(context.Background(), Config{Path: path, Signer: testKey(t)}); fault.KindOf(err) != fault.Conflict ||
		!errors.As(err, &ce) || ce.Name != "0001_init.sql" {
		t.Fatalf("tampered checksum: %v", err)
	}
	if _, err := OpenReadOnly(context.Background(), path); fault.KindOf(err) != fault.Conflict || !errors.As(err, &ce) {
		t.Fatalf("read-only open of a tampered database: %v", err)
	}
	db2 := mustOpen(t, "")
	if _, err := db2.w.Exec(`INSERT INTO relayer_schema_migrations VALUES ('9999_future.sql', 'y', 0)`); err != nil {
		t.Fatal(err)
	}
	db2.Close()
	var ue *migrate.UnknownError
	if _, err := Open(context.Background(), Config{Path: db2.cfg.Path, Signer: testKey(t)}); fault.KindOf(err) != fault.Conflict ||
		!errors.As(err, &ue) || ue.Name != "9999_future.sql" {
		t.Fatalf("future migration: %v", err)
	}
	if _, err := OpenReadOnly(context.Background(), filepath.Join(t.TempDir(), "none.db")); fault.KindOf(err) != fault.NotFound {
		t.Fatalf("read-only open of nothing: %v", err)
	}
}

// A process killed at any moment leaves a database whose cursor matches its
// transfers and whose journal verifies.
func TestCrashLeavesAConsistentDatabase(t *testing.T) {
	if path := os.Getenv("SQLITE_CRASH_CHILD"); path != "" {
		db, err := Open(context.Background(), Config{Path: path, Signer: testKey(t)})
		if err != nil {
			t.Fatal(err)
		}
		for {
			db.Update(context.Background(), func(tx relayer.Tx) error {
				c, err := tx.Cursor("flux.seen") // resume where the last run committed
				if err != nil {
					return err
				}
				i, _ := strconv.Atoi(string(c))
				tr := lockTransfer(i, 1)
				if err := tx.PutTransfer(tr); err != nil {
					return err
				}
				if _, err := tx.Journal(relayer.LockSeen{Lock: relayer.Lock{ID: tr.ID}}); err != nil {
					return err
				}
				return tx.SetCursor("flux.seen", chains.Cursor(strconv.Itoa(i+1)))
			})
		}
	}
	path := filepath.Join(t.TempDir(), "relayer.db")
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashLeavesAConsistentDatabase$")
		cmd.Env = append(os.Environ(), "SQLITE_CRASH_CHILD="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let it commit (a loaded machine may take a while to start it),
		// then a few hundred steps more, then kill it mid-flight.
		for deadline := time.Now().Add(time.Minute); committed(path) <= round*10 && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Duration(100+200*round) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		db, err := Open(context.Background(), Config{Path: path, Signer: testKey(t)})
		if err != nil {
			t.Fatal(err)
		}
		db.View(context.Background(), func(tx relayer.Tx) error {
			c, _ := tx.Cursor("flux.seen")
			counts, _ := tx.CountByState()
			seq, _, _, _ := tx.JournalHead()
			if c == "" || strconv.Itoa(counts[relayer.StateSeen]) != string(c) || uint64(counts[relayer.StateSeen]) != seq {
				t.Errorf("round %d: cursor %q, %d transfers, %d journal entries", round, c, counts[relayer.StateSeen], seq)
			}
			return nil
		})
		es, _ := db.JournalRange(context.Background(), 1, 1<<30)
		v := journal.Verifier{}
		for _, e := range es {
			if err := v.Next(e); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		db.Close()
	}
}

func BenchmarkUpdate(b *testing.B) {
	db, err := Open(context.Background(), Config{Path: filepath.Join(b.TempDir(), "r.db"), Signer: testKey(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	i := 0
	for b.Loop() {
		i++
		err := db.Update(context.Background(), func(tx relayer.Tx) error {
			tr := lockTransfer(i, 1)
			if err := tx.PutTransfer(tr); err != nil {
				return err
			}
			if err := tx.SetCursor("flux.seen", chains.Cursor(strconv.Itoa(i))); err != nil {
				return err
			}
			_, err := tx.Journal(relayer.LockSeen{Lock: relayer.Lock{ID: tr.ID}})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// committed is the crash child's cursor as a read-only open sees it (0
// before its first commit).
func committed(path string) int {
	db, err := OpenReadOnly(context.Background(), path)
	if err != nil {
		return 0
	}
	defer db.Close()
	var n int
	db.View(context.Background(), func(tx relayer.Tx) error {
		c, err := tx.Cursor("flux.seen")
		n, _ = strconv.Atoi(string(c))
		return err
	})
	return n
}
