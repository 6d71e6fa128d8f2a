package config

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/fault"
)

func TestAddressText(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Address
		err      string
	}{
		{"lowercase", "0x00000000000000000000000000000000000000ff", Address{19: 0xff}, ""},
		{"mixed case", "0xAbCd0000000000000000000000000000000000Ff", Address{0xab, 0xcd, 19: 0xff}, ""},
		{"empty is unset", "", Address{}, ""},
		{"missing 0x", "00000000000000000000000000000000000000ff", Address{}, "no 0x prefix"},
		{"wrong length", "0x00ff", Address{}, "4 characters after 0x"},
		{"non-hex", "0x0000000000000000000000000000000000000gff", Address{}, "not a hex digit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a Address
			err := a.UnmarshalText([]byte(tc.in))
			if tc.err == "" {
				if err != nil || a != tc.want {
					t.Fatalf("%q = %s, %v; want %s", tc.in, a, err, tc.want)
				}
				if text, _ := a.MarshalText(); tc.in != "" && !strings.EqualFold(string(text), tc.in) {
					t.Fatalf("%q marshals as %s", tc.in, text)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || fault.KindOf(err) != fault.Invalid {
				t.Fatalf("%q: %v, want an invalid-input error saying %q", tc.in, err, tc.err)
			}
		})
	}
}

func TestNetworkText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want *params.Params
		err  string
	}{
		{"mainnet", params.MainNet, ""},
		{"testnet", params.TestNet, ""},
		{"simnet", params.SimNet, ""},
		{"", nil, ""},
		{"regtest", nil, "light node could verify nothing"},
		{"Mainnet", nil, "not a FLUX network"},
		{"moon", nil, "want mainnet, testnet or simnet"},
	} {
		var n Network
		err := n.UnmarshalText([]byte(tc.in))
		if tc.err == "" {
			if err != nil || n.Params != tc.want || n.String() != tc.in {
				t.Errorf("%q = %v, %v", tc.in, n, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: %v, want an error saying %q", tc.in, err, tc.err)
		}
	}
}

func TestPublicKeyAndChecksumText(t *testing.T) {
	m := member(7, "")
	hexKey := hexOf(m.PublicKey)
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"compressed key", hexKey, true},
		{"with 0x", "0x" + hexKey, true},
		{"empty is unset", "", true},
		{"uncompressed length", hexKey + strings.Repeat("00", 32), false},
		{"not hex", "zz" + hexKey[2:], false},
		{"not on the curve", "02" + strings.Repeat("ff", 32), false},
	} {
		var k PublicKey
		if err := k.UnmarshalText([]byte(tc.in)); (err == nil) != tc.ok {
			t.Errorf("public key %s: %v", tc.name, err)
		}
	}
	if a, err := m.PublicKey.Address(); err != nil || a != m.Address {
		t.Errorf("PublicKey.Address = %s, %v; want %s", a, err, m.Address)
	}
	var c Checksum
	if err := c.UnmarshalText([]byte(strings.Repeat("aB", 32))); err != nil || len(c) != 32 || c[0] != 0xab {
		t.Errorf("checksum: %x %v", c, err)
	}
	for _, bad := range []string{"ab", strings.Repeat("zz", 32), "0x" + strings.Repeat("ab", 32)} {
		if err := c.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("checksum %q accepted", bad)
		}
	}
}

func TestLimitsAndPluginConfigDecode(t *testing.T) {
	var v struct {
		Limits Limits       `toml:"limits"`
		PC     PluginConfig `toml:"pc"`
	}
	if _, err := toml.Decode("[limits]\n\"1\" = 5\n\"56\" = 0\n[pc]\nbridge = \"0x00000000000000000000000000000000000000ff\"\nx = 1\n", &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Limits) != 2 || v.Limits[1] != 5 || v.Limits[56] != 0 || v.PC.Bridge != (Address{19: 0xff}) || v.PC.Settings["x"] != int64(1) {
		t.Fatalf("decoded %+v", v)
	}
	var l Limits
	err := l.UnmarshalTOML(map[string]any{"x": int64(1), "1": int64(-1), "2": "3", "4294967296": int64(1), "7": int64(7)})
	for _, want := range []string{"x: want the decimal id", "1: want an amount", "2: want an amount", "4294967296: want the decimal id"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("limits: %v does not say %q", err, want)
		}
	}
	var pc PluginConfig
	if err := pc.UnmarshalTOML(map[string]any{"bridge": int64(1)}); err == nil || !strings.Contains(err.Error(), "bridge: want a quoted 0x address") {
		t.Errorf("a numeric bridge: %v", err)
	}
}
