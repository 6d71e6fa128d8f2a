package script

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

func TestTokenizerOpcodesAndData(t *testing.T) {
	s := []byte{OP_0, 2, 0xaa, 0xbb, OP_PUSHDATA1, 1, 0xcc, OP_PUSHDATA2, 1, 0, 0xdd,
		OP_PUSHDATA4, 1, 0, 0, 0, 0xee, OP_1, OP_DUP, OP_PUSHDATA1, 0}
	want := []struct {
		op   byte
		data []byte
	}{
		{OP_0, []byte{}}, {2, []byte{0xaa, 0xbb}}, {OP_PUSHDATA1, []byte{0xcc}},
		{OP_PUSHDATA2, []byte{0xdd}}, {OP_PUSHDATA4, []byte{0xee}}, {OP_1, nil}, {OP_DUP, nil},
		{OP_PUSHDATA1, []byte{}},
	}
	tk := MakeTokenizer(s)
	i := 0
	for tk.Next() {
		if i >= len(want) {
			t.Fatalf("extra opcode %#x", tk.Opcode())
		}
		if tk.Opcode() != want[i].op || !bytes.Equal(tk.Data(), want[i].data) || (tk.Data() == nil) != (want[i].data == nil) {
			t.Fatalf("op %d: got %#x %x, want %#x %x", i, tk.Opcode(), tk.Data(), want[i].op, want[i].data)
		}
		i++
	}
	if tk.Err() != nil || !tk.Done() || i != len(want) {
		t.Fatalf("err %v done %v count %d", tk.Err(), tk.Done(), i)
	}
}

func TestTokenizerTruncatedPushes(t *testing.T) {
	tests := []struct {
		name   string
		script []byte
		offset int
	}{
		{"direct push short of data", []byte{OP_DUP, 3, 1, 2}, 1},
		{"PUSHDATA1 without length", []byte{OP_PUSHDATA1}, 0},
		{"PUSHDATA1 short of data", []byte{OP_PUSHDATA1, 2, 1}, 0},
		{"PUSHDATA2 with half a length", []byte{OP_PUSHDATA2, 1}, 0},
		{"PUSHDATA2 short of data", []byte{OP_PUSHDATA2, 0, 1, 0}, 0},
		{"PUSHDATA4 with three length bytes", []byte{OP_PUSHDATA4, 1, 0, 0}, 0},
		{"PUSHDATA4 claiming 4 GiB", []byte{OP_PUSHDATA4, 0xff, 0xff, 0xff, 0xff, 0}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tk := MakeTokenizer(tc.script)
			for tk.Next() {
			}
			var e *Error
			if !errors.As(tk.Err(), &e) || e.Code != CodeTruncatedPush || e.Offset != tc.offset {
				t.Fatalf("got %v, want %s at %d", tk.Err(), CodeTruncatedPush, tc.offset)
			}
			if !errors.Is(tk.Err(), ErrTruncatedPush) || tk.Done() || IsPushOnly(tc.script) {
				t.Fatal("truncated script treated as complete")
			}
		})
	}
}

func TestIsPushOnlyRule(t *testing.T) {
	tests := []struct {
		script []byte
		want   bool
	}{
		{nil, true},
		{[]byte{OP_0, OP_1NEGATE, OP_RESERVED, OP_16, 1, 0}, true},
		{[]byte{OP_0, OP_NOP}, false},
		{[]byte{OP_DUP}, false},
		{[]byte{2, 0}, false},
	}
	for _, tc := range tests {
		if got := IsPushOnly(tc.script); got != tc.want {
			t.Errorf("IsPushOnly(%x) = %v", tc.script, got)
		}
	}
}

