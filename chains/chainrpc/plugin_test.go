package chainrpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/fluxbridge/fluxbridge/chains"
	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/internal/testbin"
)

// memPlugin is the test plugin binary (internal/memplugin), built once for
// the package: building it per test costs seconds, tens under -race.
var memPlugin struct {
	path string
	sum  []byte
}

func TestMain(m *testing.M) {
	testbin.Main(withPlugin{m}, testbin.Binary{Pkg: "chains/chainrpc/internal/memplugin", Path: &memPlugin.path})
}

// withPlugin pins the built test plugin's checksum before the tests and
// stops every plugin client after them.
type withPlugin struct{ m *testing.M }

func (w withPlugin) Run() int {
	var err error
	if memPlugin.sum, err = Checksum(memPlugin.path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer CleanupClients()
	return w.m.Run()
}

// testConfig is a pinned config for the memplugin with fast supervision.
func testConfig(config string, tweak ...func(*Config)) Config {
	cfg := Config{Path: memPlugin.path, SHA256: memPlugin.sum, PluginConfig: []byte(config),
		PingInterval: 50 * time.Millisecond, PingTimeout: 300 * time.Millisecond,
		RestartMin: 20 * time.Millisecond, RestartMax: 200 * time.Millisecond}
	for _, f := range tweak {
		f(&cfg)
	}
	return cfg
}

func start(t *testing.T, config string, tweak ...func(*Config)) *Plugin {
	t.Helper()
	p, err := Start(ctxT(t), testConfig(config, tweak...))
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// logRecorder is a slog.Handler keeping every record, for tests that assert
// on what the host logs.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
	added   chan struct{} // receives (without blocking) after each record
}

func newLogRecorder() *logRecorder { return &logRecorder{added: make(chan struct{}, 1)} }

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }

func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	r.records = append(r.records, rec.Clone())
	r.mu.Unlock()
	select {
	case r.added <- struct{}{}:
	default: // a wake-up is already pending
	}
	return nil
}

func (r *logRecorder) find(match func(slog.Record) bool) (slog.Record, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range r.records {
		if match(rec) {
			return rec, true
		}
	}
	return slog.Record{}, false
}

// waitFor waits until a record matching match is logged.
func (r *logRecorder) waitFor(t *testing.T, what string, match func(slog.Record) bool) slog.Record {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		if rec, ok := r.find(match); ok {
			return rec
		}
		select {
		case <-r.added:
		case <-timeout:
			t.Fatalf("no log record: %s", what)
		}
	}
}

func attr(rec slog.Record, key string) (string, bool) {
	var v string
	var found bool
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v, found = a.Value.String(), true
			return false
		}
		return true
	})
	return v, found
}

// children lists the live (not zombie) child processes of the test, from
// /proc; tests that use it skip elsewhere.
func children(t *testing.T) []int {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the process ended meanwhile
		}
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 2 || fields[0] == "Z" {
			continue
		}
		if ppid, _ := strconv.Atoi(fields[1]); ppid == os.Getpid() {
			pid, _ := strconv.Atoi(strings.Fields(s)[0])
			out = append(out, pid)
		}
	}
	return out
}

// waitNoChildren waits until the test has no live child process.
func waitNoChildren(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for kids := children(t); len(kids) > 0; kids = children(t) {
		if time.Now().After(deadline) {
			t.Fatalf("plugin processes still run: %v", kids)
		}
		time.Sleep(10 * time.Millisecond) // polling the OS process table, with a deadline
	}
}

