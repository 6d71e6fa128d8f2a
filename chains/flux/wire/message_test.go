package wire_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// Golden frames on mainnet magic 24e92764, computed independently with Python
// hashlib (SHA256d of the empty payload starts 5df6e0e2).
func TestFramingGolden(t *testing.T) {
	tests := []struct {
		name string
		msg  wire.Message
		hex  string
	}{
		{"verack", &wire.MsgVerAck{}, "24e9276476657261636b000000000000000000005df6e0e2"},
		{"ping", &wire.MsgPing{Nonce: 0x0123456789abcdef}, "24e9276470696e6700000000000000000800000033bc15e5efcdab8967452301"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wire.EncodeMessage(mainMagic, tc.msg)
			if hex.EncodeToString(got) != tc.hex {
				t.Fatalf("EncodeMessage = %x\nwant          %s", got, tc.hex)
			}
			var buf bytes.Buffer
			n, err := wire.WriteMessage(&buf, mainMagic, tc.msg)
			if err != nil || n != len(got) || !bytes.Equal(buf.Bytes(), got) {
				t.Fatalf("WriteMessage = %d, %v, %x", n, err, buf.Bytes())
			}
			back := readOne(t, vectors.Hex(t, tc.hex))
			if back.Command() != tc.name {
				t.Fatalf("read back command %q", back.Command())
			}
		})
	}
}

// strictReader serves data but records a failure if more than limit bytes are requested.
type strictReader struct {
	data    []byte
	limit   int
	off     int
	overrun bool
}

func (s *strictReader) Read(p []byte) (int, error) {
	if s.off+len(p) > s.limit {
		if s.off >= s.limit {
			s.overrun = true
			return 0, errors.New("strictReader: read beyond limit")
		}
		p = p[:s.limit-s.off]
	}
	n := copy(p, s.data[s.off:])
	s.off += n
	return n, nil
}

// A declared length over 2 MiB, or over the command's own cap, is refused from
// the 24-byte header alone: no payload byte is read.
func TestReadMessagePayloadTooLargeBeforeReading(t *testing.T) {
	tests := []struct {
		cmd    string
		length uint32
	}{
		{"unknowncmd", wire.MaxMessagePayload + 1},
		{"block", wire.MaxMessagePayload + 1},
		{"headers", wire.MaxMessagePayload + 1},
		{"block", wire.MaxBlockSize + 1},
		{"headers", uint32((&wire.MsgHeaders{}).MaxPayload() + 1)},
		{"verack", 1},
		{"ping", 9},
		{"version", uint32((&wire.MsgVersion{}).MaxPayload() + 1)},
		{"inv", uint32((&wire.MsgInv{}).MaxPayload() + 1)},
		{"bad\x01cmd", wire.MaxMessagePayload + 1},
		{"ping", 0xffffffff},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q/%d", tc.cmd, tc.length), func(t *testing.T) {
			hdr := frame(tc.cmd, nil)
			binary.LittleEndian.PutUint32(hdr[16:20], tc.length)
			// Enough bytes follow that a reader that tried would succeed.
			data := append(hdr, make([]byte, 64)...)
			r := &strictReader{data: data, limit: wire.MessageHeaderSize}
			_, err := wire.ReadMessage(r, mainMagic)
			if !errors.Is(err, wire.ErrPayloadTooLarge) {
				t.Fatalf("got %v, want ErrPayloadTooLarge", err)
			}
			if r.overrun || r.off != wire.MessageHeaderSize {
				t.Fatalf("read %d bytes (overrun %v); want exactly the 24-byte header", r.off, r.overrun)
			}
		})
	}
}

// Exactly MaxPayload is allowed: the check is "greater than".
func TestReadMessagePayloadAtCapAccepted(t *testing.T) {
	b := frame("unknowncmd", make([]byte, wire.MaxMessagePayload))
	m := readOne(t, b)
	if u, ok := m.(*wire.MsgUnknown); !ok || len(u.Payload) != wire.MaxMessagePayload {
		t.Fatalf("got %T", m)
	}
}

// A wrong magic stops at the header; the caller must disconnect.
func TestReadMessageBadMagic(t *testing.T) {
	b := wire.EncodeMessage(mainMagic, &wire.MsgPing{Nonce: 7})
	for i := 0; i < 4; i++ {
		bad := append([]byte{}, b...)
		bad[i] ^= 0x01
		r := &strictReader{data: bad, limit: wire.MessageHeaderSize}
		_, err := wire.ReadMessage(r, mainMagic)
		var me *wire.MessageError
		if !errors.Is(err, wire.ErrBadMagic) || !errors.As(err, &me) || r.overrun {
			t.Fatalf("magic byte %d flipped: got %v (overrun %v), want ErrBadMagic", i, err, r.overrun)
		}
	}
}

