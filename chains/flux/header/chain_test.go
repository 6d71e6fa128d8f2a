package header

import (
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// ponContext builds a chain view for h at height whose previous 30 blocks
// make the PoN retarget give exactly h.Bits: all ancestors carry one nBits
// value, chosen by search next to h.Bits, over a window of exactly 870 s
// ending 2 s before h. The parent's hash is h's hashPrevBlock.
func ponContext(t testing.TB, h *wire.BlockHeader, height int32) mapChain {
	t.Helper()
	build := func(bits uint32) mapChain {
		c := mapChain{}
		parentTime := h.Time - 2 // same PoN slot as h (for 2,996,914)
		for i := int32(0); i < 40; i++ {
			hh := height - 1 - i
			c[hh] = Info{Height: hh, Time: parentTime - uint32(i)*30, Bits: bits, Version: 100}
		}
		b := c[height-1]
		b.Hash = h.PrevBlock
		c[height-1] = b
		return c
	}
	for d := uint32(0); d < 8; d++ {
		for _, bits := range []uint32{h.Bits + d, h.Bits - d} {
			c := build(bits)
			if got, err := NextPoNWorkRequired(c, height-1, params.MainNet); err == nil && got == h.Bits {
				return c
			}
		}
	}
	t.Fatalf("no PoN context found for bits %#08x", h.Bits)
	return nil
}

// powContext does the same for an LWMA3-era PoW header: 80 ancestors with
// one nBits value, 120 s apart, the parent 60 s before h.
func powContext(t testing.TB, h *wire.BlockHeader, height int32) mapChain {
	t.Helper()
	build := func(bits uint32) mapChain {
		c := mapChain{}
		for i := int32(0); i < 80; i++ {
			hh := height - 1 - i
			c[hh] = Info{Height: hh, Time: h.Time - 60 - uint32(i)*120, Bits: bits, Version: 4}
		}
		b := c[height-1]
		b.Hash = h.PrevBlock
		c[height-1] = b
		return c
	}
	for d := uint32(0); d < 8; d++ {
		for _, bits := range []uint32{h.Bits + d, h.Bits - d} {
			c := build(bits)
			if got, err := NextWorkRequired(c, height-1, h.Time, params.MainNet); err == nil && got == h.Bits {
				return c
			}
		}
	}
	t.Fatalf("no PoW context found for bits %#08x", h.Bits)
	return nil
}

// TestCheckContextualAcceptsRealHeaders: the real PoN block 2,996,914, the
// first PoN block and the last PoW block pass every rule in a consistent
// context, and the genesis block passes at height 0.
func TestCheckContextualAcceptsRealHeaders(t *testing.T) {
	pon, v, pub := loadPoN2996914(t)
	now := time.Unix(int64(pon.Time)+1, 0)
	if err := CheckContextual(pon, v.Height, ponContext(t, pon, v.Height), now, params.MainNet); err != nil {
		t.Errorf("2,996,914: %v", err)
	}
	if err := VerifyProducerSignature(pon, pub); err != nil {
		t.Errorf("2,996,914 signature: %v", err)
	}

	pow, pv := loadSharedHeader(t, "last-pow")
	if err := CheckContextual(pow, pv.Height, powContext(t, pow, pv.Height), time.Unix(int64(pow.Time), 0), params.MainNet); err != nil {
		t.Errorf("2,019,999: %v", err)
	}

	first, fv := loadSharedHeader(t, "first-pon")
	chain := mapChain{pv.Height: {Height: pv.Height, Time: pow.Time, Bits: pow.Bits, Hash: pow.BlockHash(), Version: 4}}
	if err := CheckContextual(first, fv.Height, chain, time.Unix(int64(first.Time), 0), params.MainNet); err != nil {
		t.Errorf("2,020,000: %v", err)
	}

	gen := params.MainNet.GenesisHeader()
	if err := CheckContextual(gen, 0, mapChain{}, time.Unix(int64(gen.Time), 0), params.MainNet); err != nil {
		t.Errorf("genesis: %v", err)
	}
	wantCode(t, "non-genesis at height 0", CheckContextual(pon, 0, mapChain{}, now, params.MainNet), ErrBadPrevBlk)
}

// TestCheckContextualRules: each contextual rule rejects with its own code.
func TestCheckContextualRules(t *testing.T) {
	pon, v, _ := loadPoN2996914(t)
	ctx := ponContext(t, pon, v.Height)
	now := time.Unix(int64(pon.Time)+1, 0)
	pow, pv := loadSharedHeader(t, "last-pow")
	powCtx := powContext(t, pow, pv.Height)
	powNow := time.Unix(int64(pow.Time), 0)

	mod := func(h *wire.BlockHeader, f func(*wire.BlockHeader)) *wire.BlockHeader {
		c := *h
		f(&c)
		return &c
	}
	otherNet := func(f func(*params.Params)) *params.Params {
		p := *params.MainNet
		f(&p)
		return &p
	}
	tests := []struct {
		name   string
		h      *wire.BlockHeader
		height int32
		chain  Chain
		now    time.Time
		p      *params.Params
		want   ErrorCode
	}{
		{"unknown parent", pon, v.Height, mapChain{}, now, params.MainNet, ErrBadPrevBlk},
		{"parent hash differs", mod(pon, func(h *wire.BlockHeader) { h.PrevBlock[0] ^= 1 }), v.Height, ctx, now, params.MainNet, ErrBadPrevBlk},
		{"PoW header where PoN is active", mod(pow, func(h *wire.BlockHeader) { h.PrevBlock = pon.PrevBlock }), v.Height, ctx, now, params.MainNet, ErrNotPoNBlock},
		{"PoN header before activation", mod(pon, func(h *wire.BlockHeader) { h.PrevBlock = pow.PrevBlock }), pv.Height, powCtx, powNow, params.MainNet, ErrPrematurePoNBlock},
		{"PoW version 3", mod(pow, func(h *wire.BlockHeader) { h.Version = 3 }), pv.Height, powCtx, powNow, params.MainNet, ErrBadVersion},
		{"PoN bits differ from the retarget", mod(pon, func(h *wire.BlockHeader) { h.Bits++ }), v.Height, ctx, now, params.MainNet, ErrBadPoNDiffBits},
		{"PoN bits exempt range", mod(pon, func(h *wire.BlockHeader) { h.Bits++ }), v.Height, ctx, now,
			otherNet(func(p *params.Params) { p.PoNBitsCheckExempt = params.HeightRange{From: v.Height, To: v.Height} }), ErrBadPoNSignature},
		{"PoW bits differ from LWMA3", mod(pow, func(h *wire.BlockHeader) { h.Bits-- }), pv.Height, powCtx, powNow, params.MainNet, ErrBadDiffBits},
		{"ZelHash solution size at a (144,5) height", pow, 300000, nil, powNow, params.MainNet, ErrBadSolutionSize},
		{"PoN time not after the parent", mod(pon, func(h *wire.BlockHeader) { h.Time = ctx[v.Height-1].Time }), v.Height, ctx, now, params.MainNet, ErrTimeNotIncreasing},
		{"PoN time 301 s ahead", pon, v.Height, ctx, time.Unix(int64(pon.Time)-301, 0), params.MainNet, ErrTimeTooNew},
		{"PoW time 361 s ahead", pow, pv.Height, powCtx, time.Unix(int64(pow.Time)-361, 0), params.MainNet, ErrTimeTooNew},
		{"checkpoint mismatch", pon, v.Height, ctx, now,
			otherNet(func(p *params.Params) { p.Checkpoints = []params.Checkpoint{{Height: v.Height, Hash: pon.PrevBlock}} }), ErrCheckpointMismatch},
		{"checkpoint match", pon, v.Height, ctx, now,
			otherNet(func(p *params.Params) { p.Checkpoints = []params.Checkpoint{{Height: v.Height, Hash: pon.BlockHash()}} }), ""},
	}
	for _, tc := range tests {
		chain := tc.chain
		if chain == nil {
			chain = mapChain{tc.height - 1: {Height: tc.height - 1, Hash: tc.h.PrevBlock}}
		}
		err := CheckContextual(tc.h, tc.height, chain, tc.now, tc.p)
		if tc.want == ErrBadPoNSignature {
			// The exempt bits pass every header rule; only the (separate) signature check fails.
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		wantCode(t, tc.name, err, tc.want)
	}
}

// TestCheckTimeRules: median time past for PoW, strictly increasing for PoN,
// and the future limit by era.
func TestCheckTimeRules(t *testing.T) {
	p := params.MainNet
	c := mapChain{}
	// Eleven blocks with times 1000, 1010, …, 1100 out of order: the median is 1050.
	for i := int32(0); i < 11; i++ {
		c[100+i] = Info{Height: 100 + i, Time: uint32(1000 + ((i*7)%11)*10)}
	}
	if mtp, err := MedianTimePast(c, 110); err != nil || mtp != 1050 {
		t.Fatalf("MedianTimePast = %d, %v; want 1050", mtp, err)
	}
	// Near genesis fewer than 11 blocks are used: times 5, 1, 3 → median 3.
	g := mapChain{0: {Height: 0, Time: 5}, 1: {Height: 1, Time: 1}, 2: {Height: 2, Time: 3}}
	if mtp, _ := MedianTimePast(g, 2); mtp != 3 {
		t.Errorf("MedianTimePast near genesis = %d, want 3", mtp)
	}
	powAt := func(ts uint32) *wire.BlockHeader { return &wire.BlockHeader{Version: 4, Time: ts} }
	ponAt := func(ts uint32) *wire.BlockHeader { return &wire.BlockHeader{Version: 100, Time: ts} }
	now := time.Unix(10000, 0)
	tests := []struct {
		name   string
		h      *wire.BlockHeader
		height int32
		now    time.Time
		want   ErrorCode
	}{
		{"PoW at the median", powAt(1050), 111, now, ErrTimeTooOld},
		{"PoW just after the median", powAt(1051), 111, now, ""},
		{"PoN equal to the parent", ponAt(c[110].Time), 111, now, ErrTimeNotIncreasing},
		{"PoN one second after the parent", ponAt(c[110].Time + 1), 111, now, ""},
		{"pre-LWMA: 7200 s ahead is allowed", powAt(10000 + 7200), 111, now, ""},
		{"pre-LWMA: 7201 s ahead", powAt(10000 + 7201), 111, now, ErrTimeTooNew},
	}
	for _, tc := range tests {
		wantCode(t, tc.name, CheckTime(tc.h, tc.height, c, tc.now, p), tc.want)
	}
	late := mapChain{}
	for i := int32(0); i < 11; i++ {
		late[300000-11+i] = Info{Height: 300000 - 11 + i, Time: 1000}
	}
	wantCode(t, "LWMA era PoW: 360 s ahead allowed", CheckTime(powAt(10360), 300000, late, now, p), "")
	wantCode(t, "LWMA era PoW: 361 s ahead", CheckTime(powAt(10361), 300000, late, now, p), ErrTimeTooNew)
	wantCode(t, "PoN: 300 s ahead allowed", CheckTime(ponAt(10300), 300000, late, now, p), "")
	wantCode(t, "PoN: 301 s ahead", CheckTime(ponAt(10301), 300000, late, now, p), ErrTimeTooNew)
	wantCode(t, "regtest (LWMA never active) keeps 7200 s", CheckTime(powAt(10000+7200), 300000, late, now, params.RegTest), "")
	wantCode(t, "missing parent", CheckTime(ponAt(5000), 5, mapChain{}, now, p), ErrMissingAncestor)
}
