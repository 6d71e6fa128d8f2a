package evm_test

import (
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/contracts/evm"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
)

// maxPause is MAX_PAUSE: 48 h.
const maxPause = 48 * 3600

// pause has signer i pause minting and returns the MintPaused event and the
// block time of the pause.
func (b *bridge) pause(i int) (*evm.FluxBridgeMintPaused, uint64) {
	b.t.Helper()
	rc := b.send(try(b.Bridge.PauseMint(b.Transactor(b.SignerKeys[i]))))
	for _, lg := range rc.Logs {
		if ev, err := b.Bridge.ParseMintPaused(*lg); err == nil {
			return ev, b.blockTime(rc)
		}
	}
	b.t.Fatalf("pauseMint emitted no MintPaused event")
	return nil, 0
}

// unpause submits signatures over the unpause digest.
func (b *bridge) unpause(sigs []byte) attempt {
	return try(b.Bridge.UnpauseMint(b.Transactor(b.relayer), sigs))
}

// unpauseDigest reads the bridge's unpause digest.
func (b *bridge) unpauseDigest() [32]byte {
	b.t.Helper()
	return view(b.Bridge.UnpauseDigest(opts)).get(b.t)
}

func (b *bridge) pausedUntil() uint64 {
	b.t.Helper()
	return view(b.Bridge.PausedUntil(opts)).get(b.t)
}

func TestPause(t *testing.T) {
	b := quorumBridge(t)
	to := b.holderAddr()
	funding := newLock("pause/funding", 0, 100*flux, to)
	b.mustMint(funding, b.quorum(funding))

	t.Run("a non-signer cannot pause", func(t *testing.T) {
		b := b.with(t)
		b.revertsWith(fmt.Sprintf("NotSigner(%s)", to.Hex()), try(b.Bridge.PauseMint(b.Transactor(b.holder))))
		b.revertsWith(fmt.Sprintf("NotSigner(%s)", addr(b.Deployer).Hex()), try(b.Bridge.PauseMint(b.Transactor(b.Deployer))))
		if got := b.pausedUntil(); got != 0 {
			t.Fatalf("pausedUntil %d after refused pauses, want 0", got)
		}
	})

	ev, t1 := b.pause(2)
	until := t1 + maxPause
	t.Run("any one signer pauses for 48 h", func(t *testing.T) {
		if ev.By != addr(b.SignerKeys[2]) || ev.Until != until {
			t.Fatalf("MintPaused by %s until %d, want %s until %d", ev.By, ev.Until, addr(b.SignerKeys[2]), until)
		}
		if got := b.with(t).pausedUntil(); got != until {
			t.Fatalf("pausedUntil %d, want %d", got, until)
		}
	})
	t.Run("mint is paused", func(t *testing.T) {
		b := b.with(t)
		l := newLock("pause/1", 0, 20*flux, to)
		b.revertsWith(fmt.Sprintf("Paused(%d)", until), b.mint(l, b.quorum(l)))
	})
	t.Run("burn still works while paused", func(t *testing.T) {
		b := b.with(t)
		b.send(b.burn(5 * flux))
		if got := b.balance(to); got != 95*flux {
			t.Fatalf("balance %d after burning while paused, want %d", got, uint64(95*flux))
		}
	})
	t.Run("a second pause lasts 48 h from its own call, no more", func(t *testing.T) {
		b := b.with(t)
		b.advance(time.Hour)
		ev2, t2 := b.pause(0)
		if ev2.Until != t2+maxPause || b.pausedUntil() != t2+maxPause {
			t.Fatalf("second pause until %d (event %d), want %d", b.pausedUntil(), ev2.Until, t2+maxPause)
		}
		until = t2 + maxPause
	})
	t.Run("the pause expires by itself", func(t *testing.T) {
		b := b.with(t)
		l := newLock("pause/expiry", 0, 20*flux, to)
		sigs := b.quorum(l)
		b.advanceTo(until - 1)
		_, err := b.callMint(l, sigs)
		b.revertsWith(fmt.Sprintf("Paused(%d)", until), try(nil, err))
		b.advanceTo(until)
		if got, err := b.callMint(l, sigs); err != nil || got != l.v {
			t.Fatalf("mint at pausedUntil: %d, %v (%s), want %d", got, err, revertString(err), l.v)
		}
		b.mustMint(l, sigs)
		b.revertsWith("NotPaused()", b.unpause(b.Sign(b.unpauseDigest(), 0, 1, 2)))
	})
}

// unpauseNow ends the running pause with set 1's quorum (signers 0, 1, 2)
// and returns the block time of the unpause.
func (b *bridge) unpauseNow() uint64 {
	b.t.Helper()
	return b.blockTime(b.send(b.unpause(b.Sign(b.unpauseDigest(), 0, 1, 2))))
}

