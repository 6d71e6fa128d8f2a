package evm

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"math/big"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/chainrpc"
	"github.com/fluxbridge/fluxbridge/chains/evm/evmtest"
	bindings "github.com/fluxbridge/fluxbridge/contracts/evm"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/internal/testbin"
)

// batchMint is a lock of amount to to, its txid and vout made from seq.
func batchMint(seq byte, amount uint64, to common.Address) chains.Mint {
	m := chains.Mint{Lock: chains.LockRef{TxID: [32]byte{0xba, 0x7c, seq}, Vout: uint32(seq % 4)}, Amount: amount}
	copy(m.Recipient[12:], to[:])
	return m
}

// sortBatch orders mints by their MintAuth digest on snk's bridge, as
// relayers order a batch.
func sortBatch(snk *Sink, ms []chains.Mint) []chains.Mint {
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b chains.Mint) int {
		da := chains.MintAuthDigest(snk.Chain(), snk.cfg.Bridge, a)
		db := chains.MintAuthDigest(snk.Chain(), snk.cfg.Bridge, b)
		return bytes.Compare(da[:], db[:])
	})
	return ms
}

// freshBatch returns n mints of distinct locks, amounts and recipients
// (seq from first on), in batch order.
func freshBatch(snk *Sink, first byte, n int) []chains.Mint {
	ms := make([]chains.Mint, n)
	for i := range n {
		seq := first + byte(i)
		ms[i] = batchMint(seq, 1_000_000_000+uint64(seq)*10_000_000, common.Address{0xb0, seq})
	}
	return sortBatch(snk, ms)
}

// reversed returns the mints in reverse order.
func reversed(ms []chains.Mint) []chains.Mint {
	out := slices.Clone(ms)
	slices.Reverse(out)
	return out
}

// batchDigestOf is chains.BatchDigest of the mints' MintAuth digests.
func batchDigestOf(snk *Sink, ms []chains.Mint) [32]byte {
	ds := make([][32]byte, len(ms))
	for i, m := range ms {
		ds[i] = chains.MintAuthDigest(snk.Chain(), snk.cfg.Bridge, m)
	}
	return chains.BatchDigest(snk.Chain(), snk.cfg.Bridge, ds)
}

func buildBatch(t *testing.T, snk chains.Sink, ms []chains.Mint) chains.Submission {
	t.Helper()
	sub, err := snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitMintBatch, Batch: ms})
	if err != nil {
		t.Fatalf("Build of a batch: %v", err)
	}
	return sub
}

// signBatch signs the submission's digest with the relayer keys of the
// given indices, in that order.
func signBatch(sub chains.Submission, ch *evmtest.Chain, t *testing.T, signers ...int) chains.SubmitRequest {
	t.Helper()
	req := chains.SubmitRequest{Submission: sub}
	for _, i := range signers {
		req.Signatures = append(req.Signatures, evmtest.Sign(t, ch.Sim.SignerKeys[i], sub.Digests[0]))
	}
	return req
}

