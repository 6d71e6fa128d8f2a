package relayer

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
)

// spendsTx answers Spends from a list, the way the stores do (SpendQuery's
// Matches, in their order; their conformance suite holds them to it);
// nothing else of Tx is used.
type spendsTx struct {
	Tx
	all []Spend
}

func (t *spendsTx) Spends(q SpendQuery) ([]Spend, error) {
	var out []Spend
	for _, s := range t.all {
		if q.Matches(s) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Spend) int {
		if q.HighestFirst {
			return cmp.Or(cmp.Compare(b.ToNonce, a.ToNonce), strings.Compare(a.TxID, b.TxID))
		}
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.TxID, b.TxID))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// The release decisions read a handful of spends, not every spend ever
// made, and decide exactly as they would on all of them: the next nonce
// (with any one spend left out), the range a proposer plans, the spend of
// ours in flight and every refusal of checkRelease, reason included.
func TestReleaseSpendsDecideAsEverySpend(t *testing.T) {
	const maxBatch = 5
	rng := rand.New(rand.NewPCG(12, 1))
	states := []SpendState{SpendSigned, SpendBroadcast, SpendMined, SpendSettled, SpendSettled, SpendSettled, SpendDead}
	for run := range 300 {
		// A history: releases of testChain one after another (some dead and
		// made again), releases of another chain, refunds and moves.
		var all []Spend
		var next uint64
		for i := range 20 + rng.IntN(60) {
			id := fmt.Sprintf("s%d", i)
			var s Spend
			switch rng.IntN(5) {
			case 0:
				s = Spend{TxID: id, Kind: SpendRefund, Ref: fmt.Sprintf("flux:%02x:0", i), State: states[rng.IntN(len(states))]}
			case 1:
				s = release(id, 56, uint64(i), uint64(i), states[rng.IntN(len(states))])
			default:
				s = release(id, testChain, next, next+uint64(rng.IntN(maxBatch)), states[rng.IntN(len(states))])
				if s.State != SpendDead {
					next = s.ToNonce + 1
				}
			}
			s.SignedByUs = rng.IntN(3) > 0
			s.CreatedAt = time.Unix(int64(i/2), 0) // ties broken by txid
			all = append(all, s)
		}
		slices.SortFunc(all, func(a, b Spend) int { return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.TxID, b.TxID)) })
		full := rangeView{Chain: testChain, Spends: all, Burns: burnRun(next, next+9, BurnFinal), Count: next + 10}
		tx := &spendsTx{all: all}
		top := "p" // the live release of testChain with the highest range: left out, the one below it decides
		for _, s := range all {
			if s.Kind == SpendRelease && s.Chain == testChain && s.Live() && s.ToNonce+1 == next {
				top = s.TxID
			}
		}
		for _, p := range []Proposal{
			{TxID: top, Spend: chains.ReserveSpend{Chain: testChain, FromNonce: next - 1, ToNonce: next}},
			{TxID: "p", Spend: chains.ReserveSpend{Chain: testChain, FromNonce: next, ToNonce: next + 2}},
			{TxID: "p", Spend: chains.ReserveSpend{Chain: testChain, FromNonce: next / 2, ToNonce: next/2 + 1}},
			{TxID: all[rng.IntN(len(all))].TxID, Spend: chains.ReserveSpend{Chain: testChain, FromNonce: uint64(rng.IntN(int(next) + 3)), ToNonce: next + 1}},
		} {
			p.Spend.ToNonce = max(p.Spend.ToNonce, p.Spend.FromNonce)
			subset, err := releaseSpends(tx, testChain, &NonceRange{From: p.Spend.FromNonce, To: p.Spend.ToNonce})
			if err != nil {
				t.Fatal(err)
			}
			v := full
			v.Spends = subset
			for _, except := range []string{"", p.TxID} {
				if got, want := v.nextExcept(except), full.nextExcept(except); got != want {
					t.Fatalf("run %d: nextExcept(%q) = %d from %d spends, %d from all", run, except, got, len(subset), want)
				}
			}
			if got, want := fmt.Sprint(planRange(v, maxBatch)), fmt.Sprint(planRange(full, maxBatch)); got != want {
				t.Fatalf("run %d: planRange = %s, %s from all", run, got, want)
			}
			for _, except := range []string{"", p.TxID} {
				g, gok := inFlight(v.Spends, except)
				w, wok := inFlight(full.Spends, except)
				if gok != wok || g.TxID != w.TxID {
					t.Fatalf("run %d: inFlight = %v %v, %v %v from all", run, g.TxID, gok, w.TxID, wok)
				}
			}
			gb, gwhy, gwait := checkRelease(v, p, maxBatch)
			wb, wwhy, wwait := checkRelease(full, p, maxBatch)
			if gwhy != wwhy || gwait != wwait || !reflect.DeepEqual(gb, wb) {
				t.Fatalf("run %d, proposal %s %d..%d: checkRelease = %q %v, %q %v from all", run, p.TxID, p.Spend.FromNonce, p.Spend.ToNonce, gwhy, gwait, wwhy, wwait)
			}
		}
	}
}
