package evmsim

import (
	"context"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
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
