package chainrpc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
)

// memPlugin is the test plugin binary, built once for the package.
var memPlugin struct {
	path string
	sum  []byte
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chainrpc-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	memPlugin.path = filepath.Join(dir, "memplugin")
	build := exec.Command("go", "build", "-o", memPlugin.path, "./internal/memplugin")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the test plugin:", err)
		os.Exit(1)
	}
	if memPlugin.sum, err = Checksum(memPlugin.path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	CleanupClients()
	os.RemoveAll(dir)
	os.Exit(code)
}

func start(t *testing.T, config string, tweak ...func(*Config)) *Plugin {
	t.Helper()
	cfg := Config{Path: memPlugin.path, SHA256: memPlugin.sum, PluginConfig: []byte(config),
		PingInterval: 50 * time.Millisecond, RestartMin: 20 * time.Millisecond, RestartMax: 200 * time.Millisecond}
	for _, f := range tweak {
		f(&cfg)
	}
	p, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestEveryCallCrossesTheBoundary(t *testing.T) {
	p := start(t, `{"chain_id":77,"events":5}`)
	ctx := ctxT(t)
	if info := p.Info(); info.Chain != 77 || info.Name != "memplugin" || !info.HasSource || !info.HasSink {
		t.Fatalf("Info = %+v", info)
	}
	src := p.Source()
	if src.Chain() != 77 {
		t.Fatalf("Chain = %v", src.Chain())
	}
	h, err := src.Head(ctx)
	if err != nil || h.Tip.Height != 5 || !h.Healthy {
		t.Fatalf("Head = %+v, %v", h, err)
	}
	res, err := src.Events(ctx, chains.EventsRequest{Limit: 2})
	if err != nil || len(res.Events) != 2 || res.Next != "2" || res.Events[1].ID != "mem:1" || res.Events[1].Nonce != 1 {
		t.Fatalf("Events = %+v, %v", res, err)
	}
	evs, err := src.Reobserve(ctx, "tx3")
	if err != nil || len(evs) != 1 || evs[0].Amount != 4 || evs[0].Block.Hash != "block-4" {
		t.Fatalf("Reobserve = %+v, %v", evs, err)
	}
	snk := p.Sink()
	m := chains.Mint{Amount: 42}
	m.Lock.TxID[0] = 9
	sub, err := snk.Build(ctx, chains.BuildRequest{Kind: chains.SubmitMint, Mint: &m})
	if err != nil || sub.ID != m.Lock.TransferID() || len(sub.Digests) != 1 || sub.Threshold != 1 {
		t.Fatalf("Build = %+v, %v", sub, err)
	}
	st, err := snk.Submit(ctx, chains.SubmitRequest{Submission: sub, Signatures: []chains.Signature{{Signer: []byte{1}, Sig: []byte{2}}}})
	if err != nil || st.State != chains.StateDone || st.Minted != 42 {
		t.Fatalf("Submit = %+v, %v", st, err)
	}
	if st, err := snk.Status(ctx, chains.SubmitMint, sub.ID); err != nil || st.State != chains.StateDone {
		t.Fatalf("Status = %+v, %v", st, err)
	}
	if l, err := snk.Ledger(ctx); err != nil || l.Minted != 42 || l.Chain != 77 {
		t.Fatalf("Ledger = %+v, %v", l, err)
	}
}

func TestErrorKindsSurviveTheBoundary(t *testing.T) {
	p := start(t, `{"chain_id":77,"events":1}`)
	for k := chains.KindInternal; k <= chains.KindRejected; k++ {
		_, err := p.Source().Reobserve(ctxT(t), "fail:"+k.String())
		var ce *chains.Error
		if !errors.As(err, &ce) || ce.Kind != k || ce.Op != "mem.Reobserve" {
			t.Errorf("kind %v: got %v (%#v)", k, err, ce)
			continue
		}
		if !strings.Contains(err.Error(), "asked to fail with "+k.String()) {
			t.Errorf("kind %v: the message did not cross: %v", k, err)
		}
	}
	if _, err := p.Source().Events(ctxT(t), chains.EventsRequest{After: "x"}); chains.KindOf(err) != chains.KindInvalid {
		t.Errorf("bad cursor: %v", err)
	}
	// proto3 strings are UTF-8: other bytes are the caller's invalid input.
	if _, err := p.Source().Events(ctxT(t), chains.EventsRequest{After: "\xff"}); chains.KindOf(err) != chains.KindInvalid {
		t.Errorf("a cursor that is not UTF-8: %v", err)
	}
	if _, err := p.Source().Reobserve(ctxT(t), "\xfe"); chains.KindOf(err) != chains.KindInvalid {
		t.Errorf("a txid that is not UTF-8: %v", err)
	}
}

func TestDeadlineCrossesTheBoundary(t *testing.T) {
	p := start(t, `{"chain_id":77,"events":1}`)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err := p.Source().Reobserve(ctx, "sleep")
	if chains.KindOf(err) != chains.KindTransient {
		t.Fatalf("a call past its deadline: %v, want transient", err)
	}
	if waited := time.Since(began); waited > 5*time.Second {
		t.Fatalf("the call returned %s after its deadline", waited)
	}
}

func TestTheBinaryChecksumIsPinned(t *testing.T) {
	wrong := append([]byte(nil), memPlugin.sum...)
	wrong[0] ^= 1
	_, err := Start(ctxT(t), Config{Path: memPlugin.path, SHA256: wrong, PluginConfig: []byte(`{"chain_id":1}`)})
	if chains.KindOf(err) != chains.KindInvalid || !strings.Contains(err.Error(), "pinned SHA-256") {
		t.Fatalf("a wrong checksum: %v", err)
	}
	_, err = Start(ctxT(t), Config{Path: memPlugin.path, PluginConfig: []byte(`{"chain_id":1}`)})
	if chains.KindOf(err) != chains.KindInvalid || !strings.Contains(err.Error(), "SHA256") {
		t.Fatalf("no checksum: %v", err)
	}
	p := start(t, `{"chain_id":1}`, func(c *Config) { c.SHA256, c.Unpinned = nil, true })
	if p.Info().Chain != 1 {
		t.Fatal("an unpinned start did not configure")
	}
}

func TestBadConfigIsTypedAndLeavesNoProcess(t *testing.T) {
	_, err := Start(ctxT(t), Config{Path: memPlugin.path, SHA256: memPlugin.sum, PluginConfig: []byte(`{}`)})
	if chains.KindOf(err) != chains.KindInvalid || !strings.Contains(err.Error(), "chain_id is required") {
		t.Fatalf("a config the plugin refuses: %v", err)
	}
}

func TestTheBinaryRefusesToRunWithoutTheHost(t *testing.T) {
	out, err := exec.Command(memPlugin.path).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "plugin") {
		t.Fatalf("run directly: %v, %s", err, out)
	}
}

