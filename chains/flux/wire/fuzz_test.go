package wire_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// seedMessages returns real framed messages for the fuzz corpora.
func seedMessages(tb testing.TB) [][]byte {
	var hs []*wire.BlockHeader
	for _, v := range allHeaderVectors(tb) {
		hs = append(hs, mustHeader(tb, v))
	}
	shared := loadShared(tb)
	msgs := []wire.Message{
		&wire.MsgVersion{ProtocolVersion: 170020, UserAgent: "/MagicBean:9.0.6(flux)/", StartHeight: 2996914, Relay: true},
		&wire.MsgVerAck{}, &wire.MsgPing{Nonce: 1}, &wire.MsgSendHeaders{},
		&wire.MsgGetHeaders{Version: 170020, Locator: []chainhash.Hash{params.MainNet.GenesisHash}},
		&wire.MsgHeaders{Headers: hs},
		&wire.MsgInv{InvList: []wire.InvVect{{Type: wire.InvTypeBlock, Hash: hs[3].BlockHash()}}},
		&wire.MsgReject{Message: "tx", Code: wire.RejectDust, Reason: "dust", Hash: hs[0].MerkleRoot},
		&wire.MsgAddr{AddrList: []wire.TimedNetAddress{{Timestamp: 5}}},
		&wire.MsgBlock{Header: *hs[0], Txs: []*tx.Tx{mustTx(tb, shared.Transactions[0])}},
		&wire.MsgTx{Tx: mustTx(tb, shared.Transactions[1])},
	}
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		out[i] = wire.EncodeMessage(mainMagic, m)
	}
	return out
}

// fixChecksums walks the frames of a stream and rewrites each checksum to
// match its payload, so the fuzzer's mutations reach the payload decoders.
func fixChecksums(data []byte) []byte {
	b := append([]byte(nil), data...)
	for off := 0; off+wire.MessageHeaderSize <= len(b); {
		n := int(binary.LittleEndian.Uint32(b[off+16 : off+20]))
		end := off + wire.MessageHeaderSize + n
		if n > wire.MaxMessagePayload || end > len(b) {
			break
		}
		first := sha256.Sum256(b[off+wire.MessageHeaderSize : end])
		second := sha256.Sum256(first[:])
		copy(b[off+20:off+24], second[:4])
		off = end
	}
	return b
}

// checkStream reads messages from data until an error. Every message that
// decodes must re-encode to a payload that decodes to the same value, and that
// re-encoding must be stable; it must equal the original payload, except for a
// version message without its optional relay byte. Every error must be typed
// or an I/O end of stream.
func checkStream(t *testing.T, data []byte) {
	r := bytes.NewReader(data)
	for {
		start := len(data) - r.Len()
		m, err := wire.ReadMessage(r, mainMagic)
		if err != nil {
			var me *wire.MessageError
			if !errors.As(err, &me) && err != io.EOF && err != io.ErrUnexpectedEOF {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			if me != nil && errors.Is(err, wire.ErrMalformedPayload) {
				var ce *codec.Error
				if !errors.As(err, &ce) {
					t.Fatalf("malformed payload without a *codec.Error: %v", err)
				}
			}
			if me != nil && (errors.Is(err, wire.ErrBadChecksum) || errors.Is(err, wire.ErrMalformedPayload) || errors.Is(err, wire.ErrBadCommand)) {
				continue // the stream is in sync
			}
			return
		}
		orig := data[start+wire.MessageHeaderSize : len(data)-r.Len()]
		if len(orig) > m.MaxPayload() {
			t.Fatalf("%s: accepted a %d-byte payload over its cap %d", m.Command(), len(orig), m.MaxPayload())
		}
		re := encodePayload(m)
		again, ok := wire.MakeEmptyMessage(m.Command())
		if !ok {
			again = &wire.MsgUnknown{Cmd: m.Command()}
		}
		rd := codec.NewReader(re)
		if err := again.Decode(rd); err != nil {
			t.Fatalf("%s: re-encoded payload does not decode: %v", m.Command(), err)
		}
		if err := rd.End(m.Command()); err != nil {
			t.Fatalf("%s: re-encoded payload has trailing bytes: %v", m.Command(), err)
		}
		if !reflect.DeepEqual(again, m) {
			t.Fatalf("%s: decode(encode(m)) != m", m.Command())
		}
		if !bytes.Equal(encodePayload(again), re) {
			t.Fatalf("%s: encoding is not stable", m.Command())
		}
		versionWithoutRelay := m.Command() == wire.CmdVersion && len(re) == len(orig)+1
		if !bytes.Equal(re, orig) && !versionWithoutRelay {
			t.Fatalf("%s: re-encoding differs from the wire payload\n got %x\nwant %x", m.Command(), re, orig)
		}
	}
}

func FuzzReadMessage(f *testing.F) {
	seeds := seedMessages(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add(bytes.Join(seeds, nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkStream(t, data)
		checkStream(t, fixChecksums(data))
	})
}

func FuzzDecodeBlockHeader(f *testing.F) {
	for _, v := range allHeaderVectors(f) {
		f.Add(vectors.Hex(f, v.Raw))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := wire.DecodeBlockHeader(data)
		if err != nil {
			var ce *codec.Error
			if !errors.As(err, &ce) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		if !bytes.Equal(h.Bytes(), data) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", h.Bytes(), data)
		}
		hashed := h.HashedBytes()
		if h.IsPoN() {
			if !bytes.Equal(hashed, data[:wire.PoNHashedSize]) {
				t.Fatal("PoN hashed bytes are not the first 144 bytes")
			}
		} else if !bytes.Equal(hashed, data) || !bytes.Equal(h.EquihashInput(), data[:wire.EquihashInputSize]) {
			t.Fatal("PoW hashed bytes or Equihash input wrong")
		}
	})
}

func FuzzMsgHeaders(f *testing.F) {
	var hs []*wire.BlockHeader
	for _, v := range allHeaderVectors(f) {
		hs = append(hs, mustHeader(f, v))
	}
	f.Add(encodePayload(&wire.MsgHeaders{Headers: hs}))
	f.Add(encodePayload(&wire.MsgHeaders{Headers: hs[2:]}))
	f.Add(encodePayload(&wire.MsgHeaders{}))
	f.Fuzz(func(t *testing.T, payload []byte) {
		var m wire.MsgHeaders
		r := codec.NewReader(payload)
		err := m.Decode(r)
		if err == nil {
			err = r.End("headers")
		}
		if err != nil {
			var ce *codec.Error
			if !errors.As(err, &ce) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		if len(m.Headers) > wire.MaxHeadersPerMessage {
			t.Fatalf("%d headers accepted", len(m.Headers))
		}
		if got := encodePayload(&m); !bytes.Equal(got, payload) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", got, payload)
		}
	})
}
