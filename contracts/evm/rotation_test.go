package evm_test

import (
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"
	"math/big"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/contracts/evm"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
)

// rotateDigest is keccak256("FLXSET" ‖ uint32 chainId ‖ bridge ‖ uint32
// setId ‖ uint8 threshold ‖ each signer left-padded to 32 bytes).
func rotateDigest(chainID uint64, bridgeAddr common.Address, setID uint32, threshold uint8, set []common.Address) [32]byte {
	msg := []byte("FLXSET")
	msg = binary.BigEndian.AppendUint32(msg, uint32(chainID))
	msg = append(msg, bridgeAddr[:]...)
	msg = binary.BigEndian.AppendUint32(msg, setID)
	msg = append(msg, threshold)
	for _, a := range set {
		p := pad(a)
		msg = append(msg, p[:]...)
	}
	return crypto.Keccak256Hash(msg)
}

// rotate submits a rotation to set with sigs.
func (b *bridge) rotate(set []common.Address, threshold uint8, sigs []byte) attempt {
	return try(b.Bridge.RotateSigners(b.Transactor(b.relayer), set, threshold, sigs))
}

// rotationSigs signs the bridge's current rotation digest for (set,
// threshold) with keys.
func (b *bridge) rotationSigs(set []common.Address, threshold uint8, keys ...*ecdsa.PrivateKey) []byte {
	b.t.Helper()
	return evmsim.SignWith(view(b.Bridge.RotateDigest(opts, set, threshold)).get(b.t), keys...)
}

// secondSet is set 2 of the rotation tests: old signer 3 and two new keys,
// 2 of 3. Old signers 0, 1 and 2 are removed.
func secondSet(b *bridge) []*ecdsa.PrivateKey {
	keys := append(sortedKeys("set2", 2), b.SignerKeys[3])
	slices.SortFunc(keys, func(x, y *ecdsa.PrivateKey) int { return addr(x).Cmp(addr(y)) })
	return keys
}

