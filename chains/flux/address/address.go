// Package address encodes and decodes FLUX transparent addresses (t1/t3 on
// mainnet, tm/t2 on testnet and regtest) and WIF private keys, with its own
// Base58 and Base58Check implementation (RunOnFlux/fluxd src/base58.cpp,
// src/key_io.cpp). Network prefixes come from *params.Params.
package address

import (
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
)

// Kind is the type of a transparent address.
type Kind uint8

// Address kinds.
const (
	// P2PKH pays to the HASH160 of a public key (t1… on mainnet).
	P2PKH Kind = iota + 1
	// P2SH pays to the HASH160 of a redeem script (t3… on mainnet).
	P2SH
)

// String returns "p2pkh" or "p2sh".
func (k Kind) String() string {
	switch k {
	case P2PKH:
		return "p2pkh"
	case P2SH:
		return "p2sh"
	}
	return "invalid"
}

// PrefixSize is the length of a FLUX address version prefix.
const PrefixSize = 2

// PayloadSize is the length of a decoded address payload: prefix ‖ hash.
const PayloadSize = PrefixSize + 20

// Address is a transparent FLUX address: its kind and 20-byte hash. It does
// not carry a network; the network is chosen when encoding or decoding.
type Address struct {
	Kind Kind
	Hash [20]byte
}

// prefix returns the version prefix of kind k on network p.
func (k Kind) prefix(p *params.Params) ([2]byte, bool) {
	switch k {
	case P2PKH:
		return p.PubKeyHashPrefix, true
	case P2SH:
		return p.ScriptHashPrefix, true
	}
	return [2]byte{}, false
}

// Payload returns the 22-byte decoded form prefix ‖ hash on network p (the
// bytes22 fluxAddr of the EVM burn format). It panics on an Address without a
// valid Kind, which Decode and FromScript never return.
func (a Address) Payload(p *params.Params) [PayloadSize]byte {
	pre, ok := a.Kind.prefix(p)
	if !ok {
		panic("address: Payload of an Address without a kind")
	}
	var out [PayloadSize]byte
	copy(out[:PrefixSize], pre[:])
	copy(out[PrefixSize:], a.Hash[:])
	return out
}

// Encode returns the Base58Check string of a on network p.
func (a Address) Encode(p *params.Params) string {
	pl := a.Payload(p)
	return CheckEncode(pl[:])
}

// String is Encode; it exists so an Address reads naturally in callers that
// already hold the network.
func (a Address) String(p *params.Params) string { return a.Encode(p) }

// Script returns the scriptPubKey that pays to a.
func (a Address) Script() []byte {
	if a.Kind == P2SH {
		return script.P2SH(a.Hash)
	}
	if a.Kind == P2PKH {
		return script.P2PKH(a.Hash)
	}
	return nil
}

// FromScript returns the address a scriptPubKey pays to, if it is exactly a
// P2PKH or P2SH script.
func FromScript(scriptPubKey []byte) (Address, bool) {
	h, c, ok := script.ExtractHash(scriptPubKey)
	if !ok {
		return Address{}, false
	}
	if c == script.ClassP2SH {
		return Address{Kind: P2SH, Hash: h}, true
	}
	return Address{Kind: P2PKH, Hash: h}, true
}

// Decode parses a Base58Check address of network p. A valid address of
// another FLUX network fails with ErrWrongNetwork; any other prefix with
// ErrUnknownPrefix. Testnet, regtest and simnet share prefixes, so their
// addresses decode on each other.
func Decode(s string, p *params.Params) (Address, error) {
	payload, err := CheckDecode(s)
	if err != nil {
		return Address{}, err
	}
	return FromPayload(payload, p)
}

// FromPayload parses the 22-byte decoded form prefix ‖ hash of network p.
func FromPayload(payload []byte, p *params.Params) (Address, error) {
	if len(payload) != PayloadSize {
		return Address{}, errorf(CodeBadLength, "payload of %d bytes, want %d", len(payload), PayloadSize)
	}
	var a Address
	copy(a.Hash[:], payload[PrefixSize:])
	pre := [2]byte{payload[0], payload[1]}
	switch pre {
	case p.PubKeyHashPrefix:
		a.Kind = P2PKH
		return a, nil
	case p.ScriptHashPrefix:
		a.Kind = P2SH
		return a, nil
	}
	for _, other := range params.Networks {
		if pre == other.PubKeyHashPrefix || pre == other.ScriptHashPrefix {
			return Address{}, errorf(CodeWrongNetwork, "prefix %x is a %s address, not %s", pre[:], other.Name, p.Name)
		}
	}
	return Address{}, errorf(CodeUnknownPrefix, "prefix %x", pre[:])
}
