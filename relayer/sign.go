package relayer

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// sign is the signing step: for final (and due queued) transfers it applies
// the governor, re-verifies the lock on the light node, checks the
// accountant invariant, checks the sink's digest against its own and signs
// (DESIGN §4 rules 1, 2 and 5). Nothing is signed while paused, halted or
// unhealthy. It reads what it decides on, decides with planSign (a pure
// function of those values), does the I/O the plan asks for (re-verifying
// and signing), and applies the outcome in one Update.
func (r *Relayer) sign(ctx context.Context) error {
	in := signInput{Now: r.cfg.Now(), Used: map[chains.ID]uint64{}}
	err := r.cfg.Store.View(ctx, func(tx Tx) error {
		var err error
		if in.Paused, _, err = tx.Setting(SettingPaused); err != nil {
			return err
		}
		if in.Halted, _, err = tx.Setting(SettingHalted); err != nil {
			return err
		}
		if in.Todo, err = tx.Transfers(TransferQuery{States: []State{StateFinal}, Limit: r.cfg.Batch}); err != nil {
			return err
		}
		in.Todo = wholeBlocks(in.Todo, len(in.Todo) == r.cfg.Batch)
		due, err := tx.Transfers(TransferQuery{States: []State{StateQueued}, DueBefore: in.Now, Limit: r.cfg.Batch})
		if err != nil {
			return err
		}
		in.Todo = append(in.Todo, due...)
		if in.Locked, err = tx.LockedTotal(); err != nil {
			return err
		}
		for c := range r.dests {
			if in.Used[c], err = tx.Approved(c, r.cfg.Governor.WindowStart(in.Now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || len(in.Todo) == 0 {
		return err
	}
	if in.Halted == "" && in.Paused == "" {
		in.Head, in.HeadErr = r.cfg.Source.Head(ctx)
		for _, d := range r.dests {
			if in.HeadErr != nil || !in.Head.Healthy {
				break
			}
			l, err := d.Sink.Ledger(ctx)
			if err != nil {
				in.LedgerErr = fmt.Errorf("chain %s: reading the ledger: %w", d.Chain, err)
				break
			}
			in.Ledgers = append(in.Ledgers, l)
		}
	}
	plan := planSign(r.dests, r.cfg.Governor, in)
	if err := r.refuse(ctx, plan.Refusal); err != nil || plan.Refusal.Cause != RefusalNone {
		return err
	}
	if b := plan.Breach; b != nil {
		consumed, err := r.alreadyMinted(ctx, r.dests[b.t.Dest], b.t)
		if err != nil {
			return err
		}
		if !consumed {
			return r.halt(ctx, SigningHalted{Reason: b.err.Error(), Transfer: b.t.ID, Minted: b.err.Minted, This: b.err.This, Locked: b.err.Locked})
		}
	}
	// Re-verify and sign in parallel (light node and plugin round trips),
	// then store the whole outcome in one transaction.
	parallel(ctx, r.cfg.Workers, len(plan.Sign), func(i int) {
		plan.Sign[i].err = r.prepare(ctx, &plan.Sign[i], in.Head)
	})
	batches, err := r.signBatches(ctx, plan.Sign)
	if err != nil {
		return err
	}
	return r.applySign(ctx, plan, batches, in.Head)
}

// signedBatch is a batch the sign step signed: its id, batch digest and
// signature, and the payload of its mint-batch-signature envelope.
type signedBatch struct {
	batchOf
	id      string
	digest  [32]byte
	sig     []byte
	payload []byte
}

// signBatches forms the step's batches from the candidates it signed
// (planBatches) and signs each batch digest; nothing is stored yet.
func (r *Relayer) signBatches(ctx context.Context, cands []candidate) ([]signedBatch, error) {
	var out []signedBatch
	for _, b := range planBatches(cands, r.cfg.MintBatch) {
		d := r.dests[b.dest]
		sb := signedBatch{batchOf: b, digest: chains.BatchDigest(d.Chain, d.Bridge, b.digests)}
		sb.id = chains.BatchID(sb.digest)
		sig, err := r.cfg.Signer.Sign(ctx, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: sb.digest[:]})
		if err != nil {
			return nil, fmt.Errorf("signing batch %s: %w", sb.id, err)
		}
		sb.sig = sig.Sig
		if sb.payload, err = MarshalBatchSignature(BatchSignature{Dest: d.Chain, Digests: b.digests, Sig: sig.Sig}); err != nil {
			return nil, err
		}
		out = append(out, sb)
	}
	return out, nil
}

// signInput is what the sign step decides on, read in one pass: the
// transfers to sign, the operator's pause and the relayer's halt, the light
// node's head, the destinations' ledgers, the reserve's locked total and
// the governor's use of each chain's window.
type signInput struct {
	Now            time.Time
	Todo           []Transfer
	Paused, Halted string
	Head           chains.Head
	HeadErr        error
	Ledgers        []chains.Ledger
	LedgerErr      error
	Locked         uint64
	Used           map[chains.ID]uint64
}

// signPlan is what the sign step does.
type signPlan struct {
	// Refusal, when not zero, is why nothing is signed now.
	Refusal Refusal
	// Forbid are transfers their destination can never mint (due a refund),
	// Hold those the governor holds, with its decision.
	Forbid []forbidden
	Hold   []held
	// Sign are the transfers to re-verify and sign, in order.
	Sign []candidate
	// Breach is the transfer at which the accountant invariant would break:
	// the step asks its destination whether it is minted already (by the
	// others while this relayer was away) and halts if not. Nothing after it
	// is planned.
	Breach *breach
}

type forbidden struct {
	t      Transfer
	reason string
}

type held struct {
	t   Transfer
	dec Decision
}

type breach struct {
	t   Transfer
	err *AccountantError
}

// planSign decides the sign step over values; it does no I/O.
func planSign(dests map[chains.ID]Destination, gov Governor, in signInput) signPlan {
	var p signPlan
	switch {
	case in.Halted != "":
		p.Refusal = Refusal{Cause: RefusalHalted, Reason: "halted: " + in.Halted}
	case in.Paused != "":
		p.Refusal = Refusal{Cause: RefusalPaused, Reason: "paused: " + in.Paused}
	case in.HeadErr != nil:
		p.Refusal = Refusal{Cause: RefusalUnhealthy, Reason: "light node: " + in.HeadErr.Error()}
	case !in.Head.Healthy:
		p.Refusal = Refusal{Cause: RefusalUnhealthy, Reason: "light node unhealthy: " + in.Head.Reason}
	case in.LedgerErr != nil:
		p.Refusal = Refusal{Cause: RefusalLedger, Reason: in.LedgerErr.Error()}
	}
	if p.Refusal.Cause != RefusalNone {
		return p
	}
	used := maps.Clone(in.Used)
	// SECURITY: the ledgers are read once per batch and every signature of
	// the batch is added to them, so the batch as a whole keeps the invariant.
	var batch uint64
	for _, t := range in.Todo {
		d, ok := dests[t.Dest]
		if !ok {
			continue // the reserve scanner accepts only configured chains; nothing to sign
		}
		if reason := d.forbids(t.Amount); reason != "" {
			// SECURITY: never sign what the destination can never mint: the
			// signatures would be useless and the lock stuck. It is refunded.
			p.Forbid = append(p.Forbid, forbidden{t: t, reason: reason})
			continue
		}
		dec := gov.Decide(in.Now, t, used[t.Dest])
		if !dec.Approve {
			if t.State != StateQueued || !t.ReleaseAt.Equal(dec.ReleaseAt) || t.Reason != dec.Reason {
				p.Hold = append(p.Hold, held{t: t, dec: dec})
			}
			continue
		}
		if err := CheckAccountant(in.Ledgers, batch+t.Amount, in.Locked); err != nil {
			var ae *AccountantError
			errors.As(err, &ae)
			p.Breach = &breach{t: t, err: ae}
			return p
		}
		batch += t.Amount
		used[t.Dest] += t.Amount
		p.Sign = append(p.Sign, candidate{t: t, d: d, why: dec.Reason})
	}
	return p
}

// candidate is one transfer the sign step is about to sign.
type candidate struct {
	t   Transfer
	d   Destination
	why string
	// Set by prepare:
	ev      chains.Event
	digest  [32]byte
	sig     chains.Signature
	payload []byte
	err     error
}

// parallel runs fn(0..n-1) on at most workers goroutines and waits.
func parallel(ctx context.Context, workers, n int, fn func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() { // "worker": stops when next is closed
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		next <- i // a worker is always receiving until next is closed
	}
	close(next)
	wg.Wait()
}

// refuse records why signing is refused (the zero Refusal when it is allowed
// again), journaling each change so the journal explains every gap in signing.
func (r *Relayer) refuse(ctx context.Context, why Refusal) error {
	r.mu.Lock()
	prev := r.refusing
	r.refusing = why
	r.mu.Unlock()
	if prev == why {
		return nil
	}
	var entry Entry = SigningRefused{Reason: why.Reason, Cause: string(why.Cause)}
	if why.Cause == RefusalNone {
		entry = SigningHealthy{Previous: prev.Reason}
		r.log.Info("signing allowed again", "was", prev.Reason)
	} else {
		r.log.Warn("signing refused", "reason", why.Reason)
	}
	return r.cfg.Store.Update(ctx, func(tx Tx) error {
		_, err := tx.Journal(entry)
		return err
	})
}

// alreadyMinted asks the destination whether t is already minted (by the
// others while this relayer was away) and records it if so.
func (r *Relayer) alreadyMinted(ctx context.Context, d Destination, t Transfer) (bool, error) {
	st, err := d.Sink.Status(ctx, chains.SubmitMint, t.ID)
	if err != nil {
		return false, err
	}
	switch st.State {
	case chains.StateDone:
		return true, r.markMinted(ctx, t.ID, st)
	case chains.StateIncluded, chains.StatePartial:
		return true, nil
	}
	return false, nil
}

// prepare re-verifies one transfer on the light node and signs its MintAuth
// digest; nothing is stored yet.
func (r *Relayer) prepare(ctx context.Context, c *candidate, head chains.Head) error {
	t := c.t
	// SECURITY (rule 1): re-fetch the lock from the light node now: it must
	// still be on the best chain with the same content, at depth D_L1.
	evs, err := r.cfg.Source.Reobserve(ctx, t.TxID())
	if err != nil {
		return fmt.Errorf("re-verifying the lock: %w", err)
	}
	var ev *chains.Event
	for i := range evs {
		if evs[i].ID == t.ID && !evs[i].Retracted {
			ev = &evs[i]
		}
	}
	switch {
	case ev == nil || ev.Kind != chains.EventLock:
		return errors.New("the light node no longer reports this lock")
	case ev.Amount != t.Amount || ev.DestChain != t.Dest || !bytes.Equal(ev.Recipient, t.Recipient[:]):
		return errors.New("the light node reports different lock content than was stored")
	case ev.Block.Hash != t.Block.Hash:
		return fmt.Errorf("the lock is now in block %s, not %s", ev.Block.Hash, t.Block.Hash)
	case head.Tip.Height < ev.Block.Height || head.Tip.Height-ev.Block.Height+1 < uint64(r.cfg.Confirmations):
		return fmt.Errorf("the lock is at depth %d, below %d", int64(head.Tip.Height)-int64(ev.Block.Height)+1, r.cfg.Confirmations)
	}
	// SECURITY (rule 2): the lock's block must be on the chain most peer
	// relayers' light nodes follow, not only on ours.
	if r.cfg.Peers != nil && r.cfg.Headers != nil {
		peers := r.cfg.Peers.FluxTips(r.cfg.Now().Add(-r.cfg.PeerTipAge))
		if why := judgeLockBlock(ev.Block, r.cfg.Headers.HashAt, peers).refuses(ev.Block); why != "" {
			return errors.New(why)
		}
	}
	c.ev = *ev
	mint := t.Mint()
	c.digest = chains.MintAuthDigest(c.d.Chain, c.d.Bridge, mint)
	if err := r.checkSink(ctx, c.d, mint, c.digest); err != nil {
		return err
	}
	if c.sig, err = r.cfg.Signer.Sign(ctx, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: c.digest[:]}); err != nil {
		return fmt.Errorf("signing: %w", err)
	}
	c.payload, err = MarshalAttestation(Attestation{Dest: c.d.Chain, Mint: mint, Digest: c.digest[:], Sig: c.sig.Sig})
	return err
}

// checkSink asks the destination's sink to build the mint and checks that
// its digest is the relayer's own, once per destination and process: the
// digest binds the configured bridge, so a sink (or contract) that computes
// another one is a configuration error that makes every signature useless,
// found before the first one. The submitter checks every submission again.
func (r *Relayer) checkSink(ctx context.Context, d Destination, mint chains.Mint, digest [32]byte) error {
	r.mu.Lock()
	done := r.sinkChecked[d.Chain]
	r.mu.Unlock()
	if done {
		return nil
	}
	sub, err := d.Sink.Build(ctx, chains.BuildRequest{Kind: chains.SubmitMint, Mint: &mint})
	if err != nil {
		return fmt.Errorf("building the mint: %w", err)
	}
	if err := checkSubmission(sub, mint.Lock.TransferID(), digest); err != nil {
		return err
	}
	r.mu.Lock()
	r.sinkChecked[d.Chain] = true
	r.mu.Unlock()
	return nil
}

// applySign stores a sign step's outcome in one transaction: the refunds
// due, the governor's holds and the prepared signatures, each with its
// journal entry; then it broadcasts the signatures. A transfer that moved on
// meanwhile is left alone.
func (r *Relayer) applySign(ctx context.Context, plan signPlan, batches []signedBatch, head chains.Head) error {
	// single are the signed locks outside any batch: their attestations
	// leave now. A batched lock's waits for the end of its batch's window
	// (rebroadcast): until then only the batch can mint it, so the peers need
	// the batch signature, not 2 × n more envelopes to check and store.
	var single []candidate
	batchOfCand := map[int]*signedBatch{}
	for i := range batches {
		for _, m := range batches[i].members {
			batchOfCand[m] = &batches[i]
		}
	}
	err := r.cfg.Store.Update(ctx, func(tx Tx) error {
		single = single[:0]
		now := tx.Now()
		for _, f := range plan.Forbid {
			cur, err := tx.Transfer(f.t.ID)
			if err != nil {
				return err
			}
			if cur.State != StateFinal && cur.State != StateQueued {
				continue
			}
			next, entry := failedAttempt(cur, now, fault.Forbidden, f.reason, nil, r.cfg.Retry)
			if err := tx.PutTransfer(next); err != nil {
				return err
			}
			if _, err := tx.Journal(entry); err != nil {
				return err
			}
		}
		for _, h := range plan.Hold {
			cur, err := tx.Transfer(h.t.ID)
			if err != nil {
				return err
			}
			if cur.State != StateFinal && cur.State != StateQueued {
				continue
			}
			cur.State, cur.ReleaseAt, cur.Reason, cur.UpdatedAt = StateQueued, h.dec.ReleaseAt, h.dec.Reason, now
			if err := tx.PutTransfer(cur); err != nil {
				return err
			}
			if _, err := tx.Journal(GovernorHeld{ID: cur.ID, Amount: cur.Amount,
				ReleaseAt: h.dec.ReleaseAt.UTC().Format("2006-01-02T15:04:05.000Z"), Reason: h.dec.Reason}); err != nil {
				return err
			}
		}
		for i, c := range plan.Sign {
			if c.err != nil {
				continue
			}
			cur, err := tx.Transfer(c.t.ID)
			if err != nil {
				return err
			}
			if cur.State != StateFinal && cur.State != StateQueued {
				continue // it moved on meanwhile
			}
			cur.State, cur.Digest, cur.AttestedAt, cur.UpdatedAt, cur.Reason = StateAttested, c.digest[:], now, now, c.why
			if b := batchOfCand[i]; b != nil {
				cur.Batch = b.id
			}
			if err := tx.PutTransfer(cur); err != nil {
				return err
			}
			if _, err := tx.AddAttestation(Attestation{TransferID: c.t.ID, Dest: c.d.Chain, Mint: c.t.Mint(), Signer: r.self,
				Digest: c.digest[:], Sig: c.sig.Sig, ReceivedAt: now}); err != nil {
				return err
			}
			if err := tx.Approve(c.d.Chain, c.t.ID, c.t.Amount); err != nil {
				return err
			}
			if _, err := tx.Journal(MintAttested{ID: c.t.ID, Dest: uint32(c.d.Chain),
				Bridge: hex.EncodeToString(c.d.Bridge[:]), Amount: c.t.Amount,
				Recipient: hex.EncodeToString(c.t.Recipient[:]), Digest: hex.EncodeToString(c.digest[:]),
				Sig: hex.EncodeToString(c.sig.Sig), Block: c.ev.Block.Hash, Tip: head.Tip.Height, Governor: c.why}); err != nil {
				return err
			}
			if err := r.checkQuorum(tx, cur); err != nil {
				return err
			}
			if batchOfCand[i] == nil {
				single = append(single, c)
			}
		}
		return r.storeBatches(tx, plan.Sign, batches)
	})
	for _, f := range plan.Forbid {
		r.log.Warn("the destination forbids a lock: it is due a refund", "transfer", f.t.ID, "reason", f.reason)
	}
	for _, c := range plan.Sign {
		if c.err != nil {
			r.log.Warn("not signed", "transfer", c.t.ID, "err", c.err)
		}
	}
	if err != nil {
		return err
	}
	now := r.cfg.Now()
	r.mu.Lock()
	for _, c := range single {
		r.sent[c.t.ID] = now
	}
	r.mu.Unlock()
	// The batch signatures go first: each mints up to MintBatch locks, and
	// a peer handles its envelopes in order.
	for _, b := range batches {
		if err := r.cfg.Outbox.Broadcast(ctx, KindMintBatchSignature, b.payload); err != nil {
			r.log.Warn("broadcasting a batch signature", "batch", b.id, "err", err) // the rebroadcast step retries
		}
	}
	for _, c := range single {
		if err := r.cfg.Outbox.Broadcast(ctx, KindMintAttestation, c.payload); err != nil {
			r.log.Warn("broadcasting an attestation", "transfer", c.t.ID, "err", err) // the rebroadcast step retries
		}
	}
	return nil
}

// storeBatches stores the step's batch signatures (our own, under the batch
// id) with their mint-batch-signed entries, in the sign step's transaction.
func (r *Relayer) storeBatches(tx Tx, cands []candidate, batches []signedBatch) error {
	for _, b := range batches {
		d := r.dests[b.dest]
		if _, err := tx.AddAttestation(Attestation{TransferID: b.id, Dest: d.Chain, Signer: r.self, Digest: b.digest[:], Sig: b.sig,
			ReceivedAt: tx.Now()}); err != nil {
			return err
		}
		ids := make([]string, len(b.members))
		for j, m := range b.members {
			ids[j] = cands[m].t.ID
		}
		if _, err := tx.Journal(MintBatchSigned{Batch: b.id, Dest: uint32(d.Chain), Bridge: hex.EncodeToString(d.Bridge[:]),
			Block: cands[b.members[0]].t.Block.Hash, Transfers: ids, Digest: hex.EncodeToString(b.digest[:]),
			Sig: hex.EncodeToString(b.sig)}); err != nil {
			return err
		}
	}
	return nil
}

// checkSubmission verifies what a sink built against what the relayer
// computed itself (the sink is a plugin and is not trusted to say what a
// digest means).
func checkSubmission(sub chains.Submission, id string, digest [32]byte) error {
	switch {
	case sub.Kind != chains.SubmitMint || sub.ID != id:
		return fault.E("relayer.checkSubmission", fault.Conflict, fmt.Errorf("the sink built %s %q, not the mint of %s", sub.Kind, sub.ID, id))
	case len(sub.Digests) != 1 || sub.Digests[0].Scheme != chains.SchemeSecp256k1 || !bytes.Equal(sub.Digests[0].Hash, digest[:]):
		return fault.E("relayer.checkSubmission", fault.Conflict, fmt.Errorf("the sink's digest for %s is not the MintAuth digest %x", id, digest))
	}
	return nil
}

// checkQuorum moves an attested transfer to quorum when k valid attestations
// over its digest are stored.
func (r *Relayer) checkQuorum(tx Tx, t Transfer) error {
	if t.State != StateAttested {
		return nil
	}
	atts, err := tx.Attestations(t.ID)
	if err != nil {
		return err
	}
	good := r.matching(atts, t.Digest)
	if !r.mintQuorum(t.Dest, signersOf(good)) {
		return nil
	}
	now := tx.Now()
	t.State, t.QuorumAt, t.UpdatedAt = StateQuorum, now, now
	// The submitter of rank r has its turn after r failover periods; a
	// transfer in one of our batches leaves the batch BatchWait first.
	base := now
	if t.Batch != "" && t.AttestedAt.Add(r.cfg.BatchWait).After(now) {
		base = t.AttestedAt.Add(r.cfg.BatchWait)
	}
	t.NextAttempt = base.Add(time.Duration(SubmitterRank(t.ID, r.members(), r.self)) * r.cfg.FailoverAfter)
	if err := tx.PutTransfer(t); err != nil {
		return err
	}
	signers := make([]string, len(good))
	for i, a := range good {
		signers[i] = hex.EncodeToString(a.Signer)
	}
	_, err = tx.Journal(Quorum{ID: t.ID, Signers: signers})
	return err
}

// signersOf are the signers of atts.
func signersOf(atts []Attestation) [][]byte {
	out := make([][]byte, len(atts))
	for i, a := range atts {
		out[i] = a.Signer
	}
	return out
}

// matching keeps the attestations of members over digest (their signatures
// were verified when they were received), one per signer, ordered by signer.
func (r *Relayer) matching(atts []Attestation, digest []byte) []Attestation {
	var out []Attestation
	for _, a := range atts {
		if bytes.Equal(a.Digest, digest) && r.isMember(a.Signer) {
			out = append(out, a)
		}
	}
	return out
}
