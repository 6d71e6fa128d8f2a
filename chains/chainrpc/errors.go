package chainrpc

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
	"github.com/fluxbridge/fluxbridge/fault"
)

// ErrCapabilityAbsent is the cause of the fault.Invalid error a host gets when
// it calls a service the plugin does not offer (codes.Unimplemented on the
// wire): a plugin without a sink, or one of an older protocol revision.
var ErrCapabilityAbsent = errors.New("capability absent: the plugin does not offer this service")

// RemoteError is the cause of an error that happened in the plugin process;
// Message is its text there (the operation and kind travel separately).
type RemoteError struct{ Message string }

func (e *RemoteError) Error() string { return e.Message }

func errLength(what string, got, want int) error {
	return fmt.Errorf("%s is %d bytes, want %d", what, got, want)
}

// kindCodes gives each kind the gRPC code closest to it, for tools that see
// only the code; the kind itself travels in an ErrorDetail.
var kindCodes = map[fault.Kind]codes.Code{
	fault.Internal:  codes.Internal,
	fault.Invalid:   codes.InvalidArgument,
	fault.NotFound:  codes.NotFound,
	fault.Conflict:  codes.AlreadyExists,
	fault.Transient: codes.Unavailable,
	fault.Reorged:   codes.Aborted,
	fault.Rejected:  codes.FailedPrecondition,
	fault.Forbidden: codes.PermissionDenied,
}

// toStatus turns a plugin-side error into a gRPC status carrying its kind and
// operation in an ErrorDetail. An error without a kind is internal, except
// the context's own errors, which are transient.
func toStatus(op string, err error) error {
	if err == nil {
		return nil
	}
	kind := fault.KindOf(err)
	msg := err.Error()
	var ce *fault.Error
	if errors.As(err, &ce) {
		op = ce.Op
		if ce.Err != nil && ce == err {
			msg = ce.Err.Error() // the op and kind travel in their own fields
		}
	} else if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		kind = fault.Transient
	}
	code, ok := kindCodes[kind]
	if !ok {
		code = codes.Unknown
	}
	st := status.New(code, err.Error())
	if withDetail, derr := st.WithDetails(&pb.ErrorDetail{Kind: kind.String(), Op: op, Message: msg}); derr == nil {
		st = withDetail
	}
	return st.Err()
}

// fromStatus turns an error from a gRPC call into a *fault.Error. One that
// carries an ErrorDetail keeps the plugin's kind and operation (an unknown
// kind, from a newer plugin, is internal). Otherwise the code classifies it:
// a cancelled or expired call and an unreachable plugin (it died, or is
// restarting) are transient, a missing service is an absent capability, a
// message over the size limit is invalid (sending it again fails again).
func fromStatus(op string, err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fault.E(op, fault.Transient, err)
		}
		return fault.E(op, fault.Internal, err)
	}
	for _, d := range st.Details() {
		if ed, ok := d.(*pb.ErrorDetail); ok {
			kind, _ := fault.Parse(ed.GetKind())
			remoteOp := ed.GetOp()
			if remoteOp == "" {
				remoteOp = op
			}
			return fault.E(remoteOp, kind, &RemoteError{Message: ed.GetMessage()})
		}
	}
	switch st.Code() {
	case codes.Canceled, codes.DeadlineExceeded, codes.Unavailable:
		return fault.E(op, fault.Transient, err)
	case codes.Unimplemented:
		return fault.E(op, fault.Invalid, ErrCapabilityAbsent)
	case codes.InvalidArgument, codes.ResourceExhausted:
		return fault.E(op, fault.Invalid, err)
	}
	return fault.E(op, fault.Internal, err)
}
