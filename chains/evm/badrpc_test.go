package evm

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/evm/evmtest"
	"github.com/fluxbridge/fluxbridge/contracts/evm/evmsim"
	"github.com/fluxbridge/fluxbridge/fault"
)

// sourceFor returns a source of ch's bridge over urls.
func sourceFor(t testing.TB, ch *evmtest.Chain, urls []string, tweak func(*Config)) *Source {
	t.Helper()
	cfg := Config{
		Endpoints:   urls,
		ChainID:     chains.ID(ch.Sim.ChainID.Uint64()),
		Bridge:      ch.Sim.BridgeAddr,
		CallTimeout: 5 * time.Second,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return NewSource(c)
}

// badRPCFixture is a chain with three burns in one final block, read
// through a proxy.
type badRPCFixture struct {
	ch     *evmtest.Chain
	proxy  *rpcProxy
	burns  []common.Hash
	block  uint64 // the burns' block
	honest []chains.Event
}

func newBadRPCFixture(t *testing.T) *badRPCFixture {
	ch := evmtest.New(t, evmsim.Config{})
	f := &badRPCFixture{ch: ch, proxy: newProxy(t, ch.Sim.URL)}
	for i := range 3 {
		f.burns = append(f.burns, ch.Burn(t, 2_000_000_000+uint64(i)))
	}
	ch.Settle(t)
	f.block = ch.Receipt(t, f.burns[0]).BlockNumber.Uint64()
	evs, err := sourceFor(t, ch, []string{f.proxy.URL()}, nil).Events(t.Context(), chains.EventsRequest{})
	if err != nil || len(evs.Events) != 3 {
		t.Fatalf("honest proxy: %d events, %v", len(evs.Events), err)
	}
	f.honest = evs.Events
	return f
}

// expectRefused asks src for the stream from its start and checks the page
// fails with kind, counting reason, and reports nothing; then, with the
// proxy honest again, the same cursor yields every burn: the cursor never
// moved past the bad data.
func (f *badRPCFixture) expectRefused(t *testing.T, src *Source, kind fault.Kind, reason string) {
	t.Helper()
	res, err := src.Events(t.Context(), chains.EventsRequest{})
	if fault.KindOf(err) != kind || len(res.Events) != 0 {
		t.Fatalf("Events = %d events, %v; want no event and a %v error", len(res.Events), err, kind)
	}
	if src.Drops()[reason] == 0 {
		t.Fatalf("drop %q not counted: %v", reason, src.Drops())
	}
	f.proxy.set(nil, 0, 0)
	again, err := src.Events(t.Context(), chains.EventsRequest{})
	if err != nil || len(again.Events) != len(f.honest) {
		t.Fatalf("honest again: %d events, %v", len(again.Events), err)
	}
}

func TestMisbehavingRPC(t *testing.T) {
	f := newBadRPCFixture(t)
	url := []string{f.proxy.URL()}
	burnBlock := hexNum(f.block)
	cases := []struct {
		name   string
		tamper tamperFunc
		kind   fault.Kind
		reason string
	}{
		{"LogsDoNotMatchReceipts", func(m string, _ []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			if m != "eth_getLogs" {
				return nil, nil, false
			}
			return editLogs(t, res, func(logs []map[string]any) []map[string]any {
				d := logs[0]["data"].(string) // raise the amount's last hex digit
				logs[0]["data"] = d[:65] + flipHexDigit(d[:66])[65:] + d[66:]
				return logs
			}), nil, true
		}, fault.Transient, DropReceiptLog},
		{"ReceiptInAnotherBlock", func(m string, _ []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			if m != "eth_getTransactionReceipt" {
				return nil, nil, false
			}
			return editObject(t, res, func(r map[string]any) { r["blockHash"] = flipHexDigit(r["blockHash"].(string)) }), nil, true
		}, fault.Reorged, DropReceiptBlock},
		{"BurnWithoutTransfer", func(m string, _ []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			if m != "eth_getTransactionReceipt" {
				return nil, nil, false
			}
			return editObject(t, res, func(r map[string]any) {
				var kept []any
				for _, l := range r["logs"].([]any) {
					if !strings.EqualFold(l.(map[string]any)["address"].(string), f.ch.Sim.TokenAddr.Hex()) {
						kept = append(kept, l)
					}
				}
				r["logs"] = kept
			}), nil, true
		}, fault.Transient, DropBurnNoTransfer},
		{"ReceiptStatusFailed", func(m string, _ []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			if m != "eth_getTransactionReceipt" {
				return nil, nil, false
			}
			return editObject(t, res, func(r map[string]any) { r["status"] = "0x0" }), nil, true
		}, fault.Transient, DropReceiptStatus},
		{"ReceiptMissing", func(m string, _ []json.RawMessage, _ json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			return json.RawMessage("null"), nil, m == "eth_getTransactionReceipt"
		}, fault.Reorged, DropReceiptMissing},
		{"BlockNotCanonical", func(m string, p []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			if m != "eth_getBlockByNumber" || param0(p) != burnBlock {
				return nil, nil, false
			}
			return editObject(t, res, func(h map[string]any) { h["extraData"] = "0x0badb10c" }), nil, true
		}, fault.Reorged, DropNotCanonical},
		{"NonceGap", func(m string, _ []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			if m != "eth_getLogs" {
				return nil, nil, false
			}
			return editLogs(t, res, func(logs []map[string]any) []map[string]any { return logs[1:] }), nil, true
		}, fault.Conflict, DropNonceGap},
		{"NonceRepeat", func(m string, _ []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			if m != "eth_getLogs" {
				return nil, nil, false
			}
			return editLogs(t, res, func(logs []map[string]any) []map[string]any {
				dup := map[string]any{}
				for k, v := range logs[0] {
					dup[k] = v
				}
				dup["logIndex"] = "0x99"
				return append(logs, dup)
			}), nil, true
		}, fault.Conflict, DropNonceRepeat},
		{"LogOutsideTheRange", func(m string, _ []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			if m != "eth_getLogs" {
				return nil, nil, false
			}
			return editLogs(t, res, func(logs []map[string]any) []map[string]any {
				logs[0]["blockNumber"] = "0xffffffff"
				return logs
			}), nil, true
		}, fault.Transient, DropLogOutsideRange},
		{"MalformedLog", func(m string, _ []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			if m != "eth_getLogs" {
				return nil, nil, false
			}
			return editLogs(t, res, func(logs []map[string]any) []map[string]any {
				logs[0]["data"] = "0x01"
				return logs
			}), nil, true
		}, fault.Transient, DropMalformedLog},
		{"MalformedAnswer", func(m string, _ []json.RawMessage, _ json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			return json.RawMessage(`{"number":"not hex"}`), nil, m == "eth_getBlockByNumber"
		}, fault.Transient, DropMalformedResp},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := sourceFor(t, f.ch, url, nil)
			f.proxy.set(c.tamper, 0, 0)
			f.expectRefused(t, src, c.kind, c.reason)
		})
	}
	t.Run("Timeout", func(t *testing.T) {
		src := sourceFor(t, f.ch, url, func(c *Config) { c.CallTimeout = 200 * time.Millisecond })
		f.proxy.set(nil, 5*time.Second, 0)
		start := time.Now()
		f.expectRefused(t, src, fault.Transient, DropTimeout)
		if el := time.Since(start); el > 4*time.Second {
			t.Fatalf("a slow endpoint held the call %v", el)
		}
	})
	t.Run("OversizedResponse", func(t *testing.T) {
		src := sourceFor(t, f.ch, url, func(c *Config) { c.MaxResponseBytes = 64 << 10 })
		f.proxy.set(nil, 0, 100<<10)
		f.expectRefused(t, src, fault.Transient, DropOversized)
	})
	t.Run("ReobserveRefusesBadReceipts", func(t *testing.T) {
		src := sourceFor(t, f.ch, url, nil)
		f.proxy.set(func(m string, _ []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			if m != "eth_getLogs" {
				return nil, nil, false
			}
			return editLogs(t, res, func(logs []map[string]any) []map[string]any { return logs[:len(logs)-1] }), nil, true
		}, 0, 0)
		defer f.proxy.set(nil, 0, 0)
		if evs, err := src.Reobserve(t.Context(), f.burns[2].Hex()); fault.KindOf(err) != fault.Transient || len(evs) != 0 {
			t.Fatalf("Reobserve with a log missing from eth_getLogs = %v, %v", evs, err)
		}
		if src.Drops()[DropReceiptLog] == 0 {
			t.Fatalf("not counted: %v", src.Drops())
		}
	})
}

