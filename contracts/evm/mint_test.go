package evm_test

import (
	"bytes"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
)

// quorumBridge is a 3-of-4 bridge, the launch configuration.
func quorumBridge(t *testing.T) *bridge {
	t.Helper()
	return newBridge(t, evmsim.Config{Signers: 4, Threshold: 3})
}

// sigAt is the i-th 65-byte signature of packed sigs.
func sigAt(sigs []byte, i int) []byte { return sigs[65*i : 65*i+65] }

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestMintDigestMatchesDesign(t *testing.T) {
	b := quorumBridge(t)
	l := newLock("digest", 7, 123*flux, b.holderAddr())
	got := view(b.Bridge.MintDigest(opts, l.txid, l.vout, l.v, l.recipient)).get(t)
	if got != b.digest(l) {
		t.Fatalf("mintDigest %x, DESIGN §3 digest %x", got, b.digest(l))
	}
	id := view(b.Bridge.LockId(opts, l.txid, l.vout)).get(t)
	want := crypto.Keccak256Hash(l.txid[:], []byte{0, 0, 0, 7})
	if id != want {
		t.Fatalf("lockId %x, want keccak256(txid ‖ uint32 vout) %x", id, want)
	}
}

func TestQuorum(t *testing.T) {
	b := quorumBridge(t)
	outsider := evmsim.Key("outsider")
	n := 0
	fresh := func() lock { n++; return newLock(fmt.Sprint("quorum/", n), 0, 50*flux, b.holderAddr()) }

	t.Run("k valid sorted signatures mint", func(t *testing.T) {
		b := b.with(t)
		l := fresh()
		ev := b.mustMint(l, b.sign(l, 0, 2, 3))
		if ev.Amount != l.v || ev.SetId != 1 || ev.SignerBitmap.Cmp(big.NewInt(0b1101)) != 0 {
			t.Fatalf("Minted amount %d set %d bitmap %b, want %d, 1, 1101", ev.Amount, ev.SetId, ev.SignerBitmap, l.v)
		}
		if got := b.balance(b.holderAddr()); got != l.v {
			t.Fatalf("balance %d, want %d", got, l.v)
		}
	})
	t.Run("all n signatures mint", func(t *testing.T) {
		b := b.with(t)
		l := fresh()
		if ev := b.mustMint(l, b.sign(l, 0, 1, 2, 3)); ev.SignerBitmap.Cmp(big.NewInt(0b1111)) != 0 {
			t.Fatalf("bitmap %b, want 1111", ev.SignerBitmap)
		}
	})

	cases := []struct {
		name string
		sigs func(l lock) []byte
		want string // revert name, or Name(args) when it starts with "="
	}{
		{"k-1 signatures are insufficient", func(l lock) []byte { return b.sign(l, 0, 1) }, "=InsufficientSignatures(2, 3)"},
		{"one signature is insufficient", func(l lock) []byte { return b.sign(l, 3) }, "=InsufficientSignatures(1, 3)"},
		{"the same signature twice is a duplicate signer", func(l lock) []byte {
			s := b.sign(l, 0, 1)
			return concat(sigAt(s, 0), sigAt(s, 0), sigAt(s, 1))
		}, "=UnsortedSigners(1)"},
		{"a duplicate at the end", func(l lock) []byte {
			s := b.sign(l, 0, 1)
			return concat(s, sigAt(s, 1))
		}, "=UnsortedSigners(2)"},
		{"descending order is unsorted", func(l lock) []byte {
			s := b.sign(l, 0, 1, 2)
			return concat(sigAt(s, 2), sigAt(s, 1), sigAt(s, 0))
		}, "=UnsortedSigners(1)"},
		{"one swapped pair is unsorted", func(l lock) []byte {
			s := b.sign(l, 0, 1, 2)
			return concat(sigAt(s, 0), sigAt(s, 2), sigAt(s, 1))
		}, "=UnsortedSigners(2)"},
		{"a non-member signature", func(l lock) []byte {
			return evmsim.SignWith(b.digest(l), b.SignerKeys[0], b.SignerKeys[1], b.SignerKeys[2], outsider)
		}, fmt.Sprintf("=UnknownSigner(%s)", addr(outsider))},
		{"k signatures of non-members", func(l lock) []byte {
			return evmsim.SignWith(b.digest(l), sortedKeys("strangers", 3)...)
		}, fmt.Sprintf("=UnknownSigner(%s)", addr(sortedKeys("strangers", 3)[0]))},
		{"a signature over another digest recovers to a stranger", func(l lock) []byte {
			other := newLock("other", 0, l.v, b.holderAddr())
			sigs, _ := sortByRecovered(t, b.digest(l), b.sign(other, 0, 1, 2))
			return sigs
		}, "UnknownSigner"},
		{"high s is malleable", func(l lock) []byte {
			s := b.sign(l, 0, 1, 2)
			return concat(sigAt(s, 0), malleate(sigAt(s, 1)), sigAt(s, 2))
		}, "=HighS(1)"},
		{"high s on the first signature", func(l lock) []byte {
			s := b.sign(l, 0, 1, 2)
			return concat(malleate(sigAt(s, 0)), sigAt(s, 1), sigAt(s, 2))
		}, "=HighS(0)"},
		{"v = 29", func(l lock) []byte {
			s := b.sign(l, 0, 1, 2)
			s[65*2+64] = 29
			return s
		}, "=BadV(2)"},
		{"v = 0", func(l lock) []byte {
			s := b.sign(l, 0, 1, 2)
			s[64] = 0
			return s
		}, "=BadV(0)"},
		{"v = 1 (raw recovery id)", func(l lock) []byte {
			s := b.sign(l, 0, 1, 2)
			s[65+64] -= 27
			return s
		}, "=BadV(1)"},
		{"empty signatures", func(lock) []byte { return nil }, "=BadSignatureLength(0)"},
		{"64 bytes", func(l lock) []byte { return b.sign(l, 0)[:64] }, "=BadSignatureLength(64)"},
		{"one byte too many", func(l lock) []byte { return append(b.sign(l, 0, 1, 2), 0) }, "=BadSignatureLength(196)"},
		{"one byte short", func(l lock) []byte { return b.sign(l, 0, 1, 2)[:194] }, "=BadSignatureLength(194)"},
		{"more than 64 signatures", func(l lock) []byte {
			return bytes.Repeat(b.sign(l, 0), 65)
		}, "=BadSignatureLength(4225)"},
		{"r = 0 recovers nothing", func(l lock) []byte {
			s := b.sign(l, 0, 1, 2)
			clear(s[65 : 65+32])
			return s
		}, "=BadSignature(1)"},
		{"all zero", func(lock) []byte {
			s := make([]byte, 65)
			s[64] = 27
			return s
		}, "=BadSignature(0)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := fresh()
			b := b.with(t)
			res := b.mint(l, tc.sigs(l))
			if tc.want[0] == '=' {
				b.revertsWith(tc.want[1:], res)
			} else {
				b.reverts(tc.want, res)
			}
			if used, started, _ := b.lockState(l); used || started {
				t.Fatalf("a refused mint touched the lock: used %v started %v", used, started)
			}
		})
	}

	// The malleated twin recovers to the same signer: HighS is what stops
	// it, not a failed recovery.
	t.Run("the high-s twin recovers to the same signer", func(t *testing.T) {
		b := b.with(t)
		l := fresh()
		sig := b.sign(l, 1)
		d := b.digest(l)
		twin := malleate(sig)
		twin[64] -= 27
		pub, err := crypto.SigToPub(d[:], twin)
		if err != nil {
			t.Fatalf("recover the twin: %v", err)
		}
		if got := crypto.PubkeyToAddress(*pub); got != addr(b.SignerKeys[1]) {
			t.Fatalf("twin recovers to %s, want signer %s", got, addr(b.SignerKeys[1]))
		}
	})
}

