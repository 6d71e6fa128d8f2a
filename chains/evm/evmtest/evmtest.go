// Package evmtest drives a simulated EVM chain (contracts/evm/evmsim) for
// the chain contract's conformance suite (chains/chainstest): a Source
// harness whose events are burns and a Sink harness whose mints are signed
// by the simulated chain's relayer keys. The source and sink under test may
// run in process or behind a plugin; the harness only drives the chain.
package evmtest

import (
	"crypto/ecdsa"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
)

// Chain is a simulated chain with the bridge deployed, a burner funded with
// tokens and a submitter account funded with ether.
type Chain struct {
	Sim *evmsim.Chain
	// Burner is the account whose burns the source reports.
	Burner *ecdsa.PrivateKey
	// Submitter is the account a sink under test sends mints from.
	Submitter *ecdsa.PrivateKey

	mu       sync.Mutex // serialises chain writes (Commit, burns)
	lastTx   common.Hash
	mintSeq  uint64
	fluxAddr [22]byte
}

// BurnerFunds is the token balance the burner starts with (zatoshi).
const BurnerFunds = 5_000_000 * 100_000_000

// New starts a simulated chain served over loopback HTTP and funds the
// burner with BurnerFunds tokens through a mint signed by the relayer keys.
// The chain is closed when t ends.
func New(t testing.TB, cfg evmsim.Config) *Chain { return NewFunded(t, cfg, BurnerFunds) }

// NewFunded is New with the burner's token funds chosen (0: none, so the
// bridge's rate limit bucket starts empty).
func NewFunded(t testing.TB, cfg evmsim.Config, funds uint64) *Chain {
	t.Helper()
	cfg.HTTP = true
	if cfg.Accounts < 2 {
		cfg.Accounts = 2
	}
	sim, err := evmsim.New(cfg)
	if err != nil {
		t.Fatalf("evmsim.New: %v", err)
	}
	t.Cleanup(func() { sim.Close() })
	c := &Chain{Sim: sim, Burner: sim.Users[0], Submitter: sim.Users[1]}
	c.fluxAddr = [22]byte{sim.Prefixes[0][0], sim.Prefixes[0][1]}
	copy(c.fluxAddr[2:], []byte("fluxbridge-evmtest-a"))
	if funds > 0 {
		c.mintTo(t, crypto.PubkeyToAddress(c.Burner.PublicKey), funds)
	}
	c.Settle(t)
	return c
}

// mintTo mints amount to addr through the bridge (a lock made up for the test).
func (c *Chain) mintTo(t testing.TB, addr common.Address, amount uint64) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var txid [32]byte
	c.mintSeq++
	binary.BigEndian.PutUint64(txid[:8], c.mintSeq)
	copy(txid[8:], "evmtest/funding")
	var rcpt [32]byte
	copy(rcpt[12:], addr[:])
	var signers []int
	for i := range c.Sim.Threshold() {
		signers = append(signers, i)
	}
	sigs := c.Sim.SignMint(txid, 0, amount, rcpt, signers...)
	tx, err := c.Sim.Bridge.Mint(c.Sim.Transactor(c.Sim.Deployer), txid, 0, amount, rcpt, sigs)
	if err != nil {
		t.Fatalf("funding mint: %v", err)
	}
	if err := c.Sim.AwaitPool(t.Context(), tx); err != nil {
		t.Fatal(err)
	}
	c.lastTx = tx.Hash()
}

// Burn sends a burn of amount from the burner (unmined until Settle or
// Commit) and returns its transaction hash.
func (c *Chain) Burn(t testing.TB, amount uint64) common.Hash {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	tx, err := c.Sim.Bridge.Burn(c.Sim.Transactor(c.Burner), amount, c.fluxAddr)
	if err != nil {
		t.Fatalf("burn %d: %v", amount, err)
	}
	if err := c.Sim.AwaitPool(t.Context(), tx); err != nil {
		t.Fatal(err)
	}
	c.lastTx = tx.Hash()
	return tx.Hash()
}

// Settle mines a block (including everything pending) and then blocks until
// the chain's finalized tag covers it. The simulated beacon finalizes every
// 32nd block, so this mines at most 33 blocks.
func (c *Chain) Settle(t testing.TB) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Sim.Commit()
	target := c.head(t)
	for range 64 {
		if fin := c.finalized(t); fin >= target {
			return
		}
		c.Sim.Commit()
	}
	t.Fatalf("the finalized tag did not reach block %d", target)
}

// Commit mines one block.
func (c *Chain) Commit() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Sim.Commit()
}

func (c *Chain) head(t testing.TB) uint64 {
	t.Helper()
	n, err := c.Sim.Client.BlockNumber(t.Context())
	if err != nil {
		t.Fatalf("block number: %v", err)
	}
	return n
}

