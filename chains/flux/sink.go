package flux

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/sig"
	"github.com/fluxbridge/fluxbridge/chains/flux/spendtx"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/fault"
)

// ReserveSink is the FLUX chain as the relayer writes to it: it builds the
// transactions that spend the reserve (releases, refunds, moves) from the
// light node's own view of the reserve's UTXOs, and assembles, verifies and
// broadcasts them once signed (DESIGN §3, §4). It implements chains.Sink for
// chains.FluxL1, so the relayer core does not know it is in process.
type ReserveSink struct {
	n      *Node
	redeem []byte
	k      int
}

var _ chains.Sink = (*ReserveSink)(nil)

// ReserveSink returns the sink that spends the reserve locked by redeem, a
// k-of-n multisig redeem script (the signer set's, sorted by key).
func (n *Node) ReserveSink(redeem []byte) (*ReserveSink, error) {
	k, _, err := script.ParseMultisig(redeem)
	if err != nil {
		return nil, fault.E("flux.ReserveSink", fault.Invalid, fmt.Errorf("redeem script: %w", err))
	}
	return &ReserveSink{n: n, redeem: append([]byte(nil), redeem...), k: k}, nil
}

// Chain is chains.FluxL1.
func (s *ReserveSink) Chain() chains.ID { return chains.FluxL1 }

// Build builds the unsigned spend req.Spend asks for. The payload is
// spendtx's (byte-identical for every relayer with the same view), the
// digests are the per-input ZIP-243 SIGHASH_ALL hashes, and ID is the
// unsigned transaction's id, which names the spend whatever signatures fill it.
func (s *ReserveSink) Build(ctx context.Context, req chains.BuildRequest) (chains.Submission, error) {
	const op = "flux.ReserveSink.Build"
	if req.Kind != chains.SubmitReserveSpend || req.Spend == nil {
		return chains.Submission{}, fault.E(op, fault.Invalid, fmt.Errorf("the FLUX reserve builds reserve spends, not %q", req.Kind))
	}
	u, err := s.build(*req.Spend)
	if err != nil {
		return chains.Submission{}, err
	}
	sub := chains.Submission{Kind: req.Kind, ID: u.Tx.TxID().String(), Payload: u.Payload(), Threshold: s.k, TxID: u.Tx.TxID().String()}
	for i, h := range u.SigHashes {
		sub.Digests = append(sub.Digests, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: append([]byte(nil), h[:]...)})
		sub.Inputs = append(sub.Inputs, chains.FormatOutPoint(u.Tx.Inputs[i].PrevOut.Hash, u.Tx.Inputs[i].PrevOut.Index))
	}
	return sub, nil
}

func (s *ReserveSink) build(sp chains.ReserveSpend) (*spendtx.Unsigned, error) {
	const op = "flux.ReserveSink.Build"
	p := s.n.cfg.Params
	if sp.RefHeight > 1<<31-1 || sp.Expiry > 1<<31-1 || sp.FeeRate > uint64(spendtx.MaxFeeRate) {
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("height, expiry or fee rate out of range"))
	}
	r := spendtx.Request{
		Candidates: s.n.chain.ReserveUTXOs(), RefHeight: int32(sp.RefHeight), Redeem: s.redeem,
		Change: script.P2SH(script.Hash160(s.redeem)), FeeRate: int64(sp.FeeRate), Expiry: uint32(sp.Expiry),
		// The signatures commit to the branch in force where the spend can
		// last be mined: around an upgrade a spend may have to be rebuilt.
		BranchID:         p.BranchID(int32(sp.Expiry)),
		Exclude:          map[chainhash.OutPoint]bool{},
		ConsolidateAbove: sp.ConsolidateAbove,
	}
	for _, o := range sp.Exclude {
		op, err := parseOutPoint(o)
		if err != nil {
			return nil, fault.E("flux.ReserveSink.Build", fault.Invalid, err)
		}
		r.Exclude[op] = true
	}
	if len(sp.MoveTo) > 0 {
		if _, _, err := script.ParseMultisig(sp.MoveTo); err != nil {
			return nil, fault.E(op, fault.Invalid, fmt.Errorf("the new set's redeem script: %w", err))
		}
		r.Change, r.MoveAll = script.P2SH(script.Hash160(sp.MoveTo)), true
	}
	for i, po := range sp.Payouts {
		out, err := payTo(p.PubKeyHashPrefix, p.ScriptHashPrefix, po)
		if err != nil {
			return nil, fault.E(op, fault.Invalid, fmt.Errorf("payout %d: %w", i, err))
		}
		r.Outputs = append(r.Outputs, out)
	}
	switch {
	case sp.Refund != nil:
		r.Memo = memo.Refund{LockTxID: sp.Refund.TxID, Vout: sp.Refund.Vout}.Bytes()
	case len(sp.Payouts) > 0 || sp.ToNonce >= sp.FromNonce && sp.Chain != 0:
		m := memo.Release{ChainID: uint32(sp.Chain), FromNonce: sp.FromNonce, ToNonce: sp.ToNonce}
		if err := m.Validate(); err != nil {
			return nil, fault.E(op, fault.Invalid, err)
		}
		r.Memo = m.Bytes()
	}
	u, err := spendtx.Build(r)
	switch {
	case errors.Is(err, spendtx.ErrFunds):
		return nil, fault.E(op, fault.Transient, err)
	case errors.Is(err, spendtx.ErrNothing):
		return nil, fault.E(op, fault.NotFound, err)
	case err != nil:
		return nil, fault.E(op, fault.Invalid, err)
	}
	return u, nil
}