func TestRotation(t *testing.T) {
	b := quorumBridge(t)
	to := b.holderAddr()
	old := b.SignerKeys
	set1 := signers(old)
	newKeys := secondSet(b)
	set2 := signers(newKeys)
	const threshold2 = 2
	const grace = 3600

	if got, want := view(b.Bridge.RotateDigest(opts, set2, threshold2)).get(t), rotateDigest(b.ChainID.Uint64(), b.BridgeAddr, 2, threshold2, set2); got != want {
		t.Fatalf("rotateDigest %x, want %x", got, want)
	}
	sigs := b.rotationSigs(set2, threshold2, old[0], old[1], old[2])
	b.revertsWith("InsufficientSignatures(2, 3)", b.rotate(set2, threshold2, b.rotationSigs(set2, threshold2, old[0], old[1])))
	b.reverts("UnknownSigner", b.rotate(set2, threshold2, b.rotationSigs(set2, threshold2, newKeys...)))

	rc := b.send(b.rotate(set2, threshold2, sigs))
	rotatedAt := b.blockTime(rc)
	ev, err := b.Bridge.ParseSignerSetRotated(*rc.Logs[0])
	if err != nil {
		t.Fatalf("SignerSetRotated: %v", err)
	}
	if ev.SetId != 2 || !slices.Equal(ev.Signers, set2) || ev.Threshold != threshold2 || ev.PreviousValidUntil != rotatedAt+grace {
		t.Fatalf("SignerSetRotated %d %v %d %d, want 2 %v %d %d", ev.SetId, ev.Signers, ev.Threshold, ev.PreviousValidUntil, set2, threshold2, rotatedAt+grace)
	}
	cur := view(b.Bridge.CurrentSigners(opts)).get(t)
	if cur.SetId != 2 || !slices.Equal(cur.Members, set2) || cur.Threshold != threshold2 {
		t.Fatalf("currentSigners %d %v %d, want 2 %v %d", cur.SetId, cur.Members, cur.Threshold, set2, threshold2)
	}
	prev := view(b.Bridge.PreviousSigners(opts)).get(t)
	if prev.SetId != 1 || !slices.Equal(prev.Members, set1) || prev.Threshold != 3 || prev.ValidUntil != rotatedAt+grace {
		t.Fatalf("previousSigners %d %v %d %d, want 1 %v 3 %d", prev.SetId, prev.Members, prev.Threshold, prev.ValidUntil, set1, rotatedAt+grace)
	}
	for _, k := range newKeys {
		if !view(b.Bridge.IsSigner(opts, addr(k))).get(t) {
			t.Fatalf("new member %s is not a signer", addr(k))
		}
	}
	if view(b.Bridge.IsSigner(opts, addr(old[0]))).get(t) {
		t.Fatalf("removed member %s is still a signer", addr(old[0]))
	}

	t.Run("replaying the rotation signatures fails", func(t *testing.T) {
		b := b.with(t)
		b.revertsOneOf([]string{"UnknownSigner", "UnsortedSigners"}, b.rotate(set2, threshold2, sigs))
		reordered, recovered := sortByRecovered(t, view(b.Bridge.RotateDigest(opts, set2, threshold2)).get(t), sigs)
		b.revertsWith(fmt.Sprintf("UnknownSigner(%s)", recovered[0].Hex()), b.rotate(set2, threshold2, reordered))
	})
	t.Run("the previous set cannot rotate, even within grace", func(t *testing.T) {
		b := b.with(t)
		set3 := signers(sortedKeys("set3", 3))
		b.revertsWith(fmt.Sprintf("UnknownSigner(%s)", addr(old[0]).Hex()), b.rotate(set3, 2, b.rotationSigs(set3, 2, old[0], old[1], old[2])))
	})
	t.Run("the new set mints immediately", func(t *testing.T) {
		b := b.with(t)
		l := newLock("rot/new", 0, 20*flux, to)
		ev := b.mustMint(l, evmsim.SignWith(b.digest(l), newKeys[0], newKeys[2]))
		if ev.SetId != 2 || ev.SignerBitmap.Cmp(big.NewInt(0b101)) != 0 {
			t.Fatalf("Minted set %d bitmap %b, want 2, 101", ev.SetId, ev.SignerBitmap)
		}
	})
	t.Run("the new set's threshold applies", func(t *testing.T) {
		b := b.with(t)
		l := newLock("rot/one", 0, 20*flux, to)
		b.revertsWith("InsufficientSignatures(1, 2)", b.mint(l, evmsim.SignWith(b.digest(l), newKeys[1])))
	})
	t.Run("the old set mints within grace", func(t *testing.T) {
		b := b.with(t)
		l := newLock("rot/old", 0, 20*flux, to)
		ev := b.mustMint(l, b.sign(l, 0, 1, 2))
		if ev.SetId != 1 || ev.SignerBitmap.Cmp(big.NewInt(0b111)) != 0 {
			t.Fatalf("Minted set %d bitmap %b, want 1, 111", ev.SetId, ev.SignerBitmap)
		}
	})
	t.Run("signatures mixing both sets are no quorum", func(t *testing.T) {
		b := b.with(t)
		l := newLock("rot/mixed", 0, 20*flux, to)
		b.reverts("UnknownSigner", b.mint(l, evmsim.SignWith(b.digest(l), old[0], old[1], newKeys[0], newKeys[1])))
	})
	t.Run("a removed signer cannot pause", func(t *testing.T) {
		b := b.with(t)
		b.revertsWith(fmt.Sprintf("NotSigner(%s)", addr(old[0]).Hex()), try(b.Bridge.PauseMint(b.Transactor(old[0]))))
	})
	t.Run("the old set fails after grace", func(t *testing.T) {
		b := b.with(t)
		l := newLock("rot/late", 0, 20*flux, to)
		oldSigs := b.sign(l, 0, 1, 2)
		b.advanceTo(rotatedAt + grace - 1)
		if _, err := b.callMint(l, oldSigs); err != nil {
			t.Fatalf("old set one second before the end of grace: %v (%s)", err, revertString(err))
		}
		b.advanceTo(rotatedAt + grace)
		_, err := b.callMint(l, oldSigs)
		b.revertsWith(fmt.Sprintf("UnknownSigner(%s)", addr(old[0]).Hex()), try(nil, err))
		b.reverts("UnknownSigner", b.mint(l, oldSigs))
		// Old signer 3 is in both sets, but alone it is not set 2's quorum.
		b.revertsWith("InsufficientSignatures(1, 2)", b.mint(l, b.sign(l, 3)))
		b.mustMint(l, evmsim.SignWith(b.digest(l), newKeys[0], newKeys[1]))
	})
}

func TestRotationForgetsTheSetBeforeThePrevious(t *testing.T) {
	b := quorumBridge(t)
	old := b.SignerKeys
	keys2 := secondSet(b)
	set2 := signers(keys2)
	b.send(b.rotate(set2, 2, b.rotationSigs(set2, 2, old[0], old[1], old[2])))
	keys3 := sortedKeys("set3", 3)
	set3 := signers(keys3)
	b.send(b.rotate(set3, 3, b.rotationSigs(set3, 3, keys2[0], keys2[1])))

	l := newLock("rot3", 0, 20*flux, b.holderAddr())
	// Set 1's grace from the first rotation has not run out, but set 1 is
	// no longer the previous set.
	b.reverts("UnknownSigner", b.mint(l, b.sign(l, 0, 1, 2)))
	if ev := b.mustMint(l, evmsim.SignWith(b.digest(l), keys2[1], keys2[2])); ev.SetId != 2 {
		t.Fatalf("Minted by set %d, want the previous set 2", ev.SetId)
	}
	l2 := newLock("rot3/b", 0, 20*flux, b.holderAddr())
	if ev := b.mustMint(l2, evmsim.SignWith(b.digest(l2), keys3...)); ev.SetId != 3 {
		t.Fatalf("Minted by set %d, want the current set 3", ev.SetId)
	}
}

