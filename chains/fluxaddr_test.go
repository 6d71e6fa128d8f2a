package chains_test

import (
	"bytes"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/address"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/fault"
)

// ParseFluxAddress reads what the light node's address package writes, on
// every network, for both kinds; and refuses a changed digit, a cut or a
// longer string, and non-base58 characters.
func TestParseFluxAddress(t *testing.T) {
	for _, p := range params.Networks {
		for i, kind := range []address.Kind{address.P2PKH, address.P2SH} {
			var h [20]byte
			for j := range h {
				h[j] = byte(j*7 + i + int(p.PubKeyHashPrefix[1]))
			}
			s := address.Address{Kind: kind, Hash: h}.Encode(p)
			got, err := chains.ParseFluxAddress(s)
			if err != nil {
				t.Fatalf("%s: %v", s, err)
			}
			prefix := p.PubKeyHashPrefix
			if kind == address.P2SH {
				prefix = p.ScriptHashPrefix
			}
			if !bytes.Equal(got, append(prefix[:], h[:]...)) {
				t.Errorf("%s decodes to %x", s, got)
			}
			last := s[len(s)-1]
			other := "2"
			if last == '2' {
				other = "3"
			}
			for _, bad := range []string{s[:len(s)-1] + other, s[:len(s)-1], s + "1", s[:5] + "0" + s[6:], ""} {
				if _, err := chains.ParseFluxAddress(bad); fault.KindOf(err) != fault.Invalid {
					t.Errorf("%q: %v, want Invalid", bad, err)
				}
			}
		}
	}
}

// FuzzParseFluxAddress: any string decodes or is refused without panicking,
// and what decodes is 22 bytes.
func FuzzParseFluxAddress(f *testing.F) {
	f.Add(address.Address{Kind: address.P2PKH}.Encode(params.MainNet))
	f.Add("1111")
	f.Fuzz(func(t *testing.T, s string) {
		if b, err := chains.ParseFluxAddress(s); err == nil && len(b) != chains.FluxAddrLen {
			t.Fatalf("%q decodes to %d bytes", s, len(b))
		}
	})
}
