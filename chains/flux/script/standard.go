package script

import (
	"strconv"

	"github.com/fluxbridge/fluxbridge/chains/flux/sig"
)

// Class is the standard type of a scriptPubKey (fluxd txnouttype).
type Class int

// The script classes fluxd's Solver recognises.
const (
	ClassNonStandard Class = iota
	ClassP2PKH
	ClassP2SH
	ClassP2PK
	ClassMultisig // bare multisig
	ClassNullData
)

// String returns fluxd's name of the class (GetTxnOutputType).
func (c Class) String() string {
	switch c {
	case ClassP2PKH:
		return "pubkeyhash"
	case ClassP2SH:
		return "scripthash"
	case ClassP2PK:
		return "pubkey"
	case ClassMultisig:
		return "multisig"
	case ClassNullData:
		return "nulldata"
	}
	return "nonstandard"
}

// Sizes of the fixed script templates.
const (
	// P2PKHSize is the size of OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG.
	P2PKHSize = 25
	// P2SHSize is the size of OP_HASH160 <20> OP_EQUAL.
	P2SHSize = 23
	// MaxMultisigKeys is the largest n of a P2SH k-of-n multisig with
	// compressed keys: 15 keys give a 513-byte redeem script, 16 would
	// exceed MaxScriptElementSize (and fluxd's 15 P2SH sigops).
	MaxMultisigKeys = 15
	// MaxBareMultisigKeys is the largest n of a standard bare multisig output.
	MaxBareMultisigKeys = 3
)

// P2PKH returns OP_DUP OP_HASH160 <hash160> OP_EQUALVERIFY OP_CHECKSIG.
func P2PKH(hash160 [20]byte) []byte {
	s := make([]byte, 0, P2PKHSize)
	s = append(s, OP_DUP, OP_HASH160, 20)
	s = append(s, hash160[:]...)
	return append(s, OP_EQUALVERIFY, OP_CHECKSIG)
}

// P2SH returns OP_HASH160 <hash> OP_EQUAL.
func P2SH(hash [20]byte) []byte {
	s := make([]byte, 0, P2SHSize)
	s = append(s, OP_HASH160, 20)
	s = append(s, hash[:]...)
	return append(s, OP_EQUAL)
}

// IsP2PKH reports whether script is exactly the 25-byte P2PKH template.
func IsP2PKH(script []byte) bool {
	return len(script) == P2PKHSize && script[0] == OP_DUP && script[1] == OP_HASH160 &&
		script[2] == 20 && script[23] == OP_EQUALVERIFY && script[24] == OP_CHECKSIG
}

// IsP2SH reports whether script is exactly the 23-byte P2SH template (fluxd
// CScript::IsPayToScriptHash).
func IsP2SH(script []byte) bool {
	return len(script) == P2SHSize && script[0] == OP_HASH160 && script[1] == 20 && script[22] == OP_EQUAL
}

// ExtractHash returns the 20-byte hash of a P2PKH or P2SH script in its exact
// canonical form, with its class.
func ExtractHash(script []byte) ([20]byte, Class, bool) {
	var h [20]byte
	switch {
	case IsP2PKH(script):
		copy(h[:], script[3:23])
		return h, ClassP2PKH, true
	case IsP2SH(script):
		copy(h[:], script[2:22])
		return h, ClassP2SH, true
	}
	return h, ClassNonStandard, false
}

// Classify returns the class of a scriptPubKey by fluxd's Solver rules:
// P2SH is the exact 23-byte form; P2PKH, P2PK, bare multisig and null data
// are matched op by op, where a pushed key or hash may use any push opcode
// (as in fluxd). Multisig needs 1 <= m <= n and n keys of 33..65 bytes;
// standardness of n (at most 3 for bare multisig) is not checked here.
// NullData is OP_RETURN alone or followed by exactly one opcode whose pushed
// data is at most MaxNullDataSize bytes; like fluxd's template matcher, a
// non-push opcode in that place also matches.
func Classify(script []byte) Class {
	if IsP2SH(script) {
		return ClassP2SH
	}
	ops, ok := decodeOps(script)
	if !ok {
		return ClassNonStandard
	}
	switch {
	case len(ops) == 5 && ops[0].op == OP_DUP && ops[1].op == OP_HASH160 && isPush(ops[2]) &&
		len(ops[2].data) == 20 && ops[3].op == OP_EQUALVERIFY && ops[4].op == OP_CHECKSIG:
		return ClassP2PKH
	case len(ops) == 2 && isPush(ops[0]) && len(ops[0].data) >= 33 && len(ops[0].data) <= 65 &&
		ops[1].op == OP_CHECKSIG:
		return ClassP2PK
	case len(ops) >= 1 && ops[0].op == OP_RETURN && (len(ops) == 1 ||
		len(ops) == 2 && len(ops[1].data) <= MaxNullDataSize):
		return ClassNullData
	case isBareMultisig(ops):
		return ClassMultisig
	}
	return ClassNonStandard
}

