package spv

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// maxEventSize bounds one stored event's encoding (its evidence holds a
// transaction, at most a block).
const maxEventSize = 2*wire.MaxBlockSize + 64*1024

// blockEvents converts a block's scan result into event records, in the
// order of the transactions that carry them (locks before spends within one
// transaction).
func blockEvents(height int32, hash chainhash.Hash, hdr *wire.BlockHeader, res *reserve.BlockResult) ([]EventRecord, error) {
	if len(res.Locks) == 0 && len(res.Spends) == 0 {
		return nil, nil
	}
	t := time.Unix(int64(hdr.Time), 0).UTC()
	evs := make([]chains.Event, 0, len(res.Locks)+len(res.Spends))
	for i := range res.Locks {
		evs = append(evs, res.Locks[i].Event(chains.FluxL1, hash, t))
	}
	for i := range res.Spends {
		evs = append(evs, res.Spends[i].Event(chains.FluxL1, hash, t))
	}
	out := make([]EventRecord, len(evs))
	for i, ev := range evs {
		ev.Block = chains.BlockRef{Height: uint64(height), Hash: hash.String(), Time: t}
		txid, err := chainhash.FromDisplay(ev.TxID)
		if err != nil {
			return nil, fmt.Errorf("event %s: txid %q: %w", ev.ID, ev.TxID, err)
		}
		data, err := encodeEvent(ev)
		if err != nil {
			return nil, err
		}
		out[i] = EventRecord{BlockHash: hash, Height: height, Seq: int32(i), ID: ev.ID, TxID: txid, Data: data}
	}
	return out, nil
}

// encodeEvent is the stored form of an event: its JSON.
func encodeEvent(ev chains.Event) ([]byte, error) {
	ev.Retracted = false
	return json.Marshal(ev)
}

// decodeEvent reverses encodeEvent.
func decodeEvent(b []byte) (chains.Event, error) {
	var ev chains.Event
	if len(b) > maxEventSize {
		return ev, fmt.Errorf("spv: stored event is %d bytes, at most %d", len(b), maxEventSize)
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		return ev, fmt.Errorf("spv: stored event: %w", err)
	}
	return ev, nil
}

func decodeRecords(rs []EventRecord, retracted bool) ([]chains.Event, error) {
	out := make([]chains.Event, 0, len(rs))
	for _, r := range rs {
		ev, err := decodeEvent(r.Data)
		if err != nil {
			return nil, fmt.Errorf("%w (block %s seq %d)", err, r.BlockHash, r.Seq)
		}
		ev.Retracted = retracted
		out = append(out, ev)
	}
	return out, nil
}

// Cursor formats the event cursor naming a block whose events were all
// delivered: "<height>:<display hash>".
func Cursor(height int32, hash chainhash.Hash) chains.Cursor {
	return chains.Cursor(strconv.FormatInt(int64(height), 10) + ":" + hash.String())
}

// PartialCursor formats the cursor of a block of which the first n events
// were delivered: "<height>:<display hash>:<n>". n = 0 is Cursor's form.
func PartialCursor(height int32, hash chainhash.Hash, n int) chains.Cursor {
	if n == 0 {
		return Cursor(height, hash)
	}
	return Cursor(height, hash) + chains.Cursor(":"+strconv.Itoa(n))
}

// ParseCursor parses a non-empty cursor into its block and the number of
// that block's events already delivered (0: all of them).
func ParseCursor(c chains.Cursor) (height int32, hash chainhash.Hash, delivered int, err error) {
	hs, rest, ok := strings.Cut(string(c), ":")
	if !ok {
		return 0, hash, 0, fmt.Errorf("%w: %q has no ':'", ErrBadCursor, c)
	}
	h, err := strconv.ParseInt(hs, 10, 32)
	if err != nil || h < 0 || strconv.FormatInt(h, 10) != hs {
		return 0, hash, 0, fmt.Errorf("%w: height %q", ErrBadCursor, hs)
	}
	hashS, ns, partial := strings.Cut(rest, ":")
	if hash, err = chainhash.FromDisplay(hashS); err != nil {
		return 0, hash, 0, fmt.Errorf("%w: hash: %v", ErrBadCursor, err)
	}
	if partial {
		n, err := strconv.Atoi(ns)
		if err != nil || n <= 0 || strconv.Itoa(n) != ns {
			return 0, hash, 0, fmt.Errorf("%w: position %q", ErrBadCursor, ns)
		}
		delivered = n
	}
	return int32(h), hash, delivered, nil
}