// invalidSets are signer sets the constructor and rotateSigners must refuse.
func invalidSets() []struct {
	name      string
	set       []common.Address
	threshold uint8
	want      string
} {
	good := signers(sortedKeys("invalid", 3))
	rev := slices.Clone(good)
	slices.Reverse(rev)
	var many []common.Address
	for _, k := range sortedKeys("many", 65) {
		many = append(many, addr(k))
	}
	return []struct {
		name      string
		set       []common.Address
		threshold uint8
		want      string
	}{
		{"unsorted", rev, 2, "InvalidSignerSet()"},
		{"two swapped", []common.Address{good[0], good[2], good[1]}, 2, "InvalidSignerSet()"},
		{"repeated signer", []common.Address{good[0], good[1], good[1]}, 2, "InvalidSignerSet()"},
		{"zero address", []common.Address{{}, good[0], good[1]}, 2, "InvalidSignerSet()"},
		{"empty", nil, 1, "InvalidSignerSet()"},
		{"65 signers", many, 33, "InvalidSignerSet()"},
		{"threshold 0", good, 0, "InvalidThreshold(0, 3)"},
		{"threshold above n", good, 4, "InvalidThreshold(4, 3)"},
	}
}

func TestRotationRefusesInvalidSets(t *testing.T) {
	b := quorumBridge(t)
	for _, tc := range invalidSets() {
		t.Run(tc.name, func(t *testing.T) {
			b := b.with(t)
			b.revertsWith(tc.want, b.rotate(tc.set, tc.threshold, b.rotationSigs(tc.set, tc.threshold, b.SignerKeys[:3]...)))
		})
	}
	if id := view(b.Bridge.CurrentSetId(opts)).get(t); id != 1 {
		t.Fatalf("currentSetId %d after refused rotations, want 1", id)
	}
	// Control: a valid set of 64 with the same signatures rotates.
	var max []common.Address
	for _, k := range sortedKeys("many", 64) {
		max = append(max, addr(k))
	}
	b.send(b.rotate(max, 64, b.rotationSigs(max, 64, b.SignerKeys[:3]...)))
}

func TestConstructor(t *testing.T) {
	b := quorumBridge(t)
	valid := b.validDeployment()

	type variant struct {
		name string
		edit func(d *deployment)
		want string
	}
	cases := []variant{
		{"rate limit 0", func(d *deployment) { d.rate = 0 }, "InvalidLimits()"},
		{"cap 0", func(d *deployment) { d.cap = 0 }, "InvalidLimits()"},
		// A lock at the minimum must mint something net of the fee.
		{"mint fee equal to the minimum lock", func(d *deployment) { d.fee = d.minLock }, "InvalidLimits()"},
		{"mint fee above the minimum lock", func(d *deployment) { d.fee = d.minLock + 1 }, "InvalidLimits()"},
		{"minimum lock 0", func(d *deployment) { d.minLock, d.fee = 0, 0 }, "InvalidLimits()"},
		// A burn of 0 is never payable; the bridge needs a positive minimum.
		{"minimum burn 0", func(d *deployment) { d.minBurn = 0 }, "InvalidLimits()"},
	}
	for _, s := range invalidSets() {
		cases = append(cases, variant{"signers " + s.name, func(d *deployment) { d.signers, d.threshold = s.set, s.threshold }, s.want})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := b.with(t)
			d := valid
			tc.edit(&d)
			if got := revertString(b.deployRevert(d)); got != tc.want {
				t.Fatalf("deployment reverted with %q, want %s", got, tc.want)
			}
		})
	}

	t.Run("a mint fee one zatoshi below the minimum lock deploys", func(t *testing.T) {
		b := b.with(t)
		d := valid
		d.fee = d.minLock - 1
		_, bound, _ := b.deploy(d)
		if got := view(bound.MintFee(opts)).get(t); got != d.fee {
			t.Fatalf("mintFee %d, want %d", got, d.fee)
		}
	})

	t.Run("a minimum burn of one zatoshi deploys", func(t *testing.T) {
		b := b.with(t)
		d := valid
		d.minBurn = 1
		_, bound, _ := b.deploy(d)
		if got := view(bound.MinBurn(opts)).get(t); got != 1 {
			t.Fatalf("minBurn %d, want 1", got)
		}
	})

	t.Run("a valid deployment", func(t *testing.T) {
		b := b.with(t)
		a, bound, rc := b.deploy(valid)
		ev, err := bound.ParseSignerSetRotated(*rc.Logs[len(rc.Logs)-1])
		if err != nil {
			t.Fatalf("SignerSetRotated: %v", err)
		}
		if ev.SetId != 1 || !slices.Equal(ev.Signers, valid.signers) || ev.Threshold != valid.threshold || ev.PreviousValidUntil != 0 {
			t.Fatalf("initial SignerSetRotated %+v", ev)
		}
		checks := []struct {
			name      string
			got, want uint64
		}{
			{"minLock", view(bound.MinLock(opts)).get(t), valid.minLock},
			{"mintFee", view(bound.MintFee(opts)).get(t), valid.fee},
			{"minBurn", view(bound.MinBurn(opts)).get(t), valid.minBurn},
			{"rateLimit", view(bound.RateLimit(opts)).get(t), valid.rate},
			{"cap", view(bound.Cap(opts)).get(t), valid.cap},
			{"graceSeconds", uint64(view(bound.GraceSeconds(opts)).get(t)), uint64(valid.grace)},
			{"bucketUpdatedAt", view(bound.BucketUpdatedAt(opts)).get(t), b.blockTime(rc)},
			{"currentSetId", uint64(view(bound.CurrentSetId(opts)).get(t)), 1},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
			}
		}
		if p := view(bound.P2pkhPrefix(opts)).get(t); p != valid.prefixes[0] {
			t.Errorf("p2pkhPrefix %x, want %x", p, valid.prefixes[0])
		}
		if p := view(bound.P2shPrefix(opts)).get(t); p != valid.prefixes[1] {
			t.Errorf("p2shPrefix %x, want %x", p, valid.prefixes[1])
		}
		tokenAddr := view(bound.Token(opts)).get(t)
		token, err := evm.NewFluxToken(tokenAddr, b.Client)
		if err != nil {
			t.Fatalf("token binding: %v", err)
		}
		if got := view(token.Bridge(opts)).get(t); got != a {
			t.Fatalf("the new token's bridge is %s, want %s", got, a)
		}
		if tokenAddr == b.TokenAddr {
			t.Fatalf("two bridges share token %s", tokenAddr)
		}
	})
}