func (c *Chain) finalized(t testing.TB) uint64 {
	t.Helper()
	h, err := c.Sim.Client.HeaderByNumber(t.Context(), big.NewInt(int64(rpc.FinalizedBlockNumber)))
	if err != nil {
		t.Fatalf("finalized header: %v", err)
	}
	return h.Number.Uint64()
}

// WriteSubmitterKey writes the submitter's key as a 0600 hex file under dir
// and returns its path.
func (c *Chain) WriteSubmitterKey(t testing.TB, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "submitter.key")
	if err := os.WriteFile(p, []byte(hex.EncodeToString(crypto.FromECDSA(c.Submitter))), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// PluginConfig returns the JSON config of the EVM plugin for this chain,
// with the submitter key file written under dir and extra fields merged
// verbatim (e.g. `"call_timeout":"5s"`).
func (c *Chain) PluginConfig(t testing.TB, dir string, url string) []byte {
	t.Helper()
	return fmt.Appendf(nil, `{"endpoints":[%q],"chain_id":%d,"bridge":%q,"submitter_key_file":%q,`+
		`"fees":{"max_fee_per_gas":"1000000000000","bump_after":"30s"}}`,
		url, c.Sim.ChainID.Uint64(), c.Sim.BridgeAddr.Hex(), c.WriteSubmitterKey(t, dir))
}

// SourceHarness is a chainstest.Harness whose events are burns.
type SourceHarness struct {
	Chain *Chain
	Src   chains.Source
}

// Source returns the source under test.
func (h SourceHarness) Source() chains.Source { return h.Src }

// Emit sends a burn of amount and returns its transaction hash, as the
// source reports TxIDs (0x hex).
func (h SourceHarness) Emit(t testing.TB, amount uint64) string {
	return h.Chain.Burn(t, amount).Hex()
}

// Settle makes every burn sent so far final.
func (h SourceHarness) Settle(t testing.TB) { h.Chain.Settle(t) }

// Confirmations is 1: the finalized tag is what holds events back.
func (h SourceHarness) Confirmations() uint32 { return 1 }

// SinkHarness is a chainstest.SinkHarness minting through the bridge.
type SinkHarness struct {
	Chain *Chain
	Snk   chains.Sink
}

// Sink returns the sink under test.
func (h SinkHarness) Sink() chains.Sink { return h.Snk }

var lockSeq struct {
	sync.Mutex
	n uint64
}

// NewMint returns a fresh lock of 15–16 FLUX to the burner's address.
func (h SinkHarness) NewMint(t testing.TB) chains.Mint {
	lockSeq.Lock()
	lockSeq.n++
	n := lockSeq.n
	lockSeq.Unlock()
	var m chains.Mint
	binary.BigEndian.PutUint64(m.Lock.TxID[:8], n)
	copy(m.Lock.TxID[8:], t.Name())
	m.Lock.Vout = uint32(n % 3)
	m.Amount = 1_500_000_000 + n*1_000
	addr := crypto.PubkeyToAddress(h.Chain.Burner.PublicKey)
	copy(m.Recipient[12:], addr[:])
	return m
}

// Signers is the number of relayer keys of the simulated chain.
func (h SinkHarness) Signers() int { return len(h.Chain.Sim.SignerKeys) }

// Sign signs d with the i-th relayer key (recoverable, v ∈ {0, 1}).
func (h SinkHarness) Sign(t testing.TB, i int, d chains.Digest) chains.Signature {
	t.Helper()
	return Sign(t, h.Chain.Sim.SignerKeys[i], d)
}

// Sign signs d with key as a relayer would.
func Sign(t testing.TB, key *ecdsa.PrivateKey, d chains.Digest) chains.Signature {
	t.Helper()
	sig, err := crypto.Sign(d.Hash, key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	addr := crypto.PubkeyToAddress(key.PublicKey)
	return chains.Signature{Signer: addr[:], Sig: sig}
}

// Settle makes every mint submitted so far final.
func (h SinkHarness) Settle(t testing.TB) { h.Chain.Settle(t) }

// TxFees returns the tip and fee cap of a transaction the chain knows.
func (c *Chain) TxFees(t testing.TB, hash common.Hash) (tip, feeCap *big.Int) {
	t.Helper()
	tx, _, err := c.Sim.Client.TransactionByHash(t.Context(), hash)
	if err != nil {
		t.Fatalf("transaction %s: %v", hash.Hex(), err)
	}
	return tx.GasTipCap(), tx.GasFeeCap()
}

// Receipt returns the receipt of a mined transaction.
func (c *Chain) Receipt(t testing.TB, hash common.Hash) *types.Receipt {
	t.Helper()
	r, err := c.Sim.Client.TransactionReceipt(t.Context(), hash)
	if err != nil {
		t.Fatalf("receipt %s: %v", hash.Hex(), err)
	}
	return r
}
