package relayer

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// HandleEnvelope takes an envelope a member of the set sent (the transport
// has checked the envelope's signature and membership). A mint-attestation is
// checked at once (layout, destination, that its digest is the MintAuth of the
// mint it names, its signature) and then stored in a batch; an error's kind
// says why it was refused: fault.Invalid for a bad attestation, fault.Transient
// when the inbox is full (the sender's rebroadcast brings it again).
func (r *Relayer) HandleEnvelope(ctx context.Context, kind string, from, payload, raw []byte) error {
	const op = "relayer.HandleEnvelope"
	if !r.isMember(from) {
		r.drop("outsider")
		return fault.E(op, fault.Invalid, fmt.Errorf("%x is not a member of the set", from))
	}
	switch kind {
	case KindMintAttestation:
	case KindRotateSignature:
		return r.handleRotateSignature(from, payload)
	case KindMintBatchSignature:
		return r.handleBatchSignature(from, payload, raw)
	case KindReleaseProposal, KindReleaseSignature, KindRefundProposal, KindRefundSignature:
		if !r.cfg.Releases.enabled() {
			return nil
		}
		if kind == KindReleaseProposal || kind == KindRefundProposal {
			return r.handleProposal(kind, from, payload)
		}
		return r.handleSignatures(ctx, from, payload, raw)
	default:
		return nil // other kinds belong to later stages (Solana) or the transport (heartbeats)
	}
	a, err := UnmarshalAttestation(from, payload)
	if err != nil {
		r.drop("malformed")
		return err
	}
	d, ok := r.dests[a.Dest]
	if !ok {
		r.drop("unknown-chain")
		return fault.E(op, fault.Invalid, fmt.Errorf("attestation for chain %s, which this relayer does not serve", a.Dest))
	}
	want := chains.MintAuthDigest(d.Chain, d.Bridge, a.Mint)
	if !bytes.Equal(a.Digest, want[:]) {
		r.drop("bad-digest")
		return fault.E(op, fault.Invalid, fmt.Errorf("attestation of %x for %s: digest is not the MintAuth of its mint", from, a.TransferID))
	}
	if err := r.cfg.Verify(chains.Signature{Signer: from, Sig: a.Sig}, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: a.Digest}); err != nil {
		r.drop("bad-signature")
		return fault.E(op, fault.Invalid, fmt.Errorf("attestation of %x for %s: %v", from, a.TransferID, err))
	}
	a.Envelope = bytes.Clone(raw)
	select {
	case r.inbox <- a:
		return nil
	default:
		r.drop("inbox-full")
		return fault.E(op, fault.Transient, errors.New("inbox full"))
	}
}

// runInbox stores received attestations, up to a batch per transaction.
func (r *Relayer) runInbox(ctx context.Context) error {
	for {
		var batch []Attestation
		select {
		case <-ctx.Done():
			return nil
		case a := <-r.inbox:
			batch = append(batch, a)
		}
	fill:
		for len(batch) < r.cfg.Batch {
			select {
			case a := <-r.inbox:
				batch = append(batch, a)
			default:
				break fill
			}
		}
		for {
			err := r.storeAttestations(ctx, batch)
			if err == nil || ctx.Err() != nil {
				break
			}
			r.log.Warn("storing attestations", "err", err, "n", len(batch))
			select { // the store failed as a whole: keep the batch and try again
			case <-ctx.Done():
				return nil
			case <-time.After(r.cfg.Poll):
			}
		}
	}
}