// EventsAfter returns the bridge events after cursor at a depth: the events
// of main-chain blocks up to height tip-confirmations+1, in block order, at
// most limit of them (0 means DefaultEventLimit); a page that ends inside a
// block returns a cursor with the position in that block. The empty cursor
// starts after the anchor.
//
// If the cursor's block has left the main chain, the events delivered from
// the orphaned blocks back to the fork point come first, as Retracted copies,
// newest first (a reorganisation's retractions come whole, outside limit);
// the stream then continues from the fork point. next does not move while no
// new block is deep enough.
func (c *Chain) EventsAfter(after chains.Cursor, confirmations uint32, limit int) (evs []chains.Event, next chains.Cursor, err error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return nil, after, ErrClosed
	}
	if err := c.awaitWrite(); err != nil {
		return nil, after, err
	}
	if confirmations == 0 {
		confirmations = 1
	}
	if limit <= 0 {
		limit = DefaultEventLimit
	}
	to := c.tree.tipNode().height - int32(confirmations) + 1
	from := c.anchor.AnchorHeight // last height fully delivered
	next = after
	if after != "" {
		h, hash, delivered, err := ParseCursor(after)
		if err != nil {
			return nil, after, err
		}
		r, ok, err := c.st.HeaderByHash(hash)
		if err != nil {
			return nil, after, fmt.Errorf("spv: cursor block: %w", err)
		}
		if !ok || r.Height != h || h < c.anchor.AnchorHeight {
			return nil, after, fmt.Errorf("%w: block %d %s unknown", ErrBadCursor, h, hash)
		}
		if evs, r, err = c.retractOrphans(r, delivered); err != nil {
			return nil, after, err
		}
		from = r.Height
		next = Cursor(r.Height, r.Hash)
		if r.Hash == hash && delivered > 0 {
			// Finish the block the last page stopped in.
			if r.Height > to {
				return evs, after, nil
			}
			rs, err := c.st.BlockEvents(r.Hash)
			if err != nil {
				return nil, after, fmt.Errorf("spv: events of %s: %w", r.Hash, err)
			}
			if delivered > len(rs) {
				return nil, after, fmt.Errorf("%w: block %d has %d events, cursor is past %d", ErrBadCursor, h, len(rs), delivered)
			}
			rest := rs[delivered:]
			if len(rest) > limit {
				fwd, err := decodeRecords(rest[:limit], false)
				if err != nil {
					return nil, after, err
				}
				return append(evs, fwd...), PartialCursor(r.Height, r.Hash, delivered+limit), nil
			}
			fwd, err := decodeRecords(rest, false)
			if err != nil {
				return nil, after, err
			}
			evs = append(evs, fwd...)
			limit -= len(fwd)
			if limit == 0 {
				return evs, next, nil
			}
		}
	}
	if to <= from {
		return evs, next, nil
	}
	rs, err := c.st.EventsInRange(from+1, to, limit)
	if err != nil {
		return nil, after, fmt.Errorf("spv: events: %w", err)
	}
	last, lastHash := to, chainhash.Hash{}
	var cut chains.Cursor
	if len(rs) > limit {
		// The store finished the last block; stop at the limit inside it.
		end := rs[limit-1]
		n := 0
		for _, r := range rs[:limit] {
			if r.BlockHash == end.BlockHash {
				n++
			}
		}
		if end.BlockHash == rs[limit].BlockHash {
			cut = PartialCursor(end.Height, end.BlockHash, n)
		}
		last, lastHash = end.Height, end.BlockHash
		rs = rs[:limit]
	} else if len(rs) == limit {
		last = rs[len(rs)-1].Height
	}
	fwd, err := decodeRecords(rs, false)
	if err != nil {
		return nil, after, err
	}
	if cut != "" {
		return append(evs, fwd...), cut, nil
	}
	if lastHash == (chainhash.Hash{}) {
		_, hash, ok := c.headerAt(last)
		if !ok {
			return nil, after, fmt.Errorf("spv: no main-chain header at %d", last)
		}
		lastHash = hash
	}
	return append(evs, fwd...), Cursor(last, lastHash), nil
}

