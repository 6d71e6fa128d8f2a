package flux

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/p2p"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// Sync limits.
const (
	// inboxSize bounds the events waiting for the sync loop. A peer's reader
	// blocks while the inbox is full, which back-pressures its TCP stream.
	inboxSize = 512
	// maxHeaderLead is how far the best validated header may run ahead of the
	// connected tip before the driver stops asking for more headers.
	maxHeaderLead = 2000
	// maxBatch is the most blocks connected in one batch (one Store
	// transaction). Batches form while the previous one is being written.
	maxBatch = 1000
	// minBatch is the fewest blocks connected in one batch while more are
	// on their way (requested, or being checked), unless the loop's ticker
	// says the ready ones have waited long enough: a transaction costs much
	// the same for 50 blocks as for 500.
	minBatch = maxBatch / 2
	// banScore is the misbehaviour score that bans a peer at once.
	banScore = 100
)

type eventKind int

const (
	evConnected eventKind = iota
	evDisconnected
	evMessage
)

type inboxEvent struct {
	kind eventKind
	peer *p2p.Peer
	msg  wire.Message
	err  error
	hash chainhash.Hash // a block message's block hash, hashed on the peer's goroutine
}

// peerSync is what the sync loop knows of one peer.
type peerSync struct {
	p        *p2p.Peer
	st       peerState // its verified best header and claim; published for health
	inFlight int       // blocks requested from it and not yet received
	// asked is when we last sent it a getheaders; awaiting is set until a
	// headers message follows it.
	asked    time.Time
	awaiting bool
}

type request struct {
	peer uint64
	sent time.Time
}

// receivedBlock is a requested block that arrived. Its checks that do not
// depend on the chain state (spv.Chain.CheckBlock) run on the check workers
// while the loop connects earlier blocks; ready is set once checked is, and
// the worker then wakes the loop through syncer.checked.
type receivedBlock struct {
	block   *wire.MsgBlock
	peer    uint64
	checked *spv.CheckedBlock
	ready   atomic.Bool
}

// syncer is the sync driver between the peers and the chain. Its p2p.Handler
// methods run on peer goroutines and only enqueue; everything else runs on
// the loop goroutine, which owns every field below inboxMu.
type syncer struct {
	n   *Node
	log *slog.Logger

	inbox chan inboxEvent
	done  chan struct{} // closed when the loop exits, so handlers stop waiting
	// checks feeds the check workers; the loop closes it when it exits.
	checks chan *receivedBlock
	// checked wakes the loop when a worker has checked a block (capacity 1:
	// a wake-up already pending covers every later one, so workers never block).
	checked chan struct{}

	tipMu   sync.Mutex
	tipCh   chan struct{} // closed and replaced whenever the tip moves
	peersMu sync.Mutex
	states  map[uint64]peerState // published copies of the peers' states, for health

	// Loop-owned state.
	peers       map[uint64]*peerSync
	inFlight    map[chainhash.Hash]request
	received    map[chainhash.Hash]*receivedBlock
	headerPeer  uint64
	headerAsked time.Time
	// writing is closed when the batch the chain is writing in the
	// background has committed or failed; nil when none is being written.
	writing <-chan struct{}
	want    []chainhash.Hash // reused by connectReceived and requestBlocks
}

func newSyncer(n *Node) *syncer {
	return &syncer{
		n:        n,
		log:      n.cfg.Logger.With("component", "flux-sync"),
		inbox:    make(chan inboxEvent, inboxSize),
		done:     make(chan struct{}),
		checks:   make(chan *receivedBlock, 2*n.cfg.MaxBlocksInFlight),
		checked:  make(chan struct{}, 1),
		tipCh:    make(chan struct{}),
		states:   make(map[uint64]peerState),
		peers:    make(map[uint64]*peerSync),
		inFlight: make(map[chainhash.Hash]request),
		received: make(map[chainhash.Hash]*receivedBlock),
	}
}

