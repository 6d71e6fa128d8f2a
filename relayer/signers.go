package relayer

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// NextSet is the signer set that takes over from the current one (DESIGN §6,
// signer-set rotation). From its activation FLUX height on:
//   - the current set co-signs rotateSigners on every bridge (the bridges
//     then take the next set's signatures, and the current set's only for
//     their grace period), and moves the reserve to the next set's P2SH
//     script, round after round until none of its outputs is left;
//   - the next set proposes and signs every other spend (releases, refunds,
//     consolidations) from its own reserve script.
//
// Mints are signed by members of either set; a destination takes the next
// set's quorum once it shows the rotation, the current set's before.
type NextSet struct {
	// Activation is the FLUX height at which the next set takes over: the
	// rounds from the one starting at or after it are its rounds, and the
	// bridges are rotated once this relayer's final height reaches it.
	Activation uint64
	// Members are the next set's 20-byte addresses; Threshold is its k.
	Members   [][]byte
	Threshold int
	// Proposers are Members in the order of their public keys.
	Proposers [][]byte
	// Reserve is the FLUX sink spending the next set's reserve script, and
	// Redeem that script's redeem script (the target of the move).
	Reserve chains.Sink
	Redeem  []byte
}

// signerSet is one signer set as the relayer uses it.
type signerSet struct {
	id        uint32
	members   [][]byte
	threshold int
	proposers [][]byte
	reserve   chains.Sink
}

func (s signerSet) has(id []byte) bool {
	return slices.ContainsFunc(s.members, func(m []byte) bool { return bytes.Equal(m, id) })
}

// count is how many of ids are members of s (ids are distinct).
func (s signerSet) count(ids [][]byte) int {
	n := 0
	for _, id := range ids {
		if s.has(id) {
			n++
		}
	}
	return n
}

// checkMembers checks a set's members and threshold: distinct 20-byte
// addresses, more than half and at most all of them.
func checkMembers(what string, members [][]byte, k int) error {
	if k < 1 || k > len(members) || 2*k <= len(members) {
		return fmt.Errorf("%s: threshold %d of %d members: need more than half and at most all", what, k, len(members))
	}
	seen := map[string]bool{}
	for _, m := range members {
		if len(m) != 20 || seen[string(m)] {
			return fmt.Errorf("%s: member %x: want distinct 20-byte addresses", what, m)
		}
		seen[string(m)] = true
	}
	return nil
}

// setSigners checks the signer sets of cfg and fills r.sets: the current set
// (id Config.SetID, default 1) and, when configured, the next one.
func (r *Relayer) setSigners() error {
	const op = "relayer.New"
	cfg := &r.cfg
	if cfg.SetID == 0 {
		cfg.SetID = 1
	}
	if err := checkMembers("the signer set", cfg.Members, cfg.Threshold); err != nil {
		return fault.E(op, fault.Invalid, err)
	}
	cfg.Members = slices.Clone(cfg.Members)
	r.sets = []signerSet{{id: cfg.SetID, members: cfg.Members, threshold: cfg.Threshold, proposers: cfg.Releases.Proposers, reserve: cfg.Releases.Reserve}}
	if n := cfg.Next; n != nil {
		if err := checkMembers("the next signer set", n.Members, n.Threshold); err != nil {
			return fault.E(op, fault.Invalid, err)
		}
		switch {
		case n.Activation == 0:
			return fault.E(op, fault.Invalid, errors.New("the next signer set needs an activation height"))
		case cfg.SetID == 1<<32-1:
			return fault.E(op, fault.Invalid, errors.New("the set id cannot grow past the current one"))
		case cfg.Releases.enabled() && (n.Reserve == nil || n.Reserve.Chain() != chains.FluxL1 || len(n.Redeem) == 0):
			return fault.E(op, fault.Invalid, errors.New("the next signer set needs its FLUX reserve sink and redeem script"))
		case cfg.Releases.enabled() && len(n.Proposers) != len(n.Members):
			return fault.E(op, fault.Invalid, fmt.Errorf("%d proposers for the next set's %d members", len(n.Proposers), len(n.Members)))
		}
		next := signerSet{id: cfg.SetID + 1, members: slices.Clone(n.Members), threshold: n.Threshold, proposers: n.Proposers, reserve: n.Reserve}
		for _, p := range n.Proposers {
			if !next.has(p) {
				return fault.E(op, fault.Invalid, fmt.Errorf("proposer %x is not a member of the next set", p))
			}
		}
		r.sets = append(r.sets, next)
	}
	if !slices.ContainsFunc(r.sets, func(s signerSet) bool { return s.has(r.self) }) {
		return fault.E(op, fault.Invalid, fmt.Errorf("this relayer's key %x is not a member of the set", r.self))
	}
	return nil
}

