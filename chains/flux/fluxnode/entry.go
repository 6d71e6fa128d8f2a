package fluxnode

import (
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// Status is which of fluxd's three trackers holds an entry. The values are
// fluxd's FLUXNODE_TX_STARTED, FLUXNODE_TX_DOS_PROTECTION and
// FLUXNODE_TX_CONFIRMED.
type Status uint8

// The statuses.
const (
	// StatusStarted: in the START tracker (mapStartTxTracker), waiting for its
	// initial CONFIRM.
	StatusStarted Status = iota + 1
	// StatusDoS: in the DoS tracker (mapStartTxDOSTracker): its START was not
	// confirmed in time and its collateral may not START again until it leaves.
	StatusDoS
	// StatusConfirmed: in the confirmed map (mapConfirmedFluxnodeData): a
	// running node, eligible to produce PoN blocks and to be paid.
	StatusConfirmed
)

// String returns "started", "dos" or "confirmed".
func (s Status) String() string {
	switch s {
	case StatusStarted:
		return "started"
	case StatusDoS:
		return "dos"
	case StatusConfirmed:
		return "confirmed"
	}
	return "invalid"
}

// valid reports whether s is one of the three statuses.
func (s Status) valid() bool { return s >= StatusStarted && s <= StatusConfirmed }

// Tiers (fluxd's enum Tier). A node's tier follows from its collateral amount,
// which the light node cannot see: entries started after the anchor have
// TierUnknown.
const (
	TierUnknown uint8 = 0
	TierCumulus uint8 = 1
	TierNimbus  uint8 = 2
	TierStratus uint8 = 3
)

// Limits of the binary Entry encoding. They bound decoding before anything is
// allocated; MarshalBinary refuses an Entry that exceeds them.
const (
	// MaxPubKeySize is the longest public key (an uncompressed key).
	MaxPubKeySize = tx.MaxPubKeySize
	// MaxRedeemScriptSize is the longest P2SH redeem script fluxd accepts in a
	// START (MAX_SCRIPT_SIZE).
	MaxRedeemScriptSize = tx.MaxScriptSize
	// MaxIPSize is the longest ip kept; fluxd's CONFIRM limit is 60 bytes.
	MaxIPSize = 255
	// MaxPaymentAddressSize is the longest payment address kept.
	MaxPaymentAddressSize = 128
	// MaxEntrySize bounds one encoded Entry.
	MaxEntrySize = 1 + 1 + 36 + 3*(3+MaxRedeemScriptSize) + 4*4 + 1 + 4 + 2*(3+MaxIPSize) + 3 + MaxPaymentAddressSize
)

// entryVersion is the first byte of the binary Entry encoding.
const entryVersion = 1

// Entry is one collateral outpoint in the fluxnode set: fluxd's
// FluxnodeCacheData, restricted to what the consensus rules the light node
// applies and the snapshot format need.
type Entry struct {
	// Collateral is the collateral outpoint, the entry's key.
	Collateral chainhash.OutPoint
	// PubKey is the operational key from the START transaction: PoN blocks
	// produced by this node are signed with it.
	PubKey []byte
	// CollateralPubKey is the collateral owner's key (P2PKH START only; empty
	// for P2SH starts and for entries that came from a fluxd snapshot, which
	// does not print it).
	CollateralPubKey []byte
	// RedeemScript is the collateral's P2SH redeem script (P2SH START only).
	RedeemScript []byte
	// Status is the tracker holding the entry.
	Status Status
	// StartHeight is the height of the block holding the START
	// (nAddedBlockHeight); start expiry and DoS removal count from it.
	StartHeight int32
	// ConfirmedHeight is the height of the initial CONFIRM (0 until confirmed).
	ConfirmedHeight int32
	// LastConfirmedHeight is the height of the latest CONFIRM, initial or
	// update (0 until confirmed); confirm expiry counts from it.
	LastConfirmedHeight int32
	// DoSHeight is the height at which the entry moved to the DoS tracker
	// (0 unless Status is StatusDoS). fluxd does not keep it; no rule uses it.
	DoSHeight int32
	// Tier is the node's tier (TierCumulus..TierStratus) when known from a
	// snapshot, TierUnknown otherwise.
	Tier uint8
	// FluxTxVersion is the START's nFluxTxVersion (v6 STARTs; 0 for v5).
	FluxTxVersion int32
	// IP is the address from the latest CONFIRM ("" until confirmed).
	IP string
	// PaymentAddress is the payment address a snapshot reported; empty for
	// entries started after the anchor (MarshalJSON derives it from
	// CollateralPubKey or RedeemScript then).
	PaymentAddress string
}

// clone returns a deep copy of e with empty slices normalized to nil, so
// that copies compare equal with reflect.DeepEqual.
func (e Entry) clone() Entry {
	e.PubKey = cloneBytes(e.PubKey)
	e.CollateralPubKey = cloneBytes(e.CollateralPubKey)
	e.RedeemScript = cloneBytes(e.RedeemScript)
	return e
}

func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// MarshalBinary encodes e in the compact, versioned format UnmarshalEntry
// reads. It fails with ErrEncode when a field exceeds its Max* limit.
func (e Entry) MarshalBinary() ([]byte, error) {
	w := codec.NewWriter(160)
	if err := e.encode(w); err != nil {
		return nil, err
	}
	return w.Bytes(), nil
}

func (e *Entry) encode(w *codec.Writer) error {
	const op = "Entry.MarshalBinary"
	switch {
	case !e.Status.valid():
		return errorf(op, ErrEncode, nil, "status %d", e.Status)
	case len(e.PubKey) > MaxPubKeySize:
		return errorf(op, ErrEncode, nil, "pubkey of %d bytes", len(e.PubKey))
	case len(e.CollateralPubKey) > MaxPubKeySize:
		return errorf(op, ErrEncode, nil, "collateral pubkey of %d bytes", len(e.CollateralPubKey))
	case len(e.RedeemScript) > MaxRedeemScriptSize:
		return errorf(op, ErrEncode, nil, "redeem script of %d bytes", len(e.RedeemScript))
	case len(e.IP) > MaxIPSize:
		return errorf(op, ErrEncode, nil, "ip of %d bytes", len(e.IP))
	case len(e.PaymentAddress) > MaxPaymentAddressSize:
		return errorf(op, ErrEncode, nil, "payment address of %d bytes", len(e.PaymentAddress))
	}
	w.Uint8(entryVersion)
	w.Uint8(uint8(e.Status))
	w.OutPoint(e.Collateral)
	w.VarBytes(e.PubKey)
	w.VarBytes(e.CollateralPubKey)
	w.VarBytes(e.RedeemScript)
	w.Int32(e.StartHeight)
	w.Int32(e.ConfirmedHeight)
	w.Int32(e.LastConfirmedHeight)
	w.Int32(e.DoSHeight)
	w.Uint8(e.Tier)
	w.Int32(e.FluxTxVersion)
	w.VarString(e.IP)
	w.VarString(e.PaymentAddress)
	return nil
}

// UnmarshalEntry decodes an Entry written by MarshalBinary. Every length is
// checked against its Max* limit and the bytes left before allocating; any
// failure is an *Error with code ErrDecode.
func UnmarshalEntry(b []byte) (Entry, error) {
	const op = "UnmarshalEntry"
	if len(b) > MaxEntrySize {
		return Entry{}, errorf(op, ErrDecode, nil, "%d bytes exceed the maximum %d", len(b), MaxEntrySize)
	}
	r := codec.NewReader(b)
	e, err := decodeEntry(r)
	if err == nil {
		err = r.End("entry")
	}
	if err != nil {
		return Entry{}, errorf(op, ErrDecode, err, "")
	}
	return e, nil
}

func decodeEntry(r *codec.Reader) (Entry, error) {
	var e Entry
	v, err := r.Uint8("entry.version")
	if err != nil {
		return e, err
	}
	if v != entryVersion {
		return e, codec.Errorf("entry.version", r.Offset()-1, codec.ErrInvalid, "version %d", v)
	}
	st, err := r.Uint8("entry.status")
	if err != nil {
		return e, err
	}
	if e.Status = Status(st); !e.Status.valid() {
		return e, codec.Errorf("entry.status", r.Offset()-1, codec.ErrInvalid, "status %d", st)
	}
	if e.Collateral, err = r.OutPoint("entry.collateral"); err != nil {
		return e, err
	}
	if e.PubKey, err = varBytes(r, "entry.pubkey", MaxPubKeySize); err != nil {
		return e, err
	}
	if e.CollateralPubKey, err = varBytes(r, "entry.collateral_pubkey", MaxPubKeySize); err != nil {
		return e, err
	}
	if e.RedeemScript, err = varBytes(r, "entry.redeem_script", MaxRedeemScriptSize); err != nil {
		return e, err
	}
	for _, f := range []struct {
		name string
		dst  *int32
	}{
		{"entry.start_height", &e.StartHeight},
		{"entry.confirmed_height", &e.ConfirmedHeight},
		{"entry.last_confirmed_height", &e.LastConfirmedHeight},
		{"entry.dos_height", &e.DoSHeight},
	} {
		if *f.dst, err = r.Int32(f.name); err != nil {
			return e, err
		}
	}
	if e.Tier, err = r.Uint8("entry.tier"); err != nil {
		return e, err
	}
	if e.FluxTxVersion, err = r.Int32("entry.flux_tx_version"); err != nil {
		return e, err
	}
	if e.IP, err = r.VarString("entry.ip", MaxIPSize); err != nil {
		return e, err
	}
	e.PaymentAddress, err = r.VarString("entry.payment_address", MaxPaymentAddressSize)
	return e, err
}

// varBytes reads a length-prefixed byte string and returns nil for an empty one.
func varBytes(r *codec.Reader, field string, max int) ([]byte, error) {
	b, err := r.VarBytes(field, max)
	if len(b) == 0 {
		b = nil
	}
	return b, err
}
