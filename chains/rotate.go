package chains

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/sha3"

	"github.com/fluxbridge/fluxbridge/fault"
)

// SignerAddressLen is the length of a signer's address in a Rotation: an
// EVM address.
const SignerAddressLen = 20

// Check reports whether r names a signer set a bridge can install: at least
// one signer, each SignerAddressLen bytes, non-zero and strictly ascending
// (so distinct), and 1 ≤ Threshold ≤ len(Signers), Threshold ≤ 255 (it is
// signed as a uint8). It does not check SetID, which only the destination
// knows; a destination may refuse more (the EVM bridge takes at most 64
// signers). The error is fault.Invalid.
func (r Rotation) Check() error {
	const op = "chains.Rotation"
	n := len(r.Signers)
	if n == 0 {
		return fault.E(op, fault.Invalid, errors.New("a signer set needs at least one signer"))
	}
	var zero [SignerAddressLen]byte
	for i, s := range r.Signers {
		switch {
		case len(s) != SignerAddressLen:
			return fault.E(op, fault.Invalid, fmt.Errorf("signer %d is %d bytes, want %d", i, len(s), SignerAddressLen))
		case bytes.Equal(s, zero[:]):
			return fault.E(op, fault.Invalid, fmt.Errorf("signer %d is the zero address", i))
		case i > 0 && bytes.Compare(r.Signers[i-1], s) >= 0:
			return fault.E(op, fault.Invalid, fmt.Errorf("signer %d (%x) does not come after signer %d (%x): the set must be strictly ascending", i, s, i-1, r.Signers[i-1]))
		}
	}
	if r.Threshold < 1 || r.Threshold > n || r.Threshold > 255 {
		return fault.E(op, fault.Invalid, fmt.Errorf("threshold %d of %d signers is not in 1..%d", r.Threshold, n, min(n, 255)))
	}
	return nil
}

// RotateDigest is the digest the current signer set signs to install the
// next one (DESIGN §6), which the bridge contract recomputes (rotateDigest):
// keccak256("FLXSET" ‖ uint32 chainId ‖ bridge(20) ‖ uint32 setId ‖ uint8 threshold ‖ signer₁ ‖ … ‖ signerₙ),
// packed, no message prefix, each signer left-padded with zeros to 32 bytes
// (abi.encodePacked pads the elements of an array). setId is r.SetID, the id
// the new set gets: the bridge's current set id + 1, so signatures for one
// rotation cannot install another. It is the project's one implementation:
// the relayer, the EVM sink and the tests use it.
//
// It is only meaningful for a rotation that passes Check: the threshold is
// encoded as its low byte and a signer as its last 32 bytes.
//
// SECURITY: a relayer computes this itself from the rotation it decided on;
// the digest a sink (a plugin) returns is only accepted when it is
// byte-for-byte this value.
func RotateDigest(chain ID, bridge [20]byte, r Rotation) [32]byte {
	buf := make([]byte, 0, 6+4+20+4+1+32*len(r.Signers))
	buf = append(buf, "FLXSET"...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(chain))
	buf = append(buf, bridge[:]...)
	buf = binary.BigEndian.AppendUint32(buf, r.SetID)
	buf = append(buf, byte(r.Threshold))
	for _, s := range r.Signers {
		var word [32]byte
		if len(s) > len(word) {
			s = s[len(s)-len(word):]
		}
		copy(word[len(word)-len(s):], s)
		buf = append(buf, word[:]...)
	}
	h := sha3.NewLegacyKeccak256()
	h.Write(buf)
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// rotationIDPrefix starts the submission id of a rotation.
const rotationIDPrefix = "rotate:"

// RotationID is the submission id of the rotation that installs set setID:
// "rotate:<setID>" in decimal.
func RotationID(setID uint32) string {
	return rotationIDPrefix + strconv.FormatUint(uint64(setID), 10)
}

// ParseRotationID parses a rotation's submission id "rotate:<setID>" (setID
// in canonical decimal, at least 1) back into its set id.
func ParseRotationID(id string) (uint32, error) {
	s, ok := strings.CutPrefix(id, rotationIDPrefix)
	if !ok {
		return 0, fault.E("chains.ParseRotationID", fault.Invalid, fmt.Errorf("%q is not rotate:<set id>", id))
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err == nil && strconv.FormatUint(n, 10) != s {
		err = errors.New("not in canonical form")
	}
	if err == nil && n == 0 {
		err = errors.New("set ids start at 1")
	}
	if err != nil {
		return 0, fault.E("chains.ParseRotationID", fault.Invalid, fmt.Errorf("set id of %q: %v", id, err))
	}
	return uint32(n), nil
}