func TestEveryCallCrossesTheBoundary(t *testing.T) {
	logs := newLogRecorder()
	p := start(t, `{"chain_id":77,"events":5}`, func(c *Config) { c.Logger = slog.New(logs) })
	ctx := ctxT(t)
	if info := p.Info(); info != (Info{Chain: 77, Name: "memplugin", Version: "test", HasSource: true, HasSink: true}) {
		t.Fatalf("Info = %+v", info)
	}
	src := p.Source()
	if src.Chain() != 77 {
		t.Fatalf("Chain = %v", src.Chain())
	}
	h, err := src.Head(ctx)
	if err != nil || h.Tip.Height != 5 || h.Tip.Hash != "block-5" || !h.Healthy {
		t.Fatalf("Head = %+v, %v", h, err)
	}
	res, err := src.Events(ctx, chains.EventsRequest{Limit: 2})
	if err != nil || len(res.Events) != 2 || res.Next != "2" || res.Events[1].ID != "mem:1" || res.Events[1].Nonce != 1 ||
		res.Head.Tip.Height != 5 {
		t.Fatalf("Events = %+v, %v", res, err)
	}
	res, err = src.Events(ctx, chains.EventsRequest{After: res.Next})
	if err != nil || len(res.Events) != 3 || res.Next != "5" || res.Events[0].ID != "mem:2" {
		t.Fatalf("Events after 2 = %+v, %v", res, err)
	}
	evs, err := src.Reobserve(ctx, "tx3")
	if err != nil || len(evs) != 1 || evs[0].Amount != 4 || evs[0].Block.Hash != "block-4" || evs[0].Chain != 77 {
		t.Fatalf("Reobserve = %+v, %v", evs, err)
	}
	snk := p.Sink()
	if snk.Chain() != 77 {
		t.Fatalf("Sink.Chain = %v", snk.Chain())
	}
	m := chains.Mint{Amount: 42}
	m.Lock.TxID[0], m.Recipient[31] = 9, 1
	sub, err := snk.Build(ctx, chains.BuildRequest{Kind: chains.SubmitMint, Mint: &m})
	if err != nil || sub.ID != m.Lock.TransferID() || len(sub.Digests) != 1 || len(sub.Digests[0].Hash) != 32 ||
		sub.Digests[0].Scheme != chains.SchemeEd25519 || sub.Threshold != 1 || string(sub.Payload) != "42" {
		t.Fatalf("Build = %+v, %v", sub, err)
	}
	if st, err := snk.Status(ctx, chains.SubmitMint, sub.ID); err != nil || st.State != chains.StateUnknown {
		t.Fatalf("Status before Submit = %+v, %v", st, err)
	}
	st, err := snk.Submit(ctx, chains.SubmitRequest{Submission: sub, Signatures: []chains.Signature{{Signer: []byte{1}, Sig: []byte{2}}}})
	if err != nil || st.State != chains.StateDone || st.Minted != 42 || st.TxID != "memtx" {
		t.Fatalf("Submit = %+v, %v", st, err)
	}
	if st, err := snk.Status(ctx, chains.SubmitMint, sub.ID); err != nil || st.State != chains.StateDone || st.ID != sub.ID {
		t.Fatalf("Status = %+v, %v", st, err)
	}
	if l, err := snk.Ledger(ctx); err != nil || l.Minted != 42 || l.Chain != 77 || l.At.Height != 5 {
		t.Fatalf("Ledger = %+v, %v", l, err)
	}
	// A rotation crosses both ways: the memplugin echoes the Rotation it
	// received as the payload.
	rot := testRotation(2)
	if st, err := snk.Status(ctx, chains.SubmitRotate, "rotate:2"); err != nil || st.State != chains.StateUnknown {
		t.Fatalf("Status of a rotation before Submit = %+v, %v", st, err)
	}
	rsub, err := snk.Build(ctx, chains.BuildRequest{Kind: chains.SubmitRotate, Rotate: &rot})
	if err != nil || rsub.Kind != chains.SubmitRotate || rsub.ID != "rotate:2" || len(rsub.Digests) != 1 || rsub.Threshold != 1 {
		t.Fatalf("Build of a rotation = %+v, %v", rsub, err)
	}
	var echoed chains.Rotation
	if err := json.Unmarshal(rsub.Payload, &echoed); err != nil || !reflect.DeepEqual(echoed, rot) {
		t.Fatalf("the plugin received the rotation %+v (%v), want %+v", echoed, err, rot)
	}
	st, err = snk.Submit(ctx, chains.SubmitRequest{Submission: rsub, Signatures: []chains.Signature{{Signer: []byte{1}, Sig: []byte{2}}}})
	if err != nil || st.State != chains.StateDone || st.ID != "rotate:2" || st.TxID != "memtx" {
		t.Fatalf("Submit of a rotation = %+v, %v", st, err)
	}
	if st, err := snk.Status(ctx, chains.SubmitRotate, "rotate:2"); err != nil || st.State != chains.StateDone {
		t.Fatalf("Status of a rotation = %+v, %v", st, err)
	}
	if l, err := snk.Limits(ctx); err != nil || l != (chains.Limits{MinLock: 1, MinBurn: 1}) {
		t.Fatalf("Limits = %+v, %v; want the memplugin's minimum lock 1, no fee and minimum burn 1", l, err)
	}
	// The plugin's hclog line reached the host's slog logger as a record
	// with its level and fields.
	rec := logs.waitFor(t, "the plugin's \"configured\" line", func(r slog.Record) bool { return r.Message == "configured" })
	if id, _ := attr(rec, "chain_id"); rec.Level != slog.LevelInfo || id != "77" {
		t.Fatalf("the plugin's log line arrived as %v %q chain_id=%q", rec.Level, rec.Message, id)
	}
}

