package tx

import "fmt"

// ErrorCode identifies which rule a transaction broke. An ErrorCode is itself
// an error, so callers test with errors.Is(err, tx.ErrDuplicateInputs). The
// list is append-only; the reject reason fluxd uses is given for each.
type ErrorCode int

// Rule error codes.
const (
	// ErrInputIndex: the input index passed to SignatureHash is out of range.
	ErrInputIndex ErrorCode = iota + 1
	// ErrSingleNoOutput: legacy SIGHASH_SINGLE for an input with no matching output.
	ErrSingleNoOutput

	// ErrVersionTooLow: a non-overwintered, non-fluxnode tx of version < 1
	// (bad-txns-version-too-low).
	ErrVersionTooLow
	// ErrExpiryTooHigh: nExpiryHeight >= 500,000,000 (bad-tx-expiry-height-too-high).
	ErrExpiryTooHigh
	// ErrNoInputs: no transparent input, JoinSplit or shielded spend (bad-txns-vin-empty).
	ErrNoInputs
	// ErrNoOutputs: no transparent output, JoinSplit or shielded output (bad-txns-vout-empty).
	ErrNoOutputs
	// ErrTooLarge: the encoding exceeds MaxTxSize (bad-txns-oversize).
	ErrTooLarge
	// ErrOutputNegative: an output value is negative (bad-txns-vout-negative).
	ErrOutputNegative
	// ErrOutputTooLarge: an output value exceeds MaxMoney (bad-txns-vout-toolarge).
	ErrOutputTooLarge
	// ErrOutputTotalTooLarge: the running total of value leaving the transparent
	// pool is out of range (bad-txns-txouttotal-toolarge).
	ErrOutputTotalTooLarge
	// ErrValueBalanceNonZero: valueBalance without shielded spends or outputs
	// (bad-txns-valuebalance-nonzero).
	ErrValueBalanceNonZero
	// ErrValueBalanceTooLarge: |valueBalance| > MaxMoney (bad-txns-valuebalance-toolarge).
	ErrValueBalanceTooLarge
	// ErrJoinSplitValue: a JoinSplit vpub is negative, too large, or both are
	// non-zero (bad-txns-vpub_*).
	ErrJoinSplitValue
	// ErrInputTotalTooLarge: the value JoinSplits and valueBalance add to the
	// transparent pool is out of range (bad-txns-txintotal-toolarge).
	ErrInputTotalTooLarge
	// ErrDuplicateInputs: two inputs spend the same outpoint (bad-txns-inputs-duplicate).
	ErrDuplicateInputs
	// ErrDuplicateNullifiers: a JoinSplit or Sapling nullifier repeats
	// (bad-joinsplits-nullifiers-duplicate, bad-spend-description-nullifiers-duplicate).
	ErrDuplicateNullifiers
	// ErrCoinbaseShielded: a coinbase with JoinSplits or shielded parts (bad-cb-has-*).
	ErrCoinbaseShielded
	// ErrCoinbaseScriptSize: a coinbase scriptSig outside 2..100 bytes (bad-cb-length).
	ErrCoinbaseScriptSize
	// ErrNullPrevOut: a non-coinbase input spends the null outpoint (bad-txns-prevout-null).
	ErrNullPrevOut
	// ErrFluxnodeType: a fluxnode tx whose type is neither START nor CONFIRM
	// (bad-txns-fluxnode-tx-invalid-type).
	ErrFluxnodeType
	// ErrFluxnodeNullCollateral: a fluxnode tx with a null collateral
	// (bad-txns-fluxnode-tx-null-prevout).
	ErrFluxnodeNullCollateral
	// ErrFluxnodeRedeemScript: a P2SH START redeem script longer than
	// MaxScriptSize (bad-txns-fluxnode-tx-redeemscript-to-large).
	ErrFluxnodeRedeemScript
	// ErrFluxnodeIP: a CONFIRM ip longer than allowed (bad-txns-fluxnode-tx-ip-address-to-large).
	ErrFluxnodeIP
	// ErrFluxnodeUpdateType: a CONFIRM update type other than 0 or 1
	// (bad-txns-fluxnode-tx-invalid-update-type).
	ErrFluxnodeUpdateType
	// ErrMerkleEmpty: a merkle root was asked of no txids.
	ErrMerkleEmpty
	// ErrMerkleMutated: at some level the last two nodes of an even-sized level
	// are identical, so another txid list has the same root (CVE-2012-2459).
	ErrMerkleMutated
	// ErrMerkleMismatch: the computed merkle root differs from the expected one.
	ErrMerkleMismatch
	// ErrFluxnodeDelegates: a v6 START with the delegates feature whose
	// delegate data is not valid (bad-txns-fluxnode-tx-delegate-data-invalid).
	ErrFluxnodeDelegates
	// ErrFluxnodeTier: a CONFIRM benchmark tier outside 1..3
	// (bad-txns-fluxnode-tx-invalid-benchmark-tier).
	ErrFluxnodeTier
)

