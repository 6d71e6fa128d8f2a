package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/journal"
)

func attestationsOf(id string) func(relayer.Tx) ([]relayer.Attestation, error) {
	return func(tx relayer.Tx) ([]relayer.Attestation, error) { return tx.Attestations(id) }
}

func testAttestationAddedOnce(t *testing.T, e *env) {
	a := attestation(1, 0x11, 0xd1)
	var now time.Time
	e.update(t, func(tx relayer.Tx) error {
		now = tx.Now()
		for i, want := range []bool{true, false} {
			if added, err := tx.AddAttestation(a); added != want || err != nil {
				t.Errorf("AddAttestation #%d = %v, %v; want added=%v", i+1, added, err, want)
			}
		}
		return nil
	})
	e.clock.Advance(time.Minute)
	// The same (transfer, signer, digest, mint), even in another envelope
	// with another signature, is not added again and is no conflict.
	again := a
	again.Sig, again.Envelope = bytes.Repeat([]byte{0x5e}, 65), []byte("another envelope")
	e.update(t, func(tx relayer.Tx) error {
		for _, x := range []relayer.Attestation{a, again} {
			if added, err := tx.AddAttestation(x); added || err != nil {
				t.Errorf("AddAttestation of the same (transfer, signer, digest, mint) in a later transaction = %v, %v; want added=false", added, err)
			}
		}
		return nil
	})
	if got := read(t, e, attestationsOf(a.TransferID)); len(got) != 1 || !bytes.Equal(got[0].Digest, a.Digest) {
		t.Fatalf("Attestations after storing one three times: %+v", got)
	}
	want := a
	want.ReceivedAt = now
	same(t, "Attestations", read(t, e, attestationsOf(a.TransferID)), []relayer.Attestation{want})
}

func testAttestationConflict(t *testing.T, e *env) {
	for i, c := range []struct {
		name   string
		change func(*relayer.Attestation)
	}{
		{"another digest", func(a *relayer.Attestation) { a.Digest = bytes.Repeat([]byte{0xd2}, 32) }},
		{"another amount", func(a *relayer.Attestation) { a.Mint.Amount++ }},
		{"another recipient", func(a *relayer.Attestation) { a.Mint.Recipient[0] ^= 1 }},
		{"another lock", func(a *relayer.Attestation) { a.Mint.Lock.Vout++ }},
	} {
		a := attestation(i+1, 0x11, 0xd1)
		b := a
		c.change(&b)
		b.Sig = bytes.Repeat([]byte{0x5e}, 65)
		e.update(t, func(tx relayer.Tx) error { a.ReceivedAt = tx.Now(); _, err := tx.AddAttestation(a); return err })
		var added bool
		var err error
		e.update(t, func(tx relayer.Tx) error { added, err = tx.AddAttestation(b); return nil })
		wantKind(t, "the same signer with "+c.name, err, fault.Conflict)
		if added {
			t.Errorf("the same signer with %s: added=true", c.name)
		}
		same(t, "after the same signer with "+c.name+": Attestations", read(t, e, attestationsOf(a.TransferID)), []relayer.Attestation{a})
	}
}

func testAttestationsOrder(t *testing.T, e *env) {
	signer := func(b ...byte) []byte { return append(bytes.Repeat([]byte{0x10}, 20-len(b)), b...) }
	// Stored out of order; the transfer itself is never stored.
	signers := [][]byte{signer(0x30), signer(0x02), bytes.Repeat([]byte{0x0f}, 20), signer(0x20), signer(0xff, 0x00)}
	want := [][]byte{bytes.Repeat([]byte{0x0f}, 20), signer(0x02), signer(0x20), signer(0x30), signer(0xff, 0x00)}
	e.update(t, func(tx relayer.Tx) error {
		for _, s := range signers {
			a := attestation(1, 0, 0xd1)
			a.Signer = s
			if added, err := tx.AddAttestation(a); !added || err != nil {
				t.Errorf("AddAttestation for an unknown transfer by %x = %v, %v; want added", s, added, err)
			}
		}
		_, err := tx.AddAttestation(attestation(2, 0x01, 0xd1)) // another transfer's
		return err
	})
	got := read(t, e, attestationsOf(attestation(1, 0, 0).TransferID))
	var order [][]byte
	for _, a := range got {
		order = append(order, a.Signer)
	}
	same(t, "signers of Attestations", order, want)
	if none := read(t, e, attestationsOf(attestation(3, 0, 0).TransferID)); len(none) != 0 {
		t.Errorf("Attestations of a transfer nobody attested: %+v", none)
	}
}

