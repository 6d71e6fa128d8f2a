package tx

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// refNode is an independent, top-down definition of Bitcoin's merkle tree:
// node (level, i) hashes its children (level-1, 2i) and (level-1, 2i+1), where a
// missing right child is replaced by the left one.
func refNode(leaves []chainhash.Hash, level, i int) chainhash.Hash {
	if level == 0 {
		return leaves[i]
	}
	left := refNode(leaves, level-1, 2*i)
	right := left
	if 2*i+1 < refWidth(len(leaves), level-1) {
		right = refNode(leaves, level-1, 2*i+1)
	}
	first := sha256.Sum256(append(append([]byte{}, left[:]...), right[:]...))
	return chainhash.Hash(sha256.Sum256(first[:]))
}

func refWidth(n, level int) int {
	for ; level > 0; level-- {
		n = (n + 1) / 2
	}
	return n
}

func refDepth(n int) int {
	d := 0
	for ; n > 1; n = (n + 1) / 2 {
		d++
	}
	return d
}

func refBranch(leaves []chainhash.Hash, index int) []chainhash.Hash {
	var b []chainhash.Hash
	for level := 0; level < refDepth(len(leaves)); level++ {
		sib := index ^ 1
		if sib >= refWidth(len(leaves), level) {
			sib = index
		}
		b = append(b, refNode(leaves, level, sib))
		index >>= 1
	}
	return b
}

func leafHashes(n int) []chainhash.Hash {
	h := make([]chainhash.Hash, n)
	for i := range h {
		h[i] = chainhash.DoubleSHA256([]byte{byte(i), 0x42})
	}
	return h
}

func TestMerkleGenesisRootIsCoinbaseTxID(t *testing.T) {
	var v struct {
		Headers []struct {
			Name string `json:"name"`
			Raw  string `json:"raw"`
		} `json:"headers"`
	}
	if err := json.Unmarshal(vectors.Read(t, "flux/mainnet_vectors.json"), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Headers) == 0 || v.Headers[0].Name != "genesis" {
		t.Fatal("genesis header missing")
	}
	hdr, err := hex.DecodeString(v.Headers[0].Raw)
	if err != nil {
		t.Fatal(err)
	}
	var headerRoot chainhash.Hash
	copy(headerRoot[:], hdr[36:68]) // version 4, prev 32, then the merkle root
	cb, err := Decode(mainnetRaw(t, "genesis-coinbase"))
	if err != nil {
		t.Fatal(err)
	}
	root, mutated := MerkleRoot([]chainhash.Hash{cb.TxID()})
	if mutated || root != cb.TxID() || root != headerRoot {
		t.Fatalf("root %s, coinbase txid %s, header root %s", root, cb.TxID(), headerRoot)
	}
	if err := VerifyMerkleRoot([]chainhash.Hash{cb.TxID()}, headerRoot); err != nil {
		t.Fatal(err)
	}
}

func TestMerkleMatchesReferenceFor1To17Leaves(t *testing.T) {
	for n := 1; n <= 17; n++ {
		leaves := leafHashes(n)
		root, mutated := MerkleRoot(leaves)
		if want := refNode(leaves, refDepth(n), 0); root != want {
			t.Fatalf("%d leaves: root %s, want %s", n, root, want)
		}
		if mutated {
			t.Fatalf("%d distinct leaves reported mutated", n)
		}
		for i := 0; i < n; i++ {
			branch := MerkleBranch(leaves, i)
			want := refBranch(leaves, i)
			if len(branch) != len(want) {
				t.Fatalf("%d leaves, leaf %d: branch length %d, want %d", n, i, len(branch), len(want))
			}
			for k := range want {
				if branch[k] != want[k] {
					t.Fatalf("%d leaves, leaf %d: branch[%d] differs", n, i, k)
				}
			}
			if !VerifyMerkleBranch(leaves[i], branch, i, root) {
				t.Fatalf("%d leaves, leaf %d: branch does not verify", n, i)
			}
			if i^1 < n && VerifyMerkleBranch(leaves[i], branch, i^1, root) {
				t.Fatalf("%d leaves, leaf %d: verifies at the sibling's index", n, i)
			}
			if VerifyMerkleBranch(leaves[i], branch, i+1<<len(branch), root) {
				t.Fatalf("%d leaves, leaf %d: index beyond the branch's levels accepted", n, i)
			}
			if VerifyMerkleBranch(leaves[i], branch, -1, root) {
				t.Fatal("negative index accepted")
			}
			if len(branch) > 0 {
				bad := append([]chainhash.Hash{}, branch...)
				bad[len(bad)-1][0] ^= 1
				if VerifyMerkleBranch(leaves[i], bad, i, root) {
					t.Fatalf("%d leaves, leaf %d: tampered branch verifies", n, i)
				}
			}
			wrongLeaf := leaves[i]
			wrongLeaf[31] ^= 0x80
			if VerifyMerkleBranch(wrongLeaf, branch, i, root) {
				t.Fatal("wrong leaf verifies")
			}
		}
		if MerkleBranch(leaves, n) != nil || MerkleBranch(leaves, -1) != nil {
			t.Fatalf("%d leaves: out-of-range index gave a branch", n)
		}
	}
}

