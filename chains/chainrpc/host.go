package chainrpc

import (
	"context"
	"errors"
	"unicode/utf8"

	"github.com/fluxbridge/fluxbridge/chains"
	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
	"github.com/fluxbridge/fluxbridge/fault"
)

// text checks that strings sent to a plugin are UTF-8, as proto3 requires:
// anything else is the caller's invalid input, not a transport failure.
// (Strings a plugin sends are checked by its encoder: an event with a
// non-UTF-8 field fails its call as internal.)
func text(op string, fields ...string) error {
	for _, f := range fields {
		if !utf8.ValidString(f) {
			return fault.E(op, fault.Invalid, errors.New("a cursor, id, kind or scheme must be UTF-8 text"))
		}
	}
	return nil
}

// hostSource is the host's chains.Source over a supervised plugin.
type hostSource struct{ p *Plugin }

func (s hostSource) Chain() chains.ID { return s.p.info.Chain }

func (s hostSource) Head(ctx context.Context) (chains.Head, error) {
	const op = "chainrpc.Source.Head"
	c, err := s.p.current(ctx, op)
	if err != nil {
		return chains.Head{}, err
	}
	h, err := c.src.Head(ctx, &pb.Empty{})
	if err != nil {
		return chains.Head{}, s.p.failed(op, err)
	}
	return headFromPB(h), nil
}

func (s hostSource) Events(ctx context.Context, req chains.EventsRequest) (chains.EventsResponse, error) {
	const op = "chainrpc.Source.Events"
	if err := text(op, string(req.After)); err != nil {
		return chains.EventsResponse{}, err
	}
	c, err := s.p.current(ctx, op)
	if err != nil {
		return chains.EventsResponse{}, err
	}
	res, err := c.src.Events(ctx, &pb.EventsRequest{After: string(req.After), Confirmations: req.Confirmations, Limit: int64(req.Limit)})
	if err != nil {
		return chains.EventsResponse{}, s.p.failed(op, err)
	}
	return chains.EventsResponse{Events: eventsFromPB(res.GetEvents()), Next: chains.Cursor(res.GetNext()), Head: headFromPB(res.GetHead())}, nil
}

func (s hostSource) Reobserve(ctx context.Context, txid string) ([]chains.Event, error) {
	const op = "chainrpc.Source.Reobserve"
	if err := text(op, txid); err != nil {
		return nil, err
	}
	c, err := s.p.current(ctx, op)
	if err != nil {
		return nil, err
	}
	res, err := c.src.Reobserve(ctx, &pb.ReobserveRequest{TxId: txid})
	if err != nil {
		return nil, s.p.failed(op, err)
	}
	return eventsFromPB(res.GetEvents()), nil
}

// hostSink is the host's chains.Sink over a supervised plugin.
type hostSink struct{ p *Plugin }

func (s hostSink) Chain() chains.ID { return s.p.info.Chain }

func (s hostSink) Build(ctx context.Context, req chains.BuildRequest) (chains.Submission, error) {
	const op = "chainrpc.Sink.Build"
	if err := text(op, string(req.Kind)); err != nil {
		return chains.Submission{}, err
	}
	rot, err := rotationToPB(req.Rotate)
	if err != nil {
		return chains.Submission{}, err
	}
	c, err := s.p.current(ctx, op)
	if err != nil {
		return chains.Submission{}, err
	}
	sub, err := c.snk.Build(ctx, &pb.BuildRequest{Kind: string(req.Kind), Mint: mintToPB(req.Mint), Rotate: rot, Batch: batchToPB(req.Batch)})
	if err != nil {
		return chains.Submission{}, s.p.failed(op, err)
	}
	return submissionFromPB(sub), nil
}

func (s hostSink) Submit(ctx context.Context, req chains.SubmitRequest) (chains.Status, error) {
	const op = "chainrpc.Sink.Submit"
	if err := text(op, string(req.Submission.Kind), req.Submission.ID); err != nil {
		return chains.Status{}, err
	}
	for _, d := range req.Submission.Digests {
		if err := text(op, string(d.Scheme)); err != nil {
			return chains.Status{}, err
		}
	}
	c, err := s.p.current(ctx, op)
	if err != nil {
		return chains.Status{}, err
	}
	st, err := c.snk.Submit(ctx, &pb.SubmitRequest{Submission: submissionToPB(req.Submission), Signatures: signaturesToPB(req.Signatures)})
	if err != nil {
		return chains.Status{}, s.p.failed(op, err)
	}
	return statusFromPB(st), nil
}

func (s hostSink) Status(ctx context.Context, kind chains.SubmissionKind, id string) (chains.Status, error) {
	const op = "chainrpc.Sink.Status"
	if err := text(op, string(kind), id); err != nil {
		return chains.Status{}, err
	}
	c, err := s.p.current(ctx, op)
	if err != nil {
		return chains.Status{}, err
	}
	st, err := c.snk.Status(ctx, &pb.StatusRequest{Kind: string(kind), Id: id})
	if err != nil {
		return chains.Status{}, s.p.failed(op, err)
	}
	return statusFromPB(st), nil
}

func (s hostSink) Ledger(ctx context.Context) (chains.Ledger, error) {
	const op = "chainrpc.Sink.Ledger"
	c, err := s.p.current(ctx, op)
	if err != nil {
		return chains.Ledger{}, err
	}
	l, err := c.snk.Ledger(ctx, &pb.Empty{})
	if err != nil {
		return chains.Ledger{}, s.p.failed(op, err)
	}
	return ledgerFromPB(l), nil
}

func (s hostSink) Limits(ctx context.Context) (chains.Limits, error) {
	const op = "chainrpc.Sink.Limits"
	c, err := s.p.current(ctx, op)
	if err != nil {
		return chains.Limits{}, err
	}
	l, err := c.snk.Limits(ctx, &pb.Empty{})
	if err != nil {
		return chains.Limits{}, s.p.failed(op, err)
	}
	return chains.Limits{MinLock: l.GetMinLock(), MintFee: l.GetMintFee(), MinBurn: l.GetMinBurn()}, nil
}
