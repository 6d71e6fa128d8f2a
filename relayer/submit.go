package relayer

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// submit sends the signed mints this relayer is the submitter of: rank 0 as
// soon as it has a quorum, rank r once r failover periods passed without the
// mint showing on the destination (DESIGN §4: a deterministic submitter with
// failover). A transfer's NextAttempt holds its rank's turn, and after a
// failed attempt its backoff, so the step takes the transfers whose attempt
// is due, longest waiting first: a mint the destination keeps refusing waits
// its turn and never starves newer ones. Submitting is idempotent on the
// destination ("lock used" is success), so a failover that races the slow
// submitter costs gas, not money.
func (r *Relayer) submit(ctx context.Context) error {
	var due []Transfer
	now := r.cfg.Now()
	if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		due, err = tx.Transfers(TransferQuery{States: []State{StateQuorum}, AttemptDue: now, Limit: r.cfg.Batch})
		return err
	}); err != nil {
		return err
	}
	due = slices.DeleteFunc(due, func(t Transfer) bool { _, ok := r.dests[t.Dest]; return !ok })
	errs := make([]error, len(due))
	parallel(ctx, r.cfg.Workers, len(due), func(i int) {
		t := due[i]
		d := r.dests[t.Dest]
		rank := SubmitterRank(t.ID, r.members(), r.self)
		if rank > 0 {
			if minted, err := r.alreadyMinted(ctx, d, t); err != nil || minted {
				errs[i] = err
				return
			}
		}
		errs[i] = r.attempt(ctx, d, t, rank)
	})
	return errors.Join(errs...)
}

// attempt submits one mint and records a failure with its backoff (and, for
// a mint the destination forbids, the refund it is due).
func (r *Relayer) attempt(ctx context.Context, d Destination, t Transfer, rank int) error {
	signers, err := r.submitOne(ctx, d, t, rank)
	if err == nil || ctx.Err() != nil {
		return err
	}
	journaled, uerr := r.recordFailure(ctx, t, fault.KindOf(err), err.Error(), signers)
	switch {
	case uerr != nil:
		return errors.Join(err, uerr)
	case journaled == KindRefundDue:
		r.log.Warn("the destination forbids a mint: the lock is due a refund", "transfer", t.ID, "err", err)
	case journaled != "":
		r.log.Warn("the destination refused a mint", "transfer", t.ID, "err", err)
	}
	if k := fault.KindOf(err); k == fault.Rejected || k == fault.Forbidden {
		return nil // recorded, journaled once per reason, and backing off
	}
	return err // transient or unexpected: the step's log shows it once
}

// recordFailure stores what failedAttempt decides for a failed attempt on t,
// with its journal entry if any, and returns that entry's kind.
func (r *Relayer) recordFailure(ctx context.Context, t Transfer, kind fault.Kind, reason string, signers []string) (journaled string, err error) {
	err = r.cfg.Store.Update(ctx, func(tx Tx) error {
		journaled = ""
		cur, err := tx.Transfer(t.ID)
		if err != nil {
			return err
		}
		if cur.State != t.State {
			return nil // it moved on meanwhile (minted by someone else)
		}
		next, entry := failedAttempt(cur, tx.Now(), kind, reason, signers, r.cfg.Retry)
		if err := tx.PutTransfer(next); err != nil {
			return err
		}
		if entry == nil {
			return nil
		}
		journaled = entry.JournalKind()
		_, err = tx.Journal(entry)
		return err
	})
	return journaled, err
}

