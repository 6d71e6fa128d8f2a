package chains

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"

	"github.com/fluxbridge/fluxbridge/fault"
)

// FluxAddrLen is the length of a decoded FLUX transparent address: a 2-byte
// version prefix (t1… P2PKH, t3… P2SH on mainnet) and a 20-byte hash. It is
// what a burn names and what a reserve spend pays (Payout.To).
const FluxAddrLen = 22

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// ParseFluxAddress decodes a FLUX transparent address (Base58Check of the
// 2-byte prefix and the 20-byte hash) into its 22 bytes. It checks the
// encoding and the checksum, not the prefix: the caller knows its network's
// prefixes. Every error is a fault.Invalid.
func ParseFluxAddress(s string) ([]byte, error) {
	const op = "chains.ParseFluxAddress"
	if len(s) == 0 || len(s) > 64 {
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("%s is not a FLUX address", quote(s)))
	}
	n := new(big.Int)
	for i := 0; i < len(s); i++ {
		d := bytes.IndexByte([]byte(base58Alphabet), s[i])
		if d < 0 {
			return nil, fault.E(op, fault.Invalid, fmt.Errorf("%s: %q at offset %d is not a base58 digit", quote(s), s[i], i))
		}
		n.Mul(n, big.NewInt(58)).Add(n, big.NewInt(int64(d)))
	}
	raw := n.Bytes()
	for i := 0; i < len(s) && s[i] == '1'; i++ {
		raw = append([]byte{0}, raw...)
	}
	if len(raw) != FluxAddrLen+4 {
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("%s decodes to %d bytes, want %d", quote(s), len(raw), FluxAddrLen+4))
	}
	body, sum := raw[:FluxAddrLen], raw[FluxAddrLen:]
	h := sha256.Sum256(body)
	h = sha256.Sum256(h[:])
	if !bytes.Equal(h[:4], sum) {
		return nil, fault.E(op, fault.Invalid, errors.New(quote(s)+" has a bad checksum"))
	}
	return body, nil
}