type token struct {
	op   byte
	data []byte
}

func isPush(t token) bool { return t.op <= OP_PUSHDATA4 }

// decodeOps tokenizes a whole script; ok is false for a truncated push.
func decodeOps(script []byte) ([]token, bool) {
	var ops []token
	t := MakeTokenizer(script)
	for t.Next() {
		ops = append(ops, token{t.Opcode(), t.Data()})
	}
	return ops, t.Err() == nil
}

func isBareMultisig(ops []token) bool {
	if len(ops) < 4 || ops[len(ops)-1].op != OP_CHECKMULTISIG {
		return false
	}
	mOp, nOp := ops[0].op, ops[len(ops)-2].op
	if !IsSmallInt(mOp) || !IsSmallInt(nOp) {
		return false
	}
	keys := ops[1 : len(ops)-2]
	for _, k := range keys {
		if !isPush(k) || len(k.data) < 33 || len(k.data) > 65 {
			return false
		}
	}
	m, n := SmallIntValue(mOp), SmallIntValue(nOp)
	return m >= 1 && n >= 1 && m <= n && len(keys) == n
}

// MultisigRedeemScript returns OP_k <key_1> … <key_n> OP_n OP_CHECKMULTISIG
// for 1 <= k <= n <= 15 valid 33-byte compressed keys, in the given order.
// The result is at most MaxScriptElementSize bytes (15 keys give 513).
func MultisigRedeemScript(k int, pubKeys [][]byte) ([]byte, error) {
	n := len(pubKeys)
	if n < 1 || n > MaxMultisigKeys || k < 1 || k > n {
		return nil, errf(CodeMultisigParams, "%d-of-%d: need 1 <= k <= n <= %d", k, n, MaxMultisigKeys)
	}
	s := make([]byte, 0, 3+n*(1+sig.CompressedPubKeySize))
	s = append(s, SmallIntOpcode(k))
	for i, pk := range pubKeys {
		if len(pk) != sig.CompressedPubKeySize {
			return nil, errf(CodePubKeyType, "key %d is %d bytes, want a 33-byte compressed key", i, len(pk))
		}
		if _, err := sig.ParsePubKey(pk); err != nil {
			return nil, &Error{Code: CodePubKeyType, Offset: -1, Detail: "key " + strconv.Itoa(i), Err: err}
		}
		s = append(s, byte(len(pk)))
		s = append(s, pk...)
	}
	s = append(s, SmallIntOpcode(n), OP_CHECKMULTISIG)
	if len(s) > MaxScriptElementSize {
		return nil, errf(CodeElementSize, "redeem script of %d bytes, max %d", len(s), MaxScriptElementSize)
	}
	return s, nil
}

// ParseMultisig parses a redeem script of exactly the form
// MultisigRedeemScript builds: OP_k, n direct 33-byte pushes of keys with a
// 0x02/0x03 prefix, OP_n, OP_CHECKMULTISIG, 1 <= k <= n <= 15, at most
// MaxScriptElementSize bytes. Keys are returned in script order and alias
// redeem. Whether each key is on the curve is left to signature checking.
func ParseMultisig(redeem []byte) (k int, keys [][]byte, err error) {
	if len(redeem) > MaxScriptElementSize {
		return 0, nil, errf(CodeElementSize, "redeem script of %d bytes, max %d", len(redeem), MaxScriptElementSize)
	}
	if len(redeem) < 3+1+sig.CompressedPubKeySize || redeem[len(redeem)-1] != OP_CHECKMULTISIG {
		return 0, nil, errf(CodeNotMultisig, "not OP_k <keys> OP_n OP_CHECKMULTISIG")
	}
	if !IsSmallInt(redeem[0]) || !IsSmallInt(redeem[len(redeem)-2]) {
		return 0, nil, errf(CodeNotMultisig, "k or n is not a small-integer opcode")
	}
	k, n := SmallIntValue(redeem[0]), SmallIntValue(redeem[len(redeem)-2])
	if n < 1 || n > MaxMultisigKeys || k < 1 || k > n {
		return 0, nil, errf(CodeMultisigParams, "%d-of-%d: need 1 <= k <= n <= %d", k, n, MaxMultisigKeys)
	}
	body := redeem[1 : len(redeem)-2]
	if len(body) != n*(1+sig.CompressedPubKeySize) {
		return 0, nil, errf(CodeNotMultisig, "%d key bytes do not hold %d compressed keys", len(body), n)
	}
	keys = make([][]byte, n)
	for i := range keys {
		p := body[i*34 : (i+1)*34 : (i+1)*34]
		if p[0] != sig.CompressedPubKeySize {
			return 0, nil, errAt(CodeNotMultisig, 1+i*34, "key %d push opcode %#02x, want 0x21", i, p[0])
		}
		if p[1] != 0x02 && p[1] != 0x03 {
			return 0, nil, errAt(CodePubKeyType, 2+i*34, "key %d prefix %#02x is not compressed", i, p[1])
		}
		keys[i] = p[1:]
	}
	return k, keys, nil
}