// pauseBudget reads what remains of k's pause budget (seconds).
func (b *bridge) pauseBudget(k *ecdsa.PrivateKey) uint64 {
	b.t.Helper()
	return view(b.Bridge.PauseBudget(opts, addr(k))).get(b.t)
}

// budgetSpent is the revert of a pause by k that would add no time.
func budgetSpent(k *ecdsa.PrivateKey, remaining uint64) string {
	return fmt.Sprintf("PauseBudgetSpent(%s, %d)", addr(k).Hex(), remaining)
}

// tryPause is signer k's pauseMint, which may revert.
func (b *bridge) tryPause(k *ecdsa.PrivateKey) attempt {
	return try(b.Bridge.PauseMint(b.Transactor(k)))
}

// TestRoguePauseCannotOutlastUnpause: a signer that paused for 48 h cannot
// renew its pause, however often it tries, so the unpause a quorum gathered
// for that pause lands; what the rogue can pause afterwards is only the part
// of its 48 h the unpause cut off, and then nothing.
func TestRoguePauseCannotOutlastUnpause(t *testing.T) {
	b := quorumBridge(t)
	rogue := b.SignerKeys[3]
	_, t0 := b.pause(3)
	until := t0 + maxPause
	if got := b.pauseBudget(rogue); got != 0 {
		t.Fatalf("the rogue's budget %d after its 48 h pause, want 0", got)
	}
	gathered := b.Sign(b.unpauseDigest(), 0, 1, 2)
	for _, at := range []uint64{t0 + 60, t0 + 3600, t0 + 24*3600, until - 120} {
		b.advanceTo(at)
		b.revertsWith(budgetSpent(rogue, 0), b.tryPause(rogue))
	}
	if n := view(b.Bridge.PauseCount(opts)).get(t); n != 1 {
		t.Fatalf("pauseCount %d after refused renewals, want 1", n)
	}
	if got := b.pausedUntil(); got != until {
		t.Fatalf("pausedUntil %d after refused renewals, want %d", got, until)
	}
	unpausedAt := b.blockTime(b.send(b.unpause(gathered)))
	l := newLock("rogue/after", 0, 20*flux, b.holderAddr())
	b.mustMint(l, b.quorum(l))

	left := until - unpausedAt
	if got := b.pauseBudget(rogue); got != left {
		t.Fatalf("the rogue's budget %d after the unpause, want the %d s it cut off", got, left)
	}
	_, t1 := b.pause(3)
	if got := b.pausedUntil(); got != t1+left {
		t.Fatalf("the rogue's second pause until %d, want %d", got, t1+left)
	}
	b.advanceTo(t1 + left)
	b.revertsWith(budgetSpent(rogue, 0), b.tryPause(rogue))
	l = newLock("rogue/spent", 0, 20*flux, b.holderAddr())
	b.mustMint(l, b.quorum(l))
	if paused := (unpausedAt - t0) + left; paused != maxPause {
		t.Fatalf("the rogue kept minting paused for %d s, want %d", paused, maxPause)
	}
}

// TestPauseBudgetAfterEarlyUnpause: a signer whose pause a quorum ended after
// an hour can pause again only for the 47 h it has left, and not renew it.
func TestPauseBudgetAfterEarlyUnpause(t *testing.T) {
	b := quorumBridge(t)
	k := b.SignerKeys[1]
	if got := b.pauseBudget(k); got != maxPause {
		t.Fatalf("budget %d before any pause, want %d", got, maxPause)
	}
	_, t0 := b.pause(1)
	b.advance(time.Hour)
	ended := b.unpauseNow()
	used := ended - t0
	if used < 3600 || used > 3600+60 {
		t.Fatalf("the first pause ran %d s, want about an hour", used)
	}
	if got := b.pauseBudget(k); got != maxPause-used {
		t.Fatalf("budget %d after an hour's pause, want %d", got, maxPause-used)
	}
	b.advance(time.Hour)
	ev, t1 := b.pause(1)
	if ev.Until != t1+maxPause-used || b.pausedUntil() != t1+maxPause-used {
		t.Fatalf("second pause until %d (event %d), want %d: 48 h less the hour used", b.pausedUntil(), ev.Until, t1+maxPause-used)
	}
	if got := b.pauseBudget(k); got != 0 {
		t.Fatalf("budget %d during the second pause, want 0", got)
	}
	b.advance(time.Hour)
	b.revertsWith(budgetSpent(k, 0), b.tryPause(k))
	b.advanceTo(t1 + maxPause - used)
	b.revertsWith(budgetSpent(k, 0), b.tryPause(k))
	l := newLock("budget/expired", 0, 20*flux, b.holderAddr())
	b.mustMint(l, b.quorum(l))
}

