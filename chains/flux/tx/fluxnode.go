package tx

import (
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
)

// Fluxnode transaction types and flags (fluxd src/primitives/transaction.h).
const (
	// FluxnodeStartType is nType of a START transaction (FLUXNODE_START_TX_TYPE).
	FluxnodeStartType int8 = 1 << 1
	// FluxnodeConfirmType is nType of a CONFIRM transaction (FLUXNODE_CONFIRM_TX_TYPE).
	FluxnodeConfirmType int8 = 1 << 2

	// FluxTxNormalBit marks a v6 START with a P2PKH collateral (FLUXNODE_TX_TYPE_NORMAL_BIT).
	// The legacy exact value 1 (FLUXNODE_INTERNAL_NORMAL_TX_VERSION) has this bit.
	FluxTxNormalBit int32 = 0x01
	// FluxTxP2SHBit marks a v6 START with a P2SH collateral (FLUXNODE_TX_TYPE_P2SH_BIT).
	// The legacy exact value 2 (FLUXNODE_INTERNAL_P2SH_TX_VERSION) has this bit.
	FluxTxP2SHBit int32 = 0x02
	// FluxTxDelegatesBit marks a v6 START that carries the delegates flag
	// (FLUXNODE_TX_FEATURE_DELEGATES_BIT).
	FluxTxDelegatesBit int32 = 0x0100

	// DelegatesInitialVersion is the only delegate-data version with a key list.
	DelegatesInitialVersion int8 = 1
	// DelegatesUpdate is the delegate-data type that carries starting keys.
	DelegatesUpdate int8 = 1
	// DelegatesSigning is the delegate-data type of a START signed by a delegate.
	DelegatesSigning int8 = 2
	// MaxDelegateKeys is the most delegate starting keys a transaction may carry
	// (CFluxnodeDelegates::MAX_PUBKEYS_LENGTH). fluxd's deserializer reads any
	// count, but CheckTransaction rejects every transaction whose key list is
	// longer (the list is only encoded when the delegates feature is set, and
	// then IsValid is always checked), so Decode refuses a longer list with
	// codec.ErrTooLarge instead of allocating a slice header per input byte.
	MaxDelegateKeys = 4

	// MaxPubKeySize is the longest public key encoding (CPubKey::PUBLIC_KEY_SIZE).
	MaxPubKeySize = 65
	// MaxFluxnodeFieldLen bounds the variable-length fluxnode fields (signatures,
	// ip, redeem script): anything that fits in a transaction.
	MaxFluxnodeFieldLen = MaxTxSize
)

// Fluxnode is the body of a fluxnode transaction. Which fields are encoded
// depends on the transaction version, Type and, for a v6 START, FluxTxVersion:
//
//   - START v5: Collateral, CollateralPubKey, PubKey, SigTime, Sig.
//   - START v6: FluxTxVersion, then with FluxTxP2SHBit: Collateral, PubKey,
//     RedeemScript, SigTime, Sig; else with FluxTxNormalBit the v5 START fields;
//     else nothing. With FluxTxDelegatesBit: the UsingDelegates byte and, if
//     set, Delegates.
//   - CONFIRM (v5, v6): Collateral, SigTime, BenchmarkTier, BenchmarkSigTime,
//     UpdateType, IP, Sig, BenchmarkSig.
//   - any other Type: nothing.
//
// fluxd reads a v6 START whenever Type has the START bit, but hashes the START
// fields into the txid only when Type equals FluxnodeStartType exactly; TxID
// mirrors that.
type Fluxnode struct {
	// Type is nType: FluxnodeStartType or FluxnodeConfirmType in practice.
	Type int8
	// FluxTxVersion is nFluxTxVersion (v6 START only).
	FluxTxVersion int32

	// Collateral is the collateral outpoint.
	Collateral chainhash.OutPoint
	// CollateralPubKey is the collateral owner's key (P2PKH START only).
	CollateralPubKey []byte
	// PubKey is the node's operational key, which signs PoN blocks (START only).
	PubKey []byte
	// RedeemScript is the collateral's P2SH redeem script (P2SH START only).
	RedeemScript []byte
	// SigTime is the signature time.
	SigTime uint32
	// Sig is the START or CONFIRM signature; it is not covered by the txid.
	Sig []byte

	// UsingDelegates is fUsingDelegates (v6 START with FluxTxDelegatesBit).
	UsingDelegates bool
	// usingDelegatesByte is the byte as read; fluxd reads any non-zero byte as
	// true, so the byte is kept to re-encode it exactly.
	usingDelegatesByte byte
	// Delegates is the delegate data, present when UsingDelegates.
	Delegates Delegates

	// BenchmarkTier, BenchmarkSigTime, UpdateType, IP and BenchmarkSig are CONFIRM fields.
	BenchmarkTier    int8
	BenchmarkSigTime uint32
	// UpdateType is nUpdateType: 0 initial confirmation, 1 update.
	UpdateType int8
	IP         string
	// BenchmarkSig is not covered by the txid.
	BenchmarkSig []byte
}