// Malformed command fields are refused as fluxd's CMessageHeader::IsValid
// refuses them; the payload is consumed, so the next message still reads.
func TestReadMessageBadCommand(t *testing.T) {
	tests := []struct {
		name  string
		field string
	}{
		{"control character", "pi\x01g"},
		{"DEL byte", "ping\x7f"},
		{"high byte", "ping\x80"},
		{"byte after the first NUL", "ping\x00x"},
		{"byte at the very end after NULs", "ping\x00\x00\x00\x00\x00\x00\x00z"},
		{"leading NUL then text", "\x00ping"},
	}
	next := wire.EncodeMessage(mainMagic, &wire.MsgPong{Nonce: 42})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := frame("x", []byte("some payload"))
			copy(b[4:16], make([]byte, 12))
			copy(b[4:16], tc.field)
			stream := bytes.NewReader(append(b, next...))
			_, err := wire.ReadMessage(stream, mainMagic)
			if !errors.Is(err, wire.ErrBadCommand) {
				t.Fatalf("got %v, want ErrBadCommand", err)
			}
			m, err := wire.ReadMessage(stream, mainMagic)
			if err != nil || m.(*wire.MsgPong).Nonce != 42 {
				t.Fatalf("next message after a bad command: %v %v", m, err)
			}
		})
	}
}

// A command using all 12 bytes with no NUL is valid.
func TestReadMessageTwelveCharCommand(t *testing.T) {
	m := readOne(t, frame("abcdefghijkl", []byte{1}))
	if m.Command() != "abcdefghijkl" {
		t.Fatalf("command %q", m.Command())
	}
}

// Flipping any bit of the checksum gives ErrBadChecksum, names the command,
// and leaves the stream in sync for the next message.
func TestReadMessageChecksumEveryBitFlip(t *testing.T) {
	b := wire.EncodeMessage(mainMagic, &wire.MsgPing{Nonce: 0xdeadbeef})
	next := wire.EncodeMessage(mainMagic, &wire.MsgVerAck{})
	for bit := 0; bit < 32; bit++ {
		bad := append([]byte{}, b...)
		bad[20+bit/8] ^= 1 << (bit % 8)
		stream := bytes.NewReader(append(bad, next...))
		_, err := wire.ReadMessage(stream, mainMagic)
		var me *wire.MessageError
		if !errors.Is(err, wire.ErrBadChecksum) || !errors.As(err, &me) || me.Command != "ping" {
			t.Fatalf("bit %d: got %v, want ErrBadChecksum for ping", bit, err)
		}
		if m, err := wire.ReadMessage(stream, mainMagic); err != nil || m.Command() != "verack" {
			t.Fatalf("bit %d: next message: %v, %v", bit, m, err)
		}
	}
}

// A flipped payload bit is caught by the checksum too.
func TestReadMessagePayloadBitFlipCaughtByChecksum(t *testing.T) {
	b := wire.EncodeMessage(mainMagic, &wire.MsgPing{Nonce: 1})
	for i := wire.MessageHeaderSize; i < len(b); i++ {
		bad := append([]byte{}, b...)
		bad[i] ^= 0x80
		if _, err := wire.ReadMessage(bytes.NewReader(bad), mainMagic); !errors.Is(err, wire.ErrBadChecksum) {
			t.Fatalf("byte %d: got %v, want ErrBadChecksum", i, err)
		}
	}
}

// I/O errors pass through unchanged: io.EOF before a frame, io.ErrUnexpectedEOF
// inside one, and the reader's own error otherwise.
func TestReadMessageIOErrorsPassThrough(t *testing.T) {
	if _, err := wire.ReadMessage(bytes.NewReader(nil), mainMagic); err != io.EOF {
		t.Fatalf("empty stream: got %v, want io.EOF", err)
	}
	b := wire.EncodeMessage(mainMagic, &wire.MsgPing{Nonce: 1})
	if _, err := wire.ReadMessage(bytes.NewReader(b[:10]), mainMagic); err != io.ErrUnexpectedEOF {
		t.Fatalf("cut header: got %v, want io.ErrUnexpectedEOF", err)
	}
	if _, err := wire.ReadMessage(bytes.NewReader(b[:wire.MessageHeaderSize]), mainMagic); err != io.ErrUnexpectedEOF {
		t.Fatalf("missing payload: got %v, want io.ErrUnexpectedEOF", err)
	}
	boom := errors.New("connection reset")
	r := io.MultiReader(bytes.NewReader(b[:wire.MessageHeaderSize+2]), &errReader{boom})
	if _, err := wire.ReadMessage(r, mainMagic); err != boom {
		t.Fatalf("reader error: got %v, want it unchanged", err)
	}
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }

// Unknown commands come back as *MsgUnknown, without error, payload intact.
func TestReadMessageUnknownCommand(t *testing.T) {
	for _, cmd := range []string{"sendcmpct", "cmpctblock", "alert", "merkleblock", "cmpheaders", "filterload"} {
		payload := []byte("payload of " + cmd)
		m := readOne(t, frame(cmd, payload))
		u, ok := m.(*wire.MsgUnknown)
		if !ok || u.Cmd != cmd || !bytes.Equal(u.Payload, payload) {
			t.Fatalf("%s: got %#v", cmd, m)
		}
	}
}