// retractOrphans walks from the cursor's block r back to the main chain and
// returns retracted copies of what was delivered from the orphaned blocks
// (newest first; of the cursor's own block only its first delivered events,
// all when delivered is 0) and the main-chain block it reached.
func (c *Chain) retractOrphans(r HeaderRecord, delivered int) ([]chains.Event, HeaderRecord, error) {
	var evs []chains.Event
	first := true
	for !r.Main {
		rs, err := c.st.BlockEvents(r.Hash)
		if err != nil {
			return nil, r, fmt.Errorf("spv: orphaned events: %w", err)
		}
		if first && delivered > 0 && delivered < len(rs) {
			rs = rs[:delivered]
		}
		first = false
		retracted, err := decodeRecords(rs, true)
		if err != nil {
			return nil, r, err
		}
		for i := len(retracted) - 1; i >= 0; i-- {
			evs = append(evs, retracted[i])
		}
		prev := r.Prev
		var ok bool
		if r, ok, err = c.st.HeaderByHash(prev); err != nil || !ok {
			return nil, r, fmt.Errorf("spv: parent %s of orphaned block: found %v: %v", prev, ok, err)
		}
	}
	return evs, r, nil
}

// EventsForTx returns the main-chain bridge events of one transaction.
func (c *Chain) EventsForTx(txid chainhash.Hash) ([]chains.Event, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if err := c.awaitWrite(); err != nil {
		return nil, err
	}
	rs, err := c.st.EventsByTx(txid)
	if err != nil {
		return nil, fmt.Errorf("spv: events of %s: %w", txid, err)
	}
	return decodeRecords(rs, false)
}

// EventByID returns the main-chain event with a transfer id (a lock's
// "flux:<txid>:<vout>").
func (c *Chain) EventByID(id string) (chains.Event, bool, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if err := c.awaitWrite(); err != nil {
		return chains.Event{}, false, err
	}
	r, ok, err := c.st.EventByID(id)
	if err != nil || !ok {
		return chains.Event{}, false, err
	}
	ev, err := decodeEvent(r.Data)
	return ev, err == nil, err
}

// Watch records txid as a transaction to track: FindTx reports the
// main-chain block that holds it once one connects. Watching twice is harmless.
func (c *Chain) Watch(txid chainhash.Hash) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle() // one Store write at a time
	if err := c.usable(); err != nil {
		return err
	}
	if _, ok := c.watch[txid]; ok {
		return nil
	}
	if err := c.st.Watch(txid); err != nil {
		return fmt.Errorf("spv: watch %s: %w", txid, err)
	}
	c.watch[txid] = WatchedTx{TxID: txid}
	return nil
}

// FindTx reports the main-chain block holding a watched transaction. Only
// transactions watched before their block connected are found.
func (c *Chain) FindTx(txid chainhash.Hash) (height int32, blockHash chainhash.Hash, found bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.awaitWrite() != nil {
		return 0, chainhash.Hash{}, false
	}
	w, ok := c.watch[txid]
	if !ok || !w.Mined {
		return 0, chainhash.Hash{}, false
	}
	return w.Height, w.BlockHash, true
}
