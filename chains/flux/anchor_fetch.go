package flux

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/p2p"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// infoWindow is the header.Chain view of the last headers fetched: up to
// spv.WindowSize of them, more than any header rule looks back.
type infoWindow struct {
	first int32 // height of infos[0]
	infos []header.Info
}

// Info implements header.Chain.
func (w *infoWindow) Info(h int32) (header.Info, bool) {
	i := int(h - w.first)
	if i < 0 || i >= len(w.infos) {
		return header.Info{}, false
	}
	return w.infos[i], true
}

func (w *infoWindow) push(height int32, hdr *wire.BlockHeader, hash chainhash.Hash) {
	if len(w.infos) == 0 {
		w.first = height
	}
	w.infos = append(w.infos, header.Info{Height: height, Time: hdr.Time, Bits: hdr.Bits, Hash: hash, Version: hdr.Version})
	if len(w.infos) >= 2*spv.WindowSize {
		n := copy(w.infos, w.infos[len(w.infos)-spv.WindowSize:])
		w.first += int32(len(w.infos) - n)
		w.infos = w.infos[:n]
	}
}

// errNotLinked is a header whose hashPrevBlock is not the previous header.
var errNotLinked = errors.New("header does not link")

// headerChecker verifies a header chain from a checkpoint on, one header at
// a time: linkage, CheckContextFree, every built-in checkpoint, and
// CheckContextual once the view holds the ancestors the rules need.
type headerChecker struct {
	p      *params.Params
	now    func() time.Time
	view   infoWindow
	height int32          // of the last header checked
	tip    chainhash.Hash // its hash
}

// newHeaderChecker starts at checkpoint cp; at genesis the view starts with
// the genesis header, so every header gets the contextual checks.
func newHeaderChecker(p *params.Params, cp params.Checkpoint, now func() time.Time) *headerChecker {
	c := &headerChecker{p: p, now: now, height: cp.Height, tip: cp.Hash}
	if cp.Height == 0 {
		c.view.push(0, p.GenesisHeader(), p.GenesisHash)
	}
	return c
}

// add checks hdr as the next header and returns its hash. Errors are
// errNotLinked or a *header.RuleError; on error nothing changes.
func (c *headerChecker) add(hdr *wire.BlockHeader) (chainhash.Hash, error) {
	hash := hdr.BlockHash()
	height := c.height + 1
	if hdr.PrevBlock != c.tip {
		return hash, fmt.Errorf("%w: header %s at %d names parent %s, not %s", errNotLinked, hash, height, hdr.PrevBlock, c.tip)
	}
	if err := header.CheckContextFree(hdr, c.p); err != nil {
		return hash, fmt.Errorf("header %s at %d: %w", hash, height, err)
	}
	if cp, ok := c.p.CheckpointAt(height); ok && cp != hash {
		return hash, fmt.Errorf("header %s at checkpoint height %d, checkpoint is %s: %w", hash, height, cp, header.ErrCheckpointMismatch)
	}
	if len(c.view.infos) >= spv.AnchorHeadersNeeded(c.p, height-1) {
		if err := header.CheckContextual(hdr, height, &c.view, c.now(), c.p); err != nil {
			return hash, fmt.Errorf("header %s at %d: %w", hash, height, err)
		}
	}
	c.view.push(height, hdr, hash)
	c.height, c.tip = height, hash
	return hash, nil
}