// Delegates is CFluxnodeDelegates.
type Delegates struct {
	// Version is nDelegateVersion.
	Version int8
	// Type is nType: DelegatesUpdate or DelegatesSigning.
	Type int8
	// Keys are the delegate starting keys, encoded only for Version
	// DelegatesInitialVersion with Type DelegatesUpdate.
	Keys [][]byte
}

func (d *Delegates) hasKeys() bool {
	return d.Version == DelegatesInitialVersion && d.Type == DelegatesUpdate
}

// startLayout is the field layout of a START body.
type startLayout int

const (
	startNone startLayout = iota
	startNormal
	startP2SH
)

// layoutOf returns the START layout for nFluxTxVersion, as fluxd decides it:
// the P2SH bit wins over the normal bit; neither bit means no fields.
func layoutOf(fluxTxVersion int32) startLayout {
	switch {
	case fluxTxVersion&FluxTxP2SHBit != 0:
		return startP2SH
	case fluxTxVersion&FluxTxNormalBit != 0:
		return startNormal
	default:
		return startNone
	}
}

// readsStart reports whether deserialization reads a START body.
func (f *Fluxnode) readsStart(version int32) bool {
	if version == FluxnodeUpgradeableVersion {
		return f.Type&FluxnodeStartType == FluxnodeStartType
	}
	return f.Type == FluxnodeStartType
}

// IsStart reports whether the body is a START (as deserialization reads it).
func (f *Fluxnode) IsStart(version int32) bool { return f.readsStart(version) }

// IsConfirm reports whether the body is a CONFIRM.
func (f *Fluxnode) IsConfirm(version int32) bool {
	return !f.readsStart(version) && f.Type == FluxnodeConfirmType
}

func (f *Fluxnode) decode(r *codec.Reader, version int32) error {
	t, err := r.Uint8("tx.fluxnode.type")
	if err != nil {
		return err
	}
	f.Type = int8(t)
	switch {
	case f.readsStart(version):
		return f.decodeStart(r, version)
	case f.Type == FluxnodeConfirmType:
		return f.decodeConfirm(r)
	}
	return nil
}

func (f *Fluxnode) decodeStart(r *codec.Reader, version int32) error {
	var err error
	layout := startNormal
	if version == FluxnodeUpgradeableVersion {
		if f.FluxTxVersion, err = r.Int32("tx.fluxnode.flux_tx_version"); err != nil {
			return err
		}
		layout = layoutOf(f.FluxTxVersion)
	}
	if layout != startNone {
		if f.Collateral, err = r.OutPoint("tx.fluxnode.collateral"); err != nil {
			return err
		}
		if layout == startNormal {
			if f.CollateralPubKey, err = readPubKey(r, "tx.fluxnode.collateral_pubkey"); err != nil {
				return err
			}
		}
		if f.PubKey, err = readPubKey(r, "tx.fluxnode.pubkey"); err != nil {
			return err
		}
		if layout == startP2SH {
			if f.RedeemScript, err = r.VarBytes("tx.fluxnode.redeem_script", MaxFluxnodeFieldLen); err != nil {
				return err
			}
		}
		if f.SigTime, err = r.Uint32("tx.fluxnode.sig_time"); err != nil {
			return err
		}
		if f.Sig, err = r.VarBytes("tx.fluxnode.sig", MaxFluxnodeFieldLen); err != nil {
			return err
		}
	}
	if version != FluxnodeUpgradeableVersion || f.FluxTxVersion&FluxTxDelegatesBit == 0 {
		return nil
	}
	if f.usingDelegatesByte, err = r.Uint8("tx.fluxnode.using_delegates"); err != nil {
		return err
	}
	f.UsingDelegates = f.usingDelegatesByte != 0
	if !f.UsingDelegates {
		return nil
	}
	return f.Delegates.decode(r)
}

func (d *Delegates) decode(r *codec.Reader) error {
	v, err := r.Uint8("tx.fluxnode.delegates.version")
	if err != nil {
		return err
	}
	d.Version = int8(v)
	if v, err = r.Uint8("tx.fluxnode.delegates.type"); err != nil {
		return err
	}
	d.Type = int8(v)
	if !d.hasKeys() {
		return nil
	}
	n, err := r.Count("tx.fluxnode.delegates.keys.count", MaxDelegateKeys, 1)
	if err != nil {
		return err
	}
	d.Keys = make([][]byte, n)
	for i := range d.Keys {
		if d.Keys[i], err = readPubKey(r, "tx.fluxnode.delegates.key"); err != nil {
			return err
		}
	}
	return nil
}

