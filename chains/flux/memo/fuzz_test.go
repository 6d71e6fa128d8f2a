package memo

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParse checks that every accepted memo re-encodes to exactly its input,
// that rejections are typed, and that FromScript agrees with Parse on the
// canonical OP_RETURN script.
func FuzzParse(f *testing.F) {
	f.Add(Lock{ChainID: 1, Recipient: EVMRecipient(evmAddr)}.Bytes())
	f.Add(Lock{ChainID: 0xF0000001, Recipient: [32]byte{0: 1}}.Bytes())
	f.Add(Release{ChainID: 56, FromNonce: 3, ToNonce: 7}.Bytes())
	f.Add(Refund{Vout: 2}.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if !bytes.Equal(m.Bytes(), data) {
			t.Fatalf("%x re-encodes as %x", data, m.Bytes())
		}
		got, err := FromScript(Script(m))
		if err != nil || got != m {
			t.Fatalf("FromScript = %#v, %v", got, err)
		}
	})
}
