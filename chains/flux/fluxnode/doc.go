// Package fluxnode keeps the FLUX fluxnode set as fluxd's FluxnodeCache does
// (RunOnFlux/fluxd src/fluxnode/fluxnode.{h,cpp}, driven by ConnectBlock and
// DisconnectBlock in src/main.cpp), so that the light node can check every
// PoN block's producer signature against the producer's operational key.
//
// The package is pure: no I/O, no logging, no clock. The caller stores
// entries and undo data (Entry.MarshalBinary, Undo.MarshalBinary) and feeds
// blocks in chain order.
//
// # The state machine
//
// A collateral outpoint is in at most one of fluxd's three trackers, which
// Entry.Status names: START (StatusStarted), DoS (StatusDoS) and confirmed
// (StatusConfirmed). Set.Lookup finds an entry in any of them, exactly like
// GetFluxnodeData, which fluxd's PoN block check uses: after ApplyBlock(h),
// Lookup(collateral) succeeds for block h+1's producer exactly when fluxd
// finds it, and returns the START's operational PubKey.
//
// ApplyBlock decides everything a block changes against the state before the
// block and applies it in the order of FluxnodeCache::Flush; see its doc for
// the rules and rules.go for the era constants (V1..V4), which are selected by
// height exactly as fluxd selects them, including fluxd's mix of
// IsPONActive (START expiry) and NetworkUpgradeActive (everything else).
// Expiries are indexed by height, so a block without fluxnode transactions
// costs a few map look-ups, not a scan of the set.
//
// Revert undoes the last applied block from its Undo, which holds the whole
// previous state of every entry the block changed; the set returns to a
// byte-identical state (fluxd's own undo rebuilds the same values rule by
// rule).
//
// # Invalid transactions
//
// A fluxnode transaction fluxd would reject (malformed, a START for a tracked
// collateral, a CONFIRM for an unknown or wrongly placed collateral, an update
// within the minimum interval, a tier below the node's) makes fluxd reject
// the whole block. The light node does not re-run those checks to reject
// blocks: the block's producer signature, checked against the set, vouches
// for it. ApplyBlock therefore never fails on a transaction: it skips it and
// records the reason in Undo.Skipped, so that the caller can log or count it.
// A skip in a block that verified is a sign that the set differs from fluxd's.
//
// SECURITY: the light node has no UTXO set. It cannot verify that a START's
// collateral exists, is unspent, holds a tier's amount, pays to the
// CollateralPubKey or RedeemScript, or that the START and CONFIRM signatures
// are valid (see build.go). It relies on the producer-signed block having
// passed the network's fluxd nodes, which check all of that; a producer that
// is already in the set could include a fake START for a collateral it does
// not own and so add a producer key. Bounding that needs a trusted fluxd or
// several peers' agreement on the chain, which the caller provides (deep
// confirmations, peer agreement on the tip).
//
// # What is not modelled
//
//   - Payments: nLastPaidHeight and the per-tier payment queue, which decide
//     coinbase payouts, not which keys may sign blocks.
//   - Collateral amounts and tiers of nodes started after the anchor (fluxd
//     reads them from the UTXO set): their Tier is TierUnknown. The
//     tier-transition expiry of GetUndoDataForExpiredConfirmFluxnodes, which
//     needs the amounts, is therefore not applied; it only acts between the
//     Halving tier transitions (mainnet heights 1,076,532 to 1,097,422 + 10,
//     long before PoN), so anchors must be above that range.
//   - Delegate key storage: delegates only authorise who may sign a START,
//     which the light node does not verify.
//   - fluxd's deferred checks: a block connected while fluxd's tip is not
//     its parent skips CheckConfirmationHeights; ApplyBlock always applies
//     the minimum update interval.
//
// # Anchors
//
// fluxd's getfluxnodesnapshot (ParseSnapshot) prints confirmed nodes only.
// A node started in the 240 blocks before the anchor and confirmed after it
// would otherwise be unknown; Set.Backfill replays the blocks from
// BackfillFrom(anchor) to the anchor to rebuild the START and DoS trackers.
// Snapshot.MarshalJSON writes every entry, marking started and DoS ones with
// an extension "status" field, so that snapshots written by this package
// (fluxtest's anchors) need no backfill.
package fluxnode
