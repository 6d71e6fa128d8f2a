package fluxnode

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// The builders make fluxnode transactions for tests and the simulated
// network. Their signatures (the START's collateral-key signature, the
// CONFIRM's node and benchmark signatures) are placeholders of the realistic
// length, 65-byte compact signatures: the light node never verifies them.
// fluxd checks them in CheckTransaction and ContextualCheckTransaction, and a
// block that reached us signed by its producer and accepted by the network
// passed those checks; the signatures are also outside the txid, so nothing
// the light node verifies (merkle root, producer signature) depends on them.
// Verifying START signatures would moreover need the delegate keys of every
// collateral and the foundation's P2SH key schedule, which the set does not
// keep.

// CompactSigSize is the length of fluxd's message signatures (SignMessage).
const CompactSigSize = 65

// placeholderSig returns CompactSigSize deterministic bytes derived from
// the given parts, with a valid compact-signature header byte.
func placeholderSig(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	d := h.Sum(nil)
	sig := make([]byte, CompactSigSize)
	sig[0] = 0x1f // recovery id 0, compressed key
	copy(sig[1:], d)
	copy(sig[33:], d)
	return sig
}

func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// NewStartTx returns a P2PKH-collateral START: version 5, or version 6 with
// nFluxTxVersion FluxTxNormalBit. p names the network the transaction is for;
// no field depends on it today. It panics if version is neither 5 nor 6 (a
// programming error).
func NewStartTx(p *params.Params, version int32, collateral chainhash.OutPoint, collateralPubKey, pubKey []byte, sigTime uint32) *tx.Tx {
	_ = p
	fn := &tx.Fluxnode{
		Type:             tx.FluxnodeStartType,
		Collateral:       collateral,
		CollateralPubKey: cloneBytes(collateralPubKey),
		PubKey:           cloneBytes(pubKey),
		SigTime:          sigTime,
		Sig:              placeholderSig([]byte("start"), collateral.Hash[:], u32(collateral.Index), u32(sigTime)),
	}
	switch version {
	case tx.FluxnodeVersion:
	case tx.FluxnodeUpgradeableVersion:
		fn.FluxTxVersion = tx.FluxTxNormalBit
	default:
		panic("fluxnode: NewStartTx version must be 5 or 6")
	}
	return &tx.Tx{Version: version, Fluxnode: fn}
}

// NewStartP2SHTx returns a version 6 START for a P2SH collateral
// (nFluxTxVersion FluxTxP2SHBit): the collateral's redeem script instead of a
// collateral key. p names the network; no field depends on it today.
func NewStartP2SHTx(p *params.Params, collateral chainhash.OutPoint, pubKey, redeemScript []byte, sigTime uint32) *tx.Tx {
	_ = p
	return &tx.Tx{Version: tx.FluxnodeUpgradeableVersion, Fluxnode: &tx.Fluxnode{
		Type:          tx.FluxnodeStartType,
		FluxTxVersion: tx.FluxTxP2SHBit,
		Collateral:    collateral,
		PubKey:        cloneBytes(pubKey),
		RedeemScript:  cloneBytes(redeemScript),
		SigTime:       sigTime,
		Sig:           placeholderSig([]byte("start-p2sh"), collateral.Hash[:], u32(collateral.Index), u32(sigTime)),
	}}
}

// WithDelegates marks a version 6 START as using delegates: it sets
// FluxTxDelegatesBit and attaches d (DelegatesUpdate with up to
// tx.MaxDelegateKeys compressed keys, or DelegatesSigning for a START signed
// by a delegate). The operational key is still the START's PubKey. It returns
// t and panics if t is not a version 6 START (a programming error).
func WithDelegates(t *tx.Tx, d tx.Delegates) *tx.Tx {
	if t.Version != tx.FluxnodeUpgradeableVersion || t.Fluxnode == nil || t.Fluxnode.Type != tx.FluxnodeStartType {
		panic("fluxnode: WithDelegates needs a version 6 START")
	}
	t.Fluxnode.FluxTxVersion |= tx.FluxTxDelegatesBit
	t.Fluxnode.UsingDelegates = true
	d.Keys = append([][]byte(nil), d.Keys...)
	t.Fluxnode.Delegates = d
	return t
}

// NewConfirmTx returns a version 5 CONFIRM of collateral: updateType 0 for
// the initial confirmation, 1 for an update. The benchmark tier is
// TierStratus, which passes fluxd's "benchmark tier not below the collateral
// tier" rule for every node, and the benchmark time is sigTime.
func NewConfirmTx(collateral chainhash.OutPoint, sigTime uint32, updateType int8, ip string) *tx.Tx {
	sig := placeholderSig([]byte("confirm"), collateral.Hash[:], u32(collateral.Index), u32(sigTime), []byte{byte(updateType)})
	return &tx.Tx{Version: tx.FluxnodeVersion, Fluxnode: &tx.Fluxnode{
		Type:             tx.FluxnodeConfirmType,
		Collateral:       collateral,
		SigTime:          sigTime,
		BenchmarkTier:    int8(TierStratus),
		BenchmarkSigTime: sigTime,
		UpdateType:       updateType,
		IP:               ip,
		Sig:              sig,
		BenchmarkSig:     placeholderSig([]byte("benchmark"), sig, []byte(ip)),
	}}
}
