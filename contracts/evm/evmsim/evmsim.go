// Package evmsim runs a simulated EVM chain (go-ethereum's simulated backend,
// chain id 1337 unless Config.ChainID names another) with FluxBridge and
// FluxToken deployed, deterministic relayer keys, funded user accounts and,
// optionally, the chain's JSON-RPC served on a loopback HTTP port so the
// production ethclient path is the one exercised.
// Tests use it, and so does the devnet.
//
// Block tags, as go-ethereum v1.17's simulated beacon reports them (for
// eth_getBlockByNumber and every call taking a block tag):
//   - "latest" and "safe" are the head: the beacon marks every new block safe.
//   - "finalized" is the head rounded down to a multiple of 32 (a dev epoch):
//     after block 33 through 63 it is block 32, after block 64 it is 64. It
//     advances only by mining; there is no other knob. Commit until it covers
//     what you need — FinalizeAll does that (at most 32 blocks) and Finalized
//     reads it.
//
// Time: blocks carry the wall clock (strictly increasing). Backend.AdjustTime(d)
// mines an empty block d after the head (the pool must be empty), after which
// blocks carry head+1 s until the wall clock catches up.
//
// Rules: the chain runs Osaka, the latest fork live on Ethereum mainnet, not
// go-ethereum's dev default (which also enables the unreleased "Bogota" fork
// and its state-gas repricing), so receipts show the gas a live chain charges.
// The contracts are compiled for cancun, which Osaka runs unchanged.
package evmsim

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/contracts/evm"
)

// Config describes the chain and the bridge's deployment. Zero fields take
// the defaults named on each.
type Config struct {
	// Signers is the number of relayer keys (default 3); Threshold how many
	// must sign (default 2).
	Signers, Threshold int
	// MinLock (default 10 FLUX), MintFee (default 0, and below MinLock as
	// the bridge requires), RateLimit (default 10,000,000 FLUX per 24 h) and
	// Cap (default 250,000,000 FLUX), in zatoshi.
	MinLock, MintFee, RateLimit, Cap uint64
	// MinBurn is the smallest burn the bridge accepts, in zatoshi (default
	// 1 FLUX = 100,000,000; the bridge requires at least 1).
	MinBurn uint64
	// Grace is how long a replaced signer set stays valid (default 1 h).
	Grace time.Duration
	// Prefixes are the accepted burn address prefixes, P2PKH then P2SH
	// (default: FLUX SimNet's).
	Prefixes [2][2]byte
	// HTTP serves the chain's JSON-RPC (eth, net, web3) on a free loopback port.
	HTTP bool
	// Accounts is the number of funded user accounts (default 2).
	Accounts int
	// ChainID is the chain's EIP-155 id (default 1337, the simulated
	// backend's own). It is the genesis config's: transactions are signed
	// for it and eth_chainId and net_version answer it. The keys do not
	// depend on it (they derive from fixed labels), so chains that differ
	// only in ChainID have the same SignerKeys, Deployer and Users, and
	// their bridges the same relayer set.
	ChainID uint64
}

// Chain is a running simulated chain with the contracts deployed.
type Chain struct {
	Backend *simulated.Backend
	Client  simulated.Client
	// URL is the JSON-RPC endpoint when Config.HTTP is set.
	URL     string
	ChainID *big.Int

	Bridge     *evm.FluxBridge
	BridgeAddr common.Address
	Token      *evm.FluxToken
	TokenAddr  common.Address

	// SignerKeys are the relayer keys, sorted by address (ascending), which
	// is the order the bridge wants signatures in.
	SignerKeys []*ecdsa.PrivateKey
	// Deployer deployed the contracts; Users are funded accounts. All hold
	// 1,000 ether.
	Deployer *ecdsa.PrivateKey
	Users    []*ecdsa.PrivateKey
	// Prefixes are the burn address prefixes the bridge accepts.
	Prefixes [2][2]byte

	threshold int

	// sealMu serialises block production: go-ethereum's simulated beacon
	// waits for its transaction pool in every Commit, and the pool answers
	// only the latest of concurrent waiters, so two Commits at once (the
	// devnet's producer and a test finalizing) could wait for ever.
	sealMu sync.Mutex
}

