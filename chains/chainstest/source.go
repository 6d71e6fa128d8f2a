package chainstest

import (
	"context"
	"reflect"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// maxPages bounds a drain so a source whose cursor never settles fails the
// suite instead of hanging it.
const maxPages = 10_000

// drain reads the stream from after until a page brings no event and leaves
// the cursor where it was. limit is passed through; every page must respect it.
func drain(t testing.TB, src chains.Source, after chains.Cursor, conf uint32, limit int) ([]chains.Event, chains.Cursor) {
	t.Helper()
	ctx := ctxFor(t)
	var all []chains.Event
	cur := after
	for range maxPages {
		res, err := src.Events(ctx, chains.EventsRequest{After: cur, Confirmations: conf, Limit: limit})
		if err != nil {
			t.Fatalf("Events(after %q, limit %d): %v", cur, limit, err)
		}
		if limit > 0 && len(res.Events) > limit {
			t.Fatalf("Events(limit %d) returned %d events", limit, len(res.Events))
		}
		all = append(all, res.Events...)
		if len(res.Events) == 0 && res.Next == cur {
			return all, cur
		}
		cur = res.Next
	}
	t.Fatalf("the stream did not settle after %d pages", maxPages)
	return nil, ""
}

// tip returns the current end of the stream.
func tip(t testing.TB, h Harness) chains.Cursor {
	t.Helper()
	h.Settle(t)
	_, cur := drain(t, h.Source(), "", h.Confirmations(), 0)
	return cur
}

// emitN emits n events with distinct amounts and returns their txids in order.
func emitN(t testing.TB, h Harness, n int, base uint64) ([]string, []uint64) {
	t.Helper()
	txids := make([]string, n)
	amounts := make([]uint64, n)
	for i := range n {
		amounts[i] = base + uint64(i)*1_000_003
		txids[i] = h.Emit(t, amounts[i])
	}
	h.Settle(t)
	return txids, amounts
}

func ids(evs []chains.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

func sourceIdentity(t *testing.T, h Harness) {
	src := h.Source()
	if src.Chain() == 0 {
		t.Fatal("Chain() is 0")
	}
	h.Settle(t)
	head, err := src.Head(ctxFor(t))
	if err != nil {
		t.Fatalf("Head: %v", err)
	}
	if head.Tip.Hash == "" || head.Final.Height > head.Tip.Height {
		t.Fatalf("Head is inconsistent: tip %+v, final %+v", head.Tip, head.Final)
	}
	if !head.Healthy || head.Reason != "" {
		t.Fatalf("a settled source reports itself unhealthy: %q", head.Reason)
	}
}

// Every event emitted and made final is reported once, in emission order,
// with its amount; asking again from the same cursor gives the same answer.
func sourceFinalEvents(t *testing.T, h Harness) {
	src := h.Source()
	start := tip(t, h)
	txids, amounts := emitN(t, h, 3, 2_000_000_000)
	evs, end := drain(t, src, start, h.Confirmations(), 0)
	if len(evs) != len(txids) {
		t.Fatalf("emitted %d events, the stream reported %d: %v", len(txids), len(evs), ids(evs))
	}
	head, err := src.Head(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, ev := range evs {
		switch {
		case ev.TxID != txids[i]:
			t.Errorf("event %d: txid %s, emitted %s (order or identity broken)", i, ev.TxID, txids[i])
		case ev.Amount != amounts[i]:
			t.Errorf("event %d: amount %d, emitted %d", i, ev.Amount, amounts[i])
		case ev.Chain != src.Chain():
			t.Errorf("event %d: chain %v, source chain %v", i, ev.Chain, src.Chain())
		case ev.Retracted:
			t.Errorf("event %d is a retraction without a reorganisation", i)
		case ev.ID == "" || seen[ev.ID]:
			t.Errorf("event %d: id %q empty or repeated", i, ev.ID)
		case ev.Block.Hash == "" || ev.Block.Height > head.Tip.Height:
			t.Errorf("event %d: block %+v not on the chain of tip %+v", i, ev.Block, head.Tip)
		}
		seen[ev.ID] = true
	}
	again, againEnd := drain(t, src, start, h.Confirmations(), 0)
	if !reflect.DeepEqual(ids(again), ids(evs)) || againEnd != end {
		t.Fatalf("the same cursor gave another answer: %v then %v", ids(evs), ids(again))
	}
	if more, _ := drain(t, src, end, h.Confirmations(), 0); len(more) != 0 {
		t.Fatalf("the end cursor still yields %v", ids(more))
	}
	all, _ := drain(t, src, "", h.Confirmations(), 0)
	dup := map[string]int{}
	for _, ev := range all {
		if dup[ev.ID]++; dup[ev.ID] > 1 && !ev.Retracted {
			t.Fatalf("the full stream reports %s twice", ev.ID)
		}
	}
}

// Paging with any limit yields the same stream as one large read.
func sourcePaging(t *testing.T, h Harness) {
	src := h.Source()
	start := tip(t, h)
	txids, _ := emitN(t, h, 5, 3_000_000_000)
	whole, _ := drain(t, src, start, h.Confirmations(), 0)
	if len(whole) != len(txids) {
		t.Fatalf("emitted %d, read %d", len(txids), len(whole))
	}
	for _, limit := range []int{1, 2, 3} {
		paged, _ := drain(t, src, start, h.Confirmations(), limit)
		if !reflect.DeepEqual(ids(paged), ids(whole)) {
			t.Errorf("limit %d: %v, one read: %v", limit, ids(paged), ids(whole))
		}
	}
}

func sourceReobserve(t *testing.T, h Harness) {
	src := h.Source()
	start := tip(t, h)
	txids, amounts := emitN(t, h, 1, 4_000_000_000)
	evs, _ := drain(t, src, start, h.Confirmations(), 0)
	if len(evs) != 1 {
		t.Fatalf("emitted 1, read %d", len(evs))
	}
	again, err := src.Reobserve(ctxFor(t), txids[0])
	if err != nil {
		t.Fatalf("Reobserve(%s): %v", txids[0], err)
	}
	found := false
	for _, ev := range again {
		if ev.ID == evs[0].ID {
			found = true
			if ev.Amount != amounts[0] || ev.TxID != txids[0] || ev.Block.Hash != evs[0].Block.Hash {
				t.Fatalf("reobserved %+v, streamed %+v", ev, evs[0])
			}
		}
	}
	if !found {
		t.Fatalf("Reobserve(%s) lacks %s: %+v", txids[0], evs[0].ID, again)
	}
	unknown := flipHex(txids[0])
	if _, err := src.Reobserve(ctxFor(t), unknown); fault.KindOf(err) != fault.NotFound {
		t.Fatalf("Reobserve(unknown %s) = %v, want a not-found error", unknown, err)
	}
}

func sourceBadInput(t *testing.T, h Harness) {
	src := h.Source()
	ctx := ctxFor(t)
	if _, err := src.Events(ctx, chains.EventsRequest{After: "\x00not a cursor\xff", Confirmations: h.Confirmations()}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("Events(malformed cursor) = %v, want an invalid error", err)
	}
	if _, err := src.Reobserve(ctx, "not-a-txid"); fault.KindOf(err) != fault.Invalid {
		t.Errorf("Reobserve(malformed txid) = %v, want an invalid error", err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := src.Reobserve(cancelled, "not-a-txid"); err == nil {
		t.Error("Reobserve with a cancelled context succeeded")
	}
}

// flipHex changes the last hex digit of a txid, keeping its format.
func flipHex(s string) string {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		switch c := b[i]; {
		case c >= '0' && c <= '8', c >= 'a' && c <= 'e', c >= 'A' && c <= 'E':
			b[i]++
			return string(b)
		case c == '9':
			b[i] = '0'
			return string(b)
		case c == 'f' || c == 'F':
			b[i] = '0'
			return string(b)
		}
	}
	return s + "0"
}
