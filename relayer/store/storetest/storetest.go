// Package storetest is the conformance suite every relayer.Store
// implementation must pass: one suite run against every implementation of the
// interface, so that relayer/store/sqlite and the in-memory store the pipeline
// tests use (relayer/store/memstore) keep the same documented contract
// (relayer/store.go). An implementation's tests call Run with a constructor of
// empty stores.
//
// Each subtest is named after the rule it checks and fails if the store breaks
// that rule: the suite never asserts something every store satisfies.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/internal/testclock"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/journal"
)

// Run runs the conformance suite. open returns a new, empty store whose
// lifetime is the test's and whose clock is now (each transaction takes it
// once, as Tx.Now documents). A store that also serves its journal entries
// (JournalRange, as relayer/store/sqlite and relayer/store/memstore do) has
// them verified too; for any other store the subtest that needs them is
// skipped.
func Run(t *testing.T, open func(t *testing.T, now func() time.Time) relayer.Store) {
	for _, tc := range []struct {
		name string
		f    func(t *testing.T, e *env)
	}{
		// Transactions.
		{"Update commits all of fn's writes, or none when fn fails and returns its error unchanged", testUpdateAtomic},
		{"Updates are serialised, one at a time", testUpdatesSerialised},
		{"View sees a consistent snapshot", testViewSnapshot},
		{"a write inside View fails with KindInternal and changes nothing", testViewRefusesWrites},
		{"Tx.Now is one UTC millisecond timestamp per transaction", testNowPerTransaction},
		{"rows and journal entries carry Tx.Now", testRowsCarryNow},
		{"a cursor is empty until set and a set overwrites it", testCursors},

		// Transfers.
		{"PutTransfer inserts a transfer and Transfer returns every field", testPutTransferInsert},
		{"PutTransfer updates every field but Lock, Dest, Recipient and Amount", testPutTransferUpdate},
		{"PutTransfer allows exactly CanMove's transitions; a refused one is KindConflict and changes nothing", testTransitions},
		{"Lock, Dest, Recipient and Amount never change: KindConflict, nothing changes", testImmutableFields},
		{"a transfer without an id or in an unknown state is KindInvalid", testMalformedTransfer},
		{"Transfer of an unknown id is KindNotFound", testTransferNotFound},
		{"Transfers lists oldest first, by SeenAt then ID", testTransfersDefaultOrder},
		{"Transfers filters by States and Dest", testTransfersStatesDest},
		{"Transfers filters by Batch", testTransfersBatch},
		{"Transfers leaves the evidence out when asked", testTransfersNoEvidence},
		{"Batches lists the batches with a member in the states asked", testBatches},
		{"Transfers with DueBefore and States queued selects ReleaseAt at or before it", testTransfersDueBefore},
		{"Transfers with DueBefore selects only queued transfers even without a States filter", testTransfersDueBeforeOnlyQueued},
		{"Transfers with AttemptDue selects NextAttempt at or before it, ordered by NextAttempt, SeenAt, ID", testTransfersAttemptDue},
		{"Transfers pages with AfterID and Limit in the default order", testTransfersPaging},
		{"Transfers with AttemptDue pages with AfterID in NextAttempt order", testTransfersPagingAttemptDue},
		{"CountByState counts transfers per state", testCountByState},
		{"LockedTotal sums exactly the valid locks at depth D_L1 or more", testLockedTotalStates},
		{"LockedTotal is exact up to 2^64-1 and an overflowing sum is an error", testLockedTotalOverflow},

		// Attestations, submissions, the governor and the reserve.
		{"AddAttestation adds once; the same (transfer, signer, digest, mint) again returns added=false", testAttestationAddedOnce},
		{"AddAttestation by the same signer with another digest or mint is KindConflict and the stored one stays", testAttestationConflict},
		{"AddAttestation needs no known transfer and Attestations orders by signer", testAttestationsOrder},
		{"an attestation without a transfer, signer, digest or signature is KindInvalid", testAttestationMalformed},
		{"AddSubmission records several submissions of a transfer", testAddSubmission},
		{"Approve is idempotent per transfer", testApproveIdempotent},
		{"Approved sums a chain's approvals at or after since, exactly up to 2^64-1", testApproved},
		{"AddReserveUTXO is idempotent", testReserveUTXO},

		// Burns, reserve spends and their signatures (burn → release).
		{"PutBurn inserts a burn and Burn returns every field, times to the millisecond", testPutBurnInsert},
		{"PutBurn updates every field but ID, Chain, Nonce, Amount and To", testPutBurnUpdate},
		{"PutBurn allows exactly CanMoveBurn's transitions (back to final from a dead release, never out of settled); a refused one is KindConflict and changes nothing", testBurnTransitions},
		{"a burn's Amount and To never change: KindConflict, nothing changes", testBurnImmutableFields},
		{"a burn with a wrong id, an unknown state, an address not of 22 bytes or a zero amount is KindInvalid", testMalformedBurn},
		{"Burn of an unknown (chain, nonce) is KindNotFound", testBurnNotFound},
		{"Burns filters by Chain, States and FromNonce, limits, and orders by chain then nonce", testBurnsQuery},
		{"PutSpend inserts a spend and Spend returns every field, times to the millisecond", testPutSpendInsert},
		{"PutSpend updates Signed, SignedByUs, State, Height, Reason and UpdatedAt and keeps CreatedAt", testPutSpendUpdate},
		{"a spend's Kind, Chain, FromNonce, ToNonce, Ref, Round, Proposer, Inputs, Expiry and Unsigned never change: KindConflict, nothing changes", testSpendImmutableFields},
		{"a dead or settled spend's state never changes: KindConflict; other spends move freely", testSpendTerminalStates},
		{"SignedByUs goes from false to true, never back: KindConflict", testSpendSignedByUs},
		{"a spend with a malformed txid, an unknown kind or state, or an empty input or one with a comma is KindInvalid", testMalformedSpend},
		{"Spend of an unknown txid is KindNotFound", testSpendNotFound},
		{"Spends filters by Kinds, States, Chain and SignedByUs, limits, and orders by CreatedAt then TxID", testSpendsQuery},
		{"AddSpendSignature adds once; the same (txid, signer, sigs) again returns added=false", testSpendSignatureAddedOnce},
		{"AddSpendSignature by the same signer with other signatures is KindConflict and the stored ones stay", testSpendSignatureConflict},
		{"AddSpendSignature needs no known spend and SpendSignatures orders by signer", testSpendSignaturesOrder},
		{"spend signatures without a txid, a 20-byte signer or 65-byte signatures are KindInvalid", testSpendSignatureMalformed},
		{"a rolled-back Update leaves no burn, spend or spend signature it wrote", testReleaseRollback},
		{"burns, spends and spend signatures go in and come out as copies", testReleaseCopies},

		// The journal.
		{"Journal numbers entries 1, 2, 3 and JournalHead reports the last, ok=false when empty", testJournalSeq},
		{"a rolled-back Update's journal entries are gone and the next seq follows without a gap", testJournalRollback},
		{"journal entries are hash-chained, signed by one key and carry canonical content and Tx.Now", testJournalEntries},
		{"a malformed journal entry is KindInvalid and appends nothing", testJournalMalformed},

		// Settings and heads.
		{"a setting is absent until set, a set overwrites it and an empty value deletes it", testSettings},
		{"PutHead keeps each chain's last head and Heads returns them all", testHeads},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testclock.New(t0)
			tc.f(t, &env{s: open(t, c.Now), clock: c})
		})
	}
}

