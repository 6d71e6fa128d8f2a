package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// Burns (burn → release), and the rules that span burns, reserve spends and
// their signatures (spends.go): rollback and copies.

// fluxAddr returns a 22-byte FLUX address (version prefix, 20-byte hash)
// whose hash is n repeated.
func fluxAddr(n byte) []byte { return append([]byte{0x1c, 0xb8}, bytes.Repeat([]byte{n}, 20)...) }

// burn returns chain's burn of nonce in state s, seen (nonce mod 1000)
// seconds after t0, of 5000+nonce.
func burn(chain chains.ID, nonce uint64, s relayer.BurnState) relayer.Burn {
	seen := at(time.Duration(nonce%1000) * time.Second)
	return relayer.Burn{ID: relayer.BurnID(chain, nonce), Chain: chain, Nonce: nonce, Amount: 5000 + nonce, To: fluxAddr(byte(nonce)),
		Sender: "0x" + strings.Repeat("5e", 20), TxID: fmt.Sprintf("0x%064x", nonce),
		Block:    chains.BlockRef{Height: 200 + nonce, Hash: fmt.Sprintf("0x%064x", 200+nonce), Time: seen},
		Evidence: []byte{byte(nonce), 7, 7}, State: s, SeenAt: seen, UpdatedAt: seen}
}

// fullBurn returns a burn in state s with every field set, the amount at the
// top of the uint64 range, a chain id above 2^31 and the times with
// milliseconds.
func fullBurn(nonce uint64, s relayer.BurnState) relayer.Burn {
	x := burn(destSolana, nonce, s)
	when := func(min int) time.Time { return at(time.Duration(min)*time.Minute + 321*time.Millisecond) }
	x.Amount = math.MaxUint64
	x.Block.Time = when(0)
	x.Release, x.Unpayable = strings.Repeat("cd", 32), "below the dust limit"
	x.SeenAt, x.FinalAt, x.ReleasedAt, x.SettledAt, x.UpdatedAt = when(1), when(2), when(3), when(4), when(5)
	return x
}

// everyField fails the test unless the fixture v sets every field of its type.
func everyField(t *testing.T, v any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		if rv.Field(i).IsZero() {
			t.Fatalf("the fixture leaves %s.%s zero", rv.Type().Name(), rv.Type().Field(i).Name)
		}
	}
}

// changesAllBut fails the test unless y differs from x in every field but
// the named ones (so that a field added later is covered).
func changesAllBut(t *testing.T, x, y any, keep ...string) {
	t.Helper()
	changed := strings.Join(diff("", reflect.ValueOf(y), reflect.ValueOf(x)), "\n")
	typ := reflect.TypeOf(x)
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if !strings.Contains(changed, "."+name+" ") && !strings.Contains(changed, "."+name+".") &&
			!strings.Contains(changed, "."+name+"[") && !slices.Contains(keep, name) {
			t.Fatalf("the fixture does not change %s.%s", typ.Name(), name)
		}
	}
}

func burnOf(chain chains.ID, nonce uint64) func(relayer.Tx) (relayer.Burn, error) {
	return func(tx relayer.Tx) (relayer.Burn, error) { return tx.Burn(chain, nonce) }
}

func burnsOf(q relayer.BurnQuery) func(relayer.Tx) ([]relayer.Burn, error) {
	return func(tx relayer.Tx) ([]relayer.Burn, error) { return tx.Burns(q) }
}

// putBurns stores burns in one Update.
func (e *env) putBurns(t *testing.T, bs ...relayer.Burn) {
	t.Helper()
	putAll(t, e, relayer.Tx.PutBurn, bs...)
}

func testPutBurnInsert(t *testing.T, e *env) {
	full := fullBurn(7, relayer.BurnBroadcast)
	everyField(t, full)
	minimal := relayer.Burn{ID: relayer.BurnID(destEVM, 0), Chain: destEVM, Amount: 1, To: fluxAddr(0), State: relayer.BurnSeen}
	// A time finer than the millisecond is kept to the millisecond.
	fine := burn(destEVM, 1<<40, relayer.BurnFinal)
	fine.FinalAt = at(time.Second + 5*time.Millisecond + 999*time.Microsecond)
	for _, x := range []relayer.Burn{full, minimal, fine} {
		e.putBurns(t, x)
		want := x
		want.FinalAt = want.FinalAt.Truncate(time.Millisecond)
		same(t, "Burn "+x.ID, read(t, e, burnOf(x.Chain, x.Nonce)), want)
	}
}

