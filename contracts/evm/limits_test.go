package evm_test

import (
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
)

// window is the rate limit's 24 h window in seconds.
const window = 24 * 3600

// leak is how much of the bucket drains in dt seconds: rate·dt/24h, rounded down.
func leak(rate, dt uint64) uint64 {
	l := new(big.Int).Mul(new(big.Int).SetUint64(rate), new(big.Int).SetUint64(dt))
	return l.Div(l, big.NewInt(window)).Uint64()
}

// burnAddr is a FLUX address (prefix ‖ 20-byte hash) on b's network.
func (b *bridge) burnAddr(p2sh bool, hash byte) [22]byte {
	var a [22]byte
	p := b.Prefixes[0]
	if p2sh {
		p = b.Prefixes[1]
	}
	copy(a[:2], p[:])
	for i := 2; i < 22; i++ {
		a[i] = hash
	}
	return a
}

// burn burns amount of the holder's FLUX to a t1 address.
func (b *bridge) burn(amount uint64) attempt {
	return try(b.Bridge.Burn(b.Transactor(b.holder), amount, b.burnAddr(false, 0x11)))
}

// mintable reads mintableNow.
func (b *bridge) mintable() uint64 {
	b.t.Helper()
	return view(b.Bridge.MintableNow(opts)).get(b.t)
}

// TestCheckOrder follows alg:mint: pause, quorum, lock used, minimum, fee,
// recipient, rate limit, cap. Each case breaks two checks and expects the
// earlier one; its control breaks only the later one, to show that check
// would have fired. The fee check is not among them: the constructor keeps
// the fee below the minimum lock, so a value that passes the minimum exceeds
// the fee (TestMintValueRules, TestConstructor).
func TestCheckOrder(t *testing.T) {
	const minLock, fee, rate, capacity = 2 * flux, 1 * flux, 100 * flux, 100 * flux
	b := newBridge(t, evmsim.Config{Signers: 4, Threshold: 3, MinLock: minLock, MintFee: fee, RateLimit: rate, Cap: capacity})
	to := b.holderAddr()
	// Fill the bucket and the cap with one lock, fully minted.
	used := newLock("order/used", 0, rate+fee, to)
	if ev := b.mustMint(used, b.quorum(used)); ev.Remaining != 0 || ev.Amount != rate {
		t.Fatalf("setup mint: amount %d remaining %d", ev.Amount, ev.Remaining)
	}
	tiny := used
	tiny.v = 1
	fresh := func(label string, v uint64) lock { return newLock("order/"+label, 0, v, to) }
	zeroTo := func(l lock) lock { l.recipient = [32]byte{}; return l }

	cases := []struct {
		name           string
		both, control  func() attempt
		first, second  string
		pauseFirst     bool
		controlUnpause bool
	}{
		{
			name:  "bad signatures beat LockUsed",
			both:  func() attempt { return b.mint(used, b.sign(used, 0, 1)) },
			first: "InsufficientSignatures", control: func() attempt { return b.mint(used, b.quorum(used)) }, second: "LockUsed",
		},
		{
			name:  "LockUsed beats BelowMinimum",
			both:  func() attempt { return b.mint(tiny, b.quorum(tiny)) },
			first: "LockUsed", control: func() attempt { l := fresh("tiny", 1); return b.mint(l, b.quorum(l)) }, second: "BelowMinimum",
		},
		{
			name:  "BelowMinimum beats BadRecipient",
			both:  func() attempt { l := zeroTo(fresh("below0", minLock-1)); return b.mint(l, b.quorum(l)) },
			first: "BelowMinimum", control: func() attempt { l := zeroTo(fresh("ok0", 10*flux)); return b.mint(l, b.quorum(l)) }, second: "BadRecipient",
		},
		{
			name:  "BadRecipient beats RateLimited",
			both:  func() attempt { l := zeroTo(fresh("full0", 10*flux)); return b.mint(l, b.quorum(l)) },
			first: "BadRecipient", control: func() attempt { l := fresh("full", 10*flux); return b.mint(l, b.quorum(l)) }, second: "RateLimited",
		},
		{
			name: "RateLimited beats CapReached",
			// The bucket and the cap are both full: the rate limit is reported.
			both:  func() attempt { l := fresh("both", 10*flux); return b.mint(l, b.quorum(l)) },
			first: "RateLimited",
			// The control is TestCapBehindRateLimit: once the bucket drains, CapReached.
		},
		{
			name:       "paused beats bad signatures",
			pauseFirst: true,
			both:       func() attempt { l := fresh("paused", 10*flux); return b.mint(l, b.sign(l, 0)) },
			first:      "Paused",
			control:    func() attempt { l := fresh("paused", 10*flux); return b.mint(l, b.sign(l, 0)) }, second: "InsufficientSignatures",
			controlUnpause: true,
		},
		{
			name:       "paused beats LockUsed",
			pauseFirst: true,
			both:       func() attempt { return b.mint(used, b.quorum(used)) },
			first:      "Paused",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bt := b.with(t)
			if tc.pauseFirst && bt.pausedUntil() <= bt.now() {
				bt.send(try(b.Bridge.PauseMint(b.Transactor(b.SignerKeys[0]))))
			}
			bt.reverts(tc.first, tc.both())
			if tc.control == nil {
				return
			}
			if tc.controlUnpause {
				bt.send(try(b.Bridge.UnpauseMint(b.Transactor(b.relayer), b.Sign(view(b.Bridge.UnpauseDigest(opts)).get(t), seq(3)...))))
			}
			bt.reverts(tc.second, tc.control())
		})
	}
}

