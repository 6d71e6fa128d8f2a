package relayer

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// KindRotateSignature is the envelope kind of a member's signature over a
// bridge's rotation to the next signer set (DESIGN §6).
const KindRotateSignature = "rotate-signature"

// RotateSignature is the content of a rotate-signature envelope: the
// signature of a member of the current set over chains.RotateDigest of
// chain's bridge installing the next set as set SetID. The receiver
// computes the digest itself from its own configuration.
type RotateSignature struct {
	Chain chains.ID `json:"chain"`
	SetID uint32    `json:"set_id"`
	Sig   []byte    `json:"sig"`
}

// Journal entry kinds of a rotation.
const (
	KindRotationSigned = "rotation-signed"
	KindSignersRotated = "signers-rotated"
)

// RotationSigned: this relayer signed the rotation of chain's bridge to the
// next set (the decision, persisted before the signature leaves).
type RotationSigned struct {
	Chain     uint32   `json:"chain"`
	SetID     uint32   `json:"set_id"`
	Signers   []string `json:"signers"`
	Threshold int      `json:"threshold"`
	Digest    string   `json:"digest"`
	Sig       string   `json:"sig"`
}

// SignersRotated: chain's bridge shows the next set installed, at its
// finalized block: its mints take that set's quorum from now on.
type SignersRotated struct {
	Chain uint32 `json:"chain"`
	SetID uint32 `json:"set_id"`
}

func (RotationSigned) JournalKind() string { return KindRotationSigned }
func (SignersRotated) JournalKind() string { return KindSignersRotated }

// rotation is one destination's rotation to the next set: what is signed,
// the signatures gathered (kept in memory: every member of the current set
// sends its own again until the bridge shows the rotation) and where it is.
type rotation struct {
	rot      chains.Rotation
	digest   [32]byte
	sigs     map[string][]byte // signer → signature over digest, verified
	signed   bool              // our own decision is persisted
	done     bool              // the bridge shows the rotation at its finalized block
	sentAt   time.Time         // our signature last sent
	quorumAt time.Time         // when k signatures of the current set were first here
	nextTry  time.Time         // the next submission or status read
}

// Setting keys of a rotation: the digest this relayer signed for a chain and
// set id, and the set id a chain's bridge shows installed.
func rotationSignedKey(chain chains.ID, setID uint32) string {
	return fmt.Sprintf("rotation.signed.%d.%d", chain, setID)
}

func rotationDoneKey(chain chains.ID) string { return fmt.Sprintf("rotation.done.%d", chain) }

// setRotations prepares each destination's rotation to the next set: the
// next set's signers sorted ascending, as the bridge takes them.
func (r *Relayer) setRotations() {
	n, ok := r.next()
	if !ok {
		return
	}
	signers := slices.Clone(n.members)
	slices.SortFunc(signers, bytes.Compare)
	for _, d := range r.cfg.Destinations {
		rot := chains.Rotation{SetID: n.id, Signers: signers, Threshold: n.threshold}
		r.rotations[d.Chain] = &rotation{rot: rot, digest: chains.RotateDigest(d.Chain, d.Bridge, rot), sigs: map[string][]byte{}}
	}
}

// rotatedOn reports whether chain's bridge showed the next set installed.
func (r *Relayer) rotatedOn(chain chains.ID) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	ro := r.rotations[chain]
	return ro != nil && ro.done
}

// handleRotateSignature keeps a current member's signature over a bridge's
// rotation once it verifies against the digest this relayer computes.
func (r *Relayer) handleRotateSignature(from, payload []byte) error {
	const op = "relayer.HandleEnvelope"
	var s RotateSignature
	if err := decodeStrict(payload, &s); err != nil {
		r.drop("malformed")
		return fault.E(op, fault.Invalid, err)
	}
	r.mu.Lock()
	ro := r.rotations[s.Chain]
	r.mu.Unlock()
	switch {
	case ro == nil || ro.rot.SetID != s.SetID:
		r.drop("unknown-rotation")
		return fault.E(op, fault.Invalid, fmt.Errorf("a rotation of chain %s to set %d, which this relayer does not make", s.Chain, s.SetID))
	case !r.current().has(from):
		r.drop("outsider")
		return fault.E(op, fault.Invalid, fmt.Errorf("%x is not a member of the current set, which alone signs its rotation", from))
	}
	if err := r.cfg.Verify(chains.Signature{Signer: from, Sig: s.Sig}, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: ro.digest[:]}); err != nil {
		r.drop("bad-signature")
		return fault.E(op, fault.Invalid, fmt.Errorf("rotation signature of %x for chain %s: %v", from, s.Chain, err))
	}
	r.mu.Lock()
	ro.sigs[string(from)] = bytes.Clone(s.Sig)
	r.mu.Unlock()
	return nil
}