// TestMerkleBranchVerifiesAtDuplicatePosition pins the caveat documented on
// VerifyMerkleBranch: the last leaf of an odd level also verifies at the
// position of its duplicate, so callers must bound the index by the tx count.
func TestMerkleBranchVerifiesAtDuplicatePosition(t *testing.T) {
	leaves := leafHashes(3)
	root, _ := MerkleRoot(leaves)
	branch := MerkleBranch(leaves, 2)
	if !VerifyMerkleBranch(leaves[2], branch, 3, root) {
		t.Fatal("expected the duplicate position to verify, as in fluxd")
	}
}

func TestMerkleMutation(t *testing.T) {
	h := leafHashes(8)
	a, b, c := h[0], h[1], h[2]
	tests := []struct {
		name    string
		leaves  []chainhash.Hash
		mutated bool
	}{
		{"single leaf", []chainhash.Hash{a}, false},
		{"two identical leaves", []chainhash.Hash{a, a}, true},
		{"duplicated last pair", []chainhash.Hash{a, b, c, c}, true},
		{"odd level is not mutation", []chainhash.Hash{a, b, c}, false},
		{"identical inner level tail", []chainhash.Hash{a, b, a, b}, true},
		// fluxd looks only at the end of each level, unlike later Bitcoin.
		{"identical pair at the start is not flagged", []chainhash.Hash{a, a, b, c}, false},
		{"identical pair then odd tail is not flagged", []chainhash.Hash{a, a, b}, false},
		{"CVE-2012-2459 extension", append(append([]chainhash.Hash{}, h[:6]...), h[4], h[5]), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, mutated := MerkleRoot(tc.leaves)
			if mutated != tc.mutated {
				t.Fatalf("mutated = %v, want %v", mutated, tc.mutated)
			}
			if want := refNode(tc.leaves, refDepth(len(tc.leaves)), 0); root != want {
				t.Fatal("root differs from the reference")
			}
		})
	}
	six, _ := MerkleRoot(h[:6])
	eight, _ := MerkleRoot(append(append([]chainhash.Hash{}, h[:6]...), h[4], h[5]))
	if six != eight {
		t.Fatal("the CVE-2012-2459 pair should share a root")
	}
}

func TestVerifyMerkleRootErrors(t *testing.T) {
	h := leafHashes(5)
	root, _ := MerkleRoot(h)
	mutatedList := append(append([]chainhash.Hash{}, h...), h[4])
	tests := []struct {
		name   string
		leaves []chainhash.Hash
		root   chainhash.Hash
		want   error
	}{
		{"valid", h, root, nil},
		{"empty", nil, chainhash.Hash{}, ErrMerkleEmpty},
		{"mutated with the same root", mutatedList, root, ErrMerkleMutated},
		{"mismatch", h[:4], root, ErrMerkleMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyMerkleRoot(tc.leaves, tc.root)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var re *RuleError
			if err != nil && !errors.As(err, &re) {
				t.Fatal("not a *RuleError")
			}
		})
	}
	if r, m := MerkleRoot(nil); !r.IsZero() || m {
		t.Fatal("root of no txids must be zero and not mutated")
	}
}