func submitterNonce(t *testing.T, ch *evmtest.Chain) uint64 {
	t.Helper()
	n, err := ch.Sim.Client.PendingNonceAt(t.Context(), crypto.PubkeyToAddress(ch.Submitter.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// mintedBy returns the Minted events of a mined transaction.
func mintedBy(t *testing.T, ch *evmtest.Chain, tx common.Hash) []*bindings.FluxBridgeMinted {
	t.Helper()
	r := ch.Receipt(t, tx)
	if r.Status != 1 {
		t.Fatalf("transaction %s reverted", tx.Hex())
	}
	var out []*bindings.FluxBridgeMinted
	for _, lg := range r.Logs {
		if ev, err := ch.Sim.Bridge.ParseMinted(*lg); err == nil {
			out = append(out, ev)
		}
	}
	return out
}

// checkMinted checks that each mint's lock is used on chain and that its
// recipient holds exactly its amount (the simulated bridge takes no fee and
// every recipient receives one lock).
func checkMinted(t *testing.T, ch *evmtest.Chain, ms ...chains.Mint) {
	t.Helper()
	opts := &bind.CallOpts{Context: t.Context()}
	for _, m := range ms {
		ls, err := ch.Sim.Bridge.LockState(opts, lockID(m.Lock))
		if err != nil || !ls.Used {
			t.Errorf("lock %s: %+v, %v; want used", m.Lock.TransferID(), ls, err)
		}
		bal, err := ch.Sim.Token.BalanceOf(opts, common.BytesToAddress(m.Recipient[12:]))
		if err != nil || bal.Cmp(new(big.Int).SetUint64(m.Amount)) != 0 {
			t.Errorf("recipient of %s holds %v, %v; want %d", m.Lock.TransferID(), bal, err, m.Amount)
		}
	}
}

// The payload is exactly mintBatch's items argument, and only its canonical
// encoding of 1 to MaxBatch mints decodes.
func TestBatchPayloadIsCanonical(t *testing.T) {
	a, err := bridgeABI()
	if err != nil {
		t.Fatal(err)
	}
	items := a.Methods["mintBatch"].Inputs[:1]
	if got, want := batchItemsType.String(), items[0].Type.String(); got != want {
		t.Fatalf("payload type %s, mintBatch's items %s", got, want)
	}
	mk := func(n int) []chains.Mint {
		ms := make([]chains.Mint, n)
		for i := range ms {
			ms[i] = batchMint(byte(i), 1_000_000_000+uint64(i), common.Address{0xb1, byte(i >> 8), byte(i)})
			ms[i].Lock.TxID[3] = byte(i >> 8)
			ms[i].Lock.Vout = uint32(i) << 20
		}
		return ms
	}
	for _, n := range []int{1, 3, chains.MaxBatch} {
		ms := mk(n)
		b := encodeBatchPayload(ms)
		want, err := items.Pack(batchItems(ms))
		if err != nil || !bytes.Equal(b, want) || len(b) != 64+128*n {
			t.Fatalf("%d mints: payload of %d bytes, want mintBatch's items encoding (%d bytes, %v)", n, len(b), len(want), err)
		}
		if got, err := decodeBatchPayload(b); err != nil || !reflect.DeepEqual(got, ms) {
			t.Fatalf("%d mints decode to %d mints, %v", n, len(got), err)
		}
	}
	good := encodeBatchPayload(mk(2))
	for name, change := range map[string]func([]byte) []byte{
		"empty":                      func([]byte) []byte { return nil },
		"no mints":                   func([]byte) []byte { return encodeBatchPayload(nil) },
		"truncated":                  func(b []byte) []byte { return b[:len(b)-1] },
		"a trailing word":            func(b []byte) []byte { return append(b, make([]byte, 32)...) },
		"another offset":             func(b []byte) []byte { b[31] = 0x40; return b },
		"a longer count":             func(b []byte) []byte { b[63]++; return b },
		"a shorter count":            func(b []byte) []byte { b[63]--; return b },
		"a vout above 32 bits":       func(b []byte) []byte { b[64+32+27] = 1; return b },
		"an amount above 64 bits":    func(b []byte) []byte { b[64+64+23] = 1; return b },
		"more than MaxBatch mints":   func([]byte) []byte { return encodeBatchPayload(mk(chains.MaxBatch + 1)) },
		"a count above MaxBatch set": func(b []byte) []byte { b[62] = 1; return b },
	} {
		b := change(bytes.Clone(good))
		if ms, err := decodeBatchPayload(b); err == nil {
			t.Errorf("%s: decoded to %d mints", name, len(ms))
		}
	}
}

// Build returns the batch digest of the mints' MintAuth digests (the
// contract's batchDigest), its id and the MintItem[] payload, and refuses
// what the bridge would refuse whoever signs it.
func TestSinkMintBatchBuild(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	proxy := newProxy(t, ch.Sim.URL)
	_, snk := openSink(t, sinkConfig(ch, proxy.URL()))
	ms := freshBatch(snk, 1, 4)
	sub := buildBatch(t, snk, ms)
	ds := make([][32]byte, len(ms))
	for i, m := range ms {
		ds[i] = chains.MintAuthDigest(snk.Chain(), ch.Sim.BridgeAddr, m)
	}
	want := chains.BatchDigest(snk.Chain(), ch.Sim.BridgeAddr, ds)
	onChain, err := ch.Sim.Bridge.BatchDigest(&bind.CallOpts{Context: t.Context()}, ds)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Kind != chains.SubmitMintBatch || sub.ID != chains.BatchID(want) || sub.Threshold != 2 || len(sub.Digests) != 1 ||
		sub.Digests[0].Scheme != chains.SchemeSecp256k1 || !bytes.Equal(sub.Digests[0].Hash, want[:]) || want != onChain {
		t.Fatalf("Build = %+v; want batch digest %x (contract %x), threshold 2", sub, want, onChain)
	}
	if got, err := decodeBatchPayload(sub.Payload); err != nil || !reflect.DeepEqual(got, ms) {
		t.Fatalf("payload decodes to %+v, %v", got, err)
	}
	if again := buildBatch(t, snk, ms); !reflect.DeepEqual(again, sub) {
		t.Fatalf("building twice: %+v then %+v", sub, again)
	}

	many := make([]chains.Mint, chains.MaxBatch+1)
	for i := range many {
		many[i] = batchMint(byte(i), 1_000_000_000, common.Address{0xb2})
		many[i].Lock.TxID[3] = byte(i >> 8)
	}
	many = sortBatch(snk, many)
	other := freshBatch(snk, 9, 1)[0]
	badTop, zero := ms[0], ms[0]
	badTop.Recipient[0] = 1
	zero.Recipient = [32]byte{}
	for name, tc := range map[string]struct {
		req  chains.BuildRequest
		kind fault.Kind
	}{
		"unsorted":            {chains.BuildRequest{Batch: []chains.Mint{ms[1], ms[0], ms[2]}}, fault.Invalid},
		"reversed":            {chains.BuildRequest{Batch: reversed(ms)}, fault.Invalid},
		"empty":               {chains.BuildRequest{Batch: []chains.Mint{}}, fault.Invalid},
		"none":                {chains.BuildRequest{}, fault.Invalid},
		"MaxBatch + 1":        {chains.BuildRequest{Batch: many}, fault.Invalid},
		"one lock twice":      {chains.BuildRequest{Batch: []chains.Mint{ms[0], ms[0]}}, fault.Invalid},
		"with a Mint":         {chains.BuildRequest{Batch: ms, Mint: &other}, fault.Invalid},
		"with a Rotation":     {chains.BuildRequest{Batch: ms, Rotate: &chains.Rotation{SetID: 2}}, fault.Invalid},
		"a non-EVM recipient": {chains.BuildRequest{Batch: sortBatch(snk, []chains.Mint{ms[1], badTop})}, fault.Forbidden},
		"the zero recipient":  {chains.BuildRequest{Batch: sortBatch(snk, []chains.Mint{zero, ms[1]})}, fault.Forbidden},
	} {
		tc.req.Kind = chains.SubmitMintBatch
		if _, err := snk.Build(t.Context(), tc.req); fault.KindOf(err) != tc.kind {
			t.Errorf("%s: Build = %v, want %v", name, err, tc.kind)
		}
	}
	if _, err := snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitMint, Mint: &other, Batch: ms}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("a mint carrying a batch: Build = %v, want invalid", err)
	}
	if _, err := snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitMintBatch, Batch: many[:chains.MaxBatch]}); err != nil {
		t.Errorf("a batch of MaxBatch: %v", err)
	}

	// A fresh sink behind an endpoint that lies about the contract's
	// batchDigest refuses to build.
	_, liar := openSink(t, sinkConfig(ch, proxy.URL()))
	sel := hexutil.Encode(liar.c.abi.Methods["batchDigest"].ID)
	proxy.set(func(method string, p []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
		if method != "eth_call" || len(p) == 0 || !strings.Contains(string(p[0]), sel) {
			return nil, nil, false
		}
		return json.RawMessage(`"0x` + strings.Repeat("ab", 32) + `"`), nil, true
	}, 0, 0)
	if _, err := liar.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitMintBatch, Batch: ms}); fault.KindOf(err) != fault.Internal ||
		!strings.Contains(err.Error(), "batchDigest") {
		t.Fatalf("Build with a lying batchDigest = %v, want internal", err)
	}
}

