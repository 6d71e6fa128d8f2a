package fluxnode

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/fluxbridge/fluxbridge/chains/flux/address"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
)

// Limits of ParseSnapshot.
const (
	// MaxSnapshotSize bounds the document (the mainnet snapshot of ~15,000
	// nodes is about 10 MB).
	MaxSnapshotSize = 64 << 20
	// MaxSnapshotNodes bounds the node count.
	MaxSnapshotNodes = 1 << 20
)

// Snapshot is the fluxnode set after block Height, in the shape of fluxd's
// getfluxnodesnapshot result (src/rpc/fluxnode.cpp): {"height", "blockhash",
// "nodes": [...]}, each node as viewdeterministicfluxnodelist prints it.
//
// fluxd prints confirmed nodes only. MarshalJSON also prints started and DoS
// entries, marked by a "status" field fluxd does not emit, plus the extension
// fields "collateral_pubkey", "redeem_script", "flux_tx_version" and
// "dos_height" when set, so that a snapshot written here carries a whole set.
// For a snapshot taken from fluxd, rebuild the START and DoS trackers with
// Set.Backfill.
type Snapshot struct {
	// Height is the height of the last block the set reflects.
	Height int32
	// BlockHash is that block's hash.
	BlockHash chainhash.Hash
	// Entries are the nodes, sorted by collateral.
	Entries []Entry
}

// Snapshot returns the set as a snapshot at the given block. Payment
// addresses missing from entries are derived from the collateral key or
// redeem script where the entry has one.
func (s *Set) Snapshot(height int32, hash chainhash.Hash) *Snapshot {
	es := s.Entries()
	for i := range es {
		if es[i].PaymentAddress == "" {
			es[i].PaymentAddress = PaymentAddress(s.p, &es[i])
		}
	}
	return &Snapshot{Height: height, BlockHash: hash, Entries: es}
}

// PaymentAddress derives an entry's payment address on network p: the P2SH
// address of its redeem script, else the P2PKH address of its collateral
// key, else "" (fluxd's legacy foundation-P2SH nodes are not derived).
func PaymentAddress(p *params.Params, e *Entry) string {
	switch {
	case len(e.RedeemScript) > 0:
		return address.Address{Kind: address.P2SH, Hash: script.Hash160(e.RedeemScript)}.Encode(p)
	case len(e.CollateralPubKey) > 0:
		return address.Address{Kind: address.P2PKH, Hash: script.Hash160(e.CollateralPubKey)}.Encode(p)
	}
	return ""
}

// snapshotJSON and nodeJSON are the document's shape. Fields fluxd prints
// that the set does not keep (network, last_paid_height, activesince,
// lastpaid, amount, rank) are written with neutral values and ignored when
// read.
type snapshotJSON struct {
	Height    *int64     `json:"height"`
	BlockHash string     `json:"blockhash"`
	Nodes     []nodeJSON `json:"nodes"`
}

type nodeJSON struct {
	Collateral          string          `json:"collateral"`
	TxHash              string          `json:"txhash,omitempty"`
	OutIdx              json.RawMessage `json:"outidx,omitempty"`
	IP                  string          `json:"ip"`
	Network             string          `json:"network"`
	AddedHeight         *int64          `json:"added_height"`
	ConfirmedHeight     *int64          `json:"confirmed_height"`
	LastConfirmedHeight *int64          `json:"last_confirmed_height"`
	LastPaidHeight      *int64          `json:"last_paid_height"`
	Tier                json.RawMessage `json:"tier"`
	PaymentAddress      string          `json:"payment_address"`
	PubKey              string          `json:"pubkey"`
	ActiveSince         json.RawMessage `json:"activesince,omitempty"`
	LastPaid            json.RawMessage `json:"lastpaid,omitempty"`
	Rank                *int64          `json:"rank,omitempty"`
	// Extensions (not printed by fluxd).
	Status           string `json:"status,omitempty"`
	CollateralPubKey string `json:"collateral_pubkey,omitempty"`
	RedeemScript     string `json:"redeem_script,omitempty"`
	FluxTxVersion    int32  `json:"flux_tx_version,omitempty"`
	DoSHeight        int32  `json:"dos_height,omitempty"`
}

