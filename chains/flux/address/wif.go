package address

import (
	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// PrivateKeySize is the length of a secp256k1 secret.
const PrivateKeySize = 32

// compressedFlag follows the secret in a WIF for a compressed public key.
const compressedFlag = 0x01

// EncodeWIF returns the WIF string of a 32-byte secret on network p:
// Base58Check(prefix ‖ secret [‖ 0x01 if compressed]). It panics if priv is
// not 32 bytes.
func EncodeWIF(priv []byte, compressed bool, p *params.Params) string {
	if len(priv) != PrivateKeySize {
		panic("address: EncodeWIF needs a 32-byte secret")
	}
	b := make([]byte, 0, 1+PrivateKeySize+1)
	b = append(b, p.WIFPrefix)
	b = append(b, priv...)
	if compressed {
		b = append(b, compressedFlag)
	}
	return CheckEncode(b)
}

// DecodeWIF parses a WIF private key of network p (fluxd DecodeSecret): a
// 33-byte payload (uncompressed) or a 34-byte payload ending in 0x01
// (compressed), whose secret is in [1, n-1].
func DecodeWIF(s string, p *params.Params) (priv []byte, compressed bool, err error) {
	b, err := CheckDecode(s)
	if err != nil {
		return nil, false, err
	}
	switch len(b) {
	case 1 + PrivateKeySize:
	case 1 + PrivateKeySize + 1:
		if b[len(b)-1] != compressedFlag {
			return nil, false, errorf(CodeWIFFlag, "flag byte %#02x, want 0x01", b[len(b)-1])
		}
		compressed = true
	default:
		return nil, false, errorf(CodeBadLength, "WIF payload of %d bytes, want 33 or 34", len(b))
	}
	if b[0] != p.WIFPrefix {
		for _, other := range params.Networks {
			if b[0] == other.WIFPrefix {
				return nil, false, errorf(CodeWrongNetwork, "WIF prefix %#02x is %s, not %s", b[0], other.Name, p.Name)
			}
		}
		return nil, false, errorf(CodeUnknownPrefix, "WIF prefix %#02x", b[0])
	}
	var k secp256k1.ModNScalar
	if overflow := k.SetByteSlice(b[1 : 1+PrivateKeySize]); overflow || k.IsZero() {
		return nil, false, errorf(CodeWIFKey, "secret is zero or not below the group order")
	}
	priv = make([]byte, PrivateKeySize)
	copy(priv, b[1:1+PrivateKeySize])
	return priv, compressed, nil
}