func testPutBurnUpdate(t *testing.T, e *env) {
	x := fullBurn(3, relayer.BurnFinal)
	e.putBurns(t, x)
	y := x
	y.State = relayer.BurnSigned
	y.Sender, y.TxID = "0xother", "0x"+strings.Repeat("ee", 32)
	y.Block = chains.BlockRef{Height: x.Block.Height + 1, Hash: "another", Time: x.Block.Time.Add(time.Millisecond)}
	y.Evidence, y.Release, y.Unpayable = []byte("other evidence"), strings.Repeat("ef", 32), "" // Unpayable cleared
	for _, p := range []*time.Time{&y.SeenAt, &y.FinalAt, &y.ReleasedAt, &y.SettledAt, &y.UpdatedAt} {
		*p = p.Add(time.Millisecond)
	}
	changesAllBut(t, x, y, "ID", "Chain", "Nonce", "Amount", "To")
	e.putBurns(t, y)
	same(t, "Burn after an update", read(t, e, burnOf(x.Chain, x.Nonce)), y)
}

// allBurnStates lists every burn state, in order.
var allBurnStates = []relayer.BurnState{relayer.BurnSeen, relayer.BurnFinal, relayer.BurnInBatch, relayer.BurnSigned,
	relayer.BurnBroadcast, relayer.BurnReleased, relayer.BurnSettled}

func testBurnTransitions(t *testing.T, e *env) {
	// The steps back the release needs, whatever CanMoveBurn says: a dead
	// release's burns return to final; a settled burn never moves.
	for move, want := range map[[2]relayer.BurnState]bool{
		{relayer.BurnSigned, relayer.BurnFinal}: true, {relayer.BurnInBatch, relayer.BurnFinal}: true,
		{relayer.BurnBroadcast, relayer.BurnFinal}: true, {relayer.BurnReleased, relayer.BurnBroadcast}: true,
		{relayer.BurnSettled, relayer.BurnFinal}: false, {relayer.BurnSettled, relayer.BurnReleased}: false,
		{relayer.BurnReleased, relayer.BurnFinal}: false, {relayer.BurnFinal, relayer.BurnSeen}: false,
	} {
		if got := relayer.CanMoveBurn(move[0], move[1]); got != want {
			t.Errorf("%s → %s: CanMoveBurn = %v, want %v", move[0], move[1], got, want)
		}
	}
	checkMoves(t, e, lifecycle[relayer.BurnState, relayer.Burn]{
		states: allBurnStates,
		record: func(n int, from relayer.BurnState) relayer.Burn { return burn(destEVM, uint64(n), from) },
		moved: func(x relayer.Burn, to relayer.BurnState) relayer.Burn {
			x.State, x.Release = to, "moved"
			return x
		},
		isMoved: func(got relayer.Burn, to relayer.BurnState) bool { return got.State == to && got.Release == "moved" },
		put:     relayer.Tx.PutBurn,
		get:     func(tx relayer.Tx, x relayer.Burn) (relayer.Burn, error) { return tx.Burn(x.Chain, x.Nonce) },
		allowed: relayer.CanMoveBurn,
	})
}

func testBurnImmutableFields(t *testing.T, e *env) {
	for i, c := range []struct {
		name   string
		change func(*relayer.Burn)
	}{
		{"Amount", func(x *relayer.Burn) { x.Amount++ }},
		{"To", func(x *relayer.Burn) { x.To = fluxAddr(0xee) }},
		{"To's version prefix", func(x *relayer.Burn) { x.To = append([]byte{0x1c, 0xbd}, x.To[2:]...) }},
	} {
		x := burn(destEVM, uint64(i), relayer.BurnFinal)
		e.putBurns(t, x)
		y := x
		y.State, y.Release = relayer.BurnInBatch, "changed" // an allowed move: only the change of c.name is refused
		c.change(&y)
		var err error
		e.update(t, func(tx relayer.Tx) error { err = tx.PutBurn(y); return nil })
		wantKind(t, "a new "+c.name, err, fault.Conflict)
		same(t, "after a new "+c.name+": stored", read(t, e, burnOf(x.Chain, x.Nonce)), x)
	}
}

