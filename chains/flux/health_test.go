package flux

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/spv"
	"github.com/fluxbridge/fluxbridge/fault"
)

// TestJudgeHealth names each rule of judgeHealth with the case that exercises it.
func TestJudgeHealth(t *testing.T) {
	const lag = 2
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tip := blockRef{Height: 1000, Hash: chainhash.DoubleSHA256([]byte("our tip"))}
	other := chainhash.DoubleSHA256([]byte("another block at our height"))
	at := func(h int32, hash chainhash.Hash, l peerLink) peerView {
		return peerView{Addr: "peer", Best: blockRef{Height: h, Hash: hash}, Link: l}
	}
	onTip := at(tip.Height, tip.Hash, linkTip)
	next := at(tip.Height+1, chainhash.DoubleSHA256([]byte("child")), linkTip)
	lagging := at(tip.Height-lag, chainhash.DoubleSHA256([]byte("parent")), linkBelow)
	sibling := at(tip.Height, other, linkFork)
	silent := peerView{Addr: "peer"}
	claiming := func(claim int32, until time.Time) peerView {
		v := onTip
		v.Addr, v.Claim, v.ClaimUntil = "liar", claim, until
		return v
	}
	views := func(vs ...peerView) []peerView { return vs }
	repeat := func(v peerView, n int) []peerView {
		out := make([]peerView, n)
		for i := range out {
			out[i] = v
		}
		return out
	}

	cases := []struct {
		name    string
		peers   []peerView
		need    int
		at      time.Time
		healthy bool
		reason  string // a fragment of the reason when unhealthy
	}{
		{"fewer peers than needed", views(onTip, onTip), 3, now, false, "2 peers connected, 3 needed"},
		{"majority agreement is healthy (3 of 5)", views(onTip, next, lagging, sibling, silent), 3, now, true, ""},
		{"minority agreement is unhealthy (2 of 5)", views(onTip, next, sibling, sibling, silent), 3, now, false, "peers disagree on the tip: 2 of 5"},
		{"half is not a majority (2 of 4, need 2)", views(onTip, onTip, sibling, sibling), 2, now, false, "peers disagree"},
		{"agreeing peers fewer than need (2 of 3 agree, need 3)", views(onTip, onTip, silent), 3, now, false, "2 of 3"},
		{"same height, other hash", repeat(sibling, 3), 3, now, false, "3 on another branch"},
		{"ahead of all peers (on our chain)", repeat(at(tip.Height-40, chainhash.DoubleSHA256([]byte("old")), linkBelow), 3), 3, now,
			false, "ahead of the peers: tip 1000"},
		{"ahead of all peers (on another branch)", repeat(at(tip.Height-35, other, linkFork), 3), 3, now, false, "ahead of the peers"},
		{"a peer more than the lag below is not agreeing", views(onTip, onTip, at(tip.Height-lag-1, other, linkBelow)), 3, now, false, "1 more than 2 blocks behind"},
		{"behind a peer's verified headers", views(onTip, onTip, onTip, at(tip.Height+lag+1, other, linkAbove)), 3, now, false, "has shown headers to 1003"},
		{"a peer's verified headers within the lag", views(onTip, onTip, at(tip.Height+lag, other, linkTip)), 3, now, true, ""},
		{"a header the chain dropped does not hold health back", views(onTip, onTip, onTip, at(tip.Height+50, other, linkGone)), 3, now, true, ""},
		{"absurd claimed height counts within its window", views(onTip, onTip, onTip, claiming(1<<31-1, now.Add(time.Second))), 3, now,
			false, "claims height 2147483647 (unverified"},
		{"absurd claimed height is ignored after its window", views(onTip, onTip, onTip, claiming(1<<31-1, now)), 3, now, true, ""},
		{"a claim within the lag does not hold health back", views(onTip, onTip, claiming(tip.Height+lag, now.Add(time.Hour))), 3, now, true, ""},
		{"no peer has shown a header", repeat(silent, 3), 3, now, false, "no peer has shown a header yet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, reason := judgeHealth(tip, c.peers, c.need, lag, c.at)
			if ok != c.healthy {
				t.Fatalf("healthy = %v (%q), want %v", ok, reason, c.healthy)
			}
			if ok && reason != "" {
				t.Fatalf("healthy with a reason %q", reason)
			}
			if !ok && !strings.Contains(reason, c.reason) {
				t.Fatalf("reason %q does not contain %q", reason, c.reason)
			}
		})
	}
}

// The FLUX library's errors are mapped to kinds once, at the node's boundary.
func TestKindOfLibraryErrors(t *testing.T) {
	cases := []struct {
		err  error
		want fault.Kind
	}{
		{fmt.Errorf("%w: height %q", spv.ErrBadCursor, "x"), fault.Invalid},
		{spv.ErrClosed, fault.Transient},
		{errors.New("disk I/O error"), fault.Internal},
	}
	for _, c := range cases {
		if got := kindOf(c.err); got != c.want {
			t.Errorf("kindOf(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
