package header

import (
	"math/big"
	"testing"
)

func hexBig(t *testing.T, s string) *big.Int {
	t.Helper()
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("bad hex %q", s)
	}
	return v
}

// TestCompactToBigMatchesArithUint256 uses the SetCompact table of Bitcoin's
// src/test/arith_uint256_tests.cpp (bignum_SetCompact), plus FLUX limits.
// compact is GetCompact(false) of the decoded value.
func TestCompactToBigMatchesArithUint256(t *testing.T) {
	tests := []struct {
		bits     uint32
		value    string // hex
		compact  uint32
		negative bool
		overflow bool
	}{
		{0x00000000, "0", 0, false, false},
		{0x00123456, "0", 0, false, false},
		{0x01003456, "0", 0, false, false},
		{0x02000056, "0", 0, false, false},
		{0x03000000, "0", 0, false, false},
		{0x04000000, "0", 0, false, false},
		{0x00923456, "0", 0, false, false},
		{0x01803456, "0", 0, false, false},
		{0x02800056, "0", 0, false, false},
		{0x03800000, "0", 0, false, false},
		{0x04800000, "0", 0, false, false},
		{0x01123456, "12", 0x01120000, false, false},
		{0x01fedcba, "7e", 0x017e0000, true, false},
		{0x02123456, "1234", 0x02123400, false, false},
		{0x03123456, "123456", 0x03123456, false, false},
		{0x04123456, "12345600", 0x04123456, false, false},
		{0x04923456, "12345600", 0x04123456, true, false},
		{0x05009234, "92340000", 0x05009234, false, false},
		{0x20123456, "1234560000000000000000000000000000000000000000000000000000000000", 0x20123456, false, false},
		{0xff123456, "0", 0, false, true},
		// SetCompact flags overflow on these even where the shifted value fits or wraps.
		{0x21000100, "01" + zeros(62), 0x20010000, false, false},
		{0x22000100, "0", 0, false, true},
		{0x2200ffff, "ff" + zeros(62), 0x2100ff00, false, true},
		// FLUX limits (flux-chain.md §1.1).
		{0x1f07ffff, "7ffff" + zeros(56), 0x1f07ffff, false, false},
		{0x200fffff, "fffff" + zeros(58), 0x200fffff, false, false},
		{0x1f0bffff, "bffff" + zeros(56), 0x1f0bffff, false, false},
	}
	for _, tc := range tests {
		got, neg, over := CompactToBig(tc.bits)
		if want := hexBig(t, tc.value); got.Cmp(want) != 0 {
			t.Errorf("CompactToBig(%#08x) = %x, want %x", tc.bits, got, want)
		}
		if neg != tc.negative || over != tc.overflow {
			t.Errorf("CompactToBig(%#08x) negative=%v overflow=%v, want %v %v", tc.bits, neg, over, tc.negative, tc.overflow)
		}
		if c := BigToCompact(got); c != tc.compact {
			t.Errorf("BigToCompact(CompactToBig(%#08x)) = %#08x, want %#08x", tc.bits, c, tc.compact)
		}
	}
}

func zeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}

// TestCompactOverflowBoundaries checks the three overflow clauses of SetCompact
// one step either side of each boundary, and that a value that does not
// overflow is exactly mantissa << 8*(size-3).
func TestCompactOverflowBoundaries(t *testing.T) {
	tests := []struct {
		bits     uint32
		overflow bool
	}{
		{0x220000ff, false}, {0x22000100, true}, // word > 0xff && size > 33
		{0x2100ffff, false}, {0x21010000, true}, // word > 0xffff && size > 32
		{0x20ffffff &^ 0x00800000, false},       // size 32 never overflows
		{0x22000001, false}, {0x23000001, true}, // size > 34
		{0x23000000, false}, // zero mantissa never overflows
	}
	for _, tc := range tests {
		v, _, over := CompactToBig(tc.bits)
		if over != tc.overflow {
			t.Errorf("CompactToBig(%#08x) overflow = %v, want %v", tc.bits, over, tc.overflow)
		}
		if !over {
			size := tc.bits >> 24
			want := new(big.Int).Lsh(big.NewInt(int64(tc.bits&0x7fffff)), uint(8*(size-3)))
			if v.Cmp(want) != 0 || v.BitLen() > 256 {
				t.Errorf("CompactToBig(%#08x) = %x, want %x", tc.bits, v, want)
			}
		}
	}
}

// TestBigToCompactMatchesGetCompact checks GetCompact's rounding and its
// sign-bit adjustment (Bitcoin's arith_uint256 GetCompact cases).
func TestBigToCompactMatchesGetCompact(t *testing.T) {
	tests := []struct {
		value string
		want  uint32
	}{
		{"0", 0x00000000},
		{"1", 0x01010000},
		{"7f", 0x017f0000},
		{"80", 0x02008000}, // top mantissa bit would read as sign: shift and bump the size
		{"ff", 0x0200ff00},
		{"8000", 0x03008000},
		{"7fffff", 0x037fffff},
		{"800000", 0x04008000},
		{"123456789a", 0x05123456}, // low bytes truncated, never rounded up
		{"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 0x2100ffff},
		{"0007ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 0x1f07ffff},
	}
	for _, tc := range tests {
		if got := BigToCompact(hexBig(t, tc.value)); got != tc.want {
			t.Errorf("BigToCompact(%s) = %#08x, want %#08x", tc.value, got, tc.want)
		}
	}
	if got := BigToCompact(nil); got != 0 {
		t.Errorf("BigToCompact(nil) = %#08x, want 0", got)
	}
	// Values outside [0, 2^256) are reduced modulo 2^256, as an arith_uint256 assignment.
	big257 := new(big.Int).Lsh(big.NewInt(1), 256)
	big257.Add(big257, big.NewInt(0x80))
	if got := BigToCompact(big257); got != 0x02008000 {
		t.Errorf("BigToCompact(2^256+0x80) = %#08x, want 0x02008000", got)
	}
}
