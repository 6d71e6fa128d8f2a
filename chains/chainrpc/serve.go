package chainrpc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/fluxbridge/fluxbridge/chains"
	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
)

// Impl is what a plugin serves: either part may be nil (that capability is
// absent). Close, if set, is called when the implementation is replaced by a
// new Configure or the plugin exits.
type Impl struct {
	Source chains.Source
	Sink   chains.Sink
	Close  func() error
	// Name and Version describe the plugin in Info.
	Name, Version string
}

// Factory builds the chain implementation from the host's configuration
// bytes (JSON whose shape the plugin defines).
type Factory func(ctx context.Context, config []byte) (*Impl, error)

// MaxPageBytes is the largest response a server sends (gRPC's default
// receive limit is 4 MiB).
const MaxPageBytes = 3 << 20

// Serve runs the plugin process: it answers the host's handshake on stdout,
// logs to stderr, and serves until the host goes away. Call it from main.
func Serve(f Factory) {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{ProtocolVersion: {PluginName: &grpcPlugin{factory: f}}},
		GRPCServer:       plugin.DefaultGRPCServer,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name: "plugin", Output: os.Stderr, JSONFormat: true, Level: hclog.Info,
		}),
	})
}

// server is the plugin side of the three services.
type server struct {
	pb.UnimplementedPluginServer
	factory  Factory
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
	impl, err := s.factory(ctx, req.GetConfig())
	if err != nil {
		return nil, toStatus("chainrpc.Configure", err)
	}
	if impl == nil || (impl.Source == nil && impl.Sink == nil) {
		return nil, toStatus("chainrpc.Configure", chains.E("chainrpc.Configure", chains.KindInternal,
			errors.New("the plugin's factory returned neither a source nor a sink")))
	}
	s.mu.Lock()
	old := s.impl
	s.impl = impl
	s.mu.Unlock()
	if old != nil && old.Close != nil {
		_ = old.Close() // the old implementation is gone either way; its close error has no caller
	}
	info := &pb.Info{Name: impl.Name, Version: impl.Version, Source: impl.Source != nil, Sink: impl.Sink != nil}
	if impl.Source != nil {
		info.ChainId = uint32(impl.Source.Chain())
	} else {
		info.ChainId = uint32(impl.Sink.Chain())
	}
	return info, nil
}

func (s *server) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.impl != nil && s.impl.Close != nil {
		_ = s.impl.Close()
	}
	s.impl = nil
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
		return nil, toStatus("Source.Head", err)
	}
	return headToPB(h), nil
}

// Events pages: if the events the source returns would not fit in one
// response, it asks again for half as many, down to one.
func (ss sourceServer) Events(ctx context.Context, req *pb.EventsRequest) (*pb.EventsResponse, error) {
	src, err := ss.s.source()
	if err != nil {
		return nil, err
	}
	limit := int(req.GetLimit())
	for {
		res, err := src.Events(ctx, chains.EventsRequest{
			After: chains.Cursor(req.GetAfter()), Confirmations: req.GetConfirmations(), Limit: limit,
		})
		if err != nil {
			return nil, toStatus("Source.Events", err)
		}
		out := &pb.EventsResponse{Events: eventsToPB(res.Events), Next: string(res.Next), Head: headToPB(res.Head)}
		if proto.Size(out) <= ss.s.maxBytes {
			return out, nil
		}
		if len(res.Events) <= 1 {
			id := ""
			if len(res.Events) == 1 {
				id = res.Events[0].ID
			}
			return nil, toStatus("Source.Events", chains.E("chainrpc.Events", chains.KindInternal,
				fmt.Errorf("event %s alone is larger than a response may be (%d bytes)", id, ss.s.maxBytes)))
		}
		limit = len(res.Events) / 2
	}
}

func (ss sourceServer) Reobserve(ctx context.Context, req *pb.ReobserveRequest) (*pb.ReobserveResponse, error) {
	src, err := ss.s.source()
	if err != nil {
		return nil, err
	}
	evs, err := src.Reobserve(ctx, req.GetTxId())
	if err != nil {
		return nil, toStatus("Source.Reobserve", err)
	}
	out := &pb.ReobserveResponse{Events: eventsToPB(evs)}
	if proto.Size(out) > ss.s.maxBytes {
		return nil, toStatus("Source.Reobserve", chains.E("chainrpc.Reobserve", chains.KindInternal,
			fmt.Errorf("the %d events of %s are larger than a response may be", len(evs), req.GetTxId())))
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
		return nil, toStatus("Sink.Build", err)
	}
	sub, err := snk.Build(ctx, chains.BuildRequest{Kind: chains.SubmissionKind(req.GetKind()), Mint: m})
	if err != nil {
		return nil, toStatus("Sink.Build", err)
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
		return nil, toStatus("Sink.Submit", err)
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
		return nil, toStatus("Sink.Status", err)
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
		return nil, toStatus("Sink.Ledger", err)
	}
	return ledgerToPB(l), nil
}

// register registers the three services of s on g.
func (s *server) register(g *grpc.Server) {
	pb.RegisterPluginServer(g, s)
	pb.RegisterSourceServer(g, sourceServer{s: s})
	pb.RegisterSinkServer(g, sinkServer{s: s})
}