func TestMinimalPushRule(t *testing.T) {
	for n := 0; n <= 70000; n++ {
		if n > 600 && n != 65535 && n != 65536 && n != 70000 {
			continue
		}
		data := bytes.Repeat([]byte{0x42}, n)
		s := AppendPush(nil, data)
		if len(s) != PushSize(data) {
			t.Fatalf("n=%d: PushSize %d, len %d", n, PushSize(data), len(s))
		}
		tk := MakeTokenizer(s)
		if !tk.Next() || !bytes.Equal(tk.Data(), data) || !tk.Done() {
			t.Fatalf("n=%d: does not tokenize back", n)
		}
		if !IsMinimalPush(tk.Opcode(), data) {
			t.Fatalf("n=%d: AppendPush is not minimal", n)
		}
	}
	for v := 1; v <= 16; v++ {
		s := AppendPush(nil, []byte{byte(v)})
		if len(s) != 1 || s[0] != SmallIntOpcode(v) || !IsMinimalPush(s[0], []byte{byte(v)}) {
			t.Fatalf("value %d pushed as %x", v, s)
		}
		if IsMinimalPush(1, []byte{byte(v)}) {
			t.Fatalf("direct push of %d accepted", v)
		}
	}
	nonMinimal := []struct {
		op   byte
		data []byte
	}{
		{1, []byte{0x81}}, {OP_PUSHDATA1, []byte{1, 2}}, {OP_PUSHDATA1, nil}, {1, nil},
		{OP_PUSHDATA2, make([]byte, 200)}, {OP_PUSHDATA4, make([]byte, 300)}, {75, make([]byte, 76)},
	}
	for _, tc := range nonMinimal {
		if IsMinimalPush(tc.op, tc.data) {
			t.Errorf("IsMinimalPush(%#x, %d bytes) = true", tc.op, len(tc.data))
		}
	}
}

func TestExtractPushesRules(t *testing.T) {
	got, err := ExtractPushes([]byte{OP_0, OP_1NEGATE, OP_16, 2, 7, 8}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{{}, {0x81}, {16}, {7, 8}}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("element %d: %x, want %x", i, got[i], want[i])
		}
	}
	big := AppendPush(nil, make([]byte, 521))
	tests := []struct {
		name    string
		script  []byte
		minimal bool
		want    Code
	}{
		{"non-push opcode", []byte{OP_0, OP_DUP}, false, CodeNotPushOnly},
		{"OP_RESERVED", []byte{OP_RESERVED}, false, CodeReservedOpcode},
		{"truncated", []byte{5, 1}, false, CodeTruncatedPush},
		{"element over 520 bytes", big, false, CodeElementSize},
		{"non-minimal under MINIMALDATA", []byte{1, 5}, true, CodeNonMinimalPush},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ExtractPushes(tc.script, tc.minimal)
			if !IsCode(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
	if _, err := ExtractPushes([]byte{1, 5}, false); err != nil {
		t.Fatalf("non-minimal push without MINIMALDATA: %v", err)
	}
}

func TestHash160KnownValue(t *testing.T) {
	// The compressed key of the 9-input mainnet tx's spender
	// (flux-chain.md §10.6): its scriptSig pubkey hashes to 3e094e2b….
	pub := vectors.Hex(t, "022407b4ff3113a9d17e47e58e08ebd8d9e73f7717a24624b4dfb6a80efaafdda5")
	h := Hash160(pub)
	if want := vectors.Hex(t, "3e094e2b62d1e96bce68624dd4931da524e89096"); !bytes.Equal(h[:], want) {
		t.Fatalf("Hash160 = %x, want %x", h, want)
	}
}

func TestClassifyTemplates(t *testing.T) {
	_, pubs := testKeys(3)
	unc := make([]byte, 65)
	unc[0] = 4
	h := [20]byte{1, 2, 3}
	bare, _ := MultisigRedeemScript(2, pubs)
	nd, _ := NullData([]byte("FLXR1"))
	pushdata1Hash := append(append([]byte{OP_DUP, OP_HASH160, OP_PUSHDATA1, 20}, h[:]...), OP_EQUALVERIFY, OP_CHECKSIG)
	tests := []struct {
		name   string
		script []byte
		want   Class
	}{
		{"P2PKH", P2PKH(h), ClassP2PKH},
		{"P2PKH with a PUSHDATA1 hash (fluxd template matching)", pushdata1Hash, ClassP2PKH},
		{"P2SH", P2SH(h), ClassP2SH},
		{"P2PK compressed", append(AppendPush(nil, pubs[0]), OP_CHECKSIG), ClassP2PK},
		{"P2PK uncompressed", append(AppendPush(nil, unc), OP_CHECKSIG), ClassP2PK},
		{"bare 2-of-3", bare, ClassMultisig},
		{"bare multisig with n not matching the keys", append(append([]byte{}, bare[:len(bare)-2]...), OP_2, OP_CHECKMULTISIG), ClassNonStandard},
		{"bare multisig with m > n", append([]byte{OP_3}, AppendPush(nil, pubs[0])...), ClassNonStandard},
		{"null data with one push", nd, ClassNullData},
		{"bare OP_RETURN", []byte{OP_RETURN}, ClassNullData},
		{"OP_RETURN with 81 bytes", append([]byte{OP_RETURN}, AppendPush(nil, make([]byte, 81))...), ClassNonStandard},
		{"OP_RETURN with two pushes", append(append([]byte{}, nd...), OP_0), ClassNonStandard},
		{"empty", nil, ClassNonStandard},
		{"truncated P2PKH", P2PKH(h)[:24], ClassNonStandard},
		{"P2SH with a trailing byte", append(P2SH(h), OP_NOP), ClassNonStandard},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Classify(tc.script); got != tc.want {
				t.Fatalf("Classify = %s, want %s", got, tc.want)
			}
		})
	}
	if got, c, ok := ExtractHash(P2PKH(h)); !ok || c != ClassP2PKH || got != h {
		t.Fatal("ExtractHash(P2PKH)")
	}
	if got, c, ok := ExtractHash(P2SH(h)); !ok || c != ClassP2SH || got != h {
		t.Fatal("ExtractHash(P2SH)")
	}
	if _, _, ok := ExtractHash(pushdata1Hash); ok {
		t.Fatal("ExtractHash accepted a non-canonical P2PKH")
	}
}

