package tx

import (
	"encoding/binary"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/blake2b"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
)

// Signature hash types (fluxd src/script/interpreter.h). FLUX has no FORKID.
const (
	SigHashAll          uint32 = 1
	SigHashNone         uint32 = 2
	SigHashSingle       uint32 = 3
	SigHashAnyoneCanPay uint32 = 0x80
	// sigHashBaseMask selects the base type, as fluxd's nHashType & 0x1f.
	sigHashBaseMask uint32 = 0x1f
)

// NotAnInput is the input index that asks SignatureHash for the digest a v3/v4
// joinSplitSig signs (fluxd's NOT_AN_INPUT): no input-specific part is hashed.
// The legacy algorithm does not support it.
const NotAnInput = -1

// ZIP-143/ZIP-243 BLAKE2b personalizations.
var (
	personPrevouts        = []byte("ZcashPrevoutHash")
	personSequence        = []byte("ZcashSequencHash")
	personOutputs         = []byte("ZcashOutputsHash")
	personJoinSplits      = []byte("ZcashJSplitsHash")
	personShieldedSpends  = []byte("ZcashSSpendsHash")
	personShieldedOutputs = []byte("ZcashSOutputHash")
	personSigHashPrefix   = "ZcashSigHash"
)

// SignatureHash returns the digest that the signature of input in signs, in
// the byte order passed to ECDSA (fluxd's uint256 bytes, which its GetHex
// prints reversed). It dispatches as fluxd's SignatureHash does:
//
//   - overwintered with the Sapling version group: ZIP-243;
//   - other overwintered (v3): ZIP-143;
//   - everything else: the legacy algorithm, SHA256d over a modified
//     serialization (blanked scriptSigs, JoinSplit signature zeroed).
//
// scriptCode is hashed verbatim, as fluxd does: OP_CODESEPARATOR is a disabled
// opcode on FLUX (any script containing it fails), so fluxd never strips it.
// amount (the value of the spent output) is used by ZIP-143/243 only;
// branchID by ZIP-143/243 only. An input index out of range gives
// ErrInputIndex; a legacy SIGHASH_SINGLE without a matching output gives
// ErrSingleNoOutput (fluxd throws for both).
func SignatureHash(t *Tx, in int, scriptCode []byte, amount int64, hashType uint32, branchID uint32) ([32]byte, error) {
	if t.Overwintered {
		if in != NotAnInput && (in < 0 || in >= len(t.Inputs)) {
			return [32]byte{}, ruleErr(ErrInputIndex, "input %d of %d", in, len(t.Inputs))
		}
		return zip243(t, in, scriptCode, amount, hashType, branchID), nil
	}
	if in < 0 || in >= len(t.Inputs) {
		return [32]byte{}, ruleErr(ErrInputIndex, "input %d of %d", in, len(t.Inputs))
	}
	if hashType&sigHashBaseMask == SigHashSingle && in >= len(t.Outputs) {
		return [32]byte{}, ruleErr(ErrSingleNoOutput, "input %d, %d outputs", in, len(t.Outputs))
	}
	return legacySigHash(t, in, scriptCode, hashType), nil
}

// legacySigHash is fluxd's CTransactionSignatureSerializer followed by SHA256d.
func legacySigHash(t *Tx, in int, scriptCode []byte, hashType uint32) [32]byte {
	anyoneCanPay := hashType&SigHashAnyoneCanPay != 0
	base := hashType & sigHashBaseMask
	single, none := base == SigHashSingle, base == SigHashNone

	w := codec.NewWriter(t.SerializeSize() + len(scriptCode) + 8)
	w.Int32(t.Version)
	nIn := len(t.Inputs)
	if anyoneCanPay {
		nIn = 1
	}
	w.CompactSize(uint64(nIn))
	for i := 0; i < nIn; i++ {
		idx := i
		if anyoneCanPay {
			idx = in
		}
		txin := &t.Inputs[idx]
		w.OutPoint(txin.PrevOut)
		if idx == in {
			w.VarBytes(scriptCode)
		} else {
			w.CompactSize(0)
		}
		if idx != in && (single || none) {
			w.Uint32(0)
		} else {
			w.Uint32(txin.Sequence)
		}
	}
	nOut := len(t.Outputs)
	switch {
	case none:
		nOut = 0
	case single:
		nOut = in + 1
	}
	w.CompactSize(uint64(nOut))
	for o := 0; o < nOut; o++ {
		if single && o != in {
			// A null CTxOut: value -1, empty script.
			w.Int64(-1)
			w.CompactSize(0)
		} else {
			t.Outputs[o].encode(w)
		}
	}
	w.Uint32(t.LockTime)
	if t.Version >= 2 {
		t.encodeJoinSplits(w)
		if len(t.JoinSplits) > 0 {
			w.Write(make([]byte, 64)) // the JoinSplit signature, zeroed
		}
	}
	w.Uint32(hashType)
	return chainhash.DoubleSHA256(w.Bytes())
}

