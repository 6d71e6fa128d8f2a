// Package peer is the relayer-to-relayer exchange of DESIGN §3: every relayer
// serves a gRPC endpoint to the other members of the signer set and keeps a
// sender to each of them. Everything exchanged is an envelope {kind, payload,
// signer, signature} signed over sha256("fluxbridge/v1/" ‖ kind ‖ 0x00 ‖
// payload); envelopes from keys outside the set, with bad signatures or of
// unknown kinds are dropped and counted, and the rest go to a handler.
//
// SECURITY: the transport is not authenticated; each envelope is. Replaying
// an old envelope is harmless because every handler is idempotent, and an
// outsider can only make a relayer count drops.
package peer

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/signer"
)

// Envelope kinds (DESIGN §3). The list is append-only.
const (
	KindMintAttestation  = "mint-attestation"
	KindReleaseProposal  = "release-proposal"
	KindReleaseSignature = "release-signature"
	KindSolanaMintSig    = "solana-mint-signature"
	KindRefundProposal   = "refund-proposal"
	KindRefundSignature  = "refund-signature"
	KindHeartbeat        = "heartbeat"
	KindReobserveRequest = "reobserve-request"
	KindRotateSignature  = "rotate-signature"
	KindMintBatchSig     = "mint-batch-signature"
)

var kinds = map[string]bool{KindMintAttestation: true, KindReleaseProposal: true, KindReleaseSignature: true, KindSolanaMintSig: true,
	KindRefundProposal: true, KindRefundSignature: true, KindHeartbeat: true, KindReobserveRequest: true, KindRotateSignature: true,
	KindMintBatchSig: true}

// Bounds of one envelope.
const (
	MaxPayload = 64 << 10
	MaxKind    = 32
)

// Envelope is one signed message between relayers.
type Envelope struct {
	Kind    string
	Payload []byte
	// Signer is the 20-byte address of the sender's key; Signature its
	// 65-byte signature over signer.EnvelopeDigest(Kind, Payload).
	Signer    []byte
	Signature []byte
}

// ErrEnvelope is the cause of every malformed envelope.
var ErrEnvelope = errors.New("malformed envelope")

// Seal signs payload as an envelope of kind with s.
func Seal(ctx context.Context, s signer.Signer, kind string, payload []byte) (Envelope, error) {
	if !kinds[kind] || len(payload) > MaxPayload {
		return Envelope{}, fault.E("peer.Seal", fault.Invalid, fmt.Errorf("%w: kind %q with %d bytes", ErrEnvelope, kind, len(payload)))
	}
	d := signer.EnvelopeDigest(kind, payload)
	sig, err := s.Sign(ctx, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: d[:]})
	if err != nil {
		return Envelope{}, err
	}
	return Envelope{Kind: kind, Payload: bytes.Clone(payload), Signer: sig.Signer, Signature: sig.Sig}, nil
}

// Check verifies the envelope's form and signature (membership is the
// caller's business).
func (e Envelope) Check() error {
	const op = "peer.Check"
	switch {
	case !kinds[e.Kind]:
		return fault.E(op, fault.Invalid, fmt.Errorf("%w: unknown kind %q", ErrEnvelope, e.Kind))
	case len(e.Payload) > MaxPayload:
		return fault.E(op, fault.Invalid, fmt.Errorf("%w: payload of %d bytes", ErrEnvelope, len(e.Payload)))
	case len(e.Signer) != 20 || len(e.Signature) != signer.Secp256k1SigLen:
		return fault.E(op, fault.Invalid, fmt.Errorf("%w: signer of %d bytes, signature of %d", ErrEnvelope, len(e.Signer), len(e.Signature)))
	}
	d := signer.EnvelopeDigest(e.Kind, e.Payload)
	if err := signer.Verify(chains.Signature{Signer: e.Signer, Sig: e.Signature}, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: d[:]}); err != nil {
		return fault.E(op, fault.Invalid, fmt.Errorf("bad signature: %w", err))
	}
	return nil
}

// envelopeVersion is the first byte of an envelope's binary form.
const envelopeVersion = 1

// MarshalBinary encodes the envelope canonically (the journal keeps it as
// evidence): version(1) ‖ len(kind)(1) ‖ kind ‖ len(payload)(4) ‖ payload ‖
// signer(20) ‖ signature(65).
func (e Envelope) MarshalBinary() ([]byte, error) {
	if len(e.Kind) == 0 || len(e.Kind) > MaxKind || len(e.Payload) > MaxPayload || len(e.Signer) != 20 || len(e.Signature) != signer.Secp256k1SigLen {
		return nil, fault.E("peer.MarshalBinary", fault.Invalid, ErrEnvelope)
	}
	b := make([]byte, 0, 2+len(e.Kind)+4+len(e.Payload)+20+65)
	b = append(b, envelopeVersion, byte(len(e.Kind)))
	b = append(b, e.Kind...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Payload)))
	b = append(b, e.Payload...)
	b = append(b, e.Signer...)
	return append(b, e.Signature...), nil
}

// UnmarshalBinary decodes MarshalBinary's form, bounding every length
// before use. It does not verify the signature (Check does).
func (e *Envelope) UnmarshalBinary(b []byte) error {
	bad := func(why string) error {
		return fault.E("peer.UnmarshalBinary", fault.Invalid, fmt.Errorf("%w: %s", ErrEnvelope, why))
	}
	if len(b) < 2 || b[0] != envelopeVersion {
		return bad("missing or unknown version")
	}
	k := int(b[1])
	if k == 0 || k > MaxKind || len(b) < 2+k+4 {
		return bad("kind length")
	}
	kind := string(b[2 : 2+k])
	n := binary.BigEndian.Uint32(b[2+k:])
	if n > MaxPayload || uint64(len(b)) != uint64(2+k+4)+uint64(n)+20+65 {
		return bad("payload length")
	}
	p := 2 + k + 4
	*e = Envelope{Kind: kind, Payload: bytes.Clone(b[p : p+int(n)]), Signer: bytes.Clone(b[p+int(n) : p+int(n)+20]),
		Signature: bytes.Clone(b[p+int(n)+20:])}
	return nil
}
