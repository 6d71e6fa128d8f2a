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

// proposalIn is a release proposal waiting to be considered.
type proposalIn struct {
	from []byte
	p    Proposal
}

// handleProposal queues a member's proposal for the release step; a refund
// travels as a refund-proposal, anything else as a release-proposal.
func (r *Relayer) handleProposal(kind string, from, payload []byte) error {
	p, err := UnmarshalProposal(payload)
	if err != nil {
		r.drop("malformed")
		return err
	}
	if want, _ := envelopeKinds(p.kind()); kind != want {
		r.drop("malformed")
		return fault.E("relayer.HandleEnvelope", fault.Invalid, fmt.Errorf("a %s envelope holding a %s proposal", kind, p.kind()))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.proposals[string(from)] = proposalIn{from: bytes.Clone(from), p: p} // the latest per proposer
	return nil
}

// handleSignatures stores a member's signatures over a spend. They are
// checked when the spend is assembled (the reserve sink keeps the first k
// that verify, so a bad set from one member cannot stop the others).
func (r *Relayer) handleSignatures(ctx context.Context, from, payload, raw []byte) error {
	s, err := UnmarshalSignatureSet(payload)
	if err != nil {
		r.drop("malformed")
		return err
	}
	return r.cfg.Store.Update(ctx, func(tx Tx) error {
		_, err := tx.AddSpendSignature(SpendSignature{TxID: s.TxID, Signer: bytes.Clone(from), Sigs: s.Sigs, Envelope: bytes.Clone(raw)})
		if fault.KindOf(err) == fault.Conflict {
			r.drop("conflict")
			_, err = tx.Journal(PeerConflict{ID: s.TxID, Signer: hex.EncodeToString(from), Reason: "a second, different signature set for the spend",
				Envelope: hex.EncodeToString(raw)})
		}
		return err
	})
}

// release runs burn → release once: it expires spends past their expiry,
// considers the proposals received, proposes when this relayer is the
// round's proposer and nothing of its own is in flight, assembles and
// broadcasts spends with k signature sets, and re-sends what peers may have
// missed.
func (r *Relayer) release(ctx context.Context) error {
	r.mu.Lock()
	ready := r.burnsDrained && r.fluxDrained
	finalHeight := r.finalDrained
	r.mu.Unlock()
	if !ready {
		return nil // not caught up with the chains: the view could lack released ranges
	}
	if err := r.expire(ctx, finalHeight); err != nil {
		return err
	}
	if err := r.assemble(ctx); err != nil {
		return err
	}
	head, ok, err := r.mayStepSign(ctx)
	if err != nil || !ok {
		return err
	}
	r.mu.Lock()
	pending := make([]proposalIn, 0, len(r.proposals))
	for _, p := range r.proposals {
		pending = append(pending, p)
	}
	r.mu.Unlock()
	slices.SortFunc(pending, func(a, b proposalIn) int { return bytes.Compare(a.from, b.from) })
	cur := r.round(head.Tip.Height / r.cfg.Releases.Cadence)
	for _, in := range pending {
		done, err := r.consider(ctx, in.from, in.p, cur)
		if err != nil {
			return err
		}
		if done {
			r.mu.Lock()
			if q, ok := r.proposals[string(in.from)]; ok && q.p.TxID == in.p.TxID {
				delete(r.proposals, string(in.from))
			}
			r.mu.Unlock()
		}
	}
	if mv := r.moveRound(cur.N); r.moving(cur.N) && bytes.Equal(mv.Proposer, r.self) {
		if err := r.proposeMove(ctx, mv); err != nil {
			return err
		}
	}
	if bytes.Equal(cur.Proposer, r.self) {
		if err := r.propose(ctx, cur); err != nil {
			return err
		}
	}
	return r.resend(ctx)
}

// mayStepSign reports whether a step other than the sign step may sign now:
// nothing is signed while paused, halted or unhealthy (signing rule 2; the
// sign step journals why). The settings are read here because the sign
// step only looks at them when it has a lock to sign. It returns the FLUX
// head it judged.
func (r *Relayer) mayStepSign(ctx context.Context) (chains.Head, bool, error) {
	var paused, halted string
	if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		if paused, _, err = tx.Setting(SettingPaused); err != nil {
			return err
		}
		halted, _, err = tx.Setting(SettingHalted)
		return err
	}); err != nil || paused != "" || halted != "" {
		return chains.Head{}, false, err
	}
	head, err := r.cfg.Source.Head(ctx)
	return head, err == nil && head.Healthy, err
}