func TestBuildersBytes(t *testing.T) {
	h := [20]byte{0xaa}
	if got := P2PKH(h); !bytes.Equal(got, append(append([]byte{0x76, 0xa9, 0x14}, h[:]...), 0x88, 0xac)) {
		t.Fatalf("P2PKH %x", got)
	}
	if got := P2SH(h); !bytes.Equal(got, append(append([]byte{0xa9, 0x14}, h[:]...), 0x87)) {
		t.Fatalf("P2SH %x", got)
	}
	nd, err := NullData(make([]byte, 80))
	if err != nil || len(nd) != 83 || nd[0] != OP_RETURN || nd[1] != OP_PUSHDATA1 || nd[2] != 80 {
		t.Fatalf("NullData(80 bytes) = %x, %v", nd, err)
	}
	if _, err := NullData(make([]byte, 81)); !IsCode(err, CodeDataTooLarge) {
		t.Fatalf("NullData(81 bytes): %v", err)
	}
	sig, pub := bytes.Repeat([]byte{0x30}, 72), bytes.Repeat([]byte{0x02}, 33)
	if got := P2PKHScriptSig(sig, pub); !bytes.Equal(got, append(append(append([]byte{72}, sig...), 33), pub...)) {
		t.Fatalf("P2PKHScriptSig %x", got)
	}
}

func TestParseNullDataRules(t *testing.T) {
	memo := []byte("FLXB1 plus some payload")
	good, _ := NullData(memo)
	got, err := ParseNullData(good)
	if err != nil || !bytes.Equal(got, memo) {
		t.Fatalf("round trip: %x, %v", got, err)
	}
	if got, err := ParseNullData([]byte{OP_RETURN}); err != nil || len(got) != 0 {
		t.Fatalf("bare OP_RETURN: %x, %v", got, err)
	}
	tests := []struct {
		name   string
		script []byte
		want   Code
	}{
		{"empty script", nil, CodeNotNullData},
		{"no OP_RETURN", AppendPush(nil, memo), CodeNotNullData},
		{"non-push after OP_RETURN", []byte{OP_RETURN, OP_DUP}, CodeNotNullData},
		{"two pushes", append(append([]byte{}, good...), OP_0), CodeNotNullData},
		{"truncated push", good[:len(good)-1], CodeTruncatedPush},
		{"non-minimal push", append([]byte{OP_RETURN, OP_PUSHDATA1, byte(len(memo))}, memo...), CodeNonMinimalPush},
		{"81 bytes", append([]byte{OP_RETURN, OP_PUSHDATA1, 81}, make([]byte, 81)...), CodeDataTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseNullData(tc.script); !IsCode(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}
