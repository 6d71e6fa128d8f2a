// Package relayer is the domain of a fluxbridge relayer (DESIGN §4, §6): the
// transfer types and their state machine, the policy (governor, accountant,
// submitter order) and the pipeline that turns a finalized lock on the FLUX
// chain into exactly one mint on a destination chain once k relayers signed.
//
// The pipeline sees chains only through chains.Source and chains.Sink, its
// state only through Store, its key only through Signer and its peers only
// through Outbox and HandleEnvelope, so it imports no chain SDK, no storage
// driver and no transport. Each state step is one Store.Update that moves the
// cursor or state it depends on together with the journal entry explaining it.
package relayer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/internal/run"
)

// Signer is the relayer's key (package signer implements it; DESIGN §2).
// It is declared here so the domain does not import the signer package and
// its cryptography dependencies.
type Signer interface {
	Scheme() chains.SigScheme
	ID() []byte
	Public() []byte
	Sign(ctx context.Context, d chains.Digest) (chains.Signature, error)
}

// Outbox sends envelopes to the other relayers of the set (relayer/peer
// implements it). Broadcast seals the payload with the relayer's key and
// queues it; it must not block for long.
type Outbox interface {
	Broadcast(ctx context.Context, kind string, payload []byte) error
}

// HeaderSource gives the raw headers of the FLUX chain for the journal's
// header chain (DESIGN §7: evidence up to a checkpoint). The light node
// implements it.
type HeaderSource interface {
	// Anchor is the checkpoint the node trusts: its height and display hash.
	Anchor() (height uint64, hash string)
	// Headers returns the raw wire headers of heights from..to inclusive on
	// the best chain, and the display hash of the last one.
	Headers(ctx context.Context, from, to uint64) (raw [][]byte, lastHash string, err error)
	// HashAt returns the display hash of the best chain's block at height
	// (false above the tip or below the anchor).
	HashAt(height uint64) (string, bool)
}

// KindMintAttestation is the envelope kind of an attestation (DESIGN §3).
const KindMintAttestation = "mint-attestation"

// Destination is one chain the relayer mints on.
type Destination struct {
	Chain chains.ID
	// Bridge is the bridge contract the MintAuth digest binds.
	Bridge [20]byte
	Sink   chains.Sink
	// MinLock and MintFee are the bridge's immutable limits (read from its
	// ledger at start; zero: none): a lock below MinLock or not above MintFee
	// is never signed for this destination but made due a refund.
	MinLock, MintFee uint64
}

// forbids says why the destination can never mint a lock of gross value v,
// or "" if it can.
func (d Destination) forbids(v uint64) string {
	switch {
	case v < d.MinLock:
		return fmt.Sprintf("the lock's %d zatoshi are below chain %s's minimum of %d", v, d.Chain, d.MinLock)
	case v <= d.MintFee:
		return fmt.Sprintf("the lock's %d zatoshi do not exceed chain %s's mint fee of %d", v, d.Chain, d.MintFee)
	}
	return ""
}

