package wire

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
)

// Framing constants (RunOnFlux/fluxd src/protocol.h CMessageHeader, src/net.h).
const (
	// MessageHeaderSize is the size of the frame header: magic(4), command(12),
	// payload length(4, LE) and checksum(4).
	MessageHeaderSize = 24
	// CommandSize is the size of the NUL-padded command field.
	CommandSize = 12
	// MaxMessagePayload is the largest payload any peer may declare
	// (MAX_PROTOCOL_MESSAGE_LENGTH, 2 MiB); fluxd disconnects a peer that declares more.
	MaxMessagePayload = 2 * 1024 * 1024
	// checksumSize is the size of the checksum field: the first bytes of SHA256d(payload).
	checksumSize = 4
)

// Commands of the messages this package decodes.
const (
	CmdVersion     = "version"
	CmdVerAck      = "verack"
	CmdPing        = "ping"
	CmdPong        = "pong"
	CmdSendHeaders = "sendheaders"
	CmdGetAddr     = "getaddr"
	CmdAddr        = "addr"
	CmdGetHeaders  = "getheaders"
	CmdHeaders     = "headers"
	CmdInv         = "inv"
	CmdGetData     = "getdata"
	CmdNotFound    = "notfound"
	CmdBlock       = "block"
	CmdTx          = "tx"
	CmdReject      = "reject"
)

// Message is one P2P message. Decode and Encode handle the payload only;
// ReadMessage, WriteMessage and EncodeMessage add the 24-byte frame.
type Message interface {
	// Command returns the command name put in the frame header.
	Command() string
	// Decode reads the payload from r. It reads every field the message has,
	// including optional trailing fields when present; the caller checks that
	// nothing is left afterwards.
	Decode(r *codec.Reader) error
	// Encode appends the payload to w.
	Encode(w *codec.Writer)
	// MaxPayload returns the largest payload this message can have; it is
	// at most MaxMessagePayload. A frame that declares more is refused before
	// its payload is read.
	MaxPayload() int
}

// The kinds of framing failure. This list is append-only.
var (
	// ErrBadMagic: the frame does not start with the network's magic bytes.
	// fluxd disconnects the peer; so should the caller.
	ErrBadMagic = errors.New("wire: bad network magic")
	// ErrBadCommand: the command field is not printable ASCII, NUL-padded.
	ErrBadCommand = errors.New("wire: malformed command")
	// ErrPayloadTooLarge: the declared payload length exceeds MaxMessagePayload
	// or the command's own maximum.
	ErrPayloadTooLarge = errors.New("wire: payload too large")
	// ErrBadChecksum: the checksum does not match SHA256d of the payload.
	ErrBadChecksum = errors.New("wire: checksum mismatch")
	// ErrMalformedPayload: the payload does not decode as its command's
	// message; the *MessageError also wraps the *codec.Error.
	ErrMalformedPayload = errors.New("wire: malformed payload")
)

// MessageError is a framing or payload failure of one message.
// errors.Is matches its Kind (one of the sentinels above) and, for
// ErrMalformedPayload, the codec kind of Err (codec.ErrTooLarge, ...);
// errors.As finds the *codec.Error.
type MessageError struct {
	Command string // the command from the frame, sanitized; empty if unreadable
	Kind    error  // one of ErrBadMagic, ErrBadCommand, ErrPayloadTooLarge, ErrBadChecksum, ErrMalformedPayload
	Err     error  // the underlying decode error, or nil
	Detail  string // extra context, may be empty
}

