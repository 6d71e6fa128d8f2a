package evm_test

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/contracts/evm"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
)

// batchOf returns the locks as batch items in ascending MintAuth digest
// order, as every relayer orders them, and their digests.
func (b *bridge) batchOf(ls ...lock) ([]evm.FluxBridgeMintItem, [][32]byte) {
	slices.SortFunc(ls, func(x, y lock) int { dx, dy := b.digest(x), b.digest(y); return bytes.Compare(dx[:], dy[:]) })
	items := make([]evm.FluxBridgeMintItem, len(ls))
	ds := make([][32]byte, len(ls))
	for i, l := range ls {
		items[i] = evm.FluxBridgeMintItem{Txid: l.txid, Vout: l.vout, V: l.v, Recipient: l.recipient}
		ds[i] = b.digest(l)
	}
	return items, ds
}

// batchDigest is chains.BatchDigest of digests on this bridge.
func (b *bridge) batchDigest(ds [][32]byte) [32]byte {
	return chains.BatchDigest(chains.ID(b.ChainID.Uint64()), b.BridgeAddr, ds)
}

// signBatch returns the signatures of signer indices over the batch digest.
func (b *bridge) signBatch(ds [][32]byte, signers ...int) []byte {
	return b.Sign(b.batchDigest(ds), signers...)
}

// mintBatch submits items with sigs from the relayer account.
func (b *bridge) mintBatch(items []evm.FluxBridgeMintItem, sigs []byte) attempt {
	return try(b.Bridge.MintBatch(b.Transactor(b.relayer), items, sigs))
}

// minted returns the Minted events of a receipt by lock id.
func (b *bridge) mintedEvents(logs []*evm.FluxBridgeMinted) map[common.Hash]*evm.FluxBridgeMinted {
	out := map[common.Hash]*evm.FluxBridgeMinted{}
	for _, ev := range logs {
		out[ev.LockId] = ev
	}
	return out
}

// mustMintBatch mines a batch that must succeed and returns its Minted events.
func (b *bridge) mustMintBatch(items []evm.FluxBridgeMintItem, sigs []byte) ([]*evm.FluxBridgeMinted, uint64) {
	b.t.Helper()
	rc := b.send(b.mintBatch(items, sigs))
	var evs []*evm.FluxBridgeMinted
	for _, lg := range rc.Logs {
		if ev, err := b.Bridge.ParseMinted(*lg); err == nil {
			evs = append(evs, ev)
		}
	}
	return evs, rc.GasUsed
}

func TestBatchDigestMatchesDesign(t *testing.T) {
	b := quorumBridge(t)
	_, ds := b.batchOf(newLock("bd/0", 0, 10*flux, b.holderAddr()), newLock("bd/1", 1, 20*flux, b.holderAddr()))
	if got := view(b.Bridge.BatchDigest(opts, ds)).get(t); got != b.batchDigest(ds) {
		t.Fatalf("batchDigest %x, chains.BatchDigest %x", got, b.batchDigest(ds))
	}
}

