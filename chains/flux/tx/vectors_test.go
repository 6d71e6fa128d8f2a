package tx

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// mainnetTx is one entry of flux/mainnet_vectors.json "transactions".
type mainnetTx struct {
	Name        string `json:"name"`
	Raw         string `json:"raw"`
	TxID        string `json:"txid"`
	InputsSpend *struct {
		ScriptPubKey string `json:"script_pubkey"`
		AmountZat    int64  `json:"amount_zat"`
	} `json:"inputs_spend"`
	Sighash *struct {
		Input     int    `json:"input"`
		HashType  uint32 `json:"hash_type"`
		BranchID  string `json:"branch_id"`
		DigestRaw string `json:"digest_raw"`
	} `json:"sighash"`
}

func mainnetTxs(t testing.TB) map[string]mainnetTx {
	t.Helper()
	var v struct {
		Transactions []mainnetTx `json:"transactions"`
	}
	if err := json.Unmarshal(vectors.Read(t, "flux/mainnet_vectors.json"), &v); err != nil {
		t.Fatal(err)
	}
	m := make(map[string]mainnetTx)
	for _, x := range v.Transactions {
		m[x.Name] = x
	}
	return m
}

func mainnetRaw(t testing.TB, name string) []byte {
	t.Helper()
	x, ok := mainnetTxs(t)[name]
	if !ok {
		t.Fatalf("vector %q missing from flux/mainnet_vectors.json", name)
	}
	return vectors.Hex(t, x.Raw)
}

// confirmRaw is the v5 CONFIRM transaction of block 2,996,914
// (flux-chain.md §10.3, raw bytes as on the wire).
const confirmRaw = "0500000004c7c7df090c5656ccb2ca3d78c7a81c498629d0a0325e17ca7bf385fb4f8030d4000000003a65bd6a03d860bd6a010d36352e3130382e37332e323032411cb4f8de8ff1d87580ea1ff97e99f1e03547e7285893d762d530f433ae77d20b247c3f9eadf9c61292a8ce982e00f7ef8e6e219b6652e9e258b0c0c1272f30dd23411c1ee0e9b0ce64b2568041900e3c18d8946a0649a28b6edc128158134bed0f1ba13101958fbcf7f7839fab9956e8bcd79749dd2ca79e3ed97461495ee607734ced"

func TestMainnetVectorsTxIDAndRoundTrip(t *testing.T) {
	for name, v := range mainnetTxs(t) {
		t.Run(name, func(t *testing.T) {
			raw := vectors.Hex(t, v.Raw)
			tx, err := Decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := tx.Bytes(); !bytes.Equal(got, raw) {
				t.Fatalf("re-encoding differs")
			}
			if tx.SerializeSize() != len(raw) {
				t.Fatalf("SerializeSize = %d, want %d", tx.SerializeSize(), len(raw))
			}
			if got := tx.TxID().String(); got != v.TxID {
				t.Fatalf("txid %s, want %s", got, v.TxID)
			}
		})
	}
}

func TestV4NineInputsSignatureHashZIP243(t *testing.T) {
	v := mainnetTxs(t)["v4-sapling-9-inputs"]
	if v.Sighash == nil || v.InputsSpend == nil {
		t.Fatal("vector lacks sighash data")
	}
	tx, err := Decode(vectors.Hex(t, v.Raw))
	if err != nil {
		t.Fatal(err)
	}
	if k := tx.Kind(); k != KindTransparent {
		t.Fatalf("kind %v, want transparent", k)
	}
	if len(tx.Inputs) != 9 || len(tx.Outputs) != 31 || tx.LockTime != 2019987 || tx.ExpiryHeight != 2020018 {
		t.Fatalf("fields: %d inputs, %d outputs, locktime %d, expiry %d", len(tx.Inputs), len(tx.Outputs), tx.LockTime, tx.ExpiryHeight)
	}
	branch, err := strconv.ParseUint(v.Sighash.BranchID, 16, 32)
	if err != nil {
		t.Fatal(err)
	}
	if branch != 0x76B809BB || v.InputsSpend.AmountZat != 1_875_000_000 {
		t.Fatalf("vector parameters changed: branch %#x amount %d", branch, v.InputsSpend.AmountZat)
	}
	got, err := SignatureHash(tx, v.Sighash.Input, vectors.Hex(t, v.InputsSpend.ScriptPubKey), v.InputsSpend.AmountZat, v.Sighash.HashType, uint32(branch))
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(got[:]) != v.Sighash.DigestRaw {
		t.Fatalf("digest %x, want %s", got, v.Sighash.DigestRaw)
	}
	// A different amount or branch must change the digest.
	other, _ := SignatureHash(tx, 0, vectors.Hex(t, v.InputsSpend.ScriptPubKey), v.InputsSpend.AmountZat+1, 1, uint32(branch))
	if other == got {
		t.Fatal("amount is not committed")
	}
}

