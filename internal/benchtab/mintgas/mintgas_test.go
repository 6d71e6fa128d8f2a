package mintgas

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/contracts/evm"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
)

// quorums and sizes are the gas table's rows and columns (the quorums of
// contracts/evm's gas table; 100 is the batch size of the 55,000-gas target).
var (
	quorums = []struct{ k, n int }{{3, 4}, {5, 7}, {10, 15}}
	sizes   = []int{1, 10, 100}
)

// flux is one FLUX in zatoshi.
const flux = 100_000_000

// meter mints batches of fresh locks on a fresh bridge with a k-of-n set,
// each lock to a recipient that holds no FLUX yet.
type meter struct {
	c    *evmsim.Chain
	k    int
	next int
}

func newMeter(tb testing.TB, k, n int) *meter {
	tb.Helper()
	c, err := evmsim.New(evmsim.Config{Signers: n, Threshold: k})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	m := &meter{c: c, k: k}
	// A first mint makes the token's supply and the bridge's totals
	// non-zero, so every measured mint is the steady-state case.
	m.batch(tb, 1)
	return m
}

// batch mints size fresh locks in one mintBatch and returns the gas per mint.
func (m *meter) batch(tb testing.TB, size int) uint64 {
	tb.Helper()
	type item struct {
		it evm.FluxBridgeMintItem
		d  [32]byte
	}
	items := make([]item, size)
	for i := range items {
		m.next++
		var to [32]byte // the recipient: an EVM address (as contracts/evm's gas table picks them), left-padded
		binary.BigEndian.PutUint64(to[24:], uint64(0x100000+m.next))
		txid := sha256.Sum256(fmt.Appendf(nil, "mintgas/%d", m.next))
		it := evm.FluxBridgeMintItem{Txid: txid, Vout: 0, V: 100 * flux, Recipient: to}
		items[i] = item{it, m.c.MintDigest(it.Txid, it.Vout, it.V, it.Recipient)}
	}
	// The bridge wants the MintAuth digests strictly ascending.
	slices.SortFunc(items, func(a, b item) int { return bytes.Compare(a.d[:], b.d[:]) })
	var its []evm.FluxBridgeMintItem
	var ds [][32]byte
	for _, x := range items {
		its, ds = append(its, x.it), append(ds, x.d)
	}
	signers := make([]int, m.k)
	for i := range signers {
		signers[i] = i
	}
	sigs := m.c.Sign(chains.BatchDigest(chains.ID(m.c.ChainID.Uint64()), m.c.BridgeAddr, ds), signers...)
	tx, err := m.c.Bridge.MintBatch(m.c.Transactor(m.c.Users[1]), its, sigs)
	if err != nil {
		tb.Fatalf("mintBatch of %d: %v", size, err)
	}
	m.c.Commit()
	rc, err := m.c.Client.TransactionReceipt(context.Background(), tx.Hash())
	if err != nil {
		tb.Fatal(err)
	}
	if rc.Status != 1 {
		tb.Fatalf("mintBatch of %d failed on chain (gas %d)", size, rc.GasUsed)
	}
	minted := 0
	for _, lg := range rc.Logs {
		if _, err := m.c.Bridge.ParseMinted(*lg); err == nil {
			minted++
		}
	}
	if minted != size {
		tb.Fatalf("a batch of %d minted %d locks", size, minted)
	}
	return rc.GasUsed / uint64(size)
}

// BenchmarkMintBatchGas reports the gas per mint (gas/mint) of a mintBatch
// of N fresh locks, each to a new holder, by quorum and N; ns/op is the
// simulated chain's, not the contract's.
func BenchmarkMintBatchGas(b *testing.B) {
	for _, q := range quorums {
		for _, size := range sizes {
			b.Run(fmt.Sprintf("%dof%d/batch=%d", q.k, q.n, size), func(b *testing.B) {
				m := newMeter(b, q.k, q.n)
				var total, mints uint64
				for b.Loop() {
					total += m.batch(b, size) * uint64(size)
					mints += uint64(size)
				}
				b.ReportMetric(float64(total)/float64(mints), "gas/mint")
			})
		}
	}
}

// The meter's figures are those contracts/evm's TestMintBatchGasTable
// bounds: a batch of 100 costs less per mint than one of 10, which costs
// less than one of 1, and a larger quorum costs more.
func TestMeterOrders(t *testing.T) {
	var prev uint64
	for _, q := range []struct{ k, n int }{{3, 4}, {10, 15}} {
		m := newMeter(t, q.k, q.n)
		g1, g10, g100 := m.batch(t, 1), m.batch(t, 10), m.batch(t, 100)
		t.Logf("%dof%d: %d, %d, %d gas per mint in batches of 1, 10, 100", q.k, q.n, g1, g10, g100)
		if g100 >= g10 || g10 >= g1 {
			t.Errorf("%dof%d: gas per mint does not fall with the batch size: %d, %d, %d", q.k, q.n, g1, g10, g100)
		}
		if g100 <= prev {
			t.Errorf("%dof%d: a batch of 100 costs %d per mint, not more than the smaller quorum's %d", q.k, q.n, g100, prev)
		}
		prev = g100
	}
}
