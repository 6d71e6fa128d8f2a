// Package tx decodes, encodes and hashes FLUX transactions of every version:
// legacy v1, Sprout v2+, Overwinter v3, Sapling v4 and the fluxnode START and
// CONFIRM transactions (v5, v6). It also computes txids, block merkle trees and
// the three signature-hash algorithms (legacy, ZIP-143, ZIP-243).
//
// Decoding mirrors fluxd's CMutableTransaction deserialization
// (RunOnFlux/fluxd src/primitives/transaction.h): every transaction fluxd
// accepts off the wire decodes here, and Encode reproduces its bytes exactly.
// Every count is checked against a named maximum and the bytes left before
// anything is allocated. Context-free consensus rules (value ranges, duplicate
// inputs, coinbase script size) are not decode errors; CheckSanity applies them.
//
// The package is pure: no I/O, no logging.
package tx

import (
	"encoding/binary"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
)

// Version numbers and version group ids (fluxd src/primitives/transaction.h).
const (
	// OverwinterVersion is the version of an Overwinter (v3) transaction.
	OverwinterVersion = 3
	// SaplingVersion is the version of a Sapling (v4) transaction.
	SaplingVersion = 4
	// FluxnodeVersion is the version of a v5 fluxnode transaction (FLUXNODE_TX_VERSION).
	FluxnodeVersion = 5
	// FluxnodeUpgradeableVersion is the version of a v6 fluxnode transaction
	// (FLUXNODE_TX_UPGRADEABLE_VERSION).
	FluxnodeUpgradeableVersion = 6

	// OverwinterVersionGroupID is the nVersionGroupId an overwintered v3 transaction must carry.
	OverwinterVersionGroupID uint32 = 0x03C48270
	// SaplingVersionGroupID is the nVersionGroupId an overwintered v4 transaction must carry.
	SaplingVersionGroupID uint32 = 0x892F2085

	// overwinteredBit is bit 31 of the 4-byte header (fOverwintered).
	overwinteredBit uint32 = 1 << 31
)

// Sizes and decode limits. Counts are bounded by what can fit in the largest
// transaction fluxd accepts, so that no count in a valid transaction is ever
// refused, and additionally by the bytes actually left in the input.
const (
	// MaxTxSize is the largest serialized transaction fluxd accepts after
	// Sapling (MAX_TX_SIZE_AFTER_SAPLING), and the largest block.
	MaxTxSize = 2_000_000
	// MaxScriptSize is the script-execution limit (MAX_SCRIPT_SIZE). It is not a
	// decode limit: fluxd deserializes longer scripts (an output may carry an
	// unspendable script of any length), so decoding bounds scripts by MaxTxSize.
	MaxScriptSize = 10_000
	// MaxScriptLen is the decode bound of a scriptSig or scriptPubKey.
	MaxScriptLen = MaxTxSize

	// MinTxInSize is the smallest encoded input: prevout 36, empty script 1, sequence 4.
	MinTxInSize = 36 + 1 + 4
	// MinTxOutSize is the smallest encoded output: value 8, empty script 1.
	MinTxOutSize = 8 + 1
	// MaxTxIns is the most inputs a transaction of MaxTxSize bytes can hold.
	MaxTxIns = MaxTxSize / MinTxInSize
	// MaxTxOuts is the most outputs a transaction of MaxTxSize bytes can hold.
	MaxTxOuts = MaxTxSize / MinTxOutSize

	// SpendDescriptionSize is the size of a Sapling spend description:
	// cv 32, anchor 32, nullifier 32, rk 32, zkproof 192, spendAuthSig 64.
	SpendDescriptionSize = 384
	// OutputDescriptionSize is the size of a Sapling output description:
	// cv 32, cmu 32, ephemeralKey 32, encCiphertext 580, outCiphertext 80, zkproof 192.
	OutputDescriptionSize = 948
	// MaxShieldedSpends is the most spend descriptions a MaxTxSize transaction can hold.
	MaxShieldedSpends = MaxTxSize / SpendDescriptionSize
	// MaxShieldedOutputs is the most output descriptions a MaxTxSize transaction can hold.
	MaxShieldedOutputs = MaxTxSize / OutputDescriptionSize

	// PHGRProofSize is the size of a Sprout PHGR13 proof (v2, v3 JoinSplits).
	PHGRProofSize = 296
	// GrothProofSize is the size of a Groth16 proof (v4 JoinSplits, Sapling descriptions).
	GrothProofSize = 192
	// joinSplitFixedSize is a JoinSplit without its proof: vpub_old 8, vpub_new 8,
	// anchor 32, nullifiers 64, commitments 64, ephemeralKey 32, randomSeed 32,
	// macs 64, ciphertexts 2×601.
	joinSplitFixedSize = 8 + 8 + 32 + 64 + 64 + 32 + 32 + 64 + 2*601
	// JoinSplitSizePHGR is the size of a JoinSplit with a PHGR proof (1802).
	JoinSplitSizePHGR = joinSplitFixedSize + PHGRProofSize
	// JoinSplitSizeGroth is the size of a JoinSplit with a Groth16 proof (1698).
	JoinSplitSizeGroth = joinSplitFixedSize + GrothProofSize
	// MaxJoinSplits is the most JoinSplits a MaxTxSize transaction can hold.
	MaxJoinSplits = MaxTxSize / JoinSplitSizeGroth
)

