package devnet

import (
	"context"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
)

// User returns the devnet EVM chain's user account u (funded with ether;
// it holds parallel FLUX once a lock minted to it).
func (d *Devnet) User(u int) common.Address {
	return crypto.PubkeyToAddress(d.EVM.Users[u%len(d.EVM.Users)].PublicKey)
}

// UserFluxHash is the 20-byte hash of user u's FLUX P2PKH address, where
// its burns are released: a hash of its own, so every payout is told apart.
func UserFluxHash(u int) [20]byte {
	var h [20]byte
	copy(h[:], crypto.Keccak256([]byte(fmt.Sprintf("devnet user %d", u))))
	return h
}

// FluxAddr is the burn's bytes22 address of a P2PKH hash on the devnet's
// FLUX network.
func (d *Devnet) FluxAddr(hash [20]byte) [22]byte {
	var a [22]byte
	p := d.Flux.Params().PubKeyHashPrefix
	copy(a[:2], p[:])
	copy(a[2:], hash[:])
	return a
}

// Burn burns amount zatoshi of user u's parallel FLUX on the devnet EVM
// chain, to be released to user u's FLUX address, and returns the burn's
// nonce once the burn is mined.
func (d *Devnet) Burn(ctx context.Context, u int, amount uint64) (uint64, error) {
	return d.BurnOn(ctx, 0, u, amount)
}

// BurnOn is Burn on EVM chain c.
func (d *Devnet) BurnOn(ctx context.Context, c, u int, amount uint64) (uint64, error) {
	if c < 0 || c >= len(d.EVMs) {
		return 0, fmt.Errorf("devnet: no EVM chain %d", c)
	}
	ch := d.EVMs[c]
	key := ch.Users[u%len(ch.Users)]
	d.burnMu.Lock() // one burn at a time per devnet: the users' nonces come from the pending state
	defer d.burnMu.Unlock()
	t, err := ch.Bridge.Burn(ch.Transactor(key), amount, d.FluxAddr(UserFluxHash(u)))
	if err != nil {
		return 0, fmt.Errorf("devnet: burn: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rc, err := bind.WaitMined(ctx, ch.Client, t.Hash())
	if err != nil {
		return 0, fmt.Errorf("devnet: burn %s: %w", t.Hash(), err)
	}
	for _, lg := range rc.Logs {
		if b, err := ch.Bridge.ParseBurn(*lg); err == nil {
			return b.Nonce, nil
		}
	}
	return 0, fmt.Errorf("devnet: burn %s reverted or emitted no Burn", t.Hash())
}

// Release is one FLXR1 release the simulated FLUX chain holds.
type Release struct {
	TxID      chainhash.Hash
	Height    int32
	Chain     chains.ID
	FromNonce uint64
	ToNonce   uint64
	// Paid are the outputs that do not return to the reserve: P2PKH hash →
	// value.
	Paid []Payout
}

// Payout is one output of a release.
type Payout struct {
	Hash  [20]byte
	Value int64
}

// Releases scans the simulated FLUX chain's active blocks for releases.
func (d *Devnet) Releases() []Release {
	var out []Release
	for h, t := range d.activeTxs() {
		var rel *Release
		var paid []Payout
		for _, o := range t.Outputs {
			if m, err := memo.FromScript(o.Script); err == nil {
				if r, ok := m.(memo.Release); ok {
					rel = &Release{TxID: t.TxID(), Height: h, Chain: chains.ID(r.ChainID), FromNonce: r.FromNonce, ToNonce: r.ToNonce}
				}
				continue
			}
			if d.isReserve(o.Script) {
				continue
			}
			if hash, class, ok := script.ExtractHash(o.Script); ok && class == script.ClassP2PKH {
				paid = append(paid, Payout{Hash: hash, Value: o.Value})
			}
		}
		if rel != nil {
			rel.Paid = paid
			out = append(out, *rel)
		}
	}
	return out
}

// AwaitReleased waits until the FLUX chain's releases for chain cover the
// nonces 0..n-1, and returns every release.
func (d *Devnet) AwaitReleased(ctx context.Context, chain chains.ID, n uint64, timeout time.Duration) ([]Release, error) {
	deadline := time.Now().Add(timeout)
	for {
		rels := d.Releases()
		covered := map[uint64]bool{}
		for _, r := range rels {
			for x := r.FromNonce; r.Chain == chain && x <= r.ToNonce; x++ {
				covered[x] = true
			}
		}
		if uint64(len(covered)) >= n {
			return rels, nil
		}
		if time.Now().After(deadline) {
			return rels, fmt.Errorf("devnet: %d of %d burns of chain %s released after %s", len(covered), n, chain, timeout)
		}
		select {
		case <-ctx.Done():
			return rels, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// heightAt is the FLUX tip height at time t, as the devnet saw it mined.
func (d *Devnet) heightAt(t time.Time) int32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	best := int32(-1)
	for h, at := range d.heights {
		if !at.After(t) && h > best {
			best = h
		}
	}
	return best
}
