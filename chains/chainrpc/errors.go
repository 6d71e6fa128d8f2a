package chainrpc

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/fluxbridge/fluxbridge/chains"
	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
)

// ErrCapabilityAbsent is the cause of the KindInvalid error a host gets when
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
var kindCodes = map[chains.Kind]codes.Code{
	chains.KindInternal:  codes.Internal,
	chains.KindInvalid:   codes.InvalidArgument,
	chains.KindNotFound:  codes.NotFound,
	chains.KindConflict:  codes.AlreadyExists,
	chains.KindTransient: codes.Unavailable,
	chains.KindReorged:   codes.Aborted,
	chains.KindRejected:  codes.FailedPrecondition,
	chains.KindForbidden: codes.PermissionDenied,
}

// kindByName is the inverse of Kind.String over the known kinds.
func kindByName(name string) (chains.Kind, bool) {
	for k := range kindCodes {
		if k.String() == name {
			return k, true
		}
	}
	return chains.KindInternal, false
}

// toStatus turns a plugin-side error into a gRPC status carrying its kind and
// operation in an ErrorDetail. An error without a kind is internal, except
// the context's own errors, which are transient.
func toStatus(op string, err error) error {
	if err == nil {
		return nil
	}
	kind := chains.KindOf(err)
	msg := err.Error()
	var ce *chains.Error
	if errors.As(err, &ce) {
		op = ce.Op
		if ce.Err != nil && ce == err {
			msg = ce.Err.Error() // the op and kind travel in their own fields
		}
	} else if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		kind = chains.KindTransient
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

// fromStatus turns an error from a gRPC call into a *chains.Error. One that
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
			return chains.E(op, chains.KindTransient, err)
		}
		return chains.E(op, chains.KindInternal, err)
	}
	for _, d := range st.Details() {
		if ed, ok := d.(*pb.ErrorDetail); ok {
			kind, _ := kindByName(ed.GetKind())
			remoteOp := ed.GetOp()
			if remoteOp == "" {
				remoteOp = op
			}
			return chains.E(remoteOp, kind, &RemoteError{Message: ed.GetMessage()})
		}
	}
	switch st.Code() {
	case codes.Canceled, codes.DeadlineExceeded, codes.Unavailable:
		return chains.E(op, chains.KindTransient, err)
	case codes.Unimplemented:
		return chains.E(op, chains.KindInvalid, ErrCapabilityAbsent)
	case codes.InvalidArgument, codes.ResourceExhausted:
		return chains.E(op, chains.KindInvalid, err)
	}
	return chains.E(op, chains.KindInternal, err)
}
