package devnet

import (
	"context"
	"encoding/json"
	"math/big"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/journal"
)

// checkContract checks the bridge's own state: every lock used with nothing
// remaining, and the token supply equal to the locked value minus fees.
func checkContract(t *testing.T, d *Devnet, locks []chains.LockRef, amounts map[chains.LockRef]uint64) {
	t.Helper()
	opts := &bind.CallOpts{Context: context.Background()}
	fee, err := d.EVM.Bridge.MintFee(opts)
	if err != nil {
		t.Fatal(err)
	}
	var want uint64
	for _, l := range locks {
		st, err := d.EVM.Bridge.LockState(opts, LockID(l))
		if err != nil {
			t.Fatal(err)
		}
		if !st.Used || st.Remaining != 0 {
			t.Errorf("lock %s: used %v, remaining %d", l.TransferID(), st.Used, st.Remaining)
		}
		want += amounts[l] - fee
	}
	supply, err := d.EVM.Token.TotalSupply(opts)
	if err != nil {
		t.Fatal(err)
	}
	if supply.Cmp(new(big.Int).SetUint64(want)) != 0 {
		t.Errorf("token supply %s, want %d (locked minus fees)", supply, want)
	}
}

func amountsOf(locks []chains.LockRef, f func(i int) int64) map[chains.LockRef]uint64 {
	m := map[chains.LockRef]uint64{}
	for i, l := range locks {
		m[l] = uint64(f(i))
	}
	return m
}

func defaultAmount(i int) int64 { return MinLock + int64(i)*1_000_003%(MaxLock-MinLock) }

// waitMintedInStores waits until every running relayer records every lock as minted.
func waitMintedInStores(t *testing.T, d *Devnet, relayers []int, locks []chains.LockRef) {
	t.Helper()
	waitFor(t, "every relayer to record the mints", 60*time.Second, func() bool {
		for _, i := range relayers {
			for _, l := range locks {
				if tr, ok := transfer(t, d, i, l.TransferID()); !ok || tr.State != relayer.StateMinted {
					return false
				}
			}
		}
		return true
	})
}

func TestHundredLocksMintedExactlyOnce(t *testing.T) {
	d := start(t, Config{Coins: 100})
	locks := lockN(t, d, 100, defaultAmount)
	finalize(t, d)
	await(t, d, locks, 90*time.Second)
	checkContract(t, d, locks, amountsOf(locks, defaultAmount))
	if locks, events := d.NewWatcherTotal(t); locks != 100 || events != 100 {
		t.Fatalf("the bridge emitted %d mint events for %d locks, want 100 for 100", events, locks)
	}
	waitMintedInStores(t, d, []int{0, 1, 2}, locks)
	for i := range 3 {
		checkJournal(t, d, i)
	}
}

func TestOneRelayerDownTheWholeTime(t *testing.T) {
	d := start(t, Config{Coins: 12, FailoverAfter: time.Second})
	if err := d.StopRelayer(2); err != nil {
		t.Fatal(err)
	}
	locks := lockN(t, d, 12, defaultAmount)
	finalize(t, d)
	await(t, d, locks, 60*time.Second)
	checkContract(t, d, locks, amountsOf(locks, defaultAmount))
}

func TestRelayerRestartedMidRun(t *testing.T) {
	d := start(t, Config{Coins: 40, FailoverAfter: time.Second})
	locks := lockN(t, d, 20, defaultAmount)
	finalize(t, d)
	w := d.NewWatcher()
	waitFor(t, "the first mints", 60*time.Second, func() bool {
		if err := w.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		n, _ := w.Total()
		return n >= 3
	})
	if err := d.StopRelayer(1); err != nil {
		t.Fatal(err)
	}
	more := lockN(t, d, 20, func(i int) int64 { return defaultAmount(i + 20) })
	finalize(t, d)
	if err := d.StartRelayer(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	all := append(locks, more...)
	await(t, d, all, 90*time.Second)
	checkContract(t, d, all, amountsOf(all, defaultAmount))
	waitMintedInStores(t, d, []int{0, 1, 2}, all)
}

func TestReorgBeforeFinalityIsNeverSigned(t *testing.T) {
	d := start(t, Config{Coins: 4})
	locks := lockN(t, d, 1, defaultAmount)
	if err := d.MineFlux(10); err != nil {
		t.Fatal(err)
	}
	id := locks[0].TransferID()
	waitFor(t, "every relayer to see the lock", 30*time.Second, func() bool {
		for i := range 3 {
			if tr, ok := transfer(t, d, i, id); !ok || tr.State != relayer.StateSeen {
				return false
			}
		}
		return true
	})
	old, _ := transfer(t, d, 0, id)
	tip, _ := d.Flux.Tip()
	depth := int(tip) - int(old.Block.Height) + 1 // replace exactly the blocks from the lock's on
	if err := d.Flux.Reorg(depth, depth+2); err != nil {
		t.Fatal(err)
	}
	d.noteTip()
	if d.Flux.MempoolTx(chainhash.Hash(locks[0].TxID)) { // back in the mempool: mined in the next block
		if err := d.MineFlux(1); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the relayers to see the lock in its new block", 30*time.Second, func() bool {
		for i := range 3 {
			tr, ok := transfer(t, d, i, id)
			if !ok || tr.Block.Hash == old.Block.Hash || tr.State != relayer.StateSeen {
				return false
			}
		}
		return true
	})
	finalize(t, d)
	await(t, d, locks, 60*time.Second)
	for i := range 3 {
		kinds := journalKinds(t, d, i, id)
		if !strings.Contains(strings.Join(kinds, " "), relayer.KindLockOrphaned) {
			t.Errorf("relayer %d did not journal the orphaned lock: %v", i, kinds)
		}
		for _, e := range journalOf(t, d, i, relayer.KindMintAttested) {
			if e["id"] == id && e["block"] == old.Block.Hash {
				t.Errorf("relayer %d signed the lock in the orphaned block %s", i, old.Block.Hash)
			}
		}
	}
}

