package evm

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/chainstest"
	"github.com/fluxbridge/fluxbridge/chains/evm/evmtest"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
)

// sinkConfig is a sink config for ch over urls.
func sinkConfig(ch *evmtest.Chain, urls ...string) Config {
	if len(urls) == 0 {
		urls = []string{ch.Sim.URL}
	}
	return Config{
		Endpoints:    urls,
		ChainID:      chains.ID(ch.Sim.ChainID.Uint64()),
		Bridge:       ch.Sim.BridgeAddr,
		CallTimeout:  5 * time.Second,
		SubmitterKey: ch.Submitter,
		Fees:         FeeConfig{MaxFeePerGas: big.NewInt(1_000_000_000_000)},
	}
}

// openSink dials cfg and returns its source and sink, closed with t.
func openSink(t testing.TB, cfg Config) (*Source, *Sink) {
	t.Helper()
	c, err := Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	snk, err := NewSink(c)
	if err != nil {
		t.Fatal(err)
	}
	return NewSource(c), snk
}

// The conformance suite against the in-process source and sink over the
// simulated chain's HTTP endpoint (the production ethclient path).
func TestConformance(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	src, snk := openSink(t, sinkConfig(ch))
	t.Run("Source", func(t *testing.T) { chainstest.TestSource(t, evmtest.SourceHarness{Chain: ch, Src: src}) })
	t.Run("Sink", func(t *testing.T) { chainstest.TestSink(t, evmtest.SinkHarness{Chain: ch, Snk: snk}) })
	for reason, n := range src.Drops() {
		if !strings.HasPrefix(reason, "signature-") { // the suite hands in bad signatures on purpose
			t.Errorf("an honest chain caused %d drops %q", n, reason)
		}
	}
}

// Two endpoints that must both agree pass the suite too.
func TestConformanceQuorum(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	a, b := newProxy(t, ch.Sim.URL), newProxy(t, ch.Sim.URL)
	src, _ := openSink(t, sinkConfig(ch, a.URL(), b.URL()))
	chainstest.TestSource(t, evmtest.SourceHarness{Chain: ch, Src: src})
	if b.count("eth_getLogs") == 0 {
		t.Fatal("the second endpoint was never asked")
	}
}
