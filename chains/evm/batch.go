package evm

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/contracts/evm/bindv2"
	"github.com/fluxbridge/fluxbridge/fault"
)

// A batch (chains.SubmitMintBatch) mints several locks in one mintBatch
// transaction under one quorum of signatures over the batch digest
// (chains.BatchDigest). Its submission id is chains.BatchID of that digest;
// its in-flight transaction is tracked under that id like a mint's (nonce
// manager, fee bumping). The bridge skips a lock of the batch that is fully
// minted already (or one the rate limit or the cap leaves no room for)
// instead of reverting, so the batch's own status only says where its
// transaction stands: relayers follow each lock with the SubmitMint status
// of its transfer id, which reads the lock from the chain and reports
// Minted for the locks this sink built or submitted.

// batchItemsType is the ABI type of mintBatch's items argument:
// FluxBridge.MintItem[] = (bytes32 txid, uint32 vout, uint64 v, bytes32 recipient)[].
var batchItemsType = func() abi.Type {
	t, err := abi.NewType("tuple[]", "", []abi.ArgumentMarshaling{
		{Name: "txid", Type: "bytes32"}, {Name: "vout", Type: "uint32"},
		{Name: "v", Type: "uint64"}, {Name: "recipient", Type: "bytes32"},
	})
	if err != nil {
		panic(err) // fixed types
	}
	return t
}()

// batchPayloadArgs is the ABI layout of a batch payload: mintBatch's
// arguments without the signatures.
var batchPayloadArgs = abi.Arguments{{Type: batchItemsType}}

// batchItemGo is the Go type of an item as the bindings (and Pack) take it.
var batchItemGo = reflect.TypeFor[bindv2.FluxBridgeMintItem]()

// toBatchItems converts the items as the ABI decoder returns them (a slice
// of an anonymous struct with the same fields, tagged) to the bindings' type.
func toBatchItems(v any) ([]bindv2.FluxBridgeMintItem, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice || !rv.Type().Elem().ConvertibleTo(batchItemGo) {
		return nil, fmt.Errorf("unexpected type %T", v)
	}
	items := make([]bindv2.FluxBridgeMintItem, rv.Len())
	for i := range items {
		items[i] = rv.Index(i).Convert(batchItemGo).Interface().(bindv2.FluxBridgeMintItem)
	}
	return items, nil
}

// batchItems converts mints to mintBatch's items, in their order.
func batchItems(ms []chains.Mint) []bindv2.FluxBridgeMintItem {
	items := make([]bindv2.FluxBridgeMintItem, len(ms))
	for i, m := range ms {
		items[i] = bindv2.FluxBridgeMintItem{Txid: m.Lock.TxID, Vout: m.Lock.Vout, V: m.Amount, Recipient: m.Recipient}
	}
	return items
}

// encodeBatchPayload ABI-encodes the mints as the MintItem[] tuple array:
// an offset word, a length word and 128 bytes per mint.
func encodeBatchPayload(ms []chains.Mint) []byte {
	b, _ := batchPayloadArgs.Pack(batchItems(ms)) // fixed types: cannot fail
	return b
}

// decodeBatchPayload is the inverse of encodeBatchPayload; it accepts only
// the exact canonical encoding of 1 to chains.MaxBatch mints.
func decodeBatchPayload(b []byte) ([]chains.Mint, error) {
	const head, item = 2 * 32, 4 * 32
	if len(b) < head+item || len(b) > head+chains.MaxBatch*item || (len(b)-head)%item != 0 {
		return nil, fmt.Errorf("payload is %d bytes, not a batch of 1 to %d mints", len(b), chains.MaxBatch)
	}
	vals, err := batchPayloadArgs.Unpack(b)
	if err != nil || len(vals) != 1 || vals[0] == nil {
		return nil, fmt.Errorf("payload: %v", err)
	}
	items, err := toBatchItems(vals[0])
	if err != nil {
		return nil, fmt.Errorf("payload: %v", err)
	}
	ms := make([]chains.Mint, len(items))
	for i, it := range items {
		ms[i] = chains.Mint{Lock: chains.LockRef{TxID: it.Txid, Vout: it.Vout}, Amount: it.V, Recipient: it.Recipient}
	}
	if !bytes.Equal(encodeBatchPayload(ms), b) {
		return nil, errors.New("payload is not in canonical form")
	}
	return ms, nil
}

