package evmsim

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// The chain serves JSON-RPC over HTTP, the bridge's digest matches ours, a
// k-signature mint lands, and FinalizeAll makes it final.
func TestChainMintsOverHTTP(t *testing.T) {
	c, err := New(Config{HTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	cl, err := ethclient.Dial(c.URL)
	if err != nil {
		t.Fatal(err)
	}
	if id, err := cl.ChainID(ctx); err != nil || id.Uint64() != 1337 {
		t.Fatalf("chain id over HTTP: %v %v", id, err)
	}
	var txid, rcpt [32]byte
	txid[0] = 1
	user := crypto.PubkeyToAddress(c.Users[0].PublicKey)
	copy(rcpt[12:], user[:])
	onChain, err := c.Bridge.MintDigest(&bind.CallOpts{}, txid, 2, 2_000_000_000, rcpt)
	if err != nil || onChain != c.MintDigest(txid, 2, 2_000_000_000, rcpt) {
		t.Fatalf("digest: contract %x, ours %x, %v", onChain, c.MintDigest(txid, 2, 2_000_000_000, rcpt), err)
	}
	if _, err := c.Bridge.Mint(c.Transactor(c.Users[1]), txid, 2, 2_000_000_000, rcpt, c.SignMint(txid, 2, 2_000_000_000, rcpt, 0, 2)); err != nil {
		t.Fatal(err)
	}
	if err := c.FinalizeAll(ctx); err != nil {
		t.Fatal(err)
	}
	bal, err := c.Token.BalanceOf(&bind.CallOpts{}, user)
	if err != nil || bal.Uint64() != 2_000_000_000 {
		t.Fatalf("balance %v, %v", bal, err)
	}
	fin, _ := c.Finalized(ctx)
	head, _ := c.Client.BlockNumber(ctx)
	if fin < head-1 {
		t.Fatalf("finalized %d, head %d", fin, head)
	}
}

// The block tags behave as the package documents: "safe" is the head and
// "finalized" is the head rounded down to a multiple of 32.
func TestBlockTags(t *testing.T) {
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	for range 40 {
		c.Commit()
		head, err := c.Client.BlockNumber(ctx)
		if err != nil {
			t.Fatal(err)
		}
		safe, err := c.Client.HeaderByNumber(ctx, big.NewInt(int64(rpc.SafeBlockNumber)))
		if err != nil || safe.Number.Uint64() != head {
			t.Fatalf("head %d: safe %v, %v", head, safe.Number, err)
		}
		fin, err := c.Finalized(ctx)
		if err != nil || fin != head-head%32 {
			t.Fatalf("head %d: finalized %d, want %d (%v)", head, fin, head-head%32, err)
		}
	}
}

// The chain charges live-chain gas (Osaka), not the state-gas repricing of
// go-ethereum's unreleased dev fork, under which this mint costs ~400k, and
// AdjustTime moves block time as documented.
func TestLiveForkGasAndTime(t *testing.T) {
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	var txid, rcpt [32]byte
	txid[0] = 7
	user := crypto.PubkeyToAddress(c.Users[0].PublicKey)
	copy(rcpt[12:], user[:])
	tx, err := c.Bridge.Mint(c.Transactor(c.Users[1]), txid, 0, 2_000_000_000, rcpt, c.SignMint(txid, 0, 2_000_000_000, rcpt, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	c.Commit()
	r, err := c.Client.TransactionReceipt(ctx, tx.Hash())
	if err != nil || r.Status != 1 {
		t.Fatalf("receipt %v, %v", r, err)
	}
	if r.GasUsed > 200_000 {
		t.Fatalf("first mint used %d gas; live rules charge ~130k", r.GasUsed)
	}
	before, err := c.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AdjustTime(48 * time.Hour); err != nil { // Backend.AdjustTime alone races the pool's forgetting of the mined mint
		t.Fatal(err)
	}
	after, err := c.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if after.Number.Uint64() != before.Number.Uint64()+1 || after.Time != before.Time+48*3600 {
		t.Fatalf("AdjustTime: block %d at %d after block %d at %d", after.Number, after.Time, before.Number, before.Time)
	}
}

// New refuses a mint fee that is not below the minimum lock, as the bridge's
// constructor does, before it starts a chain; one zatoshi below deploys.
func TestFeeBelowMinLock(t *testing.T) {
	for _, cfg := range []Config{
		{MinLock: 5, MintFee: 5},
		{MinLock: 5, MintFee: 6},
		{MintFee: 10 * 100_000_000}, // the default minimum lock
	} {
		if c, err := New(cfg); err == nil {
			c.Close()
			t.Errorf("New(MinLock %d, MintFee %d) deployed, want an error", cfg.MinLock, cfg.MintFee)
		}
	}
	c, err := New(Config{MinLock: 5, MintFee: 4})
	if err != nil {
		t.Fatalf("New(MinLock 5, MintFee 4): %v", err)
	}
	defer c.Close()
	if fee, err := c.Bridge.MintFee(&bind.CallOpts{}); err != nil || fee != 4 {
		t.Fatalf("mintFee %d, %v; want 4", fee, err)
	}
}

// Config.ChainID sets the chain id the chain reports over JSON-RPC (and its
// network id) and the one the bridge's digest commits to; the keys do not
// depend on it, so a second chain's bridge has the first one's relayers.
func TestChainIDConfigurable(t *testing.T) {
	a, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := New(Config{ChainID: 1338, HTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	if a.ChainID.Uint64() != 1337 || b.ChainID.Uint64() != 1338 {
		t.Fatalf("chain ids %s and %s, want 1337 and 1338", a.ChainID, b.ChainID)
	}
	cl, err := ethclient.Dial(b.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if id, err := cl.ChainID(ctx); err != nil || id.Uint64() != 1338 {
		t.Fatalf("chain id over HTTP: %v %v", id, err)
	}
	if id, err := cl.NetworkID(ctx); err != nil || id.Uint64() != 1338 {
		t.Fatalf("network id over HTTP: %v %v", id, err)
	}
	for i := range a.SignerKeys {
		if !a.SignerKeys[i].Equal(b.SignerKeys[i]) {
			t.Fatalf("signer key %d differs between the chains", i)
		}
	}
	for i, k := range a.SignerKeys {
		if ok, err := b.Bridge.IsSigner(&bind.CallOpts{}, crypto.PubkeyToAddress(k.PublicKey)); err != nil || !ok {
			t.Fatalf("chain 1337's signer %d is not chain 1338's bridge's signer (%v)", i, err)
		}
	}
	var txid, rcpt [32]byte
	txid[0] = 9
	user := crypto.PubkeyToAddress(b.Users[0].PublicKey)
	copy(rcpt[12:], user[:])
	onChain, err := b.Bridge.MintDigest(&bind.CallOpts{}, txid, 0, 2_000_000_000, rcpt)
	if err != nil || onChain != b.MintDigest(txid, 0, 2_000_000_000, rcpt) || onChain == a.MintDigest(txid, 0, 2_000_000_000, rcpt) {
		t.Fatalf("digest on chain 1338: contract %x, ours %x, %v", onChain, b.MintDigest(txid, 0, 2_000_000_000, rcpt), err)
	}
	tx, err := b.Bridge.Mint(b.Transactor(b.Users[1]), txid, 0, 2_000_000_000, rcpt, b.SignMint(txid, 0, 2_000_000_000, rcpt, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	b.Commit()
	if r, err := b.Client.TransactionReceipt(ctx, tx.Hash()); err != nil || r.Status != 1 {
		t.Fatalf("mint on chain 1338: receipt %v, %v", r, err)
	}
}
