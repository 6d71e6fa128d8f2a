package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Canonical returns the canonical JSON of v, which must encode as a JSON
// object: object keys sorted by their UTF-8 bytes, no insignificant
// whitespace, no HTML escaping, numbers exactly as encoding/json wrote them
// (a uint64 survives unchanged), duplicate keys resolved to the last. A
// json.RawMessage or []byte is taken as JSON text. Canonical is idempotent.
func Canonical(v any) (json.RawMessage, error) {
	var raw []byte
	switch x := v.(type) {
	case json.RawMessage:
		raw = x
	case []byte:
		raw = x
	default:
		var err error
		if raw, err = marshal(v); err != nil {
			return nil, errf(0, CodeMalformed, "content: %v", err)
		}
	}
	if len(raw) > MaxContent {
		return nil, errf(0, CodeTooLarge, "content of %d bytes, at most %d", len(raw), MaxContent)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var val any
	if err := dec.Decode(&val); err != nil {
		return nil, errf(0, CodeMalformed, "content: %v", err)
	}
	if _, ok := val.(map[string]any); !ok {
		return nil, errf(0, CodeMalformed, "content must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errf(0, CodeMalformed, "content: data after the object")
	}
	out, err := marshal(val)
	if err != nil {
		return nil, errf(0, CodeMalformed, "content: %v", err)
	}
	return out, nil
}

// IsCanonical reports whether b is canonical JSON (Canonical(b) == b). It
// checks b in one pass without decoding it: it accepts exactly the bytes that
// encoding/json writes for a decoded object (FuzzIsCanonical holds it to
// Canonical), and allocates nothing.
func IsCanonical(b []byte) bool {
	if len(b) > MaxContent || len(b) == 0 || b[0] != '{' {
		return false
	}
	s := canonicalScanner{b: b}
	return s.value() && s.i == len(b)
}

// maxDepth is encoding/json's nesting limit: Canonical fails on deeper
// content, so IsCanonical must too.
const maxDepth = 10000

// canonicalScanner checks canonical JSON: the JSON grammar without
// whitespace, object keys strictly increasing by their decoded bytes (sorted,
// no duplicates), strings escaped exactly as encoding/json escapes them
// without HTML escaping, and numbers of any valid form (Canonical keeps them
// as written).
type canonicalScanner struct {
	b     []byte
	i     int
	depth int
}

func (s *canonicalScanner) value() bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; c {
	case '{':
		return s.object()
	case '[':
		return s.array()
	case '"':
		_, ok := s.str()
		return ok
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		return (c == '-' || c >= '0' && c <= '9') && s.number()
	}
}

// open enters the object or array whose opening byte is at s.i. done is
// true when it is empty (closed at once); ok is false past the nesting limit.
func (s *canonicalScanner) open(close byte) (done, ok bool) {
	if s.depth++; s.depth > maxDepth {
		return false, false
	}
	s.i++ // '{' or '['
	if s.i < len(s.b) && s.b[s.i] == close {
		s.i++
		s.depth--
		return true, true
	}
	return false, true
}

// next steps past the byte after a member or element: a comma (more
// follow) or close (done); anything else is not canonical.
func (s *canonicalScanner) next(close byte) (done, ok bool) {
	if s.i >= len(s.b) {
		return false, false
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		return false, true
	case close:
		s.i++
		s.depth--
		return true, true
	}
	return false, false
}

func (s *canonicalScanner) object() bool {
	if done, ok := s.open('}'); done || !ok {
		return ok
	}
	var prev []byte
	prevEscaped := false
	for n := 0; ; n++ {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return false
		}
		start := s.i + 1
		escaped, ok := s.str()
		if !ok {
			return false
		}
		key := s.b[start : s.i-1]
		if n > 0 && compareKeys(prev, prevEscaped, key, escaped) >= 0 {
			return false
		}
		prev, prevEscaped = key, escaped
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		if !s.value() {
			return false
		}
		if done, ok := s.next('}'); done || !ok {
			return ok
		}
	}
}

func (s *canonicalScanner) array() bool {
	if done, ok := s.open(']'); done || !ok {
		return ok
	}
	for {
		if !s.value() {
			return false
		}
		if done, ok := s.next(']'); done || !ok {
			return ok
		}
	}
}

func (s *canonicalScanner) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return false
	}
	s.i += len(lit)
	return true
}

// number checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *canonicalScanner) number() bool {
	if s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.digits() == 0:
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}

func (s *canonicalScanner) digits() int {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

// str checks a string from its opening quote to past its closing one and
// reports whether it holds an escape. encoding/json writes a decoded string
// byte for byte except for '"' and '\\' (escaped with a backslash), bytes
// below 0x20 (\b, \f, \n, \r, \t, else \u00xx in lowercase hex), U+2028
// and U+2029 (\u2028, \u2029) and invalid UTF-8 (which decoding already
// turned into U+FFFD, written as is): any other escape or byte differs from
// the re-encoding.
func (s *canonicalScanner) str() (escaped, ok bool) {
	b := s.b
	i := s.i + 1
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			s.i = i + 1
			return escaped, true
		case c == '\\':
			escaped = true
			n := escapeLen(b[i+1:])
			if n == 0 {
				return false, false
			}
			i += 1 + n
		case c < 0x20:
			return false, false
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
				return false, false
			}
			i += size
		}
	}
	return false, false
}

