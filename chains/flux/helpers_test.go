package flux

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// testReserveRedeem is a 2-of-3 reserve of deterministic test keys.
func testReserveRedeem() []byte {
	keys := make([][]byte, 3)
	for i := range keys {
		d := sha256.Sum256([]byte(fmt.Sprintf("fluxbridge/flux/node_test/reserve/%d", i)))
		keys[i] = secp256k1.PrivKeyFromBytes(d[:]).PubKey().SerializeCompressed()
	}
	redeem, err := script.MultisigRedeemScript(2, keys)
	if err != nil {
		panic(err) // constant inputs
	}
	return redeem
}

func testReserveScript() []byte { return script.P2SH(script.Hash160(testReserveRedeem())) }

func testReserveConfig() *reserve.Config {
	return &reserve.Config{
		ReserveScripts:  [][]byte{testReserveScript()},
		SupportedChains: func(id uint32) bool { return id == 1 || id == 1337 },
		MinLock:         1_000_000,
	}
}

// testLockOutputs are the outputs of a lock of value to an EVM recipient.
func testLockOutputs(t *testing.T, value int64, chainID uint32, recipient [20]byte) []tx.TxOut {
	t.Helper()
	m := memo.Lock{ChainID: chainID, Recipient: memo.EVMRecipient(recipient)}
	return []tx.TxOut{{Value: value, Script: testReserveScript()}, {Value: 0, Script: memo.Script(m)}}
}
