package relayer

import (
	"context"
	"slices"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
)

// Store persists a relayer's state (DESIGN §7). relayer/store/sqlite is the
// implementation; the domain sees only these interfaces.
//
// Every state step is one Update: the transfers it changes, the cursor it
// consumed, the attestations or submissions it stored and the journal entries
// that explain it commit together or not at all, so a relayer that crashes
// anywhere resumes without losing or duplicating anything.
type Store interface {
	// Update runs fn in one write transaction. If fn returns an error the
	// transaction rolls back and Update returns that error unchanged. Writes
	// are serialised: one Update runs at a time.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read transaction (a consistent snapshot); writes
	// inside it fail with a fault.Internal error.
	View(ctx context.Context, fn func(Tx) error) error
	// Close closes the store.
	Close() error
}

// Tx is one transaction of a Store. Its methods must not be used after the
// Update or View that passed it returns. Errors are *fault.Error values:
// fault.NotFound for a missing row, fault.Conflict for a write that contradicts
// what is stored, fault.Invalid for a malformed value, fault.Internal otherwise.
type Tx interface {
	// Now is the transaction's one timestamp (UTC, millisecond precision):
	// every row and journal entry written in the transaction carries it.
	Now() time.Time

	// Cursor returns the stored cursor of a named event stream ("" if none);
	// SetCursor stores it.
	Cursor(stream string) (chains.Cursor, error)
	SetCursor(stream string, c chains.Cursor) error

	// Transfer returns one transfer (fault.NotFound if unknown).
	Transfer(id string) (Transfer, error)
	// PutTransfer inserts a transfer or updates it. An update whose state
	// transition CanMove refuses fails with fault.Conflict and changes nothing.
	// Lock, Dest, Recipient and Amount never change once stored (fault.Conflict).
	PutTransfer(t Transfer) error
	// Transfers lists transfers matching q, oldest first (by SeenAt, then ID),
	// or by NextAttempt first when q.AttemptDue is set.
	Transfers(q TransferQuery) ([]Transfer, error)
	// Batches lists this relayer's mint batches that have a member in one of
	// states, oldest first (by their members' earliest SeenAt, then id),
	// at most limit (0: no limit). It reads no member whole, so the batch
	// submitter can look for work on every tick.
	Batches(states []State, limit int) ([]BatchRef, error)
	// CountByState counts transfers per state.
	CountByState() (map[State]int, error)
	// LockedTotal is Σ Amount over the transfers that are valid locks at
	// depth D_L1 or more (final and every later lock → mint state; not
	// refund-due, seen or orphaned): the reserve side of the accountant
	// invariant (DESIGN §4 rule 5).
	LockedTotal() (uint64, error)

	// AddAttestation stores a signer's attestation for a transfer. Storing
	// the same (transfer, signer, digest, mint) again returns added = false.
	// The same signer with another digest or mint fails with fault.Conflict
	// (the stored one stays). The transfer need not be known yet.
	AddAttestation(a Attestation) (added bool, err error)
	// Attestations lists a transfer's attestations ordered by signer.
	Attestations(transferID string) ([]Attestation, error)

	// AddSubmission records that this relayer sent a submission.
	AddSubmission(s Submission) error

	// Approve records the governor's approval of a transfer's notional on its
	// destination chain (idempotent per transfer); Approved sums the
	// approvals on a chain at or after since.
	Approve(chain chains.ID, transferID string, amount uint64) error
	Approved(chain chains.ID, since time.Time) (uint64, error)

	// AddReserveUTXO stores an unspent reserve output (idempotent).
	AddReserveUTXO(u ReserveUTXO) error

	// PutBurn inserts a burn or updates it, keyed by (Chain, Nonce). An
	// update whose state transition CanMoveBurn refuses, or that changes ID,
	// Amount or To, fails with fault.Conflict and changes nothing.
	PutBurn(b Burn) error
	// Burn returns one chain's burn by nonce (fault.NotFound if unknown).
	Burn(chain chains.ID, nonce uint64) (Burn, error)
	// Burns lists the burns matching q ordered by chain, then nonce.
	Burns(q BurnQuery) ([]Burn, error)

	// PutSpend inserts a reserve spend or updates it, keyed by TxID. Kind,
	// Chain, FromNonce, ToNonce, Ref, Round, Proposer, Inputs, Expiry and
	// Unsigned never change once stored, and a dead or settled spend's state
	// never changes (fault.Conflict).
	PutSpend(s Spend) error
	// Spend returns one spend (fault.NotFound if unknown).
	Spend(txid string) (Spend, error)
	// Spends lists the spends matching q, oldest first (CreatedAt, then TxID).
	Spends(q SpendQuery) ([]Spend, error)
	// AddSpendSignature stores a member's signatures over a spend. Storing
	// the same (txid, signer, sigs) again returns added = false; the same
	// signer with other signatures fails with fault.Conflict (the stored
	// ones stay). The spend need not be known yet.
	AddSpendSignature(s SpendSignature) (added bool, err error)
	// SpendSignatures lists a spend's signatures ordered by signer.
	SpendSignatures(txid string) ([]SpendSignature, error)

	// Journal appends an entry of kind e.JournalKind() with the canonical
	// JSON of e, chained to the previous entry and signed with the relayer's
	// key (relayer/journal), and returns its sequence number. Only the typed
	// entries of entries.go are journaled, so the audit replay knows them all.
	Journal(e Entry) (seq uint64, err error)
	// JournalHead returns the last entry's sequence number and hash
	// (ok = false for an empty journal). The domain never sees journal
	// entries themselves: relayer/journal signs with go-ethereum, which the
	// domain must not import (DESIGN §2); the store's own JournalRange
	// serves exports.
	JournalHead() (seq uint64, hash [32]byte, ok bool, err error)

	// Setting and SetSetting keep small named values (the signing pause, the
	// accountant halt); an empty value deletes the setting.
	Setting(key string) (value string, ok bool, err error)
	SetSetting(key, value string) error

	// PutHead and Heads keep each chain's last observed head (for status).
	PutHead(chain chains.ID, h chains.Head) error
	Heads() (map[chains.ID]chains.Head, error)
}