// TestPauseBudgetTotal: however one signer re-pauses — ended early by a
// quorum after varied delays, renewals tried while its pause runs, the last
// left to expire — the time it keeps minting paused adds up to exactly 48 h,
// after which it cannot pause at all.
func TestPauseBudgetTotal(t *testing.T) {
	b := quorumBridge(t)
	k := b.SignerKeys[2]
	delays := []time.Duration{5 * time.Hour, 30 * time.Minute, 12 * time.Hour, time.Minute, 20 * time.Hour, 9 * time.Hour, 6 * time.Hour}
	var paused, pauses uint64
	expired := false
	for i := 0; ; i++ {
		left := b.pauseBudget(k)
		if left == 0 {
			break
		}
		if i > len(delays) {
			t.Fatalf("still %d s of budget after %d pauses", left, i)
		}
		_, tp := b.pause(2)
		pauses++
		until := tp + left
		if got := b.pausedUntil(); got != until {
			t.Fatalf("pause %d until %d, want %d (budget %d)", i, got, until, left)
		}
		d := 100 * time.Hour // the last pause expires by itself
		if i < len(delays) {
			d = delays[i]
		}
		b.advance(d / 2)
		if b.now() < until {
			b.revertsWith(budgetSpent(k, 0), b.tryPause(k))
		}
		b.advance(d - d/2)
		end := until
		if b.now() < until {
			end = b.unpauseNow()
		}
		expired = end == until
		paused += end - tp
		if paused > maxPause {
			t.Fatalf("after pause %d the signer has kept minting paused for %d s, more than %d", i, paused, maxPause)
		}
	}
	if paused != maxPause || !expired {
		t.Fatalf("the signer kept minting paused for %d s in total, want %d (last pause expired: %v)", paused, maxPause, expired)
	}
	b.revertsWith(budgetSpent(k, 0), b.tryPause(k))
	if n := view(b.Bridge.PauseCount(opts)).get(t); n != pauses || pauses < 3 {
		t.Fatalf("pauseCount %d after %d pauses", n, pauses)
	}
}

// TestPauseBudgetPerSigner: each signer has its own budget. A signer that
// extends another's pause is charged only the time it adds; the extension
// does not void the unpause gathered for the pause, and the unpause gives
// back what it cut off: all of the extension, and the rest of the first
// signer's 48 h.
func TestPauseBudgetPerSigner(t *testing.T) {
	b := quorumBridge(t)
	first, second := b.SignerKeys[0], b.SignerKeys[1]
	_, t0 := b.pause(0)
	gathered := b.Sign(b.unpauseDigest(), 0, 1, 2)
	b.advance(time.Hour)
	b.revertsWith(budgetSpent(first, 0), b.tryPause(first))
	_, t1 := b.pause(1)
	if got := b.pausedUntil(); got != t1+maxPause {
		t.Fatalf("pausedUntil %d after the second signer's pause, want %d", got, t1+maxPause)
	}
	if got, want := b.pauseBudget(second), maxPause-(t1-t0); got != want {
		t.Fatalf("second signer's budget %d, want %d: charged only the %d s it added", got, want, t1-t0)
	}
	if got := b.pauseBudget(first); got != 0 {
		t.Fatalf("first signer's budget %d, want 0", got)
	}
	if got := b.pauseBudget(b.SignerKeys[3]); got != maxPause {
		t.Fatalf("an idle signer's budget %d, want %d", got, maxPause)
	}
	if got := b.pauseBudget(b.holder); got != 0 {
		t.Fatalf("a non-signer's budget %d, want 0", got)
	}
	b.advance(time.Hour)
	ended := b.blockTime(b.send(b.unpause(gathered)))
	if got, want := b.pauseBudget(first), maxPause-(ended-t0); got != want {
		t.Fatalf("first signer's budget %d after the unpause, want %d", got, want)
	}
	if got := b.pauseBudget(second); got != maxPause {
		t.Fatalf("second signer's budget %d after the unpause cut off all it added, want %d", got, maxPause)
	}
	_, t2 := b.pause(1)
	if got := b.pausedUntil(); got != t2+maxPause {
		t.Fatalf("second signer's new pause until %d, want %d", got, t2+maxPause)
	}
}