// fetchHeaders asks peer for the headers from the checkpoint to the anchor
// and verifies them; it returns those at keepFrom..H.
func (b *bootstrap) fetchHeaders(ctx context.Context, peer *p2p.Peer) ([]*wire.BlockHeader, error) {
	h := b.snap.Height
	chk := newHeaderChecker(b.p, b.cp, b.cfg.Now)
	kept := make([]*wire.BlockHeader, 0, h-b.keepFrom+1)
	if b.keepFrom == 0 {
		kept = append(kept, b.p.GenesisHeader()) // keepFrom is 0 only below the backfill window, so cp is genesis
	}
	version := b.p.EpochProtocolVersion(h)
	bad := func(err error) error { return b.peerErr(peer, ErrPeerMisbehaving, err) }
	timer := time.NewTimer(b.cfg.RequestTimeout)
	defer timer.Stop()
	for chk.height < h {
		if err := b.send(peer, &wire.MsgGetHeaders{Version: version, Locator: []chainhash.Hash{chk.tip}, HashStop: b.snap.BlockHash}); err != nil {
			return nil, err
		}
		timer.Reset(b.cfg.RequestTimeout)
		var hs []*wire.BlockHeader
		for hs == nil {
			m, err := b.recv(ctx, peer, timer)
			if err != nil {
				return nil, err
			}
			mh, ok := m.(*wire.MsgHeaders)
			if !ok {
				continue // a block or notfound we did not ask for
			}
			switch {
			case len(mh.Headers) == 0:
				return nil, b.peerErr(peer, ErrChainTooShort, fmt.Errorf("no headers after height %d", chk.height))
			case mh.Headers[0].PrevBlock == chk.tip:
				hs = mh.Headers
			case len(mh.Headers) <= maxAnnouncement:
				// An announcement of a new tip, not our answer; keep waiting.
			case chk.height == b.cp.Height:
				return nil, bad(fmt.Errorf("%w: headers from %s do not link to checkpoint %d %s", errNotLinked, mh.Headers[0].PrevBlock, b.cp.Height, b.cp.Hash))
			default:
				return nil, bad(fmt.Errorf("%w: headers from %s do not link to our tip %d %s", errNotLinked, mh.Headers[0].PrevBlock, chk.height, chk.tip))
			}
		}
		for _, hdr := range hs {
			hash, err := chk.add(hdr)
			switch code := header.CodeOf(err); {
			case err == nil:
			case code == header.ErrTimeTooNew || code == header.ErrMissingAncestor:
				// Our clock or our window, not a rule the peer broke.
				return nil, b.peerErr(peer, ErrPeerUnresponsive, err)
			default:
				return nil, bad(err)
			}
			if chk.height >= b.keepFrom {
				kept = append(kept, hdr)
			}
			if chk.height == h {
				if hash != b.snap.BlockHash {
					return nil, b.peerErr(peer, ErrAnchorMismatch, fmt.Errorf("header at %d is %s, the snapshot names %s", h, hash, b.snap.BlockHash))
				}
				b.log.Debug("anchor headers verified", "peer", peer.Addr(), "from", b.cp.Height, "to", h)
				return kept, nil
			}
		}
		if len(hs) < wire.MaxHeadersPerMessage {
			return nil, b.peerErr(peer, ErrChainTooShort, fmt.Errorf("headers end at height %d", chk.height))
		}
	}
	// Not reached: AnchorCheckpoint keeps the checkpoint below h.
	return nil, fmt.Errorf("flux: bootstrap: checkpoint %d is not below the anchor %d", b.cp.Height, h)
}

// fetchBlocks downloads the blocks from b.next to H from peer, checks each
// against its verified header and replays them in order with Set.Backfill.
func (b *bootstrap) fetchBlocks(ctx context.Context, peer *p2p.Peer) error {
	h := b.snap.Height
	inFlight := make(map[chainhash.Hash]bool)
	received := make(map[int32]*wire.MsgBlock)
	ask := b.next // next height to request
	timer := time.NewTimer(b.cfg.RequestTimeout)
	defer timer.Stop()
	for b.next <= h {
		var invs []wire.InvVect
		for ask <= h && int(ask-b.next) < b.cfg.MaxBlocksInFlight {
			hash := b.headers[ask-b.keepFrom].BlockHash()
			invs = append(invs, wire.InvVect{Type: wire.InvTypeBlock, Hash: hash})
			inFlight[hash] = true
			ask++
		}
		if len(invs) > 0 {
			if err := b.send(peer, &wire.MsgGetData{InvList: invs}); err != nil {
				return err
			}
		}
		m, err := b.recv(ctx, peer, timer)
		if err != nil {
			return err
		}
		switch m := m.(type) {
		case *wire.MsgNotFound:
			for _, iv := range m.InvList {
				if inFlight[iv.Hash] {
					return b.peerErr(peer, ErrPeerUnresponsive, fmt.Errorf("block %s not found", iv.Hash))
				}
			}
		case *wire.MsgBlock:
			hash := m.BlockHash()
			if !inFlight[hash] {
				continue // not requested: an announcement, ignored
			}
			delete(inFlight, hash)
			height := b.hashes[hash]
			if err := verifyBlockBody(m, b.headers[height-b.keepFrom]); err != nil {
				return b.peerErr(peer, ErrPeerMisbehaving, fmt.Errorf("block %s at %d: %w", hash, height, err))
			}
			received[height] = m
			timer.Reset(b.cfg.RequestTimeout)
		}
		for blk, ok := received[b.next]; ok; blk, ok = received[b.next] {
			skipped, err := b.set.Backfill(b.next, blk.Txs)
			if err != nil {
				return fmt.Errorf("flux: bootstrap: replay block %d: %w", b.next, err) // our bookkeeping, not the peer
			}
			b.skipped += len(skipped)
			delete(received, b.next)
			b.next++
		}
	}
	return nil
}

// verifyBlockBody checks a block's transactions against its verified header.
func verifyBlockBody(m *wire.MsgBlock, hdr *wire.BlockHeader) error {
	txids := make([]chainhash.Hash, len(m.Txs))
	for i, t := range m.Txs {
		txids[i] = t.TxID()
	}
	return tx.VerifyMerkleRoot(txids, hdr.MerkleRoot)
}
