package evm

import (
	"maps"
	"sync"
)

// Drop reasons: why an observation, an RPC answer or a signature was not
// used. Each has its own counter (Client.Drops). The list is append-only.
const (
	// Receipt checks at finality (the wormhole watcher's orphan reasons).
	DropReceiptMissing  = "receipt-missing"       // no receipt for the log's transaction
	DropReceiptStatus   = "receipt-status"        // the transaction failed
	DropReceiptBlock    = "receipt-block"         // the receipt is in another block than the log
	DropReceiptTx       = "receipt-tx"            // the receipt is for another transaction
	DropReceiptLog      = "receipt-log-mismatch"  // the receipt lacks the identical log at its index
	DropNotCanonical    = "block-not-canonical"   // the log's block is not the canonical one at its height
	DropMalformedLog    = "malformed-log"         // a log that does not decode as a Burn of this bridge
	DropBurnNoTransfer  = "burn-without-transfer" // no token Transfer to zero backs the Burn
	DropNonceGap        = "nonce-gap"             // a burn nonce skipped
	DropNonceRepeat     = "nonce-repeat"          // a burn nonce seen again
	DropDuplicateLog    = "duplicate-log"         // the same log position twice in one answer
	DropLogOutsideRange = "log-outside-range"     // a log from a block that was not asked for

	// RPC answers.
	DropDisagree      = "endpoints-disagree" // endpoints answered differently
	DropOversized     = "oversized-response" // a response body over MaxResponseBytes
	DropTimeout       = "timeout"            // a call over CallTimeout
	DropWrongChain    = "wrong-chain-id"     // an endpoint serving another chain
	DropNoFinalized   = "no-finalized-tag"   // an endpoint without the finalized tag
	DropRPCError      = "rpc-error"          // any other failed call
	DropBadHeader     = "bad-header"         // a header that is not the one asked for
	DropMalformedResp = "malformed-response" // an answer that does not decode

	// Signatures handed to Submit.
	DropSigMalformed    = "signature-malformed"     // wrong length, bad v, high s, wrong digest index
	DropSigWrongSigner  = "signature-wrong-signer"  // recovers to another address than claimed
	DropSigNotInSet     = "signature-not-in-set"    // the signer is not a member of the set
	DropSigDuplicate    = "signature-duplicate"     // a second signature of the same signer
	DropBumpCapReached  = "fee-cap-reached"         // a stuck transaction could not be bumped further
	DropReplacementFail = "replacement-send-failed" // sending a fee-bumped replacement failed
)

// counters is a set of named counters safe for concurrent use.
type counters struct {
	mu sync.Mutex
	m  map[string]uint64
}

func (c *counters) inc(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]uint64{}
	}
	c.m[reason]++
}

func (c *counters) snapshot() map[string]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.m)
}
