package evm

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/contracts/evm/bindv2"
	"github.com/fluxbridge/fluxbridge/fault"
)

// Sink mints on one FluxBridge contract (chains.Sink), and installs its
// next signer set (chains.SubmitRotate). It holds no relayer key: Build
// returns the digest the relayers sign (MintAuth, or the rotation digest),
// Submit checks their signatures and sends the mint or the rotation from the
// submitter account, which pays the gas and has no authority over the bridge.
//
// Transactions are tracked in memory: a nonce manager initialised from the
// account's pending nonce, at most one in-flight transaction per submission
// id, and fee bumping of a transaction left unmined for Fees.BumpAfter (same
// nonce, fees +Fees.BumpPercent, never above Fees.MaxFeePerGas). Bumping
// happens when Status or Submit looks at an in-flight submission, and in Run
// for a caller that wants it in the background. Status reads the lock's
// state from the chain, so it is right after a restart.
type Sink struct {
	c    *Client
	cfg  Config // with the sink's defaults
	key  *ecdsa.PrivateKey
	from common.Address
	tx   types.Signer

	sendMu     sync.Mutex // serialises nonce use and sending
	nonceKnown bool
	nextNonce  uint64

	mu       sync.Mutex // guards inflight and built
	inflight map[string]*inflight
	built    *recentValues // submission id → gross lock value, for Status's Minted (the last maxBuilt)

	limitsMu sync.Mutex
	limits   *limits // the bridge's immutable minimum lock and mint fee, read once

	// digestChecked is set once the contract's mintDigest was found equal
	// to MintDigest: the bridge's code is immutable (no proxy), so one
	// check per process is as good as one per Build.
	digestChecked atomic.Bool
	// batchDigestChecked is the same for batchDigest (chains.BatchDigest).
	batchDigestChecked atomic.Bool
}

// maxBuilt bounds the mints whose gross value a sink remembers for Status's
// Minted. A value is forgotten when its mint is reported done, so the sink
// holds the mints in flight; the bound, far above any burst, only caps
// mints built and never done here (another relayer's turn, a refund). A
// mint forgotten (or built before a restart) reports Minted 0, as it
// always did after a restart.
const maxBuilt = 16_384

// NewSink returns the sink of the bridge c is configured for. The config
// must name a submitter key and a fee cap.
func NewSink(c *Client) (*Sink, error) {
	cfg, err := c.raw.withDefaults(true)
	if err != nil {
		return nil, err
	}
	return &Sink{
		c:        c,
		cfg:      cfg,
		key:      cfg.SubmitterKey,
		from:     crypto.PubkeyToAddress(cfg.SubmitterKey.PublicKey),
		tx:       types.LatestSignerForChainID(new(big.Int).SetUint64(uint64(cfg.ChainID))),
		inflight: map[string]*inflight{},
		built:    newRecentValues(maxBuilt),
	}, nil
}

// Chain returns the configured chain id.
func (s *Sink) Chain() chains.ID { return s.cfg.ChainID }

// Submitter returns the address that pays for mint transactions.
func (s *Sink) Submitter() common.Address { return s.from }

// Drops returns the drop counters by reason (shared with a Source on the same Client).
func (s *Sink) Drops() map[string]uint64 { return s.c.Drops() }

// encodePayload ABI-encodes (bytes32 txid, uint32 vout, uint64 v, bytes32
// recipient): 128 bytes, mint's arguments without the signatures. Those are
// exactly the arguments of the bridge's mintDigest view, so the payload is
// that call's data without its 4-byte selector.
func encodePayload(m chains.Mint) []byte {
	return fluxBridge().PackMintDigest(m.Lock.TxID, m.Lock.Vout, m.Amount, m.Recipient)[4:] // fixed types: cannot panic
}

// decodePayload is the inverse of encodePayload; it accepts only the exact
// 128-byte canonical encoding (every padding byte zero).
func decodePayload(b []byte) (chains.Mint, error) {
	var m chains.Mint
	if len(b) != 4*32 {
		return m, fmt.Errorf("payload is %d bytes, want 128", len(b))
	}
	m = chains.Mint{
		Lock:      chains.LockRef{TxID: [32]byte(b[0:32]), Vout: binary.BigEndian.Uint32(b[60:64])},
		Amount:    binary.BigEndian.Uint64(b[88:96]),
		Recipient: [32]byte(b[96:128]),
	}
	if !bytes.Equal(encodePayload(m), b) {
		return chains.Mint{}, errors.New("payload is not in canonical form")
	}
	return m, nil
}

