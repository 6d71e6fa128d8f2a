package chainrpc

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/fluxbridge/fluxbridge/chains"
	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
	"github.com/fluxbridge/fluxbridge/fault"
)

// fakeSource serves n events with evidence of the given sizes, recording the
// limits it is asked for. With ignoreLimit it returns everything every time.
type fakeSource struct {
	chain       chains.ID
	sizes       []int
	ignoreLimit bool
	limits      []int
}

func (f *fakeSource) Chain() chains.ID { return f.chain }
func (f *fakeSource) Head(context.Context) (chains.Head, error) {
	return chains.Head{Healthy: true}, nil
}

func (f *fakeSource) event(i int) chains.Event {
	return chains.Event{ID: fmt.Sprintf("ev%d", i), TxID: fmt.Sprintf("tx%d", i), Evidence: make([]byte, f.sizes[i])}
}

func (f *fakeSource) Events(_ context.Context, req chains.EventsRequest) (chains.EventsResponse, error) {
	f.limits = append(f.limits, req.Limit)
	from, _ := strconv.Atoi(string(req.After))
	to := len(f.sizes)
	if req.Limit > 0 && !f.ignoreLimit {
		to = min(to, from+req.Limit)
	}
	var res chains.EventsResponse
	for i := from; i < to; i++ {
		res.Events = append(res.Events, f.event(i))
	}
	res.Next = chains.Cursor(strconv.Itoa(to))
	return res, nil
}

func (f *fakeSource) Reobserve(_ context.Context, txid string) ([]chains.Event, error) {
	var out []chains.Event
	for i := range f.sizes {
		out = append(out, f.event(i))
	}
	return out, nil
}

// fakeSink is a sink that only knows its chain.
type fakeSink struct{ chain chains.ID }

func (f fakeSink) Chain() chains.ID { return f.chain }
func (fakeSink) Build(context.Context, chains.BuildRequest) (chains.Submission, error) {
	return chains.Submission{}, nil
}
func (fakeSink) Submit(context.Context, chains.SubmitRequest) (chains.Status, error) {
	return chains.Status{}, nil
}
func (fakeSink) Status(context.Context, chains.SubmissionKind, string) (chains.Status, error) {
	return chains.Status{}, nil
}
func (fakeSink) Ledger(context.Context) (chains.Ledger, error) { return chains.Ledger{}, nil }
func (fakeSink) Limits(context.Context) (chains.Limits, error) { return chains.Limits{}, nil }

// configured returns a server (page cap maxBytes) serving impl.
func configured(t *testing.T, maxBytes int, impl *Impl) *server {
	t.Helper()
	s := newServer(func(context.Context, []byte) (*Impl, error) { return impl, nil })
	s.maxBytes = maxBytes
	if _, err := s.Configure(context.Background(), &pb.ConfigureRequest{}); err != nil {
		t.Fatal(err)
	}
	return s
}

// host converts a server error as the host sees it.
func host(err error) error { return fromStatus("test", err) }

func sizes(n, size int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = size
	}
	return out
}

func TestEventsHalveTheLimitUntilAPageFits(t *testing.T) {
	for _, tc := range []struct {
		name       string
		limit      int64
		sizes      []int
		wantLimits []int
		wantEvents int
	}{
		{"fits at once", 0, sizes(4, 100), []int{0}, 4},
		{"default limit, halved twice", 0, sizes(8, 300), []int{0, 4, 2}, 2},
		{"asked limit, halved once", 6, sizes(8, 300), []int{6, 3}, 3},
		{"down to one", 8, []int{960, 10, 10, 10, 10, 10, 10, 10}, []int{8, 4, 2, 1}, 1},
		{"an odd count", 0, sizes(5, 400), []int{0, 2}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &fakeSource{chain: 5, sizes: tc.sizes}
			s := configured(t, 1000, &Impl{Source: src})
			res, err := sourceServer{s: s}.Events(context.Background(), &pb.EventsRequest{Limit: tc.limit})
			if err != nil {
				t.Fatal(host(err))
			}
			if len(res.GetEvents()) != tc.wantEvents || fmt.Sprint(src.limits) != fmt.Sprint(tc.wantLimits) {
				t.Fatalf("%d events after asking for limits %v; want %d after %v", len(res.GetEvents()), src.limits, tc.wantEvents, tc.wantLimits)
			}
			if size := proto.Size(res); size > 1000 {
				t.Fatalf("a page of %d bytes", size)
			}
			if want := strconv.Itoa(tc.wantEvents); res.GetNext() != want {
				t.Fatalf("Next = %q, want %q", res.GetNext(), want)
			}
		})
	}
}

