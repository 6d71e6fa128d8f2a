package relayer

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// Envelope kinds of burn → release (DESIGN §3).
const (
	KindReleaseProposal  = "release-proposal"
	KindReleaseSignature = "release-signature"
	// Refunds travel as their own kinds with the same payloads; reserve
	// moves (consolidations) as releases.
	KindRefundProposal  = "refund-proposal"
	KindRefundSignature = "refund-signature"
)

// envelopeKinds are the proposal and signature envelope kinds of a spend kind.
func envelopeKinds(k SpendKind) (proposal, signature string) {
	if k == SpendRefund {
		return KindRefundProposal, KindRefundSignature
	}
	return KindReleaseProposal, KindReleaseSignature
}

// DustLimit is the smallest output a release pays, in zatoshi (the
// conservative limit FLUX wallets use; the reserve sink refuses less).
const DustLimit = 546

// Releases configures burn → release (DESIGN §4, release batching). The zero
// value disables it.
type Releases struct {
	// Reserve is the FLUX chain's sink: the light node's reserve spender.
	Reserve chains.Sink
	// Burns are the burn sources, one per destination chain.
	Burns []chains.Source
	// Proposers are the members' addresses in the order of their public
	// keys: round r's proposer is Proposers[r mod n].
	Proposers [][]byte
	// Prefixes are the FLUX network's P2PKH and P2SH address prefixes: a
	// burn to another prefix cannot be paid.
	Prefixes [][2]byte
	// Cadence is the length of a round in FLUX blocks (default 10).
	Cadence uint64
	// FeeRate is the set-wide fee rate in zatoshi per byte (default 10).
	FeeRate uint64
	// Fee is the release fee each payout is net of, in zatoshi (default
	// 100,000: 0.001 FLUX).
	Fee uint64
	// MaxBatch bounds the burns one release covers (default 100).
	MaxBatch int
	// ConsolidateAbove is the number of final reserve outputs above which
	// the smallest are merged into one (default 50; negative: never).
	ConsolidateAbove int
}

// setReleaseDefaults checks cfg.Releases and fills its defaults.
func (r *Relayer) setReleaseDefaults() error {
	c := &r.cfg.Releases
	if !c.enabled() {
		return nil
	}
	const op = "relayer.New"
	if c.Reserve.Chain() != chains.FluxL1 {
		return fault.E(op, fault.Invalid, fmt.Errorf("the reserve sink serves chain %s, not the FLUX chain", c.Reserve.Chain()))
	}
	if len(c.Proposers) != len(r.cfg.Members) {
		return fault.E(op, fault.Invalid, fmt.Errorf("%d proposers for %d members", len(c.Proposers), len(r.cfg.Members)))
	}
	for _, p := range c.Proposers {
		if !r.current().has(p) {
			return fault.E(op, fault.Invalid, fmt.Errorf("proposer %x is not a member", p))
		}
	}
	for _, b := range c.Burns {
		if _, ok := r.dests[b.Chain()]; !ok {
			return fault.E(op, fault.Invalid, fmt.Errorf("burns of chain %s, which is not a destination", b.Chain()))
		}
	}
	if len(c.Prefixes) == 0 {
		return fault.E(op, fault.Invalid, errors.New("the FLUX address prefixes are required"))
	}
	if c.Cadence == 0 {
		c.Cadence = 10
	}
	if c.FeeRate == 0 {
		c.FeeRate = 10
	}
	if c.Fee == 0 {
		c.Fee = 100_000
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 100
	}
	if c.ConsolidateAbove == 0 {
		c.ConsolidateAbove = 50
	}
	return nil
}

// enabled reports whether burn → release runs.
func (c Releases) enabled() bool { return c.Reserve != nil }

// round is release round r's parameters (DESIGN §4): the proposer, the
// reference height (only reserve outputs created at or below it are spent,
// final for everyone once the round begins) and the expiry height.
type round struct {
	N         uint64
	Proposer  []byte
	RefHeight uint64
	Expiry    uint64
}

// roundAt is the round of FLUX height h.
func (c Releases) roundAt(h uint64, confirmations uint32) round {
	return c.round(h/c.Cadence, confirmations)
}

func (c Releases) round(n uint64, confirmations uint32) round {
	r := round{N: n, Proposer: c.Proposers[n%uint64(len(c.Proposers))]}
	if start := n * c.Cadence; start > uint64(confirmations) {
		r.RefHeight = start - uint64(confirmations)
	}
	// A release may be mined until the end of the round after its own; one
	// that is not is rebuilt after that (by then by another proposer).
	r.Expiry = (n + 2) * c.Cadence
	return r
}

