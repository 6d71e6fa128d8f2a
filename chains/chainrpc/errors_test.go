package chainrpc

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
	"github.com/fluxbridge/fluxbridge/fault"
)

// A plugin's error reaches the host with its kind and operation, whatever
// wraps it on the plugin side.
func TestErrorsCrossWithKindAndOp(t *testing.T) {
	cause := errors.New("boom")
	for _, tc := range []struct {
		name     string
		err      error
		wantKind fault.Kind
		wantOp   string
		wantMsg  string
	}{
		{"internal", fault.E("p.Op", fault.Internal, cause), fault.Internal, "p.Op", "boom"},
		{"invalid", fault.E("p.Op", fault.Invalid, cause), fault.Invalid, "p.Op", "boom"},
		{"not found", fault.E("p.Op", fault.NotFound, cause), fault.NotFound, "p.Op", "boom"},
		{"conflict", fault.E("p.Op", fault.Conflict, cause), fault.Conflict, "p.Op", "boom"},
		{"transient", fault.E("p.Op", fault.Transient, cause), fault.Transient, "p.Op", "boom"},
		{"reorged", fault.E("p.Op", fault.Reorged, cause), fault.Reorged, "p.Op", "boom"},
		{"rejected", fault.E("p.Op", fault.Rejected, cause), fault.Rejected, "p.Op", "boom"},
		{"forbidden", fault.E("p.Op", fault.Forbidden, cause), fault.Forbidden, "p.Op", "boom"},
		{"no cause", fault.E("p.Op", fault.Conflict, nil), fault.Conflict, "p.Op", "p.Op: conflict"},
		{"wrapped", fmt.Errorf("while x: %w", fault.E("p.Op", fault.Reorged, cause)), fault.Reorged, "p.Op",
			"while x: p.Op: reorged: boom"},
		{"kindless", cause, fault.Internal, "server.Op", "boom"},
		{"deadline", fmt.Errorf("rpc: %w", context.DeadlineExceeded), fault.Transient, "server.Op", "rpc: context deadline exceeded"},
		{"cancelled", context.Canceled, fault.Transient, "server.Op", "context canceled"},
		{"an unknown kind", fault.E("p.Op", fault.Kind(99), cause), fault.Internal, "p.Op", "boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := fromStatus("host.Op", toStatus("server.Op", tc.err))
			var ce *fault.Error
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
		want   fault.Kind
		absent bool
	}{
		{status.Error(codes.Unavailable, "connection refused"), fault.Transient, false},
		{status.Error(codes.DeadlineExceeded, "deadline"), fault.Transient, false},
		{status.Error(codes.Canceled, "cancelled"), fault.Transient, false},
		{status.Error(codes.Unimplemented, "unknown service"), fault.Invalid, true},
		{status.Error(codes.ResourceExhausted, "message larger than max"), fault.Invalid, false},
		{status.Error(codes.InvalidArgument, "bad"), fault.Invalid, false},
		{status.Error(codes.Internal, "marshal"), fault.Internal, false},
		{status.Error(codes.NotFound, "no detail: not trusted as a kind"), fault.Internal, false},
		{errors.New("not a status"), fault.Internal, false},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), fault.Transient, false},
	} {
		err := fromStatus("host.Op", tc.err)
		var ce *fault.Error
		if !errors.As(err, &ce) || ce.Kind != tc.want || ce.Op != "host.Op" || errors.Is(err, ErrCapabilityAbsent) != tc.absent {
			t.Errorf("%v: got %v", tc.err, err)
		}
	}
}

// FuzzErrorDetail: whatever kind, op and message a plugin puts in its error
// detail, the host gets a *fault.Error of a known kind.
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
		var ce *fault.Error
		if !errors.As(got, &ce) || ce.Kind < fault.Internal || ce.Kind > fault.Forbidden || ce.Op == "" {
			t.Fatalf("detail (%q, %q, %q) became %#v", kind, op, msg, got)
		}
	})
}
