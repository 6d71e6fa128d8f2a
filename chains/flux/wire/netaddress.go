package wire

import (
	"net/netip"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
)

// Address sizes (RunOnFlux/fluxd src/protocol.h CAddress, src/netbase.h CService).
const (
	// NetAddressSize is an address without timestamp, as in version:
	// services(8), IPv6 or IPv4-mapped address(16), port(2, big-endian).
	NetAddressSize = 8 + 16 + 2
	// TimedNetAddressSize is an address with its uint32 timestamp, as in addr.
	TimedNetAddressSize = 4 + NetAddressSize
)

// Service bits a node advertises (src/protocol.h). A light client advertises none.
const (
	// NodeNetwork: the node serves full blocks.
	NodeNetwork uint64 = 1 << 0
	// NodeBloom: the node serves BIP37 bloom-filtered connections.
	NodeBloom uint64 = 1 << 2
	// NodeBloomWithoutZN: bloom filtering without fluxnode messages.
	NodeBloomWithoutZN uint64 = 1 << 4
)

// NetAddress is a peer address without timestamp: the form used in version.
// IP holds 16 bytes: an IPv6 address or an IPv4-mapped one (::ffff:a.b.c.d).
type NetAddress struct {
	Services uint64
	IP       [16]byte
	Port     uint16
}

// NewNetAddress builds a NetAddress from an address and port; IPv4 addresses
// are stored IPv4-mapped.
func NewNetAddress(services uint64, ap netip.AddrPort) NetAddress {
	return NetAddress{Services: services, IP: ap.Addr().As16(), Port: ap.Port()}
}

// AddrPort returns the address and port, with IPv4-mapped addresses unmapped.
func (a NetAddress) AddrPort() netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom16(a.IP).Unmap(), a.Port)
}

func (a *NetAddress) decode(r *codec.Reader, field string) error {
	var err error
	if a.Services, err = r.Uint64(field + ".services"); err != nil {
		return err
	}
	if err = r.Fixed(a.IP[:], field+".ip"); err != nil {
		return err
	}
	a.Port, err = r.Uint16BE(field + ".port")
	return err
}

func (a *NetAddress) encode(w *codec.Writer) {
	w.Uint64(a.Services)
	w.Write(a.IP[:])
	w.Uint16BE(a.Port)
}

// TimedNetAddress is a peer address with the time it was last seen (unix
// seconds, uint32): the form used in addr.
type TimedNetAddress struct {
	Timestamp uint32
	NetAddress
}

func (a *TimedNetAddress) decode(r *codec.Reader, field string) error {
	var err error
	if a.Timestamp, err = r.Uint32(field + ".time"); err != nil {
		return err
	}
	return a.NetAddress.decode(r, field)
}

func (a *TimedNetAddress) encode(w *codec.Writer) {
	w.Uint32(a.Timestamp)
	a.NetAddress.encode(w)
}