// enqueue hands an event to the loop. It blocks while the inbox is full (the
// loop drains it continuously) and gives up when the loop has exited.
func (s *syncer) enqueue(ev inboxEvent) {
	select {
	case s.inbox <- ev:
	case <-s.done:
	}
}

// PeerConnected implements p2p.Handler.
func (s *syncer) PeerConnected(p *p2p.Peer) { s.enqueue(inboxEvent{kind: evConnected, peer: p}) }

// PeerDisconnected implements p2p.Handler.
func (s *syncer) PeerDisconnected(p *p2p.Peer, err error) {
	s.enqueue(inboxEvent{kind: evDisconnected, peer: p, err: err})
}

// Message implements p2p.Handler.
func (s *syncer) Message(p *p2p.Peer, m wire.Message) {
	switch msg := m.(type) {
	case *wire.MsgBlock:
		s.enqueue(inboxEvent{kind: evMessage, peer: p, msg: m, hash: msg.Header.BlockHash()})
	case *wire.MsgHeaders, *wire.MsgInv, *wire.MsgNotFound:
		s.enqueue(inboxEvent{kind: evMessage, peer: p, msg: m})
	case *wire.MsgReject:
		s.n.bcast.rejected(p, msg)
	}
}

// tipChanged returns a channel closed at the next tip change.
func (s *syncer) tipChanged() <-chan struct{} {
	s.tipMu.Lock()
	defer s.tipMu.Unlock()
	return s.tipCh
}

func (s *syncer) notifyTip() {
	s.tipMu.Lock()
	close(s.tipCh)
	s.tipCh = make(chan struct{})
	s.tipMu.Unlock()
}

// run is the sync loop: it handles peer events, connects received blocks in
// batches, and keeps header and block requests going. It never waits for a
// block's checks or for the Store: a batch connects once its blocks are
// checked and the previous batch is written, and is written in the
// background while the loop goes on downloading (spv.Chain.ConnectCheckedBlocks).
// A failed write ends the loop with its error.
func (s *syncer) run(ctx context.Context) error {
	// On exit: no more checks are queued, the workers skip what is left
	// (done is closed), and the loop returns once they have stopped.
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(s.done)
	defer close(s.checks)
	workers := s.n.cfg.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	for range workers {
		wg.Add(1)
		go s.checkWorker(&wg)
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		// While a batch is being written nothing connects, so checked blocks
		// need not wake the loop: the write's end does.
		checked := s.checked
		if s.writing != nil {
			checked = nil
		}
		select {
		case <-ctx.Done():
			return nil
		case ev := <-s.inbox:
			s.handle(ev)
			// Drain what else is waiting so blocks connect in large batches.
			for drained := 0; drained < inboxSize; drained++ {
				select {
				case ev := <-s.inbox:
					s.handle(ev)
					continue
				default:
				}
				break
			}
		case <-checked:
		case <-s.writing:
			s.writing = nil
			if err := s.n.chain.Flush(); err != nil {
				return err // the store failed: stop the node rather than guess
			}
			s.notifyTip()
			s.n.bcast.tipMoved()
		case <-tick.C:
			now := s.n.cfg.Now()
			s.expireRequests()
			s.expireStalledClaims(now)
			s.probeLagging(now)
			if err := s.connectReceived(true); err != nil {
				return err
			}
		}
		if err := s.connectReceived(false); err != nil {
			return err
		}
		s.requestHeaders()
		s.requestBlocks()
	}
}

