package relayer

import (
	"strconv"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
)

func peerAt(final uint64, finalHash string, tip uint64, tipHash string) PeerTip {
	return PeerTip{Final: chains.BlockRef{Height: final, Hash: finalHash}, Tip: chains.BlockRef{Height: tip, Hash: tipHash}}
}

// The comparison itself, rule by rule.
func TestJudgeLockBlock(t *testing.T) {
	lock := chains.BlockRef{Height: 900, Hash: "ours-900"}
	ours := func(h uint64) (string, bool) {
		return "ours-" + strconv.FormatUint(h, 10), h <= 1000
	}
	for _, tc := range []struct {
		name  string
		peers []PeerTip
		sign  bool
	}{
		{"no peers heard: nothing to compare", nil, true},
		{"all hold our final block", []PeerTip{peerAt(961, "ours-961", 1000, "ours-1000"), peerAt(961, "ours-961", 1000, "ours-1000")}, true},
		{"a race between tip blocks is not disagreement", []PeerTip{peerAt(961, "ours-961", 1000, "theirs-1000"), peerAt(961, "ours-961", 1000, "x")}, true},
		{"final below the lock: the tip decides", []PeerTip{peerAt(850, "x", 901, "ours-901"), peerAt(850, "x", 905, "ours-905")}, true},
		{"all on another chain above the lock", []PeerTip{peerAt(961, "theirs-961", 1000, "t"), peerAt(961, "theirs-961", 1000, "t")}, false},
		{"the same height, another hash", []PeerTip{peerAt(0, "", 1000, "theirs-1000"), peerAt(0, "", 1000, "theirs-1000")}, false},
		{"one of two disagrees: not a majority", []PeerTip{peerAt(961, "theirs-961", 1000, "t"), peerAt(961, "ours-961", 1000, "t")}, true},
		{"two of three disagree", []PeerTip{peerAt(961, "theirs-961", 1000, "t"), peerAt(961, "ours-961", 1000, "t"), peerAt(961, "theirs-961", 1000, "t")}, false},
		{"behind the lock or beyond our tip: unknown, no majority against", []PeerTip{peerAt(800, "x", 850, "y"), peerAt(1040, "z", 1079, "w"), peerAt(961, "theirs-961", 1000, "t")}, true},
		{"the only peer heard disagrees", []PeerTip{peerAt(961, "theirs-961", 1000, "t")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			why := judgeLockBlock(lock, ours, tc.peers).refuses(lock)
			if (why == "") != tc.sign {
				t.Fatalf("refusal %q, want signing %v", why, tc.sign)
			}
		})
	}
}
