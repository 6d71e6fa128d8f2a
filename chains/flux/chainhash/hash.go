// Package chainhash holds the 32-byte hash and the outpoint of the FLUX chain.
//
// Hashes are kept in "internal" byte order: the order in which they are
// serialized and hashed. RPCs and explorers display them byte-reversed, as
// Bitcoin does; String and FromDisplay convert between the two.
package chainhash

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Size is the length of a hash in bytes.
const Size = 32

// Hash is a 32-byte digest in internal byte order.
type Hash [Size]byte

// ErrHashString is returned when a display-order hex string is not a hash.
var ErrHashString = errors.New("chainhash: not a 64-digit hex hash")

// String returns the hash in display order (byte-reversed hex), as fluxd prints it.
func (h Hash) String() string {
	var r [Size]byte
	for i := range h {
		r[i] = h[Size-1-i]
	}
	return hex.EncodeToString(r[:])
}

// IsZero reports whether every byte of the hash is zero.
func (h Hash) IsZero() bool { return h == Hash{} }

// Compare compares two hashes as fluxd's uint256 operator< does: memcmp over
// the internal byte order, byte 0 first. This is NOT numeric order.
func (h Hash) Compare(o Hash) int {
	for i := 0; i < Size; i++ {
		if h[i] != o[i] {
			if h[i] < o[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// MarshalText encodes the hash in display order, so JSON shows what explorers show.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes a display-order hash.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := FromDisplay(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// FromDisplay parses a 64-digit hex string in display (byte-reversed) order.
func FromDisplay(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*Size {
		return h, fmt.Errorf("%w: got %d characters", ErrHashString, len(s))
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return h, fmt.Errorf("%w: %v", ErrHashString, err)
	}
	for i := range h {
		h[i] = b[Size-1-i]
	}
	return h, nil
}

// MustFromDisplay is FromDisplay for compile-time constants; it panics on a bad literal.
func MustFromDisplay(s string) Hash {
	h, err := FromDisplay(s)
	if err != nil {
		panic(err)
	}
	return h
}

// DoubleSHA256 returns SHA256(SHA256(parts...)).
func DoubleSHA256(parts ...[]byte) Hash {
	d := sha256.New()
	for _, p := range parts {
		d.Write(p)
	}
	var first [Size]byte
	d.Sum(first[:0])
	return Hash(sha256.Sum256(first[:]))
}

// OutPoint names one output of a transaction: the txid in internal order and the output index.
type OutPoint struct {
	Hash  Hash
	Index uint32
}

// String formats the outpoint as "<display txid>:<index>".
func (o OutPoint) String() string {
	return o.Hash.String() + ":" + strconv.FormatUint(uint64(o.Index), 10)
}

// ParseOutPoint parses "<display txid>:<index>".
func ParseOutPoint(s string) (OutPoint, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return OutPoint{}, fmt.Errorf("chainhash: outpoint %q has no ':'", s)
	}
	h, err := FromDisplay(s[:i])
	if err != nil {
		return OutPoint{}, err
	}
	n, err := strconv.ParseUint(s[i+1:], 10, 32)
	if err != nil {
		return OutPoint{}, fmt.Errorf("chainhash: outpoint index %q: %w", s[i+1:], err)
	}
	return OutPoint{Hash: h, Index: uint32(n)}, nil
}
