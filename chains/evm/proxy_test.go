package evm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// rpcProxy is a misbehaving JSON-RPC endpoint: an HTTP proxy in front of the
// simulated chain that rewrites answers on request.
type rpcProxy struct {
	t        testing.TB
	upstream string
	srv      *httptest.Server

	mu     sync.Mutex
	tamper tamperFunc
	delay  time.Duration
	pad    int // bytes of whitespace before the JSON answer
	padIf  func(method string, params []json.RawMessage) int
	calls  map[string]int
}

// tamperFunc may rewrite the answer to one call: it returns the new result,
// or a JSON-RPC error object, or ok false to leave the answer alone.
type tamperFunc func(method string, params []json.RawMessage, result json.RawMessage) (newResult json.RawMessage, rpcErr json.RawMessage, ok bool)

func newProxy(t testing.TB, upstream string) *rpcProxy {
	p := &rpcProxy{t: t, upstream: upstream, calls: map[string]int{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *rpcProxy) URL() string { return p.srv.URL }

// set replaces the misbehaviour (nil tamper: honest).
func (p *rpcProxy) set(f tamperFunc, delay time.Duration, pad int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper, p.delay, p.pad = f, delay, pad
}

func (p *rpcProxy) count(method string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[method]
}

type rpcMsg struct {
	JSONRPC string            `json:"jsonrpc"`
	ID      json.RawMessage   `json:"id,omitempty"`
	Method  string            `json:"method,omitempty"`
	Params  []json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage   `json:"result,omitempty"`
	Error   json.RawMessage   `json:"error,omitempty"`
}

func (p *rpcProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	tamper, delay, pad, padIf := p.tamper, p.delay, p.pad, p.padIf
	p.mu.Unlock()
	if delay > 0 {
		timer := time.NewTimer(delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done(): // the client gave up
			return
		}
	}
	var req rpcMsg
	single := json.Unmarshal(body, &req) == nil && req.Method != ""
	if single {
		p.mu.Lock()
		p.calls[req.Method]++
		p.mu.Unlock()
		if padIf != nil {
			pad += padIf(req.Method, req.Params)
		}
	}
	up, err := http.Post(p.upstream, "application/json", bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	answer, err := io.ReadAll(up.Body)
	up.Body.Close()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if single && tamper != nil {
		var resp rpcMsg
		if json.Unmarshal(answer, &resp) == nil && resp.Error == nil {
			if res, rpcErr, ok := tamper(req.Method, req.Params, resp.Result); ok {
				resp.Result, resp.Error = res, rpcErr
				if rpcErr != nil {
					resp.Result = nil
				}
				if answer, err = json.Marshal(resp); err != nil {
					p.t.Errorf("proxy: %v", err)
				}
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if pad > 0 {
		w.Write([]byte(strings.Repeat(" ", pad)))
	}
	w.Write(answer)
}

// param0 returns the first parameter as a plain string ("finalized", "0x1f").
func param0(params []json.RawMessage) string {
	if len(params) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(params[0], &s) != nil {
		return ""
	}
	return s
}

// editObject decodes result as a JSON object, applies f and re-encodes it.
func editObject(t testing.TB, result json.RawMessage, f func(m map[string]any)) json.RawMessage {
	t.Helper()
	if string(result) == "null" {
		return result
	}
	var m map[string]any
	if err := json.Unmarshal(result, &m); err != nil {
		t.Fatalf("proxy: %v: %s", err, result)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// editLogs decodes result as a JSON array of log objects, applies f and re-encodes.
func editLogs(t testing.TB, result json.RawMessage, f func(logs []map[string]any) []map[string]any) json.RawMessage {
	t.Helper()
	var logs []map[string]any
	if err := json.Unmarshal(result, &logs); err != nil {
		t.Fatalf("proxy: %v: %s", err, result)
	}
	b, err := json.Marshal(f(logs))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// flipHexDigit changes the last hex digit of a 0x string.
func flipHexDigit(s string) string {
	b := []byte(s)
	i := len(b) - 1
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
	return string(b)
}

func hexNum(n uint64) string { return fmt.Sprintf("0x%x", n) }
