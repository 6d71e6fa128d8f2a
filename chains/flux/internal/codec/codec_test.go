package codec

import (
	"bytes"
	"errors"
	"testing"
)

func TestCompactSizeRoundTripAtEveryBoundary(t *testing.T) {
	for _, v := range []uint64{0, 1, 0xfc, 0xfd, 0xfe, 0xff, 0xffff, 0x10000, 0xffffffff, 0x100000000, 1<<64 - 1} {
		b := AppendCompactSize(nil, v)
		if len(b) != CompactSizeLen(v) {
			t.Errorf("%d: encoded %d bytes, CompactSizeLen says %d", v, len(b), CompactSizeLen(v))
		}
		r := NewReader(b)
		got, err := r.CompactSize("v", 1<<64-1)
		if err != nil || got != v || r.Len() != 0 {
			t.Errorf("%d: got %d, %v, %d left", v, got, err, r.Len())
		}
	}
}

func TestCompactSizeRejectsNonCanonicalEncodings(t *testing.T) {
	for _, b := range [][]byte{
		{0xfd, 0xfc, 0x00},
		{0xfe, 0xff, 0xff, 0x00, 0x00},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0},
	} {
		_, err := NewReader(b).CompactSize("v", 1<<64-1)
		if !errors.Is(err, ErrNonCanonical) {
			t.Errorf("% x: got %v, want ErrNonCanonical", b, err)
		}
	}
}

func TestCountIsCheckedBeforeAllocation(t *testing.T) {
	// A count within the named maximum but larger than the bytes left could justify.
	_, err := NewReader([]byte{0xfd, 0x10, 0x27, 1, 2, 3}).Count("n", 50000, 36)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	// A count above the named maximum.
	_, err = NewReader([]byte{0x0b}).Count("n", 10, 0)
	var e *Error
	if !errors.As(err, &e) || e.Field != "n" || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want *Error for field n with ErrTooLarge", err)
	}
}

func TestEveryReadFailsCleanlyOnTruncation(t *testing.T) {
	full := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36}
	reads := map[string]func(r *Reader) error{
		"uint32":   func(r *Reader) error { _, err := r.Uint32("f"); return err },
		"uint64":   func(r *Reader) error { _, err := r.Uint64("f"); return err },
		"hash":     func(r *Reader) error { _, err := r.Hash("f"); return err },
		"outpoint": func(r *Reader) error { _, err := r.OutPoint("f"); return err },
	}
	for name, read := range reads {
		for n := 0; n < len(full); n++ {
			r := NewReader(full[:n])
			err := read(r)
			if err == nil {
				continue // long enough for this read
			}
			if !errors.Is(err, ErrTruncated) {
				t.Errorf("%s with %d bytes: got %v, want ErrTruncated", name, n, err)
			}
		}
	}
}

func TestVarBytesAndBool(t *testing.T) {
	w := NewWriter(0)
	w.VarBytes([]byte("abc"))
	w.Bool(true)
	w.Uint16BE(16125)
	r := NewReader(w.Bytes())
	b, err := r.VarBytes("b", 3)
	if err != nil || !bytes.Equal(b, []byte("abc")) {
		t.Fatalf("VarBytes: %q %v", b, err)
	}
	if v, err := r.Bool("t"); err != nil || !v {
		t.Fatalf("Bool: %v %v", v, err)
	}
	if p, err := r.Uint16BE("port"); err != nil || p != 16125 {
		t.Fatalf("Uint16BE: %v %v", p, err)
	}
	if err := r.End("x"); err != nil {
		t.Fatal(err)
	}
	if _, err := NewReader([]byte{2}).Bool("b"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bool byte 2: got %v, want ErrInvalid", err)
	}
	if _, err := NewReader([]byte{4, 'a', 'b', 'c', 'd'}).VarBytes("b", 3); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("4 bytes with max 3: got %v", err)
	}
	if err := NewReader([]byte{1}).End("x"); !errors.Is(err, ErrTrailing) {
		t.Fatalf("End with a byte left: got %v", err)
	}
}

// Any byte string either decodes to a CompactSize that re-encodes to exactly the
// bytes consumed, or fails with a typed error.
func FuzzCompactSize(f *testing.F) {
	for _, s := range [][]byte{{0}, {0xfc}, {0xfd, 0xfd, 0}, {0xfe, 0, 0, 1, 0}, {0xff, 0, 0, 0, 0, 1, 0, 0, 0}, {0xfd, 1}} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(b)
		v, err := r.CompactSize("v", 1<<64-1)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if got := AppendCompactSize(nil, v); !bytes.Equal(got, r.Consumed(0)) {
			t.Fatalf("% x decoded to %d which encodes as % x", r.Consumed(0), v, got)
		}
	})
}