// storeAttestations stores a batch of verified attestations in one
// transaction. An attestation that contradicts what this relayer observed, or
// the same signer's earlier attestation, is refused, counted and journaled
// with its envelope as evidence.
func (r *Relayer) storeAttestations(ctx context.Context, batch []Attestation) error {
	var conflicts int
	err := r.cfg.Store.Update(ctx, func(tx Tx) error {
		conflicts = 0
		received := make([]ReceivedAttestation, 0, len(batch))
		for _, a := range batch {
			a.ReceivedAt = tx.Now()
			t, err := tx.Transfer(a.TransferID)
			known := err == nil
			if err != nil && fault.KindOf(err) != fault.NotFound {
				return err
			}
			if known && (t.Dest != a.Dest || t.Amount != a.Mint.Amount || t.Recipient != a.Mint.Recipient) {
				conflicts++
				if err := r.journalConflict(tx, a, fmt.Sprintf("attests %s to chain %s for %d zatoshi to %x; the light node shows chain %s, %d, %x",
					a.TransferID, a.Dest, a.Mint.Amount, a.Mint.Recipient, t.Dest, t.Amount, t.Recipient)); err != nil {
					return err
				}
				continue
			}
			added, err := tx.AddAttestation(a)
			if fault.KindOf(err) == fault.Conflict {
				conflicts++
				if err := r.journalConflict(tx, a, "a second, different attestation from the same signer"); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			if !added {
				continue
			}
			received = append(received, ReceivedAttestation{ID: a.TransferID, Signer: hex.EncodeToString(a.Signer),
				Envelope: hex.EncodeToString(a.Envelope)})
			if known {
				if err := r.checkQuorum(tx, t); err != nil {
					return err
				}
			}
		}
		if len(received) == 0 {
			return nil
		}
		_, err := tx.Journal(AttestationsReceived{Attestations: received})
		return err
	})
	if err == nil {
		r.mu.Lock()
		r.drops["conflict"] += uint64(conflicts)
		r.mu.Unlock()
	}
	return err
}

func (r *Relayer) journalConflict(tx Tx, a Attestation, why string) error {
	r.log.Warn("conflicting attestation refused", "from", hex.EncodeToString(a.Signer), "transfer", a.TransferID, "why", why)
	_, err := tx.Journal(PeerConflict{ID: a.TransferID, Signer: hex.EncodeToString(a.Signer),
		Reason: why, Envelope: hex.EncodeToString(a.Envelope)})
	return err
}

// HandleReobserve answers a peer's reobserve request (DESIGN §3): it
// re-fetches the FLUX transaction and records a lock the event stream has not
// delivered yet as seen. The stream stays the only way to final; this only
// shortens a user's wait after, say, a missed block announcement. Requests
// about other chains are ignored: their sources are polled anyway.
func (r *Relayer) HandleReobserve(ctx context.Context, from []byte, chain chains.ID, txid string) error {
	if !r.isMember(from) {
		r.drop("outsider")
		return fault.E("relayer.HandleReobserve", fault.Invalid, fmt.Errorf("%x is not a member of the set", from))
	}
	if chain != chains.FluxL1 {
		return nil
	}
	evs, err := r.cfg.Source.Reobserve(ctx, txid)
	if fault.KindOf(err) == fault.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	return r.cfg.Store.Update(ctx, func(tx Tx) error {
		for _, ev := range evs {
			if ev.Kind != chains.EventLock || ev.Retracted {
				continue
			}
			if _, err := tx.Transfer(ev.ID); fault.KindOf(err) != fault.NotFound {
				continue
			}
			if _, err := r.applyObserved(tx, ev, func(cur *Transfer) observed { return planSeen(cur, ev, tx.Now()) }); err != nil {
				return err
			}
			if _, err := tx.Journal(ReobserveAnswer{ID: ev.ID, AskedBy: hex.EncodeToString(from)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// handleBatchSignature checks a member's batch signature (layout, a
// destination this relayer serves, the signature over the batch digest this
// relayer computes from the listed MintAuth digests) and queues it for the
// store under the batch id, like an attestation. Whether it counts is
// decided against our own batch: only signatures over our digest do.
func (r *Relayer) handleBatchSignature(from, payload, raw []byte) error {
	const op = "relayer.HandleEnvelope"
	b, err := UnmarshalBatchSignature(payload)
	if err != nil {
		r.drop("malformed")
		return err
	}
	d, ok := r.dests[b.Dest]
	if !ok {
		r.drop("unknown-chain")
		return fault.E(op, fault.Invalid, fmt.Errorf("batch signature for chain %s, which this relayer does not serve", b.Dest))
	}
	digest := chains.BatchDigest(d.Chain, d.Bridge, b.Digests)
	id := chains.BatchID(digest)
	if err := r.cfg.Verify(chains.Signature{Signer: from, Sig: b.Sig}, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: digest[:]}); err != nil {
		r.drop("bad-signature")
		return fault.E(op, fault.Invalid, fmt.Errorf("batch signature of %x for %s: %v", from, id, err))
	}
	a := Attestation{TransferID: id, Dest: d.Chain, Signer: bytes.Clone(from), Digest: digest[:], Sig: b.Sig, Envelope: bytes.Clone(raw)}
	select {
	case r.inbox <- a:
		return nil
	default:
		r.drop("inbox-full")
		return fault.E(op, fault.Transient, errors.New("inbox full"))
	}
}
