package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
)

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[1,2,{"c":null}]}`, `{"n":1e5}`, `{}`, `[`, `{"a":"\u2028<>"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Canonical(json.RawMessage(b))
		if err != nil {
			return
		}
		again, err := Canonical(c)
		if err != nil || !bytes.Equal(again, c) {
			t.Fatalf("not idempotent: %s → %s (%v)", c, again, err)
		}
	})
}

func FuzzReader(f *testing.F) {
	f.Add([]byte(`{"seq":1,"time":"2026-11-23T12:00:00Z","kind":"x","content":{},"prev":"` + string(bytes.Repeat([]byte("0"), 64)) + `","hash":"00","signer":"","sig":""}` + "\n"))
	f.Add([]byte("\n\n{}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(bytes.NewReader(b))
		var v Verifier
		for range 100 {
			e, err := r.Next()
			if err == io.EOF || err != nil {
				return
			}
			_ = v.Next(e)
		}
	})
}

func FuzzEntryCheck(f *testing.F) {
	f.Add(uint64(1), "lock-seen", []byte(`{"a":1}`), []byte{1, 2}, []byte{3})
	f.Fuzz(func(t *testing.T, seq uint64, kind string, content, signer, sig []byte) {
		e := Entry{Seq: seq, Time: t0, Kind: kind, Content: content, Signer: signer, Sig: sig}
		e.Hash = HashEntry(seq, t0, kind, Hash{}, content)
		if e.Check() == nil {
			t.Fatal("an unsigned entry passes Check")
		}
	})
}

// FuzzIsCanonical holds the one-pass IsCanonical to its definition,
// Canonical(b) == b.
func FuzzIsCanonical(f *testing.F) {
	for _, s := range canonicalCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := IsCanonical(b), reencodes(b); got != want {
			t.Fatalf("IsCanonical(%q) = %v, Canonical says %v", b, got, want)
		}
	})
}