func testAttestationMalformed(t *testing.T, e *env) {
	for _, c := range []struct {
		name   string
		change func(*relayer.Attestation)
	}{
		{"no transfer", func(a *relayer.Attestation) { a.TransferID = "" }},
		{"no signer", func(a *relayer.Attestation) { a.Signer = nil }},
		{"no digest", func(a *relayer.Attestation) { a.Digest = nil }},
		{"no signature", func(a *relayer.Attestation) { a.Sig = nil }},
	} {
		a := attestation(1, 0x11, 0xd1)
		c.change(&a)
		var err error
		e.update(t, func(tx relayer.Tx) error { _, err = tx.AddAttestation(a); return nil })
		wantKind(t, "an attestation with "+c.name, err, fault.Invalid)
		if got := read(t, e, attestationsOf(a.TransferID)); len(got) != 0 {
			t.Errorf("an attestation with %s was stored: %+v", c.name, got)
		}
	}
}

func testAddSubmission(t *testing.T, e *env) {
	id := transfer(1, relayer.StateQuorum).ID // never stored: the store need not know it
	for i, s := range []relayer.Submission{
		{TransferID: id, Dest: destEVM, TxID: "0x01", State: chains.StateFailed, Signers: [][]byte{{1}, {2}}},
		{TransferID: id, Dest: destEVM, TxID: "0x02", State: chains.StatePending, Signers: [][]byte{{1}, {3}}, At: at(time.Hour)},
	} {
		e.update(t, func(tx relayer.Tx) error {
			if err := tx.AddSubmission(s); err != nil {
				t.Errorf("submission %d of a transfer: %v", i+1, err)
			}
			return nil
		})
	}
}

func approved(chain chains.ID, since time.Time) func(relayer.Tx) (uint64, error) {
	return func(tx relayer.Tx) (uint64, error) { return tx.Approved(chain, since) }
}

func testApproveIdempotent(t *testing.T, e *env) {
	const id = "flux:ab:0"
	var first time.Time
	e.update(t, func(tx relayer.Tx) error {
		first = tx.Now()
		return errors.Join(tx.Approve(destEVM, id, 100), tx.Approve(destEVM, id, 100))
	})
	e.clock.Advance(time.Hour)
	e.update(t, func(tx relayer.Tx) error {
		return errors.Join(tx.Approve(destEVM, id, 100), tx.Approve(destEVM, id, 999))
	})
	if got := read(t, e, approved(destEVM, time.Time{})); got != 100 {
		t.Errorf("Approved after approving one transfer four times = %d, want 100", got)
	}
	if got := read(t, e, approved(destEVM, first.Add(time.Millisecond))); got != 0 {
		t.Errorf("Approved since after the first approval = %d, want 0: approving again moved the approval", got)
	}
}