func TestRateLimitInstalments(t *testing.T) {
	const rate = 100 * flux
	b := newBridge(t, evmsim.Config{Signers: 4, Threshold: 3, RateLimit: rate})
	to := b.holderAddr()
	l := newLock("rate", 3, 250*flux, to)
	sigs := b.quorum(l)
	id := view(b.Bridge.LockId(opts, l.txid, l.vout)).get(t)

	if got := b.mintable(); got != rate {
		t.Fatalf("mintableNow before any mint %d, want the full rate %d", got, uint64(rate))
	}

	// First instalment: the whole bucket.
	rc := b.send(b.mint(l, sigs))
	t1 := b.blockTime(rc)
	ev, err := b.Bridge.ParseMinted(*rc.Logs[len(rc.Logs)-1])
	if err != nil {
		t.Fatalf("Minted event: %v", err)
	}
	want := struct {
		lockID                 common.Hash
		txid                   common.Hash
		vout                   uint32
		recipient              common.Address
		amount, fee, remaining uint64
		setID                  uint32
		bitmap                 int64
	}{id, l.txid, 3, to, rate, 0, 150 * flux, 1, 0b111}
	if common.Hash(ev.LockId) != want.lockID || common.Hash(ev.Txid) != want.txid || ev.Vout != want.vout ||
		ev.Recipient != want.recipient || ev.Amount != want.amount || ev.Fee != want.fee ||
		ev.Remaining != want.remaining || ev.SetId != want.setID || ev.SignerBitmap.Int64() != want.bitmap {
		t.Fatalf("Minted %+v, want %+v", ev, want)
	}
	if used, started, remaining := b.lockState(l); used || !started || remaining != 150*flux {
		t.Fatalf("after instalment 1: used %v started %v remaining %d, want false true %d", used, started, remaining, uint64(150*flux))
	}
	if got := view(b.Bridge.Bucket(opts)).get(t); got != rate {
		t.Fatalf("bucket %d, want full %d", got, uint64(rate))
	}
	if got := view(b.Bridge.BucketUpdatedAt(opts)).get(t); got != t1 {
		t.Fatalf("bucketUpdatedAt %d, want the mint's block time %d", got, t1)
	}
	if got := b.mintable(); got != 0 {
		t.Fatalf("mintableNow right after filling the bucket %d, want 0", got)
	}

	// Resubmitted at once (in the same block's state): nothing has drained.
	b.revertsWith("RateLimited(0)", b.mint(l, sigs))

	// 12 h later half the bucket has drained.
	b.advance(12 * time.Hour)
	if got, want := b.mintable(), leak(rate, b.now()-t1); got != want || want != 50*flux {
		t.Fatalf("mintableNow after 12 h %d, want %d (= 50 FLUX)", got, want)
	}
	rc = b.send(b.mint(l, sigs))
	t2 := b.blockTime(rc)
	ev, err = b.Bridge.ParseMinted(*rc.Logs[len(rc.Logs)-1])
	if err != nil {
		t.Fatalf("Minted event: %v", err)
	}
	second := leak(rate, t2-t1)
	if ev.Amount != second || ev.Fee != 0 || ev.Remaining != 150*flux-second {
		t.Fatalf("instalment 2 amount %d fee %d remaining %d, want %d (leak over %d s, rounded down), 0, %d",
			ev.Amount, ev.Fee, ev.Remaining, second, t2-t1, 150*flux-second)
	}
	if second < 50*flux || second > 50*flux+leak(rate, 5) {
		t.Fatalf("instalment 2 minted %d, want about 50 FLUX", second)
	}
	if got := b.mintable(); got != 0 {
		t.Fatalf("mintableNow after instalment 2 %d, want 0", got)
	}
	b.revertsWith("RateLimited(0)", b.mint(l, sigs))

	// 24 h later the bucket is empty again and the rest fits.
	b.advance(24 * time.Hour)
	if got := b.mintable(); got != rate {
		t.Fatalf("mintableNow after 24 h %d, want %d", got, uint64(rate))
	}
	rest := 150*flux - second
	last := b.mustMint(l, sigs)
	if last.Amount != rest || last.Remaining != 0 || last.Fee != 0 {
		t.Fatalf("last instalment amount %d remaining %d fee %d, want %d, 0, 0", last.Amount, last.Remaining, last.Fee, rest)
	}
	if used, started, remaining := b.lockState(l); !used || !started || remaining != 0 {
		t.Fatalf("after the last instalment: used %v started %v remaining %d", used, started, remaining)
	}
	if got := b.mintable(); got != rate-rest {
		t.Fatalf("mintableNow after the last instalment %d, want %d", got, rate-rest)
	}
	if got := b.balance(to); got != l.v {
		t.Fatalf("recipient holds %d, want the whole lock %d", got, l.v)
	}
	b.reverts("LockUsed", b.mint(l, sigs))
}

