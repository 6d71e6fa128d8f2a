package header

import (
	"errors"
	"fmt"
)

// ErrorCode names the consensus rule a header broke. Codes are stable strings
// from an append-only list; where fluxd has a reject reason for the same rule
// the code is that string. An ErrorCode is itself an error, so
// errors.Is(err, header.ErrHighHash) matches any *RuleError with that code.
type ErrorCode string

// The rule codes, one line each. Append only; never renumber or rename.
const (
	// ErrVersionTooLow: nVersion < 4 (CheckBlockHeader "version-too-low").
	ErrVersionTooLow ErrorCode = "version-too-low"
	// ErrBadVersion: nVersion < 4, or < 100 where PoN is active (ContextualCheckBlockHeader "bad-version").
	ErrBadVersion ErrorCode = "bad-version"
	// ErrPrematurePoNBlock: a PoN header (version >= 100) below the PoN activation height.
	ErrPrematurePoNBlock ErrorCode = "premature-pon-block"
	// ErrNotPoNBlock: a PoW header at or above the PoN activation height.
	ErrNotPoNBlock ErrorCode = "not-pon-block"
	// ErrInvalidSolution: the Equihash solution has no known size or does not verify.
	ErrInvalidSolution ErrorCode = "invalid-solution"
	// ErrBadSolutionSize: the solution size is not allowed at the block's height
	// (fluxd "bad-equihash-solution-size").
	ErrBadSolutionSize ErrorCode = "bad-equihash-solution-size"
	// ErrHighHash: a PoW block hash above the target of its nBits.
	ErrHighHash ErrorCode = "high-hash"
	// ErrBadDiffBits: a PoW header's nBits differs from the difficulty algorithm's result.
	ErrBadDiffBits ErrorCode = "bad-diffbits"
	// ErrBadPoNDiffBits: a PoN header's nBits differs from GetNextPONWorkRequired.
	ErrBadPoNDiffBits ErrorCode = "bad-pon-diffbits"
	// ErrBadPoNHash: the PoN lottery hash is above the target of nBits.
	ErrBadPoNHash ErrorCode = "bad-pon-hash"
	// ErrBadBits: nBits decodes to a negative, zero or overflowing target, or one above the limit.
	ErrBadBits ErrorCode = "bad-bits"
	// ErrBadPoNSigSize: vchBlockSig is longer than 73 bytes (512 for an emergency block).
	ErrBadPoNSigSize ErrorCode = "bad-pon-sig-size"
	// ErrBadPoNSignature: the producer's signature does not verify over the block hash.
	ErrBadPoNSignature ErrorCode = "bad-pon-signature"
	// ErrBadEmergencySig: an emergency block signature is malformed and fewer than the minimum verified.
	ErrBadEmergencySig ErrorCode = "bad-emergency-sig"
	// ErrBadEmergencySigCount: the emergency signature count is below the minimum or above the key count.
	ErrBadEmergencySigCount ErrorCode = "bad-emergency-sig-count"
	// ErrBadEmergencySigSize: an emergency signature entry is longer than 73 bytes.
	ErrBadEmergencySigSize ErrorCode = "bad-emergency-sig-size"
	// ErrBadEmergencySigDuplicate: an emergency signature verified only against an already used key.
	ErrBadEmergencySigDuplicate ErrorCode = "bad-emergency-sig-duplicate"
	// ErrBadEmergencySigUnknownKey: an emergency signature verified against none of the emergency keys.
	ErrBadEmergencySigUnknownKey ErrorCode = "bad-emergency-sig-unknown-key"
	// ErrTimeTooOld: a PoW header's time is not above the median time of the last 11 blocks.
	ErrTimeTooOld ErrorCode = "time-too-old"
	// ErrTimeTooNew: the header's time is too far past the caller's clock.
	ErrTimeTooNew ErrorCode = "time-too-new"
	// ErrTimeNotIncreasing: a PoN header's time is not above its parent's (fluxd says "time-too-old").
	ErrTimeNotIncreasing ErrorCode = "time-not-increasing"
	// ErrCheckpointMismatch: a header at a checkpoint height has another hash.
	ErrCheckpointMismatch ErrorCode = "checkpoint-mismatch"
	// ErrForkBeforeCheckpoint: a branch forks off below the last checkpoint.
	ErrForkBeforeCheckpoint ErrorCode = "fork-before-checkpoint"
	// ErrReorgTooDeep: a branch forks off at least MaxReorgDepth blocks below the tip
	// (fluxd "bad-fork-prior-to-maxreorgdepth").
	ErrReorgTooDeep ErrorCode = "bad-fork-prior-to-maxreorgdepth"
	// ErrBadPrevBlk: the parent is unknown to the chain view or its hash differs from hashPrevBlock.
	ErrBadPrevBlk ErrorCode = "bad-prevblk"
	// ErrMissingAncestor: the chain view lacks an ancestor a difficulty or time rule needs.
	ErrMissingAncestor ErrorCode = "missing-ancestor"
	// ErrBadParams: the network parameters make a rule impossible to evaluate (a zero divisor).
	ErrBadParams ErrorCode = "bad-params"
)

// Error makes an ErrorCode usable as an errors.Is target.
func (c ErrorCode) Error() string { return string(c) }

// RuleError is a header that breaks a consensus rule. Code says which rule;
// Reason says how, in words for logs. A RuleError may wrap the error of a
// lower layer (an equihash or sig error), reachable with errors.As.
type RuleError struct {
	Code   ErrorCode
	Reason string
	cause  error
}

// Error implements error.
func (e *RuleError) Error() string {
	if e.Reason == "" {
		return "header: " + string(e.Code)
	}
	return "header: " + string(e.Code) + ": " + e.Reason
}

// Is reports whether target is this error's ErrorCode or a *RuleError with the same code.
func (e *RuleError) Is(target error) bool {
	switch t := target.(type) {
	case ErrorCode:
		return t == e.Code
	case *RuleError:
		return t.Code == e.Code
	}
	return false
}

// Unwrap returns the lower-layer error this rule error was derived from, if any.
func (e *RuleError) Unwrap() error { return e.cause }

func ruleErr(c ErrorCode, format string, args ...any) *RuleError {
	return &RuleError{Code: c, Reason: fmt.Sprintf(format, args...)}
}

func wrapErr(c ErrorCode, cause error, format string, args ...any) *RuleError {
	return &RuleError{Code: c, Reason: fmt.Sprintf(format, args...), cause: cause}
}

// CodeOf returns the ErrorCode of err if it is or wraps a *RuleError, and "" otherwise.
func CodeOf(err error) ErrorCode {
	var re *RuleError
	if errors.As(err, &re) {
		return re.Code
	}
	return ""
}
