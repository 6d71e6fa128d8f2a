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
	t.Run("a renewed pause voids the unpause gathered for the running one", func(t *testing.T) {
		b := b.with(t)
		gathered := b.Sign(b.unpauseDigest(), 0, 1, 2)
		b.advance(time.Hour)
		b.pause(2) // still paused: this only renews the pause
		reordered, _ := sortByRecovered(t, b.unpauseDigest(), gathered)
		b.reverts("UnknownSigner", b.unpause(reordered))
		b.send(b.unpause(b.Sign(b.unpauseDigest(), 0, 1, 2)))
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

	t.Run("zero amount", func(t *testing.T) {
		b := b.with(t)
		b.revertsWith("ZeroAmount()", holderBurn(0, b.burnAddr(false, 1)))
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
		burnOK(t, 1, withPrefix(params.SimNet.ScriptHashPrefix))
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
		if !one.Next() || one.Event.Nonce != 1 || one.Event.Amount != 1 || one.Next() {
			t.Fatalf("FilterBurn by nonce 1 did not return exactly burn 1")
		}
	})
	t.Run("burning beyond the balance reverts and consumes no nonce", func(t *testing.T) {
		b := b.with(t)
		bal := b.balance(to)
		b.revertsWith(fmt.Sprintf("ERC20InsufficientBalance(%s, %d, %d)", to.Hex(), bal, bal+1), holderBurn(bal+1, b.burnAddr(true, 3)))
		stranger := b.relayer
		b.reverts("ERC20InsufficientBalance", try(b.Bridge.Burn(b.Transactor(stranger), 1, b.burnAddr(false, 3))))
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
