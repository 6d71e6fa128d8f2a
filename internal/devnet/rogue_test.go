package devnet

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/config"
	"github.com/fluxbridge/fluxbridge/relayer/peer"
	"github.com/fluxbridge/fluxbridge/signer"
)

// A member of the set that sends attestations with bad signatures and with
// content that contradicts the lock: the honest relayers drop and report
// them, journal the evidence, and still mint every lock with each other.
func TestBadAndConflictingSignaturesAreIgnoredAndReported(t *testing.T) {
	d := start(t, Config{Coins: 8, FailoverAfter: time.Second})
	if err := d.StopRelayer(2); err != nil {
		t.Fatal(err)
	}
	// The rogue runs relayer 2's key and peer endpoint.
	key, err := signer.FromPrivateKey(chains.SchemeSecp256k1, crypto.FromECDSA(d.EVM.SignerKeys[2]))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(d.ConfigPaths[2])
	if err != nil {
		t.Fatal(err)
	}
	var members []peer.Member
	for _, m := range cfg.AllMembers() {
		members = append(members, peer.Member{ID: m.Address.Bytes(), Addr: m.Peer})
	}
	x, err := peer.New(peer.Config{Self: key, Listen: cfg.Peer.Listen, Members: members,
		Handle: func(context.Context, []byte, peer.Envelope) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go x.Run(ctx)

	amounts := map[chains.LockRef]uint64{}
	var locks []chains.LockRef
	for i := range 6 {
		a := defaultAmount(i)
		l, err := d.Lock(a, [20]byte{0xcc, byte(i), 19: 1})
		if err != nil {
			t.Fatal(err)
		}
		locks, amounts[l] = append(locks, l), uint64(a)
	}
	if err := d.MineFlux(1); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the honest relayers to see the locks", 30*time.Second, func() bool {
		for i := range 2 {
			for _, l := range locks {
				if _, ok := transfer(t, d, i, l.TransferID()); !ok {
					return false
				}
			}
		}
		return true
	})
	var bridge [20]byte
	copy(bridge[:], d.EVM.BridgeAddr.Bytes())
	chain := chains.ID(d.EVM.ChainID.Uint64())
	for i, l := range locks {
		tr, _ := transfer(t, d, 0, l.TransferID())
		mint := tr.Mint()
		if i%2 == 1 { // conflicting: one zatoshi more than was locked, validly signed
			mint.Amount++
		}
		digest := chains.MintAuthDigest(chain, bridge, mint)
		signed := digest
		if i%2 == 0 { // bad: a valid signature over another digest
			signed[0] ^= 1
		}
		sig, err := key.Sign(ctx, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: signed[:]})
		if err != nil {
			t.Fatal(err)
		}
		payload, err := relayer.MarshalAttestation(relayer.Attestation{Dest: chain, Mint: mint, Digest: digest[:], Sig: sig.Sig})
		if err != nil {
			t.Fatal(err)
		}
		env, err := peer.Seal(ctx, key, peer.KindMintAttestation, payload)
		if err != nil {
			t.Fatal(err)
		}
		x.Broadcast(env)
	}
	waitFor(t, "the honest relayers to count the rogue's attestations", 30*time.Second, func() bool {
		for i := range 2 {
			dr := d.Relayer(i).Relayer().Drops()
			if dr["bad-signature"] < 3 || dr["conflict"] < 3 {
				return false
			}
		}
		return true
	})
	finalize(t, d)
	await(t, d, locks, 60*time.Second)
	checkContract(t, d, locks, amounts)
	for i := range 2 {
		if n := len(journalOf(t, d, i, relayer.KindPeerConflict)); n < 3 {
			t.Errorf("relayer %d journaled %d conflicts, want 3 with their envelopes", i, n)
		}
	}
	// The rogue (signer index 2 of the sorted set) is in no mint's bitmap.
	it, err := d.EVM.Bridge.FilterMinted(&bind.FilterOpts{Context: ctx}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	for it.Next() {
		if it.Event.SignerBitmap.Bit(2) != 0 {
			t.Errorf("mint of %x carries the rogue's signature", it.Event.LockId)
		}
	}
}
