package memo

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

var evmAddr = [20]byte{0xde, 0xad, 0xbe, 0xef, 19: 0x01}

// Golden encodings written out field by field from DESIGN.md §3.
func TestGoldenEncodings(t *testing.T) {
	txid := chainhash.MustFromDisplay("98f6cabf29786a107ee29aeb54da16a5490dbe86a0fe84eede2b9e310ceeb648")
	tests := []struct {
		name string
		m    Memo
		hex  string
	}{
		{"lock to Ethereum", Lock{ChainID: 1, Recipient: EVMRecipient(evmAddr)},
			"464c584231" + "01" + "00000001" + "000000000000000000000000" + "deadbeef00000000000000000000000000000001"},
		{"lock to Solana devnet", Lock{ChainID: 0xF0000002, Recipient: [32]byte{0: 0x11, 31: 0x22}},
			"464c584231" + "01" + "f0000002" + "11" + "000000000000000000000000000000000000000000000000000000000000" + "22"},
		{"release BNB nonces 5..9", Release{ChainID: 56, FromNonce: 5, ToNonce: 9},
			"464c585231" + "00000038" + "0000000000000005" + "0000000000000009"},
		{"refund of the 9-input tx output 3", Refund{LockTxID: txid, Vout: 3},
			"464c584631" + "48b6ee0c319e2bdeee84fea086be0d49a516da54eb9ae27e106a7829bfcaf698" + "00000003"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := vectors.Hex(t, tc.hex)
			if got := tc.m.Bytes(); !bytes.Equal(got, want) {
				t.Fatalf("Bytes = %x, want %x", got, want)
			}
			got, err := Parse(want)
			if err != nil || got != tc.m {
				t.Fatalf("Parse = %#v, %v", got, err)
			}
			s := Script(tc.m)
			if s[0] != script.OP_RETURN || int(s[1]) != len(want) || !bytes.Equal(s[2:], want) {
				t.Fatalf("Script = %x", s)
			}
			if got, err := FromScript(s); err != nil || got != tc.m {
				t.Fatalf("FromScript = %#v, %v", got, err)
			}
		})
	}
	if LockSize != 42 || ReleaseSize != 25 || RefundSize != 41 {
		t.Fatal("memo sizes differ from DESIGN.md §3")
	}
}