// view reads what this relayer knows of chain's releases and burns (with
// over, of the releases overlapping that range too). It asks the chain for
// its finalized burn counter only when there are burns to release and, with
// proposing set, no spend of this relayer's in flight (it proposes nothing
// then): an idle relayer's tick costs no chain read.
func (r *Relayer) view(ctx context.Context, chain chains.ID, proposing bool, over *NonceRange) (rangeView, error) {
	v := rangeView{Chain: chain, Held: map[uint64]string{}}
	now := r.cfg.Now()
	err := r.cfg.Store.View(ctx, func(tx Tx) error {
		var err error
		if v.Spends, err = releaseSpends(tx, chain, over); err != nil {
			return err
		}
		if v.Burns, err = tx.Burns(BurnQuery{Chain: chain, FromNonce: v.next(), Limit: r.cfg.Releases.MaxBatch + 1}); err != nil {
			return err
		}
		used, err := tx.Approved(chain, r.cfg.Governor.WindowStart(now))
		if err != nil {
			return err
		}
		v.Held = holdBurns(r.cfg.Governor, now, v.Burns, used)
		return nil
	})
	if err != nil {
		return v, err
	}
	d, ok := r.dests[chain]
	if !ok {
		return v, fault.E("relayer.release", fault.Invalid, fmt.Errorf("chain %s is not served here", chain))
	}
	if _, busy := inFlight(v.Spends, ""); len(v.Burns) == 0 || busy && proposing {
		return v, nil // nothing to release (or nothing we may propose): spare the chain a read
	}
	l, err := d.Sink.Ledger(ctx)
	if err != nil {
		return v, fmt.Errorf("chain %s: reading the burn counter: %w", chain, err)
	}
	v.Count = l.BurnCount
	return v, nil
}

// propose builds this round's release, if there is one to make: for the
// first chain (from the round's turn) with final unreleased burns. The
// proposer signs its own proposal through consider like any validator.
func (r *Relayer) propose(ctx context.Context, cur round) error {
	c := r.cfg.Releases
	chainsOrder := make([]chains.ID, 0, len(c.Burns))
	for _, s := range c.Burns {
		chainsOrder = append(chainsOrder, s.Chain())
	}
	slices.Sort(chainsOrder)
	for i := range chainsOrder {
		chain := chainsOrder[(int(cur.N)+i)%len(chainsOrder)]
		v, err := r.view(ctx, chain, true, nil)
		if err != nil {
			return err
		}
		if _, busy := inFlight(v.Spends, ""); busy {
			return nil // one spend of ours at a time
		}
		from, to, ok := planRange(v, c.MaxBatch)
		if !ok {
			continue
		}
		spend := r.expectedSpend(cur, chain, from, to, v.Burns)
		sub, err := r.reserveAt(cur).Build(ctx, chains.BuildRequest{Kind: chains.SubmitReserveSpend, Spend: &spend})
		if err != nil {
			return fmt.Errorf("building the release of chain %s burns %d..%d: %w", chain, from, to, err)
		}
		return r.offer(ctx, cur, spend, sub)
	}
	proposed, err := r.proposeRefund(ctx, cur)
	if err != nil || proposed || c.ConsolidateAbove < 0 {
		return err
	}
	return r.proposeConsolidation(ctx, cur)
}

// proposeConsolidation proposes merging the smallest reserve outputs when
// there are more than the set's bound (the reserve sink decides on its view
// of the reserve; every validator's decides on its own).
func (r *Relayer) proposeConsolidation(ctx context.Context, cur round) error {
	c := r.cfg.Releases
	spend := chains.ReserveSpend{ConsolidateAbove: c.ConsolidateAbove, RefHeight: cur.RefHeight, Expiry: cur.Expiry, FeeRate: c.FeeRate}
	sub, err := r.reserveAt(cur).Build(ctx, chains.BuildRequest{Kind: chains.SubmitReserveSpend, Spend: &spend})
	switch {
	case fault.KindOf(err) == fault.NotFound:
		return nil // few enough outputs
	case err != nil:
		return fmt.Errorf("building a consolidation: %w", err)
	}
	return r.offer(ctx, cur, spend, sub)
}

// reserveAt is the reserve sink of round cur's set.
func (r *Relayer) reserveAt(cur round) chains.Sink {
	return r.setAt(cur.N * r.cfg.Releases.Cadence).reserve
}

// moving reports whether round n is one in which the current set moves its
// reserve to the next set: from the next set's activation on.
func (r *Relayer) moving(n uint64) bool {
	return r.cfg.Next != nil && n*r.cfg.Releases.Cadence >= r.cfg.Next.Activation
}

