package chains

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/fluxbridge/fluxbridge/fault"
)

// LockRef names one lock on the FLUX chain: the transaction id in internal
// byte order (as in a prevout) and the index of the reserve output.
type LockRef struct {
	TxID [32]byte
	Vout uint32
}

// TransferID is the transfer id DESIGN §4 gives a lock: "flux:<txid>:<vout>",
// the txid in display (byte-reversed) hex.
func (l LockRef) TransferID() string {
	return "flux:" + DisplayHash(l.TxID) + ":" + strconv.FormatUint(uint64(l.Vout), 10)
}

// FormatOutPoint spells a FLUX outpoint as events and spends name it:
// "<display txid>:<vout>" (txid in internal byte order).
func FormatOutPoint(txid [32]byte, vout uint32) string {
	return DisplayHash(txid) + ":" + strconv.FormatUint(uint64(vout), 10)
}

// Mint asks a destination chain to mint the parallel asset for one lock.
type Mint struct {
	Lock LockRef
	// Amount is the gross lock value in zatoshi; the destination deducts its fee.
	Amount uint64
	// Recipient is the 32-byte recipient of the lock memo (an EVM address is
	// left-padded with 12 zero bytes; a Solana recipient is the owner key).
	Recipient [32]byte
}

// SubmissionKind names what a submission does. The list is append-only.
type SubmissionKind string

// Submission kinds.
const (
	// SubmitMint mints for one lock (lock → mint).
	SubmitMint SubmissionKind = "mint"
	// SubmitReserveSpend spends the FLUX reserve: a release, a refund or a
	// move (burn → release, DESIGN §3).
	SubmitReserveSpend SubmissionKind = "reserve-spend"
	// SubmitRotate installs the next signer set on a destination's bridge (DESIGN §6).
	SubmitRotate SubmissionKind = "rotate"
	// SubmitMintBatch mints several locks in one transaction under one
	// quorum over their batch digest (DESIGN §3 Batch MintAuth). Its id is
	// BatchID of the batch digest. A lock of the batch already minted is
	// skipped by the destination, not refused; what each lock got is read
	// with the SubmitMint status of its transfer id.
	SubmitMintBatch SubmissionKind = "mint-batch"
)

// Payout is one output a spend of the FLUX reserve pays.
type Payout struct {
	// To is a decoded FLUX address: 2-byte version prefix ‖ 20-byte hash.
	To []byte
	// Amount is what the output pays, in zatoshi.
	Amount uint64
}

// ReserveSpend asks the FLUX chain's sink for the transaction that spends the
// reserve (DESIGN §3 Release and Refund). Every relayer that asks with the
// same ReserveSpend from the same view of the chain gets the same
// transaction: that is how validators check a proposal.
type ReserveSpend struct {
	// Release: the burns' chain and inclusive nonce range, written as the
	// FLXR1 memo. Set when Refund is nil and Payouts is not empty.
	Chain              ID
	FromNonce, ToNonce uint64
	// Refund: the refunded lock, written as the FLXF1 memo.
	Refund *LockRef
	// Payouts are paid in order.
	Payouts []Payout
	// RefHeight: only reserve outputs created at or below it are spent, so
	// they are final for every relayer once the round starts.
	RefHeight uint64
	// Expiry is the transaction's expiry height.
	Expiry uint64
	// FeeRate is the set-wide fee rate, zatoshi per byte.
	FeeRate uint64
	// Exclude lists reserve outpoints not to spend, "<display txid>:<vout>":
	// the inputs of spends that are signed and not yet dead.
	Exclude []string
	// ConsolidateAbove, when positive, asks for a consolidation (no payouts,
	// no memo): with more final reserve outputs than that, the smallest are
	// merged into one. With no more, Build fails with fault.NotFound.
	ConsolidateAbove int
	// MoveTo, when set, asks for a move of the reserve to a new signer set:
	// every final reserve output (at most the inputs one transaction takes)
	// into one output to the P2SH address of MoveTo, the new set's k-of-n
	// redeem script; no payouts, no memo. With nothing final to move, Build
	// fails with fault.NotFound.
	MoveTo []byte
}

