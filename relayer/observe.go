package relayer

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// Event streams whose cursors the store keeps.
const (
	streamSeen  = "flux.seen"
	streamFinal = "flux.final"
	// settingHeaders holds the last height:hash recorded in the journal's header chain.
	settingHeaders = "journal.headers"
)

// observe reads the FLUX chain's lock events at depth 1 (seen) and at D_L1
// (final) and applies each page in one transaction with its cursor.
func (r *Relayer) observe(ctx context.Context) error {
	for _, s := range []struct {
		stream string
		conf   uint32
	}{{streamSeen, 1}, {streamFinal, r.cfg.Confirmations}} {
		for range 16 { // a bounded number of pages per tick keeps the other steps fair
			more, head, err := r.observePage(ctx, s.stream, s.conf)
			if err != nil {
				return err
			}
			if !more {
				if s.stream == streamFinal {
					// Everything up to this final height is recorded: the
					// release step may conclude from what is not.
					r.mu.Lock()
					r.fluxDrained, r.finalDrained = true, max(r.finalDrained, head.Final.Height)
					r.mu.Unlock()
				}
				break
			}
		}
	}
	return nil
}

// observePage applies one page of a stream; more reports a full page, and
// head is the source's head the page was read at.
func (r *Relayer) observePage(ctx context.Context, stream string, conf uint32) (more bool, head chains.Head, err error) {
	var cur chains.Cursor
	if err := r.cfg.Store.View(ctx, func(tx Tx) error {
		cur, err = tx.Cursor(stream)
		return err
	}); err != nil {
		return false, head, err
	}
	resp, err := r.cfg.Source.Events(ctx, chains.EventsRequest{After: cur, Confirmations: conf, Limit: r.cfg.Batch})
	if err != nil {
		return false, head, err
	}
	head = resp.Head
	if len(resp.Events) == 0 && resp.Next == cur {
		return false, head, nil
	}
	var halt string
	err = r.cfg.Store.Update(ctx, func(tx Tx) error {
		now, err := tx.Cursor(stream)
		if err != nil {
			return err
		}
		if now != cur {
			return fault.E("relayer.observe", fault.Conflict, fmt.Errorf("cursor of %s moved under us", stream))
		}
		for _, ev := range resp.Events {
			if ev.Kind != chains.EventLock && ev.Kind != chains.EventInvalidLock {
				h, err := r.applySpendEvent(tx, ev, stream == streamFinal)
				if err != nil {
					return err
				}
				if h != "" && halt == "" {
					halt = h
				}
				continue
			}
			h, err := r.applyObserved(tx, ev, func(cur *Transfer) observed {
				if stream == streamSeen {
					return planSeen(cur, ev, tx.Now())
				}
				return planFinal(cur, ev, tx.Now(), r.cfg.Confirmations)
			})
			if err != nil {
				return err
			}
			if h != "" && halt == "" {
				halt = h
			}
		}
		return tx.SetCursor(stream, resp.Next)
	})
	if err != nil {
		return false, head, err
	}
	if halt != "" {
		if err := r.halt(ctx, SigningHalted{Reason: halt}); err != nil {
			return false, head, err
		}
	}
	return len(resp.Events) >= r.cfg.Batch, head, nil
}

// observed is what one event does to the pipeline's state: the transfer to
// store (nil: nothing), the reserve output it adds, the journal entry, and a
// halt reason for a final event retracted.
type observed struct {
	next     *Transfer
	utxo     *ReserveUTXO
	entry    Entry
	halt     string
	rejected bool // the event was malformed (entry says why)
}

// planSeen decides what a depth-1 event does to the transfer it names (cur
// nil when unknown): a new lock is seen, a seen lock whose block left the
// best chain is orphaned, an orphaned one mined again is seen again. Invalid
// locks wait for finality (a reorganisation could still remove them). Pure.
func planSeen(cur *Transfer, ev chains.Event, now time.Time) observed {
	switch {
	case ev.Retracted:
		if cur == nil || cur.State != StateSeen {
			return observed{} // final retractions are the final stream's business
		}
		t := *cur
		t.State, t.UpdatedAt = StateOrphaned, now
		return observed{next: &t, entry: LockOrphaned{ID: ev.ID, Height: ev.Block.Height, Block: ev.Block.Hash}}
	case ev.Kind == chains.EventInvalidLock:
		return observed{}
	case cur == nil:
		t, err := TransferFromEvent(ev, now)
		if err != nil {
			return observed{entry: EventRejected{Lock: lockOf(ev, false), Error: err.Error()}, rejected: true}
		}
		return observed{next: &t, entry: LockSeen{lockOf(ev, false)}}
	case cur.State == StateOrphaned:
		t := *cur
		t.State, t.Block, t.Evidence, t.UpdatedAt = StateSeen, ev.Block, ev.Evidence, now
		return observed{next: &t, entry: LockSeen{lockOf(ev, false)}}
	}
	return observed{}
}