func TestEndpointRefusals(t *testing.T) {
	f := newBadRPCFixture(t)
	url := []string{f.proxy.URL()}
	t.Run("WrongChainID", func(t *testing.T) {
		src := sourceFor(t, f.ch, url, nil)
		f.proxy.set(func(m string, _ []json.RawMessage, _ json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			return json.RawMessage(`"0x1"`), nil, m == "eth_chainId"
		}, 0, 0)
		defer f.proxy.set(nil, 0, 0)
		if err := src.Client().Check(t.Context()); fault.KindOf(err) != fault.Invalid {
			t.Fatalf("Check = %v, want invalid", err)
		}
		if _, err := src.Head(t.Context()); fault.KindOf(err) != fault.Invalid {
			t.Fatalf("Head = %v, want invalid", err)
		}
		if res, err := src.Events(t.Context(), chains.EventsRequest{}); fault.KindOf(err) != fault.Invalid || len(res.Events) != 0 {
			t.Fatalf("Events = %v, %v", res.Events, err)
		}
		f.proxy.set(nil, 0, 0)
		// Refused for good: an endpoint that served another chain once is not trusted again.
		if _, err := src.Events(t.Context(), chains.EventsRequest{}); fault.KindOf(err) != fault.Invalid {
			t.Fatalf("Events after the endpoint recovered = %v", err)
		}
		if src.Drops()[DropWrongChain] == 0 {
			t.Fatalf("not counted: %v", src.Drops())
		}
	})
	for _, variant := range []struct {
		name   string
		answer func() (json.RawMessage, json.RawMessage)
	}{
		{"NoFinalizedTag/Error", func() (json.RawMessage, json.RawMessage) {
			return nil, json.RawMessage(`{"code":-39001,"message":"unknown block"}`)
		}},
		{"NoFinalizedTag/Null", func() (json.RawMessage, json.RawMessage) { return json.RawMessage("null"), nil }},
	} {
		t.Run(variant.name, func(t *testing.T) {
			src := sourceFor(t, f.ch, url, nil)
			f.proxy.set(func(m string, p []json.RawMessage, _ json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
				if m != "eth_getBlockByNumber" || param0(p) != "finalized" {
					return nil, nil, false
				}
				res, rpcErr := variant.answer()
				return res, rpcErr, true
			}, 0, 0)
			defer f.proxy.set(nil, 0, 0)
			if err := src.Client().Check(t.Context()); fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "finalized") {
				t.Fatalf("Check = %v, want an invalid error naming the finalized tag", err)
			}
			if _, err := src.Head(t.Context()); fault.KindOf(err) != fault.Invalid {
				t.Fatalf("Head = %v", err)
			}
			f.expectRefused(t, src, fault.Invalid, DropNoFinalized)
		})
	}
}

