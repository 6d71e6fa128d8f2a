package blake2b

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	xblake2b "golang.org/x/crypto/blake2b"
)

func vectorData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte((i*7 + n) % 251)
	}
	return b
}

// Vectors from an independent implementation (Python hashlib), with personalization.
func TestMatchesPythonHashlibWithPersonalization(t *testing.T) {
	raw, err := os.ReadFile("testdata/hashlib_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Vectors []struct {
			Person  string `json:"person"`
			Size    int    `json:"size"`
			DataLen int    `json:"data_len"`
			Digest  string `json:"digest"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) < 200 {
		t.Fatalf("only %d vectors", len(f.Vectors))
	}
	for _, v := range f.Vectors {
		p, _ := hex.DecodeString(v.Person)
		d := New(v.Size, p)
		d.Write(vectorData(v.DataLen))
		if got := hex.EncodeToString(d.Sum(nil)); got != v.Digest {
			t.Errorf("person %q size %d len %d: got %s want %s", p, v.Size, v.DataLen, got, v.Digest)
		}
	}
}

// Without personalization the result must equal x/crypto's BLAKE2b, for every
// split of the input into two writes (exercises the buffering at block edges).
func TestMatchesXCryptoAcrossWriteSplits(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 129, 256, 300} {
		data := vectorData(n)
		want, _ := xblake2b.New(64, nil)
		want.Write(data)
		w := want.Sum(nil)
		for split := 0; split <= n; split++ {
			d := New(64, nil)
			d.Write(data[:split])
			d.Write(data[split:])
			if got := d.Sum(nil); string(got) != string(w) {
				t.Fatalf("n=%d split=%d: mismatch", n, split)
			}
		}
	}
}

// Copying a Digest clones its state; Sum does not disturb it.
func TestCopyClonesState(t *testing.T) {
	d := New(50, []byte("ZcashPoW"))
	d.Write([]byte("header"))
	c := *d
	c.Write([]byte("more"))
	a := d.Sum(nil)
	d.Write([]byte("more"))
	if string(d.Sum(nil)) != string(c.Sum(nil)) || string(a) == string(c.Sum(nil)) {
		t.Fatal("copy did not clone the state")
	}
}

func BenchmarkSum256_140Bytes(b *testing.B) {
	data := vectorData(140)
	p := []byte("ZcashSigHash\xbb\x09\xb8\x76")
	b.SetBytes(140)
	for i := 0; i < b.N; i++ {
		Sum256(p, data)
	}
}

// BenchmarkXCrypto140Bytes is the same work in x/crypto's assembly BLAKE2b
// (which has no personalization): the yardstick for this implementation.
func BenchmarkXCrypto140Bytes(b *testing.B) {
	data := vectorData(140)
	b.SetBytes(140)
	for i := 0; i < b.N; i++ {
		xblake2b.Sum256(data)
	}
}
