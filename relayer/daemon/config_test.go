package daemon

import (
	"bytes"
	"context"
	"strings"
	"testing"

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
	ids, pubs := membersOf(cfg)
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
