package devnet

import (
	"context"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/relayer/config"
)

// With two EVM chains every relayer serves both (one plugin process each),
// and locks alternating between the chains are each minted exactly once, on
// the chain their memo names and on no other.
func TestTwoChainsMintInterleaved(t *testing.T) {
	begin := time.Now()
	d := start(t, Config{EVMChains: 2, Coins: 16})
	t.Logf("devnet up in %s", time.Since(begin).Round(time.Millisecond))
	if len(d.EVMs) != 2 || d.EVM != d.EVMs[0] {
		t.Fatalf("%d EVM chains, EVM is EVMs[0]: %v", len(d.EVMs), d.EVM == d.EVMs[0])
	}
	if a, b := d.EVMs[0].ChainID.Uint64(), d.EVMs[1].ChainID.Uint64(); a != 1337 || b != 1338 {
		t.Fatalf("chain ids %d and %d, want 1337 and 1338", a, b)
	}
	opts := &bind.CallOpts{Context: context.Background()}
	for c, ch := range d.EVMs {
		for i, k := range d.EVM.SignerKeys {
			if ok, err := ch.Bridge.IsSigner(opts, crypto.PubkeyToAddress(k.PublicKey)); err != nil || !ok {
				t.Fatalf("chain %d: relayer key %d is not a signer of the bridge (%v)", c, i, err)
			}
		}
	}
	for i, p := range d.ConfigPaths {
		cfg, err := config.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(cfg.Chains) != 2 {
			t.Fatalf("relayer %d's config has %d chains, want 2", i, len(cfg.Chains))
		}
		keys := map[string]bool{}
		for c, ch := range cfg.Chains {
			eps, _ := ch.PluginConfig.Settings["endpoints"].([]any)
			if ch.ID != chains.ID(d.EVMs[c].ChainID.Uint64()) || ch.PluginConfig.Bridge != config.Address(d.EVMs[c].BridgeAddr) ||
				len(eps) != 1 || eps[0] != d.EVMs[c].URL {
				t.Fatalf("relayer %d's chain %d: %+v, want chain %s at %s", i, c, ch, d.EVMs[c].ChainID, d.EVMs[c].URL)
			}
			key, _ := ch.PluginConfig.Settings["submitter_key_file"].(string)
			if key == "" || filepath.Dir(key) != filepath.Dir(p) || keys[key] {
				t.Fatalf("relayer %d's chain %d: submitter key file %q", i, c, key)
			}
			keys[key] = true
		}
	}

	const n = 6
	amount := func(i int) int64 { return MinLock + int64(i+1)*10_000_019 }
	var locks []chains.LockRef
	onChain := make([][]chains.LockRef, 2)
	want := make([]uint64, 2)
	for i := range n {
		c := i % 2
		l, err := d.LockOn(c, amount(i), [20]byte{0xc0, byte(c), byte(i), 19: 1})
		if err != nil {
			t.Fatal(err)
		}
		locks = append(locks, l)
		onChain[c] = append(onChain[c], l)
		want[c] += uint64(amount(i))
	}
	if _, err := d.LockOn(2, MinLock, [20]byte{}); err == nil {
		t.Fatal("LockOn(2) with two chains made a lock")
	}
	finalize(t, d)
	begin = time.Now()
	waitMining(t, d, "every lock minted on its chain", 120*time.Second, func() bool {
		for c, ls := range onChain {
			for _, l := range ls {
				st, err := d.EVMs[c].Bridge.LockState(opts, LockID(l))
				if err != nil {
					t.Fatal(err)
				}
				if !st.Used {
					return false
				}
			}
		}
		return true
	})
	t.Logf("%d locks minted in %s after finality", n, time.Since(begin).Round(time.Millisecond))
	// Every lock had one mint event in all, so none was minted on the other
	// chain too.
	res := await(t, d, locks, 30*time.Second)
	if res.Minted != n {
		t.Fatalf("result %+v: want %d locks minted", res, n)
	}
	for c, ch := range d.EVMs {
		w := d.NewWatcherOn(c)
		if err := w.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		if locks, events := w.Total(); locks != len(onChain[c]) || events != len(onChain[c]) {
			t.Errorf("chain %d: %d locks with %d mint events, want %d each", c, locks, events, len(onChain[c]))
		}
		for _, l := range onChain[1-c] {
			if st, err := ch.Bridge.LockState(opts, LockID(l)); err != nil || st.Used {
				t.Errorf("chain %d: lock %s of the other chain is used here (%v)", c, l.TransferID(), err)
			}
		}
		fee, err := ch.Bridge.MintFee(opts)
		if err != nil {
			t.Fatal(err)
		}
		supply, err := ch.Token.TotalSupply(opts)
		if err != nil {
			t.Fatal(err)
		}
		if fee != 0 || supply.Cmp(new(big.Int).SetUint64(want[c])) != 0 {
			t.Errorf("chain %d: token supply %s (mint fee %d), want %d, the sum of its locks", c, supply, fee, want[c])
		}
	}
}