// TestPauseBudgetPerSignerSet: a rotation gives the new set's signers fresh
// budgets, a signer kept from the old set included.
func TestPauseBudgetPerSignerSet(t *testing.T) {
	b := quorumBridge(t)
	old := b.SignerKeys
	_, t0 := b.pause(3)
	b.advanceTo(t0 + maxPause)
	b.revertsWith(budgetSpent(old[3], 0), b.tryPause(old[3]))

	newKeys := secondSet(b)
	set2 := signers(newKeys)
	b.send(b.rotate(set2, 2, b.rotationSigs(set2, 2, old[0], old[1], old[2])))
	for _, k := range newKeys {
		if got := b.pauseBudget(k); got != maxPause {
			t.Fatalf("set 2 signer %s: budget %d, want %d", addr(k).Hex(), got, maxPause)
		}
	}
	if got := b.pauseBudget(old[0]); got != 0 {
		t.Fatalf("a removed signer's budget %d, want 0", got)
	}
	rc := b.send(b.tryPause(old[3]))
	if got, want := b.pausedUntil(), b.blockTime(rc)+maxPause; got != want {
		t.Fatalf("the kept signer's pause in set 2 until %d, want %d", got, want)
	}
	b.revertsWith(budgetSpent(old[3], 0), b.tryPause(old[3]))
	b.send(b.unpause(evmsim.SignWith(b.unpauseDigest(), newKeys[0], newKeys[1])))
}

// unpauseDigest is keccak256("FLXUNPAUSE" ‖ uint32 chainId ‖ bridge ‖ uint64 pauseCount).
func unpauseDigest(chainID uint64, bridgeAddr common.Address, pauseCount uint64) [32]byte {
	msg := []byte("FLXUNPAUSE")
	msg = binary.BigEndian.AppendUint32(msg, uint32(chainID))
	msg = append(msg, bridgeAddr[:]...)
	msg = binary.BigEndian.AppendUint64(msg, pauseCount)
	return crypto.Keccak256Hash(msg)
}

func TestUnpause(t *testing.T) {
	b := quorumBridge(t)
	to := b.holderAddr()

	t.Run("unpause when not paused", func(t *testing.T) {
		b := b.with(t)
		b.revertsWith("NotPaused()", b.unpause(b.Sign(b.unpauseDigest(), 0, 1, 2)))
	})

	b.pause(1)
	t.Run("the unpause digest binds the pause count", func(t *testing.T) {
		b := b.with(t)
		if n := view(b.Bridge.PauseCount(opts)).get(t); n != 1 {
			t.Fatalf("pauseCount %d after one pause, want 1", n)
		}
		if got, want := b.unpauseDigest(), unpauseDigest(b.ChainID.Uint64(), b.BridgeAddr, 1); got != want {
			t.Fatalf("unpauseDigest %x, want %x", got, want)
		}
	})
	captured := b.Sign(b.unpauseDigest(), 0, 1, 3)
	t.Run("k-1 signatures do not unpause", func(t *testing.T) {
		b := b.with(t)
		b.revertsWith("InsufficientSignatures(2, 3)", b.unpause(b.Sign(b.unpauseDigest(), 0, 1)))
	})
	t.Run("a non-member does not unpause", func(t *testing.T) {
		b := b.with(t)
		b.reverts("UnknownSigner", b.unpause(evmsim.SignWith(b.unpauseDigest(), b.SignerKeys[0], b.SignerKeys[1], evmsim.Key("outsider"))))
	})
	t.Run("mint signatures do not unpause", func(t *testing.T) {
		b := b.with(t)
		l := newLock("unpause/mint", 0, 20*flux, to)
		sigs, _ := sortByRecovered(t, b.unpauseDigest(), b.quorum(l))
		b.reverts("UnknownSigner", b.unpause(sigs))
	})
	t.Run("k signatures unpause", func(t *testing.T) {
		b := b.with(t)
		rc := b.send(b.unpause(captured))
		ev, err := b.Bridge.ParseMintUnpaused(*rc.Logs[0])
		if err != nil {
			t.Fatalf("MintUnpaused: %v", err)
		}
		if ev.SetId != 1 || ev.SignerBitmap.Cmp(big.NewInt(0b1011)) != 0 {
			t.Fatalf("MintUnpaused set %d bitmap %b, want 1, 1011", ev.SetId, ev.SignerBitmap)
		}
		if got := b.pausedUntil(); got != 0 {
			t.Fatalf("pausedUntil %d after unpause, want 0", got)
		}
		l := newLock("unpause/after", 0, 20*flux, to)
		b.mustMint(l, b.quorum(l))
	})
	t.Run("an unpause captured during pause 1 cannot end pause 2", func(t *testing.T) {
		b := b.with(t)
		b.advance(time.Minute)
		b.pause(3)
		b.revertsOneOf([]string{"UnknownSigner", "UnsortedSigners"}, b.unpause(captured))
		reordered, recovered := sortByRecovered(t, b.unpauseDigest(), captured)
		b.revertsWith(fmt.Sprintf("UnknownSigner(%s)", recovered[0].Hex()), b.unpause(reordered))
		l := newLock("unpause/still-paused", 0, 20*flux, to)
		b.reverts("Paused", b.mint(l, b.quorum(l)))
	})
	t.Run("an unused unpause from an expired pause cannot end the next", func(t *testing.T) {
		b := b.with(t)
		unused := b.Sign(b.unpauseDigest(), 0, 1, 2)
		b.advanceTo(b.pausedUntil())
		b.pause(0)
		reordered, _ := sortByRecovered(t, b.unpauseDigest(), unused)
		b.reverts("UnknownSigner", b.unpause(reordered))
		b.send(b.unpause(b.Sign(b.unpauseDigest(), 0, 1, 2)))
	})
	t.Run("a new pause voids the unpause gathered before it", func(t *testing.T) {
		b := b.with(t)
		if b.pausedUntil() > b.now() {
			t.Fatalf("minting is paused: the previous subtest should have ended its pause")
		}
		gathered := b.Sign(b.unpauseDigest(), 0, 1, 2)
		b.advance(time.Hour)
		b.pause(2)
		reordered, _ := sortByRecovered(t, b.unpauseDigest(), gathered)
		b.reverts("UnknownSigner", b.unpause(reordered))
	})
	t.Run("a renewed pause does not void the unpause gathered for the running one", func(t *testing.T) {
		b := b.with(t)
		count := view(b.Bridge.PauseCount(opts)).get(t)
		gathered := b.Sign(b.unpauseDigest(), 0, 1, 2)
		b.advance(time.Hour)
		// Signer 1's first pause ran a few seconds: it has nearly 48 h left.
		left := b.pauseBudget(b.SignerKeys[1])
		_, renewed := b.pause(1) // still paused: this only extends the pause
		if got := b.pausedUntil(); got != renewed+left || left < maxPause-60 {
			t.Fatalf("pausedUntil %d after the renewal, want %d (budget %d)", got, renewed+left, left)
		}
		if n := view(b.Bridge.PauseCount(opts)).get(t); n != count {
			t.Fatalf("pauseCount %d after renewing pause %d", n, count)
		}
		b.send(b.unpause(gathered))
		l := newLock("unpause/renewed", 0, 20*flux, to)
		b.mustMint(l, b.quorum(l))
	})
}

