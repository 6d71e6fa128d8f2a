package header

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/equihash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// TestBlockWorkMatchesGetBlockProof: 2^40 for any PoN block, floor(2^256 /
// (target+1)) for PoW, 0 for invalid bits.
func TestBlockWorkMatchesGetBlockProof(t *testing.T) {
	tests := []struct {
		name    string
		version int32
		bits    uint32
		want    string // decimal
	}{
		{"PoN whatever its bits", 100, 0x1f53f10d, "1099511627776"},
		{"PoN with invalid bits", 100, 0, "1099511627776"},
		{"Bitcoin genesis difficulty 1", 4, 0x1d00ffff, "4295032833"},
		{"target 2^255-ish", 4, 0x207fffff, "2"},
		{"zero target", 4, 0x1f000000, "0"},
		{"negative", 4, 0x1f800001, "0"},
		{"overflow", 4, 0x23000001, "0"},
	}
	for _, tc := range tests {
		if got := BlockWork(tc.version, tc.bits); got.String() != tc.want {
			t.Errorf("%s: BlockWork = %s, want %s", tc.name, got, tc.want)
		}
	}
	// Chainwork 2,020,000 − 2,019,999 is 2^40 on mainnet (flux-chain.md §4.6).
	a, _ := new(big.Int).SetString("167efdead3c2f", 16)
	b, _ := new(big.Int).SetString("168efdead3c2f", 16)
	if d := new(big.Int).Sub(b, a); d.Cmp(BlockWork(100, 0x1f0bffff)) != 0 {
		t.Errorf("chainwork step %s, want BlockWork of a PoN block", d)
	}
	w := BlockWork(100, 0)
	w.SetInt64(1)
	if BlockWork(100, 0).Cmp(ponWork) != 0 {
		t.Error("BlockWork must return a fresh value")
	}
}

