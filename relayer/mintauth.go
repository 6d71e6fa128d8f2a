package relayer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// AttestationVersion is the first byte of a mint-attestation payload.
const AttestationVersion = 0x01

// AttestationSize is the exact length of a mint-attestation payload:
// version(1) ‖ chainId(4) ‖ txid(32) ‖ vout(4) ‖ amount(8) ‖ recipient(32) ‖
// digest(32) ‖ signature(65).
const AttestationSize = 1 + 4 + 32 + 4 + 8 + 32 + 32 + 65

// ErrAttestation is the cause of every malformed mint-attestation payload.
var ErrAttestation = errors.New("malformed mint-attestation")

// MarshalAttestation encodes the payload of a mint-attestation envelope. The
// envelope's signer is the attestation's signer, so it is not repeated.
func MarshalAttestation(a Attestation) ([]byte, error) {
	if len(a.Digest) != 32 || len(a.Sig) != 65 {
		return nil, fault.E("relayer.MarshalAttestation", fault.Invalid,
			fmt.Errorf("%w: digest of %d bytes and signature of %d bytes, want 32 and 65", ErrAttestation, len(a.Digest), len(a.Sig)))
	}
	b := make([]byte, 0, AttestationSize)
	b = append(b, AttestationVersion)
	b = binary.BigEndian.AppendUint32(b, uint32(a.Dest))
	b = append(b, a.Mint.Lock.TxID[:]...)
	b = binary.BigEndian.AppendUint32(b, a.Mint.Lock.Vout)
	b = binary.BigEndian.AppendUint64(b, a.Mint.Amount)
	b = append(b, a.Mint.Recipient[:]...)
	b = append(b, a.Digest...)
	b = append(b, a.Sig...)
	return b, nil
}

// UnmarshalAttestation decodes a mint-attestation payload from signer. It
// checks the layout only; the caller verifies the digest and the signature.
func UnmarshalAttestation(signer, b []byte) (Attestation, error) {
	const op = "relayer.UnmarshalAttestation"
	if len(b) != AttestationSize {
		return Attestation{}, fault.E(op, fault.Invalid, fmt.Errorf("%w: %d bytes, want %d", ErrAttestation, len(b), AttestationSize))
	}
	if b[0] != AttestationVersion {
		return Attestation{}, fault.E(op, fault.Invalid, fmt.Errorf("%w: version %d", ErrAttestation, b[0]))
	}
	if len(signer) != 20 {
		return Attestation{}, fault.E(op, fault.Invalid, fmt.Errorf("%w: signer of %d bytes", ErrAttestation, len(signer)))
	}
	var a Attestation
	a.Dest = chains.ID(binary.BigEndian.Uint32(b[1:]))
	copy(a.Mint.Lock.TxID[:], b[5:37])
	a.Mint.Lock.Vout = binary.BigEndian.Uint32(b[37:])
	a.Mint.Amount = binary.BigEndian.Uint64(b[41:])
	copy(a.Mint.Recipient[:], b[49:81])
	a.Digest = bytes.Clone(b[81:113])
	a.Sig = bytes.Clone(b[113:178])
	a.Signer = bytes.Clone(signer)
	a.TransferID = a.Mint.Lock.TransferID()
	return a, nil
}
