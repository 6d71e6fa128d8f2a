// Command memplugin is a chain plugin over an in-memory chain, for the tests
// of package chainrpc: real processes, real handshakes, a deterministic chain.
//
// Its JSON config:
//
//	{"chain_id": 77, "chain_id_file": "", "events": 10, "evidence": 0, "no_sink": false, "close_file": ""}
//
// chain_id_file, if set, names a file holding the chain id in decimal (read
// at every Configure, so a test can make a restarted plugin change chains).
// close_file, if set, names a file the implementation's Close writes
// "closed" to, so a test can see that the plugin closed it.
// Event i (from 0) is a burn with nonce i and amount i+1 in block i+1, with
// evidence bytes of the configured size whose first byte is i.
// Reobserve("fail:<kind>") fails with that error kind; Reobserve("sleep")
// blocks until the call's context ends; Reobserve("deadline") reports in
// its event's Ref the milliseconds left before the call's deadline;
// Reobserve("env:NAME") reports the plugin's variable NAME as its Sender.
//
// The sink mints and rotates. Its signer set starts as set 1; Build of a
// rotation refuses one that fails chains.Rotation.Check or whose SetID is
// not the current set + 1 (fault.Invalid), and returns the Rotation it
// received, as JSON, as the payload (so a test sees every field that
// crossed). Submit installs the set (done, idempotently once it is); Status
// of "rotate:<n>" is done once set n is installed.
//
// The environment variable MEMPLUGIN_MODE makes the binary a plugin the host
// must refuse: "cookie" serves with another magic cookie, "protocol2" speaks
// only a protocol version 2 the host does not know; "panic" crashes before
// the handshake.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/chainrpc"
	"github.com/fluxbridge/fluxbridge/fault"
)

type config struct {
	ChainID     uint32 `json:"chain_id"`
	ChainIDFile string `json:"chain_id_file"`
	Events      int    `json:"events"`
	Evidence    int    `json:"evidence"`
	NoSink      bool   `json:"no_sink"`
	CloseFile   string `json:"close_file"`
}

func main() {
	// go-plugin's Serve points os.Stderr at its stdio stream; log lines go
	// to the real stderr, as hclog JSON the host parses.
	log := hclog.New(&hclog.LoggerOptions{Name: "memplugin", Output: os.Stderr, JSONFormat: true})
	switch os.Getenv("MEMPLUGIN_MODE") {
	case "cookie":
		hs := chainrpc.Handshake
		hs.MagicCookieValue = "not-the-fluxbridge-cookie"
		serveRaw(hs, chainrpc.ProtocolVersion)
		return
	case "protocol2":
		hs := chainrpc.Handshake
		hs.ProtocolVersion = 2
		serveRaw(hs, 2)
		return
	case "panic":
		panic("memplugin asked to panic at start")
	}
	chainrpc.Serve(func(_ context.Context, raw []byte) (*chainrpc.Impl, error) {
		c, err := parse(raw)
		if err != nil {
			return nil, err
		}
		m := &mem{cfg: c, minted: map[string]bool{}, set: 1}
		impl := &chainrpc.Impl{Source: m, Name: "memplugin", Version: "test"}
		if !c.NoSink {
			impl.Sink = m
		}
		if c.CloseFile != "" {
			impl.Close = func() error { return os.WriteFile(c.CloseFile, []byte("closed\n"), 0o600) }
		}
		log.Info("configured", "chain_id", c.ChainID, "events", c.Events)
		return impl, nil
	})
}

func parse(raw []byte) (config, error) {
	var c config
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fault.E("mem.Configure", fault.Invalid, err)
	}
	if c.ChainIDFile != "" {
		b, err := os.ReadFile(c.ChainIDFile)
		if err != nil {
			return c, fault.E("mem.Configure", fault.Invalid, err)
		}
		id, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32)
		if err != nil {
			return c, fault.E("mem.Configure", fault.Invalid, err)
		}
		c.ChainID = uint32(id)
	}
	if c.ChainID == 0 {
		return c, fault.E("mem.Configure", fault.Invalid, errors.New("chain_id is required"))
	}
	return c, nil
}

// serveRaw serves an empty plugin set under handshake hs at protocol version
// v: enough for the host to see what it speaks and refuse it.
func serveRaw(hs plugin.HandshakeConfig, v int) {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  hs,
		VersionedPlugins: map[int]plugin.PluginSet{v: {chainrpc.PluginName: emptyPlugin{}}},
		GRPCServer:       plugin.DefaultGRPCServer,
	})
}