// A batch of five locks signed by k relayers mints all five in one
// transaction; submitting it again is done without another transaction.
func TestSinkMintBatchMintsEveryLockInOneTransaction(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	_, snk := openSink(t, sinkConfig(ch))
	ms := freshBatch(snk, 1, 5)
	sub := buildBatch(t, snk, ms)
	digest := batchDigestOf(snk, ms)
	before := submitterNonce(t, ch)
	req := signBatch(sub, ch, t, 2, 1, 0) // all three, unordered: the sink sends k = 2, ascending
	st, err := snk.Submit(t.Context(), req)
	if err != nil || st.State != chains.StatePending || st.TxID == "" || st.ID != sub.ID {
		t.Fatalf("Submit = %+v, %v", st, err)
	}
	txHash := common.HexToHash(st.TxID)
	tx, _, err := ch.Sim.Client.TransactionByHash(t.Context(), txHash)
	if err != nil {
		t.Fatal(err)
	}
	method := snk.c.abi.Methods["mintBatch"]
	if !bytes.Equal(tx.Data()[:4], method.ID) {
		t.Fatalf("the transaction calls %x, not mintBatch", tx.Data()[:4])
	}
	args, err := method.Inputs.Unpack(tx.Data()[4:])
	if err != nil {
		t.Fatal(err)
	}
	if sent, err := toBatchItems(args[0]); err != nil || !reflect.DeepEqual(sent, batchItems(ms)) {
		t.Fatalf("mintBatch items %+v, want %+v", sent, batchItems(ms))
	}
	if sigs := args[1].([]byte); !bytes.Equal(sigs, evmsim.SignWith(digest, ch.Sim.SignerKeys[0], ch.Sim.SignerKeys[1])) {
		t.Fatalf("signatures %x: want the two lowest signers over the batch digest, ascending", sigs)
	}
	status := func(kind chains.SubmissionKind, id string) chains.Status {
		t.Helper()
		st, err := snk.Status(t.Context(), kind, id)
		if err != nil {
			t.Fatalf("Status(%s, %s): %v", kind, id, err)
		}
		return st
	}
	if got := status(chains.SubmitMintBatch, sub.ID); got.State != chains.StatePending || got.TxID != st.TxID {
		t.Fatalf("Status in flight = %+v; want pending %s", got, st.TxID)
	}
	if again, err := snk.Submit(t.Context(), req); err != nil || again.State != chains.StatePending || again.TxID != st.TxID {
		t.Fatalf("Submit in flight = %+v, %v; want the same transaction", again, err)
	}
	ch.Commit()
	if st := status(chains.SubmitMintBatch, sub.ID); st.State != chains.StateIncluded || st.TxID != txHash.Hex() {
		t.Fatalf("Status mined, not final = %+v", st)
	}
	ch.Settle(t)
	evs := mintedBy(t, ch, txHash)
	if len(evs) != len(ms) {
		t.Fatalf("%d Minted events in the batch's transaction, want %d", len(evs), len(ms))
	}
	for i, m := range ms {
		ev := evs[i]
		if ev.Txid != m.Lock.TxID || ev.Vout != m.Lock.Vout || ev.Amount != m.Amount || ev.Remaining != 0 || ev.Fee != 0 ||
			ev.Recipient != common.BytesToAddress(m.Recipient[12:]) || ev.LockId != lockID(m.Lock) {
			t.Errorf("Minted event %d = %+v, want lock %s of %d", i, ev, m.Lock.TransferID(), m.Amount)
		}
		if st := status(chains.SubmitMint, m.Lock.TransferID()); st.State != chains.StateDone || st.Minted != m.Amount {
			t.Errorf("lock %s: %+v; want done, %d minted", m.Lock.TransferID(), st, m.Amount)
		}
	}
	if n := snk.built.len(); n != 0 {
		t.Errorf("the sink still holds %d gross values of mints it reported done", n)
	}
	checkMinted(t, ch, ms...)
	if n := submitterNonce(t, ch); n != before+1 {
		t.Fatalf("%d transactions sent, want one", n-before)
	}
	// Again: the sink's transaction, final, is the answer; then the chain.
	if again, err := snk.Submit(t.Context(), req); err != nil || again.State != chains.StateDone || again.TxID != txHash.Hex() {
		t.Fatalf("Submit again, final = %+v, %v; want done by %s", again, err, txHash.Hex())
	}
	if again, err := snk.Submit(t.Context(), req); err != nil || again.State != chains.StateDone || again.TxID != "" {
		t.Fatalf("Submit once more = %+v, %v; want done without a transaction", again, err)
	}
	if n := submitterNonce(t, ch); n != before+1 {
		t.Fatalf("submitting a done batch sent %d more transactions", n-before-1)
	}
	if st := status(chains.SubmitMintBatch, sub.ID); st.State != chains.StateUnknown {
		t.Fatalf("Status of a batch no longer in flight = %+v; want unknown (the locks tell)", st)
	}
}