func testApproved(t *testing.T, e *env) {
	const top = uint64(1) << 63
	var t1, t2, t3 time.Time
	e.update(t, func(tx relayer.Tx) error {
		t1 = tx.Now()
		return errors.Join(tx.Approve(destEVM, "a", top), tx.Approve(destSolana, "s", math.MaxUint64))
	})
	e.clock.Advance(time.Hour)
	e.update(t, func(tx relayer.Tx) error { t2 = tx.Now(); return tx.Approve(destEVM, "b", top-1) })
	for _, c := range []struct {
		name  string
		chain chains.ID
		since time.Time
		want  uint64
	}{
		{"EVM, all", destEVM, time.Time{}, math.MaxUint64},
		{"EVM, at the first", destEVM, t1, math.MaxUint64},
		{"EVM, just after the first", destEVM, t1.Add(time.Millisecond), top - 1},
		{"EVM, at the second", destEVM, t2, top - 1},
		{"EVM, just after the second", destEVM, t2.Add(time.Millisecond), 0},
		{"Solana, all", destSolana, time.Time{}, math.MaxUint64},
		{"a chain without approvals", 7, time.Time{}, 0},
	} {
		if got, err := readErr(e, approved(c.chain, c.since)); err != nil || got != c.want {
			t.Errorf("Approved %s = %d, %v; want %d", c.name, got, err, c.want)
		}
	}
	e.clock.Advance(time.Hour)
	e.update(t, func(tx relayer.Tx) error { t3 = tx.Now(); return tx.Approve(destEVM, "c", 1) })
	got, err := readErr(e, approved(destEVM, time.Time{}))
	wantKind(t, "Approved over 2^64-1", err, fault.Internal)
	if err == nil {
		t.Errorf("Approved over 2^64-1 = %d", got)
	}
	if got, err := readErr(e, approved(destEVM, t3)); err != nil || got != 1 {
		t.Errorf("Approved since the third = %d, %v; want 1", got, err)
	}
}

func testReserveUTXO(t *testing.T, e *env) {
	u := relayer.ReserveUTXO{TxID: strings.Repeat("ab", 32), Vout: 1, Amount: math.MaxUint64, Height: 100, TransferID: "flux:ab:1"}
	change := u
	change.Vout, change.Amount, change.TransferID = 2, 5, ""
	for i, us := range [][]relayer.ReserveUTXO{{u, u, change}, {u}} {
		e.update(t, func(tx relayer.Tx) error {
			for _, x := range us {
				if err := tx.AddReserveUTXO(x); err != nil {
					t.Errorf("transaction %d: AddReserveUTXO %s:%d: %v", i+1, x.TxID, x.Vout, err)
				}
			}
			return nil
		})
	}
}

// head is what JournalHead returns.
type head struct {
	Seq  uint64
	Hash [32]byte
	OK   bool
}

func journalHead(tx relayer.Tx) (head, error) {
	var h head
	var err error
	h.Seq, h.Hash, h.OK, err = tx.JournalHead()
	return h, err
}

func testJournalSeq(t *testing.T, e *env) {
	same(t, "JournalHead of an empty journal (View)", read(t, e, journalHead), head{})
	var hashes [][32]byte
	e.update(t, func(tx relayer.Tx) error {
		if h, err := journalHead(tx); err != nil || h != (head{}) {
			t.Errorf("JournalHead of an empty journal (Update) = %+v, %v", h, err)
		}
		for i := uint64(1); i <= 3; i++ {
			seq, err := tx.Journal(relayer.SigningPaused{Reason: fmt.Sprint("step ", i)})
			h, err2 := journalHead(tx)
			if err != nil || err2 != nil || seq != i || h.Seq != i || !h.OK || h.Hash == ([32]byte{}) ||
				len(hashes) > 0 && h.Hash == hashes[len(hashes)-1] {
				t.Errorf("entry %d: Journal = %d, %v; then JournalHead = %+v, %v", i, seq, err, h, err2)
			}
			hashes = append(hashes, h.Hash)
		}
		return nil
	})
	var fourth head
	e.update(t, func(tx relayer.Tx) error {
		seq, err := tx.Journal(relayer.SigningPaused{Reason: "step 4"})
		if seq != 4 {
			t.Errorf("Journal in the next transaction = %d, want 4", seq)
		}
		fourth, _ = journalHead(tx)
		return err
	})
	if h := read(t, e, journalHead); h.Seq != 4 || !h.OK || h.Hash != fourth.Hash || h.Hash == hashes[2] {
		t.Errorf("JournalHead = %+v, want seq 4 and hash %x", h, fourth.Hash)
	}
}

