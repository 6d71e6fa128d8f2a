package reserve

import (
	"github.com/fluxbridge/fluxbridge/chains/flux/address"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/sig"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// RefundAddress returns the address that paid t's first transparent input,
// where it can be read from that input's scriptSig alone (DESIGN §3, refunds):
//
//   - a P2PKH spend, exactly <DER signature+hashtype> <public key> with a
//     33-byte compressed or 65-byte uncompressed key: the P2PKH address of
//     HASH160(key);
//   - a P2SH multisig spend, exactly OP_0 <k signatures> <redeem script> with
//     a k-of-n multisig redeem script (script.ParseMultisig): the P2SH
//     address of HASH160(redeem).
//
// Anything else reports false: a coinbase, a transaction with no transparent
// input (shielded-only), a scriptSig that is not push-only, and every other
// shape. In particular P2SH spends of non-multisig redeem scripts are not
// recognised: from the scriptSig alone they cannot be told apart from other
// spends, and a wrong guess would refund to an address nobody controls. Those
// locks wait for an operator-reviewed claim.
func RefundAddress(t *tx.Tx) (address.Address, bool) {
	if len(t.Inputs) == 0 || t.IsCoinBase() {
		return address.Address{}, false
	}
	pushes, err := script.ExtractPushes(t.Inputs[0].ScriptSig, false)
	if err != nil || len(pushes) < 2 {
		return address.Address{}, false
	}
	if len(pushes) == 2 && isSigWithHashType(pushes[0]) && isPubKey(pushes[1]) {
		return address.Address{Kind: address.P2PKH, Hash: script.Hash160(pushes[1])}, true
	}
	redeem := pushes[len(pushes)-1]
	k, _, err := script.ParseMultisig(redeem)
	if err != nil || len(pushes) != k+2 || len(pushes[0]) != 0 {
		return address.Address{}, false
	}
	for _, s := range pushes[1 : len(pushes)-1] {
		if !isSigWithHashType(s) {
			return address.Address{}, false
		}
	}
	return address.Address{Kind: address.P2SH, Hash: script.Hash160(redeem)}, true
}

// isSigWithHashType reports whether b is a strictly DER-encoded signature
// followed by one hash-type byte.
func isSigWithHashType(b []byte) bool {
	return len(b) >= 2 && sig.CheckDEREncoding(b[:len(b)-1]) == nil
}

// isPubKey reports whether b has the shape of a public key: 33 bytes with a
// 0x02/0x03 prefix or 65 bytes with 0x04 (fluxd
// IsCompressedOrUncompressedPubKey).
func isPubKey(b []byte) bool {
	switch len(b) {
	case 33:
		return b[0] == 0x02 || b[0] == 0x03
	case 65:
		return b[0] == 0x04
	}
	return false
}
