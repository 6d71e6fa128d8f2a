package relayer

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
)

// planSign, rule by rule: what refuses signing, what is forbidden, held,
// signed, and where the accountant stops the batch.
func TestPlanSign(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	dests := map[chains.ID]Destination{1337: {Chain: 1337, MinLock: 100, MintFee: 10}, 56: {Chain: 56, MinLock: 100}}
	gov := Governor{Limits: map[chains.ID]uint64{1337: 1000}, Recheck: time.Minute}
	tr := func(id string, dest chains.ID, amount uint64) Transfer {
		return Transfer{ID: id, State: StateFinal, Dest: dest, Amount: amount, FinalAt: now}
	}
	healthy := chains.Head{Healthy: true}
	base := func(todo ...Transfer) signInput {
		return signInput{Now: now, Todo: todo, Head: healthy, Locked: 10_000, Used: map[chains.ID]uint64{}}
	}
	ids := func(cs []candidate) (out []string) {
		for _, c := range cs {
			out = append(out, c.t.ID)
		}
		return out
	}
	type want struct {
		refusal RefusalCause
		sign    []string
		forbid  []string
		hold    []string
		breach  string
	}
	cases := []struct {
		name string
		in   func() signInput
		want want
	}{
		{"halted before anything", func() signInput { in := base(tr("a", 1337, 200)); in.Halted, in.Paused = "x", "y"; return in },
			want{refusal: RefusalHalted}},
		{"paused", func() signInput { in := base(tr("a", 1337, 200)); in.Paused = "maintenance"; return in }, want{refusal: RefusalPaused}},
		{"light node unreachable", func() signInput { in := base(tr("a", 1337, 200)); in.HeadErr = errors.New("down"); return in },
			want{refusal: RefusalUnhealthy}},
		{"light node unhealthy", func() signInput { in := base(tr("a", 1337, 200)); in.Head.Healthy = false; return in },
			want{refusal: RefusalUnhealthy}},
		{"a ledger unreadable", func() signInput { in := base(tr("a", 1337, 200)); in.LedgerErr = errors.New("rpc"); return in },
			want{refusal: RefusalLedger}},
		{"below the destination's minimum or not above its fee: refund, never sign", func() signInput {
			return base(tr("small", 1337, 99), tr("ok", 1337, 100), tr("fee", 56, 0))
		}, want{sign: []string{"ok"}, forbid: []string{"small", "fee"}}},
		{"an unknown destination is skipped", func() signInput { return base(tr("x", 9, 500)) }, want{}},
		{"the governor's window fills within the batch", func() signInput {
			in := base(tr("a", 1337, 600), tr("b", 1337, 600), tr("c", 56, 600))
			in.Used[1337] = 300
			return in
		}, want{sign: []string{"a", "c"}, hold: []string{"b"}}},
		{"an unchanged hold is not held again", func() signInput {
			held := tr("b", 1337, 600)
			held.State, held.ReleaseAt = StateQueued, now.Add(time.Minute)
			held.Reason = gov.Decide(now, held, 700).Reason
			in := base(held)
			in.Used[1337] = 700
			return in
		}, want{}},
		{"the accountant stops the batch where it would break", func() signInput {
			in := base(tr("a", 1337, 400), tr("b", 56, 400), tr("c", 56, 400))
			in.Ledgers, in.Locked = []chains.Ledger{{Minted: 9_500}}, 10_000
			return in
		}, want{sign: []string{"a"}, breach: "b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := planSign(dests, gov, c.in())
			if p.Refusal.Cause != c.want.refusal || (c.want.refusal != RefusalNone && p.Refusal.Reason == "") {
				t.Fatalf("refusal %+v, want %q", p.Refusal, c.want.refusal)
			}
			var forbid, hold []string
			for _, f := range p.Forbid {
				forbid = append(forbid, f.t.ID)
				if f.reason == "" {
					t.Errorf("forbidden %s without a reason", f.t.ID)
				}
			}
			for _, h := range p.Hold {
				hold = append(hold, h.t.ID)
			}
			breach := ""
			if p.Breach != nil {
				breach = p.Breach.t.ID
			}
			if got := ids(p.Sign); !slices.Equal(got, c.want.sign) || !slices.Equal(forbid, c.want.forbid) || !slices.Equal(hold, c.want.hold) || breach != c.want.breach {
				t.Fatalf("sign %v forbid %v hold %v breach %q; want %+v", got, forbid, hold, breach, c.want)
			}
		})
	}
}