func testJournalRollback(t *testing.T, e *env) {
	var second head
	e.update(t, func(tx relayer.Tx) error {
		_, err1 := tx.Journal(relayer.SigningPaused{Reason: "kept 1"})
		_, err2 := tx.Journal(relayer.SigningPaused{Reason: "kept 2"})
		second, _ = journalHead(tx)
		return errors.Join(err1, err2)
	})
	boom := errors.New("boom")
	err := e.s.Update(context.Background(), func(tx relayer.Tx) error {
		for want := uint64(3); want <= 4; want++ {
			if seq, err := tx.Journal(relayer.SigningHalted{Reason: fmt.Sprint("lost ", want)}); seq != want || err != nil {
				t.Errorf("Journal in the failing Update = %d, %v; want %d", seq, err, want)
			}
		}
		return boom
	})
	if err != boom { // unchanged: the very same error
		t.Fatalf("Update returned %v, want %v", err, boom)
	}
	same(t, "JournalHead after a rolled-back Update", read(t, e, journalHead), second)
	e.update(t, func(tx relayer.Tx) error {
		seq, err := tx.Journal(relayer.SigningResumed{})
		if seq != 3 {
			t.Errorf("Journal after a rolled-back Update = %d, want 3", seq)
		}
		return err
	})
	if jr, ok := e.s.(journalRanger); ok {
		es, err := jr.JournalRange(context.Background(), 1, 100)
		if err != nil || len(es) != 3 || es[2].Kind != relayer.KindSigningResumed || es[2].Prev != second.Hash {
			t.Fatalf("JournalRange after a rolled-back Update: %d entries, %v; want 1, 2 and a third signing-resumed linked to %x", len(es), err, second.Hash)
		}
		var v journal.Verifier
		for _, en := range es {
			if err := v.Next(en); err != nil {
				t.Errorf("the journal does not verify: %v", err)
			}
		}
	}
}

func testJournalEntries(t *testing.T, e *env) {
	steps := [][]relayer.Entry{
		{
			relayer.LockSeen{Lock: relayer.Lock{ID: "flux:ab:0", TxID: "ab", Amount: math.MaxUint64, Dest: uint32(destSolana), Height: 100, Block: "00ff"}},
			relayer.SigningHalted{Reason: "accountant: <minted> & locked", Minted: math.MaxUint64, Locked: 1},
		},
		{relayer.Quorum{ID: "flux:ab:0", Signers: []string{"b", "a"}}},
	}
	var nows []time.Time
	for _, s := range steps {
		e.clock.Advance(1500 * time.Millisecond)
		e.update(t, func(tx relayer.Tx) error {
			nows = append(nows, tx.Now())
			for _, en := range s {
				if _, err := tx.Journal(en); err != nil {
					return err
				}
			}
			return nil
		})
	}
	es := e.entries(t)
	if len(es) != 3 {
		t.Fatalf("%d entries, want 3", len(es))
	}
	var v journal.Verifier
	i := 0
	for si, s := range steps {
		for _, en := range s {
			got := es[i]
			if err := v.Next(got); err != nil {
				t.Errorf("entry %d does not verify: %v", i+1, err)
			}
			canonical, err := journal.Canonical(en)
			if err != nil {
				t.Fatal(err)
			}
			if got.Seq != uint64(i+1) || got.Kind != en.JournalKind() || !bytes.Equal(got.Content, canonical) || !got.Time.Equal(nows[si]) {
				t.Errorf("entry %d: seq %d, kind %q, content %s, time %v; want %q, %s at Tx.Now %v",
					i+1, got.Seq, got.Kind, got.Content, got.Time, en.JournalKind(), canonical, nows[si])
			}
			if len(got.Signer) == 0 || !bytes.Equal(got.Signer, es[0].Signer) {
				t.Errorf("entry %d signed by %x, entry 1 by %x", i+1, []byte(got.Signer), []byte(es[0].Signer))
			}
			i++
		}
	}
	seq, hash := v.Head()
	same(t, "JournalHead", read(t, e, journalHead), head{Seq: seq, Hash: hash, OK: true})
}

// badEntry is a journal entry whose kind or content is malformed.
type badEntry struct {
	kind    string
	Content any `json:"content"`
}

func (b badEntry) JournalKind() string { return b.kind }

