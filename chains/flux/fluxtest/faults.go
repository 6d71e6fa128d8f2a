package fluxtest

import (
	"encoding/binary"
	"strconv"
	"sync"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// badSet is a faulty peer's bad blocks on one honest tip: one block, or two
// for FaultEquivocate.
type badSet struct {
	fault  Fault
	parent chainhash.Hash
	blocks []*block
}

// Coinbase tags of bad blocks, so that they never equal an honest block.
const badTagBase uint32 = 0xbad00000

// badFor returns the bad block this peer shows connection c next, built on
// the current honest tip, or nil if the peer has no bad-block fault.
func (p *SimPeer) badFor() *block {
	f := p.Fault()
	if !f.badBlock() {
		return nil
	}
	bs := p.badBlocks(f)
	if bs == nil || len(bs.blocks) == 0 {
		return nil
	}
	if len(bs.blocks) == 1 {
		return bs.blocks[0]
	}
	// Equivocation turns are counted per peer, so that successive requests
	// see different blocks whichever connection they come from.
	return bs.blocks[(p.turn.Add(1)-1)%uint64(len(bs.blocks))]
}

// badByHash returns the peer's bad block with hash h, if it has one.
func (p *SimPeer) badByHash(h chainhash.Hash) *block {
	p.badMu.Lock()
	defer p.badMu.Unlock()
	if p.bad == nil {
		return nil
	}
	for _, b := range p.bad.blocks {
		if b.hash == h {
			return b
		}
	}
	return nil
}

// badBlocks returns the bad blocks of fault f on the current tip, building
// them if the tip or the fault changed.
func (p *SimPeer) badBlocks(f Fault) *badSet {
	tip := p.n.chain.tip()
	p.badMu.Lock()
	defer p.badMu.Unlock()
	if p.bad != nil && p.bad.fault == f && p.bad.parent == tip.hash {
		return p.bad
	}
	bs, err := p.n.makeBad(f)
	if err != nil {
		return p.bad // keep serving the old ones (or none)
	}
	p.bad = bs
	return bs
}

// makeBad builds the bad blocks of fault f on the honest tip.
func (n *Network) makeBad(f Fault) (*badSet, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.chain
	tip := c.tip()
	bs := &badSet{fault: f, parent: tip.hash}
	tag := badTagBase | uint32(f)<<8
	tp, err := c.newTemplate(nil, tag)
	if err != nil {
		return nil, err
	}
	forger := deriveKey(labelForger, 0)
	switch f {
	case FaultForgedHeader:
		// Ground collateral outpoints: the attack costs about 16 hashes per
		// slot at ponLimit, which is why producers must be checked.
		cands := make([]candidate, 16)
		for i := range cands {
			cands[i] = candidate{key: forger, collateral: chainhash.OutPoint{
				Hash: chainhash.DoubleSHA256([]byte("fluxtest/forged-collateral/"+strconv.Itoa(i)), tip.hash[:])}}
		}
		b, err := c.seal(tp, cands, nil)
		if err != nil {
			return nil, err
		}
		bs.blocks = []*block{b}
	case FaultUnknownProducer:
		cands := make([]candidate, 8)
		for i := range cands {
			idx := 1_000_000 + i // never registered
			cands[i] = candidate{key: FluxnodeKey(idx), collateral: InitialCollateral(idx)}
		}
		b, err := c.seal(tp, cands, nil)
		if err != nil {
			return nil, err
		}
		bs.blocks = []*block{b}
	case FaultBadSignature, FaultUnsigned:
		b, err := c.seal(tp, c.producers(), nil)
		if err != nil {
			return nil, err
		}
		hdr := b.msg.Header
		if f == FaultUnsigned {
			hdr.BlockSig = nil
		} else {
			hdr.BlockSig = signDER(forger, hdr.BlockHash())
		}
		bs.blocks = []*block{newBlock(n.p, b.height, &wire.MsgBlock{Header: hdr, Txs: b.msg.Txs}, b.txids)}
	case FaultWrongMerkleRoot:
		// Sign a header committing to other transactions than those served.
		tp.hdr.MerkleRoot = chainhash.DoubleSHA256(tp.hdr.MerkleRoot[:], []byte("fluxtest/wrong-merkle-root"))
		b, err := c.seal(tp, c.producers(), nil)
		if err != nil {
			return nil, err
		}
		bs.blocks = []*block{b}
	case FaultEquivocate:
		for i := range 2 {
			tp, err := c.newTemplate(nil, tag+uint32(i))
			if err != nil {
				return nil, err
			}
			b, err := c.seal(tp, c.producers(), nil)
			if err != nil {
				return nil, err
			}
			bs.blocks = append(bs.blocks, b)
		}
	}
	return bs, nil
}

// oversizedFrame returns a frame header for frame's command that declares
// a payload of MaxMessagePayload+1 bytes, with no payload after it.
func oversizedFrame(magic [4]byte, frame []byte) []byte {
	out := make([]byte, wire.MessageHeaderSize)
	copy(out, frame[:wire.MessageHeaderSize])
	copy(out[0:4], magic[:])
	binary.LittleEndian.PutUint32(out[16:20], wire.MaxMessagePayload+1)
	return out
}

// malformedFrame damages frame by turn: 0 a payload that does not decode
// (truncated, or a junk byte for an empty payload, with a correct length
// and checksum), 1 a bad checksum, 2 bad magic.
func malformedFrame(frame []byte, turn uint64) []byte {
	out := append([]byte(nil), frame...)
	switch turn % 3 {
	case 0:
		payload := out[wire.MessageHeaderSize:]
		if len(payload) > 1 {
			payload = payload[:len(payload)/2]
		} else {
			payload = []byte{0xff, 0xff, 0xff}
		}
		var cmd [wire.CommandSize]byte
		copy(cmd[:], out[4:16])
		n := len(cmd)
		for n > 0 && cmd[n-1] == 0 {
			n--
		}
		var magic [4]byte
		copy(magic[:], out[:4])
		return wire.EncodeMessage(magic, &wire.MsgUnknown{Cmd: string(cmd[:n]), Payload: payload})
	case 1:
		out[20] ^= 0xff
	default:
		out[0] ^= 0xff
	}
	return out
}

// altChain is the separate chain FaultDifferentChain serves, made on
// demand and kept one block ahead of the honest chain.
type altChain struct {
	mu sync.Mutex // serializes extension; c.mu guards the blocks for readers
	c  *chainState
}

// altChain returns the different chain, extended to the honest height + 1.
func (n *Network) altChain() (*chainState, error) {
	n.mu.Lock()
	if n.alt == nil {
		n.alt = &altChain{c: newChainState(n.p, n.cfg.Fluxnodes, labelAltFluxnode, labelAltColl)}
		n.alt.c.tag = 0xa1700000
	}
	a := n.alt
	want := n.chain.height() + 1
	n.mu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	for a.c.height() < want {
		if _, err := a.c.mineOne(nil, nil, nil); err != nil {
			return nil, err
		}
	}
	return a.c, nil
}
