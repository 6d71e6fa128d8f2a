// Package blake2b is BLAKE2b (RFC 7693) with the parameter block's
// personalization field, which golang.org/x/crypto/blake2b does not expose.
// Equihash ("ZcashPoW", "ZelProof" + LE n + LE k) and the ZIP-143/243
// signature hashes ("ZcashSigHash" + LE branch id, …) need it.
//
// Only the unkeyed, unsalted, sequential mode is implemented: that is all FLUX uses.
package blake2b

import (
	"encoding/binary"
	"math/bits"
)

const (
	// BlockSize is the BLAKE2b block size in bytes.
	BlockSize = 128
	// MaxSize is the longest digest BLAKE2b produces.
	MaxSize = 64
	// PersonalizationSize is the length of the personalization field.
	PersonalizationSize = 16
)

var iv = [8]uint64{
	0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
	0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
}

var sigma = [12][16]byte{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
	{11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
	{7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
	{9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
	{2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
	{12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
	{13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
	{6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
	{10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
}

// Digest is a BLAKE2b hash state. The zero value is not usable; call New.
// A Digest is a plain value: copying it clones the state (Equihash relies on this).
type Digest struct {
	h      [8]uint64
	t      [2]uint64
	buf    [BlockSize]byte
	n      int // bytes in buf
	size   int
	person [PersonalizationSize]byte
}

// New returns a Digest producing size bytes (1..64) with the given personalization
// (at most 16 bytes; shorter ones are zero-padded). It panics on a size out of
// range or a longer personalization: both are programming errors, never input.
func New(size int, person []byte) *Digest {
	if size < 1 || size > MaxSize {
		panic("blake2b: digest size out of range")
	}
	if len(person) > PersonalizationSize {
		panic("blake2b: personalization longer than 16 bytes")
	}
	d := &Digest{size: size}
	copy(d.person[:], person)
	d.Reset()
	return d
}

// Reset returns the digest to its initial state, keeping size and personalization.
func (d *Digest) Reset() {
	d.h = iv
	// Parameter block word 0: digest length, key length 0, fanout 1, depth 1.
	d.h[0] ^= uint64(d.size) | 1<<16 | 1<<24
	// Words 6 and 7: the personalization.
	d.h[6] ^= binary.LittleEndian.Uint64(d.person[0:8])
	d.h[7] ^= binary.LittleEndian.Uint64(d.person[8:16])
	d.t = [2]uint64{}
	d.n = 0
}

// Size returns the digest length in bytes.
func (d *Digest) Size() int { return d.size }

// BlockSize returns the block size in bytes.
func (d *Digest) BlockSize() int { return BlockSize }

// Write absorbs p. It never fails.
func (d *Digest) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		// The last block is compressed only in Sum, so keep a full buffer until more arrives.
		if d.n == BlockSize {
			d.incr(BlockSize)
			compress(&d.h, d.t, &d.buf, false)
			d.n = 0
		}
		c := copy(d.buf[d.n:], p)
		d.n += c
		p = p[c:]
	}
	return n, nil
}

// Sum appends the digest of everything written so far to b; the state is unchanged.
func (d *Digest) Sum(b []byte) []byte {
	c := *d
	c.incr(uint64(c.n))
	for i := c.n; i < BlockSize; i++ {
		c.buf[i] = 0
	}
	compress(&c.h, c.t, &c.buf, true)
	var out [MaxSize]byte
	for i, w := range c.h {
		binary.LittleEndian.PutUint64(out[8*i:], w)
	}
	return append(b, out[:c.size]...)
}

// Sum256 returns the 32-byte digest of data under person.
func Sum256(person []byte, data ...[]byte) [32]byte {
	d := New(32, person)
	for _, p := range data {
		d.Write(p)
	}
	var out [32]byte
	d.Sum(out[:0])
	return out
}

func (d *Digest) incr(n uint64) {
	d.t[0] += n
	if d.t[0] < n {
		d.t[1]++
	}
}

func compress(h *[8]uint64, t [2]uint64, block *[BlockSize]byte, last bool) {
	var m [16]uint64
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(block[8*i:])
	}
	v0, v1, v2, v3, v4, v5, v6, v7 := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]
	v8, v9, v10, v11 := iv[0], iv[1], iv[2], iv[3]
	v12, v13, v14, v15 := iv[4]^t[0], iv[5]^t[1], iv[6], iv[7]
	if last {
		v14 = ^v14
	}
	// The state lives in locals so the compiler keeps it in registers; each
	// round is the column step then the diagonal step of RFC 7693's G.
	for r := 0; r < 12; r++ {
		s := &sigma[r]

		v0 += v4 + m[s[0]]
		v12 = bits.RotateLeft64(v12^v0, -32)
		v8 += v12
		v4 = bits.RotateLeft64(v4^v8, -24)
		v0 += v4 + m[s[1]]
		v12 = bits.RotateLeft64(v12^v0, -16)
		v8 += v12
		v4 = bits.RotateLeft64(v4^v8, -63)

		v1 += v5 + m[s[2]]
		v13 = bits.RotateLeft64(v13^v1, -32)
		v9 += v13
		v5 = bits.RotateLeft64(v5^v9, -24)
		v1 += v5 + m[s[3]]
		v13 = bits.RotateLeft64(v13^v1, -16)
		v9 += v13
		v5 = bits.RotateLeft64(v5^v9, -63)

		v2 += v6 + m[s[4]]
		v14 = bits.RotateLeft64(v14^v2, -32)
		v10 += v14
		v6 = bits.RotateLeft64(v6^v10, -24)
		v2 += v6 + m[s[5]]
		v14 = bits.RotateLeft64(v14^v2, -16)
		v10 += v14
		v6 = bits.RotateLeft64(v6^v10, -63)

		v3 += v7 + m[s[6]]
		v15 = bits.RotateLeft64(v15^v3, -32)
		v11 += v15
		v7 = bits.RotateLeft64(v7^v11, -24)
		v3 += v7 + m[s[7]]
		v15 = bits.RotateLeft64(v15^v3, -16)
		v11 += v15
		v7 = bits.RotateLeft64(v7^v11, -63)

		v0 += v5 + m[s[8]]
		v15 = bits.RotateLeft64(v15^v0, -32)
		v10 += v15
		v5 = bits.RotateLeft64(v5^v10, -24)
		v0 += v5 + m[s[9]]
		v15 = bits.RotateLeft64(v15^v0, -16)
		v10 += v15
		v5 = bits.RotateLeft64(v5^v10, -63)

		v1 += v6 + m[s[10]]
		v12 = bits.RotateLeft64(v12^v1, -32)
		v11 += v12
		v6 = bits.RotateLeft64(v6^v11, -24)
		v1 += v6 + m[s[11]]
		v12 = bits.RotateLeft64(v12^v1, -16)
		v11 += v12
		v6 = bits.RotateLeft64(v6^v11, -63)

		v2 += v7 + m[s[12]]
		v13 = bits.RotateLeft64(v13^v2, -32)
		v8 += v13
		v7 = bits.RotateLeft64(v7^v8, -24)
		v2 += v7 + m[s[13]]
		v13 = bits.RotateLeft64(v13^v2, -16)
		v8 += v13
		v7 = bits.RotateLeft64(v7^v8, -63)

		v3 += v4 + m[s[14]]
		v14 = bits.RotateLeft64(v14^v3, -32)
		v9 += v14
		v4 = bits.RotateLeft64(v4^v9, -24)
		v3 += v4 + m[s[15]]
		v14 = bits.RotateLeft64(v14^v3, -16)
		v9 += v14
		v4 = bits.RotateLeft64(v4^v9, -63)
	}
	h[0] ^= v0 ^ v8
	h[1] ^= v1 ^ v9
	h[2] ^= v2 ^ v10
	h[3] ^= v3 ^ v11
	h[4] ^= v4 ^ v12
	h[5] ^= v5 ^ v13
	h[6] ^= v6 ^ v14
	h[7] ^= v7 ^ v15
}