// TxIn is a transparent input.
type TxIn struct {
	// PrevOut is the output being spent (txid in internal order).
	PrevOut chainhash.OutPoint
	// ScriptSig is the unlocking script.
	ScriptSig []byte
	// Sequence is nSequence.
	Sequence uint32
}

// TxOut is a transparent output.
type TxOut struct {
	// Value is the amount in zatoshi. Decoding accepts any int64; CheckSanity
	// enforces the money range.
	Value int64
	// Script is the scriptPubKey.
	Script []byte
}

// ShieldedSpend is one Sapling spend description, kept as its raw 384 bytes.
type ShieldedSpend [SpendDescriptionSize]byte

// spendAuthSigOffset is where spendAuthSig starts inside a spend description.
const spendAuthSigOffset = SpendDescriptionSize - 64

// WithoutAuthSig returns the fields ZIP-243's hashShieldedSpends covers:
// cv, anchor, nullifier, rk and zkproof (everything but spendAuthSig).
func (s *ShieldedSpend) WithoutAuthSig() []byte { return s[:spendAuthSigOffset] }

// SpendAuthSig returns the 64-byte spend authorization signature.
func (s *ShieldedSpend) SpendAuthSig() []byte { return s[spendAuthSigOffset:] }

// ShieldedOutput is one Sapling output description, kept as its raw 948 bytes.
type ShieldedOutput [OutputDescriptionSize]byte

// JoinSplit is one JSDescription, kept as raw bytes: JoinSplitSizePHGR bytes in
// v2/v3 transactions, JoinSplitSizeGroth bytes in v4 transactions.
type JoinSplit []byte

// VPubOld returns vpub_old, the value the JoinSplit takes from the transparent
// pool (0 for a JoinSplit too short to hold it).
func (j JoinSplit) VPubOld() int64 { return j.int64At(0) }

// VPubNew returns vpub_new, the value the JoinSplit returns to the transparent
// pool (0 for a JoinSplit too short to hold it).
func (j JoinSplit) VPubNew() int64 { return j.int64At(8) }

func (j JoinSplit) int64At(off int) int64 {
	if len(j) < off+8 {
		return 0
	}
	return int64(binary.LittleEndian.Uint64(j[off:]))
}

// Tx is a FLUX transaction of any version. Which fields are meaningful depends
// on the version: see Kind. Fluxnode is non-nil exactly for fluxnode
// transactions (version 5 or 6 without the overwintered bit); those have no
// inputs, outputs or lock time.
type Tx struct {
	// Overwintered is bit 31 of the header (fOverwintered).
	Overwintered bool
	// Version is the low 31 bits of the header.
	Version int32
	// VersionGroupID is present only when Overwintered is set.
	VersionGroupID uint32

	// Inputs are the transparent inputs (vin).
	Inputs []TxIn
	// Outputs are the transparent outputs (vout).
	Outputs []TxOut
	// LockTime is nLockTime.
	LockTime uint32
	// ExpiryHeight is present in v3 and v4 transactions.
	ExpiryHeight uint32

	// ValueBalance, ShieldedSpends, ShieldedOutputs and BindingSig are Sapling (v4) fields.
	ValueBalance    int64
	ShieldedSpends  []ShieldedSpend
	ShieldedOutputs []ShieldedOutput
	// JoinSplits exist in every non-fluxnode version >= 2. JoinSplitPubKey and
	// JoinSplitSig are encoded only when there is at least one JoinSplit.
	JoinSplits      []JoinSplit
	JoinSplitPubKey [32]byte
	JoinSplitSig    [64]byte
	// BindingSig is encoded only in v4 transactions with shielded spends or outputs.
	BindingSig [64]byte

	// Fluxnode holds the body of a fluxnode transaction.
	Fluxnode *Fluxnode
}

