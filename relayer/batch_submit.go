package relayer

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// submitBatches sends the batches of ours that reached k signatures and
// whose submitter this relayer is: rank 0 as soon as the k-th signature is
// here, rank r after r failover periods (the batch id decides the order,
// like a transfer id does for a single mint). A batch is tried once per
// process: when it fails, or when its locks' BatchWait ends first, the
// per-lock path mints them.
func (r *Relayer) submitBatches(ctx context.Context) error {
	var waiting []BatchRef
	if err := r.cfg.Store.View(ctx, func(tx Tx) (err error) {
		waiting, err = tx.Batches([]State{StateAttested, StateQuorum}, r.cfg.Batch)
		return err
	}); err != nil {
		return err
	}
	now := r.cfg.Now()
	var errs []error
	var ready []storedBatch
	for _, w := range waiting {
		r.mu.Lock()
		tried := r.batchTried[w.ID]
		r.mu.Unlock()
		// A batch whose locks the per-lock path took over is left alone.
		if _, ok := r.dests[w.Dest]; tried || !ok || !now.Before(w.AttestedAt.Add(r.cfg.BatchWait)) {
			continue
		}
		b, err := r.loadBatch(ctx, w.ID, w.Dest, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if b.members != nil && b.ready(r) {
			ready = append(ready, b)
		}
	}
	// Several batches are sent at once: the sink assigns their nonces in
	// order and keeps them all in flight, so one batch's reads and fee
	// estimate overlap another's.
	var mu sync.Mutex
	parallel(ctx, r.cfg.Workers, len(ready), func(i int) {
		b := ready[i]
		r.mu.Lock()
		r.batchTried[b.id] = true
		r.mu.Unlock()
		if err := r.sendBatch(ctx, r.dests[b.dest], b); err != nil && ctx.Err() == nil {
			r.log.Warn("a batch was not sent: its locks take the per-lock path", "batch", b.id, "err", err)
			if k := fault.KindOf(err); k != fault.Rejected && k != fault.Forbidden && k != fault.Transient {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}
	})
	r.mu.Lock()
	for id := range r.batchTried {
		if !slices.ContainsFunc(waiting, func(w BatchRef) bool { return w.ID == id }) {
			delete(r.batchTried, id) // its locks moved on: forget it
		}
	}
	r.mu.Unlock()
	return errors.Join(errs...)
}

// storedBatch is one of our batches as the store has it: its members in
// digest order and the signatures over our batch digest.
type storedBatch struct {
	id      string
	dest    chains.ID
	digest  []byte
	members []Transfer
	good    []Attestation // over our digest, from members, one per signer, by signer
	rank    int
}

// loadBatch reads a batch: our own signature gives its digest, the
// transfers carrying its id its members. With now set, the members are
// read only once k signatures are here and this relayer's turn to submit
// has come (members stays nil otherwise), so a batch waiting for its
// quorum costs one small read per tick.
func (r *Relayer) loadBatch(ctx context.Context, id string, dest chains.ID, now time.Time) (storedBatch, error) {
	b := storedBatch{id: id, dest: dest}
	err := r.cfg.Store.View(ctx, func(tx Tx) error {
		atts, err := tx.Attestations(id)
		if err != nil {
			return err
		}
		for _, a := range atts {
			if bytes.Equal(a.Signer, r.self) {
				b.digest = a.Digest
			}
		}
		if b.digest == nil {
			return fault.E("relayer.loadBatch", fault.Internal, fmt.Errorf("batch %s has no signature of ours", id))
		}
		b.good = r.matching(atts, b.digest)
		b.rank = SubmitterRank(id, r.members(), r.self)
		if !now.IsZero() && !b.due(r, now) {
			return nil
		}
		b.members, err = tx.Transfers(TransferQuery{Batch: id})
		return err
	})
	if err != nil {
		return b, err
	}
	if b.members != nil && len(b.members) == 0 {
		return b, fault.E("relayer.loadBatch", fault.Internal, fmt.Errorf("batch %s has no member", id))
	}
	slices.SortFunc(b.members, func(x, y Transfer) int { return bytes.Compare(x.Digest, y.Digest) })
	return b, nil
}

// due reports whether the batch has k signatures of its destination's set
// and this relayer's turn to submit it has come.
func (b storedBatch) due(r *Relayer, now time.Time) bool {
	if !r.mintQuorum(b.dest, signersOf(b.good)) {
		return false
	}
	set := r.mintSet(b.dest)
	of := slices.DeleteFunc(slices.Clone(b.good), func(a Attestation) bool { return !set.has(a.Signer) })
	at := batchQuorumAt(of, set.threshold)
	return now.UnixMilli() >= at+int64(time.Duration(b.rank)*r.cfg.FailoverAfter/time.Millisecond)
}

// ready reports whether all the batch's members are stored with their
// digests for its destination and form the batch whose digest we signed.
func (b storedBatch) ready(r *Relayer) bool {
	digests := make([][32]byte, len(b.members))
	for i, t := range b.members {
		if len(t.Digest) != 32 || t.Dest != b.dest {
			return false
		}
		copy(digests[i][:], t.Digest)
	}
	// SECURITY: submit only the batch whose digest we signed, rebuilt from
	// our own members (a member that left the batch changes the digest).
	d := r.dests[b.dest]
	want := chains.BatchDigest(d.Chain, d.Bridge, digests)
	return bytes.Equal(want[:], b.digest)
}

// sendBatch builds the batch through the sink, checks its digest against
// our own, sends it with k signatures and moves the members that wait to
// submitted in one transaction with a mint-batch-submitted entry.
func (r *Relayer) sendBatch(ctx context.Context, d Destination, b storedBatch) error {
	good := r.mintSignatures(d.Chain, b.good)
	sigs := make([]chains.Signature, len(good))
	signers := make([]string, len(good))
	for i, a := range good {
		sigs[i] = chains.Signature{Signer: a.Signer, Digest: 0, Sig: a.Sig}
		signers[i] = hex.EncodeToString(a.Signer)
	}
	mints := make([]chains.Mint, len(b.members))
	for i, t := range b.members {
		mints[i] = t.Mint()
	}
	sub, err := d.Sink.Build(ctx, chains.BuildRequest{Kind: chains.SubmitMintBatch, Batch: mints})
	if err != nil {
		return err
	}
	if sub.Kind != chains.SubmitMintBatch || sub.ID != b.id || len(sub.Digests) != 1 ||
		sub.Digests[0].Scheme != chains.SchemeSecp256k1 || !bytes.Equal(sub.Digests[0].Hash, b.digest) {
		return fault.E("relayer.sendBatch", fault.Conflict, fmt.Errorf("the sink built %s %q, not our batch %s", sub.Kind, sub.ID, b.id))
	}
	st, err := d.Sink.Submit(ctx, chains.SubmitRequest{Submission: sub, Signatures: sigs})
	if err != nil {
		return err
	}
	return r.cfg.Store.Update(ctx, func(tx Tx) error {
		now := tx.Now()
		var moved []string
		for _, m := range b.members {
			cur, err := tx.Transfer(m.ID)
			if err != nil {
				return err
			}
			if cur.State != StateAttested && cur.State != StateQuorum {
				continue // minted, or submitted by the per-lock path meanwhile
			}
			if cur.State == StateAttested { // k signed the batch, so k signed this lock
				cur.State, cur.QuorumAt = StateQuorum, now
				if err := tx.PutTransfer(cur); err != nil {
					return err
				}
			}
			cur.State, cur.SubmittedAt, cur.UpdatedAt, cur.MintTx = StateSubmitted, now, now, st.TxID
			cur.Attempts, cur.Refused, cur.NextAttempt = 0, "", now.Add(r.cfg.FailoverAfter)
			if err := tx.PutTransfer(cur); err != nil {
				return err
			}
			moved = append(moved, cur.ID)
		}
		_, err := tx.Journal(MintBatchSubmitted{Batch: b.id, Tx: st.TxID, State: string(st.State), Rank: b.rank, Signers: signers, Transfers: moved})
		return err
	})
}

// rebroadcastBatch sends our signature of t's batch again, at most once per
// rebroadcast period whichever member asks, while the batch can still be
// minted as a batch.
func (r *Relayer) rebroadcastBatch(ctx context.Context, t Transfer, now time.Time) error {
	r.mu.Lock()
	last, ok := r.sent[t.Batch]
	r.mu.Unlock()
	if (ok && now.Sub(last) < r.cfg.Rebroadcast) || !now.Before(t.AttestedAt.Add(r.cfg.BatchWait)) {
		return nil
	}
	r.mu.Lock()
	r.sent[t.Batch] = now
	r.mu.Unlock()
	b, err := r.loadBatch(ctx, t.Batch, t.Dest, time.Time{})
	if err != nil {
		return err
	}
	digests := make([][32]byte, len(b.members))
	for i, m := range b.members {
		copy(digests[i][:], m.Digest)
	}
	var own []byte
	for _, a := range b.good {
		if bytes.Equal(a.Signer, r.self) {
			own = a.Sig
		}
	}
	d := r.dests[t.Dest]
	if want := chains.BatchDigest(d.Chain, d.Bridge, digests); own == nil || !bytes.Equal(want[:], b.digest) {
		return nil // a member left the batch: it can only be minted lock by lock
	}
	payload, err := MarshalBatchSignature(BatchSignature{Dest: d.Chain, Digests: digests, Sig: own})
	if err != nil {
		return err
	}
	return r.cfg.Outbox.Broadcast(ctx, KindMintBatchSignature, payload)
}
