package fluxnode

import "github.com/fluxbridge/fluxbridge/chains/flux/params"

// fluxd's era constants (src/fluxnode/fluxnode.h). The functions below pick
// among them by height exactly as fluxd does.
const (
	// StartExpirationV1 and StartExpirationV2 are FLUXNODE_START_TX_EXPIRATION_HEIGHT(_V2):
	// a START not confirmed within this many blocks moves to the DoS tracker.
	StartExpirationV1 int32 = 60
	StartExpirationV2 int32 = 240
	// DoSRemoveV1 and DoSRemoveV2 are FLUXNODE_DOS_REMOVE_AMOUNT(_V2): how many
	// blocks after its START a DoS entry is removed.
	DoSRemoveV1 int32 = 180
	DoSRemoveV2 int32 = 720
	// ConfirmExpirationV1..V4 are FLUXNODE_CONFIRM_UPDATE_EXPIRATION_HEIGHT_V1..V4:
	// a confirmed node whose last CONFIRM is older than this is removed.
	ConfirmExpirationV1 int32 = 60
	ConfirmExpirationV2 int32 = 80
	ConfirmExpirationV3 int32 = 160
	ConfirmExpirationV4 int32 = 640
	// UpdateMinIntervalV1..V3 are FLUXNODE_CONFIRM_UPDATE_MIN_HEIGHT_V1..V3: an
	// update CONFIRM must come more than this many blocks after the last one.
	UpdateMinIntervalV1 int32 = 40
	UpdateMinIntervalV2 int32 = 120
	UpdateMinIntervalV3 int32 = 500
	// UpdateMinIntervalIPChange is FLUXNODE_CONFIRM_UPDATE_MIN_HEIGHT_IP_CHANGE_V1:
	// from the Flux upgrade on, an update CONFIRM that changes the ip needs
	// only this many blocks.
	UpdateMinIntervalIPChange int32 = 5
)

// StartExpiration returns how many blocks a START waits for its initial
// CONFIRM at height h (CheckForExpiredStartTx). fluxd selects it with
// IsPONActive, which, unlike the other rules, treats a network without a PoN
// activation height (regtest) as PoN-active.
func StartExpiration(p *params.Params, h int32) int32 {
	if p.IsPoNActive(h) {
		return StartExpirationV2
	}
	return StartExpirationV1
}

// DoSRemoval returns how long a DoS entry stays (counted from its START) at
// height h, and whether every entry at least that old is removed (PoN) or
// only those exactly that old (before PoN), as GetUndoDataForExpiredFluxnodeDosScores does.
func DoSRemoval(p *params.Params, h int32) (blocks int32, orOlder bool) {
	if p.IsActive(params.UpgradePoN, h) {
		return DoSRemoveV2, true
	}
	return DoSRemoveV1, false
}

// ConfirmExpiration returns GetFluxnodeExpirationCount(h): a confirmed node
// whose LastConfirmedHeight is below h minus this is removed at h.
func ConfirmExpiration(p *params.Params, h int32) int32 {
	switch {
	case p.IsActive(params.UpgradePoN, h):
		return ConfirmExpirationV4
	case p.IsActive(params.UpgradeHalving, h):
		return ConfirmExpirationV3
	case p.IsActive(params.UpgradeFlux, h):
		return ConfirmExpirationV2
	}
	return ConfirmExpirationV1
}

// UpdateMinInterval returns the distance an update CONFIRM at height h must
// exceed (CheckConfirmationHeights).
func UpdateMinInterval(p *params.Params, h int32) int32 {
	switch {
	case p.IsActive(params.UpgradePoN, h):
		return UpdateMinIntervalV3
	case p.IsActive(params.UpgradeHalving, h):
		return UpdateMinIntervalV2
	}
	return UpdateMinIntervalV1
}

// UpdateAllowed reports whether an update CONFIRM carrying ip at height h is
// allowed for confirmed entry e (fluxd's CheckConfirmationHeights on the
// block-connect path): from the Flux upgrade on an ip change needs
// UpdateMinIntervalIPChange blocks, otherwise the distance since the last
// CONFIRM must exceed UpdateMinInterval.
func UpdateAllowed(p *params.Params, h int32, e *Entry, ip string) bool {
	d := h - e.LastConfirmedHeight
	if p.IsActive(params.UpgradeFlux, h) && ip != e.IP && d >= UpdateMinIntervalIPChange {
		return true
	}
	return d > UpdateMinInterval(p, h)
}

// BackfillFrom returns the first block height Backfill must replay for an
// anchor at height anchor: every START from that height on may still be in
// the START or DoS tracker at the anchor (the longest stay is DoSRemoveV2
// blocks). It is never below 1.
func BackfillFrom(anchor int32) int32 {
	if h := anchor - DoSRemoveV2 + 1; h > 1 {
		return h
	}
	return 1
}