// 50 events of 200 KiB cannot come in one response: the server pages them
// and every event arrives once, in order.
func TestLargeEventStreamsArePaged(t *testing.T) {
	const n, size = 50, 200 << 10
	p := start(t, fmt.Sprintf(`{"chain_id":77,"events":%d,"evidence":%d}`, n, size))
	var got []chains.Event
	var cur chains.Cursor
	pages := 0
	for len(got) < n && pages < n {
		res, err := p.Source().Events(ctxT(t), chains.EventsRequest{After: cur})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Events)*size > MaxPageBytes {
			t.Fatalf("a page of %d events of %d bytes", len(res.Events), size)
		}
		got = append(got, res.Events...)
		cur = res.Next
		pages++
	}
	if len(got) != n || pages < 4 {
		t.Fatalf("%d events in %d pages", len(got), pages)
	}
	for i, ev := range got {
		if ev.ID != fmt.Sprintf("mem:%d", i) || len(ev.Evidence) != size || ev.Evidence[0] != byte(i) {
			t.Fatalf("event %d: %s, %d bytes of evidence", i, ev.ID, len(ev.Evidence))
		}
	}
}

func TestAnAbsentCapabilityIsNilAndTyped(t *testing.T) {
	p := start(t, `{"chain_id":77,"events":1,"no_sink":true}`)
	if p.Sink() != nil {
		t.Fatal("Sink() of a plugin without a sink is not nil")
	}
	c, err := p.current(ctxT(t), "test")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.snk.Ledger(ctxT(t), &pb.Empty{})
	if err = fromStatus("test", err); chains.KindOf(err) != chains.KindInvalid || !errors.Is(err, ErrCapabilityAbsent) {
		t.Fatalf("calling the absent sink: %v", err)
	}
}

func TestAKilledPluginIsRestartedAndCallsContinue(t *testing.T) {
	p := start(t, `{"chain_id":77,"events":3}`)
	old := p.Pid()
	if old == 0 {
		t.Fatal("no pid")
	}
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// A call made now either fails as transient or waits for the restart.
	if _, err := p.Source().Head(ctxT(t)); err != nil && chains.KindOf(err) != chains.KindTransient {
		t.Fatalf("a call while the plugin is dead: %v", err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for p.Restarts() < 1 || p.Pid() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("not restarted: restarts %d, pid %d", p.Restarts(), p.Pid())
		}
		time.Sleep(10 * time.Millisecond) // polling a process the OS restarts, with a deadline
	}
	if p.Pid() == old {
		t.Fatalf("the same pid %d after a restart", old)
	}
	res, err := p.Source().Events(ctxT(t), chains.EventsRequest{After: "1"})
	if err != nil || len(res.Events) != 2 {
		t.Fatalf("Events after the restart: %+v, %v", res, err)
	}
}

func TestCloseKillsTheProcess(t *testing.T) {
	p := start(t, `{"chain_id":77,"events":1}`)
	pid := p.Pid()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("process %d still runs after Close", pid)
		}
		time.Sleep(10 * time.Millisecond) // waiting for the OS to reap the process
	}
	if _, err := p.Source().Head(ctxT(t)); err == nil {
		t.Fatal("a call after Close succeeded")
	}
}