// TestBetterMirrorsWorkComparator covers CBlockIndexWorkComparator, including
// a PoN-hash pair whose memcmp order is the opposite of its numeric order.
func TestBetterMirrorsWorkComparator(t *testing.T) {
	lowMem := chainhash.Hash{0: 0x00, 31: 0xff} // memcmp-lower, numerically huge (byte 31 is most significant)
	highMem := chainhash.Hash{0: 0x01}          // memcmp-higher, numerically 1
	if hashToBig(lowMem).Cmp(hashToBig(highMem)) <= 0 {
		t.Fatal("test setup: lowMem must be numerically larger")
	}
	w := func(n int64) *big.Int { return big.NewInt(n) }
	tests := []struct {
		name string
		a, b Tip
		want bool
	}{
		{"more work wins", Tip{Height: 5, Work: w(11)}, Tip{Height: 9, Work: w(10)}, true},
		{"less work loses", Tip{Height: 9, Work: w(10)}, Tip{Height: 5, Work: w(11)}, false},
		{"PoN tie: memcmp-lower hash wins", Tip{Height: 7, Work: w(10), PoN: true, PoNHash: lowMem}, Tip{Height: 7, Work: w(10), PoN: true, PoNHash: highMem}, true},
		{"PoN tie: memcmp-higher hash loses", Tip{Height: 7, Work: w(10), PoN: true, PoNHash: highMem}, Tip{Height: 7, Work: w(10), PoN: true, PoNHash: lowMem}, false},
		{"PoN tie: equal hashes keep the first seen", Tip{Height: 7, Work: w(10), PoN: true, PoNHash: lowMem}, Tip{Height: 7, Work: w(10), PoN: true, PoNHash: lowMem}, false},
		{"equal work, different heights keep the first seen", Tip{Height: 8, Work: w(10), PoN: true, PoNHash: lowMem}, Tip{Height: 7, Work: w(10), PoN: true, PoNHash: highMem}, false},
		{"equal work, one PoW keeps the first seen", Tip{Height: 7, Work: w(10), PoN: true, PoNHash: lowMem}, Tip{Height: 7, Work: w(10), PoNHash: highMem}, false},
		{"nil work is zero", Tip{Work: nil}, Tip{Work: w(0)}, false},
		{"some work beats nil", Tip{Work: w(1)}, Tip{}, true},
	}
	for _, tc := range tests {
		if got := Better(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: Better = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestReorgAndCheckpointForkLimits: the max-reorg rule (40, 5,000 in the
// early PoN window) and the last-checkpoint fork rule.
func TestReorgAndCheckpointForkLimits(t *testing.T) {
	p := params.MainNet
	wantCode(t, "39 deep", CheckReorgDepth(2999961, 3000000, p), "")
	wantCode(t, "40 deep", CheckReorgDepth(2999960, 3000000, p), ErrReorgTooDeep)
	wantCode(t, "4,999 deep in the PoN window", CheckReorgDepth(2020001, 2025000, p), "")
	wantCode(t, "5,000 deep in the PoN window", CheckReorgDepth(2020000, 2025000, p), ErrReorgTooDeep)
	wantCode(t, "fork right below the last checkpoint", CheckCheckpointFork(2028999, p), "")
	wantCode(t, "fork two below the last checkpoint", CheckCheckpointFork(2028998, p), ErrForkBeforeCheckpoint)
	wantCode(t, "fork above the last checkpoint", CheckCheckpointFork(2996913, p), "")
	np := *p
	np.Checkpoints = nil
	wantCode(t, "no checkpoints", CheckCheckpointFork(1, &np), "")
}

// TestProofOfWorkVectors: the real PoW headers pass, bits rules and hash
// rule reject with their own codes, regtest skips.
func TestProofOfWorkVectors(t *testing.T) {
	pow, pv := loadSharedHeader(t, "last-pow")
	gen, _ := loadSharedHeader(t, "genesis")
	if err := CheckProofOfWork(pow.BlockHash(), pow.Bits, params.MainNet); err != nil {
		t.Errorf("2,019,999: %v", err)
	}
	if err := CheckEquihash(pow, pv.Height, params.MainNet); err != nil {
		t.Errorf("2,019,999 Equihash: %v", err)
	}
	if err := CheckEquihash(gen, 0, params.MainNet); err != nil {
		t.Errorf("genesis Equihash: %v", err)
	}
	if err := CheckContextFree(gen, params.MainNet); err != nil {
		t.Errorf("genesis context-free: %v", err)
	}
	hash := pow.BlockHash()
	wantCode(t, "harder target than the hash", CheckProofOfWork(hash, 0x1c2ee03b, params.MainNet), ErrHighHash)
	wantCode(t, "above powLimit", CheckProofOfWork(hash, 0x1f080000, params.MainNet), ErrBadBits)
	wantCode(t, "negative", CheckProofOfWork(hash, 0x1d8ee03b, params.MainNet), ErrBadBits)
	wantCode(t, "zero", CheckProofOfWork(hash, 0, params.MainNet), ErrBadBits)
	wantCode(t, "overflow", CheckProofOfWork(hash, 0x23000001, params.MainNet), ErrBadBits)
	wantCode(t, "regtest skips", CheckProofOfWork(hash, 0, params.RegTest), "")

	wantCode(t, "(125,4) at a (200,9) height", CheckEquihash(pow, 1000, params.MainNet), ErrBadSolutionSize)
	wantCode(t, "(125,4) in the fade window", CheckEquihash(pow, 372505, params.MainNet), "")
	wantCode(t, "(200,9) at a ZelHash height", CheckEquihash(gen, 400000, params.MainNet), ErrBadSolutionSize)
	wantCode(t, "testnet exempt heights", CheckSolutionSize(gen, 300, params.TestNet), "")

	bad := *pow
	bad.Solution = append([]byte(nil), pow.Solution...)
	bad.Solution[10] ^= 0x40
	err := CheckEquihash(&bad, pv.Height, params.MainNet)
	wantCode(t, "flipped solution bit", err, ErrInvalidSolution)
	var ee *equihash.Error
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "equihash-") {
		t.Errorf("invalid-solution must carry the equihash error: %v", err)
	}
	bad.Solution = nil
	wantCode(t, "empty solution", CheckEquihash(&bad, pv.Height, params.MainNet), ErrInvalidSolution)
	bad.Solution = make([]byte, 53)
	wantCode(t, "unknown solution size", CheckContextFree(&bad, params.MainNet), ErrInvalidSolution)
	bad = *pow
	bad.Version = 3
	wantCode(t, "version 3", CheckContextFree(&bad, params.MainNet), ErrVersionTooLow)
}

// TestRuleErrorIsAndAs: codes work with errors.Is, rule errors with errors.As.
func TestRuleErrorIsAndAs(t *testing.T) {
	err := error(ruleErr(ErrHighHash, "x"))
	if !errors.Is(err, ErrHighHash) || errors.Is(err, ErrBadBits) {
		t.Error("errors.Is by code")
	}
	if !errors.Is(err, &RuleError{Code: ErrHighHash}) {
		t.Error("errors.Is against a *RuleError with the same code")
	}
	var re *RuleError
	if !errors.As(err, &re) || re.Code != ErrHighHash || !strings.Contains(err.Error(), "high-hash: x") {
		t.Errorf("errors.As: %v", err)
	}
	if CodeOf(errors.New("plain")) != "" {
		t.Error("CodeOf a plain error must be empty")
	}
}