// Header returns the 4-byte header: the version with bit 31 set when overwintered.
func (t *Tx) Header() uint32 {
	h := uint32(t.Version) &^ overwinteredBit
	if t.Overwintered {
		h |= overwinteredBit
	}
	return h
}

// IsFluxnode reports whether t is a fluxnode transaction (fluxd's IsFluxnodeTx,
// restricted to what deserialization produces: version 5 or 6, not overwintered).
func (t *Tx) IsFluxnode() bool {
	return !t.Overwintered && (t.Version == FluxnodeVersion || t.Version == FluxnodeUpgradeableVersion)
}

// IsSapling reports whether t is an overwintered v4 Sapling transaction.
func (t *Tx) IsSapling() bool {
	return t.Overwintered && t.Version == SaplingVersion && t.VersionGroupID == SaplingVersionGroupID
}

// IsOverwinter reports whether t is an overwintered v3 transaction.
func (t *Tx) IsOverwinter() bool {
	return t.Overwintered && t.Version == OverwinterVersion && t.VersionGroupID == OverwinterVersionGroupID
}

// hasJoinSplits reports whether the encoding carries the JoinSplit vector.
func (t *Tx) hasJoinSplits() bool { return !t.IsFluxnode() && t.Version >= 2 }

// usesGroth reports whether JoinSplit proofs are Groth16 (overwintered, version >= 4).
func (t *Tx) usesGroth() bool { return t.Overwintered && t.Version >= SaplingVersion }

// joinSplitSize is the size of one JoinSplit in this transaction's encoding.
func (t *Tx) joinSplitSize() int {
	if t.usesGroth() {
		return JoinSplitSizeGroth
	}
	return JoinSplitSizePHGR
}

// IsCoinBase reports whether t has exactly one input and it spends the null outpoint.
func (t *Tx) IsCoinBase() bool {
	return len(t.Inputs) == 1 && isNullOutPoint(t.Inputs[0].PrevOut)
}

func isNullOutPoint(o chainhash.OutPoint) bool {
	return o.Index == 0xffffffff && o.Hash.IsZero()
}

