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
	// Nothing is signed while paused, halted or unhealthy (signing rule 2;
	// the sign step journals why). The settings are read here: the sign
	// step only looks at them when it has a lock to sign.
	var paused, halted string
	if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		if paused, _, err = tx.Setting(SettingPaused); err != nil {
			return err
		}
		halted, _, err = tx.Setting(SettingHalted)
		return err
	}); err != nil || paused != "" || halted != "" {
		return err
	}
	head, err := r.cfg.Source.Head(ctx)
	if err != nil || !head.Healthy {
		return err
	}
	r.mu.Lock()
	pending := make([]proposalIn, 0, len(r.proposals))
	for _, p := range r.proposals {
		pending = append(pending, p)
	}
	r.mu.Unlock()
	slices.SortFunc(pending, func(a, b proposalIn) int { return bytes.Compare(a.from, b.from) })
	cur := r.cfg.Releases.roundAt(head.Tip.Height, r.cfg.Confirmations)
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
	if bytes.Equal(cur.Proposer, r.self) {
		if err := r.propose(ctx, cur); err != nil {
			return err
		}
	}
	return r.resend(ctx)
}

// view reads what this relayer knows of chain's releases and burns. It asks
// the chain for its finalized burn counter only when there are burns to
// release and, with proposing set, no spend of this relayer's in flight (it
// proposes nothing then): an idle relayer's tick costs no chain read.
func (r *Relayer) view(ctx context.Context, chain chains.ID, proposing bool) (rangeView, error) {
	v := rangeView{Chain: chain, Held: map[uint64]string{}}
	now := r.cfg.Now()
	err := r.cfg.Store.View(ctx, func(tx Tx) error {
		var err error
		if v.Spends, err = tx.Spends(SpendQuery{}); err != nil {
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
		v, err := r.view(ctx, chain, true)
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
		sub, err := c.Reserve.Build(ctx, chains.BuildRequest{Kind: chains.SubmitReserveSpend, Spend: &spend})
		if err != nil {
			return fmt.Errorf("building the release of chain %s burns %d..%d: %w", chain, from, to, err)
		}
		p := Proposal{Round: cur.N, Spend: spend, TxID: sub.TxID, Payload: sub.Payload}
		if _, err := r.consider(ctx, r.self, p, cur); err != nil {
			return err
		}
		return r.sendProposal(ctx, p)
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
	sub, err := c.Reserve.Build(ctx, chains.BuildRequest{Kind: chains.SubmitReserveSpend, Spend: &spend})
	switch {
	case fault.KindOf(err) == fault.NotFound:
		return nil // few enough outputs
	case err != nil:
		return fmt.Errorf("building a consolidation: %w", err)
	}
	p := Proposal{Round: cur.N, Spend: spend, TxID: sub.TxID, Payload: sub.Payload}
	if _, err := r.consider(ctx, r.self, p, cur); err != nil {
		return err
	}
	return r.sendProposal(ctx, p)
}

// proposeRefund proposes the refund of the oldest payment due one that no
// live spend refunds and that needs no operator's claim.
func (r *Relayer) proposeRefund(ctx context.Context, cur round) (bool, error) {
	var due []Transfer
	var spends []Spend
	if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		if spends, err = tx.Spends(SpendQuery{}); err != nil {
			return err
		}
		due, err = tx.Transfers(TransferQuery{States: []State{StateRefundDue}, Limit: r.cfg.Batch})
		return err
	}); err != nil {
		return false, err
	}
	if _, busy := inFlight(spends, ""); busy {
		return true, nil // nothing else may be proposed either
	}
	c := r.cfg.Releases
	for _, t := range due {
		if slices.ContainsFunc(spends, func(s Spend) bool { return s.Kind == SpendRefund && s.Ref == t.ID && s.Live() }) {
			continue
		}
		po, why := c.refundPayout(t)
		if why != "" {
			continue // a claim: listed by Claims
		}
		lock := t.Lock
		spend := chains.ReserveSpend{Refund: &lock, Payouts: []chains.Payout{po}, RefHeight: cur.RefHeight, Expiry: cur.Expiry, FeeRate: c.FeeRate}
		sub, err := c.Reserve.Build(ctx, chains.BuildRequest{Kind: chains.SubmitReserveSpend, Spend: &spend})
		if err != nil {
			return false, fmt.Errorf("building the refund of %s: %w", t.ID, err)
		}
		p := Proposal{Round: cur.N, Spend: spend, TxID: sub.TxID, Payload: sub.Payload}
		if _, err := r.consider(ctx, r.self, p, cur); err != nil {
			return false, err
		}
		return true, r.sendProposal(ctx, p)
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
	rd := r.cfg.Releases.round(p.Round, r.cfg.Confirmations)
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
	if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		spends, err = tx.Spends(SpendQuery{})
		return err
	}); err != nil {
		return false, err
	}
	if slices.ContainsFunc(spends, func(sp Spend) bool { return sp.TxID == p.TxID && sp.SignedByUs }) {
		return true, nil // signed before: our signatures are re-sent by resend
	}
	var d decision
	switch {
	case p.Spend.ConsolidateAbove != 0:
		d = r.checkConsolidation(p, rd)
	case p.Spend.Refund != nil:
		d, err = r.checkRefundProposal(ctx, p, rd, spends)
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
	sub, err := r.cfg.Releases.Reserve.Build(ctx, chains.BuildRequest{Kind: chains.SubmitReserveSpend, Spend: &s})
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

// checkReleaseProposal checks a release against this relayer's burns and
// releases (rules 3 and 4) and the request it would make itself.
func (r *Relayer) checkReleaseProposal(ctx context.Context, p Proposal, rd round) (decision, error) {
	s := p.Spend
	v, err := r.view(ctx, s.Chain, false)
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
func (r *Relayer) checkRefundProposal(ctx context.Context, p Proposal, rd round, spends []Spend) (decision, error) {
	id := p.Spend.Refund.TransferID()
	var t Transfer
	err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		t, err = tx.Transfer(id)
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
	}
	err := r.cfg.Store.Update(ctx, func(tx Tx) error {
		// SECURITY: rule 3 again inside the transaction that records the
		// decision, so nothing slipped in since the view was read.
		spends, err := tx.Spends(SpendQuery{Kinds: []SpendKind{d.kind}})
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
		rd := r.cfg.Releases.round(p.Round, r.cfg.Confirmations)
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
	rec := SpendRecord{TxID: p.TxID, Kind: string(SpendRelease), Round: p.Round, Proposer: hex.EncodeToString(from),
		Chain: uint32(p.Spend.Chain), From: p.Spend.FromNonce, To: p.Spend.ToNonce, Expiry: rd.Expiry, Unsigned: hex.EncodeToString(p.Payload)}
	if p.Spend.Refund != nil {
		rec.Kind, rec.Ref, rec.Chain, rec.From, rec.To = string(SpendRefund), p.Spend.Refund.TransferID(), 0, 0, 0
	}
	return r.cfg.Store.Update(ctx, func(tx Tx) error {
		_, err := tx.Journal(ReserveSpendRefused{SpendRecord: rec, Reason: why})
		return err
	})
}

// assemble broadcasts every spend this relayer signed that has k signature
// sets: the reserve sink keeps k that verify, checks every input with the
// script verifier, and sends it through the light node.
func (r *Relayer) assemble(ctx context.Context) error {
	var todo []Spend
	sigs := map[string][]SpendSignature{}
	if err := r.cfg.Store.View(ctx, func(tx Tx) error {
		spends, err := tx.Spends(SpendQuery{States: []SpendState{SpendSigned}, SignedByUs: true})
		if err != nil {
			return err
		}
		for _, s := range spends {
			ss, err := tx.SpendSignatures(s.TxID)
			if err != nil {
				return err
			}
			if len(ss) >= r.cfg.Threshold {
				todo, sigs[s.TxID] = append(todo, s), ss
			}
		}
		return nil
	}); err != nil {
		return err
	}
	for _, s := range todo {
		st, signers, err := r.submitSpend(ctx, s, sigs[s.TxID])
		if fault.KindOf(err) == fault.Rejected {
			r.log.Info("spend not assembled yet", "spend", s.TxID, "err", err)
			continue // fewer than k valid sets: wait for more
		}
		if err != nil && st.TxID == "" {
			return err
		}
		// A transient broadcast failure (no peer yet) still queued the
		// transaction in the light node, which sends it when a peer connects.
		if err := r.cfg.Store.Update(ctx, func(tx Tx) error {
			cur, err := tx.Spend(s.TxID)
			if err != nil || cur.State != SpendSigned {
				return err
			}
			cur.State, cur.UpdatedAt = SpendBroadcast, tx.Now()
			if err := r.putSpendAndBurns(tx, cur, BurnBroadcast, cur.TxID); err != nil {
				return err
			}
			_, err = tx.Journal(ReserveSpendSent{TxID: s.TxID, Tx: st.TxID, Signers: signers})
			return err
		}); err != nil {
			return err
		}
		r.log.Info("release broadcast", "spend", s.TxID, "tx", st.TxID)
	}
	return nil
}

func (r *Relayer) submitSpend(ctx context.Context, s Spend, sets []SpendSignature) (chains.Status, []string, error) {
	req := chains.SubmitRequest{Submission: chains.Submission{Kind: chains.SubmitReserveSpend, ID: s.TxID, Payload: s.Unsigned,
		Threshold: r.cfg.Threshold, Inputs: s.Inputs, TxID: s.TxID}}
	var signers []string
	for _, set := range sets {
		signers = append(signers, hex.EncodeToString(set.Signer))
		for i, sg := range set.Sigs {
			req.Signatures = append(req.Signatures, chains.Signature{Signer: set.Signer, Digest: i, Sig: sg})
		}
	}
	st, err := r.cfg.Releases.Reserve.Submit(ctx, req)
	return st, signers, err
}

// expire marks dead every spend of ours whose expiry height is below the
// final height this relayer has observed the FLUX chain to: it was not
// mined by then (the observe step would have recorded it), so it never can be.
func (r *Relayer) expire(ctx context.Context, final uint64) error {
	expired := func(tx Tx) ([]Spend, error) {
		spends, err := tx.Spends(SpendQuery{States: []SpendState{SpendSigned, SpendBroadcast}})
		return slices.DeleteFunc(spends, func(s Spend) bool { return s.Expiry == 0 || s.Expiry >= final }), err
	}
	var due bool
	if err := r.cfg.Store.View(ctx, func(tx Tx) error { // a write transaction only when there is something to write
		spends, err := expired(tx)
		due = len(spends) > 0
		return err
	}); err != nil || !due {
		return err
	}
	return r.cfg.Store.Update(ctx, func(tx Tx) error {
		spends, err := expired(tx)
		if err != nil {
			return err
		}
		for _, s := range spends {
			if err := r.markDead(tx, s, fmt.Sprintf("not mined by its expiry height %d; the final height is %d", s.Expiry, final), final); err != nil {
				return err
			}
		}
		return nil
	})
}

// resend re-sends, every Rebroadcast interval, what peers may have missed:
// this relayer's proposals and signature sets of spends not yet broadcast,
// and the assembled transactions of spends broadcast but not yet mined.
func (r *Relayer) resend(ctx context.Context) error {
	var spends []Spend
	if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		spends, err = tx.Spends(SpendQuery{States: []SpendState{SpendSigned, SpendBroadcast}, SignedByUs: true})
		return err
	}); err != nil {
		return err
	}
	// Forget what was sent for spends that are no longer in flight.
	live := map[string]bool{}
	for _, s := range spends {
		live[s.TxID] = true
	}
	r.mu.Lock()
	for id := range r.sigsSent {
		if !live[id] {
			delete(r.sigsSent, id)
		}
	}
	for id := range r.proposed {
		if !live[id] {
			delete(r.proposed, id)
		}
	}
	if len(r.refusedSpends) > 10_000 { // a refusal may be journaled again after this; that is all
		clear(r.refusedSpends)
	}
	r.mu.Unlock()
	now := r.cfg.Now()
	for _, s := range spends {
		r.mu.Lock()
		last := r.sigsSent[s.TxID]
		proposal := r.proposed[s.TxID]
		due := now.Sub(last) >= r.cfg.Rebroadcast
		if due {
			r.sigsSent[s.TxID] = now
		}
		r.mu.Unlock()
		if !due {
			continue
		}
		if s.State == SpendBroadcast {
			var sets []SpendSignature
			if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
				sets, err = tx.SpendSignatures(s.TxID)
				return err
			}); err != nil {
				return err
			}
			if _, _, err := r.submitSpend(ctx, s, sets); err != nil {
				r.log.Debug("re-broadcasting a spend", "spend", s.TxID, "err", err)
			}
			continue
		}
		if proposal != nil {
			kind, _ := envelopeKinds(s.Kind)
			if err := r.cfg.Outbox.Broadcast(ctx, kind, proposal); err != nil {
				return err
			}
		}
		var own SpendSignature
		if err := r.cfg.Store.View(ctx, func(tx Tx) error {
			sets, err := tx.SpendSignatures(s.TxID)
			for _, set := range sets {
				if bytes.Equal(set.Signer, r.self) {
					own = set
				}
			}
			return err
		}); err != nil {
			return err
		}
		if len(own.Sigs) > 0 {
			if err := r.sendSignatures(ctx, s.Kind, s.TxID, own.Sigs); err != nil {
				return err
			}
		}
	}
	return nil
}