// Config configures a Relayer. Store, Signer, Verify, Source, Destinations,
// Members, Threshold and Outbox are required.
type Config struct {
	Store  Store
	Signer Signer
	// Verify checks a signature over a digest (signer.Verify).
	Verify func(chains.Signature, chains.Digest) error
	// Source is the embedded FLUX light node.
	Source chains.Source
	// Headers, when set, feeds the journal's header chain and, with Peers,
	// the comparison of a lock's block with the peers' chains.
	Headers HeaderSource
	// Peers, when set with Headers, gives the FLUX blocks the other relayers
	// reported; a lock most of them contradict is not signed. PeerTipAge is
	// how old a heartbeat may be to count (default 30 s).
	Peers        PeerTips
	PeerTipAge   time.Duration
	Destinations []Destination
	// Members are the 20-byte addresses of the current signer set, and
	// Threshold is its k; SetID is its id on the bridges (default 1). This
	// relayer is a member of it or of Next.
	Members   [][]byte
	Threshold int
	SetID     uint32
	// Next, when set, is the signer set that takes over at its activation
	// height (DESIGN §6).
	Next   *NextSet
	Outbox Outbox
	// Confirmations is D_L1, the depth at which a lock is final (default 40).
	Confirmations uint32
	Governor      Governor
	// FailoverAfter is how long the submitter of rank r waits after the one of
	// rank r−1 was due before it submits itself (default 10 s).
	FailoverAfter time.Duration
	// Poll is the pipeline's tick (default 100 ms); StatusPoll how often a
	// transfer's destination status is read (default 1 s); Rebroadcast how
	// often own attestations of unminted transfers are sent again (default 5 s).
	Poll, StatusPoll, Rebroadcast time.Duration
	// Retry is the backoff of a mint's submission attempts after a failure
	// (default 1 s doubling to 5 min).
	Retry Backoff
	// Releases configures burn → release; its zero value disables it.
	Releases Releases
	// MintBatch is B, the most locks one batch holds (default 100, at most
	// chains.MaxBatch; 1 turns batches off). Every relayer of the set must
	// use the same B, or their batches differ and every lock takes the
	// per-lock path. BatchWait is how long a batched lock waits for its batch
	// before the per-lock path submits it (default 2 × FailoverAfter).
	MintBatch int
	BatchWait time.Duration
	// Batch bounds the transfers one step handles (default 256); Workers
	// bounds the transfers it verifies, signs or submits at once (default 8).
	Batch, Workers int
	// Now is the clock (default time.Now); the Store should share it.
	Now    func() time.Time
	Logger *slog.Logger
}

// Relayer runs the lock → mint pipeline of one relayer.
type Relayer struct {
	cfg   Config
	self  []byte
	dests map[chains.ID]Destination
	log   *slog.Logger
	inbox chan Attestation

	mu              sync.Mutex
	drops           map[string]uint64
	sent            map[string]time.Time    // transfer id → last broadcast of our attestation
	polled          map[string]time.Time    // transfer id → last destination status read
	refusing        Refusal                 // why signing is refused now (zero while signing)
	sets            []signerSet             // the current signer set and the next one, if any
	rotations       map[chains.ID]*rotation // per destination: its rotation to the next set
	rotationsLoaded bool                    // the rotations done were read from the store
	sinkChecked     map[chains.ID]bool      // destinations whose sink built our own digest once
	batchTried      map[string]bool         // batches this process submitted (or failed to), once each

	// Burn → release.
	proposals     map[string]proposalIn // proposer → its latest proposal not yet decided
	proposed      map[string][]byte     // spend → our proposal's payload (to re-send)
	sigsSent      map[string]time.Time  // spend → last time our signatures or transaction were sent
	refusedSpends map[string]bool       // spend and reason → journaled
	fluxDrained   bool                  // the FLUX streams were read to their end at least once
	burnsDrained  bool                  // so were the burn streams
	finalDrained  uint64                // the final height the FLUX final stream was read to
}

// DefaultMintBatch is the default B: the most locks one batch holds.
const DefaultMintBatch = 100

// inboxSize bounds the attestations waiting for the store; when it is full
// HandleEnvelope refuses with a transient error and the sender's periodic
// rebroadcast delivers the attestation again.
const inboxSize = 8192