// Key derives a deterministic test key from a label.
func Key(label string) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte("fluxbridge/evmsim/" + label)))
	if err != nil {
		panic(err) // a keccak output is a valid key with overwhelming probability; these labels are fixed
	}
	return k
}

// SignerKey is the i-th relayer key of the deterministic set (before sorting).
func SignerKey(i int) *ecdsa.PrivateKey { return Key("signer/" + strconv.Itoa(i)) }

func (c *Config) defaults() {
	if c.Signers == 0 {
		c.Signers = 3
	}
	if c.Threshold == 0 {
		c.Threshold = 2
		if c.Signers < 2 {
			c.Threshold = 1
		}
	}
	if c.MinLock == 0 {
		c.MinLock = 10 * 100_000_000
	}
	if c.MinBurn == 0 {
		c.MinBurn = 100_000_000
	}
	if c.RateLimit == 0 {
		c.RateLimit = 10_000_000 * 100_000_000
	}
	if c.Cap == 0 {
		c.Cap = 250_000_000 * 100_000_000
	}
	if c.Grace == 0 {
		c.Grace = time.Hour
	}
	if c.Prefixes == ([2][2]byte{}) {
		c.Prefixes = [2][2]byte{params.SimNet.PubKeyHashPrefix, params.SimNet.ScriptHashPrefix}
	}
	if c.Accounts == 0 {
		c.Accounts = 2
	}
	if c.ChainID == 0 {
		c.ChainID = 1337
	}
}

// New starts the chain and deploys the bridge (which deploys its token).
func New(cfg Config) (*Chain, error) {
	cfg.defaults()
	if cfg.Threshold < 1 || cfg.Threshold > cfg.Signers || cfg.Signers > 64 {
		return nil, fmt.Errorf("evmsim: threshold %d of %d signers", cfg.Threshold, cfg.Signers)
	}
	// The constructor refuses this with InvalidLimits, which a deployment
	// with a fixed gas limit reports only as a failed receipt.
	if cfg.MintFee >= cfg.MinLock {
		return nil, fmt.Errorf("evmsim: mint fee %d not below the minimum lock %d", cfg.MintFee, cfg.MinLock)
	}
	c := &Chain{Deployer: Key("deployer"), Prefixes: cfg.Prefixes, threshold: cfg.Threshold}
	for i := range cfg.Signers {
		c.SignerKeys = append(c.SignerKeys, SignerKey(i))
	}
	sort.Slice(c.SignerKeys, func(i, j int) bool {
		a, b := crypto.PubkeyToAddress(c.SignerKeys[i].PublicKey), crypto.PubkeyToAddress(c.SignerKeys[j].PublicKey)
		return a.Cmp(b) < 0
	})
	for i := range cfg.Accounts {
		c.Users = append(c.Users, Key("user/"+strconv.Itoa(i)))
	}
	ether := new(big.Int).Mul(big.NewInt(1000), big.NewInt(1e18))
	alloc := types.GenesisAlloc{crypto.PubkeyToAddress(c.Deployer.PublicKey): {Balance: ether}}
	for _, k := range append(append([]*ecdsa.PrivateKey{}, c.Users...), c.SignerKeys...) {
		alloc[crypto.PubkeyToAddress(k.PublicKey)] = types.Account{Balance: ether}
	}
	opts := []func(*node.Config, *ethconfig.Config){liveForkRules(cfg.ChainID)}
	if cfg.HTTP {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		opts = append(opts, func(n *node.Config, _ *ethconfig.Config) {
			n.HTTPHost = "127.0.0.1"
			n.HTTPPort = port
			n.HTTPModules = []string{"eth", "net", "web3"}
		})
		c.URL = "http://127.0.0.1:" + strconv.Itoa(port)
	}
	c.Backend = simulated.NewBackend(alloc, opts...)
	c.Client = c.Backend.Client()
	id, err := c.Client.ChainID(context.Background())
	if err != nil {
		c.Backend.Close()
		return nil, fmt.Errorf("evmsim: chain id: %w", err)
	}
	if id.Uint64() != cfg.ChainID {
		c.Backend.Close()
		return nil, fmt.Errorf("evmsim: the chain reports id %s, not %d", id, cfg.ChainID)
	}
	c.ChainID = id
	if err := c.deploy(cfg); err != nil {
		c.Backend.Close()
		return nil, err
	}
	return c, nil
}

