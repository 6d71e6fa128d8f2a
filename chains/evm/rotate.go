package evm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// MaxSigners is the most signers a set of the bridge may have (its
// MAX_SIGNERS).
const MaxSigners = 64

// rotatePayloadArgs is the ABI layout of a rotation payload: (uint32 setId,
// address[] newSigners, uint8 newThreshold), rotateSigners' arguments
// without the signatures and with the set id they are signed for.
var rotatePayloadArgs = func() abi.Arguments {
	ty := func(s string) abi.Type { t, _ := abi.NewType(s, "", nil); return t }
	return abi.Arguments{{Type: ty("uint32")}, {Type: ty("address[]")}, {Type: ty("uint8")}}
}()

// checkRotation refuses a rotation the bridge would refuse whoever signs it:
// chains.Rotation.Check, and at most MaxSigners signers. The error is
// fault.Invalid.
func checkRotation(op string, r chains.Rotation) error {
	if err := r.Check(); err != nil {
		return fault.E(op, fault.Invalid, err)
	}
	if len(r.Signers) > MaxSigners {
		return fault.E(op, fault.Invalid, fmt.Errorf("%d signers, the bridge takes at most %d", len(r.Signers), MaxSigners))
	}
	return nil
}

// rotationArgs are a checked rotation's signers and threshold as
// rotateSigners and rotateDigest take them.
func rotationArgs(r chains.Rotation) ([]common.Address, uint8) {
	addrs := make([]common.Address, len(r.Signers))
	for i, s := range r.Signers {
		addrs[i] = common.BytesToAddress(s)
	}
	return addrs, uint8(r.Threshold)
}

// encodeRotatePayload ABI-encodes a checked rotation as (setId, signers,
// threshold).
func encodeRotatePayload(r chains.Rotation) []byte {
	addrs, th := rotationArgs(r)
	b, _ := rotatePayloadArgs.Pack(r.SetID, addrs, th) // fixed types, a checked rotation: cannot fail
	return b
}

// decodeRotatePayload is the inverse of encodeRotatePayload; it accepts only
// the canonical encoding of a rotation that passes checkRotation.
func decodeRotatePayload(b []byte) (chains.Rotation, error) {
	var r chains.Rotation
	if len(b) > 4*32+MaxSigners*32 {
		return r, fmt.Errorf("payload is %d bytes, more than a rotation to %d signers", len(b), MaxSigners)
	}
	vals, err := rotatePayloadArgs.Unpack(b)
	if err != nil || len(vals) != 3 {
		return r, fmt.Errorf("payload: %v", err)
	}
	setID, ok1 := vals[0].(uint32)
	addrs, ok2 := vals[1].([]common.Address)
	th, ok3 := vals[2].(uint8)
	if !ok1 || !ok2 || !ok3 {
		return r, errors.New("payload: unexpected types")
	}
	r = chains.Rotation{SetID: setID, Threshold: int(th)}
	for _, a := range addrs {
		r.Signers = append(r.Signers, bytes.Clone(a[:]))
	}
	if err := checkRotation("evm.Payload", r); err != nil {
		return chains.Rotation{}, err
	}
	if !bytes.Equal(encodeRotatePayload(r), b) {
		return chains.Rotation{}, errors.New("payload is not in canonical form")
	}
	return r, nil
}

