package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// Reserve spends and their signatures (burn → release).

// spendID returns a display txid that orders by n.
func spendID(n int) string { return fmt.Sprintf("%064x", n) }

// spend returns spend n of kind k in state s, created n seconds after t0:
// a release pays the EVM chain's nonces 10n to 10n+9 in round n.
func spend(n int, k relayer.SpendKind, s relayer.SpendState) relayer.Spend {
	created := at(time.Duration(n) * time.Second)
	x := relayer.Spend{TxID: spendID(n), Kind: k, State: s, Inputs: []string{spendID(1000+n) + ":0", spendID(1000+n) + ":1"},
		Unsigned: []byte{0x05, 0x00, byte(n)}, CreatedAt: created, UpdatedAt: created}
	switch k {
	case relayer.SpendRelease:
		x.Chain, x.FromNonce, x.ToNonce, x.Round = destEVM, uint64(10*n), uint64(10*n+9), uint64(n)
		x.Proposer = bytes.Repeat([]byte{0xa1}, 20)
	case relayer.SpendRefund:
		x.Ref = transfer(n, relayer.StateRefundDue).ID
	}
	return x
}

// fullSpend returns spend n with every field set: values above 2^31 and
// 2^32, times with milliseconds.
func fullSpend(n int, s relayer.SpendState) relayer.Spend {
	x := spend(n, relayer.SpendRelease, s)
	when := func(min int) time.Time { return at(time.Duration(min)*time.Minute + 654*time.Millisecond) }
	x.Chain, x.FromNonce, x.ToNonce = destSolana, 1<<40, 1<<40+99
	x.Ref, x.Round, x.Expiry = "flux:ab:3", 1<<33, 3_000_000_000
	x.Inputs = append(x.Inputs, spendID(2000+n)+":4294967295")
	x.Signed, x.SignedByUs = append(bytes.Clone(x.Unsigned), bytes.Repeat([]byte{0x30}, 3*65)...), true
	x.Height, x.Reason = 2_000_000, "double-spent by another transaction"
	x.CreatedAt, x.UpdatedAt = when(0), when(1)
	return x
}

func spendOf(txid string) func(relayer.Tx) (relayer.Spend, error) {
	return func(tx relayer.Tx) (relayer.Spend, error) { return tx.Spend(txid) }
}

func spendsOf(q relayer.SpendQuery) func(relayer.Tx) ([]relayer.Spend, error) {
	return func(tx relayer.Tx) ([]relayer.Spend, error) { return tx.Spends(q) }
}

// putSpends stores spends in one Update.
func (e *env) putSpends(t *testing.T, ss ...relayer.Spend) {
	t.Helper()
	putAll(t, e, relayer.Tx.PutSpend, ss...)
}

func testPutSpendInsert(t *testing.T, e *env) {
	full := fullSpend(1, relayer.SpendDead)
	everyField(t, full)
	minimal := relayer.Spend{TxID: strings.Repeat("ab", 32), Kind: relayer.SpendMove, State: relayer.SpendSigned}
	fine := spend(3, relayer.SpendRefund, relayer.SpendBroadcast)
	fine.CreatedAt = at(time.Second + 5*time.Millisecond + 999*time.Microsecond)
	for _, x := range []relayer.Spend{full, minimal, fine} {
		e.putSpends(t, x)
		want := x
		want.CreatedAt = want.CreatedAt.Truncate(time.Millisecond)
		same(t, "Spend "+x.TxID, read(t, e, spendOf(x.TxID)), want)
	}
}

