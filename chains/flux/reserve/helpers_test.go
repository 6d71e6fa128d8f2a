package reserve

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/fluxbridge/fluxbridge/chains/flux/address"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// Test constants: the network, its Sapling branch id, a lock minimum and
// destinations the test bridge serves.
var testParams = params.MainNet

const (
	testBranch  = params.BranchIDSapling
	testMinLock = 1_000_000
	chainEth    = 1
	chainBNB    = 56
	chainSolana = 0xF0000001
	// testHeight is the height of the blocks the tests scan.
	testHeight = 2_100_000
)

var evmAddr = [20]byte{0xde, 0xad, 0xbe, 0xef, 19: 0x01}

func testKey(name string, i int) *secp256k1.PrivateKey {
	d := sha256.Sum256([]byte(fmt.Sprintf("fluxbridge/reserve/%s/%d", name, i)))
	return secp256k1.PrivKeyFromBytes(d[:])
}

// multisig is a k-of-n redeem script of deterministic keys, with the keys.
type multisig struct {
	keys   []*secp256k1.PrivateKey
	k      int
	redeem []byte
}

func newMultisig(name string, k, n int) multisig {
	m := multisig{k: k}
	pubs := make([][]byte, n)
	for i := range n {
		m.keys = append(m.keys, testKey(name, i))
		pubs[i] = m.keys[i].PubKey().SerializeCompressed()
	}
	var err error
	if m.redeem, err = script.MultisigRedeemScript(k, pubs); err != nil {
		panic(err) // constant inputs
	}
	return m
}

func (m multisig) script() []byte { return script.P2SH(script.Hash160(m.redeem)) }

// signInput signs input in of x as a spend of prev by the first k keys.
func (m multisig) signInput(tb testing.TB, x *tx.Tx, in int, prevValue int64) {
	tb.Helper()
	digest, err := tx.SignatureHash(x, in, m.redeem, prevValue, script.SigHashAll, testBranch)
	if err != nil {
		tb.Fatal(err)
	}
	sigs := make([][]byte, m.k)
	for i := range sigs {
		sigs[i] = append(ecdsa.Sign(m.keys[i], digest[:]).Serialize(), byte(script.SigHashAll))
	}
	if x.Inputs[in].ScriptSig, err = script.MultisigScriptSig(sigs, m.redeem); err != nil {
		tb.Fatal(err)
	}
}

var (
	reserveMS    = newMultisig("reserve", 2, 3)
	newReserveMS = newMultisig("reserve-rotated", 3, 5)
	userMS       = newMultisig("user-multisig", 1, 2)
)

func reserveScript() []byte    { return reserveMS.script() }
func newReserveScript() []byte { return newReserveMS.script() }

func testConfig() Config {
	return Config{
		Params:         testParams,
		ReserveScripts: [][]byte{reserveScript(), newReserveScript()},
		SupportedChains: func(id uint32) bool {
			return id == chainEth || id == chainBNB || id == chainSolana
		},
		MinLock: testMinLock,
	}
}

