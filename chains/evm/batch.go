package evm

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/fluxbridge/fluxbridge/chains"
	bindings "github.com/fluxbridge/fluxbridge/contracts/evm"
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
var batchItemGo = reflect.TypeFor[bindings.FluxBridgeMintItem]()

// toBatchItems converts the items as the ABI decoder returns them (a slice
// of an anonymous struct with the same fields, tagged) to the bindings' type.
func toBatchItems(v any) ([]bindings.FluxBridgeMintItem, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice || !rv.Type().Elem().ConvertibleTo(batchItemGo) {
		return nil, fmt.Errorf("unexpected type %T", v)
	}
	items := make([]bindings.FluxBridgeMintItem, rv.Len())
	for i := range items {
		items[i] = rv.Index(i).Convert(batchItemGo).Interface().(bindings.FluxBridgeMintItem)
	}
	return items, nil
}

// batchItems converts mints to mintBatch's items, in their order.
func batchItems(ms []chains.Mint) []bindings.FluxBridgeMintItem {
	items := make([]bindings.FluxBridgeMintItem, len(ms))
	for i, m := range ms {
		items[i] = bindings.FluxBridgeMintItem{Txid: m.Lock.TxID, Vout: m.Lock.Vout, V: m.Amount, Recipient: m.Recipient}
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
		m := req.Batch[0]
		vals, err := s.c.read(ctx, fin.Hash(), "mintDigest", m.Lock.TxID, m.Lock.Vout, m.Amount, m.Recipient)
		if err != nil {
			return chains.Submission{}, err
		}
		if len(vals) != 1 || vals[0] != any(ds[0]) {
			return chains.Submission{}, fault.E(op, fault.Internal, fmt.Errorf("the contract's mintDigest %x differs from the MintAuth digest %x", vals, ds[0]))
		}
		s.digestChecked.Store(true)
	}
	if !s.batchDigestChecked.Load() {
		vals, err := s.c.read(ctx, fin.Hash(), "batchDigest", ds)
		if err != nil {
			return chains.Submission{}, err
		}
		if len(vals) != 1 || vals[0] != any(digest) {
			return chains.Submission{}, fault.E(op, fault.Internal, fmt.Errorf("the contract's batchDigest %x differs from the batch digest %x", vals, digest))
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
	fin, tip, err := s.heads(ctx)
	if err != nil {
		return chains.Status{}, err
	}
	if st, done, err := s.batchUsed(ctx, id, ms, fin, tip); done || err != nil {
		return st, err
	}
	cur, prev, err := s.c.signers(ctx, false, tip.Hash())
	if err != nil {
		return chains.Status{}, err
	}
	sigs, err := s.quorum(s.verifySignatures(digest, req.Signatures), cur, prev, tip.Time)
	if err != nil {
		return chains.Status{}, err
	}
	data, err := s.c.abi.Pack("mintBatch", batchItems(ms), pack(sigs))
	if err != nil {
		return chains.Status{}, fault.E(op, fault.Internal, err)
	}
	gas, err := s.estimate(ctx, data)
	if err != nil {
		return chains.Status{}, err
	}
	room, err := s.c.readUint64Via(ctx, tip.Hash(), "mintableNow")
	if err != nil {
		return chains.Status{}, err
	}
	if room == 0 {
		return chains.Status{}, fault.E(op, fault.Transient, fmt.Errorf("the bridge's rate limit or cap leaves no room at block %d "+
			"(RateLimited or CapReached): the batch would mint nothing; submit again later", tip.Number))
	}
	return s.send(ctx, id, data, gas, tip)
}

// readUint64Via reads a view returning one unsigned integer at the tip
// block at (from the first endpoint that answers, as lock states at the tip
// are read).
func (c *Client) readUint64Via(ctx context.Context, at common.Hash, method string) (uint64, error) {
	vals, err := c.readVia(ctx, false, at, method)
	if err != nil {
		return 0, err
	}
	if len(vals) != 1 {
		return 0, fault.E("evm.Read."+method, fault.Internal, fmt.Errorf("%d results", len(vals)))
	}
	v, err := toUint64(vals[0])
	if err != nil {
		return 0, fault.E("evm.Read."+method, fault.Internal, err)
	}
	return v, nil
}

// batchUsed reports a batch whose every lock the bridge has used up: Done
// when all are used at the finalized block, Included when the tip shows the
// rest used. It stops at the first lock the tip shows unused.
func (s *Sink) batchUsed(ctx context.Context, id string, ms []chains.Mint, fin, tip *types.Header) (chains.Status, bool, error) {
	final := true
	for _, m := range ms {
		fs, err := s.c.lockState(ctx, true, fin, m.Lock)
		if err != nil {
			return chains.Status{}, false, err
		}
		if fs.Used {
			continue
		}
		ts, err := s.c.lockState(ctx, false, tip, m.Lock)
		if err != nil {
			return chains.Status{}, false, err
		}
		if !ts.Used {
			return chains.Status{}, false, nil
		}
		final = false
	}
	if final {
		return s.done(id), true, nil
	}
	return chains.Status{ID: id, State: chains.StateIncluded, Reason: "every lock of the batch is used, some in a block that is not final yet"}, true, nil
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
