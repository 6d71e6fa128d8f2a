package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/chainrpc"
	"github.com/fluxbridge/fluxbridge/chains/chainstest"
	"github.com/fluxbridge/fluxbridge/chains/evm/evmtest"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/internal/testbin"
)

// pluginPath is the plugin binary TestMain builds once for every test.
var pluginPath string

func TestMain(m *testing.M) {
	testbin.Main(m, testbin.Binary{Pkg: "cmd/fluxbridge-plugin-evm", Path: &pluginPath})
}

// logBuffer collects the host's log lines (including the plugin's, relayed).
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func newLogBuffer() *logBuffer { return &logBuffer{} }

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startPlugin starts the plugin binary, pinned by its checksum, for config.
func startPlugin(t *testing.T, config []byte, logs *logBuffer) (*chainrpc.Plugin, error) {
	t.Helper()
	sum, err := chainrpc.Checksum(pluginPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := chainrpc.Start(ctx, chainrpc.Config{
		Path:         pluginPath,
		SHA256:       sum,
		PluginConfig: config,
		PingInterval: 100 * time.Millisecond,
		RestartMin:   50 * time.Millisecond,
		RestartMax:   time.Second,
		Logger:       slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err == nil {
		t.Cleanup(func() { p.Close() })
	}
	return p, err
}

// The conformance suite through a real plugin process over the simulated
// chain's HTTP endpoint.
func TestPluginConformance(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	logs := newLogBuffer()
	p, err := startPlugin(t, ch.PluginConfig(t, t.TempDir(), ch.Sim.URL), logs)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if info := p.Info(); info.Chain != 1337 || !info.HasSource || !info.HasSink || info.Name != "evm" {
		t.Fatalf("Info = %+v", info)
	}
	t.Run("Source", func(t *testing.T) { chainstest.TestSource(t, evmtest.SourceHarness{Chain: ch, Src: p.Source()}) })
	t.Run("Sink", func(t *testing.T) { chainstest.TestSink(t, evmtest.SinkHarness{Chain: ch, Snk: p.Sink()}) })
	if !strings.Contains(logs.String(), "sink ready") {
		t.Errorf("the plugin's log lines did not reach the host:\n%s", logs.String())
	}
}

// Killing the plugin process makes the host restart it; the stream continues
// from the old cursor and a mint submitted after the restart completes.
func TestPluginRestartAfterKill(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	p, err := startPlugin(t, ch.PluginConfig(t, t.TempDir(), ch.Sim.URL), newLogBuffer())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	src, snk := p.Source(), p.Sink()
	before := []string{ch.Burn(t, 2_100_000_000).Hex(), ch.Burn(t, 2_200_000_000).Hex()}
	ch.Settle(t)
	evs, cursor := drain(t, src, "")
	if len(evs) != 2 || evs[0].TxID != before[0] || evs[1].TxID != before[1] {
		t.Fatalf("before the kill: %+v", evs)
	}

	oldPid := p.Pid()
	if err := syscall.Kill(oldPid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	after := []string{ch.Burn(t, 2_300_000_000).Hex(), ch.Burn(t, 2_400_000_000).Hex()}
	ch.Settle(t)
	deadline := time.Now().Add(30 * time.Second)
	for p.Restarts() < 1 || p.Pid() == oldPid || p.Pid() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no restart after SIGKILL: restarts %d, pid %d (was %d)", p.Restarts(), p.Pid(), oldPid)
		}
		time.Sleep(20 * time.Millisecond) // polling an external process
	}
	if p.Restarts() != 1 {
		t.Fatalf("restarts = %d, want 1", p.Restarts())
	}
	evs, _ = drain(t, src, cursor)
	if len(evs) != 2 || evs[0].TxID != after[0] || evs[1].TxID != after[1] || evs[0].Nonce != 2 {
		t.Fatalf("after the restart, from the old cursor: %+v", evs)
	}

	h := evmtest.SinkHarness{Chain: ch, Snk: snk}
	m := h.NewMint(t)
	sub, err := snk.Build(t.Context(), chains.BuildRequest{Kind: chains.SubmitMint, Mint: &m})
	if err != nil {
		t.Fatal(err)
	}
	req := chains.SubmitRequest{Submission: sub}
	for i := range sub.Threshold {
		req.Signatures = append(req.Signatures, h.Sign(t, i, sub.Digests[0]))
	}
	if st, err := snk.Submit(t.Context(), req); err != nil || st.State != chains.StatePending {
		t.Fatalf("Submit after the restart = %+v, %v", st, err)
	}
	ch.Settle(t)
	if st, err := snk.Status(t.Context(), chains.SubmitMint, sub.ID); err != nil || st.State != chains.StateDone {
		t.Fatalf("Status = %+v, %v", st, err)
	}
}

// A config naming another chain than the endpoint serves is refused at start
// with the plugin's own error kind.
func TestPluginRefusesAnotherChain(t *testing.T) {
	ch := evmtest.New(t, evmsim.Config{})
	cfg := bytes.Replace(ch.PluginConfig(t, t.TempDir(), ch.Sim.URL), []byte(`"chain_id":1337`), []byte(`"chain_id":1`), 1)
	if _, err := startPlugin(t, cfg, newLogBuffer()); fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "chain") {
		t.Fatalf("Start with the wrong chain id = %v, want an invalid error", err)
	}
}

// drain reads the stream from after to its end.
func drain(t *testing.T, src chains.Source, after chains.Cursor) ([]chains.Event, chains.Cursor) {
	t.Helper()
	var all []chains.Event
	cur := after
	for range 100 {
		res, err := src.Events(t.Context(), chains.EventsRequest{After: cur, Confirmations: 1})
		if err != nil {
			t.Fatalf("Events(%q): %v", cur, err)
		}
		all = append(all, res.Events...)
		if len(res.Events) == 0 && res.Next == cur {
			return all, cur
		}
		cur = res.Next
	}
	t.Fatal("the stream did not settle")
	return nil, ""
}
