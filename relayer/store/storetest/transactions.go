package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// observed is what observe reads of a store: enough to see whether any of
// the writes of seed or step is there.
type observed struct {
	Transfers    []relayer.Transfer
	Cursors      [2]chains.Cursor
	Settings     [2]string
	JournalSeq   uint64
	JournalHash  [32]byte
	JournalOK    bool
	Heads        map[chains.ID]chains.Head
	Attestations []relayer.Attestation
	Approved     uint64
	Locked       uint64
	Counts       map[relayer.State]int
}

// observe reads everything seed and step write.
func observe(tx relayer.Tx) (observed, error) {
	var o observed
	var errs [11]error
	o.Transfers, errs[0] = tx.Transfers(relayer.TransferQuery{})
	o.Cursors[0], errs[1] = tx.Cursor("flux")
	o.Cursors[1], errs[2] = tx.Cursor("evm")
	o.Settings[0], _, errs[3] = tx.Setting("k")
	o.Settings[1], _, errs[4] = tx.Setting("k2")
	o.JournalSeq, o.JournalHash, o.JournalOK, errs[5] = tx.JournalHead()
	o.Heads, errs[6] = tx.Heads()
	o.Attestations, errs[7] = tx.Attestations(transfer(1, relayer.StateSeen).ID)
	o.Approved, errs[8] = tx.Approved(destEVM, time.Time{})
	o.Locked, errs[9] = tx.LockedTotal()
	o.Counts, errs[10] = tx.CountByState()
	return o, errors.Join(errs[:]...)
}

// seed writes one of everything: transfer 1 seen, cursor flux, setting k, a
// journal entry, the FLUX head, an attestation of transfer 1 and its approval.
func seed(tx relayer.Tx) error {
	a := transfer(1, relayer.StateSeen)
	_, errA := tx.AddAttestation(attestation(1, 0x11, 0xd1))
	_, errJ := tx.Journal(relayer.SigningPaused{Reason: "seed"})
	return errors.Join(tx.PutTransfer(a), tx.SetCursor("flux", "c1"), tx.SetSetting("k", "v1"), errJ,
		tx.PutHead(chains.FluxL1, chains.Head{Tip: chains.BlockRef{Height: 10, Hash: "tip10", Time: at(time.Minute)}, Healthy: true}),
		errA, tx.Approve(destEVM, a.ID, 10))
}

// step changes everything seed wrote and writes new rows of every kind.
func step(tx relayer.Tx) error {
	a := transfer(1, relayer.StateFinal)
	a.FinalAt, a.Reason = at(2*time.Minute), "final"
	b := transfer(2, relayer.StateFinal)
	_, errA := tx.AddAttestation(attestation(1, 0x22, 0xd1))
	_, errJ := tx.Journal(relayer.SigningResumed{ClearHalt: true})
	return errors.Join(tx.PutTransfer(a), tx.PutTransfer(b), tx.SetCursor("flux", "c2"), tx.SetCursor("evm", "e1"),
		tx.SetSetting("k", "v2"), tx.SetSetting("k2", "x"), errJ,
		tx.PutHead(chains.FluxL1, chains.Head{Tip: chains.BlockRef{Height: 11, Hash: "tip11", Time: at(2 * time.Minute)}, Healthy: true}),
		tx.PutHead(destEVM, chains.Head{Reason: "rpc down"}), errA, tx.Approve(destEVM, b.ID, 20),
		tx.AddSubmission(relayer.Submission{TransferID: a.ID, Dest: destEVM, TxID: "0x01", State: chains.StatePending}),
		tx.AddReserveUTXO(relayer.ReserveUTXO{TxID: "ab", Vout: 0, Amount: 1001, Height: 101, TransferID: a.ID}))
}

