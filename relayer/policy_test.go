package relayer

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

func TestCanMoveOnlyForward(t *testing.T) {
	all := []State{StateSeen, StateOrphaned, StateFinal, StateQueued, StateAttested, StateQuorum, StateSubmitted, StateMinted, StateRefundDue}
	allowed := map[[2]State]bool{
		{StateSeen, StateOrphaned}: true, {StateSeen, StateFinal}: true, {StateSeen, StateRefundDue}: true,
		{StateOrphaned, StateSeen}: true, {StateOrphaned, StateFinal}: true, {StateOrphaned, StateRefundDue}: true,
		{StateFinal, StateQueued}: true, {StateFinal, StateAttested}: true, {StateFinal, StateMinted}: true,
		{StateQueued, StateAttested}: true, {StateQueued, StateMinted}: true,
		{StateAttested, StateQuorum}: true, {StateAttested, StateMinted}: true,
		{StateQuorum, StateSubmitted}: true, {StateQuorum, StateMinted}: true,
		// The destination forbids a lock (below its minimum, a recipient it
		// refuses) before anything is minted for it: refund, never mint.
		{StateFinal, StateRefundDue}: true, {StateQueued, StateRefundDue}: true,
		{StateAttested, StateRefundDue}: true, {StateQuorum, StateRefundDue}: true,
		{StateSubmitted, StateMinted}: true,
	}
	for _, from := range all {
		for _, to := range all {
			want := from == to || allowed[[2]State{from, to}]
			if got := CanMove(from, to); got != want {
				t.Errorf("CanMove(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
		if CanMove(from, "bogus") || CanMove("bogus", from) {
			t.Errorf("an unknown state moves to or from %s", from)
		}
	}
	for _, s := range []State{StateMinted, StateRefundDue} {
		for _, to := range all {
			if to != s && CanMove(s, to) {
				t.Errorf("terminal %s moves to %s", s, to)
			}
		}
	}
}

func TestGovernorDecide(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	g := Governor{Limits: map[chains.ID]uint64{1337: 1000}, Large: 500, LargeDelay: time.Hour, Recheck: time.Minute}
	tr := func(amount uint64, finalAgo time.Duration) Transfer {
		return Transfer{Dest: 1337, Amount: amount, FinalAt: now.Add(-finalAgo)}
	}
	cases := []struct {
		name    string
		t       Transfer
		used    uint64
		approve bool
		release time.Time
	}{
		{"small transfer within the window is approved", tr(100, 0), 0, true, time.Time{}},
		{"transfer filling the window exactly is approved", tr(400, 0), 600, true, time.Time{}},
		{"transfer overflowing the window is rechecked later", tr(400, 0), 700, false, now.Add(time.Minute)},
		{"large transfer is held LargeDelay after finality", tr(500, 10*time.Minute), 0, false, now.Add(50 * time.Minute)},
		{"large transfer is approved after its delay, even with the window full", tr(500, time.Hour), 900, true, time.Time{}},
		{"transfer above the whole limit is treated as large", Transfer{Dest: 1337, Amount: 5000, FinalAt: now}, 0, false, now.Add(time.Hour)},
		{"unlimited chain approves anything below large", Transfer{Dest: 56, Amount: 499, FinalAt: now}, 1 << 60, true, time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := g.Decide(now, c.t, c.used)
			if d.Approve != c.approve || !d.ReleaseAt.Equal(c.release) {
				t.Fatalf("Decide = %+v, want approve %v release %v", d, c.approve, c.release)
			}
			if !d.Approve && d.Reason == "" {
				t.Fatal("a hold without a reason")
			}
		})
	}
	if d := (Governor{}).Decide(now, tr(1<<62, 0), 1<<62); !d.Approve {
		t.Fatalf("the zero governor holds: %+v", d)
	}
}

func TestCheckAccountant(t *testing.T) {
	l := func(m uint64) chains.Ledger { return chains.Ledger{Minted: m} }
	cases := []struct {
		name          string
		ledgers       []chains.Ledger
		this, locked  uint64
		wantViolation bool
	}{
		{"nothing minted", nil, 10, 10, false},
		{"exactly backed", []chains.Ledger{l(60), l(30)}, 10, 100, false},
		{"one zatoshi over", []chains.Ledger{l(60), l(31)}, 10, 100, true},
		{"forged mint on one chain", []chains.Ledger{l(1000)}, 1, 100, true},
		{"overflowing sum", []chains.Ledger{l(^uint64(0)), l(2)}, 1, ^uint64(0), true},
		{"overflowing this", []chains.Ledger{l(2)}, ^uint64(0), ^uint64(0), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckAccountant(c.ledgers, c.this, c.locked)
			var ae *AccountantError
			if got := errors.As(err, &ae); got != c.wantViolation {
				t.Fatalf("CheckAccountant = %v, want violation %v", err, c.wantViolation)
			}
		})
	}
}

func TestSubmitterRankIsAPermutationThatVaries(t *testing.T) {
	members := [][]byte{bytes.Repeat([]byte{1}, 20), bytes.Repeat([]byte{2}, 20), bytes.Repeat([]byte{3}, 20)}
	firsts := map[int]int{}
	for i := range 300 {
		id := chains.LockRef{Vout: uint32(i)}.TransferID()
		seen := map[int]bool{}
		for j, m := range members {
			r := SubmitterRank(id, members, m)
			if r < 0 || r >= len(members) || seen[r] {
				t.Fatalf("%s: ranks are not a permutation: member %d has %d", id, j, r)
			}
			seen[r] = true
			if r == 0 {
				firsts[j]++
			}
			if again := SubmitterRank(id, members, m); again != r {
				t.Fatalf("rank is not deterministic")
			}
		}
	}
	for j := range members {
		if firsts[j] < 60 {
			t.Errorf("member %d submits first for %d of 300 transfers: the order does not spread", j, firsts[j])
		}
	}
	if SubmitterRank("x", members, bytes.Repeat([]byte{9}, 20)) != -1 {
		t.Error("an outsider has a rank")
	}
}

func TestAttestationRoundTrip(t *testing.T) {
	a := Attestation{Dest: 1337, Mint: chains.Mint{Lock: chains.LockRef{TxID: [32]byte{1, 2, 3}, Vout: 7}, Amount: ^uint64(0), Recipient: [32]byte{31: 9}},
		Digest: bytes.Repeat([]byte{0xdd}, 32), Sig: bytes.Repeat([]byte{0x55}, 65)}
	b, err := MarshalAttestation(a)
	if err != nil || len(b) != AttestationSize {
		t.Fatalf("MarshalAttestation: %d bytes, %v", len(b), err)
	}
	signer := bytes.Repeat([]byte{0xee}, 20)
	got, err := UnmarshalAttestation(signer, b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Dest != a.Dest || got.Mint != a.Mint || !bytes.Equal(got.Digest, a.Digest) || !bytes.Equal(got.Sig, a.Sig) ||
		!bytes.Equal(got.Signer, signer) || got.TransferID != a.Mint.Lock.TransferID() {
		t.Fatalf("round trip: %+v", got)
	}
	for _, bad := range [][]byte{nil, b[:len(b)-1], append(b, 0), append([]byte{2}, b[1:]...)} {
		if _, err := UnmarshalAttestation(signer, bad); fault.KindOf(err) != fault.Invalid {
			t.Errorf("%d bytes: %v, want invalid", len(bad), err)
		}
	}
	if _, err := UnmarshalAttestation(signer[:19], b); err == nil {
		t.Error("a 19-byte signer is accepted")
	}
	if _, err := MarshalAttestation(Attestation{Digest: make([]byte, 31), Sig: make([]byte, 65)}); err == nil {
		t.Error("a short digest is encoded")
	}
}

func FuzzUnmarshalAttestation(f *testing.F) {
	a := Attestation{Dest: 1, Digest: make([]byte, 32), Sig: make([]byte, 65)}
	b, _ := MarshalAttestation(a)
	f.Add(b)
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := UnmarshalAttestation(bytes.Repeat([]byte{1}, 20), b)
		if err != nil {
			return
		}
		again, err := MarshalAttestation(got)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("decoded payload does not re-encode to itself: %v", err)
		}
	})
}

// forgetOlder keeps what was set at or after the cutoff and nothing else.
func TestForgetOlder(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	m := map[string]time.Time{"old": now.Add(-time.Hour), "edge": now.Add(-time.Minute), "new": now}
	forgetOlder(m, now.Add(-time.Minute))
	if _, ok := m["old"]; ok || len(m) != 2 {
		t.Fatalf("kept %v", m)
	}
}
