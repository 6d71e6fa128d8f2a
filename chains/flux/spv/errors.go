package spv

import (
	"errors"
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
)

// Sentinel errors. Every error ProcessHeaders or ProcessBlocks returns for a
// peer's data wraps one of these or a *header.RuleError, so the sync driver
// decides with errors.Is / header.CodeOf, never by text.
var (
	// ErrOrphanHeaders: the first header does not connect to any header the
	// chain knows. The driver answers with getheaders from Locator; it is not
	// misbehaviour by itself.
	ErrOrphanHeaders = errors.New("spv: orphan headers")
	// ErrNotContinuous: a header in a headers message does not link to the one
	// before it.
	ErrNotContinuous = errors.New("spv: headers not continuous")
	// ErrKnownInvalid: a header is, or descends from, a block already found invalid.
	ErrKnownInvalid = errors.New("spv: header known invalid")
	// ErrTooManyBlocks: a ProcessBlocks batch is larger than MaxBatchBlocks.
	ErrTooManyBlocks = errors.New("spv: too many blocks in one batch")
	// ErrAnchorMismatch: the configured anchor contradicts the store's, or the
	// anchor's headers and fluxnode snapshot contradict each other.
	ErrAnchorMismatch = errors.New("spv: anchor mismatch")
	// ErrBadAnchor: the anchor is malformed (headers do not link, too few headers).
	ErrBadAnchor = errors.New("spv: bad anchor")
	// ErrBadCursor: an event cursor is malformed or names a block the chain never had.
	ErrBadCursor = errors.New("spv: bad cursor")
	// ErrClosed: the chain was closed.
	ErrClosed = errors.New("spv: closed")
	// ErrStoreFailed: an earlier Store write failed; the in-memory state may be
	// ahead of the store, so the chain refuses to go on. Reopen it.
	ErrStoreFailed = errors.New("spv: store failed; reopen the chain")
)

// BlockRule names the rule a block body broke. Codes are stable strings from
// an append-only list; where fluxd has a reject reason the code is that
// string. A BlockRule is an error, so errors.Is(err, spv.ErrUnknownProducer)
// matches a *BlockError for that rule.
type BlockRule string

// The block rules. Append only.
const (
	// ErrNoTransactions: the block has no transactions (fluxd "bad-blk-length").
	ErrNoTransactions BlockRule = "bad-blk-length"
	// ErrNoCoinbase: the first transaction is not a coinbase (fluxd "bad-cb-missing").
	ErrNoCoinbase BlockRule = "bad-cb-missing"
	// ErrMultipleCoinbase: a later transaction is a coinbase (fluxd "bad-cb-multiple").
	ErrMultipleCoinbase BlockRule = "bad-cb-multiple"
	// ErrBadMerkleRoot: the transactions' merkle root is not the header's (fluxd "bad-txnmrklroot").
	ErrBadMerkleRoot BlockRule = "bad-txnmrklroot"
	// ErrMutatedMerkle: the transaction list repeats its last entries (fluxd "bad-txns-duplicate").
	ErrMutatedMerkle BlockRule = "bad-txns-duplicate"
	// ErrBadTransaction: a transaction fails its context-free checks.
	ErrBadTransaction BlockRule = "bad-txns"
	// ErrUnknownProducer: the PoN collateral names no fluxnode in the set at height-1.
	ErrUnknownProducer BlockRule = "unknown-producer"
	// ErrBadSignature: the producer or emergency signature does not verify.
	ErrBadSignature BlockRule = "bad-pon-signature"
	// ErrFluxnodeRules: the fluxnode set refused the block's fluxnode transactions.
	ErrFluxnodeRules BlockRule = "bad-fluxnode-tx"
	// ErrReserveScan: the reserve scanner refused the block.
	ErrReserveScan BlockRule = "bad-reserve-scan"
)

// Error makes a BlockRule usable as an errors.Is target.
func (r BlockRule) Error() string { return string(r) }

// BlockError is a block that failed ProcessBlocks. Hash and Height name the
// block so the driver can penalise the peer that sent it; Err is a BlockRule
// wrapped with details, or a *header.RuleError (for signatures). Nothing of
// the block was persisted.
type BlockError struct {
	Hash   chainhash.Hash
	Height int32
	Err    error
}

// Error implements error.
func (e *BlockError) Error() string {
	return fmt.Sprintf("spv: block %s at height %d: %v", e.Hash, e.Height, e.Err)
}

// Unwrap returns the rule error.
func (e *BlockError) Unwrap() error { return e.Err }

// HeaderError is a header that failed ProcessHeaders. Err is a
// *header.RuleError (header.CodeOf gives its code) or one of the sentinels.
type HeaderError struct {
	Hash   chainhash.Hash
	Height int32
	Err    error
}

// Error implements error.
func (e *HeaderError) Error() string {
	return fmt.Sprintf("spv: header %s at height %d: %v", e.Hash, e.Height, e.Err)
}

// Unwrap returns the rule error.
func (e *HeaderError) Unwrap() error { return e.Err }

// ruleErr wraps a BlockRule with a reason.
func ruleErr(r BlockRule, format string, args ...any) error {
	return fmt.Errorf("%w: %s", r, fmt.Sprintf(format, args...))
}