// buildRotation returns the unsigned rotation: the payload, the rotation
// digest (computed here and checked equal to the contract's rotateDigest
// view) and the current set's threshold, all read at the latest block (a
// rotation follows the set that is current now, as Limits reads the bridge
// now), with the endpoints agreeing. A rotation that does not install the
// next set (current set id + 1), or that the bridge would refuse whoever
// signs it, is fault.Invalid.
func (s *Sink) buildRotation(ctx context.Context, req chains.BuildRequest) (chains.Submission, error) {
	const op = "evm.Build"
	if req.Rotate == nil {
		return chains.Submission{}, fault.E(op, fault.Invalid, errors.New("a rotate submission needs its Rotation"))
	}
	if req.Mint != nil || req.Spend != nil || req.Batch != nil {
		return chains.Submission{}, fault.E(op, fault.Invalid, errors.New("a rotate submission carries a Rotation only"))
	}
	r := *req.Rotate
	if err := checkRotation(op, r); err != nil {
		return chains.Submission{}, err
	}
	tip, err := first(ctx, s.c, s.c.latestHeader)
	if err != nil {
		return chains.Submission{}, err
	}
	cur, _, err := s.c.signers(ctx, true, tip.Hash())
	if err != nil {
		return chains.Submission{}, err
	}
	if uint64(r.SetID) != uint64(cur.ID)+1 {
		return chains.Submission{}, fault.E(op, fault.Invalid, fmt.Errorf("set %d is not the next signer set: the bridge's current set is %d (block %d)", r.SetID, cur.ID, tip.Number))
	}
	digest := chains.RotateDigest(s.cfg.ChainID, s.cfg.Bridge, r)
	addrs, th := rotationArgs(r)
	b := fluxBridge()
	got, err := view(ctx, s.c, true, tip.Hash(), b.PackRotateDigest(addrs, th), b.UnpackRotateDigest)
	if err != nil {
		return chains.Submission{}, err
	}
	if got != digest {
		return chains.Submission{}, fault.E(op, fault.Internal, fmt.Errorf("the contract's rotateDigest %x differs from the rotation digest %x", got, digest))
	}
	return chains.Submission{
		Kind:      chains.SubmitRotate,
		ID:        chains.RotationID(r.SetID),
		Payload:   encodeRotatePayload(r),
		Digests:   []chains.Digest{{Scheme: chains.SchemeSecp256k1, Hash: digest[:]}},
		Threshold: cur.Threshold,
	}, nil
}

// submitRotation checks the bridge's set id and the signatures, simulates
// rotateSigners and sends it. A set id already at or past the rotation's is
// StateDone (or StateIncluded while only the tip shows it) and sends
// nothing — unless the bridge shows another set under that id, which is
// fault.Conflict; a submission whose transaction is in flight returns that
// transaction. Only the current set may sign a rotation (the bridge does not
// accept the previous set for it, even within its grace period): too few of
// its valid signatures, and every revert, are fault.Rejected.
func (s *Sink) submitRotation(ctx context.Context, req chains.SubmitRequest) (chains.Status, error) {
	const op = "evm.Submit"
	sub := req.Submission
	r, err := decodeRotatePayload(sub.Payload)
	if err != nil {
		return chains.Status{}, fault.E(op, fault.Invalid, err)
	}
	id := chains.RotationID(r.SetID)
	digest := chains.RotateDigest(s.cfg.ChainID, s.cfg.Bridge, r)
	if err := checkSubmission(op, sub, id, digest, "rotation"); err != nil {
		return chains.Status{}, err
	}
	if st, ok, err := s.inFlight(ctx, id, func() (chains.Status, error) { return s.rotationStatus(ctx, id, r.SetID) }); ok {
		return st, err
	}
	fin, tip, err := s.heads(ctx)
	if err != nil {
		return chains.Status{}, err
	}
	if st, done, err := s.rotated(ctx, id, &r, fin, tip); done || err != nil {
		return st, err
	}
	cur, _, err := s.c.signers(ctx, false, tip.Hash())
	if err != nil {
		return chains.Status{}, err
	}
	if uint64(r.SetID) != uint64(cur.ID)+1 {
		return chains.Status{}, fault.E(op, fault.Invalid, fmt.Errorf("set %d is not the next signer set: the bridge's current set is %d (block %d)", r.SetID, cur.ID, tip.Number))
	}
	sigs, err := s.quorum(s.verifySignatures(digest, req.Signatures), cur, signerSet{}, tip.Time)
	if err != nil {
		return chains.Status{}, err
	}
	addrs, th := rotationArgs(r)
	data, err := fluxBridge().TryPackRotateSigners(addrs, th, pack(sigs))
	if err != nil {
		return chains.Status{}, fault.E(op, fault.Internal, err)
	}
	gas, err := s.estimate(ctx, data)
	if err != nil {
		if revertData(err) != nil {
			// Someone may have installed the set meanwhile: the bridge then
			// recomputes the digest for the set after it.
			if now, terr := first(ctx, s.c, s.c.latestHeader); terr == nil {
				if st, done, rerr := s.rotated(ctx, id, &r, fin, now); done || rerr != nil {
					return st, rerr
				}
			}
		}
		return chains.Status{}, err
	}
	return s.send(ctx, id, data, gas, tip)
}