func TestReplay(t *testing.T) {
	b := quorumBridge(t)

	t.Run("a MintAuth for chain id 1 is rejected", func(t *testing.T) {
		b := b.with(t)
		l := newLock("replay/chain", 0, 20*flux, b.holderAddr())
		foreign := evmsim.MintDigest(1, b.BridgeAddr, l.txid, l.vout, l.v, l.recipient)
		sigs, recovered := sortByRecovered(t, b.digest(l), b.Sign(foreign, 0, 1, 2))
		b.revertsWith(fmt.Sprintf("UnknownSigner(%s)", recovered[0]), b.mint(l, sigs))
		// The same signers over this chain's digest mint: only the chain id differed.
		b.mustMint(l, b.sign(l, 0, 1, 2))
	})

	t.Run("signatures for bridge A are rejected by bridge B on the same chain", func(t *testing.T) {
		b := b.with(t)
		addrB, bridgeB, _ := b.deploy(b.validDeployment())
		l := newLock("replay/bridge", 0, 20*flux, b.holderAddr())
		sigsA := b.sign(l, 0, 1, 2)
		digestB := evmsim.MintDigest(b.ChainID.Uint64(), addrB, l.txid, l.vout, l.v, l.recipient)
		if got := view(bridgeB.MintDigest(opts, l.txid, l.vout, l.v, l.recipient)).get(t); got != digestB {
			t.Fatalf("bridge B digest %x, want %x", got, digestB)
		}
		replayed, recovered := sortByRecovered(t, digestB, sigsA)
		b.revertsWith(fmt.Sprintf("UnknownSigner(%s)", recovered[0]),
			try(bridgeB.Mint(b.Transactor(b.relayer), l.txid, l.vout, l.v, l.recipient, replayed)))
		b.revertsOneOf([]string{"UnknownSigner", "UnsortedSigners"},
			try(bridgeB.Mint(b.Transactor(b.relayer), l.txid, l.vout, l.v, l.recipient, sigsA)))
		// A's own signatures still mint on A, and B's on B.
		b.mustMint(l, sigsA)
		b.send(try(bridgeB.Mint(b.Transactor(b.relayer), l.txid, l.vout, l.v, l.recipient, b.Sign(digestB, 0, 1, 2))))
	})
}

