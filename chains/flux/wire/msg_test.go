package wire_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// roundTrip frames m, reads it back, checks deep equality and a byte-exact
// re-encoding, and returns the decoded message.
func roundTrip(t *testing.T, m wire.Message) wire.Message {
	t.Helper()
	b := wire.EncodeMessage(mainMagic, m)
	var buf bytes.Buffer
	if _, err := wire.WriteMessage(&buf, mainMagic, m); err != nil {
		t.Fatalf("WriteMessage: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), b) {
		t.Fatal("WriteMessage and EncodeMessage differ")
	}
	got := readOne(t, b)
	if reflect.TypeOf(got) != reflect.TypeOf(m) {
		t.Fatalf("read %T, want %T", got, m)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("decoded %+v\nwant    %+v", got, m)
	}
	if again := wire.EncodeMessage(mainMagic, got); !bytes.Equal(again, b) {
		t.Fatalf("re-encoding differs:\n%x\n%x", again, b)
	}
	return got
}

func hashN(n byte) chainhash.Hash {
	var h chainhash.Hash
	for i := range h {
		h[i] = n + byte(i)
	}
	return h
}

// Every message type survives encode → ReadMessage → deep-equal → re-encode.
func TestMessagesRoundTrip(t *testing.T) {
	shared := loadShared(t)
	coinbase := mustTx(t, shared.Transactions[0])
	v4 := mustTx(t, shared.Transactions[1])
	genesis := params.MainNet.GenesisHeader()
	pon := ponHeader216(t)

	tests := []struct {
		name string
		msg  wire.Message
	}{
		{"version", &wire.MsgVersion{
			ProtocolVersion: int32(params.ProtocolVersionPoN), Services: 0, Timestamp: 1790797144,
			AddrRecv: wire.NewNetAddress(wire.NodeNetwork|wire.NodeBloom, netip.MustParseAddrPort("203.0.113.7:16125")),
			AddrFrom: wire.NewNetAddress(0, netip.MustParseAddrPort("[2001:db8::1]:16125")),
			Nonce:    0x1122334455667788, UserAgent: "/fluxbridge:0.1.0/", StartHeight: 2996914, Relay: false}},
		{"version with longest user agent", &wire.MsgVersion{UserAgent: strings.Repeat("u", wire.MaxUserAgentLen), Relay: true, StartHeight: -1}},
		{"verack", &wire.MsgVerAck{}},
		{"ping", &wire.MsgPing{Nonce: 1<<64 - 1}},
		{"pong", &wire.MsgPong{Nonce: 5}},
		{"sendheaders", &wire.MsgSendHeaders{}},
		{"getaddr", &wire.MsgGetAddr{}},
		{"getheaders", &wire.MsgGetHeaders{Version: 170020, Locator: []chainhash.Hash{hashN(1), hashN(2), params.MainNet.GenesisHash}}},
		{"getheaders with hash stop", &wire.MsgGetHeaders{Version: 170021, Locator: []chainhash.Hash{hashN(3)}, HashStop: hashN(9)}},
		{"getheaders empty locator", &wire.MsgGetHeaders{Version: 170020, HashStop: params.MainNet.GenesisHash}},
		{"getheaders 101 hashes", &wire.MsgGetHeaders{Locator: make([]chainhash.Hash, wire.MaxLocatorHashes)}},
		{"headers empty", &wire.MsgHeaders{}},
		{"headers real", &wire.MsgHeaders{Headers: []*wire.BlockHeader{genesis, mustHeader(t, shared.Headers[1]), mustHeader(t, shared.Headers[2]), pon}}},
		{"inv", &wire.MsgInv{InvList: []wire.InvVect{{wire.InvTypeBlock, hashN(1)}, {wire.InvTypeTx, hashN(2)}, {wire.InvTypeCmpctBlock, hashN(3)}, {wire.InvType(77), hashN(4)}}}},
		{"inv empty", &wire.MsgInv{}},
		{"inv 50000", &wire.MsgInv{InvList: make([]wire.InvVect, wire.MaxInvPerMessage)}},
		{"getdata", &wire.MsgGetData{InvList: []wire.InvVect{{wire.InvTypeFilteredBlock, hashN(5)}}}},
		{"notfound", &wire.MsgNotFound{InvList: []wire.InvVect{{wire.InvTypeTx, hashN(6)}}}},
		{"block genesis", &wire.MsgBlock{Header: *genesis, Txs: []*tx.Tx{coinbase}}},
		{"block PoN two txs", &wire.MsgBlock{Header: *pon, Txs: []*tx.Tx{coinbase, v4}}},
		{"block no txs", &wire.MsgBlock{Header: *pon}},
		{"tx v4", &wire.MsgTx{Tx: v4}},
		{"tx v1", &wire.MsgTx{Tx: coinbase}},
		{"reject tx with hash", &wire.MsgReject{Message: "tx", Code: wire.RejectInsufficientFee, Reason: "insufficient fee", Hash: v4.TxID()}},
		{"reject block with hash", &wire.MsgReject{Message: "block", Code: wire.RejectInvalid, Reason: strings.Repeat("r", wire.MaxRejectReasonLen), Hash: hashN(7)}},
		{"reject version without hash", &wire.MsgReject{Message: "version", Code: wire.RejectObsolete, Reason: "Version must be 170020 or greater"}},
		{"reject 12-char command", &wire.MsgReject{Message: "abcdefghijkl", Code: wire.RejectCode(0x99)}},
		{"addr", &wire.MsgAddr{AddrList: []wire.TimedNetAddress{
			{Timestamp: 1790797144, NetAddress: wire.NewNetAddress(wire.NodeNetwork, netip.MustParseAddrPort("198.51.100.1:16125"))},
			{Timestamp: 1, NetAddress: wire.NewNetAddress(5, netip.MustParseAddrPort("[fe80::1]:1"))}}}},
		{"addr 1000", &wire.MsgAddr{AddrList: make([]wire.TimedNetAddress, wire.MaxAddrPerMessage)}},
		{"unknown", &wire.MsgUnknown{Cmd: "sendcmpct", Payload: []byte{0, 1, 0, 0, 0, 0, 0, 0, 0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { roundTrip(t, tc.msg) })
	}
}

// The version fields sit at the offsets of fluxd's PushVersion, addresses
// carry no timestamp and ports are big-endian.
func TestVersionLayout(t *testing.T) {
	m := &wire.MsgVersion{ProtocolVersion: 170020, Services: 0, Timestamp: 0x0102030405060708,
		AddrRecv: wire.NewNetAddress(1, netip.MustParseAddrPort("1.2.3.4:16125")),
		Nonce:    9, UserAgent: "/a/", StartHeight: 0x01020304, Relay: false}
	p := encodePayload(m)
	if len(p) != 4+8+8+26+26+8+1+3+4+1 {
		t.Fatalf("payload %d bytes", len(p))
	}
	recv := p[20:46]
	wantRecv := append(append([]byte{1, 0, 0, 0, 0, 0, 0, 0}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4), 0x3e, 0xfd)
	if !bytes.Equal(recv, wantRecv) {
		t.Fatalf("addr_recv %x, want %x", recv, wantRecv)
	}
	if p[len(p)-1] != 0 {
		t.Fatal("relay byte not last")
	}
	if got := m.AddrRecv.AddrPort().String(); got != "1.2.3.4:16125" {
		t.Fatalf("AddrPort %s", got)
	}
}

// Old peers omit the relay byte; the message still decodes and, as in fluxd,
// means "relay transactions". Nothing else is optional.
func TestVersionWithoutRelayByte(t *testing.T) {
	full := encodePayload(&wire.MsgVersion{ProtocolVersion: 170020, UserAgent: "/MagicBean:9.0.6(flux)/", StartHeight: 100, Relay: false})
	m := readOne(t, frame("version", full[:len(full)-1])).(*wire.MsgVersion)
	if !m.Relay || m.StartHeight != 100 || m.UserAgent != "/MagicBean:9.0.6(flux)/" {
		t.Fatalf("got %+v", m)
	}
	_, err := wire.ReadMessage(bytes.NewReader(frame("version", full[:len(full)-2])), mainMagic)
	if !errors.Is(err, wire.ErrMalformedPayload) || !errors.Is(err, codec.ErrTruncated) {
		t.Fatalf("version cut inside start height: got %v", err)
	}
}

// Each per-field limit gives its own typed error at its own field.
func TestMessageFieldLimits(t *testing.T) {
	var count3 = func(n uint64) []byte { return codec.AppendCompactSize(nil, n) }
	inv := func(n int) []byte { return append(count3(uint64(n)), make([]byte, n*wire.InvVectSize)...) }
	version := func(ua int) []byte {
		p := encodePayload(&wire.MsgVersion{})
		w := codec.NewWriter(0)
		w.Write(p[:80])
		w.VarString(strings.Repeat("a", ua))
		w.Write(p[81:])
		return w.Bytes()
	}
	reject := func(msg, reason string) []byte {
		w := codec.NewWriter(0)
		w.VarString(msg)
		w.Uint8(1)
		w.VarString(reason)
		w.Write(make([]byte, 32))
		return w.Bytes()
	}
	getheaders := func(n int) []byte {
		return append(append([]byte{0, 0, 0, 0}, count3(uint64(n))...), make([]byte, (n+1)*32)...)
	}
	addr := func(n int) []byte { return append(count3(uint64(n)), make([]byte, n*wire.TimedNetAddressSize)...) }
	pon := ponHeader216(t).Bytes()
	headersWithTxCount := func(c byte) []byte { return cat([]byte{1}, pon, []byte{c}) }

	tests := []struct {
		name    string
		cmd     string
		payload []byte
		field   string
		kind    error
	}{
		{"inv with 50,001 entries", "inv", inv(wire.MaxInvPerMessage + 1), "inv.count", codec.ErrTooLarge},
		{"getdata with 50,001 entries", "getdata", inv(wire.MaxInvPerMessage + 1), "getdata.count", codec.ErrTooLarge},
		{"notfound with 50,001 entries", "notfound", inv(wire.MaxInvPerMessage + 1), "notfound.count", codec.ErrTooLarge},
		{"inv count larger than the bytes", "inv", append(count3(3), make([]byte, 2*wire.InvVectSize)...), "inv.count", codec.ErrTooLarge},
		{"user agent of 257 bytes", "version", version(wire.MaxUserAgentLen + 1), "version.user_agent.len", codec.ErrTooLarge},
		{"relay byte 2", "version", append(encodePayload(&wire.MsgVersion{})[:85], 2), "version.relay", codec.ErrInvalid},
		{"reject reason of 112 bytes", "reject", reject("tx", strings.Repeat("r", 112)), "reject.reason.len", codec.ErrTooLarge},
		{"reject command of 13 bytes", "reject", reject("thirteenchars", ""), "reject.message.len", codec.ErrTooLarge},
		{"reject tx without hash", "reject", reject("tx", "x")[:1+2+1+2], "reject.hash", codec.ErrTruncated},
		{"locator of 102 hashes", "getheaders", getheaders(wire.MaxLocatorHashes + 1), "getheaders.locator.count", codec.ErrTooLarge},
		{"addr with 1001 entries", "addr", addr(wire.MaxAddrPerMessage + 1), "addr.count", codec.ErrTooLarge},
		{"headers tx count 1", "headers", headersWithTxCount(1), "headers[0]: headers.tx_count", codec.ErrInvalid},
		{"headers tx count missing", "headers", cat([]byte{1}, pon), "headers[0]: headers.tx_count", codec.ErrTruncated},
		{"headers count 0xfd non-canonical", "headers", append([]byte{0xfd, 1, 0}, headersWithTxCount(0)[1:]...), "headers.count", codec.ErrNonCanonical},
		{"ping without nonce", "ping", []byte{1, 2, 3}, "ping.nonce", codec.ErrTruncated},
		{"block tx count larger than the bytes", "block", cat(pon, []byte{3}, make([]byte, 14)), "block.tx_count", codec.ErrTooLarge},
		{"block truncated tx", "block", cat(pon, []byte{1, 0x04, 0, 0, 0x80, 0x85, 0x20}), "block.txs[0]: tx.*", codec.ErrTruncated},
		{"tx unknown overwintered format", "tx", []byte{3, 0, 0, 0x80, 1, 2, 3, 4}, "tx.*", codec.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The decoder itself refuses the field...
			m, ok := wire.MakeEmptyMessage(tc.cmd)
			if !ok {
				t.Fatalf("unknown command %s", tc.cmd)
			}
			r := codec.NewReader(tc.payload)
			err := m.Decode(r)
			if err == nil {
				err = r.End(tc.cmd)
			}
			// A field ending in "*" belongs to package tx: only its prefix is ours.
			fieldOK := func(f string) bool {
				if p, ok := strings.CutSuffix(tc.field, "*"); ok {
					return strings.HasPrefix(f, p)
				}
				return f == tc.field
			}
			var ce *codec.Error
			if !errors.As(err, &ce) || !fieldOK(ce.Field) || !errors.Is(err, tc.kind) {
				t.Fatalf("Decode: got %v, want %v at field %q", err, tc.kind, tc.field)
			}
			// ...and ReadMessage refuses the frame: from its header alone when
			// the payload is over the command's cap, else with the same decode error.
			_, err = wire.ReadMessage(bytes.NewReader(frame(tc.cmd, tc.payload)), mainMagic)
			var me *wire.MessageError
			if !errors.As(err, &me) || me.Command != tc.cmd {
				t.Fatalf("ReadMessage: got %v, want a *MessageError for %s", err, tc.cmd)
			}
			if len(tc.payload) > m.MaxPayload() {
				if !errors.Is(err, wire.ErrPayloadTooLarge) {
					t.Fatalf("ReadMessage: got %v, want ErrPayloadTooLarge", err)
				}
				return
			}
			if !errors.Is(err, wire.ErrMalformedPayload) || !errors.As(err, &ce) || !fieldOK(ce.Field) || !errors.Is(err, tc.kind) {
				t.Fatalf("ReadMessage: got %v, want %v at field %q", err, tc.kind, tc.field)
			}
		})
	}
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Real headers: a headers message built from genesis (params), 2,019,999,
// 2,020,000 and 2,996,914 decodes to headers that hash to the known block hashes.
func TestHeadersMessageRealVectors(t *testing.T) {
	vs := allHeaderVectors(t)
	hs := []*wire.BlockHeader{params.MainNet.GenesisHeader()}
	for _, v := range vs[1:] {
		hs = append(hs, mustHeader(t, v))
	}
	got := roundTrip(t, &wire.MsgHeaders{Headers: hs}).(*wire.MsgHeaders)
	for i, v := range vs {
		if h := got.Headers[i].BlockHash().String(); h != v.Hash {
			t.Errorf("%s: hash %s, want %s", v.Name, h, v.Hash)
		}
	}
	// 2,020,000 follows 2,019,999.
	if got.Headers[2].PrevBlock != got.Headers[1].BlockHash() {
		t.Error("first PoN header does not link to the last PoW header")
	}
}

// 160 headers is the most a message may carry; 161 is refused at the count,
// before any header is allocated.
func TestHeadersCountLimit(t *testing.T) {
	h := ponHeader216(t)
	hs := make([]*wire.BlockHeader, wire.MaxHeadersPerMessage)
	for i := range hs {
		hs[i] = h
	}
	roundTrip(t, &wire.MsgHeaders{Headers: hs})

	over := encodePayload(&wire.MsgHeaders{Headers: append(hs, h)})
	_, err := wire.ReadMessage(bytes.NewReader(frame("headers", over)), mainMagic)
	var ce *codec.Error
	if !errors.Is(err, codec.ErrTooLarge) || !errors.As(err, &ce) || ce.Field != "headers.count" || ce.Offset != 0 {
		t.Fatalf("161 headers: got %v, want ErrTooLarge at headers.count offset 0", err)
	}

	// Decoding the 161-header payload allocates nothing proportional to it.
	const runs = 50
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < runs; i++ {
		var m wire.MsgHeaders
		if err := m.Decode(codec.NewReader(over)); err == nil {
			t.Fatal("161 headers decoded")
		}
	}
	runtime.ReadMemStats(&after)
	if perRun := (after.TotalAlloc - before.TotalAlloc) / runs; perRun > 1024 {
		t.Fatalf("refusing 161 headers allocated %d bytes per run", perRun)
	}
}

// A headers payload cut at any offset, even correctly framed, is a typed error.
func TestHeadersPayloadTruncatedAtEveryOffset(t *testing.T) {
	payload := encodePayload(&wire.MsgHeaders{Headers: []*wire.BlockHeader{mustHeader(t, headerVectorByName(t, "last-pow")), ponHeader216(t)}})
	for n := 0; n < len(payload); n++ {
		_, err := wire.ReadMessage(bytes.NewReader(frame("headers", payload[:n])), mainMagic)
		var ce *codec.Error
		if !errors.Is(err, wire.ErrMalformedPayload) || !errors.As(err, &ce) {
			t.Fatalf("cut at %d: got %v, want a malformed payload with a *codec.Error", n, err)
		}
	}
}

// A framed headers message cut at any byte gives io.EOF (at 0) or
// io.ErrUnexpectedEOF, never a panic or a message.
func TestReadMessageTruncatedStreamAtEveryOffset(t *testing.T) {
	var hs []*wire.BlockHeader
	for _, v := range allHeaderVectors(t) {
		hs = append(hs, mustHeader(t, v))
	}
	b := wire.EncodeMessage(mainMagic, &wire.MsgHeaders{Headers: hs})
	for n := 0; n < len(b); n++ {
		m, err := wire.ReadMessage(bytes.NewReader(b[:n]), mainMagic)
		want := io.ErrUnexpectedEOF
		if n == 0 {
			want = io.EOF
		}
		if err != want || m != nil {
			t.Fatalf("cut at %d: got %v, %v; want %v", n, m, err, want)
		}
	}
}

// InvType names follow fluxd's ppszTypeName; MSG_CMPCT_BLOCK is 11.
func TestInvTypeNames(t *testing.T) {
	tests := map[wire.InvType]string{
		wire.InvTypeError: "ERROR", wire.InvTypeTx: "tx", wire.InvTypeBlock: "block",
		wire.InvTypeFilteredBlock: "filtered block", wire.InvTypeDSTx: "dstx",
		wire.InvTypeCmpctBlock: "cmpct block", 12: "unknown(12)",
	}
	for typ, want := range tests {
		if typ.String() != want {
			t.Errorf("%d: %q, want %q", uint32(typ), typ.String(), want)
		}
	}
	if wire.InvTypeCmpctBlock != 11 {
		t.Fatal("MSG_CMPCT_BLOCK must be 11 on Flux")
	}
}

// Reject codes carry fluxd's values and names.
func TestRejectCodes(t *testing.T) {
	tests := []struct {
		code wire.RejectCode
		val  uint8
		name string
	}{
		{wire.RejectMalformed, 0x01, "REJECT_MALFORMED"}, {wire.RejectInvalid, 0x10, "REJECT_INVALID"},
		{wire.RejectObsolete, 0x11, "REJECT_OBSOLETE"}, {wire.RejectDuplicate, 0x12, "REJECT_DUPLICATE"},
		{wire.RejectNonstandard, 0x40, "REJECT_NONSTANDARD"}, {wire.RejectDust, 0x41, "REJECT_DUST"},
		{wire.RejectInsufficientFee, 0x42, "REJECT_INSUFFICIENTFEE"}, {wire.RejectCheckpoint, 0x43, "REJECT_CHECKPOINT"},
		{wire.RejectCode(0x99), 0x99, "REJECT_UNKNOWN(0x99)"},
	}
	for _, tc := range tests {
		if uint8(tc.code) != tc.val || tc.code.String() != tc.name {
			t.Errorf("%#x %s, want %#x %s", uint8(tc.code), tc.code, tc.val, tc.name)
		}
	}
}

// A block message carries the real genesis coinbase and re-derives its txid.
func TestBlockMessageGenesis(t *testing.T) {
	shared := loadShared(t)
	m := roundTrip(t, &wire.MsgBlock{Header: *params.MainNet.GenesisHeader(), Txs: []*tx.Tx{mustTx(t, shared.Transactions[0])}}).(*wire.MsgBlock)
	if m.BlockHash() != params.MainNet.GenesisHash {
		t.Fatalf("block hash %s", m.BlockHash())
	}
	if m.Txs[0].TxID() != m.Header.MerkleRoot {
		t.Fatal("the only txid of genesis is not its merkle root")
	}
}

// MinTxSize is a true lower bound: no header of any version, overwintered or
// not, decodes as a transaction in fewer bytes, and the 5-byte fluxnode tx
// with an unknown type byte (which fluxd serializes as header + type) fills a
// block as densely as the count bound allows.
func TestMinTxSizeIsALowerBound(t *testing.T) {
	for version := uint32(0); version <= 10; version++ {
		for _, ow := range []uint32{0, 1 << 31} {
			var full [wire.MinTxSize]byte
			binary.LittleEndian.PutUint32(full[:], version|ow)
			for n := 0; n < wire.MinTxSize; n++ {
				if _, err := tx.Decode(full[:n]); err == nil {
					t.Fatalf("header %#x decoded as a %d-byte tx", version|ow, n)
				}
			}
		}
	}
	smallest := []byte{5, 0, 0, 0, 0x7f}
	if _, err := tx.Decode(smallest); err != nil {
		t.Fatalf("the 5-byte fluxnode tx fluxd can serialize does not decode: %v", err)
	}
	w := codec.NewWriter(0)
	ponHeader216(t).Encode(w)
	w.CompactSize(3)
	for i := 0; i < 3; i++ {
		w.Write(smallest)
	}
	m := readOne(t, frame("block", w.Bytes())).(*wire.MsgBlock)
	if len(m.Txs) != 3 {
		t.Fatalf("%d txs", len(m.Txs))
	}
}