// rotate runs the bridges' rotation to the next set once this relayer's
// final FLUX height reaches its activation: a member of the current set
// signs each bridge's rotation (persisting the decision first) and sends
// its signature until the bridge shows the rotation; whoever holds k
// signatures of the current set submits, in submitter order with failover.
func (r *Relayer) rotate(ctx context.Context) error {
	if _, ok := r.next(); !ok {
		return nil
	}
	r.mu.Lock()
	final, loaded := r.finalDrained, r.rotationsLoaded
	r.mu.Unlock()
	if !loaded {
		if err := r.loadRotations(ctx); err != nil {
			return err
		}
	}
	if final < r.cfg.Next.Activation {
		return nil
	}
	// A rotation signature is a signature (signing rule 2): none is made or
	// sent while paused, halted or unhealthy. Seeing that a bridge shows the
	// rotation is not one, and is recorded whatever the health.
	_, maySign, err := r.mayStepSign(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range r.cfg.Destinations {
		if err := r.rotateOne(ctx, d, maySign); err != nil {
			errs = append(errs, fmt.Errorf("rotating chain %s: %w", d.Chain, err))
		}
	}
	return errors.Join(errs...)
}

// loadRotations marks the rotations the store shows done, once per process
// (later ones are marked as they are recorded).
func (r *Relayer) loadRotations(ctx context.Context) error {
	err := r.cfg.Store.View(ctx, func(tx Tx) error {
		for chain, ro := range r.rotations {
			id, ok, err := RotatedSet(tx, chain)
			if err != nil {
				return err
			}
			if ok && id >= ro.rot.SetID {
				r.mu.Lock()
				ro.done = true
				r.mu.Unlock()
			}
		}
		return nil
	})
	if err == nil {
		r.mu.Lock()
		r.rotationsLoaded = true
		r.mu.Unlock()
	}
	return err
}

// RotatedSet returns the id of the latest signer set this relayer recorded
// chain's bridge installing (at the bridge's finalized block); ok is false
// when it recorded none.
func RotatedSet(tx Tx, chain chains.ID) (id uint32, ok bool, err error) {
	v, ok, err := tx.Setting(rotationDoneKey(chain))
	if err != nil || !ok {
		return 0, false, err
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return 0, false, fault.E("relayer.RotatedSet", fault.Internal, fmt.Errorf("setting %s = %q: %v", rotationDoneKey(chain), v, err))
	}
	return uint32(n), true, nil
}

func (r *Relayer) rotateOne(ctx context.Context, d Destination, maySign bool) error {
	now := r.cfg.Now()
	r.mu.Lock()
	ro := r.rotations[d.Chain]
	done, signed, due := ro.done, ro.signed, !now.Before(ro.nextTry)
	if due {
		ro.nextTry = now.Add(r.cfg.StatusPoll) // a chain read per status period
	}
	r.mu.Unlock()
	if done || !due {
		return nil
	}
	id := chains.RotationID(ro.rot.SetID)
	st, err := d.Sink.Status(ctx, chains.SubmitRotate, id)
	switch {
	case err != nil:
		return err
	case st.State == chains.StateDone:
		return r.rotationDone(ctx, d.Chain, ro)
	case st.State == chains.StatePending || st.State == chains.StateIncluded:
		return nil // a rotation is on its way (ours or another member's): wait for it to be final
	case !maySign:
		return nil
	}
	if r.current().has(r.self) && !signed {
		if err := r.signRotation(ctx, d, ro); err != nil {
			return err
		}
	}
	return r.submitRotation(ctx, d, ro)
}

// buildRotation asks the sink for the unsigned rotation and checks it is
// the one this relayer computed (the sink is a plugin: its digest is only
// taken when it is byte for byte chains.RotateDigest).
func (r *Relayer) buildRotation(ctx context.Context, d Destination, ro *rotation) (chains.Submission, error) {
	rot := ro.rot
	sub, err := d.Sink.Build(ctx, chains.BuildRequest{Kind: chains.SubmitRotate, Rotate: &rot})
	if err != nil {
		return sub, err
	}
	id := chains.RotationID(rot.SetID)
	if sub.Kind != chains.SubmitRotate || sub.ID != id || len(sub.Digests) != 1 || sub.Digests[0].Scheme != chains.SchemeSecp256k1 ||
		!bytes.Equal(sub.Digests[0].Hash, ro.digest[:]) {
		return sub, fault.E("relayer.rotate", fault.Conflict, fmt.Errorf("the sink built %s %q with digests %v, not the rotation %s with digest %x", sub.Kind, sub.ID, sub.Digests, id, ro.digest))
	}
	return sub, nil
}

// signRotation signs d's rotation once the sink builds the same digest, and
// persists the decision (refusing a second, different rotation to the same
// set id) and its journal entry before the signature leaves.
func (r *Relayer) signRotation(ctx context.Context, d Destination, ro *rotation) error {
	if _, err := r.buildRotation(ctx, d, ro); err != nil {
		return err
	}
	sg, err := r.cfg.Signer.Sign(ctx, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: ro.digest[:]})
	if err != nil {
		return err
	}
	digest := hex.EncodeToString(ro.digest[:])
	key := rotationSignedKey(d.Chain, ro.rot.SetID)
	err = r.cfg.Store.Update(ctx, func(tx Tx) error {
		prev, ok, err := tx.Setting(key)
		switch {
		case err != nil:
			return err
		case ok && prev != digest:
			// SECURITY: two different sets under one set id would let
			// whichever reaches the bridge first win.
			return fault.E("relayer.rotate", fault.Conflict, fmt.Errorf("this relayer signed another rotation of chain %s to set %d (digest %s), not %s", d.Chain, ro.rot.SetID, prev, digest))
		case ok:
			return nil // signed before a restart: the same signature again
		}
		if err := tx.SetSetting(key, digest); err != nil {
			return err
		}
		rec := RotationSigned{Chain: uint32(d.Chain), SetID: ro.rot.SetID, Threshold: ro.rot.Threshold, Digest: digest, Sig: hex.EncodeToString(sg.Sig)}
		for _, s := range ro.rot.Signers {
			rec.Signers = append(rec.Signers, hex.EncodeToString(s))
		}
		_, err = tx.Journal(rec)
		return err
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	ro.sigs[string(r.self)], ro.signed = sg.Sig, true
	r.mu.Unlock()
	r.log.Info("bridge rotation signed", "chain", d.Chain, "set", ro.rot.SetID, "threshold", ro.rot.Threshold, "signers", len(ro.rot.Signers))
	return nil
}

// submitRotation sends our signature when it is due again, and submits the
// rotation when k signatures of the current set are here and this
// relayer's turn came.
func (r *Relayer) submitRotation(ctx context.Context, d Destination, ro *rotation) error {
	now := r.cfg.Now()
	cur := r.current()
	r.mu.Lock()
	own, send := ro.sigs[string(r.self)], ro.signed && now.Sub(ro.sentAt) >= r.cfg.Rebroadcast
	if send {
		ro.sentAt = now
	}
	var sigs []chains.Signature
	for _, m := range cur.members {
		if s, ok := ro.sigs[string(m)]; ok {
			sigs = append(sigs, chains.Signature{Signer: bytes.Clone(m), Sig: bytes.Clone(s)})
		}
	}
	if len(sigs) >= cur.threshold && ro.quorumAt.IsZero() {
		ro.quorumAt = now
	}
	quorumAt := ro.quorumAt
	r.mu.Unlock()
	if send {
		b, err := json.Marshal(RotateSignature{Chain: d.Chain, SetID: ro.rot.SetID, Sig: own})
		if err != nil {
			return fault.E("relayer.rotate", fault.Internal, err)
		}
		if err := r.cfg.Outbox.Broadcast(ctx, KindRotateSignature, b); err != nil {
			return err
		}
	}
	if len(sigs) < cur.threshold {
		return nil
	}
	rank := SubmitterRank(chains.RotationID(ro.rot.SetID), r.members(), r.self)
	if now.Before(quorumAt.Add(time.Duration(rank) * r.cfg.FailoverAfter)) {
		return nil
	}
	sub, err := r.buildRotation(ctx, d, ro)
	if err != nil {
		return err
	}
	st, err := d.Sink.Submit(ctx, chains.SubmitRequest{Submission: sub, Signatures: sigs})
	if err != nil {
		return err
	}
	if st.State == chains.StateDone {
		return r.rotationDone(ctx, d.Chain, ro)
	}
	return nil
}

// rotationDone records that chain's bridge shows the next set installed.
func (r *Relayer) rotationDone(ctx context.Context, chain chains.ID, ro *rotation) error {
	err := r.cfg.Store.Update(ctx, func(tx Tx) error {
		if err := tx.SetSetting(rotationDoneKey(chain), strconv.FormatUint(uint64(ro.rot.SetID), 10)); err != nil {
			return err
		}
		_, err := tx.Journal(SignersRotated{Chain: uint32(chain), SetID: ro.rot.SetID})
		return err
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	ro.done = true
	r.mu.Unlock()
	r.log.Info("bridge rotated to the next signer set", "chain", chain, "set", ro.rot.SetID)
	return nil
}
