package flux

import (
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/chainstest"
)

// fluxHarness drives the simulated network for the Source conformance suite:
// an event is a lock paid to the test reserve.
type fluxHarness struct{ h *harness }

func (f fluxHarness) Source() chains.Source { return f.h.node }

func (f fluxHarness) Confirmations() uint32 { return 3 }

func (f fluxHarness) Emit(t testing.TB, amount uint64) string {
	t.Helper()
	lock, err := f.h.net.Pay(testLockOutputs(f.h.t, int64(amount), 1, [20]byte{0xbb, byte(amount)}))
	if err != nil {
		t.Fatal(err)
	}
	return lock.TxID().String()
}

func (f fluxHarness) Settle(t testing.TB) {
	t.Helper()
	if err := f.h.net.Mine(int(f.Confirmations())); err != nil {
		t.Fatal(err)
	}
	f.h.waitTip(30 * time.Second)
	f.h.waitHealthy(30 * time.Second)
}

func TestSourceConformance(t *testing.T) {
	h := newHarness(t, harnessOpts{blocks: 130, reserve: true})
	h.waitTip(30 * time.Second)
	chainstest.TestSource(t, fluxHarness{h})
}
