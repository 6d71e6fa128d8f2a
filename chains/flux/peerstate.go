package flux

import (
	"fmt"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/p2p"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// This file keeps, for each connected peer, what health may rely on: the
// best header the peer has shown us that the chain holds (verified), and the
// height it merely claims (its version message's start height) with the time
// after which that claim is ignored. The sync loop owns peerSync; health reads
// the published copies (peerState) under syncer.peersMu.

// blockRef names one header by height and hash.
type blockRef struct {
	Height int32
	Hash   chainhash.Hash
}

// peerState is the part of a peer's sync state that health reads.
type peerState struct {
	addr string
	// best is the best header of its own chain the peer has shown us (the
	// last header of a headers message, or a block hash it announced by inv)
	// that the chain holds: validated, not claimed. It is the zero blockRef
	// until the peer has shown one.
	best blockRef
	// claim is a height the peer claimed without proof (its version start
	// height), 0 for none. The sync driver keeps asking a claiming peer for
	// headers until the claim is met, refuted or stalled on; health counts it
	// only until claimUntil.
	claim      int32
	claimUntil time.Time
}

// reach is the highest height the sync driver believes the peer has: its
// best verified header, or a larger claim not yet refuted.
func (st *peerState) reach() int32 { return max(st.best.Height, st.claim) }

// publish copies the loop's view of ps for health and Progress.
func (s *syncer) publish(ps *peerSync) {
	s.peersMu.Lock()
	s.states[ps.p.ID()] = ps.st
	s.peersMu.Unlock()
}

// peerStates returns a copy of every connected peer's published state.
func (s *syncer) peerStates() []peerState {
	s.peersMu.Lock()
	defer s.peersMu.Unlock()
	out := make([]peerState, 0, len(s.states))
	for _, st := range s.states {
		out = append(out, st)
	}
	return out
}

// bestPeerHeight returns the highest height a connected peer has shown or
// claims without having been refuted (Progress: a sync's goal). Health does
// not use it.
func (s *syncer) bestPeerHeight() int32 {
	var best int32
	for _, st := range s.peerStates() {
		best = max(best, st.reach())
	}
	return best
}

// addPeer starts tracking a newly connected peer and asks it for headers at
// once, so that a peer level with us shows our tip without waiting for the
// next block, and a peer that claims more proves it.
//
// SECURITY: the version start height is an unverified claim. When it is
// above our best header it makes health report "behind" only until
// HeaderTimeout from now (the peer was asked within that window); after
// that only headers the peer delivered count (sawHeader).
func (s *syncer) addPeer(p *p2p.Peer) {
	ps := &peerSync{p: p, st: peerState{addr: p.Addr()}}
	if c := p.StartHeight(); c > s.n.chain.BestHeader().Height {
		ps.st.claim = c
		ps.st.claimUntil = s.n.cfg.Now().Add(s.n.cfg.HeaderTimeout)
	}
	s.peers[p.ID()] = ps
	s.publish(ps)
	s.probe(ps)
}

// sawHeader records that the peer has shown us the header ref, which the
// chain holds. The peer's best moves to it unless ref is lower than a best
// the chain still holds: a peer that switches to another branch of the same
// height is followed. A claim the header reaches is met and forgotten.
func (s *syncer) sawHeader(ps *peerSync, ref blockRef) {
	if ref == ps.st.best {
		return
	}
	if ref.Height < ps.st.best.Height {
		if _, _, held := s.n.chain.HeaderByHash(ps.st.best.Hash); held {
			return
		}
	}
	ps.st.best = ref
	if ps.st.claim > 0 && ref.Height >= ps.st.claim {
		ps.st.claim, ps.st.claimUntil = 0, time.Time{}
	}
	ps.p.SetAnnouncedHeight(ref.Height)
	s.publish(ps)
}

// sawHash records a header the peer showed by hash, if the chain holds it,
// and reports whether it does.
func (s *syncer) sawHash(ps *peerSync, h chainhash.Hash) bool {
	_, height, ok := s.n.chain.HeaderByHash(h)
	if ok {
		s.sawHeader(ps, blockRef{Height: height, Hash: h})
	}
	return ok
}

// answered handles a headers message that answers our getheaders: one with
// fewer than MaxHeadersPerMessage headers ends at the peer's tip. With held
// set, the last header is in the chain (sawHeader has recorded it), so a
// claim above the peer's best is false. An empty answer means the peer's tip
// is in our locator, so it is at most our best header.
func (s *syncer) answered(ps *peerSync, n int, held bool) {
	if ps.st.claim == 0 || n >= wire.MaxHeadersPerMessage {
		return
	}
	switch {
	case n == 0 && ps.st.claim > s.n.chain.BestHeader().Height:
		s.dropClaim(ps, true, fmt.Sprintf("claimed height %d, but has no headers after our best %d", ps.st.claim, s.n.chain.BestHeader().Height))
	case n > 0 && held && ps.st.claim > ps.st.best.Height:
		s.dropClaim(ps, true, fmt.Sprintf("claimed height %d, but its headers end at %d", ps.st.claim, ps.st.best.Height))
	}
}

// expireStalledClaims forgets the claims of peers that left our getheaders
// unanswered for HeaderTimeout, so that the sync driver stops asking them.
// Health stopped counting them at claimUntil already; requestHeaders scores
// a stall of the header-sync peer.
func (s *syncer) expireStalledClaims(now time.Time) {
	for _, ps := range s.peers {
		if ps.st.claim > 0 && ps.awaiting && now.Sub(ps.asked) >= s.n.cfg.HeaderTimeout {
			s.dropClaim(ps, false, fmt.Sprintf("claimed height %d, but left getheaders unanswered for %s", ps.st.claim, s.n.cfg.HeaderTimeout))
		}
	}
}

// dropClaim forgets the peer's claim; a refuted claim (a lie) is scored.
func (s *syncer) dropClaim(ps *peerSync, refuted bool, why string) {
	ps.st.claim, ps.st.claimUntil = 0, time.Time{}
	s.publish(ps)
	s.log.Info("ignoring a peer's unverified height", "peer", ps.p.Addr(), "why", why)
	if refuted {
		ps.p.Misbehaving(banScore/4, why)
	}
}

// probe asks the peer for headers from just below our best header (our tip
// once synced), so that its answer starts with that header if its chain
// holds it: a peer level with us shows it instead of answering with nothing.
// It does not make the peer the header-sync peer.
func (s *syncer) probe(ps *peerSync) {
	loc := s.n.chain.Locator()
	if len(loc) > 1 {
		loc = loc[1:] // the best header itself
	}
	msg := &wire.MsgGetHeaders{Version: uint32(s.n.cfg.Params.EpochProtocolVersion(s.n.chain.Tip().Height)), Locator: loc}
	if err := ps.p.Send(msg); err != nil {
		return // the peer is being disconnected; PeerDisconnected follows
	}
	ps.asked, ps.awaiting = s.n.cfg.Now(), true
}

// probeLagging asks again, at most once per HeaderTimeout each, the peers
// that have not shown our tip: those that have shown nothing, or only a
// header more than HealthLag below our tip on our chain. Peers on another
// branch have told us their chain and announce when it changes.
func (s *syncer) probeLagging(now time.Time) {
	tip := s.n.chain.Tip()
	for _, ps := range s.peers {
		if now.Sub(ps.asked) < s.n.cfg.HeaderTimeout {
			continue
		}
		switch s.n.linkOf(ps.st.best, tip) {
		case linkNone:
		case linkBelow:
			if tip.Height-ps.st.best.Height <= s.n.cfg.HealthLag {
				continue
			}
		default:
			continue
		}
		s.probe(ps)
	}
}
