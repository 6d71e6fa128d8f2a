package relayer

import (
	"context"
	"fmt"
	"slices"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// burnStream names the cursor of a chain's burn events.
func burnStream(c chains.ID) string { return "burns." + c.String() }

// observeBurns reads each burn source's finalized burns and stores them, a
// page per transaction with its cursor. A burn already covered by a release
// the FLUX chain shows takes that release's state.
func (r *Relayer) observeBurns(ctx context.Context) error {
	for _, src := range r.cfg.Releases.Burns {
		for range 16 {
			more, err := r.observeBurnPage(ctx, src)
			if err != nil {
				return fmt.Errorf("chain %s burns: %w", src.Chain(), err)
			}
			if !more {
				break
			}
		}
	}
	r.mu.Lock()
	r.burnsDrained = true
	r.mu.Unlock()
	return nil
}

func (r *Relayer) observeBurnPage(ctx context.Context, src chains.Source) (bool, error) {
	stream := burnStream(src.Chain())
	var cur chains.Cursor
	if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		cur, err = tx.Cursor(stream)
		return err
	}); err != nil {
		return false, err
	}
	resp, err := src.Events(ctx, chains.EventsRequest{After: cur, Confirmations: 1, Limit: r.cfg.Batch})
	if err != nil {
		return false, err
	}
	if len(resp.Events) == 0 && resp.Next == cur {
		return false, nil
	}
	var halt string
	err = r.cfg.Store.Update(ctx, func(tx Tx) error {
		if now, err := tx.Cursor(stream); err != nil || now != cur {
			return fault.E("relayer.observeBurns", fault.Conflict, fmt.Errorf("cursor of %s moved under us (%v)", stream, err))
		}
		for _, ev := range resp.Events {
			if ev.Kind != chains.EventBurn {
				continue
			}
			if ev.Retracted {
				// SECURITY: the source reports finalized burns only; one
				// retracted means the chain's finality failed.
				halt = fmt.Sprintf("final burn %s retracted: the chain's finalized block was reorganised", ev.ID)
				continue
			}
			if err := r.storeBurn(tx, ev); err != nil {
				return err
			}
		}
		return tx.SetCursor(stream, resp.Next)
	})
	if err != nil {
		return false, err
	}
	if halt != "" {
		if err := r.halt(ctx, SigningHalted{Reason: halt}); err != nil {
			return false, err
		}
	}
	return len(resp.Events) >= r.cfg.Batch, nil
}

// storeBurn records a final burn, once.
func (r *Relayer) storeBurn(tx Tx, ev chains.Event) error {
	if _, err := tx.Burn(ev.Chain, ev.Nonce); err == nil {
		return nil // a re-delivered page
	} else if fault.KindOf(err) != fault.NotFound {
		return err
	}
	b, err := BurnFromEvent(ev, tx.Now())
	if err != nil {
		r.drop("malformed-event")
		_, jerr := tx.Journal(EventRejected{Lock: Lock{ID: ev.ID, TxID: ev.TxID, Amount: ev.Amount}, Error: err.Error()})
		return jerr
	}
	b.State, b.FinalAt = BurnFinal, tx.Now()
	if _, ok := r.dests[b.Chain]; !ok {
		b.Unpayable = fmt.Sprintf("chain %s is not served by this relayer", b.Chain)
	} else {
		b.Unpayable = r.cfg.Releases.payable(b)
	}
	// A release the FLUX chain already shows may cover it (this relayer's
	// burn stream lagged its FLUX stream).
	spends, err := tx.Spends(SpendQuery{States: []SpendState{SpendMined, SpendSettled}, Chain: b.Chain, Overlapping: &NonceRange{From: b.Nonce, To: b.Nonce}})
	if err != nil {
		return err
	}
	for _, s := range spends {
		if s.Overlaps(b.Chain, b.Nonce, b.Nonce) {
			b.Release = s.TxID
			b.State, b.ReleasedAt = BurnReleased, tx.Now()
			if s.State == SpendSettled {
				b.State, b.SettledAt = BurnSettled, tx.Now()
			}
		}
	}
	if err := tx.PutBurn(b); err != nil {
		return err
	}
	if _, err := tx.Journal(BurnFinalized{burnRecord(b)}); err != nil {
		return err
	}
	if b.Unpayable != "" {
		r.log.Warn("burn cannot be paid", "burn", b.ID, "reason", b.Unpayable)
		if _, err := tx.Journal(BurnUnpayable{ID: b.ID, Reason: b.Unpayable}); err != nil {
			return err
		}
	}
	return nil
}