func (s *syncer) handle(ev inboxEvent) {
	id := ev.peer.ID()
	switch ev.kind {
	case evConnected:
		s.addPeer(ev.peer)
	case evDisconnected:
		delete(s.peers, id)
		s.peersMu.Lock()
		delete(s.states, id)
		s.peersMu.Unlock()
		for h, r := range s.inFlight {
			if r.peer == id {
				delete(s.inFlight, h)
			}
		}
		if s.headerPeer == id {
			s.headerPeer = 0
		}
	case evMessage:
		ps := s.peers[id]
		if ps == nil {
			return // a message that raced the peer's disconnect
		}
		switch m := ev.msg.(type) {
		case *wire.MsgHeaders:
			s.onHeaders(ps, m)
		case *wire.MsgInv:
			s.onInv(ps, m)
		case *wire.MsgBlock:
			s.onBlock(ps, m, ev.hash)
		case *wire.MsgNotFound:
			for _, iv := range m.InvList {
				if r, ok := s.inFlight[iv.Hash]; ok && r.peer == id {
					delete(s.inFlight, iv.Hash)
					ps.inFlight--
				}
			}
		}
	}
}

// onHeaders processes a headers message: an answer to our getheaders or an
// announcement. The last header, once the chain holds it, becomes the peer's
// best verified header.
func (s *syncer) onHeaders(ps *peerSync, m *wire.MsgHeaders) {
	driver := s.headerPeer == ps.p.ID()
	if driver {
		s.headerPeer = 0
	}
	answer := ps.awaiting
	ps.awaiting = false
	if len(m.Headers) == 0 {
		if answer {
			s.answered(ps, 0, false)
		}
		return
	}
	advanced, err := s.n.chain.ProcessHeaders(m.Headers)
	switch {
	case err == nil:
	case errors.Is(err, spv.ErrOrphanHeaders):
		// The peer is on a branch we do not know the start of: ask it from our locator.
		s.sendGetHeaders(ps)
		return
	default:
		s.penalize(ps, err, "invalid headers")
		return
	}
	held := s.sawHash(ps, m.Headers[len(m.Headers)-1].BlockHash())
	if answer {
		s.answered(ps, len(m.Headers), held)
	}
	// There is more. Only the header-sync peer, or one whose headers were
	// new to us, is asked to go on: the answers to the probes sent to every
	// new peer must not become parallel downloads of the same headers. Past
	// maxHeaderLead, requestHeaders asks again once blocks have connected
	// (the chain would drop headers beyond spv.MaxPendingHeaders).
	if len(m.Headers) == wire.MaxHeadersPerMessage && (driver || advanced) && !s.headersFarAhead() {
		s.sendGetHeaders(ps)
	}
}

// onInv handles block announcements by inv: a hash the chain holds becomes
// the peer's best verified header if it is higher (a peer that announces a
// burst of blocks by inv refreshes its tip this way); an unknown hash is only
// a claim, and the peer is asked for the headers that would prove it.
func (s *syncer) onInv(ps *peerSync, m *wire.MsgInv) {
	for _, iv := range m.InvList {
		if iv.Type != wire.InvTypeBlock {
			continue
		}
		if !s.sawHash(ps, iv.Hash) {
			s.sendGetHeaders(ps)
			return
		}
	}
}

func (s *syncer) onBlock(ps *peerSync, m *wire.MsgBlock, h chainhash.Hash) {
	r, ok := s.inFlight[h]
	if !ok || r.peer != ps.p.ID() {
		return // not requested from this peer: ignore, it costs us nothing to drop
	}
	delete(s.inFlight, h)
	ps.inFlight--
	// Serving a block proves the peer has it, not that it is on the peer's
	// chain (nodes serve side branches too): its best header is not moved.
	rb := &receivedBlock{block: m, peer: ps.p.ID()}
	s.received[h] = rb
	select {
	case s.checks <- rb:
	default: // the workers are far behind: check it here
		rb.checked = s.n.chain.CheckBlock(m)
		rb.ready.Store(true)
	}
}

// checkWorker runs spv.Chain.CheckBlock on received blocks until the loop
// closes checks, and wakes the loop after each; once the loop has exited it
// only releases what is queued.
func (s *syncer) checkWorker(wg *sync.WaitGroup) { // flux-sync check worker
	defer wg.Done()
	for rb := range s.checks {
		select {
		case <-s.done:
		default:
			rb.checked = s.n.chain.CheckBlock(rb.block)
		}
		rb.ready.Store(true)
		select {
		case s.checked <- struct{}{}:
		default: // a wake-up is pending already
		}
	}
}

