package chainrpc

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// waitRestarted waits until the supervisor has restarted the plugin want
// times and it runs under a pid other than old.
func waitRestarted(t *testing.T, p *Plugin, want, old int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for p.Restarts() < want || p.Pid() == 0 || p.Pid() == old {
		if time.Now().After(deadline) {
			t.Fatalf("not restarted: restarts %d (want %d), pid %d (was %d)", p.Restarts(), want, p.Pid(), old)
		}
		time.Sleep(10 * time.Millisecond) // polling a process the supervisor restarts, with a deadline
	}
	if p.Restarts() != want {
		t.Fatalf("restarts = %d, want %d", p.Restarts(), want)
	}
}

// waitGone waits until the process pid no longer exists.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("process %d still runs", pid)
		}
		time.Sleep(10 * time.Millisecond) // waiting for the OS to reap the process
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
	if _, err := p.Source().Head(ctxT(t)); err != nil && fault.KindOf(err) != fault.Transient {
		t.Fatalf("a call while the plugin is dead: %v", err)
	}
	waitRestarted(t, p, 1, old)
	res, err := p.Source().Events(ctxT(t), chains.EventsRequest{After: "1"})
	if err != nil || len(res.Events) != 2 {
		t.Fatalf("Events after the restart: %+v, %v", res, err)
	}
	if _, err := p.Sink().Ledger(ctxT(t)); err != nil {
		t.Fatalf("Ledger after the restart: %v", err)
	}
}

// A plugin that stops answering (here: SIGSTOP) fails its health check and
// is killed and replaced.
func TestAHungPluginIsReplaced(t *testing.T) {
	p := start(t, `{"chain_id":77,"events":3}`)
	old := p.Pid()
	if err := syscall.Kill(old, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitRestarted(t, p, 1, old)
	waitGone(t, old)
	if _, err := p.Source().Head(ctxT(t)); err != nil {
		t.Fatalf("Head after the restart: %v", err)
	}
}

// A restarted plugin that reports another chain is refused: the supervisor
// keeps retrying and logs it as an error; calls meanwhile wait for their
// context and fail as transient; once the plugin serves the right chain
// again, waiting calls go through.
func TestARestartedPluginMustServeTheSameChain(t *testing.T) {
	idFile := filepath.Join(t.TempDir(), "chain-id")
	writeID := func(id int) {
		if err := os.WriteFile(idFile, []byte(fmt.Sprint(id)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeID(77)
	logs := newLogRecorder()
	p := start(t, fmt.Sprintf(`{"chain_id_file":%q,"events":3}`, idFile), func(c *Config) { c.Logger = slog.New(logs) })
	if p.Info().Chain != 77 {
		t.Fatalf("Info = %+v", p.Info())
	}
	writeID(78)
	old := p.Pid()
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	logs.waitFor(t, "the refused restart", func(r slog.Record) bool {
		err, _ := attr(r, "err")
		return r.Level == slog.LevelError && strings.Contains(err, "serves chain 78")
	})
	if p.Restarts() != 0 || p.Pid() != 0 {
		t.Fatalf("a plugin of another chain was taken: restarts %d, pid %d", p.Restarts(), p.Pid())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	_, err := p.Source().Head(ctx)
	cancel()
	if fault.KindOf(err) != fault.Transient {
		t.Fatalf("a call while no usable plugin runs: %v, want transient", err)
	}
	if p.Source().Chain() != 77 {
		t.Fatalf("Chain() = %v", p.Source().Chain())
	}
	type result struct {
		h   chains.Head
		err error
	}
	waiting := make(chan result, 1)
	go func() {
		h, err := p.Source().Head(ctxT(t))
		waiting <- result{h, err}
	}()
	writeID(77)
	r := <-waiting
	if r.err != nil || r.h.Tip.Height != 3 {
		t.Fatalf("a call that waited for the restart: %+v, %v", r.h, r.err)
	}
	waitRestarted(t, p, 1, old)
}

func TestCloseKillsTheProcess(t *testing.T) {
	p := start(t, `{"chain_id":77,"events":1}`)
	pid := p.Pid()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
	if p.Pid() != 0 {
		t.Fatalf("Pid() = %d after Close", p.Pid())
	}
	if _, err := p.Source().Head(ctxT(t)); err == nil {
		t.Fatal("a call after Close succeeded")
	}
	if err := p.Close(); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
}

// Close wakes a call waiting for a restart instead of leaving it to its
// context.
func TestCloseEndsCallsWaitingForARestart(t *testing.T) {
	idFile := filepath.Join(t.TempDir(), "chain-id")
	if err := os.WriteFile(idFile, []byte("77"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := start(t, fmt.Sprintf(`{"chain_id_file":%q}`, idFile))
	if err := os.WriteFile(idFile, []byte("78"), 0o600); err != nil { // restarts are refused from now on
		t.Fatal(err)
	}
	if err := syscall.Kill(p.Pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for p.Pid() != 0 { // wait until the supervisor has seen the death
		if _, err := p.Source().Head(ctxT(t)); err != nil && fault.KindOf(err) != fault.Transient {
			t.Fatalf("a call while the plugin is dead: %v", err)
		}
		time.Sleep(10 * time.Millisecond) // polling the supervisor's view of an external process
	}
	errc := make(chan error, 1)
	go func() {
		_, err := p.Source().Head(context.Background()) // no deadline: only Close can end it
		errc <- err
	}()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("a call waiting across Close succeeded")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close left a waiting call blocked")
	}
}

// After Close, nothing started for the plugin runs on: the supervisor, the
// gRPC connection and go-plugin's readers all stop.
func TestNoGoroutineOutlivesClose(t *testing.T) {
	// settle returns the goroutine count once it is at most limit, or once
	// it has not changed for 200 ms.
	settle := func(limit int) int {
		deadline := time.Now().Add(10 * time.Second)
		n, same := runtime.NumGoroutine(), 0
		for n > limit && same < 10 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond) // goroutines wind down asynchronously after Close
			m := runtime.NumGoroutine()
			if m == n {
				same++
			} else {
				n, same = m, 0
			}
		}
		return n
	}
	// One cycle first: process-wide goroutines (gRPC's, the runtime's) that
	// start on first use are not leaks.
	warm := start(t, `{"chain_id":77,"events":1}`)
	warm.Close()
	before := settle(0)
	t.Logf("%d goroutines before Start", before)

	p := start(t, `{"chain_id":77,"events":3}`)
	if _, err := p.Source().Events(ctxT(t), chains.EventsRequest{}); err != nil {
		t.Fatal(err)
	}
	old := p.Pid()
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitRestarted(t, p, 1, old)
	if _, err := p.Sink().Ledger(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if after := settle(before); after > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines after Close, %d before Start:\n%s", after, before, buf[:runtime.Stack(buf, true)])
	}
}
