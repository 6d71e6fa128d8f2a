package relayer

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// Batched mints (DESIGN §3 Batch MintAuth). Besides each lock's MintAuth, a
// relayer signs one batch digest over the locks of one FLUX block to one
// destination that it signs in one step, in MintAuth digest order, cut into
// chunks of at most Config.MintBatch. Relayers whose policies agree sign the
// same batches without talking; a batch that reaches k is minted in one
// transaction by its submitter, and one that does not within BatchWait
// leaves its locks to the per-lock path, which needs nothing from the batch.

// KindMintBatchSignature is the envelope kind of a member's signature over a
// batch digest.
const KindMintBatchSignature = "mint-batch-signature"

// BatchSignatureVersion is the first byte of a mint-batch-signature payload.
const BatchSignatureVersion = 0x01

// ErrBatchSignature is the cause of every malformed mint-batch-signature payload.
var ErrBatchSignature = errors.New("malformed mint-batch-signature")

// BatchSignature is the content of a mint-batch-signature envelope: the
// signer's signature over chains.BatchDigest of Dest's bridge and Digests,
// the batch's MintAuth digests in strictly ascending order. The receiver
// computes the batch digest itself.
type BatchSignature struct {
	Dest    chains.ID
	Digests [][32]byte
	Sig     []byte
}

// MarshalBatchSignature encodes a mint-batch-signature payload:
// version(1) ‖ chainId(4) ‖ count(2) ‖ count × digest(32) ‖ signature(65).
func MarshalBatchSignature(b BatchSignature) ([]byte, error) {
	if err := chains.CheckBatch(b.Digests); err != nil || len(b.Sig) != 65 {
		return nil, fault.E("relayer.MarshalBatchSignature", fault.Invalid,
			fmt.Errorf("%w: %d digests (%v) and a signature of %d bytes", ErrBatchSignature, len(b.Digests), err, len(b.Sig)))
	}
	out := make([]byte, 0, 1+4+2+32*len(b.Digests)+65)
	out = append(out, BatchSignatureVersion)
	out = binary.BigEndian.AppendUint32(out, uint32(b.Dest))
	out = binary.BigEndian.AppendUint16(out, uint16(len(b.Digests)))
	for _, d := range b.Digests {
		out = append(out, d[:]...)
	}
	return append(out, b.Sig...), nil
}

// UnmarshalBatchSignature decodes a mint-batch-signature payload. It checks
// the layout and that the digests form a batch (chains.CheckBatch); the
// caller verifies the signature.
func UnmarshalBatchSignature(p []byte) (BatchSignature, error) {
	const op = "relayer.UnmarshalBatchSignature"
	bad := func(format string, a ...any) (BatchSignature, error) {
		return BatchSignature{}, fault.E(op, fault.Invalid, fmt.Errorf("%w: "+format, append([]any{ErrBatchSignature}, a...)...))
	}
	if len(p) < 1+4+2+65 {
		return bad("%d bytes", len(p))
	}
	if p[0] != BatchSignatureVersion {
		return bad("version %d", p[0])
	}
	n := int(binary.BigEndian.Uint16(p[5:]))
	if len(p) != 1+4+2+32*n+65 {
		return bad("%d bytes for %d digests", len(p), n)
	}
	b := BatchSignature{Dest: chains.ID(binary.BigEndian.Uint32(p[1:])), Digests: make([][32]byte, n)}
	for i := range n {
		copy(b.Digests[i][:], p[7+32*i:])
	}
	if err := chains.CheckBatch(b.Digests); err != nil {
		return bad("%v", err)
	}
	b.Sig = bytes.Clone(p[7+32*n:])
	return b, nil
}

// batchOf is one batch the sign step forms: the indices of its members in
// the step's candidates, in digest order.
type batchOf struct {
	dest    chains.ID
	members []int
	digests [][32]byte
}

// planBatches cuts the candidates signed in one step into batches: per FLUX
// block and destination, in MintAuth digest order, chunks of at most max.
// A chunk of one lock is no batch (its MintAuth mints it). Candidates that
// failed (err set) are left out. Pure.
func planBatches(cands []candidate, max int) []batchOf {
	if max < 2 {
		return nil
	}
	type key struct {
		block string
		dest  chains.ID
	}
	groups := map[key][]int{}
	var order []key
	for i, c := range cands {
		if c.err != nil {
			continue
		}
		k := key{c.t.Block.Hash, c.t.Dest}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	var out []batchOf
	for _, k := range order {
		g := groups[k]
		slices.SortFunc(g, func(a, b int) int { return bytes.Compare(cands[a].digest[:], cands[b].digest[:]) })
		g = slices.CompactFunc(g, func(a, b int) bool { return cands[a].digest == cands[b].digest })
		for len(g) >= 2 {
			n := min(len(g), max)
			b := batchOf{dest: k.dest, members: g[:n:n]}
			for _, i := range b.members {
				b.digests = append(b.digests, cands[i].digest)
			}
			out = append(out, b)
			g = g[n:]
		}
	}
	return out
}

// wholeBlocks drops the transfers of the last FLUX block in todo when the
// list was cut at the step's limit (and holds another block), so a block's
// locks are signed in one step and every relayer forms the same batches;
// they come first in the next step. Pure.
func wholeBlocks(todo []Transfer, cut bool) []Transfer {
	if !cut || len(todo) == 0 {
		return todo
	}
	last := todo[len(todo)-1].Block.Hash
	kept := slices.DeleteFunc(slices.Clone(todo), func(t Transfer) bool { return t.State == StateFinal && t.Block.Hash == last })
	if len(kept) == 0 {
		return todo // one block fills the step: it is cut where every relayer cuts it
	}
	return kept
}

// batchQuorumAt is when the k-th of the matching signatures arrived.
func batchQuorumAt(good []Attestation, k int) (at int64) {
	times := make([]int64, len(good))
	for i, a := range good {
		times[i] = a.ReceivedAt.UnixMilli()
	}
	slices.SortFunc(times, cmp.Compare)
	if k < 1 || k > len(times) {
		return 0
	}
	return times[k-1]
}

// Journal entry kinds of batched mints.
const (
	KindMintBatchSigned    = "mint-batch-signed"
	KindMintBatchSubmitted = "mint-batch-submitted"
)

// MintBatchSigned: this relayer signed a batch digest over the listed
// transfers (their MintAuth digests, each journaled in its mint-attested
// entry, in ascending order), persisted before the signature leaves.
type MintBatchSigned struct {
	Batch     string   `json:"batch"`
	Dest      uint32   `json:"dest"`
	Bridge    string   `json:"bridge"`
	Block     string   `json:"block"`
	Transfers []string `json:"transfers"`
	Digest    string   `json:"digest"`
	Sig       string   `json:"sig"`
}

// MintBatchSubmitted: this relayer sent a batch (as the submitter of Rank)
// with the signatures of Signers; the transfers it moved to submitted.
type MintBatchSubmitted struct {
	Batch     string   `json:"batch"`
	Tx        string   `json:"tx"`
	State     string   `json:"state"`
	Rank      int      `json:"rank"`
	Signers   []string `json:"signers"`
	Transfers []string `json:"transfers"`
}

func (MintBatchSigned) JournalKind() string    { return KindMintBatchSigned }
func (MintBatchSubmitted) JournalKind() string { return KindMintBatchSubmitted }