// connectReceived hands the contiguous run of received and checked blocks
// that extends the tip to the chain, in batches of at most maxBatch, while
// no batch is being written. The chain writes a batch in the background;
// the loop learns of the write's end through s.writing.
func (s *syncer) connectReceived(force bool) error {
	for s.writing == nil {
		s.want = s.n.chain.AppendWantBlocks(s.want[:0], maxBatch)
		n := 0 // the ready run
		for _, h := range s.want {
			if rb, ok := s.received[h]; !ok || !rb.ready.Load() {
				break
			}
			n++
		}
		if n == 0 || (n < minBatch && !force && s.moreComing(n)) {
			return nil
		}
		checked := make([]*spv.CheckedBlock, n)
		from := make([]uint64, n)
		for i, h := range s.want[:n] {
			rb := s.received[h]
			checked[i], from[i] = rb.checked, rb.peer
		}
		connected, err := s.n.chain.ConnectCheckedBlocks(checked)
		for _, h := range s.want[:min(connected, n)] {
			delete(s.received, h)
		}
		s.writing = s.n.chain.Writing()
		if connected > 0 && s.writing == nil {
			// Written already (a reorganisation is written before it returns).
			s.notifyTip()
			s.n.bcast.tipMoved()
		}
		if err != nil {
			var be *spv.BlockError
			if !errors.As(err, &be) {
				return err // the store failed: stop the node rather than guess
			}
			// Drop every received block from the failed one on; the chain has
			// marked it (and its descendants) invalid and fallen back.
			for _, h := range s.want[connected:n] {
				delete(s.received, h)
			}
			bad := from[min(connected, len(from)-1)]
			if ps := s.peers[bad]; ps != nil {
				s.penalize(ps, err, "invalid block")
			}
			continue
		}
		if connected < n {
			return nil
		}
	}
	return nil
}

// moreComing reports whether blocks after the first n wanted ones are on
// their way: requested, or received and being checked.
func (s *syncer) moreComing(n int) bool {
	if len(s.inFlight) > 0 {
		return true
	}
	if n < len(s.want) {
		_, ok := s.received[s.want[n]]
		return ok
	}
	return false
}

// requestHeaders asks the best peer for headers when it claims more than we have.
func (s *syncer) requestHeaders() {
	now := s.n.cfg.Now()
	var stalled uint64
	if s.headerPeer != 0 {
		if now.Sub(s.headerAsked) < s.n.cfg.HeaderTimeout {
			return
		}
		// It sat on our getheaders (or answered with something undecodable):
		// count it as a stall, once, and ask another peer.
		stalled, s.headerPeer = s.headerPeer, 0
		if ps := s.peers[stalled]; ps != nil {
			ps.p.Misbehaving(banScore/4, "unanswered getheaders")
		}
	}
	if s.headersFarAhead() {
		return
	}
	best := s.n.chain.BestHeader().Height
	var pick *peerSync
	for _, ps := range s.peers {
		if ps.st.reach() > best && ps.p.ID() != stalled && (pick == nil || ps.st.reach() > pick.st.reach()) {
			pick = ps
		}
	}
	if pick == nil && stalled != 0 {
		if ps := s.peers[stalled]; ps != nil && ps.st.reach() > best {
			pick = ps // the only peer ahead timed out once; ask again
		}
	}
	if pick != nil {
		s.sendGetHeaders(pick)
	}
}

// headersFarAhead reports whether the best header is maxHeaderLead or more
// ahead of the tip.
func (s *syncer) headersFarAhead() bool {
	return s.n.chain.BestHeader().Height-s.n.chain.Tip().Height >= maxHeaderLead
}