// zip243 computes the ZIP-243 digest, or the ZIP-143 digest when t is not a
// Sapling transaction (no shielded hashes, no valueBalance).
func zip243(t *Tx, in int, scriptCode []byte, amount int64, hashType uint32, branchID uint32) [32]byte {
	anyoneCanPay := hashType&SigHashAnyoneCanPay != 0
	base := hashType & sigHashBaseMask
	sapling := t.VersionGroupID == SaplingVersionGroupID

	var hashPrevouts, hashSequence, hashOutputs, hashJoinSplits, hashSpends, hashOutDescs [32]byte
	if !anyoneCanPay {
		hashPrevouts = prevoutsHash(t)
	}
	if !anyoneCanPay && base != SigHashSingle && base != SigHashNone {
		hashSequence = sequenceHash(t)
	}
	if base != SigHashSingle && base != SigHashNone {
		hashOutputs = outputsHash(t.Outputs)
	} else if base == SigHashSingle && in >= 0 && in < len(t.Outputs) {
		hashOutputs = outputsHash(t.Outputs[in : in+1])
	}
	if len(t.JoinSplits) > 0 {
		d := blake2b.New(32, personJoinSplits)
		for _, js := range t.JoinSplits {
			d.Write(js)
		}
		d.Write(t.JoinSplitPubKey[:])
		d.Sum(hashJoinSplits[:0])
	}
	if sapling && len(t.ShieldedSpends) > 0 {
		d := blake2b.New(32, personShieldedSpends)
		for i := range t.ShieldedSpends {
			d.Write(t.ShieldedSpends[i].WithoutAuthSig())
		}
		d.Sum(hashSpends[:0])
	}
	if sapling && len(t.ShieldedOutputs) > 0 {
		d := blake2b.New(32, personShieldedOutputs)
		for i := range t.ShieldedOutputs {
			d.Write(t.ShieldedOutputs[i][:])
		}
		d.Sum(hashOutDescs[:0])
	}

	person := make([]byte, 0, blake2b.PersonalizationSize)
	person = append(person, personSigHashPrefix...)
	person = binary.LittleEndian.AppendUint32(person, branchID)

	w := codec.NewWriter(512 + len(scriptCode))
	w.Uint32(t.Header())
	w.Uint32(t.VersionGroupID)
	w.Write(hashPrevouts[:])
	w.Write(hashSequence[:])
	w.Write(hashOutputs[:])
	w.Write(hashJoinSplits[:])
	if sapling {
		w.Write(hashSpends[:])
		w.Write(hashOutDescs[:])
	}
	w.Uint32(t.LockTime)
	w.Uint32(t.ExpiryHeight)
	if sapling {
		w.Int64(t.ValueBalance)
	}
	w.Uint32(hashType)
	if in != NotAnInput {
		txin := &t.Inputs[in]
		w.OutPoint(txin.PrevOut)
		w.VarBytes(scriptCode)
		w.Int64(amount)
		w.Uint32(txin.Sequence)
	}
	return blake2b.Sum256(person, w.Bytes())
}

func prevoutsHash(t *Tx) [32]byte {
	d := blake2b.New(32, personPrevouts)
	var b [36]byte
	for i := range t.Inputs {
		op := t.Inputs[i].PrevOut
		copy(b[:32], op.Hash[:])
		binary.LittleEndian.PutUint32(b[32:], op.Index)
		d.Write(b[:])
	}
	var h [32]byte
	d.Sum(h[:0])
	return h
}

func sequenceHash(t *Tx) [32]byte {
	d := blake2b.New(32, personSequence)
	var b [4]byte
	for i := range t.Inputs {
		binary.LittleEndian.PutUint32(b[:], t.Inputs[i].Sequence)
		d.Write(b[:])
	}
	var h [32]byte
	d.Sum(h[:0])
	return h
}

func outputsHash(outs []TxOut) [32]byte {
	w := codec.NewWriter(64 * len(outs))
	for i := range outs {
		outs[i].encode(w)
	}
	return blake2b.Sum256(personOutputs, w.Bytes())
}
