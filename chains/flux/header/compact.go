package header

import (
	"math/big"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
)

// fluxd does its target arithmetic on arith_uint256: unsigned 256-bit
// integers whose additions, multiplications and left shifts wrap modulo
// 2^256. The helpers below reproduce that on big.Int by reducing after every
// operation that can grow a value; divisions truncate as in C++.

var (
	two256  = new(big.Int).Lsh(big.NewInt(1), 256)
	mask256 = new(big.Int).Sub(two256, big.NewInt(1))
	bigOne  = big.NewInt(1)
	ponWork = new(big.Int).Lsh(big.NewInt(1), 40)
)

// wrap reduces x modulo 2^256 in place and returns it.
func wrap(x *big.Int) *big.Int {
	if x.Sign() < 0 || x.BitLen() > 256 {
		x.And(x, mask256)
	}
	return x
}

// mulU32 returns x * uint32(m) mod 2^256 (arith_uint256 operator*=(uint32_t)).
func mulU32(x *big.Int, m uint32) *big.Int {
	return wrap(new(big.Int).Mul(x, new(big.Int).SetUint64(uint64(m))))
}

// mulU64 returns x * m mod 2^256 where m is an int64 converted to the
// arith_uint256(uint64_t) constructor (a negative m wraps to 2^64 + m).
func mulU64(x *big.Int, m int64) *big.Int {
	return wrap(new(big.Int).Mul(x, new(big.Int).SetUint64(uint64(m))))
}

// divU64 returns x / m (truncating) where m is an int64 converted to
// arith_uint256 via uint64; ok is false for a zero divisor (C++ throws).
func divU64(x *big.Int, m int64) (q *big.Int, ok bool) {
	if m == 0 {
		return nil, false
	}
	return new(big.Int).Quo(x, new(big.Int).SetUint64(uint64(m))), true
}

// CompactToBig decodes a compact target ("nBits") exactly as fluxd's
// arith_uint256::SetCompact does. The mantissa is the low 23 bits; 0x00800000
// is a sign bit that is not part of the value; the exponent is the top byte.
// t is the unsigned value SetCompact stores (bits shifted past 2^256 are lost);
// negative reports the sign bit with a non-zero mantissa, and overflow a value
// that does not fit in 256 bits. t is never nil.
func CompactToBig(bits uint32) (t *big.Int, negative, overflow bool) {
	size := bits >> 24
	word := bits & 0x007fffff
	if size <= 3 {
		word >>= 8 * (3 - size)
		t = new(big.Int).SetUint64(uint64(word))
	} else {
		t = wrap(new(big.Int).Lsh(new(big.Int).SetUint64(uint64(word)), uint(8*(size-3))))
	}
	negative = word != 0 && bits&0x00800000 != 0
	overflow = word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32))
	return t, negative, overflow
}

// BigToCompact encodes x as a compact target exactly as fluxd's
// arith_uint256::GetCompact(false) does: the three most significant bytes
// become the mantissa, and if its top bit would read as the sign bit the
// mantissa is shifted right one byte and the exponent increased. x is taken
// modulo 2^256 first, as an assignment to arith_uint256 would; nil is zero.
func BigToCompact(x *big.Int) uint32 {
	if x == nil {
		return 0
	}
	v := x
	if x.Sign() < 0 || x.BitLen() > 256 {
		v = wrap(new(big.Int).Set(x))
	}
	size := uint32((v.BitLen() + 7) / 8)
	var compact uint32
	if size <= 3 {
		compact = uint32(v.Uint64() << (8 * (3 - size)))
	} else {
		compact = uint32(new(big.Int).Rsh(v, uint(8*(size-3))).Uint64())
	}
	if compact&0x00800000 != 0 {
		compact >>= 8
		size++
	}
	return compact | size<<24
}

// hashToBig interprets a hash as fluxd's UintToArith256 does: a little-endian
// 256-bit integer, so internal byte 31 is the most significant.
func hashToBig(h chainhash.Hash) *big.Int {
	var be [32]byte
	for i := range h {
		be[i] = h[31-i]
	}
	return new(big.Int).SetBytes(be[:])
}

// checkTargetRange decodes bits and applies the range rule shared by
// CheckProofOfWork and CheckProofOfNode: not negative, not zero, no overflow,
// not above limit.
func checkTargetRange(bits uint32, limit *big.Int, what string) (*big.Int, error) {
	t, neg, over := CompactToBig(bits)
	switch {
	case neg:
		return nil, ruleErr(ErrBadBits, "%s nBits %#08x is negative", what, bits)
	case t.Sign() == 0:
		return nil, ruleErr(ErrBadBits, "%s nBits %#08x is zero", what, bits)
	case over:
		return nil, ruleErr(ErrBadBits, "%s nBits %#08x overflows 256 bits", what, bits)
	case t.Cmp(limit) > 0:
		return nil, ruleErr(ErrBadBits, "%s nBits %#08x is above the limit %#08x", what, bits, BigToCompact(limit))
	}
	return t, nil
}