func testPutSpendUpdate(t *testing.T, e *env) {
	x := fullSpend(1, relayer.SpendBroadcast)
	x.Signed, x.SignedByUs, x.Height, x.Reason = nil, false, 0, ""
	e.putSpends(t, x)
	y := x
	y.Signed, y.SignedByUs = []byte("assembled"), true
	y.State, y.Height, y.Reason = relayer.SpendMined, 2_000_001, "mined"
	y.CreatedAt, y.UpdatedAt = x.CreatedAt.Add(time.Hour), x.UpdatedAt.Add(time.Millisecond)
	changesAllBut(t, x, y, "TxID", "Kind", "Chain", "FromNonce", "ToNonce", "Ref", "Round", "Proposer", "Inputs", "Expiry", "Unsigned")
	e.putSpends(t, y)
	want := y
	want.CreatedAt = x.CreatedAt // kept from the first insert
	same(t, "Spend after an update", read(t, e, spendOf(x.TxID)), want)
	// And back: Signed cleared, mined → broadcast (a reorganisation).
	z := want
	z.Signed, z.State, z.Height, z.Reason = nil, relayer.SpendBroadcast, 0, ""
	e.putSpends(t, z)
	same(t, "Spend after a second update", read(t, e, spendOf(x.TxID)), z)
}

func testSpendImmutableFields(t *testing.T, e *env) {
	for i, c := range []struct {
		name   string
		change func(*relayer.Spend)
	}{
		{"Kind", func(x *relayer.Spend) { x.Kind = relayer.SpendMove }},
		{"Chain", func(x *relayer.Spend) { x.Chain = destEVM }},
		{"FromNonce", func(x *relayer.Spend) { x.FromNonce++ }},
		{"ToNonce", func(x *relayer.Spend) { x.ToNonce++ }},
		{"Ref", func(x *relayer.Spend) { x.Ref = "flux:ab:4" }},
		{"Ref cleared", func(x *relayer.Spend) { x.Ref = "" }},
		{"Round", func(x *relayer.Spend) { x.Round++ }},
		{"Proposer", func(x *relayer.Spend) { x.Proposer = bytes.Repeat([]byte{0xa2}, 20) }},
		{"Proposer cleared", func(x *relayer.Spend) { x.Proposer = nil }},
		{"Inputs, one more", func(x *relayer.Spend) { x.Inputs = append(slices.Clone(x.Inputs), spendID(9)+":0") }},
		{"Inputs, one fewer", func(x *relayer.Spend) { x.Inputs = slices.Clone(x.Inputs[1:]) }},
		{"Inputs, reordered", func(x *relayer.Spend) {
			x.Inputs = slices.Clone(x.Inputs)
			x.Inputs[0], x.Inputs[1] = x.Inputs[1], x.Inputs[0]
		}},
		{"Expiry", func(x *relayer.Spend) { x.Expiry++ }},
		{"Unsigned", func(x *relayer.Spend) { x.Unsigned = []byte("another transaction") }},
		{"Unsigned cleared", func(x *relayer.Spend) { x.Unsigned = nil }},
	} {
		x := fullSpend(10+i, relayer.SpendMined)
		e.putSpends(t, x)
		y := x
		y.State, y.Height, y.Reason = relayer.SpendSettled, x.Height+1, "changed" // allowed: only the change of c.name is refused
		c.change(&y)
		var err error
		e.update(t, func(tx relayer.Tx) error { err = tx.PutSpend(y); return nil })
		wantKind(t, "a new "+c.name, err, fault.Conflict)
		same(t, "after a new "+c.name+": stored", read(t, e, spendOf(x.TxID)), x)
	}
}

// allSpendStates lists every spend state.
var allSpendStates = []relayer.SpendState{relayer.SpendSigned, relayer.SpendBroadcast, relayer.SpendMined,
	relayer.SpendSettled, relayer.SpendDead}

func testSpendTerminalStates(t *testing.T, e *env) {
	checkMoves(t, e, lifecycle[relayer.SpendState, relayer.Spend]{
		states: allSpendStates,
		record: func(n int, from relayer.SpendState) relayer.Spend { return spend(n, relayer.SpendRelease, from) },
		moved: func(x relayer.Spend, to relayer.SpendState) relayer.Spend {
			x.State, x.Reason = to, "moved"
			return x
		},
		isMoved: func(got relayer.Spend, to relayer.SpendState) bool { return got.State == to && got.Reason == "moved" },
		put:     relayer.Tx.PutSpend,
		get:     func(tx relayer.Tx, x relayer.Spend) (relayer.Spend, error) { return tx.Spend(x.TxID) },
		// Dead and settled are terminal; every other state may follow any.
		allowed: func(from, to relayer.SpendState) bool {
			return from == to || from != relayer.SpendDead && from != relayer.SpendSettled
		},
	})
}

