package relayer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/internal/testclock"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/journal"
	"github.com/fluxbridge/fluxbridge/relayer/store/memstore"
	"github.com/fluxbridge/fluxbridge/relayer/store/sqlite"
	"github.com/fluxbridge/fluxbridge/signer"
)

// The harness runs one relayer's real pipeline against a real SQLite store
// and fake chains: a FLUX source that serves the events and head a test sets,
// and a destination sink whose answers a test decides per transfer.

const (
	destChain = chains.ID(1337)
	minLock   = 10 * 100_000_000
)

var bridge = [20]byte{0xb1}

// source is a FLUX source with a settable head and per-transaction events.
// Its best chain's block at height h has the hash "ours-h".
type source struct {
	mu         sync.Mutex
	head       chains.Head
	events     []chains.Event
	reobserved map[string]int
	heads      int // Head calls
}

func (s *source) Anchor() (uint64, string) { return 990, "ours-990" }

func (s *source) Headers(context.Context, uint64, uint64) ([][]byte, string, error) {
	return nil, "", fault.E("test.Headers", fault.Internal, fmt.Errorf("the anchor is above the final height"))
}

func (s *source) HashAt(h uint64) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("ours-%d", h), h <= s.head.Tip.Height
}

func (s *source) reobserves(txid string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reobserved[txid]
}

// peers reports fixed peer tips.
type peers struct {
	mu   sync.Mutex
	tips []relayer.PeerTip
}

func (p *peers) FluxTips(time.Time) []relayer.PeerTip {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tips
}

func (p *peers) set(tips ...relayer.PeerTip) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tips = tips
}

func (s *source) Chain() chains.ID { return chains.FluxL1 }

func (s *source) Head(context.Context) (chains.Head, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.heads++
	return s.head, nil
}

func (s *source) headCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heads
}

func (s *source) Events(_ context.Context, req chains.EventsRequest) (chains.EventsResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int
	if req.After != "" {
		fmt.Sscan(string(req.After), &n)
	}
	var out []chains.Event
	for _, ev := range s.events[n:] {
		if s.head.Tip.Height+1 < ev.Block.Height+uint64(req.Confirmations) {
			break
		}
		out = append(out, ev)
		n++
	}
	return chains.EventsResponse{Events: out, Next: chains.Cursor(fmt.Sprint(n)), Head: s.head}, nil
}

func (s *source) Reobserve(_ context.Context, txid string) ([]chains.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reobserved == nil {
		s.reobserved = map[string]int{}
	}
	s.reobserved[txid]++
	var out []chains.Event
	for _, ev := range s.events {
		if ev.TxID == txid {
			out = append(out, ev)
		}
	}
	if out == nil {
		return nil, fault.E("test.Reobserve", fault.NotFound, fmt.Errorf("no tx %s", txid))
	}
	return out, nil
}

// sink is a destination whose Submit answers with refuse[transfer id] when
// set and mints otherwise.
type sink struct {
	mu       sync.Mutex
	refuse   map[string]error
	minted   map[string]uint64
	submits  map[string]int
	reads    map[string]int    // Status calls per id
	inFlight map[string]bool   // batch ids whose Status is Pending (their locks' Included)
	batchOf  map[string]string // lock id → the batch that minted it
	ledger   chains.Ledger
}

func newSink() *sink {
	return &sink{refuse: map[string]error{}, minted: map[string]uint64{}, submits: map[string]int{},
		reads: map[string]int{}, inFlight: map[string]bool{}, batchOf: map[string]string{}, ledger: chains.Ledger{Chain: destChain}}
}

// setInFlight makes Status report id pending (or not).
func (s *sink) setInFlight(id string, pending bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight[id] = pending
}

// mintElsewhere records ids minted by a transaction not of this relayer's.
func (s *sink) mintElsewhere(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.minted[id]++
	}
}

// readsOf counts the Status calls for id.
func (s *sink) readsOf(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads[id]
}

func (s *sink) Chain() chains.ID { return destChain }

