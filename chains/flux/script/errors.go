package script

import "fmt"

// Code names one reason a script was rejected. Codes are stable strings; new
// ones are only ever appended.
type Code string

// Codes for malformed scripts and for the builders.
const (
	CodeTruncatedPush  Code = "script-truncated-push"    // a push runs past the end of the script
	CodeNotPushOnly    Code = "script-not-push-only"     // an opcode above OP_16 where only pushes are allowed
	CodeNonMinimalPush Code = "script-non-minimal-push"  // a push that a shorter opcode could have made
	CodeReservedOpcode Code = "script-reserved-opcode"   // OP_RESERVED where a value is expected
	CodeElementSize    Code = "script-element-size"      // a pushed element above MaxScriptElementSize
	CodeMultisigParams Code = "script-multisig-params"   // k or n outside 1 <= k <= n <= 15
	CodePubKeyType     Code = "script-pubkey-type"       // not a valid 33-byte compressed key
	CodeNotMultisig    Code = "script-not-multisig"      // not OP_k <33-byte keys> OP_n OP_CHECKMULTISIG
	CodeDataTooLarge   Code = "script-data-too-large"    // OP_RETURN data above MaxNullDataSize
	CodeNotNullData    Code = "script-not-null-data"     // not OP_RETURN followed by exactly one push
	CodeSigCount       Code = "script-sig-count"         // builder given a signature count other than k
	CodeSigSize        Code = "script-sig-size"          // builder given an empty or oversized signature
	CodeScriptSigSize  Code = "script-scriptsig-size"    // scriptSig above MaxScriptSigSize
	CodeUnsupported    Code = "spend-unsupported-script" // scriptPubKey is neither P2PKH nor P2SH
	CodeCleanStack     Code = "spend-cleanstack"         // extra elements beyond those the script consumes
	CodeP2PKHElements  Code = "spend-p2pkh-elements"     // P2PKH scriptSig without exactly <sig> <pubkey>
	CodePubKeyHash     Code = "spend-pubkey-hash"        // HASH160(pubkey) differs from the scriptPubKey
	CodeRedeemHash     Code = "spend-redeem-hash"        // HASH160(redeem script) differs from the P2SH hash
	CodeRedeemScript   Code = "spend-redeem-script"      // the redeem script is not a k-of-n multisig
	CodeMissingDummy   Code = "spend-missing-dummy"      // no CHECKMULTISIG dummy element
	CodeNullDummy      Code = "spend-nulldummy"          // the dummy element is not OP_0 (NULLDUMMY)
	CodeTooFewSigs     Code = "spend-too-few-sigs"       // fewer than k signatures
	CodeTooManySigs    Code = "spend-too-many-sigs"      // more than k signatures
	CodeSigDER         Code = "spend-sig-der"            // a signature is not strict DER with in-range R, S
	CodeSigHighS       Code = "spend-sig-high-s"         // a signature has S > n/2 (LOW_S)
	CodeSigHashType    Code = "spend-sig-hashtype"       // a hash type that is not allowed
	CodeSigOrder       Code = "spend-sig-order"          // valid signatures not in redeem-script key order
	CodeSigDuplicate   Code = "spend-sig-duplicate"      // two signatures by the same key
	CodeSigInvalid     Code = "spend-sig-invalid"        // a signature that matches no key
	CodeSigHash        Code = "spend-sighash"            // the SigHasher failed
	CodePubKeyEncoding Code = "spend-pubkey-encoding"    // a P2PKH public key that does not parse
)

// Error is a rejected script. Offset is the byte offset in the script where
// the problem was found, or -1 when it does not apply. Err, when set, is the
// underlying cause (for example a *sig.Error) and is returned by Unwrap.
type Error struct {
	Code   Code
	Offset int
	Detail string
	Err    error
}

// Error implements error.
func (e *Error) Error() string {
	s := "script: " + string(e.Code)
	if e.Offset >= 0 {
		s += fmt.Sprintf(" at offset %d", e.Offset)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, &script.Error{Code: script.CodeNullDummy}) or the sentinel
// values below work.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is, one per code that callers commonly test.
var (
	ErrTruncatedPush  = &Error{Code: CodeTruncatedPush, Offset: -1}
	ErrNotPushOnly    = &Error{Code: CodeNotPushOnly, Offset: -1}
	ErrNonMinimalPush = &Error{Code: CodeNonMinimalPush, Offset: -1}
	ErrNotMultisig    = &Error{Code: CodeNotMultisig, Offset: -1}
	ErrNotNullData    = &Error{Code: CodeNotNullData, Offset: -1}
	ErrUnsupported    = &Error{Code: CodeUnsupported, Offset: -1}
)

func errAt(c Code, off int, format string, args ...any) *Error {
	return &Error{Code: c, Offset: off, Detail: fmt.Sprintf(format, args...)}
}

func errf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Offset: -1, Detail: fmt.Sprintf(format, args...)}
}
