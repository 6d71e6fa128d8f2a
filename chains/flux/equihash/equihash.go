// Package equihash verifies FLUX's Equihash proofs of work: (200,9) "ZcashPoW",
// (144,5) "ZelProof", ZelHash (125,4) "ZelProof" with its twist, and the test
// networks' (96,5) and (48,5) "ZcashPoW". It also has a small Wagner solver for
// the test parameters, which the simulated network uses to mint valid headers.
//
// The rules follow RunOnFlux/fluxd src/crypto/equihash.{h,cpp}
// (Equihash<N,K>::InitialiseState, GenerateHash, IsValidSolution) and
// src/pow.cpp (CheckEquihashSolution); shared/reference/flux-chain.md §4.4
// describes them step by step.
//
// The package is pure: no I/O, no logging, no global state.
package equihash

import (
	"encoding/binary"
	"slices"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/blake2b"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// InputSize is the length of the Equihash input: the 108-byte common header
// part followed by the 32-byte nonce (wire.EquihashInputSize).
const InputSize = 140

// Bounds over every supported variant; they size the verifier's fixed arrays.
const (
	// maxIndices is 2^K for the largest K (200,9).
	maxIndices = 512
	// maxHashLen is the longest expanded row, (K+1)·CollisionByteLength = 30 for (200,9).
	maxHashLen = 32
	// maxHashOutput is the longest BLAKE2b output, 64 bytes for (125,4).
	maxHashOutput = blake2b.MaxSize
	// twistSpan is how many consecutive hash outputs the ZelHash twist sums.
	twistSpan = 16
)

// shape holds the constants derived from (N,K), named as in fluxd's Equihash<N,K>.
type shape struct {
	n, k          int
	perOutput     int // IndicesPerHashOutput = 512/N
	hashOutput    int // HashOutput = IndicesPerHashOutput·((N+7)/8)
	sliceLen      int // (N+7)/8: the bytes of one index's slice of a hash output
	collisionBits int // CollisionBitLength = N/(K+1)
	collisionLen  int // CollisionByteLength = ceil(CollisionBitLength/8)
	hashLen       int // HashLength = (K+1)·CollisionByteLength
	indexBits     int // CollisionBitLength+1: the width of an index in a solution
	numIndices    int // 2^K
	solutionSize  int // SolutionWidth = 2^K·(CollisionBitLength+1)/8
	twist         bool
	person        [blake2b.PersonalizationSize]byte
}

// variant is one (N,K) pair fluxd supports, with what fluxd's InitialiseState
// and GenerateHash choose for it.
type variant struct {
	params params.EquihashParams
	shape  shape
}

// variants lists the (N,K) pairs CheckEquihashSolution can select. Eh96_3 is
// instantiated in fluxd too, but no solution size maps to it, so it is absent.
var variants = func() []variant {
	ps := []params.EquihashParams{
		params.Equihash200_9, params.Equihash144_5, params.ZelHash125_4,
		params.Equihash96_5, params.Equihash48_5,
	}
	vs := make([]variant, len(ps))
	for i, p := range ps {
		vs[i] = variant{params: p, shape: newShape(p.N, p.K)}
	}
	return vs
}()

// newShape derives fluxd's constants for (n,k). Personalization: fluxd's
// InitialiseState uses "ZelProof" for (144,5) and (125,4) and "ZcashPoW" for
// everything else, followed by LE32(N) and LE32(K); the twist is (125,4) only.
func newShape(n, k uint32) shape {
	s := shape{n: int(n), k: int(k)}
	s.perOutput = 512 / s.n
	s.sliceLen = (s.n + 7) / 8
	s.hashOutput = s.perOutput * s.sliceLen
	s.collisionBits = s.n / (s.k + 1)
	s.collisionLen = (s.collisionBits + 7) / 8
	s.hashLen = (s.k + 1) * s.collisionLen
	s.indexBits = s.collisionBits + 1
	s.numIndices = 1 << s.k
	s.solutionSize = s.numIndices * s.indexBits / 8
	s.twist = n == 125 && k == 4
	tag := "ZcashPoW"
	if (n == 144 && k == 5) || s.twist {
		tag = "ZelProof"
	}
	copy(s.person[:8], tag)
	binary.LittleEndian.PutUint32(s.person[8:], n)
	binary.LittleEndian.PutUint32(s.person[12:], k)
	return s
}

// shapeOf returns the shape for p, refusing an (N,K) fluxd does not verify and
// a params value that disagrees with fluxd on size, personalization or twist.
func shapeOf(p params.EquihashParams) (*shape, error) {
	for i := range variants {
		v := &variants[i]
		if v.params.N != p.N || v.params.K != p.K {
			continue
		}
		s := &v.shape
		switch {
		case p.SolutionSize != s.solutionSize:
			return nil, errorf(ErrUnsupportedParams, "(%d,%d) solutions are %d bytes, params say %d",
				p.N, p.K, s.solutionSize, p.SolutionSize)
		case p.Personalization != string(s.person[:8]):
			return nil, errorf(ErrUnsupportedParams, "(%d,%d) uses personalization %q, params say %q",
				p.N, p.K, s.person[:8], p.Personalization)
		case p.Twist != s.twist:
			return nil, errorf(ErrUnsupportedParams, "(%d,%d) twist is %v, params say %v",
				p.N, p.K, s.twist, p.Twist)
		}
		return s, nil
	}
	return nil, errorf(ErrUnsupportedParams, "(%d,%d) is not a FLUX Equihash variant", p.N, p.K)
}

// ParamsForSolutionSize returns the variant CheckEquihashSolution selects for a
// solution of n bytes: 1344→(200,9), 100→(144,5), 68→(96,5), 52→(125,4) ZelHash,
// 36→(48,5). Whether that variant is allowed at a height is a separate,
// contextual rule (params.Params.AllowedEquihash).
func ParamsForSolutionSize(n int) (params.EquihashParams, bool) {
	for _, v := range variants {
		if v.params.SolutionSize == n {
			return v.params, true
		}
	}
	return params.EquihashParams{}, false
}

// Verify checks that solution is a valid Equihash solution for the 140-byte
// input (wire.BlockHeader.EquihashInput: the common header part and the nonce)
// under p. It returns nil or an *Error whose Code says which rule failed; the
// checks run in fluxd's order (round by round, sibling pair by pair: collision,
// then order, then distinct indices; finally the zero XOR), so the code names
// the first rule fluxd would have failed.
//
// Verify allocates only the BLAKE2b base state; everything else lives in
// fixed arrays bounded by the largest variant (2^9 indices).
func Verify(p params.EquihashParams, input []byte, solution []byte) error {
	s, err := shapeOf(p)
	if err != nil {
		return err
	}
	if len(input) != InputSize {
		return errorf(ErrBadInputSize, "input is %d bytes, want %d", len(input), InputSize)
	}
	return s.verify(input, solution)
}

// verify is Verify for an input of any length (the published Equihash test
// vectors hash shorter strings).
func (s *shape) verify(input, solution []byte) error {
	if len(solution) != s.solutionSize {
		return errorf(ErrBadSolutionSize, "(%d,%d) solution is %d bytes, want %d",
			s.n, s.k, len(solution), s.solutionSize)
	}
	var idx [maxIndices]uint32
	indices := idx[:s.numIndices]
	s.unpackIndices(solution, indices)

	var rows [maxIndices][maxHashLen]byte
	s.fillRows(s.baseState(input), indices, rows[:s.numIndices])
	return s.checkTree(indices, rows[:s.numIndices])
}

// baseState returns the personalized BLAKE2b state that has absorbed input.
func (s *shape) baseState(input []byte) *blake2b.Digest {
	d := blake2b.New(s.hashOutput, s.person[:])
	d.Write(input)
	return d
}

// unpackIndices reads len(out) big-endian indices of indexBits bits each
// (fluxd's GetIndicesFromMinimal). The solution length has been checked.
func (s *shape) unpackIndices(solution []byte, out []uint32) {
	var acc uint64
	bits, j := 0, 0
	mask := uint64(1)<<s.indexBits - 1
	for _, b := range solution {
		acc = acc<<8 | uint64(b)
		bits += 8
		if bits >= s.indexBits {
			bits -= s.indexBits
			out[j] = uint32(acc >> bits & mask)
			j++
		}
	}
}

// packIndices is the inverse of unpackIndices (fluxd's GetMinimalFromIndices).
func (s *shape) packIndices(indices []uint32, out []byte) {
	var acc uint64
	bits, j := 0, 0
	mask := uint64(1)<<s.indexBits - 1
	for _, i := range indices {
		acc = acc<<s.indexBits | uint64(i)&mask
		bits += s.indexBits
		for bits >= 8 {
			bits -= 8
			out[j] = byte(acc >> bits)
			j++
		}
	}
}

// expandRow splits the first (K+1)·CollisionBitLength bits of in into
// CollisionBitLength-bit big-endian chunks, each right-aligned in
// CollisionByteLength bytes (fluxd's ExpandArray with no padding). Bits of in
// beyond the last whole chunk are ignored, as in fluxd.
func (s *shape) expandRow(in []byte, out []byte) {
	var acc uint64
	bits, j := 0, 0
	mask := uint64(1)<<s.collisionBits - 1
	for _, b := range in {
		acc = acc<<8 | uint64(b)
		bits += 8
		if bits >= s.collisionBits {
			bits -= s.collisionBits
			v := acc >> bits & mask
			for x := s.collisionLen - 1; x >= 0; x-- {
				out[j+x] = byte(v)
				v >>= 8
			}
			j += s.collisionLen
			if j == s.hashLen {
				return
			}
		}
	}
}

// hasher produces fluxd's GenerateHash output for increasing g, computing each
// BLAKE2b output once. In twist mode the output for g is the word-wise sum
// (mod 2^32, little-endian words) of the outputs for g&^15 … g with the low
// three bits of bytes 15, 31, 47 and 63 cleared; hasher keeps the running sum
// of the current group of 16 so that a run of increasing g in one group costs
// one BLAKE2b call per distinct g2, never 16 per index.
type hasher struct {
	s      *shape
	base   *blake2b.Digest
	acc    [twistSpan]uint32
	next   uint32 // next g2 to add to acc (twist mode)
	group  uint32 // g &^ 15 of acc (twist mode)
	inited bool
	calls  int // BLAKE2b outputs computed so far
}

// raw writes the plain BLAKE2b output for g into out[:hashOutput].
func (h *hasher) raw(g uint32, out *[maxHashOutput]byte) {
	d := *h.base
	var le [4]byte
	binary.LittleEndian.PutUint32(le[:], g)
	d.Write(le[:])
	d.Sum(out[:0])
	h.calls++
}

// hash writes GenerateHash(g) into out. In twist mode successive calls must
// have non-decreasing g (a new group of 16 restarts the sum).
func (h *hasher) hash(g uint32, out *[maxHashOutput]byte) {
	if !h.s.twist {
		h.raw(g, out)
		return
	}
	if !h.inited || g&^(twistSpan-1) != h.group || g+1 < h.next {
		h.acc = [twistSpan]uint32{}
		h.group = g &^ (twistSpan - 1)
		h.next = h.group
		h.inited = true
	}
	var tmp [maxHashOutput]byte
	for ; h.next <= g; h.next++ {
		h.raw(h.next, &tmp)
		for w := range h.acc {
			h.acc[w] += binary.LittleEndian.Uint32(tmp[4*w:])
		}
	}
	for w, v := range h.acc {
		binary.LittleEndian.PutUint32(out[4*w:], v)
	}
	for i := 15; i < h.s.hashOutput; i += 16 {
		out[i] &= 0xF8
	}
}

// fillRows expands the row of every index, computing each distinct hash output
// once: the indices are visited in increasing order of g = i/IndicesPerHashOutput.
// It returns the number of BLAKE2b outputs computed.
func (s *shape) fillRows(base *blake2b.Digest, indices []uint32, rows [][maxHashLen]byte) int {
	// order packs (g, position) so that sorting groups equal g and orders the
	// twist's running sums; positions are < 2^9 and g < 2^24.
	var orderBuf [maxIndices]uint64
	order := orderBuf[:len(indices)]
	for pos, i := range indices {
		order[pos] = uint64(i/uint32(s.perOutput))<<16 | uint64(pos)
	}
	slices.Sort(order)

	h := hasher{s: s, base: base}
	var out [maxHashOutput]byte
	have, cur := false, uint32(0)
	for _, o := range order {
		g, pos := uint32(o>>16), int(o&0xFFFF)
		if !have || g != cur {
			h.hash(g, &out)
			have, cur = true, g
		}
		start := int(indices[pos]%uint32(s.perOutput)) * s.sliceLen
		s.expandRow(out[start:start+s.sliceLen], rows[pos][:s.hashLen])
	}
	return h.calls
}

// checkTree runs fluxd's K rounds over the leaf rows. The subtree rooted at
// round r covering leaves [a, a+2^r) has its index list at indices[a:a+2^r]
// (a parent's list is left then right), its hash in rows[a][r·CBL:HashLength]
// (the XOR is done in place) and its indices, sorted, in sorted[a:a+2^r] (for
// the distinctness check by merging).
func (s *shape) checkTree(indices []uint32, rows [][maxHashLen]byte) error {
	n, cl := len(indices), s.collisionLen
	var sortedBuf, mergeBuf [maxIndices]uint32
	sorted := sortedBuf[:n]
	copy(sorted, indices)
	for r := 0; r < s.k; r++ {
		width, off := 1<<r, r*cl
		for a := 0; a < n; a += 2 * width {
			b := a + width
			ra, rb := &rows[a], &rows[b]
			if string(ra[off:off+cl]) != string(rb[off:off+cl]) {
				return errorf(ErrCollision, "round %d, rows %d and %d differ in their first %d collision bytes",
					r+1, a>>r, b>>r, cl)
			}
			if listBefore(indices[b:b+width], indices[a:a+width]) {
				return errorf(ErrIndexOrder, "round %d, rows %d and %d: right index %d sorts before left index %d",
					r+1, a>>r, b>>r, indices[b], indices[a])
			}
			if dup, ok := mergeDistinct(sorted[a:b], sorted[b:b+width], mergeBuf[:2*width]); !ok {
				return errorf(ErrDuplicateIndex, "round %d, rows %d and %d share index %d", r+1, a>>r, b>>r, dup)
			}
			copy(sorted[a:b+width], mergeBuf[:2*width])
			for x := off + cl; x < s.hashLen; x++ {
				ra[x] ^= rb[x]
			}
		}
	}
	for x := s.k * cl; x < s.hashLen; x++ {
		if rows[0][x] != 0 {
			return errorf(ErrNonZero, "the XOR of all %d rows is not zero", n)
		}
	}
	return nil
}

// listBefore reports whether index list b sorts before a as fluxd's
// IndicesBefore memcmp over big-endian index bytes does (lexicographic order).
func listBefore(b, a []uint32) bool {
	for i := range b {
		if b[i] != a[i] {
			return b[i] < a[i]
		}
	}
	return false
}

// mergeDistinct merges the sorted lists x and y into out and reports false
// (with the shared value) if they have an element in common.
func mergeDistinct(x, y, out []uint32) (uint32, bool) {
	i, j, o := 0, 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] < y[j]:
			out[o] = x[i]
			i++
		case y[j] < x[i]:
			out[o] = y[j]
			j++
		default:
			return x[i], false
		}
		o++
	}
	o += copy(out[o:], x[i:])
	copy(out[o:], y[j:])
	return 0, true
}
