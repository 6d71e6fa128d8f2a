package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/address"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// Block 2,996,914 (PoN), its producer's operational key and its fluxnode CONFIRM
// transaction: public mainnet data from shared/reference/flux-chain.md §10.3.
const (
	pon2996914      = "640000003e11cec142aee59a6830161743ca9544af8ce7e6b70a05f55021fb5d7c7a89c46c48e50efd092e4bae1625da7ae09183028f73362bd7143d3cb22e45bd8795c0d9988e7adc9c6da15d12246eeb18623d1f8039f5ee6bcae29261e383248d75225865bd6a0df1531f1e337912541d6ab04a6e6fd2790831792c09dd76350643c4768795acf9b8126d000000004730450221009935892f482692e4bc60901deaeedff2e1aed86c86e449eab44333bd85da8c26022012855f33364825129ecd1a4dabbe250ba72124abfa599574c623165861450f5a"
	producer2996914 = "0488a86cfd0cfbd7d8f51a63f55d196ac19a05c8aa327f6f06f614fa742f6ad310dcb4d403437ca9885c284b9d367e8c40ecb1f504fba651bfead4f2e457d793bb"
	confirm2996914  = "0500000004c7c7df090c5656ccb2ca3d78c7a81c498629d0a0325e17ca7bf385fb4f8030d4000000003a65bd6a03d860bd6a010d36352e3130382e37332e323032411cb4f8de8ff1d87580ea1ff97e99f1e03547e7285893d762d530f433ae77d20b247c3f9eadf9c61292a8ce982e00f7ef8e6e219b6652e9e258b0c0c1272f30dd23411c1ee0e9b0ce64b2568041900e3c18d8946a0649a28b6edc128158134bed0f1ba13101958fbcf7f7839fab9956e8bcd79749dd2ca79e3ed97461495ee607734ced"
)

type mainnetVectors struct {
	Headers []struct {
		Name   string `json:"name"`
		Height int32  `json:"height"`
		Raw    string `json:"raw"`
		Hash   string `json:"hash"`
	} `json:"headers"`
	Transactions []struct {
		Name string `json:"name"`
		Raw  string `json:"raw"`
		TxID string `json:"txid"`
	} `json:"transactions"`
}

