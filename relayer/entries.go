package relayer

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// Entry is the content of one journal entry (DESIGN §7): what the relayer
// observed with its evidence, what it decided and why, what it signed. Every
// kind the pipeline writes is one of the types below, registered in entries,
// and DecodeEntry turns a journal line back into its type: this list is what
// the audit replay reads. The list is append-only, and a type's JSON fields
// never change meaning (amounts are decimal strings: they exceed 2^53).
type Entry interface {
	// JournalKind is the entry's kind: 1 to 64 bytes of [a-z0-9-].
	JournalKind() string
}

// entries maps every kind to a constructor of its type.
var entries = map[string]func() Entry{
	KindLockSeen:           func() Entry { return &LockSeen{} },
	KindLockOrphaned:       func() Entry { return &LockOrphaned{} },
	KindLockFinal:          func() Entry { return &LockFinal{} },
	KindRefundDue:          func() Entry { return &RefundDue{} },
	KindEventRejected:      func() Entry { return &EventRejected{} },
	KindHeaders:            func() Entry { return &Headers{} },
	KindDeepReorg:          func() Entry { return &DeepReorg{} },
	KindGovernorHeld:       func() Entry { return &GovernorHeld{} },
	KindMintAttested:       func() Entry { return &MintAttested{} },
	KindAttestations:       func() Entry { return &AttestationsReceived{} },
	KindPeerConflict:       func() Entry { return &PeerConflict{} },
	KindQuorum:             func() Entry { return &Quorum{} },
	KindMintSubmitted:      func() Entry { return &MintSubmitted{} },
	KindSubmitRefused:      func() Entry { return &SubmitRefused{} },
	KindMinted:             func() Entry { return &Minted{} },
	KindSigningPaused:      func() Entry { return &SigningPaused{} },
	KindSigningResumed:     func() Entry { return &SigningResumed{} },
	KindSigningHalted:      func() Entry { return &SigningHalted{} },
	KindSigningRefused:     func() Entry { return &SigningRefused{} },
	KindSigningHealthy:     func() Entry { return &SigningHealthy{} },
	KindReobserveAnswer:    func() Entry { return &ReobserveAnswer{} },
	KindBurnFinal:          func() Entry { return &BurnFinalized{} },
	KindBurnUnpayable:      func() Entry { return &BurnUnpayable{} },
	KindSpendSigned:        func() Entry { return &ReserveSpendSigned{} },
	KindSpendRefused:       func() Entry { return &ReserveSpendRefused{} },
	KindSpendSent:          func() Entry { return &ReserveSpendSent{} },
	KindSpendMined:         func() Entry { return &ReserveSpendMined{} },
	KindSpendSettled:       func() Entry { return &ReserveSpendSettled{} },
	KindSpendDead:          func() Entry { return &ReserveSpendDead{} },
	KindRotationSigned:     func() Entry { return &RotationSigned{} },
	KindSignersRotated:     func() Entry { return &SignersRotated{} },
	KindMintBatchSigned:    func() Entry { return &MintBatchSigned{} },
	KindMintBatchSubmitted: func() Entry { return &MintBatchSubmitted{} },
}

// EntryKinds lists every journal entry kind, sorted.
func EntryKinds() []string {
	out := make([]string, 0, len(entries))
	for k := range entries {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DecodeEntry decodes the content of a journal entry of the given kind into
// its type. An unknown kind or a content that is not that type's JSON is a
// fault.Invalid error.
func DecodeEntry(kind string, content []byte) (Entry, error) {
	const op = "relayer.DecodeEntry"
	mk, ok := entries[kind]
	if !ok {
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("unknown journal entry kind %q", kind))
	}
	e := mk()
	if err := json.Unmarshal(content, e); err != nil {
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("%s entry: %v", kind, err))
	}
	return e, nil
}

// Journal entry kinds.
const (
	KindLockSeen        = "lock-seen"
	KindLockOrphaned    = "lock-orphaned"
	KindLockFinal       = "lock-final"
	KindRefundDue       = "refund-due"
	KindEventRejected   = "event-rejected"
	KindHeaders         = "headers"
	KindDeepReorg       = "deep-reorg"
	KindGovernorHeld    = "governor-held"
	KindMintAttested    = "mint-attested"
	KindAttestations    = "attestations-received"
	KindPeerConflict    = "peer-conflict"
	KindQuorum          = "quorum"
	KindMintSubmitted   = "mint-submitted"
	KindSubmitRefused   = "mint-submit-refused"
	KindMinted          = "minted"
	KindSigningPaused   = "signing-paused"
	KindSigningResumed  = "signing-resumed"
	KindSigningHalted   = "signing-halted"
	KindSigningRefused  = "signing-refused"
	KindSigningHealthy  = "signing-healthy"
	KindReobserveAnswer = "reobserve"
)