// checkRecipient refuses a recipient the bridge would refuse: the top 12
// bytes must be zero and the address non-zero.
func checkRecipient(r [32]byte) error {
	var zero [32]byte
	if !bytes.Equal(r[:12], zero[:12]) || bytes.Equal(r[12:], zero[12:]) {
		return fmt.Errorf("recipient %x is not a non-zero EVM address left-padded with 12 zero bytes", r)
	}
	return nil
}

// checkMintDigest checks the contract's mintDigest view of m, read at the
// finalized block at, equal to the MintAuth digest computed here: a
// difference is fault.Internal (the bridge is not the contract this
// package signs for).
func (s *Sink) checkMintDigest(ctx context.Context, op string, at common.Hash, m chains.Mint, digest [32]byte) error {
	b := fluxBridge()
	got, err := view(ctx, s.c, true, at, b.PackMintDigest(m.Lock.TxID, m.Lock.Vout, m.Amount, m.Recipient), b.UnpackMintDigest)
	if err != nil {
		return err
	}
	if got != digest {
		return fault.E(op, fault.Internal, fmt.Errorf("the contract's mintDigest %x differs from the MintAuth digest %x", got, digest))
	}
	return nil
}

// Build returns the unsigned mint: the payload, the MintAuth digest
// (computed here and checked equal to the contract's mintDigest view) and the
// current set's threshold, both read at the finalized block. For
// chains.SubmitRotate it returns the unsigned rotation (see buildRotation),
// for chains.SubmitMintBatch the unsigned batch (see buildBatch).
func (s *Sink) Build(ctx context.Context, req chains.BuildRequest) (chains.Submission, error) {
	const op = "evm.Build"
	if req.Kind == chains.SubmitRotate {
		return s.buildRotation(ctx, req)
	}
	if req.Kind == chains.SubmitMintBatch {
		return s.buildBatch(ctx, req)
	}
	if req.Kind != chains.SubmitMint {
		return chains.Submission{}, fault.E(op, fault.Invalid, fmt.Errorf("submission kind %q is not supported", req.Kind))
	}
	if req.Mint == nil {
		return chains.Submission{}, fault.E(op, fault.Invalid, errors.New("a mint submission needs its Mint"))
	}
	if req.Rotate != nil || req.Batch != nil {
		return chains.Submission{}, fault.E(op, fault.Invalid, errors.New("a mint submission carries its Mint only"))
	}
	m := *req.Mint
	if err := checkRecipient(m.Recipient); err != nil {
		return chains.Submission{}, fault.E(op, fault.Forbidden, err)
	}
	digest := chains.MintAuthDigest(s.cfg.ChainID, s.cfg.Bridge, m)
	fin, err := s.c.finality(ctx)
	if err != nil {
		return chains.Submission{}, err
	}
	if !s.digestChecked.Load() {
		if err := s.checkMintDigest(ctx, op, fin.Hash(), m, digest); err != nil {
			return chains.Submission{}, err
		}
		s.digestChecked.Store(true)
	}
	cur, _, err := s.c.signers(ctx, true, fin.Hash())
	if err != nil {
		return chains.Submission{}, err
	}
	id := m.Lock.TransferID()
	s.mu.Lock()
	s.built.put(id, m.Amount)
	s.mu.Unlock()
	return chains.Submission{
		Kind:      chains.SubmitMint,
		ID:        id,
		Payload:   encodePayload(m),
		Digests:   []chains.Digest{{Scheme: chains.SchemeSecp256k1, Hash: digest[:]}},
		Threshold: cur.Threshold,
	}, nil
}

// secp256k1HalfN is the largest s of a low-s signature.
var secp256k1HalfN = new(big.Int).Rsh(crypto.S256().Params().N, 1)