func TestSeveralEndpoints(t *testing.T) {
	f := newBadRPCFixture(t)
	b := newProxy(t, f.ch.Sim.URL)
	both := []string{f.proxy.URL(), b.URL()}
	t.Run("AgreeingEndpoints", func(t *testing.T) {
		src := sourceFor(t, f.ch, both, nil)
		res, err := src.Events(t.Context(), chains.EventsRequest{})
		if err != nil || len(res.Events) != 3 || res.Events[2].Nonce != f.honest[2].Nonce {
			t.Fatalf("Events = %v, %v", res.Events, err)
		}
		if b.count("eth_getLogs") == 0 || b.count("eth_getTransactionReceipt") == 0 {
			t.Fatalf("the second endpoint was not asked: %v", b.calls)
		}
	})
	t.Run("LogsDisagree", func(t *testing.T) {
		src := sourceFor(t, f.ch, both, nil)
		b.set(func(m string, _ []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			if m != "eth_getLogs" {
				return nil, nil, false
			}
			return editLogs(t, res, func(logs []map[string]any) []map[string]any { return logs[:len(logs)-1] }), nil, true
		}, 0, 0)
		defer b.set(nil, 0, 0)
		res, err := src.Events(t.Context(), chains.EventsRequest{})
		if fault.KindOf(err) != fault.Transient || !strings.Contains(err.Error(), "disagree") || len(res.Events) != 0 {
			t.Fatalf("Events = %v, %v; want a transient disagreement", res.Events, err)
		}
		if src.Drops()[DropDisagree] == 0 {
			t.Fatalf("not counted: %v", src.Drops())
		}
	})
	t.Run("FinalizedDisagrees", func(t *testing.T) {
		src := sourceFor(t, f.ch, both, nil)
		b.set(func(m string, _ []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
			if m != "eth_getBlockByNumber" {
				return nil, nil, false
			}
			return editObject(t, res, func(h map[string]any) { h["extraData"] = "0x0badb10c" }), nil, true
		}, 0, 0)
		defer b.set(nil, 0, 0)
		head, err := src.Head(t.Context())
		if err != nil || head.Healthy || !strings.Contains(head.Reason, "disagree") {
			t.Fatalf("Head = %+v, %v; want unhealthy because the endpoints disagree", head, err)
		}
		if _, err := src.Events(t.Context(), chains.EventsRequest{}); fault.KindOf(err) != fault.Transient {
			t.Fatalf("Events = %v", err)
		}
	})
	t.Run("FailingEndpoint", func(t *testing.T) {
		dead := httptestDead(t)
		one := sourceFor(t, f.ch, []string{f.proxy.URL(), dead}, func(c *Config) { c.Quorum = 1 })
		head, err := one.Head(t.Context())
		if err != nil || head.Healthy || head.Reason == "" {
			t.Fatalf("Head with a failing endpoint = %+v, %v; want unhealthy with a reason", head, err)
		}
		if res, err := one.Events(t.Context(), chains.EventsRequest{}); err != nil || len(res.Events) != 3 {
			t.Fatalf("quorum 1 of 2: %d events, %v", len(res.Events), err)
		}
		all := sourceFor(t, f.ch, []string{f.proxy.URL(), dead}, nil)
		if _, err := all.Events(t.Context(), chains.EventsRequest{}); fault.KindOf(err) != fault.Transient {
			t.Fatalf("quorum 2 of 2 with one failing: %v", err)
		}
	})
}

