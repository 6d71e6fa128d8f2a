// Package spendtx builds the transactions that spend the bridge's reserve
// (DESIGN §3 Release and Refund, §4 release batching) and assembles them once
// the signer set signed: one v4 transaction spending reserve UTXOs (P2SH k-of-n,
// SIGHASH_ALL), paying its outputs in the order given, change back to the
// reserve, and one OP_RETURN memo.
//
// Build is deterministic: every relayer that gives it the same request gets
// the same bytes, so a validator signs a proposal only when the transaction it
// built from its own view is identical. The rules that make it so:
//
//   - candidates are the reserve outputs created at or below the request's
//     reference height and not excluded; they are taken largest value first
//     (ties by outpoint) until they cover the outputs and the fee;
//   - the fee is the fee rate times the size the transaction has with every
//     signature at its largest DER encoding, so it does not depend on the
//     signatures that will fill it;
//   - change below DustLimit is left to the fee; otherwise it is one output
//     to the change script, after the payouts and before the memo.
//
// The package is pure: no I/O, no logging, no clock.
package spendtx

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/coded"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/sig"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// Limits of what Build makes.
const (
	// DustLimit is the smallest output Build creates, in zatoshi: the
	// conservative limit FLUX wallets use (fluxd's own threshold for a P2PKH
	// output at the minimum relay fee is 54).
	DustLimit int64 = 546
	// MinFeeRate and MaxFeeRate bound the fee rate in zatoshi per byte: at
	// least the minimum relay fee (100 zat/kB, rounded up to a whole
	// zatoshi per byte), below fluxd's absurd-fee limit (10,000 times the
	// minimum relay fee, 1,000 zat/byte).
	MinFeeRate int64 = 1
	MaxFeeRate int64 = 999
	// MaxSize bounds the transaction (fluxd's MAX_STANDARD_TX_SIZE).
	MaxSize = 100_000
	// MaxInputs bounds the inputs one transaction spends.
	MaxInputs = 200
)

// Code names why Build or Assemble failed. Codes are stable; new ones are
// only ever appended.
type Code string

// Package names this package in error messages.
func (Code) Package() string { return "spendtx" }

// Error is a failure of this package; compare with errors.Is against the sentinels.
type Error = coded.Error[Code]

// Error codes.
const (
	// CodeRequest: the request is malformed (no outputs, a fee rate out of
	// bounds, an output below the dust limit, a bad redeem script).
	CodeRequest Code = "spendtx-request"
	// CodeFunds: the candidates do not cover the outputs and the fee.
	CodeFunds Code = "spendtx-funds"
	// CodeTooLarge: the transaction would exceed MaxSize or MaxInputs.
	CodeTooLarge Code = "spendtx-too-large"
	// CodeSignatures: too few valid signatures to assemble an input.
	CodeSignatures Code = "spendtx-signatures"
	// CodeVerify: the assembled transaction fails the script verifier.
	CodeVerify Code = "spendtx-verify"
	// CodeNothing: a consolidation was asked for and the reserve has no
	// more outputs than the bound.
	CodeNothing Code = "spendtx-nothing"
)

// Sentinels for errors.Is.
var (
	ErrRequest    = &Error{Code: CodeRequest}
	ErrFunds      = &Error{Code: CodeFunds}
	ErrTooLarge   = &Error{Code: CodeTooLarge}
	ErrSignatures = &Error{Code: CodeSignatures}
	ErrVerify     = &Error{Code: CodeVerify}
	ErrNothing    = &Error{Code: CodeNothing}
)

func errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Detail: fmt.Sprintf(format, args...)}
}

// Request is what a spend of the reserve pays and from what.
type Request struct {
	// Candidates are the reserve outputs that may be spent, in any order.
	// Those created above RefHeight or listed in Exclude are not.
	Candidates []reserve.UTXO
	RefHeight  int32
	Exclude    map[chainhash.OutPoint]bool
	// Redeem is the reserve's k-of-n multisig redeem script; every
	// candidate must pay its P2SH script.
	Redeem []byte
	// Outputs are paid in this order; each is at least DustLimit.
	Outputs []tx.TxOut
	// Memo is the OP_RETURN data (an FLXR1 or FLXF1 memo); empty for none.
	Memo []byte
	// Change receives what is left (usually the reserve's own P2SH script,
	// a new set's on a move).
	Change []byte
	// FeeRate is in zatoshi per byte.
	FeeRate int64
	// Expiry is the expiry height: after it the transaction can never be mined.
	Expiry uint32
	// BranchID is the consensus branch id the signatures commit to.
	BranchID uint32
	// ConsolidateAbove, when positive, asks for a consolidation instead of
	// a payment: with more than that many candidates, the smallest (ties by
	// outpoint) are spent into the one change output, down to half the
	// bound and at most MaxInputs at a time. Outputs and Memo must be empty.
	// With no more than that many candidates Build fails with ErrNothing.
	ConsolidateAbove int
	// MoveAll asks for a move of the reserve (to a new signer set's script,
	// given as Change): every candidate, largest first and at most MaxInputs
	// at a time, into the one Change output. Outputs and Memo must be empty.
	MoveAll bool
}

