package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/fluxbridge/fluxbridge/chains/flux/address"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

const txUsage = "fluxbridge flux tx [--network mainnet|testnet|regtest|simnet] <transaction hex>"

// txReport is the JSON `fluxbridge flux tx` prints. Hashes are in display order,
// values in zatoshi.
type txReport struct {
	TxID         string         `json:"txid"`
	Version      int32          `json:"version"`
	Overwintered bool           `json:"overwintered"`
	Kind         string         `json:"kind"`
	Size         int            `json:"size"`
	LockTime     uint32         `json:"lock_time"`
	ExpiryHeight *uint32        `json:"expiry_height,omitempty"`
	Inputs       []inputReport  `json:"inputs"`
	Outputs      []outputReport `json:"outputs"`
	ValueOut     int64          `json:"value_out"`
	Shielded     *shieldedInfo  `json:"shielded,omitempty"`
	Fluxnode     *fluxnodeInfo  `json:"fluxnode,omitempty"`
	Memo         *memoReport    `json:"memo,omitempty"`

	Error  string `json:"error,omitempty"`
	Detail string `json:"detail,omitempty"`
}

type inputReport struct {
	PrevOut   string `json:"prevout,omitempty"`
	Coinbase  string `json:"coinbase,omitempty"` // the coinbase scriptSig
	ScriptSig string `json:"script_sig,omitempty"`
	Sequence  uint32 `json:"sequence"`
}

type outputReport struct {
	N            int    `json:"n"`
	Value        int64  `json:"value"`
	ScriptType   string `json:"script_type"`
	Address      string `json:"address,omitempty"`
	ScriptPubKey string `json:"script_pubkey"`
}

type shieldedInfo struct {
	ValueBalance int64 `json:"value_balance"`
	Spends       int   `json:"spends"`
	Outputs      int   `json:"outputs"`
	JoinSplits   int   `json:"joinsplits"`
}

type fluxnodeInfo struct {
	Type             int8   `json:"type"`
	FluxTxVersion    int32  `json:"flux_tx_version,omitempty"`
	Collateral       string `json:"collateral"`
	CollateralPubKey string `json:"collateral_pubkey,omitempty"`
	PubKey           string `json:"pubkey,omitempty"`
	RedeemScript     string `json:"redeem_script,omitempty"`
	SigTime          uint32 `json:"sig_time"`
	BenchmarkTier    *int8  `json:"benchmark_tier,omitempty"`
	UpdateType       *int8  `json:"update_type,omitempty"`
	IP               string `json:"ip,omitempty"`
}

// memoReport is the bridge memo found in an OP_RETURN output, or why it is malformed.
type memoReport struct {
	Output    int     `json:"output"`
	Type      string  `json:"type,omitempty"` // lock, release or refund
	ChainID   uint32  `json:"chain_id,omitempty"`
	Recipient string  `json:"recipient,omitempty"`
	FromNonce *uint64 `json:"from_nonce,omitempty"`
	ToNonce   *uint64 `json:"to_nonce,omitempty"`
	LockTxID  string  `json:"lock_txid,omitempty"`
	LockVout  *uint32 `json:"lock_vout,omitempty"`
	Error     string  `json:"error,omitempty"`
}

func runFluxTx(args []string, stdout, stderr io.Writer) int {
	f := newInspectFlags("fluxbridge flux tx", txUsage, stderr)
	p, raw, err := f.parse(args, stdin, stderr)
	if errors.Is(err, errUsage) {
		return exitUsage
	}
	if err != nil {
		return decodeFailure(stdout, stderr, "fluxbridge flux tx", err)
	}
	t, err := tx.Decode(raw)
	if err != nil {
		return decodeFailure(stdout, stderr, "fluxbridge flux tx", err)
	}
	rep, c := inspectTx(t, len(raw), p)
	writeJSON(stdout, rep)
	return c.exitCode()
}

