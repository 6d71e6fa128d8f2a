package wire

import (
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
)

const (
	// MaxAddrPerMessage is the most addresses one addr message may carry
	// (MAX_ADDR_TO_SEND in RunOnFlux/fluxd src/net.h; ProcessMessage "addr"
	// penalises a peer that sends more).
	MaxAddrPerMessage = 1000
	// maxAddrPayload: CompactSize(1000) is 3 bytes.
	maxAddrPayload = 3 + MaxAddrPerMessage*TimedNetAddressSize
)

// MsgAddr carries peer addresses with their last-seen time.
type MsgAddr struct {
	AddrList []TimedNetAddress
}

// Command returns "addr".
func (m *MsgAddr) Command() string { return CmdAddr }

// MaxPayload is MaxAddrPerMessage addresses.
func (m *MsgAddr) MaxPayload() int { return maxAddrPayload }

// Decode reads the address list.
func (m *MsgAddr) Decode(r *codec.Reader) error {
	n, err := r.Count("addr.count", MaxAddrPerMessage, TimedNetAddressSize)
	if err != nil {
		return err
	}
	m.AddrList = nil
	if n == 0 {
		return nil
	}
	m.AddrList = make([]TimedNetAddress, n)
	for i := range m.AddrList {
		if err := m.AddrList[i].decode(r, "addr.entry"); err != nil {
			return withIndex(err, "addr", i)
		}
	}
	return nil
}

// Encode appends the address list.
func (m *MsgAddr) Encode(w *codec.Writer) {
	w.CompactSize(uint64(len(m.AddrList)))
	for i := range m.AddrList {
		m.AddrList[i].encode(w)
	}
}