func loadVectors(t *testing.T) mainnetVectors {
	t.Helper()
	var v mainnetVectors
	if err := json.Unmarshal(vectors.Read(t, "flux/mainnet_vectors.json"), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// cli runs the command in-process and decodes its JSON output.
func cli(t *testing.T, args ...string) (code int, out map[string]any, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	out = map[string]any{}
	if o.Len() > 0 {
		if err := json.Unmarshal(o.Bytes(), &out); err != nil {
			t.Fatalf("output is not one JSON object: %v\n%s", err, o.String())
		}
	}
	return code, out, e.String()
}

func flipBit(hexStr string, bit int) string {
	b, _ := hex.DecodeString(hexStr)
	b[bit/8] ^= 1 << (bit % 8)
	return hex.EncodeToString(b)
}

func TestHeaderCommandOnRealMainnetHeaders(t *testing.T) {
	v := loadVectors(t)
	want := map[string]struct {
		kind string
		n, k float64
	}{
		"genesis":   {"pow", 200, 9},
		"last-pow":  {"pow", 125, 4},
		"first-pon": {"pon", 0, 0},
	}
	for _, h := range v.Headers {
		w, ok := want[h.Name]
		if !ok {
			continue
		}
		code, out, stderr := cli(t, "flux", "header", "--network", "mainnet", "--height", itoa(h.Height), h.Raw)
		if code != exitOK {
			t.Fatalf("%s: exit %d, %v %s", h.Name, code, out, stderr)
		}
		if out["kind"] != w.kind || out["hash"] != h.Hash || out["meets_target"] != true {
			t.Errorf("%s: %v", h.Name, out)
		}
		if w.kind == "pow" {
			eq := out["equihash"].(map[string]any)
			if eq["n"] != w.n || eq["k"] != w.k || eq["valid"] != true {
				t.Errorf("%s: equihash %v", h.Name, eq)
			}
		} else if out["slot"] != float64(8147841) || out["pon_hash"] != "00038558e60cd9562ebb510f23d679ddbd2cadd46e0071228ad93eddf06bca10" {
			t.Errorf("%s: slot/pon_hash %v", h.Name, out)
		}
	}
	delete(want, "")
	if len(v.Headers) < len(want) {
		t.Fatalf("only %d headers in the mainnet vectors", len(v.Headers))
	}
}

func TestHeaderCommandVerifiesTheProducerSignature(t *testing.T) {
	code, out, _ := cli(t, "flux", "header", "--producer-pubkey", producer2996914, pon2996914)
	if code != exitOK || out["signature_valid"] != true || out["hash"] != "2c9937766668220f96d0349da244f54ff641a0d12910fcfb5bc2f90a41af7b6b" {
		t.Fatalf("exit %d: %v", code, out)
	}
	if out["collateral"] != "6d12b8f9ac958776c443063576dd092c79310879d26f6e4ab06a1d541279331e:0" || out["slot"] != float64(9127238) {
		t.Fatalf("collateral/slot: %v", out)
	}
	// A flipped bit in the signature (the last byte of the header).
	bad := flipBit(pon2996914, 215*8)
	code, out, _ = cli(t, "flux", "header", "--producer-pubkey", producer2996914, bad)
	if code != exitCheck || out["signature_valid"] != false || !strings.Contains(out["error"].(string), "signature") {
		t.Fatalf("flipped signature: exit %d, %v", code, out)
	}
	// Without a key the signature cannot be checked, and nothing claims it was.
	code, out, _ = cli(t, "flux", "header", pon2996914)
	if _, ok := out["signature_valid"]; code != exitOK || ok {
		t.Fatalf("no key: exit %d, %v", code, out)
	}
}

func TestHeaderCommandNamesTheFailedRule(t *testing.T) {
	v := loadVectors(t)
	var genesis, lastPoW string
	for _, h := range v.Headers {
		switch h.Name {
		case "genesis":
			genesis = h.Raw
		case "last-pow":
			lastPoW = h.Raw
		}
	}
	cases := []struct {
		name string
		args []string
		code int
		rule string
	}{
		{"flipped solution bit", []string{"--height", "2019999", flipBit(lastPoW, 150*8+3)}, exitCheck, "invalid-solution"},
		{"flipped nonce bit", []string{flipBit(genesis, 120*8)}, exitCheck, "invalid-solution"},
		{"PoW header at a PoN height", []string{"--height", "2020000", lastPoW}, exitCheck, "not-pon-block"},
		{"ZelHash solution at a (200,9) height", []string{"--height", "100", lastPoW}, exitCheck, "bad-equihash-solution-size"},
		{"PoN header before activation", []string{"--height", "2019999", pon2996914}, exitCheck, "premature-pon-block"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, _ := cli(t, append([]string{"flux", "header"}, c.args...)...)
			if code != c.code || out["error"] != c.rule {
				t.Fatalf("exit %d error %v, want %d %s (%v)", code, out["error"], c.code, c.rule, out["detail"])
			}
		})
	}
}

func TestBadUsageAndUndecodableInputExitTwo(t *testing.T) {
	cases := [][]string{
		{},
		{"nonsense"},
		{"flux"},
		{"flux", "header"},
		{"flux", "header", "zz"},
		{"flux", "header", pon2996914[:100]},
		{"flux", "header", pon2996914 + "00"},
		{"flux", "header", "--network", "moonnet", pon2996914},
		{"flux", "header", "--height", "-5", pon2996914},
		{"flux", "header", "--producer-pubkey", "abcd", pon2996914},
		{"flux", "header", pon2996914, "extra"},
		{"flux", "tx", "0100"},
		{"flux", "tx", confirm2996914 + "ff"},
	}
	for _, args := range cases {
		if code, _, _ := cli(t, args...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
	}
}

func TestHexFromStandardInput(t *testing.T) {
	stdin = strings.NewReader(pon2996914 + "\n")
	defer func() { stdin = nil }()
	code, out, _ := cli(t, "flux", "header", "-")
	if code != exitOK || out["kind"] != "pon" {
		t.Fatalf("exit %d %v", code, out)
	}
}

func TestTxCommandOnRealTransactions(t *testing.T) {
	v := loadVectors(t)
	for _, x := range v.Transactions {
		code, out, stderr := cli(t, "flux", "tx", x.Raw)
		if code != exitOK || out["txid"] != x.TxID {
			t.Fatalf("%s: exit %d %v %s", x.Name, code, out, stderr)
		}
		if x.Name == "v4-sapling-9-inputs" {
			ins, outs := out["inputs"].([]any), out["outputs"].([]any)
			first := outs[0].(map[string]any)
			if out["kind"] != "transparent" || len(ins) != 9 || len(outs) != 31 || first["script_type"] != "pubkeyhash" || !strings.HasPrefix(first["address"].(string), "t1") {
				t.Fatalf("9-input tx: kind %v, %d inputs, %d outputs, first %v", out["kind"], len(ins), len(outs), first)
			}
		}
	}
	// A fluxnode CONFIRM: the txid excludes the signatures.
	code, out, _ := cli(t, "flux", "tx", confirm2996914)
	if code != exitOK || out["kind"] != "fluxnode-confirm" || out["txid"] != "1aec405a1eea06f804c3c49d76ba7e1c9a08ca58d6555422f4ccf70f31c11339" {
		t.Fatalf("confirm: exit %d %v", code, out)
	}
}

// lockTx builds a lock: a payment to a P2SH reserve and an OP_RETURN with data.
func lockTx(t *testing.T, data []byte) string {
	t.Helper()
	x := tx.NewV4(0, 0)
	x.Inputs = append(x.Inputs, tx.TxIn{PrevOut: chainhash.OutPoint{Hash: chainhash.Hash{1}, Index: 0}, ScriptSig: []byte{0x51}, Sequence: 0xffffffff})
	reserve := address.Address{Kind: address.P2SH, Hash: [20]byte{9}}
	x.Outputs = append(x.Outputs, tx.TxOut{Value: 5_000_000_000, Script: reserve.Script()})
	x.Outputs = append(x.Outputs, tx.TxOut{Value: 0, Script: append([]byte{0x6a, byte(len(data))}, data...)})
	return hex.EncodeToString(x.Bytes())
}

func TestTxCommandDecodesBridgeMemos(t *testing.T) {
	lock := memo.Lock{ChainID: 1, Recipient: memo.EVMRecipient([20]byte{0xaa, 19: 0xbb})}
	code, out, _ := cli(t, "flux", "tx", "--network", "testnet", lockTx(t, lock.Bytes()))
	m, _ := out["memo"].(map[string]any)
	if code != exitOK || m["type"] != "lock" || m["chain_id"] != float64(1) || m["output"] != float64(1) ||
		m["recipient"] != "000000000000000000000000aa000000000000000000000000000000000000bb" {
		t.Fatalf("lock: exit %d %v", code, out)
	}
	if a := out["outputs"].([]any)[0].(map[string]any)["address"].(string); !strings.HasPrefix(a, "t2") {
		t.Fatalf("testnet P2SH address %q", a)
	}
	// A bridge memo that does not parse strictly is a failed check: it would be refunded.
	code, out, _ = cli(t, "flux", "tx", lockTx(t, lock.Bytes()[:41]))
	if m, _ := out["memo"].(map[string]any); code != exitCheck || out["error"] != "memo-length" || m["error"] != "memo-length" {
		t.Fatalf("short lock memo: exit %d %v", code, out)
	}
	// Other OP_RETURN data is not a bridge memo.
	code, out, _ = cli(t, "flux", "tx", lockTx(t, []byte("hello")))
	if _, ok := out["memo"]; code != exitOK || ok {
		t.Fatalf("plain OP_RETURN: exit %d %v", code, out)
	}
}

func TestTxCommandReportsSanityFailures(t *testing.T) {
	x := tx.NewV4(0, 0)
	x.Inputs = append(x.Inputs, tx.TxIn{PrevOut: chainhash.OutPoint{Hash: chainhash.Hash{1}}, ScriptSig: []byte{0x51}})
	x.Outputs = append(x.Outputs, tx.TxOut{Value: -1, Script: []byte{0x51}})
	code, out, _ := cli(t, "flux", "tx", hex.EncodeToString(x.Bytes()))
	if code != exitCheck || out["error"] == nil || out["error"] == "" {
		t.Fatalf("negative output: exit %d %v", code, out)
	}
}

func TestHelpAndNetworks(t *testing.T) {
	var o, e bytes.Buffer
	if code := run([]string{"help"}, &o, &e); code != exitOK || !strings.Contains(o.String(), "flux header") {
		t.Fatalf("help: exit %d %q", code, o.String())
	}
	for _, p := range params.Networks {
		if code, _, _ := cli(t, "flux", "header", "--network", p.Name, pon2996914); code == exitUsage {
			t.Errorf("network %s not accepted", p.Name)
		}
	}
}

func itoa(v int32) string {
	b, _ := json.Marshal(v)
	return string(b)
}
