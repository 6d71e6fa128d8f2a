package chainrpc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/fluxbridge/fluxbridge/chains"
	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
	"github.com/fluxbridge/fluxbridge/fault"
)

// Impl is what a plugin serves: either part may be nil (that capability is
// absent), not both.
type Impl struct {
	Source chains.Source
	Sink   chains.Sink
	// Close, if set, releases what the implementation holds. It is called
	// when a later Configure replaces the implementation and when the plugin
	// exits; calls still in flight on the old implementation may see it
	// closed.
	Close func() error
	// Name and Version describe the plugin in the host's Info (additive to
	// the chain contract; both may be empty).
	Name, Version string
}

// Factory builds the chain implementation from the host's configuration
// bytes (JSON whose shape the plugin defines). ctx is the Configure call's:
// it bounds the construction and ends when Configure returns, so work that
// outlives it runs on a context the Impl's Close cancels. An error with a
// kind (fault.E) reaches the host's Start with that kind.
type Factory func(ctx context.Context, config []byte) (*Impl, error)

// MaxPageBytes is the largest encoded response a plugin sends; gRPC's
// default receive limit on the host is 4 MiB.
const MaxPageBytes = 3 << 20

// Serve runs the plugin process: it answers the host's handshake on stdout,
// logs to stderr (hclog JSON, which the host relays into its own log), and
// serves until the host goes away; then it closes the implementation and
// returns. Call it from main. Run directly rather than by a host, it prints
// why it will not serve and exits with status 1.
//
// A plugin dies with its host. A host that exits normally stops it through
// go-plugin; a host that is killed cannot, so on Linux the host has the
// kernel kill the plugin with it (see dieWithHost), and Serve also watches
// its parent process: when the plugin has been reparented (to init or to a
// subreaper), the host is gone, and Serve logs so on stderr, closes the
// implementation (waiting at most orphanCloseGrace) and exits the process
// with status exitOrphaned; it notices within parentPoll of the host's death.
// (Windows does not reparent, so there the watch never fires.)
func Serve(f Factory) {
	// The parent is recorded first: a host that dies from here on is noticed.
	host := os.Getppid()
	// hclog writes to the real stderr, taken before go-plugin's Serve points
	// os.Stderr at its stdio stream (which nobody reads once the host is gone).
	logger := hclog.New(&hclog.LoggerOptions{
		Name: "plugin", Output: os.Stderr, JSONFormat: true, Level: hclog.Info,
	})
	srv := newServer(f)
	// closeOnce closes the implementation once; a second caller waits for the
	// first call to finish.
	closeOnce := sync.OnceFunc(srv.close)
	defer closeOnce()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // runs before closeOnce: the watch stops first
	// The parent watch: it stops when Serve returns (ctx) or, having found
	// the host gone, exits the process.
	//
	// go-plugin offers no better signal of the host's death: it gives the
	// plugin the host's own stdin (so no EOF comes when the host dies), and
	// it does not watch the connection; the plugin would serve on forever.
	go func() {
		if ppid, gone := watchParent(ctx, host, parentPoll, os.Getppid); gone {
			exitOrphan(logger, host, ppid, closeOnce)
		}
	}()
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: servePlugins(srv),
		GRPCServer:       plugin.DefaultGRPCServer,
		Logger:           logger,
	})
}

// parentPoll is how often a plugin checks that its host still runs, which
// bounds how long it outlives a host that died without stopping it.
const parentPoll = 500 * time.Millisecond

// orphanCloseGrace bounds the implementation's Close when the host is gone:
// a Close that hangs (on an RPC endpoint, say) must not keep the key alive.
const orphanCloseGrace = 5 * time.Second

// exitOrphaned is the exit status of a plugin that exits because its host
// is gone.
const exitOrphaned = 3

// watchParent polls getppid every interval until it returns other than ppid,
// which means the parent has exited and the process was reparented, and then
// returns the new parent and true; or it returns false when ctx ends. The
// kernel reparents a process as its parent exits, before the parent's pid
// can be reused, so a later process of the same pid cannot hide the change.
func watchParent(ctx context.Context, ppid int, interval time.Duration, getppid func() int) (int, bool) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if now := getppid(); now != ppid {
			return now, true
		}
		select {
		case <-ctx.Done():
			return 0, false
		case <-tick.C:
		}
	}
}

// exitOrphan ends a plugin whose host (pid host) is gone, the process
// having been reparented to ppid: it logs so, closes the implementation
// with closeImpl (waiting at most orphanCloseGrace) and exits with status
// exitOrphaned.
func exitOrphan(log hclog.Logger, host, ppid int, closeImpl func()) {
	// The dead host's end of the stderr pipe is closed, and Go kills a
	// process whose write to its stderr fails so (SIGPIPE) before Close has
	// run; ignored, the write fails harmlessly instead.
	signal.Ignore(syscall.SIGPIPE)
	log.Error("the host process is gone; closing the plugin and exiting",
		"host_pid", host, "ppid", ppid, "exit_status", exitOrphaned)
	closed := make(chan struct{})
	// The orphan's Close: it ends with Close or with the process.
	go func() {
		defer close(closed)
		closeImpl()
	}()
	select {
	case <-closed:
	case <-time.After(orphanCloseGrace):
		log.Error("the implementation did not close in time; exiting without it", "grace", orphanCloseGrace.String())
	}
	os.Exit(exitOrphaned)
}