func (c *Chain) deploy(cfg Config) error {
	signers := make([]common.Address, len(c.SignerKeys))
	for i, k := range c.SignerKeys {
		signers[i] = crypto.PubkeyToAddress(k.PublicKey)
	}
	auth := c.Transactor(c.Deployer)
	// Gas estimation undershoots the constructor's nested token deployment
	// (the 63/64 rule); deploying costs about 2.86 M.
	auth.GasLimit = 8_000_000
	addr, tx, bridge, err := evm.DeployFluxBridge(auth, c.Client, signers, uint8(cfg.Threshold),
		cfg.MinLock, cfg.MintFee, cfg.MinBurn, cfg.RateLimit, cfg.Cap, uint32(cfg.Grace/time.Second), cfg.Prefixes[0], cfg.Prefixes[1])
	if err != nil {
		return fmt.Errorf("evmsim: deploy FluxBridge: %w", err)
	}
	c.Backend.Commit()
	rc, err := c.Client.TransactionReceipt(context.Background(), tx.Hash())
	if err != nil {
		return fmt.Errorf("evmsim: deployment receipt: %w", err)
	}
	if rc.Status != types.ReceiptStatusSuccessful {
		return fmt.Errorf("evmsim: deploying FluxBridge failed (gas used %d of %d)", rc.GasUsed, tx.Gas())
	}
	c.BridgeAddr, c.Bridge = addr, bridge
	if c.TokenAddr, err = bridge.Token(&bind.CallOpts{}); err != nil {
		return fmt.Errorf("evmsim: token address: %w", err)
	}
	if c.Token, err = evm.NewFluxToken(c.TokenAddr, c.Client); err != nil {
		return fmt.Errorf("evmsim: token binding: %w", err)
	}
	return nil
}

