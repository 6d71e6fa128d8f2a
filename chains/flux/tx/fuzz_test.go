package tx

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

func addVectorSeeds(f *testing.F, add func(raw []byte)) {
	for _, name := range []string{"genesis-coinbase", "v4-sapling-9-inputs"} {
		add(mainnetRaw(f, name))
	}
	add(vectors.Hex(f, confirmRaw))
	rows := sighashRows(f)
	for i := 0; i < len(rows); i += 50 {
		add(rows[i].raw)
	}
}

// FuzzDecode: anything that decodes re-encodes byte-exactly, reports its size,
// has a stable txid and a named kind; anything that fails gives a *codec.Error.
func FuzzDecode(f *testing.F) {
	addVectorSeeds(f, func(raw []byte) { f.Add(raw) })
	f.Fuzz(func(t *testing.T, data []byte) {
		tx, err := Decode(data)
		if err != nil {
			var ce *codec.Error
			if !errors.As(err, &ce) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		b := tx.Bytes()
		if !bytes.Equal(b, data) {
			t.Fatalf("re-encoding differs:\n in %x\nout %x", data, b)
		}
		if tx.SerializeSize() != len(data) {
			t.Fatalf("SerializeSize %d, len %d", tx.SerializeSize(), len(data))
		}
		again, err := Decode(b)
		if err != nil || again.TxID() != tx.TxID() {
			t.Fatalf("txid not stable: %v", err)
		}
		if !tx.IsFluxnode() && tx.TxID() != chainhash.DoubleSHA256(data) {
			t.Fatal("ordinary txid is not SHA256d of the bytes")
		}
		if tx.Kind().String() == "unknown" {
			t.Fatal("decoded tx has no kind")
		}
		if err := tx.CheckSanity(); err != nil {
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("CheckSanity untyped error %v", err)
			}
		}
	})
}

// FuzzSignatureHash: for any decodable tx, input index and hash type the
// digest is computed or a rule error explains why not, exactly when fluxd
// would throw; the digest is deterministic.
func FuzzSignatureHash(f *testing.F) {
	addVectorSeeds(f, func(raw []byte) {
		f.Add(raw, 0, uint32(1), int64(1875000000), uint32(0x76B809BB), []byte{0x76, 0xa9})
		f.Add(raw, 1, uint32(0x83), int64(0), uint32(0x5ba81b19), []byte{})
	})
	f.Fuzz(func(t *testing.T, data []byte, in int, hashType uint32, amount int64, branch uint32, script []byte) {
		tx, err := Decode(data)
		if err != nil {
			return
		}
		d, err := SignatureHash(tx, in, script, amount, hashType, branch)
		inRange := in >= 0 && in < len(tx.Inputs)
		switch {
		case tx.Overwintered && (inRange || in == NotAnInput):
			if err != nil {
				t.Fatalf("overwintered input %d of %d: %v", in, len(tx.Inputs), err)
			}
		case !inRange:
			if !errors.Is(err, ErrInputIndex) {
				t.Fatalf("input %d of %d: err = %v, want ErrInputIndex", in, len(tx.Inputs), err)
			}
		case hashType&0x1f == SigHashSingle && in >= len(tx.Outputs):
			if !errors.Is(err, ErrSingleNoOutput) {
				t.Fatalf("err = %v, want ErrSingleNoOutput", err)
			}
		default:
			if err != nil {
				t.Fatalf("legacy input %d: %v", in, err)
			}
		}
		if err == nil {
			if d2, _ := SignatureHash(tx, in, script, amount, hashType, branch); d2 != d {
				t.Fatal("digest not deterministic")
			}
		}
	})
}

// FuzzMerkle: the root matches the independent reference, the mutation flag
// matches a direct scan of each level's tail, and every leaf's branch verifies.
func FuzzMerkle(f *testing.F) {
	f.Add(1, []byte{1})
	f.Add(7, []byte{1, 2, 3})
	f.Add(6, []byte{1, 2, 3, 4, 5, 6, 5, 6})
	f.Add(17, []byte{9})
	f.Fuzz(func(t *testing.T, n int, seed []byte) {
		if len(seed) == 0 {
			return
		}
		n = 1 + (n&0x7fffffff)%40
		leaves := make([]chainhash.Hash, n)
		for i := range leaves {
			leaves[i] = chainhash.DoubleSHA256([]byte{seed[i%len(seed)]})
		}
		root, mutated := MerkleRoot(leaves)
		if want := refNode(leaves, refDepth(n), 0); root != want {
			t.Fatal("root differs from the reference")
		}
		wantMutated := false
		for level := 0; level < refDepth(n); level++ {
			w := refWidth(n, level)
			if w%2 == 0 && refNode(leaves, level, w-2) == refNode(leaves, level, w-1) {
				wantMutated = true
			}
		}
		if mutated != wantMutated {
			t.Fatalf("mutated = %v, want %v", mutated, wantMutated)
		}
		for i := range leaves {
			if !VerifyMerkleBranch(leaves[i], MerkleBranch(leaves, i), i, root) {
				t.Fatalf("leaf %d of %d does not verify", i, n)
			}
		}
	})
}
