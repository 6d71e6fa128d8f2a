package relayer

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

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
			set := r.spendSet(s)
			ss = slices.DeleteFunc(ss, func(x SpendSignature) bool { return !set.has(x.Signer) })
			if len(ss) >= set.threshold {
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
	set := r.spendSet(s)
	req := chains.SubmitRequest{Submission: chains.Submission{Kind: chains.SubmitReserveSpend, ID: s.TxID, Payload: s.Unsigned,
		Threshold: set.threshold, Inputs: s.Inputs, TxID: s.TxID}}
	var signers []string
	for _, set := range sets {
		signers = append(signers, hex.EncodeToString(set.Signer))
		for i, sg := range set.Sigs {
			req.Signatures = append(req.Signatures, chains.Signature{Signer: set.Signer, Digest: i, Sig: sg})
		}
	}
	st, err := set.reserve.Submit(ctx, req)
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