// TransferQuery selects transfers. Zero fields do not filter.
type TransferQuery struct {
	States []State
	Dest   chains.ID
	// Batch selects the members of one of this relayer's mint batches.
	Batch string
	// DueBefore selects queued transfers whose ReleaseAt is at or before it.
	DueBefore time.Time
	// AttemptDue selects transfers whose NextAttempt is at or before it and
	// orders them by NextAttempt (then oldest first), so the transfers that
	// waited longest for an attempt go first and a refused one backing off
	// never starves newer ones.
	AttemptDue time.Time
	// AfterID pages: only transfers ordered after the one with this id.
	AfterID string
	// Limit bounds the result (0: no limit).
	Limit int
	// NoEvidence leaves each transfer's Evidence out (nil): for steps that
	// scan a backlog and never look at it (the lock's raw transaction and
	// proof, most of a row). A transfer read so is never written back: a
	// step that changes it reads it again in its Update.
	NoEvidence bool
}

// BatchRef is one of this relayer's mint batches as Tx.Batches lists it:
// its id, destination, and the earliest AttestedAt of the members listed
// (a batch's members are signed in one step, so they share it).
type BatchRef struct {
	ID         string
	Dest       chains.ID
	AttestedAt time.Time
}

// BurnQuery selects burns. Zero fields do not filter.
type BurnQuery struct {
	Chain  chains.ID
	States []BurnState
	// FromNonce selects nonces at or above it (with Chain set).
	FromNonce uint64
	// Limit bounds the result (0: no limit).
	Limit int
}

// SpendQuery selects reserve spends. Zero fields do not filter.
type SpendQuery struct {
	Kinds  []SpendKind
	States []SpendState
	Chain  chains.ID
	// SignedByUs selects only the spends this relayer signed.
	SignedByUs bool
	// Live leaves out dead spends.
	Live bool
	// Ref selects the spends with this reference (a refund's transfer id, a
	// move's target set).
	Ref string
	// Overlapping, when set, selects the releases whose burn range shares a
	// nonce with it (of Chain, when Chain is set).
	Overlapping *NonceRange
	// HighestFirst orders the result by ToNonce, the highest first (then by
	// txid), instead of by creation: with Kinds release, Chain, Live and
	// Limit 2, the releases that decide the next nonce to release.
	HighestFirst bool
	// Limit bounds the result (0: no limit).
	Limit int
}

// NonceRange is an inclusive range of burn nonces.
type NonceRange struct{ From, To uint64 }

// Matches reports whether s is one of the spends q selects (Limit and the
// order aside): the stores' Spends select by it.
func (q SpendQuery) Matches(s Spend) bool {
	switch {
	case len(q.Kinds) > 0 && !slices.Contains(q.Kinds, s.Kind),
		len(q.States) > 0 && !slices.Contains(q.States, s.State),
		q.Chain != 0 && s.Chain != q.Chain,
		q.SignedByUs && !s.SignedByUs,
		q.Live && !s.Live(),
		q.Ref != "" && s.Ref != q.Ref,
		q.Overlapping != nil && (s.Kind != SpendRelease || s.FromNonce > q.Overlapping.To || s.ToNonce < q.Overlapping.From):
		return false
	}
	return true
}

// Submission is one destination transaction this relayer sent for a transfer.
type Submission struct {
	TransferID string
	Dest       chains.ID
	// TxID is the destination transaction; State what the sink reported.
	TxID  string
	State chains.SubmissionState
	// Signers are the signers whose signatures it carried.
	Signers [][]byte
	At      time.Time
}

// ReserveUTXO is one unspent output of the FLUX reserve (a final lock).
type ReserveUTXO struct {
	TxID   string // display hex
	Vout   uint32
	Amount uint64
	Height uint64
	// TransferID is the lock it came from ("" for change outputs, issue 6).
	TransferID string
}

// Setting keys.
const (
	// SettingPaused holds the operator's reason while signing is paused.
	SettingPaused = "signing.paused"
	// SettingHalted holds why signing halted itself (accountant invariant
	// broken, final event retracted); only an operator clears it.
	SettingHalted = "signing.halted"
)