// Rotation asks a destination to install the next signer set.
type Rotation struct {
	// SetID is the id the new set gets (the bridge's current set id + 1); it
	// is part of what is signed, so signatures for one rotation cannot install another.
	SetID uint32
	// Signers are the new set's 20-byte addresses, strictly ascending; Threshold is its k.
	Signers   [][]byte
	Threshold int
}

// BuildRequest asks a sink for an unsigned submission.
type BuildRequest struct {
	Kind SubmissionKind
	// Mint is set for SubmitMint.
	Mint *Mint
	// Spend is set for SubmitReserveSpend.
	Spend *ReserveSpend
	// Rotate is set for SubmitRotate.
	Rotate *Rotation
	// Batch is set for SubmitMintBatch: the mints, 1 to MaxBatch of them,
	// ordered by strictly ascending MintAuth digest (CheckBatch).
	Batch []Mint
}

// SigScheme names how a digest is signed. The list is append-only.
type SigScheme string

// Signature schemes.
const (
	// SchemeSecp256k1 is a 65-byte recoverable secp256k1 signature
	// (r ‖ s ‖ v, v ∈ {0,1}, low s) over a 32-byte digest, with no message
	// prefix; the signer is named by its 20-byte EVM address.
	SchemeSecp256k1 SigScheme = "secp256k1-recoverable"
	// SchemeEd25519 is a 64-byte ed25519 signature over the digest bytes (a
	// Solana transaction message); the signer is its 32-byte public key.
	SchemeEd25519 SigScheme = "ed25519"
)

// Digest is one message that each signer of the set must sign.
type Digest struct {
	Scheme SigScheme
	Hash   []byte
}

// Submission is an unsigned payload a sink built, with what must be signed.
// The relayer verifies Digests itself before signing (a sink is a plugin and
// is not trusted to say what a digest means): for an EVM mint it recomputes
// the MintAuth digest of DESIGN §3 from the Mint it asked for.
type Submission struct {
	Kind SubmissionKind
	// ID is the submission's stable id: the transfer id for a mint.
	ID string
	// Payload is the chain-specific unsigned payload, opaque to the relayer;
	// it is passed back unchanged to Submit.
	Payload []byte
	// Digests lists what each signer signs, in order.
	Digests []Digest
	// Threshold is the number of distinct signers the destination requires.
	Threshold int
	// Inputs are the outpoints a reserve spend spends, "<display txid>:<vout>";
	// TxID is its transaction id (display hex), which the signatures fix.
	Inputs []string
	TxID   string
}

// Signature is one signer's signature over one digest of a submission.
type Signature struct {
	// Signer names the key: a 20-byte EVM address or a 32-byte ed25519 key.
	Signer []byte
	// Digest is the index in Submission.Digests that Sig covers.
	Digest int
	Sig    []byte
}

// SubmitRequest hands a sink a submission with the signatures collected for it.
type SubmitRequest struct {
	Submission Submission
	Signatures []Signature
}

// SubmissionState says where a submission stands. The list is append-only.
type SubmissionState string

// Submission states.
const (
	// StateUnknown: the sink has no record of it and the chain shows no effect.
	StateUnknown SubmissionState = "unknown"
	// StatePending: a transaction is in flight and not yet included.
	StatePending SubmissionState = "pending"
	// StateIncluded: included in a block that is not yet final.
	StateIncluded SubmissionState = "included"
	// StatePartial: the destination minted an instalment and holds the rest
	// (a rate limit); submitting again later mints more.
	StatePartial SubmissionState = "partial"
	// StateDone: the destination shows the whole effect (e.g. the lock is
	// used and nothing remains), whoever submitted it.
	StateDone SubmissionState = "done"
	// StateFailed: the chain refused it; Reason says why.
	StateFailed SubmissionState = "failed"
)

