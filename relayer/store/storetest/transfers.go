package storetest

import (
	"bytes"
	"context"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// full returns transfer n in state s with every field set, the amounts at
// the top of the uint64 range and the times with milliseconds.
func full(n int, s relayer.State) relayer.Transfer {
	x := transfer(n, s)
	when := func(min int) time.Time {
		return at(time.Duration(min)*time.Minute + time.Duration(n+123)*time.Millisecond)
	}
	x.Dest, x.Amount = destSolana, math.MaxUint64
	x.Block.Time = when(0)
	x.Invalid, x.RefundTo = "bad memo", "t1RefundAddress"
	x.Digest = bytes.Repeat([]byte{0xd1}, 32)
	x.ReleaseAt, x.Reason = when(60), "held: over the hourly cap"
	x.MintTx, x.Minted = "0x"+strings.Repeat("ab", 32), math.MaxUint64-7
	x.FinalAt, x.AttestedAt, x.QuorumAt, x.SubmittedAt, x.MintedAt = when(1), when(2), when(3), when(4), when(5)
	x.UpdatedAt, x.NextAttempt = when(6), when(7)
	x.Attempts, x.Refused = math.MaxUint32, "nonce too low"
	x.Batch = "batch:" + strings.Repeat("ba", 32)
	return x
}

func testPutTransferInsert(t *testing.T, e *env) {
	minimal := transfer(8, relayer.StateSeen)
	minimal.Evidence, minimal.Block = nil, chains.BlockRef{}
	for _, want := range []relayer.Transfer{full(7, relayer.StateQuorum), minimal} {
		e.put(t, want)
		got := read(t, e, func(tx relayer.Tx) (relayer.Transfer, error) { return tx.Transfer(want.ID) })
		same(t, "Transfer", got, want)
	}
}

// immutable are the fields of a Transfer that never change once stored (and
// ID, which names it).
var immutable = []string{"ID", "Lock", "Dest", "Recipient", "Amount"}

func testPutTransferUpdate(t *testing.T, e *env) {
	x := full(3, relayer.StateFinal)
	e.put(t, x)
	y := x
	y.State = relayer.StateAttested
	y.Block = chains.BlockRef{Height: x.Block.Height + 1, Hash: "another", Time: x.Block.Time.Add(time.Millisecond)}
	y.Evidence, y.Digest = []byte("other evidence"), bytes.Repeat([]byte{0xd2}, 32)
	y.Invalid, y.RefundTo, y.ReleaseAt, y.Refused = "", "", time.Time{}, "" // cleared
	y.Reason, y.MintTx, y.Minted, y.Attempts = "attested", "0xother", 1, 0
	y.Batch = "batch:" + strings.Repeat("bb", 32)
	for _, p := range []*time.Time{&y.SeenAt, &y.FinalAt, &y.AttestedAt, &y.QuorumAt, &y.SubmittedAt, &y.MintedAt, &y.UpdatedAt, &y.NextAttempt} {
		*p = p.Add(time.Millisecond)
	}
	// The fixture must change every mutable field, including any added later.
	changed := strings.Join(diff("", reflect.ValueOf(y), reflect.ValueOf(x)), "\n")
	for i := range reflect.TypeFor[relayer.Transfer]().NumField() {
		name := reflect.TypeFor[relayer.Transfer]().Field(i).Name
		if !strings.Contains(changed, "."+name+" ") && !strings.Contains(changed, "."+name+".") && !slices.Contains(immutable, name) {
			t.Fatalf("the fixture does not change Transfer.%s", name)
		}
	}
	e.put(t, y)
	same(t, "Transfer after an update", read(t, e, func(tx relayer.Tx) (relayer.Transfer, error) { return tx.Transfer(x.ID) }), y)
}

func testTransitions(t *testing.T, e *env) {
	checkMoves(t, e, lifecycle[relayer.State, relayer.Transfer]{
		states: allStates,
		record: func(n int, from relayer.State) relayer.Transfer { return transfer(n, from) },
		moved: func(x relayer.Transfer, to relayer.State) relayer.Transfer {
			x.State, x.Reason = to, "moved"
			return x
		},
		isMoved: func(got relayer.Transfer, to relayer.State) bool { return got.State == to && got.Reason == "moved" },
		put:     relayer.Tx.PutTransfer,
		get:     func(tx relayer.Tx, x relayer.Transfer) (relayer.Transfer, error) { return tx.Transfer(x.ID) },
		allowed: relayer.CanMove,
	})
}

func testImmutableFields(t *testing.T, e *env) {
	for i, c := range []struct {
		name   string
		change func(*relayer.Transfer)
	}{
		{"Lock.TxID", func(x *relayer.Transfer) { x.Lock.TxID[5] ^= 1 }},
		{"Lock.Vout", func(x *relayer.Transfer) { x.Lock.Vout++ }},
		{"Dest", func(x *relayer.Transfer) { x.Dest = destSolana }},
		{"Recipient", func(x *relayer.Transfer) { x.Recipient[0] ^= 1 }},
		{"Amount", func(x *relayer.Transfer) { x.Amount++ }},
	} {
		x := transfer(10+i, relayer.StateFinal)
		e.put(t, x)
		y := x
		y.State, y.Reason = relayer.StateAttested, "changed" // an allowed move: only the change of c.name is refused
		c.change(&y)
		var err error
		e.update(t, func(tx relayer.Tx) error { err = tx.PutTransfer(y); return nil })
		wantKind(t, "a new "+c.name, err, fault.Conflict)
		same(t, "after a new "+c.name+": stored", read(t, e, func(tx relayer.Tx) (relayer.Transfer, error) { return tx.Transfer(x.ID) }), x)
	}
}

func testMalformedTransfer(t *testing.T, e *env) {
	for _, c := range []struct {
		name   string
		change func(*relayer.Transfer)
	}{
		{"no id", func(x *relayer.Transfer) { x.ID = "" }},
		{"an unknown state", func(x *relayer.Transfer) { x.State = "bogus" }},
		{"no state", func(x *relayer.Transfer) { x.State = "" }},
	} {
		x := transfer(1, relayer.StateSeen)
		c.change(&x)
		var err error
		e.update(t, func(tx relayer.Tx) error { err = tx.PutTransfer(x); return nil })
		wantKind(t, "a transfer with "+c.name, err, fault.Invalid)
	}
	if got := read(t, e, func(tx relayer.Tx) ([]relayer.Transfer, error) { return tx.Transfers(relayer.TransferQuery{}) }); len(got) != 0 {
		t.Errorf("malformed transfers were stored: %v", ids(got))
	}
}

func testTransferNotFound(t *testing.T, e *env) {
	known, unknown := transfer(1, relayer.StateSeen), transfer(2, relayer.StateSeen)
	e.put(t, known)
	check := func(tx relayer.Tx) error {
		if _, err := tx.Transfer(known.ID); err != nil {
			t.Errorf("Transfer of a stored id: %v", err)
		}
		_, err := tx.Transfer(unknown.ID)
		wantKind(t, "Transfer of an unknown id", err, fault.NotFound)
		return nil
	}
	e.update(t, check)
	e.view(t, check)
}

// queryFixture stores the dataset of the Transfers subtests and returns it
// by id: twelve transfers whose id, SeenAt, ReleaseAt and NextAttempt orders
// all differ, with ties on SeenAt and NextAttempt, stored in a scrambled
// order. Times are seconds after t0. In the default order (SeenAt, then ID)
// they are 5 2 9 3 4 7 8 1 6 10 11 12; by NextAttempt 11 7 8 6 5 3 4 10 12 2 1 9.
func queryFixture(t *testing.T, e *env) map[string]relayer.Transfer {
	t.Helper()
	out := map[string]relayer.Transfer{}
	var trs []relayer.Transfer
	for _, f := range []struct {
		n             int
		s             relayer.State
		seen          int
		dest          chains.ID
		release, next int
	}{
		{7, relayer.StateQuorum, 4, destSolana, 0, 15},
		{2, relayer.StateFinal, 1, destSolana, 0, 40},
		{11, relayer.StateMinted, 8, destEVM, 0, 5},
		{4, relayer.StateQueued, 3, destSolana, 20, 30},
		{9, relayer.StateAttested, 2, destEVM, 5, 60}, // queued before: its ReleaseAt stays
		{1, relayer.StateSeen, 5, destEVM, 0, 50},
		{12, relayer.StateQueued, 9, destEVM, 15, 45},
		{6, relayer.StateQuorum, 6, destEVM, 0, 15},
		{3, relayer.StateQueued, 3, destEVM, 10, 30},
		{10, relayer.StateRefundDue, 7, destSolana, 0, 35},
		{5, relayer.StateQuorum, 0, destEVM, 0, 25},
		{8, relayer.StateQuorum, 4, destEVM, 0, 15},
	} {
		x := transfer(f.n, f.s)
		x.SeenAt, x.Dest, x.NextAttempt = at(time.Duration(f.seen)*time.Second), f.dest, at(time.Duration(f.next)*time.Second)
		if f.release > 0 {
			x.ReleaseAt = at(time.Duration(f.release) * time.Second)
		}
		switch f.n { // two batches: 9, 6 and 5 in one, 8 alone in another
		case 9, 6, 5:
			x.Batch = "batch:aa"
		case 8:
			x.Batch = "batch:bb"
		}
		trs, out[x.ID] = append(trs, x), x
	}
	e.put(t, trs...)
	return out
}

// queryCase is one Transfers query and the transfers (by number) it returns.
type queryCase struct {
	name string
	q    relayer.TransferQuery
	want []int
}

// runQueries checks each case against the fixture: the ids in order, and
// each transfer returned whole.
func runQueries(t *testing.T, e *env, stored map[string]relayer.Transfer, cases []queryCase) {
	t.Helper()
	e.view(t, func(tx relayer.Tx) error {
		for _, c := range cases {
			got, err := tx.Transfers(c.q)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			if g, w := ids(got), idsOf(c.want...); !slices.Equal(g, w) {
				t.Errorf("%s: got\n\t%v\nwant\n\t%v", c.name, g, w)
				continue
			}
			for _, tr := range got {
				same(t, c.name+": "+tr.ID, tr, stored[tr.ID])
			}
		}
		return nil
	})
}

func sec(s float64) time.Time { return at(time.Duration(s * float64(time.Second))) }

func testTransfersDefaultOrder(t *testing.T, e *env) {
	runQueries(t, e, queryFixture(t, e), []queryCase{
		{"no filter", relayer.TransferQuery{}, []int{5, 2, 9, 3, 4, 7, 8, 1, 6, 10, 11, 12}},
	})
}

func testTransfersStatesDest(t *testing.T, e *env) {
	q, sol := relayer.StateQuorum, destSolana
	runQueries(t, e, queryFixture(t, e), []queryCase{
		{"quorum", relayer.TransferQuery{States: []relayer.State{q}}, []int{5, 7, 8, 6}},
		{"queued or seen", relayer.TransferQuery{States: []relayer.State{relayer.StateQueued, relayer.StateSeen}}, []int{3, 4, 1, 12}},
		{"submitted", relayer.TransferQuery{States: []relayer.State{relayer.StateSubmitted}}, nil},
		{"to Solana", relayer.TransferQuery{Dest: sol}, []int{2, 4, 7, 10}},
		{"quorum to the EVM chain", relayer.TransferQuery{States: []relayer.State{q}, Dest: destEVM}, []int{5, 8, 6}},
		{"to an unknown chain", relayer.TransferQuery{Dest: 99}, nil},
	})
}

func testTransfersBatch(t *testing.T, e *env) {
	q := []relayer.State{relayer.StateQuorum}
	runQueries(t, e, queryFixture(t, e), []queryCase{
		{"batch aa", relayer.TransferQuery{Batch: "batch:aa"}, []int{5, 9, 6}},
		{"batch bb", relayer.TransferQuery{Batch: "batch:bb"}, []int{8}},
		{"an unknown batch", relayer.TransferQuery{Batch: "batch:cc"}, nil},
		{"batch aa in quorum", relayer.TransferQuery{Batch: "batch:aa", States: q}, []int{5, 6}},
		{"batch aa, attempt due at 20s", relayer.TransferQuery{Batch: "batch:aa", AttemptDue: sec(20)}, []int{6}},
	})
}

// testTransfersNoEvidence checks that NoEvidence returns the same
// transfers, whole but for a nil Evidence.
func testTransfersNoEvidence(t *testing.T, e *env) {
	stored := queryFixture(t, e)
	e.view(t, func(tx relayer.Tx) error {
		q := relayer.TransferQuery{States: []relayer.State{relayer.StateQuorum}, Limit: 3}
		full, err := tx.Transfers(q)
		if err != nil {
			return err
		}
		q.NoEvidence = true
		lean, err := tx.Transfers(q)
		if err != nil {
			return err
		}
		if !slices.Equal(ids(lean), ids(full)) || len(lean) != 3 {
			t.Fatalf("NoEvidence listed %v, want %v", ids(lean), ids(full))
		}
		for _, tr := range lean {
			if tr.Evidence != nil {
				t.Fatalf("%s: evidence %x with NoEvidence", tr.ID, tr.Evidence)
			}
			want := stored[tr.ID]
			want.Evidence = nil
			same(t, "NoEvidence: "+tr.ID, tr, want)
		}
		return nil
	})
}

// testBatches checks Batches: one row per batch with a member in the
// states asked, its destination and earliest AttestedAt among those
// members, ordered by their earliest SeenAt.
func testBatches(t *testing.T, e *env) {
	var trs []relayer.Transfer
	for _, f := range []struct {
		n              int
		s              relayer.State
		seen, attested int
		batch          string
	}{
		{5, relayer.StateAttested, 0, 3, "batch:aa"},
		{9, relayer.StateQuorum, 2, 5, "batch:aa"},
		{6, relayer.StateQuorum, 6, 4, "batch:aa"},
		{8, relayer.StateQuorum, 1, 7, "batch:bb"},
		{7, relayer.StateQuorum, 1, 1, ""},
		{3, relayer.StateMinted, 3, 2, "batch:cc"},
	} {
		x := transfer(f.n, f.s)
		x.SeenAt, x.AttestedAt, x.Batch = sec(float64(f.seen)), sec(float64(f.attested)), f.batch
		trs = append(trs, x)
	}
	e.put(t, trs...)
	ref := func(id string, attested float64) relayer.BatchRef {
		return relayer.BatchRef{ID: id, Dest: destEVM, AttestedAt: sec(attested)}
	}
	waiting := []relayer.State{relayer.StateAttested, relayer.StateQuorum}
	for _, c := range []struct {
		name   string
		states []relayer.State
		limit  int
		want   []relayer.BatchRef
	}{
		{"every state", nil, 0, []relayer.BatchRef{ref("batch:aa", 3), ref("batch:bb", 7), ref("batch:cc", 2)}},
		{"waiting", waiting, 0, []relayer.BatchRef{ref("batch:aa", 3), ref("batch:bb", 7)}},
		{"in quorum: bb's member was seen first", []relayer.State{relayer.StateQuorum}, 0, []relayer.BatchRef{ref("batch:bb", 7), ref("batch:aa", 4)}},
		{"waiting, limit 1", waiting, 1, []relayer.BatchRef{ref("batch:aa", 3)}},
		{"submitted", []relayer.State{relayer.StateSubmitted}, 0, nil},
	} {
		e.view(t, func(tx relayer.Tx) error {
			got, err := tx.Batches(c.states, c.limit)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				return nil
			}
			if len(got) != len(c.want) {
				t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
				return nil
			}
			for i := range got {
				if got[i].ID != c.want[i].ID || got[i].Dest != c.want[i].Dest || !got[i].AttestedAt.Equal(c.want[i].AttestedAt) {
					t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
					break
				}
			}
			return nil
		})
	}
}