// escapeLen returns the length of the canonical escape that b starts with
// (after the backslash), or 0 if there is none.
func escapeLen(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	switch b[0] {
	case '"', '\\', 'b', 'f', 'n', 'r', 't':
		return 1
	case 'u':
		if len(b) < 5 {
			return 0
		}
		switch string(b[1:5]) {
		case "2028", "2029":
			return 5
		}
		if b[1] != '0' || b[2] != '0' || b[3] != '0' && b[3] != '1' || lowerHex(b[4]) < 0 {
			return 0
		}
		switch c := byte(lowerHex(b[3]))<<4 | byte(lowerHex(b[4])); c {
		case '\b', '\f', '\n', '\r', '\t':
			return 0 // written as a short escape
		}
		return 5
	}
	return 0
}

// lowerHex is the value of a lowercase hex digit, or -1.
func lowerHex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c - 'a' + 10)
	}
	return -1
}

// compareKeys compares two canonical string bodies by their decoded bytes,
// the order encoding/json sorts map keys in.
func compareKeys(a []byte, aEscaped bool, b []byte, bEscaped bool) int {
	if !aEscaped && !bEscaped {
		return bytes.Compare(a, b)
	}
	ra, rb := keyReader{s: a}, keyReader{s: b}
	for {
		ca, okA := ra.next()
		cb, okB := rb.next()
		switch {
		case !okA && !okB:
			return 0
		case !okA:
			return -1
		case !okB:
			return 1
		case ca != cb:
			return int(ca) - int(cb)
		}
	}
}

// keyReader yields the decoded bytes of a canonical string body.
type keyReader struct {
	s    []byte
	i    int
	pend [2]byte // the rest of a decoded U+2028 or U+2029
	n    int
}

func (r *keyReader) next() (byte, bool) {
	if r.n > 0 {
		c := r.pend[0]
		r.pend[0] = r.pend[1]
		r.n--
		return c, true
	}
	if r.i >= len(r.s) {
		return 0, false
	}
	c := r.s[r.i]
	if c != '\\' {
		r.i++
		return c, true
	}
	e := r.s[r.i+1]
	r.i += 2
	switch e {
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case 'u':
		u := r.s[r.i : r.i+4]
		r.i += 4
		if u[0] == '2' { // U+2028 or U+2029 is E2 80 A8 or E2 80 A9 in UTF-8
			r.pend, r.n = [2]byte{0x80, 0xA8 + u[3] - '8'}, 2
			return 0xE2, true
		}
		return byte(lowerHex(u[2]))<<4 | byte(lowerHex(u[3])), true
	}
	return e, true // '"' or '\\'
}

// marshal is json.Marshal without HTML escaping and without the trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// MaxLine bounds one JSON Lines record.
const MaxLine = 16 << 20

// Writer writes entries as JSON Lines.
type Writer struct {
	w   *bufio.Writer
	err error
}

// NewWriter returns a Writer; call Flush at the end.
func NewWriter(w io.Writer) *Writer { return &Writer{w: bufio.NewWriter(w)} }

// Write writes one entry as one line.
func (w *Writer) Write(e Entry) error {
	if w.err != nil {
		return w.err
	}
	b, err := marshal(e)
	if err != nil {
		w.err = err
		return err
	}
	if _, err := w.w.Write(append(b, '\n')); err != nil {
		w.err = err
	}
	return w.err
}

// Flush writes buffered lines out.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	return w.w.Flush()
}

// Reader reads entries from JSON Lines. It checks the form of each line, not
// the entries: pass them to a Verifier.
type Reader struct {
	r    *bufio.Reader
	line int
}

// NewReader returns a Reader.
func NewReader(r io.Reader) *Reader { return &Reader{r: bufio.NewReaderSize(r, 64<<10)} }

// Next returns the next entry, or io.EOF after the last.
func (r *Reader) Next() (Entry, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			return Entry{}, err
		}
		r.line++
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e Entry
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return Entry{}, &Error{Line: r.line, Code: CodeMalformed, Err: err}
		}
		if dec.More() {
			return Entry{}, &Error{Line: r.line, Code: CodeMalformed, Err: errors.New("data after the entry")}
		}
		return e, nil
	}
}

// readLine reads one line of at most MaxLine bytes.
func (r *Reader) readLine() ([]byte, error) {
	var out []byte
	for {
		chunk, err := r.r.ReadSlice('\n')
		out = append(out, chunk...)
		if len(out) > MaxLine {
			return nil, &Error{Line: r.line + 1, Code: CodeTooLarge, Err: fmt.Errorf("line longer than %d bytes", MaxLine)}
		}
		switch {
		case err == nil:
			return out, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && len(out) > 0:
			return out, nil
		default:
			return nil, err
		}
	}
}