func TestMintBatch(t *testing.T) {
	b := quorumBridge(t)
	to := b.holderAddr()
	n := 0
	fresh := func(v uint64) lock { n++; return newLock(fmt.Sprint("batch/", n), uint32(n%3), v, to) }

	t.Run("one quorum mints every lock of the batch", func(t *testing.T) {
		b := b.with(t)
		before := b.balance(to)
		ls := []lock{fresh(10 * flux), fresh(20 * flux), fresh(30 * flux)}
		items, ds := b.batchOf(ls...)
		evs, _ := b.mustMintBatch(items, b.signBatch(ds, 0, 1, 3))
		if len(evs) != 3 {
			t.Fatalf("%d Minted events, want 3", len(evs))
		}
		for _, ev := range evs {
			if ev.SetId != 1 || ev.SignerBitmap.Int64() != 0b1011 || ev.Remaining != 0 {
				t.Fatalf("Minted %+v: want set 1, bitmap 1011, nothing remaining", ev)
			}
		}
		if got := b.balance(to) - before; got != 60*flux {
			t.Fatalf("the batch minted %d, want %d", got, uint64(60*flux))
		}
		for _, l := range ls {
			if used, _, _ := b.lockState(l); !used {
				t.Fatalf("lock %x not used after the batch", l.txid[:4])
			}
		}
	})
	t.Run("a lock minted alone before is skipped, the rest minted", func(t *testing.T) {
		b := b.with(t)
		done, l1, l2 := fresh(10*flux), fresh(20*flux), fresh(30*flux)
		b.mustMint(done, b.quorum(done))
		before := b.balance(to)
		items, ds := b.batchOf(done, l1, l2)
		evs, _ := b.mustMintBatch(items, b.signBatch(ds, 0, 1, 2))
		if len(evs) != 2 || b.balance(to)-before != 50*flux {
			t.Fatalf("%d events, %d minted; want 2 and %d", len(evs), b.balance(to)-before, uint64(50*flux))
		}
		if _, ok := b.mintedEvents(evs)[view(b.Bridge.LockId(opts, done.txid, done.vout)).get(t)]; ok {
			t.Fatal("the lock minted before was minted again")
		}
	})
	t.Run("a lock minted before is skipped before its item's value is checked", func(t *testing.T) {
		// As mint checks "lock used" before the minimum: an item naming a
		// used lock with a value below the minimum is skipped, not refused.
		b := b.with(t)
		done, l1 := fresh(10*flux), fresh(20*flux)
		b.mustMint(done, b.quorum(done))
		small := done
		small.v = 1
		items, ds := b.batchOf(small, l1)
		evs, _ := b.mustMintBatch(items, b.signBatch(ds, 0, 1, 2))
		if len(evs) != 1 || evs[0].Amount != l1.v {
			t.Fatalf("%d events; want one, of lock %x's %d", len(evs), l1.txid[:4], l1.v)
		}
	})
	t.Run("a lock in two batches is minted once", func(t *testing.T) {
		b := b.with(t)
		shared, l1, l2 := fresh(10*flux), fresh(20*flux), fresh(30*flux)
		items1, ds1 := b.batchOf(shared, l1)
		b.mustMintBatch(items1, b.signBatch(ds1, 0, 1, 2))
		before := b.balance(to)
		items2, ds2 := b.batchOf(shared, l2)
		evs, _ := b.mustMintBatch(items2, b.signBatch(ds2, 0, 1, 2))
		if len(evs) != 1 || b.balance(to)-before != 30*flux {
			t.Fatalf("second batch: %d events, %d minted; want 1 and %d", len(evs), b.balance(to)-before, uint64(30*flux))
		}
		// The same batch again mints nothing and does not revert.
		evs, _ = b.mustMintBatch(items2, b.signBatch(ds2, 0, 1, 2))
		if len(evs) != 0 {
			t.Fatalf("a replayed batch minted %d locks", len(evs))
		}
	})
	t.Run("a lock's per-lock signatures mint it after a batch skipped nothing of it", func(t *testing.T) {
		b := b.with(t)
		l1, l2 := fresh(10*flux), fresh(20*flux)
		items, ds := b.batchOf(l1, l2)
		b.mustMintBatch(items, b.signBatch(ds, 0, 1, 2))
		b.reverts("LockUsed", b.mint(l1, b.quorum(l1)))
	})
}