func testSpendSignedByUs(t *testing.T, e *env) {
	ours, theirs := spend(1, relayer.SpendRelease, relayer.SpendSigned), spend(2, relayer.SpendRelease, relayer.SpendBroadcast)
	ours.SignedByUs = true
	e.putSpends(t, ours, theirs)
	back := ours
	back.SignedByUs, back.State = false, relayer.SpendBroadcast
	var err error
	e.update(t, func(tx relayer.Tx) error { err = tx.PutSpend(back); return nil })
	wantKind(t, "SignedByUs true → false", err, fault.Conflict)
	same(t, "after SignedByUs true → false: stored", read(t, e, spendOf(ours.TxID)), ours)
	signed := theirs
	signed.SignedByUs = true
	e.putSpends(t, signed)
	same(t, "after SignedByUs false → true: stored", read(t, e, spendOf(theirs.TxID)), signed)
}

func testMalformedSpend(t *testing.T, e *env) {
	for _, c := range []struct {
		name   string
		change func(*relayer.Spend)
	}{
		{"no txid", func(x *relayer.Spend) { x.TxID = "" }},
		{"a 63-digit txid", func(x *relayer.Spend) { x.TxID = x.TxID[1:] }},
		{"a 65-digit txid", func(x *relayer.Spend) { x.TxID += "0" }},
		{"a txid with a non-hex digit", func(x *relayer.Spend) { x.TxID = "g" + x.TxID[1:] }},
		{"a 0x-prefixed txid", func(x *relayer.Spend) { x.TxID = "0x" + x.TxID[2:] }},
		{"an unknown kind", func(x *relayer.Spend) { x.Kind = "bogus" }},
		{"no kind", func(x *relayer.Spend) { x.Kind = "" }},
		{"an unknown state", func(x *relayer.Spend) { x.State = "bogus" }},
		{"no state", func(x *relayer.Spend) { x.State = "" }},
		{"an empty input", func(x *relayer.Spend) { x.Inputs = []string{x.Inputs[0], ""} }},
		{"an input with a comma", func(x *relayer.Spend) { x.Inputs = []string{x.Inputs[0] + "," + x.Inputs[1]} }},
	} {
		x := spend(1, relayer.SpendRelease, relayer.SpendSigned)
		c.change(&x)
		var err error
		e.update(t, func(tx relayer.Tx) error { err = tx.PutSpend(x); return nil })
		wantKind(t, "a spend with "+c.name, err, fault.Invalid)
	}
	if got := read(t, e, spendsOf(relayer.SpendQuery{})); len(got) != 0 {
		t.Errorf("malformed spends were stored: %+v", got)
	}
}

func testSpendNotFound(t *testing.T, e *env) {
	e.putSpends(t, spend(1, relayer.SpendMove, relayer.SpendSigned))
	check := func(tx relayer.Tx) error {
		if _, err := tx.Spend(spendID(1)); err != nil {
			t.Errorf("Spend of a stored txid: %v", err)
		}
		_, err := tx.Spend(spendID(2))
		wantKind(t, "Spend of an unknown txid", err, fault.NotFound)
		return nil
	}
	e.update(t, check)
	e.view(t, check)
}

