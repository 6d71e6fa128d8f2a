package relayer

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
)

// Governor is the off-chain governor of DESIGN §6: a per-chain notional limit
// over a sliding window and a delay for large transfers. Its zero value
// approves everything.
type Governor struct {
	// Window is the sliding window of the notional limits (default 24 h).
	Window time.Duration
	// Limits bounds the notional approved per destination chain within
	// Window, in zatoshi. A chain without an entry is unlimited.
	Limits map[chains.ID]uint64
	// Large is the amount from which a transfer waits LargeDelay after it
	// became final (0: no large-transfer delay). A transfer larger than its
	// chain's whole limit is treated as large: it could never fit the window.
	Large      uint64
	LargeDelay time.Duration
	// Recheck is how long a transfer that does not fit the window waits
	// before it is decided again (default 1 min).
	Recheck time.Duration
}

// Decision is the governor's answer for one transfer.
type Decision struct {
	Approve bool
	// ReleaseAt is when to decide again (when not approved).
	ReleaseAt time.Time
	Reason    string
}

// Decide applies the governor to t at now, given the notional already
// approved on t's chain within the window. It is pure.
func (g Governor) Decide(now time.Time, t Transfer, used uint64) Decision {
	limit, limited := g.Limits[t.Dest]
	large := g.Large > 0 && t.Amount >= g.Large
	if limited && t.Amount > limit {
		large = true
	}
	if large {
		until := t.FinalAt.Add(g.LargeDelay)
		if now.Before(until) {
			return Decision{ReleaseAt: until, Reason: fmt.Sprintf("large transfer of %d zatoshi: held %s after finality, until %s", t.Amount, g.LargeDelay, until.UTC().Format(time.RFC3339))}
		}
		return Decision{Approve: true, Reason: "large-transfer delay over"}
	}
	if limited && used+t.Amount > limit {
		recheck := g.Recheck
		if recheck <= 0 {
			recheck = time.Minute
		}
		window := g.Window
		if window <= 0 {
			window = 24 * time.Hour
		}
		return Decision{ReleaseAt: now.Add(recheck), Reason: fmt.Sprintf("chain %s notional window full: %d of %d zatoshi approved in the last %s", t.Dest, used, limit, window)}
	}
	return Decision{Approve: true}
}

// WindowStart is the start of the governor window ending at now.
func (g Governor) WindowStart(now time.Time) time.Time {
	w := g.Window
	if w <= 0 {
		w = 24 * time.Hour
	}
	return now.Add(-w)
}

// AccountantError reports a broken accountant invariant (DESIGN §4 rule 5).
type AccountantError struct {
	Minted, This, Locked uint64
}

func (e *AccountantError) Error() string {
	return fmt.Sprintf("accountant invariant broken: minted %d + this %d > locked %d zatoshi", e.Minted, e.This, e.Locked)
}

// CheckAccountant applies DESIGN §4 rule 5: Σ minted over all destination
// chains (as their contracts report it, gross of fees) plus this mint must not
// exceed Σ valid final locks observed in the reserve. It is pure.
func CheckAccountant(ledgers []chains.Ledger, this, locked uint64) error {
	var minted uint64
	for _, l := range ledgers {
		if minted+l.Minted < minted {
			return &AccountantError{Minted: ^uint64(0), This: this, Locked: locked}
		}
		minted += l.Minted
	}
	if minted+this < minted || minted+this > locked {
		return &AccountantError{Minted: minted, This: this, Locked: locked}
	}
	return nil
}

// SubmitterRank returns the position of member self in the submitter order of
// one transfer: members sorted by sha256(transferID ‖ address). Rank 0 submits
// as soon as it has a quorum; rank r after r failover periods of silence. The
// order differs per transfer, so the work and the gas spread over the set.
// It returns -1 if self is not a member.
func SubmitterRank(transferID string, members [][]byte, self []byte) int {
	type ranked struct {
		key [32]byte
		id  []byte
	}
	rs := make([]ranked, 0, len(members))
	for _, m := range members {
		rs = append(rs, ranked{sha256.Sum256(append([]byte(transferID), m...)), m})
	}
	slices.SortFunc(rs, func(a, b ranked) int { return bytes.Compare(a.key[:], b.key[:]) })
	for i, r := range rs {
		if bytes.Equal(r.id, self) {
			return i
		}
	}
	return -1
}