func TestFluxnodeConfirmTxIDExcludesSignatures(t *testing.T) {
	raw := vectors.Hex(t, confirmRaw)
	tx, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tx.Bytes(), raw) {
		t.Fatal("re-encoding differs")
	}
	if k := tx.Kind(); k != KindFluxnodeConfirm {
		t.Fatalf("kind %v", k)
	}
	want := chainhash.MustFromDisplay("1aec405a1eea06f804c3c49d76ba7e1c9a08ca58d6555422f4ccf70f31c11339")
	if got := tx.TxID(); got != want {
		t.Fatalf("txid %s, want %s", got, want)
	}
	full := chainhash.DoubleSHA256(raw)
	if full.String() != "b73194b7e37f5e38db1a54f3a46a060a42923a1773fefa5d15848e6e7d7ced50" {
		t.Fatalf("full hash %s", full)
	}
	if tx.TxID() == full {
		t.Fatal("txid must not be the hash of the full bytes")
	}
	if chainhash.DoubleSHA256(raw[:65]) != want {
		t.Fatal("txid is not SHA256d of the 65 bytes before the signatures")
	}
	fn := tx.Fluxnode
	if fn.Collateral.Index != 0 || fn.IP != "65.108.73.202" || len(fn.Sig) != 65 || len(fn.BenchmarkSig) != 65 || fn.UpdateType != 1 {
		t.Fatalf("fields: %+v", fn)
	}
}

// sighashRow is one data row of flux/sighash.json.
type sighashRow struct {
	raw, script []byte
	in          int
	hashType    int64
	branch      uint32
	expected    string
}

func sighashRows(t testing.TB) []sighashRow {
	t.Helper()
	var rows [][]json.RawMessage
	if err := json.Unmarshal(vectors.Read(t, "flux/sighash.json"), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || len(rows[0]) != 1 {
		t.Fatal("first row is not the header comment")
	}
	var out []sighashRow
	for i, r := range rows[1:] {
		if len(r) != 6 {
			t.Fatalf("row %d has %d columns", i+1, len(r))
		}
		var rawHex, scriptHex, expected string
		var in int
		var hashType, branch int64
		for j, dst := range []any{&rawHex, &scriptHex, &in, &hashType, &branch, &expected} {
			if err := json.Unmarshal(r[j], dst); err != nil {
				t.Fatalf("row %d column %d: %v", i+1, j, err)
			}
		}
		out = append(out, sighashRow{vectors.Hex(t, rawHex), vectors.Hex(t, scriptHex), in, hashType, uint32(branch), expected})
	}
	return out
}

func reverseHex(b [32]byte) string {
	for i, j := 0, 31; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return hex.EncodeToString(b[:])
}

// TestSighashJSON checks every row of zcash/fluxd's sighash.json. The
// expected column is uint256::GetHex, i.e. the raw digest byte-reversed.
func TestSighashJSON(t *testing.T) {
	rows := sighashRows(t)
	if len(rows) != 500 {
		t.Fatalf("%d rows, want 500", len(rows))
	}
	kinds := map[Kind]int{}
	for i, r := range rows {
		tx, err := Decode(r.raw)
		if err != nil {
			t.Fatalf("row %d: decode: %v", i, err)
		}
		if !bytes.Equal(tx.Bytes(), r.raw) {
			t.Fatalf("row %d: re-encoding differs", i)
		}
		kinds[tx.Kind()]++
		got, err := SignatureHash(tx, r.in, r.script, 0, uint32(r.hashType), r.branch)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if reverseHex(got) != r.expected {
			t.Errorf("row %d (%v): digest %s, want %s", i, tx.Kind(), reverseHex(got), r.expected)
		}
	}
	t.Logf("kinds: %v", kinds)
}