func TestGovernorDelaysALargeLockThenMints(t *testing.T) {
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	d := start(t, Config{Coins: 4, Now: now, Governor: govLimit(1337, 3*100_000_000, 6*time.Hour)})
	small := lockN(t, d, 1, func(int) int64 { return 2 * 100_000_000 })
	large, err := d.Lock(4*100_000_000, [20]byte{0xbb, 19: 1}) // above the whole 24 h limit
	if err != nil {
		t.Fatal(err)
	}
	finalize(t, d)
	await(t, d, small, 60*time.Second)
	waitMining(t, d, "the governor to queue the large lock", 30*time.Second, func() bool {
		for i := range 3 {
			if tr, ok := transfer(t, d, i, large.TransferID()); !ok || tr.State != relayer.StateQueued {
				return false
			}
		}
		return true
	})
	if at, _ := d.NewWatcherMinted(t, large); !at.IsZero() {
		t.Fatal("the large lock was minted before its delay")
	}
	tr, _ := transfer(t, d, 0, large.TransferID())
	if !strings.Contains(tr.Reason, "large transfer") || tr.ReleaseAt.Sub(tr.FinalAt) != 6*time.Hour {
		t.Fatalf("queued with reason %q until %s (final %s)", tr.Reason, tr.ReleaseAt, tr.FinalAt)
	}
	offset.Store(int64(6*time.Hour + time.Minute))
	await(t, d, []chains.LockRef{large}, 60*time.Second)
}