func testSpendsQuery(t *testing.T, e *env) {
	stored := map[string]relayer.Spend{}
	var ss []relayer.Spend
	// Created at the given second; stored so that neither insertion nor
	// txid order is the CreatedAt order, with ties on CreatedAt.
	for _, f := range []struct {
		n       int
		k       relayer.SpendKind
		s       relayer.SpendState
		chain   chains.ID
		byUs    bool
		created int
	}{
		{7, relayer.SpendRefund, relayer.SpendSigned, 0, false, 5},
		{3, relayer.SpendRefund, relayer.SpendBroadcast, 0, true, 2},
		{5, relayer.SpendRelease, relayer.SpendMined, destSolana, false, 7},
		{8, relayer.SpendRelease, relayer.SpendBroadcast, destEVM, true, 0},
		{1, relayer.SpendRelease, relayer.SpendSigned, destEVM, true, 5},
		{4, relayer.SpendMove, relayer.SpendMined, 0, false, 1},
		{2, relayer.SpendRelease, relayer.SpendDead, destEVM, true, 2},
		{6, relayer.SpendRelease, relayer.SpendSettled, destSolana, true, 3},
	} {
		x := spend(f.n, f.k, f.s)
		x.Chain, x.SignedByUs, x.CreatedAt = f.chain, f.byUs, at(time.Duration(f.created)*time.Second)
		ss, stored[x.TxID] = append(ss, x), x
	}
	e.putSpends(t, ss...)
	// An update keeps CreatedAt: spend 8 stays first.
	eight := stored[spendID(8)]
	eight.State, eight.Height = relayer.SpendMined, 5
	later := eight
	later.CreatedAt = at(time.Hour)
	e.putSpends(t, later)
	stored[eight.TxID] = eight

	rel := []relayer.SpendKind{relayer.SpendRelease}
	for _, c := range []struct {
		name string
		q    relayer.SpendQuery
		want []int
	}{
		{"no filter", relayer.SpendQuery{}, []int{8, 4, 2, 3, 6, 1, 7, 5}},
		{"releases", relayer.SpendQuery{Kinds: rel}, []int{8, 2, 6, 1, 5}},
		{"refunds and moves", relayer.SpendQuery{Kinds: []relayer.SpendKind{relayer.SpendRefund, relayer.SpendMove}}, []int{4, 3, 7}},
		{"dead or settled", relayer.SpendQuery{States: []relayer.SpendState{relayer.SpendDead, relayer.SpendSettled}}, []int{2, 6}},
		{"mined", relayer.SpendQuery{States: []relayer.SpendState{relayer.SpendMined}}, []int{8, 4, 5}},
		{"Solana", relayer.SpendQuery{Chain: destSolana}, []int{6, 5}},
		{"the EVM chain", relayer.SpendQuery{Chain: destEVM}, []int{8, 2, 1}},
		{"mined on the EVM chain", relayer.SpendQuery{Chain: destEVM, States: []relayer.SpendState{relayer.SpendMined}}, []int{8}},
		{"an unknown chain", relayer.SpendQuery{Chain: 99}, nil},
		{"signed by us", relayer.SpendQuery{SignedByUs: true}, []int{8, 2, 3, 6, 1}},
		{"releases signed by us, signed or dead", relayer.SpendQuery{Kinds: rel, SignedByUs: true,
			States: []relayer.SpendState{relayer.SpendSigned, relayer.SpendDead}}, []int{2, 1}},
		{"limit 3", relayer.SpendQuery{Limit: 3}, []int{8, 4, 2}},
		{"releases, limit 2", relayer.SpendQuery{Kinds: rel, Limit: 2}, []int{8, 2}},
		{"live", relayer.SpendQuery{Live: true}, []int{8, 4, 3, 6, 1, 7, 5}},
		{"releases, highest range first", relayer.SpendQuery{Kinds: rel, HighestFirst: true}, []int{8, 6, 5, 2, 1}},
		{"the two live EVM releases that decide the next nonce", relayer.SpendQuery{Kinds: rel, Chain: destEVM, Live: true, HighestFirst: true, Limit: 2}, []int{8, 1}},
		{"the refund of transfer 7", relayer.SpendQuery{Ref: transfer(7, relayer.StateRefundDue).ID}, []int{7}},
		{"live, of a reference nothing has", relayer.SpendQuery{Ref: "flux:00:0", Live: true}, nil},
		{"overlapping 15..55", relayer.SpendQuery{Overlapping: &relayer.NonceRange{From: 15, To: 55}}, []int{2, 1, 5}},
		{"live on the EVM chain, overlapping 19..20", relayer.SpendQuery{Chain: destEVM, Live: true, Overlapping: &relayer.NonceRange{From: 19, To: 20}}, []int{1}},
		{"overlapping 0..9: refunds and moves have no range", relayer.SpendQuery{Overlapping: &relayer.NonceRange{From: 0, To: 9}}, nil},
		{"overlapping 89..1000", relayer.SpendQuery{Overlapping: &relayer.NonceRange{From: 89, To: 1000}}, []int{8}},
	} {
		got, err := readErr(e, spendsOf(c.q))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var g, w []string
		for _, s := range got {
			g = append(g, s.TxID)
			same(t, c.name+": "+s.TxID, s, stored[s.TxID])
		}
		for _, n := range c.want {
			w = append(w, spendID(n))
		}
		if !slices.Equal(g, w) {
			t.Errorf("%s: got\n\t%v\nwant\n\t%v", c.name, g, w)
		}
	}
}