// Every attack on the single path's signatures, on the batch path.
func TestMintBatchRefuses(t *testing.T) {
	b := quorumBridge(t)
	to := b.holderAddr()
	l1, l2, l3 := newLock("bad/1", 0, 10*flux, to), newLock("bad/2", 0, 20*flux, to), newLock("bad/3", 0, 30*flux, to)
	items, ds := b.batchOf(l1, l2, l3)
	good := b.signBatch(ds, 0, 1, 2)
	reversed := slices.Clone(items)
	slices.Reverse(reversed)
	dup := []evm.FluxBridgeMintItem{items[0], items[0]}
	_, dupDs := b.batchOf(l1, l1)
	outsider := evmsim.Key("outsider")
	other, otherDs := b.batchOf(l1, l2)
	many := make([]evm.FluxBridgeMintItem, 257)
	for i := range many {
		many[i] = evm.FluxBridgeMintItem{Txid: [32]byte{byte(i), byte(i >> 8)}, V: 10 * flux, Recipient: pad(to)}
	}
	// The same batch signed for another chain id and for another bridge.
	otherChain := b.Sign(chains.BatchDigest(chains.ID(b.ChainID.Uint64()+1), b.BridgeAddr, ds), 0, 1, 2)
	otherBridge := b.Sign(chains.BatchDigest(chains.ID(b.ChainID.Uint64()), common.Address{0x42}, ds), 0, 1, 2)
	// The per-lock MintAuth of the first item, as if it were the batch's.
	perLock := b.sign(l1, 0, 1, 2)
	sig := func(i int) []byte { return sigAt(good, i) }
	for _, tc := range []struct {
		name  string
		items []evm.FluxBridgeMintItem
		sigs  []byte
		want  []string
	}{
		{"no items", nil, good, []string{"BadBatch"}},
		{"more than MAX_BATCH items", many, good, []string{"BadBatch"}},
		{"items not in digest order", reversed, good, []string{"UnsortedBatch"}},
		{"a lock twice", dup, b.signBatch(dupDs, 0, 1, 2), []string{"UnsortedBatch"}},
		{"below the threshold", items, b.signBatch(ds, 0, 1), []string{"InsufficientSignatures"}},
		{"a signer twice", items, concat(sig(0), sig(0), sig(1)), []string{"UnsortedSigners"}},
		{"signers not ascending", items, concat(sig(1), sig(0), sig(2)), []string{"UnsortedSigners"}},
		{"an outsider among them", items, concat(good, evmsim.SignWith(b.batchDigest(ds), outsider)), []string{"UnknownSigner", "UnsortedSigners"}},
		{"a malleated (high-S) signature", items, concat(malleate(sig(0)), sig(1), sig(2)), []string{"HighS"}},
		{"signatures of another list", items, b.signBatch(otherDs, 0, 1, 2), []string{"UnknownSigner", "UnsortedSigners", "BadSignature"}},
		{"another list with these signatures", other, good, []string{"UnknownSigner", "UnsortedSigners", "BadSignature"}},
		{"signed for another chain", items, otherChain, []string{"UnknownSigner", "UnsortedSigners", "BadSignature"}},
		{"signed for another bridge", items, otherBridge, []string{"UnknownSigner", "UnsortedSigners", "BadSignature"}},
		{"a per-lock MintAuth quorum", items, perLock, []string{"UnknownSigner", "UnsortedSigners", "BadSignature"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := b.with(t)
			b.revertsOneOf(tc.want, b.mintBatch(tc.items, tc.sigs))
		})
	}
	t.Run("a lock below the minimum reverts the batch", func(t *testing.T) {
		b := b.with(t)
		small := newLock("bad/small", 0, 1, to)
		items, ds := b.batchOf(l1, small)
		b.reverts("BelowMinimum", b.mintBatch(items, b.signBatch(ds, 0, 1, 2)))
	})
	t.Run("paused", func(t *testing.T) {
		b := b.with(t)
		b.pause(0)
		b.reverts("Paused", b.mintBatch(items, good))
	})
	// Nothing above minted anything.
	for _, l := range []lock{l1, l2, l3} {
		if _, started, _ := b.lockState(l); started {
			t.Fatalf("lock %x started after refused batches", l.txid[:4])
		}
	}
}

// Mixed sets, and the previous set within and after its grace period.
func TestMintBatchAcrossARotation(t *testing.T) {
	b := quorumBridge(t)
	to := b.holderAddr()
	newKeys := secondSet(b)
	set2 := signers(newKeys)
	b.send(b.rotate(set2, 2, b.rotationSigs(set2, 2, b.SignerKeys[0], b.SignerKeys[1], b.SignerKeys[2])))
	l1, l2 := newLock("rot/1", 0, 10*flux, to), newLock("rot/2", 0, 20*flux, to)
	items, ds := b.batchOf(l1, l2)
	d := b.batchDigest(ds)
	// newKeys holds old signer 3; the other two are new. One old signer
	// that left and one new key are a quorum of neither set.
	var newOnly []*ecdsa.PrivateKey
	for _, k := range newKeys {
		if addr(k) != addr(b.SignerKeys[3]) {
			newOnly = append(newOnly, k)
		}
	}
	b.revertsOneOf([]string{"UnknownSigner", "InsufficientSignatures"}, b.mintBatch(items, evmsim.SignWith(d, b.SignerKeys[0], newOnly[0])))
	// The old set within its grace period.
	evs, _ := b.with(t).mustMintBatch(items, b.Sign(d, 0, 1, 2))
	if len(evs) != 2 || evs[0].SetId != 1 {
		t.Fatalf("old set within grace: %d events (set %d), want 2 of set 1", len(evs), evs[0].SetId)
	}
	// After it, only the new set.
	l3, l4 := newLock("rot/3", 0, 10*flux, to), newLock("rot/4", 0, 20*flux, to)
	items, ds = b.batchOf(l3, l4)
	d = b.batchDigest(ds)
	b.advance(time.Duration(view(b.Bridge.GraceSeconds(opts)).get(t)+1) * time.Second)
	b.revertsOneOf([]string{"UnknownSigner", "InsufficientSignatures"}, b.mintBatch(items, b.Sign(d, 0, 1, 2)))
	evs, _ = b.mustMintBatch(items, evmsim.SignWith(d, newOnly...))
	if len(evs) != 2 || evs[0].SetId != 2 {
		t.Fatalf("new set: %d events, want 2 of set 2", len(evs))
	}
}