// New checks cfg and returns a Relayer.
func New(cfg Config) (*Relayer, error) {
	const op = "relayer.New"
	switch {
	case cfg.Store == nil, cfg.Signer == nil, cfg.Verify == nil, cfg.Source == nil, cfg.Outbox == nil:
		return nil, fault.E(op, fault.Invalid, errors.New("Store, Signer, Verify, Source and Outbox are required"))
	case len(cfg.Destinations) == 0:
		return nil, fault.E(op, fault.Invalid, errors.New("at least one destination is required"))
	case cfg.Signer.Scheme() != chains.SchemeSecp256k1:
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("the relayer key must be secp256k1, not %s", cfg.Signer.Scheme()))
	}
	r := &Relayer{cfg: cfg, self: cfg.Signer.ID(), dests: map[chains.ID]Destination{},
		drops: map[string]uint64{}, sent: map[string]time.Time{}, polled: map[string]time.Time{}, sinkChecked: map[chains.ID]bool{},
		batchTried: map[string]bool{},
		inbox:      make(chan Attestation, inboxSize),
		proposals:  map[string]proposalIn{}, proposed: map[string][]byte{}, sigsSent: map[string]time.Time{}, refusedSpends: map[string]bool{}}
	for _, d := range cfg.Destinations {
		if d.Sink == nil || d.Sink.Chain() != d.Chain {
			return nil, fault.E(op, fault.Invalid, fmt.Errorf("destination %s: its sink must serve that chain", d.Chain))
		}
		r.dests[d.Chain] = d
	}
	if r.cfg.Confirmations == 0 {
		r.cfg.Confirmations = 40
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&r.cfg.FailoverAfter, 10*time.Second)
	def(&r.cfg.Poll, 100*time.Millisecond)
	def(&r.cfg.StatusPoll, time.Second)
	def(&r.cfg.Rebroadcast, 5*time.Second)
	def(&r.cfg.PeerTipAge, 30*time.Second)
	def(&r.cfg.Retry.Min, time.Second)
	def(&r.cfg.Retry.Max, 5*time.Minute)
	r.cfg.Retry.Max = max(r.cfg.Retry.Max, r.cfg.Retry.Min)
	if r.cfg.Batch <= 0 {
		r.cfg.Batch = 256
	}
	if r.cfg.Workers <= 0 {
		r.cfg.Workers = 8
	}
	if r.cfg.MintBatch <= 0 {
		r.cfg.MintBatch = DefaultMintBatch
	}
	if r.cfg.MintBatch > chains.MaxBatch {
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("MintBatch %d is above the bridge's %d", r.cfg.MintBatch, chains.MaxBatch))
	}
	def(&r.cfg.BatchWait, 2*r.cfg.FailoverAfter)
	if r.cfg.Now == nil {
		r.cfg.Now = time.Now
	}
	r.log = cfg.Logger
	if r.log == nil {
		r.log = slog.Default()
	}
	if err := r.setSigners(); err != nil {
		return nil, err
	}
	r.rotations = map[chains.ID]*rotation{}
	r.setRotations()
	if err := r.setReleaseDefaults(); err != nil {
		return nil, err
	}
	return r, nil
}

// ID returns this relayer's address.
func (r *Relayer) ID() []byte { return bytes.Clone(r.self) }

// ErrFatal marks an error that must stop the pipeline: continuing could break
// a signing rule (a halt that could not be persisted). Run returns it.
var ErrFatal = errors.New("fatal")

// fatal marks err as fatal.
func fatal(err error) error { return fmt.Errorf("%w: %w", ErrFatal, err) }

// Run runs the pipeline until ctx ends. Each step runs in its own goroutine
// on the Poll tick; a step that fails logs and tries again on the next tick
// (every step is idempotent: it re-reads its state from the store), except
// for a fatal error (ErrFatal), which stops every step and is returned.
func (r *Relayer) Run(ctx context.Context) error {
	steps := []struct {
		name  string
		every time.Duration
		fn    func(context.Context) error
	}{
		{"observe", r.cfg.Poll, r.observe},
		{"headers", r.cfg.StatusPoll, r.recordHeaders},
		{"sign", r.cfg.Poll, r.sign},
		{"submit", r.cfg.Poll, r.submit},
		{"batches", r.cfg.Poll, r.submitBatches},
		// A transfer's status is read at most every StatusPoll, so confirm
		// need not scan its backlog every tick.
		{"confirm", max(r.cfg.Poll, r.cfg.StatusPoll/2), r.confirm},
		{"rebroadcast", r.cfg.Rebroadcast / 5, r.rebroadcast},
		{"heads", r.cfg.StatusPoll, r.recordHeads},
	}
	if r.cfg.Releases.enabled() {
		steps = append(steps, struct {
			name  string
			every time.Duration
			fn    func(context.Context) error
		}{"burns", r.cfg.Poll, r.observeBurns}, struct {
			name  string
			every time.Duration
			fn    func(context.Context) error
		}{"release", r.cfg.Poll, r.release})
	}
	if r.cfg.Next != nil {
		steps = append(steps, struct {
			name  string
			every time.Duration
			fn    func(context.Context) error
		}{"rotate", r.cfg.Poll, r.rotate})
	}
	g, _ := run.New(ctx)
	for _, s := range steps {
		g.Go(s.name, func(ctx context.Context) error { return r.loop(ctx, s.name, s.every, s.fn) })
	}
	g.Go("inbox", r.runInbox) // stores received attestations in batches
	return g.Wait()
}