func testTransfersDueBefore(t *testing.T, e *env) {
	queued := []relayer.State{relayer.StateQueued}
	runQueries(t, e, queryFixture(t, e), []queryCase{
		{"due before 9.999s", relayer.TransferQuery{States: queued, DueBefore: sec(9.999)}, nil},
		{"due at 10s", relayer.TransferQuery{States: queued, DueBefore: sec(10)}, []int{3}},
		{"due at 15s", relayer.TransferQuery{States: queued, DueBefore: sec(15)}, []int{3, 12}},
		{"due at 20s", relayer.TransferQuery{States: queued, DueBefore: sec(20)}, []int{3, 4, 12}},
		{"due at 20s to the EVM chain", relayer.TransferQuery{States: queued, DueBefore: sec(20), Dest: destEVM}, []int{3, 12}},
	})
}

func testTransfersDueBeforeOnlyQueued(t *testing.T, e *env) {
	runQueries(t, e, queryFixture(t, e), []queryCase{
		{"due at 20s", relayer.TransferQuery{DueBefore: sec(20)}, []int{3, 4, 12}},
		{"due at 5s (an attested transfer keeps its old ReleaseAt)", relayer.TransferQuery{DueBefore: sec(5)}, nil},
	})
}

func testTransfersAttemptDue(t *testing.T, e *env) {
	runQueries(t, e, queryFixture(t, e), []queryCase{
		{"attempt due at 14.999s", relayer.TransferQuery{AttemptDue: sec(14.999)}, []int{11}},
		{"attempt due at 15s", relayer.TransferQuery{AttemptDue: sec(15)}, []int{11, 7, 8, 6}},
		{"quorum, attempt due at 15s", relayer.TransferQuery{States: []relayer.State{relayer.StateQuorum}, AttemptDue: sec(15)}, []int{7, 8, 6}},
		{"attempt due at 30s", relayer.TransferQuery{AttemptDue: sec(30)}, []int{11, 7, 8, 6, 5, 3, 4}},
		{"attempt due at 30s, limit 2", relayer.TransferQuery{AttemptDue: sec(30), Limit: 2}, []int{11, 7}},
		{"attempt due at 30s to Solana", relayer.TransferQuery{AttemptDue: sec(30), Dest: destSolana}, []int{7, 4}},
	})
}

