package header

import (
	"errors"
	"math/big"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/sig"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// knownCodes lists every code CheckContextFree may return.
var knownCodes = map[ErrorCode]bool{
	ErrVersionTooLow: true, ErrBadPoNSigSize: true, ErrBadBits: true,
	ErrBadPoNHash: true, ErrInvalidSolution: true, ErrHighHash: true,
}

// FuzzCheckContextFree decodes arbitrary bytes as a header and checks it:
// decode errors are *codec.Error, rule errors are *RuleError with a known
// code, an accepted header re-encodes to the same bytes, and an accepted
// non-emergency header really has its (PoW or PoN) hash within its target.
func FuzzCheckContextFree(f *testing.F) {
	for _, name := range []string{"genesis", "last-pow", "first-pon"} {
		_, v := loadSharedHeader(f, name)
		f.Add(vectors.Hex(f, v.Raw))
	}
	pon, _, _ := loadPoN2996914(f)
	f.Add(pon.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := wire.DecodeBlockHeader(data)
		if err != nil {
			var ce *codec.Error
			if !errors.As(err, &ce) {
				t.Fatalf("decode error %T is not a *codec.Error: %v", err, err)
			}
			return
		}
		err = CheckContextFree(h, params.MainNet)
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) || !knownCodes[re.Code] {
				t.Fatalf("untyped or unknown error %T: %v", err, err)
			}
			return
		}
		if string(h.Bytes()) != string(data) {
			t.Fatal("accepted header does not re-encode to its bytes")
		}
		if h.Version < MinBlockVersion {
			t.Fatal("accepted a version below 4")
		}
		if IsEmergency(h, params.MainNet) {
			return
		}
		target, neg, over := CompactToBig(h.Bits)
		hash := h.BlockHash()
		if h.IsPoN() {
			hash = HeaderPoNHash(h, params.MainNet)
		}
		if neg || over || target.Sign() == 0 || hashToBig(hash).Cmp(target) > 0 {
			t.Fatalf("accepted a header whose hash %s is not within %#08x", hash, h.Bits)
		}
	})
}

// FuzzVerifyEmergencySignatures feeds arbitrary signature fields to an
// emergency header: the result is nil or a *RuleError with an emergency code,
// and an accepted field really holds signatures by at least
// EmergencyMinSignatures distinct emergency keys.
func FuzzVerifyEmergencySignatures(f *testing.F) {
	p := emergencyNet()
	h := emergencyHeader()
	f.Add(encodeSigs(signEntries(h, 0, 1)))
	f.Add(encodeSigs(signEntries(h, 2, 2)))
	f.Add(encodeSigs(signEntries(h, 3, 1, 0)))
	f.Add(append(encodeSigs(signEntries(h, 0, 1)), 1, 2, 3))
	f.Add([]byte{0x05})
	f.Fuzz(func(t *testing.T, field []byte) {
		hh := *h
		hh.BlockSig = field
		err := VerifyEmergencySignatures(&hh, p)
		if err != nil {
			switch CodeOf(err) {
			case ErrBadEmergencySig, ErrBadEmergencySigCount, ErrBadEmergencySigSize,
				ErrBadEmergencySigDuplicate, ErrBadEmergencySigUnknownKey:
			default:
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		// Independent re-check: decode the prefix strictly and count distinct signing keys.
		r := codec.NewReader(field)
		n, cerr := r.CompactSize("n", MaxEmergencySigs)
		if cerr != nil {
			t.Fatalf("accepted a field with a bad count: %v", cerr)
		}
		hash := hh.BlockHash()
		signers := map[int]bool{}
		for i := uint64(0); i < n && len(signers) < p.EmergencyMinSignatures; i++ {
			der, derr := r.VarBytes("sig", wire.MaxBlockSigSize)
			if derr != nil {
				t.Fatalf("accepted with entry %d unreadable before the minimum: %v", i, derr)
			}
			for k, key := range p.EmergencyPubKeys {
				if !signers[k] && sig.Verify(key, hash, der, false) == nil {
					signers[k] = true
					break
				}
			}
		}
		if len(signers) < p.EmergencyMinSignatures {
			t.Fatalf("accepted with %d distinct signers", len(signers))
		}
	})
}

// FuzzCompact checks the compact encoding against an independent model:
// the decoded value is mantissa·256^(size−3) modulo 2^256 (or the mantissa
// shifted right for size ≤ 3), and where SetCompact reports neither sign nor
// overflow, GetCompact of the value decodes back to the same value and is a
// fixed point.
func FuzzCompact(f *testing.F) {
	for _, b := range []uint32{0, 0x1f07ffff, 0x200fffff, 0x1f0bffff, 0x1d2ee03b, 0x04923456, 0xff123456, 0x01fedcba, 0x22000100} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, bits uint32) {
		v, neg, over := CompactToBig(bits)
		size := int(bits >> 24)
		mant := big.NewInt(int64(bits & 0x7fffff))
		want := new(big.Int)
		if size <= 3 {
			want.Rsh(mant, uint(8*(3-size)))
		} else {
			want.Mul(mant, new(big.Int).Exp(big.NewInt(256), big.NewInt(int64(size-3)), nil))
			want.Mod(want, two256)
		}
		if v.Cmp(want) != 0 {
			t.Fatalf("CompactToBig(%#08x) = %x, want %x", bits, v, want)
		}
		if over {
			return
		}
		c := BigToCompact(v)
		back, cneg, cover := CompactToBig(c)
		if back.Cmp(v) != 0 || cneg || cover {
			t.Fatalf("round trip of %#08x via %#08x gives %x (neg %v over %v), want %x", bits, c, back, cneg, cover, v)
		}
		if BigToCompact(back) != c {
			t.Fatalf("BigToCompact not a fixed point for %#08x", c)
		}
		if neg && v.Sign() == 0 {
			t.Fatalf("%#08x: negative reported for a zero mantissa", bits)
		}
	})
}