// MultisigScriptSig returns OP_0 <sig_1> … <sig_k> <redeem> with minimal
// pushes (PUSHDATA1/2 for a long redeem script). sigs are DER signatures with
// their hash-type byte, already in the key order of redeem; their number must
// be the redeem script's k. The result is at most MaxScriptSigSize bytes.
func MultisigScriptSig(sigs [][]byte, redeem []byte) ([]byte, error) {
	k, _, err := ParseMultisig(redeem)
	if err != nil {
		return nil, err
	}
	if len(sigs) != k {
		return nil, errf(CodeSigCount, "%d signatures for a %d-of-n script", len(sigs), k)
	}
	size := 1 + PushSize(redeem)
	for i, s := range sigs {
		if len(s) < sig.MinDERSize+1 || len(s) > sig.MaxDERSize+1 {
			return nil, errf(CodeSigSize, "signature %d is %d bytes", i, len(s))
		}
		size += PushSize(s)
	}
	if size > MaxScriptSigSize {
		return nil, errf(CodeScriptSigSize, "scriptSig of %d bytes, max %d", size, MaxScriptSigSize)
	}
	out := make([]byte, 0, size)
	out = append(out, OP_0)
	for _, s := range sigs {
		out = AppendPush(out, s)
	}
	return AppendPush(out, redeem), nil
}

// P2PKHScriptSig returns <sig> <pubKey> with minimal pushes. sig is a DER
// signature with its hash-type byte.
func P2PKHScriptSig(sigWithHashType, pubKey []byte) []byte {
	out := make([]byte, 0, PushSize(sigWithHashType)+PushSize(pubKey))
	return AppendPush(AppendPush(out, sigWithHashType), pubKey)
}

// NullData returns OP_RETURN followed by the minimal push of data, which
// must be at most MaxNullDataSize bytes.
func NullData(data []byte) ([]byte, error) {
	if len(data) > MaxNullDataSize {
		return nil, errf(CodeDataTooLarge, "%d bytes, max %d", len(data), MaxNullDataSize)
	}
	return AppendPush(append(make([]byte, 0, 2+PushSize(data)), OP_RETURN), data), nil
}

// ParseNullData returns the payload of OP_RETURN <push>: exactly one minimal
// push of at most MaxNullDataSize bytes and nothing after it, the form
// NullData builds (so the two round-trip byte for byte). A bare
// OP_RETURN returns empty data. Pushed data aliases script.
func ParseNullData(script []byte) ([]byte, error) {
	if len(script) == 0 || script[0] != OP_RETURN {
		return nil, errf(CodeNotNullData, "does not start with OP_RETURN")
	}
	if len(script) == 1 {
		return []byte{}, nil
	}
	t := MakeTokenizer(script[1:])
	if !t.Next() {
		return nil, &Error{Code: CodeTruncatedPush, Offset: 1, Err: t.Err()}
	}
	op := t.Opcode()
	if op > OP_16 || op == OP_RESERVED {
		return nil, errAt(CodeNotNullData, 1, "%s after OP_RETURN is not a push", OpcodeName(op))
	}
	v := pushValue(op, t.Data())
	if !t.Done() {
		return nil, errAt(CodeNotNullData, 1+t.Offset(), "more than one element after OP_RETURN")
	}
	if len(v) > MaxNullDataSize {
		return nil, errf(CodeDataTooLarge, "%d bytes, max %d", len(v), MaxNullDataSize)
	}
	if !IsMinimalPush(op, v) {
		return nil, errAt(CodeNonMinimalPush, 1, "%s pushing %d bytes", OpcodeName(op), len(v))
	}
	return v, nil
}
