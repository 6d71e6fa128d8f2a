package daemon

import (
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// flux.min_lock must let through only locks every bridge can mint: at least
// its minLock and above its mintFee. The error names the field, the chain and
// the contract's value.
func TestCheckMinLock(t *testing.T) {
	l := chains.Limits{MinLock: 1_000_000_000, MintFee: 5_000_000}
	for _, tc := range []struct {
		minLock uint64
		want    []string // substrings of the error; nil: accepted
	}{
		{1_000_000_000, nil},
		{2_000_000_000, nil},
		{999_999_999, []string{"flux.min_lock = 999999999", "minLock of chain 1337's bridge (1000000000)", "at least 1000000000"}},
		{0, []string{"flux.min_lock = 0", "minLock"}},
	} {
		err := checkMinLock(tc.minLock, 1337, l)
		if tc.want == nil {
			if err != nil {
				t.Errorf("min_lock %d: %v", tc.minLock, err)
			}
			continue
		}
		if fault.KindOf(err) != fault.Invalid {
			t.Errorf("min_lock %d: %v, want an invalid-config error", tc.minLock, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("min_lock %d: %q does not say %q", tc.minLock, err, w)
			}
		}
	}
	// A fee at or above the minimum (the constructor refuses it now; older
	// deployments may have one): min_lock must still exceed the fee.
	high := chains.Limits{MinLock: 100, MintFee: 500}
	err := checkMinLock(300, 1, high)
	if err == nil || !strings.Contains(err.Error(), "mintFee of chain 1's bridge (500)") || !strings.Contains(err.Error(), "at least 501") {
		t.Errorf("min_lock 300 with fee 500: %v", err)
	}
	if err := checkMinLock(501, 1, high); err != nil {
		t.Errorf("min_lock 501 with fee 500: %v", err)
	}
}
