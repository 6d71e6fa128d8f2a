package p2p

import (
	"math/rand/v2"
	"net/netip"
	"sort"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// maxFailures is how many consecutive failures make the book forget a
// seeded or learned address (configured ones are kept forever).
const maxFailures = 8

// addrSource says where an address came from; lower is preferred.
type addrSource uint8

const (
	srcConfigured addrSource = iota // Config.Addresses
	srcSeed                         // a DNS seed
	srcLearned                      // a peer's addr message
)

// addrEntry is one dialable address and its redial state.
type addrEntry struct {
	addr     string
	src      addrSource
	failures int       // consecutive failures (dial, handshake, short-lived connection)
	nextTry  time.Time // not dialled before this
}

// addrBook is the manager's address book: the addresses to dial with their
// backoff, and the bans. It is not safe for concurrent use; the manager
// guards it with its mutex. Its size is bounded: configured addresses plus
// at most max seeded and learned ones; bans hold only addresses we connected
// to or were told to ban, and expire.
type addrBook struct {
	max        int
	allowLocal bool // accept loopback and private addresses (test networks)
	backoffMin time.Duration
	backoffMax time.Duration
	entries    map[string]*addrEntry
	nOther     int // entries that are not configured
	bans       map[string]time.Time
}

func newAddrBook(max int, allowLocal bool, backoffMin, backoffMax time.Duration) *addrBook {
	return &addrBook{
		max:        max,
		allowLocal: allowLocal,
		backoffMin: backoffMin,
		backoffMax: backoffMax,
		entries:    make(map[string]*addrEntry),
		bans:       make(map[string]time.Time),
	}
}

// add records addr from src and reports whether it is new. A configured
// address upgrades an existing entry; others are dropped when the book is full.
func (b *addrBook) add(addr string, src addrSource) bool {
	if e, ok := b.entries[addr]; ok {
		if src < e.src {
			if e.src != srcConfigured && src == srcConfigured {
				b.nOther--
			}
			e.src = src
		}
		return false
	}
	if src != srcConfigured {
		if b.nOther >= b.max {
			return false
		}
		b.nOther++
	}
	b.entries[addr] = &addrEntry{addr: addr, src: src}
	return true
}

// learn adds the routable, block-serving addresses of an addr message and
// returns how many were new.
func (b *addrBook) learn(list []wire.TimedNetAddress) int {
	n := 0
	for i := range list {
		a := list[i]
		if a.Services&wire.NodeNetwork == 0 {
			continue
		}
		ap := a.AddrPort()
		if !b.dialable(ap) {
			continue
		}
		if b.add(ap.String(), srcLearned) {
			n++
		}
	}
	return n
}

// dialable reports whether a learned or seeded address is worth dialling:
// a unicast address with a port; on public networks also not loopback and
// not private (RFC 1918, RFC 4193), so a peer cannot point us at our own
// machine or LAN.
func (b *addrBook) dialable(ap netip.AddrPort) bool {
	ip := ap.Addr()
	if ap.Port() == 0 || !ip.IsValid() || ip.IsUnspecified() || ip.IsMulticast() || ip.IsLinkLocalUnicast() {
		return false
	}
	return b.allowLocal || (ip.IsGlobalUnicast() && !ip.IsPrivate())
}

// len returns the number of addresses in the book.
func (b *addrBook) len() int { return len(b.entries) }

// banned reports whether addr is banned at now.
func (b *addrBook) banned(addr string, now time.Time) bool {
	until, ok := b.bans[addr]
	return ok && now.Before(until)
}

// ban bans addr until the given time (a longer existing ban is kept).
func (b *addrBook) ban(addr string, until time.Time) {
	if cur, ok := b.bans[addr]; !ok || until.After(cur) {
		b.bans[addr] = until
	}
}

// pruneBans forgets expired bans.
func (b *addrBook) pruneBans(now time.Time) {
	for a, until := range b.bans {
		if !now.Before(until) {
			delete(b.bans, a)
		}
	}
}

// candidates returns up to n addresses to dial at now: not banned, past
// their backoff and not in busy; configured first, then seeded, then
// learned, each by earliest nextTry.
func (b *addrBook) candidates(now time.Time, n int, busy func(string) bool) []string {
	if n <= 0 {
		return nil
	}
	var es []*addrEntry
	for _, e := range b.entries {
		if now.Before(e.nextTry) || b.banned(e.addr, now) || busy(e.addr) {
			continue
		}
		es = append(es, e)
	}
	sort.Slice(es, func(i, j int) bool {
		if es[i].src != es[j].src {
			return es[i].src < es[j].src
		}
		if !es[i].nextTry.Equal(es[j].nextTry) {
			return es[i].nextTry.Before(es[j].nextTry)
		}
		return es[i].addr < es[j].addr
	})
	out := make([]string, 0, min(n, len(es)))
	for _, e := range es[:min(n, len(es))] {
		out = append(out, e.addr)
	}
	return out
}

// failed records a failure of addr at now and schedules its next attempt
// with exponential backoff. A seeded or learned address that failed
// maxFailures times in a row is forgotten.
func (b *addrBook) failed(addr string, now time.Time) {
	e, ok := b.entries[addr]
	if !ok {
		return
	}
	e.failures++
	if e.src != srcConfigured && e.failures >= maxFailures {
		delete(b.entries, addr)
		b.nOther--
		return
	}
	e.nextTry = now.Add(b.backoff(e.failures))
}

// disconnected records the end of a connection that lasted `lasted`: a
// connection that lived at least backoffMax resets the failure count; a
// shorter one counts as a failure, so a peer that accepts and drops us
// again and again is redialled ever more slowly.
func (b *addrBook) disconnected(addr string, now time.Time, lasted time.Duration) {
	e, ok := b.entries[addr]
	if !ok {
		return
	}
	if lasted >= b.backoffMax {
		e.failures = 0
	}
	e.failures++
	e.nextTry = now.Add(b.backoff(e.failures))
}

// backoff returns the delay after the given number of consecutive
// failures: backoffMin doubled per failure, capped at backoffMax, minus up
// to a quarter of itself as jitter (so peers dropped together are not
// redialled together).
func (b *addrBook) backoff(failures int) time.Duration {
	d := b.backoffMin
	for i := 1; i < failures && d < b.backoffMax; i++ {
		d *= 2
	}
	d = min(d, b.backoffMax)
	if q := int64(d / 4); q > 0 {
		d -= time.Duration(rand.Int64N(q + 1))
	}
	return d
}