func TestLockReuse(t *testing.T) {
	b := quorumBridge(t)
	l := newLock("reuse", 0, 30*flux, b.holderAddr())
	b.mustMint(l, b.quorum(l))
	if used, started, remaining := b.lockState(l); !used || !started || remaining != 0 {
		t.Fatalf("lock state used %v started %v remaining %d, want fully used", used, started, remaining)
	}
	id := view(b.Bridge.LockId(opts, l.txid, l.vout)).get(t)

	t.Run("a fully minted lock is used", func(t *testing.T) {
		b := b.with(t)
		b.revertsWith(fmt.Sprintf("LockUsed(%s)", common.Hash(id).Hex()), b.mint(l, b.quorum(l)))
	})
	t.Run("other signers do not revive it", func(t *testing.T) {
		b := b.with(t)
		b.reverts("LockUsed", b.mint(l, b.sign(l, 1, 2, 3)))
	})
	t.Run("another value for the same lock is the same lock", func(t *testing.T) {
		b := b.with(t)
		bigger := l
		bigger.v = 1000 * flux
		b.reverts("LockUsed", b.mint(bigger, b.quorum(bigger)))
	})
	t.Run("another recipient for the same lock is the same lock", func(t *testing.T) {
		b := b.with(t)
		moved := l
		moved.recipient = pad(addr(b.relayer))
		b.reverts("LockUsed", b.mint(moved, b.quorum(moved)))
	})
	t.Run("the same txid with another vout is another lock", func(t *testing.T) {
		b := b.with(t)
		other := l
		other.vout = 1
		if ev := b.mustMint(other, b.quorum(other)); ev.Amount != other.v || ev.Vout != 1 {
			t.Fatalf("Minted amount %d vout %d, want %d, 1", ev.Amount, ev.Vout, other.v)
		}
		if got := b.balance(b.holderAddr()); got != 2*l.v {
			t.Fatalf("balance %d, want %d", got, 2*l.v)
		}
	})
}

