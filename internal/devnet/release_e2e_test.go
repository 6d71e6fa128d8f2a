package devnet

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// mineEvery mines a FLUX block every interval until the test ends or stop
// is called (which waits for the miner to stop).
func mineEvery(t *testing.T, d *Devnet, every time.Duration) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tk := time.NewTicker(every)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tk.C:
				if err := d.MineFlux(1); err != nil {
					t.Errorf("mining: %v", err)
					return
				}
			}
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// fundUsers locks perUser zatoshi for each of users, minted to their EVM
// accounts, and waits for the mints.
func fundUsers(t *testing.T, d *Devnet, users int, perUser int64) {
	t.Helper()
	var locks []chains.LockRef
	for u := range users {
		l, err := d.Lock(perUser, d.User(u))
		if err != nil {
			t.Fatal(err)
		}
		locks = append(locks, l)
	}
	finalize(t, d)
	await(t, d, locks, 60*time.Second)
}

// burnAmount is burn i's amount: at least the bridge's minimum, all different.
func burnAmount(i int) uint64 { return 100_000_000 + uint64(i)*1_234_567 }

// checkReleases checks that the FLUX chain's releases of chain cover nonces
// 0..n-1 exactly once, in ranges that do not overlap, each paying its burns
// in nonce order their amount net of the fee to the burner's address.
func checkReleases(t *testing.T, rels []Release, chain chains.ID, n int, user func(nonce uint64) int, amount func(nonce uint64) uint64, fee uint64) {
	t.Helper()
	covered := map[uint64]int{}
	for _, r := range rels {
		if r.Chain != chain {
			continue
		}
		if int(r.ToNonce-r.FromNonce+1) != len(r.Paid) {
			t.Errorf("release %s covers %d..%d but pays %d outputs", r.TxID, r.FromNonce, r.ToNonce, len(r.Paid))
			continue
		}
		for i, p := range r.Paid {
			nonce := r.FromNonce + uint64(i)
			covered[nonce]++
			if want := UserFluxHash(user(nonce)); p.Hash != want || uint64(p.Value) != amount(nonce)-fee {
				t.Errorf("release %s pays burn %d %d zatoshi to %x, want %d to %x", r.TxID, nonce, p.Value, p.Hash, amount(nonce)-fee, want)
			}
		}
	}
	for nonce := range uint64(n) {
		if covered[nonce] != 1 {
			t.Errorf("burn %d of chain %s released %d times", nonce, chain, covered[nonce])
		}
	}
	if len(covered) != n {
		t.Errorf("%d nonces released, want %d", len(covered), n)
	}
}

