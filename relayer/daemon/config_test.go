package daemon

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer/config"
)

// Open refuses a configuration that does not validate (one built in Go
// rather than loaded) before it touches the disk, as an invalid-input error
// naming the field.
func TestOpenRefusesAnInvalidConfig(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(context.Background(), Options{Config: &config.Config{Relayer: config.Relayer{DataDir: dir}}})
	if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "relayer.key") {
		t.Fatalf("Open = %v, want an invalid-config error naming relayer.key", err)
	}
}

// The daemon takes the config's typed values as they are: the members'
// addresses in order, their public keys sorted (the redeem script's order),
// and the governor's limits by chain.
func TestMembersAndGovernorFromTypedConfig(t *testing.T) {
	cfg := &config.Config{
		Signers: config.Signers{Members: []config.Member{
			{Address: config.Address{0x02}, PublicKey: config.PublicKey{0x03, 0x09}},
			{Address: config.Address{0x01}, PublicKey: config.PublicKey{0x02, 0x01}},
		}},
		Governor: config.Governor{Limits: config.Limits{56: 7}},
	}
	ids, pubs := membersOf(cfg.Signers.Members)
	if len(ids) != 2 || ids[0][0] != 0x02 || len(ids[0]) != 20 || ids[1][0] != 0x01 {
		t.Fatalf("ids = %x", ids)
	}
	if !bytes.Equal(pubs[0], []byte{0x02, 0x01}) || !bytes.Equal(pubs[1], []byte{0x03, 0x09}) {
		t.Fatalf("public keys not sorted: %x", pubs)
	}
	ids[0][0] = 0xff
	if cfg.Signers.Members[0].Address[0] != 0x02 {
		t.Fatal("membersOf returned the config's own memory")
	}
	g := governorOf(cfg)
	if g.Limits[56] != 7 || len(g.Limits) != 1 {
		t.Fatalf("limits = %v", g.Limits)
	}
	g.Limits[1] = 1
	if len(cfg.Governor.Limits) != 1 {
		t.Fatal("governorOf shares the config's map")
	}
}

// member returns a member with a real public key derived from b (the
// address only needs to be distinct here).
func member(b byte, peer string) config.Member {
	k := secp256k1.PrivKeyFromBytes([]byte{31: b, 0: 1})
	return config.Member{Address: config.Address{b}, PublicKey: k.PubKey().SerializeCompressed(), Peer: peer}
}

// Both signer sets are assembled by the same helpers: addresses in
// configuration order, proposers by public key, the k-of-n redeem script of
// the sorted keys, and its P2SH script for the reserve scanner. The peer
// exchange gets every member of both sets once.
func TestSignerSetsFromTypedConfig(t *testing.T) {
	m := []config.Member{member(1, ""), member(2, "b:1"), member(3, "c:1"), member(4, "d:1")}
	cfg := &config.Config{Signers: config.Signers{Threshold: 2, Members: m[:3],
		Next: &config.NextSigners{Activation: 100, Threshold: 2, Members: []config.Member{m[3], m[1], m[2]}}}}
	cur, err := setOf("the reserve", cfg.Signers.Threshold, cfg.Signers.Members)
	if err != nil {
		t.Fatal(err)
	}
	next, err := setOf("the next set's reserve", cfg.Signers.Next.Threshold, cfg.Signers.Next.Members)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		s  signerSet
		ms []config.Member
	}{{cur, cfg.Signers.Members}, {next, cfg.Signers.Next.Members}} {
		var pubs [][]byte
		for i, mb := range c.ms {
			if !bytes.Equal(c.s.ids[i], mb.Address[:]) {
				t.Fatalf("ids = %x, want the members' addresses in configuration order", c.s.ids)
			}
			pubs = append(pubs, mb.PublicKey)
		}
		slices.SortFunc(pubs, bytes.Compare)
		k, keys, err := script.ParseMultisig(c.s.redeem)
		if err != nil || k != 2 || !slices.EqualFunc(keys, pubs, bytes.Equal) {
			t.Fatalf("redeem script %x: %d of %x, %v", c.s.redeem, k, keys, err)
		}
		for i, id := range c.s.proposers {
			if j := slices.IndexFunc(c.ms, func(mb config.Member) bool { return bytes.Equal(mb.Address[:], id) }); j < 0 || !bytes.Equal(c.ms[j].PublicKey, pubs[i]) {
				t.Fatalf("proposers = %x, want the members by public key", c.s.proposers)
			}
		}
		if !bytes.Equal(c.s.p2sh(), script.P2SH(script.Hash160(c.s.redeem))) {
			t.Fatal("p2sh is not the redeem script's P2SH script")
		}
	}
	if bytes.Equal(cur.p2sh(), next.p2sh()) {
		t.Fatal("both sets have the same reserve script")
	}
	if _, err := setOf("the next set's reserve", 0, m); fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "the next set's reserve's redeem script") {
		t.Fatalf("setOf with k = 0: %v", err)
	}

	peers := peersOf(cfg)
	if len(peers) != 4 {
		t.Fatalf("peers = %+v, want the 4 members of both sets once", peers)
	}
	for i, p := range peers {
		if !bytes.Equal(p.ID, m[i].Address[:]) || p.Addr != m[i].Peer {
			t.Fatalf("peer %d = %+v, want %+v", i, p, m[i])
		}
	}
	cfg.Signers.Next = nil
	if peers := peersOf(cfg); len(peers) != 3 {
		t.Fatalf("peers without a next set = %+v", peers)
	}
	ps := proposersOf(m)
	ps[0][0] = 0xee
	if m[0].Address[0] == 0xee || m[1].Address[0] == 0xee || m[2].Address[0] == 0xee || m[3].Address[0] == 0xee {
		t.Fatal("proposersOf returned the config's own memory")
	}
}