// planFinal decides what an event at depth D_L1 does: a lock becomes final
// (or refund-due when invalid) with its evidence and reserve output; a final
// event retracted halts signing. Pure.
func planFinal(cur *Transfer, ev chains.Event, now time.Time, confirmations uint32) observed {
	if ev.Retracted {
		// SECURITY: a reorganisation deeper than D_L1 contradicts the finality
		// every signature relied on. Nothing is undone automatically; signing
		// halts until an operator has looked.
		return observed{entry: DeepReorg{lockOf(ev, false)},
			halt: fmt.Sprintf("final lock %s retracted at height %d: reorganisation deeper than %d blocks", ev.ID, ev.Block.Height, confirmations)}
	}
	var t Transfer
	switch {
	case cur != nil && cur.State != StateSeen && cur.State != StateOrphaned:
		return observed{} // already final (a re-delivered page)
	case cur != nil:
		t = *cur
		t.Block, t.Evidence = ev.Block, ev.Evidence
	default:
		var err error
		if t, err = TransferFromEvent(ev, now); err != nil {
			return observed{entry: EventRejected{Lock: lockOf(ev, false), Error: err.Error()}, rejected: true}
		}
	}
	var entry Entry = LockFinal{lockOf(ev, true)}
	if ev.Kind == chains.EventInvalidLock {
		t.State, t.Invalid, t.RefundTo, entry = StateRefundDue, ev.Invalid, ev.RefundTo, RefundDue{Lock: lockOf(ev, true)}
	} else {
		t.State = StateFinal
	}
	t.FinalAt, t.UpdatedAt = now, now
	return observed{next: &t, entry: entry,
		utxo: &ReserveUTXO{TxID: ev.TxID, Vout: ev.Index, Amount: ev.Amount, Height: ev.Block.Height, TransferID: ev.ID}}
}

// applyObserved reads the transfer ev names, plans with plan and stores the
// outcome in tx. It returns the halt reason, if any.
func (r *Relayer) applyObserved(tx Tx, ev chains.Event, plan func(cur *Transfer) observed) (string, error) {
	var cur *Transfer
	t, err := tx.Transfer(ev.ID)
	switch {
	case err == nil:
		cur = &t
	case fault.KindOf(err) != fault.NotFound:
		return "", err
	}
	o := plan(cur)
	if o.rejected {
		r.drop("malformed-event") // an event the pipeline cannot represent: a source bug or an attack on it
	}
	if o.next != nil {
		if err := tx.PutTransfer(*o.next); err != nil {
			return "", err
		}
	}
	if o.utxo != nil {
		if err := tx.AddReserveUTXO(*o.utxo); err != nil {
			return "", err
		}
	}
	if o.entry != nil {
		if _, err := tx.Journal(o.entry); err != nil {
			return "", err
		}
	}
	return o.halt, nil
}

// recordHeaders extends the journal's header chain up to the final height:
// each entry holds consecutive raw headers, the first linking to the
// anchor checkpoint, so an auditor can tie every lock's evidence to it.
func (r *Relayer) recordHeaders(ctx context.Context) error {
	if r.cfg.Headers == nil {
		return nil
	}
	head, err := r.cfg.Source.Head(ctx)
	if err != nil {
		return err
	}
	for range 8 {
		var last uint64
		var lastHash string
		if err := r.cfg.Store.View(ctx, func(tx Tx) error {
			v, ok, err := tx.Setting(settingHeaders)
			if err != nil || !ok {
				last, lastHash = r.cfg.Headers.Anchor()
				return err
			}
			last, lastHash, err = parseHeight(v)
			return err
		}); err != nil {
			return err
		}
		if head.Final.Height <= last {
			return nil
		}
		to := min(head.Final.Height, last+1000)
		hs, tipHash, err := r.cfg.Headers.Headers(ctx, last+1, to)
		if err != nil {
			return err
		}
		if uint64(len(hs)) != to-last {
			return fault.E("relayer.recordHeaders", fault.Internal, fmt.Errorf("asked headers %d..%d, got %d", last+1, to, len(hs)))
		}
		raw := make([]string, len(hs))
		for i, h := range hs {
			raw[i] = hex.EncodeToString(h)
		}
		if err := r.cfg.Store.Update(ctx, func(tx Tx) error {
			if _, err := tx.Journal(Headers{From: last + 1, To: to, Prev: lastHash, Headers: raw}); err != nil {
				return err
			}
			return tx.SetSetting(settingHeaders, fmt.Sprintf("%d:%s", to, tipHash))
		}); err != nil {
			return err
		}
	}
	return nil
}

func parseHeight(v string) (uint64, string, error) {
	hs, hash, _ := strings.Cut(v, ":")
	h, err := strconv.ParseUint(hs, 10, 64)
	if err != nil {
		return 0, "", fault.E("relayer.parseHeight", fault.Internal, errors.New("stored header position "+strconv.Quote(v)+" is malformed"))
	}
	return h, hash, nil
}