func TestParseRejects(t *testing.T) {
	lock := Lock{ChainID: 1, Recipient: EVMRecipient(evmAddr)}.Bytes()
	sol := Lock{ChainID: 0xF0000001, Recipient: [32]byte{0: 1}}.Bytes()
	rel := Release{ChainID: 56, FromNonce: 1, ToNonce: 1}.Bytes()
	ref := Refund{Vout: 1}.Bytes()
	mod := func(b []byte, f func(b []byte)) []byte { c := bytes.Clone(b); f(c); return c }
	tests := []struct {
		name string
		data []byte
		want Code
	}{
		{"empty", nil, CodeUnknownMagic},
		{"four bytes of a magic", []byte("FLXB"), CodeUnknownMagic},
		{"lowercase magic", mod(lock, func(b []byte) { b[0] = 'f' }), CodeUnknownMagic},
		{"Solana FLXM1 memo", []byte("FLXM1:00"), CodeUnknownMagic},
		{"lock one byte short", lock[:LockSize-1], CodeLength},
		{"lock one byte long", append(bytes.Clone(lock), 0), CodeLength},
		{"release one byte short", rel[:ReleaseSize-1], CodeLength},
		{"refund one byte long", append(bytes.Clone(ref), 0), CodeLength},
		{"lock version 0x02", mod(lock, func(b []byte) { b[5] = 2 }), CodeVersion},
		{"lock version 0x00", mod(lock, func(b []byte) { b[5] = 0 }), CodeVersion},
		{"lock to chain 0", mod(lock, func(b []byte) { copy(b[6:10], []byte{0, 0, 0, 0}) }), CodeChainID},
		{"lock to the FLUX L1", mod(sol, func(b []byte) { copy(b[6:10], []byte{0xf0, 0, 0, 0}) }), CodeChainID},
		{"EVM recipient with a non-zero pad byte", mod(lock, func(b []byte) { b[10] = 1 }), CodeRecipientPadding},
		{"EVM recipient with the last pad byte set", mod(lock, func(b []byte) { b[21] = 1 }), CodeRecipientPadding},
		{"zero EVM recipient", Lock{ChainID: 1}.Bytes(), CodeZeroRecipient},
		{"zero Solana recipient", Lock{ChainID: 0xF0000001}.Bytes(), CodeZeroRecipient},
		{"release from > to", Release{ChainID: 56, FromNonce: 2, ToNonce: 1}.Bytes(), CodeNonceRange},
		{"release to chain 0", Release{ChainID: 0, FromNonce: 1, ToNonce: 1}.Bytes(), CodeChainID},
		{"release of the FLUX L1", Release{ChainID: FluxChainID, FromNonce: 1, ToNonce: 1}.Bytes(), CodeChainID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.data)
			if !errors.Is(err, &Error{Code: tc.want}) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
	// Every other sentinel is distinct.
	all := []*Error{ErrUnknownMagic, ErrLength, ErrVersion, ErrChainID, ErrRecipientPadding, ErrZeroRecipient, ErrNonceRange, ErrNotMemoScript}
	for i := range all {
		for j := range all {
			if (i == j) != errors.Is(all[i], all[j]) {
				t.Fatalf("sentinels %s and %s", all[i].Code, all[j].Code)
			}
		}
	}
}

func TestValidBoundaries(t *testing.T) {
	valid := []Memo{
		Lock{ChainID: NonEVMChainIDBase - 1, Recipient: EVMRecipient([20]byte{19: 1})},
		Lock{ChainID: 0xF0000001, Recipient: [32]byte{0: 0xff}},
		Lock{ChainID: 0xFFFFFFFF, Recipient: [32]byte{31: 1}},
		Release{ChainID: 1, FromNonce: 0, ToNonce: 0},
		Release{ChainID: 1, FromNonce: 0, ToNonce: ^uint64(0)},
		Refund{},
		Refund{LockTxID: chainhash.Hash{31: 1}, Vout: ^uint32(0)},
	}
	for _, m := range valid {
		got, err := Parse(m.Bytes())
		if err != nil || got != m {
			t.Fatalf("%#v: %v", m, err)
		}
	}
}

func TestTypedParsersRejectOtherKinds(t *testing.T) {
	lock := Lock{ChainID: 1, Recipient: EVMRecipient(evmAddr)}.Bytes()
	rel := Release{ChainID: 1}.Bytes()
	ref := Refund{}.Bytes()
	if _, err := ParseLock(rel); !errors.Is(err, ErrUnknownMagic) {
		t.Fatalf("ParseLock(release): %v", err)
	}
	if _, err := ParseRelease(ref); !errors.Is(err, ErrUnknownMagic) {
		t.Fatalf("ParseRelease(refund): %v", err)
	}
	if _, err := ParseRefund(lock); !errors.Is(err, ErrUnknownMagic) {
		t.Fatalf("ParseRefund(lock): %v", err)
	}
}

func TestTruncationsAtEveryOffset(t *testing.T) {
	for _, m := range []Memo{Lock{ChainID: 1, Recipient: EVMRecipient(evmAddr)}, Release{ChainID: 1}, Refund{}} {
		b := m.Bytes()
		for n := 0; n < len(b); n++ {
			_, err := Parse(b[:n])
			want := ErrLength
			if n < MagicSize {
				want = ErrUnknownMagic
			}
			if !errors.Is(err, want) {
				t.Fatalf("%s truncated to %d: got %v, want %s", m.Magic(), n, err, want.Code)
			}
		}
	}
}

func TestFromScriptRequiresMinimalOpReturn(t *testing.T) {
	b := Release{ChainID: 56, FromNonce: 1, ToNonce: 2}.Bytes()
	tests := []struct {
		name   string
		script []byte
		want   Code
	}{
		{"PUSHDATA1 instead of a direct push", append([]byte{script.OP_RETURN, script.OP_PUSHDATA1, byte(len(b))}, b...), CodeNotMemoScript},
		{"no OP_RETURN", append([]byte{byte(len(b))}, b...), CodeNotMemoScript},
		{"a second push", append(append([]byte{script.OP_RETURN, byte(len(b))}, b...), script.OP_0), CodeNotMemoScript},
		{"truncated", append([]byte{script.OP_RETURN, byte(len(b))}, b[:len(b)-1]...), CodeNotMemoScript},
		{"bare OP_RETURN", []byte{script.OP_RETURN}, CodeUnknownMagic},
		{"OP_RETURN with other data", []byte{script.OP_RETURN, 3, 'a', 'b', 'c'}, CodeUnknownMagic},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := FromScript(tc.script); !errors.Is(err, &Error{Code: tc.want}) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}
