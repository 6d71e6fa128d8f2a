package evm

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/fault"
)

func bigInt(v int64) *big.Int { return big.NewInt(v) }

// writeKey writes a hex key file with the given mode and returns its path.
func writeKey(t testing.TB, mode os.FileMode) string {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "submitter.key")
	if err := os.WriteFile(p, []byte("0x"+hex.EncodeToString(crypto.FromECDSA(key))+"\n"), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // umask may have narrowed it
		t.Fatal(err)
	}
	return p
}

func TestParseConfig(t *testing.T) {
	key := writeKey(t, 0o600)
	js := fmt.Sprintf(`{"endpoints":["http://127.0.0.1:8545","https://node.example/rpc"],"quorum":1,"chain_id":1337,
		"bridge":"0x00000000000000000000000000000000000b41d6","start_block":12,"call_timeout":"3s",
		"submitter_key_file":%q,"fees":{"max_fee_per_gas":"100000000000","bump_after":"30s","bump_percent":20}}`, key)
	cfg, err := ParseConfig([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case len(cfg.Endpoints) != 2 || cfg.Quorum != 1 || cfg.ChainID != 1337 || cfg.Bridge != testBridge || cfg.StartBlock != 12:
		t.Fatalf("parsed %+v", cfg)
	case cfg.CallTimeout != 3*time.Second || cfg.MaxBlockRange != DefaultMaxBlockRange || cfg.MaxResponseBytes != DefaultMaxResponseBytes:
		t.Fatalf("durations/defaults: %+v", cfg)
	case cfg.SubmitterKey == nil || cfg.Fees.MaxFeePerGas.String() != "100000000000" || cfg.Fees.BumpAfter != 30*time.Second || cfg.Fees.BumpPercent != 20:
		t.Fatalf("sink settings: %+v", cfg.Fees)
	case cfg.Fees.TipCap.String() != "1000000000":
		t.Fatalf("default tip %v", cfg.Fees.TipCap)
	}
	// Without a key file the config serves a source only.
	src, err := ParseConfig([]byte(`{"endpoints":["http://127.0.0.1:1"],"chain_id":1,"bridge":"0x00000000000000000000000000000000000b41d6"}`))
	if err != nil || src.SubmitterKey != nil || src.Quorum != 1 {
		t.Fatalf("source-only config: %+v, %v", src, err)
	}
}

func TestParseConfigNamesTheField(t *testing.T) {
	base := `"endpoints":["http://127.0.0.1:1"],"chain_id":1337,"bridge":"0x00000000000000000000000000000000000b41d6"`
	key := writeKey(t, 0o600)
	open := writeKey(t, 0o644)
	cases := []struct{ json, field string }{
		{`{"chain_id":1337,"bridge":"0x00000000000000000000000000000000000b41d6"}`, "Endpoints"},
		{`{"endpoints":["ftp://x"],"chain_id":1337,"bridge":"0x00000000000000000000000000000000000b41d6"}`, "Endpoints[0]"},
		{`{"endpoints":["http://a:1","http://a:1"],"chain_id":1337,"bridge":"0x00000000000000000000000000000000000b41d6"}`, "Endpoints[1]"},
		{`{` + base + `,"quorum":2}`, "Quorum"},
		{`{"endpoints":["http://a:1"],"bridge":"0x00000000000000000000000000000000000b41d6"}`, "ChainID"},
		{`{"endpoints":["http://a:1"],"chain_id":4026531840,"bridge":"0x00000000000000000000000000000000000b41d6"}`, "ChainID"},
		{`{"endpoints":["http://a:1"],"chain_id":1}`, "bridge"},
		{`{"endpoints":["http://a:1"],"chain_id":1,"bridge":"b41d6"}`, "bridge"},
		{`{"endpoints":["http://a:1"],"chain_id":1,"bridge":"0x0000000000000000000000000000000000000000"}`, "Bridge"},
		{`{` + base + `,"call_timeout":"soon"}`, "call_timeout"},
		{`{` + base + `,"call_timeout":"-1s"}`, "call_timeout"},
		{`{` + base + `,"max_response_bytes":10}`, "MaxResponseBytes"},
		{`{` + base + `,"submitter_key_file":` + fmt.Sprintf("%q", key) + `}`, "Fees.MaxFeePerGas"},
		{`{` + base + `,"submitter_key_file":` + fmt.Sprintf("%q", open) + `,"fees":{"max_fee_per_gas":"1"}}`, "submitter_key_file"},
		{`{` + base + `,"submitter_key_file":"/nonexistent/key","fees":{"max_fee_per_gas":"1"}}`, "submitter_key_file"},
		{`{` + base + `,"submitter_key_file":` + fmt.Sprintf("%q", key) + `,"fees":{"max_fee_per_gas":"1","bump_percent":5}}`, "Fees.BumpPercent"},
		{`{` + base + `,"submitter_key_file":` + fmt.Sprintf("%q", key) + `,"fees":{"max_fee_per_gas":"1","tip_cap":"2"}}`, "Fees.TipCap"},
		{`{` + base + `,"fees":{"max_fee_per_gas":"-1"}}`, "fees.max_fee_per_gas"},
		{`{` + base + `,"fees":{"max_fee_per_gas":"1e9"}}`, "fees.max_fee_per_gas"},
		{`{` + base + `,"unknown":1}`, "unknown"},
		{`{` + base + `} {}`, "trailing"},
		{`[`, "config JSON"},
	}
	for _, c := range cases {
		_, err := ParseConfig([]byte(c.json))
		if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), c.field) {
			t.Errorf("ParseConfig(%s) = %v, want an invalid error naming %s", c.json, err, c.field)
		}
	}
}

func TestDialNeedsNoNetwork(t *testing.T) {
	c, err := Dial(Config{Endpoints: []string{"http://127.0.0.1:1"}, ChainID: 1337, Bridge: testBridge})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Chain() != 1337 || len(c.Drops()) != 0 {
		t.Fatalf("chain %v drops %v", c.Chain(), c.Drops())
	}
	if _, err := NewSink(c); fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "SubmitterKey") {
		t.Fatalf("NewSink without a key: %v", err)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"endpoints":["http://127.0.0.1:8545"],"chain_id":1337,"bridge":"0x00000000000000000000000000000000000b41d6"}`))
	f.Add([]byte(`{"endpoints":["http://a:1"],"chain_id":1,"bridge":"0x00000000000000000000000000000000000b41d6","fees":{"max_fee_per_gas":"5","bump_percent":12.5}}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if strings.Contains(string(b), "submitter_key_file") {
			return // no file reads from fuzz input
		}
		cfg, err := ParseConfig(b)
		if err != nil {
			if fault.KindOf(err) != fault.Invalid {
				t.Fatalf("error of kind %v: %v", fault.KindOf(err), err)
			}
			return
		}
		if len(cfg.Endpoints) == 0 || cfg.Quorum < 1 || cfg.Quorum > len(cfg.Endpoints) || cfg.MaxBlockRange == 0 {
			t.Fatalf("accepted an unusable config %+v", cfg)
		}
	})
}
