package evm

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/evm/evmtest"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
	"github.com/fluxbridge/fluxbridge/fault"
)

// sortedKeys returns keys sorted by address, as a signer set lists them.
func sortedKeys(keys ...*ecdsa.PrivateKey) []*ecdsa.PrivateKey {
	keys = slices.Clone(keys)
	slices.SortFunc(keys, func(a, b *ecdsa.PrivateKey) int {
		return crypto.PubkeyToAddress(a.PublicKey).Cmp(crypto.PubkeyToAddress(b.PublicKey))
	})
	return keys
}

// rotationTo is the rotation installing keys (sorted) as set setID, k of them.
func rotationTo(setID uint32, k int, keys ...*ecdsa.PrivateKey) chains.Rotation {
	r := chains.Rotation{SetID: setID, Threshold: k}
	for _, key := range sortedKeys(keys...) {
		a := crypto.PubkeyToAddress(key.PublicKey)
		r.Signers = append(r.Signers, a.Bytes())
	}
	return r
}

// signAll signs the submission's digest with each key, in the order given.
func signAll(t *testing.T, sub chains.Submission, keys ...*ecdsa.PrivateKey) chains.SubmitRequest {
	t.Helper()
	req := chains.SubmitRequest{Submission: sub}
	for _, k := range keys {
		req.Signatures = append(req.Signatures, evmtest.Sign(t, k, sub.Digests[0]))
	}
	return req
}

// RotateDigest, the relayer's implementation, is the contract's rotateDigest
// for sets of every size the bridge takes; MaxSigners is its MAX_SIGNERS.
func TestRotateDigestMatchesTheContract(t *testing.T) {
	sim, err := evmsim.New(evmsim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	opts := &bind.CallOpts{Context: t.Context()}
	if max, err := sim.Bridge.MAXSIGNERS(opts); err != nil || !max.IsInt64() || max.Int64() != MaxSigners {
		t.Fatalf("MAX_SIGNERS = %v, %v; want MaxSigners = %d", max, err, MaxSigners)
	}
	cur, err := sim.Bridge.CurrentSetId(opts)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 17, MaxSigners} {
		var keys []*ecdsa.PrivateKey
		for i := range n {
			keys = append(keys, evmsim.Key(fmt.Sprintf("rotate-digest/%d/%d", n, i)))
		}
		for _, k := range []int{1, 1 + rng.IntN(n), n} {
			r := rotationTo(cur+1, k, keys...)
			addrs, th := rotationArgs(r)
			want, err := sim.Bridge.RotateDigest(opts, addrs, th)
			if err != nil {
				t.Fatal(err)
			}
			if got := chains.RotateDigest(chains.ID(sim.ChainID.Uint64()), sim.BridgeAddr, r); got != want {
				t.Fatalf("%d of %d: RotateDigest %x, the contract's rotateDigest %x", k, n, got, want)
			}
		}
	}
}