func TestEventsRefuseWhatCannotBePaged(t *testing.T) {
	t.Run("one event over the cap", func(t *testing.T) {
		s := configured(t, 1000, &Impl{Source: &fakeSource{sizes: []int{2000, 10}}})
		_, err := sourceServer{s: s}.Events(context.Background(), &pb.EventsRequest{})
		if err = host(err); fault.KindOf(err) != fault.Internal || !strings.Contains(err.Error(), `event "ev0" (tx tx0)`) {
			t.Fatalf("got %v, want an internal error naming ev0", err)
		}
	})
	t.Run("a source ignoring the limit", func(t *testing.T) {
		src := &fakeSource{sizes: sizes(8, 300), ignoreLimit: true}
		s := configured(t, 1000, &Impl{Source: src})
		_, err := sourceServer{s: s}.Events(context.Background(), &pb.EventsRequest{})
		if err = host(err); fault.KindOf(err) != fault.Internal || len(src.limits) != 2 {
			t.Fatalf("got %v after limits %v, want an internal error after two asks", err, src.limits)
		}
	})
	t.Run("a cancelled call stops halving", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		s := configured(t, 1000, &Impl{Source: &fakeSource{sizes: sizes(8, 300)}})
		_, err := sourceServer{s: s}.Events(ctx, &pb.EventsRequest{})
		if fault.KindOf(host(err)) != fault.Transient {
			t.Fatalf("got %v", host(err))
		}
	})
	t.Run("reobserve over the cap", func(t *testing.T) {
		s := configured(t, 1000, &Impl{Source: &fakeSource{sizes: sizes(4, 300)}})
		_, err := sourceServer{s: s}.Reobserve(context.Background(), &pb.ReobserveRequest{TxId: "t"})
		if err = host(err); fault.KindOf(err) != fault.Internal || !strings.Contains(err.Error(), "page cap") {
			t.Fatalf("got %v", err)
		}
		s.maxBytes = MaxPageBytes
		if res, err := (sourceServer{s: s}).Reobserve(context.Background(), &pb.ReobserveRequest{TxId: "t"}); err != nil || len(res.GetEvents()) != 4 {
			t.Fatalf("under the cap: %v, %v", res, host(err))
		}
	})
}

func TestConfigureReplacesAndClosesTheOldImpl(t *testing.T) {
	var built, closed []int
	s := newServer(func(_ context.Context, config []byte) (*Impl, error) {
		n, err := strconv.Atoi(string(config))
		if err != nil {
			return nil, fault.E("fake.Configure", fault.Invalid, err)
		}
		built = append(built, n)
		return &Impl{Source: &fakeSource{chain: chains.ID(n)}, Name: "fake", Close: func() error {
			closed = append(closed, n)
			return errors.New("a close error is not the caller's")
		}}, nil
	})
	if _, err := (sourceServer{s: s}).Head(context.Background(), &pb.Empty{}); fault.KindOf(host(err)) != fault.Transient {
		t.Fatalf("a call before Configure: %v", host(err))
	}
	for _, n := range []int{1, 2} {
		info, err := s.Configure(context.Background(), &pb.ConfigureRequest{Config: []byte(strconv.Itoa(n))})
		if err != nil || info.GetChainId() != uint32(n) || !info.GetSource() || info.GetSink() || info.GetName() != "fake" {
			t.Fatalf("Configure %d: %v, %v", n, info, host(err))
		}
	}
	if fmt.Sprint(built, closed) != "[1 2] [1]" {
		t.Fatalf("built %v, closed %v; want the first closed when the second replaced it", built, closed)
	}
	// A refused config keeps the current implementation.
	if _, err := s.Configure(context.Background(), &pb.ConfigureRequest{Config: []byte("x")}); fault.KindOf(host(err)) != fault.Invalid {
		t.Fatalf("a refused config: %v", host(err))
	}
	if impl, _ := s.current(); impl.Source.Chain() != 2 {
		t.Fatalf("the current chain is %v", impl.Source.Chain())
	}
	s.close() // as Serve does when the host goes away
	if fmt.Sprint(closed) != "[1 2]" {
		t.Fatalf("closed %v after the plugin's exit", closed)
	}
}

func TestConfigureRefusesImplsThatCannotBeServed(t *testing.T) {
	closed := 0
	for _, tc := range []struct {
		name string
		impl *Impl
	}{
		{"nil", nil},
		{"neither source nor sink", &Impl{}},
		{"source and sink of two chains", &Impl{Source: &fakeSource{chain: 1}, Sink: fakeSink{chain: 2}, Close: func() error { closed++; return nil }}},
	} {
		s := newServer(func(context.Context, []byte) (*Impl, error) { return tc.impl, nil })
		if _, err := s.Configure(context.Background(), &pb.ConfigureRequest{}); fault.KindOf(host(err)) != fault.Internal {
			t.Errorf("%s: %v", tc.name, host(err))
		}
	}
	if closed != 1 {
		t.Errorf("the refused implementation was closed %d times", closed)
	}
}

func TestAnAbsentPartAnswersUnimplemented(t *testing.T) {
	s := configured(t, MaxPageBytes, &Impl{Sink: fakeSink{chain: 9}})
	_, err := sourceServer{s: s}.Events(context.Background(), &pb.EventsRequest{})
	if err = host(err); fault.KindOf(err) != fault.Invalid || !errors.Is(err, ErrCapabilityAbsent) {
		t.Fatalf("the absent source: %v", err)
	}
	if _, err := (sinkServer{s: s}).Ledger(context.Background(), &pb.Empty{}); err != nil {
		t.Fatalf("the present sink: %v", host(err))
	}
}