// Lock is what the journal records of a lock observation: the reserve output,
// its memo's destination and recipient, its block, and (once final) the
// evidence an auditor checks offline (the raw transaction, its merkle branch
// and the block header).
type Lock struct {
	ID        string `json:"id"`
	TxID      string `json:"txid"`
	Vout      uint32 `json:"vout"`
	Amount    uint64 `json:"amount,string"`
	Dest      uint32 `json:"dest"`
	Recipient string `json:"recipient"`
	Height    uint64 `json:"height"`
	Block     string `json:"block"`
	Evidence  string `json:"evidence,omitempty"`
	// Invalid and RefundTo describe a payment that must be refunded.
	Invalid  string `json:"invalid,omitempty"`
	RefundTo string `json:"refund_to,omitempty"`
}

// lockOf is the journal's record of a lock event.
func lockOf(ev chains.Event, withEvidence bool) Lock {
	l := Lock{ID: ev.ID, TxID: ev.TxID, Vout: ev.Index, Amount: ev.Amount, Dest: uint32(ev.DestChain),
		Recipient: hex.EncodeToString(ev.Recipient), Height: ev.Block.Height, Block: ev.Block.Hash}
	if withEvidence {
		l.Evidence = hex.EncodeToString(ev.Evidence)
	}
	if ev.Kind == chains.EventInvalidLock {
		l.Invalid, l.RefundTo = ev.Invalid, ev.RefundTo
	}
	return l
}

// lockOfTransfer is the journal's record of a stored transfer's lock.
func lockOfTransfer(t Transfer) Lock {
	return Lock{ID: t.ID, TxID: t.TxID(), Vout: t.Lock.Vout, Amount: t.Amount, Dest: uint32(t.Dest),
		Recipient: hex.EncodeToString(t.Recipient[:]), Height: t.Block.Height, Block: t.Block.Hash,
		Invalid: t.Invalid, RefundTo: t.RefundTo}
}

// LockSeen: a lock in a block of the best chain, not yet final.
type LockSeen struct{ Lock }

// LockOrphaned: a seen lock's block left the best chain.
type LockOrphaned struct {
	ID     string `json:"id"`
	Height uint64 `json:"height"`
	Block  string `json:"block"`
}

// LockFinal: a valid lock at depth D_L1, with its evidence.
type LockFinal struct{ Lock }

// RefundDue: a payment to the reserve that will be refunded, not minted: an
// invalid lock (Invalid says why, with its evidence), or a valid one its
// destination forbids (Reason says why).
type RefundDue struct {
	Lock
	Reason string `json:"reason,omitempty"`
}

// EventRejected: an event the pipeline cannot represent (a source bug or an
// attack on it), recorded instead of dropped.
type EventRejected struct {
	Lock
	Error string `json:"error"`
}

// Headers: consecutive raw FLUX headers From..To, the first linking to Prev
// (the anchor checkpoint or the previous entry's last header): the chain that
// ties every lock's evidence to the anchor.
type Headers struct {
	From    uint64   `json:"from"`
	To      uint64   `json:"to"`
	Prev    string   `json:"prev"`
	Headers []string `json:"headers"`
}

// DeepReorg: a final lock was retracted; signing halts.
type DeepReorg struct{ Lock }

// GovernorHeld: the governor queues a lock until ReleaseAt.
type GovernorHeld struct {
	ID        string `json:"id"`
	Amount    uint64 `json:"amount,string"`
	ReleaseAt string `json:"release_at"`
	Reason    string `json:"reason"`
}

// MintAttested: this relayer signed a lock's MintAuth digest.
type MintAttested struct {
	ID        string `json:"id"`
	Dest      uint32 `json:"dest"`
	Bridge    string `json:"bridge"`
	Amount    uint64 `json:"amount,string"`
	Recipient string `json:"recipient"`
	Digest    string `json:"digest"`
	Sig       string `json:"sig"`
	// Block holds the lock; Tip is the light node's tip when it signed.
	Block    string `json:"block"`
	Tip      uint64 `json:"tip"`
	Governor string `json:"governor"`
}