// TestRateLimitLeakRoundsDown pins the leak's rounding: one second of a
// 100 FLUX/day bucket is 115740.74… zatoshi, and 115740 may mint.
func TestRateLimitLeakRoundsDown(t *testing.T) {
	const rate = 100 * flux
	b := newBridge(t, evmsim.Config{Signers: 4, Threshold: 3, RateLimit: rate})
	fill := newLock("round/fill", 0, rate, b.holderAddr())
	t1 := b.blockTime(b.send(b.mint(fill, b.quorum(fill))))
	b.advanceTo(t1 + 1)
	if got := b.mintable(); got != 115740 {
		t.Fatalf("mintableNow one second after filling %d, want 115740", got)
	}
	b.advanceTo(t1 + 7)
	if got := b.mintable(); got != 810185 { // 7e10/86400 = 810185.18…
		t.Fatalf("mintableNow seven seconds after filling %d, want 810185", got)
	}
}

func TestCap(t *testing.T) {
	const capacity = 300 * flux
	b := newBridge(t, evmsim.Config{Signers: 4, Threshold: 3, Cap: capacity})
	to := b.holderAddr()
	capped := func(step string) {
		t.Helper()
		if s := b.supply(); s > capacity {
			t.Fatalf("%s: supply %d exceeds the cap %d", step, s, uint64(capacity))
		}
	}

	a := newLock("cap/a", 0, 200*flux, to)
	b.mustMint(a, b.quorum(a))
	capped("lock a")
	p := newLock("cap/pending", 0, 150*flux, to)
	sigs := b.quorum(p)
	if ev := b.mustMint(p, sigs); ev.Amount != 100*flux || ev.Remaining != 50*flux {
		t.Fatalf("capped mint amount %d remaining %d, want %d, %d", ev.Amount, ev.Remaining, uint64(100*flux), uint64(50*flux))
	}
	capped("pending lock, part 1")
	if s := b.supply(); s != capacity {
		t.Fatalf("supply %d, want the cap %d", s, uint64(capacity))
	}
	if got := b.mintable(); got != 0 {
		t.Fatalf("mintableNow at the cap %d, want 0", got)
	}
	want := fmt.Sprintf("CapReached(%d)", uint64(capacity))
	b.revertsWith(want, b.mint(p, sigs))
	c := newLock("cap/c", 0, 20*flux, to)
	b.revertsWith(want, b.mint(c, b.quorum(c)))

	// A burn frees room; the pending lock continues from its remainder.
	b.send(b.burn(30 * flux))
	if got := b.mintable(); got != 30*flux {
		t.Fatalf("mintableNow after burning 30 FLUX %d, want %d", got, uint64(30*flux))
	}
	if ev := b.mustMint(p, sigs); ev.Amount != 30*flux || ev.Remaining != 20*flux || ev.Fee != 0 {
		t.Fatalf("continued mint amount %d remaining %d fee %d, want %d, %d, 0", ev.Amount, ev.Remaining, ev.Fee, uint64(30*flux), uint64(20*flux))
	}
	capped("pending lock, part 2")
	b.revertsWith(want, b.mint(p, sigs))

	b.send(b.burn(100 * flux))
	if ev := b.mustMint(p, sigs); ev.Amount != 20*flux || ev.Remaining != 0 {
		t.Fatalf("final mint amount %d remaining %d, want %d, 0", ev.Amount, ev.Remaining, uint64(20*flux))
	}
	b.mustMint(c, b.quorum(c))
	capped("lock c")
	if s, want := b.supply(), uint64(capacity-100*flux+20*flux)+c.v; s != want {
		t.Fatalf("supply %d, want %d", s, want)
	}
	b.reverts("LockUsed", b.mint(p, sigs))
}

