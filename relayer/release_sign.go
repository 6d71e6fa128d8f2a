package relayer

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// expectedSpend is the release request this relayer would make for the
// burns from..to of chain in round cur.
func (r *Relayer) expectedSpend(cur round, chain chains.ID, from, to uint64, burns []Burn) chains.ReserveSpend {
	var in []Burn
	for _, b := range burns {
		if b.Nonce >= from && b.Nonce <= to {
			in = append(in, b)
		}
	}
	return chains.ReserveSpend{Chain: chain, FromNonce: from, ToNonce: to, Payouts: r.cfg.Releases.payouts(in),
		RefHeight: cur.RefHeight, Expiry: cur.Expiry, FeeRate: r.cfg.Releases.FeeRate}
}

// diffSpend says how a proposed request differs from the expected one ("" if not).
func diffSpend(got, want chains.ReserveSpend) string {
	switch {
	case len(got.Exclude) > 0:
		return "the proposal excludes reserve outputs"
	case (got.Refund == nil) != (want.Refund == nil) || got.Refund != nil && *got.Refund != *want.Refund:
		return "the proposal refunds another payment"
	case !bytes.Equal(got.MoveTo, want.MoveTo):
		return "the proposal moves the reserve to another script"
	case got.ConsolidateAbove != want.ConsolidateAbove:
		return fmt.Sprintf("consolidation bound %d, the set's is %d", got.ConsolidateAbove, want.ConsolidateAbove)
	case got.FeeRate != want.FeeRate:
		return fmt.Sprintf("fee rate %d zat/byte, the set's is %d", got.FeeRate, want.FeeRate)
	case got.RefHeight != want.RefHeight || got.Expiry != want.Expiry:
		return fmt.Sprintf("reference height %d and expiry %d, the round's are %d and %d", got.RefHeight, got.Expiry, want.RefHeight, want.Expiry)
	case len(got.Payouts) != len(want.Payouts):
		return fmt.Sprintf("%d payouts, the burns call for %d", len(got.Payouts), len(want.Payouts))
	}
	for i := range want.Payouts {
		g, w := got.Payouts[i], want.Payouts[i]
		if !bytes.Equal(g.To, w.To) {
			return fmt.Sprintf("payout %d goes to %x, the burn names %x", i, g.To, w.To)
		}
		if g.Amount != w.Amount {
			return fmt.Sprintf("payout %d pays %d zatoshi, the burn calls for %d", i, g.Amount, w.Amount)
		}
	}
	return ""
}

// consider decides on a release or refund proposal from a member: it is
// signed when the proposer is the round's, the request is the one this
// relayer makes from its own view, signing rules 3 and 4 hold, and the
// reserve sink builds a byte-identical transaction. done is false when the
// proposal may become acceptable (a burn not yet final here, a spend of ours
// still in flight): it is considered again on the next tick.
func (r *Relayer) consider(ctx context.Context, from []byte, p Proposal, cur round) (done bool, err error) {
	set, rd := r.proposalSet(p), r.round(p.Round)
	if len(p.Spend.MoveTo) > 0 {
		rd = r.moveRound(p.Round)
	}
	if !set.has(r.self) {
		return true, nil // a spend of the other set's reserve: not ours to sign
	}
	refuse := func(why string, wait bool) (bool, error) {
		if wait {
			return false, nil
		}
		return true, r.journalRefusal(ctx, from, p, rd, why)
	}
	switch {
	case !bytes.Equal(from, rd.Proposer):
		return refuse(fmt.Sprintf("%x is not the proposer of round %d", from, p.Round), false)
	case p.Round+1 < cur.N:
		return refuse(fmt.Sprintf("round %d is over (now %d)", p.Round, cur.N), false)
	case p.Round > cur.N+1:
		return false, nil // our light node is behind: wait for it
	}
	var spends []Spend
	var signed bool
	if err := r.cfg.Store.View(ctx, func(tx Tx) error {
		sp, err := tx.Spend(p.TxID)
		switch {
		case err == nil:
			signed = sp.SignedByUs
		case fault.KindOf(err) != fault.NotFound:
			return err
		}
		spends, err = tx.Spends(oursInFlight)
		return err
	}); err != nil {
		return false, err
	}
	if signed {
		return true, nil // signed before: our signatures are re-sent by resend
	}
	var d decision
	switch {
	case len(p.Spend.MoveTo) > 0:
		d = r.checkSetMove(p, rd)
	case p.Spend.ConsolidateAbove != 0:
		d = r.checkConsolidation(p, rd)
	case p.Spend.Refund != nil:
		d, err = r.checkRefundProposal(ctx, p, rd)
	default:
		d, err = r.checkReleaseProposal(ctx, p, rd)
	}
	if err != nil {
		return false, err
	}
	if d.why != "" {
		return refuse(d.why, d.wait)
	}
	if _, busy := inFlight(spends, p.TxID); busy {
		return false, nil // wait until our own spend in flight is mined or dead
	}
	s := p.Spend
	sub, err := set.reserve.Build(ctx, chains.BuildRequest{Kind: chains.SubmitReserveSpend, Spend: &s})
	switch {
	case fault.KindOf(err) == fault.Transient:
		return false, nil // e.g. our view of the reserve lags
	case fault.KindOf(err) == fault.NotFound:
		return refuse("nothing to consolidate here: "+err.Error(), true)
	case err != nil:
		return refuse("building it here: "+err.Error(), false)
	case sub.TxID != p.TxID || !bytes.Equal(sub.Payload, p.Payload):
		// Journaled, and considered again: a view of the reserve that lags
		// by a block also builds differently.
		return false, r.journalRefusal(ctx, from, p, rd, fmt.Sprintf("the transaction differs from the one built here (%s, inputs %v)", sub.TxID, sub.Inputs))
	}
	return r.signSpend(ctx, from, p, sub, d)
}