func testMalformedBurn(t *testing.T, e *env) {
	for _, c := range []struct {
		name   string
		change func(*relayer.Burn)
	}{
		{"no id", func(x *relayer.Burn) { x.ID = "" }},
		{"the id of another nonce", func(x *relayer.Burn) { x.ID = relayer.BurnID(x.Chain, x.Nonce+1) }},
		{"the id of another chain", func(x *relayer.Burn) { x.ID = relayer.BurnID(destSolana, x.Nonce) }},
		{"an unknown state", func(x *relayer.Burn) { x.State = "bogus" }},
		{"no state", func(x *relayer.Burn) { x.State = "" }},
		{"no address", func(x *relayer.Burn) { x.To = nil }},
		{"a 21-byte address", func(x *relayer.Burn) { x.To = x.To[:21] }},
		{"a 23-byte address", func(x *relayer.Burn) { x.To = append(x.To, 0) }},
		{"a zero amount", func(x *relayer.Burn) { x.Amount = 0 }},
	} {
		x := burn(destEVM, 4, relayer.BurnSeen)
		c.change(&x)
		var err error
		e.update(t, func(tx relayer.Tx) error { err = tx.PutBurn(x); return nil })
		wantKind(t, "a burn with "+c.name, err, fault.Invalid)
	}
	if got := read(t, e, burnsOf(relayer.BurnQuery{})); len(got) != 0 {
		t.Errorf("malformed burns were stored: %+v", got)
	}
}

func testBurnNotFound(t *testing.T, e *env) {
	e.putBurns(t, burn(destEVM, 1, relayer.BurnSeen))
	check := func(tx relayer.Tx) error {
		if _, err := tx.Burn(destEVM, 1); err != nil {
			t.Errorf("Burn of a stored burn: %v", err)
		}
		_, err := tx.Burn(destEVM, 2)
		wantKind(t, "Burn of an unknown nonce", err, fault.NotFound)
		_, err = tx.Burn(destSolana, 1)
		wantKind(t, "Burn of a known nonce on another chain", err, fault.NotFound)
		_, err = tx.Burn(destEVM, math.MaxUint64)
		wantKind(t, "Burn of nonce 2^64-1", err, fault.NotFound)
		return nil
	}
	e.update(t, check)
	e.view(t, check)
}

