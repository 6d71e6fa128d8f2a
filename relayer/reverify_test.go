package relayer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// burnSource answers Reobserve from a table of transactions.
type burnSource struct {
	chain chains.ID
	txs   map[string][]chains.Event
	err   error
}

func (s burnSource) Chain() chains.ID                          { return s.chain }
func (s burnSource) Head(context.Context) (chains.Head, error) { return chains.Head{}, nil }
func (s burnSource) Events(context.Context, chains.EventsRequest) (chains.EventsResponse, error) {
	return chains.EventsResponse{}, nil
}
func (s burnSource) Reobserve(_ context.Context, txid string) ([]chains.Event, error) {
	if s.err != nil {
		return nil, s.err
	}
	evs, ok := s.txs[txid]
	if !ok {
		return nil, fault.E("test", fault.NotFound, errors.New("no such transaction"))
	}
	return evs, nil
}

// Signing rule 1 for burns: every burn of a range is re-fetched from its
// chain at signing time and must be the one recorded; a burn gone from the
// finalized chain or changed is refused, a source failing is waited on.
func TestReverifyBurns(t *testing.T) {
	const chain = chains.ID(1337)
	to := make([]byte, 22)
	burn := func(n uint64, tx string, amount uint64) Burn {
		return Burn{ID: BurnID(chain, n), Chain: chain, Nonce: n, Amount: amount, To: to, TxID: tx}
	}
	event := func(b Burn) chains.Event {
		return chains.Event{Kind: chains.EventBurn, ID: b.ID, Chain: chain, Nonce: b.Nonce, Amount: b.Amount, Recipient: to, TxID: b.TxID}
	}
	b0, b1, b2 := burn(0, "0xa", 5e8), burn(1, "0xa", 6e8), burn(2, "0xb", 7e8)
	good := map[string][]chains.Event{"0xa": {event(b0), event(b1)}, "0xb": {event(b2)}}
	changed := map[string][]chains.Event{"0xa": {event(b0), event(b1)}, "0xb": {event(burn(2, "0xb", 7e8+1))}}
	cases := []struct {
		name string
		src  burnSource
		why  string
		wait bool
	}{
		{"every burn as recorded", burnSource{chain: chain, txs: good}, "", false},
		{"a burn gone from the finalized chain", burnSource{chain: chain, txs: map[string][]chains.Event{"0xa": good["0xa"]}}, "not final on its chain any more", false},
		{"a burn changed", burnSource{chain: chain, txs: changed}, "differs from the one recorded", false},
		{"the source failing", burnSource{chain: chain, err: fault.E("test", fault.Transient, errors.New("rpc down"))}, "re-fetching", true},
		{"no source for the chain", burnSource{chain: 56, txs: good}, "no burn source for chain 1337", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &Relayer{cfg: Config{Releases: Releases{Burns: []chains.Source{tc.src}}}}
			d, err := r.reverifyBurns(context.Background(), chain, []Burn{b0, b1, b2})
			if err != nil {
				t.Fatal(err)
			}
			if (d.why == "") != (tc.why == "") || !strings.Contains(d.why, tc.why) || d.wait != tc.wait {
				t.Fatalf("reverifyBurns = %q wait %v, want %q wait %v", d.why, d.wait, tc.why, tc.wait)
			}
		})
	}
}
