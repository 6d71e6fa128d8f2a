package address

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// Vectors from bitcoin/bitcoin src/test/data/base58_encode_decode.json
// (the Base58 alphabet and algorithm are the same in fluxd).
func TestBase58KnownVectors(t *testing.T) {
	tests := []struct{ hex, b58 string }{
		{"", ""},
		{"61", "2g"},
		{"626262", "a3gV"},
		{"636363", "aPEr"},
		{"73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"},
		{"00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
		{"516b6fcd0f", "ABnLTmg"},
		{"bf4f89001e670274dd", "3SEo3LWLoPntC"},
		{"572e4794", "3EFU7m"},
		{"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
		{"10c8511e", "Rt5zm"},
		{"00000000000000000000", "1111111111"},
		{"000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155a5", "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"},
	}
	for _, tc := range tests {
		b := vectors.Hex(t, tc.hex)
		if got := Base58Encode(b); got != tc.b58 {
			t.Errorf("Base58Encode(%s) = %s, want %s", tc.hex, got, tc.b58)
		}
		got, err := Base58Decode(tc.b58)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("Base58Decode(%s) = %x, %v", tc.b58, got, err)
		}
	}
}

func TestBase58DecodeRejects(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want Code
	}{
		{"zero is not in the alphabet", "1110", CodeBadChar},
		{"capital O", "O", CodeBadChar},
		{"capital I", "I", CodeBadChar},
		{"lowercase l", "l", CodeBadChar},
		{"leading space (fluxd skips it, we do not)", " 2g", CodeBadChar},
		{"trailing newline", "2g\n", CodeBadChar},
		{"over MaxBase58Len", string(bytes.Repeat([]byte{'z'}, MaxBase58Len+1)), CodeBadLength},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Base58Decode(tc.s)
			if !errors.Is(err, &Error{Code: tc.want}) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
	if _, err := Base58Decode(string(bytes.Repeat([]byte{'z'}, MaxBase58Len))); err != nil {
		t.Fatalf("MaxBase58Len characters: %v", err)
	}
}

// The VERIFIED addresses of flux-chain.md §1.1.
func TestVerifiedMainnetAddresses(t *testing.T) {
	tests := []struct {
		s    string
		kind Kind
		hash string
	}{
		{"t3hPu1YDeGUCp8m7BQCnnNUmRMJBa5RadyA", P2SH, "fa742817c4a665fccc70ce4cb40bdb71ba345db7"},
		{"t1PXd3mxzqNMWCB7ebKR1yfEGWFmtBLDdTn", P2PKH, "3e094e2b62d1e96bce68624dd4931da524e89096"},
	}
	for _, tc := range tests {
		a, err := Decode(tc.s, params.MainNet)
		if err != nil {
			t.Fatalf("%s: %v", tc.s, err)
		}
		if a.Kind != tc.kind || hex.EncodeToString(a.Hash[:]) != tc.hash {
			t.Fatalf("%s decoded as %s %x", tc.s, a.Kind, a.Hash)
		}
		if got := a.Encode(params.MainNet); got != tc.s {
			t.Fatalf("re-encoded as %s", got)
		}
		if _, err := Decode(tc.s, params.TestNet); !errors.Is(err, ErrWrongNetwork) {
			t.Fatalf("%s on testnet: got %v, want ErrWrongNetwork", tc.s, err)
		}
	}
}

func networkOf(t *testing.T, chain string) *params.Params {
	t.Helper()
	switch chain {
	case "mainnet":
		return params.MainNet
	case "testnet":
		return params.TestNet
	}
	t.Fatalf("unknown chain %q", chain)
	return nil
}

type validEntry struct {
	s, hex string
	meta   struct {
		IsPrivkey    bool   `json:"isPrivkey"`
		IsCompressed bool   `json:"isCompressed"`
		Chain        string `json:"chain"`
	}
}

func loadValid(t *testing.T) []validEntry {
	var raw [][3]json.RawMessage
	if err := json.Unmarshal(vectors.Read(t, "flux/base58_keys_valid.json"), &raw); err != nil {
		t.Fatal(err)
	}
	out := make([]validEntry, len(raw))
	for i, r := range raw {
		if json.Unmarshal(r[0], &out[i].s) != nil || json.Unmarshal(r[1], &out[i].hex) != nil ||
			json.Unmarshal(r[2], &out[i].meta) != nil {
			t.Fatalf("entry %d malformed", i)
		}
	}
	return out
}

func TestSharedValidKeys(t *testing.T) {
	entries := loadValid(t)
	var addrs, wifs int
	for _, e := range entries {
		p := networkOf(t, e.meta.Chain)
		other := params.TestNet
		if p == params.TestNet {
			other = params.MainNet
		}
		want := vectors.Hex(t, e.hex)
		if e.meta.IsPrivkey {
			wifs++
			priv, compressed, err := DecodeWIF(e.s, p)
			if err != nil {
				t.Fatalf("DecodeWIF(%s): %v", e.s, err)
			}
			if !bytes.Equal(priv, want) || compressed != e.meta.IsCompressed {
				t.Fatalf("DecodeWIF(%s) = %x %v", e.s, priv, compressed)
			}
			if got := EncodeWIF(want, e.meta.IsCompressed, p); got != e.s {
				t.Fatalf("EncodeWIF = %s, want %s", got, e.s)
			}
			if _, err := Decode(e.s, p); err == nil {
				t.Fatalf("WIF %s decoded as an address", e.s)
			}
			if _, _, err := DecodeWIF(e.s, other); !errors.Is(err, ErrWrongNetwork) {
				t.Fatalf("WIF %s on %s: got %v", e.s, other.Name, err)
			}
			continue
		}
		addrs++
		a, err := Decode(e.s, p)
		if err != nil {
			t.Fatalf("Decode(%s): %v", e.s, err)
		}
		if !bytes.Equal(a.Script(), want) {
			t.Fatalf("%s: script %x, want %x", e.s, a.Script(), want)
		}
		b, ok := FromScript(want)
		if !ok || b != a || b.Encode(p) != e.s {
			t.Fatalf("FromScript(%x) = %v %v", want, b, ok)
		}
		if _, _, err := DecodeWIF(e.s, p); err == nil {
			t.Fatalf("address %s decoded as a WIF", e.s)
		}
		if _, err := Decode(e.s, other); !errors.Is(err, ErrWrongNetwork) {
			t.Fatalf("address %s on %s: got %v", e.s, other.Name, err)
		}
	}
	if addrs != 26 || wifs != 24 {
		t.Fatalf("checked %d addresses and %d WIFs, want 26 and 24", addrs, wifs)
	}
}

func TestSharedInvalidKeys(t *testing.T) {
	var raw [][]string
	if err := json.Unmarshal(vectors.Read(t, "flux/base58_keys_invalid.json"), &raw); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range raw {
		if len(r) != 1 {
			t.Fatalf("entry %v malformed", r)
		}
		for _, p := range params.Networks {
			if a, err := Decode(r[0], p); err == nil {
				t.Fatalf("%q accepted as %s address %v", r[0], p.Name, a)
			} else if !isTyped(err) {
				t.Fatalf("%q: untyped error %v", r[0], err)
			}
			if _, _, err := DecodeWIF(r[0], p); err == nil {
				t.Fatalf("%q accepted as %s WIF", r[0], p.Name)
			} else if !isTyped(err) {
				t.Fatalf("%q: untyped error %v", r[0], err)
			}
		}
		n++
	}
	if n != 50 {
		t.Fatalf("checked %d invalid entries, want 50", n)
	}
}

func isTyped(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code != ""
}

func TestDecodeRejects(t *testing.T) {
	good := "t1PXd3mxzqNMWCB7ebKR1yfEGWFmtBLDdTn"
	h := [20]byte{9}
	unknown := CheckEncode(append([]byte{0x00, 0x00}, h[:]...))
	short := CheckEncode(append([]byte{0x1c, 0xb8}, h[:19]...))
	flipped := []byte(good)
	flipped[10] = 'z'
	tests := []struct {
		name, s string
		want    Code
	}{
		{"a changed character breaks the checksum", string(flipped), CodeBadChecksum},
		{"a character outside the alphabet", good[:10] + "0" + good[11:], CodeBadChar},
		{"a 19-byte hash", short, CodeBadLength},
		{"unknown prefix 0000", unknown, CodeUnknownPrefix},
		{"testnet address on mainnet", Address{P2PKH, h}.Encode(params.TestNet), CodeWrongNetwork},
		{"too short for a checksum", "2g", CodeBadLength},
		{"empty", "", CodeBadLength},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.s, params.MainNet); !errors.Is(err, &Error{Code: tc.want}) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
	for i := 0; i < len(good); i++ {
		if _, err := Decode(good[:i], params.MainNet); err == nil {
			t.Fatalf("truncated to %d characters: accepted", i)
		}
	}
}

func TestDecodeWIFRejects(t *testing.T) {
	key := bytes.Repeat([]byte{0x11}, 32)
	n := vectors.Hex(t, "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
	tests := []struct {
		name, s string
		want    Code
	}{
		{"compression flag 0x02", CheckEncode(append(append([]byte{0x80}, key...), 0x02)), CodeWIFFlag},
		{"31-byte secret", CheckEncode(append([]byte{0x80}, key[:31]...)), CodeBadLength},
		{"35-byte payload", CheckEncode(append(append([]byte{0x80}, key...), 1, 1)), CodeBadLength},
		{"zero secret", EncodeWIF(make([]byte, 32), true, params.MainNet), CodeWIFKey},
		{"secret equal to the group order", EncodeWIF(n, true, params.MainNet), CodeWIFKey},
		{"testnet WIF", EncodeWIF(key, true, params.TestNet), CodeWrongNetwork},
		{"unknown prefix", CheckEncode(append([]byte{0x42}, key...)), CodeUnknownPrefix},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := DecodeWIF(tc.s, params.MainNet); !errors.Is(err, &Error{Code: tc.want}) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

func TestAddressScriptAndPayload(t *testing.T) {
	h := [20]byte{1, 2, 3}
	a := Address{Kind: P2SH, Hash: h}
	if !bytes.Equal(a.Script(), script.P2SH(h)) {
		t.Fatal("P2SH script")
	}
	pl := a.Payload(params.MainNet)
	if pl[0] != 0x1c || pl[1] != 0xbd || !bytes.Equal(pl[2:], h[:]) {
		t.Fatalf("payload %x", pl)
	}
	if (Address{}).Script() != nil {
		t.Fatal("zero Address has a script")
	}
	if _, ok := FromScript([]byte{script.OP_RETURN}); ok {
		t.Fatal("FromScript(OP_RETURN)")
	}
	if s := a.String(params.MainNet); s[:2] != "t3" {
		t.Fatalf("mainnet P2SH starts with %s", s[:2])
	}
	if s := (Address{P2PKH, h}).String(params.TestNet); s[:2] != "tm" {
		t.Fatalf("testnet P2PKH starts with %s", s[:2])
	}
}
