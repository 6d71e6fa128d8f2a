package devnet

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxtest"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// The coins Start prepares for the largest demo pay every one of its locks,
// each lock of the largest amount and from its own coin, while FLUX blocks
// are mined between the locks and the network pays a new fluxnode's 1,000
// FLUX collateral from its wallet (which once spent the prepared coins:
// a 1,000-lock demo ran out at lock 646).
func TestPreparedCoinsPayMaxDemoLocks(t *testing.T) {
	f, err := fluxtest.New(fluxtest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	d := &Devnet{cfg: Config{Coins: MaxDemoLocks, LockMax: MaxLock}, Flux: f}
	start := time.Now()
	if err := d.fund(); err != nil {
		t.Fatal(err)
	}
	tip, _ := f.Tip()
	t.Logf("%d coins prepared in %s, tip %d", d.CoinsLeft(), time.Since(start).Round(time.Millisecond), tip)
	if d.CoinsLeft() != MaxDemoLocks {
		t.Fatalf("%d coins prepared, want %d", d.CoinsLeft(), MaxDemoLocks)
	}
	reserve := script.P2SH(script.Hash160([]byte("reserve")))
	user := string(userScript())
	locks := make([]chainhash.Hash, 0, MaxDemoLocks)
	for i := range MaxDemoLocks {
		switch {
		case i == MaxDemoLocks/2:
			// Past the next fluxnode registration (one every 300 blocks).
			if err := f.Mine(300); err != nil {
				t.Fatal(err)
			}
		case i%250 == 0:
			if err := f.Mine(1); err != nil {
				t.Fatal(err)
			}
		}
		m := memo.Lock{ChainID: 1337, Recipient: memo.EVMRecipient([20]byte{0xd0, byte(i >> 8), byte(i), 19: 1})}
		lock, err := d.pay([]tx.TxOut{{Value: MaxLock, Script: reserve}, {Value: 0, Script: memo.Script(m)}})
		if err != nil {
			t.Fatalf("lock %d of %d: %v", i+1, MaxDemoLocks, err)
		}
		if len(lock.Inputs) != 1 {
			t.Fatalf("lock %d spends %d inputs, want its one prepared coin", i+1, len(lock.Inputs))
		}
		if prev, ok := f.UTXO(lock.Inputs[0].PrevOut); !ok || string(prev.Script) != user {
			t.Fatalf("lock %d does not spend a prepared coin", i+1)
		}
		if left := d.CoinsLeft(); left != MaxDemoLocks-i-1 {
			t.Fatalf("after lock %d, %d coins are left, want %d", i+1, left, MaxDemoLocks-i-1)
		}
		locks = append(locks, lock.TxID())
	}
	if err := f.Mine(2); err != nil {
		t.Fatal(err)
	}
	for i, id := range locks {
		if f.Confirmations(id) == 0 {
			t.Fatalf("lock %d (%s) was not mined", i+1, id)
		}
	}
	// With every prepared coin spent, locks are paid by the network's wallet.
	lock, err := d.pay([]tx.TxOut{{Value: MinLock, Script: reserve}})
	if err != nil {
		t.Fatalf("a lock after the prepared coins: %v", err)
	}
	if prev, ok := f.UTXO(lock.Inputs[0].PrevOut); !ok || string(prev.Script) != string(f.WalletScript()) {
		t.Fatal("a lock after the prepared coins does not spend the wallet's coins")
	}
}

// Start creates a missing directory and its missing parents, mode 0700.
func TestStartCreatesMissingDir(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "a", "b", "devnet")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := Start(ctx, Config{Dir: dir, Plugin: pluginPath, ChainsOnly: true, ManualFlux: true, Coins: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, p := range []string{filepath.Join(base, "a"), filepath.Join(base, "a", "b"), dir} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: mode %v, want a directory with mode 0700", p, fi.Mode())
		}
	}
	if len(d.ConfigPaths) != 3 {
		t.Fatalf("%d relayer configs written, want 3", len(d.ConfigPaths))
	}
	for _, p := range d.ConfigPaths {
		if _, err := os.Stat(p); err != nil {
			t.Fatal(err)
		}
	}
}