// pages returns the cases of paging through q with AfterID, limit at a time.
func pages(name string, q relayer.TransferQuery, limit int, want ...[]int) []queryCase {
	var out []queryCase
	after := ""
	for i, w := range want {
		p := q
		p.AfterID, p.Limit = after, limit
		out = append(out, queryCase{name: name + ", page " + strconv.Itoa(i+1), q: p, want: w})
		if len(w) > 0 {
			after = idsOf(w[len(w)-1])[0]
		}
	}
	return out
}

func testTransfersPaging(t *testing.T, e *env) {
	id := func(n int) string { return idsOf(n)[0] }
	queued := []relayer.State{relayer.StateQueued}
	cases := pages("all", relayer.TransferQuery{}, 5, []int{5, 2, 9, 3, 4}, []int{7, 8, 1, 6, 10}, []int{11, 12}, nil)
	cases = append(cases, []queryCase{
		{"limit 1", relayer.TransferQuery{Limit: 1}, []int{5}},
		{"limit 100", relayer.TransferQuery{Limit: 100}, []int{5, 2, 9, 3, 4, 7, 8, 1, 6, 10, 11, 12}},
		{"after 3 (4 has the same SeenAt)", relayer.TransferQuery{AfterID: id(3)}, []int{4, 7, 8, 1, 6, 10, 11, 12}},
		{"quorum after 7", relayer.TransferQuery{States: []relayer.State{relayer.StateQuorum}, AfterID: id(7)}, []int{8, 6}},
		{"queued after 9, which is not queued", relayer.TransferQuery{States: queued, AfterID: id(9)}, []int{3, 4, 12}},
		{"queued after 7, which is not queued", relayer.TransferQuery{States: queued, AfterID: id(7)}, []int{12}},
	}...)
	runQueries(t, e, queryFixture(t, e), cases)
}