// signed is one verified signature, packed as the contract wants it.
type signed struct {
	signer common.Address
	sig    [65]byte // r ‖ s ‖ v with v ∈ {27, 28}
}

// verifySignatures keeps the signatures that are well formed, cover digest
// index 0, recover to their claimed signer and are that signer's first;
// every other one is dropped with a counted reason.
func (s *Sink) verifySignatures(digest [32]byte, sigs []chains.Signature) []signed {
	var out []signed
	seen := map[common.Address]bool{}
	for _, sg := range sigs {
		if sg.Digest != 0 || len(sg.Sig) != 65 || len(sg.Signer) != common.AddressLength {
			s.c.drops.inc(DropSigMalformed)
			continue
		}
		v := sg.Sig[64]
		if v >= 27 {
			v -= 27
		}
		r, ss := new(big.Int).SetBytes(sg.Sig[:32]), new(big.Int).SetBytes(sg.Sig[32:64])
		if v > 1 || ss.Cmp(secp256k1HalfN) > 0 || !crypto.ValidateSignatureValues(v, r, ss, true) {
			s.c.drops.inc(DropSigMalformed)
			continue
		}
		var rsv [65]byte
		copy(rsv[:64], sg.Sig[:64])
		rsv[64] = v
		pub, err := crypto.SigToPub(digest[:], rsv[:])
		if err != nil {
			s.c.drops.inc(DropSigMalformed)
			continue
		}
		addr := crypto.PubkeyToAddress(*pub)
		if !bytes.Equal(addr[:], sg.Signer) {
			s.c.drops.inc(DropSigWrongSigner)
			continue
		}
		if seen[addr] {
			s.c.drops.inc(DropSigDuplicate)
			continue
		}
		seen[addr] = true
		rsv[64] = v + 27
		out = append(out, signed{signer: addr, sig: rsv})
	}
	return out
}

// quorum picks the signatures of one set that reaches its threshold: the
// current set, or the previous one while its grace period lasts at time
// now. It returns exactly threshold signatures sorted by signer address, or
// a fault.Rejected error.
func (s *Sink) quorum(valid []signed, cur, prev signerSet, now uint64) ([]signed, error) {
	pick := func(set signerSet) []signed {
		members := map[common.Address]bool{}
		for _, m := range set.Members {
			members[m] = true
		}
		var in []signed
		for _, v := range valid {
			if members[v.signer] {
				in = append(in, v)
			}
		}
		sort.Slice(in, func(i, j int) bool { return bytes.Compare(in[i].signer[:], in[j].signer[:]) < 0 })
		return in
	}
	inCur := pick(cur)
	var inPrev []signed
	prevValid := prev.ID != 0 && now < prev.ValidUntil
	if prevValid {
		inPrev = pick(prev)
	}
	for _, v := range valid {
		if !contains(inCur, v.signer) && !contains(inPrev, v.signer) {
			s.c.drops.inc(DropSigNotInSet)
		}
	}
	switch {
	case cur.Threshold > 0 && len(inCur) >= cur.Threshold:
		return inCur[:cur.Threshold], nil
	case prevValid && prev.Threshold > 0 && len(inPrev) >= prev.Threshold:
		return inPrev[:prev.Threshold], nil
	}
	return nil, fault.E("evm.Submit", fault.Rejected, fmt.Errorf("%d valid signatures of signer set %d (of %d given), threshold %d",
		len(inCur), cur.ID, len(valid), cur.Threshold))
}

func contains(list []signed, a common.Address) bool {
	for _, v := range list {
		if v.signer == a {
			return true
		}
	}
	return false
}

// checkSubmission checks that a submission handed back is the one its
// payload makes: its id, and its one digest (the what digest of the payload).
func checkSubmission(op string, sub chains.Submission, id string, digest [32]byte, what string) error {
	switch {
	case sub.ID != id:
		return fault.E(op, fault.Invalid, fmt.Errorf("submission id %q does not match its payload (%s)", sub.ID, id))
	case len(sub.Digests) != 1 || sub.Digests[0].Scheme != chains.SchemeSecp256k1 || !bytes.Equal(sub.Digests[0].Hash, digest[:]):
		return fault.E(op, fault.Invalid, fmt.Errorf("the submission's digests are not the %s digest of its payload", what))
	}
	return nil
}

