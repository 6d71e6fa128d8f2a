package devnet

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/internal/testbin"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/config"
)

// pluginPath is the EVM plugin binary TestMain builds once.
var pluginPath string

func TestMain(m *testing.M) {
	testbin.Main(m, testbin.Binary{Pkg: "cmd/fluxbridge-plugin-evm", Path: &pluginPath})
}

// start starts a devnet for a test with manual FLUX blocks.
func start(t *testing.T, cfg Config) *Devnet {
	t.Helper()
	cfg.Dir, cfg.Plugin = t.TempDir(), pluginPath
	cfg.ManualFlux = true
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Logf("closing the devnet: %v", err)
		}
	})
	return d
}

// testWriter sends log lines to t.Log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

// lockN makes n locks of 1 to 50 FLUX to distinct recipients.
func lockN(t *testing.T, d *Devnet, n int, amount func(i int) int64) []chains.LockRef {
	t.Helper()
	var out []chains.LockRef
	for i := range n {
		a := MinLock + int64(i)*1_000_003%(MaxLock-MinLock)
		if amount != nil {
			a = amount(i)
		}
		l, err := d.Lock(a, [20]byte{0xa0, byte(i >> 8), byte(i), 19: 1})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

// finalize mines the lock block and D_L1 more so the locks are final.
func finalize(t *testing.T, d *Devnet) {
	t.Helper()
	if err := d.MineFlux(int(d.cfg.Confirmations)); err != nil {
		t.Fatal(err)
	}
}

// await waits for every lock to be minted and checks it happened once each.
func await(t *testing.T, d *Devnet, locks []chains.LockRef, timeout time.Duration) Result {
	t.Helper()
	res, err := d.Await(context.Background(), locks, timeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("result: %+v", res)
	if !res.OK() {
		t.Fatalf("not every lock minted exactly once: %+v", res)
	}
	return res
}

// waitFor polls cond (an external system: stores, chains) until it holds.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// transfer reads a transfer from relayer i's store.
func transfer(t *testing.T, d *Devnet, i int, id string) (relayer.Transfer, bool) {
	t.Helper()
	var tr relayer.Transfer
	var found bool
	err := d.Relayer(i).Store().View(context.Background(), func(tx relayer.Tx) error {
		var err error
		tr, err = tx.Transfer(id)
		if fault.KindOf(err) == fault.NotFound {
			return nil
		}
		found = err == nil
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tr, found
}

type configGovernor = config.Governor

func configDuration(d time.Duration) config.Duration { return config.Duration(d) }

// waitMining is waitFor while a FLUX block is mined every second: a light
// node that last heard of a peer's tip before a burst of blocks can call
// the peers disagreeing (and refuse to sign) until the next block arrives.
func waitMining(t *testing.T, d *Devnet, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	last := time.Now()
	waitFor(t, what, timeout, func() bool {
		if time.Since(last) > time.Second {
			if err := d.MineFlux(1); err != nil {
				t.Fatal(err)
			}
			last = time.Now()
		}
		return cond()
	})
}
