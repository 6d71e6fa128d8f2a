package evm_test

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
)

// quorumSizes are the signer configurations of the gas table.
var quorumSizes = []struct {
	name string
	n, k int
	// bound is the most gas a full mint may use: the measured figure plus
	// about 20 % (solc 0.8.37, optimizer runs 200, cancun). The figure moves
	// by ~100 gas between mints with the zero bytes of the calldata.
	bound uint64
}{
	{"3of4", 4, 3, 143_000},     // measured 118,7xx
	{"5of7", 7, 5, 160_000},     // measured 132,9xx
	{"10of15", 15, 10, 202_000}, // measured 168,2xx
}

// gasMeter mints fresh locks on a fresh bridge with a k-of-n set. A warm-up
// mint makes the token's supply and the bridge's totals non-zero, so every
// measured mint is the steady-state case: a new lock, fully minted, to a
// recipient that holds no FLUX yet.
type gasMeter struct {
	b *bridge
	k int
	i int
}

func newGasMeter(tb testing.TB, n, k int) *gasMeter {
	tb.Helper()
	m := &gasMeter{b: newBridge(tb, evmsim.Config{Signers: n, Threshold: k}), k: k}
	m.mint()
	return m
}

// mint mints the next lock and returns the gas it used.
func (m *gasMeter) mint() uint64 {
	m.i++
	to := common.BigToAddress(big.NewInt(int64(0x100000 + m.i)))
	l := newLock(fmt.Sprint("gas/", m.i), 0, 100*flux, to)
	rc := m.b.send(m.b.mint(l, m.b.sign(l, seq(m.k)...)))
	return rc.GasUsed
}

// batchSizes are the batch columns of the gas table (100 is the batch of
// the 55,000-gas target).
var batchSizes = []int{1, 10, 100}

// BenchmarkMintGas reports the gas of a full mint (gas/mint) per quorum
// size, <k>of<n>, and per mint in a mintBatch of N fresh locks,
// <k>of<n>/batch=<N>: the names the gas table of make bench reads. ns/op
// is dominated by the simulated chain, not by the contract.
func BenchmarkMintGas(b *testing.B) {
	for _, q := range quorumSizes {
		b.Run(q.name, func(b *testing.B) {
			m := newGasMeter(b, q.n, q.k)
			var total, mints uint64
			for b.Loop() {
				total += m.mint()
				mints++
			}
			b.ReportMetric(float64(total)/float64(mints), "gas/mint")
		})
		for _, size := range batchSizes {
			b.Run(fmt.Sprintf("%s/batch=%d", q.name, size), func(b *testing.B) {
				m := newGasMeter(b, q.n, q.k)
				var total, mints uint64
				for b.Loop() {
					total += m.batchGas(size) * uint64(size)
					mints += uint64(size)
				}
				b.ReportMetric(float64(total)/float64(mints), "gas/mint")
			})
		}
	}
}

func TestMintGasTable(t *testing.T) {
	var prev uint64
	t.Logf("%-8s %10s %10s", "quorum", "gas/mint", "bound")
	for _, q := range quorumSizes {
		m := newGasMeter(t, q.n, q.k)
		gas := max(m.mint(), m.mint(), m.mint())
		t.Logf("%-8s %10d %10d", q.name, gas, q.bound)
		if gas > q.bound {
			t.Errorf("%s mint used %d gas, bound %d", q.name, gas, q.bound)
		}
		if gas <= prev {
			t.Errorf("%s mint used %d gas, not more than the smaller quorum's %d", q.name, gas, prev)
		}
		prev = gas
	}
}