// signerAddr returns a 20-byte address ending in b.
func signerAddr(b ...byte) []byte { return append(bytes.Repeat([]byte{0x10}, 20-len(b)), b...) }

// spendSignature returns signer's n signatures over spend txid.
func spendSignature(txid string, signer []byte, n int) relayer.SpendSignature {
	s := relayer.SpendSignature{TxID: txid, Signer: signer, Envelope: []byte("envelope")}
	for i := range n {
		s.Sigs = append(s.Sigs, bytes.Repeat([]byte{signer[19] ^ byte(i)}, 65))
	}
	return s
}

func spendSignaturesOf(txid string) func(relayer.Tx) ([]relayer.SpendSignature, error) {
	return func(tx relayer.Tx) ([]relayer.SpendSignature, error) { return tx.SpendSignatures(txid) }
}

func testSpendSignatureAddedOnce(t *testing.T, e *env) {
	s := spendSignature(spendID(1), signerAddr(0x11), 3)
	var now time.Time
	e.update(t, func(tx relayer.Tx) error {
		now = tx.Now()
		for i, want := range []bool{true, false} {
			if added, err := tx.AddSpendSignature(s); added != want || err != nil {
				t.Errorf("AddSpendSignature #%d = %v, %v; want added=%v", i+1, added, err, want)
			}
		}
		return nil
	})
	e.clock.Advance(time.Minute)
	// The same signatures in another envelope, received later, are not
	// added again and are no conflict.
	again := s
	again.Envelope, again.ReceivedAt = []byte("another envelope"), at(time.Hour)
	e.update(t, func(tx relayer.Tx) error {
		for _, x := range []relayer.SpendSignature{s, again} {
			if added, err := tx.AddSpendSignature(x); added || err != nil {
				t.Errorf("AddSpendSignature of the same (txid, signer, sigs) in a later transaction = %v, %v; want added=false", added, err)
			}
		}
		return nil
	})
	want := s
	want.ReceivedAt = now
	// A ReceivedAt given is kept (to the millisecond).
	given := spendSignature(spendID(1), signerAddr(0x22), 1)
	given.ReceivedAt = at(time.Second + 7*time.Millisecond + 500*time.Microsecond)
	e.update(t, func(tx relayer.Tx) error { _, err := tx.AddSpendSignature(given); return err })
	given.ReceivedAt = at(time.Second + 7*time.Millisecond)
	same(t, "SpendSignatures", read(t, e, spendSignaturesOf(s.TxID)), []relayer.SpendSignature{want, given})
}

func testSpendSignatureConflict(t *testing.T, e *env) {
	for i, c := range []struct {
		name   string
		change func(*relayer.SpendSignature)
	}{
		{"another signature", func(s *relayer.SpendSignature) {
			s.Sigs = slices.Clone(s.Sigs)
			s.Sigs[1] = bytes.Repeat([]byte{0x5e}, 65)
		}},
		{"one signature fewer", func(s *relayer.SpendSignature) { s.Sigs = s.Sigs[:2] }},
		{"one signature more", func(s *relayer.SpendSignature) {
			s.Sigs = append(slices.Clone(s.Sigs), bytes.Repeat([]byte{0x5e}, 65))
		}},
		{"the signatures reordered", func(s *relayer.SpendSignature) { s.Sigs = [][]byte{s.Sigs[1], s.Sigs[0], s.Sigs[2]} }},
	} {
		a := spendSignature(spendID(i+1), signerAddr(0x11), 3)
		b := a
		c.change(&b)
		b.Envelope = []byte("another envelope")
		e.update(t, func(tx relayer.Tx) error { a.ReceivedAt = tx.Now(); _, err := tx.AddSpendSignature(a); return err })
		var added bool
		var err error
		e.update(t, func(tx relayer.Tx) error { added, err = tx.AddSpendSignature(b); return nil })
		wantKind(t, "the same signer with "+c.name, err, fault.Conflict)
		if added {
			t.Errorf("the same signer with %s: added=true", c.name)
		}
		same(t, "after the same signer with "+c.name+": SpendSignatures", read(t, e, spendSignaturesOf(a.TxID)), []relayer.SpendSignature{a})
	}
}