// decision is what a proposal's kind-specific check found: why it is
// refused (and whether to wait), or the burns or the refunded transfer the
// spend covers.
type decision struct {
	why      string
	wait     bool
	kind     SpendKind
	burns    []Burn
	transfer *Transfer
	ref      string // a move to a new set: setMoveRef
}

// checkConsolidation checks that a consolidation is the one this relayer
// would propose: the set's bound, the round's heights and fee rate.
func (r *Relayer) checkConsolidation(p Proposal, rd round) decision {
	c := r.cfg.Releases
	if c.ConsolidateAbove < 0 {
		return decision{why: "this relayer does not consolidate"}
	}
	want := chains.ReserveSpend{ConsolidateAbove: c.ConsolidateAbove, RefHeight: rd.RefHeight, Expiry: rd.Expiry, FeeRate: c.FeeRate}
	if d := diffSpend(p.Spend, want); d != "" {
		return decision{why: d}
	}
	return decision{kind: SpendMove}
}

// checkSetMove checks that a move of the current set's reserve is the one
// this relayer would propose: to the configured next set's script, in a
// round from the activation on, at the round's heights and fee rate.
func (r *Relayer) checkSetMove(p Proposal, rd round) decision {
	n, ok := r.next()
	switch {
	case !ok:
		return decision{why: "no next signer set is configured here"}
	case p.Round*r.cfg.Releases.Cadence < r.cfg.Next.Activation:
		return decision{why: fmt.Sprintf("round %d starts before the next set's activation at height %d", p.Round, r.cfg.Next.Activation)}
	}
	want := chains.ReserveSpend{MoveTo: r.cfg.Next.Redeem, RefHeight: rd.RefHeight, Expiry: rd.Expiry, FeeRate: r.cfg.Releases.FeeRate}
	if d := diffSpend(p.Spend, want); d != "" {
		return decision{why: d}
	}
	return decision{kind: SpendMove, ref: setMoveRef(n.id)}
}

// checkReleaseProposal checks a release against this relayer's burns and
// releases (rules 3 and 4) and the request it would make itself.
func (r *Relayer) checkReleaseProposal(ctx context.Context, p Proposal, rd round) (decision, error) {
	s := p.Spend
	v, err := r.view(ctx, s.Chain, false, &NonceRange{From: s.FromNonce, To: s.ToNonce})
	if fault.KindOf(err) == fault.Invalid {
		return decision{why: err.Error()}, nil
	}
	if err != nil {
		return decision{}, err
	}
	burns, why, wait := checkRelease(v, p, r.cfg.Releases.MaxBatch)
	if why != "" {
		return decision{why: why, wait: wait}, nil
	}
	if d := diffSpend(s, r.expectedSpend(rd, s.Chain, s.FromNonce, s.ToNonce, burns)); d != "" {
		return decision{why: d}, nil
	}
	if d, err := r.reverifyBurns(ctx, s.Chain, burns); err != nil || d.why != "" {
		return d, err
	}
	return decision{kind: SpendRelease, burns: burns}, nil
}