// TestDeployAndBurnGas logs the gas of deploying the bridge (with its token)
// and of burns, and bounds them the same way.
func TestDeployAndBurnGas(t *testing.T) {
	b := quorumBridge(t)
	_, _, rc := b.deploy(b.validDeployment())
	deployGas := rc.GasUsed

	l := newLock("gas/burn", 0, 100*flux, b.holderAddr())
	b.mustMint(l, b.quorum(l))
	first := b.send(b.burn(10 * flux)).GasUsed
	next := b.send(b.burn(10 * flux)).GasUsed
	t.Logf("deploy (3 of 4 signers) %d gas; burn %d gas (first on the bridge), %d gas (later)", deployGas, first, next)
	bounds := []struct {
		name       string
		gas, bound uint64
	}{
		{"deployment", deployGas, 4_000_000}, // measured 3,413,088 (3,340,406 before the token's mintBatch, 2,627,685 before the bridge's)
		{"first burn", first, 75_000},        // measured 62,051: burnCount and totalBurned leave zero
		{"later burn", next, 54_000},         // measured 44,951
	}
	for _, c := range bounds {
		if c.gas > c.bound {
			t.Errorf("%s used %d gas, bound %d", c.name, c.gas, c.bound)
		}
	}
	if next >= first {
		t.Errorf("a later burn (%d gas) costs no less than the first (%d gas)", next, first)
	}
}

// batchGas mints a batch of size fresh locks, each to a recipient holding no
// FLUX yet, on m's bridge and returns the gas per mint.
func (m *gasMeter) batchGas(size int) uint64 {
	var ls []lock
	for range size {
		m.i++
		to := common.BigToAddress(big.NewInt(int64(0x100000 + m.i)))
		ls = append(ls, newLock(fmt.Sprint("gas/", m.i), 0, 100*flux, to))
	}
	items, ds := m.b.batchOf(ls...)
	evs, gas := m.b.mustMintBatch(items, m.b.signBatch(ds, seq(m.k)...))
	if len(evs) != size {
		m.b.t.Fatalf("a batch of %d minted %d locks", size, len(evs))
	}
	return gas / uint64(size)
}

// batchBounds bound the gas per mint in a batch, by quorum and batch size:
// the measured figure plus about 20 % (solc 0.8.37, optimizer runs 200,
// cancun), except in a batch of 100, bound by issue 12's target of 55,000
// (met with 10-of-15; it measured 56,5xx before the token minted a batch in
// one call). Of the 54,5xx a lock costs there, two new storage slots (the
// lock's state and the holder's balance) take 44,200, the Minted and
// Transfer events 5,050 and the item's calldata about 1,000; the rest is
// the contracts' code and the batch's share of the quorum check and of the
// transaction.
var batchBounds = map[string]map[int]uint64{
	"3of4":   {1: 146_000, 10: 73_000, 100: 55_000}, // measured 121,6xx, 60,1xx, 54,0xx
	"5of7":   {1: 163_000, 10: 74_000, 100: 55_000}, // measured 135,8xx, 61,5xx, 54,1xx
	"10of15": {1: 206_000, 10: 79_000, 100: 55_000}, // measured 171,2xx, 65,1xx, 54,5xx
}

// TestMintBatchGasTable prints the gas per mint by quorum and batch size,
// beside the single mint's, and checks the bounds.
func TestMintBatchGasTable(t *testing.T) {
	sizes := batchSizes
	t.Logf("%-8s %10s %10s %10s %10s", "quorum", "single", "batch 1", "batch 10", "batch 100")
	for _, q := range quorumSizes {
		m := newGasMeter(t, q.n, q.k)
		row := []uint64{m.mint()}
		for _, n := range sizes {
			g := m.batchGas(n)
			row = append(row, g)
			if bound := batchBounds[q.name][n]; bound != 0 && g > bound {
				t.Errorf("%s: a batch of %d used %d gas per mint, bound %d", q.name, n, g, bound)
			}
		}
		t.Logf("%-8s %10d %10d %10d %10d", q.name, row[0], row[1], row[2], row[3])
		if row[3] >= row[2] || row[2] >= row[1] {
			t.Errorf("%s: gas per mint does not fall with the batch size: %v", q.name, row[1:])
		}
	}
}