// Unsigned is a built transaction waiting for its signatures.
type Unsigned struct {
	// Tx has empty scriptSigs.
	Tx *tx.Tx
	// Prevs are the spent outputs, one per input in order.
	Prevs []reserve.UTXO
	// SigHashes are the ZIP-243 SIGHASH_ALL digests to sign, one per input.
	SigHashes [][32]byte
	// Fee is what the transaction leaves to miners.
	Fee      int64
	redeem   []byte
	branchID uint32
}

// inputSize is the largest serialized size of one input spending the redeem
// script with k signatures: outpoint, scriptSig length and script (OP_0, k
// pushes of a maximal DER signature with its hash type, the redeem push),
// sequence.
func inputSize(k int, redeem []byte) int {
	ss := 1 + k*script.PushSize(make([]byte, sig.MaxDERSize+1)) + script.PushSize(redeem)
	return 36 + compactLen(ss) + ss + 4
}

func compactLen(n int) int {
	switch {
	case n < 0xfd:
		return 1
	case n <= 0xffff:
		return 3
	}
	return 5
}

// Build makes the unsigned transaction r describes.
func Build(r Request) (*Unsigned, error) {
	k, _, err := script.ParseMultisig(r.Redeem)
	switch {
	case err != nil:
		return nil, errorf(CodeRequest, "redeem script: %v", err)
	case r.FeeRate < MinFeeRate || r.FeeRate > MaxFeeRate:
		return nil, errorf(CodeRequest, "fee rate %d zat/byte outside [%d, %d]", r.FeeRate, MinFeeRate, MaxFeeRate)
	case len(r.Change) == 0:
		return nil, errorf(CodeRequest, "no change script")
	}
	reserveScript := script.P2SH(script.Hash160(r.Redeem))
	t := tx.NewV4(0, r.Expiry)
	var out int64
	for i, o := range r.Outputs {
		if o.Value < DustLimit {
			return nil, errorf(CodeRequest, "output %d pays %d zatoshi, below the dust limit %d", i, o.Value, DustLimit)
		}
		out += o.Value
		t.Outputs = append(t.Outputs, tx.TxOut{Value: o.Value, Script: slices.Clone(o.Script)})
	}
	var memoOut *tx.TxOut
	if len(r.Memo) > 0 {
		s, err := script.NullData(r.Memo)
		if err != nil {
			return nil, errorf(CodeRequest, "memo: %v", err)
		}
		memoOut = &tx.TxOut{Script: s}
	}

	cands := make([]reserve.UTXO, 0, len(r.Candidates))
	for _, u := range r.Candidates {
		if u.Height <= r.RefHeight && !r.Exclude[u.OutPoint] && u.Value > 0 && slices.Equal(u.Script, reserveScript) {
			cands = append(cands, u)
		}
	}
	consolidate := r.ConsolidateAbove > 0
	switch {
	case (consolidate || r.MoveAll) && (len(r.Outputs) > 0 || memoOut != nil):
		return nil, errorf(CodeRequest, "a consolidation or a move pays nothing and carries no memo")
	case consolidate && r.MoveAll:
		return nil, errorf(CodeRequest, "a consolidation or a move, not both")
	case r.MoveAll && len(cands) == 0:
		return nil, errorf(CodeNothing, "no reserve output final at height %d to move", r.RefHeight)
	case consolidate && len(cands) <= r.ConsolidateAbove:
		return nil, errorf(CodeNothing, "%d reserve outputs final at height %d, not more than %d", len(cands), r.RefHeight, r.ConsolidateAbove)
	}
	slices.SortFunc(cands, func(a, b reserve.UTXO) int {
		c := cmp.Compare(b.Value, a.Value) // largest first for a payment
		if consolidate {
			c = -c // smallest first for a consolidation
		}
		if c != 0 {
			return c
		}
		if c := a.OutPoint.Hash.Compare(b.OutPoint.Hash); c != 0 {
			return c
		}
		return cmp.Compare(a.OutPoint.Index, b.OutPoint.Index)
	})

	// The size without inputs, with a change output; each input adds inSize.
	inSize := inputSize(k, r.Redeem)
	base := sizeWithout(t, memoOut, len(r.Change))
	var in int64
	var picked []reserve.UTXO
	fee := func(n int) int64 { return r.FeeRate * int64(base+compactLen(n)-1+n*inSize) }
	whole := consolidate || r.MoveAll // spend a fixed set into the change output
	if whole {
		n := len(cands)
		if consolidate {
			n -= r.ConsolidateAbove / 2
		}
		picked = cands[:min(n, MaxInputs)]
		for _, u := range picked {
			in += u.Value
		}
		out = DustLimit // what is left must make a change output
	}
	for _, u := range cands {
		if whole || in >= out+fee(len(picked)) && len(picked) > 0 {
			break
		}
		picked = append(picked, u)
		in += u.Value
	}
	f := fee(len(picked))
	switch {
	case len(picked) == 0 || in < out+f:
		return nil, errorf(CodeFunds, "%d reserve outputs final at height %d hold %d zatoshi; the spend needs %d plus a fee of %d",
			len(cands), r.RefHeight, in, out, f)
	case len(picked) > MaxInputs:
		return nil, errorf(CodeTooLarge, "the spend needs %d inputs, at most %d", len(picked), MaxInputs)
	}
	if whole {
		out = 0
	}
	if change := in - out - f; change >= DustLimit {
		t.Outputs = append(t.Outputs, tx.TxOut{Value: change, Script: slices.Clone(r.Change)})
	} else {
		f = in - out // a dust change goes to the miners
	}
	if memoOut != nil {
		t.Outputs = append(t.Outputs, *memoOut)
	}
	for _, u := range picked {
		t.Inputs = append(t.Inputs, tx.TxIn{PrevOut: u.OutPoint, Sequence: 0xffffffff})
	}
	if size := t.SerializeSize() + len(picked)*(inSize-41); size > MaxSize {
		return nil, errorf(CodeTooLarge, "the spend would be %d bytes, at most %d", size, MaxSize)
	}
	u := &Unsigned{Tx: t, Prevs: picked, Fee: f, redeem: slices.Clone(r.Redeem), branchID: r.BranchID}
	for i, p := range picked {
		h, err := tx.SignatureHash(t, i, r.Redeem, p.Value, tx.SigHashAll, r.BranchID)
		if err != nil {
			return nil, errorf(CodeRequest, "signature hash of input %d: %v", i, err)
		}
		u.SigHashes = append(u.SigHashes, h)
	}
	return u, nil
}