// A lock of the batch minted by itself first is skipped, the others are
// minted; a batch whose every lock is minted already sends nothing.
// A batch's submission reads the chain a fixed number of times whatever
// its size (no read per lock): the tip, the signer sets, the gas estimate
// and one call of mintBatch itself.
func TestSinkMintBatchReadsDoNotGrowWithTheBatch(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	proxy := newProxy(t, ch.Sim.URL)
	_, snk := openSink(t, sinkConfig(ch, proxy.URL()))
	reads := func(n int, first byte) int {
		t.Helper()
		sub := buildBatch(t, snk, freshBatch(snk, first, n))
		ch.Commit() // a new tip: the signer sets are read again
		before := proxy.count("eth_call")
		if st, err := snk.Submit(t.Context(), signBatch(sub, ch, t, 0, 1)); err != nil || st.State != chains.StatePending {
			t.Fatalf("Submit of %d locks = %+v, %v", n, st, err)
		}
		return proxy.count("eth_call") - before
	}
	small, large := reads(2, 1), reads(60, 100)
	if small != large || large > 4 {
		t.Fatalf("a batch of 2 made %d eth_calls and one of 60 made %d; want the same few", small, large)
	}
}

func TestSinkMintBatchWithLocksAlreadyMinted(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	_, snk := openSink(t, sinkConfig(ch))
	h := evmtest.SinkHarness{Chain: ch, Snk: snk}
	ms := freshBatch(snk, 10, 3)
	if st, err := snk.Submit(t.Context(), signedMint(t, h, ms[1], 2)); err != nil || st.State != chains.StatePending {
		t.Fatalf("single mint: %+v, %v", st, err)
	}
	h.Settle(t)
	// Another sink (another relayer's plugin, or this one restarted)
	// submits what this one built.
	_, submitter := openSink(t, sinkConfig(ch))
	st, err := submitter.Submit(t.Context(), signBatch(buildBatch(t, snk, ms), ch, t, 0, 1))
	if err != nil || st.State != chains.StatePending {
		t.Fatalf("Submit of a batch with one lock minted = %+v, %v", st, err)
	}
	h.Settle(t)
	evs := mintedBy(t, ch, common.HexToHash(st.TxID))
	if len(evs) != 2 || evs[0].LockId != lockID(ms[0].Lock) || evs[1].LockId != lockID(ms[2].Lock) {
		t.Fatalf("the batch minted %+v; want locks %s and %s only", evs, ms[0].Lock.TransferID(), ms[2].Lock.TransferID())
	}
	checkMinted(t, ch, ms...) // ms[1]'s recipient holds one amount, not two
	// The submitting sink knows each lock's value from the payload.
	for _, m := range ms {
		if st, err := submitter.Status(t.Context(), chains.SubmitMint, m.Lock.TransferID()); err != nil || st.State != chains.StateDone || st.Minted != m.Amount {
			t.Errorf("lock %s: %+v, %v; want done, %d minted", m.Lock.TransferID(), st, err, m.Amount)
		}
	}

	// Someone else mints both locks of another batch.
	done := freshBatch(snk, 20, 2)
	req := signBatch(buildBatch(t, snk, done), ch, t, 0, 1)
	for _, m := range done {
		sigs := ch.Sim.SignMint(m.Lock.TxID, m.Lock.Vout, m.Amount, m.Recipient, 0, 1)
		tx, err := ch.Sim.Bridge.Mint(ch.Sim.Transactor(ch.Sim.Deployer), m.Lock.TxID, m.Lock.Vout, m.Amount, m.Recipient, sigs)
		if err != nil {
			t.Fatal(err)
		}
		if err := ch.Sim.AwaitPool(t.Context(), tx); err != nil {
			t.Fatal(err)
		}
	}
	ch.Commit()
	before := submitterNonce(t, ch)
	if st, err := snk.Submit(t.Context(), req); err != nil || st.State != chains.StateIncluded || st.TxID != "" {
		t.Fatalf("Submit of a batch used in a block not yet final = %+v, %v; want included", st, err)
	}
	h.Settle(t)
	if st, err := snk.Submit(t.Context(), req); err != nil || st.State != chains.StateDone || st.TxID != "" {
		t.Fatalf("Submit of a used batch = %+v, %v; want done without a transaction", st, err)
	}
	if submitterNonce(t, ch) != before {
		t.Fatal("the sink sent a transaction for a batch whose locks are used")
	}
}