// payTo is the output paying po: its 22-byte address must carry the
// network's P2PKH or P2SH prefix.
func payTo(pkh, sh [2]byte, po chains.Payout) (tx.TxOut, error) {
	if len(po.To) != 22 {
		return tx.TxOut{}, fmt.Errorf("address of %d bytes, want 22", len(po.To))
	}
	if po.Amount > uint64(tx.MaxMoney) {
		return tx.TxOut{}, fmt.Errorf("amount %d above the money range", po.Amount)
	}
	var h [20]byte
	copy(h[:], po.To[2:])
	switch [2]byte(po.To[:2]) {
	case pkh:
		return tx.TxOut{Value: int64(po.Amount), Script: script.P2PKH(h)}, nil
	case sh:
		return tx.TxOut{Value: int64(po.Amount), Script: script.P2SH(h)}, nil
	}
	return tx.TxOut{}, fmt.Errorf("address prefix %x is not this network's", po.To[:2])
}

// parseOutPoint reads "<display txid>:<vout>".
func parseOutPoint(s string) (chainhash.OutPoint, error) {
	id, v, ok := strings.Cut(s, ":")
	vout, err := strconv.ParseUint(v, 10, 32)
	if !ok || err != nil {
		return chainhash.OutPoint{}, fmt.Errorf("outpoint %q is not <txid>:<vout>", s)
	}
	h, err := chainhash.FromDisplay(id)
	if err != nil {
		return chainhash.OutPoint{}, fmt.Errorf("outpoint %q: %w", s, err)
	}
	return chainhash.OutPoint{Hash: h, Index: uint32(vout)}, nil
}

// Submit assembles the spend from the signatures (65-byte recoverable
// secp256k1 signatures over the per-input digests; the signer's key is
// recovered and must be one of the redeem script's), checks every input with
// the script verifier, and broadcasts it. Submitting again broadcasts the
// same transaction again, which is harmless.
func (s *ReserveSink) Submit(ctx context.Context, req chains.SubmitRequest) (chains.Status, error) {
	const op = "flux.ReserveSink.Submit"
	u, err := spendtx.ParsePayload(req.Submission.Payload)
	if err != nil {
		return chains.Status{}, fault.E(op, fault.Invalid, err)
	}
	sigs := make([]map[string][]byte, len(u.SigHashes))
	for i := range sigs {
		sigs[i] = map[string][]byte{}
	}
	for _, sg := range req.Signatures {
		if sg.Digest < 0 || sg.Digest >= len(sigs) || len(sg.Sig) != 65 || sg.Sig[64] > 1 {
			continue
		}
		key, der, ok := sig.RecoverCompressed(u.SigHashes[sg.Digest], sg.Sig) // high-S refused: the script verifier would refuse it
		if ok {
			sigs[sg.Digest][string(key)] = der
		}
	}
	signed, err := u.Assemble(sigs)
	if err != nil {
		return chains.Status{}, fault.E(op, fault.Rejected, err)
	}
	id, err := s.n.Broadcast(ctx, signed)
	st := chains.Status{ID: req.Submission.ID, State: chains.StatePending, TxID: id.String()}
	return st, err
}

// Status reports the transaction id (a signed spend's id) from the light
// node: included with its block, done at depth D_L1, pending or unknown.
func (s *ReserveSink) Status(ctx context.Context, kind chains.SubmissionKind, id string) (chains.Status, error) {
	h, err := chainhash.FromDisplay(id)
	if err != nil {
		return chains.Status{}, fault.E("flux.ReserveSink.Status", fault.Invalid, err)
	}
	ts := s.n.TxStatus(h)
	st := chains.Status{ID: id, TxID: id, State: chains.StateUnknown, Reason: ts.Reject}
	switch ts.State {
	case TxMined:
		st.State, st.Block = chains.StateIncluded, chains.BlockRef{Height: uint64(ts.Height), Hash: ts.BlockHash}
		if ts.Confirmations >= s.n.cfg.Params.MaxReorgDepth {
			st.State = chains.StateDone
		}
	case TxPending:
		st.State = chains.StatePending
	case TxRejected:
		st.State = chains.StateFailed
	}
	return st, nil
}

// Ledger is refused: the reserve mints nothing.
func (s *ReserveSink) Ledger(context.Context) (chains.Ledger, error) {
	return chains.Ledger{}, fault.E("flux.ReserveSink.Ledger", fault.Invalid, errors.New("the FLUX reserve is not a mint destination"))
}

// Limits is refused: the reserve mints nothing.
func (s *ReserveSink) Limits(context.Context) (chains.Limits, error) {
	return chains.Limits{}, fault.E("flux.ReserveSink.Limits", fault.Invalid, errors.New("the FLUX reserve is not a mint destination"))
}
