package memstore_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/journal"
	"github.com/fluxbridge/fluxbridge/relayer/store/memstore"
	"github.com/fluxbridge/fluxbridge/relayer/store/storetest"
	"github.com/fluxbridge/fluxbridge/signer"
)

func newKey(t *testing.T) signer.Signer {
	t.Helper()
	key, err := signer.Generate(chains.SchemeSecp256k1)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func mustNew(t *testing.T, cfg memstore.Config) *memstore.Store {
	t.Helper()
	s, err := memstore.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestConformance runs the relayer.Store conformance suite against an empty
// store for every subtest.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) relayer.Store {
		return mustNew(t, memstore.Config{Signer: newKey(t), Now: now})
	})
}

func TestNewNeedsASigner(t *testing.T) {
	if _, err := memstore.New(memstore.Config{}); fault.KindOf(err) != fault.Invalid || err == nil {
		t.Fatalf("New without a Signer: %v, want a KindInvalid error", err)
	}
}

// Values go in and come out as copies: changing them afterwards changes
// nothing stored.
func TestValuesAreCopies(t *testing.T) {
	s := mustNew(t, memstore.Config{Signer: newKey(t)})
	lock := chains.LockRef{TxID: [32]byte{1}}
	tr := relayer.Transfer{ID: lock.TransferID(), State: relayer.StateSeen, Lock: lock, Amount: 5, Evidence: []byte{1, 2, 3}, Digest: []byte{4}}
	a := relayer.Attestation{TransferID: tr.ID, Signer: []byte{7}, Digest: []byte{8}, Sig: []byte{9}, Envelope: []byte{10}}
	err := s.Update(context.Background(), func(tx relayer.Tx) error {
		if err := tx.PutTransfer(tr); err != nil {
			return err
		}
		_, err := tx.AddAttestation(a)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tr.Evidence[0], tr.Digest[0], a.Signer[0], a.Envelope[0] = 0, 0, 0, 0
	for range 2 {
		err = s.View(context.Background(), func(tx relayer.Tx) error {
			got, err := tx.Transfer(tr.ID)
			if err != nil {
				return err
			}
			as, err := tx.Attestations(tr.ID)
			if err != nil {
				return err
			}
			if !bytes.Equal(got.Evidence, []byte{1, 2, 3}) || !bytes.Equal(got.Digest, []byte{4}) ||
				len(as) != 1 || !bytes.Equal(as[0].Signer, []byte{7}) || !bytes.Equal(as[0].Envelope, []byte{10}) {
				t.Errorf("the store shares slices with its caller: %+v, %+v", got, as)
			}
			got.Evidence[0], as[0].Signer[0] = 0, 0 // must not reach the store either
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A Tx used after its transaction ended fails with fault.Internal.
func TestTxAfterItsTransaction(t *testing.T) {
	s := mustNew(t, memstore.Config{Signer: newKey(t)})
	var kept relayer.Tx
	if err := s.Update(context.Background(), func(tx relayer.Tx) error { kept = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := kept.SetCursor("s", "c"); fault.KindOf(err) != fault.Internal || err == nil {
		t.Fatalf("SetCursor after the Update returned: %v", err)
	}
	if c := readCursor(t, s, "s"); c != "" {
		t.Fatalf("a write after the Update returned is visible: %q", c)
	}
}

func readCursor(t *testing.T, s *memstore.Store, stream string) chains.Cursor {
	t.Helper()
	var c chains.Cursor
	if err := s.View(context.Background(), func(tx relayer.Tx) (err error) { c, err = tx.Cursor(stream); return err }); err != nil {
		t.Fatal(err)
	}
	return c
}

// The journal verifies with the store's key, and JournalRange pages it.
func TestJournalRangeAndHead(t *testing.T) {
	key := newKey(t)
	s := mustNew(t, memstore.Config{Signer: key})
	if _, ok, err := s.JournalHead(context.Background()); ok || err != nil {
		t.Fatalf("JournalHead of an empty journal: %v, %v", ok, err)
	}
	for i := range 5 {
		err := s.Update(context.Background(), func(tx relayer.Tx) error {
			_, err := tx.Journal(relayer.SigningPaused{Reason: string(rune('a' + i))})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.JournalRange(context.Background(), 1, -1)
	if err != nil || len(all) != 5 {
		t.Fatalf("JournalRange(1, all): %d entries, %v", len(all), err)
	}
	v := journal.Verifier{Signer: key.ID()}
	for _, e := range all {
		if err := v.Next(e); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		from  uint64
		limit int
		want  []uint64
	}{
		{0, 2, []uint64{1, 2}},
		{2, 2, []uint64{2, 3}},
		{4, 10, []uint64{4, 5}},
		{6, 10, nil},
		{1, 0, nil},
	} {
		es, err := s.JournalRange(context.Background(), c.from, c.limit)
		var seqs []uint64
		for _, e := range es {
			seqs = append(seqs, e.Seq)
		}
		if err != nil || len(seqs) != len(c.want) || len(seqs) > 0 && (seqs[0] != c.want[0] || seqs[len(seqs)-1] != c.want[len(c.want)-1]) {
			t.Errorf("JournalRange(%d, %d) = %v, %v; want %v", c.from, c.limit, seqs, err, c.want)
		}
	}
	head, ok, err := s.JournalHead(context.Background())
	if seq, hash := v.Head(); !ok || err != nil || head.Seq != seq || head.Hash != hash {
		t.Fatalf("JournalHead = %d %x, %v, %v; want %d %x", head.Seq, head.Hash, ok, err, seq, hash)
	}
}
