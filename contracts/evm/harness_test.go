package evm_test

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/contracts/evm"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
)

// flux is one FLUX in zatoshi.
const flux = 100_000_000

// secp256k1N is the order of the secp256k1 group.
var secp256k1N = crypto.S256().Params().N

// bridge is a simulated chain with the contracts deployed and the helpers
// the tests share. Relayer is the account that submits mints (anyone may);
// Holder receives them.
type bridge struct {
	*evmsim.Chain
	t       testing.TB
	ctx     context.Context
	relayer *ecdsa.PrivateKey
	holder  *ecdsa.PrivateKey
}

// newBridge starts a simulated chain for cfg, closed when t ends.
func newBridge(t testing.TB, cfg evmsim.Config) *bridge {
	t.Helper()
	c, err := evmsim.New(cfg)
	if err != nil {
		t.Fatalf("evmsim.New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &bridge{Chain: c, t: t, ctx: context.Background(), relayer: c.Users[1], holder: c.Users[0]}
}

// with returns a copy of b that reports to t (a subtest).
func (b *bridge) with(t testing.TB) *bridge {
	c := *b
	c.t = t
	return &c
}

// lock is a lock on the FLUX chain and the mint call for it.
type lock struct {
	txid      [32]byte
	vout      uint32
	v         uint64
	recipient [32]byte
}

// newLock names a lock of v zatoshi to `to`; the label derives its txid.
func newLock(label string, vout uint32, v uint64, to common.Address) lock {
	return lock{txid: crypto.Keccak256Hash([]byte("lock/" + label)), vout: vout, v: v, recipient: pad(to)}
}

// pad left-pads an EVM address to the 32-byte recipient of DESIGN §3.
func pad(a common.Address) [32]byte {
	var r [32]byte
	copy(r[12:], a[:])
	return r
}

func addr(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// holderAddr is the address the tests' locks mint to.
func (b *bridge) holderAddr() common.Address { return addr(b.holder) }

// digest is the MintAuth digest of l on this bridge.
func (b *bridge) digest(l lock) [32]byte { return b.MintDigest(l.txid, l.vout, l.v, l.recipient) }

// sign returns the signatures of the given signer indices over l.
func (b *bridge) sign(l lock, signers ...int) []byte {
	return b.SignMint(l.txid, l.vout, l.v, l.recipient, signers...)
}

// quorum returns the signatures of the first threshold signers over l.
func (b *bridge) quorum(l lock) []byte { return b.sign(l, seq(b.Threshold())...) }

// attempt is the outcome of a bound transact: the transaction sent, or the
// error of its gas estimation (where a revert surfaces).
type attempt struct {
	tx  *types.Transaction
	err error
}

// try wraps a bound transact's results.
func try(tx *types.Transaction, err error) attempt { return attempt{tx, err} }

// mint submits l with sigs from the relayer account.
func (b *bridge) mint(l lock, sigs []byte) attempt {
	return try(b.Bridge.Mint(b.Transactor(b.relayer), l.txid, l.vout, l.v, l.recipient, sigs))
}

// mustMint submits l with sigs, mines it and returns its Minted event.
func (b *bridge) mustMint(l lock, sigs []byte) *evm.FluxBridgeMinted {
	b.t.Helper()
	rc := b.send(b.mint(l, sigs))
	for _, lg := range rc.Logs {
		if ev, err := b.Bridge.ParseMinted(*lg); err == nil {
			return ev
		}
	}
	b.t.Fatalf("mint of %x:%d emitted no Minted event", l.txid[:4], l.vout)
	return nil
}

// send mines a transaction that must succeed and returns its receipt.
func (b *bridge) send(a attempt) *types.Receipt {
	b.t.Helper()
	tx, err := a.tx, a.err
	if err != nil {
		b.t.Fatalf("transaction refused: %v (revert %s)", err, revertString(err))
	}
	b.Commit()
	rc, err := b.Client.TransactionReceipt(b.ctx, tx.Hash())
	if err != nil {
		b.t.Fatalf("receipt: %v", err)
	}
	if rc.Status != types.ReceiptStatusSuccessful {
		b.t.Fatalf("transaction %s failed on chain (gas %d of %d)", tx.Hash(), rc.GasUsed, tx.Gas())
	}
	return rc
}

// reverts asserts that a transaction was refused at gas estimation with the
// custom error want. A transaction that was sent instead is mined so that it
// does not leak into the next step.
func (b *bridge) reverts(want string, a attempt) {
	b.t.Helper()
	tx, err := a.tx, a.err
	if err == nil {
		b.unexpected(tx, want)
	}
	if got := revertName(err); got != want {
		b.t.Fatalf("revert %q (%s; %v), want %s", got, revertString(err), err, want)
	}
}

// unexpected fails the test for an attempt that did not revert, mining a
// transaction that was sent so that it does not leak into the next step.
func (b *bridge) unexpected(tx *types.Transaction, want interface{}) {
	b.t.Helper()
	if tx == nil {
		b.t.Fatalf("the call succeeded, want revert %v", want)
	}
	b.Commit()
	b.t.Fatalf("transaction %s was sent, want revert %v", tx.Hash(), want)
}

// revertsWith is reverts that also checks the rendered arguments.
func (b *bridge) revertsWith(want string, a attempt) {
	b.t.Helper()
	tx, err := a.tx, a.err
	if err == nil {
		b.unexpected(tx, want)
	}
	if got := revertString(err); got != want {
		b.t.Fatalf("revert %s (%v), want %s", got, err, want)
	}
}

// revertsOneOf asserts a revert with one of the names in want, for attacks
// whose exact failure depends on the addresses a foreign digest recovers to.
func (b *bridge) revertsOneOf(want []string, a attempt) {
	b.t.Helper()
	tx, err := a.tx, a.err
	if err == nil {
		b.unexpected(tx, want)
	}
	if got := revertName(err); !slices.Contains(want, got) {
		b.t.Fatalf("revert %q (%s; %v), want one of %v", got, revertString(err), err, want)
	}
}

// now is the timestamp of the latest block: the block.timestamp that calls
// and gas estimations see.
func (b *bridge) now() uint64 {
	b.t.Helper()
	h, err := b.Client.HeaderByNumber(b.ctx, nil)
	if err != nil {
		b.t.Fatalf("head: %v", err)
	}
	return h.Time
}

// blockTime is the timestamp of the block a receipt is in.
func (b *bridge) blockTime(rc *types.Receipt) uint64 {
	b.t.Helper()
	h, err := b.Client.HeaderByNumber(b.ctx, rc.BlockNumber)
	if err != nil {
		b.t.Fatalf("header %v: %v", rc.BlockNumber, err)
	}
	return h.Time
}

// advance mines an empty block d after the latest one.
//
// AdjustTime refuses to run while the pool lists pending transactions, and
// the pool drops the ones just mined on a background reset after Commit, so
// an AdjustTime right after a Commit fails now and then ("could not adjust
// time on non-empty block"). Rollback waits for that reset (TxPool.Sync)
// before clearing the pool; every helper here mines what it sends, so there
// is nothing else for it to drop.
func (b *bridge) advance(d time.Duration) {
	b.t.Helper()
	b.Backend.Rollback()
	if err := b.Backend.AdjustTime(d); err != nil {
		b.t.Fatalf("AdjustTime: %v", err)
	}
}

// advanceTo mines an empty block with timestamp ts (which must be ahead).
func (b *bridge) advanceTo(ts uint64) {
	b.t.Helper()
	now := b.now()
	if ts <= now {
		b.t.Fatalf("advanceTo %d: the head is already at %d", ts, now)
	}
	b.advance(time.Duration(ts-now) * time.Second)
}

// view wraps a call result; get unwraps it, failing the test on error:
// view(x.Call(opts)).get(t).
func view[T any](v T, err error) result[T] { return result[T]{v, err} }

type result[T any] struct {
	v   T
	err error
}

func (r result[T]) get(t testing.TB) T {
	t.Helper()
	if r.err != nil {
		t.Fatalf("call: %v (revert %s)", r.err, revertString(r.err))
	}
	return r.v
}

// opts are the call options of views: the latest block.
var opts = &bind.CallOpts{}

// balance is the token balance of a.
func (b *bridge) balance(a common.Address) uint64 {
	b.t.Helper()
	return view(b.Token.BalanceOf(opts, a)).get(b.t).Uint64()
}

// supply is the token's total supply.
func (b *bridge) supply() uint64 {
	b.t.Helper()
	return view(b.Token.TotalSupply(opts)).get(b.t).Uint64()
}

// lockState reads the bridge's state of l.
func (b *bridge) lockState(l lock) (used, started bool, remaining uint64) {
	b.t.Helper()
	id := view(b.Bridge.LockId(opts, l.txid, l.vout)).get(b.t)
	st := view(b.Bridge.LockState(opts, id)).get(b.t)
	return st.Used, st.Started, st.Remaining
}

// signers are the addresses of keys, in the order given.
func signers(keys []*ecdsa.PrivateKey) []common.Address {
	out := make([]common.Address, len(keys))
	for i, k := range keys {
		out[i] = addr(k)
	}
	return out
}

// sortedKeys derives n keys from label, sorted by address as a signer set must be.
func sortedKeys(label string, n int) []*ecdsa.PrivateKey {
	keys := make([]*ecdsa.PrivateKey, n)
	for i := range keys {
		keys[i] = evmsim.Key(label + "/" + strconv.Itoa(i))
	}
	slices.SortFunc(keys, func(x, y *ecdsa.PrivateKey) int { return addr(x).Cmp(addr(y)) })
	return keys
}

// seq is 0, 1, …, n−1.
func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// sortByRecovered reorders packed signatures by the address each recovers to
// over digest — what an attacker replaying foreign signatures would do to get
// past the ordering check, so that the membership check is what rejects them.
func sortByRecovered(t testing.TB, digest [32]byte, sigs []byte) ([]byte, []common.Address) {
	t.Helper()
	type rec struct {
		a   common.Address
		sig []byte
	}
	var all []rec
	for i := 0; i+65 <= len(sigs); i += 65 {
		sig := append([]byte{}, sigs[i:i+65]...)
		std := append([]byte{}, sig...)
		std[64] -= 27
		pub, err := crypto.SigToPub(digest[:], std)
		if err != nil {
			t.Fatalf("recover signature %d: %v", i/65, err)
		}
		all = append(all, rec{crypto.PubkeyToAddress(*pub), sig})
	}
	slices.SortFunc(all, func(x, y rec) int { return x.a.Cmp(y.a) })
	var out []byte
	var addrs []common.Address
	for _, r := range all {
		out = append(out, r.sig...)
		addrs = append(addrs, r.a)
	}
	return out, addrs
}

// malleate returns the high-s twin of a 65-byte signature: s' = n − s with
// the recovery id flipped, which recovers to the same signer.
func malleate(sig []byte) []byte {
	out := append([]byte{}, sig...)
	s := new(big.Int).SetBytes(sig[32:64])
	new(big.Int).Sub(secp256k1N, s).FillBytes(out[32:64])
	out[64] = 27 + 28 - out[64] // 27 ↔ 28
	return out
}

// deployment is a FluxBridge constructor call.
type deployment struct {
	signers   []common.Address
	threshold uint8
	minLock   uint64
	fee       uint64
	minBurn   uint64
	rate      uint64
	cap       uint64
	grace     uint32
	prefixes  [2][2]byte
}

// validDeployment is a constructor call that succeeds with b's signer set.
func (b *bridge) validDeployment() deployment {
	return deployment{
		signers: signers(b.SignerKeys), threshold: uint8(b.Threshold()),
		minLock: 10 * flux, minBurn: 2 * flux, rate: 1000 * flux, cap: 10_000 * flux, grace: 3600, prefixes: b.Prefixes,
	}
}

func (b *bridge) deployTx(d deployment, gas uint64) (common.Address, *types.Transaction, *evm.FluxBridge, error) {
	auth := b.Transactor(b.Deployer)
	auth.GasLimit = gas
	return evm.DeployFluxBridge(auth, b.Client, d.signers, d.threshold, d.minLock, d.fee, d.minBurn, d.rate, d.cap, d.grace, d.prefixes[0], d.prefixes[1])
}

// deploy deploys another FluxBridge on b's chain and returns it with its
// deployment receipt. The gas limit is fixed: estimation undershoots the
// constructor's nested token deployment (the 63/64 rule).
func (b *bridge) deploy(d deployment) (common.Address, *evm.FluxBridge, *types.Receipt) {
	b.t.Helper()
	a, tx, bound, err := b.deployTx(d, 8_000_000)
	return a, bound, b.send(try(tx, err))
}

// deployRevert is the error of estimating a deployment that must revert.
func (b *bridge) deployRevert(d deployment) error {
	b.t.Helper()
	_, tx, _, err := b.deployTx(d, 0)
	if err == nil {
		b.Commit()
		b.t.Fatalf("deployment %s was sent, want a revert", tx.Hash())
	}
	return err
}

// callMint runs mint as an eth_call on the latest block, without sending
// it: what the chain would do in a block with the latest block's timestamp
// (a sent transaction lands in a later block). It returns the amount minted.
func (b *bridge) callMint(l lock, sigs []byte) (uint64, error) {
	var out []interface{}
	raw := &evm.FluxBridgeRaw{Contract: b.Bridge}
	err := raw.Call(&bind.CallOpts{From: addr(b.relayer)}, &out, "mint", l.txid, l.vout, l.v, l.recipient, sigs)
	if err != nil {
		return 0, err
	}
	return firstUint64(out)
}

// callBurn runs burn from key as an eth_call and returns the nonce it would get.
func (b *bridge) callBurn(key *ecdsa.PrivateKey, amount uint64, fluxAddr [22]byte) (uint64, error) {
	var out []interface{}
	raw := &evm.FluxBridgeRaw{Contract: b.Bridge}
	if err := raw.Call(&bind.CallOpts{From: addr(key)}, &out, "burn", amount, fluxAddr); err != nil {
		return 0, err
	}
	return firstUint64(out)
}

func firstUint64(out []interface{}) (uint64, error) {
	if len(out) != 1 {
		return 0, fmt.Errorf("%d results, want 1", len(out))
	}
	n, ok := out[0].(uint64)
	if !ok {
		return 0, fmt.Errorf("result %T, want uint64", out[0])
	}
	return n, nil
}
