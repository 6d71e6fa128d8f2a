package evm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/contracts/evm/bindv2"
	"github.com/fluxbridge/fluxbridge/fault"
)

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []cursor{{0, 0}, {7, 3}, {math.MaxUint64, math.MaxUint64}, {1_000_000, 42}} {
		got, err := parseCursor(c.encode(), 0)
		if err != nil || got != c {
			t.Errorf("parseCursor(%q) = %+v, %v; want %+v", c.encode(), got, err, c)
		}
	}
	if got, err := parseCursor("", 55); err != nil || got != (cursor{block: 55}) {
		t.Errorf("the empty cursor starts at the start block: %+v, %v", got, err)
	}
}

func TestCursorRejectsEverySpellingButOne(t *testing.T) {
	for _, bad := range []chains.Cursor{
		"v1", "v1:", "v1:1", "v1:1:", "v1::1", "v2:1:1", "V1:1:1", "v1:01:1", "v1:1:01", "v1:+1:1",
		"v1:-1:1", "v1:1:1:1", "v1: 1:1", "v1:18446744073709551616:0", "v1:1:0x1",
		"\x00not a cursor\xff", chains.Cursor(strings.Repeat("9", 100)), "v1:4:1", /* before the start block */
	} {
		if _, err := parseCursor(bad, 5); fault.KindOf(err) != fault.Invalid {
			t.Errorf("parseCursor(%q) = %v, want invalid", bad, err)
		}
	}
}

func FuzzParseCursor(f *testing.F) {
	f.Add("v1:0:0")
	f.Add("v1:18446744073709551615:7")
	f.Add("v1:01:1")
	f.Add("\x00not a cursor\xff")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCursor(chains.Cursor(s), 0)
		if err != nil {
			if fault.KindOf(err) != fault.Invalid {
				t.Fatalf("%q: error of kind %v", s, fault.KindOf(err))
			}
			return
		}
		if s != "" && string(c.encode()) != s {
			t.Fatalf("%q parsed to %+v which encodes as %q: two spellings", s, c, c.encode())
		}
	})
}

var testBridge = common.HexToAddress("0x00000000000000000000000000000000000b41d6")

// burnLog builds a well-formed Burn log.
func burnLog(nonce, amount uint64, addr [FluxAddrLen]byte, sender common.Address) *types.Log {
	data := make([]byte, 64)
	binary.BigEndian.PutUint64(data[24:32], amount)
	copy(data[32:], addr[:])
	var n common.Hash
	binary.BigEndian.PutUint64(n[24:], nonce)
	return &types.Log{Address: testBridge, Topics: []common.Hash{burnTopic, n, common.BytesToHash(sender[:])}, Data: data}
}

func TestDecodeBurn(t *testing.T) {
	addr := [FluxAddrLen]byte{0x1d, 0x25, 1, 2, 3}
	sender := common.HexToAddress("0x1234567890123456789012345678901234567890")
	good := burnLog(9, 1_000_000_000, addr, sender)
	b, err := decodeBurn(good, testBridge)
	if err != nil || b.Nonce != 9 || b.Amount != 1_000_000_000 || b.FluxAddr != addr || b.Sender != sender {
		t.Fatalf("decodeBurn = %+v, %v", b, err)
	}
	mutate := func(f func(l *types.Log)) *types.Log {
		l := *good
		l.Topics = append([]common.Hash(nil), good.Topics...)
		l.Data = append([]byte(nil), good.Data...)
		f(&l)
		return &l
	}
	cases := map[string]*types.Log{
		"another emitter":           mutate(func(l *types.Log) { l.Address[0] ^= 1 }),
		"removed":                   mutate(func(l *types.Log) { l.Removed = true }),
		"another event":             mutate(func(l *types.Log) { l.Topics[0] = transferTopic }),
		"two topics":                mutate(func(l *types.Log) { l.Topics = l.Topics[:2] }),
		"nonce over uint64":         mutate(func(l *types.Log) { l.Topics[1][0] = 1 }),
		"sender over 20 bytes":      mutate(func(l *types.Log) { l.Topics[2][0] = 1 }),
		"amount over uint64":        mutate(func(l *types.Log) { l.Data[0] = 1 }),
		"fluxAddr padding not zero": mutate(func(l *types.Log) { l.Data[63] = 1 }),
		"short data":                mutate(func(l *types.Log) { l.Data = l.Data[:63] }),
		"long data":                 mutate(func(l *types.Log) { l.Data = append(l.Data, 0) }),
		"nil":                       nil,
	}
	for name, l := range cases {
		if _, err := decodeBurn(l, testBridge); !errors.Is(err, errMalformedLog) {
			t.Errorf("%s: decodeBurn = %v, want a malformed-log error", name, err)
		}
	}
}

