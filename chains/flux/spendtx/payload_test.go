package spendtx

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
)

func TestPayloadRoundTrip(t *testing.T) {
	s := newSet(t, 2, 3)
	u, err := Build(request(s, []reserve.UTXO{s.utxo(1, 5e8, 10), s.utxo(2, 1e8, 11)}, payTo(1, 5e8), payTo(2, 1000)))
	if err != nil {
		t.Fatal(err)
	}
	p := u.Payload()
	back, err := ParsePayload(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Payload(), p) || back.Fee != u.Fee || len(back.SigHashes) != 2 || back.SigHashes[1] != u.SigHashes[1] {
		t.Fatalf("payload does not round-trip")
	}
	// Signatures over the parsed payload's hashes assemble.
	if _, err := back.Assemble(s.sign(back, 1, 2)); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"empty":    nil,
		"version":  append([]byte{2}, p[1:]...),
		"trailing": append(bytes.Clone(p), 0),
		"short":    p[:len(p)-1],
	} {
		if _, err := ParsePayload(b); !errors.Is(err, ErrRequest) {
			t.Errorf("%s: %v, want ErrRequest", name, err)
		}
	}
}

// FuzzParsePayload: any bytes parse without panicking, and a payload that
// parses encodes back to the same bytes (one reading per byte string).
func FuzzParsePayload(f *testing.F) {
	s := newSet(f, 2, 3)
	u, err := Build(request(s, []reserve.UTXO{s.utxo(1, 5e8, 10)}, payTo(1, 1e8)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(u.Payload())
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := ParsePayload(b)
		if err != nil {
			return
		}
		if !bytes.Equal(u.Payload(), b) {
			t.Fatalf("%x re-encodes as %x", b, u.Payload())
		}
	})
}
