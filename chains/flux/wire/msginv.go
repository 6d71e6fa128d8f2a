package wire

import (
	"strconv"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
)

// Inventory limits (RunOnFlux/fluxd src/net.h).
const (
	// MaxInvPerMessage is the most entries an inv, getdata or notfound may
	// carry (MAX_INV_SZ); fluxd penalises a peer that sends more.
	MaxInvPerMessage = 50000
	// InvVectSize is the encoded size of one entry: type(4) and hash(32).
	InvVectSize = 4 + chainhash.Size
	// maxInvPayload: CompactSize(50000) is 3 bytes.
	maxInvPayload = 3 + MaxInvPerMessage*InvVectSize
)

// InvType is the type of an inventory entry (fluxd src/protocol.h, protocol.cpp).
type InvType uint32

// Inventory types. 4 to 10 are legacy Flux types that fluxd still names but
// no longer sends; MSG_CMPCT_BLOCK is 11 on Flux, not Bitcoin's 4.
const (
	InvTypeError         InvType = 0
	InvTypeTx            InvType = 1  // MSG_TX
	InvTypeBlock         InvType = 2  // MSG_BLOCK
	InvTypeFilteredBlock InvType = 3  // MSG_FILTERED_BLOCK (BIP37 merkleblock)
	InvTypeSpork         InvType = 4  // legacy "spork"
	InvTypeZNWinner      InvType = 5  // legacy "zn winner"
	InvTypeZNScanError   InvType = 6  // legacy "zn scan error"
	InvTypeZNQuorum      InvType = 7  // legacy "zn quorum"
	InvTypeZNAnnounce    InvType = 8  // legacy "zn announce"
	InvTypeZNPing        InvType = 9  // legacy "zn ping"
	InvTypeDSTx          InvType = 10 // legacy "dstx"
	InvTypeCmpctBlock    InvType = 11 // MSG_CMPCT_BLOCK (BIP152)
)

var invTypeNames = [...]string{
	"ERROR", "tx", "block", "filtered block", "spork", "zn winner", "zn scan error",
	"zn quorum", "zn announce", "zn ping", "dstx", "cmpct block",
}

// String returns fluxd's name of the type, or "unknown(N)".
func (t InvType) String() string {
	if int(t) < len(invTypeNames) {
		return invTypeNames[t]
	}
	return "unknown(" + strconv.FormatUint(uint64(t), 10) + ")"
}

// InvVect is one inventory entry: what kind of object and its hash
// (txid or block hash, internal byte order).
type InvVect struct {
	Type InvType
	Hash chainhash.Hash
}

// invList is the payload shared by inv, getdata and notfound.
type invList []InvVect

func decodeInvList(r *codec.Reader, cmd string) (invList, error) {
	n, err := r.Count(cmd+".count", MaxInvPerMessage, InvVectSize)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	list := make(invList, n)
	for i := range list {
		t, err := r.Uint32(cmd + ".type")
		if err != nil {
			return nil, err
		}
		list[i].Type = InvType(t)
		if list[i].Hash, err = r.Hash(cmd + ".hash"); err != nil {
			return nil, err
		}
	}
	return list, nil
}

func (l invList) encode(w *codec.Writer) {
	w.CompactSize(uint64(len(l)))
	for i := range l {
		w.Uint32(uint32(l[i].Type))
		w.Hash(l[i].Hash)
	}
}

// MsgInv announces objects the peer has (at most MaxInvPerMessage).
type MsgInv struct {
	InvList []InvVect
}

// Command returns "inv".
func (m *MsgInv) Command() string { return CmdInv }

// MaxPayload is MaxInvPerMessage entries.
func (m *MsgInv) MaxPayload() int { return maxInvPayload }

// Decode reads the entry list.
func (m *MsgInv) Decode(r *codec.Reader) error {
	l, err := decodeInvList(r, CmdInv)
	m.InvList = l
	return err
}

// Encode appends the entry list.
func (m *MsgInv) Encode(w *codec.Writer) { invList(m.InvList).encode(w) }

// MsgGetData requests objects by inventory entry (at most MaxInvPerMessage).
type MsgGetData struct {
	InvList []InvVect
}

// Command returns "getdata".
func (m *MsgGetData) Command() string { return CmdGetData }

// MaxPayload is MaxInvPerMessage entries.
func (m *MsgGetData) MaxPayload() int { return maxInvPayload }

// Decode reads the entry list.
func (m *MsgGetData) Decode(r *codec.Reader) error {
	l, err := decodeInvList(r, CmdGetData)
	m.InvList = l
	return err
}

// Encode appends the entry list.
func (m *MsgGetData) Encode(w *codec.Writer) { invList(m.InvList).encode(w) }

// MsgNotFound answers a getdata for objects the peer does not have.
type MsgNotFound struct {
	InvList []InvVect
}

// Command returns "notfound".
func (m *MsgNotFound) Command() string { return CmdNotFound }

// MaxPayload is MaxInvPerMessage entries.
func (m *MsgNotFound) MaxPayload() int { return maxInvPayload }

// Decode reads the entry list.
func (m *MsgNotFound) Decode(r *codec.Reader) error {
	l, err := decodeInvList(r, CmdNotFound)
	m.InvList = l
	return err
}

// Encode appends the entry list.
func (m *MsgNotFound) Encode(w *codec.Writer) { invList(m.InvList).encode(w) }