// Only the batch's own quorum, over its own digest and payload, is sent.
func TestSinkMintBatchVerifiesSignatures(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{Signers: 3, Threshold: 2})
	_, snk := openSink(t, sinkConfig(ch))
	ms := freshBatch(snk, 30, 3)
	sub := buildBatch(t, snk, ms)
	before := submitterNonce(t, ch)
	otherDigest := batchDigestOf(snk, ms[:2])
	single := chains.MintAuthDigest(snk.Chain(), snk.cfg.Bridge, ms[0])
	signOver := func(d [32]byte, signers ...int) []chains.Signature {
		var out []chains.Signature
		for _, i := range signers {
			out = append(out, evmtest.Sign(t, ch.Sim.SignerKeys[i], chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: d[:]}))
		}
		return out
	}
	outsider := evmsim.Key("batch/outsider")
	good := signBatch(sub, ch, t, 0, 1).Signatures
	for name, sigs := range map[string][]chains.Signature{
		"fewer than the threshold":      signBatch(sub, ch, t, 0).Signatures,
		"another batch digest":          signOver(otherDigest, 0, 1),
		"a lock's MintAuth digest":      signOver(single, 0, 1),
		"one signer and an outsider":    append(signBatch(sub, ch, t, 0).Signatures, evmtest.Sign(t, outsider, sub.Digests[0])),
		"one signer twice":              signBatch(sub, ch, t, 1, 1).Signatures,
		"no signatures":                 nil,
		"a signer claiming another key": {good[0], {Signer: good[1].Signer, Sig: signBatch(sub, ch, t, 2).Signatures[0].Sig}},
	} {
		if _, err := snk.Submit(t.Context(), chains.SubmitRequest{Submission: sub, Signatures: sigs}); fault.KindOf(err) != fault.Rejected {
			t.Errorf("%s: Submit = %v, want rejected", name, err)
		}
	}
	signed := chains.SubmitRequest{Submission: sub, Signatures: good}
	for name, change := range map[string]func(s *chains.Submission){
		"an amount in the payload": func(s *chains.Submission) { s.Payload[64+128+2*32+31]++ }, // the second mint's v
		"a recipient in the payload": func(s *chains.Submission) {
			s.Payload[64+3*32+31]++
		},
		"the mints reordered":   func(s *chains.Submission) { s.Payload = encodeBatchPayload(reversed(ms)) },
		"a mint dropped":        func(s *chains.Submission) { s.Payload = encodeBatchPayload(ms[:2]) },
		"the payload truncated": func(s *chains.Submission) { s.Payload = s.Payload[:len(s.Payload)-1] },
		"the id":                func(s *chains.Submission) { s.ID = chains.BatchID(otherDigest) },
		"the digest":            func(s *chains.Submission) { s.Digests[0].Hash[0]++ },
		"the scheme":            func(s *chains.Submission) { s.Digests[0].Scheme = chains.SchemeEd25519 },
		"a second digest":       func(s *chains.Submission) { s.Digests = append(s.Digests, s.Digests[0]) },
	} {
		bad := signed
		bad.Submission.Payload = bytes.Clone(sub.Payload)
		bad.Submission.Digests = []chains.Digest{{Scheme: sub.Digests[0].Scheme, Hash: bytes.Clone(sub.Digests[0].Hash)}}
		change(&bad.Submission)
		if _, err := snk.Submit(t.Context(), bad); fault.KindOf(err) != fault.Invalid {
			t.Errorf("%s: Submit = %v, want invalid", name, err)
		}
	}
	// A batch with a recipient the bridge refuses, as its own consistent
	// submission: forbidden, as a single mint to it is.
	badTop := ms[0]
	badTop.Recipient[0] = 1
	forged := sortBatch(snk, []chains.Mint{badTop, ms[1]})
	fd := batchDigestOf(snk, forged)
	forgedSub := chains.Submission{Kind: chains.SubmitMintBatch, ID: chains.BatchID(fd), Payload: encodeBatchPayload(forged),
		Digests: []chains.Digest{{Scheme: chains.SchemeSecp256k1, Hash: fd[:]}}}
	if _, err := snk.Submit(t.Context(), chains.SubmitRequest{Submission: forgedSub, Signatures: signOver(fd, 0, 1)}); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("a batch to a non-EVM recipient: Submit = %v, want forbidden", err)
	}
	if n := submitterNonce(t, ch); n != before {
		t.Fatalf("refused batches sent %d transactions", n-before)
	}
	if st, err := snk.Submit(t.Context(), signed); err != nil || st.State != chains.StatePending {
		t.Fatalf("Submit with a quorum = %+v, %v", st, err)
	}
	ch.Settle(t)
	checkMinted(t, ch, ms...)
}

