// Package chains is the contract between the relayer core and every chain it
// watches or writes to (DESIGN §2). The in-process FLUX light node and the
// foreign-chain plugins implement the same interfaces, so the relayer does not
// know which is which.
//
// This package is pure: request and response types and the interfaces. It
// imports no chain SDK, no storage driver and no plugin framework.
package chains

import (
	"context"
	"fmt"
	"time"
)

// ID identifies a chain (DESIGN §3): an EVM chain uses its EIP-155 id; other
// chains use ids from 0xF0000000.
type ID uint32

// The non-EVM chain ids.
const (
	FluxL1        ID = 0xF0000000
	SolanaMainnet ID = 0xF0000001
	SolanaDevnet  ID = 0xF0000002
	SolanaLocal   ID = 0xF00000FF
)

// IsEVM reports whether id is an EIP-155 chain id.
func (id ID) IsEVM() bool { return id < 0xF0000000 }

// String formats the id as DESIGN writes it: decimal for EVM chains, hex otherwise.
func (id ID) String() string {
	if id.IsEVM() {
		return fmt.Sprintf("%d", uint32(id))
	}
	return fmt.Sprintf("%#08x", uint32(id))
}

// BlockRef names one block of a chain.
type BlockRef struct {
	Height uint64
	// Hash is the block hash as the chain's tools display it
	// (FLUX: byte-reversed hex; EVM: 0x-prefixed hex; Solana: base58).
	Hash string
	Time time.Time
}

// Head is a source's view of its chain.
type Head struct {
	// Tip is the best block the source has verified.
	Tip BlockRef
	// Final is the deepest block the source considers final (FLUX: Tip minus
	// the reorg limit; EVM: the "finalized" tag).
	Final BlockRef
	// Healthy is false when the source must not be signed on (DESIGN §4 rule 2):
	// behind its peers, peers disagreeing, an RPC failing.
	Healthy bool
	// Reason says why the source is unhealthy; empty when healthy.
	Reason string
}

// EventKind names what an event reports. The list is append-only.
type EventKind string

// Event kinds.
const (
	// EventLock is a payment to the FLUX reserve with a well-formed FLXB1 memo.
	EventLock EventKind = "lock"
	// EventInvalidLock is a payment to the reserve that must be refunded
	// (malformed memo, unsupported chain, several reserve outputs, below minimum).
	EventInvalidLock EventKind = "invalid-lock"
	// EventRelease is a reserve spend carrying an FLXR1 memo.
	EventRelease EventKind = "release"
	// EventRefund is a reserve spend carrying an FLXF1 memo.
	EventRefund EventKind = "refund"
	// EventReserveSpend is a reserve spend with no bridge memo (consolidation, set rotation).
	EventReserveSpend EventKind = "reserve-spend"
	// EventBurn is a burn of the parallel asset on a foreign chain.
	EventBurn EventKind = "burn"
)

// Event is one observation a source reports: chain-neutral fields, the
// kind-specific fields, and the evidence an auditor can check offline.
type Event struct {
	Kind EventKind
	// ID is the transfer's stable id (DESIGN §4), e.g. "flux:<txid>:<vout>".
	ID    string
	Chain ID
	// TxID is the transaction that carries the event, in display form.
	TxID string
	// Index locates the event in its transaction (FLUX: the output index).
	Index uint32
	Block BlockRef
	// Amount in the chain's base unit (FLUX: zatoshi).
	Amount uint64

	// Lock: the destination chain and recipient (32 bytes; an EVM address
	// left-padded with 12 zero bytes). Burn: DestChain is FluxL1 and
	// Recipient the decoded FLUX address (2-byte prefix ‖ 20-byte hash).
	DestChain ID
	Recipient []byte
	// Burn: the burn's nonce (contiguous from 0 per contract) and the
	// burner's address in the chain's display form.
	Nonce  uint64
	Sender string
	// Release: the burn nonce range, inclusive. Refund: the refunded lock id in Ref.
	FromNonce, ToNonce uint64
	Ref                string
	// Inputs are the reserve outpoints a reserve spend (release, refund,
	// reserve-spend) spent, "<display txid>:<vout>", in input order. Only
	// the FLUX light node reports reserve spends, in process, so this field
	// does not cross the plugin boundary.
	Inputs []string
	// Invalid says why an invalid lock must be refunded (a memo error code or
	// a policy reason). RefundTo is where a lock is refunded if it must be
	// (a FLUX address read from its first input; set for valid locks too, in
	// case their destination refuses them), empty when it cannot be derived
	// and the lock needs an operator's claim.
	Invalid  string
	RefundTo string

	// Evidence is chain-specific proof of the event (FLUX: the raw
	// transaction and its merkle branch to the block header).
	Evidence []byte

	// Retracted is set on an event that was reported before and is no longer
	// on the chain (a reorganisation removed its block).
	Retracted bool
}

// Cursor is an opaque position in a source's event stream. The empty cursor
// means "from the source's start".
type Cursor string

// EventsRequest asks for the events after a cursor at a finality level.
type EventsRequest struct {
	After Cursor
	// Confirmations is the depth a block needs for its events to be reported:
	// 1 is the tip block. Sources may refuse values beyond what they can serve.
	Confirmations uint32
	// Limit bounds the number of events returned; 0 means the source's default.
	Limit int
}

// EventsResponse is an ordered slice of the event stream. Retractions come in
// stream order, before the events that replace them.
type EventsResponse struct {
	Events []Event
	// Next is the cursor to pass as After to continue.
	Next Cursor
	Head Head
}

// Source observes a chain. Implementations are safe for concurrent use.
//
// Events is idempotent for a given cursor as long as no reorganisation
// happens; after one, the stream from an old cursor first retracts what was
// reported on the abandoned branch. A caller that persists Next together with
// the state it derived from the events (one transaction) never loses or
// duplicates an event across restarts.
type Source interface {
	// Chain returns the chain the source observes.
	Chain() ID
	// Head returns the source's current view of its chain.
	Head(ctx context.Context) (Head, error)
	// Events returns the events after req.After at req.Confirmations depth.
	Events(ctx context.Context, req EventsRequest) (EventsResponse, error)
	// Reobserve re-fetches and re-verifies the events of one transaction now
	// (signing rule 1: re-verify at signing time). It returns a fault.NotFound
	// error if the transaction is not in the source's best chain.
	Reobserve(ctx context.Context, txid string) ([]Event, error)
}