// proposeMove proposes moving the current set's reserve outputs (those final
// at the round's reference height, at most spendtx.MaxInputs at a time) to
// the next set's script, while any is left and no spend of ours is in flight.
func (r *Relayer) proposeMove(ctx context.Context, cur round) error {
	var spends []Spend
	if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		spends, err = tx.Spends(oursInFlight)
		return err
	}); err != nil {
		return err
	}
	if _, busy := inFlight(spends, ""); busy {
		return nil
	}
	spend := chains.ReserveSpend{MoveTo: r.cfg.Next.Redeem, RefHeight: cur.RefHeight, Expiry: cur.Expiry, FeeRate: r.cfg.Releases.FeeRate}
	sub, err := r.current().reserve.Build(ctx, chains.BuildRequest{Kind: chains.SubmitReserveSpend, Spend: &spend})
	switch {
	case fault.KindOf(err) == fault.NotFound, fault.KindOf(err) == fault.Transient:
		return nil // nothing left to move (or too little to pay the fee)
	case err != nil:
		return fmt.Errorf("building the move of the reserve to the next set: %w", err)
	}
	return r.offer(ctx, cur, spend, sub)
}

// proposeRefund proposes the refund of the oldest payment due one that no
// live spend refunds and that needs no operator's claim.
func (r *Relayer) proposeRefund(ctx context.Context, cur round) (bool, error) {
	var due []Transfer
	var spends []Spend
	refunding := map[string]bool{} // due transfers a live refund spends
	if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		if spends, err = tx.Spends(oursInFlight); err != nil {
			return err
		}
		if due, err = tx.Transfers(TransferQuery{States: []State{StateRefundDue}, Limit: r.cfg.Batch}); err != nil {
			return err
		}
		for _, t := range due {
			live, err := tx.Spends(SpendQuery{Kinds: []SpendKind{SpendRefund}, Ref: t.ID, Live: true, Limit: 1})
			if err != nil {
				return err
			}
			refunding[t.ID] = len(live) > 0
		}
		return nil
	}); err != nil {
		return false, err
	}
	if _, busy := inFlight(spends, ""); busy {
		return true, nil // nothing else may be proposed either
	}
	c := r.cfg.Releases
	for _, t := range due {
		if refunding[t.ID] {
			continue
		}
		po, why := c.refundPayout(t)
		if why != "" {
			continue // a claim: listed by Claims
		}
		lock := t.Lock
		spend := chains.ReserveSpend{Refund: &lock, Payouts: []chains.Payout{po}, RefHeight: cur.RefHeight, Expiry: cur.Expiry, FeeRate: c.FeeRate}
		sub, err := r.reserveAt(cur).Build(ctx, chains.BuildRequest{Kind: chains.SubmitReserveSpend, Spend: &spend})
		if err != nil {
			return false, fmt.Errorf("building the refund of %s: %w", t.ID, err)
		}
		return true, r.offer(ctx, cur, spend, sub)
	}
	return false, nil
}

// Claim is a payment due a refund that no refund can pay without an
// operator: it is listed, never lost.
type Claim struct {
	Transfer Transfer
	Reason   string
}

// Claims lists the payments due a refund that wait for an operator's claim.
func (r *Relayer) Claims(ctx context.Context) ([]Claim, error) {
	var due []Transfer
	if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		due, err = tx.Transfers(TransferQuery{States: []State{StateRefundDue}})
		return err
	}); err != nil {
		return nil, err
	}
	var out []Claim
	for _, t := range due {
		if _, why := r.cfg.Releases.refundPayout(t); why != "" {
			out = append(out, Claim{Transfer: t, Reason: why})
		}
	}
	return out, nil
}

// offer proposes the spend this relayer built as sub in round cur: it signs
// its own proposal through consider like any validator, then sends it.
func (r *Relayer) offer(ctx context.Context, cur round, spend chains.ReserveSpend, sub chains.Submission) error {
	p := Proposal{Round: cur.N, Spend: spend, TxID: sub.TxID, Payload: sub.Payload}
	if _, err := r.consider(ctx, r.self, p, cur); err != nil {
		return err
	}
	return r.sendProposal(ctx, p)
}

func (r *Relayer) sendProposal(ctx context.Context, p Proposal) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fault.E("relayer.propose", fault.Internal, err)
	}
	r.mu.Lock()
	r.proposed[p.TxID] = b
	r.mu.Unlock()
	kind, _ := envelopeKinds(p.kind())
	return r.cfg.Outbox.Broadcast(ctx, kind, b)
}