// TestUnpauseReplayInOneBlock: pause, unpause and pause again in one block
// leave the same pausedUntil, so only the pause count tells the two pauses
// apart; the first unpause's signatures must not end the second pause.
func TestUnpauseReplayInOneBlock(t *testing.T) {
	b := quorumBridge(t)
	sigs := b.Sign(unpauseDigest(b.ChainID.Uint64(), b.BridgeAddr, 1), 0, 1, 2)
	// Fixed gas skips estimation against the head, where the unpause would
	// not yet be valid; falling tips order the three in the block.
	txOpts := func(k *ecdsa.PrivateKey, tipGwei int64) *bind.TransactOpts {
		o := b.Transactor(k)
		o.GasLimit = 300_000
		o.GasTipCap = big.NewInt(tipGwei * 1e9)
		return o
	}
	pause1, err := b.Bridge.PauseMint(txOpts(b.SignerKeys[0], 3))
	if err != nil {
		t.Fatal(err)
	}
	unpause, err := b.Bridge.UnpauseMint(txOpts(b.relayer, 2), sigs)
	if err != nil {
		t.Fatal(err)
	}
	pause2, err := b.Bridge.PauseMint(txOpts(b.SignerKeys[1], 1))
	if err != nil {
		t.Fatal(err)
	}
	b.Commit()
	var block *big.Int
	for i, tx := range []*types.Transaction{pause1, unpause, pause2} {
		rc, err := b.Client.TransactionReceipt(b.ctx, tx.Hash())
		if err != nil || rc.Status != types.ReceiptStatusSuccessful || rc.TransactionIndex != uint(i) {
			t.Fatalf("transaction %d: receipt %+v, %v; want success at index %d", i, rc, err, i)
		}
		if block == nil {
			block = rc.BlockNumber
		} else if rc.BlockNumber.Cmp(block) != 0 {
			t.Fatalf("transaction %d in block %v, want %v", i, rc.BlockNumber, block)
		}
	}
	if n := view(b.Bridge.PauseCount(opts)).get(t); n != 2 {
		t.Fatalf("pauseCount %d, want 2", n)
	}
	b.revertsOneOf([]string{"UnknownSigner", "UnsortedSigners"}, b.unpause(sigs))
	reordered, _ := sortByRecovered(t, b.unpauseDigest(), sigs)
	b.reverts("UnknownSigner", b.unpause(reordered))
	l := newLock("unpause/one-block", 0, 20*flux, b.holderAddr())
	b.reverts("Paused", b.mint(l, b.quorum(l)))
	b.send(b.unpause(b.Sign(unpauseDigest(b.ChainID.Uint64(), b.BridgeAddr, 2), 0, 1, 2)))
	b.mustMint(l, b.quorum(l))
}