// current is the set configured as current; next the next one (ok false
// when none is configured).
func (r *Relayer) current() signerSet { return r.sets[0] }

func (r *Relayer) next() (signerSet, bool) {
	if len(r.sets) < 2 {
		return signerSet{}, false
	}
	return r.sets[1], true
}

// setAt is the set that proposes and signs the spends of the round starting
// at FLUX height h: the next set from its activation on.
func (r *Relayer) setAt(h uint64) signerSet {
	if n, ok := r.next(); ok && h >= r.cfg.Next.Activation {
		return n
	}
	return r.current()
}

// isMember reports whether id is in a signer set (current or next).
func (r *Relayer) isMember(id []byte) bool {
	return slices.ContainsFunc(r.sets, func(s signerSet) bool { return s.has(id) })
}

// members are every member of either set, once, in configuration order
// (the submitters of a mint, ranked per transfer).
func (r *Relayer) members() [][]byte {
	out := slices.Clone(r.current().members)
	if n, ok := r.next(); ok {
		for _, m := range n.members {
			if !r.current().has(m) {
				out = append(out, m)
			}
		}
	}
	return out
}

// mintSet is the set whose quorum a bridge of chain takes: the next set
// once the bridge shows the rotation, the current set until then (and
// within the bridge's grace period after, which the sink judges).
func (r *Relayer) mintSet(chain chains.ID) signerSet {
	if n, ok := r.next(); ok && r.rotatedOn(chain) {
		return n
	}
	return r.current()
}

// mintQuorum reports whether the signers (distinct) are a quorum of chain's
// mint set.
func (r *Relayer) mintQuorum(chain chains.ID, signers [][]byte) bool {
	s := r.mintSet(chain)
	return s.count(signers) >= s.threshold
}

// mintSignatures are the first k of the attestations good (ordered by
// signer, as the contract wants them) of members of chain's mint set.
func (r *Relayer) mintSignatures(chain chains.ID, good []Attestation) []Attestation {
	s := r.mintSet(chain)
	var out []Attestation
	for _, a := range good {
		if len(out) < s.threshold && s.has(a.Signer) {
			out = append(out, a)
		}
	}
	return out
}

// round is release round n with its proposer taken from the set of the
// round (the next set's from its activation on).
func (r *Relayer) round(n uint64) round {
	rd := r.cfg.Releases.round(n, r.cfg.Confirmations)
	ps := r.setAt(n * r.cfg.Releases.Cadence).proposers
	rd.Proposer = ps[n%uint64(len(ps))]
	return rd
}

// moveRound is round n of the current set, which moves its reserve to the
// next set from the activation on.
func (r *Relayer) moveRound(n uint64) round { return r.cfg.Releases.round(n, r.cfg.Confirmations) }

// setMovePrefix starts the Ref of a move of the reserve to a new signer set:
// "set:<id>", the id of the set it moves to.
const setMovePrefix = "set:"

// setMoveRef is the Ref of a move of the reserve to the set id.
func setMoveRef(id uint32) string { return setMovePrefix + strconv.FormatUint(uint64(id), 10) }

// isSetMove reports whether the spend s moves the reserve to a new signer
// set (rather than consolidating it).
func isSetMove(s Spend) bool { return s.Kind == SpendMove && strings.HasPrefix(s.Ref, setMovePrefix) }

// spendSet is the set whose reserve script the spend s spends: the current
// set for a move to the next set, otherwise the set of its round.
func (r *Relayer) spendSet(s Spend) signerSet {
	if isSetMove(s) {
		return r.current()
	}
	return r.setAt(s.Round * r.cfg.Releases.Cadence)
}

// proposalSet is spendSet for a proposal.
func (r *Relayer) proposalSet(p Proposal) signerSet {
	if len(p.Spend.MoveTo) > 0 {
		return r.current()
	}
	return r.setAt(p.Round * r.cfg.Releases.Cadence)
}
