package fluxtest

import (
	"crypto/sha256"
	"strconv"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
)

// Key labels. Every key is secp256k1 with scalar SHA-256("fluxbridge/simnet/<label>/<i>").
const (
	labelFluxnode    = "fluxnode"            // operational keys of the honest chain's nodes
	labelCollateral  = "fluxnode-collateral" // collateral owner keys
	labelAltFluxnode = "alt-fluxnode"        // producers of FaultDifferentChain's chain
	labelAltColl     = "alt-fluxnode-collateral"
	labelWallet      = "wallet"
	labelPayee       = "payee"
	labelForger      = "forger"
)

// deriveKey returns the deterministic key of label and index i.
func deriveKey(label string, i int) *secp256k1.PrivateKey {
	d := sha256.Sum256([]byte("fluxbridge/simnet/" + label + "/" + strconv.Itoa(i)))
	return secp256k1.PrivKeyFromBytes(d[:])
}

// FluxnodeKey returns the operational key of test fluxnode i: the key that
// signs the blocks it produces. Nodes 0..Config.Fluxnodes-1 are registered at
// genesis; later indexes join the set over time.
func FluxnodeKey(i int) *secp256k1.PrivateKey { return deriveKey(labelFluxnode, i) }

// CollateralKey returns the key owning test fluxnode i's collateral.
func CollateralKey(i int) *secp256k1.PrivateKey { return deriveKey(labelCollateral, i) }

// InitialCollateral returns the collateral outpoint of test fluxnode i
// registered at genesis. The genesis block creates no outputs, so these
// outpoints exist only in the snapshot; nodes that join later use real
// outputs of funding transactions.
func InitialCollateral(i int) chainhash.OutPoint {
	return chainhash.OutPoint{Hash: chainhash.DoubleSHA256([]byte("fluxbridge/simnet/initial-collateral/" + strconv.Itoa(i)))}
}

// PayeeScript is the P2PKH script BuildPayment pays to.
func PayeeScript() []byte { return p2pkh(deriveKey(labelPayee, 0)) }

// p2pkh returns the P2PKH script of key's compressed public key.
func p2pkh(key *secp256k1.PrivateKey) []byte {
	return script.P2PKH(script.Hash160(key.PubKey().SerializeCompressed()))
}

// signDER signs digest with key: a low-S DER signature (RFC 6979 nonce).
func signDER(key *secp256k1.PrivateKey, digest [32]byte) []byte {
	return ecdsa.Sign(key, digest[:]).Serialize()
}

// messageMagic is fluxd's strMessageMagic (src/main.cpp).
const messageMagic = "Zelcash Signed Message:\n"

// signMessage returns fluxd's signed-message signature (CObfuScationSigner::
// SignMessage): a 65-byte compact, recoverable signature over
// SHA256d(var_str(magic) ‖ var_str(msg)).
func signMessage(key *secp256k1.PrivateKey, msg string) []byte {
	w := codec.NewWriter(len(messageMagic) + len(msg) + 4)
	w.VarString(messageMagic)
	w.VarString(msg)
	h := chainhash.DoubleSHA256(w.Bytes())
	return ecdsa.SignCompact(key, h[:], true)
}

// testNode is one test fluxnode the network runs: its keys, its collateral
// and its schedule.
type testNode struct {
	index      int
	key        *secp256k1.PrivateKey
	pub        []byte // compressed operational key
	collKey    *secp256k1.PrivateKey
	collPub    []byte
	collateral chainhash.OutPoint
	initial    bool
	// funded is set once the collateral output has been created (or, for
	// initial nodes, always).
	funded bool
	// regHeight is the first height at which a joining node is funded.
	regHeight int32
	// updateAfter is how many blocks after its last CONFIRM the node sends
	// an update CONFIRM (more than fluxnode.UpdateMinIntervalV3, less than
	// ConfirmExpirationV4).
	updateAfter int32
	// lapses marks a node that stops confirming once an update is due
	// (and enough other nodes remain), so that it expires; lapseFrom is
	// the height at which it stopped, retired is set once it left the set.
	lapses    bool
	lapseFrom int32
	retired   bool
	ip        string
}

// lapsing reports whether the node has stopped confirming.
func (n *testNode) lapsing() bool { return n.lapseFrom > 0 }

// newTestNode returns node i with keys from the labels.
func newTestNode(i int, nodeLabel, collLabel string) *testNode {
	k, ck := deriveKey(nodeLabel, i), deriveKey(collLabel, i)
	return &testNode{
		index:       i,
		key:         k,
		pub:         k.PubKey().SerializeCompressed(),
		collKey:     ck,
		collPub:     ck.PubKey().SerializeCompressed(),
		updateAfter: 510 + int32(i*37%100),
		lapses:      i%4 == 3,
		ip:          "10.0." + strconv.Itoa(i/250) + "." + strconv.Itoa(i%250+1),
	}
}
