// Package codec reads and writes the byte formats of the FLUX chain: little-endian
// integers, Bitcoin's CompactSize, and length-prefixed byte strings.
//
// Every decode is bounded: a count is read, compared with a named maximum and with
// the bytes that remain, and only then is anything allocated. Errors are *Error
// values that unwrap to one of the sentinel kinds below, so callers can test with
// errors.Is and still print which field failed at which offset.
package codec

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
)

// The kinds of decode failure. This list is append-only.
var (
	// ErrTruncated: the input ended inside a field.
	ErrTruncated = errors.New("truncated input")
	// ErrTooLarge: a count or length exceeds its named maximum, or the bytes left.
	ErrTooLarge = errors.New("count or length exceeds its maximum")
	// ErrNonCanonical: a CompactSize was not minimally encoded.
	ErrNonCanonical = errors.New("non-canonical CompactSize")
	// ErrInvalid: a field holds a value the format does not allow.
	ErrInvalid = errors.New("invalid value")
	// ErrTrailing: bytes remain after a complete value.
	ErrTrailing = errors.New("trailing bytes")
)

// Error is a decode failure at one field.
type Error struct {
	Field  string // what was being read, e.g. "tx.vin.count"
	Offset int    // byte offset of the field in the input
	Kind   error  // one of the sentinel kinds
	Detail string // extra context, may be empty
}