func FuzzDecodeBurn(f *testing.F) {
	good := burnLog(3, 77, [FluxAddrLen]byte{0x1d, 0x25}, common.Address{1})
	f.Add(good.Topics[1][:], good.Topics[2][:], good.Data)
	f.Add([]byte{}, []byte{1}, []byte{2})
	f.Fuzz(func(t *testing.T, nonce, sender, data []byte) {
		l := &types.Log{Address: testBridge, Topics: []common.Hash{burnTopic, common.BytesToHash(nonce), common.BytesToHash(sender)}, Data: data}
		b, err := decodeBurn(l, testBridge)
		if err != nil {
			return
		}
		// One reading only: re-encoding gives the same log.
		again := burnLog(b.Nonce, b.Amount, b.FluxAddr, b.Sender)
		if !bytes.Equal(again.Data, l.Data) || again.Topics[1] != l.Topics[1] || again.Topics[2] != l.Topics[2] {
			t.Fatalf("%+v re-encodes differently", b)
		}
		// The same reading as the bindings' (lenient) decoder.
		ev, err := fluxBridge().UnpackBurnEvent(l)
		if err != nil || ev.Nonce != b.Nonce || ev.Amount != b.Amount || ev.FluxAddr != b.FluxAddr || ev.Sender != b.Sender {
			t.Fatalf("%+v: the bindings decode %+v, %v", b, ev, err)
		}
	})
}

func TestPayloadRoundTrip(t *testing.T) {
	m := chains.Mint{Lock: chains.LockRef{TxID: [32]byte{1, 2, 3}, Vout: 7}, Amount: 123_456_789, Recipient: [32]byte{31: 9}}
	p := encodePayload(m)
	if len(p) != 128 {
		t.Fatalf("payload is %d bytes", len(p))
	}
	got, err := decodePayload(p)
	if err != nil || got != m {
		t.Fatalf("decodePayload = %+v, %v", got, err)
	}
	for name, bad := range map[string][]byte{
		"empty":            nil,
		"short":            p[:127],
		"long":             append(append([]byte(nil), p...), 0),
		"vout padding":     func() []byte { b := append([]byte(nil), p...); b[32] = 1; return b }(),
		"amount padding":   func() []byte { b := append([]byte(nil), p...); b[64] = 1; return b }(),
		"vout upper bytes": func() []byte { b := append([]byte(nil), p...); b[59] = 1; return b }(),
	} {
		if _, err := decodePayload(bad); err == nil {
			t.Errorf("%s: decodePayload accepted it", name)
		}
	}
}

func FuzzDecodePayload(f *testing.F) {
	f.Add(encodePayload(chains.Mint{Lock: chains.LockRef{Vout: 1}, Amount: 5}))
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodePayload(b)
		if err != nil {
			return
		}
		if !bytes.Equal(encodePayload(m), b) {
			t.Fatalf("%x decodes to %+v which encodes differently", b, m)
		}
	})
}

