package tx

import (
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
)

// Merkle tree of a block's txids, as fluxd's CBlock::BuildMerkleTree,
// GetMerkleBranch and CheckMerkleBranch (src/primitives/block.cpp): Bitcoin's
// tree, where a level with an odd number of nodes hashes its last node with
// itself, and parents are SHA256d(left ‖ right) in internal byte order.

func hashPair(a, b chainhash.Hash) chainhash.Hash {
	return chainhash.DoubleSHA256(a[:], b[:])
}

// MerkleRoot returns the merkle root of txids (internal order) and whether the
// list is mutated: at some level with an even number of nodes, the last two
// are identical. That is exactly fluxd's check, which looks only at the end of
// each level. The root of no txids is the zero hash (fluxd's uint256()).
func MerkleRoot(txids []chainhash.Hash) (root chainhash.Hash, mutated bool) {
	if len(txids) == 0 {
		return chainhash.Hash{}, false
	}
	level := append([]chainhash.Hash(nil), txids...)
	for n := len(level); n > 1; n = (n + 1) / 2 {
		if n%2 == 0 && level[n-2] == level[n-1] {
			mutated = true
		}
		for i := 0; i < n; i += 2 {
			j := i + 1
			if j == n {
				j = i
			}
			level[i/2] = hashPair(level[i], level[j])
		}
	}
	return level[0], mutated
}

// VerifyMerkleRoot checks that txids give root and are not mutated. It returns
// a *RuleError with code ErrMerkleEmpty, ErrMerkleMutated or ErrMerkleMismatch.
func VerifyMerkleRoot(txids []chainhash.Hash, root chainhash.Hash) error {
	if len(txids) == 0 {
		return ruleErr(ErrMerkleEmpty, "")
	}
	got, mutated := MerkleRoot(txids)
	if mutated {
		return ruleErr(ErrMerkleMutated, "%d txids", len(txids))
	}
	if got != root {
		return ruleErr(ErrMerkleMismatch, "computed %s, header has %s", got, root)
	}
	return nil
}

// MerkleBranch returns the sibling hashes from leaf index up to the root, the
// branch fluxd's GetMerkleBranch returns. It returns nil if index is out of
// range (and for a single-leaf tree, whose branch is empty).
func MerkleBranch(txids []chainhash.Hash, index int) []chainhash.Hash {
	if index < 0 || index >= len(txids) {
		return nil
	}
	var branch []chainhash.Hash
	level := append([]chainhash.Hash(nil), txids...)
	for n := len(level); n > 1; n = (n + 1) / 2 {
		sib := index ^ 1
		if sib >= n {
			sib = n - 1
		}
		branch = append(branch, level[sib])
		for i := 0; i < n; i += 2 {
			j := i + 1
			if j == n {
				j = i
			}
			level[i/2] = hashPair(level[i], level[j])
		}
		index >>= 1
	}
	return branch
}

// MerkleBranchRoot folds leaf with branch at position index, as fluxd's
// CheckMerkleBranch does, and returns the resulting root.
func MerkleBranchRoot(leaf chainhash.Hash, branch []chainhash.Hash, index int) chainhash.Hash {
	h := leaf
	for _, s := range branch {
		if index&1 == 1 {
			h = hashPair(s, h)
		} else {
			h = hashPair(h, s)
		}
		index >>= 1
	}
	return h
}

// VerifyMerkleBranch reports whether leaf at position index with branch folds
// to root. It rejects an index that is negative or needs more bits than the
// branch has levels.
//
// SECURITY: because odd levels duplicate their last node, a branch can also
// verify at an index past the last leaf of its level (the duplicate's
// position). A caller that relies on the position must also check
// index < the block's transaction count, and that len(branch) is the depth of
// a tree with that many leaves; leaf must be the txid of a decoded transaction.
func VerifyMerkleBranch(leaf chainhash.Hash, branch []chainhash.Hash, index int, root chainhash.Hash) bool {
	if index < 0 || (len(branch) < 63 && index>>len(branch) != 0) {
		return false
	}
	return MerkleBranchRoot(leaf, branch, index) == root
}