// batchDigests returns the MintAuth digests of a batch's mints, checked as
// the bridge checks them whoever signs: 1 to chains.MaxBatch of them in
// strictly ascending order (fault.Invalid), each to a recipient the bridge
// takes (fault.Forbidden: that lock can never be minted here).
func (s *Sink) batchDigests(op string, ms []chains.Mint) ([][32]byte, error) {
	if len(ms) == 0 || len(ms) > chains.MaxBatch {
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("a batch of %d mints: want 1 to %d", len(ms), chains.MaxBatch))
	}
	ds := make([][32]byte, len(ms))
	for i, m := range ms {
		ds[i] = chains.MintAuthDigest(s.cfg.ChainID, s.cfg.Bridge, m)
	}
	if err := chains.CheckBatch(ds); err != nil {
		return nil, fault.E(op, fault.Invalid, err)
	}
	for _, m := range ms {
		if err := checkRecipient(m.Recipient); err != nil {
			return nil, fault.E(op, fault.Forbidden, fmt.Errorf("%s: %v", m.Lock.TransferID(), err))
		}
	}
	return ds, nil
}

// rememberBatch records each mint's gross value for its lock's Status.
func (s *Sink) rememberBatch(ms []chains.Mint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range ms {
		s.built.put(m.Lock.TransferID(), m.Amount)
	}
}

// buildBatch returns the unsigned batch: the payload (the MintItem[]
// encoding), the batch digest (computed here; the contract's batchDigest
// and mintDigest views are checked equal to the project's digests once per
// process) and the current set's threshold, read at the finalized block. A
// request with anything but its Batch, or a batch the bridge refuses whoever
// signs it, is fault.Invalid; a recipient the bridge refuses is
// fault.Forbidden.
func (s *Sink) buildBatch(ctx context.Context, req chains.BuildRequest) (chains.Submission, error) {
	const op = "evm.Build"
	if req.Mint != nil || req.Rotate != nil || req.Spend != nil {
		return chains.Submission{}, fault.E(op, fault.Invalid, errors.New("a mint-batch submission carries its Batch only"))
	}
	ds, err := s.batchDigests(op, req.Batch)
	if err != nil {
		return chains.Submission{}, err
	}
	digest := chains.BatchDigest(s.cfg.ChainID, s.cfg.Bridge, ds)
	fin, err := s.c.finality(ctx)
	if err != nil {
		return chains.Submission{}, err
	}
	if !s.digestChecked.Load() {
		if err := s.checkMintDigest(ctx, op, fin.Hash(), req.Batch[0], ds[0]); err != nil {
			return chains.Submission{}, err
		}
		s.digestChecked.Store(true)
	}
	if !s.batchDigestChecked.Load() {
		b := fluxBridge()
		got, err := view(ctx, s.c, true, fin.Hash(), b.PackBatchDigest(ds), b.UnpackBatchDigest)
		if err != nil {
			return chains.Submission{}, err
		}
		if got != digest {
			return chains.Submission{}, fault.E(op, fault.Internal, fmt.Errorf("the contract's batchDigest %x differs from the batch digest %x", got, digest))
		}
		s.batchDigestChecked.Store(true)
	}
	cur, _, err := s.c.signers(ctx, true, fin.Hash())
	if err != nil {
		return chains.Submission{}, err
	}
	s.rememberBatch(req.Batch)
	return chains.Submission{
		Kind:      chains.SubmitMintBatch,
		ID:        chains.BatchID(digest),
		Payload:   encodeBatchPayload(req.Batch),
		Digests:   []chains.Digest{{Scheme: chains.SchemeSecp256k1, Hash: digest[:]}},
		Threshold: cur.Threshold,
	}, nil
}

// submitBatch checks the locks and the signatures, simulates mintBatch and
// sends it. A batch whose every lock is used is StateDone (or StateIncluded
// while only the tip shows some of them used) and sends nothing; a
// submission whose transaction is in flight returns that transaction. Too
// few valid signatures over the batch digest (of the current set, or of the
// previous one within its grace period) and reverts other than those below
// are fault.Rejected; a pause is fault.Transient, and so is a rate limit or
// cap that leaves no room at all (the bridge would skip every lock: a
// transaction that mints nothing); a lock the bridge's immutable rules
// refuse is fault.Forbidden, as for a single mint.
func (s *Sink) submitBatch(ctx context.Context, req chains.SubmitRequest) (chains.Status, error) {
	const op = "evm.Submit"
	sub := req.Submission
	ms, err := decodeBatchPayload(sub.Payload)
	if err != nil {
		return chains.Status{}, fault.E(op, fault.Invalid, err)
	}
	ds, err := s.batchDigests(op, ms)
	if err != nil {
		return chains.Status{}, err
	}
	digest := chains.BatchDigest(s.cfg.ChainID, s.cfg.Bridge, ds)
	id := chains.BatchID(digest)
	if err := checkSubmission(op, sub, id, digest, "batch"); err != nil {
		return chains.Status{}, err
	}
	s.rememberBatch(ms)
	if st, ok, err := s.inFlight(ctx, id, func() (chains.Status, error) { return s.batchStatus(ctx, id) }); ok {
		return st, err
	}
	// One tip read per batch: the lock states are not read one by one (the
	// contract skips a used lock anyway); the call below tells whether the
	// batch would mint anything, and the tip's base fee prices it.
	tip, err := first(ctx, s.c, s.c.latestHeader)
	if err != nil {
		return chains.Status{}, err
	}
	cur, prev, err := s.c.signers(ctx, false, tip.Hash())
	if err != nil {
		return chains.Status{}, err
	}
	sigs, err := s.quorum(s.verifySignatures(digest, req.Signatures), cur, prev, tip.Time)
	if err != nil {
		return chains.Status{}, err
	}
	b := fluxBridge()
	data, err := b.TryPackMintBatch(batchItems(ms), pack(sigs))
	if err != nil {
		return chains.Status{}, fault.E(op, fault.Internal, err)
	}
	gas, err := s.estimate(ctx, data)
	if err != nil {
		return chains.Status{}, err
	}
	n, err := view(ctx, s.c, false, tip.Hash(), data, b.UnpackMintBatch)
	if err != nil {
		return chains.Status{}, err
	}
	if n.Sign() == 0 {
		return s.mintsNothing(ctx, id, data, tip)
	}
	return s.send(ctx, id, data, gas, tip)
}

