package script

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains/flux/sig"
)

// Signature hash types (RunOnFlux/fluxd src/script/interpreter.h).
const (
	SigHashAll          = 0x01
	SigHashNone         = 0x02
	SigHashSingle       = 0x03
	SigHashAnyoneCanPay = 0x80
)

// SigHasher returns the digest a signature of hashType over scriptCode commits
// to (for FLUX v4 transactions the ZIP-243 digest of the input being
// verified). It decouples script verification from the transaction package.
type SigHasher func(scriptCode []byte, hashType uint32) ([32]byte, error)

// VerifySpend checks that scriptSig validly spends scriptPubKey under the
// consensus and standard-policy rules of the two spend types the bridge
// handles, and rejects everything else with a typed *Error:
//
//   - P2PKH: scriptSig is exactly <sig> <pubkey> (minimal pushes), the public
//     key is a valid compressed or uncompressed key whose HASH160 is the one
//     in scriptPubKey, and the signature is strict DER, low-S, has a defined
//     hash type (STRICTENC) and verifies over hasher(scriptPubKey, hashType).
//   - P2SH k-of-n multisig: scriptSig is push-only with minimal pushes, at
//     most MaxScriptSigSize bytes; its last push is a redeem script of the
//     ParseMultisig form whose HASH160 is the P2SH hash; before it come the
//     CHECKMULTISIG dummy, which must be exactly OP_0 (NULLDUMMY), and exactly
//     k signatures and nothing else (CLEANSTACK). Every signature is strict
//     DER, low-S, with hash type exactly SIGHASH_ALL, and the signatures match
//     keys in redeem-script order as CHECKMULTISIG walks them; the digest is
//     hasher(redeem, SIGHASH_ALL).
func VerifySpend(scriptSig, scriptPubKey []byte, hasher SigHasher) error {
	if len(scriptSig) > MaxScriptSigSize {
		return errf(CodeScriptSigSize, "%d bytes, max %d", len(scriptSig), MaxScriptSigSize)
	}
	hash, class, ok := ExtractHash(scriptPubKey)
	if !ok {
		return errf(CodeUnsupported, "scriptPubKey is %s, not P2PKH or P2SH", Classify(scriptPubKey))
	}
	elems, err := ExtractPushes(scriptSig, true)
	if err != nil {
		return err
	}
	if class == ClassP2PKH {
		return verifyP2PKH(elems, hash, scriptPubKey, hasher)
	}
	return verifyP2SHMultisig(elems, hash, hasher)
}

func verifyP2PKH(elems [][]byte, hash [20]byte, scriptPubKey []byte, hasher SigHasher) error {
	switch {
	case len(elems) > 2:
		return errf(CodeCleanStack, "%d elements, P2PKH takes <sig> <pubkey>", len(elems))
	case len(elems) < 2:
		return errf(CodeP2PKHElements, "%d elements, P2PKH takes <sig> <pubkey>", len(elems))
	}
	sigBytes, pubKey := elems[0], elems[1]
	if _, err := sig.ParsePubKey(pubKey); err != nil {
		return &Error{Code: CodePubKeyEncoding, Offset: -1, Err: err}
	}
	if Hash160(pubKey) != hash {
		return errf(CodePubKeyHash, "HASH160 of the public key is not the scriptPubKey's hash")
	}
	der, hashType, err := splitSig(sigBytes, 0, false)
	if err != nil {
		return err
	}
	digest, err := hasher(scriptPubKey, hashType)
	if err != nil {
		return &Error{Code: CodeSigHash, Offset: -1, Err: err}
	}
	rs, _, _ := sig.Normalized(der) // splitSig checked it, low-S included
	if !sig.VerifyRS(pubKey, digest, &rs) {
		return errf(CodeSigInvalid, "signature does not verify")
	}
	return nil
}

// splitSig separates the hash-type byte and checks the encoding rules:
// strict DER, in-range R and S, low-S, and the hash type (exactly SIGHASH_ALL
// when requireAll, else any defined type).
func splitSig(b []byte, i int, requireAll bool) ([]byte, uint32, error) {
	if len(b) == 0 {
		return nil, 0, errf(CodeSigDER, "signature %d is empty", i)
	}
	der, ht := b[:len(b)-1], b[len(b)-1]
	if _, err := sig.ParseDER(der); err != nil {
		return nil, 0, &Error{Code: CodeSigDER, Offset: -1, Detail: fmt.Sprintf("signature %d", i), Err: err}
	}
	if low, _ := sig.IsLowS(der); !low {
		return nil, 0, &Error{Code: CodeSigHighS, Offset: -1, Detail: fmt.Sprintf("signature %d", i), Err: sig.ErrHighS}
	}
	if requireAll {
		if ht != SigHashAll {
			return nil, 0, errf(CodeSigHashType, "signature %d has hash type %#02x, want SIGHASH_ALL", i, ht)
		}
	} else if base := ht &^ SigHashAnyoneCanPay; base < SigHashAll || base > SigHashSingle {
		return nil, 0, errf(CodeSigHashType, "signature %d has undefined hash type %#02x", i, ht)
	}
	return der, uint32(ht), nil
}