// spendKindOf maps a FLUX reserve event to the spend kind it reports.
func spendKindOf(k chains.EventKind) (SpendKind, bool) {
	switch k {
	case chains.EventRelease:
		return SpendRelease, true
	case chains.EventRefund:
		return SpendRefund, true
	case chains.EventReserveSpend:
		return SpendMove, true
	}
	return "", false
}

// sameSpend reports whether the chain's event ev is the spend s: same kind,
// same range or refunded lock, same inputs. (Its transaction id differs from
// s's unsigned id: a transparent transaction's id covers its signatures.)
func sameSpend(s Spend, kind SpendKind, ev chains.Event) bool {
	if s.Kind != kind || !sameSet(s.Inputs, ev.Inputs) {
		return false
	}
	switch kind {
	case SpendRelease:
		return s.Chain == ev.DestChain && s.FromNonce == ev.FromNonce && s.ToNonce == ev.ToNonce
	case SpendRefund:
		return s.Ref == ev.Ref
	}
	return true
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// applySpendEvent records a reserve spend the FLUX chain shows at depth 1
// (final false) or D_L1 (final true), in the observe step's transaction:
// the spend it is (ours, or a new record of one only seen on the chain) is
// mined or settled, the burns it covers follow, and at D_L1 every live spend
// of ours that shares an input with it but is not it is dead. It returns a
// halt reason for a final spend retracted.
func (r *Relayer) applySpendEvent(tx Tx, ev chains.Event, final bool) (string, error) {
	kind, ok := spendKindOf(ev.Kind)
	if !ok {
		return "", nil
	}
	if ev.Retracted && final {
		return fmt.Sprintf("final reserve spend %s retracted at height %d: reorganisation deeper than %d blocks", ev.TxID, ev.Block.Height, r.cfg.Confirmations), nil
	}
	// The spend the event is: a record of it kept under the chain's txid, or
	// one of ours not yet settled or dead (only those can still be seen or
	// settled; the streams never deliver an event twice once its cursor moved).
	var cur *Spend
	if s, err := tx.Spend(ev.TxID); err == nil {
		cur = &s
	} else if fault.KindOf(err) != fault.NotFound {
		return "", err
	}
	open, err := tx.Spends(SpendQuery{Kinds: []SpendKind{kind}, States: []SpendState{SpendSigned, SpendBroadcast, SpendMined}})
	if err != nil {
		return "", err
	}
	for i := range open {
		if cur == nil && sameSpend(open[i], kind, ev) {
			cur = &open[i]
		}
	}
	now := tx.Now()
	if ev.Retracted {
		if cur == nil || cur.State != SpendMined {
			return "", nil
		}
		s := *cur
		s.State, s.Height, s.UpdatedAt = SpendBroadcast, 0, now // back to the mempool
		return "", r.putSpendAndBurns(tx, s, BurnBroadcast, ev.TxID)
	}
	s := Spend{TxID: ev.TxID, Kind: kind, Chain: ev.DestChain, FromNonce: ev.FromNonce, ToNonce: ev.ToNonce, Ref: ev.Ref,
		Inputs: slices.Clone(ev.Inputs), CreatedAt: now}
	if kind != SpendRelease {
		s.Chain, s.FromNonce, s.ToNonce = 0, 0, 0
	}
	if cur != nil {
		s = *cur
	}
	want, burnState := SpendMined, BurnReleased
	if final {
		want, burnState = SpendSettled, BurnSettled
	}
	if cur != nil && (s.State == SpendSettled || s.State == want || s.State == SpendDead && !final) {
		return "", nil // re-delivered
	}
	s.State, s.Height, s.UpdatedAt = want, ev.Block.Height, now
	if err := r.putSpendAndBurns(tx, s, burnState, ev.TxID); err != nil {
		return "", err
	}
	rec := SpendOnChain{TxID: s.TxID, Tx: ev.TxID, Kind: string(kind), Chain: uint32(s.Chain), From: s.FromNonce, To: s.ToNonce,
		Ref: s.Ref, Inputs: ev.Inputs, Height: ev.Block.Height, Block: ev.Block.Hash}
	var entry Entry = ReserveSpendMined{rec}
	if final {
		rec.Evidence = fmt.Sprintf("%x", ev.Evidence)
		entry = ReserveSpendSettled{rec}
	}
	if _, err := tx.Journal(entry); err != nil {
		return "", err
	}
	if !final {
		return "", nil
	}
	// Rule 3's "provably dead": another transaction spending one of a live
	// spend's inputs is now final.
	flying, err := tx.Spends(SpendQuery{States: []SpendState{SpendSigned, SpendBroadcast}})
	if err != nil {
		return "", err
	}
	for _, o := range flying {
		if o.TxID == s.TxID || (o.State != SpendSigned && o.State != SpendBroadcast) {
			continue
		}
		if shared := sharedInput(o.Inputs, ev.Inputs); shared != "" {
			if err := r.markDead(tx, o, fmt.Sprintf("its input %s was spent by %s, final at height %d", shared, ev.TxID, ev.Block.Height), ev.Block.Height); err != nil {
				return "", err
			}
		}
	}
	return "", nil
}

func sharedInput(a, b []string) string {
	for _, x := range a {
		if slices.Contains(b, x) {
			return x
		}
	}
	return ""
}

// putSpendAndBurns stores s and moves the burns of its range to state,
// naming flux (the FLUX transaction) as their release.
func (r *Relayer) putSpendAndBurns(tx Tx, s Spend, state BurnState, flux string) error {
	if err := tx.PutSpend(s); err != nil {
		return err
	}
	if s.Kind == SpendRefund && state == BurnSettled {
		return refunded(tx, s.Ref, flux)
	}
	if s.Kind != SpendRelease {
		return nil
	}
	burns, err := tx.Burns(BurnQuery{Chain: s.Chain, FromNonce: s.FromNonce, Limit: int(s.ToNonce - s.FromNonce + 1)})
	if err != nil {
		return err
	}
	for _, b := range burns {
		if b.Nonce > s.ToNonce || !CanMoveBurn(b.State, state) || b.State == state {
			continue
		}
		b.State, b.Release, b.UpdatedAt = state, flux, tx.Now()
		switch state {
		case BurnReleased:
			b.ReleasedAt = tx.Now()
		case BurnSettled:
			b.SettledAt = tx.Now()
		}
		if err := tx.PutBurn(b); err != nil {
			return err
		}
	}
	return nil
}

// refunded marks the payment id refunded by the final FLUX transaction flux.
func refunded(tx Tx, id, flux string) error {
	t, err := tx.Transfer(id)
	if fault.KindOf(err) == fault.NotFound {
		return nil // not a payment this relayer knows (its stream may lag: it is refunded when seen)
	}
	if err != nil || !CanMove(t.State, StateRefunded) || t.State == StateRefunded {
		return err
	}
	t.State, t.Reason, t.UpdatedAt = StateRefunded, "refunded by "+flux, tx.Now()
	return tx.PutTransfer(t)
}

// markDead records that spend s can never be mined, and returns the burns
// it covered to final so that a new release can pay them.
func (r *Relayer) markDead(tx Tx, s Spend, why string, height uint64) error {
	s.State, s.Reason, s.Height, s.UpdatedAt = SpendDead, why, height, tx.Now()
	r.log.Warn("reserve spend dead", "spend", s.TxID, "why", why)
	if err := tx.PutSpend(s); err != nil {
		return err
	}
	if s.Kind == SpendRelease {
		burns, err := tx.Burns(BurnQuery{Chain: s.Chain, FromNonce: s.FromNonce, Limit: int(s.ToNonce - s.FromNonce + 1)})
		if err != nil {
			return err
		}
		for _, b := range burns {
			if b.Nonce > s.ToNonce || b.Release != s.TxID && b.Release != "" || !CanMoveBurn(b.State, BurnFinal) {
				continue
			}
			b.State, b.Release, b.UpdatedAt = BurnFinal, "", tx.Now()
			if err := tx.PutBurn(b); err != nil {
				return err
			}
		}
	}
	_, err := tx.Journal(ReserveSpendDead{TxID: s.TxID, Reason: why, Height: height})
	return err
}