// arrayEntry is a journal entry whose content is not a JSON object.
type arrayEntry []int

func (arrayEntry) JournalKind() string { return "array" }

func testJournalMalformed(t *testing.T, e *env) {
	e.update(t, func(tx relayer.Tx) error {
		if _, err := tx.Journal(relayer.SigningPaused{Reason: "first"}); err != nil {
			return err
		}
		first, _ := journalHead(tx)
		for _, c := range []struct {
			name  string
			entry relayer.Entry
		}{
			{"an empty kind", badEntry{kind: "", Content: "x"}},
			{"an upper-case kind", badEntry{kind: "Lock-Seen", Content: "x"}},
			{"content that is not an object", arrayEntry{1, 2}},
			{"content that does not encode", badEntry{kind: "func", Content: func() {}}},
		} {
			_, err := tx.Journal(c.entry)
			wantKind(t, "a journal entry with "+c.name, err, fault.Invalid)
			if h, err := journalHead(tx); err != nil || h != first {
				t.Errorf("after a journal entry with %s: JournalHead = %+v, %v; want %+v", c.name, h, err, first)
			}
		}
		seq, err := tx.Journal(relayer.SigningResumed{})
		if seq != 2 {
			t.Errorf("Journal after the malformed entries = %d, want 2", seq)
		}
		return err
	})
	if h := read(t, e, journalHead); h.Seq != 2 {
		t.Errorf("JournalHead = %+v, want seq 2", h)
	}
}

func testSettings(t *testing.T, e *env) {
	keys := []string{relayer.SettingPaused, relayer.SettingHalted, "other"}
	want := map[string]string{}
	for i, s := range []struct{ key, value string }{
		{"", ""}, // nothing set yet
		{relayer.SettingPaused, "operator: upgrade"},
		{relayer.SettingHalted, "accountant: minted > locked"},
		{relayer.SettingPaused, "operator: still upgrading"},
		{relayer.SettingPaused, ""},
		{"other", ""}, // deleting what is not there
		{relayer.SettingHalted, ""},
	} {
		if s.key != "" {
			e.update(t, func(tx relayer.Tx) error { return tx.SetSetting(s.key, s.value) })
			if s.value == "" {
				delete(want, s.key)
			} else {
				want[s.key] = s.value
			}
		}
		e.view(t, func(tx relayer.Tx) error {
			for _, k := range keys {
				w, wok := want[k]
				if v, ok, err := tx.Setting(k); v != w || ok != wok || err != nil {
					t.Errorf("step %d: Setting(%q) = %q, %v, %v; want %q, %v", i, k, v, ok, err, w, wok)
				}
			}
			return nil
		})
	}
}

func testHeads(t *testing.T, e *env) {
	heads := func(tx relayer.Tx) (map[chains.ID]chains.Head, error) { return tx.Heads() }
	same(t, "Heads of an empty store", read(t, e, heads), map[chains.ID]chains.Head{})
	flux := chains.Head{Tip: chains.BlockRef{Height: 1000, Hash: "tip", Time: at(time.Minute + 5*time.Millisecond)},
		Final: chains.BlockRef{Height: 900, Hash: "final", Time: at(time.Second)}, Healthy: true}
	sol := chains.Head{Tip: chains.BlockRef{Height: 1 << 40, Hash: "soltip", Time: at(time.Hour)}, Reason: "peers disagree"}
	e.update(t, func(tx relayer.Tx) error {
		return errors.Join(tx.PutHead(chains.FluxL1, flux), tx.PutHead(destSolana, sol))
	})
	same(t, "Heads", read(t, e, heads), map[chains.ID]chains.Head{chains.FluxL1: flux, destSolana: sol})
	newer := chains.Head{Tip: chains.BlockRef{Height: 1001, Hash: "tip2", Time: at(2 * time.Minute)}, Reason: "behind"}
	e.update(t, func(tx relayer.Tx) error { return tx.PutHead(chains.FluxL1, newer) })
	same(t, "Heads after a newer FLUX head", read(t, e, heads), map[chains.ID]chains.Head{chains.FluxL1: newer, destSolana: sol})
}
