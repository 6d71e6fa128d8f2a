package fluxnode

import (
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// SkipReason says why ApplyBlock ignored a fluxnode transaction. Every one of
// them is a transaction fluxd rejects, and with it the whole block; a block
// that reached us signed by its producer and accepted by the network cannot
// contain one, so a skip means a forged block or a set that differs from
// fluxd's (for example an incomplete anchor). The list is append-only.
type SkipReason uint8

// The skip reasons, with the fluxd rule each mirrors.
const (
	// SkipMalformed: the transaction fails tx.CheckSanity (CheckTransaction).
	SkipMalformed SkipReason = iota + 1
	// SkipDuplicateCollateral: an earlier fluxnode transaction in the block
	// names the same collateral (bad-fluxnode-tx-multiple).
	SkipDuplicateCollateral
	// SkipStartTracked: a START for a collateral already started, DoS'd or
	// confirmed (fluxnode-tx-already-in-chain-or-waiting-for-dos-unban,
	// fluxnode-tx-already-in-confirm-chain).
	SkipStartTracked
	// SkipConfirmNotStarted: an initial CONFIRM for a collateral not in the
	// START tracker (fluxnode-tx-invalid-confirm-outpoint-not-started).
	SkipConfirmNotStarted
	// SkipUpdateNotConfirmed: an update CONFIRM for a collateral that is not
	// confirmed (fluxnode-tx-invalid-update-confirm-outpoint-not-confirmed).
	SkipUpdateNotConfirmed
	// SkipUpdateTooEarly: an update CONFIRM within the minimum interval
	// (…-not-confirmed-or-too-soon).
	SkipUpdateTooEarly
	// SkipTierTooLow: a CONFIRM whose benchmark tier is below the entry's known
	// tier (fluxnode-tx-benchmark-tier-to-low-for-collateral).
	SkipTierTooLow
)

var skipNames = map[SkipReason]string{
	SkipMalformed:           "malformed fluxnode transaction",
	SkipDuplicateCollateral: "second fluxnode transaction for the collateral in the block",
	SkipStartTracked:        "START for a collateral already tracked",
	SkipConfirmNotStarted:   "initial CONFIRM for a collateral not started",
	SkipUpdateNotConfirmed:  "update CONFIRM for a collateral not confirmed",
	SkipUpdateTooEarly:      "update CONFIRM before the minimum interval",
	SkipTierTooLow:          "CONFIRM benchmark tier below the node's tier",
}

// String describes the reason.
func (r SkipReason) String() string {
	if s, ok := skipNames[r]; ok {
		return s
	}
	return "unknown skip reason"
}

// Skip records one fluxnode transaction ApplyBlock ignored.
type Skip struct {
	// TxIndex is the transaction's position in the block.
	TxIndex int
	// Collateral is the collateral it named.
	Collateral chainhash.OutPoint
	// Reason is why it was ignored.
	Reason SkipReason
}

// blockPlan is everything a block changes, decided against the state before
// the block, as fluxd's ConnectBlock collects it in a local cache before
// Flush applies it.
type blockPlan struct {
	h int32
	// backfill: initial CONFIRMs drop the started entry (see Backfill).
	backfill bool
	starts   []Entry
	confirms map[chainhash.OutPoint]string // initial CONFIRMs: collateral → ip
	updates  map[chainhash.OutPoint]string // update CONFIRMs: collateral → ip
	// The expiries, computed before anything changes.
	toDoS, dosExpired, confirmExpired []chainhash.OutPoint
}

// ApplyBlock applies every change block height makes to the set, in fluxd's
// order, and returns the undo data that Revert needs to restore the state
// before it. txs are the block's transactions in block order.
//
// The changes, all decided against the state before the block (fluxd's
// ConnectBlock + FluxnodeCache::Flush):
//   - STARTs (v5; v6 normal, P2SH, with or without delegates) add StatusStarted
//     entries with the START's operational key;
//   - initial CONFIRMs move StatusStarted entries to StatusConfirmed;
//   - update CONFIRMs refresh LastConfirmedHeight and IP when UpdateAllowed;
//   - StatusStarted entries whose START is StartExpiration blocks old move to
//     StatusDoS, unless confirmed in this block;
//   - StatusDoS entries DoSRemoval blocks old are removed;
//   - StatusConfirmed entries whose last CONFIRM is more than
//     ConfirmExpiration blocks old are removed unless updated in this block,
//     and so is every StatusConfirmed entry whose collateral an input of a
//     non-fluxnode transaction spends (updated or not). Spending the
//     collateral of a started or DoS'd entry does not remove it: fluxd only
//     checks spends against the confirmed map.
//
// Fluxnode transactions fluxd would reject (with the whole block) are skipped
// and listed in Undo.Skipped; they never cause an error. The only error is
// ErrHeight, when height does not follow the last applied block; the set is
// then unchanged.
func (s *Set) ApplyBlock(height int32, txs []*tx.Tx) (*Undo, error) {
	if s.tipKnown && height != s.tip+1 {
		return nil, errorf("ApplyBlock", ErrHeight, nil, "block %d does not follow block %d", height, s.tip)
	}
	u := &Undo{Height: height}
	plan, spent := s.plan(height, txs, &u.Skipped, false)
	rec := recorder{s: s, prev: make(map[chainhash.OutPoint]*Entry)}
	s.commit(plan, spent, &rec)
	u.Changes = rec.changes()
	s.tip, s.tipKnown = height, true
	s.applied = true
	return u, nil
}

// Backfill replays block height, at or below the anchor of a set made by
// NewSetFromSnapshot, to rebuild the START and DoS trackers that fluxd's
// getfluxnodesnapshot leaves out (it prints confirmed nodes only). Without
// them, a node started in the last StartExpirationV2 blocks before the anchor
// and confirmed after it would be missing from the set, and the first block
// it produces would be rejected although fluxd accepts it.
//
// Replay the blocks BackfillFrom(anchor) … anchor in order, before the first
// ApplyBlock. The snapshot's confirmed entries are authoritative and never
// changed: transactions naming them are ignored, an initial CONFIRM drops the
// started entry (the node was confirmed and, being absent from the snapshot,
// left the confirmed map by the anchor), update CONFIRMs and spends are
// ignored, and START expiry and DoS removal run as in ApplyBlock. The result
// is exact for blocks the network accepted; a START fluxd rejected because
// its collateral was confirmed at the time cannot be told apart once the
// snapshot no longer lists that node. Backfill returns the skipped
// transactions and fails with ErrHeight outside the window or out of order.
func (s *Set) Backfill(height int32, txs []*tx.Tx) ([]Skip, error) {
	switch {
	case !s.tipKnown || s.applied:
		return nil, errorf("Backfill", ErrHeight, nil, "the set was not made from a snapshot or has applied blocks")
	case height > s.tip || height <= s.backfilled || height < 1:
		return nil, errorf("Backfill", ErrHeight, nil, "block %d outside the backfill window (after %d, at most %d)", height, s.backfilled, s.tip)
	}
	var skipped []Skip
	plan, _ := s.plan(height, txs, &skipped, true)
	rec := recorder{s: s, prev: make(map[chainhash.OutPoint]*Entry)}
	s.commit(plan, nil, &rec)
	s.backfilled = height
	return skipped, nil
}

// plan decides a block's changes against the current state. In backfill mode
// confirmed entries are frozen (see Backfill). It returns the plan and the
// confirmed collaterals the block's inputs spend.
func (s *Set) plan(h int32, txs []*tx.Tx, skipped *[]Skip, backfill bool) (*blockPlan, map[chainhash.OutPoint]struct{}) {
	pl := &blockPlan{h: h, backfill: backfill}
	var spent map[chainhash.OutPoint]struct{}
	var seen map[chainhash.OutPoint]struct{}
	skip := func(i int, op chainhash.OutPoint, r SkipReason) {
		*skipped = append(*skipped, Skip{TxIndex: i, Collateral: op, Reason: r})
	}
	for i, t := range txs {
		if t == nil {
			continue
		}
		if !t.IsFluxnode() {
			if backfill || t.IsCoinBase() {
				continue
			}
			for j := range t.Inputs {
				op := t.Inputs[j].PrevOut
				if e, ok := s.entries[op]; ok && e.Status == StatusConfirmed {
					if spent == nil {
						spent = make(map[chainhash.OutPoint]struct{})
					}
					spent[op] = struct{}{}
				}
			}
			continue
		}
		fn := t.Fluxnode
		if fn == nil || t.CheckSanity() != nil {
			var op chainhash.OutPoint
			if fn != nil {
				op = fn.Collateral
			}
			skip(i, op, SkipMalformed)
			continue
		}
		op := fn.Collateral
		if _, dup := seen[op]; dup {
			skip(i, op, SkipDuplicateCollateral)
			continue
		}
		if seen == nil {
			seen = make(map[chainhash.OutPoint]struct{})
		}
		seen[op] = struct{}{}
		e, tracked := s.entries[op]
		if backfill && tracked && e.Status == StatusConfirmed {
			continue // the snapshot says where this collateral stands
		}
		if fn.Type == tx.FluxnodeStartType {
			if tracked {
				skip(i, op, SkipStartTracked)
				continue
			}
			pl.starts = append(pl.starts, startEntry(t, h))
			continue
		}
		// A CONFIRM: CheckSanity admits no other type.
		if tracked && e.Tier > TierUnknown && int(e.Tier) > int(fn.BenchmarkTier) {
			skip(i, op, SkipTierTooLow)
			continue
		}
		if fn.UpdateType == 0 {
			if !tracked || e.Status != StatusStarted {
				skip(i, op, SkipConfirmNotStarted)
				continue
			}
			if pl.confirms == nil {
				pl.confirms = make(map[chainhash.OutPoint]string)
			}
			pl.confirms[op] = fn.IP
			continue
		}
		if backfill {
			continue
		}
		switch {
		case !tracked || e.Status != StatusConfirmed:
			skip(i, op, SkipUpdateNotConfirmed)
		case !UpdateAllowed(s.p, h, e, fn.IP):
			skip(i, op, SkipUpdateTooEarly)
		default:
			if pl.updates == nil {
				pl.updates = make(map[chainhash.OutPoint]string)
			}
			pl.updates[op] = fn.IP
		}
	}

	// Expiries, from the state before the block.
	for _, op := range s.started.exactly(h - StartExpiration(s.p, h)) {
		if _, ok := pl.confirms[op]; !ok {
			pl.toDoS = append(pl.toDoS, op)
		}
	}
	if n, orOlder := DoSRemoval(s.p, h); orOlder {
		pl.dosExpired = s.dos.below(h - n + 1)
	} else {
		pl.dosExpired = s.dos.exactly(h - n)
	}
	if !backfill {
		for _, op := range s.confirmed.below(h - ConfirmExpiration(s.p, h)) {
			if _, ok := pl.updates[op]; !ok {
				pl.confirmExpired = append(pl.confirmExpired, op)
			}
		}
	}
	return pl, spent
}

// startEntry builds the StatusStarted entry of a START (AddNewStart). The
// tier is unknown: fluxd takes it from the collateral's amount.
func startEntry(t *tx.Tx, h int32) Entry {
	fn := t.Fluxnode
	e := Entry{
		Collateral:       fn.Collateral,
		PubKey:           cloneBytes(fn.PubKey),
		CollateralPubKey: cloneBytes(fn.CollateralPubKey),
		RedeemScript:     cloneBytes(fn.RedeemScript),
		Status:           StatusStarted,
		StartHeight:      h,
	}
	if t.Version == tx.FluxnodeUpgradeableVersion {
		e.FluxTxVersion = fn.FluxTxVersion
	}
	return e
}

// commit applies a plan in the order of fluxd's FluxnodeCache::Flush: new
// STARTs, START → DoS, DoS removal, initial CONFIRMs, update CONFIRMs,
// confirmed expiry and spends. rec records each touched entry's previous state.
func (s *Set) commit(pl *blockPlan, spent map[chainhash.OutPoint]struct{}, rec *recorder) {
	for i := range pl.starts {
		rec.touch(pl.starts[i].Collateral)
		s.put(pl.starts[i])
	}
	for _, op := range pl.toDoS {
		rec.touch(op)
		e := s.entries[op].clone()
		e.Status, e.DoSHeight = StatusDoS, pl.h
		s.put(e)
	}
	for _, op := range pl.dosExpired {
		rec.touch(op)
		s.remove(op)
	}
	for _, op := range sortedKeysString(pl.confirms) {
		rec.touch(op)
		if pl.backfill {
			s.remove(op)
			continue
		}
		e := s.entries[op].clone()
		e.Status = StatusConfirmed
		e.ConfirmedHeight, e.LastConfirmedHeight = pl.h, pl.h
		e.IP = pl.confirms[op]
		s.put(e)
	}
	for _, op := range sortedKeysString(pl.updates) {
		rec.touch(op)
		e := s.entries[op].clone()
		e.LastConfirmedHeight = pl.h
		e.IP = pl.updates[op]
		s.put(e)
	}
	for _, op := range pl.confirmExpired {
		rec.touch(op)
		s.remove(op)
	}
	for _, op := range sortedKeys(spent) {
		rec.touch(op)
		s.remove(op)
	}
}

func sortedKeysString(m map[chainhash.OutPoint]string) []chainhash.OutPoint {
	if len(m) == 0 {
		return nil
	}
	set := make(map[chainhash.OutPoint]struct{}, len(m))
	for op := range m {
		set[op] = struct{}{}
	}
	return sortedKeys(set)
}