// Bytes left after a complete payload are an error naming the command, except
// where the protocol has optional trailing fields (tested with their messages).
func TestReadMessageTrailingBytesRejected(t *testing.T) {
	for _, m := range []wire.Message{
		&wire.MsgVerAck{}, &wire.MsgPing{Nonce: 1}, &wire.MsgPong{},
		&wire.MsgGetHeaders{Version: 170020},
		&wire.MsgHeaders{Headers: []*wire.BlockHeader{ponHeader216(t)}},
		&wire.MsgInv{}, &wire.MsgVersion{UserAgent: "x", Relay: true},
		&wire.MsgReject{Message: "tx", Code: wire.RejectDust, Reason: "dust"},
		&wire.MsgReject{Message: "version", Code: wire.RejectObsolete},
		&wire.MsgAddr{},
	} {
		payload := append(encodePayload(m), 0)
		_, err := wire.ReadMessage(bytes.NewReader(frame(m.Command(), payload)), mainMagic)
		var me *wire.MessageError
		var ce *codec.Error
		if len(payload) > m.MaxPayload() {
			// verack, ping, pong: the extra byte is already over the cap.
			if !errors.Is(err, wire.ErrPayloadTooLarge) || !errors.As(err, &me) || me.Command != m.Command() {
				t.Fatalf("%s with a trailing byte: got %v, want ErrPayloadTooLarge", m.Command(), err)
			}
			continue
		}
		if !errors.Is(err, wire.ErrMalformedPayload) || !errors.Is(err, codec.ErrTrailing) ||
			!errors.As(err, &me) || me.Command != m.Command() || !errors.As(err, &ce) {
			t.Fatalf("%s with a trailing byte: got %v", m.Command(), err)
		}
	}
}

// WriteMessage refuses what a peer would refuse, and writes nothing.
func TestWriteMessageRefusals(t *testing.T) {
	tests := []struct {
		name string
		msg  wire.Message
		want error
	}{
		{"command longer than 12", &wire.MsgUnknown{Cmd: "thirteenchars"}, wire.ErrBadCommand},
		{"command with a control byte", &wire.MsgUnknown{Cmd: "a\nb"}, wire.ErrBadCommand},
		{"payload over 2 MiB", &wire.MsgUnknown{Cmd: "big", Payload: make([]byte, wire.MaxMessagePayload+1)}, wire.ErrPayloadTooLarge},
		{"user agent over the version cap", &wire.MsgVersion{UserAgent: strings.Repeat("a", 300)}, wire.ErrPayloadTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			n, err := wire.WriteMessage(&buf, mainMagic, tc.msg)
			if !errors.Is(err, tc.want) || n != 0 || buf.Len() != 0 {
				t.Fatalf("got %d, %v (wrote %d); want %v and nothing written", n, err, buf.Len(), tc.want)
			}
		})
	}
}

// Every command MakeEmptyMessage knows returns a message of that command whose
// cap is within the frame cap; others are unknown.
func TestMakeEmptyMessage(t *testing.T) {
	known := []string{"version", "verack", "ping", "pong", "sendheaders", "getaddr", "addr",
		"getheaders", "headers", "inv", "getdata", "notfound", "block", "tx", "reject"}
	for _, cmd := range known {
		m, ok := wire.MakeEmptyMessage(cmd)
		if !ok || m.Command() != cmd {
			t.Fatalf("%s: got %v, %v", cmd, m, ok)
		}
		if m.MaxPayload() < 0 || m.MaxPayload() > wire.MaxMessagePayload {
			t.Fatalf("%s: MaxPayload %d outside [0, 2 MiB]", cmd, m.MaxPayload())
		}
	}
	for _, cmd := range []string{"", "Version", "sendcmpct", "getblocks", "mempool"} {
		if _, ok := wire.MakeEmptyMessage(cmd); ok {
			t.Fatalf("%q should be unknown", cmd)
		}
	}
}

// The per-message caps are the documented formulas.
func TestMaxPayloadValues(t *testing.T) {
	tests := []struct {
		msg  wire.Message
		want int
	}{
		{&wire.MsgVersion{}, 4 + 8 + 8 + 26 + 26 + 8 + 3 + 256 + 4 + 1},
		{&wire.MsgHeaders{}, 1 + 160*(1487+1)},
		{&wire.MsgInv{}, 3 + 50000*36},
		{&wire.MsgAddr{}, 3 + 1000*30},
		{&wire.MsgGetHeaders{}, 4 + 1 + 101*32 + 32},
		{&wire.MsgReject{}, 13 + 1 + 112 + 32},
		{&wire.MsgBlock{}, 2000000},
		{&wire.MsgTx{}, 2000000},
	}
	for _, tc := range tests {
		if got := tc.msg.MaxPayload(); got != tc.want {
			t.Errorf("%s: MaxPayload %d, want %d", tc.msg.Command(), got, tc.want)
		}
	}
}