func (s *sink) Build(_ context.Context, req chains.BuildRequest) (chains.Submission, error) {
	if req.Kind == chains.SubmitRotate {
		d := chains.RotateDigest(destChain, bridge, *req.Rotate)
		return chains.Submission{Kind: chains.SubmitRotate, ID: chains.RotationID(req.Rotate.SetID), Threshold: 2,
			Digests: []chains.Digest{{Scheme: chains.SchemeSecp256k1, Hash: d[:]}}}, nil
	}
	if req.Kind == chains.SubmitMintBatch {
		ds := make([][32]byte, len(req.Batch))
		ids := make([]string, len(req.Batch))
		for i, m := range req.Batch {
			ds[i], ids[i] = chains.MintAuthDigest(destChain, bridge, m), m.Lock.TransferID()
		}
		if err := chains.CheckBatch(ds); err != nil {
			return chains.Submission{}, err
		}
		d := chains.BatchDigest(destChain, bridge, ds)
		payload, _ := json.Marshal(ids)
		return chains.Submission{Kind: chains.SubmitMintBatch, ID: chains.BatchID(d), Threshold: 2, Payload: payload,
			Digests: []chains.Digest{{Scheme: chains.SchemeSecp256k1, Hash: d[:]}}}, nil
	}
	d := chains.MintAuthDigest(destChain, bridge, *req.Mint)
	return chains.Submission{Kind: chains.SubmitMint, ID: req.Mint.Lock.TransferID(), Threshold: 2,
		Digests: []chains.Digest{{Scheme: chains.SchemeSecp256k1, Hash: d[:]}}}, nil
}

func (s *sink) Submit(_ context.Context, req chains.SubmitRequest) (chains.Status, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := req.Submission.ID
	s.submits[id]++
	if err := s.refuse[id]; err != nil {
		return chains.Status{}, err
	}
	if req.Submission.Kind == chains.SubmitMintBatch {
		if len(req.Signatures) < 2 {
			return chains.Status{}, fault.E("test.Submit", fault.Rejected, fmt.Errorf("%d signatures", len(req.Signatures)))
		}
		var ids []string
		if err := json.Unmarshal(req.Submission.Payload, &ids); err != nil {
			return chains.Status{}, err
		}
		for _, l := range ids { // a lock already minted is skipped
			if s.minted[l] == 0 {
				s.minted[l]++
				s.batchOf[l] = id
			}
		}
		return chains.Status{ID: id, State: chains.StatePending, TxID: "0x" + id}, nil
	}
	s.minted[id]++
	return chains.Status{ID: id, State: chains.StateDone, TxID: "0x" + id}, nil
}

func (s *sink) Status(_ context.Context, _ chains.SubmissionKind, id string) (chains.Status, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads[id]++
	if s.inFlight[id] {
		return chains.Status{ID: id, State: chains.StatePending, TxID: "0x" + id}, nil
	}
	if s.inFlight[s.batchOf[id]] {
		return chains.Status{ID: id, State: chains.StateIncluded}, nil
	}
	if s.minted[id] > 0 {
		return chains.Status{ID: id, State: chains.StateDone}, nil
	}
	return chains.Status{ID: id, State: chains.StateUnknown}, nil
}

func (s *sink) Limits(context.Context) (chains.Limits, error) {
	return chains.Limits{MinLock: minLock, MintFee: 1000}, nil
}

func (s *sink) Ledger(context.Context) (chains.Ledger, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ledger, nil
}

func (s *sink) count(id string) (submits int, minted uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.submits[id], s.minted[id]
}

// outbox counts what the relayer broadcasts.
type outbox struct {
	mu      sync.Mutex
	sent    map[string]int
	attests []string // the transfer ids of the mint-attestation envelopes, in order
}

func (o *outbox) Broadcast(_ context.Context, kind string, payload []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.sent == nil {
		o.sent = map[string]int{}
	}
	o.sent[kind]++
	if kind == relayer.KindMintAttestation {
		a, err := relayer.UnmarshalAttestation(make([]byte, 20), payload)
		if err != nil {
			return err
		}
		o.attests = append(o.attests, a.Mint.Lock.TransferID())
	}
	return nil
}