var codeNames = map[ErrorCode]string{
	ErrInputIndex:             "input index out of range",
	ErrSingleNoOutput:         "SIGHASH_SINGLE without a matching output",
	ErrVersionTooLow:          "version too low",
	ErrExpiryTooHigh:          "expiry height too high",
	ErrNoInputs:               "no inputs",
	ErrNoOutputs:              "no outputs",
	ErrTooLarge:               "transaction too large",
	ErrOutputNegative:         "output value negative",
	ErrOutputTooLarge:         "output value too large",
	ErrOutputTotalTooLarge:    "output total out of range",
	ErrValueBalanceNonZero:    "value balance without shielded parts",
	ErrValueBalanceTooLarge:   "value balance out of range",
	ErrJoinSplitValue:         "joinsplit value invalid",
	ErrInputTotalTooLarge:     "input total out of range",
	ErrDuplicateInputs:        "duplicate inputs",
	ErrDuplicateNullifiers:    "duplicate nullifiers",
	ErrCoinbaseShielded:       "coinbase has shielded parts",
	ErrCoinbaseScriptSize:     "coinbase script size out of range",
	ErrNullPrevOut:            "null prevout in a non-coinbase input",
	ErrFluxnodeType:           "fluxnode tx type invalid",
	ErrFluxnodeNullCollateral: "fluxnode tx collateral is null",
	ErrFluxnodeRedeemScript:   "fluxnode tx redeem script too large",
	ErrFluxnodeIP:             "fluxnode tx ip too long",
	ErrFluxnodeUpdateType:     "fluxnode tx update type invalid",
	ErrMerkleEmpty:            "merkle root of no transactions",
	ErrMerkleMutated:          "merkle tree mutated (duplicate trailing hashes)",
	ErrMerkleMismatch:         "merkle root mismatch",
	ErrFluxnodeDelegates:      "fluxnode tx delegate data invalid",
	ErrFluxnodeTier:           "fluxnode tx benchmark tier invalid",
}

// Error returns the rule's description.
func (c ErrorCode) Error() string {
	if s, ok := codeNames[c]; ok {
		return "tx: " + s
	}
	return fmt.Sprintf("tx: rule error %d", int(c))
}

// RuleError is a broken rule with detail. It unwraps to its Code.
type RuleError struct {
	Code   ErrorCode
	Detail string
}

func (e *RuleError) Error() string {
	if e.Detail == "" {
		return e.Code.Error()
	}
	return e.Code.Error() + ": " + e.Detail
}

// Unwrap returns the code, so errors.Is(err, code) works.
func (e *RuleError) Unwrap() error { return e.Code }

func ruleErr(c ErrorCode, format string, args ...any) error {
	return &RuleError{Code: c, Detail: fmt.Sprintf(format, args...)}
}