// t0 is where the suite's clock starts; fixtures are dated from it.
var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// at returns t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// Destinations: destSolana is above 2^31, so a store must keep chain ids as
// unsigned 32-bit values.
const (
	destEVM    chains.ID = 1337
	destSolana chains.ID = chains.SolanaMainnet
)

// env is one subtest's store and clock.
type env struct {
	s     relayer.Store
	clock *testclock.Clock
}

// update runs fn in an Update and fails the test if it fails.
func (e *env) update(t *testing.T, fn func(relayer.Tx) error) {
	t.Helper()
	if err := e.s.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in a View and fails the test if it fails.
func (e *env) view(t *testing.T, fn func(relayer.Tx) error) {
	t.Helper()
	if err := e.s.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// putAll stores vs with put (a Tx method expression, e.g.
// relayer.Tx.PutBurn) in one Update.
func putAll[T any](t *testing.T, e *env, put func(relayer.Tx, T) error, vs ...T) {
	t.Helper()
	e.update(t, func(tx relayer.Tx) error {
		for i, v := range vs {
			if err := put(tx, v); err != nil {
				return fmt.Errorf("put #%d: %w", i+1, err)
			}
		}
		return nil
	})
}

// put stores transfers in one Update.
func (e *env) put(t *testing.T, trs ...relayer.Transfer) {
	t.Helper()
	putAll(t, e, relayer.Tx.PutTransfer, trs...)
}

// read returns what f reads in a View, failing the test on an error.
func read[T any](t *testing.T, e *env, f func(relayer.Tx) (T, error)) T {
	t.Helper()
	var v T
	e.view(t, func(tx relayer.Tx) error {
		var err error
		v, err = f(tx)
		return err
	})
	return v
}

// journalRanger is implemented by stores that serve their journal entries.
type journalRanger interface {
	JournalRange(ctx context.Context, from uint64, limit int) ([]journal.Entry, error)
}

// entries returns the whole journal, skipping the test for a store that does
// not serve it.
func (e *env) entries(t *testing.T) []journal.Entry {
	t.Helper()
	jr, ok := e.s.(journalRanger)
	if !ok {
		t.Skipf("%T has no JournalRange: its journal entries cannot be read", e.s)
	}
	es, err := jr.JournalRange(context.Background(), 1, 1<<20)
	if err != nil {
		t.Fatalf("JournalRange: %v", err)
	}
	return es
}

// wantKind fails the test unless err is a *fault.Error of kind k.
func wantKind(t *testing.T, what string, err error, k fault.Kind) {
	t.Helper()
	var ce *fault.Error
	if !errors.As(err, &ce) || fault.KindOf(err) != k {
		t.Errorf("%s: error %v, want a %s *fault.Error", what, err, k)
	}
}

// noErr fails the test if err is not nil.
func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

// same fails the test, naming each differing field, unless got equals want:
// times compare with Equal, byte slices with bytes.Equal (nil equals empty),
// slices and maps element by element.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	for _, d := range diff(what, reflect.ValueOf(got), reflect.ValueOf(want)) {
		t.Error(d)
	}
}

