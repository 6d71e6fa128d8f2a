package devnet

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind"

	"github.com/fluxbridge/fluxbridge/chains"
)

// DemoBurns makes burns burns after the demo's mints, each from the user
// account holding the most on its chain (chains alternate), to that user's
// FLUX address, and waits until deadline for their releases and for the
// refunds of the payments in refunds. It fills res's burn and refund figures.
func (d *Devnet) DemoBurns(ctx context.Context, res Result, burns int, refunds []chains.LockRef, deadline time.Time) (Result, error) {
	type burnAt struct {
		chain chains.ID
		nonce uint64
		at    time.Time
	}
	var made []burnAt
	opts := &bind.CallOpts{Context: ctx}
	for i := range burns {
		c := i % len(d.EVMs)
		ch := d.EVMs[c]
		minBurn, err := ch.Bridge.MinBurn(opts)
		if err != nil {
			return res, err
		}
		best, most := -1, new(big.Int)
		for u := range ch.Users {
			bal, err := ch.Token.BalanceOf(opts, d.User(u))
			if err != nil {
				return res, err
			}
			if bal.Cmp(most) > 0 {
				best, most = u, bal
			}
		}
		amount := minBurn + uint64(i)*1_000_003%(minBurn/2)
		if most.IsUint64() && most.Uint64() < amount {
			amount = most.Uint64() // the largest balance, if it is at least the minimum
		}
		if best < 0 || amount < minBurn {
			return res, fmt.Errorf("devnet: burn %d of %d: no user holds %d zatoshi on chain %s: lock more (--locks)", i+1, burns, amount, ch.ChainID)
		}
		nonce, err := d.BurnOn(ctx, c, best, amount)
		if err != nil {
			return res, fmt.Errorf("devnet: burn %d of %d: %w", i+1, burns, err)
		}
		made = append(made, burnAt{chain: chains.ID(ch.ChainID.Uint64()), nonce: nonce, at: time.Now()})
	}
	res.Burns, res.RefundsDue = len(made), len(refunds)
	for {
		rels := d.Releases()
		covered := map[chains.ID]map[uint64]int{}
		releasedAt := map[chains.ID]map[uint64]time.Time{}
		for _, r := range rels {
			if covered[r.Chain] == nil {
				covered[r.Chain], releasedAt[r.Chain] = map[uint64]int{}, map[uint64]time.Time{}
			}
			at, _ := d.MinedAt(r.Height)
			for n := r.FromNonce; n <= r.ToNonce; n++ {
				covered[r.Chain][n]++
				releasedAt[r.Chain][n] = at
			}
		}
		res.Released, res.DoubleReleases = 0, 0
		var lat []float64
		for _, b := range made {
			switch n := covered[b.chain][b.nonce]; {
			case n == 0:
				continue
			case n > 1:
				res.DoubleReleases += n - 1
			}
			res.Released++
			lat = append(lat, float64(releasedAt[b.chain][b.nonce].Sub(b.at).Microseconds())/1000)
		}
		if len(lat) > 0 {
			slices.Sort(lat)
			res.ReleaseP50ms, res.ReleaseP99ms = round(percentile(lat, 0.50)), round(percentile(lat, 0.99))
		}
		res.Refunds = 0
		for _, r := range d.Refunds() {
			if slices.Contains(refunds, r.Lock) {
				res.Refunds++
			}
		}
		if res.Released == res.Burns && res.Refunds >= res.RefundsDue || time.Now().After(deadline) {
			return res, nil
		}
		select {
		case <-ctx.Done():
			return res, nil
		case <-time.After(100 * time.Millisecond):
		}
	}
}