func TestBurn(t *testing.T) {
	b := quorumBridge(t)
	to := b.holderAddr()
	funding := newLock("burn/funding", 0, 100*flux, to)
	b.mustMint(funding, b.quorum(funding))
	holderBurn := func(amount uint64, a [22]byte) attempt {
		return try(b.Bridge.Burn(b.Transactor(b.holder), amount, a))
	}
	withPrefix := func(p [2]byte) [22]byte {
		var a [22]byte
		copy(a[:], p[:])
		a[21] = 0x42
		return a
	}
	if b.Prefixes != [2][2]byte{params.SimNet.PubKeyHashPrefix, params.SimNet.ScriptHashPrefix} {
		t.Fatalf("evmsim deployed prefixes %x, want FLUX SimNet's", b.Prefixes)
	}
	if got := view(b.Bridge.MinBurn(opts)).get(t); got != flux {
		t.Fatalf("evmsim deployed minBurn %d, want its default of 1 FLUX", got)
	}

	t.Run("zero amount", func(t *testing.T) {
		b := b.with(t)
		b.revertsWith("ZeroAmount()", holderBurn(0, b.burnAddr(false, 1)))
	})
	t.Run("below the minimum", func(t *testing.T) {
		b := b.with(t)
		b.revertsWith(fmt.Sprintf("BelowBurnMinimum(%d, %d)", uint64(flux-1), uint64(flux)), holderBurn(flux-1, b.burnAddr(false, 1)))
	})
	rejected := []struct {
		name   string
		prefix [2]byte
	}{
		{"FLUX mainnet t1", params.MainNet.PubKeyHashPrefix},
		{"FLUX mainnet t3", params.MainNet.ScriptHashPrefix},
		{"zero prefix", [2]byte{}},
		{"byte-swapped t1", [2]byte{params.SimNet.PubKeyHashPrefix[1], params.SimNet.PubKeyHashPrefix[0]}},
		{"t1 high byte with t3 low byte", [2]byte{params.SimNet.PubKeyHashPrefix[0], params.SimNet.ScriptHashPrefix[1]}},
	}
	for _, tc := range rejected {
		t.Run("prefix "+tc.name+" is rejected", func(t *testing.T) {
			b := b.with(t)
			if tc.prefix == b.Prefixes[0] || tc.prefix == b.Prefixes[1] {
				t.Fatalf("test prefix %x is one of the network's", tc.prefix)
			}
			b.revertsWith(fmt.Sprintf("BadAddressPrefix(0x%x)", tc.prefix[:]), holderBurn(flux, withPrefix(tc.prefix)))
		})
	}
	if got := view(b.Bridge.BurnCount(opts)).get(t); got != 0 {
		t.Fatalf("refused burns consumed nonces: burnCount %d", got)
	}

	type burned struct {
		amount uint64
		addr   [22]byte
	}
	var want []burned
	burnOK := func(t *testing.T, amount uint64, a [22]byte) {
		b := b.with(t)
		nonce, err := b.callBurn(b.holder, amount, a)
		if err != nil || nonce != uint64(len(want)) {
			t.Fatalf("burn would get nonce %d (%v), want %d", nonce, err, len(want))
		}
		b.send(holderBurn(amount, a))
		want = append(want, burned{amount, a})
	}
	t.Run("contiguous nonces with t1 and t3 prefixes", func(t *testing.T) {
		burnOK(t, 10*flux, withPrefix(params.SimNet.PubKeyHashPrefix))
		burnOK(t, flux, withPrefix(params.SimNet.ScriptHashPrefix)) // the minimum
		burnOK(t, 25*flux, b.burnAddr(false, 0xee))

		it, err := b.Bridge.FilterBurn(&bind.FilterOpts{Start: 0}, nil, nil)
		if err != nil {
			t.Fatalf("FilterBurn: %v", err)
		}
		defer it.Close()
		var n uint64
		for it.Next() {
			ev := it.Event
			if n >= uint64(len(want)) {
				t.Fatalf("extra Burn event nonce %d", ev.Nonce)
			}
			w := want[n]
			if ev.Nonce != n || ev.Amount != w.amount || ev.FluxAddr != w.addr || ev.Sender != to {
				t.Fatalf("Burn %d: nonce %d amount %d addr %x sender %s, want %d %d %x %s",
					n, ev.Nonce, ev.Amount, ev.FluxAddr, ev.Sender, n, w.amount, w.addr, to)
			}
			n++
		}
		if err := it.Error(); err != nil {
			t.Fatalf("Burn iterator: %v", err)
		}
		if n != uint64(len(want)) {
			t.Fatalf("%d Burn events, want %d", n, len(want))
		}
		// The nonce is indexed: a watcher can ask for one burn.
		one, err := b.Bridge.FilterBurn(&bind.FilterOpts{Start: 0}, []uint64{1}, []common.Address{to})
		if err != nil {
			t.Fatalf("FilterBurn(nonce 1): %v", err)
		}
		defer one.Close()
		if !one.Next() || one.Event.Nonce != 1 || one.Event.Amount != flux || one.Next() {
			t.Fatalf("FilterBurn by nonce 1 did not return exactly burn 1")
		}
	})
	t.Run("burning beyond the balance reverts and consumes no nonce", func(t *testing.T) {
		b := b.with(t)
		bal := b.balance(to)
		b.revertsWith(fmt.Sprintf("ERC20InsufficientBalance(%s, %d, %d)", to.Hex(), bal, bal+1), holderBurn(bal+1, b.burnAddr(true, 3)))
		stranger := b.relayer
		b.reverts("ERC20InsufficientBalance", try(b.Bridge.Burn(b.Transactor(stranger), flux, b.burnAddr(false, 3))))
		if got := view(b.Bridge.BurnCount(opts)).get(t); got != uint64(len(want)) {
			t.Fatalf("burnCount %d, want %d", got, len(want))
		}
		if got := b.balance(to); got != bal {
			t.Fatalf("balance %d after a refused burn, want %d", got, bal)
		}
	})
	t.Run("a burn spends only the caller's tokens", func(t *testing.T) {
		b := b.with(t)
		b.send(try(b.Token.Transfer(b.Transactor(b.holder), addr(b.relayer), big.NewInt(2*flux))))
		before := b.balance(to)
		b.send(try(b.Bridge.Burn(b.Transactor(b.relayer), 2*flux, b.burnAddr(true, 4))))
		want = append(want, burned{2 * flux, b.burnAddr(true, 4)})
		if got := b.balance(to); got != before {
			t.Fatalf("the holder's balance moved from %d to %d on another account's burn", before, got)
		}
		if got := b.balance(addr(b.relayer)); got != 0 {
			t.Fatalf("burner balance %d, want 0", got)
		}
	})
	t.Run("totals", func(t *testing.T) {
		var sum uint64
		for _, w := range want {
			sum += w.amount
		}
		tb := view(b.Bridge.TotalBurned(opts)).get(t)
		if tb != sum {
			t.Fatalf("totalBurned %d, want %d", tb, sum)
		}
		if got := view(b.Bridge.BurnCount(opts)).get(t); got != uint64(len(want)) {
			t.Fatalf("burnCount %d, want %d", got, len(want))
		}
		if s := b.with(t).supply(); s != funding.v-sum {
			t.Fatalf("supply %d, want %d", s, funding.v-sum)
		}
	})
}

