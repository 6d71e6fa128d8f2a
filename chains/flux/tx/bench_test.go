package tx

import (
	"testing"

	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

func BenchmarkDecode(b *testing.B) {
	raw := mainnetRaw(b, "v4-sapling-9-inputs")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTxID(b *testing.B) {
	tx, err := Decode(mainnetRaw(b, "v4-sapling-9-inputs"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = tx.TxID()
	}
}

func BenchmarkSignatureHashZIP243(b *testing.B) {
	tx, err := Decode(mainnetRaw(b, "v4-sapling-9-inputs"))
	if err != nil {
		b.Fatal(err)
	}
	script := vectors.Hex(b, "76a9143e094e2b62d1e96bce68624dd4931da524e8909688ac")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SignatureHash(tx, 0, script, 1_875_000_000, SigHashAll, 0x76B809BB); err != nil {
			b.Fatal(err)
		}
	}
}