// The previous signer set's quorum mints a batch within its grace period.
func TestSinkMintBatchPreviousSetWithinGrace(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{Signers: 3, Threshold: 2, Grace: time.Hour})
	_, snk := openSink(t, sinkConfig(ch))
	old := ch.Sim.SignerKeys
	rot := rotationTo(2, 2, evmsim.Key("batch/new/a"), evmsim.Key("batch/new/b"), evmsim.Key("batch/new/c"))
	rsub, err := snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitRotate, Rotate: &rot})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snk.Submit(t.Context(), signAll(t, rsub, old[0], old[1])); err != nil {
		t.Fatal(err)
	}
	ch.Settle(t)
	ms := freshBatch(snk, 40, 2)
	sub := buildBatch(t, snk, ms)
	if st, err := snk.Submit(t.Context(), signAll(t, sub, old[1], old[2])); err != nil || st.State != chains.StatePending {
		t.Fatalf("a batch signed by the previous set within grace = %+v, %v", st, err)
	}
	ch.Settle(t)
	checkMinted(t, ch, ms...)
}

// A pause and a rate limit that leaves no room are transient, a lock below
// the bridge's minimum is forbidden, as for a single mint; nothing is sent.
func TestSinkMintBatchPauseRateLimitAndForbidden(t *testing.T) {
	ch := evmtest.NewFunded(t, evmsim.Config{RateLimit: 2_000_000_000}, 0)
	_, snk := openSink(t, sinkConfig(ch))
	h := evmtest.SinkHarness{Chain: ch, Snk: snk}
	to := common.Address{0xb3}
	small := sortBatch(snk, []chains.Mint{batchMint(1, 1_000_000_000, to), batchMint(2, 999_999_999, to)})
	before := submitterNonce(t, ch)
	_, err := snk.Submit(t.Context(), signBatch(buildBatch(t, snk, small), ch, t, 0, 1))
	if fault.KindOf(err) != fault.Forbidden || !strings.Contains(err.Error(), "BelowMinimum") {
		t.Fatalf("a batch with a lock below the minimum = %v; want a forbidden BelowMinimum", err)
	}
	if st, err := snk.Submit(t.Context(), signedMint(t, h, batchMint(3, 3_000_000_000, to), 2)); err != nil || st.State != chains.StatePending {
		t.Fatalf("single mint: %+v, %v", st, err)
	}
	ch.Commit() // its first instalment fills the bucket in this block
	ms := freshBatch(snk, 4, 2)
	_, err = snk.Submit(t.Context(), signBatch(buildBatch(t, snk, ms), ch, t, 0, 1))
	if fault.KindOf(err) != fault.Transient || !strings.Contains(err.Error(), "RateLimited") {
		t.Fatalf("a batch with a full bucket = %v; want a transient RateLimited", err)
	}
	h.Settle(t)
	if _, err := ch.Sim.Bridge.PauseMint(ch.Sim.Transactor(ch.Sim.SignerKeys[0])); err != nil {
		t.Fatal(err)
	}
	h.Settle(t)
	_, err = snk.Submit(t.Context(), signBatch(buildBatch(t, snk, ms), ch, t, 0, 1))
	if fault.KindOf(err) != fault.Transient || !strings.Contains(err.Error(), "Paused") {
		t.Fatalf("a batch while paused = %v; want a transient Paused", err)
	}
	if n := submitterNonce(t, ch); n != before+1 {
		t.Fatalf("%d transactions sent, want only the single mint's", n-before)
	}
}