// mintsNothing says why a batch the bridge would mint nothing of at the tip
// is not sent: the rate limit or cap leaves no room (fault.Transient: submit
// again later), or every lock is used — Done when the finalized block shows
// that too, Included otherwise.
func (s *Sink) mintsNothing(ctx context.Context, id string, data []byte, tip *types.Header) (chains.Status, error) {
	const op = "evm.Submit"
	b := fluxBridge()
	room, err := view(ctx, s.c, false, tip.Hash(), b.PackMintableNow(), b.UnpackMintableNow)
	if err != nil {
		return chains.Status{}, err
	}
	if room == 0 {
		return chains.Status{}, fault.E(op, fault.Transient, fmt.Errorf("the bridge's rate limit or cap leaves no room at block %d "+
			"(RateLimited or CapReached): the batch would mint nothing; submit again later", tip.Number))
	}
	fin, err := s.c.finality(ctx)
	if err != nil {
		return chains.Status{}, err
	}
	// At the finalized block the same call minting nothing with room left
	// means every lock was used by then (a signer set rotated since makes
	// the call revert: not known final, so Included).
	if room, err := view(ctx, s.c, true, fin.Hash(), b.PackMintableNow(), b.UnpackMintableNow); err == nil && room > 0 {
		if n, err := view(ctx, s.c, true, fin.Hash(), data, b.UnpackMintBatch); err == nil && n.Sign() == 0 {
			return s.done(id), nil
		}
	}
	return chains.Status{ID: id, State: chains.StateIncluded, Reason: "every lock of the batch is used, some in a block that is not final yet"}, nil
}

// parseBatchID checks a batch submission id: "batch:" and the batch digest
// in 64 lowercase hex digits (chains.BatchID).
func parseBatchID(id string) ([32]byte, error) {
	var d [32]byte
	const prefix = "batch:"
	if len(id) != len(prefix)+64 || id[:len(prefix)] != prefix {
		return d, fmt.Errorf("%q is not batch:<64 hex digits>", id)
	}
	if _, err := hex.Decode(d[:], []byte(id[len(prefix):])); err != nil {
		return d, fmt.Errorf("batch digest of %q: %v", id, err)
	}
	if chains.BatchID(d) != id {
		return d, fmt.Errorf("%q is not in canonical form (lowercase hex)", id)
	}
	return d, nil
}

// batchStatus reports a batch's transaction as this sink tracks it:
// Pending or Included while it is in flight (bumping its fees if it is
// stuck), Done once it is final and succeeded, Failed once it is final and
// reverted (or its nonce went to another transaction). A batch this sink
// has no transaction in flight for is Unknown: the sink does not keep a
// batch's locks, and each lock's own (SubmitMint) status is what tells
// what the destination did.
func (s *Sink) batchStatus(ctx context.Context, id string) (chains.Status, error) {
	s.mu.Lock()
	fl := s.inflight[id]
	s.mu.Unlock()
	if fl == nil {
		return chains.Status{ID: id, State: chains.StateUnknown}, nil
	}
	fin, err := s.c.finality(ctx)
	if err != nil {
		return chains.Status{}, err
	}
	st, final, err := s.track(ctx, id, fl, fin)
	if err != nil || !final {
		return st, err
	}
	st.State = chains.StateDone
	if st.Reason != "" {
		st.State = chains.StateFailed
	}
	return st, nil
}