// reverifyBurns re-fetches every burn of a range from its chain's source at
// signing time (signing rule 1: receipt, status, block and log, at the
// chain's finalized block) and checks it is the burn this relayer stored.
func (r *Relayer) reverifyBurns(ctx context.Context, chain chains.ID, burns []Burn) (decision, error) {
	var src chains.Source
	for _, b := range r.cfg.Releases.Burns {
		if b.Chain() == chain {
			src = b
		}
	}
	if src == nil {
		return decision{why: fmt.Sprintf("no burn source for chain %s here", chain)}, nil
	}
	fetched := map[string][]chains.Event{}
	for _, b := range burns {
		evs, ok := fetched[b.TxID]
		if !ok {
			var err error
			evs, err = src.Reobserve(ctx, b.TxID)
			switch {
			case fault.KindOf(err) == fault.NotFound:
				return decision{why: fmt.Sprintf("burn %s is not final on its chain any more: %v", b.ID, err)}, nil
			case err != nil:
				return decision{why: "re-fetching the burns: " + err.Error(), wait: true}, nil
			}
			fetched[b.TxID] = evs
		}
		if !slices.ContainsFunc(evs, func(ev chains.Event) bool {
			return ev.Kind == chains.EventBurn && ev.ID == b.ID && ev.Amount == b.Amount && bytes.Equal(ev.Recipient, b.To)
		}) {
			return decision{why: fmt.Sprintf("burn %s re-fetched from transaction %s differs from the one recorded", b.ID, b.TxID)}, nil
		}
	}
	return decision{}, nil
}

// checkRefundProposal checks a refund against this relayer's view of the
// refunded payment (due a refund here, refundable, not refunded by another
// live spend: rule 3 for the lock) and the request it would make itself.
func (r *Relayer) checkRefundProposal(ctx context.Context, p Proposal, rd round) (decision, error) {
	id := p.Spend.Refund.TransferID()
	var t Transfer
	var spends []Spend
	err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		if t, err = tx.Transfer(id); err != nil {
			return err
		}
		spends, err = tx.Spends(SpendQuery{Kinds: []SpendKind{SpendRefund}, Ref: id, Live: true})
		return err
	})
	switch {
	case fault.KindOf(err) == fault.NotFound:
		return decision{why: id + " is not known here", wait: true}, nil
	case err != nil:
		return decision{}, err
	case t.State == StateRefunded:
		return decision{why: id + " is refunded already"}, nil
	case t.State != StateRefundDue:
		return decision{why: fmt.Sprintf("%s is %s here, not due a refund", id, t.State), wait: !t.State.Terminal() && t.State != StateSubmitted}, nil
	}
	for _, sp := range spends {
		if sp.Kind == SpendRefund && sp.Ref == id && sp.Live() && sp.TxID != p.TxID {
			return decision{why: fmt.Sprintf("%s is refunded by %s (%s)", id, sp.TxID, sp.State)}, nil
		}
	}
	po, why := r.cfg.Releases.refundPayout(t)
	if why != "" {
		return decision{why: why}, nil
	}
	want := chains.ReserveSpend{Refund: &t.Lock, Payouts: []chains.Payout{po}, RefHeight: rd.RefHeight, Expiry: rd.Expiry, FeeRate: r.cfg.Releases.FeeRate}
	if d := diffSpend(p.Spend, want); d != "" {
		return decision{why: d}, nil
	}
	return decision{kind: SpendRefund, transfer: &t}, nil
}