var timeType = reflect.TypeFor[time.Time]()

func diff(path string, g, w reflect.Value) []string {
	switch {
	case g.Type() != w.Type():
		return []string{fmt.Sprintf("%s is a %s, want a %s", path, g.Type(), w.Type())}
	case g.Type() == timeType:
		if gt, wt := g.Interface().(time.Time), w.Interface().(time.Time); !gt.Equal(wt) {
			return []string{fmt.Sprintf("%s = %v, want %v", path, gt, wt)}
		}
	case g.Kind() == reflect.Slice && g.Type().Elem().Kind() == reflect.Uint8:
		if !bytes.Equal(g.Bytes(), w.Bytes()) {
			return []string{fmt.Sprintf("%s = %x, want %x", path, g.Bytes(), w.Bytes())}
		}
	case g.Kind() == reflect.Slice:
		if g.Len() != w.Len() {
			return []string{fmt.Sprintf("%s has %d elements, want %d", path, g.Len(), w.Len())}
		}
		var out []string
		for i := range g.Len() {
			out = append(out, diff(fmt.Sprintf("%s[%d]", path, i), g.Index(i), w.Index(i))...)
		}
		return out
	case g.Kind() == reflect.Map:
		if g.Len() != w.Len() {
			return []string{fmt.Sprintf("%s has %d entries, want %d: %v, want %v", path, g.Len(), w.Len(), g.Interface(), w.Interface())}
		}
		var out []string
		for _, k := range w.MapKeys() {
			gv := g.MapIndex(k)
			if !gv.IsValid() {
				out = append(out, fmt.Sprintf("%s has no %v", path, k.Interface()))
				continue
			}
			out = append(out, diff(fmt.Sprintf("%s[%v]", path, k.Interface()), gv, w.MapIndex(k))...)
		}
		return out
	case g.Kind() == reflect.Struct:
		var out []string
		for i := range g.NumField() {
			out = append(out, diff(path+"."+g.Type().Field(i).Name, g.Field(i), w.Field(i))...)
		}
		return out
	case !reflect.DeepEqual(g.Interface(), w.Interface()):
		return []string{fmt.Sprintf("%s = %v, want %v", path, g.Interface(), w.Interface())}
	}
	return nil
}

// transfer returns a lock → mint transfer in state s: n (below 256) orders
// the ids (it is the first byte of the display txid), SeenAt is n seconds
// after t0, and the amount is 1000+n.
func transfer(n int, s relayer.State) relayer.Transfer {
	l := chains.LockRef{TxID: [32]byte{0: 0xa0, 31: byte(n)}, Vout: uint32(n % 4)}
	seen := at(time.Duration(n) * time.Second)
	return relayer.Transfer{ID: l.TransferID(), State: s, Lock: l, Dest: destEVM, Recipient: [32]byte{12: 0xee, 31: byte(n)},
		Amount: 1000 + uint64(n), Block: chains.BlockRef{Height: 100 + uint64(n), Hash: fmt.Sprintf("%064x", n), Time: seen},
		Evidence: []byte{byte(n), 1, 2}, SeenAt: seen, UpdatedAt: seen}
}

// ids returns the ids of transfers.
func ids(trs []relayer.Transfer) []string {
	out := make([]string, len(trs))
	for i, tr := range trs {
		out[i] = tr.ID
	}
	return out
}

// idsOf returns the ids of the transfers numbered ns.
func idsOf(ns ...int) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = transfer(n, relayer.StateSeen).ID
	}
	return out
}

// allStates lists every state, in rank order.
var allStates = []relayer.State{relayer.StateSeen, relayer.StateOrphaned, relayer.StateFinal, relayer.StateQueued,
	relayer.StateAttested, relayer.StateQuorum, relayer.StateSubmitted, relayer.StateMinted, relayer.StateRefundDue, relayer.StateRefunded}

// attestation returns signer's attestation of transfer n over digest.
func attestation(n int, signer, digest byte) relayer.Attestation {
	tr := transfer(n, relayer.StateFinal)
	return relayer.Attestation{TransferID: tr.ID, Dest: tr.Dest, Mint: tr.Mint(), Signer: bytes.Repeat([]byte{signer}, 20),
		Digest: bytes.Repeat([]byte{digest}, 32), Sig: bytes.Repeat([]byte{signer ^ digest}, 65), Envelope: []byte("envelope")}
}