// server is the plugin side of the three services.
type server struct {
	pb.UnimplementedPluginServer
	factory Factory
	// maxBytes is the page cap (MaxPageBytes; tests lower it).
	maxBytes int

	mu   sync.RWMutex
	impl *Impl
}

func newServer(f Factory) *server { return &server{factory: f, maxBytes: MaxPageBytes} }

func (s *server) current() (*Impl, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.impl == nil {
		return nil, status.Error(codes.Unavailable, "chainrpc: plugin not configured yet")
	}
	return s.impl, nil
}

// Configure builds a new implementation and replaces (and closes) the old one.
func (s *server) Configure(ctx context.Context, req *pb.ConfigureRequest) (*pb.Info, error) {
	const op = "chainrpc.Configure"
	impl, err := s.factory(ctx, req.GetConfig())
	if err != nil {
		return nil, toStatus(op, err)
	}
	if impl == nil || (impl.Source == nil && impl.Sink == nil) {
		return nil, toStatus(op, fault.E(op, fault.Internal,
			errors.New("the plugin's factory returned neither a source nor a sink")))
	}
	info := &pb.Info{Name: impl.Name, Version: impl.Version, Source: impl.Source != nil, Sink: impl.Sink != nil}
	if impl.Source != nil {
		info.ChainId = uint32(impl.Source.Chain())
	} else {
		info.ChainId = uint32(impl.Sink.Chain())
	}
	if impl.Source != nil && impl.Sink != nil && impl.Source.Chain() != impl.Sink.Chain() {
		closeImpl(impl)
		return nil, toStatus(op, fault.E(op, fault.Internal,
			fmt.Errorf("the source observes chain %v but the sink writes to %v", impl.Source.Chain(), impl.Sink.Chain())))
	}
	s.mu.Lock()
	old := s.impl
	s.impl = impl
	s.mu.Unlock()
	closeImpl(old)
	return info, nil
}

// closeImpl closes a replaced or final implementation. Its error has no
// caller to go to: the implementation is gone either way.
func closeImpl(impl *Impl) {
	if impl != nil && impl.Close != nil {
		_ = impl.Close()
	}
}

// close closes the current implementation when the plugin exits.
func (s *server) close() {
	s.mu.Lock()
	impl := s.impl
	s.impl = nil
	s.mu.Unlock()
	closeImpl(impl)
}

func (s *server) source() (chains.Source, error) {
	impl, err := s.current()
	if err != nil {
		return nil, err
	}
	if impl.Source == nil {
		return nil, status.Error(codes.Unimplemented, "chainrpc: this plugin has no source")
	}
	return impl.Source, nil
}

func (s *server) sink() (chains.Sink, error) {
	impl, err := s.current()
	if err != nil {
		return nil, err
	}
	if impl.Sink == nil {
		return nil, status.Error(codes.Unimplemented, "chainrpc: this plugin has no sink")
	}
	return impl.Sink, nil
}

// sourceServer serves chains.Source.
type sourceServer struct {
	pb.UnimplementedSourceServer
	s *server
}

func (ss sourceServer) Head(ctx context.Context, _ *pb.Empty) (*pb.ChainHead, error) {
	src, err := ss.s.source()
	if err != nil {
		return nil, err
	}
	h, err := src.Head(ctx)
	if err != nil {
		return nil, toStatus("chainrpc.Source.Head", err)
	}
	return headToPB(h), nil
}

// Events pages: when the events the source returns would not fit in one
// response, it asks again for half as many, down to one. A single event
// larger than a page is an internal error naming the event.
func (ss sourceServer) Events(ctx context.Context, req *pb.EventsRequest) (*pb.EventsResponse, error) {
	const op = "chainrpc.Source.Events"
	src, err := ss.s.source()
	if err != nil {
		return nil, err
	}
	if req.GetLimit() < 0 {
		return nil, toStatus(op, fault.E(op, fault.Invalid, fmt.Errorf("limit %d is negative", req.GetLimit())))
	}
	limit := int(req.GetLimit())
	for {
		if err := ctx.Err(); err != nil {
			return nil, toStatus(op, err)
		}
		res, err := src.Events(ctx, chains.EventsRequest{
			After: chains.Cursor(req.GetAfter()), Confirmations: req.GetConfirmations(), Limit: limit,
		})
		if err != nil {
			return nil, toStatus("chainrpc.Source.Events", err)
		}
		out := &pb.EventsResponse{Events: eventsToPB(res.Events), Next: string(res.Next), Head: headToPB(res.Head)}
		if size := proto.Size(out); size <= ss.s.maxBytes {
			return out, nil
		}
		switch {
		case len(res.Events) == 0:
			return nil, toStatus(op, fault.E(op, fault.Internal,
				fmt.Errorf("a response without events is over the %d-byte page cap", ss.s.maxBytes)))
		case len(res.Events) == 1:
			return nil, toStatus(op, fault.E(op, fault.Internal,
				fmt.Errorf("event %q (tx %s) alone is over the %d-byte page cap", res.Events[0].ID, res.Events[0].TxID, ss.s.maxBytes)))
		case limit > 0 && len(res.Events) > limit:
			// Halving cannot converge on a source that ignores the limit.
			return nil, toStatus(op, fault.E(op, fault.Internal,
				fmt.Errorf("the source returned %d events for a limit of %d", len(res.Events), limit)))
		}
		limit = len(res.Events) / 2
	}
}

