package peer

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/signer"
)

func key(t testing.TB, b byte) signer.Signer {
	t.Helper()
	s, err := signer.FromPrivateKey(chains.SchemeSecp256k1, bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// inbox collects what a handler received.
type inbox struct {
	mu  sync.Mutex
	got []Envelope
	err error
}

// handle keeps e and answers with the inbox's error; a heartbeat is only
// accepted (the members' own heartbeats arrive whenever they connect).
func (b *inbox) handle(_ context.Context, _ []byte, e Envelope) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e.Kind == KindHeartbeat {
		return nil
	}
	b.got = append(b.got, e)
	return b.err
}

// refuse makes the handler answer err from now on.
func (b *inbox) refuse(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.err = err
}

func (b *inbox) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.got)
}

// net3 starts three exchanges that know each other (ports picked first).
func net3(t *testing.T, hb time.Duration) ([]*Exchange, []*inbox, []signer.Signer, []context.CancelFunc) {
	t.Helper()
	keys := []signer.Signer{key(t, 1), key(t, 2), key(t, 3)}
	boxes := []*inbox{{}, {}, {}}
	xs := make([]*Exchange, 3)
	for i := range xs {
		x, err := New(Config{Self: keys[i], Listen: "127.0.0.1:0", Members: []Member{{ID: keys[i].ID()}}, Handle: boxes[i].handle})
		if err != nil {
			t.Fatal(err)
		}
		xs[i] = x
	}
	addrs := []string{xs[0].Addr(), xs[1].Addr(), xs[2].Addr()}
	cancels := make([]context.CancelFunc, 3)
	for i := range xs {
		xs[i].Close()
		var ms []Member
		for j, k := range keys {
			ms = append(ms, Member{ID: k.ID(), Addr: addrs[j]})
		}
		x, err := New(Config{Self: keys[i], Listen: addrs[i], Members: ms, Handle: boxes[i].handle, HeartbeatInterval: hb,
			Heartbeat: func() Heartbeat { return Heartbeat{Time: time.Now(), FluxHeight: uint64(100 + i), Healthy: true} }})
		if err != nil {
			t.Fatal(err)
		}
		xs[i] = x
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		go x.Run(ctx)
		t.Cleanup(func() { cancel(); x.Close() })
	}
	return xs, boxes, keys, cancels
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestBroadcastReachesEveryOtherMember(t *testing.T) {
	xs, boxes, keys, _ := net3(t, time.Hour)
	for i, x := range xs {
		for j := range 5 {
			e, err := Seal(context.Background(), keys[i], KindMintAttestation, []byte{byte(i), byte(j)})
			if err != nil {
				t.Fatal(err)
			}
			x.Broadcast(e)
		}
	}
	waitFor(t, "10 envelopes at each member", func() bool { return boxes[0].count() == 10 && boxes[1].count() == 10 && boxes[2].count() == 10 })
	for i, b := range boxes {
		for _, e := range b.got {
			if e.Payload[0] == byte(i) {
				t.Errorf("member %d received its own envelope", i)
			}
		}
	}
}

func TestBadEnvelopesAreDroppedAndCounted(t *testing.T) {
	xs, boxes, keys, _ := net3(t, time.Hour)
	good, _ := Seal(context.Background(), keys[1], KindMintAttestation, []byte("x"))
	outsider, _ := Seal(context.Background(), key(t, 9), KindMintAttestation, []byte("x"))
	tampered := good
	tampered.Payload = []byte("y")
	unknown := good
	unknown.Kind = "gossip"
	self, _ := Seal(context.Background(), keys[0], KindMintAttestation, []byte("x"))
	ctx := context.Background()
	for _, e := range []Envelope{outsider, tampered, unknown, self} {
		if xs[0].receive(ctx, e) {
			t.Fatalf("accepted %+v", e)
		}
	}
	boxes[0].refuse(fault.E("test", fault.Conflict, errors.New("contradicts")))
	if xs[0].receive(ctx, good) {
		t.Fatal("a refused envelope counts as accepted")
	}
	want := map[string]uint64{"outsider": 1, "bad-signature": 1, "unknown-kind": 1, "self": 1, "conflict": 1}
	got := xs[0].Drops()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("drops[%s] = %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
	if boxes[0].count() != 1 {
		t.Errorf("the handler saw %d envelopes, want only the good one", boxes[0].count())
	}
}

func TestQueuedEnvelopesReachAPeerThatComesBack(t *testing.T) {
	xs, boxes, keys, cancels := net3(t, time.Hour)
	addr := xs[2].Addr()
	cancels[2]()
	xs[2].Close()
	for j := range 20 {
		e, _ := Seal(context.Background(), keys[0], KindMintAttestation, []byte{byte(j)})
		xs[0].Broadcast(e)
	}
	waitFor(t, "member 1 to receive", func() bool { return boxes[1].count() == 20 })
	var ms []Member
	for _, k := range keys {
		ms = append(ms, Member{ID: k.ID()})
	}
	back := &inbox{}
	x, err := New(Config{Self: keys[2], Listen: addr, Members: ms, Handle: back.handle})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go x.Run(ctx)
	defer x.Close()
	waitFor(t, "the restarted member to receive what was queued", func() bool { return back.count() == 20 })
}

func TestHeartbeatsShowInPeerStatus(t *testing.T) {
	xs, _, _, _ := net3(t, 50*time.Millisecond)
	waitFor(t, "heartbeats", func() bool {
		for _, p := range xs[0].Peers() {
			if p.HeartbeatAt.IsZero() || !p.Connected {
				return false
			}
		}
		return true
	})
	for _, p := range xs[0].Peers() {
		if p.Heartbeat.FluxHeight < 101 || !p.Heartbeat.Healthy {
			t.Errorf("peer %x heartbeat %+v", p.ID, p.Heartbeat)
		}
	}
}

func TestGoroutinesStop(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		xs, _, _, cancels := net3(t, 20*time.Millisecond)
		time.Sleep(100 * time.Millisecond)
		for i := range xs {
			cancels[i]()
			xs[i].Close()
		}
	}()
	waitFor(t, "goroutines to stop", func() bool { return runtime.NumGoroutine() <= before+2 })
}

func TestCodecsRoundTrip(t *testing.T) {
	e, _ := Seal(context.Background(), key(t, 4), KindReobserveRequest, []byte("abc"))
	b, err := e.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Envelope
	if err := back.UnmarshalBinary(b); err != nil || back.Check() != nil || !sameEnvelope(back, e) {
		t.Fatalf("envelope round trip: %v", err)
	}
	hb := Heartbeat{Time: time.UnixMilli(1_700_000_000_123).UTC(), FluxHeight: 7, FluxHash: [32]byte{1}, FluxFinal: 3, FluxFinalHash: [32]byte{2, 31: 3}, Healthy: true, Paused: true, Pending: 9}
	hbb, _ := hb.MarshalBinary()
	var hb2 Heartbeat
	if err := hb2.UnmarshalBinary(hbb); err != nil || hb2 != hb {
		t.Fatalf("heartbeat round trip: %+v %v", hb2, err)
	}
	rq := ReobserveRequest{Chain: chains.FluxL1, TxID: "ab12"}
	rb, _ := rq.MarshalBinary()
	var rq2 ReobserveRequest
	if err := rq2.UnmarshalBinary(rb); err != nil || rq2 != rq {
		t.Fatalf("reobserve round trip: %+v %v", rq2, err)
	}
	for _, bad := range [][]byte{nil, {2}, b[:len(b)-1], append(bytes.Clone(b), 0)} {
		if (&Envelope{}).UnmarshalBinary(bad) == nil {
			t.Errorf("%d bytes decode", len(bad))
		}
	}
}

func FuzzEnvelope(f *testing.F) {
	e, _ := Seal(context.Background(), key(f, 5), KindHeartbeat, []byte{1, 2})
	b, _ := e.MarshalBinary()
	f.Add(b)
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Envelope
		if e.UnmarshalBinary(b) != nil {
			return
		}
		_ = e.Check()
		again, err := e.MarshalBinary()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("does not re-encode: %v", err)
		}
	})
}

func FuzzHeartbeat(f *testing.F) {
	b, _ := Heartbeat{FluxHeight: 1}.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var h Heartbeat
		if h.UnmarshalBinary(b) != nil {
			return
		}
		if again, _ := h.MarshalBinary(); !bytes.Equal(again, b) {
			t.Fatal("does not re-encode")
		}
	})
}

func FuzzReobserve(f *testing.F) {
	b, _ := ReobserveRequest{Chain: 1, TxID: "x"}.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var r ReobserveRequest
		if r.UnmarshalBinary(b) != nil {
			return
		}
		if again, _ := r.MarshalBinary(); !bytes.Equal(again, b) {
			t.Fatal("does not re-encode")
		}
	})
}