// ReceivedAttestation is one peer attestation stored, with its envelope.
type ReceivedAttestation struct {
	ID       string `json:"id"`
	Signer   string `json:"signer"`
	Envelope string `json:"envelope"`
}

// AttestationsReceived: peer attestations stored in one step.
type AttestationsReceived struct {
	Attestations []ReceivedAttestation `json:"attestations"`
}

// PeerConflict: a peer attestation refused because it contradicts what this
// relayer observed or the same signer's earlier one; the envelope is the
// evidence.
type PeerConflict struct {
	ID       string `json:"id"`
	Signer   string `json:"signer"`
	Reason   string `json:"reason"`
	Envelope string `json:"envelope"`
}

// Quorum: k valid attestations over this relayer's digest are stored.
type Quorum struct {
	ID      string   `json:"id"`
	Signers []string `json:"signers"`
}

// MintSubmitted: this relayer sent a mint (as the submitter of Rank).
type MintSubmitted struct {
	ID      string   `json:"id"`
	Tx      string   `json:"tx"`
	State   string   `json:"state"`
	Rank    int      `json:"rank"`
	Signers []string `json:"signers"`
}

// SubmitRefused: the destination refused a mint, for a reason other than the
// last refusal's; Attempts counts the failed attempts in a row.
type SubmitRefused struct {
	ID       string   `json:"id"`
	Error    string   `json:"error"`
	Attempts uint32   `json:"attempts"`
	Signers  []string `json:"signers"`
}

// Minted: the destination's finalized state shows the lock fully minted.
type Minted struct {
	ID     string `json:"id"`
	Tx     string `json:"tx"`
	Block  string `json:"block"`
	Height uint64 `json:"height"`
	Minted uint64 `json:"minted,string"`
}

// SigningPaused: the operator paused signing.
type SigningPaused struct {
	Reason string `json:"reason"`
}

// SigningResumed: the operator resumed signing (and cleared a halt).
type SigningResumed struct {
	ClearHalt bool `json:"clear_halt"`
}

// SigningHalted: the relayer stopped signing until an operator clears it;
// for an accountant breach, the transfer and the figures that broke it.
type SigningHalted struct {
	Reason   string `json:"reason"`
	Transfer string `json:"transfer,omitempty"`
	Minted   uint64 `json:"minted,omitempty,string"`
	This     uint64 `json:"this,omitempty,string"`
	Locked   uint64 `json:"locked,omitempty,string"`
}

// SigningRefused: signing is refused from now on, and why.
type SigningRefused struct {
	Reason string `json:"reason"`
	Cause  string `json:"cause"`
}

// SigningHealthy: signing is allowed again after a refusal.
type SigningHealthy struct {
	Previous string `json:"previous"`
}

// ReobserveAnswer: a lock recorded as seen at a peer's request.
type ReobserveAnswer struct {
	ID      string `json:"id"`
	AskedBy string `json:"asked_by"`
}

func (LockSeen) JournalKind() string             { return KindLockSeen }
func (LockOrphaned) JournalKind() string         { return KindLockOrphaned }
func (LockFinal) JournalKind() string            { return KindLockFinal }
func (RefundDue) JournalKind() string            { return KindRefundDue }
func (EventRejected) JournalKind() string        { return KindEventRejected }
func (Headers) JournalKind() string              { return KindHeaders }
func (DeepReorg) JournalKind() string            { return KindDeepReorg }
func (GovernorHeld) JournalKind() string         { return KindGovernorHeld }
func (MintAttested) JournalKind() string         { return KindMintAttested }
func (AttestationsReceived) JournalKind() string { return KindAttestations }
func (PeerConflict) JournalKind() string         { return KindPeerConflict }
func (Quorum) JournalKind() string               { return KindQuorum }
func (MintSubmitted) JournalKind() string        { return KindMintSubmitted }
func (SubmitRefused) JournalKind() string        { return KindSubmitRefused }
func (Minted) JournalKind() string               { return KindMinted }
func (SigningPaused) JournalKind() string        { return KindSigningPaused }
func (SigningResumed) JournalKind() string       { return KindSigningResumed }
func (SigningHalted) JournalKind() string        { return KindSigningHalted }
func (SigningRefused) JournalKind() string       { return KindSigningRefused }
func (SigningHealthy) JournalKind() string       { return KindSigningHealthy }
func (ReobserveAnswer) JournalKind() string      { return KindReobserveAnswer }