// submitOne builds the mint again, attaches k signatures over this
// relayer's own digest and sends it. It returns the signers it used (hex),
// for the journal of a refusal.
func (r *Relayer) submitOne(ctx context.Context, d Destination, t Transfer, rank int) ([]string, error) {
	var atts []Attestation
	if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		atts, err = tx.Attestations(t.ID)
		return err
	}); err != nil {
		return nil, err
	}
	good := r.matching(atts, t.Digest)
	if !r.mintQuorum(t.Dest, signersOf(good)) {
		// A lock that reached k through its batch may still wait for some
		// per-lock attestations (the rebroadcast brings them).
		return nil, fault.E("relayer.submit", fault.Transient, fmt.Errorf("%s has %d matching attestations of its own, not k", t.ID, len(good)))
	}
	good = r.mintSignatures(t.Dest, good)
	sigs := make([]chains.Signature, len(good))
	signers := make([][]byte, len(good))
	hexSigners := make([]string, len(good))
	for i, a := range good {
		sigs[i] = chains.Signature{Signer: a.Signer, Digest: 0, Sig: a.Sig}
		signers[i], hexSigners[i] = a.Signer, hex.EncodeToString(a.Signer)
	}
	mint := t.Mint()
	sub, err := d.Sink.Build(ctx, chains.BuildRequest{Kind: chains.SubmitMint, Mint: &mint})
	if err != nil {
		return hexSigners, err
	}
	var digest [32]byte
	copy(digest[:], t.Digest)
	if err := checkSubmission(sub, t.ID, digest); err != nil {
		return hexSigners, err
	}
	st, err := d.Sink.Submit(ctx, chains.SubmitRequest{Submission: sub, Signatures: sigs})
	if err != nil {
		return hexSigners, err
	}
	err = r.cfg.Store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Transfer(t.ID)
		if err != nil {
			return err
		}
		if cur.State != StateQuorum && cur.State != StateSubmitted {
			return nil
		}
		now := tx.Now()
		cur.State, cur.SubmittedAt, cur.UpdatedAt, cur.MintTx = StateSubmitted, now, now, st.TxID
		cur.Attempts, cur.Refused, cur.NextAttempt = 0, "", now.Add(r.cfg.FailoverAfter)
		if st.State == chains.StatePartial {
			cur.Reason = st.Reason
		}
		if err := tx.PutTransfer(cur); err != nil {
			return err
		}
		if err := tx.AddSubmission(Submission{TransferID: t.ID, Dest: d.Chain, TxID: st.TxID, State: st.State, Signers: signers, At: now}); err != nil {
			return err
		}
		_, err = tx.Journal(MintSubmitted{ID: t.ID, Tx: st.TxID, State: string(st.State), Rank: rank, Signers: hexSigners})
		return err
	})
	if err != nil {
		return hexSigners, err
	}
	if st.State == chains.StateDone {
		return hexSigners, r.markMinted(ctx, t.ID, st)
	}
	return hexSigners, nil
}

// confirm reads the destination status of the transfers this relayer signed
// and records those the destination shows fully minted at its finalized block.
func (r *Relayer) confirm(ctx context.Context) error {
	var todo []Transfer
	if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		todo, err = tx.Transfers(TransferQuery{States: []State{StateAttested, StateQuorum, StateSubmitted}, Limit: 4 * r.cfg.Batch, NoEvidence: true})
		return err
	}); err != nil {
		return err
	}
	now := r.cfg.Now()
	var due []Transfer
	r.mu.Lock()
	for _, t := range todo {
		// Own submissions are followed every StatusPoll; a transfer still
		// waiting for its quorum or its submitter only every failover
		// period (someone else may have minted it), so a large backlog does
		// not flood the destination's RPC. A batch still waiting is
		// followed every StatusPoll too, through one member
		// (batchRepresentatives): its transaction mints up to MintBatch
		// locks at once, recorded here before its window ends and the
		// per-lock path would wake for them.
		every := r.cfg.StatusPoll
		if t.State != StateSubmitted && !r.waitingForBatch(t, now) {
			every = max(every, r.cfg.FailoverAfter)
		}
		if _, ok := r.dests[t.Dest]; ok && now.Sub(r.polled[t.ID]) >= every {
			due = append(due, t)
		}
	}
	forgetOlder(r.polled, now.Add(-10*max(r.cfg.StatusPoll, r.cfg.FailoverAfter))) // a moving transfer is polled within one
	r.mu.Unlock()
	due = r.skipBatchesInFlight(ctx, now, due)
	due, held := r.batchRepresentatives(now, due)
	errs := make([]error, len(due))
	minted := make([]bool, len(due))
	parallel(ctx, r.cfg.Workers, len(due), func(i int) {
		minted[i], errs[i] = r.confirmOne(ctx, now, due[i])
	})
	// A representative minted: its batch's transaction may have minted the
	// rest, so they are read now rather than a failover period later.
	var rest []Transfer
	for i, t := range due {
		if minted[i] && t.Batch != "" {
			rest = append(rest, held[t.Batch]...)
		}
	}
	more := make([]error, len(rest))
	parallel(ctx, r.cfg.Workers, len(rest), func(i int) {
		_, more[i] = r.confirmOne(ctx, now, rest[i])
	})
	return errors.Join(append(errs, more...)...)
}