func (e *MessageError) Error() string {
	s := fmt.Sprintf("message %q: %v", e.Command, e.Kind)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the kind and the underlying error, so errors.Is and errors.As see both.
func (e *MessageError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// MakeEmptyMessage returns a new zero message for a known command, ready to
// Decode into, and false for a command this package does not know.
func MakeEmptyMessage(command string) (Message, bool) {
	switch command {
	case CmdVersion:
		return new(MsgVersion), true
	case CmdVerAck:
		return new(MsgVerAck), true
	case CmdPing:
		return new(MsgPing), true
	case CmdPong:
		return new(MsgPong), true
	case CmdSendHeaders:
		return new(MsgSendHeaders), true
	case CmdGetAddr:
		return new(MsgGetAddr), true
	case CmdAddr:
		return new(MsgAddr), true
	case CmdGetHeaders:
		return new(MsgGetHeaders), true
	case CmdHeaders:
		return new(MsgHeaders), true
	case CmdInv:
		return new(MsgInv), true
	case CmdGetData:
		return new(MsgGetData), true
	case CmdNotFound:
		return new(MsgNotFound), true
	case CmdBlock:
		return new(MsgBlock), true
	case CmdTx:
		return new(MsgTx), true
	case CmdReject:
		return new(MsgReject), true
	}
	return nil, false
}

// MsgUnknown is a message whose command this package does not decode
// (fluxd also sends sendcmpct, cmpctblock, cmpheaders, alert, merkleblock, ...).
// ReadMessage returns it without error, after checking its checksum; the
// caller normally ignores it.
type MsgUnknown struct {
	Cmd     string
	Payload []byte
}

// Command returns Cmd.
func (m *MsgUnknown) Command() string { return m.Cmd }

// Decode copies the whole remaining payload.
func (m *MsgUnknown) Decode(r *codec.Reader) error {
	var err error
	m.Payload, err = r.Copy(r.Len(), "unknown.payload")
	return err
}

// Encode appends Payload unchanged.
func (m *MsgUnknown) Encode(w *codec.Writer) { w.Write(m.Payload) }

// MaxPayload is MaxMessagePayload: the content of an unknown message is not bounded further.
func (m *MsgUnknown) MaxPayload() int { return MaxMessagePayload }

// checksum returns the first four bytes of SHA256d(payload).
func checksum(payload []byte) [checksumSize]byte {
	first := sha256.Sum256(payload)
	second := sha256.Sum256(first[:])
	var c [checksumSize]byte
	copy(c[:], second[:checksumSize])
	return c
}

// parseCommand checks the command field as fluxd's CMessageHeader::IsValid
// does: printable ASCII (0x20..0x7e) up to the first NUL, only NULs after it.
// It returns the command and whether the field is valid.
func parseCommand(field []byte) (string, bool) {
	n := bytes.IndexByte(field, 0)
	if n < 0 {
		n = len(field)
	}
	for _, c := range field[n:] {
		if c != 0 {
			return sanitize(field), false
		}
	}
	for _, c := range field[:n] {
		if c < 0x20 || c > 0x7e {
			return sanitize(field), false
		}
	}
	return string(field[:n]), true
}

// sanitize keeps the printable ASCII of a bad command, for error messages.
func sanitize(field []byte) string {
	out := make([]byte, 0, len(field))
	for _, c := range field {
		if c >= 0x20 && c <= 0x7e {
			out = append(out, c)
		}
	}
	return string(out)
}

// validCommand reports whether cmd can be put in a frame header.
func validCommand(cmd string) bool {
	if len(cmd) > CommandSize {
		return false
	}
	for i := 0; i < len(cmd); i++ {
		if cmd[i] < 0x20 || cmd[i] > 0x7e {
			return false
		}
	}
	return true
}

// EncodeMessage returns the framed message: header and payload. It does not
// check the payload against MaxPayload or the command's validity; WriteMessage does.
// A command longer than CommandSize is truncated, as fluxd's strncpy would.
func EncodeMessage(magic [4]byte, m Message) []byte {
	w := codec.NewWriter(MessageHeaderSize + 64)
	w.Write(make([]byte, MessageHeaderSize))
	m.Encode(w)
	b := w.Bytes()
	payload := b[MessageHeaderSize:]
	copy(b[0:4], magic[:])
	copy(b[4:4+CommandSize], m.Command())
	binary.LittleEndian.PutUint32(b[16:20], uint32(len(payload)))
	c := checksum(payload)
	copy(b[20:24], c[:])
	return b
}

// WriteMessage frames m and writes it to w in one Write call. It refuses,
// without writing anything, a command that is not printable ASCII of at most
// CommandSize bytes and a payload larger than m.MaxPayload() (ErrBadCommand,
// ErrPayloadTooLarge). Per-field limits (e.g. at most MaxHeadersPerMessage
// headers) are the caller's to respect. It returns the number of bytes written.
func WriteMessage(w io.Writer, magic [4]byte, m Message) (int, error) {
	cmd := m.Command()
	if !validCommand(cmd) {
		return 0, &MessageError{Command: sanitize([]byte(cmd)), Kind: ErrBadCommand}
	}
	b := EncodeMessage(magic, m)
	if n := len(b) - MessageHeaderSize; n > m.MaxPayload() || n > MaxMessagePayload {
		return 0, &MessageError{Command: cmd, Kind: ErrPayloadTooLarge,
			Detail: fmt.Sprintf("payload %d bytes, maximum %d", n, min(m.MaxPayload(), MaxMessagePayload))}
	}
	return w.Write(b)
}

// ReadMessage reads one framed message from r and decodes it.
//
// Errors, in the order they are checked:
//   - I/O errors from r pass through unchanged: io.EOF when r ends before the
//     first byte of a frame, io.ErrUnexpectedEOF when it ends inside one.
//   - ErrBadMagic: nothing after the 24-byte header is read; the stream is out
//     of sync and the caller should disconnect, as fluxd does.
//   - ErrPayloadTooLarge: the declared length exceeds MaxMessagePayload or the
//     command's MaxPayload; this is found from the header alone, before the
//     payload is read or allocated. The stream is out of sync: disconnect.
//   - ErrBadCommand: the command is not printable, NUL-padded ASCII. The
//     payload has been read and discarded, so the stream stays in sync and the
//     caller may continue (fluxd skips such a message).
//   - ErrBadChecksum: the payload has been consumed, so the stream stays in
//     sync and the caller may continue with the next message (fluxd skips it).
//   - ErrMalformedPayload: the payload does not decode, or bytes are left over;
//     the error wraps the *codec.Error and names the command. The stream is in sync.
//
// A command this package does not know is returned as *MsgUnknown with a nil error.
func ReadMessage(r io.Reader, magic [4]byte) (Message, error) {
	var hdr [MessageHeaderSize]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	if !bytes.Equal(hdr[0:4], magic[:]) {
		return nil, &MessageError{Kind: ErrBadMagic, Detail: fmt.Sprintf("got %x, want %x", hdr[0:4], magic[:])}
	}
	cmd, cmdOK := parseCommand(hdr[4 : 4+CommandSize])
	length := binary.LittleEndian.Uint32(hdr[16:20])
	var sum [checksumSize]byte
	copy(sum[:], hdr[20:24])

	var m Message
	limit := MaxMessagePayload
	if cmdOK {
		var known bool
		if m, known = MakeEmptyMessage(cmd); !known {
			m = &MsgUnknown{Cmd: cmd}
		}
		limit = min(m.MaxPayload(), MaxMessagePayload)
	}
	if uint64(length) > uint64(limit) {
		return nil, &MessageError{Command: cmd, Kind: ErrPayloadTooLarge,
			Detail: fmt.Sprintf("declared %d bytes, maximum %d", length, limit)}
	}
	if !cmdOK {
		if _, err := io.CopyN(io.Discard, r, int64(length)); err != nil {
			return nil, unexpectedEOF(err)
		}
		return nil, &MessageError{Command: cmd, Kind: ErrBadCommand, Detail: fmt.Sprintf("command field %x", hdr[4:4+CommandSize])}
	}

	payload := make([]byte, length)
	if _, err := io.ReadFull(r, payload); err != nil {
		return nil, unexpectedEOF(err)
	}
	if checksum(payload) != sum {
		return nil, &MessageError{Command: cmd, Kind: ErrBadChecksum,
			Detail: fmt.Sprintf("header says %x", sum[:])}
	}
	if err := decodePayload(m, payload); err != nil {
		return nil, err
	}
	return m, nil
}

// decodePayload decodes payload into m and checks that all of it was used.
func decodePayload(m Message, payload []byte) error {
	r := codec.NewReader(payload)
	err := m.Decode(r)
	if err == nil {
		err = r.End(m.Command())
	}
	if err != nil {
		return &MessageError{Command: m.Command(), Kind: ErrMalformedPayload, Err: err}
	}
	return nil
}

// unexpectedEOF turns io.EOF inside a frame into io.ErrUnexpectedEOF: the
// header has been read, so the stream ended in the middle of a message.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