func testScanner(tb testing.TB) *Scanner {
	tb.Helper()
	s, err := NewScanner(testConfig())
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// userKey is the key of the user who pays the test locks.
var userKey = testKey("user", 0)

func p2pkhOf(k *secp256k1.PrivateKey, compressed bool) []byte {
	return script.P2PKH(script.Hash160(pubKeyOf(k, compressed)))
}

func pubKeyOf(k *secp256k1.PrivateKey, compressed bool) []byte {
	if compressed {
		return k.PubKey().SerializeCompressed()
	}
	return k.PubKey().SerializeUncompressed()
}

// signP2PKH signs input in of x as a P2PKH spend of prevValue by k.
func signP2PKH(tb testing.TB, x *tx.Tx, in int, k *secp256k1.PrivateKey, compressed bool, prevValue int64) {
	tb.Helper()
	digest, err := tx.SignatureHash(x, in, p2pkhOf(k, compressed), prevValue, script.SigHashAll, testBranch)
	if err != nil {
		tb.Fatal(err)
	}
	der := append(ecdsa.Sign(k, digest[:]).Serialize(), byte(script.SigHashAll))
	x.Inputs[in].ScriptSig = script.P2PKHScriptSig(der, pubKeyOf(k, compressed))
}

// userPrevValue is the value of the user's output every test payment spends.
const userPrevValue = 50 * tx.Coin

// userPayment is a v4 transaction from the user's P2PKH output seq (a
// distinct fake prevout per seq) with outs, signed.
func userPayment(tb testing.TB, seq byte, outs ...tx.TxOut) *tx.Tx {
	tb.Helper()
	x := tx.NewV4(0, testHeight+20)
	x.Inputs = []tx.TxIn{{PrevOut: chainhash.OutPoint{Hash: chainhash.Hash{0xaa, seq}, Index: uint32(seq)}, Sequence: 0xffffffff}}
	x.Outputs = outs
	signP2PKH(tb, x, 0, userKey, true, userPrevValue)
	return x
}

// Output builders.
func toReserve(v int64) tx.TxOut    { return tx.TxOut{Value: v, Script: reserveScript()} }
func toNewReserve(v int64) tx.TxOut { return tx.TxOut{Value: v, Script: newReserveScript()} }
func toUser(v int64) tx.TxOut       { return tx.TxOut{Value: v, Script: p2pkhOf(userKey, true)} }
func opReturn(data []byte) tx.TxOut { return tx.TxOut{Script: mustNullData(data)} }
func memoOut(m memo.Memo) tx.TxOut  { return tx.TxOut{Script: memo.Script(m)} }
func rawScript(s ...byte) tx.TxOut  { return tx.TxOut{Script: s} }
func lockMemo(chain uint32) memo.Memo {
	return memo.Lock{ChainID: chain, Recipient: memo.EVMRecipient(evmAddr)}
}

func mustNullData(data []byte) []byte {
	s, err := script.NullData(data)
	if err != nil {
		panic(err)
	}
	return s
}

// lockTx is a valid lock of v to Ethereum.
func lockTx(tb testing.TB, seq byte, v int64) *tx.Tx {
	return userPayment(tb, seq, toUser(userPrevValue-v-10_000), toReserve(v), memoOut(lockMemo(chainEth)))
}

// reserveSpend spends the reserve outpoints ins (each worth inValue) with
// outs, signed by the reserve's first two keys.
func reserveSpend(tb testing.TB, ins []chainhash.OutPoint, inValue int64, outs ...tx.TxOut) *tx.Tx {
	tb.Helper()
	x := tx.NewV4(0, testHeight+20)
	for _, op := range ins {
		x.Inputs = append(x.Inputs, tx.TxIn{PrevOut: op, Sequence: 0xffffffff})
	}
	x.Outputs = outs
	for i := range x.Inputs {
		reserveMS.signInput(tb, x, i, inValue)
	}
	return x
}

// coinbase is a block's first transaction, unique per height.
func coinbase(height int32) *tx.Tx {
	x := tx.NewV4(0, 0)
	x.Inputs = []tx.TxIn{{PrevOut: chainhash.OutPoint{Index: 0xffffffff}, ScriptSig: []byte{3, byte(height), byte(height >> 8), byte(height >> 16)}, Sequence: 0xffffffff}}
	x.Outputs = []tx.TxOut{{Value: 75 * tx.Coin / 10, Script: p2pkhOf(testKey("miner", 0), true)}}
	return x
}

// header returns a PoN header committing to txs.
func header(txs []*tx.Tx) *wire.BlockHeader {
	ids := make([]chainhash.Hash, len(txs))
	for i, t := range txs {
		ids[i] = t.TxID()
	}
	root, _ := tx.MerkleRoot(ids)
	return &wire.BlockHeader{
		Version:    wire.PoNVersion,
		PrevBlock:  chainhash.Hash{0x11, 0x22},
		MerkleRoot: root,
		Time:       1_700_000_000,
		Bits:       0x1f07ffff,
		Collateral: chainhash.OutPoint{Hash: chainhash.Hash{0x33}, Index: 1},
		BlockSig:   []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01},
	}
}