func TestMintDigestBindsEveryField(t *testing.T) {
	m := chains.Mint{Lock: chains.LockRef{TxID: [32]byte{1}, Vout: 2}, Amount: 3, Recipient: [32]byte{31: 4}}
	base := chains.MintAuthDigest(1337, testBridge, m)
	variants := []func() [32]byte{
		func() [32]byte { return chains.MintAuthDigest(1, testBridge, m) },
		func() [32]byte { return chains.MintAuthDigest(1337, common.Address{1}, m) },
		func() [32]byte { n := m; n.Lock.TxID[31] = 1; return chains.MintAuthDigest(1337, testBridge, n) },
		func() [32]byte { n := m; n.Lock.Vout++; return chains.MintAuthDigest(1337, testBridge, n) },
		func() [32]byte { n := m; n.Amount++; return chains.MintAuthDigest(1337, testBridge, n) },
		func() [32]byte { n := m; n.Recipient[0] = 1; return chains.MintAuthDigest(1337, testBridge, n) },
	}
	for i, v := range variants {
		if v() == base {
			t.Errorf("variant %d has the same digest", i)
		}
	}
}

func TestLimitedBody(t *testing.T) {
	read := func(n, limit int) ([]byte, error) {
		b := &limitedBody{rc: io.NopCloser(bytes.NewReader(make([]byte, n))), left: int64(limit)}
		return io.ReadAll(b)
	}
	if got, err := read(100, 100); err != nil || len(got) != 100 {
		t.Fatalf("a body of exactly the limit: %d bytes, %v", len(got), err)
	}
	if _, err := read(101, 100); !errors.Is(err, errResponseTooLarge) {
		t.Fatalf("a body over the limit: %v", err)
	}
}

func TestBumpFee(t *testing.T) {
	s := &Sink{cfg: Config{Fees: FeeConfig{BumpPercent: 12.5}}}
	for _, c := range []struct{ in, want int64 }{{0, 0}, {1, 2}, {8, 9}, {1000, 1125}, {1001, 1127}} {
		if got := s.bumpFee(bigInt(c.in)); got.Int64() != c.want {
			t.Errorf("bump(%d) = %v, want %d", c.in, got, c.want)
		}
	}
}

func TestDecodeRevert(t *testing.T) {
	a, err := bridgeABI()
	if err != nil {
		t.Fatal(err)
	}
	data, err := a.Errors["RateLimited"].Inputs.Pack(uint64(7))
	if err != nil {
		t.Fatal(err)
	}
	id := a.Errors["RateLimited"].ID
	data = append(append([]byte(nil), id[:4]...), data...)
	name, e, ok := decodeRevert(a, data)
	if rl, typed := e.(*bindv2.FluxBridgeRateLimited); !ok || name != "RateLimited" || !typed || rl.Room != 7 {
		t.Fatalf("decodeRevert = %q %#v %v", name, e, ok)
	}
	if got := describeRevert(a, data); got != "RateLimited[7]" {
		t.Fatalf("describeRevert = %q", got)
	}
	for _, bad := range [][]byte{nil, {1, 2, 3}, data[:4], append([]byte{0xde, 0xad, 0xbe, 0xef}, data[4:]...)} {
		if _, _, ok := decodeRevert(a, bad); ok {
			t.Errorf("decodeRevert(%x) accepted it", bad)
		}
	}
}

func FuzzDecodeRevert(f *testing.F) {
	a, err := bridgeABI()
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range []string{"LockUsed", "Paused", "UnknownSigner", "InsufficientSignatures"} {
		id := a.Errors[name].ID
		f.Add(append(append([]byte(nil), id[:4]...), make([]byte, 64)...))
	}
	f.Add([]byte{0x08, 0xc3, 0x79, 0xa0}) // Error(string) selector, no data
	f.Fuzz(func(t *testing.T, data []byte) {
		name, _, ok := decodeRevert(a, data)
		if ok {
			if _, known := a.Errors[name]; !known {
				t.Fatalf("decoded an error %q the ABI does not declare", name)
			}
		}
		_ = describeRevert(a, data)
	})
}