// testRotation is a rotation to set setID: 2 of 3 ascending addresses.
func testRotation(setID uint32) chains.Rotation {
	r := chains.Rotation{SetID: setID, Threshold: 2}
	for _, b := range []byte{0x11, 0x22, 0xff} {
		s := make([]byte, chains.SignerAddressLen)
		s[0], s[19] = b, b
		r.Signers = append(r.Signers, s)
	}
	return r
}

func TestErrorKindsSurviveTheBoundary(t *testing.T) {
	p := start(t, `{"chain_id":77,"events":1}`)
	for _, k := range fault.Kinds() {
		_, err := p.Source().Reobserve(ctxT(t), "fail:"+k.String())
		var ce *fault.Error
		if !errors.As(err, &ce) || ce.Kind != k || ce.Op != "mem.Reobserve" || fault.KindOf(err) != k {
			t.Errorf("kind %v: got %v (%#v)", k, err, ce)
			continue
		}
		var re *RemoteError
		if !errors.As(err, &re) || re.Message != "asked to fail with "+k.String() {
			t.Errorf("kind %v: the message did not cross: %v", k, err)
		}
	}
	if _, err := p.Source().Events(ctxT(t), chains.EventsRequest{After: "x"}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("bad cursor: %v", err)
	}
	if _, err := p.Source().Reobserve(ctxT(t), "tx9"); fault.KindOf(err) != fault.NotFound {
		t.Errorf("unknown tx: %v", err)
	}
	if _, err := p.Sink().Submit(ctxT(t), chains.SubmitRequest{Submission: chains.Submission{Payload: []byte("1")}}); fault.KindOf(err) != fault.Rejected {
		t.Errorf("unsigned submission: %v", err)
	}
	// A rotation the plugin's sink refuses (not the next set) keeps its
	// kind; one that cannot travel (a signer that is not an address, a
	// threshold the wire cannot carry) is refused by the host before it
	// crosses, and one that arrives so on the wire by the plugin's server.
	next := testRotation(3)
	if _, err := p.Sink().Build(ctxT(t), chains.BuildRequest{Kind: chains.SubmitRotate, Rotate: &next}); fault.KindOf(err) != fault.Invalid ||
		!strings.Contains(err.Error(), "not the next signer set") {
		t.Errorf("a rotation that is not next: %v", err)
	}
	short := testRotation(2)
	short.Signers[1] = short.Signers[1][:19]
	negative := testRotation(2)
	negative.Threshold = -1
	for name, r := range map[string]chains.Rotation{"a 19-byte signer": short, "a negative threshold": negative} {
		if _, err := p.Sink().Build(ctxT(t), chains.BuildRequest{Kind: chains.SubmitRotate, Rotate: &r}); fault.KindOf(err) != fault.Invalid ||
			!strings.Contains(err.Error(), "chainrpc.Rotation") {
			t.Errorf("%s: %v", name, err)
		}
	}
	c, err := p.current(ctxT(t), "test")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.snk.Build(ctxT(t), &pb.BuildRequest{Kind: string(chains.SubmitRotate),
		Rotate: &pb.Rotation{SetId: 2, Threshold: 1, Signers: [][]byte{make([]byte, 21)}}})
	if err = fromStatus("test", err); fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "signer 0 is 21 bytes") {
		t.Errorf("a 21-byte signer on the wire: %v", err)
	}
	if _, err := p.Sink().Status(ctxT(t), chains.SubmitRotate, "rotate:02"); fault.KindOf(err) != fault.Invalid {
		t.Errorf("a rotation id that is not canonical: %v", err)
	}
	// proto3 strings are UTF-8: other bytes are the caller's invalid input.
	if _, err := p.Source().Events(ctxT(t), chains.EventsRequest{After: "\xff"}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("a cursor that is not UTF-8: %v", err)
	}
	if _, err := p.Source().Reobserve(ctxT(t), "\xfe"); fault.KindOf(err) != fault.Invalid {
		t.Errorf("a txid that is not UTF-8: %v", err)
	}
	if _, err := p.Source().Events(ctxT(t), chains.EventsRequest{Limit: -1}); fault.KindOf(err) != fault.Invalid {
		t.Errorf("a negative limit: %v", err)
	}
}