func testTransfersPagingAttemptDue(t *testing.T, e *env) {
	due := relayer.TransferQuery{AttemptDue: sec(30)}
	cases := pages("attempt due at 30s", due, 3, []int{11, 7, 8}, []int{6, 5, 3}, []int{4}, nil)
	due.AfterID = idsOf(6)[0]
	cases = append(cases, queryCase{"attempt due at 30s after 6", due, []int{5, 3, 4}})
	runQueries(t, e, queryFixture(t, e), cases)
}

// checkCounts compares CountByState with want for every state.
func checkCounts(t *testing.T, what string, got, want map[relayer.State]int) {
	t.Helper()
	for s, n := range got {
		if !s.Valid() && n != 0 {
			t.Errorf("%s: %d transfers in unknown state %q", what, n, s)
		}
	}
	for _, s := range allStates {
		if got[s] != want[s] {
			t.Errorf("%s: %d %s transfers, want %d (all counts %v)", what, got[s], s, want[s], got)
		}
	}
}

func testCountByState(t *testing.T, e *env) {
	count := func(tx relayer.Tx) (map[relayer.State]int, error) { return tx.CountByState() }
	checkCounts(t, "an empty store", read(t, e, count), nil)
	stored := queryFixture(t, e)
	checkCounts(t, "the fixture", read(t, e, count), map[relayer.State]int{relayer.StateSeen: 1, relayer.StateFinal: 1,
		relayer.StateQueued: 3, relayer.StateAttested: 1, relayer.StateQuorum: 4, relayer.StateRefundDue: 1, relayer.StateMinted: 1})
	six, one := stored[idsOf(6)[0]], stored[idsOf(1)[0]]
	six.State, one.State = relayer.StateSubmitted, relayer.StateOrphaned
	e.put(t, six, one)
	checkCounts(t, "after two moves", read(t, e, count), map[relayer.State]int{relayer.StateOrphaned: 1, relayer.StateFinal: 1,
		relayer.StateQueued: 3, relayer.StateAttested: 1, relayer.StateQuorum: 3, relayer.StateSubmitted: 1,
		relayer.StateRefundDue: 1, relayer.StateMinted: 1})
}