// Status of a batch takes only a canonical batch id; one the sink has no
// transaction for is unknown.
func TestSinkMintBatchStatusIDs(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	_, snk := openSink(t, sinkConfig(ch))
	d := [32]byte{0xab, 1, 2}
	id := chains.BatchID(d)
	if got, err := parseBatchID(id); err != nil || got != d {
		t.Fatalf("parseBatchID(%s) = %x, %v", id, got, err)
	}
	for _, bad := range []string{"", "batch:", id[:len(id)-1], id + "0", strings.ToUpper(id), "batch:" + strings.ToUpper(id[6:]),
		"batch:" + strings.Repeat("g", 64), "Batch:" + id[6:], "flux:" + id[6:] + ":0", " " + id} {
		if _, err := snk.Status(t.Context(), chains.SubmitMintBatch, bad); fault.KindOf(err) != fault.Invalid {
			t.Errorf("Status(%q) = %v, want invalid", bad, err)
		}
	}
	if st, err := snk.Status(t.Context(), chains.SubmitMintBatch, id); err != nil || st.State != chains.StateUnknown || st.ID != id {
		t.Fatalf("Status of an unknown batch = %+v, %v", st, err)
	}
	if _, err := snk.Status(t.Context(), chains.SubmitMint, id); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("a batch id as a mint's = %v, want invalid", err)
	}
}