// Reobserve returns one transaction's events in one response; a transaction
// whose events do not fit (there is no cursor to page with) is an internal
// error.
func (ss sourceServer) Reobserve(ctx context.Context, req *pb.ReobserveRequest) (*pb.ReobserveResponse, error) {
	const op = "chainrpc.Source.Reobserve"
	src, err := ss.s.source()
	if err != nil {
		return nil, err
	}
	evs, err := src.Reobserve(ctx, req.GetTxId())
	if err != nil {
		return nil, toStatus("chainrpc.Source.Reobserve", err)
	}
	out := &pb.ReobserveResponse{Events: eventsToPB(evs)}
	if size := proto.Size(out); size > ss.s.maxBytes {
		return nil, toStatus(op, fault.E(op, fault.Internal,
			fmt.Errorf("the %d events of tx %s take %d bytes, over the %d-byte page cap", len(evs), req.GetTxId(), size, ss.s.maxBytes)))
	}
	return out, nil
}

// sinkServer serves chains.Sink.
type sinkServer struct {
	pb.UnimplementedSinkServer
	s *server
}

func (ss sinkServer) Build(ctx context.Context, req *pb.BuildRequest) (*pb.Submission, error) {
	snk, err := ss.s.sink()
	if err != nil {
		return nil, err
	}
	m, err := mintFromPB(req.GetMint())
	if err != nil {
		return nil, toStatus("chainrpc.Sink.Build", err)
	}
	r, err := rotationFromPB(req.GetRotate())
	if err != nil {
		return nil, toStatus("chainrpc.Sink.Build", err)
	}
	batch, err := batchFromPB(req.GetBatch())
	if err != nil {
		return nil, toStatus("chainrpc.Sink.Build", err)
	}
	sub, err := snk.Build(ctx, chains.BuildRequest{Kind: chains.SubmissionKind(req.GetKind()), Mint: m, Rotate: r, Batch: batch})
	if err != nil {
		return nil, toStatus("chainrpc.Sink.Build", err)
	}
	return submissionToPB(sub), nil
}

func (ss sinkServer) Submit(ctx context.Context, req *pb.SubmitRequest) (*pb.SubmissionStatus, error) {
	snk, err := ss.s.sink()
	if err != nil {
		return nil, err
	}
	st, err := snk.Submit(ctx, chains.SubmitRequest{
		Submission: submissionFromPB(req.GetSubmission()), Signatures: signaturesFromPB(req.GetSignatures()),
	})
	if err != nil {
		return nil, toStatus("chainrpc.Sink.Submit", err)
	}
	return statusToPB(st), nil
}

func (ss sinkServer) Status(ctx context.Context, req *pb.StatusRequest) (*pb.SubmissionStatus, error) {
	snk, err := ss.s.sink()
	if err != nil {
		return nil, err
	}
	st, err := snk.Status(ctx, chains.SubmissionKind(req.GetKind()), req.GetId())
	if err != nil {
		return nil, toStatus("chainrpc.Sink.Status", err)
	}
	return statusToPB(st), nil
}

func (ss sinkServer) Ledger(ctx context.Context, _ *pb.Empty) (*pb.LedgerState, error) {
	snk, err := ss.s.sink()
	if err != nil {
		return nil, err
	}
	l, err := snk.Ledger(ctx)
	if err != nil {
		return nil, toStatus("chainrpc.Sink.Ledger", err)
	}
	return ledgerToPB(l), nil
}

func (ss sinkServer) Limits(ctx context.Context, _ *pb.Empty) (*pb.SinkLimits, error) {
	snk, err := ss.s.sink()
	if err != nil {
		return nil, err
	}
	l, err := snk.Limits(ctx)
	if err != nil {
		return nil, toStatus("chainrpc.Sink.Limits", err)
	}
	return &pb.SinkLimits{MinLock: l.MinLock, MintFee: l.MintFee, MinBurn: l.MinBurn}, nil
}

// register registers the three services of s on g.
func (s *server) register(g *grpc.Server) {
	pb.RegisterPluginServer(g, s)
	pb.RegisterSourceServer(g, sourceServer{s: s})
	pb.RegisterSinkServer(g, sinkServer{s: s})
}
