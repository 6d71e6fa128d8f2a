package p2p

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

func TestBackoffDoublesFromMinToMaxWithQuarterJitter(t *testing.T) {
	b := newAddrBook(10, false, time.Second, 5*time.Minute)
	tests := []struct {
		failures int
		base     time.Duration
	}{
		{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {9, 256 * time.Second},
		{10, 5 * time.Minute}, {50, 5 * time.Minute},
	}
	for _, tt := range tests {
		lo, hi := tt.base-tt.base/4, tt.base
		seen := map[time.Duration]bool{}
		for range 200 {
			d := b.backoff(tt.failures)
			if d < lo || d > hi {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", tt.failures, d, lo, hi)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Errorf("backoff(%d) has no jitter", tt.failures)
		}
	}
}

func TestLearnKeepsOnlyDialableBlockServingAddresses(t *testing.T) {
	b := newAddrBook(100, false, time.Second, time.Minute)
	na := func(services uint64, s string) wire.TimedNetAddress {
		return wire.TimedNetAddress{NetAddress: wire.NewNetAddress(services, netip.MustParseAddrPort(s))}
	}
	n := b.learn([]wire.TimedNetAddress{
		na(wire.NodeNetwork, "1.2.3.4:16125"),
		na(wire.NodeNetwork|wire.NodeBloom, "[2001:db8::1]:16125"),
		na(wire.NodeNetwork, "[::ffff:5.6.7.8]:16125"), // IPv4-mapped: stored unmapped
		na(wire.NodeBloom, "9.9.9.9:16125"),            // no NODE_NETWORK
		na(wire.NodeNetwork, "0.0.0.0:16125"),          // unspecified
		na(wire.NodeNetwork, "1.2.3.5:0"),              // port 0
		na(wire.NodeNetwork, "224.0.0.1:16125"),        // multicast
		na(wire.NodeNetwork, "169.254.1.1:16125"),      // link-local
		na(wire.NodeNetwork, "1.2.3.4:16125"),          // duplicate
	})
	got := b.candidates(time.Unix(0, 0), 100, func(string) bool { return false })
	slices.Sort(got)
	want := []string{"1.2.3.4:16125", "5.6.7.8:16125", "[2001:db8::1]:16125"}
	if n != 3 || !slices.Equal(got, want) {
		t.Errorf("learned %d: %v, want %v", n, got, want)
	}
	local := newAddrBook(100, true, time.Second, time.Minute)
	if n := local.learn([]wire.TimedNetAddress{na(wire.NodeNetwork, "127.0.0.1:1"), na(wire.NodeNetwork, "10.0.0.1:1")}); n != 2 {
		t.Errorf("a local network learned %d of 2 loopback/private addresses", n)
	}
}

func TestBookBoundsSeededAndLearnedButNotConfigured(t *testing.T) {
	b := newAddrBook(2, false, time.Second, time.Minute)
	for _, a := range []string{"a:1", "b:1", "c:1"} {
		b.add(a, srcConfigured)
	}
	for _, a := range []string{"d:1", "e:1", "f:1"} {
		b.add(a, srcLearned)
	}
	if b.len() != 5 || b.nOther != 2 {
		t.Fatalf("book holds %d (%d learned), want 3 configured + 2 learned", b.len(), b.nOther)
	}
	// Configuring a learned address moves it out of the bounded part.
	b.add("d:1", srcConfigured)
	if b.nOther != 1 || !b.add("g:1", srcSeed) {
		t.Errorf("after configuring d: %d learned, adding g failed", b.nOther)
	}
}

func TestBookForgetsFailingLearnedAddressesButKeepsConfigured(t *testing.T) {
	b := newAddrBook(10, false, time.Second, time.Minute)
	b.add("conf:1", srcConfigured)
	b.add("learned:1", srcLearned)
	now := time.Unix(0, 0)
	for range maxFailures {
		b.failed("conf:1", now)
		b.failed("learned:1", now)
	}
	if _, ok := b.entries["learned:1"]; ok || b.nOther != 0 {
		t.Error("learned address kept after maxFailures failures")
	}
	if e := b.entries["conf:1"]; e == nil || e.failures != maxFailures {
		t.Error("configured address forgotten")
	}
}

func TestLongConnectionResetsBackoff(t *testing.T) {
	b := newAddrBook(10, false, time.Second, time.Minute)
	b.add("x:1", srcConfigured)
	now := time.Unix(0, 0)
	for range 5 {
		b.failed("x:1", now)
	}
	b.disconnected("x:1", now, time.Minute)
	if e := b.entries["x:1"]; e.failures != 1 || e.nextTry.After(now.Add(time.Second)) {
		t.Errorf("after a long connection: failures %d, next try in %v; want 1 and ≤ 1 s", e.failures, e.nextTry.Sub(now))
	}
	b.disconnected("x:1", now, time.Second)
	if e := b.entries["x:1"]; e.failures != 2 {
		t.Errorf("a short connection did not count as a failure: %d", e.failures)
	}
}

func TestCandidatesSkipBannedBusyAndBackingOffAndPreferConfigured(t *testing.T) {
	b := newAddrBook(10, false, time.Second, time.Minute)
	now := time.Unix(1000, 0)
	b.add("learned:1", srcLearned)
	b.add("seed:1", srcSeed)
	b.add("conf:1", srcConfigured)
	b.add("banned:1", srcConfigured)
	b.add("busy:1", srcConfigured)
	b.add("waiting:1", srcConfigured)
	b.ban("banned:1", now.Add(time.Hour))
	b.failed("waiting:1", now)
	busy := func(a string) bool { return a == "busy:1" }
	if got, want := b.candidates(now, 10, busy), []string{"conf:1", "seed:1", "learned:1"}; !slices.Equal(got, want) {
		t.Errorf("candidates = %v, want %v", got, want)
	}
	if got := b.candidates(now, 1, busy); !slices.Equal(got, []string{"conf:1"}) {
		t.Errorf("candidates(1) = %v", got)
	}
	later := now.Add(time.Hour)
	b.pruneBans(later)
	if got := b.candidates(later, 10, busy); len(got) != 5 || len(b.bans) != 0 {
		t.Errorf("after the ban and backoff expired: %v, bans %v", got, b.bans)
	}
}

func TestNormalizeAddr(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"1.2.3.4", "1.2.3.4:16125", true},
		{"1.2.3.4:1000", "1.2.3.4:1000", true},
		{"::1", "[::1]:16125", true},
		{"[::1]", "[::1]:16125", true},
		{"[::1]:99", "[::1]:99", true},
		{"[::ffff:1.2.3.4]:99", "1.2.3.4:99", true},
		{"node.example.com", "node.example.com:16125", true},
		{"node.example.com:26125", "node.example.com:26125", true},
		{"", "", false},
		{"1.2.3.4:0", "", false},
		{"host:port", "", false},
		{"host:65536", "", false},
		{"host:+1", "", false},
		{":16125", "", false},
		{"bad host:1", "", false},
		{"a/b", "", false},
	}
	for _, tt := range tests {
		got, err := normalizeAddr(tt.in, 16125)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("normalizeAddr(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzNormalizeAddr checks that an accepted address is stable: normalising
// it again gives the same string.
func FuzzNormalizeAddr(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "[::1]:99", "node.example.com:26125", "host:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := normalizeAddr(s, 16125)
		if err != nil {
			return
		}
		again, err := normalizeAddr(n, 1)
		if err != nil || again != n {
			t.Fatalf("normalizeAddr(%q) = %q, which normalises to %q, %v", s, n, again, err)
		}
	})
}
