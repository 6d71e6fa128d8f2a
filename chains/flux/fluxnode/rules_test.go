package fluxnode

import (
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
)

// Mainnet activation heights (flux-chain.md §2, fluxd src/chainparams.cpp).
const (
	mainFlux    int32 = 835_554
	mainHalving int32 = 1_076_532
	mainPoN     int32 = 2_020_000
)

func TestEraConstantsByHeight(t *testing.T) {
	tests := []struct {
		name                   string
		p                      *params.Params
		h                      int32
		startExp, dos          int32
		dosOrOlder             bool
		confirmExp, updateMin  int32
		ipChangeAfter5BlocksOK bool
	}{
		{"mainnet before Flux: V1 everywhere", params.MainNet, mainFlux - 1, 60, 180, false, 60, 40, false},
		{"mainnet at Flux: confirm expiry V2, ip change allowed", params.MainNet, mainFlux, 60, 180, false, 80, 40, true},
		{"mainnet at Halving: confirm expiry V3, update interval V2", params.MainNet, mainHalving, 60, 180, false, 160, 120, true},
		{"mainnet block before PoN", params.MainNet, mainPoN - 1, 60, 180, false, 160, 120, true},
		{"mainnet at PoN: V2 start, V2 DoS (and older), V4 expiry, V3 interval", params.MainNet, mainPoN, 240, 720, true, 640, 500, true},
		{"testnet at PoN (800)", params.TestNet, 800, 240, 720, true, 640, 500, true},
		{"regtest: IsPONActive treats no activation as active for START expiry only", params.RegTest, 5, 240, 180, false, 60, 40, false},
		{"simnet: everything from height 1", params.SimNet, 1, 240, 720, true, 640, 500, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := StartExpiration(tc.p, tc.h); got != tc.startExp {
				t.Errorf("StartExpiration = %d, want %d", got, tc.startExp)
			}
			if got, older := DoSRemoval(tc.p, tc.h); got != tc.dos || older != tc.dosOrOlder {
				t.Errorf("DoSRemoval = %d,%v, want %d,%v", got, older, tc.dos, tc.dosOrOlder)
			}
			if got := ConfirmExpiration(tc.p, tc.h); got != tc.confirmExp {
				t.Errorf("ConfirmExpiration = %d, want %d", got, tc.confirmExp)
			}
			if got := UpdateMinInterval(tc.p, tc.h); got != tc.updateMin {
				t.Errorf("UpdateMinInterval = %d, want %d", got, tc.updateMin)
			}
			e := &Entry{LastConfirmedHeight: tc.h - 5, IP: "old:1"}
			if got := UpdateAllowed(tc.p, tc.h, e, "new:1"); got != tc.ipChangeAfter5BlocksOK {
				t.Errorf("UpdateAllowed(ip change after 5 blocks) = %v, want %v", got, tc.ipChangeAfter5BlocksOK)
			}
			if UpdateAllowed(tc.p, tc.h, e, "old:1") {
				t.Error("UpdateAllowed(same ip after 5 blocks) = true")
			}
			e.LastConfirmedHeight = tc.h - tc.updateMin
			if UpdateAllowed(tc.p, tc.h, e, "old:1") {
				t.Error("UpdateAllowed at exactly the minimum interval = true")
			}
			e.LastConfirmedHeight--
			if !UpdateAllowed(tc.p, tc.h, e, "old:1") {
				t.Error("UpdateAllowed one block past the minimum interval = false")
			}
		})
	}
}

// A confirmed node whose last CONFIRM is 161 blocks before the PoN fork
// would expire at the fork under the Halving-era V3 count (160) but lives on
// under PoN's V4 count (640) until it is more than 640 blocks old.
func TestConfirmExpiryAcrossPoNActivation(t *testing.T) {
	a := mainPoN
	es := []Entry{
		{Collateral: testOP(1), PubKey: testKey(1), Status: StatusConfirmed, StartHeight: a - 300, ConfirmedHeight: a - 200, LastConfirmedHeight: a - 161},
		{Collateral: testOP(2), PubKey: testKey(2), Status: StatusConfirmed, StartHeight: a - 300, ConfirmedHeight: a - 200, LastConfirmedHeight: a - 162},
	}
	s := NewSetFromEntries(params.MainNet, es)
	chain(t, s, a-1, a-1, nil)
	mustLookup(t, s, testOP(1))
	mustMissing(t, s, testOP(2)) // V3: a-162 < (a-1)-160
	chain(t, s, a, a, nil)
	mustLookup(t, s, testOP(1)) // V4 at the fork: a-161 >= a-640
	chain(t, s, a+1, a+479, nil)
	mustLookup(t, s, testOP(1))
	chain(t, s, a+480, a+480, nil) // a-161 < a+480-640
	mustMissing(t, s, testOP(1))
}

// Before PoN a DoS entry leaves exactly 180 blocks after its START; from the
// fork on every DoS entry 720 or more blocks old leaves.
func TestDoSRemovalAcrossPoNActivation(t *testing.T) {
	a := mainPoN
	s := NewSetFromEntries(params.MainNet, []Entry{
		{Collateral: testOP(1), PubKey: testKey(1), Status: StatusDoS, StartHeight: a - 181, DoSHeight: a - 121},
		{Collateral: testOP(2), PubKey: testKey(2), Status: StatusDoS, StartHeight: a - 100, DoSHeight: a - 40},
		{Collateral: testOP(3), PubKey: testKey(3), Status: StatusDoS, StartHeight: a - 900, DoSHeight: a - 840}, // missed by the exact rule
	})
	chain(t, s, a-1, a-1, nil)
	mustMissing(t, s, testOP(1)) // exactly 180 before the fork
	mustLookup(t, s, testOP(3))
	chain(t, s, a, a, nil)
	mustMissing(t, s, testOP(3)) // swept by "720 or older" at the fork
	mustLookup(t, s, testOP(2))
	chain(t, s, a+1, a+619, nil)
	mustLookup(t, s, testOP(2))
	chain(t, s, a+620, a+620, nil)
	mustMissing(t, s, testOP(2))
}

// Before PoN a START waits 60 blocks; from the fork on 240.
func TestStartExpiryAcrossPoNActivation(t *testing.T) {
	a := mainPoN
	s := NewSetFromEntries(params.MainNet, []Entry{
		{Collateral: testOP(1), PubKey: testKey(1), Status: StatusStarted, StartHeight: a - 61},
		{Collateral: testOP(2), PubKey: testKey(2), Status: StatusStarted, StartHeight: a - 60},
	})
	chain(t, s, a-1, a-1, nil)
	if e := mustLookup(t, s, testOP(1)); e.Status != StatusDoS {
		t.Fatalf("node 1 status %s after a-1, want dos", e.Status)
	}
	chain(t, s, a, a, nil)
	if e := mustLookup(t, s, testOP(2)); e.Status != StatusStarted {
		t.Fatalf("node 2 status %s at the fork, want started (V2 count)", e.Status)
	}
	chain(t, s, a+1, a+180, nil)
	if e := mustLookup(t, s, testOP(2)); e.Status != StatusDoS || e.DoSHeight != a+180 {
		t.Fatalf("node 2 %+v, want dos at %d", e, a+180)
	}
}

func TestBackfillFrom(t *testing.T) {
	for _, tc := range []struct{ anchor, want int32 }{{100, 1}, {720, 1}, {721, 2}, {2_500_000, 2_499_281}} {
		if got := BackfillFrom(tc.anchor); got != tc.want {
			t.Errorf("BackfillFrom(%d) = %d, want %d", tc.anchor, got, tc.want)
		}
	}
}