var tierNames = map[uint8]string{TierUnknown: "None", TierCumulus: "CUMULUS", TierNimbus: "NIMBUS", TierStratus: "STRATUS"}

var statusNames = map[Status]string{StatusStarted: "STARTED", StatusDoS: "DOS", StatusConfirmed: "CONFIRMED"}

// collateralRE matches COutPoint::ToFullString: "COutPoint(<64 hex>, <n>)".
var collateralRE = regexp.MustCompile(`^COutPoint\(([0-9a-fA-F]{64}), ?([0-9]{1,10})\)$`)

// ParseSnapshot parses a getfluxnodesnapshot result: the bare result object
// or a JSON-RPC response {"result": {...}}. Required: height, blockhash, and
// per node the collateral (the "collateral" field as fluxd prints it,
// "COutPoint(<txid>, <n>)", or "txhash" and "outidx"), a non-empty "pubkey",
// and "last_confirmed_height" for confirmed nodes or "added_height" for
// started and DoS ones. Other known fields are read when present; unknown
// fields are ignored. Entries are returned sorted by collateral. Failures are
// *Error values with code ErrSnapshot.
func ParseSnapshot(data []byte) (*Snapshot, error) {
	if len(data) > MaxSnapshotSize {
		return nil, snapErr(nil, "%d bytes exceed the maximum %d", len(data), MaxSnapshotSize)
	}
	var wrapper struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(data, &wrapper); err != nil {
		return nil, snapErr(err, "not a JSON object")
	}
	if len(wrapper.Result) > 0 && !bytes.Equal(wrapper.Result, []byte("null")) {
		data = wrapper.Result
	}
	var doc snapshotJSON
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, snapErr(err, "")
	}
	snap := new(Snapshot)
	h, err := height32(doc.Height, "height", true)
	if err != nil {
		return nil, snapErr(err, "")
	}
	if h < 0 {
		return nil, snapErr(nil, "height %d", h)
	}
	snap.Height = h
	if snap.BlockHash, err = chainhash.FromDisplay(doc.BlockHash); err != nil {
		return nil, snapErr(err, "blockhash %q", doc.BlockHash)
	}
	if doc.Nodes == nil {
		return nil, snapErr(nil, "no nodes array")
	}
	if len(doc.Nodes) > MaxSnapshotNodes {
		return nil, snapErr(nil, "%d nodes exceed the maximum %d", len(doc.Nodes), MaxSnapshotNodes)
	}
	snap.Entries = make([]Entry, 0, len(doc.Nodes))
	seen := make(map[chainhash.OutPoint]struct{}, len(doc.Nodes))
	for i := range doc.Nodes {
		e, err := doc.Nodes[i].entry()
		if err != nil {
			return nil, snapErr(err, "node %d", i)
		}
		if _, dup := seen[e.Collateral]; dup {
			return nil, snapErr(nil, "node %d: collateral %s listed twice", i, e.Collateral)
		}
		seen[e.Collateral] = struct{}{}
		snap.Entries = append(snap.Entries, e)
	}
	sort.Slice(snap.Entries, func(i, j int) bool { return lessOutPoint(snap.Entries[i].Collateral, snap.Entries[j].Collateral) })
	return snap, nil
}

func snapErr(cause error, format string, args ...any) error {
	return errorf("ParseSnapshot", ErrSnapshot, cause, format, args...)
}

func height32(v *int64, field string, required bool) (int32, error) {
	if v == nil {
		if required {
			return 0, fmt.Errorf("missing %s", field)
		}
		return 0, nil
	}
	if *v < math.MinInt32 || *v > math.MaxInt32 {
		return 0, fmt.Errorf("%s %d out of range", field, *v)
	}
	return int32(*v), nil
}