// A rotation end to end through the sink, over the simulated chain's HTTP
// endpoint: build, refuse the wrong signers, submit with the current set,
// track it to done, stay idempotent; then the new set mints, the old set
// mints only within its grace period, and the previous set cannot rotate.
func TestSinkRotation(t *testing.T) {
	const grace = time.Hour
	ch := evmtest.New(t, evmsim.Config{Signers: 3, Threshold: 2, Grace: grace})
	_, snk := openSink(t, sinkConfig(ch))
	opts := &bind.CallOpts{Context: t.Context()}
	old := ch.Sim.SignerKeys
	fresh := []*ecdsa.PrivateKey{evmsim.Key("rotate/a"), evmsim.Key("rotate/b")}
	// Set 2: old signer 2 and two new keys, 2 of 3; old signers 0 and 1 leave.
	newKeys := sortedKeys(old[2], fresh[0], fresh[1])
	rot := rotationTo(2, 2, newKeys...)
	status := func(snk *Sink, id string) chains.Status {
		t.Helper()
		st, err := snk.Status(t.Context(), chains.SubmitRotate, id)
		if err != nil {
			t.Fatalf("Status(%s): %v", id, err)
		}
		return st
	}
	nonce := func() uint64 {
		t.Helper()
		n, err := ch.Sim.Client.PendingNonceAt(t.Context(), crypto.PubkeyToAddress(ch.Submitter.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if st := status(snk, "rotate:2"); st.State != chains.StateUnknown || st.ID != "rotate:2" {
		t.Fatalf("Status before anything = %+v", st)
	}

	sub, err := snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitRotate, Rotate: &rot})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	want := chains.RotateDigest(snk.Chain(), ch.Sim.BridgeAddr, rot)
	addrs, th := rotationArgs(rot)
	onChain, err := ch.Sim.Bridge.RotateDigest(opts, addrs, th)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Kind != chains.SubmitRotate || sub.ID != "rotate:2" || sub.Threshold != 2 || len(sub.Digests) != 1 ||
		sub.Digests[0].Scheme != chains.SchemeSecp256k1 || !bytes.Equal(sub.Digests[0].Hash, want[:]) || want != onChain {
		t.Fatalf("Build = %+v; want digest %x (contract %x), threshold 2", sub, want, onChain)
	}
	if got, err := decodeRotatePayload(sub.Payload); err != nil || !reflect.DeepEqual(got, rot) {
		t.Fatalf("payload decodes to %+v, %v; want %+v", got, err, rot)
	}

	t.Run("wrong signers are rejected", func(t *testing.T) {
		before := nonce()
		otherDigest := chains.RotateDigest(snk.Chain(), ch.Sim.BridgeAddr, rotationTo(3, 2, newKeys...))
		for name, req := range map[string]chains.SubmitRequest{
			"the new set's new keys":           signAll(t, sub, fresh...),
			"one current signer and a new key": signAll(t, sub, old[0], fresh[0]),
			"one current signer, below quorum": signAll(t, sub, old[1]),
			"keys that never were in any set":  signAll(t, sub, evmsim.Key("rotate/outsider/0"), evmsim.Key("rotate/outsider/1")),
			"no signatures":                    {Submission: sub},
			"the current set signing another set id": {Submission: sub, Signatures: []chains.Signature{
				evmtest.Sign(t, old[0], chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: otherDigest[:]}),
				evmtest.Sign(t, old[1], chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: otherDigest[:]}),
			}},
		} {
			if _, err := snk.Submit(t.Context(), req); fault.KindOf(err) != fault.Rejected {
				t.Errorf("%s: Submit = %v, want rejected", name, err)
			}
		}
		if nonce() != before {
			t.Fatal("the sink sent a transaction for a refused rotation")
		}
	})
	t.Run("a payload, id or digest changed after Build is invalid", func(t *testing.T) {
		good := signAll(t, sub, old[0], old[1])
		for name, change := range map[string]func(s *chains.Submission){
			"threshold in the payload": func(s *chains.Submission) { s.Payload[3*32-1]++ }, // 2 of 3 → 3 of 3
			"id":                       func(s *chains.Submission) { s.ID = "rotate:3" },
			"digest":                   func(s *chains.Submission) { s.Digests[0].Hash[0]++ },
			"scheme":                   func(s *chains.Submission) { s.Digests[0].Scheme = chains.SchemeEd25519 },
			"payload truncated":        func(s *chains.Submission) { s.Payload = s.Payload[:len(s.Payload)-1] },
		} {
			bad := good
			bad.Submission.Payload = bytes.Clone(sub.Payload)
			bad.Submission.Digests = []chains.Digest{{Scheme: sub.Digests[0].Scheme, Hash: bytes.Clone(sub.Digests[0].Hash)}}
			change(&bad.Submission)
			if _, err := snk.Submit(t.Context(), bad); fault.KindOf(err) != fault.Invalid {
				t.Errorf("%s: Submit = %v, want invalid", name, err)
			}
		}
	})

	// All three current signers, in reverse order, plus an outsider: the
	// sink sends exactly the threshold, ascending by signer.
	before := nonce()
	req := signAll(t, sub, old[2], old[1], old[0], fresh[0])
	st, err := snk.Submit(t.Context(), req)
	if err != nil || st.State != chains.StatePending || st.TxID == "" || st.ID != "rotate:2" {
		t.Fatalf("Submit = %+v, %v", st, err)
	}
	tx, _, err := ch.Sim.Client.TransactionByHash(t.Context(), common.HexToHash(st.TxID))
	if err != nil {
		t.Fatal(err)
	}
	args, err := snk.c.abi.Methods["rotateSigners"].Inputs.Unpack(tx.Data()[4:])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(args[0].([]common.Address), addrs) || args[1].(uint8) != 2 {
		t.Fatalf("rotateSigners(%v, %v, …), want (%v, 2, …)", args[0], args[1], addrs)
	}
	if packed := args[2].([]byte); len(packed) != 2*65 || !bytes.Equal(packed, evmsim.SignWith(want, old[0], old[1])) {
		t.Fatalf("signatures %x, want old signers 0 and 1, ascending, v ∈ {27, 28}", packed)
	}
	if st := status(snk, "rotate:2"); st.State != chains.StatePending || st.TxID != tx.Hash().Hex() {
		t.Fatalf("Status in flight = %+v", st)
	}
	ch.Commit()
	if st := status(snk, "rotate:2"); st.State != chains.StateIncluded {
		t.Fatalf("Status mined, not final = %+v", st)
	}
	if again, err := snk.Submit(t.Context(), req); err != nil || again.State != chains.StateIncluded || nonce() != before+1 {
		t.Fatalf("Submit again, mined and not final = %+v, %v (nonce %d → %d)", again, err, before, nonce())
	}
	ch.Settle(t)
	if st := status(snk, "rotate:2"); st.State != chains.StateDone || st.TxID != tx.Hash().Hex() {
		t.Fatalf("Status final = %+v; want done by %s", st, tx.Hash().Hex())
	}
	if r := ch.Receipt(t, tx.Hash()); r.Status != 1 {
		t.Fatal("the rotation reverted")
	}
	if id, err := ch.Sim.Bridge.CurrentSetId(opts); err != nil || id != 2 {
		t.Fatalf("currentSetId = %d, %v; want 2", id, err)
	}
	if cur, err := ch.Sim.Bridge.CurrentSigners(opts); err != nil || !slices.Equal(cur.Members, addrs) || cur.Threshold != 2 {
		t.Fatalf("currentSigners = %+v, %v; want %v, 2", cur, err, addrs)
	}
	if again, err := snk.Submit(t.Context(), req); err != nil || again.State != chains.StateDone || again.TxID != "" || nonce() != before+1 {
		t.Fatalf("Submit again, final = %+v, %v; want done without a transaction", again, err)
	}
	// A restarted sink knows nothing but the chain.
	_, restarted := openSink(t, sinkConfig(ch))
	if st := status(restarted, "rotate:2"); st.State != chains.StateDone {
		t.Fatalf("after a restart: %+v", st)
	}
	if st := status(restarted, "rotate:3"); st.State != chains.StateUnknown {
		t.Fatalf("the next rotation: %+v", st)
	}
	// Another set under the id the bridge installed is a conflict, not done.
	other := rotationTo(2, 3, newKeys...)
	otherSub := sub
	otherSub.Payload = encodeRotatePayload(other)
	d := chains.RotateDigest(snk.Chain(), ch.Sim.BridgeAddr, other)
	otherSub.Digests = []chains.Digest{{Scheme: chains.SchemeSecp256k1, Hash: d[:]}}
	if _, err := snk.Submit(t.Context(), chains.SubmitRequest{Submission: otherSub}); fault.KindOf(err) != fault.Conflict {
		t.Fatalf("Submit of another set 2 = %v, want conflict", err)
	}

	t.Run("a set id that is not next is invalid at Build", func(t *testing.T) {
		for _, id := range []uint32{1, 2, 4} {
			r := rotationTo(id, 2, fresh[0], fresh[1], evmsim.Key("rotate/c"))
			if _, err := snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitRotate, Rotate: &r}); fault.KindOf(err) != fault.Invalid ||
				!strings.Contains(err.Error(), "not the next signer set") {
				t.Errorf("Build of set %d after set 2 = %v, want invalid", id, err)
			}
		}
	})
	t.Run("the previous set cannot rotate, even within grace", func(t *testing.T) {
		r := rotationTo(3, 2, fresh[0], fresh[1], evmsim.Key("rotate/c"))
		sub3, err := snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitRotate, Rotate: &r})
		if err != nil || sub3.ID != "rotate:3" || sub3.Threshold != 2 {
			t.Fatalf("Build of set 3 = %+v, %v", sub3, err)
		}
		if _, err := snk.Submit(t.Context(), signAll(t, sub3, old[0], old[1])); fault.KindOf(err) != fault.Rejected {
			t.Fatalf("set 1 signing set 3 = %v, want rejected", err)
		}
	})

	h := evmtest.SinkHarness{Chain: ch, Snk: snk}
	mint := func(seq byte, keys ...*ecdsa.PrivateKey) (chains.Status, error) {
		t.Helper()
		m := mintOf(1_000_000_000, 0x40+seq, common.Address{0xab})
		sub, err := snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitMint, Mint: &m})
		if err != nil {
			t.Fatalf("Build mint: %v", err)
		}
		st, err := snk.Submit(t.Context(), signAll(t, sub, keys...))
		if err == nil {
			h.Settle(t)
			st, err = snk.Status(t.Context(), chains.SubmitMint, sub.ID)
		}
		return st, err
	}
	if st, err := mint(1, newKeys[0], newKeys[2]); err != nil || st.State != chains.StateDone {
		t.Fatalf("a mint signed by the new set = %+v, %v; want done", st, err)
	}
	if st, err := mint(2, old[0], old[1]); err != nil || st.State != chains.StateDone {
		t.Fatalf("a mint signed by the old set within grace = %+v, %v; want done", st, err)
	}
	if err := ch.Sim.AdjustTime(grace + time.Minute); err != nil {
		t.Fatal(err)
	}
	h.Settle(t)
	if _, err := mint(3, old[0], old[1]); fault.KindOf(err) != fault.Rejected {
		t.Fatalf("a mint signed by signers that left, after grace = %v; want rejected", err)
	}
	// The bridge itself refuses it too: old signer 0 is in no set it accepts.
	m := mintOf(1_000_000_000, 0x44, common.Address{0xab})
	_, err = ch.Sim.Bridge.Mint(ch.Sim.Transactor(ch.Sim.Deployer), m.Lock.TxID, m.Lock.Vout, m.Amount, m.Recipient,
		evmsim.SignWith(ch.Sim.MintDigest(m.Lock.TxID, m.Lock.Vout, m.Amount, m.Recipient), old[0], old[1]))
	if data, ok := ethclient.RevertErrorData(err); !ok {
		t.Fatalf("the bridge's mint by the old set after grace: %v; want a revert", err)
	} else if name, _, _ := decodeRevert(snk.c.abi, data); name != "UnknownSigner" {
		t.Fatalf("the bridge's mint by the old set after grace reverts %s, want UnknownSigner", describeRevert(snk.c.abi, data))
	}
	if st, err := mint(5, newKeys[1], newKeys[2]); err != nil || st.State != chains.StateDone {
		t.Fatalf("a mint signed by the new set after grace = %+v, %v; want done", st, err)
	}
}

