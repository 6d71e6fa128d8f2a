package evm

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/evm/evmtest"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/internal/testclock"
)

// signed builds and signs a mint with the first n relayer keys.
func signedMint(t *testing.T, h evmtest.SinkHarness, m chains.Mint, n int) chains.SubmitRequest {
	t.Helper()
	sub, err := h.Snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitMint, Mint: &m})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	req := chains.SubmitRequest{Submission: sub}
	for i := range n {
		req.Signatures = append(req.Signatures, h.Sign(t, i, sub.Digests[0]))
	}
	return req
}

func mintOf(amount uint64, seq byte, to common.Address) chains.Mint {
	m := chains.Mint{Lock: chains.LockRef{TxID: [32]byte{0xee, seq}, Vout: 1}, Amount: amount}
	copy(m.Recipient[12:], to[:])
	return m
}

func TestSinkBumpsStuckTransactionsUpToTheCap(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	tip, err := ch.Sim.Client.HeaderByNumber(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := testclock.New(time.Unix(1_700_000_000, 0))
	cfg := sinkConfig(ch)
	cfg.Now = clock.Now
	cfg.Fees.TipCap = big.NewInt(1_000_000_000)
	first := new(big.Int).Add(new(big.Int).Lsh(tip.BaseFee, 1), cfg.Fees.TipCap)
	// Room for one bump of 12.5 %, not two.
	cfg.Fees.MaxFeePerGas = new(big.Int).Div(new(big.Int).Mul(first, big.NewInt(120)), big.NewInt(100))
	_, snk := openSink(t, cfg)
	h := evmtest.SinkHarness{Chain: ch, Snk: snk}
	req := signedMint(t, h, mintOf(2_000_000_000, 1, common.Address{0xaa}), 2)

	st, err := snk.Submit(t.Context(), req)
	if err != nil || st.State != chains.StatePending || st.TxID == "" {
		t.Fatalf("Submit = %+v, %v", st, err)
	}
	tip1, cap1 := ch.TxFees(t, common.HexToHash(st.TxID)) // read now: the replacement evicts it from the pool
	if again, err := snk.Status(t.Context(), chains.SubmitMint, st.ID); err != nil || again.TxID != st.TxID {
		t.Fatalf("Status before BumpAfter replaced the transaction: %+v, %v", again, err)
	}
	clock.Advance(DefaultBumpAfter + time.Second)
	bumped, err := snk.Status(t.Context(), chains.SubmitMint, st.ID)
	if err != nil || bumped.State != chains.StatePending || bumped.TxID == st.TxID {
		t.Fatalf("Status after BumpAfter = %+v, %v; want a replacement", bumped, err)
	}
	tip2, cap2 := ch.TxFees(t, common.HexToHash(bumped.TxID))
	atLeast := func(a, b *big.Int) bool { // a ≥ 1.125·b
		return new(big.Int).Mul(a, big.NewInt(1000)).Cmp(new(big.Int).Mul(b, big.NewInt(1125))) >= 0
	}
	if !atLeast(tip2, tip1) || !atLeast(cap2, cap1) || cap2.Cmp(cfg.Fees.MaxFeePerGas) > 0 {
		t.Fatalf("bump: tip %v → %v, fee cap %v → %v (cap %v)", tip1, tip2, cap1, cap2, cfg.Fees.MaxFeePerGas)
	}
	if !strings.Contains(bumped.Reason, "fee cap reached") || snk.Drops()[DropBumpCapReached] != 1 {
		t.Fatalf("the cap allows no further bump but Status says %q (drops %v)", bumped.Reason, snk.Drops())
	}
	clock.Advance(10 * DefaultBumpAfter)
	if still, err := snk.Status(t.Context(), chains.SubmitMint, st.ID); err != nil || still.TxID != bumped.TxID {
		t.Fatalf("bumped beyond the cap: %+v, %v", still, err)
	}
	// Resubmitting while in flight returns the in-flight transaction.
	if again, err := snk.Submit(t.Context(), req); err != nil || again.TxID != bumped.TxID {
		t.Fatalf("resubmit in flight = %+v, %v", again, err)
	}
	h.Settle(t)
	done, err := snk.Status(t.Context(), chains.SubmitMint, st.ID)
	if err != nil || done.State != chains.StateDone || done.Minted != 2_000_000_000 {
		t.Fatalf("after settling: %+v, %v", done, err)
	}
	if n := snk.built.len(); n != 0 {
		t.Fatalf("the sink still holds %d gross values after reporting the mint done", n)
	}
	if r := ch.Receipt(t, common.HexToHash(bumped.TxID)); r.Status != 1 {
		t.Fatal("the replacement did not mint")
	}
}

func TestSinkLockAlreadyUsedIsSuccess(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	_, snk := openSink(t, sinkConfig(ch))
	h := evmtest.SinkHarness{Chain: ch, Snk: snk}
	m := mintOf(3_000_000_000, 2, common.Address{0xbb})
	req := signedMint(t, h, m, 2)
	// Someone else mints it first.
	sigs := ch.Sim.SignMint(m.Lock.TxID, m.Lock.Vout, m.Amount, m.Recipient, 0, 1)
	if _, err := ch.Sim.Bridge.Mint(ch.Sim.Transactor(ch.Sim.Deployer), m.Lock.TxID, m.Lock.Vout, m.Amount, m.Recipient, sigs); err != nil {
		t.Fatal(err)
	}
	ch.Commit()
	nonce := func() uint64 {
		n, err := ch.Sim.Client.PendingNonceAt(t.Context(), crypto.PubkeyToAddress(ch.Submitter.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := nonce()
	st, err := snk.Submit(t.Context(), req)
	if err != nil || st.State != chains.StateIncluded {
		t.Fatalf("Submit of a lock used in a block not yet final = %+v, %v; want included", st, err)
	}
	h.Settle(t)
	st, err = snk.Submit(t.Context(), req)
	if err != nil || st.State != chains.StateDone || st.TxID != "" {
		t.Fatalf("Submit of a used lock = %+v, %v; want done without a transaction", st, err)
	}
	if nonce() != before {
		t.Fatal("the sink sent a transaction for a used lock")
	}
}

func TestSinkRateLimitPauseAndCap(t *testing.T) {
	ch := evmtest.NewFunded(t, evmsim.Config{RateLimit: 2_000_000_000}, 0)
	_, snk := openSink(t, sinkConfig(ch))
	h := evmtest.SinkHarness{Chain: ch, Snk: snk}
	to := common.Address{0xcc}
	big3 := mintOf(3_000_000_000, 3, to)
	st, err := snk.Submit(t.Context(), signedMint(t, h, big3, 2))
	if err != nil || st.State != chains.StatePending {
		t.Fatalf("Submit = %+v, %v", st, err)
	}
	ch.Commit() // the first instalment fills the bucket in this block
	_, err = snk.Submit(t.Context(), signedMint(t, h, mintOf(1_500_000_000, 4, to), 2))
	if fault.KindOf(err) != fault.Transient || !strings.Contains(err.Error(), "RateLimited") {
		t.Fatalf("Submit with a full bucket = %v; want a transient RateLimited", err)
	}
	h.Settle(t)
	part, err := snk.Status(t.Context(), chains.SubmitMint, big3.Lock.TransferID())
	if err != nil || part.State != chains.StatePartial || part.Remaining != 1_000_000_000 || part.Minted != 2_000_000_000 {
		t.Fatalf("Status after an instalment = %+v, %v; want partial 2e9 minted, 1e9 held", part, err)
	}
	if _, err := ch.Sim.Bridge.PauseMint(ch.Sim.Transactor(ch.Sim.SignerKeys[0])); err != nil {
		t.Fatal(err)
	}
	h.Settle(t)
	_, err = snk.Submit(t.Context(), signedMint(t, h, mintOf(1_500_000_000, 5, to), 2))
	if fault.KindOf(err) != fault.Transient || !strings.Contains(err.Error(), "Paused") {
		t.Fatalf("Submit while paused = %v; want a transient Paused", err)
	}
	if l, err := snk.Ledger(t.Context()); err != nil || l.PausedUntil == 0 || l.Minted != 2_000_000_000 {
		t.Fatalf("Ledger while paused = %+v, %v", l, err)
	}

	capped := evmtest.NewFunded(t, evmsim.Config{Cap: 2_000_000_000}, 0)
	_, csnk := openSink(t, sinkConfig(capped))
	ch2 := evmtest.SinkHarness{Chain: capped, Snk: csnk}
	if _, err := csnk.Submit(t.Context(), signedMint(t, ch2, mintOf(2_000_000_000, 6, to), 2)); err != nil {
		t.Fatal(err)
	}
	ch2.Settle(t)
	_, err = csnk.Submit(t.Context(), signedMint(t, ch2, mintOf(1_500_000_000, 7, to), 2))
	if fault.KindOf(err) != fault.Transient || !strings.Contains(err.Error(), "CapReached") {
		t.Fatalf("Submit at the cap = %v; want a transient CapReached (burns free room)", err)
	}
}

// A lock the bridge's immutable rules refuse whoever signs it is forbidden,
// not rejected: the relayer refunds it instead of retrying it forever.
func TestSinkForbiddenMints(t *testing.T) {
	ch := evmtest.NewFunded(t, evmsim.Config{MinLock: 1_000_000_000, MintFee: 1_000_000, MinBurn: 123_456_789}, 0)
	_, snk := openSink(t, sinkConfig(ch))
	h := evmtest.SinkHarness{Chain: ch, Snk: snk}
	to := common.Address{0xcd}
	_, err := snk.Submit(t.Context(), signedMint(t, h, mintOf(999_999_999, 1, to), 2))
	if fault.KindOf(err) != fault.Forbidden || !strings.Contains(err.Error(), "BelowMinimum") {
		t.Fatalf("Submit below the minimum = %v; want a forbidden BelowMinimum", err)
	}
	if _, err := snk.Submit(t.Context(), signedMint(t, h, mintOf(1_000_000_000, 2, to), 2)); err != nil {
		t.Fatalf("Submit at the minimum = %v", err)
	}
	if l, err := snk.Limits(t.Context()); err != nil || l != (chains.Limits{MinLock: 1_000_000_000, MintFee: 1_000_000, MinBurn: 123_456_789}) {
		t.Fatalf("Limits = %+v, %v; want the bridge's minimum lock 1e9, fee 1e6 and minimum burn 123456789", l, err)
	}
	zero := mintOf(1_000_000_000, 3, common.Address{})
	if _, err := snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitMint, Mint: &zero}); fault.KindOf(err) != fault.Forbidden {
		t.Fatalf("Build to the zero address = %v; want forbidden", err)
	}
}

func TestSinkVerifiesSignatures(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{Signers: 3, Threshold: 2})
	_, snk := openSink(t, sinkConfig(ch))
	h := evmtest.SinkHarness{Chain: ch, Snk: snk}
	m := mintOf(1_700_000_000, 8, common.Address{0xdd})
	full := signedMint(t, h, m, 3)
	sub, good := full.Submission, full.Signatures
	outsider, _ := crypto.GenerateKey()

	highS := func(s chains.Signature) chains.Signature {
		n := crypto.S256().Params().N
		sv := new(big.Int).Sub(n, new(big.Int).SetBytes(s.Sig[32:64]))
		sig := append([]byte(nil), s.Sig...)
		sv.FillBytes(sig[32:64])
		sig[64] ^= 1
		return chains.Signature{Signer: s.Signer, Sig: sig}
	}
	claimOther := chains.Signature{Signer: good[1].Signer, Sig: good[0].Sig}
	wrongIndex := good[1]
	wrongIndex.Digest = 1
	cases := []struct {
		name   string
		sigs   []chains.Signature
		reason string
	}{
		{"high s", []chains.Signature{good[0], highS(good[1])}, DropSigMalformed},
		{"claims another signer", []chains.Signature{good[0], claimOther}, DropSigWrongSigner},
		{"outside the set", []chains.Signature{good[0], evmtest.Sign(t, outsider, sub.Digests[0])}, DropSigNotInSet},
		{"the same signer twice", []chains.Signature{good[0], good[0]}, DropSigDuplicate},
		{"another digest index", []chains.Signature{good[0], wrongIndex}, DropSigMalformed},
		{"truncated", []chains.Signature{good[0], {Signer: good[1].Signer, Sig: good[1].Sig[:64]}}, DropSigMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := snk.Drops()[c.reason]
			_, err := snk.Submit(t.Context(), chains.SubmitRequest{Submission: sub, Signatures: c.sigs})
			if fault.KindOf(err) != fault.Rejected {
				t.Fatalf("Submit = %v, want rejected", err)
			}
			if snk.Drops()[c.reason] != before+1 {
				t.Fatalf("drop %q not counted once: %v", c.reason, snk.Drops())
			}
		})
	}
	t.Run("payload and digest must match", func(t *testing.T) {
		bad := sub
		bad.Payload = append([]byte(nil), sub.Payload...)
		bad.Payload[95]++ // the amount's last byte
		if _, err := snk.Submit(t.Context(), chains.SubmitRequest{Submission: bad, Signatures: good}); fault.KindOf(err) != fault.Invalid {
			t.Fatalf("Submit of a payload changed after Build = %v, want invalid", err)
		}
		other := sub
		other.ID = "flux:" + strings.Repeat("00", 32) + ":1"
		if _, err := snk.Submit(t.Context(), chains.SubmitRequest{Submission: other, Signatures: good}); fault.KindOf(err) != fault.Invalid {
			t.Fatalf("Submit under another id = %v, want invalid", err)
		}
	})
	t.Run("extra signatures are trimmed to the threshold, sorted", func(t *testing.T) {
		// All three signers, in reverse order, plus junk.
		sigs := []chains.Signature{good[2], good[1], good[0], evmtest.Sign(t, outsider, sub.Digests[0])}
		st, err := snk.Submit(t.Context(), chains.SubmitRequest{Submission: sub, Signatures: sigs})
		if err != nil || st.State != chains.StatePending {
			t.Fatalf("Submit = %+v, %v", st, err)
		}
		tx, _, err := ch.Sim.Client.TransactionByHash(t.Context(), common.HexToHash(st.TxID))
		if err != nil {
			t.Fatal(err)
		}
		args, err := snk.c.abi.Methods["mint"].Inputs.Unpack(tx.Data()[4:])
		if err != nil {
			t.Fatal(err)
		}
		packed := args[4].([]byte)
		if len(packed) != 2*65 {
			t.Fatalf("%d signature bytes sent, want exactly the threshold (2 × 65)", len(packed))
		}
		var signers []common.Address
		for i := 0; i < len(packed); i += 65 {
			sig := append([]byte(nil), packed[i:i+65]...)
			if sig[64] != 27 && sig[64] != 28 {
				t.Fatalf("v = %d, want 27 or 28", sig[64])
			}
			sig[64] -= 27
			pub, err := crypto.SigToPub(sub.Digests[0].Hash, sig)
			if err != nil {
				t.Fatal(err)
			}
			signers = append(signers, crypto.PubkeyToAddress(*pub))
		}
		if bytes.Compare(signers[0][:], signers[1][:]) >= 0 {
			t.Fatalf("signers not ascending: %v", signers)
		}
		h.Settle(t)
		if st, err := snk.Status(t.Context(), chains.SubmitMint, sub.ID); err != nil || st.State != chains.StateDone {
			t.Fatalf("Status = %+v, %v", st, err)
		}
	})
}