type emptyPlugin struct{ plugin.NetRPCUnsupportedPlugin }

func (emptyPlugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error { return nil }

func (emptyPlugin) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, errors.New("memplugin: host side not implemented")
}

type mem struct {
	cfg    config
	mu     sync.Mutex
	minted map[string]bool
	total  uint64
	set    uint32 // the current signer set's id
}

func (m *mem) Chain() chains.ID { return chains.ID(m.cfg.ChainID) }

func (m *mem) head() chains.Head {
	b := chains.BlockRef{Height: uint64(m.cfg.Events), Hash: fmt.Sprintf("block-%d", m.cfg.Events)}
	return chains.Head{Tip: b, Final: b, Healthy: true}
}

func (m *mem) event(i int) chains.Event {
	ev := chains.Event{Kind: chains.EventBurn, ID: fmt.Sprintf("mem:%d", i), Chain: m.Chain(), TxID: fmt.Sprintf("tx%d", i),
		Amount: uint64(i + 1), Nonce: uint64(i), Block: chains.BlockRef{Height: uint64(i + 1), Hash: fmt.Sprintf("block-%d", i+1)}}
	if m.cfg.Evidence > 0 {
		ev.Evidence = make([]byte, m.cfg.Evidence)
		ev.Evidence[0] = byte(i)
	}
	return ev
}

func (m *mem) Head(context.Context) (chains.Head, error) { return m.head(), nil }

func (m *mem) Events(_ context.Context, req chains.EventsRequest) (chains.EventsResponse, error) {
	from := 0
	if req.After != "" {
		n, err := strconv.Atoi(string(req.After))
		if err != nil || n < 0 || n > m.cfg.Events {
			return chains.EventsResponse{}, fault.E("mem.Events", fault.Invalid, fmt.Errorf("cursor %q", req.After))
		}
		from = n
	}
	limit := req.Limit
	if limit <= 0 {
		limit = 1000
	}
	to := min(from+limit, m.cfg.Events)
	var evs []chains.Event
	for i := from; i < to; i++ {
		evs = append(evs, m.event(i))
	}
	return chains.EventsResponse{Events: evs, Next: chains.Cursor(strconv.Itoa(to)), Head: m.head()}, nil
}

var kinds = map[string]fault.Kind{}

func init() {
	for _, k := range fault.Kinds() {
		kinds[k.String()] = k
	}
}

func (m *mem) Reobserve(ctx context.Context, txid string) ([]chains.Event, error) {
	if name, ok := strings.CutPrefix(txid, "env:"); ok {
		// Report the plugin's environment variable name as the event's Sender.
		return []chains.Event{{Kind: chains.EventBurn, ID: txid, Sender: os.Getenv(name)}}, nil
	}
	if name, ok := strings.CutPrefix(txid, "fail:"); ok {
		return nil, fault.E("mem.Reobserve", kinds[name], fmt.Errorf("asked to fail with %s", name))
	}
	switch txid {
	case "sleep":
		<-ctx.Done()
		return nil, ctx.Err()
	case "deadline":
		// Report the deadline the host's context carried across, as the
		// event's Ref (milliseconds left), or fail without one.
		dl, ok := ctx.Deadline()
		if !ok {
			return nil, fault.E("mem.Reobserve", fault.Invalid, errors.New("the call carries no deadline"))
		}
		return []chains.Event{{Kind: chains.EventBurn, ID: "deadline", Ref: strconv.FormatInt(time.Until(dl).Milliseconds(), 10)}}, nil
	}
	s, ok := strings.CutPrefix(txid, "tx")
	n, err := strconv.Atoi(s)
	if !ok || err != nil {
		return nil, fault.E("mem.Reobserve", fault.Invalid, fmt.Errorf("txid %q", txid))
	}
	if n < 0 || n >= m.cfg.Events {
		return nil, fault.E("mem.Reobserve", fault.NotFound, fmt.Errorf("no tx %d", n))
	}
	return []chains.Event{m.event(n)}, nil
}

func digest(mt chains.Mint) []byte {
	h := sha256.Sum256(fmt.Appendf(nil, "%x:%d:%d:%x", mt.Lock.TxID, mt.Lock.Vout, mt.Amount, mt.Recipient))
	return h[:]
}

