package devnet

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
)

// MaxDemoLocks is the most locks a demo makes (fluxbridge-devnet --locks):
// Start with Coins set to it prepares a coin for each.
const MaxDemoLocks = 5000

// Result is the outcome of a demo run: the final JSON line of
// `fluxbridge-devnet --demo`.
type Result struct {
	Locks       int     `json:"locks"`
	Minted      int     `json:"minted"`
	DoubleMints int     `json:"double_mints"`
	Lost        int     `json:"lost"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	// Throughput is locks minted per second between the first lock's
	// finality and the last mint.
	Throughput float64 `json:"transfers_per_s"`

	// Burns, after the mints: how many were made, how many of their nonces
	// a release on the FLUX chain covers, and how many nonces more than one
	// does. Latency is from the EVM block holding a burn to the FLUX block
	// holding its release (it includes the EVM chain's finality lag).
	Burns          int     `json:"burns"`
	Released       int     `json:"released"`
	DoubleReleases int     `json:"double_releases"`
	ReleaseP50ms   float64 `json:"release_p50_ms"`
	ReleaseP99ms   float64 `json:"release_p99_ms"`
	// Refunds counts the refunds paid of the demo's payments that can
	// never be minted (a malformed memo, a value below the minimum);
	// RefundsDue is how many it made.
	Refunds    int `json:"refunds"`
	RefundsDue int `json:"refunds_due"`
}

// OK reports whether every lock was minted exactly once, every burn
// released exactly once and every refund paid.
func (r Result) OK() bool {
	return r.Locks > 0 && r.Minted == r.Locks && r.DoubleMints == 0 && r.Lost == 0 &&
		r.Released == r.Burns && r.DoubleReleases == 0 && r.Refunds == r.RefundsDue
}

// LockID is the bridge's on-chain key of a lock: keccak256(txid ‖ uint32 vout).
func LockID(l chains.LockRef) [32]byte {
	var b [36]byte
	copy(b[:], l.TxID[:])
	binary.BigEndian.PutUint32(b[32:], l.Vout)
	return crypto.Keccak256Hash(b[:])
}

// Watcher follows the bridges' Minted events, remembering when each lock's
// first mint was seen and how many mint events each lock had.
type Watcher struct {
	evms []*evmsim.Chain
	mu   sync.Mutex
	next []uint64 // per chain, the first block not read yet
	seen map[[32]byte]time.Time
	n    map[[32]byte]int
}

// NewWatcher starts watching every EVM chain of the devnet from its genesis
// block. A lock's mint events are counted across the chains: a lock minted
// on two chains has two.
func (d *Devnet) NewWatcher() *Watcher { return newWatcher(d.EVMs...) }

// NewWatcherOn starts watching EVM chain c (an index into EVMs) only, from
// its genesis block.
func (d *Devnet) NewWatcherOn(c int) *Watcher { return newWatcher(d.EVMs[c]) }

func newWatcher(evms ...*evmsim.Chain) *Watcher {
	return &Watcher{evms: evms, next: make([]uint64, len(evms)), seen: map[[32]byte]time.Time{}, n: map[[32]byte]int{}}
}

// Poll reads the Minted events of the blocks since the last poll.
func (w *Watcher) Poll(ctx context.Context) error {
	for c := range w.evms {
		if err := w.poll(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// poll reads chain c's Minted events of the blocks since its last poll.
func (w *Watcher) poll(ctx context.Context, c int) error {
	ch := w.evms[c]
	head, err := ch.Client.BlockNumber(ctx)
	if err != nil {
		return err
	}
	w.mu.Lock()
	from := w.next[c]
	w.mu.Unlock()
	if head < from {
		return nil
	}
	it, err := ch.Bridge.FilterMinted(&bind.FilterOpts{Start: from, End: &head, Context: ctx}, nil, nil)
	if err != nil {
		return err
	}
	defer it.Close()
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	for it.Next() {
		id := it.Event.LockId
		if _, ok := w.seen[id]; !ok {
			w.seen[id] = now
		}
		w.n[id]++
	}
	if err := it.Error(); err != nil {
		return err
	}
	w.next[c] = head + 1
	return nil
}

// Minted returns when the lock's first mint was seen and its mint count.
func (w *Watcher) Minted(l chains.LockRef) (time.Time, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	id := LockID(l)
	return w.seen[id], w.n[id]
}

// Total returns the number of locks with a mint and the number of mint events.
func (w *Watcher) Total() (locks, events int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, n := range w.n {
		locks++
		events += n
	}
	return locks, events
}

// Demo makes n user locks with random amounts (1 FLUX to LockMax), lock i
// minting on EVM chain i mod len(EVMs) to one of the chain's user accounts,
// plus one lock with a malformed memo and one below the minimum (both must
// be refunded), and waits until all are minted or timeout passes. Latency
// is measured from the block in which a lock reached depth D_L1 to the EVM
// block carrying its mint. Then the users burn burns times, alternating
// chains, and the demo waits for the releases and the refunds (DemoBurns).
func (d *Devnet) Demo(ctx context.Context, n, burns int, timeout time.Duration) (Result, error) {
	deadline := time.Now().Add(timeout)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	locks := make([]chains.LockRef, 0, n)
	for range n {
		c := len(locks) % len(d.EVMs)
		amount := MinLock + rng.Int64N(d.cfg.LockMax-MinLock)
		l, err := d.LockOn(c, amount, d.User(len(locks)/len(d.EVMs)))
		if err != nil {
			return Result{}, fmt.Errorf("devnet: lock %d of %d: %w", len(locks)+1, n, err)
		}
		locks = append(locks, l)
	}
	var refunds []chains.LockRef
	bad, err := d.LockWithMemo(2*MinLock, []byte("FLXB1, but not a memo"))
	if err != nil {
		return Result{}, fmt.Errorf("devnet: the malformed lock: %w", err)
	}
	small, err := d.Lock(MinLock-1, d.User(0))
	if err != nil {
		return Result{}, fmt.Errorf("devnet: the lock below the minimum: %w", err)
	}
	refunds = append(refunds, bad, small)
	res, err := d.Await(ctx, locks, time.Until(deadline))
	if err != nil || !res.OK() {
		return res, err
	}
	return d.DemoBurns(ctx, res, burns, refunds, deadline)
}

// Await waits until every lock is minted or timeout passes, and measures.
func (d *Devnet) Await(ctx context.Context, locks []chains.LockRef, timeout time.Duration) (Result, error) {
	w := d.NewWatcher()
	deadline := time.Now().Add(timeout)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := w.Poll(ctx); err != nil && ctx.Err() == nil {
			return Result{}, err
		}
		done := 0
		for _, l := range locks {
			if t, _ := w.Minted(l); !t.IsZero() {
				done++
			}
		}
		if done == len(locks) || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
	return d.measure(locks, w), nil
}

// measure computes the demo result from the watcher's observations.
func (d *Devnet) measure(locks []chains.LockRef, w *Watcher) Result {
	r := Result{Locks: len(locks)}
	var lat []float64
	var first, last time.Time
	for _, l := range locks {
		at, count := w.Minted(l)
		switch {
		case count == 0:
			r.Lost++
			continue
		case count > 1:
			r.DoubleMints += count - 1
		}
		r.Minted++
		fin, ok := d.finalAt(l)
		if !ok {
			continue
		}
		lat = append(lat, float64(at.Sub(fin).Microseconds())/1000)
		if first.IsZero() || fin.Before(first) {
			first = fin
		}
		if at.After(last) {
			last = at
		}
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		r.P50ms = round(percentile(lat, 0.50))
		r.P99ms = round(percentile(lat, 0.99))
	}
	if span := last.Sub(first).Seconds(); span > 0 {
		r.Throughput = round(float64(r.Minted) / span)
	}
	return r
}

// finalAt is when the lock's block reached depth D_L1 on the simulated network.
func (d *Devnet) finalAt(l chains.LockRef) (time.Time, bool) {
	conf := d.Flux.Confirmations(chainhash.Hash(l.TxID))
	if conf <= 0 {
		return time.Time{}, false
	}
	tip, _ := d.Flux.Tip()
	h := tip - conf + 1 + int32(d.cfg.Confirmations) - 1
	return d.MinedAt(h)
}

func percentile(sorted []float64, p float64) float64 {
	i := int(float64(len(sorted)-1)*p + 0.5)
	return sorted[min(i, len(sorted)-1)]
}

func round(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