// A batch crosses the plugin boundary: Build through the real EVM plugin
// process gives what the in-process sink builds, and its Submit and Status
// work there.
func TestSinkMintBatchThroughThePlugin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin binary")
	}
	bin := filepath.Join(t.TempDir(), "fluxbridge-plugin-evm")
	if err := testbin.Build("cmd/fluxbridge-plugin-evm", bin); err != nil {
		t.Fatal(err)
	}
	sum, err := chainrpc.Checksum(bin)
	if err != nil {
		t.Fatal(err)
	}
	ch := evmtest.New(t, evmsim.Config{})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	p, err := chainrpc.Start(ctx, chainrpc.Config{Path: bin, SHA256: sum, PluginConfig: ch.PluginConfig(t, t.TempDir(), ch.Sim.URL),
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer p.Close()
	_, local := openSink(t, sinkConfig(ch))
	remote := p.Sink()
	ms := freshBatch(local, 50, 3)
	sub := buildBatch(t, remote, ms)
	if want := buildBatch(t, local, ms); !reflect.DeepEqual(sub, want) {
		t.Fatalf("Build through the plugin = %+v, in process %+v", sub, want)
	}
	if _, err := remote.Build(ctx, chains.BuildRequest{Kind: chains.SubmitMintBatch, Batch: reversed(ms)}); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("an unsorted batch through the plugin = %v, want invalid", err)
	}
	st, err := remote.Submit(ctx, signBatch(sub, ch, t, 0, 1))
	if err != nil || st.State != chains.StatePending || st.ID != sub.ID {
		t.Fatalf("Submit through the plugin = %+v, %v", st, err)
	}
	ch.Settle(t)
	if st, err := remote.Status(ctx, chains.SubmitMintBatch, sub.ID); err != nil || st.State != chains.StateDone || st.TxID == "" {
		t.Fatalf("Status through the plugin = %+v, %v; want done", st, err)
	}
	for _, m := range ms {
		if st, err := remote.Status(ctx, chains.SubmitMint, m.Lock.TransferID()); err != nil || st.State != chains.StateDone || st.Minted != m.Amount {
			t.Fatalf("lock %s through the plugin = %+v, %v", m.Lock.TransferID(), st, err)
		}
	}
	if _, err := remote.Status(ctx, chains.SubmitMintBatch, "batch:00"); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("a malformed batch id through the plugin = %v, want invalid", err)
	}
	checkMinted(t, ch, ms...)
}
