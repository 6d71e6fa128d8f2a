package script

import (
	"bytes"
	"sort"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// testKeys returns n deterministic private keys sorted by compressed public
// key (the order a bridge redeem script uses), with their public keys.
func testKeys(n int) ([]*secp256k1.PrivateKey, [][]byte) {
	privs := make([]*secp256k1.PrivateKey, n)
	for i := range privs {
		var b [32]byte
		b[0], b[31] = 0x5a, byte(i+1)
		privs[i] = secp256k1.PrivKeyFromBytes(b[:])
	}
	sort.Slice(privs, func(a, b int) bool {
		return bytes.Compare(privs[a].PubKey().SerializeCompressed(), privs[b].PubKey().SerializeCompressed()) < 0
	})
	pubs := make([][]byte, n)
	for i, p := range privs {
		pubs[i] = p.PubKey().SerializeCompressed()
	}
	return privs, pubs
}

// signAll signs digest with each key (low-S, RFC 6979) and appends hashType.
func signAll(privs []*secp256k1.PrivateKey, digest [32]byte, hashType byte) [][]byte {
	out := make([][]byte, len(privs))
	for i, p := range privs {
		out[i] = append(ecdsa.Sign(p, digest[:]).Serialize(), hashType)
	}
	return out
}

// toHighS returns the high-S twin of a low-S signature with its hash type.
func toHighS(t testing.TB, s []byte) []byte {
	t.Helper()
	sg, err := ecdsa.ParseDERSignature(s[:len(s)-1])
	if err != nil {
		t.Fatal(err)
	}
	r, sv := sg.R(), sg.S()
	sv.Negate()
	rb, sb := r.Bytes(), sv.Bytes()
	enc := func(v []byte) []byte {
		v = bytes.TrimLeft(v, "\x00")
		if v[0]&0x80 != 0 {
			v = append([]byte{0}, v...)
		}
		return append([]byte{0x02, byte(len(v))}, v...)
	}
	body := append(enc(rb[:]), enc(sb[:])...)
	return append(append([]byte{0x30, byte(len(body))}, body...), s[len(s)-1])
}

// fixedHasher returns a SigHasher that checks its arguments and returns digest.
func fixedHasher(t testing.TB, wantCode []byte, wantType uint32, digest [32]byte) SigHasher {
	return func(scriptCode []byte, hashType uint32) ([32]byte, error) {
		if wantCode != nil && !bytes.Equal(scriptCode, wantCode) {
			t.Errorf("hasher got scriptCode %x, want %x", scriptCode, wantCode)
		}
		if hashType != wantType {
			t.Errorf("hasher got hash type %d, want %d", hashType, wantType)
		}
		return digest, nil
	}
}