// Instalments: a batch mints what the rate limit leaves, and a later batch
// continues the started lock without a second fee.
func TestMintBatchInstalments(t *testing.T) {
	const rate = 100 * flux
	b := newBridge(t, evmsim.Config{Signers: 4, Threshold: 3, RateLimit: rate, MintFee: flux})
	to := b.holderAddr()
	big, small := newLock("inst/big", 0, 150*flux, to), newLock("inst/small", 0, 20*flux, to)
	items, ds := b.batchOf(big, small)
	sigs := b.signBatch(ds, 0, 1, 2)
	evs, _ := b.mustMintBatch(items, sigs)
	total := uint64(0)
	for _, ev := range evs {
		total += ev.Amount
	}
	if total != rate {
		t.Fatalf("the first batch minted %d, want the whole bucket %d", total, uint64(rate))
	}
	if got := view(b.Bridge.Bucket(opts)).get(t); got != rate {
		t.Fatalf("bucket %d, want %d", got, uint64(rate))
	}
	// A day later the rest fits: each lock completes, fees taken once each.
	b.advance(24 * time.Hour)
	b.mustMintBatch(items, sigs)
	for _, l := range []lock{big, small} {
		if used, _, remaining := b.lockState(l); !used || remaining != 0 {
			t.Fatalf("lock %x: used %v, remaining %d after the second day", l.txid[:4], used, remaining)
		}
	}
	if got, want := b.balance(to), uint64(170*flux-2*flux); got != want {
		t.Fatalf("minted %d in all, want %d (two fees of 1 FLUX)", got, want)
	}
	if got := view(b.Bridge.TotalFees(opts)).get(t); got != 2*flux {
		t.Fatalf("totalFees %d, want %d", got, uint64(2*flux))
	}
	if got := view(b.Bridge.TotalMinted(opts)).get(t); got != 168*flux {
		t.Fatalf("totalMinted %d, want %d", got, uint64(168*flux))
	}
}

// With the cap reached a batch skips every lock and does not revert; the
// locks stay unstarted (no fee taken) for a later mint.
func TestMintBatchSkipsWithoutRoom(t *testing.T) {
	b := newBridge(t, evmsim.Config{Signers: 4, Threshold: 3, Cap: 30 * flux})
	to := b.holderAddr()
	first := newLock("room/first", 0, 30*flux, to)
	b.mustMint(first, b.quorum(first))
	l1, l2 := newLock("room/1", 0, 10*flux, to), newLock("room/2", 0, 20*flux, to)
	items, ds := b.batchOf(l1, l2)
	if evs, _ := b.mustMintBatch(items, b.signBatch(ds, 0, 1, 2)); len(evs) != 0 {
		t.Fatalf("a batch at the cap minted %d locks", len(evs))
	}
	for _, l := range []lock{l1, l2} {
		if _, started, _ := b.lockState(l); started {
			t.Fatalf("lock %x started without room", l.txid[:4])
		}
	}
	b.reverts("CapReached", b.mint(l1, b.quorum(l1)))
}

// The cap holds within one batch: the lock that would cross it mints only
// what is left (an instalment) and the supply ends exactly at the cap.
func TestMintBatchStopsAtTheCap(t *testing.T) {
	b := newBridge(t, evmsim.Config{Signers: 4, Threshold: 3, Cap: 30 * flux})
	to := b.holderAddr()
	items, ds := b.batchOf(newLock("cap/1", 0, 10*flux, to), newLock("cap/2", 0, 15*flux, to), newLock("cap/3", 0, 10*flux, to))
	evs, _ := b.mustMintBatch(items, b.signBatch(ds, 0, 1, 2))
	var total, remaining uint64
	for _, ev := range evs {
		total += ev.Amount
		remaining += ev.Remaining
	}
	if total != 30*flux || remaining != 5*flux || b.supply() != 30*flux {
		t.Fatalf("minted %d with %d remaining, supply %d; want %d, %d and the cap", total, remaining, b.supply(), uint64(30*flux), uint64(5*flux))
	}
}