// sentAttestation reports whether an attestation of transfer id was broadcast.
func (o *outbox) sentAttestation(id string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Contains(o.attests, id)
}

// count is how many envelopes of kind were broadcast.
func (o *outbox) count(kind string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.sent[kind]
}

// store is what the harness needs of a store: the pipeline's Store and the
// journal's entries. SQLite and the in-memory store both are one.
type store interface {
	relayer.Store
	JournalRange(ctx context.Context, from uint64, limit int) ([]journal.Entry, error)
}

// opener opens a store for a test.
type opener func(t *testing.T, key signer.Signer, now func() time.Time) store

// eachStore runs test once per store: the real SQLite store in WAL mode and
// the in-memory one (both pass relayer/store/storetest).
func eachStore(t *testing.T, test func(t *testing.T, open opener)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, func(t *testing.T, key signer.Signer, now func() time.Time) store {
			db, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(t.TempDir(), "relayer.db"), Signer: key, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			return db
		})
	})
	t.Run("memstore", func(t *testing.T) {
		test(t, func(t *testing.T, key signer.Signer, now func() time.Time) store {
			s, err := memstore.New(memstore.Config{Signer: key, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
}

// harness is one relayer of a 2-of-3 set with its store and fake chains.
type harness struct {
	t    *testing.T
	clk  *testclock.Clock
	src  *source
	snk  *sink
	out  *outbox
	db   store
	keys []signer.Signer // keys[0] is the relayer's own
	cfg  relayer.Config
	r    *relayer.Relayer
	stop func() error // stops the pipeline started by run and returns Run's error
	done chan error
}

func newHarness(t *testing.T, open opener, tune func(*relayer.Config)) *harness {
	t.Helper()
	h := &harness{t: t, clk: testclock.Stepping(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 50*time.Millisecond),
		src: &source{}, snk: newSink(), out: &outbox{}}
	h.src.head = chains.Head{Tip: chains.BlockRef{Height: 1000, Hash: "tip"}, Final: chains.BlockRef{Height: 961}, Healthy: true}
	var members [][]byte
	for range 3 {
		k, err := signer.Generate(chains.SchemeSecp256k1)
		if err != nil {
			t.Fatal(err)
		}
		h.keys = append(h.keys, k)
		members = append(members, k.ID())
	}
	db := open(t, h.keys[0], h.clk.Now)
	h.db = db
	t.Cleanup(func() {
		if h.stop != nil {
			h.stop()
		}
		h.checkJournal()
		db.Close()
	})
	h.cfg = relayer.Config{Store: db, Signer: h.keys[0], Verify: signer.Verify, Source: h.src, Headers: h.src, Outbox: h.out,
		Destinations: []relayer.Destination{{Chain: destChain, Bridge: bridge, Sink: h.snk, MinLock: minLock, MintFee: 1000}},
		Members:      members, Threshold: 2, Poll: time.Millisecond, StatusPoll: time.Millisecond, Rebroadcast: time.Hour,
		FailoverAfter: time.Second, Retry: relayer.Backoff{Min: time.Second, Max: time.Minute}, Now: h.clk.Now,
		Logger: slog.New(slog.DiscardHandler)}
	if tune != nil {
		tune(&h.cfg)
	}
	var err error
	if h.r, err = relayer.New(h.cfg); err != nil {
		t.Fatal(err)
	}
	return h
}

// run starts the pipeline; it stops with h.stop or at the end of the test.
func (h *harness) run() {
	ctx, cancel := context.WithCancel(h.t.Context())
	h.done = make(chan error, 1)
	go func() { h.done <- h.r.Run(ctx) }() // "relayer": stops with ctx
	h.stop = sync.OnceValue(func() error {
		cancel()
		return <-h.done
	})
	h.t.Cleanup(func() { h.stop() })
}

// lock is a valid lock of amount zatoshi in a block at height.
func lock(seq byte, amount uint64, height uint64) chains.Event {
	l := chains.LockRef{TxID: [32]byte{0x10, seq}, Vout: 0}
	rcpt := make([]byte, 32)
	rcpt[31] = seq
	return chains.Event{Kind: chains.EventLock, ID: l.TransferID(), Chain: chains.FluxL1, TxID: chains.DisplayHash(l.TxID),
		Block: chains.BlockRef{Height: height, Hash: fmt.Sprintf("block-%d", height)}, Amount: amount, DestChain: destChain, Recipient: rcpt}
}

// inQuorum stores a transfer for ev in quorum with the signatures of the
// relayer and one peer, as if the set had signed it.
func (h *harness) inQuorum(ev chains.Event, seenAt time.Time) relayer.Transfer {
	h.t.Helper()
	tr, err := relayer.TransferFromEvent(ev, seenAt)
	if err != nil {
		h.t.Fatal(err)
	}
	d := chains.MintAuthDigest(destChain, bridge, tr.Mint())
	tr.State, tr.Digest, tr.FinalAt, tr.AttestedAt, tr.QuorumAt = relayer.StateQuorum, d[:], seenAt, seenAt, seenAt
	err = h.db.Update(h.t.Context(), func(tx relayer.Tx) error {
		if err := tx.PutTransfer(tr); err != nil {
			return err
		}
		for _, k := range h.keys[:2] {
			sig, err := k.Sign(h.t.Context(), chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: d[:]})
			if err != nil {
				return err
			}
			if _, err := tx.AddAttestation(relayer.Attestation{TransferID: tr.ID, Dest: destChain, Mint: tr.Mint(),
				Signer: k.ID(), Digest: d[:], Sig: sig.Sig}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return tr
}

// transfer reads a transfer from the store.
func (h *harness) transfer(id string) relayer.Transfer {
	h.t.Helper()
	var tr relayer.Transfer
	if err := h.db.View(h.t.Context(), func(tx relayer.Tx) (err error) {
		tr, err = tx.Transfer(id)
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	return tr
}

// waitState waits (in real time, bounded) until a transfer reaches state.
func (h *harness) waitState(id string, state relayer.State) relayer.Transfer {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var tr relayer.Transfer
		err := h.db.View(h.t.Context(), func(tx relayer.Tx) (err error) {
			tr, err = tx.Transfer(id)
			return err
		})
		if err == nil && tr.State == state {
			return tr
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%s never reached %s: %+v (%v)", id, state, tr, err)
		}
		select {
		case err := <-h.done:
			h.t.Fatalf("the relayer stopped: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// entries returns the journal entries of a kind that mention id.
func (h *harness) entries(kind, id string) []journal.Entry {
	h.t.Helper()
	all, err := h.db.JournalRange(h.t.Context(), 1, 1<<20)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []journal.Entry
	for _, e := range all {
		var c struct {
			ID string `json:"id"`
		}
		if e.Kind == kind && json.Unmarshal(e.Content, &c) == nil && c.ID == id {
			out = append(out, e)
		}
	}
	return out
}

// checkJournal decodes every journal entry the pipeline wrote: each is one
// of the typed entries the audit replay reads.
func (h *harness) checkJournal() {
	h.t.Helper()
	all, err := h.db.JournalRange(context.Background(), 1, 1<<20)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, e := range all {
		if _, err := relayer.DecodeEntry(e.Kind, e.Content); err != nil {
			h.t.Errorf("journal entry %d: %v", e.Seq, err)
		}
	}
}

// entriesOfKind returns the journal entries of a kind.
func (h *harness) entriesOfKind(kind string) []journal.Entry {
	h.t.Helper()
	all, err := h.db.JournalRange(h.t.Context(), 1, 1<<20)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []journal.Entry
	for _, e := range all {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// signedBy reports whether the relayer stored its own attestation for id.
func (h *harness) signedBy(id string) bool {
	h.t.Helper()
	var atts []relayer.Attestation
	if err := h.db.View(h.t.Context(), func(tx relayer.Tx) (err error) {
		atts, err = tx.Attestations(id)
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	for _, a := range atts {
		if bytes.Equal(a.Signer, h.keys[0].ID()) {
			return true
		}
	}
	return false
}