func TestDeadlineCrossesTheBoundary(t *testing.T) {
	p := start(t, `{"chain_id":77,"events":1}`)
	// The plugin sees the host call's deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	evs, err := p.Source().Reobserve(ctx, "deadline")
	cancel()
	if err != nil || len(evs) != 1 {
		t.Fatalf("Reobserve(deadline): %+v, %v", evs, err)
	}
	if left, _ := strconv.Atoi(evs[0].Ref); left <= 0 || left > 5000 {
		t.Fatalf("the plugin saw %s ms left of a 5 s deadline", evs[0].Ref)
	}
	// A call still running at its deadline ends then, as transient.
	ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err = p.Source().Reobserve(ctx, "sleep")
	if fault.KindOf(err) != fault.Transient {
		t.Fatalf("a call past its deadline: %v, want transient", err)
	}
	if waited := time.Since(began); waited > 5*time.Second {
		t.Fatalf("the call returned %s after its deadline", waited)
	}
	// The plugin is still fine afterwards.
	if _, err := p.Source().Head(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestTheBinaryChecksumIsPinned(t *testing.T) {
	wrong := append([]byte(nil), memPlugin.sum...)
	wrong[0] ^= 1
	_, err := Start(ctxT(t), testConfig(`{"chain_id":1}`, func(c *Config) { c.SHA256 = wrong }))
	if fault.KindOf(err) != fault.Invalid || !errors.Is(err, ErrChecksumMismatch) || !strings.Contains(err.Error(), memPlugin.path) {
		t.Fatalf("a wrong checksum: %v", err)
	}
	_, err = Start(ctxT(t), testConfig(`{"chain_id":1}`, func(c *Config) { c.SHA256 = nil }))
	if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "SHA256") {
		t.Fatalf("no checksum: %v", err)
	}
	_, err = Start(ctxT(t), testConfig(`{"chain_id":1}`, func(c *Config) { c.SHA256 = wrong[:20] }))
	if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "SHA256") {
		t.Fatalf("a checksum of 20 bytes: %v", err)
	}
	waitNoChildren(t)
	p := start(t, `{"chain_id":1}`, func(c *Config) { c.SHA256, c.Unpinned = nil, true })
	if p.Info().Chain != 1 {
		t.Fatal("an unpinned start did not configure")
	}
}

func TestStartRefusesWhatCannotWork(t *testing.T) {
	_, err := Start(ctxT(t), testConfig(`{"chain_id":1}`, func(c *Config) { c.Path = filepath.Join(t.TempDir(), "none") }))
	if fault.KindOf(err) != fault.Invalid {
		t.Errorf("a missing binary: %v", err)
	}
	_, err = Start(ctxT(t), testConfig(`{"chain_id":1}`, func(c *Config) { c.Path = "" }))
	if fault.KindOf(err) != fault.Invalid {
		t.Errorf("no path: %v", err)
	}
	// A config the plugin refuses keeps the plugin's kind and leaves no process.
	_, err = Start(ctxT(t), testConfig(`{}`))
	if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "chain_id is required") {
		t.Errorf("a config the plugin refuses: %v", err)
	}
	waitNoChildren(t)
}

// A binary built against another handshake (another magic cookie, or only a
// protocol version this host does not speak) is refused with a typed error
// that says why; one that crashes before its handshake is transient, quoting
// its last words.
func TestForeignHandshakesAreRefused(t *testing.T) {
	for _, tc := range []struct {
		mode, says string
		kind       fault.Kind
		cause      error
	}{
		{"cookie", "refused the magic cookie", fault.Invalid, ErrIncompatible},
		{"protocol2", "Plugin version: 2, Client versions: [1]", fault.Invalid, ErrIncompatible},
		{"panic", "panic: memplugin asked to panic at start", fault.Transient, nil},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			_, err := Start(ctxT(t), testConfig(`{"chain_id":1}`, func(c *Config) { c.Env = []string{"MEMPLUGIN_MODE=" + tc.mode} }))
			if fault.KindOf(err) != tc.kind || (tc.cause != nil && !errors.Is(err, tc.cause)) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want a %v error saying %q", err, tc.kind, tc.says)
			}
			waitNoChildren(t)
		})
	}
}