// Status reports a submission.
type Status struct {
	ID    string
	State SubmissionState
	// TxID is the latest transaction this sink sent for it, if any.
	TxID string
	// Block is where that transaction was included, if it was.
	Block BlockRef
	// Minted is what the destination has minted for the lock so far, net of
	// fees; Remaining is what it still holds back (instalments).
	Minted, Remaining uint64
	// Reason explains StateFailed and StatePartial.
	Reason string
}

// Ledger is what a destination chain's contract says it has done in total,
// for the accountant invariant (DESIGN §4 rule 5) and proof of reserve.
type Ledger struct {
	Chain ID
	// Minted is the gross lock value consumed by mints (net minted + fees).
	Minted uint64
	// Burned is the total burned; BurnCount the number of burns (the next
	// burn nonce).
	Burned    uint64
	BurnCount uint64
	// PausedUntil is non-zero while minting is paused (unix seconds).
	PausedUntil int64
	// At is the block the ledger was read at.
	At BlockRef
}

// Limits are a destination's immutable rules for what it mints.
type Limits struct {
	// MinLock is the smallest gross lock value the destination mints and
	// MintFee the fee it deducts (zatoshi): a lock below MinLock, or not
	// above MintFee, can never be minted there.
	MinLock, MintFee uint64
	// MinBurn is the smallest burn the bridge accepts, zatoshi; every burn
	// at or above it can be paid.
	MinBurn uint64
}

// Sink writes to a destination chain. It never holds relayer keys: it builds
// unsigned submissions with the digests to sign and submits what the relayers
// signed. Implementations are safe for concurrent use.
type Sink interface {
	// Chain returns the chain the sink writes to.
	Chain() ID
	// Build returns the unsigned submission for req. It is pure with respect
	// to the chain's state except for reading configuration (contract
	// address, signer threshold); building twice gives the same digests.
	Build(ctx context.Context, req BuildRequest) (Submission, error)
	// Submit sends a signed submission. It is idempotent: submitting what the
	// destination already did returns StateDone, and submitting while a
	// transaction for the same id is in flight returns that transaction.
	// A fault.Rejected error means the destination refused the signatures or
	// the request; the caller must not retry it unchanged.
	Submit(ctx context.Context, req SubmitRequest) (Status, error)
	// Status reports the submission with the given id (read from the chain,
	// so it is right after a restart or for someone else's submission).
	Status(ctx context.Context, kind SubmissionKind, id string) (Status, error)
	// Ledger reads the destination's totals at its finalized block.
	Ledger(ctx context.Context) (Ledger, error)
	// Limits reads the destination's immutable limits. They never change, so
	// they are read from its latest state: a bridge deployed a moment ago
	// already has them.
	Limits(ctx context.Context) (Limits, error)
}

// ParseTransferID parses a lock's transfer id "flux:<txid>:<vout>" (the
// txid in display hex) back into its LockRef.
func ParseTransferID(id string) (LockRef, error) {
	var l LockRef
	const prefix = "flux:"
	if len(id) < len(prefix)+64+2 || id[:len(prefix)] != prefix || id[len(prefix)+64] != ':' {
		return l, fault.E("chains.ParseTransferID", fault.Invalid, fmt.Errorf("%q is not flux:<txid>:<vout>", id))
	}
	var rev [32]byte
	if _, err := hex.Decode(rev[:], []byte(id[len(prefix):len(prefix)+64])); err != nil {
		return l, fault.E("chains.ParseTransferID", fault.Invalid, fmt.Errorf("txid of %q: %v", id, err))
	}
	for i := range rev {
		l.TxID[i] = rev[31-i]
	}
	vs := id[len(prefix)+65:]
	vout, err := strconv.ParseUint(vs, 10, 32)
	if err == nil && strconv.FormatUint(vout, 10) != vs {
		err = fmt.Errorf("not in canonical form")
	}
	if err != nil {
		return l, fault.E("chains.ParseTransferID", fault.Invalid, fmt.Errorf("vout of %q: %v", id, err))
	}
	l.Vout = uint32(vout)
	return l, nil
}
