package p2p

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// dialMap routes dialled addresses to fake nodes and counts the dials.
type dialMap struct {
	mu     sync.Mutex
	routes map[string]string
	dials  map[string]int
}

func newDialMap() *dialMap {
	return &dialMap{routes: make(map[string]string), dials: make(map[string]int)}
}

func (d *dialMap) route(from, to string) {
	d.mu.Lock()
	d.routes[from] = to
	d.mu.Unlock()
}

func (d *dialMap) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.dials[addr]++
	to, ok := d.routes[addr]
	d.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("dial %s: no route in test", addr)
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, to)
}

// startManager runs a manager until the test ends; stop cancels it and
// returns Run's result.
func startManager(t *testing.T, cfg Config) (*Manager, func() error) {
	t.Helper()
	if cfg.TickInterval == 0 {
		cfg.TickInterval = 5 * time.Millisecond
	}
	m, err := NewManager(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() { res <- m.Run(ctx) }() // bounded: capacity 1, one result
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-res:
			case <-time.After(waitTimeout):
				t.Error("Run did not return after cancel")
			}
		})
		return runErr
	}
	t.Cleanup(func() { stop() })
	return m, stop
}

// waitRounds waits until the manager has made n more dial rounds.
func waitRounds(t *testing.T, m *Manager, n uint64) {
	t.Helper()
	start := m.rounds.Load()
	eventually(t, "dial rounds", func() bool { return m.rounds.Load() >= start+n })
}

func TestManagerBansMisbehavingPeerUntilExpiry(t *testing.T) {
	clock := newFakeClock()
	h := newRecHandler()
	f := newFakeNode(t, params.SimNet, fakeOpts{autoPong: true})
	m, _ := startManager(t, Config{Params: params.SimNet, Handler: h, Addresses: []string{f.Addr()},
		TargetOutbound: 1, Now: clock.Now})

	p := h.nextConnected(t)
	p.Misbehaving(99, "almost")
	p.Misbehaving(1, "enough")
	if e := h.nextDisconnected(t); !errors.Is(e.err, ErrMisbehaving) {
		t.Fatalf("disconnect error = %v, want ErrMisbehaving", e.err)
	}
	if !m.Banned(f.Addr()) {
		t.Fatal("address not banned")
	}
	eventually(t, "peer removed", func() bool { return len(m.Peers()) == 0 })

	clock.Advance(DefaultBanDuration - time.Minute) // well past any backoff, not past the ban
	waitRounds(t, m, 5)
	if n := f.accepts.Load(); n != 1 {
		t.Fatalf("banned address redialled: %d connections", n)
	}

	clock.Advance(time.Minute)
	h.nextConnected(t)
	if m.Banned(f.Addr()) || f.accepts.Load() != 2 {
		t.Errorf("after the ban expired: banned %v, connections %d; want redialled once", m.Banned(f.Addr()), f.accepts.Load())
	}
}

func TestManagerRedialsWithBackoffAfterPeerCloses(t *testing.T) {
	clock := newFakeClock()
	h := newRecHandler()
	f := newFakeNode(t, params.SimNet, fakeOpts{closeAfter: true})
	m, _ := startManager(t, Config{Params: params.SimNet, Handler: h, Addresses: []string{f.Addr()},
		TargetOutbound: 1, Now: clock.Now})

	// Backoff after the n-th failure is BackoffMin·2^(n-1) minus up to 25 % jitter.
	steps := []struct {
		notYet, due time.Duration // advance by notYet: no redial; then by due: redial
	}{
		{0, time.Second},
		{time.Second, time.Second},                         // 1.5–2 s
		{3 * time.Second, time.Second},                     // 3–4 s
		{5500 * time.Millisecond, 2500 * time.Millisecond}, // 6–8 s
	}
	for i, s := range steps {
		h.nextConnected(t)
		if e := h.nextDisconnected(t); !errors.Is(e.err, ErrClosed) {
			t.Fatalf("step %d: disconnect error = %v, want ErrClosed", i, e.err)
		}
		eventually(t, "peer removed", func() bool { return len(m.Peers()) == 0 })
		clock.Advance(s.notYet)
		waitRounds(t, m, 3)
		if n := f.accepts.Load(); n != int32(i+1) {
			t.Fatalf("step %d: redialled before the backoff elapsed (%d connections)", i, n)
		}
		clock.Advance(s.due)
		eventually(t, "redial", func() bool { return f.accepts.Load() == int32(i+2) })
	}
}