func TestTheBinaryRefusesToRunWithoutTheHost(t *testing.T) {
	out, err := exec.Command(memPlugin.path).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "This binary is a plugin") {
		t.Fatalf("run directly: %v, %s", err, out)
	}
}

// 50 events of 200 KiB (10 MB) cannot come in one response: the server
// pages them, no response is over the cap, and every event arrives once, in
// order.
func TestLargeEventStreamsArePaged(t *testing.T) {
	const n, size = 50, 200 << 10
	p := start(t, fmt.Sprintf(`{"chain_id":77,"events":%d,"evidence":%d}`, n, size))
	check := func(t *testing.T, got []chains.Event, pages int) {
		t.Helper()
		if len(got) != n || pages < 4 {
			t.Fatalf("%d events in %d pages", len(got), pages)
		}
		for i, ev := range got {
			if ev.ID != fmt.Sprintf("mem:%d", i) || len(ev.Evidence) != size || ev.Evidence[0] != byte(i) {
				t.Fatalf("event %d: %s, %d bytes of evidence", i, ev.ID, len(ev.Evidence))
			}
		}
	}
	t.Run("the wire", func(t *testing.T) {
		c, err := p.current(ctxT(t), "test")
		if err != nil {
			t.Fatal(err)
		}
		var got []chains.Event
		after, pages := "", 0
		for len(got) < n && pages <= n {
			res, err := c.src.Events(ctxT(t), &pb.EventsRequest{After: after})
			if err != nil {
				t.Fatal(err)
			}
			if size := proto.Size(res); size > MaxPageBytes || len(res.GetEvents()) == 0 {
				t.Fatalf("page %d: %d events in %d bytes", pages, len(res.GetEvents()), size)
			}
			got = append(got, eventsFromPB(res.GetEvents())...)
			after = res.GetNext()
			pages++
		}
		check(t, got, pages)
	})
	t.Run("the Source", func(t *testing.T) {
		var got []chains.Event
		var cur chains.Cursor
		pages := 0
		for len(got) < n && pages <= n {
			res, err := p.Source().Events(ctxT(t), chains.EventsRequest{After: cur, Limit: n})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, res.Events...)
			cur = res.Next
			pages++
		}
		check(t, got, pages)
	})
}

func TestAnAbsentCapabilityIsNilAndTyped(t *testing.T) {
	p := start(t, `{"chain_id":77,"events":1,"no_sink":true}`)
	if p.Sink() != nil || p.Source() == nil || p.Info().HasSink {
		t.Fatalf("a plugin without a sink: Sink() = %v, Info = %+v", p.Sink(), p.Info())
	}
	c, err := p.current(ctxT(t), "test")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.snk.Ledger(ctxT(t), &pb.Empty{})
	if err = fromStatus("test", err); fault.KindOf(err) != fault.Invalid || !errors.Is(err, ErrCapabilityAbsent) {
		t.Fatalf("calling the absent sink: %v", err)
	}
	// The plugin is unharmed.
	if _, err := p.Source().Head(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

// The plugin gets only the environment the host names: a passphrase in the
// host's environment must not reach it.
func TestThePluginDoesNotInheritTheHostEnvironment(t *testing.T) {
	t.Setenv("FLUXBRIDGE_TEST_SECRET", "hunter2")
	p := start(t, `{"chain_id":77,"events":1}`, func(c *Config) { c.Env = []string{"FLUXBRIDGE_TEST_GIVEN=yes"} })
	for name, want := range map[string]string{"FLUXBRIDGE_TEST_SECRET": "", "FLUXBRIDGE_TEST_GIVEN": "yes"} {
		evs, err := p.Source().Reobserve(ctxT(t), "env:"+name)
		if err != nil || len(evs) != 1 || evs[0].Sender != want {
			t.Errorf("%s in the plugin: %+v, %v; want %q", name, evs, err, want)
		}
	}
}
