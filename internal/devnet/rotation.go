package devnet

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"iter"
	"slices"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// NextSet declares the signer set that takes over from the devnet's first
// one at a FLUX height (DESIGN §6, signer-set rotation).
type NextSet struct {
	// Members are relayer indices; an index from Config.Relayers on is a
	// relayer only in the next set, with a key of its own
	// (evmsim.SignerKey(index)).
	Members []int
	// Threshold is the next set's k; Activation the FLUX height at which
	// it takes over.
	Threshold  int
	Activation uint64
}

// check refuses a next set the relayers would refuse: members named once,
// each an index at or above 0, k more than half and at most all of them.
func (n *NextSet) check(first int) error {
	seen := map[int]bool{}
	for _, i := range n.Members {
		if i < 0 || seen[i] {
			return fmt.Errorf("devnet: next set member %d: want distinct relayer indices", i)
		}
		seen[i] = true
	}
	if k := n.Threshold; k < 1 || k > len(n.Members) || 2*k <= len(n.Members) {
		return fmt.Errorf("devnet: next set threshold %d of %d members: need more than half and at most all", k, len(n.Members))
	}
	if n.Activation == 0 {
		return fmt.Errorf("devnet: the next set needs an activation height")
	}
	return nil
}

// relayerCount is how many relayers the devnet runs: the first set's and
// those only in the next set.
func (c Config) relayerCount() int {
	n := c.Relayers
	if c.Next != nil {
		for _, i := range c.Next.Members {
			n = max(n, i+1)
		}
	}
	return n
}

// redeemOf is the k-of-n multisig redeem script of keys (sorted by public key).
func redeemOf(k int, keys []*ecdsa.PrivateKey) ([]byte, error) {
	var pubs [][]byte
	for _, key := range keys {
		pubs = append(pubs, crypto.CompressPubkey(&key.PublicKey))
	}
	slices.SortFunc(pubs, bytes.Compare)
	return script.MultisigRedeemScript(k, pubs)
}

// NextReserveScript is the next set's reserve P2SH scriptPubKey (nil
// without a next set).
func (d *Devnet) NextReserveScript() []byte {
	if d.NextRedeem == nil {
		return nil
	}
	return script.P2SH(script.Hash160(d.NextRedeem))
}

// isReserve reports whether s pays a reserve script (either set's).
func (d *Devnet) isReserve(s []byte) bool {
	return bytes.Equal(s, d.ReserveScript()) || d.NextRedeem != nil && bytes.Equal(s, d.NextReserveScript())
}

// LockToNext is Lock paying the next set's reserve script.
func (d *Devnet) LockToNext(amount int64, recipient [20]byte) (chains.LockRef, error) {
	if d.NextRedeem == nil {
		return chains.LockRef{}, fmt.Errorf("devnet: no next signer set")
	}
	return d.lockTo(d.NextReserveScript(), 0, amount, recipient)
}

// activeTxs yields every transaction of the simulated FLUX chain's active
// blocks with its height, in chain order.
func (d *Devnet) activeTxs() iter.Seq2[int32, *tx.Tx] {
	return func(yield func(int32, *tx.Tx) bool) {
		tip, _ := d.Flux.Tip()
		for h := int32(1); h <= tip; h++ {
			b := d.Flux.BlockAt(h)
			if b == nil {
				continue
			}
			for _, t := range b.Txs {
				if !yield(h, t) {
					return
				}
			}
		}
	}
}

// Unspent returns the count and value of the outputs paying scriptPubKey
// that the simulated FLUX chain holds unspent.
func (d *Devnet) Unspent(scriptPubKey []byte) (n int, value int64) {
	for _, t := range d.activeTxs() {
		id := t.TxID()
		for i, o := range t.Outputs {
			if !bytes.Equal(o.Script, scriptPubKey) {
				continue
			}
			if _, ok := d.Flux.UTXO(chainhash.OutPoint{Hash: id, Index: uint32(i)}); ok {
				n, value = n+1, value+o.Value
			}
		}
	}
	return n, value
}

// SpentScripts returns the scriptPubKeys of the outputs the active FLUX
// transaction txid spends (nil when it is not in the active chain).
func (d *Devnet) SpentScripts(txid chainhash.Hash) [][]byte {
	outs := map[chainhash.OutPoint][]byte{}
	for _, t := range d.activeTxs() {
		id := t.TxID()
		if id == txid {
			var out [][]byte
			for _, in := range t.Inputs {
				out = append(out, outs[in.PrevOut])
			}
			return out
		}
		for i, o := range t.Outputs {
			outs[chainhash.OutPoint{Hash: id, Index: uint32(i)}] = o.Script
		}
	}
	return nil
}