func (f *Fluxnode) decodeConfirm(r *codec.Reader) error {
	var err error
	if f.Collateral, err = r.OutPoint("tx.fluxnode.collateral"); err != nil {
		return err
	}
	if f.SigTime, err = r.Uint32("tx.fluxnode.sig_time"); err != nil {
		return err
	}
	b, err := r.Uint8("tx.fluxnode.benchmark_tier")
	if err != nil {
		return err
	}
	f.BenchmarkTier = int8(b)
	if f.BenchmarkSigTime, err = r.Uint32("tx.fluxnode.benchmark_sig_time"); err != nil {
		return err
	}
	if b, err = r.Uint8("tx.fluxnode.update_type"); err != nil {
		return err
	}
	f.UpdateType = int8(b)
	if f.IP, err = r.VarString("tx.fluxnode.ip", MaxFluxnodeFieldLen); err != nil {
		return err
	}
	if f.Sig, err = r.VarBytes("tx.fluxnode.sig", MaxFluxnodeFieldLen); err != nil {
		return err
	}
	f.BenchmarkSig, err = r.VarBytes("tx.fluxnode.benchmark_sig", MaxFluxnodeFieldLen)
	return err
}

// pubKeyLen is CPubKey::GetLen: the encoding length implied by the prefix byte.
func pubKeyLen(prefix byte) int {
	switch prefix {
	case 2, 3:
		return 33
	case 4, 6, 7:
		return 65
	}
	return 0
}

// readPubKey reads a CPubKey. fluxd reads any length up to 65 bytes (and skips
// longer ones) but re-serializes, and so hashes into the txid, as many bytes
// as the prefix byte implies. A key whose length disagrees with its prefix
// would give a txid that depends on memory contents in fluxd and can never be
// part of a valid transaction, so it is refused here as codec.ErrInvalid.
// An empty key is accepted: fluxd encodes it back as empty.
func readPubKey(r *codec.Reader, field string) ([]byte, error) {
	start := r.Offset()
	b, err := r.VarBytes(field, MaxFluxnodeFieldLen)
	if err != nil {
		return nil, err
	}
	if len(b) != 0 && (len(b) > MaxPubKeySize || pubKeyLen(b[0]) != len(b)) {
		return nil, codec.Errorf(field, start, codec.ErrInvalid,
			"public key of %d bytes does not match its prefix byte", len(b))
	}
	return b, nil
}

// encode writes the body. With forHash it writes what fluxd's CTransaction
// hashes for the txid: no signatures, the START body only for Type equal to
// FluxnodeStartType, and the delegates flag normalized to 0 or 1.
func (f *Fluxnode) encode(w *codec.Writer, version int32, forHash bool) {
	w.Uint8(uint8(f.Type))
	start := f.readsStart(version)
	if forHash {
		start = f.Type == FluxnodeStartType
	}
	switch {
	case start:
		f.encodeStart(w, version, forHash)
	case f.Type == FluxnodeConfirmType:
		w.OutPoint(f.Collateral)
		w.Uint32(f.SigTime)
		w.Uint8(uint8(f.BenchmarkTier))
		w.Uint32(f.BenchmarkSigTime)
		w.Uint8(uint8(f.UpdateType))
		w.VarString(f.IP)
		if !forHash {
			w.VarBytes(f.Sig)
			w.VarBytes(f.BenchmarkSig)
		}
	}
}

func (f *Fluxnode) encodeStart(w *codec.Writer, version int32, forHash bool) {
	layout := startNormal
	if version == FluxnodeUpgradeableVersion {
		w.Int32(f.FluxTxVersion)
		layout = layoutOf(f.FluxTxVersion)
	}
	if layout != startNone {
		w.OutPoint(f.Collateral)
		if layout == startNormal {
			w.VarBytes(f.CollateralPubKey)
		}
		w.VarBytes(f.PubKey)
		if layout == startP2SH {
			w.VarBytes(f.RedeemScript)
		}
		w.Uint32(f.SigTime)
		if !forHash {
			w.VarBytes(f.Sig)
		}
	}
	if version != FluxnodeUpgradeableVersion || f.FluxTxVersion&FluxTxDelegatesBit == 0 {
		return
	}
	flag := byte(0)
	if f.UsingDelegates {
		flag = 1
		if !forHash && f.usingDelegatesByte != 0 {
			flag = f.usingDelegatesByte
		}
	}
	w.Uint8(flag)
	if !f.UsingDelegates {
		return
	}
	w.Uint8(uint8(f.Delegates.Version))
	w.Uint8(uint8(f.Delegates.Type))
	if f.Delegates.hasKeys() {
		w.CompactSize(uint64(len(f.Delegates.Keys)))
		for _, k := range f.Delegates.Keys {
			w.VarBytes(k)
		}
	}
}

// size returns the length of the body's encoding.
func (f *Fluxnode) size(version int32, forHash bool) int {
	w := codec.NewWriter(256)
	f.encode(w, version, forHash)
	return w.Len()
}
