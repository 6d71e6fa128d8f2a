package wire

import (
	"errors"
	"fmt"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
)

// Headers-first sync limits.
const (
	// MaxHeadersPerMessage is the most headers one headers message may carry
	// (MAX_HEADERS_RESULTS in RunOnFlux/fluxd src/main.h). fluxd scores 20
	// misbehaviour points for more; a client asks again after exactly 160.
	MaxHeadersPerMessage = 160
	// MaxLocatorHashes is the most hashes a getheaders locator may carry.
	// fluxd has no such limit (it reads the locator unbounded, within the
	// message cap); this is Bitcoin Core's MAX_LOCATOR_SZ (101). fluxd's own
	// locators hold about 10 + log2(height) hashes, about 32 on mainnet.
	MaxLocatorHashes = 101
	// minHeaderSize is the shortest encodable header: the PoW header with an
	// empty solution (EquihashInputSize + 1-byte CompactSize); a PoN header
	// with an empty signature is 145 bytes.
	minHeaderSize = EquihashInputSize + 1
	// maxHeadersPayload: CompactSize(160) is one byte; every header is
	// followed by the one-byte tx count 0.
	maxHeadersPayload = 1 + MaxHeadersPerMessage*(MaxHeaderSize+1)
	// maxGetHeadersPayload: version, CompactSize(101), locator, hash stop.
	maxGetHeadersPayload = 4 + 1 + MaxLocatorHashes*chainhash.Size + chainhash.Size
)

// MsgGetHeaders asks for the headers that follow the first locator hash the
// peer knows, up to HashStop (zero: as many as the peer sends, 160).
//
// Version is the serialization version fluxd writes in front of a
// CBlockLocator (its PROTOCOL_VERSION); receivers ignore it.
type MsgGetHeaders struct {
	Version  uint32
	Locator  []chainhash.Hash
	HashStop chainhash.Hash
}

// Command returns "getheaders".
func (m *MsgGetHeaders) Command() string { return CmdGetHeaders }

// MaxPayload is a getheaders with MaxLocatorHashes hashes.
func (m *MsgGetHeaders) MaxPayload() int { return maxGetHeadersPayload }

// Decode reads version, locator and hash stop.
func (m *MsgGetHeaders) Decode(r *codec.Reader) error {
	var err error
	if m.Version, err = r.Uint32("getheaders.version"); err != nil {
		return err
	}
	n, err := r.Count("getheaders.locator.count", MaxLocatorHashes, chainhash.Size)
	if err != nil {
		return err
	}
	m.Locator = nil
	if n > 0 {
		m.Locator = make([]chainhash.Hash, n)
		for i := range m.Locator {
			if m.Locator[i], err = r.Hash("getheaders.locator"); err != nil {
				return err
			}
		}
	}
	m.HashStop, err = r.Hash("getheaders.hash_stop")
	return err
}

// Encode appends version, locator and hash stop.
func (m *MsgGetHeaders) Encode(w *codec.Writer) {
	w.Uint32(m.Version)
	w.CompactSize(uint64(len(m.Locator)))
	for i := range m.Locator {
		w.Hash(m.Locator[i])
	}
	w.Hash(m.HashStop)
}

// MsgHeaders carries up to MaxHeadersPerMessage block headers in their full
// wire form (PoW with solution, PoN with signature). On the wire every header
// is followed by a CompactSize transaction count, which must be 0.
type MsgHeaders struct {
	Headers []*BlockHeader
}

// Command returns "headers".
func (m *MsgHeaders) Command() string { return CmdHeaders }

// MaxPayload is 160 of the longest headers ((200,9) PoW, 1487 bytes).
func (m *MsgHeaders) MaxPayload() int { return maxHeadersPayload }

// Decode reads the count (at most MaxHeadersPerMessage, checked before
// anything is allocated) and the headers. A non-zero transaction count is
// an ErrInvalid *codec.Error at field "headers.tx_count".
func (m *MsgHeaders) Decode(r *codec.Reader) error {
	n, err := r.Count("headers.count", MaxHeadersPerMessage, minHeaderSize+1)
	if err != nil {
		return err
	}
	m.Headers = nil
	if n == 0 {
		return nil
	}
	backing := make([]BlockHeader, n)
	m.Headers = make([]*BlockHeader, n)
	for i := range backing {
		h := &backing[i]
		if err := h.Decode(r); err != nil {
			return withIndex(err, "headers", i)
		}
		start := r.Offset()
		txs, err := r.CompactSize("headers.tx_count", codec.MaxCompactSize)
		if err != nil {
			return withIndex(err, "headers", i)
		}
		if txs != 0 {
			return withIndex(codec.Errorf("headers.tx_count", start, codec.ErrInvalid,
				"transaction count after a header is %d, must be 0", txs), "headers", i)
		}
		m.Headers[i] = h
	}
	return nil
}

// Encode appends the count and each header followed by a zero transaction count.
func (m *MsgHeaders) Encode(w *codec.Writer) {
	w.CompactSize(uint64(len(m.Headers)))
	for _, h := range m.Headers {
		h.Encode(w)
		w.Uint8(0)
	}
}

// withIndex adds the element index to the field of a *codec.Error, e.g.
// "headers[3]: header.solution", so a failure names the entry it is in.
func withIndex(err error, list string, i int) error {
	var ce *codec.Error
	if errors.As(err, &ce) {
		ce.Field = fmt.Sprintf("%s[%d]: %s", list, i, ce.Field)
	}
	return err
}
