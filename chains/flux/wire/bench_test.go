package wire_test

import (
	"bytes"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// BenchmarkReadMessageHeaders160 reads a full headers message of 160 real
// 216-byte PoN headers: framing, checksum and decode.
func BenchmarkReadMessageHeaders160(b *testing.B) {
	h := ponHeader216(b)
	hs := make([]*wire.BlockHeader, wire.MaxHeadersPerMessage)
	for i := range hs {
		hs[i] = h
	}
	msg := wire.EncodeMessage(mainMagic, &wire.MsgHeaders{Headers: hs})
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	r := bytes.NewReader(msg)
	for b.Loop() {
		r.Reset(msg)
		m, err := wire.ReadMessage(r, mainMagic)
		if err != nil || len(m.(*wire.MsgHeaders).Headers) != wire.MaxHeadersPerMessage {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeBlockHeaderPoN decodes one real 216-byte PoN header.
func BenchmarkDecodeBlockHeaderPoN(b *testing.B) {
	raw := ponHeader216(b).Bytes()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := wire.DecodeBlockHeader(raw); err != nil {
			b.Fatal(err)
		}
	}
}