func (m *mem) Build(_ context.Context, req chains.BuildRequest) (chains.Submission, error) {
	if req.Kind == chains.SubmitRotate && req.Rotate != nil && req.Mint == nil {
		return m.buildRotation(*req.Rotate)
	}
	if req.Kind != chains.SubmitMint || req.Mint == nil || req.Rotate != nil {
		return chains.Submission{}, fault.E("mem.Build", fault.Invalid, errors.New("only mints and rotations"))
	}
	return chains.Submission{Kind: chains.SubmitMint, ID: req.Mint.Lock.TransferID(),
		Payload: fmt.Appendf(nil, "%d", req.Mint.Amount),
		Digests: []chains.Digest{{Scheme: chains.SchemeEd25519, Hash: digest(*req.Mint)}}, Threshold: 1}, nil
}

func (m *mem) buildRotation(r chains.Rotation) (chains.Submission, error) {
	if err := r.Check(); err != nil {
		return chains.Submission{}, fault.E("mem.Build", fault.Invalid, err)
	}
	m.mu.Lock()
	cur := m.set
	m.mu.Unlock()
	if uint64(r.SetID) != uint64(cur)+1 {
		return chains.Submission{}, fault.E("mem.Build", fault.Invalid, fmt.Errorf("set %d is not the next signer set after %d", r.SetID, cur))
	}
	payload, err := json.Marshal(r)
	if err != nil {
		return chains.Submission{}, fault.E("mem.Build", fault.Internal, err)
	}
	h := sha256.Sum256(payload)
	return chains.Submission{Kind: chains.SubmitRotate, ID: chains.RotationID(r.SetID), Payload: payload,
		Digests: []chains.Digest{{Scheme: chains.SchemeEd25519, Hash: h[:]}}, Threshold: 1}, nil
}

func (m *mem) submitRotation(req chains.SubmitRequest) (chains.Status, error) {
	var r chains.Rotation
	if err := json.Unmarshal(req.Submission.Payload, &r); err != nil || req.Submission.ID != chains.RotationID(r.SetID) {
		return chains.Status{}, fault.E("mem.Submit", fault.Invalid, fmt.Errorf("not a rotation payload of %q: %v", req.Submission.ID, err))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case r.SetID <= m.set:
		return chains.Status{ID: req.Submission.ID, State: chains.StateDone}, nil
	case uint64(r.SetID) != uint64(m.set)+1:
		return chains.Status{}, fault.E("mem.Submit", fault.Invalid, fmt.Errorf("set %d is not the next signer set after %d", r.SetID, m.set))
	}
	m.set = r.SetID
	return chains.Status{ID: req.Submission.ID, State: chains.StateDone, TxID: "memtx"}, nil
}

func (m *mem) Submit(_ context.Context, req chains.SubmitRequest) (chains.Status, error) {
	if len(req.Signatures) == 0 {
		return chains.Status{}, fault.E("mem.Submit", fault.Rejected, errors.New("no signature"))
	}
	if req.Submission.Kind == chains.SubmitRotate {
		return m.submitRotation(req)
	}
	amount, err := strconv.ParseUint(string(req.Submission.Payload), 10, 64)
	if err != nil {
		return chains.Status{}, fault.E("mem.Submit", fault.Invalid, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.minted[req.Submission.ID] {
		m.minted[req.Submission.ID] = true
		m.total += amount
	}
	return chains.Status{ID: req.Submission.ID, State: chains.StateDone, TxID: "memtx", Minted: amount}, nil
}

func (m *mem) Status(_ context.Context, kind chains.SubmissionKind, id string) (chains.Status, error) {
	if kind == chains.SubmitRotate {
		n, err := chains.ParseRotationID(id)
		if err != nil {
			return chains.Status{}, err
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.set >= n {
			return chains.Status{ID: id, State: chains.StateDone}, nil
		}
		return chains.Status{ID: id, State: chains.StateUnknown}, nil
	}
	if _, err := chains.ParseTransferID(id); err != nil {
		return chains.Status{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.minted[id] {
		return chains.Status{ID: id, State: chains.StateDone}, nil
	}
	return chains.Status{ID: id, State: chains.StateUnknown}, nil
}

// Limits are fixed: a minimum lock of 1, no fee and a minimum burn of 1.
func (m *mem) Limits(context.Context) (chains.Limits, error) {
	return chains.Limits{MinLock: 1, MinBurn: 1}, nil
}

func (m *mem) Ledger(context.Context) (chains.Ledger, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return chains.Ledger{Chain: m.Chain(), Minted: m.total, At: m.head().Tip}, nil
}