func TestManagerDialsDNSSeedsThroughResolver(t *testing.T) {
	h := newRecHandler()
	dm := newDialMap()
	want := []string{"10.0.0.1:36125", "10.0.0.2:36125", "10.0.0.3:36125"}
	for _, a := range want {
		dm.route(a, newFakeNode(t, params.SimNet, fakeOpts{autoPong: true}).Addr())
	}
	var mu sync.Mutex
	var looked []string
	resolve := func(ctx context.Context, host string) ([]netip.Addr, error) {
		mu.Lock()
		looked = append(looked, host)
		mu.Unlock()
		if host == "broken.example" {
			return nil, errors.New("NXDOMAIN")
		}
		return []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("::ffff:10.0.0.2"),
			netip.MustParseAddr("10.0.0.3"), netip.IPv4Unspecified()}, nil
	}
	m, _ := startManager(t, Config{Params: params.SimNet, Handler: h, Seeds: []string{"broken.example", "seed.example"},
		TargetOutbound: 3, Resolve: resolve, Dial: dm.dial})
	var got []string
	for range 3 {
		got = append(got, h.nextConnected(t).Addr())
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("connected to %v, want %v", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(looked[:2], []string{"broken.example", "seed.example"}) {
		t.Errorf("resolver asked for %v", looked)
	}
	if m.KnownAddresses() != 3 {
		t.Errorf("book holds %d addresses, want 3 (0.0.0.0 dropped)", m.KnownAddresses())
	}
}

func TestManagerLearnsAddressesUpToTheBound(t *testing.T) {
	h := newRecHandler()
	f := newFakeNode(t, params.SimNet, fakeOpts{autoPong: true})
	m, _ := startManager(t, Config{Params: params.SimNet, Handler: h, Addresses: []string{f.Addr()},
		TargetOutbound: 1, MaxAddresses: 10, Dial: func(ctx context.Context, n, a string) (net.Conn, error) {
			if a != f.Addr() {
				return nil, errors.New("unroutable in test")
			}
			var d net.Dialer
			return d.DialContext(ctx, n, a)
		}})
	h.nextConnected(t)
	fc := f.next(t)
	fc.await(t, wire.CmdGetAddr, 0)
	for round := range 2 {
		addrs := make([]wire.TimedNetAddress, wire.MaxAddrPerMessage)
		for i := range addrs {
			ip := netip.AddrFrom4([4]byte{10, byte(round), byte(i >> 8), byte(i)})
			addrs[i] = wire.TimedNetAddress{Timestamp: 1, NetAddress: wire.NewNetAddress(wire.NodeNetwork, netip.AddrPortFrom(ip, 16125))}
		}
		if err := fc.send(&wire.MsgAddr{AddrList: addrs}); err != nil {
			t.Fatal(err)
		}
	}
	if err := fc.send(&wire.MsgNotFound{}); err != nil { // a marker behind both addr messages
		t.Fatal(err)
	}
	h.nextMessage(t, wire.CmdNotFound)
	if n := m.KnownAddresses(); n != 11 {
		t.Errorf("book holds %d addresses, want 1 configured + 10 learned", n)
	}
	n := 0
	for _, c := range fc.commands() {
		if c == wire.CmdGetAddr {
			n++
		}
	}
	if n != 1 {
		t.Errorf("getaddr sent %d times on one connection, want 1", n)
	}
}

func TestManagerKeepsTargetWhenPeersDie(t *testing.T) {
	h := newRecHandler()
	fakes := map[string]*fakeNode{}
	var addrs []string
	for range 5 {
		f := newFakeNode(t, params.SimNet, fakeOpts{autoPong: true})
		fakes[f.Addr()] = f
		addrs = append(addrs, f.Addr())
	}
	m, _ := startManager(t, Config{Params: params.SimNet, Handler: h, Addresses: addrs, TargetOutbound: 3,
		BackoffMin: 10 * time.Millisecond})
	var first []*Peer
	for range 3 {
		first = append(first, h.nextConnected(t))
	}
	dead := map[string]bool{}
	for _, p := range first[:2] {
		fakes[p.Addr()].Close()
		dead[p.Addr()] = true
	}
	for range 2 {
		if e := h.nextDisconnected(t); !dead[e.p.Addr()] {
			t.Fatalf("disconnected %s, which did not die", e.p.Addr())
		}
	}
	eventually(t, "three live peers", func() bool {
		ps := m.Peers()
		if len(ps) != 3 {
			return false
		}
		for _, p := range ps {
			if dead[p.Addr()] {
				return false
			}
		}
		return true
	})
}

func TestManagerBroadcastAndBestPeerHeight(t *testing.T) {
	h := newRecHandler()
	var fakes []*fakeNode
	var addrs []string
	for _, height := range []int32{10, 30, 20} {
		f := newFakeNode(t, params.SimNet, fakeOpts{autoPong: true, height: height})
		fakes = append(fakes, f)
		addrs = append(addrs, f.Addr())
	}
	// A manager with no peer to dial: the fake nodes below answer at once,
	// so the manager that dials them may hold peers before any check.
	if lonely, _ := startManager(t, Config{Params: params.SimNet, Handler: newRecHandler()}); lonely.BestPeerHeight() != 0 {
		t.Errorf("BestPeerHeight with no peers = %d", lonely.BestPeerHeight())
	}
	m, _ := startManager(t, Config{Params: params.SimNet, Handler: h, Addresses: addrs, TargetOutbound: 3})
	var conns []*fakeConn
	for _, f := range fakes {
		conns = append(conns, f.next(t))
	}
	eventually(t, "three peers", func() bool { return len(m.Peers()) == 3 })
	if got := m.BestPeerHeight(); got != 30 {
		t.Errorf("BestPeerHeight = %d, want 30", got)
	}
	p := m.Peers()[0]
	p.SetAnnouncedHeight(50)
	p.SetAnnouncedHeight(40)
	if got := m.BestPeerHeight(); got != 50 || p.BestHeight() != 50 {
		t.Errorf("BestPeerHeight = %d after announcing 50 then 40, want 50", got)
	}

	inv := &wire.MsgInv{InvList: []wire.InvVect{{Type: wire.InvTypeTx}}}
	m.Broadcast(inv)
	for i, c := range conns {
		if _, idx := c.await(t, wire.CmdInv, 0); idx < 0 {
			t.Errorf("peer %d did not get the broadcast", i)
		}
	}
}

func TestManagerBanDisconnectsConnectedPeer(t *testing.T) {
	h := newRecHandler()
	f := newFakeNode(t, params.SimNet, fakeOpts{autoPong: true})
	m, _ := startManager(t, Config{Params: params.SimNet, Handler: h, Addresses: []string{f.Addr()}, TargetOutbound: 1})
	h.nextConnected(t)
	if err := m.Ban(f.Addr(), "forged block"); err != nil {
		t.Fatal(err)
	}
	e := h.nextDisconnected(t)
	if !errors.Is(e.err, ErrBanned) || !m.Banned(f.Addr()) {
		t.Errorf("disconnect error %v, banned %v; want ErrBanned and banned", e.err, m.Banned(f.Addr()))
	}
	if err := m.Ban("not an address:99999", "x"); !errors.Is(err, ErrConfig) {
		t.Errorf("Ban of a bad address = %v, want ErrConfig", err)
	}
}

func TestManagerRunStopsEveryGoroutineOnCancel(t *testing.T) {
	h := newRecHandler()
	var addrs []string
	for range 3 {
		addrs = append(addrs, newFakeNode(t, params.SimNet, fakeOpts{autoPong: true}).Addr())
	}
	before := runtime.NumGoroutine()
	m, stop := startManager(t, Config{Params: params.SimNet, Handler: h, Addresses: addrs, TargetOutbound: 3,
		Seeds: []string{"slow.example"}, Resolve: func(ctx context.Context, host string) ([]netip.Addr, error) {
			<-ctx.Done() // a lookup that hangs until cancelled
			return nil, ctx.Err()
		}})
	for range 3 {
		h.nextConnected(t)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run returned %v, want nil on cancel", err)
	}
	for range 3 {
		if e := h.nextDisconnected(t); !errors.Is(e.err, ErrClosed) {
			t.Errorf("disconnect error = %v, want ErrClosed", e.err)
		}
	}
	if len(m.Peers()) != 0 {
		t.Errorf("%d peers left after Run returned", len(m.Peers()))
	}
	eventually(t, "goroutines to stop", func() bool { return runtime.NumGoroutine() <= before })
	if err := m.Run(context.Background()); err == nil {
		t.Error("a second Run succeeded")
	}
}

func TestNewManagerValidatesConfig(t *testing.T) {
	h := newRecHandler()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"params required", Config{Handler: h}},
		{"handler required", Config{Params: params.SimNet}},
		{"mainnet needs three peers", Config{Params: params.MainNet, Handler: h, TargetOutbound: 2}},
		{"negative target", Config{Params: params.SimNet, Handler: h, TargetOutbound: -1}},
		{"negative timeout", Config{Params: params.SimNet, Handler: h, PingTimeout: -time.Second}},
		{"backoff max below min", Config{Params: params.SimNet, Handler: h, BackoffMin: time.Minute, BackoffMax: time.Second}},
		{"negative queue", Config{Params: params.SimNet, Handler: h, SendQueue: -1}},
		{"bad address", Config{Params: params.SimNet, Handler: h, Addresses: []string{"host:port"}}},
		{"empty seed", Config{Params: params.SimNet, Handler: h, Seeds: []string{""}}},
		{"long user agent", Config{Params: params.SimNet, Handler: h, UserAgent: string(make([]byte, 300))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewManager(tt.cfg); !errors.Is(err, ErrConfig) {
				t.Errorf("NewManager = %v, want ErrConfig", err)
			}
		})
	}
	m, err := NewManager(Config{Params: params.MainNet, Handler: h})
	if err != nil {
		t.Fatal(err)
	}
	c := m.cfg
	if c.TargetOutbound != 8 || c.SendQueue != 256 || c.PingInterval != 2*time.Minute || c.BanDuration != 24*time.Hour ||
		c.MaxAddresses != 1000 || c.BackoffMin != time.Second || c.BackoffMax != 5*time.Minute || c.UserAgent != UserAgent {
		t.Errorf("defaults not applied: %+v", c)
	}
}

func TestManagerBacksOffFailedDials(t *testing.T) {
	clock := newFakeClock()
	dm := newDialMap() // no routes: every dial fails
	m, _ := startManager(t, Config{Params: params.SimNet, Handler: newRecHandler(), Addresses: []string{"10.1.1.1:5"},
		TargetOutbound: 1, Now: clock.Now, Dial: dm.dial})
	dials := func() int {
		dm.mu.Lock()
		defer dm.mu.Unlock()
		return dm.dials["10.1.1.1:5"]
	}
	eventually(t, "first dial", func() bool { return dials() == 1 })
	waitRounds(t, m, 5)
	if dials() != 1 {
		t.Fatalf("redialled a failed address before its backoff: %d dials", dials())
	}
	clock.Advance(time.Second)
	eventually(t, "second dial", func() bool { return dials() == 2 })
}