// Decode reads one transaction from r, replacing *t. It does not check that r
// is exhausted. Errors are *codec.Error values.
func (t *Tx) Decode(r *codec.Reader) error {
	*t = Tx{}
	header, err := r.Uint32("tx.header")
	if err != nil {
		return err
	}
	t.Overwintered = header&overwinteredBit != 0
	t.Version = int32(header &^ overwinteredBit)
	if t.Overwintered {
		start := r.Offset()
		if t.VersionGroupID, err = r.Uint32("tx.version_group_id"); err != nil {
			return err
		}
		if !t.IsOverwinter() && !t.IsSapling() {
			return codec.Errorf("tx.version_group_id", start, codec.ErrInvalid,
				"unknown transaction format: overwintered version %d with group id %#08x", t.Version, t.VersionGroupID)
		}
	}
	if t.IsFluxnode() {
		t.Fluxnode = new(Fluxnode)
		return t.Fluxnode.decode(r, t.Version)
	}
	if err := t.decodeTransparent(r); err != nil {
		return err
	}
	if t.Overwintered {
		if t.ExpiryHeight, err = r.Uint32("tx.expiry_height"); err != nil {
			return err
		}
	}
	if t.IsSapling() {
		if err := t.decodeSapling(r); err != nil {
			return err
		}
	}
	if t.hasJoinSplits() {
		if err := t.decodeJoinSplits(r); err != nil {
			return err
		}
	}
	if t.IsSapling() && (len(t.ShieldedSpends) > 0 || len(t.ShieldedOutputs) > 0) {
		if err := r.Fixed(t.BindingSig[:], "tx.binding_sig"); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) decodeTransparent(r *codec.Reader) error {
	n, err := r.Count("tx.vin.count", MaxTxIns, MinTxInSize)
	if err != nil {
		return err
	}
	if n > 0 {
		t.Inputs = make([]TxIn, n)
	}
	for i := range t.Inputs {
		in := &t.Inputs[i]
		if in.PrevOut, err = r.OutPoint("tx.vin.prevout"); err != nil {
			return err
		}
		if in.ScriptSig, err = r.VarBytes("tx.vin.script_sig", MaxScriptLen); err != nil {
			return err
		}
		if in.Sequence, err = r.Uint32("tx.vin.sequence"); err != nil {
			return err
		}
	}
	if n, err = r.Count("tx.vout.count", MaxTxOuts, MinTxOutSize); err != nil {
		return err
	}
	if n > 0 {
		t.Outputs = make([]TxOut, n)
	}
	for i := range t.Outputs {
		out := &t.Outputs[i]
		if out.Value, err = r.Int64("tx.vout.value"); err != nil {
			return err
		}
		if out.Script, err = r.VarBytes("tx.vout.script", MaxScriptLen); err != nil {
			return err
		}
	}
	t.LockTime, err = r.Uint32("tx.lock_time")
	return err
}

func (t *Tx) decodeSapling(r *codec.Reader) error {
	var err error
	if t.ValueBalance, err = r.Int64("tx.value_balance"); err != nil {
		return err
	}
	n, err := r.Count("tx.shielded_spends.count", MaxShieldedSpends, SpendDescriptionSize)
	if err != nil {
		return err
	}
	if n > 0 {
		t.ShieldedSpends = make([]ShieldedSpend, n)
	}
	for i := range t.ShieldedSpends {
		if err := r.Fixed(t.ShieldedSpends[i][:], "tx.shielded_spend"); err != nil {
			return err
		}
	}
	if n, err = r.Count("tx.shielded_outputs.count", MaxShieldedOutputs, OutputDescriptionSize); err != nil {
		return err
	}
	if n > 0 {
		t.ShieldedOutputs = make([]ShieldedOutput, n)
	}
	for i := range t.ShieldedOutputs {
		if err := r.Fixed(t.ShieldedOutputs[i][:], "tx.shielded_output"); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) decodeJoinSplits(r *codec.Reader) error {
	size := t.joinSplitSize()
	n, err := r.Count("tx.joinsplits.count", MaxJoinSplits, size)
	if err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	t.JoinSplits = make([]JoinSplit, n)
	for i := range t.JoinSplits {
		b, err := r.Copy(size, "tx.joinsplit")
		if err != nil {
			return err
		}
		t.JoinSplits[i] = b
	}
	if err := r.Fixed(t.JoinSplitPubKey[:], "tx.joinsplit_pubkey"); err != nil {
		return err
	}
	return r.Fixed(t.JoinSplitSig[:], "tx.joinsplit_sig")
}

// Encode appends the wire encoding of t to w. For a decoded transaction it
// reproduces the decoded bytes exactly.
func (t *Tx) Encode(w *codec.Writer) { t.encode(w, false) }

// encode writes the wire form, or with forHash the form fluxd hashes for the
// txid (which differs only for fluxnode transactions).
func (t *Tx) encode(w *codec.Writer, forHash bool) {
	w.Uint32(t.Header())
	if t.Overwintered {
		w.Uint32(t.VersionGroupID)
	}
	if t.IsFluxnode() {
		fn := t.Fluxnode
		if fn == nil {
			fn = &Fluxnode{}
		}
		fn.encode(w, t.Version, forHash)
		return
	}
	w.CompactSize(uint64(len(t.Inputs)))
	for i := range t.Inputs {
		in := &t.Inputs[i]
		w.OutPoint(in.PrevOut)
		w.VarBytes(in.ScriptSig)
		w.Uint32(in.Sequence)
	}
	w.CompactSize(uint64(len(t.Outputs)))
	for i := range t.Outputs {
		t.Outputs[i].encode(w)
	}
	w.Uint32(t.LockTime)
	if t.Overwintered {
		w.Uint32(t.ExpiryHeight)
	}
	if t.IsSapling() {
		w.Int64(t.ValueBalance)
		w.CompactSize(uint64(len(t.ShieldedSpends)))
		for i := range t.ShieldedSpends {
			w.Write(t.ShieldedSpends[i][:])
		}
		w.CompactSize(uint64(len(t.ShieldedOutputs)))
		for i := range t.ShieldedOutputs {
			w.Write(t.ShieldedOutputs[i][:])
		}
	}
	if t.hasJoinSplits() {
		t.encodeJoinSplits(w)
		if len(t.JoinSplits) > 0 {
			w.Write(t.JoinSplitSig[:])
		}
	}
	if t.IsSapling() && (len(t.ShieldedSpends) > 0 || len(t.ShieldedOutputs) > 0) {
		w.Write(t.BindingSig[:])
	}
}

// encodeJoinSplits writes the JoinSplit vector and, if it is not empty, the
// JoinSplit public key (not the signature).
func (t *Tx) encodeJoinSplits(w *codec.Writer) {
	w.CompactSize(uint64(len(t.JoinSplits)))
	for _, js := range t.JoinSplits {
		w.Write(js)
	}
	if len(t.JoinSplits) > 0 {
		w.Write(t.JoinSplitPubKey[:])
	}
}

func (o *TxOut) encode(w *codec.Writer) {
	w.Int64(o.Value)
	w.VarBytes(o.Script)
}

// Bytes returns the wire encoding of t.
func (t *Tx) Bytes() []byte {
	w := codec.NewWriter(t.SerializeSize())
	t.Encode(w)
	return w.Bytes()
}

// SerializeSize returns the length of the wire encoding of t.
func (t *Tx) SerializeSize() int {
	// The sizes follow encode field by field; the vector tests and
	// FuzzDecode check them against len(Bytes()).
	n := 4
	if t.Overwintered {
		n += 4
	}
	if t.IsFluxnode() {
		fn := t.Fluxnode
		if fn == nil {
			fn = &Fluxnode{}
		}
		return n + fn.size(t.Version, false)
	}
	n += codec.CompactSizeLen(uint64(len(t.Inputs)))
	for i := range t.Inputs {
		n += 36 + varLen(len(t.Inputs[i].ScriptSig)) + 4
	}
	n += codec.CompactSizeLen(uint64(len(t.Outputs)))
	for i := range t.Outputs {
		n += 8 + varLen(len(t.Outputs[i].Script))
	}
	n += 4
	if t.Overwintered {
		n += 4
	}
	if t.IsSapling() {
		n += 8 + codec.CompactSizeLen(uint64(len(t.ShieldedSpends))) + len(t.ShieldedSpends)*SpendDescriptionSize +
			codec.CompactSizeLen(uint64(len(t.ShieldedOutputs))) + len(t.ShieldedOutputs)*OutputDescriptionSize
	}
	if t.hasJoinSplits() {
		n += codec.CompactSizeLen(uint64(len(t.JoinSplits)))
		for _, js := range t.JoinSplits {
			n += len(js)
		}
		if len(t.JoinSplits) > 0 {
			n += 32 + 64
		}
	}
	if t.IsSapling() && (len(t.ShieldedSpends) > 0 || len(t.ShieldedOutputs) > 0) {
		n += 64
	}
	return n
}

func varLen(n int) int { return codec.CompactSizeLen(uint64(n)) + n }

// TxID returns the transaction id (internal byte order): SHA256d of the
// serialization fluxd hashes with SER_GETHASH. For ordinary transactions that
// is the full wire encoding; for fluxnode transactions the signature fields are
// left out, so the txid is stable while signatures are replaced.
func (t *Tx) TxID() chainhash.Hash {
	if !t.IsFluxnode() {
		return chainhash.DoubleSHA256(t.Bytes())
	}
	w := codec.NewWriter(t.SerializeSize())
	t.encode(w, true)
	return chainhash.DoubleSHA256(w.Bytes())
}

// Decode decodes exactly one transaction from b; trailing bytes are an error.
func Decode(b []byte) (*Tx, error) {
	r := codec.NewReader(b)
	t := new(Tx)
	if err := t.Decode(r); err != nil {
		return nil, err
	}
	if err := r.End("tx"); err != nil {
		return nil, err
	}
	return t, nil
}

// NewV4 returns an empty overwintered Sapling (v4) transaction with the given
// lock time and expiry height, ready for inputs and outputs to be appended.
func NewV4(lockTime, expiry uint32) *Tx {
	return &Tx{
		Overwintered:   true,
		Version:        SaplingVersion,
		VersionGroupID: SaplingVersionGroupID,
		LockTime:       lockTime,
		ExpiryHeight:   expiry,
	}
}
