package spendtx

import (
	"slices"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// payloadVersion leads the payload encoding.
const payloadVersion = 1

// Payload is the unsigned spend as the relayers exchange and compare it
// (chains.Submission.Payload): everything its signature hashes commit to,
//
//	version(1) ‖ branchID(4, LE) ‖ redeem (var bytes) ‖ count (compact) ‖
//	count × (value(8, LE) ‖ height(4, LE)) ‖ the unsigned transaction
//
// where the count is the transaction's input count, one spent output per
// input in order (their script is the redeem script's P2SH). Two relayers
// that built the same spend have byte-identical payloads.
func (u *Unsigned) Payload() []byte {
	w := codec.NewWriter(64 + len(u.redeem) + 12*len(u.Prevs) + u.Tx.SerializeSize())
	w.Uint8(payloadVersion)
	w.Uint32(u.branchID)
	w.CompactSize(uint64(len(u.redeem)))
	w.Write(u.redeem)
	w.CompactSize(uint64(len(u.Prevs)))
	for _, p := range u.Prevs {
		w.Int64(p.Value)
		w.Int32(p.Height)
	}
	u.Tx.Encode(w)
	return w.Bytes()
}

// ParsePayload decodes a payload strictly (one reading per byte string) and
// recomputes the signature hashes.
func ParsePayload(b []byte) (*Unsigned, error) {
	bad := func(err error) (*Unsigned, error) { return nil, &Error{Code: CodeRequest, Detail: "payload", Err: err} }
	r := codec.NewReader(b)
	v, err := r.Uint8("version")
	if err != nil {
		return bad(err)
	}
	if v != payloadVersion {
		return nil, errorf(CodeRequest, "payload version %d, want %d", v, payloadVersion)
	}
	u := &Unsigned{}
	if u.branchID, err = r.Uint32("branch id"); err != nil {
		return bad(err)
	}
	if u.redeem, err = r.VarBytes("redeem script", script.MaxScriptElementSize); err != nil {
		return bad(err)
	}
	if _, _, err := script.ParseMultisig(u.redeem); err != nil {
		return nil, errorf(CodeRequest, "payload redeem script: %v", err)
	}
	n, err := r.Count("spent outputs", MaxInputs, 12)
	if err != nil {
		return bad(err)
	}
	spk := script.P2SH(script.Hash160(u.redeem))
	for range n {
		var p reserve.UTXO
		if p.Value, err = r.Int64("value"); err != nil {
			return bad(err)
		}
		if p.Height, err = r.Int32("height"); err != nil {
			return bad(err)
		}
		if p.Value <= 0 || p.Value > tx.MaxMoney {
			return nil, errorf(CodeRequest, "payload spent output of %d zatoshi", p.Value)
		}
		p.Script = slices.Clone(spk)
		u.Prevs = append(u.Prevs, p)
	}
	u.Tx = new(tx.Tx)
	if err := u.Tx.Decode(r); err != nil {
		return bad(err)
	}
	if err := r.End("payload"); err != nil {
		return bad(err)
	}
	if len(u.Tx.Inputs) != n {
		return nil, errorf(CodeRequest, "payload has %d spent outputs for %d inputs", n, len(u.Tx.Inputs))
	}
	for i, in := range u.Tx.Inputs {
		if len(in.ScriptSig) != 0 {
			return nil, errorf(CodeRequest, "payload input %d is signed", i)
		}
		u.Prevs[i].OutPoint = in.PrevOut
		h, err := tx.SignatureHash(u.Tx, i, u.redeem, u.Prevs[i].Value, tx.SigHashAll, u.branchID)
		if err != nil {
			return bad(err)
		}
		u.SigHashes = append(u.SigHashes, h)
	}
	var out int64
	for _, o := range u.Tx.Outputs {
		out += o.Value
	}
	var in int64
	for _, p := range u.Prevs {
		in += p.Value
	}
	if u.Fee = in - out; u.Fee < 0 {
		return nil, errorf(CodeRequest, "payload pays %d zatoshi from %d", out, in)
	}
	return u, nil
}

// Redeem returns the redeem script the spend's inputs are signed under.
func (u *Unsigned) Redeem() []byte { return slices.Clone(u.redeem) }