// httptestDead returns the URL of an endpoint that answers every call with
// HTTP 500.
func httptestDead(t testing.TB) string {
	p := newProxy(t, "http://127.0.0.1:1")
	p.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "broken", http.StatusInternalServerError)
	})
	return p.URL()
}

func TestOversizedLogsHalveTheRange(t *testing.T) {
	f := newBadRPCFixture(t)
	// Pad only multi-block log queries: the source must narrow its ranges.
	f.proxy.set(func(m string, p []json.RawMessage, res json.RawMessage) (json.RawMessage, json.RawMessage, bool) {
		return nil, nil, false
	}, 0, 0)
	f.proxy.mu.Lock()
	f.proxy.padIf = func(method string, params []json.RawMessage) int {
		if method != "eth_getLogs" || len(params) == 0 {
			return 0
		}
		var q struct{ FromBlock, ToBlock string }
		if json.Unmarshal(params[0], &q) != nil || q.FromBlock == q.ToBlock {
			return 0
		}
		return 200 << 10
	}
	f.proxy.mu.Unlock()
	src := sourceFor(t, f.ch, []string{f.proxy.URL()}, func(c *Config) { c.MaxResponseBytes = 128 << 10; c.MaxBlockRange = 16 })
	var all []chains.Event
	var cur chains.Cursor
	for range 200 {
		res, err := src.Events(t.Context(), chains.EventsRequest{After: cur})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, res.Events...)
		if res.Next == cur {
			break
		}
		cur = res.Next
	}
	if len(all) != 3 {
		t.Fatalf("read %d burns through halved ranges, want 3", len(all))
	}
	if src.Drops()[DropOversized] == 0 {
		t.Fatal("no oversized answer was seen: the test did not exercise halving")
	}
}