func testBurnsQuery(t *testing.T, e *env) {
	const big = uint64(1) << 40
	// Two chains (Solana's id above 2^31: chain ids order unsigned), nonces
	// whose decimal strings order otherwise, stored in a scrambled order.
	stored := map[string]relayer.Burn{}
	var bs []relayer.Burn
	for _, f := range []struct {
		chain chains.ID
		nonce uint64
		s     relayer.BurnState
	}{
		{destSolana, 5, relayer.BurnFinal}, {destEVM, 10, relayer.BurnFinal}, {destEVM, 2, relayer.BurnSigned},
		{destEVM, big, relayer.BurnSeen}, {destSolana, 0, relayer.BurnSettled}, {destEVM, 0, relayer.BurnSettled},
		{destEVM, 11, relayer.BurnSeen}, {destEVM, 9, relayer.BurnFinal}, {destSolana, 1, relayer.BurnInBatch},
		{destEVM, 1, relayer.BurnReleased},
	} {
		b := burn(f.chain, f.nonce, f.s)
		bs, stored[b.ID] = append(bs, b), b
	}
	e.putBurns(t, bs...)
	evm := func(ns ...uint64) []string {
		var out []string
		for _, n := range ns {
			out = append(out, relayer.BurnID(destEVM, n))
		}
		return out
	}
	sol := func(ns ...uint64) []string {
		var out []string
		for _, n := range ns {
			out = append(out, relayer.BurnID(destSolana, n))
		}
		return out
	}
	final, seen := relayer.BurnFinal, relayer.BurnSeen
	for _, c := range []struct {
		name string
		q    relayer.BurnQuery
		want []string
	}{
		{"no filter", relayer.BurnQuery{}, append(evm(0, 1, 2, 9, 10, 11, big), sol(0, 1, 5)...)},
		{"the EVM chain", relayer.BurnQuery{Chain: destEVM}, evm(0, 1, 2, 9, 10, 11, big)},
		{"Solana", relayer.BurnQuery{Chain: destSolana}, sol(0, 1, 5)},
		{"an unknown chain", relayer.BurnQuery{Chain: 99}, nil},
		{"final", relayer.BurnQuery{States: []relayer.BurnState{final}}, append(evm(9, 10), sol(5)...)},
		{"final or seen on the EVM chain", relayer.BurnQuery{Chain: destEVM, States: []relayer.BurnState{seen, final}}, evm(9, 10, 11, big)},
		{"broadcast", relayer.BurnQuery{States: []relayer.BurnState{relayer.BurnBroadcast}}, nil},
		{"the EVM chain from nonce 2", relayer.BurnQuery{Chain: destEVM, FromNonce: 2}, evm(2, 9, 10, 11, big)},
		{"the EVM chain from nonce 10, limit 2", relayer.BurnQuery{Chain: destEVM, FromNonce: 10, Limit: 2}, evm(10, 11)},
		{"Solana from nonce 2", relayer.BurnQuery{Chain: destSolana, FromNonce: 2}, sol(5)},
		{"the EVM chain from nonce 2^40+1", relayer.BurnQuery{Chain: destEVM, FromNonce: big + 1}, nil},
		{"the EVM chain from nonce 2^64-1", relayer.BurnQuery{Chain: destEVM, FromNonce: math.MaxUint64}, nil},
		{"final on the EVM chain from nonce 10", relayer.BurnQuery{Chain: destEVM, States: []relayer.BurnState{final}, FromNonce: 10}, evm(10)},
		{"limit 3", relayer.BurnQuery{Limit: 3}, evm(0, 1, 2)},
		{"limit 100", relayer.BurnQuery{Limit: 100}, append(evm(0, 1, 2, 9, 10, 11, big), sol(0, 1, 5)...)},
	} {
		got, err := readErr(e, burnsOf(c.q))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var g []string
		for _, b := range got {
			g = append(g, b.ID)
			same(t, c.name+": "+b.ID, b, stored[b.ID])
		}
		if !slices.Equal(g, c.want) {
			t.Errorf("%s: got\n\t%v\nwant\n\t%v", c.name, g, c.want)
		}
	}
}

func testReleaseRollback(t *testing.T, e *env) {
	kept, keptSpend := burn(destEVM, 1, relayer.BurnFinal), spend(1, relayer.SpendRelease, relayer.SpendSigned)
	keptSig := spendSignature(keptSpend.TxID, signerAddr(0x11), 2)
	e.update(t, func(tx relayer.Tx) error {
		keptSig.ReceivedAt = tx.Now()
		_, err := tx.AddSpendSignature(keptSig)
		return errors.Join(tx.PutBurn(kept), tx.PutSpend(keptSpend), err)
	})
	boom := errors.New("boom")
	err := e.s.Update(context.Background(), func(tx relayer.Tx) error {
		moved, movedSpend := kept, keptSpend
		moved.State, movedSpend.State, movedSpend.SignedByUs = relayer.BurnInBatch, relayer.SpendBroadcast, true
		_, err1 := tx.AddSpendSignature(spendSignature(keptSpend.TxID, signerAddr(0x22), 2))
		_, err2 := tx.AddSpendSignature(spendSignature(spendID(2), signerAddr(0x11), 1))
		if err := errors.Join(tx.PutBurn(burn(destEVM, 2, relayer.BurnSeen)), tx.PutBurn(moved), err1, err2,
			tx.PutSpend(spend(2, relayer.SpendMove, relayer.SpendSigned)), tx.PutSpend(movedSpend)); err != nil {
			t.Errorf("writes in the failing Update: %v", err)
		}
		if _, err := tx.Burn(destEVM, 2); err != nil {
			t.Errorf("a burn written in the Update is not readable in it: %v", err)
		}
		return boom
	})
	if err != boom { // unchanged: the very same error
		t.Fatalf("Update returned %v, want %v", err, boom)
	}
	e.view(t, func(tx relayer.Tx) error {
		_, err := tx.Burn(destEVM, 2)
		wantKind(t, "the rolled-back burn", err, fault.NotFound)
		_, err = tx.Spend(spendID(2))
		wantKind(t, "the rolled-back spend", err, fault.NotFound)
		if sigs, err := tx.SpendSignatures(spendID(2)); err != nil || len(sigs) != 0 {
			t.Errorf("the rolled-back spend's signatures: %+v, %v", sigs, err)
		}
		return nil
	})
	same(t, "Burns after the rollback", read(t, e, burnsOf(relayer.BurnQuery{})), []relayer.Burn{kept})
	same(t, "Spends after the rollback", read(t, e, spendsOf(relayer.SpendQuery{})), []relayer.Spend{keptSpend})
	same(t, "SpendSignatures after the rollback", read(t, e, spendSignaturesOf(keptSpend.TxID)), []relayer.SpendSignature{keptSig})
}