// waitSettledInStores waits until every listed relayer records burns 0..n-1
// of chain as released or settled.
func waitReleasedInStores(t *testing.T, d *Devnet, relayers []int, chain chains.ID, n int) {
	t.Helper()
	waitFor(t, "every relayer to record the releases", 60*time.Second, func() bool {
		for _, i := range relayers {
			var burns []relayer.Burn
			if err := d.Relayer(i).Store().View(context.Background(), func(tx relayer.Tx) (err error) {
				burns, err = tx.Burns(relayer.BurnQuery{Chain: chain})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(burns) != n {
				return false
			}
			for _, b := range burns {
				if b.State != relayer.BurnReleased && b.State != relayer.BurnSettled {
					return false
				}
			}
		}
		return true
	})
}

func TestBurnsReleasedExactlyOnce(t *testing.T) {
	const users, burns = 4, 100
	d := start(t, Config{Coins: users, LockMax: 50 * tx.Coin})
	fundUsers(t, d, users, 50*tx.Coin)
	chain := chains.ID(d.EVM.ChainID.Uint64())
	mineEvery(t, d, 100*time.Millisecond)
	ctx := context.Background()
	for i := range burns {
		nonce, err := d.Burn(ctx, i%users, burnAmount(i))
		if err != nil {
			t.Fatal(err)
		}
		if nonce != uint64(i) {
			t.Fatalf("burn %d got nonce %d", i, nonce)
		}
	}
	rels, err := d.AwaitReleased(ctx, chain, burns, 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkReleases(t, rels, chain, burns, func(n uint64) int { return int(n) % users }, func(n uint64) uint64 { return burnAmount(int(n)) }, 100_000)
	t.Logf("%d burns released in %d transactions", burns, len(rels))
	waitReleasedInStores(t, d, []int{0, 1, 2}, chain, burns)
	for i := range 3 {
		checkJournal(t, d, i)
	}
}

// The governor delays a large burn's release by its delay after finality,
// and the burns after it wait with it (ranges are contiguous); it never
// refuses: once the delay is over, everything is released exactly once.
func TestGovernorDelaysALargeBurnThenReleases(t *testing.T) {
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	var gov configGovernor
	gov.LargeTransfer, gov.LargeDelay = 3*tx.Coin, configDuration(6*time.Hour)
	d := start(t, Config{Coins: 3, Now: now, Governor: gov})
	var locks []chains.LockRef
	for range 3 {
		l, err := d.Lock(25*tx.Coin/10, d.User(0))
		if err != nil {
			t.Fatal(err)
		}
		locks = append(locks, l)
	}
	finalize(t, d)
	await(t, d, locks, 60*time.Second)
	mineEvery(t, d, 100*time.Millisecond)
	ctx := context.Background()
	amounts := []uint64{tx.Coin, 35 * tx.Coin / 10, tx.Coin}
	for i, a := range amounts {
		if n, err := d.Burn(ctx, 0, a); err != nil || n != uint64(i) {
			t.Fatalf("burn %d: nonce %d, %v", i, n, err)
		}
	}
	chain := chains.ID(d.EVM.ChainID.Uint64())
	if _, err := d.AwaitReleased(ctx, chain, 1, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	h, _ := d.Flux.Tip()
	waitFor(t, "30 more FLUX blocks", 30*time.Second, func() bool { tip, _ := d.Flux.Tip(); return tip >= h+30 })
	for _, r := range d.Releases() {
		if r.ToNonce >= 1 {
			t.Fatalf("burn %d released before the large burn's delay", r.ToNonce)
		}
	}
	offset.Store(int64(6*time.Hour + time.Minute))
	rels, err := d.AwaitReleased(ctx, chain, 3, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkReleases(t, rels, chain, 3, func(uint64) int { return 0 }, func(n uint64) uint64 { return amounts[n] }, releaseFee)
}

// Two EVM chains' burns are released in their own ranges, each chain's
// nonces exactly once, the releases of the two chains interleaving.
func TestTwoChainsReleasedInTheirOwnRanges(t *testing.T) {
	const users, perChain = 2, 12
	d := start(t, Config{Coins: 2 * users, LockMax: 20 * tx.Coin, EVMChains: 2})
	var locks []chains.LockRef
	for c := range 2 {
		for u := range users {
			l, err := d.LockOn(c, 20*tx.Coin, d.User(u))
			if err != nil {
				t.Fatal(err)
			}
			locks = append(locks, l)
		}
	}
	finalize(t, d)
	await(t, d, locks, 60*time.Second)
	mineEvery(t, d, 100*time.Millisecond)
	ctx := context.Background()
	for i := range perChain {
		for c := range 2 {
			if n, err := d.BurnOn(ctx, c, i%users, burnAmount(i)); err != nil || n != uint64(i) {
				t.Fatalf("chain %d burn %d: nonce %d, %v", c, i, n, err)
			}
		}
	}
	var all []Release
	for c := range 2 {
		chain := chains.ID(d.EVMs[c].ChainID.Uint64())
		rels, err := d.AwaitReleased(ctx, chain, perChain, 90*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		checkReleases(t, rels, chain, perChain, func(n uint64) int { return int(n) % users }, func(n uint64) uint64 { return burnAmount(int(n)) }, releaseFee)
		all = rels
	}
	var ids []chains.ID
	for _, r := range all {
		ids = append(ids, r.Chain)
	}
	t.Logf("releases in chain order: %v", ids)
}

// A paused relayer signs no release: with two of three paused nothing is
// released, and once they resume the burn is released exactly once.
func TestPausedRelayersReleaseNothing(t *testing.T) {
	d := start(t, Config{Coins: 1, LockMax: 10 * tx.Coin})
	fundUsers(t, d, 1, 10*tx.Coin)
	ctx := context.Background()
	for _, i := range []int{0, 1} {
		if err := d.Relayer(i).Relayer().Pause(ctx, "test"); err != nil {
			t.Fatal(err)
		}
	}
	mineEvery(t, d, 100*time.Millisecond)
	if _, err := d.Burn(ctx, 0, burnAmount(0)); err != nil {
		t.Fatal(err)
	}
	chain := chains.ID(d.EVM.ChainID.Uint64())
	waitBurnsFinal(t, d, 2, 1)
	h, _ := d.Flux.Tip()
	waitFor(t, "three rounds", 30*time.Second, func() bool { tip, _ := d.Flux.Tip(); return tip >= h+30 })
	if rels := d.Releases(); len(rels) != 0 {
		t.Fatalf("%d releases while two of three relayers are paused", len(rels))
	}
	for _, i := range []int{0, 1} {
		for _, s := range spends(t, d, i) {
			if s.SignedByUs {
				t.Fatalf("paused relayer %d signed spend %s", i, s.TxID)
			}
		}
		if err := d.Relayer(i).Relayer().Resume(ctx, false); err != nil {
			t.Fatal(err)
		}
	}
	rels, err := d.AwaitReleased(ctx, chain, 1, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkReleases(t, rels, chain, 1, func(uint64) int { return 0 }, func(n uint64) uint64 { return burnAmount(int(n)) }, releaseFee)
}
