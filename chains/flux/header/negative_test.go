package header

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/sig"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// codeDecode stands for "the bytes no longer decode as a header".
const codeDecode ErrorCode = "<decode>"

// lightNodePipeline runs what a light node runs on a received PoN header:
// decode, context-free rules, contextual rules, producer signature. It
// returns the code of the first failure, or "" if the header is accepted.
func lightNodePipeline(t *testing.T, raw []byte, height int32, chain Chain, now time.Time, pub []byte) (ErrorCode, error) {
	h, err := wire.DecodeBlockHeader(raw)
	if err != nil {
		var ce *codec.Error
		if !errors.As(err, &ce) {
			t.Fatalf("decode error is not a *codec.Error: %v", err)
		}
		return codeDecode, err
	}
	if err := CheckContextFree(h, params.MainNet); err != nil {
		return CodeOf(err), err
	}
	if err := CheckContextual(h, height, chain, now, params.MainNet); err != nil {
		return CodeOf(err), err
	}
	if h.IsPoN() {
		err = VerifyProducerSignature(h, pub)
	}
	return CodeOf(err), err
}

type fieldRule struct {
	name     string
	from, to int // byte range [from, to)
	allowed  []ErrorCode
}

func allowedIn(c ErrorCode, set []ErrorCode) bool {
	for _, a := range set {
		if a == c {
			return true
		}
	}
	return false
}

// TestEveryBitFlipOfPoN2996914IsRejected flips each of the 216×8 bits of the
// real PoN header 2,996,914 and checks the light-node pipeline rejects it
// with a code allowed for the field the bit is in. A change in the first 144
// bytes changes the block hash, so the signature fails unless a more
// specific rule fires first.
func TestEveryBitFlipOfPoN2996914IsRejected(t *testing.T) {
	h, v, pub := loadPoN2996914(t)
	raw := h.Bytes()
	if len(raw) != 216 {
		t.Fatalf("header is %d bytes, want 216", len(raw))
	}
	chain := ponContext(t, h, v.Height)
	now := time.Unix(int64(h.Time)+1, 0)
	if c, err := lightNodePipeline(t, raw, v.Height, chain, now, pub); c != "" {
		t.Fatalf("unmodified header rejected: %v", err)
	}
	sigErr := []ErrorCode{ErrBadPoNSignature}
	fields := []fieldRule{
		{"version", 0, 4, []ErrorCode{codeDecode, ErrVersionTooLow, ErrBadVersion, ErrNotPoNBlock, ErrBadPoNSignature}},
		{"prev", 4, 36, []ErrorCode{ErrBadPoNHash, ErrBadPrevBlk, ErrBadPoNSignature}},
		{"merkle root", 36, 68, sigErr},
		{"final sapling root", 68, 100, sigErr},
		{"time", 100, 104, []ErrorCode{ErrTimeTooNew, ErrTimeNotIncreasing, ErrBadPoNHash, ErrBadPoNSignature}},
		{"bits", 104, 108, []ErrorCode{ErrBadBits, ErrBadPoNHash, ErrBadPoNDiffBits}},
		{"collateral", 108, 144, []ErrorCode{ErrBadPoNHash, ErrBadPoNSignature}},
		{"signature length", 144, 145, []ErrorCode{codeDecode}},
		{"signature", 145, 216, sigErr},
	}
	counts := map[ErrorCode]int{}
	for _, f := range fields {
		for i := f.from; i < f.to; i++ {
			for bit := 0; bit < 8; bit++ {
				m := append([]byte(nil), raw...)
				m[i] ^= 1 << bit
				c, err := lightNodePipeline(t, m, v.Height, chain, now, pub)
				counts[c]++
				if c == "" {
					t.Errorf("%s byte %d bit %d: accepted", f.name, i, bit)
					continue
				}
				if !allowedIn(c, f.allowed) {
					t.Errorf("%s byte %d bit %d: code %q (%v), allowed %v", f.name, i, bit, c, err, f.allowed)
				}
				if f.name == "signature" {
					var se *sig.Error
					if !errors.As(err, &se) {
						t.Errorf("signature byte %d bit %d: no *sig.Error inside %v", i, bit, err)
					}
				}
				if f.name == "bits" {
					// With the chain context, the contextual rules alone name the retarget.
					fh, _ := wire.DecodeBlockHeader(m)
					wantCode(t, "bits flip, contextual only", CheckContextual(fh, v.Height, chain, now, params.MainNet), ErrBadPoNDiffBits)
				}
			}
		}
	}
	t.Logf("rejections by code: %v", counts)
}

// TestEveryBitFlipOfPoW2019999IsRejected flips each bit of the real last
// PoW header: nonce and solution bits fail the Equihash (invalid-solution
// carrying the equihash code); bits flips fail the retarget
// (bad-diffbits) when checked in context, and the PoW range or target rule
// where that alone catches them. Every flip is rejected.
func TestEveryBitFlipOfPoW2019999IsRejected(t *testing.T) {
	h, v := loadSharedHeader(t, "last-pow")
	raw := h.Bytes()
	chain := powContext(t, h, v.Height)
	now := time.Unix(int64(h.Time), 0)
	if c, err := lightNodePipeline(t, raw, v.Height, chain, now, nil); c != "" {
		t.Fatalf("unmodified header rejected: %v", err)
	}
	for i := range raw {
		for bit := 0; bit < 8; bit++ {
			m := append([]byte(nil), raw...)
			m[i] ^= 1 << bit
			c, err := lightNodePipeline(t, m, v.Height, chain, now, nil)
			if c == "" {
				t.Errorf("byte %d bit %d: accepted", i, bit)
				continue
			}
			switch {
			case i >= 104 && i < 108: // nBits
				fh, _ := wire.DecodeBlockHeader(m)
				wantCode(t, "bits flip, contextual", CheckContextual(fh, v.Height, chain, now, params.MainNet), ErrBadDiffBits)
				if pe := CheckProofOfWork(fh.BlockHash(), fh.Bits, params.MainNet); pe != nil {
					if pc := CodeOf(pe); pc != ErrBadBits && pc != ErrHighHash {
						t.Errorf("bits byte %d bit %d: CheckProofOfWork code %q", i, bit, pc)
					}
				}
				if c != ErrInvalidSolution {
					t.Errorf("bits byte %d bit %d: pipeline code %q, want invalid-solution (bits are in the Equihash input)", i, bit, c)
				}
			case i == 140: // solution length
				if c != codeDecode {
					t.Errorf("solution length bit %d: code %q (%v)", bit, c, err)
				}
			case i >= 4 && i < 140 || i > 140: // header fields, nonce and solution are all Equihash input
				if c != ErrInvalidSolution || !strings.Contains(err.Error(), "equihash-") {
					t.Errorf("byte %d bit %d: %v, want invalid-solution with its equihash code", i, bit, err)
				}
			default: // version
				if c != ErrInvalidSolution && c != codeDecode && c != ErrVersionTooLow {
					t.Errorf("version byte %d bit %d: code %q (%v)", i, bit, c, err)
				}
			}
		}
	}
}
