package relayer

import (
	"fmt"
	"strconv"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// BurnState is where a burn → release transfer stands (DESIGN §4). Burns
// move forward only; CanMoveBurn is the whole transition table. The list is
// append-only.
type BurnState string

// Burn → release states.
const (
	// BurnSeen: the burn is in a block of the foreign chain, not yet final.
	BurnSeen BurnState = "seen"
	// BurnFinal: the burn's block is final (the chain's finalized tag).
	BurnFinal BurnState = "final"
	// BurnInBatch: a release proposal this relayer accepted covers the burn.
	BurnInBatch BurnState = "in-batch"
	// BurnSigned: this relayer signed a release paying the burn.
	BurnSigned BurnState = "signed"
	// BurnBroadcast: a fully signed release paying the burn was sent.
	BurnBroadcast BurnState = "broadcast"
	// BurnReleased: a release whose FLXR1 range covers the burn is in a FLUX
	// block (depth ≥ 1), whoever built it.
	BurnReleased BurnState = "released"
	// BurnSettled: that release is at depth ≥ D_L1. Terminal.
	BurnSettled BurnState = "settled"
)

var burnStates = map[BurnState]int{
	BurnSeen: 1, BurnFinal: 2, BurnInBatch: 3, BurnSigned: 4, BurnBroadcast: 5, BurnReleased: 6, BurnSettled: 7,
}

// Valid reports whether s is a known burn state.
func (s BurnState) Valid() bool { _, ok := burnStates[s]; return ok }

// CanMoveBurn reports whether a burn may go from one state to another: to a
// later state, or back from in-batch, signed or broadcast to final when the
// release that covered it is provably dead (expired or double-spent at depth
// D_L1) and a new one must be built, or from released to broadcast when a
// reorganisation took the release's block away (the transaction returns to
// the mempool). Staying in the same state is allowed.
func CanMoveBurn(from, to BurnState) bool {
	f, okf := burnStates[from]
	t, okt := burnStates[to]
	switch {
	case !okf || !okt:
		return false
	case t >= f:
		return true
	case to == BurnFinal:
		return from == BurnInBatch || from == BurnSigned || from == BurnBroadcast
	case from == BurnReleased:
		return to == BurnBroadcast
	}
	return false
}

// Burn is one burn of the parallel asset on a foreign chain, to be released
// on the FLUX chain.
type Burn struct {
	// ID is "<chainId>:burn:<nonce>" (DESIGN §4).
	ID    string
	Chain chains.ID
	// Nonce is the burn's nonce, contiguous from 0 per bridge contract.
	Nonce uint64
	// Amount is the gross burned value in zatoshi; the release pays it minus
	// the release fee.
	Amount uint64
	// To is the decoded FLUX address: a 2-byte version prefix and a 20-byte hash.
	To []byte
	// Sender is the burner's address; TxID the burn's transaction, both in
	// the chain's display form.
	Sender string
	TxID   string
	Block  chains.BlockRef
	// Evidence is the source's proof of the burn (a receipt).
	Evidence []byte
	State    BurnState
	// Release is the FLUX transaction (display txid) of the release that
	// covers the burn, once one is known.
	Release string
	// Unpayable is set when no release can pay the burn (its amount does not
	// cover the release fee and FLUX's dust limit, an address the reserve
	// cannot pay): the burn's nonce is still covered by a release range, so
	// it blocks nothing, but no output pays it. It is journaled and shown.
	Unpayable string
	// Times of the state steps (zero until reached).
	SeenAt, FinalAt, ReleasedAt, SettledAt, UpdatedAt time.Time
}

// BurnID is the transfer id DESIGN §4 gives an EVM burn.
func BurnID(chain chains.ID, nonce uint64) string {
	return chain.String() + ":burn:" + strconv.FormatUint(nonce, 10)
}

// BurnFromEvent builds the burn an event of kind burn reports, in state seen.
func BurnFromEvent(ev chains.Event, now time.Time) (Burn, error) {
	const op = "relayer.BurnFromEvent"
	switch {
	case ev.Kind != chains.EventBurn:
		return Burn{}, fault.E(op, fault.Invalid, fmt.Errorf("event %s of kind %q is not a burn", ev.ID, ev.Kind))
	case len(ev.Recipient) != 22:
		return Burn{}, fault.E(op, fault.Invalid, fmt.Errorf("burn %s: FLUX address of %d bytes, want 22", ev.ID, len(ev.Recipient)))
	case ev.ID != BurnID(ev.Chain, ev.Nonce):
		return Burn{}, fault.E(op, fault.Invalid, fmt.Errorf("burn id %q does not name chain %s nonce %d", ev.ID, ev.Chain, ev.Nonce))
	case ev.Amount == 0:
		return Burn{}, fault.E(op, fault.Invalid, fmt.Errorf("burn %s of zero", ev.ID))
	}
	return Burn{ID: ev.ID, Chain: ev.Chain, Nonce: ev.Nonce, Amount: ev.Amount, To: append([]byte(nil), ev.Recipient...),
		Sender: ev.Sender, TxID: ev.TxID, Block: ev.Block, Evidence: ev.Evidence, State: BurnSeen, SeenAt: now, UpdatedAt: now}, nil
}

// SpendKind names what a reserve spend does. The list is append-only.
type SpendKind string

// Reserve spend kinds.
const (
	// SpendRelease pays a contiguous range of one chain's burns (FLXR1).
	SpendRelease SpendKind = "release"
	// SpendRefund refunds one payment to the reserve (FLXF1).
	SpendRefund SpendKind = "refund"
	// SpendMove moves reserve outputs without a bridge memo (consolidation,
	// a move to a new signer set).
	SpendMove SpendKind = "move"
)

// SpendState is where a reserve spend stands. The list is append-only.
type SpendState string

// Reserve spend states.
const (
	// SpendSigned: this relayer signed the transaction (the persisted
	// decision of signing rule 3, stored before the signatures leave).
	SpendSigned SpendState = "signed"
	// SpendBroadcast: the fully signed transaction was sent to the FLUX network.
	SpendBroadcast SpendState = "broadcast"
	// SpendMined: the transaction is in a block of the best chain (depth ≥ 1).
	SpendMined SpendState = "mined"
	// SpendSettled: the transaction is at depth ≥ D_L1. Terminal.
	SpendSettled SpendState = "settled"
	// SpendDead: the transaction can never be mined: its expiry height is
	// D_L1 blocks behind the final tip, or one of its inputs was spent by
	// another transaction now at depth ≥ D_L1. Terminal.
	SpendDead SpendState = "dead"
)

// Spend is one transaction spending reserve outputs that this relayer signed
// or saw on the FLUX chain. A spend this relayer signed is its decision under
// signing rule 3: it never signs another spend overlapping it (the same
// burn range or lock, or the same inputs) until this one is dead.
type Spend struct {
	// TxID is the transaction's id in display hex.
	TxID string
	Kind SpendKind
	// Release: the burns' chain and the inclusive nonce range.
	Chain              chains.ID
	FromNonce, ToNonce uint64
	// Refund: the transfer id of the refunded lock.
	Ref string
	// Round is the release round the transaction was proposed in, Proposer
	// the proposer's 20-byte address (zero for spends only seen on chain).
	Round    uint64
	Proposer []byte
	// Inputs are the reserve outpoints spent, "<display txid>:<vout>".
	Inputs []string
	// Expiry is the transaction's expiry height (0: none).
	Expiry uint64
	// Unsigned is the transaction without signatures (what was signed);
	// Signed the assembled transaction once k signatures were collected.
	Unsigned []byte
	Signed   []byte
	// SignedByUs is true when this relayer signed it.
	SignedByUs bool
	State      SpendState
	// Height is the block holding it (mined, settled), or for a dead spend
	// the height at which that was proven.
	Height uint64
	// Reason explains a dead spend.
	Reason               string
	CreatedAt, UpdatedAt time.Time
}

// Overlaps reports whether s covers any of the nonces from..to of chain.
func (s Spend) Overlaps(chain chains.ID, from, to uint64) bool {
	return s.Kind == SpendRelease && s.Chain == chain && s.FromNonce <= to && from <= s.ToNonce
}

// Live reports whether s may still be mined or already was (not dead).
func (s Spend) Live() bool { return s.State != SpendDead }

// SpendSignature is one member's signatures over every input of a spend (the
// content of a release-signature envelope).
type SpendSignature struct {
	TxID string
	// Signer is the member's 20-byte address; Sigs one 65-byte recoverable
	// signature per input, in input order.
	Signer []byte
	Sigs   [][]byte
	// Envelope is the raw envelope it arrived in; empty for our own.
	Envelope   []byte
	ReceivedAt time.Time
}