// locking are the states LockedTotal counts: valid locks at depth D_L1 or
// more (final and every later lock → mint state).
var locking = []relayer.State{relayer.StateFinal, relayer.StateQueued, relayer.StateAttested,
	relayer.StateQuorum, relayer.StateSubmitted, relayer.StateMinted}

func lockedTotal(tx relayer.Tx) (uint64, error) { return tx.LockedTotal() }

func testLockedTotalStates(t *testing.T, e *env) {
	if got := read(t, e, lockedTotal); got != 0 {
		t.Errorf("LockedTotal of an empty store = %d", got)
	}
	// One transfer per state, each amount its own bit: the total names the
	// states counted.
	var want uint64
	byState := map[relayer.State]relayer.Transfer{}
	for i, s := range allStates {
		x := transfer(i+1, s)
		x.Amount = 1 << (4 * i)
		if slices.Contains(locking, s) {
			want += x.Amount
		}
		byState[s] = x
		e.put(t, x)
	}
	if got := read(t, e, lockedTotal); got != want {
		t.Errorf("LockedTotal = %#x, want %#x (one transfer per state, amount 1<<(4×rank))", got, want)
	}
	seen, final := byState[relayer.StateSeen], byState[relayer.StateFinal]
	seen.State, final.State = relayer.StateFinal, relayer.StateRefundDue
	e.put(t, seen, final)
	want += seen.Amount - final.Amount
	if got := read(t, e, lockedTotal); got != want {
		t.Errorf("after seen → final and final → refund-due: LockedTotal = %#x, want %#x", got, want)
	}
}