// Build refuses, before reading the chain's set, a rotation the bridge
// would refuse whoever signs it.
func TestSinkRotationBuildRefusals(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	_, snk := openSink(t, sinkConfig(ch))
	keys := sortedKeys(evmsim.Key("refuse/0"), evmsim.Key("refuse/1"), evmsim.Key("refuse/2"))
	good := rotationTo(2, 2, keys...)
	var many []*ecdsa.PrivateKey
	for i := range MaxSigners + 1 {
		many = append(many, evmsim.Key(fmt.Sprintf("refuse/many/%d", i)))
	}
	mutate := func(f func(r *chains.Rotation)) *chains.Rotation {
		r := rotationTo(2, 2, keys...)
		f(&r)
		return &r
	}
	m := mintOf(1_000_000_000, 0x50, common.Address{0xab})
	for name, req := range map[string]chains.BuildRequest{
		"no rotation":          {Kind: chains.SubmitRotate},
		"with a mint":          {Kind: chains.SubmitRotate, Rotate: &good, Mint: &m},
		"with a batch":         {Kind: chains.SubmitRotate, Rotate: &good, Batch: []chains.Mint{m}},
		"a mint with rotation": {Kind: chains.SubmitMint, Rotate: &good, Mint: &m},
		"unsorted":             {Kind: chains.SubmitRotate, Rotate: mutate(func(r *chains.Rotation) { slices.Reverse(r.Signers) })},
		"repeated":             {Kind: chains.SubmitRotate, Rotate: mutate(func(r *chains.Rotation) { r.Signers[1] = r.Signers[0] })},
		"short signer":         {Kind: chains.SubmitRotate, Rotate: mutate(func(r *chains.Rotation) { r.Signers[0] = r.Signers[0][:19] })},
		"threshold 0":          {Kind: chains.SubmitRotate, Rotate: mutate(func(r *chains.Rotation) { r.Threshold = 0 })},
		"threshold above n":    {Kind: chains.SubmitRotate, Rotate: mutate(func(r *chains.Rotation) { r.Threshold = 4 })},
		"no signers":           {Kind: chains.SubmitRotate, Rotate: mutate(func(r *chains.Rotation) { r.Signers = nil })},
		"65 signers":           {Kind: chains.SubmitRotate, Rotate: func() *chains.Rotation { r := rotationTo(2, 2, many...); return &r }()},
	} {
		if _, err := snk.Build(t.Context(), req); fault.KindOf(err) != fault.Invalid {
			t.Errorf("%s: Build = %v, want invalid", name, err)
		}
	}
	for _, id := range []string{"rotate:0", "rotate:02", "flux:x", "rotate:"} {
		if _, err := snk.Status(t.Context(), chains.SubmitRotate, id); fault.KindOf(err) != fault.Invalid {
			t.Errorf("Status(%q) = %v, want invalid", id, err)
		}
	}
	if sub, err := snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitRotate, Rotate: &good}); err != nil || sub.ID != "rotate:2" {
		t.Fatalf("Build of a good rotation = %+v, %v", sub, err)
	}
}