// rotated reports a rotation the bridge already shows: Done when its set
// id at the finalized block is at or past the rotation's, Included while
// only the tip shows it. With r, a set under r's id that the bridge still
// reports (as its current or previous set) must be r's: another one is
// fault.Conflict.
func (s *Sink) rotated(ctx context.Context, id string, r *chains.Rotation, fin, tip *types.Header) (chains.Status, bool, error) {
	fcur, fprev, err := s.c.signers(ctx, true, fin.Hash())
	if err != nil {
		return chains.Status{}, false, err
	}
	if fcur.ID >= r.SetID {
		if err := sameSet(r, fcur, fprev); err != nil {
			return chains.Status{}, false, err
		}
		return s.done(id), true, nil
	}
	tcur, tprev, err := s.c.signers(ctx, false, tip.Hash())
	if err != nil {
		return chains.Status{}, false, err
	}
	if tcur.ID >= r.SetID {
		if err := sameSet(r, tcur, tprev); err != nil {
			return chains.Status{}, false, err
		}
		return chains.Status{ID: id, State: chains.StateIncluded,
			Reason: fmt.Sprintf("signer set %d is installed in a block that is not final yet", r.SetID)}, true, nil
	}
	return chains.Status{}, false, nil
}

// sameSet checks that the set the bridge installed under r's id, when it
// still reports it, is r's.
func sameSet(r *chains.Rotation, cur, prev signerSet) error {
	var got signerSet
	switch r.SetID {
	case cur.ID:
		got = cur
	case prev.ID:
		got = prev
	default:
		return nil // older than the previous set: the bridge no longer says
	}
	want, _ := rotationArgs(*r)
	if got.Threshold != r.Threshold || !slices.Equal(got.Members, want) {
		return fault.E("evm.Submit", fault.Conflict, fmt.Errorf("the bridge's signer set %d is %d of %v, not this rotation's %d of %v",
			r.SetID, got.Threshold, got.Members, r.Threshold, want))
	}
	return nil
}

// rotationStatus reports a rotation from the chain: the bridge's set id at
// the finalized block at or past setID → Done; a transaction of this sink in
// flight → Pending or Included (bumping its fees if it is stuck); the set id
// at or past setID only above the finalized block → Included; a final
// transaction of this sink that did not install it → Failed; otherwise
// Unknown.
func (s *Sink) rotationStatus(ctx context.Context, id string, setID uint32) (chains.Status, error) {
	fin, err := s.c.finality(ctx)
	if err != nil {
		return chains.Status{}, err
	}
	fcur, _, err := s.c.signers(ctx, true, fin.Hash())
	if err != nil {
		return chains.Status{}, err
	}
	if fcur.ID >= setID {
		return s.done(id), nil
	}
	st, tip, failed, err := s.tracked(ctx, id, fin)
	if err != nil || tip == nil {
		return st, err
	}
	tcur, _, err := s.c.signers(ctx, false, tip.Hash())
	if err != nil {
		return chains.Status{}, err
	}
	switch {
	case tcur.ID >= setID:
		return chains.Status{ID: id, State: chains.StateIncluded,
			Reason: fmt.Sprintf("signer set %d is installed in a block that is not final yet", setID)}, nil
	case failed != "":
		return chains.Status{ID: id, State: chains.StateFailed, Reason: failed}, nil
	}
	return chains.Status{ID: id, State: chains.StateUnknown}, nil
}
