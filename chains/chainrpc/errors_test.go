package chainrpc

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/fluxbridge/fluxbridge/chains"
	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
)

// A plugin's error reaches the host with its kind and operation, whatever
// wraps it on the plugin side.
func TestErrorsCrossWithKindAndOp(t *testing.T) {
	cause := errors.New("boom")
	for _, tc := range []struct {
		name     string
		err      error
		wantKind chains.Kind
		wantOp   string
		wantMsg  string
	}{
		{"internal", chains.E("p.Op", chains.KindInternal, cause), chains.KindInternal, "p.Op", "boom"},
		{"invalid", chains.E("p.Op", chains.KindInvalid, cause), chains.KindInvalid, "p.Op", "boom"},
		{"not found", chains.E("p.Op", chains.KindNotFound, cause), chains.KindNotFound, "p.Op", "boom"},
		{"conflict", chains.E("p.Op", chains.KindConflict, cause), chains.KindConflict, "p.Op", "boom"},
		{"transient", chains.E("p.Op", chains.KindTransient, cause), chains.KindTransient, "p.Op", "boom"},
		{"reorged", chains.E("p.Op", chains.KindReorged, cause), chains.KindReorged, "p.Op", "boom"},
		{"rejected", chains.E("p.Op", chains.KindRejected, cause), chains.KindRejected, "p.Op", "boom"},
		{"forbidden", chains.E("p.Op", chains.KindForbidden, cause), chains.KindForbidden, "p.Op", "boom"},
		{"no cause", chains.E("p.Op", chains.KindConflict, nil), chains.KindConflict, "p.Op", "p.Op: conflict"},
		{"wrapped", fmt.Errorf("while x: %w", chains.E("p.Op", chains.KindReorged, cause)), chains.KindReorged, "p.Op",
			"while x: p.Op: reorged: boom"},
		{"kindless", cause, chains.KindInternal, "server.Op", "boom"},
		{"deadline", fmt.Errorf("rpc: %w", context.DeadlineExceeded), chains.KindTransient, "server.Op", "rpc: context deadline exceeded"},
		{"cancelled", context.Canceled, chains.KindTransient, "server.Op", "context canceled"},
		{"an unknown kind", chains.E("p.Op", chains.Kind(99), cause), chains.KindInternal, "p.Op", "boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := fromStatus("host.Op", toStatus("server.Op", tc.err))
			var ce *chains.Error
			var re *RemoteError
			if !errors.As(err, &ce) || ce.Kind != tc.wantKind || ce.Op != tc.wantOp || !errors.As(err, &re) || re.Message != tc.wantMsg {
				t.Fatalf("got %v (%#v, remote %v)", err, ce, re)
			}
		})
	}
	if toStatus("x", nil) != nil || fromStatus("x", nil) != nil {
		t.Fatal("nil is not an error")
	}
}

// Errors without a detail (from gRPC itself, or a plugin of another
// implementation) are classified by code.
func TestBareStatusesAreClassifiedByCode(t *testing.T) {
	for _, tc := range []struct {
		err    error
		want   chains.Kind
		absent bool
	}{
		{status.Error(codes.Unavailable, "connection refused"), chains.KindTransient, false},
		{status.Error(codes.DeadlineExceeded, "deadline"), chains.KindTransient, false},
		{status.Error(codes.Canceled, "cancelled"), chains.KindTransient, false},
		{status.Error(codes.Unimplemented, "unknown service"), chains.KindInvalid, true},
		{status.Error(codes.ResourceExhausted, "message larger than max"), chains.KindInvalid, false},
		{status.Error(codes.InvalidArgument, "bad"), chains.KindInvalid, false},
		{status.Error(codes.Internal, "marshal"), chains.KindInternal, false},
		{status.Error(codes.NotFound, "no detail: not trusted as a kind"), chains.KindInternal, false},
		{errors.New("not a status"), chains.KindInternal, false},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), chains.KindTransient, false},
	} {
		err := fromStatus("host.Op", tc.err)
		var ce *chains.Error
		if !errors.As(err, &ce) || ce.Kind != tc.want || ce.Op != "host.Op" || errors.Is(err, ErrCapabilityAbsent) != tc.absent {
			t.Errorf("%v: got %v", tc.err, err)
		}
	}
}

// FuzzErrorDetail: whatever kind, op and message a plugin puts in its error
// detail, the host gets a *chains.Error of a known kind.
func FuzzErrorDetail(f *testing.F) {
	f.Add("rejected", "evm.Submit", "bad signature")
	f.Add("", "", "")
	f.Add("kind(9)", "\xff", "x")
	f.Fuzz(func(t *testing.T, kind, op, msg string) {
		st, err := status.New(codes.Unknown, "x").WithDetails(&pb.ErrorDetail{Kind: kind, Op: op, Message: msg})
		if err != nil {
			return // not encodable (strings that are not UTF-8)
		}
		got := fromStatus("host.Op", st.Err())
		var ce *chains.Error
		if !errors.As(got, &ce) || ce.Kind < chains.KindInternal || ce.Kind > chains.KindForbidden || ce.Op == "" {
			t.Fatalf("detail (%q, %q, %q) became %#v", kind, op, msg, got)
		}
	})
}
