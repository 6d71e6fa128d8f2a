package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// IsCanonical reports whether b is canonical JSON (Canonical(b) == b).
func IsCanonical(b []byte) bool {
	c, err := Canonical(json.RawMessage(b))
	return err == nil && bytes.Equal(c, b)
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