// batchRepresentatives keeps, of the members of a batch still waiting for
// it (waitingForBatch), only the first in due: one status read per batch
// and status period instead of one per member
// while nothing but the batch's transaction can have minted them (the
// per-lock path starts only after BatchWait, and its submit step asks the
// destination first). The others are returned by batch, counted as polled
// now, to be read at once if their representative shows minted.
func (r *Relayer) batchRepresentatives(now time.Time, due []Transfer) ([]Transfer, map[string][]Transfer) {
	held := map[string][]Transfer{}
	seen := map[string]bool{}
	out := due[:0]
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range due {
		switch {
		case !r.waitingForBatch(t, now):
			out = append(out, t)
		case !seen[t.Batch]:
			seen[t.Batch] = true
			out = append(out, t)
		default:
			held[t.Batch] = append(held[t.Batch], t)
			r.polled[t.ID] = now
		}
	}
	return out, held
}

// waitingForBatch reports whether t waits for its batch: attested or at
// quorum within BatchWait, when nothing but the batch's transaction can
// mint it.
func (r *Relayer) waitingForBatch(t Transfer, now time.Time) bool {
	return t.Batch != "" && (t.State == StateAttested || t.State == StateQuorum) && now.Before(t.AttestedAt.Add(r.cfg.BatchWait))
}

// skipBatchesInFlight drops from due the submitted members of our batches
// whose transaction the destination still has pending or not final: one
// status read per batch instead of one per member, and none of them can be
// final before it (a member another relayer minted meanwhile is recorded
// once the batch's transaction settles). Members of a batch whose status
// says anything else, or cannot be read, stay due.
func (r *Relayer) skipBatchesInFlight(ctx context.Context, now time.Time, due []Transfer) []Transfer {
	batches := map[string]chains.ID{}
	var ids []string
	for _, t := range due {
		if _, ok := batches[t.Batch]; ok || t.State != StateSubmitted || t.Batch == "" {
			continue
		}
		batches[t.Batch] = t.Dest
		ids = append(ids, t.Batch)
	}
	if len(ids) == 0 {
		return due
	}
	flying := make([]bool, len(ids))
	parallel(ctx, r.cfg.Workers, len(ids), func(i int) {
		st, err := r.dests[batches[ids[i]]].Sink.Status(ctx, chains.SubmitMintBatch, ids[i])
		flying[i] = err == nil && (st.State == chains.StatePending || st.State == chains.StateIncluded)
	})
	skip := map[string]bool{}
	for i, id := range ids {
		skip[id] = flying[i]
	}
	out := due[:0]
	r.mu.Lock()
	for _, t := range due {
		if t.State == StateSubmitted && skip[t.Batch] {
			r.polled[t.ID] = now
			continue
		}
		out = append(out, t)
	}
	r.mu.Unlock()
	return out
}

// confirmOne reads one transfer's destination status and acts on it.
// It reports whether the destination shows the transfer minted.
func (r *Relayer) confirmOne(ctx context.Context, now time.Time, t Transfer) (bool, error) {
	d := r.dests[t.Dest]
	st, err := d.Sink.Status(ctx, chains.SubmitMint, t.ID)
	if err != nil {
		return false, err
	}
	r.mu.Lock()
	r.polled[t.ID] = now
	r.mu.Unlock()
	switch planConfirm(t, st, now) {
	case confirmMinted:
		return true, r.markMinted(ctx, t.ID, st)
	case confirmResubmit:
		return false, r.attempt(ctx, d, t, SubmitterRank(t.ID, r.members(), r.self))
	}
	return false, nil
}

// confirmAction is what a destination's status asks of a transfer.
type confirmAction int

const (
	confirmWait     confirmAction = iota // nothing to do yet
	confirmMinted                        // record it minted
	confirmResubmit                      // submit it again
)

// planConfirm decides what a transfer's destination status asks for: a
// mint the destination shows done is recorded; one this relayer submitted
// whose transaction vanished, failed or minted only an instalment is
// submitted again once its next attempt is due (idempotent on the
// destination, backing off on failure like a first attempt). Pure.
func planConfirm(t Transfer, st chains.Status, now time.Time) confirmAction {
	switch {
	case st.State == chains.StateDone:
		return confirmMinted
	case t.State == StateSubmitted && !now.Before(t.NextAttempt) &&
		(st.State == chains.StateUnknown || st.State == chains.StateFailed || st.State == chains.StatePartial):
		return confirmResubmit
	}
	return confirmWait
}