func verifyP2SHMultisig(elems [][]byte, hash [20]byte, hasher SigHasher) error {
	if len(elems) == 0 {
		return errf(CodeRedeemScript, "empty scriptSig has no redeem script")
	}
	redeem := elems[len(elems)-1]
	if Hash160(redeem) != hash {
		return errf(CodeRedeemHash, "HASH160 of the redeem script is not the P2SH hash")
	}
	k, keys, err := ParseMultisig(redeem)
	if err != nil {
		return &Error{Code: CodeRedeemScript, Offset: -1, Err: err}
	}
	args := elems[:len(elems)-1]
	sigs, err := multisigArgs(args, k)
	if err != nil {
		return err
	}
	ders := make([][]byte, k)
	for i, s := range sigs {
		if ders[i], _, err = splitSig(s, i, true); err != nil {
			return err
		}
	}
	digest, err := hasher(redeem, SigHashAll)
	if err != nil {
		return &Error{Code: CodeSigHash, Offset: -1, Err: err}
	}
	return checkMultisig(ders, keys, digest)
}

// multisigArgs splits the elements before the redeem script into the dummy
// and the signatures, naming the first rule they break. CHECKMULTISIG takes
// the k elements below the redeem script as signatures and the one below them
// as the dummy; anything further down is left on the stack.
func multisigArgs(args [][]byte, k int) ([][]byte, error) {
	if len(args) > 0 && len(args[0]) == 0 {
		// Starts with OP_0: a proper dummy; count the signatures after it.
		switch n := len(args) - 1; {
		case n < k:
			return nil, errf(CodeTooFewSigs, "%d signatures for %d-of-n", n, k)
		case n > k:
			return nil, errf(CodeTooManySigs, "%d signatures for %d-of-n", n, k)
		}
		return args[1:], nil
	}
	switch {
	case len(args) < k:
		return nil, errf(CodeTooFewSigs, "%d elements for %d-of-n", len(args), k)
	case len(args) == k:
		return nil, errf(CodeMissingDummy, "no dummy element before %d signatures", k)
	case len(args) == k+1:
		return nil, errf(CodeNullDummy, "dummy element is %x, must be OP_0", args[0])
	}
	return nil, errf(CodeCleanStack, "%d extra elements below the dummy", len(args)-k-1)
}

// checkMultisig walks keys in order as CHECKMULTISIG does: each signature must
// match a key after the one the previous signature matched. On failure it
// diagnoses whether the signatures were valid but misordered or duplicated.
func checkMultisig(ders, keys [][]byte, digest [32]byte) error {
	parsedSigs := make([][64]byte, len(ders))
	for i, d := range ders {
		parsedSigs[i], _, _ = sig.Normalized(d) // checked by splitSig, low-S included
	}
	verifies := func(s, k int) bool {
		return sig.VerifyRS(keys[k], digest, &parsedSigs[s]) // a key that does not parse never matches
	}
	ki := 0
	for si := range parsedSigs {
		for ki < len(keys) && !verifies(si, ki) {
			ki++
		}
		if ki == len(keys) {
			return diagnoseMultisig(ders, keys, verifies, si)
		}
		ki++
	}
	return nil
}

func diagnoseMultisig(ders, keys [][]byte, verifies func(s, k int) bool, failed int) error {
	match := make([]int, len(ders))
	for si := range ders {
		match[si] = -1
		for ki := range keys {
			if verifies(si, ki) {
				match[si] = ki
				break
			}
		}
		if match[si] < 0 {
			return errf(CodeSigInvalid, "signature %d matches no key", si)
		}
	}
	for a := range ders {
		for b := a + 1; b < len(ders); b++ {
			if match[a] == match[b] {
				if bytes.Equal(ders[a], ders[b]) {
					return errf(CodeSigDuplicate, "signatures %d and %d are the same", a, b)
				}
				return errf(CodeSigDuplicate, "signatures %d and %d are both by key %d", a, b, match[a])
			}
		}
	}
	return errf(CodeSigOrder, "signature %d is out of key order", failed)
}

// IsCode reports whether err is a script *Error with code c.
func IsCode(err error, c Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == c
}