// TestBurnMinimum: the bridge's immutable minBurn. A burn of exactly minBurn
// succeeds with the next nonce; one zatoshi less reverts with
// BelowBurnMinimum(amount, minimum) before any other check but ZeroAmount,
// burns nothing and consumes no nonce.
func TestBurnMinimum(t *testing.T) {
	const minBurn = 3*flux + 7
	b := newBridge(t, evmsim.Config{Signers: 4, Threshold: 3, MinBurn: minBurn})
	if got := view(b.Bridge.MinBurn(opts)).get(t); got != minBurn {
		t.Fatalf("minBurn %d, want the configured %d", got, uint64(minBurn))
	}
	to := b.holderAddr()
	funding := newLock("burnmin/funding", 0, 100*flux, to)
	b.mustMint(funding, b.quorum(funding))
	dest := b.burnAddr(true, 0x5a)

	// burnAt burns exactly the minimum and checks the Burn event it emits.
	burnAt := func(t *testing.T, wantNonce uint64) {
		b := b.with(t)
		if nonce, err := b.callBurn(b.holder, minBurn, dest); err != nil || nonce != wantNonce {
			t.Fatalf("a burn of the minimum would get nonce %d (%v %s), want %d", nonce, err, revertString(err), wantNonce)
		}
		before := b.balance(to)
		rc := b.send(try(b.Bridge.Burn(b.Transactor(b.holder), minBurn, dest)))
		var ev *evm.FluxBridgeBurn
		for _, lg := range rc.Logs {
			if e, err := b.Bridge.ParseBurn(*lg); err == nil {
				if ev != nil {
					t.Fatalf("two Burn events in one burn")
				}
				ev = e
			}
		}
		if ev == nil {
			t.Fatalf("the burn of the minimum emitted no Burn event")
		}
		if ev.Nonce != wantNonce || ev.Amount != minBurn || ev.FluxAddr != dest || ev.Sender != to {
			t.Fatalf("Burn nonce %d amount %d addr %x sender %s, want %d %d %x %s",
				ev.Nonce, ev.Amount, ev.FluxAddr, ev.Sender, wantNonce, uint64(minBurn), dest, to)
		}
		if got := b.balance(to); got != before-minBurn {
			t.Fatalf("balance %d after burning the minimum, want %d", got, before-minBurn)
		}
	}
	// unchanged asserts the burn counters and the holder's balance.
	unchanged := func(t *testing.T, count, burned, balance uint64) {
		t.Helper()
		b := b.with(t)
		if got := view(b.Bridge.BurnCount(opts)).get(t); got != count {
			t.Fatalf("burnCount %d after a refused burn, want %d", got, count)
		}
		if got := view(b.Bridge.TotalBurned(opts)).get(t); got != burned {
			t.Fatalf("totalBurned %d after a refused burn, want %d", got, burned)
		}
		if got := b.balance(to); got != balance {
			t.Fatalf("balance %d after a refused burn, want %d", got, balance)
		}
	}

	t.Run("exactly the minimum burns with nonce 0", func(t *testing.T) { burnAt(t, 0) })

	t.Run("one zatoshi below the minimum reverts and consumes no nonce", func(t *testing.T) {
		b := b.with(t)
		bal := b.balance(to)
		err := try(b.Bridge.Burn(b.Transactor(b.holder), minBurn-1, dest)).err
		if err == nil {
			t.Fatalf("a burn of minBurn−1 was accepted")
		}
		data, ok := revertData(err)
		if !ok {
			t.Fatalf("the refused burn carries no revert data: %v", err)
		}
		name, args := decodeRevert(data)
		if name != "BelowBurnMinimum" || len(args) != 2 {
			t.Fatalf("revert %s %v (%v), want BelowBurnMinimum with 2 arguments", name, args, err)
		}
		if amount, minimum := args[0], args[1]; amount != uint64(minBurn-1) || minimum != uint64(minBurn) {
			t.Fatalf("BelowBurnMinimum(%v, %v), want (%d, %d)", amount, minimum, uint64(minBurn-1), uint64(minBurn))
		}
		if _, err := b.callBurn(b.holder, minBurn-1, dest); revertString(err) != fmt.Sprintf("BelowBurnMinimum(%d, %d)", uint64(minBurn-1), uint64(minBurn)) {
			t.Fatalf("eth_call of burn(minBurn−1): %v (revert %s)", err, revertString(err))
		}
		unchanged(t, 1, minBurn, bal)
	})

	t.Run("check order", func(t *testing.T) {
		b := b.with(t)
		bal := b.balance(to)
		// ZeroAmount comes first; 0 is below any minimum.
		b.revertsWith("ZeroAmount()", try(b.Bridge.Burn(b.Transactor(b.holder), 0, dest)))
		b.revertsWith(fmt.Sprintf("BelowBurnMinimum(1, %d)", uint64(minBurn)), try(b.Bridge.Burn(b.Transactor(b.holder), 1, dest)))
		// The minimum is checked before the address prefix and the balance.
		var foreign [22]byte
		copy(foreign[:2], params.MainNet.PubKeyHashPrefix[:])
		b.revertsWith(fmt.Sprintf("BelowBurnMinimum(%d, %d)", uint64(minBurn-1), uint64(minBurn)),
			try(b.Bridge.Burn(b.Transactor(b.holder), minBurn-1, foreign)))
		b.revertsWith(fmt.Sprintf("BadAddressPrefix(0x%x)", params.MainNet.PubKeyHashPrefix[:]),
			try(b.Bridge.Burn(b.Transactor(b.holder), minBurn, foreign)))
		stranger := b.relayer
		b.revertsWith(fmt.Sprintf("BelowBurnMinimum(%d, %d)", uint64(minBurn-1), uint64(minBurn)),
			try(b.Bridge.Burn(b.Transactor(stranger), minBurn-1, dest)))
		b.reverts("ERC20InsufficientBalance", try(b.Bridge.Burn(b.Transactor(stranger), minBurn, dest)))
		unchanged(t, 1, minBurn, bal)
	})

	t.Run("the next burn of the minimum gets nonce 1", func(t *testing.T) { burnAt(t, 1) })

	if got := view(b.Bridge.TotalBurned(opts)).get(t); got != 2*minBurn {
		t.Fatalf("totalBurned %d, want two minimum burns %d", got, uint64(2*minBurn))
	}
	if s := b.supply(); s != funding.v-2*minBurn {
		t.Fatalf("supply %d, want %d", s, funding.v-2*minBurn)
	}
}
