package devnet

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/common"

	"github.com/fluxbridge/fluxbridge/relayer"
)

// mintTxs reads the bridge's Minted events and returns, per lock id, the
// transactions that minted it, and the number of locks each transaction minted.
func mintTxs(t *testing.T, d *Devnet) (byLock map[[32]byte][]common.Hash, perTx map[common.Hash]int) {
	t.Helper()
	it, err := d.EVM.Bridge.FilterMinted(&bind.FilterOpts{Start: 0, Context: context.Background()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	byLock, perTx = map[[32]byte][]common.Hash{}, map[common.Hash]int{}
	for it.Next() {
		byLock[it.Event.LockId] = append(byLock[it.Event.LockId], it.Event.Raw.TxHash)
		perTx[it.Event.Raw.TxHash]++
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
	return byLock, perTx
}

// batchEntries counts relayer i's mint-batch-signed and mint-batch-submitted entries.
func batchEntries(t *testing.T, d *Devnet, i int) (signed, submitted int) {
	t.Helper()
	return len(journalOf(t, d, i, relayer.KindMintBatchSigned)), len(journalOf(t, d, i, relayer.KindMintBatchSubmitted))
}

// The locks of one FLUX block are minted in one batch: every relayer signs
// the same batch without talking, one submits it, and the bridge mints each
// lock exactly once in far fewer transactions than locks.
func TestLocksOfABlockMintInABatch(t *testing.T) {
	const n = 24
	d := start(t, Config{Coins: n})
	locks := lockN(t, d, n, defaultAmount)
	finalize(t, d)
	await(t, d, locks, 90*time.Second)
	checkContract(t, d, locks, amountsOf(locks, defaultAmount))
	byLock, perTx := mintTxs(t, d)
	for _, l := range locks {
		if txs := byLock[LockID(l)]; len(txs) != 1 {
			t.Fatalf("%s was minted by %d transactions, want 1", l.TransferID(), len(txs))
		}
	}
	biggest := 0
	for _, c := range perTx {
		biggest = max(biggest, c)
	}
	if len(perTx) >= n || biggest < 2 {
		t.Fatalf("%d locks minted by %d transactions (the largest minted %d): no batch", n, len(perTx), biggest)
	}
	// A relayer late to sign (its light node briefly unhealthy) may find
	// the locks minted already: at least k signed a batch.
	var signers, submitted int
	for i := range 3 {
		s, sub := batchEntries(t, d, i)
		if s > 0 {
			signers++
		}
		submitted += sub
	}
	if signers < 2 {
		t.Fatalf("%d relayers signed a batch, want at least k = 2", signers)
	}
	if submitted == 0 {
		t.Fatal("no relayer journaled a mint-batch-submitted entry")
	}
	t.Logf("%d locks of one block minted by %d transactions (largest %d); %d batches submitted", n, len(perTx), biggest, submitted)
	waitMintedInStores(t, d, []int{0, 1, 2}, locks)
	for i := range 3 {
		checkJournal(t, d, i)
	}
}

// With k = n = 3, a relayer whose governor holds one lock of a block signs
// another batch than the others: no batch reaches k, and every lock is
// minted alone, exactly once (the held one after its hold).
func TestGovernorHoldForcesSingleMints(t *testing.T) {
	const n = 6
	held := int64(4 * MinLock)
	amount := func(i int) int64 {
		if i == 0 {
			return held
		}
		return MinLock + int64(i)
	}
	d := start(t, Config{Coins: n, Threshold: 3, FailoverAfter: time.Second, Tune: func(i int, c *relayer.Config) {
		if i == 0 {
			c.Governor.Large, c.Governor.LargeDelay = uint64(held), 8*time.Second
		}
	}})
	locks := lockN(t, d, n, amount)
	finalize(t, d)
	await(t, d, locks, 90*time.Second)
	checkContract(t, d, locks, amountsOf(locks, amount))
	byLock, perTx := mintTxs(t, d)
	for _, l := range locks {
		if txs := byLock[LockID(l)]; len(txs) != 1 {
			t.Fatalf("%s was minted by %d transactions, want 1", l.TransferID(), len(txs))
		}
	}
	if len(perTx) != n {
		t.Fatalf("%d locks minted by %d transactions, want one each", n, len(perTx))
	}
	for i := range 3 {
		s, sub := batchEntries(t, d, i)
		if s == 0 || sub != 0 {
			t.Errorf("relayer %d: %d batches signed, %d submitted; want some signed, none submitted", i, s, sub)
		}
	}
	if held := journalOf(t, d, 0, relayer.KindGovernorHeld); len(held) == 0 {
		t.Fatal("relayer 0's governor held nothing")
	}
	waitMintedInStores(t, d, []int{0, 1, 2}, locks)
	for i := range 3 {
		checkJournal(t, d, i)
	}
}