func testSpendSignaturesOrder(t *testing.T, e *env) {
	// Stored out of order; the spend itself is never stored.
	signers := [][]byte{signerAddr(0x30), signerAddr(0x02), bytes.Repeat([]byte{0x0f}, 20), signerAddr(0x20), signerAddr(0xff, 0x00)}
	want := [][]byte{bytes.Repeat([]byte{0x0f}, 20), signerAddr(0x02), signerAddr(0x20), signerAddr(0x30), signerAddr(0xff, 0x00)}
	e.update(t, func(tx relayer.Tx) error {
		for _, s := range signers {
			if added, err := tx.AddSpendSignature(spendSignature(spendID(1), s, 2)); !added || err != nil {
				t.Errorf("AddSpendSignature for an unknown spend by %x = %v, %v; want added", s, added, err)
			}
		}
		_, err := tx.AddSpendSignature(spendSignature(spendID(2), signerAddr(0x01), 2)) // another spend's
		return err
	})
	var order [][]byte
	for _, s := range read(t, e, spendSignaturesOf(spendID(1))) {
		order = append(order, s.Signer)
	}
	same(t, "signers of SpendSignatures", order, want)
	if none := read(t, e, spendSignaturesOf(spendID(3))); len(none) != 0 {
		t.Errorf("SpendSignatures of a spend nobody signed: %+v", none)
	}
}

func testSpendSignatureMalformed(t *testing.T, e *env) {
	for _, c := range []struct {
		name   string
		change func(*relayer.SpendSignature)
	}{
		{"no txid", func(s *relayer.SpendSignature) { s.TxID = "" }},
		{"no signer", func(s *relayer.SpendSignature) { s.Signer = nil }},
		{"a 19-byte signer", func(s *relayer.SpendSignature) { s.Signer = s.Signer[:19] }},
		{"a 21-byte signer", func(s *relayer.SpendSignature) { s.Signer = append(bytes.Clone(s.Signer), 0) }},
		{"no signatures", func(s *relayer.SpendSignature) { s.Sigs = nil }},
		{"a 64-byte signature", func(s *relayer.SpendSignature) { s.Sigs = [][]byte{s.Sigs[0], s.Sigs[1][:64]} }},
		{"a 66-byte signature", func(s *relayer.SpendSignature) { s.Sigs = [][]byte{append(bytes.Clone(s.Sigs[0]), 0), s.Sigs[1]} }},
		{"an empty signature", func(s *relayer.SpendSignature) { s.Sigs = [][]byte{s.Sigs[0], nil} }},
		{"a 130-byte signature", func(s *relayer.SpendSignature) { s.Sigs = [][]byte{append(bytes.Clone(s.Sigs[0]), s.Sigs[1]...)} }},
	} {
		s := spendSignature(spendID(1), signerAddr(0x11), 2)
		c.change(&s)
		var added bool
		var err error
		e.update(t, func(tx relayer.Tx) error { added, err = tx.AddSpendSignature(s); return nil })
		wantKind(t, "spend signatures with "+c.name, err, fault.Invalid)
		if added {
			t.Errorf("spend signatures with %s: added=true", c.name)
		}
		if got := read(t, e, spendSignaturesOf(s.TxID)); len(got) != 0 {
			t.Errorf("spend signatures with %s were stored: %+v", c.name, got)
		}
	}
}