func TestForgedMintHaltsSigning(t *testing.T) {
	d := start(t, Config{Coins: 4})
	first := lockN(t, d, 1, defaultAmount)
	finalize(t, d)
	await(t, d, first, 60*time.Second)
	// A mint no lock backs, authorised by k stolen relayer keys.
	forged := [32]byte{0xf0, 0x4e}
	var rcpt [32]byte
	copy(rcpt[12:], crypto.PubkeyToAddress(d.EVM.Users[len(d.EVM.Users)-1].PublicKey).Bytes())
	value := uint64(1000 * 100_000_000)
	sigs := d.EVM.SignMint(forged, 0, value, rcpt, 0, 1)
	if _, err := d.EVM.Bridge.Mint(d.EVM.Transactor(d.EVM.Users[len(d.EVM.Users)-1]), forged, 0, value, rcpt, sigs); err != nil {
		t.Fatal(err)
	}
	if err := d.EVM.FinalizeAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	second := lockN(t, d, 1, func(int) int64 { return 2 * 100_000_000 })
	finalize(t, d)
	waitMining(t, d, "every relayer to halt signing", 30*time.Second, func() bool {
		for i := range 3 {
			var halted string
			if err := d.Relayer(i).Store().View(context.Background(), func(tx relayer.Tx) (err error) {
				halted, _, err = tx.Setting(relayer.SettingHalted)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(halted, "accountant invariant broken") {
				return false
			}
		}
		return true
	})
	// Signing stays halted: the sign step runs again, refuses (and says so
	// in the journal), and nothing is attested for the second lock.
	if err := d.MineFlux(5); err != nil {
		t.Fatal(err)
	}
	waitMining(t, d, "every relayer to journal that it refuses to sign while halted", 30*time.Second, func() bool {
		for i := range 3 {
			refused := false
			for _, e := range journalOf(t, d, i, relayer.KindSigningRefused) {
				refused = refused || strings.HasPrefix(e["reason"].(string), "halted: ")
			}
			if !refused {
				return false
			}
		}
		return true
	})
	for i := range 3 {
		tr, _ := transfer(t, d, i, second[0].TransferID())
		if tr.State != relayer.StateFinal {
			t.Errorf("relayer %d: the second lock is %s, want final (not signed)", i, tr.State)
		}
		if len(journalOf(t, d, i, relayer.KindSigningHalted)) == 0 {
			t.Errorf("relayer %d journaled no halt", i)
		}
	}
	if at, _ := d.NewWatcherMinted(t, second[0]); !at.IsZero() {
		t.Fatal("the second lock was minted after the invariant broke")
	}
}

func govLimit(chain chains.ID, limit uint64, delay time.Duration) (g configGovernor) {
	g.Window = configDuration(24 * time.Hour)
	g.Limits = map[chains.ID]uint64{chain: limit}
	g.LargeDelay = configDuration(delay)
	return g
}

// NewWatcherTotal counts the bridge's mint events from genesis.
func (d *Devnet) NewWatcherTotal(t *testing.T) (locks, events int) {
	t.Helper()
	w := d.NewWatcher()
	if err := w.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w.Total()
}

// NewWatcherMinted reports whether the lock has a mint event so far.
func (d *Devnet) NewWatcherMinted(t *testing.T, l chains.LockRef) (time.Time, int) {
	t.Helper()
	w := d.NewWatcher()
	if err := w.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w.Minted(l)
}

// journalOf returns the contents of relayer i's journal entries of one kind.
func journalOf(t *testing.T, d *Devnet, i int, kind string) []map[string]any {
	t.Helper()
	es, err := d.Relayer(i).Store().JournalRange(context.Background(), 1, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, e := range es {
		if e.Kind != kind {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(e.Content, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// journalKinds lists the kinds of relayer i's entries about transfer id.
func journalKinds(t *testing.T, d *Devnet, i int, id string) []string {
	t.Helper()
	es, err := d.Relayer(i).Store().JournalRange(context.Background(), 1, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if strings.Contains(string(e.Content), id) {
			out = append(out, e.Kind)
		}
	}
	return out
}

// The journal of a relayer that minted verifies as one signed chain and
// carries the header chain from the anchor.
func checkJournal(t *testing.T, d *Devnet, i int) {
	t.Helper()
	es, err := d.Relayer(i).Store().JournalRange(context.Background(), 1, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	v := journal.Verifier{Signer: d.Relayer(i).Relayer().ID()}
	var next uint64 = 1
	for _, e := range es {
		if err := v.Next(e); err != nil {
			t.Fatalf("relayer %d: %v", i, err)
		}
		if e.Kind == relayer.KindHeaders {
			var h struct{ From, To uint64 }
			if err := json.Unmarshal(e.Content, &h); err != nil {
				t.Fatal(err)
			}
			if h.From != next {
				t.Fatalf("relayer %d: header chain continues at %d, want %d", i, h.From, next)
			}
			next = h.To + 1
		}
	}
	if next == 1 {
		t.Fatalf("relayer %d journaled no headers", i)
	}
}

func TestOperatorPauseStopsSigning(t *testing.T) {
	d := start(t, Config{Coins: 4})
	ctx := context.Background()
	for _, i := range []int{0, 1} { // two of three paused: no quorum of 2
		if err := d.Relayer(i).Relayer().Pause(ctx, "maintenance"); err != nil {
			t.Fatal(err)
		}
	}
	locks := lockN(t, d, 1, defaultAmount)
	finalize(t, d)
	waitMining(t, d, "the paused relayers to refuse", 30*time.Second, func() bool {
		want := relayer.Refusal{Cause: relayer.RefusalPaused, Reason: "paused: maintenance"}
		return d.Relayer(0).Relayer().Refusing() == want && d.Relayer(1).Relayer().Refusing() == want
	})
	if tr, _ := transfer(t, d, 0, locks[0].TransferID()); tr.State != relayer.StateFinal {
		t.Fatalf("a paused relayer moved the lock to %s", tr.State)
	}
	if err := d.Relayer(1).Relayer().Resume(ctx, false); err != nil {
		t.Fatal(err)
	}
	await(t, d, locks, 60*time.Second)
	if tr, _ := transfer(t, d, 0, locks[0].TransferID()); tr.State == relayer.StateAttested || tr.State == relayer.StateQuorum {
		t.Fatalf("the still paused relayer signed: %s", tr.State)
	}
	checkJournal(t, d, 1)
}
