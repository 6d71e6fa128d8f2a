package wire

import (
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
)

// Reject limits (RunOnFlux/fluxd src/main.h, src/main.cpp ProcessMessage "reject").
const (
	// MaxRejectReasonLen is the longest reason fluxd sends or reads (MAX_REJECT_MESSAGE_LENGTH).
	MaxRejectReasonLen = 111
	// maxRejectPayload: CompactSize(12) and the command, code, CompactSize(111)
	// and the reason, hash.
	maxRejectPayload = 1 + CommandSize + 1 + 1 + MaxRejectReasonLen + chainhash.Size
)

// RejectCode says why a peer rejected a message (src/consensus/validation.h).
type RejectCode uint8

// Reject codes.
const (
	RejectMalformed       RejectCode = 0x01
	RejectInvalid         RejectCode = 0x10
	RejectObsolete        RejectCode = 0x11
	RejectDuplicate       RejectCode = 0x12
	RejectNonstandard     RejectCode = 0x40
	RejectDust            RejectCode = 0x41
	RejectInsufficientFee RejectCode = 0x42
	RejectCheckpoint      RejectCode = 0x43
)

// String returns the code's name, or its hex value if fluxd does not define it.
func (c RejectCode) String() string {
	switch c {
	case RejectMalformed:
		return "REJECT_MALFORMED"
	case RejectInvalid:
		return "REJECT_INVALID"
	case RejectObsolete:
		return "REJECT_OBSOLETE"
	case RejectDuplicate:
		return "REJECT_DUPLICATE"
	case RejectNonstandard:
		return "REJECT_NONSTANDARD"
	case RejectDust:
		return "REJECT_DUST"
	case RejectInsufficientFee:
		return "REJECT_INSUFFICIENTFEE"
	case RejectCheckpoint:
		return "REJECT_CHECKPOINT"
	}
	return fmt.Sprintf("REJECT_UNKNOWN(%#02x)", uint8(c))
}

// MsgReject tells that a message from us was rejected. Message is the command
// of the rejected message (at most CommandSize bytes). Hash is on the wire
// only when Message is "block" or "tx": the rejected block hash or txid.
// For other messages Decode leaves it zero and Encode omits it.
type MsgReject struct {
	Message string
	Code    RejectCode
	Reason  string
	Hash    chainhash.Hash
}

// HasHash reports whether the message carries a hash: Message is "block" or "tx".
func (m *MsgReject) HasHash() bool { return m.Message == CmdBlock || m.Message == CmdTx }

// Command returns "reject".
func (m *MsgReject) Command() string { return CmdReject }

// MaxPayload is a reject with a 12-byte command, a 111-byte reason and a hash.
func (m *MsgReject) MaxPayload() int { return maxRejectPayload }

// Decode reads command, code, reason and, for block and tx, the hash.
func (m *MsgReject) Decode(r *codec.Reader) error {
	var err error
	if m.Message, err = r.VarString("reject.message", CommandSize); err != nil {
		return err
	}
	code, err := r.Uint8("reject.code")
	if err != nil {
		return err
	}
	m.Code = RejectCode(code)
	if m.Reason, err = r.VarString("reject.reason", MaxRejectReasonLen); err != nil {
		return err
	}
	m.Hash = chainhash.Hash{}
	if m.HasHash() {
		m.Hash, err = r.Hash("reject.hash")
	}
	return err
}

// Encode appends command, code, reason and, for block and tx, the hash.
func (m *MsgReject) Encode(w *codec.Writer) {
	w.VarString(m.Message)
	w.Uint8(uint8(m.Code))
	w.VarString(m.Reason)
	if m.HasHash() {
		w.Hash(m.Hash)
	}
}