// loop runs fn every interval until ctx ends, logging failures (at most one
// line per distinct error in a row, so a long outage does not flood the log),
// and returns a fatal one.
func (r *Relayer) loop(ctx context.Context, name string, every time.Duration, fn func(context.Context) error) error {
	t := time.NewTicker(every)
	defer t.Stop()
	var last string
	for {
		err := fn(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrFatal):
			r.log.Error("relayer step failed fatally", "step", name, "err", err)
			return err
		case err != nil && err.Error() != last:
			r.log.Warn("relayer step failed", "step", name, "err", err, "kind", fault.KindOf(err).String())
			last = err.Error()
		case err == nil && last != "":
			r.log.Info("relayer step recovered", "step", name)
			last = ""
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// drop counts a refused envelope or observation by reason.
func (r *Relayer) drop(reason string) {
	r.mu.Lock()
	r.drops[reason]++
	r.mu.Unlock()
}

// Drops returns the counts of refused peer messages by reason.
func (r *Relayer) Drops() map[string]uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]uint64, len(r.drops))
	for k, v := range r.drops {
		out[k] = v
	}
	return out
}

// RefusalCause says what kind of thing stops the relayer from signing. The
// list is append-only.
type RefusalCause string

// Refusal causes.
const (
	// RefusalNone: signing.
	RefusalNone RefusalCause = ""
	// RefusalPaused: the operator paused signing.
	RefusalPaused RefusalCause = "paused"
	// RefusalHalted: the relayer halted itself (accountant invariant broken,
	// a final event retracted) until an operator clears it.
	RefusalHalted RefusalCause = "halted"
	// RefusalUnhealthy: the light node is unhealthy or unreachable.
	RefusalUnhealthy RefusalCause = "unhealthy"
	// RefusalLedger: a destination's ledger could not be read, so the
	// accountant invariant cannot be checked.
	RefusalLedger RefusalCause = "ledger"
)

// Refusal is why signing is refused: a cause to decide on and a reason for
// people.
type Refusal struct {
	Cause  RefusalCause
	Reason string
}

// Refusing returns why signing is refused right now (the zero Refusal while
// signing).
func (r *Relayer) Refusing() Refusal {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refusing
}

// Pause stops this relayer from signing until Resume (DESIGN §6: each
// operator can stop signing locally). It is persisted and journaled.
func (r *Relayer) Pause(ctx context.Context, reason string) error {
	if reason == "" {
		reason = "paused by the operator"
	}
	return r.cfg.Store.Update(ctx, func(tx Tx) error {
		if err := tx.SetSetting(SettingPaused, reason); err != nil {
			return err
		}
		_, err := tx.Journal(SigningPaused{Reason: reason})
		return err
	})
}

// Resume lets a paused relayer sign again. With clearHalt it also clears a
// halt the relayer put itself in (an operator's decision after an
// investigation, journaled).
func (r *Relayer) Resume(ctx context.Context, clearHalt bool) error {
	return r.cfg.Store.Update(ctx, func(tx Tx) error {
		if err := tx.SetSetting(SettingPaused, ""); err != nil {
			return err
		}
		if clearHalt {
			if err := tx.SetSetting(SettingHalted, ""); err != nil {
				return err
			}
		}
		_, err := tx.Journal(SigningResumed{ClearHalt: clearHalt})
		return err
	})
}

// halt stops signing until an operator clears it, and journals why (h's
// Reason, and for an accountant breach its figures).
func (r *Relayer) halt(ctx context.Context, h SigningHalted) error {
	r.log.Error("signing halted", "reason", h.Reason)
	err := r.cfg.Store.Update(ctx, func(tx Tx) error {
		if err := tx.SetSetting(SettingHalted, h.Reason); err != nil {
			return err
		}
		_, err := tx.Journal(h)
		return err
	})
	if err != nil && ctx.Err() == nil {
		// SECURITY: a halt that is not persisted would be forgotten at the
		// next step; stop the pipeline instead of signing on.
		return fatal(fmt.Errorf("persisting the halt %q: %w", h.Reason, err))
	}
	return err
}