func TestToken(t *testing.T) {
	b := quorumBridge(t)
	if got := view(b.Token.Decimals(opts)).get(t); got != 8 {
		t.Errorf("decimals %d, want 8", got)
	}
	if got := view(b.Token.Name(opts)).get(t); got != "Flux" {
		t.Errorf("name %q, want Flux", got)
	}
	if got := view(b.Token.Symbol(opts)).get(t); got != "FLUX" {
		t.Errorf("symbol %q, want FLUX", got)
	}
	if got := view(b.Token.Bridge(opts)).get(t); got != b.BridgeAddr {
		t.Errorf("bridge %s, want %s", got, b.BridgeAddr)
	}
	if got := b.supply(); got != 0 {
		t.Errorf("premine: totalSupply %d, want 0", got)
	}
	l := newLock("token", 0, 50*flux, b.holderAddr())
	b.mustMint(l, b.quorum(l))

	callers := []struct {
		name string
		key  *ecdsa.PrivateKey
	}{
		{"holder", b.holder},
		{"deployer", b.Deployer},
		{"signer", b.SignerKeys[0]},
	}
	for _, c := range callers {
		t.Run("mint by the "+c.name, func(t *testing.T) {
			b := b.with(t)
			b.revertsWith(fmt.Sprintf("OnlyBridge(%s)", addr(c.key).Hex()),
				try(b.Token.Mint(b.Transactor(c.key), addr(c.key), big.NewInt(flux))))
		})
		t.Run("mintBatch by the "+c.name, func(t *testing.T) {
			b := b.with(t)
			word := new(big.Int).Lsh(big.NewInt(flux), 160)
			word.Or(word, new(big.Int).SetBytes(addr(c.key).Bytes()))
			b.revertsWith(fmt.Sprintf("OnlyBridge(%s)", addr(c.key).Hex()),
				try(b.Token.MintBatch(b.Transactor(c.key), []*big.Int{word})))
		})
		t.Run("bridgeBurn by the "+c.name, func(t *testing.T) {
			b := b.with(t)
			b.revertsWith(fmt.Sprintf("OnlyBridge(%s)", addr(c.key).Hex()),
				try(b.Token.BridgeBurn(b.Transactor(c.key), b.holderAddr(), big.NewInt(flux))))
		})
	}
	if got := b.balance(b.holderAddr()); got != l.v {
		t.Fatalf("holder balance %d, want %d", got, l.v)
	}
	if got := b.supply(); got != l.v {
		t.Fatalf("totalSupply %d, want %d", got, l.v)
	}
}