func TestMintValueRules(t *testing.T) {
	const minLock, fee = 5 * flux, 2 * flux
	b := newBridge(t, evmsim.Config{Signers: 4, Threshold: 3, MinLock: minLock, MintFee: fee})
	to := b.holderAddr()
	highBits := pad(to)
	highBits[0] = 1
	highest := pad(to)
	highest[11] = 0x80

	cases := []struct {
		name string
		l    lock
		want string
	}{
		{"below the minimum", newLock("min/1", 0, minLock-1, to), fmt.Sprintf("BelowMinimum(%d, %d)", uint64(minLock-1), uint64(minLock))},
		{"zero value", newLock("min/0", 0, 0, to), fmt.Sprintf("BelowMinimum(0, %d)", uint64(minLock))},
		{"zero recipient", lock{txid: [32]byte{1}, v: 10 * flux}, "BadRecipient(0x0000000000000000000000000000000000000000000000000000000000000000)"},
		{"recipient with a high byte set", lock{txid: [32]byte{2}, v: 10 * flux, recipient: highBits}, "BadRecipient(" + common.Hash(highBits).Hex() + ")"},
		{"recipient with byte 11 set", lock{txid: [32]byte{3}, v: 10 * flux, recipient: highest}, "BadRecipient(" + common.Hash(highest).Hex() + ")"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := b.with(t)
			b.revertsWith(tc.want, b.mint(tc.l, b.quorum(tc.l)))
		})
	}

	t.Run("at the minimum mints minus the fee", func(t *testing.T) {
		b := b.with(t)
		l := newLock("min/exact", 0, minLock, to)
		ev := b.mustMint(l, b.quorum(l))
		if ev.Amount != minLock-fee || ev.Fee != fee || ev.Remaining != 0 {
			t.Fatalf("Minted amount %d fee %d remaining %d, want %d, %d, 0", ev.Amount, ev.Fee, ev.Remaining, uint64(minLock-fee), uint64(fee))
		}
	})

	// The tightest deployment the constructor accepts: a minimum one zatoshi
	// above the fee. A value at the fee is below the minimum, so
	// FeeExceedsValue cannot fire, and a lock at the minimum mints one zatoshi.
	const tightFee = 3 * flux
	fb := newBridge(t, evmsim.Config{Signers: 4, Threshold: 3, MinLock: tightFee + 1, MintFee: tightFee})
	t.Run("a value equal to the fee is below the minimum", func(t *testing.T) {
		fb := fb.with(t)
		l := newLock("fee/equal", 0, tightFee, to)
		fb.revertsWith(fmt.Sprintf("BelowMinimum(%d, %d)", uint64(tightFee), uint64(tightFee+1)), fb.mint(l, fb.quorum(l)))
	})
	t.Run("a lock at the minimum mints one zatoshi", func(t *testing.T) {
		fb := fb.with(t)
		l := newLock("fee/above", 0, tightFee+1, to)
		ev := fb.mustMint(l, fb.quorum(l))
		if ev.Amount != 1 || ev.Fee != tightFee {
			t.Fatalf("Minted amount %d fee %d, want 1, %d", ev.Amount, ev.Fee, uint64(tightFee))
		}
		if got, want := fb.balance(to), uint64(1); got != want {
			t.Fatalf("recipient balance %d, want %d", got, want)
		}
		if got := view(fb.Bridge.TotalFees(opts)).get(t); got != tightFee {
			t.Fatalf("totalFees %d, want %d", got, uint64(tightFee))
		}
	})
}

func TestMintFeeDeductedOnce(t *testing.T) {
	const fee, rate = 2 * flux, 100 * flux
	b := newBridge(t, evmsim.Config{Signers: 4, Threshold: 3, MintFee: fee, RateLimit: rate})
	to := b.holderAddr()
	l := newLock("fee/once", 0, 250*flux, to)
	sigs := b.quorum(l)

	first := b.mustMint(l, sigs)
	if first.Fee != fee || first.Amount != rate || first.Remaining != 250*flux-fee-rate {
		t.Fatalf("first instalment amount %d fee %d remaining %d, want %d, %d, %d",
			first.Amount, first.Fee, first.Remaining, uint64(rate), uint64(fee), uint64(250*flux-fee-rate))
	}
	var minted, fees uint64 = first.Amount, first.Fee
	for i := 0; i < 3 && minted+fees < l.v; i++ {
		b.advance(24 * time.Hour)
		ev := b.mustMint(l, sigs)
		if ev.Fee != 0 {
			t.Fatalf("instalment %d charged fee %d again", i+2, ev.Fee)
		}
		minted += ev.Amount
		fees += ev.Fee
	}
	if minted != l.v-fee || fees != fee {
		t.Fatalf("minted %d and fees %d over the lock, want %d and %d", minted, fees, l.v-fee, uint64(fee))
	}
	if got := b.balance(to); got != l.v-fee {
		t.Fatalf("recipient holds %d, want v − fee = %d", got, l.v-fee)
	}
	if got := view(b.Bridge.TotalFees(opts)).get(t); got != fee {
		t.Fatalf("totalFees %d, want %d", got, uint64(fee))
	}
	if got := view(b.Bridge.TotalConsumed(opts)).get(t); got != l.v {
		t.Fatalf("totalConsumed %d, want the gross lock value %d", got, l.v)
	}
	b.reverts("LockUsed", b.mint(l, sigs))
}