// The token mints for a whole batch in one call after the last lock: each
// lock minted gets one Transfer from the zero address to its own recipient
// of what its Minted event says, in the order of the Minted events, which
// come first; a skipped lock gets neither. The batch mixes a lock minted
// before (skipped), locks taking the fee, a lock that only the cap's
// remainder fits (an instalment) and one after it without room (skipped),
// each to another recipient. Whatever the digest order, the cap is crossed
// by the third lock not minted before, so the fourth has no room.
func TestMintBatchMintsEachRecipient(t *testing.T) {
	const fee, capacity = flux, 100 * flux
	b := newBridge(t, evmsim.Config{Signers: 4, Threshold: 3, MintFee: fee, Cap: capacity})
	var ls []lock
	for i, v := range []uint64{30, 25, 40, 20, 35} {
		to := common.BigToAddress(big.NewInt(int64(0x2000 + i)))
		ls = append(ls, newLock(fmt.Sprint("each/", i), uint32(i), v*flux, to))
	}
	done := ls[2]
	b.mustMint(done, b.quorum(done)) // 39 FLUX to its recipient, 61 FLUX of room left
	items, ds := b.batchOf(ls...)

	// The model: in batch order, a used lock is skipped; the rest take
	// v − fee, or what is left of the cap.
	type want struct {
		id     common.Hash
		to     common.Address
		amount uint64
		left   uint64
	}
	var wants []want
	room := capacity - b.supply()
	for _, it := range items {
		u := min(it.V-fee, room)
		if it.Txid == done.txid || u == 0 {
			continue
		}
		room -= u
		id := crypto.Keccak256Hash(it.Txid[:], binary.BigEndian.AppendUint32(nil, it.Vout))
		wants = append(wants, want{id, common.BytesToAddress(it.Recipient[12:]), u, it.V - fee - u})
	}
	if room != 0 || len(wants) > 3 || wants[len(wants)-1].left == 0 {
		t.Fatalf("the batch is meant to end at the cap with an instalment and skip a lock after it: %+v", wants)
	}
	before := make(map[common.Address]uint64)
	for _, l := range ls {
		a := common.BytesToAddress(l.recipient[12:])
		before[a] = b.balance(a)
	}

	rc := b.send(b.mintBatch(items, b.signBatch(ds, 0, 1, 2)))
	var minted []*evm.FluxBridgeMinted
	var transfers []*evm.FluxTokenTransfer
	for _, lg := range rc.Logs {
		switch lg.Address {
		case b.BridgeAddr:
			ev, err := b.Bridge.ParseMinted(*lg)
			if err != nil {
				t.Fatalf("bridge log %d: %v", lg.Index, err)
			}
			if len(transfers) > 0 {
				t.Fatalf("Minted event (log %d) after a Transfer", lg.Index)
			}
			minted = append(minted, ev)
		case b.TokenAddr:
			ev, err := b.Token.ParseTransfer(*lg)
			if err != nil {
				t.Fatalf("token log %d: %v", lg.Index, err)
			}
			transfers = append(transfers, ev)
		default:
			t.Fatalf("log %d from %s", lg.Index, lg.Address)
		}
	}
	if len(minted) != len(wants) || len(transfers) != len(wants) {
		t.Fatalf("%d Minted and %d Transfer events, want %d of each", len(minted), len(transfers), len(wants))
	}
	for i, w := range wants {
		m, tr := minted[i], transfers[i]
		if common.Hash(m.LockId) != w.id || m.Recipient != w.to || m.Amount != w.amount || m.Fee != fee || m.Remaining != w.left {
			t.Errorf("Minted %d: lock %x to %s, %d (fee %d, %d left); want lock %x to %s, %d (fee %d, %d left)",
				i, m.LockId[:4], m.Recipient, m.Amount, m.Fee, m.Remaining, w.id[:4], w.to, w.amount, uint64(fee), w.left)
		}
		if tr.From != (common.Address{}) || tr.To != w.to || !tr.Value.IsUint64() || tr.Value.Uint64() != w.amount {
			t.Errorf("Transfer %d: %s → %s, %s; want a mint to %s of %d", i, tr.From, tr.To, tr.Value, w.to, w.amount)
		}
		if got := b.balance(w.to) - before[w.to]; got != w.amount {
			t.Errorf("recipient %s received %d, want %d", w.to, got, w.amount)
		}
	}
	if got := b.balance(common.BytesToAddress(done.recipient[12:])); got != before[common.BytesToAddress(done.recipient[12:])] {
		t.Errorf("the lock minted before was paid again: balance %d", got)
	}
	if got := b.supply(); got != capacity {
		t.Errorf("supply %d, want the cap %d", got, uint64(capacity))
	}
}