func (e *Error) Error() string {
	s := fmt.Sprintf("decode %s at offset %d: %v", e.Field, e.Offset, e.Kind)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the kind, so errors.Is(err, ErrTruncated) works.
func (e *Error) Unwrap() error { return e.Kind }

// Errorf builds an *Error of the given kind.
func Errorf(field string, offset int, kind error, format string, args ...any) *Error {
	return &Error{Field: field, Offset: offset, Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// MaxCompactSize is the largest CompactSize value any FLUX structure accepts
// (fluxd's MAX_SIZE, 32 MiB); tighter limits are passed per field.
const MaxCompactSize = 0x02000000

// Reader decodes from an in-memory byte slice. All FLUX messages are capped
// (2 MiB), so decoding works on whole buffers, never on streams.
type Reader struct {
	buf []byte
	off int
}

// NewReader returns a Reader over b. b is not copied; Bytes returns sub-slices of it.
func NewReader(b []byte) *Reader { return &Reader{buf: b} }

// Len returns the number of unread bytes.
func (r *Reader) Len() int { return len(r.buf) - r.off }

// Offset returns the number of bytes read so far.
func (r *Reader) Offset() int { return r.off }

// Consumed returns the bytes read between offset start and the current offset.
func (r *Reader) Consumed(start int) []byte { return r.buf[start:r.off] }

// Fail builds an *Error at the current offset.
func (r *Reader) Fail(field string, kind error, format string, args ...any) error {
	return Errorf(field, r.off, kind, format, args...)
}

// End fails with ErrTrailing unless every byte was read.
func (r *Reader) End(what string) error {
	if r.Len() != 0 {
		return r.Fail(what, ErrTrailing, "%d bytes left", r.Len())
	}
	return nil
}

// Bytes returns the next n bytes without copying.
func (r *Reader) Bytes(n int, field string) ([]byte, error) {
	if n < 0 || n > r.Len() {
		return nil, r.Fail(field, ErrTruncated, "need %d bytes, have %d", n, r.Len())
	}
	b := r.buf[r.off : r.off+n]
	r.off += n
	return b, nil
}

// Copy returns a copy of the next n bytes.
func (r *Reader) Copy(n int, field string) ([]byte, error) {
	b, err := r.Bytes(n, field)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

// Fixed fills dst from the next len(dst) bytes.
func (r *Reader) Fixed(dst []byte, field string) error {
	b, err := r.Bytes(len(dst), field)
	if err != nil {
		return err
	}
	copy(dst, b)
	return nil
}

// Uint8 reads one byte.
func (r *Reader) Uint8(field string) (uint8, error) {
	b, err := r.Bytes(1, field)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// Bool reads one byte that must be 0 or 1.
func (r *Reader) Bool(field string) (bool, error) {
	start := r.off
	v, err := r.Uint8(field)
	if err != nil {
		return false, err
	}
	if v > 1 {
		return false, Errorf(field, start, ErrInvalid, "bool byte is %#x", v)
	}
	return v == 1, nil
}

// Uint16BE reads a big-endian uint16 (network-order ports).
func (r *Reader) Uint16BE(field string) (uint16, error) {
	b, err := r.Bytes(2, field)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint16(b), nil
}

// Uint32 reads a little-endian uint32.
func (r *Reader) Uint32(field string) (uint32, error) {
	b, err := r.Bytes(4, field)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

// Int32 reads a little-endian int32.
func (r *Reader) Int32(field string) (int32, error) {
	v, err := r.Uint32(field)
	return int32(v), err
}

// Uint64 reads a little-endian uint64.
func (r *Reader) Uint64(field string) (uint64, error) {
	b, err := r.Bytes(8, field)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// Int64 reads a little-endian int64.
func (r *Reader) Int64(field string) (int64, error) {
	v, err := r.Uint64(field)
	return int64(v), err
}

// Hash reads a 32-byte hash in internal order.
func (r *Reader) Hash(field string) (chainhash.Hash, error) {
	var h chainhash.Hash
	err := r.Fixed(h[:], field)
	return h, err
}

// OutPoint reads a txid and a little-endian output index (36 bytes).
func (r *Reader) OutPoint(field string) (chainhash.OutPoint, error) {
	b, err := r.Bytes(36, field)
	if err != nil {
		return chainhash.OutPoint{}, err
	}
	var o chainhash.OutPoint
	copy(o.Hash[:], b[:32])
	o.Index = binary.LittleEndian.Uint32(b[32:])
	return o, nil
}

// CompactSize reads a minimally encoded CompactSize and checks it against max.
func (r *Reader) CompactSize(field string, max uint64) (uint64, error) {
	return r.compactSize(field, "", max)
}

// compactSize names failures field+suffix; the name is built only on failure,
// so decoding allocates nothing for it.
func (r *Reader) compactSize(field, suffix string, max uint64) (uint64, error) {
	start := r.off
	fail := func(kind error, format string, args ...any) error {
		r.off = start
		return Errorf(field+suffix, start, kind, format, args...)
	}
	if r.Len() < 1 {
		return 0, fail(ErrTruncated, "need 1 byte, have 0")
	}
	tag := r.buf[r.off]
	size := 1
	switch tag {
	case 0xfd:
		size = 3
	case 0xfe:
		size = 5
	case 0xff:
		size = 9
	}
	if r.Len() < size {
		return 0, fail(ErrTruncated, "need %d bytes, have %d", size, r.Len())
	}
	b := r.buf[r.off+1 : r.off+size]
	r.off += size
	var v, min uint64
	switch size {
	case 1:
		v = uint64(tag)
	case 3:
		v, min = uint64(binary.LittleEndian.Uint16(b)), 0xfd
	case 5:
		v, min = uint64(binary.LittleEndian.Uint32(b)), 0x10000
	default:
		v, min = binary.LittleEndian.Uint64(b), 0x100000000
	}
	if v < min {
		return 0, fail(ErrNonCanonical, "value %d encoded with tag %#x", v, tag)
	}
	if v > max {
		return 0, fail(ErrTooLarge, "%d > maximum %d", v, max)
	}
	return v, nil
}

// Count reads a CompactSize element count, checks it against max, and checks
// that the remaining input could hold that many elements of at least minSize
// bytes each. Only then may the caller allocate count elements.
func (r *Reader) Count(field string, max int, minSize int) (int, error) {
	return r.count(field, "", max, minSize)
}

func (r *Reader) count(field, suffix string, max int, minSize int) (int, error) {
	start := r.off
	n, err := r.compactSize(field, suffix, uint64(max))
	if err != nil {
		return 0, err
	}
	if minSize > 0 && n > uint64(r.Len()/minSize) {
		return 0, Errorf(field+suffix, start, ErrTooLarge, "%d elements of at least %d bytes cannot fit in %d bytes", n, minSize, r.Len())
	}
	return int(n), nil
}

// VarBytes reads a CompactSize length (at most max, reported as field.len) and
// returns a copy of that many bytes.
func (r *Reader) VarBytes(field string, max int) ([]byte, error) {
	n, err := r.count(field, ".len", max, 1)
	if err != nil {
		return nil, err
	}
	return r.Copy(n, field)
}

// VarString reads a CompactSize-prefixed string of at most max bytes.
func (r *Reader) VarString(field string, max int) (string, error) {
	b, err := r.VarBytes(field, max)
	return string(b), err
}

// Writer appends the FLUX encodings to a growing buffer. Writes cannot fail.
type Writer struct {
	buf []byte
}

// NewWriter returns a Writer with capacity for sizeHint bytes.
func NewWriter(sizeHint int) *Writer { return &Writer{buf: make([]byte, 0, sizeHint)} }

// Bytes returns the bytes written so far.
func (w *Writer) Bytes() []byte { return w.buf }

// Len returns the number of bytes written so far.
func (w *Writer) Len() int { return len(w.buf) }

// Write appends raw bytes.
func (w *Writer) Write(b []byte) { w.buf = append(w.buf, b...) }

// Uint8 appends one byte.
func (w *Writer) Uint8(v uint8) { w.buf = append(w.buf, v) }

// Bool appends 1 or 0.
func (w *Writer) Bool(v bool) {
	if v {
		w.Uint8(1)
	} else {
		w.Uint8(0)
	}
}

// Uint16BE appends a big-endian uint16.
func (w *Writer) Uint16BE(v uint16) { w.buf = binary.BigEndian.AppendUint16(w.buf, v) }

// Uint32 appends a little-endian uint32.
func (w *Writer) Uint32(v uint32) { w.buf = binary.LittleEndian.AppendUint32(w.buf, v) }

// Int32 appends a little-endian int32.
func (w *Writer) Int32(v int32) { w.Uint32(uint32(v)) }

// Uint64 appends a little-endian uint64.
func (w *Writer) Uint64(v uint64) { w.buf = binary.LittleEndian.AppendUint64(w.buf, v) }

// Int64 appends a little-endian int64.
func (w *Writer) Int64(v int64) { w.Uint64(uint64(v)) }

// Hash appends a hash in internal order.
func (w *Writer) Hash(h chainhash.Hash) { w.buf = append(w.buf, h[:]...) }

// OutPoint appends a txid and a little-endian index.
func (w *Writer) OutPoint(o chainhash.OutPoint) {
	w.Hash(o.Hash)
	w.Uint32(o.Index)
}

// CompactSize appends v minimally encoded.
func (w *Writer) CompactSize(v uint64) { w.buf = AppendCompactSize(w.buf, v) }

// VarBytes appends a CompactSize length and the bytes.
func (w *Writer) VarBytes(b []byte) {
	w.CompactSize(uint64(len(b)))
	w.Write(b)
}

// VarString appends a CompactSize length and the string.
func (w *Writer) VarString(s string) {
	w.CompactSize(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

// AppendCompactSize appends v to b minimally encoded.
func AppendCompactSize(b []byte, v uint64) []byte {
	switch {
	case v < 0xfd:
		return append(b, byte(v))
	case v <= 0xffff:
		return binary.LittleEndian.AppendUint16(append(b, 0xfd), uint16(v))
	case v <= 0xffffffff:
		return binary.LittleEndian.AppendUint32(append(b, 0xfe), uint32(v))
	default:
		return binary.LittleEndian.AppendUint64(append(b, 0xff), v)
	}
}

// CompactSizeLen returns the encoded length of v.
func CompactSizeLen(v uint64) int {
	switch {
	case v < 0xfd:
		return 1
	case v <= 0xffff:
		return 3
	case v <= 0xffffffff:
		return 5
	default:
		return 9
	}
}
