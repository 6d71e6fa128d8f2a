// Package memo encodes and strictly parses the bridge's OP_RETURN memos
// (DESIGN.md §3): FLXB1 locks, FLXR1 releases and FLXF1 refunds. All integers
// are big-endian; every accepted memo re-encodes to exactly its input.
package memo

import (
	"encoding/binary"
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
)

// Magic prefixes of the three memo kinds.
const (
	MagicLock    = "FLXB1"
	MagicRelease = "FLXR1"
	MagicRefund  = "FLXF1"
	// MagicSize is the length of every magic prefix.
	MagicSize = 5
)

// Memo sizes, fixed per kind.
const (
	// LockSize is "FLXB1" ‖ version(1) ‖ chainId(4) ‖ recipient(32).
	LockSize = MagicSize + 1 + 4 + 32
	// ReleaseSize is "FLXR1" ‖ chainId(4) ‖ fromNonce(8) ‖ toNonce(8).
	ReleaseSize = MagicSize + 4 + 8 + 8
	// RefundSize is "FLXF1" ‖ txid(32, internal order) ‖ vout(4).
	RefundSize = MagicSize + chainhash.Size + 4
)

// LockVersion is the only lock memo version.
const LockVersion = 0x01

// Chain ids (DESIGN.md §3). EVM chains use their EIP-155 id, below
// NonEVMChainIDBase; other chains use ids from it on.
const (
	// NonEVMChainIDBase is the first id of a non-EVM chain.
	NonEVMChainIDBase uint32 = 0xF0000000
	// FluxChainID is the FLUX L1 itself; it is never a destination.
	FluxChainID uint32 = 0xF0000000
)

// IsEVMChainID reports whether id is an EVM (EIP-155) chain id.
func IsEVMChainID(id uint32) bool { return id < NonEVMChainIDBase }

// Memo is one of Lock, Release or Refund.
type Memo interface {
	// Bytes returns the memo's exact encoding.
	Bytes() []byte
	// Magic returns the memo's 5-byte magic prefix.
	Magic() string
}

// Lock is the memo of a user's lock payment to the reserve.
type Lock struct {
	// ChainID is the destination chain.
	ChainID uint32
	// Recipient is the destination account: an EVM address left-padded with
	// 12 zero bytes, or a 32-byte Solana owner key.
	Recipient [32]byte
}

// Release is the memo of a release transaction paying burns
// FromNonce..ToNonce (inclusive) of chain ChainID.
type Release struct {
	ChainID   uint32
	FromNonce uint64
	ToNonce   uint64
}

// Refund is the memo of a refund of the lock output LockTxID:Vout.
type Refund struct {
	// LockTxID is in internal byte order, as in a prevout.
	LockTxID chainhash.Hash
	Vout     uint32
}

// Magic implements Memo.
func (Lock) Magic() string { return MagicLock }

// Magic implements Memo.
func (Release) Magic() string { return MagicRelease }

// Magic implements Memo.
func (Refund) Magic() string { return MagicRefund }

// Bytes implements Memo. It encodes whatever the fields hold; Validate
// reports whether a parser would accept the result.
func (m Lock) Bytes() []byte {
	b := make([]byte, 0, LockSize)
	b = append(b, MagicLock...)
	b = append(b, LockVersion)
	b = binary.BigEndian.AppendUint32(b, m.ChainID)
	return append(b, m.Recipient[:]...)
}

// Bytes implements Memo.
func (m Release) Bytes() []byte {
	b := make([]byte, 0, ReleaseSize)
	b = append(b, MagicRelease...)
	b = binary.BigEndian.AppendUint32(b, m.ChainID)
	b = binary.BigEndian.AppendUint64(b, m.FromNonce)
	return binary.BigEndian.AppendUint64(b, m.ToNonce)
}

// Bytes implements Memo.
func (m Refund) Bytes() []byte {
	b := make([]byte, 0, RefundSize)
	b = append(b, MagicRefund...)
	b = append(b, m.LockTxID[:]...)
	return binary.BigEndian.AppendUint32(b, m.Vout)
}

// Validate checks the lock's fields: a destination chain id (not 0, not the
// FLUX L1), a non-zero recipient, and for an EVM chain 12 zero padding bytes.
func (m Lock) Validate() error {
	if err := checkChainID(m.ChainID); err != nil {
		return err
	}
	if m.Recipient == ([32]byte{}) {
		return errorf(CodeZeroRecipient, "recipient is all zero")
	}
	if IsEVMChainID(m.ChainID) && [12]byte(m.Recipient[:12]) != [12]byte{} {
		return errorf(CodeRecipientPadding, "EVM chain %d needs 12 leading zero bytes, got %x", m.ChainID, m.Recipient[:12])
	}
	return nil
}