// planSeen and planFinal, rule by rule.
func TestPlanObserved(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	lk := chains.LockRef{TxID: [32]byte{1}, Vout: 0}
	ev := chains.Event{Kind: chains.EventLock, ID: lk.TransferID(), TxID: chains.DisplayHash(lk.TxID), Amount: 500, DestChain: 1337,
		Recipient: make([]byte, 32), Block: chains.BlockRef{Height: 10, Hash: "b10"}}
	retracted := ev
	retracted.Retracted = true
	invalid := ev
	invalid.Kind, invalid.Invalid, invalid.RefundTo = chains.EventInvalidLock, "bad-memo", "t1x"
	malformed := ev
	malformed.Recipient = []byte{1}
	in := func(s State) *Transfer {
		t, _ := TransferFromEvent(ev, now.Add(-time.Hour))
		t.State = s
		return &t
	}
	cases := []struct {
		name      string
		o         observed
		state     State // "" : nothing stored
		kind      string
		halt, rej bool
	}{
		{"seen: a new lock", planSeen(nil, ev, now), StateSeen, KindLockSeen, false, false},
		{"seen: a known lock is not seen twice", planSeen(in(StateSeen), ev, now), "", "", false, false},
		{"seen: retracted while seen is orphaned", planSeen(in(StateSeen), retracted, now), StateOrphaned, KindLockOrphaned, false, false},
		{"seen: retracted after final is the final stream's", planSeen(in(StateFinal), retracted, now), "", "", false, false},
		{"seen: orphaned and mined again", planSeen(in(StateOrphaned), ev, now), StateSeen, KindLockSeen, false, false},
		{"seen: an invalid lock waits for finality", planSeen(nil, invalid, now), "", "", false, false},
		{"seen: a malformed event is journaled, not dropped", planSeen(nil, malformed, now), "", KindEventRejected, false, true},
		{"final: a seen lock", planFinal(in(StateSeen), ev, now, 40), StateFinal, KindLockFinal, false, false},
		{"final: never seen", planFinal(nil, ev, now, 40), StateFinal, KindLockFinal, false, false},
		{"final: again is nothing", planFinal(in(StateAttested), ev, now, 40), "", "", false, false},
		{"final: an invalid lock is due a refund", planFinal(nil, invalid, now, 40), StateRefundDue, KindRefundDue, false, false},
		{"final: retracted halts", planFinal(in(StateAttested), retracted, now, 40), "", KindDeepReorg, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.o
			var state State
			if o.next != nil {
				state = o.next.State
			}
			kind := ""
			if o.entry != nil {
				kind = o.entry.JournalKind()
			}
			if state != c.state || kind != c.kind || (o.halt != "") != c.halt || o.rejected != c.rej {
				t.Fatalf("state %q entry %q halt %q rejected %v; want %q %q %v %v", state, kind, o.halt, o.rejected, c.state, c.kind, c.halt, c.rej)
			}
			if c.state == StateFinal || c.state == StateRefundDue {
				if o.utxo == nil || o.utxo.Amount != 500 || !o.next.FinalAt.Equal(now) {
					t.Fatalf("final without its reserve output or time: %+v %+v", o.utxo, o.next)
				}
			}
		})
	}
}

func TestPlanConfirm(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	submitted := Transfer{State: StateSubmitted, NextAttempt: now.Add(-time.Second)}
	notYet := submitted
	notYet.NextAttempt = now.Add(time.Second)
	quorum := Transfer{State: StateQuorum}
	cases := []struct {
		name string
		t    Transfer
		st   chains.SubmissionState
		want confirmAction
	}{
		{"done is minted, whoever submitted", quorum, chains.StateDone, confirmMinted},
		{"done after our submission", submitted, chains.StateDone, confirmMinted},
		{"our transaction vanished", submitted, chains.StateUnknown, confirmResubmit},
		{"our transaction failed", submitted, chains.StateFailed, confirmResubmit},
		{"an instalment was minted", submitted, chains.StatePartial, confirmResubmit},
		{"not before the next attempt", notYet, chains.StateUnknown, confirmWait},
		{"pending is waited for", submitted, chains.StatePending, confirmWait},
		{"included is waited for", submitted, chains.StateIncluded, confirmWait},
		{"not ours to resubmit", quorum, chains.StateUnknown, confirmWait},
	}
	for _, c := range cases {
		if got := planConfirm(c.t, chains.Status{State: c.st}, now); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestRebroadcastBacksOffAsATransferAges(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	base := 5 * time.Second
	cases := []struct {
		name           string
		age, sinceLast time.Duration
		due            bool
	}{
		{"young: every base", 6 * time.Second, 5 * time.Second, true},
		{"young: not before base", 6 * time.Second, 4 * time.Second, false},
		{"older: twice base", 15 * time.Second, 9 * time.Second, false},
		{"older: due after twice base", 15 * time.Second, 10 * time.Second, true},
		{"old: at most 16 times base", 24 * time.Hour, 80 * time.Second, true},
		{"old: not before 16 times base", 24 * time.Hour, 79 * time.Second, false},
	}
	for _, c := range cases {
		if got := rebroadcastDue(now.Add(-c.age), now.Add(-c.sinceLast), now, base); got != c.due {
			t.Errorf("%s: due %v, want %v", c.name, got, c.due)
		}
	}
}
