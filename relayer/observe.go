package relayer

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/fluxbridge/fluxbridge/chains"
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
			more, err := r.observePage(ctx, s.stream, s.conf)
			if err != nil {
				return err
			}
			if !more {
				break
			}
		}
	}
	return nil
}

// observePage applies one page of a stream; more reports a full page.
func (r *Relayer) observePage(ctx context.Context, stream string, conf uint32) (more bool, err error) {
	var cur chains.Cursor
	if err := r.cfg.Store.View(ctx, func(tx Tx) error {
		cur, err = tx.Cursor(stream)
		return err
	}); err != nil {
		return false, err
	}
	resp, err := r.cfg.Source.Events(ctx, chains.EventsRequest{After: cur, Confirmations: conf, Limit: r.cfg.Batch})
	if err != nil {
		return false, err
	}
	if len(resp.Events) == 0 && resp.Next == cur {
		return false, nil
	}
	var halt string
	err = r.cfg.Store.Update(ctx, func(tx Tx) error {
		now, err := tx.Cursor(stream)
		if err != nil {
			return err
		}
		if now != cur {
			return chains.E("relayer.observe", chains.KindConflict, fmt.Errorf("cursor of %s moved under us", stream))
		}
		for _, ev := range resp.Events {
			if ev.Kind != chains.EventLock && ev.Kind != chains.EventInvalidLock {
				continue // reserve spends belong to burn → release (issue 6)
			}
			var h string
			if stream == streamSeen {
				err = r.applySeen(tx, ev)
			} else {
				h, err = r.applyFinal(tx, ev)
			}
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
		return false, err
	}
	if halt != "" {
		if err := r.halt(ctx, SigningHalted{Reason: halt}); err != nil {
			return false, err
		}
	}
	return len(resp.Events) >= r.cfg.Batch, nil
}

// applySeen records a lock at depth 1, or orphans a seen lock whose block
// left the best chain.
func (r *Relayer) applySeen(tx Tx, ev chains.Event) error {
	t, err := tx.Transfer(ev.ID)
	known := err == nil
	if err != nil && chains.KindOf(err) != chains.KindNotFound {
		return err
	}
	switch {
	case ev.Retracted:
		if !known || t.State != StateSeen {
			return nil // final retractions are the final stream's business
		}
		t.State, t.UpdatedAt = StateOrphaned, tx.Now()
		if err := tx.PutTransfer(t); err != nil {
			return err
		}
		_, err = tx.Journal(LockOrphaned{ID: ev.ID, Height: ev.Block.Height, Block: ev.Block.Hash})
		return err
	case ev.Kind == chains.EventInvalidLock:
		return nil // recorded once final: a reorg could still remove it
	case !known:
		t, err = TransferFromEvent(ev, tx.Now())
		if err != nil {
			return r.rejectEvent(tx, ev, err)
		}
	case t.State == StateOrphaned:
		t.State, t.Block, t.Evidence, t.UpdatedAt = StateSeen, ev.Block, ev.Evidence, tx.Now()
	default:
		return nil
	}
	if err := tx.PutTransfer(t); err != nil {
		return err
	}
	_, err = tx.Journal(LockSeen{lockOf(ev, false)})
	return err
}

// applyFinal records a lock at depth D_L1 with its evidence and its reserve
// output. It returns a halt reason when a final event is retracted.
func (r *Relayer) applyFinal(tx Tx, ev chains.Event) (halt string, err error) {
	if ev.Retracted {
		// SECURITY: a reorganisation deeper than D_L1 contradicts the finality
		// every signature relied on. Nothing is undone automatically; signing
		// halts until an operator has looked.
		reason := fmt.Sprintf("final lock %s retracted at height %d: reorganisation deeper than %d blocks", ev.ID, ev.Block.Height, r.cfg.Confirmations)
		_, err := tx.Journal(DeepReorg{lockOf(ev, false)})
		return reason, err
	}
	t, err := tx.Transfer(ev.ID)
	known := err == nil
	if err != nil && chains.KindOf(err) != chains.KindNotFound {
		return "", err
	}
	now := tx.Now()
	switch {
	case known && t.State != StateSeen && t.State != StateOrphaned:
		return "", nil // already final (a re-delivered page)
	case known:
		t.Block, t.Evidence = ev.Block, ev.Evidence
	default:
		if t, err = TransferFromEvent(ev, now); err != nil {
			return "", r.rejectEvent(tx, ev, err)
		}
	}
	var entry Entry = LockFinal{lockOf(ev, true)}
	if ev.Kind == chains.EventInvalidLock {
		t.State, t.Invalid, t.RefundTo, entry = StateRefundDue, ev.Invalid, ev.RefundTo, RefundDue{Lock: lockOf(ev, true)}
	} else {
		t.State = StateFinal
	}
	t.FinalAt, t.UpdatedAt = now, now
	if err := tx.PutTransfer(t); err != nil {
		return "", err
	}
	if err := tx.AddReserveUTXO(ReserveUTXO{TxID: ev.TxID, Vout: ev.Index, Amount: ev.Amount, Height: ev.Block.Height, TransferID: ev.ID}); err != nil {
		return "", err
	}
	_, err = tx.Journal(entry)
	return "", err
}

// rejectEvent journals an event the pipeline cannot represent (a source bug
// or an attack on the source) instead of dropping it silently.
func (r *Relayer) rejectEvent(tx Tx, ev chains.Event, cause error) error {
	r.drop("malformed-event")
	_, err := tx.Journal(EventRejected{Lock: lockOf(ev, false), Error: cause.Error()})
	return err
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
			return chains.E("relayer.recordHeaders", chains.KindInternal, fmt.Errorf("asked headers %d..%d, got %d", last+1, to, len(hs)))
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
		return 0, "", chains.E("relayer.parseHeight", chains.KindInternal, errors.New("stored header position "+strconv.Quote(v)+" is malformed"))
	}
	return h, hash, nil
}