// liveForkRules runs the chain under the rules of the latest fork live on
// Ethereum mainnet (Osaka) instead of go-ethereum's dev default, which also
// switches on the unreleased "Bogota" fork and its state-gas repricing
// (EIP-8037/8038): under it a new storage slot costs several times what it
// costs on any live chain, and gas figures measured here would mislead.
// It also sets the genesis config's chain id (the network id follows it).
func liveForkRules(chainID uint64) func(*node.Config, *ethconfig.Config) {
	return func(_ *node.Config, eth *ethconfig.Config) {
		cc := *eth.Genesis.Config
		cc.AmsterdamTime, cc.BogotaTime = nil, nil
		cc.ChainID = new(big.Int).SetUint64(chainID)
		eth.Genesis.Config = &cc
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("evmsim: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Close stops the chain (and its HTTP server).
func (c *Chain) Close() error { return c.Backend.Close() }

// Commit mines one block with the pending transactions.
// It is safe to call from several goroutines.
func (c *Chain) Commit() common.Hash {
	c.sealMu.Lock()
	defer c.sealMu.Unlock()
	return c.Backend.Commit()
}

// Threshold is the deployed signer threshold.
func (c *Chain) Threshold() int { return c.threshold }

// Finalized returns the number of the block the chain reports as finalized.
func (c *Chain) Finalized(ctx context.Context) (uint64, error) {
	h, err := c.Client.HeaderByNumber(ctx, big.NewInt(int64(rpc.FinalizedBlockNumber)))
	if err != nil {
		return 0, err
	}
	return h.Number.Uint64(), nil
}

// FinalizeAll mines a block and then as many more as it takes for the
// finalized tag to cover it (at most one 32-block epoch).
func (c *Chain) FinalizeAll(ctx context.Context) error {
	c.Commit()
	target, err := c.Client.BlockNumber(ctx)
	if err != nil {
		return err
	}
	for range 70 {
		fin, err := c.Finalized(ctx)
		if err != nil {
			return err
		}
		if fin >= target {
			return nil
		}
		c.Commit()
	}
	return errors.New("evmsim: the finalized tag does not advance")
}

// Transactor returns transaction options signing with key.
func (c *Chain) Transactor(key *ecdsa.PrivateKey) *bind.TransactOpts {
	opts, err := bind.NewKeyedTransactorWithChainID(key, c.ChainID)
	if err != nil {
		panic(err) // only fails for a nil chain id, which New never leaves
	}
	return opts
}

// MintDigest computes the MintAuth digest of DESIGN §3 for this bridge.
func (c *Chain) MintDigest(txid [32]byte, vout uint32, v uint64, recipient [32]byte) [32]byte {
	return MintDigest(c.ChainID.Uint64(), c.BridgeAddr, txid, vout, v, recipient)
}

// MintDigest computes the MintAuth digest for a bridge on a chain: the
// project's one implementation, chains.MintAuthDigest, which the tests of
// this package check against the deployed contract's mintDigest view.
func MintDigest(chainID uint64, bridge common.Address, txid [32]byte, vout uint32, v uint64, recipient [32]byte) [32]byte {
	return chains.MintAuthDigest(chains.ID(chainID), bridge, chains.Mint{Lock: chains.LockRef{TxID: txid, Vout: vout}, Amount: v, Recipient: recipient})
}

// SignMint returns the packed MintAuth signatures of the given signers
// (indices into SignerKeys) for the mint call.
func (c *Chain) SignMint(txid [32]byte, vout uint32, v uint64, recipient [32]byte, signers ...int) []byte {
	return c.Sign(c.MintDigest(txid, vout, v, recipient), signers...)
}

// Sign returns the packed signatures (65 bytes each, r ‖ s ‖ v with v ∈ {27,
// 28}, ascending by signer address) of the given signers over digest.
func (c *Chain) Sign(digest [32]byte, signers ...int) []byte {
	keys := make([]*ecdsa.PrivateKey, len(signers))
	for i, s := range signers {
		keys[i] = c.SignerKeys[s]
	}
	return SignWith(digest, keys...)
}

// SignWith packs the signatures of keys over digest, sorted by address.
func SignWith(digest [32]byte, keys ...*ecdsa.PrivateKey) []byte {
	type signed struct {
		addr common.Address
		sig  []byte
	}
	all := make([]signed, len(keys))
	for i, k := range keys {
		sig, err := crypto.Sign(digest[:], k)
		if err != nil {
			panic(err) // a 32-byte digest and a valid key cannot fail
		}
		sig[64] += 27
		all[i] = signed{crypto.PubkeyToAddress(k.PublicKey), sig}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].addr.Cmp(all[j].addr) < 0 })
	out := make([]byte, 0, 65*len(all))
	for _, s := range all {
		out = append(out, s.sig...)
	}
	return out
}

// AwaitPool waits until the pool counts tx among its sender's pending
// transactions. The simulated pool promotes transactions asynchronously, so
// a second transaction sent right after a first may otherwise be given the
// same nonce ("replacement transaction underpriced").
func (c *Chain) AwaitPool(ctx context.Context, tx *types.Transaction) error {
	from, err := types.Sender(types.LatestSignerForChainID(c.ChainID), tx)
	if err != nil {
		return err
	}
	for {
		n, err := c.Client.PendingNonceAt(ctx, from)
		if err != nil {
			return err
		}
		if n > tx.Nonce() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("evmsim: tx %s not pending: %w", tx.Hash(), ctx.Err())
		case <-time.After(time.Millisecond): // the pool has no notification for this
		}
	}
}

// AdjustTime moves the chain's clock: it mines an empty block d after the
// head. Pending transactions are dropped first (the simulated backend can
// only adjust time on an empty pool, and its pool forgets mined transactions
// asynchronously; Rollback waits for it), so commit what must be mined before.
// A transaction sent between the two (a relayer's) is dropped the same way.
func (c *Chain) AdjustTime(d time.Duration) error {
	c.sealMu.Lock()
	defer c.sealMu.Unlock()
	var err error
	for range 20 { // a transaction sent between the rollback and the adjustment fills the pool again
		c.Backend.Rollback()
		if err = c.Backend.AdjustTime(d); err == nil || !strings.Contains(err.Error(), "non-empty block") {
			return err
		}
		time.Sleep(time.Millisecond)
	}
	return err
}