func testUpdateAtomic(t *testing.T, e *env) {
	e.update(t, seed)
	before := read(t, e, observe)
	boom := errors.New("boom")
	var inside observed
	err := e.s.Update(context.Background(), func(tx relayer.Tx) error {
		if err := step(tx); err != nil {
			return err
		}
		var err error
		if inside, err = observe(tx); err != nil {
			return err
		}
		return boom
	})
	if err != boom { // unchanged: the very same error, not one wrapping it
		t.Fatalf("Update returned %v, want fn's error %v unchanged", err, boom)
	}
	if inside.Cursors[0] != "c2" || len(inside.Transfers) != 2 || inside.JournalSeq != before.JournalSeq+1 {
		t.Fatalf("the failing Update did not see its own writes: %+v", inside)
	}
	same(t, "after a failed Update", read(t, e, observe), before)

	e.update(t, step)
	after := read(t, e, observe)
	same(t, "after the same Update committed", after, inside)
	if after.Cursors[1] != "e1" || after.Settings[1] != "x" || len(after.Heads) != 2 || len(after.Attestations) != 2 ||
		after.Approved != 30 || after.Locked != 1001+1002 {
		t.Errorf("not every write of the committed Update is visible: %+v", after)
	}
}

func testUpdatesSerialised(t *testing.T, e *env) {
	const workers, steps = 4, 25
	var active atomic.Int32
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range steps {
				err := e.s.Update(context.Background(), func(tx relayer.Tx) error {
					if n := active.Add(1); n != 1 {
						return fmt.Errorf("%d Updates run at once", n)
					}
					defer active.Add(-1)
					c, err := tx.Cursor("counter")
					if err != nil {
						return err
					}
					n, _ := strconv.Atoi(string(c))
					runtime.Gosched() // invite another Update in between the read and the write
					if err := tx.SetCursor("counter", chains.Cursor(strconv.Itoa(n+1))); err != nil {
						return err
					}
					_, err = tx.Journal(relayer.SigningPaused{Reason: strconv.Itoa(n + 1)})
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	e.view(t, func(tx relayer.Tx) error {
		c, err := tx.Cursor("counter")
		seq, _, _, err2 := tx.JournalHead()
		if string(c) != strconv.Itoa(workers*steps) || seq != workers*steps {
			t.Errorf("after %d Updates incrementing a counter: counter %q, journal seq %d (lost updates)", workers*steps, c, seq)
		}
		return errors.Join(err, err2)
	})
}

func testViewSnapshot(t *testing.T, e *env) {
	e.update(t, seed)
	var before, during observed
	e.view(t, func(tx relayer.Tx) error {
		var err error
		if before, err = observe(tx); err != nil {
			return err
		}
		// Another transaction commits while this View runs.
		if err := e.s.Update(context.Background(), step); err != nil {
			return fmt.Errorf("an Update during a View: %w", err)
		}
		during, err = observe(tx)
		return err
	})
	same(t, "a View after another transaction committed", during, before)
	if after := read(t, e, observe); after.Cursors[0] != "c2" || len(after.Transfers) != 2 || after.JournalSeq != before.JournalSeq+1 {
		t.Errorf("a new View does not see the committed Update: %+v", after)
	}
}

func testViewRefusesWrites(t *testing.T, e *env) {
	before := read(t, e, observe)
	for _, w := range []struct {
		name  string
		write func(relayer.Tx) error
	}{
		{"SetCursor", func(tx relayer.Tx) error { return tx.SetCursor("flux", "c1") }},
		{"PutTransfer", func(tx relayer.Tx) error { return tx.PutTransfer(transfer(1, relayer.StateFinal)) }},
		{"AddAttestation", func(tx relayer.Tx) error { _, err := tx.AddAttestation(attestation(1, 0x11, 0xd1)); return err }},
		{"AddSubmission", func(tx relayer.Tx) error {
			return tx.AddSubmission(relayer.Submission{TransferID: "flux:ab:0", Dest: destEVM, TxID: "0x01", State: chains.StatePending})
		}},
		{"Approve", func(tx relayer.Tx) error { return tx.Approve(destEVM, "flux:ab:0", 5) }},
		{"AddReserveUTXO", func(tx relayer.Tx) error { return tx.AddReserveUTXO(relayer.ReserveUTXO{TxID: "ab", Amount: 5}) }},
		{"Journal", func(tx relayer.Tx) error { _, err := tx.Journal(relayer.SigningResumed{}); return err }},
		{"SetSetting", func(tx relayer.Tx) error { return tx.SetSetting("k", "v") }},
		{"PutHead", func(tx relayer.Tx) error { return tx.PutHead(chains.FluxL1, chains.Head{Healthy: true}) }},
	} {
		var werr error
		noErr(t, "View", e.s.View(context.Background(), func(tx relayer.Tx) error { werr = w.write(tx); return nil }))
		wantKind(t, w.name+" inside View", werr, fault.Internal)
	}
	same(t, "after writes inside Views", read(t, e, observe), before)
}

func testNowPerTransaction(t *testing.T, e *env) {
	e.clock.Set(time.Date(2026, 11, 23, 13, 0, 0, 123_456_789, time.FixedZone("UTC+1", 3600)))
	want := time.Date(2026, 11, 23, 12, 0, 0, 123_000_000, time.UTC)
	for _, c := range []struct {
		name string
		run  func(fn func(relayer.Tx) error) error
	}{
		{"Update", func(fn func(relayer.Tx) error) error { return e.s.Update(context.Background(), fn) }},
		{"View", func(fn func(relayer.Tx) error) error { return e.s.View(context.Background(), fn) }},
		{"a later Update", func(fn func(relayer.Tx) error) error { return e.s.Update(context.Background(), fn) }},
	} {
		var first, second time.Time
		noErr(t, c.name, c.run(func(tx relayer.Tx) error {
			first = tx.Now()
			e.clock.Advance(time.Second)
			second = tx.Now()
			return nil
		}))
		if !first.Equal(want) || first.Location() != time.UTC {
			t.Errorf("%s: Now() = %v, want the clock's %v (UTC, milliseconds)", c.name, first, want)
		}
		if !second.Equal(first) {
			t.Errorf("%s: Now() went from %v to %v within one transaction", c.name, first, second)
		}
		want = want.Add(time.Second)
	}
}

func testRowsCarryNow(t *testing.T, e *env) {
	e.clock.Set(at(90*time.Minute + 7*time.Millisecond))
	var now time.Time
	e.update(t, func(tx relayer.Tx) error {
		now = tx.Now()
		e.clock.Advance(time.Minute) // rows must carry the transaction's time, not the clock's later one
		_, err := tx.AddAttestation(attestation(1, 0x11, 0xd1))
		return errors.Join(err, tx.Approve(destEVM, "flux:ab:0", 5),
			tx.AddSubmission(relayer.Submission{TransferID: "flux:ab:0", Dest: destEVM, TxID: "0x01", State: chains.StatePending}))
	})
	e.view(t, func(tx relayer.Tx) error {
		as, err := tx.Attestations(transfer(1, relayer.StateSeen).ID)
		if err == nil && (len(as) != 1 || !as[0].ReceivedAt.Equal(now)) {
			t.Errorf("attestation stored without a ReceivedAt: %+v, want ReceivedAt %v", as, now)
		}
		for _, c := range []struct {
			since time.Time
			want  uint64
		}{{now, 5}, {now.Add(time.Millisecond), 0}} {
			if got, err := tx.Approved(destEVM, c.since); err != nil || got != c.want {
				t.Errorf("Approved(since %v) = %d, %v; want %d (approved at %v)", c.since, got, err, c.want, now)
			}
		}
		return err
	})
}

func testCursors(t *testing.T, e *env) {
	for i, s := range []struct {
		set  map[string]chains.Cursor
		want map[string]chains.Cursor
	}{
		{nil, map[string]chains.Cursor{"flux": "", "evm": ""}},
		{map[string]chains.Cursor{"flux": "c1"}, map[string]chains.Cursor{"flux": "c1", "evm": ""}},
		{map[string]chains.Cursor{"flux": "c2", "evm": "e1"}, map[string]chains.Cursor{"flux": "c2", "evm": "e1"}},
		{map[string]chains.Cursor{"evm": "e2"}, map[string]chains.Cursor{"flux": "c2", "evm": "e2"}},
	} {
		e.update(t, func(tx relayer.Tx) error {
			for stream, c := range s.set {
				if err := tx.SetCursor(stream, c); err != nil {
					return err
				}
				if got, err := tx.Cursor(stream); err != nil || got != c {
					t.Errorf("step %d: Cursor(%q) right after SetCursor = %q, %v; want %q", i, stream, got, err, c)
				}
			}
			return nil
		})
		e.view(t, func(tx relayer.Tx) error {
			for stream, want := range s.want {
				if got, err := tx.Cursor(stream); err != nil || got != want {
					t.Errorf("step %d: Cursor(%q) = %q, %v; want %q", i, stream, got, err, want)
				}
			}
			return nil
		})
	}
}
