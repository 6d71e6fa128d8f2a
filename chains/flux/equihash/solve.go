package equihash

import (
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// MaxSolveIndexBits bounds the parameters Solve accepts: an index may have at
// most this many bits (CollisionBitLength+1), so Wagner's lists hold at most
// 2^17 rows. That admits the test networks' (48,5) (2^9 rows, well under 1 MiB)
// and (96,5) (2^17 rows, about 10 MiB peak). It refuses (200,9) (2^21 rows,
// about 300 MiB), (144,5) (2^25 rows, about 2.5 GiB) and ZelHash (125,4)
// (2^26 rows): mining those is not this package's job.
const MaxSolveIndexBits = 17

// maxRowsFactor caps every intermediate list at maxRowsFactor·2^indexBits rows.
// Wagner's lists keep about 2^indexBits rows per round on random input; the cap
// only bounds memory on degenerate input and may then drop solutions.
const maxRowsFactor = 4

// Solve runs Wagner's algorithm on the 140-byte input and returns up to max
// solutions (all it finds if max <= 0), each SolutionSize bytes, in the order
// found; every one passes Verify. On the published (96,5) inputs it finds
// exactly the solution sets fluxd's BasicSolve finds; a degenerate input can
// make it drop some (see maxRowsFactor). It refuses, with ErrSolverLimit,
// parameters whose indices exceed MaxSolveIndexBits.
func Solve(p params.EquihashParams, input []byte, max int) ([][]byte, error) {
	s, err := shapeOf(p)
	if err != nil {
		return nil, err
	}
	if len(input) != InputSize {
		return nil, errorf(ErrBadInputSize, "input is %d bytes, want %d", len(input), InputSize)
	}
	if s.indexBits > MaxSolveIndexBits {
		return nil, errorf(ErrSolverLimit, "(%d,%d) needs 2^%d rows per list; Solve allows 2^%d",
			s.n, s.k, s.indexBits, MaxSolveIndexBits)
	}
	return s.solve(input, max), nil
}

// solve is Solve without the size and limit checks. Memory: the current list's
// hash bytes, the next list's, and for every round a table of (left, right)
// row numbers into the previous round's list; leaves are implicit (row i of
// round 0 is index i).
func (s *shape) solve(input []byte, max int) [][]byte {
	numRows := 1 << s.indexBits
	rowCap := maxRowsFactor * numRows
	cl := s.collisionLen

	// Round 0: the expanded hash of every index, in index order.
	stride := s.hashLen
	cur := make([]byte, numRows*stride)
	h := hasher{s: s, base: s.baseState(input)}
	var out [maxHashOutput]byte
	for g := 0; g*s.perOutput < numRows; g++ {
		h.hash(uint32(g), &out)
		for j := 0; j < s.perOutput && g*s.perOutput+j < numRows; j++ {
			i := g*s.perOutput + j
			s.expandRow(out[j*s.sliceLen:(j+1)*s.sliceLen], cur[i*stride:(i+1)*stride])
		}
	}

	// links[r] holds, for each row of round r+1, its two rows of round r.
	links := make([][]uint32, 0, s.k)
	var solutions [][]byte
	seen := make(map[string]bool)
	var buckets []uint32
	for r := 0; r < s.k; r++ {
		rows := len(cur) / stride
		perm, runs := s.sortByCollision(cur, stride, rows, &buckets)
		last := r == s.k-1
		var next []byte
		var link []uint32
		if !last {
			next = make([]byte, 0, rows*(stride-cl))
			link = make([]uint32, 0, 2*rows)
		}
		for ri := 0; ri < len(runs); ri += 2 {
			group := perm[runs[ri]:runs[ri+1]]
			for x := 0; x < len(group); x++ {
				for y := x + 1; y < len(group); y++ {
					a, b := group[x], group[y]
					ra := cur[int(a)*stride : int(a+1)*stride]
					rb := cur[int(b)*stride : int(b+1)*stride]
					if r > 0 && shareChild(links[r-1], a, b) {
						continue // the two subtrees share leaves
					}
					if last {
						if string(ra[cl:]) != string(rb[cl:]) {
							continue // the final XOR would not be zero
						}
						if sol := s.assemble(input, links, a, b); sol != nil && !seen[string(sol)] {
							seen[string(sol)] = true
							solutions = append(solutions, sol)
							if max > 0 && len(solutions) >= max {
								return solutions
							}
						}
						continue
					}
					if len(link)/2 >= rowCap {
						continue
					}
					for i := cl; i < stride; i++ {
						next = append(next, ra[i]^rb[i])
					}
					link = append(link, a, b)
				}
			}
		}
		if last {
			break
		}
		links = append(links, link)
		cur, stride = next, stride-cl
	}
	return solutions
}

// sortByCollision orders the rows by their first CollisionByteLength bytes (a
// counting sort on a CollisionBitLength-bit key) and returns the row numbers in
// that order with runs, a flat list of (start, end) pairs: perm[start:end] is
// one group of two or more rows with equal keys.
func (s *shape) sortByCollision(rows []byte, stride, n int, buckets *[]uint32) (perm []uint32, runs []int) {
	nb := 1 << s.collisionBits
	if len(*buckets) < nb+1 {
		*buckets = make([]uint32, nb+1)
	}
	count := (*buckets)[:nb+1]
	clear(count)
	key := func(row uint32) int {
		k := 0
		for _, b := range rows[int(row)*stride : int(row)*stride+s.collisionLen] {
			k = k<<8 | int(b)
		}
		return k
	}
	for i := 0; i < n; i++ {
		count[key(uint32(i))+1]++
	}
	for i := 1; i <= nb; i++ {
		count[i] += count[i-1]
	}
	perm = make([]uint32, n)
	for i := 0; i < n; i++ {
		k := key(uint32(i))
		perm[count[k]] = uint32(i)
		count[k]++
	}
	for i := 0; i < n; {
		j, k := i+1, key(perm[i])
		for j < n && key(perm[j]) == k {
			j++
		}
		if j-i >= 2 {
			runs = append(runs, i, j)
		}
		i = j
	}
	return perm, runs
}

// shareChild reports whether rows a and b of a round share a row of the round
// before, which means their subtrees share leaves.
func shareChild(link []uint32, a, b uint32) bool {
	a0, a1 := link[2*a], link[2*a+1]
	b0, b1 := link[2*b], link[2*b+1]
	return a0 == b0 || a0 == b1 || a1 == b0 || a1 == b1
}

// assemble expands the final pair (a, b) of round K-1 into leaf indices,
// putting the subtree with the lower first index on the left at every level
// (the order Verify requires), and returns the packed solution if it verifies.
func (s *shape) assemble(input []byte, links [][]uint32, a, b uint32) []byte {
	indices := make([]uint32, 0, s.numIndices)
	indices = s.leaves(links, len(links), a, indices)
	indices = s.leaves(links, len(links), b, indices)
	orderSubtrees(indices, len(indices))
	sol := make([]byte, s.solutionSize)
	s.packIndices(indices, sol)
	if s.verify(input, sol) != nil {
		return nil // shared leaves deeper than shareChild sees
	}
	return sol
}

// leaves appends the leaf indices of row i of round r.
func (s *shape) leaves(links [][]uint32, r int, i uint32, dst []uint32) []uint32 {
	if r == 0 {
		return append(dst, i)
	}
	dst = s.leaves(links, r-1, links[r-1][2*i], dst)
	return s.leaves(links, r-1, links[r-1][2*i+1], dst)
}

// orderSubtrees swaps, bottom-up, every pair of sibling subtrees whose right
// list sorts before its left one.
func orderSubtrees(indices []uint32, n int) {
	var tmp [maxIndices]uint32
	for width := 1; width < n; width *= 2 {
		for a := 0; a < n; a += 2 * width {
			l, r := indices[a:a+width], indices[a+width:a+2*width]
			if listBefore(r, l) {
				copy(tmp[:width], l)
				copy(l, r)
				copy(r, tmp[:width])
			}
		}
	}
}