// markMinted records that the destination shows a transfer fully minted.
func (r *Relayer) markMinted(ctx context.Context, id string, st chains.Status) error {
	err := r.cfg.Store.Update(ctx, func(tx Tx) error {
		t, err := tx.Transfer(id)
		if err != nil {
			return err
		}
		if t.State == StateMinted || !CanMove(t.State, StateMinted) {
			return nil
		}
		now := tx.Now()
		t.State, t.MintedAt, t.UpdatedAt, t.Minted = StateMinted, now, now, st.Minted
		if st.TxID != "" {
			t.MintTx = st.TxID
		}
		if err := tx.PutTransfer(t); err != nil {
			return err
		}
		_, err = tx.Journal(Minted{ID: id, Tx: st.TxID, Block: st.Block.Hash, Height: st.Block.Height, Minted: st.Minted})
		return err
	})
	if err == nil {
		r.mu.Lock()
		delete(r.polled, id)
		delete(r.sent, id)
		r.mu.Unlock()
	}
	return err
}

// rebroadcast sends this relayer's attestations for transfers it has not
// seen minted again, so a peer that was down or dropped them still reaches
// its quorum. Each transfer backs off (Rebroadcast, doubling to 16 times
// it) so a large backlog does not flood the peers. A batched lock's
// attestation is sent here first, at the end of its batch's window.
func (r *Relayer) rebroadcast(ctx context.Context) error {
	var todo []Transfer
	if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		todo, err = tx.Transfers(TransferQuery{States: []State{StateAttested, StateQuorum, StateSubmitted}, Limit: 4 * r.cfg.Batch, NoEvidence: true})
		return err
	}); err != nil {
		return err
	}
	now := r.cfg.Now()
	for _, t := range todo {
		if t.Batch != "" && now.Before(t.AttestedAt.Add(r.cfg.BatchWait)) {
			// In its batch's window only the batch mints it: our
			// attestation of the lock leaves once the window is over (the
			// per-lock path submits nothing before), the batch's signature
			// until then.
			if t.State != StateSubmitted {
				if err := r.rebroadcastBatch(ctx, t, now); err != nil {
					return err
				}
			}
			continue
		}
		r.mu.Lock()
		last, ok := r.sent[t.ID]
		r.mu.Unlock()
		if ok && !rebroadcastDue(t.AttestedAt, last, now, r.cfg.Rebroadcast) {
			continue
		}
		var own []Attestation
		if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
			own, err = tx.Attestations(t.ID)
			return err
		}); err != nil {
			return err
		}
		for _, a := range own {
			if string(a.Signer) != string(r.self) {
				continue
			}
			payload, err := MarshalAttestation(a)
			if err != nil {
				return err
			}
			if err := r.cfg.Outbox.Broadcast(ctx, KindMintAttestation, payload); err != nil {
				return err
			}
		}
		r.mu.Lock()
		r.sent[t.ID] = now
		r.mu.Unlock()
		if t.Batch != "" && t.State != StateSubmitted {
			if err := r.rebroadcastBatch(ctx, t, now); err != nil {
				return err
			}
		}
	}
	// A transfer still moving is sent again within 16 periods; one that
	// ended without being minted here is forgotten after twice that.
	r.mu.Lock()
	forgetOlder(r.sent, now.Add(-32*r.cfg.Rebroadcast))
	r.mu.Unlock()
	return nil
}

// forgetOlder deletes the entries of m set before cutoff: the maps of when a
// transfer was last sent or polled matter only while it moves, so they stay
// as large as the work in flight, not as the work done.
func forgetOlder(m map[string]time.Time, cutoff time.Time) {
	for id, at := range m {
		if at.Before(cutoff) {
			delete(m, id)
		}
	}
}

// rebroadcastDue reports whether an attestation last sent at last is due
// again: every base at first, then 2×, 4× … up to 16× base as the transfer
// ages since it was attested, so a large backlog does not flood the peers.
// Pure.
func rebroadcastDue(attestedAt, last, now time.Time, base time.Duration) bool {
	wait := base
	if !attestedAt.IsZero() {
		for age := now.Sub(attestedAt); wait < 16*base && age > 2*wait; wait *= 2 {
		}
	}
	return now.Sub(last) >= wait
}

// recordHeads stores each chain's head for `fluxbridge status`.
func (r *Relayer) recordHeads(ctx context.Context) error {
	heads := map[chains.ID]chains.Head{}
	h, err := r.cfg.Source.Head(ctx)
	if err != nil {
		h = chains.Head{Reason: err.Error()}
	}
	heads[r.cfg.Source.Chain()] = h
	for _, d := range r.dests {
		l, err := d.Sink.Ledger(ctx)
		dh := chains.Head{Final: l.At, Tip: l.At, Healthy: err == nil}
		if err != nil {
			dh.Reason = err.Error()
		}
		heads[d.Chain] = dh
	}
	return r.cfg.Store.Update(ctx, func(tx Tx) error {
		for c, h := range heads {
			if err := tx.PutHead(c, h); err != nil {
				return err
			}
		}
		return nil
	})
}