// block is a coinbase followed by txs, with its header.
func block(txs ...*tx.Tx) (*wire.BlockHeader, []*tx.Tx) {
	all := append([]*tx.Tx{coinbase(testHeight)}, txs...)
	return header(all), all
}

// utxoSet is an isReserveUTXO over a fixed set.
func utxoSet(ops ...chainhash.OutPoint) func(chainhash.OutPoint) bool {
	m := make(map[chainhash.OutPoint]bool, len(ops))
	for _, op := range ops {
		m[op] = true
	}
	return func(op chainhash.OutPoint) bool { return m[op] }
}

func scan(tb testing.TB, s *Scanner, isUTXO func(chainhash.OutPoint) bool, txs ...*tx.Tx) *BlockResult {
	tb.Helper()
	h, all := block(txs...)
	res, err := s.ScanBlock(testHeight, h, all, isUTXO)
	if err != nil {
		tb.Fatalf("ScanBlock: %v", err)
	}
	checkInvariants(tb, res, isUTXO)
	return res
}

// checkInvariants checks what every scan result must satisfy: Created and
// Spent disjoint and duplicate-free, Spent only pre-existing reserve
// outputs, every proof verifying for its transaction.
func checkInvariants(tb testing.TB, res *BlockResult, isUTXO func(chainhash.OutPoint) bool) {
	tb.Helper()
	seen := map[chainhash.OutPoint]string{}
	for _, u := range res.Created {
		if seen[u.OutPoint] != "" {
			tb.Fatalf("%s created twice", u.OutPoint)
		}
		seen[u.OutPoint] = "created"
	}
	for _, op := range res.Spent {
		if seen[op] != "" {
			tb.Fatalf("%s spent but also %s", op, seen[op])
		}
		seen[op] = "spent"
		if isUTXO == nil || !isUTXO(op) {
			tb.Fatalf("%s spent but was not a reserve UTXO", op)
		}
	}
	for _, l := range res.Locks {
		if got, err := l.Proof.Verify(); err != nil || got != l.TxID {
			tb.Fatalf("lock %s: proof gives %s, %v", l.ID(), got, err)
		}
	}
	for _, sp := range res.Spends {
		if got, err := sp.Proof.Verify(); err != nil || got != sp.TxID {
			tb.Fatalf("spend %s: proof gives %s, %v", sp.ID(), got, err)
		}
	}
}

// payment is userPayment with mod applied to the transaction before signing
// (to change its version).
func payment(tb testing.TB, seq byte, mod func(*tx.Tx), outs ...tx.TxOut) *tx.Tx {
	tb.Helper()
	x := tx.NewV4(0, testHeight+20)
	x.Inputs = []tx.TxIn{{PrevOut: chainhash.OutPoint{Hash: chainhash.Hash{0xbb, seq}, Index: uint32(seq)}, Sequence: 0xffffffff}}
	x.Outputs = outs
	mod(x)
	signP2PKH(tb, x, 0, userKey, true, userPrevValue)
	return x
}

func asV3(x *tx.Tx) {
	x.Version, x.VersionGroupID = tx.OverwinterVersion, tx.OverwinterVersionGroupID
}

func asV1(x *tx.Tx) {
	*x = tx.Tx{Version: 1, Inputs: x.Inputs, Outputs: x.Outputs}
}

type wireHeader = wire.BlockHeader

// userAddress is the t1 address of userKey, where invalid locks it paid
// are refunded.
func userAddress() string {
	return address.Address{Kind: address.P2PKH, Hash: script.Hash160(pubKeyOf(userKey, true))}.Encode(testParams)
}
