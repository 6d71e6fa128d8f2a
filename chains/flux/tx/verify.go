package tx

import (
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains/flux/script"
)

// PrevOut is what spending an output commits to: its scriptPubKey and value.
// The signature hash of a v4 transaction covers the value, so a verifier must
// be told it; it is not in the spending transaction.
type PrevOut struct {
	Script []byte
	Value  int64
}

// VerifyInput checks that input in of t validly spends prev under the
// signature rules fluxbridge relies on: a P2PKH spend, or a P2SH k-of-n
// multisig spend with strict-DER low-S SIGHASH_ALL signatures in key order and
// an OP_0 dummy (script.VerifySpend). The signature hash uses branchID
// (params.BranchID at the height the transaction is mined at).
//
// It is the check run on every transaction the bridge builds before it leaves
// the process; other script types are reported as unsupported, not as valid.
func (t *Tx) VerifyInput(in int, prev PrevOut, branchID uint32) error {
	if in < 0 || in >= len(t.Inputs) {
		return fmt.Errorf("verify input %d: transaction has %d inputs", in, len(t.Inputs))
	}
	hasher := func(scriptCode []byte, hashType uint32) ([32]byte, error) {
		return SignatureHash(t, in, scriptCode, prev.Value, hashType, branchID)
	}
	if err := script.VerifySpend(t.Inputs[in].ScriptSig, prev.Script, hasher); err != nil {
		return fmt.Errorf("verify input %d: %w", in, err)
	}
	return nil
}

// VerifyInputs checks every input against prevs, which holds one entry per
// input in order. It returns the first failure.
func (t *Tx) VerifyInputs(prevs []PrevOut, branchID uint32) error {
	if len(prevs) != len(t.Inputs) {
		return fmt.Errorf("verify inputs: %d previous outputs for %d inputs", len(prevs), len(t.Inputs))
	}
	for i := range t.Inputs {
		if err := t.VerifyInput(i, prevs[i], branchID); err != nil {
			return err
		}
	}
	return nil
}