// pack concatenates the chosen 65-byte signatures, in their order, as the
// bridge's sigs argument.
func pack(sigs []signed) []byte {
	out := make([]byte, 0, 65*len(sigs))
	for _, sg := range sigs {
		out = append(out, sg.sig[:]...)
	}
	return out
}

// Submit checks the lock's state and the signatures, simulates the mint and
// sends it. A lock already used is StateDone (or StateIncluded while the
// using block is not final) and sends nothing; a submission whose
// transaction is in flight returns that transaction. Too few valid
// signatures and reverts other than a pause or the rate limit are
// fault.Rejected; a pause or the rate limit is fault.Transient with the reason.
// A chains.SubmitRotate submission is handled by submitRotation, a
// chains.SubmitMintBatch one by submitBatch.
func (s *Sink) Submit(ctx context.Context, req chains.SubmitRequest) (chains.Status, error) {
	const op = "evm.Submit"
	sub := req.Submission
	if sub.Kind == chains.SubmitRotate {
		return s.submitRotation(ctx, req)
	}
	if sub.Kind == chains.SubmitMintBatch {
		return s.submitBatch(ctx, req)
	}
	if sub.Kind != chains.SubmitMint {
		return chains.Status{}, fault.E(op, fault.Invalid, fmt.Errorf("submission kind %q is not supported", sub.Kind))
	}
	m, err := decodePayload(sub.Payload)
	if err != nil {
		return chains.Status{}, fault.E(op, fault.Invalid, err)
	}
	if err := checkRecipient(m.Recipient); err != nil {
		return chains.Status{}, fault.E(op, fault.Forbidden, err)
	}
	id := m.Lock.TransferID()
	digest := chains.MintAuthDigest(s.cfg.ChainID, s.cfg.Bridge, m)
	if err := checkSubmission(op, sub, id, digest, "MintAuth"); err != nil {
		return chains.Status{}, err
	}
	s.mu.Lock()
	s.built.put(id, m.Amount)
	s.mu.Unlock()
	if st, ok, err := s.inFlight(ctx, id, func() (chains.Status, error) { return s.status(ctx, id, m.Lock) }); ok {
		return st, err
	}
	fin, tip, err := s.heads(ctx)
	if err != nil {
		return chains.Status{}, err
	}
	if st, done, err := s.alreadyUsed(ctx, id, m.Lock, fin, tip); done || err != nil {
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
	data, err := fluxBridge().TryPackMint(m.Lock.TxID, m.Lock.Vout, m.Amount, m.Recipient, pack(sigs))
	if err != nil {
		return chains.Status{}, fault.E(op, fault.Internal, err)
	}
	gas, err := s.estimate(ctx, data)
	if err != nil {
		_, e, _ := decodeRevert(s.c.abi, revertData(err))
		if _, used := e.(*bindv2.FluxBridgeLockUsed); used {
			st, _, err := s.alreadyUsed(ctx, id, m.Lock, fin, tip)
			if err == nil && st.State == "" {
				st = chains.Status{ID: id, State: chains.StateIncluded}
			}
			return st, err
		}
		return chains.Status{}, err
	}
	return s.send(ctx, id, data, gas, tip)
}

// alreadyUsed reports a lock the bridge has used up: Done when final,
// Included while only the tip shows it.
func (s *Sink) alreadyUsed(ctx context.Context, id string, l chains.LockRef, fin, tip *types.Header) (chains.Status, bool, error) {
	fs, err := s.c.lockState(ctx, true, fin, l)
	if err != nil {
		return chains.Status{}, false, err
	}
	if fs.Used {
		return s.doneStatus(ctx, id, fs), true, nil
	}
	ts, err := s.c.lockState(ctx, false, tip, l)
	if err != nil {
		return chains.Status{}, false, err
	}
	if ts.Used {
		return chains.Status{ID: id, State: chains.StateIncluded, Reason: "the lock is used in a block that is not final yet"}, true, nil
	}
	return chains.Status{}, false, nil
}

// Limits reads the bridge's minimum lock, mint fee and minimum burn at the
// agreed tip (they are immutable: a bridge deployed in the last block has
// them).
func (s *Sink) Limits(ctx context.Context) (chains.Limits, error) {
	tip, err := first(ctx, s.c, s.c.latestHeader)
	if err != nil {
		return chains.Limits{}, err
	}
	l, err := s.readLimits(ctx, tip.Hash())
	return chains.Limits{MinLock: l.minLock, MintFee: l.mintFee, MinBurn: l.minBurn}, err
}

// fee returns the bridge's mint fee (immutable), read once.
func (s *Sink) fee(ctx context.Context, at common.Hash) (uint64, error) {
	l, err := s.readLimits(ctx, at)
	return l.mintFee, err
}

// limits are the bridge's immutable minimum lock, mint fee and minimum burn.
type limits struct{ minLock, mintFee, minBurn uint64 }

// readLimits reads the bridge's limits once per process (they are
// immutable: no owner, no proxy).
func (s *Sink) readLimits(ctx context.Context, at common.Hash) (limits, error) {
	s.limitsMu.Lock()
	defer s.limitsMu.Unlock()
	if s.limits != nil {
		return *s.limits, nil
	}
	var l limits
	var err error
	b := fluxBridge()
	if l.minLock, err = view(ctx, s.c, true, at, b.PackMinLock(), b.UnpackMinLock); err != nil {
		return l, err
	}
	if l.mintFee, err = view(ctx, s.c, true, at, b.PackMintFee(), b.UnpackMintFee); err != nil {
		return l, err
	}
	if l.minBurn, err = view(ctx, s.c, true, at, b.PackMinBurn(), b.UnpackMinBurn); err != nil {
		return l, err
	}
	s.limits = &l
	return l, nil
}

// minted fills Minted from the gross value the sink knows for id (from Build
// or Submit in this process): v − fee − remaining. Unknown: 0.
func (s *Sink) minted(ctx context.Context, id string, ls LockState) uint64 {
	s.mu.Lock()
	v, ok := s.built.get(id)
	s.mu.Unlock()
	if !ok {
		return 0
	}
	f, err := s.fee(ctx, common.HexToHash(ls.At.Hash))
	if err != nil || v < f+ls.Remaining {
		return 0
	}
	return v - f - ls.Remaining
}

// doneStatus is the Done status of mint id, with its Minted. The gross
// value is forgotten then: a relayer records a mint done once, so the sink
// holds values only for the mints still in flight (asked again, a done mint
// reports Minted 0, as after a restart).
func (s *Sink) doneStatus(ctx context.Context, id string, ls LockState) chains.Status {
	st := s.done(id)
	st.Minted = s.minted(ctx, id, ls)
	s.mu.Lock()
	s.built.forget(id)
	s.mu.Unlock()
	return st
}

// done is the Done status of submission id, with the transaction of this
// sink that did it, if any (forgetting it).
func (s *Sink) done(id string) chains.Status {
	st := chains.Status{ID: id, State: chains.StateDone}
	s.mu.Lock()
	if fl := s.inflight[id]; fl != nil {
		st.TxID = fl.last().hash.Hex()
		delete(s.inflight, id)
	}
	s.mu.Unlock()
	return st
}

// inFlight reports, for a submission this sink already sent, its status
// read by status and ok = true when Submit must return it as it is (pending,
// included, done, or an error); a transaction that failed is sent again.
func (s *Sink) inFlight(ctx context.Context, id string, status func() (chains.Status, error)) (chains.Status, bool, error) {
	s.mu.Lock()
	fl := s.inflight[id]
	s.mu.Unlock()
	if fl == nil {
		return chains.Status{}, false, nil
	}
	st, err := status()
	return st, err != nil || st.State == chains.StatePending || st.State == chains.StateIncluded || st.State == chains.StateDone, err
}

// heads reads the finalized header and the tip, in that order.
func (s *Sink) heads(ctx context.Context) (fin, tip *types.Header, err error) {
	if fin, err = s.c.finality(ctx); err != nil {
		return nil, nil, err
	}
	tip, err = first(ctx, s.c, s.c.latestHeader)
	return fin, tip, err
}

// tracked follows this sink's transaction for id, if any. While it is not
// final, tip is nil and st is the answer. Otherwise (or with none) tip is
// the latest header, where the caller reads what only the tip shows, and
// failed is why a final transaction of ours did not do it.
func (s *Sink) tracked(ctx context.Context, id string, fin *types.Header) (st chains.Status, tip *types.Header, failed string, err error) {
	s.mu.Lock()
	fl := s.inflight[id]
	s.mu.Unlock()
	if fl != nil {
		var final bool
		if st, final, err = s.track(ctx, id, fl, fin); err != nil || !final {
			return st, nil, "", err
		}
		failed = st.Reason
	}
	tip, err = first(ctx, s.c, s.c.latestHeader)
	return chains.Status{}, tip, failed, err
}

// Status reports a mint from the chain: used at the finalized block → Done;
// a transaction of this sink in flight → Pending or Included (bumping its
// fees if it is stuck); the lock changed only above the finalized block →
// Included; started with value remaining → Partial; otherwise Unknown.
// A rotation ("rotate:<set id>") is reported by rotationStatus, a batch
// ("batch:<digest>") by batchStatus.
func (s *Sink) Status(ctx context.Context, kind chains.SubmissionKind, id string) (chains.Status, error) {
	const op = "evm.Status"
	if kind == chains.SubmitRotate {
		setID, err := chains.ParseRotationID(id)
		if err != nil {
			return chains.Status{}, fault.E(op, fault.Invalid, err)
		}
		return s.rotationStatus(ctx, id, setID)
	}
	if kind == chains.SubmitMintBatch {
		if _, err := parseBatchID(id); err != nil {
			return chains.Status{}, fault.E(op, fault.Invalid, err)
		}
		return s.batchStatus(ctx, id)
	}
	if kind != chains.SubmitMint {
		return chains.Status{}, fault.E(op, fault.Invalid, fmt.Errorf("submission kind %q is not supported", kind))
	}
	l, err := chains.ParseTransferID(id)
	if err != nil {
		return chains.Status{}, fault.E(op, fault.Invalid, err)
	}
	return s.status(ctx, id, l)
}

func (s *Sink) status(ctx context.Context, id string, l chains.LockRef) (chains.Status, error) {
	fin, err := s.c.finality(ctx)
	if err != nil {
		return chains.Status{}, err
	}
	fs, err := s.c.lockState(ctx, true, fin, l)
	if err != nil {
		return chains.Status{}, err
	}
	if fs.Used {
		return s.doneStatus(ctx, id, fs), nil
	}
	// A final transaction of ours: the lock state below tells the rest.
	st, tip, failed, err := s.tracked(ctx, id, fin)
	if err != nil || tip == nil {
		return st, err
	}
	ts, err := s.c.lockState(ctx, false, tip, l)
	if err != nil {
		return chains.Status{}, err
	}
	switch {
	case ts.Used || ts.Started != fs.Started || ts.Remaining != fs.Remaining:
		return chains.Status{ID: id, State: chains.StateIncluded, Reason: "the lock changed in a block that is not final yet"}, nil
	case fs.Started:
		return chains.Status{ID: id, State: chains.StatePartial, Minted: s.minted(ctx, id, fs), Remaining: fs.Remaining,
			Reason: fmt.Sprintf("the bridge holds back %d (rate limit or cap); submit again later", fs.Remaining)}, nil
	case failed != "":
		return chains.Status{ID: id, State: chains.StateFailed, Reason: failed}, nil
	}
	return chains.Status{ID: id, State: chains.StateUnknown}, nil
}

// Ledger reads the bridge's totals at the agreed finalized block.
func (s *Sink) Ledger(ctx context.Context) (chains.Ledger, error) {
	fin, err := s.c.finality(ctx)
	if err != nil {
		return chains.Ledger{}, err
	}
	t, err := s.c.totals(ctx, fin)
	if err != nil {
		return chains.Ledger{}, err
	}
	l := chains.Ledger{Chain: s.cfg.ChainID, Minted: t.Consumed, Burned: t.Burned, BurnCount: t.BurnCount, At: t.At}
	if t.PausedUntil > fin.Time && t.PausedUntil <= 1<<62 {
		l.PausedUntil = int64(t.PausedUntil)
	}
	return l, nil
}