func (n *nodeJSON) entry() (Entry, error) {
	var e Entry
	var err error
	if e.Collateral, err = n.collateral(); err != nil {
		return e, err
	}
	e.Status = StatusConfirmed
	if n.Status != "" {
		st, ok := parseStatus(n.Status)
		if !ok {
			return e, fmt.Errorf("status %q", n.Status)
		}
		e.Status = st
	}
	if n.PubKey == "" {
		return e, fmt.Errorf("missing pubkey")
	}
	if e.PubKey, err = hexField(n.PubKey, "pubkey", MaxPubKeySize); err != nil {
		return e, err
	}
	if e.CollateralPubKey, err = hexField(n.CollateralPubKey, "collateral_pubkey", MaxPubKeySize); err != nil {
		return e, err
	}
	if e.RedeemScript, err = hexField(n.RedeemScript, "redeem_script", MaxRedeemScriptSize); err != nil {
		return e, err
	}
	confirmed := e.Status == StatusConfirmed
	if e.StartHeight, err = height32(n.AddedHeight, "added_height", !confirmed); err != nil {
		return e, err
	}
	if e.ConfirmedHeight, err = height32(n.ConfirmedHeight, "confirmed_height", false); err != nil {
		return e, err
	}
	if e.LastConfirmedHeight, err = height32(n.LastConfirmedHeight, "last_confirmed_height", confirmed); err != nil {
		return e, err
	}
	e.DoSHeight = n.DoSHeight
	e.FluxTxVersion = n.FluxTxVersion
	e.Tier = parseTier(n.Tier)
	if len(n.IP) > MaxIPSize {
		return e, fmt.Errorf("ip of %d bytes", len(n.IP))
	}
	e.IP = n.IP
	if len(n.PaymentAddress) > MaxPaymentAddressSize {
		return e, fmt.Errorf("payment address of %d bytes", len(n.PaymentAddress))
	}
	e.PaymentAddress = n.PaymentAddress
	return e, nil
}

// collateral reads "collateral" ("COutPoint(<txid>, <n>)", or "<txid>:<n>")
// or else "txhash" and "outidx"; when both are present they must agree.
func (n *nodeJSON) collateral() (chainhash.OutPoint, error) {
	var op chainhash.OutPoint
	have := false
	if n.Collateral != "" {
		var err error
		if m := collateralRE.FindStringSubmatch(n.Collateral); m != nil {
			op.Hash, err = chainhash.FromDisplay(m[1])
			if err == nil {
				var idx uint64
				idx, err = strconv.ParseUint(m[2], 10, 32)
				op.Index = uint32(idx)
			}
		} else {
			op, err = chainhash.ParseOutPoint(n.Collateral)
		}
		if err != nil {
			return op, fmt.Errorf("collateral %q: %w", n.Collateral, err)
		}
		have = true
	}
	if n.TxHash == "" && len(n.OutIdx) == 0 {
		if !have {
			return op, fmt.Errorf("missing collateral")
		}
		return op, nil
	}
	h, err := chainhash.FromDisplay(n.TxHash)
	if err != nil {
		return op, fmt.Errorf("txhash %q: %w", n.TxHash, err)
	}
	idx, err := flexUint32(n.OutIdx)
	if err != nil {
		return op, fmt.Errorf("outidx %s: %w", n.OutIdx, err)
	}
	alt := chainhash.OutPoint{Hash: h, Index: idx}
	if have && alt != op {
		return op, fmt.Errorf("collateral %s disagrees with txhash/outidx %s", op, alt)
	}
	return alt, nil
}

// flexUint32 reads a JSON string or number holding a uint32 (fluxd prints
// outidx as a string).
func flexUint32(raw json.RawMessage) (uint32, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" {
		return 0, fmt.Errorf("missing")
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
	}
	v, err := strconv.ParseUint(s, 10, 32)
	return uint32(v), err
}

func hexField(s, field string, max int) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) > 2*max {
		return nil, fmt.Errorf("%s of %d hex digits", field, len(s))
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return b, nil
}

func parseStatus(s string) (Status, bool) {
	for st, name := range statusNames {
		if strings.EqualFold(s, name) {
			return st, true
		}
	}
	return 0, false
}

// parseTier reads fluxd's tier string (CUMULUS, NIMBUS, STRATUS) or a
// number 1..3; anything else is TierUnknown.
func parseTier(raw json.RawMessage) uint8 {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	for t, name := range tierNames {
		if t != TierUnknown && (strings.EqualFold(s, name) || s == strconv.Itoa(int(t))) {
			return t
		}
	}
	return TierUnknown
}