// sizeWithout is the serialized size of t (which has its payouts and no
// inputs) with the memo output and a change output to a script of
// changeLen bytes (none if 0), counting the input count as one byte.
func sizeWithout(t *tx.Tx, memoOut *tx.TxOut, changeLen int) int {
	c := *t
	c.Outputs = slices.Clone(t.Outputs)
	if changeLen > 0 {
		c.Outputs = append(c.Outputs, tx.TxOut{Script: make([]byte, changeLen)})
	}
	if memoOut != nil {
		c.Outputs = append(c.Outputs, *memoOut)
	}
	return c.SerializeSize()
}

// Assemble fills the inputs with signatures and returns the signed
// transaction after the script verifier accepted every input. sigs[i] holds
// the DER signatures (without hash type) offered for input i, keyed by the
// signer's compressed public key; Assemble takes, in redeem-script key order,
// the first k that verify, so a wrong signature from one signer cannot stop
// the others.
func (u *Unsigned) Assemble(sigs []map[string][]byte) (*tx.Tx, error) {
	k, keys, err := script.ParseMultisig(u.redeem)
	if err != nil {
		return nil, errorf(CodeRequest, "redeem script: %v", err)
	}
	if len(sigs) != len(u.Tx.Inputs) {
		return nil, errorf(CodeSignatures, "signatures for %d inputs, the transaction has %d", len(sigs), len(u.Tx.Inputs))
	}
	t := *u.Tx
	t.Inputs = slices.Clone(u.Tx.Inputs)
	prevs := make([]tx.PrevOut, len(u.Prevs))
	for i := range t.Inputs {
		var chosen [][]byte
		for _, key := range keys {
			der, ok := sigs[i][string(key)]
			if !ok || len(chosen) == k {
				continue
			}
			if sig.Verify(key, u.SigHashes[i], der, true) == nil {
				chosen = append(chosen, append(slices.Clone(der), byte(tx.SigHashAll)))
			}
		}
		if len(chosen) < k {
			return nil, errorf(CodeSignatures, "input %d has %d valid signatures of the %d needed", i, len(chosen), k)
		}
		ss, err := script.MultisigScriptSig(chosen, u.redeem)
		if err != nil {
			return nil, errorf(CodeSignatures, "input %d: %v", i, err)
		}
		t.Inputs[i].ScriptSig = ss
		prevs[i] = tx.PrevOut{Script: u.Prevs[i].Script, Value: u.Prevs[i].Value}
	}
	if err := t.VerifyInputs(prevs, u.branchID); err != nil {
		return nil, &Error{Code: CodeVerify, Err: err}
	}
	return &t, nil
}