// Proposal is the content of a release-proposal envelope: the round, what
// the spend pays (the request every validator rebuilds from its own view),
// and the proposer's unsigned transaction.
type Proposal struct {
	Round uint64              `json:"round"`
	Spend chains.ReserveSpend `json:"spend"`
	// TxID is the unsigned transaction's id; Payload the reserve sink's
	// encoding of it, which a validator's own build must equal byte for byte.
	TxID    string `json:"txid"`
	Payload []byte `json:"payload"`
}

// kind is the spend kind the proposal is for.
func (p Proposal) kind() SpendKind {
	switch {
	case p.Spend.Refund != nil:
		return SpendRefund
	case p.Spend.ConsolidateAbove > 0, len(p.Spend.MoveTo) > 0:
		return SpendMove
	}
	return SpendRelease
}

// SignatureSet is the content of a release-signature envelope: a member's
// signatures over every input of the spend TxID, in input order.
type SignatureSet struct {
	TxID string   `json:"txid"`
	Sigs [][]byte `json:"sigs"`
}

// maxEnvelopePayload bounds a proposal or signature set.
const maxEnvelopePayload = 1 << 20

// decodeStrict decodes JSON into v, refusing unknown fields and trailing data.
func decodeStrict(b []byte, v any) error {
	if len(b) > maxEnvelopePayload {
		return fmt.Errorf("%d bytes, at most %d", len(b), maxEnvelopePayload)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	// More() misses a stray '}' or ']': whatever follows must be blank.
	if rest := b[d.InputOffset():]; len(bytes.TrimSpace(rest)) > 0 {
		return errors.New("trailing data")
	}
	return nil
}

// UnmarshalProposal decodes and checks the shape of a release-proposal payload.
func UnmarshalProposal(b []byte) (Proposal, error) {
	var p Proposal
	bad := func(err error) (Proposal, error) {
		return Proposal{}, fault.E("relayer.UnmarshalProposal", fault.Invalid, err)
	}
	if err := decodeStrict(b, &p); err != nil {
		return bad(err)
	}
	s := p.Spend
	switch {
	case len(p.TxID) != 64 || len(p.Payload) == 0:
		return bad(errors.New("no transaction"))
	case len(s.MoveTo) > 0:
		if s.Refund != nil || len(s.Payouts) > 0 || s.Chain != 0 || s.FromNonce != 0 || s.ToNonce != 0 || s.ConsolidateAbove != 0 {
			return bad(errors.New("a move to a new set pays nothing"))
		}
	case s.ConsolidateAbove > 0:
		if s.Refund != nil || len(s.Payouts) > 0 || s.Chain != 0 || s.FromNonce != 0 || s.ToNonce != 0 {
			return bad(errors.New("a consolidation pays nothing"))
		}
	case s.ConsolidateAbove < 0:
		return bad(errors.New("a negative consolidation bound"))
	case s.Refund == nil && (s.Chain == 0 || s.ToNonce < s.FromNonce):
		return bad(errors.New("a release names a chain and a range"))
	case s.Refund != nil && len(s.Payouts) != 1:
		return bad(errors.New("a refund pays one output"))
	}
	for i, po := range s.Payouts {
		if len(po.To) != 22 || po.Amount == 0 {
			return bad(fmt.Errorf("payout %d malformed", i))
		}
	}
	return p, nil
}

// UnmarshalSignatureSet decodes and checks the shape of a release-signature payload.
func UnmarshalSignatureSet(b []byte) (SignatureSet, error) {
	var s SignatureSet
	if err := decodeStrict(b, &s); err != nil {
		return SignatureSet{}, fault.E("relayer.UnmarshalSignatureSet", fault.Invalid, err)
	}
	if len(s.TxID) != 64 || len(s.Sigs) == 0 || slices.ContainsFunc(s.Sigs, func(b []byte) bool { return len(b) != 65 }) {
		return SignatureSet{}, fault.E("relayer.UnmarshalSignatureSet", fault.Invalid, errors.New("a txid and 65-byte signatures"))
	}
	return s, nil
}

// payable says why burn b cannot be paid ("" if it can): its amount must
// cover the release fee and leave at least the dust limit, and its address
// must be of this network.
func (c Releases) payable(b Burn) string {
	if b.Amount < c.Fee+DustLimit {
		return fmt.Sprintf("%d zatoshi do not cover the release fee of %d and the dust limit of %d", b.Amount, c.Fee, DustLimit)
	}
	if len(b.To) != 22 || !slices.Contains(c.Prefixes, [2]byte(b.To[:2])) {
		return fmt.Sprintf("the address prefix %x is not this FLUX network's", b.To[:min(2, len(b.To))])
	}
	return ""
}

// refundPayout is the output refunding t, or why no refund can pay it
// without an operator (its claim waits, listed): no address derived from its
// first input, an address of another network, or a value that does not
// cover the fee and the dust limit.
func (c Releases) refundPayout(t Transfer) (chains.Payout, string) {
	if t.RefundTo == "" {
		return chains.Payout{}, "no refund address can be derived from the payment's first input: it waits for an operator's claim"
	}
	to, err := chains.ParseFluxAddress(t.RefundTo)
	if err != nil {
		return chains.Payout{}, fmt.Sprintf("the refund address %q does not decode: it waits for an operator's claim", t.RefundTo)
	}
	if !slices.Contains(c.Prefixes, [2]byte(to[:2])) {
		return chains.Payout{}, fmt.Sprintf("the refund address %s is not of this FLUX network", t.RefundTo)
	}
	if t.Amount < c.Fee+DustLimit {
		return chains.Payout{}, fmt.Sprintf("%d zatoshi do not cover the refund fee of %d and the dust limit of %d", t.Amount, c.Fee, DustLimit)
	}
	return chains.Payout{To: to, Amount: t.Amount - c.Fee}, ""
}

// ClaimReason says why the payment t, due a refund, waits for an operator's
// claim ("" when a refund can pay it).
func (c Releases) ClaimReason(t Transfer) string {
	_, why := c.refundPayout(t)
	return why
}

// rangeView is what a relayer knows of one chain's burns when it plans or
// checks a release: its spends of the chain (signed or seen on the FLUX
// chain), the burns from the next unreleased nonce on, and the bridge's
// finalized burn counter.
type rangeView struct {
	Chain  chains.ID
	Spends []Spend
	Burns  []Burn // ascending nonces from Next, as stored
	Count  uint64 // the finalized burn counter (the next nonce)
	// Held are the burns the governor holds for now, with its reason: a
	// range stops before the first (the burn ceiling delays, never refuses).
	Held map[uint64]string
}

// holdBurns applies the governor to the burns not yet in a release, in
// nonce order, given the notional already approved in the window: a large
// burn waits its delay after finality, and a burn that does not fit the
// window waits for it to slide. Pure.
func holdBurns(g Governor, now time.Time, burns []Burn, used uint64) map[uint64]string {
	held := map[uint64]string{}
	for _, b := range burns {
		if released(b.State) || b.State == BurnSeen {
			continue
		}
		d := g.Decide(now, Transfer{ID: b.ID, Dest: b.Chain, Amount: b.Amount, FinalAt: b.FinalAt}, used)
		if !d.Approve {
			held[b.Nonce] = d.Reason
			continue
		}
		used += b.Amount
	}
	return held
}

// next is the first nonce no live release covers: releases are contiguous
// from nonce 0, so it is one past the highest ToNonce of a live release.
func (v rangeView) next() uint64 { return v.nextExcept("") }

// nextExcept is next without the spend txid: when a validator checks the
// very spend it knows already, that spend does not count against itself.
func (v rangeView) nextExcept(txid string) uint64 {
	var n uint64
	for _, s := range v.Spends {
		if s.TxID != txid && s.Kind == SpendRelease && s.Chain == v.Chain && s.Live() && s.ToNonce+1 > n {
			n = s.ToNonce + 1
		}
	}
	return n
}

// planRange picks the release range a proposer names: from the next
// unreleased nonce, the longest run of final burns below the finalized
// counter, at most max. ok is false when there is nothing to release.
func planRange(v rangeView, max int) (from, to uint64, ok bool) {
	from = v.next()
	to, n := from, 0
	for _, b := range v.Burns {
		if b.Nonce != from+uint64(n) || b.Nonce >= v.Count || n == max || !released(b.State) && b.State != BurnFinal || v.Held[b.Nonce] != "" {
			break
		}
		to, n = b.Nonce, n+1
	}
	return from, to, n > 0
}

// released reports whether a burn state is at or after a release was
// accepted for it (in-batch and beyond).
func released(s BurnState) bool { return burnStates[s] >= burnStates[BurnInBatch] }

// payouts are the outputs a release of burns pays, in nonce order, net of
// the fee; unpayable burns are covered by the range and paid nothing.
func (c Releases) payouts(burns []Burn) []chains.Payout {
	var out []chains.Payout
	for _, b := range burns {
		if c.payable(b) == "" {
			out = append(out, chains.Payout{To: slices.Clone(b.To), Amount: b.Amount - c.Fee})
		}
	}
	return out
}

// checkRelease is signing rules 3 and 4 for a release proposal, decided on
// this relayer's own view: the range starts right after the last live
// release, ends below the finalized counter, every burn in it is final here,
// no live spend this relayer knows of overlaps it (unless it is the very same
// transaction), and no other spend this relayer signed is still in flight.
// It returns the burns the range covers, or why it refuses (transient: wait
// and see the proposal again; otherwise wrong).
func checkRelease(v rangeView, p Proposal, max int) ([]Burn, string, bool) {
	s := p.Spend
	for _, sp := range v.Spends {
		if sp.TxID == p.TxID || !sp.Live() {
			continue
		}
		if sp.Overlaps(s.Chain, s.FromNonce, s.ToNonce) {
			return nil, fmt.Sprintf("the range %d..%d overlaps release %s (%d..%d, %s)", s.FromNonce, s.ToNonce, sp.TxID, sp.FromNonce, sp.ToNonce, sp.State), false
		}
	}
	switch next := v.nextExcept(p.TxID); {
	case s.FromNonce > next:
		return nil, fmt.Sprintf("the range starts at %d, after the next unreleased nonce %d", s.FromNonce, next), false
	case s.FromNonce < next:
		return nil, fmt.Sprintf("the range starts at %d, before the next unreleased nonce %d", s.FromNonce, next), false
	case s.ToNonce-s.FromNonce >= uint64(max):
		return nil, fmt.Sprintf("the range covers %d burns, at most %d", s.ToNonce-s.FromNonce+1, max), false
	case s.ToNonce >= v.Count:
		return nil, fmt.Sprintf("the range ends at %d, not below the finalized burn counter %d", s.ToNonce, v.Count), true
	}
	var burns []Burn
	for _, b := range v.Burns {
		if b.Nonce >= s.FromNonce && b.Nonce <= s.ToNonce {
			burns = append(burns, b)
		}
	}
	if uint64(len(burns)) != s.ToNonce-s.FromNonce+1 {
		return nil, fmt.Sprintf("%d of the %d burns %d..%d are final here", len(burns), s.ToNonce-s.FromNonce+1, s.FromNonce, s.ToNonce), true
	}
	for i, b := range burns {
		if b.Nonce != s.FromNonce+uint64(i) || b.State == BurnSeen {
			return nil, fmt.Sprintf("burn %d is not final here", s.FromNonce+uint64(i)), true
		}
		if why := v.Held[b.Nonce]; why != "" {
			return nil, fmt.Sprintf("the governor holds burn %d here: %s", b.Nonce, why), true
		}
	}
	return burns, "", false
}

// oursInFlight selects the spends this relayer signed that are neither
// mined nor dead: those inFlight looks at.
var oursInFlight = SpendQuery{States: []SpendState{SpendSigned, SpendBroadcast}, SignedByUs: true}

// releaseSpends reads the spends a release decision on chain looks at, not
// every spend ever made: this relayer's in flight (inFlight), the two live
// releases of chain with the highest ranges (nextExcept, whichever one
// spend it leaves out) and, with over, the live releases of chain that
// overlap it (checkRelease). They come in creation order, as every spend
// would, so that a refusal names the same spend.
func releaseSpends(tx Tx, chain chains.ID, over *NonceRange) ([]Spend, error) {
	qs := []SpendQuery{oursInFlight, {Kinds: []SpendKind{SpendRelease}, Chain: chain, Live: true, HighestFirst: true, Limit: 2}}
	if over != nil {
		qs = append(qs, SpendQuery{Chain: chain, Live: true, Overlapping: over})
	}
	var out []Spend
	seen := map[string]bool{}
	for _, q := range qs {
		ss, err := tx.Spends(q)
		if err != nil {
			return nil, err
		}
		for _, s := range ss {
			if !seen[s.TxID] {
				seen[s.TxID] = true
				out = append(out, s)
			}
		}
	}
	slices.SortFunc(out, func(a, b Spend) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.TxID, b.TxID))
	})
	return out, nil
}

// inFlight returns a spend this relayer signed that is neither mined nor
// dead, other than txid: while one is, this relayer signs no other spend, so
// every relayer builds from the same reserve outputs.
func inFlight(spends []Spend, txid string) (Spend, bool) {
	for _, s := range spends {
		if s.SignedByUs && s.TxID != txid && (s.State == SpendSigned || s.State == SpendBroadcast) {
			return s, true
		}
	}
	return Spend{}, false
}