// signSpend signs every input of the spend sub, persists the decision (the
// spend, our signatures, the covered burns' state, the journal entry) in one
// transaction after checking rule 3 again inside it, and then sends the
// signatures.
func (r *Relayer) signSpend(ctx context.Context, from []byte, p Proposal, sub chains.Submission, d decision) (bool, error) {
	s := p.Spend
	sigs := make([][]byte, len(sub.Digests))
	for i, dg := range sub.Digests {
		sg, err := r.cfg.Signer.Sign(ctx, dg)
		if err != nil {
			return false, err
		}
		sigs[i] = sg.Sig
	}
	spend := Spend{TxID: sub.TxID, Kind: d.kind, Round: p.Round, Proposer: bytes.Clone(from), Inputs: sub.Inputs, Expiry: s.Expiry,
		Unsigned: sub.Payload, SignedByUs: true, State: SpendSigned}
	switch d.kind {
	case SpendRelease:
		spend.Chain, spend.FromNonce, spend.ToNonce = s.Chain, s.FromNonce, s.ToNonce
	case SpendRefund:
		spend.Ref = d.transfer.ID
	case SpendMove:
		spend.Ref = d.ref
	}
	err := r.cfg.Store.Update(ctx, func(tx Tx) error {
		// SECURITY: rule 3 again inside the transaction that records the
		// decision, so nothing slipped in since the view was read.
		var spends []Spend
		var err error
		switch d.kind {
		case SpendRelease:
			spends, err = tx.Spends(SpendQuery{Chain: s.Chain, Live: true, Overlapping: &NonceRange{From: s.FromNonce, To: s.ToNonce}})
		case SpendRefund:
			spends, err = tx.Spends(SpendQuery{Kinds: []SpendKind{SpendRefund}, Ref: spend.Ref, Live: true})
		}
		if err != nil {
			return err
		}
		for _, o := range spends {
			if o.TxID != spend.TxID && o.Live() && (o.Overlaps(s.Chain, s.FromNonce, s.ToNonce) || d.kind == SpendRefund && o.Ref == spend.Ref) {
				return fault.E("relayer.consider", fault.Conflict, fmt.Errorf("spend %s overlaps", o.TxID))
			}
		}
		spend.CreatedAt, spend.UpdatedAt = tx.Now(), tx.Now()
		if err := tx.PutSpend(spend); err != nil {
			return err
		}
		if _, err := tx.AddSpendSignature(SpendSignature{TxID: spend.TxID, Signer: bytes.Clone(r.self), Sigs: sigs}); err != nil {
			return err
		}
		for _, b := range d.burns {
			if err := tx.Approve(b.Chain, b.ID, b.Amount); err != nil { // the governor's window counts releases too
				return err
			}
			if CanMoveBurn(b.State, BurnSigned) && b.State != BurnSigned {
				b.State, b.Release, b.UpdatedAt = BurnSigned, spend.TxID, tx.Now()
				if err := tx.PutBurn(b); err != nil {
					return err
				}
			}
		}
		rec := ReserveSpendSigned{SpendRecord: spendRecord(spend)}
		for _, sg := range sigs {
			rec.Sigs = append(rec.Sigs, hex.EncodeToString(sg))
		}
		_, err = tx.Journal(rec)
		return err
	})
	if fault.KindOf(err) == fault.Conflict {
		rd := r.round(p.Round)
		return true, r.journalRefusal(ctx, from, p, rd, err.Error())
	}
	if err != nil {
		return false, err
	}
	r.log.Info("reserve spend signed", "spend", spend.TxID, "kind", spend.Kind, "chain", s.Chain, "from", s.FromNonce, "to", s.ToNonce,
		"ref", spend.Ref, "round", p.Round)
	return true, r.sendSignatures(ctx, spend.Kind, spend.TxID, sigs)
}

func (r *Relayer) sendSignatures(ctx context.Context, kind SpendKind, txid string, sigs [][]byte) error {
	b, err := json.Marshal(SignatureSet{TxID: txid, Sigs: sigs})
	if err != nil {
		return fault.E("relayer.release", fault.Internal, err)
	}
	r.mu.Lock()
	r.sigsSent[txid] = r.cfg.Now()
	r.mu.Unlock()
	_, envelope := envelopeKinds(kind)
	return r.cfg.Outbox.Broadcast(ctx, envelope, b)
}

// journalRefusal journals a refused proposal once per proposal and reason.
func (r *Relayer) journalRefusal(ctx context.Context, from []byte, p Proposal, rd round, why string) error {
	key := p.TxID + "\x00" + why
	r.mu.Lock()
	seen := r.refusedSpends[key]
	r.refusedSpends[key] = true
	r.mu.Unlock()
	if seen {
		return nil
	}
	r.log.Warn("release proposal refused", "from", hex.EncodeToString(from), "spend", p.TxID, "round", p.Round, "why", why)
	rec := SpendRecord{TxID: p.TxID, Kind: string(p.kind()), Round: p.Round, Proposer: hex.EncodeToString(from),
		Chain: uint32(p.Spend.Chain), From: p.Spend.FromNonce, To: p.Spend.ToNonce, Expiry: rd.Expiry, Unsigned: hex.EncodeToString(p.Payload)}
	if p.Spend.Refund != nil {
		rec.Kind, rec.Ref, rec.Chain, rec.From, rec.To = string(SpendRefund), p.Spend.Refund.TransferID(), 0, 0, 0
	}
	return r.cfg.Store.Update(ctx, func(tx Tx) error {
		_, err := tx.Journal(ReserveSpendRefused{SpendRecord: rec, Reason: why})
		return err
	})
}
