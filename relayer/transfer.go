package relayer

import (
	"fmt"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// State is where a transfer stands (DESIGN §4). Transfers move forward only;
// CanMove is the whole transition table. The list is append-only: issue 6
// adds the refund and burn → release states.
type State string

// Lock → mint states.
const (
	// StateSeen: the lock is in a block of the light node's best chain, not
	// yet at depth D_L1.
	StateSeen State = "seen"
	// StateOrphaned: the lock's block left the best chain before the lock was
	// final. It is never signed; it returns to seen if it is mined again.
	StateOrphaned State = "orphaned"
	// StateFinal: the lock is at depth ≥ D_L1 on the best chain.
	StateFinal State = "final"
	// StateQueued: the governor holds the lock until ReleaseAt.
	StateQueued State = "queued"
	// StateAttested: this relayer signed the MintAuth and stored its signature.
	StateAttested State = "attested"
	// StateQuorum: k valid signatures over this relayer's own digest are stored.
	StateQuorum State = "quorum"
	// StateSubmitted: this relayer sent the signed mint to the destination.
	StateSubmitted State = "submitted"
	// StateMinted: the destination's finalized state shows the lock fully
	// minted, whoever submitted it. Terminal.
	StateMinted State = "minted"
	// StateRefundDue: a payment to the reserve that must be refunded: an
	// invalid lock (EventInvalidLock), or a valid one whose destination's
	// immutable rules forbid minting it (below its minimum, not above its
	// fee, a recipient it refuses). A refund pays it back (minus the
	// release fee) to the address of its first input; one whose address
	// cannot be derived waits here for an operator's claim.
	StateRefundDue State = "refund-due"
	// StateRefunded: a refund of the payment (FLXF1) is final on the FLUX
	// chain. Terminal.
	StateRefunded State = "refunded"
)

// states lists every state with its rank: a transition goes to a higher
// rank, except the seen ↔ orphaned pair.
var states = map[State]int{
	StateSeen: 1, StateOrphaned: 1, StateFinal: 2, StateQueued: 3, StateAttested: 4,
	StateQuorum: 5, StateSubmitted: 6, StateMinted: 7, StateRefundDue: 7, StateRefunded: 8,
}

// Valid reports whether s is a known state.
func (s State) Valid() bool { _, ok := states[s]; return ok }

// Terminal reports whether nothing follows s.
func (s State) Terminal() bool { return s == StateMinted || s == StateRefunded }

// CanMove reports whether a transfer may go from one state to another:
//
//	seen → orphaned | final | refund-due        orphaned → seen | final | refund-due
//	final → queued | attested | minted | refund-due
//	queued → attested | minted | refund-due
//	attested → quorum | minted | refund-due     quorum → submitted | minted | refund-due
//	submitted → minted                          refund-due → refunded
//
// Minted may follow any state from final on because it is read from the
// destination chain, where anyone may submit. Refund-due may follow any state
// from final up to quorum because the destination can forbid a lock only
// before it minted anything for it (its rules are immutable). Staying in the same state is
// allowed (an update of the other fields).
func CanMove(from, to State) bool {
	if !from.Valid() || !to.Valid() {
		return false
	}
	if from == to {
		return true
	}
	switch from {
	case StateSeen:
		return to == StateOrphaned || to == StateFinal || to == StateRefundDue
	case StateOrphaned:
		return to == StateSeen || to == StateFinal || to == StateRefundDue
	case StateFinal:
		return to == StateQueued || to == StateAttested || to == StateMinted || to == StateRefundDue
	case StateQueued:
		return to == StateAttested || to == StateMinted || to == StateRefundDue
	case StateAttested:
		return to == StateQuorum || to == StateMinted || to == StateRefundDue
	case StateQuorum:
		return to == StateSubmitted || to == StateMinted || to == StateRefundDue
	case StateSubmitted:
		return to == StateMinted
	case StateRefundDue:
		return to == StateRefunded
	}
	return false
}

// Transfer is one lock → mint transfer as this relayer knows it.
type Transfer struct {
	// ID is the stable transfer id, "flux:<txid>:<vout>".
	ID    string
	State State
	// Lock names the reserve output; Dest, Recipient and Amount come from its
	// FLXB1 memo and value (zatoshi).
	Lock      chains.LockRef
	Dest      chains.ID
	Recipient [32]byte
	Amount    uint64
	// Block is the FLUX block holding the lock on the best chain.
	Block chains.BlockRef
	// Evidence is the lock's proof (raw transaction, merkle branch, header).
	Evidence []byte
	// Invalid says why a payment is due a refund; RefundTo is where it is
	// refunded if it must be (chains.Event), empty when only an operator's
	// claim can say.
	Invalid  string
	RefundTo string
	// Digest is the MintAuth digest this relayer computed and verified for
	// the mint (set when attested).
	Digest []byte
	// ReleaseAt is when the governor lets a queued transfer go.
	ReleaseAt time.Time
	// Reason is the last decision's reason (why queued, why not signed yet).
	Reason string
	// MintTx is the destination transaction that minted, when known;
	// Minted is what the destination minted for it, net of fees.
	MintTx string
	Minted uint64
	// Times of the state steps (zero until reached).
	SeenAt, FinalAt, AttestedAt, QuorumAt, SubmittedAt, MintedAt time.Time
	// UpdatedAt is the time of the last change.
	UpdatedAt time.Time
	// NextAttempt is when the submitter may next submit the mint: the
	// submitter rank's turn once in quorum, later after each failed attempt
	// (backing off per transfer). Attempts counts the failed attempts in a
	// row; Refused is the last failure's reason ("" after a success), so a
	// refusal is journaled once per change of reason, not once per attempt.
	NextAttempt time.Time
	Attempts    uint32
	Refused     string
	// Batch is the id of the mint batch this relayer signed the transfer in
	// (chains.BatchID, DESIGN §3 Batch MintAuth), "" when it signed it alone.
	// It is set when the transfer is attested and never changes after.
	Batch string
}

// Mint returns the chains.Mint this transfer asks its destination for.
func (t Transfer) Mint() chains.Mint {
	return chains.Mint{Lock: t.Lock, Amount: t.Amount, Recipient: t.Recipient}
}

// TransferFromEvent builds the transfer a lock event reports, in state seen
// (or refund-due for an invalid lock).
func TransferFromEvent(ev chains.Event, now time.Time) (Transfer, error) {
	const op = "relayer.TransferFromEvent"
	lock, err := chains.ParseTransferID(ev.ID)
	if err != nil {
		return Transfer{}, err
	}
	t := Transfer{ID: ev.ID, Lock: lock, Amount: ev.Amount, Block: ev.Block, Evidence: ev.Evidence, RefundTo: ev.RefundTo, SeenAt: now, UpdatedAt: now}
	switch ev.Kind {
	case chains.EventLock:
		if len(ev.Recipient) != 32 {
			return Transfer{}, fault.E(op, fault.Invalid, fmt.Errorf("lock %s: recipient of %d bytes, want 32", ev.ID, len(ev.Recipient)))
		}
		t.State, t.Dest = StateSeen, ev.DestChain
		copy(t.Recipient[:], ev.Recipient)
	case chains.EventInvalidLock:
		t.State, t.Invalid, t.RefundTo, t.Dest = StateRefundDue, ev.Invalid, ev.RefundTo, ev.DestChain
		copy(t.Recipient[:], ev.Recipient)
	default:
		return Transfer{}, fault.E(op, fault.Invalid, fmt.Errorf("event %s of kind %q is not a lock", ev.ID, ev.Kind))
	}
	return t, nil
}

// Attestation is one relayer's signature over the MintAuth digest of one
// transfer (the content of a mint-attestation envelope).
type Attestation struct {
	TransferID string
	Dest       chains.ID
	// Mint is what the signer claims it signed for.
	Mint chains.Mint
	// Signer is the 20-byte EVM address of the signing relayer.
	Signer []byte
	// Digest is the MintAuth digest signed; Sig the 65-byte signature.
	Digest []byte
	Sig    []byte
	// Envelope is the raw envelope it arrived in (evidence); empty for our own.
	Envelope []byte
	// ReceivedAt is when it was stored.
	ReceivedAt time.Time
}

// TxID returns the lock transaction's id in display hex.
func (t Transfer) TxID() string { return chains.DisplayHash(t.Lock.TxID) }