func testReleaseCopies(t *testing.T, e *env) {
	b, s := fullBurn(1, relayer.BurnSigned), fullSpend(1, relayer.SpendSigned)
	sig := spendSignature(s.TxID, signerAddr(0x11), 2)
	sig.ReceivedAt = at(time.Second)
	// What is stored: deep copies of b, s and sig, which are then changed.
	wantB, wantS, wantSig := b, s, sig
	wantB.To, wantB.Evidence = bytes.Clone(b.To), bytes.Clone(b.Evidence)
	wantS.Proposer, wantS.Inputs = bytes.Clone(s.Proposer), slices.Clone(s.Inputs)
	wantS.Unsigned, wantS.Signed = bytes.Clone(s.Unsigned), bytes.Clone(s.Signed)
	wantSig.Signer, wantSig.Envelope = bytes.Clone(sig.Signer), bytes.Clone(sig.Envelope)
	wantSig.Sigs = [][]byte{bytes.Clone(sig.Sigs[0]), bytes.Clone(sig.Sigs[1])}
	scribbleBurn := func(x relayer.Burn) { x.To[3], x.Evidence[0] = ^x.To[3], ^x.Evidence[0] }
	scribbleSpend := func(x relayer.Spend) {
		x.Proposer[0], x.Inputs[0], x.Unsigned[0], x.Signed[0] = ^x.Proposer[0], "scribbled", ^x.Unsigned[0], ^x.Signed[0]
	}
	scribbleSig := func(x relayer.SpendSignature) {
		x.Signer[0], x.Sigs[0][0], x.Envelope[0], x.Sigs[1] = ^x.Signer[0], ^x.Sigs[0][0], ^x.Envelope[0], nil
	}
	e.update(t, func(tx relayer.Tx) error {
		_, err := tx.AddSpendSignature(sig)
		err = errors.Join(tx.PutBurn(b), tx.PutSpend(s), err)
		scribbleBurn(b) // the values passed in
		scribbleSpend(s)
		scribbleSig(sig)
		return err
	})
	for range 2 { // the second round sees whether the first one's changes stuck
		e.view(t, func(tx relayer.Tx) error {
			gb, err1 := tx.Burn(b.Chain, b.Nonce)
			gs, err2 := tx.Spend(s.TxID)
			gg, err3 := tx.SpendSignatures(s.TxID)
			bs, err4 := tx.Burns(relayer.BurnQuery{})
			ss, err5 := tx.Spends(relayer.SpendQuery{})
			if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
				return err
			}
			same(t, "Burn", gb, wantB)
			same(t, "Spend", gs, wantS)
			same(t, "SpendSignatures", gg, []relayer.SpendSignature{wantSig})
			same(t, "Burns", bs, []relayer.Burn{wantB})
			same(t, "Spends", ss, []relayer.Spend{wantS})
			if len(gg) == 1 && len(bs) == 1 && len(ss) == 1 {
				scribbleBurn(gb) // the values returned
				scribbleBurn(bs[0])
				scribbleSpend(gs)
				scribbleSpend(ss[0])
				scribbleSig(gg[0])
			}
			return nil
		})
	}
}