// Validate checks the release's fields: a destination chain id and
// FromNonce <= ToNonce.
func (m Release) Validate() error {
	if err := checkChainID(m.ChainID); err != nil {
		return err
	}
	if m.FromNonce > m.ToNonce {
		return errorf(CodeNonceRange, "from %d > to %d", m.FromNonce, m.ToNonce)
	}
	return nil
}

// Validate accepts every refund; it exists for symmetry.
func (m Refund) Validate() error { return nil }

func checkChainID(id uint32) error {
	if id == 0 || id == FluxChainID {
		return errorf(CodeChainID, "chain id %#x is not a destination", id)
	}
	return nil
}

// EVMRecipient left-pads a 20-byte EVM address to a 32-byte recipient.
func EVMRecipient(addr [20]byte) [32]byte {
	var r [32]byte
	copy(r[12:], addr[:])
	return r
}

// magicOf returns the memo kind's magic if data starts with a known one.
func magicOf(data []byte) (string, error) {
	if len(data) >= MagicSize {
		switch m := string(data[:MagicSize]); m {
		case MagicLock, MagicRelease, MagicRefund:
			return m, nil
		}
	}
	n := min(len(data), MagicSize)
	return "", errorf(CodeUnknownMagic, "prefix %q", data[:n])
}

func expect(data []byte, magic string, size int) error {
	m, err := magicOf(data)
	if err != nil {
		return err
	}
	if m != magic {
		return errorf(CodeUnknownMagic, "%s memo where %s was expected", m, magic)
	}
	if len(data) != size {
		return errorf(CodeLength, "%s memo of %d bytes, want %d", magic, len(data), size)
	}
	return nil
}

// ParseLock strictly parses an FLXB1 memo and validates it.
func ParseLock(data []byte) (Lock, error) {
	if err := expect(data, MagicLock, LockSize); err != nil {
		return Lock{}, err
	}
	if v := data[MagicSize]; v != LockVersion {
		return Lock{}, errorf(CodeVersion, "lock memo version %#02x, want %#02x", v, LockVersion)
	}
	var m Lock
	m.ChainID = binary.BigEndian.Uint32(data[MagicSize+1:])
	copy(m.Recipient[:], data[MagicSize+5:])
	if err := m.Validate(); err != nil {
		return Lock{}, err
	}
	return m, nil
}

// ParseRelease strictly parses an FLXR1 memo and validates it.
func ParseRelease(data []byte) (Release, error) {
	if err := expect(data, MagicRelease, ReleaseSize); err != nil {
		return Release{}, err
	}
	m := Release{
		ChainID:   binary.BigEndian.Uint32(data[MagicSize:]),
		FromNonce: binary.BigEndian.Uint64(data[MagicSize+4:]),
		ToNonce:   binary.BigEndian.Uint64(data[MagicSize+12:]),
	}
	if err := m.Validate(); err != nil {
		return Release{}, err
	}
	return m, nil
}

// ParseRefund strictly parses an FLXF1 memo.
func ParseRefund(data []byte) (Refund, error) {
	if err := expect(data, MagicRefund, RefundSize); err != nil {
		return Refund{}, err
	}
	var m Refund
	copy(m.LockTxID[:], data[MagicSize:])
	m.Vout = binary.BigEndian.Uint32(data[MagicSize+chainhash.Size:])
	return m, nil
}

// Parse strictly parses any bridge memo; the result is a Lock, Release or
// Refund value.
func Parse(data []byte) (Memo, error) {
	m, err := magicOf(data)
	if err != nil {
		return nil, err
	}
	switch m {
	case MagicLock:
		return ParseLock(data)
	case MagicRelease:
		return ParseRelease(data)
	default:
		return ParseRefund(data)
	}
}

// Script returns the OP_RETURN output script carrying m: OP_RETURN and one
// minimal direct push.
func Script(m Memo) []byte {
	s, err := script.NullData(m.Bytes())
	if err != nil {
		panic(fmt.Sprintf("memo: %d-byte memo does not fit OP_RETURN", len(m.Bytes())))
	}
	return s
}

// FromScript parses the memo of an output script that is exactly OP_RETURN
// followed by one minimal push of the memo, nothing else.
func FromScript(scriptPubKey []byte) (Memo, error) {
	data, err := script.ParseNullData(scriptPubKey)
	if err != nil {
		return nil, &Error{Code: CodeNotMemoScript, Detail: "not OP_RETURN <push>", Err: err}
	}
	return Parse(data)
}