// inspectTx describes t and runs the context-free transaction checks and the
// strict parse of any bridge memo.
func inspectTx(t *tx.Tx, size int, p *params.Params) (*txReport, *checks) {
	rep := &txReport{
		TxID:         t.TxID().String(),
		Version:      t.Version,
		Overwintered: t.Overwintered,
		Kind:         t.Kind().String(),
		Size:         size,
		LockTime:     t.LockTime,
		Inputs:       []inputReport{},
		Outputs:      []outputReport{},
	}
	if t.Overwintered {
		e := t.ExpiryHeight
		rep.ExpiryHeight = &e
	}
	coinbase := t.IsCoinBase()
	for _, in := range t.Inputs {
		ir := inputReport{Sequence: in.Sequence}
		if coinbase {
			ir.Coinbase = hex.EncodeToString(in.ScriptSig)
		} else {
			ir.PrevOut = in.PrevOut.String()
			ir.ScriptSig = hex.EncodeToString(in.ScriptSig)
		}
		rep.Inputs = append(rep.Inputs, ir)
	}
	c := &checks{}
	for i, out := range t.Outputs {
		or := outputReport{N: i, Value: out.Value, ScriptType: script.Classify(out.Script).String(), ScriptPubKey: hex.EncodeToString(out.Script)}
		if a, ok := address.FromScript(out.Script); ok {
			or.Address = a.Encode(p)
		}
		rep.Outputs = append(rep.Outputs, or)
		rep.ValueOut += out.Value
		if rep.Memo == nil {
			rep.Memo = inspectMemo(i, out.Script, c)
		}
	}
	if len(t.ShieldedSpends)+len(t.ShieldedOutputs)+len(t.JoinSplits) > 0 || t.ValueBalance != 0 {
		rep.Shielded = &shieldedInfo{ValueBalance: t.ValueBalance, Spends: len(t.ShieldedSpends), Outputs: len(t.ShieldedOutputs), JoinSplits: len(t.JoinSplits)}
	}
	if fn := t.Fluxnode; fn != nil {
		rep.Fluxnode = describeFluxnode(t, fn)
	}
	if err := t.CheckSanity(); err != nil {
		c.record(txRuleCode(err), err)
	}
	rep.Error, rep.Detail = c.firstCode, c.firstDetail
	return rep, c
}

// bridgeMagicPrefix starts every bridge memo (FLXB1, FLXR1, FLXF1). An OP_RETURN
// whose data starts with it but does not parse strictly is reported as an error:
// sent to the reserve, it would be refunded, not minted.
var bridgeMagicPrefix = []byte("FLX")

func inspectMemo(n int, scriptPubKey []byte, c *checks) *memoReport {
	data, err := script.ParseNullData(scriptPubKey)
	if err != nil || !bytes.HasPrefix(data, bridgeMagicPrefix) {
		return nil
	}
	mr := &memoReport{Output: n}
	m, err := memo.Parse(data)
	if err != nil {
		var me *memo.Error
		code := "memo-invalid"
		if errors.As(err, &me) {
			code = string(me.Code)
		}
		mr.Error = code
		c.record(code, err)
		return mr
	}
	switch m := m.(type) {
	case memo.Lock:
		mr.Type, mr.ChainID, mr.Recipient = "lock", m.ChainID, hex.EncodeToString(m.Recipient[:])
	case memo.Release:
		from, to := m.FromNonce, m.ToNonce
		mr.Type, mr.ChainID, mr.FromNonce, mr.ToNonce = "release", m.ChainID, &from, &to
	case memo.Refund:
		vout := m.Vout
		mr.Type, mr.LockTxID, mr.LockVout = "refund", m.LockTxID.String(), &vout
	}
	return mr
}

func describeFluxnode(t *tx.Tx, fn *tx.Fluxnode) *fluxnodeInfo {
	fi := &fluxnodeInfo{
		Type:             fn.Type,
		FluxTxVersion:    fn.FluxTxVersion,
		Collateral:       fn.Collateral.String(),
		CollateralPubKey: hex.EncodeToString(fn.CollateralPubKey),
		PubKey:           hex.EncodeToString(fn.PubKey),
		RedeemScript:     hex.EncodeToString(fn.RedeemScript),
		SigTime:          fn.SigTime,
	}
	if fn.IsConfirm(t.Version) {
		tier, upd := fn.BenchmarkTier, fn.UpdateType
		fi.BenchmarkTier, fi.UpdateType, fi.IP = &tier, &upd, fn.IP
	}
	return fi
}

// txRuleCode names the context-free transaction rule an error broke.
func txRuleCode(err error) string {
	var re *tx.RuleError
	if errors.As(err, &re) {
		return re.Code.Error()
	}
	return fmt.Sprintf("invalid: %v", err)
}