func testLockedTotalOverflow(t *testing.T, e *env) {
	const big = uint64(1) << 62
	var trs []relayer.Transfer
	for i, c := range []struct {
		s      relayer.State
		amount uint64
	}{
		{relayer.StateFinal, big}, {relayer.StateQueued, big}, {relayer.StateMinted, big},
		// Not counted: any of these would overflow the sum.
		{relayer.StateSeen, big}, {relayer.StateOrphaned, math.MaxUint64}, {relayer.StateRefundDue, math.MaxUint64},
	} {
		x := transfer(i+1, c.s)
		x.Amount = c.amount
		trs = append(trs, x)
	}
	e.put(t, trs...)
	if got, err := readErr(e, lockedTotal); err != nil || got != 3*big {
		t.Errorf("LockedTotal = %d, %v; want 3×2^62 = %d", got, err, 3*big)
	}
	x := transfer(7, relayer.StateAttested)
	x.Amount = big - 1
	e.put(t, x)
	if got, err := readErr(e, lockedTotal); err != nil || got != math.MaxUint64 {
		t.Errorf("LockedTotal = %d, %v; want 2^64-1", got, err)
	}
	x = transfer(8, relayer.StateSubmitted)
	x.Amount = 1
	e.put(t, x)
	got, err := readErr(e, lockedTotal)
	wantKind(t, "LockedTotal over 2^64-1", err, fault.Internal)
	if err == nil {
		t.Errorf("LockedTotal over 2^64-1 = %d", got)
	}
}

// readErr is read returning f's error instead of failing the test.
func readErr[T any](e *env, f func(relayer.Tx) (T, error)) (T, error) {
	var v T
	var ferr error
	err := e.s.View(context.Background(), func(tx relayer.Tx) error { v, ferr = f(tx); return nil })
	if err != nil {
		return v, err
	}
	return v, ferr
}
