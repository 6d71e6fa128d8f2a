package address

import (
	"bytes"
	"crypto/sha256"
)

// alphabet is Bitcoin's Base58 alphabet (RunOnFlux/fluxd src/base58.cpp).
const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// MaxBase58Len bounds the strings Base58Decode accepts. FLUX addresses are
// 35 characters and WIF keys 51 or 52; the bound keeps decoding (quadratic
// in the length) cheap on hostile input.
const MaxBase58Len = 128

// ChecksumSize is the length of a Base58Check checksum.
const ChecksumSize = 4

var decodeTable = func() [256]int8 {
	var t [256]int8
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = int8(i)
	}
	return t
}()

// Base58Encode encodes b in Base58; each leading zero byte becomes a '1'.
func Base58Encode(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	// log(256)/log(58) ≈ 1.366; big-endian base-58 digits.
	digits := make([]byte, (len(b)-zeros)*138/100+1)
	n := 0
	for _, c := range b[zeros:] {
		carry := int(c)
		for i := 0; i < n || carry != 0; i++ {
			carry += 256 * int(digits[i])
			digits[i] = byte(carry % 58)
			carry /= 58
			if i >= n {
				n = i + 1
			}
		}
	}
	out := make([]byte, zeros+n)
	for i := 0; i < zeros; i++ {
		out[i] = '1'
	}
	for i := 0; i < n; i++ {
		out[zeros+i] = alphabet[digits[n-1-i]]
	}
	return string(out)
}

// Base58Decode decodes a Base58 string of at most MaxBase58Len characters;
// each leading '1' becomes a zero byte. Unlike fluxd it does not skip
// surrounding whitespace, so every accepted string re-encodes to itself.
func Base58Decode(s string) ([]byte, error) {
	if len(s) > MaxBase58Len {
		return nil, errorf(CodeBadLength, "%d characters, max %d", len(s), MaxBase58Len)
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	// log(58)/log(256) ≈ 0.733; little-endian base-256 digits.
	digits := make([]byte, (len(s)-zeros)*733/1000+1)
	n := 0
	for i := zeros; i < len(s); i++ {
		v := decodeTable[s[i]]
		if v < 0 {
			return nil, errorf(CodeBadChar, "character %q at %d", s[i], i)
		}
		carry := int(v)
		for j := 0; j < n || carry != 0; j++ {
			carry += 58 * int(digits[j])
			digits[j] = byte(carry)
			carry >>= 8
			if j >= n {
				n = j + 1
			}
		}
	}
	out := make([]byte, zeros+n)
	for i := 0; i < n; i++ {
		out[zeros+i] = digits[n-1-i]
	}
	return out, nil
}

func checksum(b []byte) [ChecksumSize]byte {
	h1 := sha256.Sum256(b)
	h2 := sha256.Sum256(h1[:])
	var c [ChecksumSize]byte
	copy(c[:], h2[:ChecksumSize])
	return c
}

// CheckEncode returns Base58(payload ‖ first 4 bytes of SHA256d(payload)).
func CheckEncode(payload []byte) string {
	c := checksum(payload)
	buf := make([]byte, 0, len(payload)+ChecksumSize)
	return Base58Encode(append(append(buf, payload...), c[:]...))
}

// CheckDecode decodes a Base58Check string and returns its payload (version
// prefix included) after verifying the checksum.
func CheckDecode(s string) ([]byte, error) {
	b, err := Base58Decode(s)
	if err != nil {
		return nil, err
	}
	if len(b) < ChecksumSize {
		return nil, errorf(CodeBadLength, "%d bytes, shorter than a checksum", len(b))
	}
	payload, sum := b[:len(b)-ChecksumSize], b[len(b)-ChecksumSize:]
	if c := checksum(payload); !bytes.Equal(c[:], sum) {
		return nil, errorf(CodeBadChecksum, "checksum %x, want %x", sum, c)
	}
	return payload, nil
}