// TestCapBehindRateLimit is the control of "RateLimited beats CapReached":
// with the bucket drained, a full cap is reported as CapReached.
func TestCapBehindRateLimit(t *testing.T) {
	const rate, capacity = 100 * flux, 100 * flux
	b := newBridge(t, evmsim.Config{Signers: 4, Threshold: 3, RateLimit: rate, Cap: capacity})
	l := newLock("caprate/fill", 0, rate, b.holderAddr())
	b.mustMint(l, b.quorum(l))
	next := newLock("caprate/next", 0, 10*flux, b.holderAddr())
	b.reverts("RateLimited", b.mint(next, b.quorum(next)))
	b.advance(24 * time.Hour)
	b.revertsWith(fmt.Sprintf("CapReached(%d)", uint64(capacity)), b.mint(next, b.quorum(next)))
}

func TestTotals(t *testing.T) {
	const fee, rate = 1 * flux, 100 * flux
	b := newBridge(t, evmsim.Config{Signers: 4, Threshold: 3, MintFee: fee, RateLimit: rate})
	var minted, fees, burned uint64
	check := func(step string) {
		t.Helper()
		tm := view(b.Bridge.TotalMinted(opts)).get(t)
		tf := view(b.Bridge.TotalFees(opts)).get(t)
		tc := view(b.Bridge.TotalConsumed(opts)).get(t)
		tb := view(b.Bridge.TotalBurned(opts)).get(t)
		if tm != minted || tf != fees || tb != burned {
			t.Fatalf("%s: totals minted %d fees %d burned %d, want %d %d %d", step, tm, tf, tb, minted, fees, burned)
		}
		if tc != tm+tf {
			t.Fatalf("%s: totalConsumed %d ≠ totalMinted %d + totalFees %d", step, tc, tm, tf)
		}
		if s := b.supply(); s != tm-tb {
			t.Fatalf("%s: totalSupply %d ≠ totalMinted %d − totalBurned %d", step, s, tm, tb)
		}
	}
	mint := func(l lock, sigs []byte) {
		t.Helper()
		ev := b.mustMint(l, sigs)
		minted += ev.Amount
		fees += ev.Fee
	}
	check("deployment")
	small := newLock("totals/small", 0, 40*flux, b.holderAddr())
	mint(small, b.quorum(small))
	check("small lock")
	large := newLock("totals/large", 0, 250*flux, b.holderAddr())
	mint(large, b.quorum(large))
	check("large lock, part 1")
	b.send(b.burn(12 * flux))
	burned += 12 * flux
	check("burn")
	for range 3 {
		b.advance(24 * time.Hour)
		if used, _, _ := b.lockState(large); used {
			break
		}
		mint(large, b.quorum(large))
		check("large lock, next part")
	}
	b.send(b.burn(7 * flux))
	burned += 7 * flux
	check("second burn")
	if consumed := view(b.Bridge.TotalConsumed(opts)).get(t); consumed != small.v+large.v {
		t.Fatalf("totalConsumed %d, want the gross value of both locks %d", consumed, small.v+large.v)
	}
	if fees != 2*fee {
		t.Fatalf("fees %d, want one fee per lock (%d)", fees, uint64(2*fee))
	}
}
