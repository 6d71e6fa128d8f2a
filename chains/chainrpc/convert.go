package chainrpc

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
	"github.com/fluxbridge/fluxbridge/fault"
)

// Converters between the chain contract (package chains) and its wire form.
// Every fromPB accepts nil (a message or a list entry) and returns the zero
// value; every toPB of a zero value gives a message that converts back to it.
// The wire does not tell an empty slice from a nil one: both arrive as nil.
// Times travel as unix nanoseconds (the zero time as 0, unset) and arrive in
// UTC without a monotonic reading; nanoseconds cover the years 1678 to 2262.

func timeToPB(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func timeFromPB(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func blockToPB(b chains.BlockRef) *pb.BlockRef {
	return &pb.BlockRef{Height: b.Height, Hash: b.Hash, TimeUnixNano: timeToPB(b.Time)}
}

func blockFromPB(b *pb.BlockRef) chains.BlockRef {
	if b == nil {
		return chains.BlockRef{}
	}
	return chains.BlockRef{Height: b.GetHeight(), Hash: b.GetHash(), Time: timeFromPB(b.GetTimeUnixNano())}
}

func headToPB(h chains.Head) *pb.ChainHead {
	return &pb.ChainHead{Tip: blockToPB(h.Tip), Final: blockToPB(h.Final), Healthy: h.Healthy, Reason: h.Reason}
}

func headFromPB(h *pb.ChainHead) chains.Head {
	if h == nil {
		return chains.Head{}
	}
	return chains.Head{Tip: blockFromPB(h.GetTip()), Final: blockFromPB(h.GetFinal()), Healthy: h.GetHealthy(), Reason: h.GetReason()}
}

func eventToPB(e chains.Event) *pb.Event {
	return &pb.Event{
		Kind: string(e.Kind), Id: e.ID, Chain: uint32(e.Chain), TxId: e.TxID, Index: e.Index,
		Block: blockToPB(e.Block), Amount: e.Amount, DestChain: uint32(e.DestChain), Recipient: e.Recipient,
		FromNonce: e.FromNonce, ToNonce: e.ToNonce, Ref: e.Ref, Invalid: e.Invalid, RefundTo: e.RefundTo,
		Evidence: e.Evidence, Retracted: e.Retracted, Nonce: e.Nonce, Sender: e.Sender,
	}
}

func eventFromPB(e *pb.Event) chains.Event {
	if e == nil {
		return chains.Event{}
	}
	return chains.Event{
		Kind: chains.EventKind(e.GetKind()), ID: e.GetId(), Chain: chains.ID(e.GetChain()), TxID: e.GetTxId(),
		Index: e.GetIndex(), Block: blockFromPB(e.GetBlock()), Amount: e.GetAmount(),
		DestChain: chains.ID(e.GetDestChain()), Recipient: e.GetRecipient(), FromNonce: e.GetFromNonce(),
		ToNonce: e.GetToNonce(), Ref: e.GetRef(), Invalid: e.GetInvalid(), RefundTo: e.GetRefundTo(),
		Evidence: e.GetEvidence(), Retracted: e.GetRetracted(), Nonce: e.GetNonce(), Sender: e.GetSender(),
	}
}

func eventsToPB(evs []chains.Event) []*pb.Event {
	if evs == nil {
		return nil
	}
	out := make([]*pb.Event, len(evs))
	for i, e := range evs {
		out[i] = eventToPB(e)
	}
	return out
}

func eventsFromPB(evs []*pb.Event) []chains.Event {
	if len(evs) == 0 {
		return nil
	}
	out := make([]chains.Event, len(evs))
	for i, e := range evs {
		out[i] = eventFromPB(e)
	}
	return out
}

func mintToPB(m *chains.Mint) *pb.Mint {
	if m == nil {
		return nil
	}
	return &pb.Mint{
		Lock:      &pb.LockRef{TxId: append([]byte(nil), m.Lock.TxID[:]...), Vout: m.Lock.Vout},
		Amount:    m.Amount,
		Recipient: append([]byte(nil), m.Recipient[:]...),
	}
}

// mintFromPB converts a mint; byte fields of the wrong length are a caller
// error, reported rather than truncated.
func mintFromPB(m *pb.Mint) (*chains.Mint, error) {
	if m == nil {
		return nil, nil
	}
	var out chains.Mint
	if n := len(m.GetLock().GetTxId()); n != len(out.Lock.TxID) {
		return nil, fault.E("chainrpc.Mint", fault.Invalid, errLength("lock txid", n, len(out.Lock.TxID)))
	}
	if n := len(m.GetRecipient()); n != len(out.Recipient) {
		return nil, fault.E("chainrpc.Mint", fault.Invalid, errLength("recipient", n, len(out.Recipient)))
	}
	copy(out.Lock.TxID[:], m.GetLock().GetTxId())
	copy(out.Recipient[:], m.GetRecipient())
	out.Lock.Vout = m.GetLock().GetVout()
	out.Amount = m.GetAmount()
	return &out, nil
}

// batchToPB converts the mints of a batch (chains.BuildRequest.Batch) for
// the wire, in their order; an empty batch travels as none.
func batchToPB(ms []chains.Mint) []*pb.Mint {
	if len(ms) == 0 {
		return nil
	}
	out := make([]*pb.Mint, len(ms))
	for i := range ms {
		out[i] = mintToPB(&ms[i])
	}
	return out
}

// batchFromPB converts the mints of a batch, in their order. Each is
// checked as mintFromPB checks a mint, and a missing one is refused too: a
// batch with a malformed mint is a caller error (fault.Invalid), never
// shortened. Order, count and duplicates are the sink's to judge.
func batchFromPB(ms []*pb.Mint) ([]chains.Mint, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	out := make([]chains.Mint, len(ms))
	for i, m := range ms {
		if m == nil {
			return nil, fault.E("chainrpc.Batch", fault.Invalid, fmt.Errorf("mint %d of the batch is missing", i))
		}
		c, err := mintFromPB(m)
		if err != nil {
			var fe *fault.Error
			if errors.As(err, &fe) && fe.Err != nil {
				err = fe.Err // mintFromPB's refusals are all fault.Invalid
			}
			return nil, fault.E("chainrpc.Batch", fault.Invalid, fmt.Errorf("mint %d of the batch: %w", i, err))
		}
		out[i] = *c
	}
	return out, nil
}

// rotationToPB converts a rotation for the wire. A signer that is not an
// address or a threshold the wire cannot carry is the caller's error,
// reported rather than truncated; the rest (order, threshold range, set id)
// is the sink's to judge.
func rotationToPB(r *chains.Rotation) (*pb.Rotation, error) {
	if r == nil {
		return nil, nil
	}
	if r.Threshold < 0 || uint64(r.Threshold) > math.MaxUint32 {
		return nil, fault.E("chainrpc.Rotation", fault.Invalid, fmt.Errorf("threshold %d does not fit uint32", r.Threshold))
	}
	out := &pb.Rotation{SetId: r.SetID, Threshold: uint32(r.Threshold)}
	for i, s := range r.Signers {
		if len(s) != chains.SignerAddressLen {
			return nil, fault.E("chainrpc.Rotation", fault.Invalid, errLength(fmt.Sprintf("signer %d", i), len(s), chains.SignerAddressLen))
		}
		out.Signers = append(out.Signers, bytes.Clone(s))
	}
	return out, nil
}

// rotationFromPB converts a rotation; a signer that is not an address or a
// threshold that does not fit an int is a caller error, as in rotationToPB.
func rotationFromPB(r *pb.Rotation) (*chains.Rotation, error) {
	if r == nil {
		return nil, nil
	}
	if uint64(r.GetThreshold()) > math.MaxInt {
		return nil, fault.E("chainrpc.Rotation", fault.Invalid, fmt.Errorf("threshold %d does not fit int", r.GetThreshold()))
	}
	out := &chains.Rotation{SetID: r.GetSetId(), Threshold: int(r.GetThreshold())}
	for i, s := range r.GetSigners() {
		if len(s) != chains.SignerAddressLen {
			return nil, fault.E("chainrpc.Rotation", fault.Invalid, errLength(fmt.Sprintf("signer %d", i), len(s), chains.SignerAddressLen))
		}
		out.Signers = append(out.Signers, bytes.Clone(s))
	}
	return out, nil
}

func submissionToPB(s chains.Submission) *pb.Submission {
	out := &pb.Submission{Kind: string(s.Kind), Id: s.ID, Payload: s.Payload, Threshold: int64(s.Threshold)}
	for _, d := range s.Digests {
		out.Digests = append(out.Digests, &pb.Digest{Scheme: string(d.Scheme), Hash: d.Hash})
	}
	return out
}

func submissionFromPB(s *pb.Submission) chains.Submission {
	if s == nil {
		return chains.Submission{}
	}
	out := chains.Submission{Kind: chains.SubmissionKind(s.GetKind()), ID: s.GetId(), Payload: s.GetPayload(),
		Threshold: int(s.GetThreshold())}
	for _, d := range s.GetDigests() {
		out.Digests = append(out.Digests, chains.Digest{Scheme: chains.SigScheme(d.GetScheme()), Hash: d.GetHash()})
	}
	return out
}

func signaturesToPB(sigs []chains.Signature) []*pb.Signature {
	var out []*pb.Signature
	for _, s := range sigs {
		out = append(out, &pb.Signature{Signer: s.Signer, Digest: int64(s.Digest), Sig: s.Sig})
	}
	return out
}

func signaturesFromPB(sigs []*pb.Signature) []chains.Signature {
	var out []chains.Signature
	for _, s := range sigs {
		out = append(out, chains.Signature{Signer: s.GetSigner(), Digest: int(s.GetDigest()), Sig: s.GetSig()})
	}
	return out
}

func statusToPB(s chains.Status) *pb.SubmissionStatus {
	return &pb.SubmissionStatus{Id: s.ID, State: string(s.State), TxId: s.TxID, Block: blockToPB(s.Block),
		Minted: s.Minted, Remaining: s.Remaining, Reason: s.Reason}
}

func statusFromPB(s *pb.SubmissionStatus) chains.Status {
	if s == nil {
		return chains.Status{}
	}
	return chains.Status{ID: s.GetId(), State: chains.SubmissionState(s.GetState()), TxID: s.GetTxId(),
		Block: blockFromPB(s.GetBlock()), Minted: s.GetMinted(), Remaining: s.GetRemaining(), Reason: s.GetReason()}
}

func ledgerToPB(l chains.Ledger) *pb.LedgerState {
	return &pb.LedgerState{Chain: uint32(l.Chain), Minted: l.Minted, Burned: l.Burned, BurnCount: l.BurnCount,
		PausedUntil: l.PausedUntil, At: blockToPB(l.At)}
}

func ledgerFromPB(l *pb.LedgerState) chains.Ledger {
	if l == nil {
		return chains.Ledger{}
	}
	return chains.Ledger{Chain: chains.ID(l.GetChain()), Minted: l.GetMinted(), Burned: l.GetBurned(),
		BurnCount: l.GetBurnCount(), PausedUntil: l.GetPausedUntil(), At: blockFromPB(l.GetAt())}
}