// MarshalJSON writes the snapshot in getfluxnodesnapshot's shape: confirmed
// nodes first, grouped by tier (CUMULUS, NIMBUS, STRATUS, then unknown) and
// by collateral within a tier, with fluxd's per-tier "rank"; then started and
// DoS entries with their "status" (an extension). Fields the set does not
// keep are written as fluxd writes unknown values (0 or empty).
func (s *Snapshot) MarshalJSON() ([]byte, error) {
	es := append([]Entry(nil), s.Entries...)
	order := func(e *Entry) (int, int) {
		st := 1
		if e.Status == StatusConfirmed {
			st = 0
		}
		t := int(e.Tier)
		if e.Tier == TierUnknown || e.Tier > TierStratus {
			t = 4
		}
		return st, t
	}
	sort.SliceStable(es, func(i, j int) bool {
		si, ti := order(&es[i])
		sj, tj := order(&es[j])
		if si != sj {
			return si < sj
		}
		if ti != tj {
			return ti < tj
		}
		return lessOutPoint(es[i].Collateral, es[j].Collateral)
	})
	zero := json.RawMessage("0")
	ranks := make(map[uint8]int64)
	nodes := make([]nodeJSON, 0, len(es))
	for i := range es {
		e := &es[i]
		if !e.Status.valid() {
			return nil, errorf("Snapshot.MarshalJSON", ErrEncode, nil, "entry %s has status %d", e.Collateral, e.Status)
		}
		tier, ok := tierNames[e.Tier]
		if !ok {
			tier = fmt.Sprintf("UNKNOWN TIER (%d)", e.Tier)
		}
		tierJSON, _ := json.Marshal(tier)
		outIdx, _ := json.Marshal(strconv.FormatUint(uint64(e.Collateral.Index), 10))
		n := nodeJSON{
			Collateral:          fmt.Sprintf("COutPoint(%s, %d)", e.Collateral.Hash, e.Collateral.Index),
			TxHash:              e.Collateral.Hash.String(),
			OutIdx:              outIdx,
			IP:                  e.IP,
			Network:             networkName(e.IP),
			AddedHeight:         i64(e.StartHeight),
			ConfirmedHeight:     i64(e.ConfirmedHeight),
			LastConfirmedHeight: i64(e.LastConfirmedHeight),
			LastPaidHeight:      i64(0),
			Tier:                tierJSON,
			PaymentAddress:      e.PaymentAddress,
			PubKey:              hex.EncodeToString(e.PubKey),
			ActiveSince:         zero,
			LastPaid:            zero,
			Status:              statusNames[e.Status],
			CollateralPubKey:    hex.EncodeToString(e.CollateralPubKey),
			RedeemScript:        hex.EncodeToString(e.RedeemScript),
			FluxTxVersion:       e.FluxTxVersion,
			DoSHeight:           e.DoSHeight,
		}
		if e.Status == StatusConfirmed {
			r := ranks[e.Tier]
			ranks[e.Tier] = r + 1
			n.Rank = &r
		}
		nodes = append(nodes, n)
	}
	return json.Marshal(snapshotJSON{Height: i64(s.Height), BlockHash: s.BlockHash.String(), Nodes: nodes})
}

func i64(v int32) *int64 {
	x := int64(v)
	return &x
}

// networkName is fluxd's GetNetworkName of the node's host: "ipv4",
// "ipv6", "onion" or "".
func networkName(ip string) string {
	host := ip
	if ap, err := netip.ParseAddrPort(ip); err == nil {
		host = ap.Addr().String()
	} else if i := strings.LastIndexByte(ip, ':'); i > 0 && !strings.Contains(ip[:i], ":") {
		host = ip[:i] // "host:port" with a non-IP host
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.HasSuffix(host, ".onion") {
		return "onion"
	}
	a, err := netip.ParseAddr(host)
	switch {
	case err != nil:
		return ""
	case a.Unmap().Is4():
		return "ipv4"
	}
	return "ipv6"
}