func (s *syncer) sendGetHeaders(ps *peerSync) {
	msg := &wire.MsgGetHeaders{Version: uint32(s.n.cfg.Params.EpochProtocolVersion(s.n.chain.Tip().Height)), Locator: s.n.chain.Locator()}
	if err := ps.p.Send(msg); err != nil {
		return // the peer is being disconnected; PeerDisconnected follows
	}
	s.headerPeer = ps.p.ID()
	s.headerAsked = s.n.cfg.Now()
	ps.asked, ps.awaiting = s.headerAsked, true
}

// requestBlocks spreads requests for the blocks the chain wants over the
// peers that have them, within the in-flight bounds.
//
// It asks in chunks, once a quarter of a peer's requests (or of the total)
// are free again: the loop runs after every arriving block, and scanning the
// wanted blocks for each one would cost more than the block.
func (s *syncer) requestBlocks() {
	cfg := &s.n.cfg
	room := 0
	for _, ps := range s.peers {
		room += max(cfg.MaxBlocksPerPeer-ps.inFlight, 0)
	}
	room = min(room, cfg.MaxBlocksInFlight-len(s.inFlight))
	if room <= 0 || room < min(cfg.MaxBlocksPerPeer, cfg.MaxBlocksInFlight)/4 {
		return
	}
	// The first room blocks not yet asked for or received are among these.
	s.want = s.n.chain.AppendWantBlocks(s.want[:0], min(cfg.MaxBlocksInFlight, len(s.inFlight)+len(s.received)+room))
	batches := make(map[uint64][]wire.InvVect)
	now := s.n.cfg.Now()
	for _, h := range s.want {
		if len(s.inFlight) >= s.n.cfg.MaxBlocksInFlight {
			break
		}
		if _, ok := s.inFlight[h]; ok {
			continue
		}
		if _, ok := s.received[h]; ok {
			continue
		}
		// The height comes from the header chain: after a reorg the wanted
		// blocks start at the fork point, below the tip.
		_, height, ok := s.n.chain.HeaderByHash(h)
		if !ok {
			continue
		}
		ps := s.pickPeer(height)
		if ps == nil {
			break
		}
		s.inFlight[h] = request{peer: ps.p.ID(), sent: now}
		ps.inFlight++
		batches[ps.p.ID()] = append(batches[ps.p.ID()], wire.InvVect{Type: wire.InvTypeBlock, Hash: h})
	}
	for id, invs := range batches {
		ps := s.peers[id]
		for len(invs) > 0 {
			n := min(len(invs), wire.MaxInvPerMessage)
			if err := ps.p.Send(&wire.MsgGetData{InvList: invs[:n]}); err != nil {
				break // disconnect follows and releases its requests
			}
			invs = invs[n:]
		}
	}
}

// pickPeer returns the least loaded peer that claims height, if any has room.
func (s *syncer) pickPeer(height int32) *peerSync {
	var pick *peerSync
	for _, ps := range s.peers {
		if ps.st.reach() < height || ps.inFlight >= s.n.cfg.MaxBlocksPerPeer {
			continue
		}
		if pick == nil || ps.inFlight < pick.inFlight {
			pick = ps
		}
	}
	return pick
}

// expireRequests forgets block requests that took too long, so they go to
// another peer, and drops a peer that sits on many of them.
func (s *syncer) expireRequests() {
	now := s.n.cfg.Now()
	stalled := make(map[uint64]int)
	for h, r := range s.inFlight {
		if now.Sub(r.sent) > s.n.cfg.BlockTimeout {
			delete(s.inFlight, h)
			stalled[r.peer]++
			if ps := s.peers[r.peer]; ps != nil {
				ps.inFlight--
			}
		}
	}
	for id, n := range stalled {
		if ps := s.peers[id]; ps != nil {
			s.log.Warn("peer stalled on block requests", "peer", ps.p.Addr(), "blocks", n)
			ps.p.Misbehaving(banScore/4, "stalled block requests")
		}
	}
}

func (s *syncer) penalize(ps *peerSync, err error, what string) {
	s.log.Warn(what+" from peer; banning it", "peer", ps.p.Addr(), "err", err)
	ps.p.Misbehaving(banScore, what+": "+err.Error())
}