func TestSinkStatusSurvivesARestart(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	_, first := openSink(t, sinkConfig(ch))
	h := evmtest.SinkHarness{Chain: ch, Snk: first}
	done := signedMint(t, h, mintOf(1_100_000_000, 9, common.Address{0xee}), 2)
	if _, err := first.Submit(t.Context(), done); err != nil {
		t.Fatal(err)
	}
	h.Settle(t)
	flying := signedMint(t, h, mintOf(1_200_000_000, 10, common.Address{0xee}), 2)
	if _, err := first.Submit(t.Context(), flying); err != nil {
		t.Fatal(err)
	}
	// A new sink (a restarted plugin) knows nothing but the chain.
	_, second := openSink(t, sinkConfig(ch))
	status := func(id string) chains.Status {
		st, err := second.Status(t.Context(), chains.SubmitMint, id)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := status(done.Submission.ID); st.State != chains.StateDone {
		t.Fatalf("after a restart a done mint is %q", st.State)
	}
	if st := status(flying.Submission.ID); st.State != chains.StateUnknown {
		t.Fatalf("after a restart an unmined mint is %q", st.State)
	}
	ch.Commit()
	if st := status(flying.Submission.ID); st.State != chains.StateIncluded {
		t.Fatalf("mined, not final: %q", st.State)
	}
	h.Settle(t)
	if st := status(flying.Submission.ID); st.State != chains.StateDone {
		t.Fatalf("final: %q", st.State)
	}
	// The new sink's nonce manager starts from the chain: it can send.
	h2 := evmtest.SinkHarness{Chain: ch, Snk: second}
	if st, err := second.Submit(t.Context(), signedMint(t, h2, mintOf(1_300_000_000, 11, common.Address{0xee}), 2)); err != nil || st.State != chains.StatePending {
		t.Fatalf("Submit after a restart = %+v, %v", st, err)
	}
	h2.Settle(t)
}

func TestSinkBuild(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	proxy := newProxy(t, ch.Sim.URL)
	_, snk := openSink(t, sinkConfig(ch, proxy.URL()))
	m := mintOf(1_000_000_000, 12, common.Address{0xfe})
	sub, err := snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitMint, Mint: &m})
	if err != nil {
		t.Fatal(err)
	}
	want := chains.MintAuthDigest(snk.Chain(), ch.Sim.BridgeAddr, m)
	if !bytes.Equal(sub.Digests[0].Hash, want[:]) || sub.Digests[0].Scheme != chains.SchemeSecp256k1 || sub.Threshold != 2 {
		t.Fatalf("Build = %+v", sub)
	}
	bad := m
	bad.Recipient[0] = 1
	if _, err := snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitMint, Mint: &bad}); fault.KindOf(err) != fault.Forbidden {
		t.Fatalf("Build to a non-EVM recipient = %v, want forbidden", err)
	}
	// An endpoint that lies about the contract's digest is caught.
	sel := hexutil.Encode(snk.c.abi.Methods["mintDigest"].ID)
	proxy.set(func(method string, p []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
		if method != "eth_call" || len(p) == 0 || !strings.Contains(string(p[0]), sel) {
			return nil, nil, false
		}
		return json.RawMessage(`"0x` + strings.Repeat("ab", 32) + `"`), nil, true
	}, 0, 0)
	if _, err := snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitMint, Mint: &m}); fault.KindOf(err) != fault.Internal {
		t.Fatalf("Build with a lying mintDigest = %v, want internal", err)
	}
}
