package peer

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// Heartbeat is the payload of KindHeartbeat: what a relayer tells its peers
// about itself every few seconds.
type Heartbeat struct {
	// Time is the sender's clock (millisecond precision).
	Time time.Time
	// FluxHeight and FluxHash are its light node's tip; FluxFinal and
	// FluxFinalHash its final block (depth D_L1). Hashes are in internal
	// byte order. A relayer compares a lock's block with them before signing
	// (DESIGN §4 rule 2): the final block lets it judge agreement below a
	// tip race.
	FluxHeight    uint64
	FluxHash      [32]byte
	FluxFinal     uint64
	FluxFinalHash [32]byte
	// Healthy is false while it refuses to sign; Paused when its operator paused it.
	Healthy, Paused bool
	// Pending is the number of transfers it has in flight.
	Pending uint32
}

const heartbeatVersion = 2

// heartbeatSize: version(1) ‖ ms(8) ‖ height(8) ‖ hash(32) ‖ final(8) ‖
// final hash(32) ‖ flags(1) ‖ pending(4).
const heartbeatSize = 1 + 8 + 8 + 32 + 8 + 32 + 1 + 4

// MarshalBinary encodes the heartbeat.
func (h Heartbeat) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, heartbeatSize)
	b = append(b, heartbeatVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(h.Time.UnixMilli()))
	b = binary.BigEndian.AppendUint64(b, h.FluxHeight)
	b = append(b, h.FluxHash[:]...)
	b = binary.BigEndian.AppendUint64(b, h.FluxFinal)
	b = append(b, h.FluxFinalHash[:]...)
	var flags byte
	if h.Healthy {
		flags |= 1
	}
	if h.Paused {
		flags |= 2
	}
	b = append(b, flags)
	return binary.BigEndian.AppendUint32(b, h.Pending), nil
}

// UnmarshalBinary decodes a heartbeat.
func (h *Heartbeat) UnmarshalBinary(b []byte) error {
	if len(b) != heartbeatSize || b[0] != heartbeatVersion || b[89]&^3 != 0 {
		return fault.E("peer.Heartbeat", fault.Invalid, fmt.Errorf("malformed heartbeat of %d bytes", len(b)))
	}
	*h = Heartbeat{Time: time.UnixMilli(int64(binary.BigEndian.Uint64(b[1:]))).UTC(), FluxHeight: binary.BigEndian.Uint64(b[9:]),
		FluxFinal: binary.BigEndian.Uint64(b[49:]), Healthy: b[89]&1 != 0, Paused: b[89]&2 != 0, Pending: binary.BigEndian.Uint32(b[90:])}
	copy(h.FluxHash[:], b[17:49])
	copy(h.FluxFinalHash[:], b[57:89])
	return nil
}

// ReobserveRequest is the payload of KindReobserveRequest: a relayer asks
// its peers to look at one transaction of a chain again.
type ReobserveRequest struct {
	Chain chains.ID
	TxID  string
}

// MaxTxID bounds a reobserve request's transaction id.
const MaxTxID = 128

const reobserveVersion = 1

// MarshalBinary encodes the request: version(1) ‖ chain(4) ‖ txid.
func (r ReobserveRequest) MarshalBinary() ([]byte, error) {
	if len(r.TxID) == 0 || len(r.TxID) > MaxTxID {
		return nil, fault.E("peer.ReobserveRequest", fault.Invalid, fmt.Errorf("txid of %d bytes", len(r.TxID)))
	}
	b := []byte{reobserveVersion}
	b = binary.BigEndian.AppendUint32(b, uint32(r.Chain))
	return append(b, r.TxID...), nil
}

// UnmarshalBinary decodes a request.
func (r *ReobserveRequest) UnmarshalBinary(b []byte) error {
	if len(b) < 6 || len(b) > 5+MaxTxID || b[0] != reobserveVersion {
		return fault.E("peer.ReobserveRequest", fault.Invalid, fmt.Errorf("malformed reobserve request of %d bytes", len(b)))
	}
	*r = ReobserveRequest{Chain: chains.ID(binary.BigEndian.Uint32(b[1:])), TxID: string(b[5:])}
	return nil
}