func TestRotatePayloadRoundTrip(t *testing.T) {
	r := rotationTo(7, 2, evmsim.Key("p/0"), evmsim.Key("p/1"), evmsim.Key("p/2"))
	b := encodeRotatePayload(r)
	if len(b) != 4*32+3*32 {
		t.Fatalf("payload of %d bytes", len(b))
	}
	if got, err := decodeRotatePayload(b); err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("decode = %+v, %v", got, err)
	}
	bad := bytes.Clone(b)
	bad[3*32-1] = 0 // threshold 0
	if _, err := decodeRotatePayload(bad); err == nil {
		t.Fatal("a payload with threshold 0 decodes")
	}
	bad = append(bytes.Clone(b), 0)
	if _, err := decodeRotatePayload(bad); err == nil {
		t.Fatal("a payload with a trailing byte decodes")
	}
}

func FuzzDecodeRotatePayload(f *testing.F) {
	f.Add(encodeRotatePayload(rotationTo(2, 1, evmsim.Key("f/0"))))
	f.Add(encodeRotatePayload(rotationTo(9, 2, evmsim.Key("f/0"), evmsim.Key("f/1"), evmsim.Key("f/2"))))
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRotatePayload(b)
		if err != nil {
			return
		}
		if checkRotation("fuzz", r) != nil || !bytes.Equal(encodeRotatePayload(r), b) {
			t.Fatalf("%x decodes to %+v which is not a checked rotation encoding the same way", b, r)
		}
	})
}
