package chainrpc

import (
	"bytes"
	"context"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/fluxbridge/fluxbridge/chains"
	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
	"github.com/fluxbridge/fluxbridge/fault"
)

var (
	fullBlock = chains.BlockRef{Height: 9, Hash: "0x09", Time: time.Unix(1700000000, 5).UTC()}
	fullEvent = chains.Event{
		Kind: chains.EventBurn, ID: "1337:burn:4", Chain: 1337, TxID: "0xab", Index: 3, Block: fullBlock,
		Amount: 77, DestChain: chains.FluxL1, Recipient: []byte{1, 2}, FromNonce: 1, ToNonce: 2, Ref: "r",
		Invalid: "bad-memo", RefundTo: "t1x", Evidence: []byte{9}, Retracted: true, Nonce: 4, Sender: "0xcd",
	}
)

// wire sends m through its binary encoding, as the boundary does.
func wire[M proto.Message](t *testing.T, m M, fresh M) M {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(b, fresh); err != nil {
		t.Fatal(err)
	}
	return fresh
}

// Every type of the chain contract survives toPB, the wire and fromPB. Empty
// and nil byte slices and lists both arrive as nil; the zero time arrives as
// the zero time, and other times in UTC.
func TestConvertersRoundTripThroughTheWire(t *testing.T) {
	mint := chains.Mint{Amount: 5}
	mint.Lock.TxID[31], mint.Lock.Vout, mint.Recipient[0] = 7, 3, 1
	other := chains.Mint{Amount: math.MaxUint64, Lock: chains.LockRef{Vout: math.MaxUint32}}
	other.Lock.TxID[0], other.Recipient[31] = 0xff, 2
	rotation := chains.Rotation{SetID: 9, Threshold: 2, Signers: [][]byte{
		bytes.Repeat([]byte{1}, 20), bytes.Repeat([]byte{2}, 20), bytes.Repeat([]byte{0xff}, 20)}}
	for _, tc := range []struct {
		name     string
		in, want any
		trip     func(t *testing.T, in any) any
	}{
		{"event, every field", fullEvent, fullEvent, tripEvent},
		{"event, zero", chains.Event{}, chains.Event{}, tripEvent},
		{"event, empty slices", chains.Event{Recipient: []byte{}, Evidence: []byte{}}, chains.Event{}, tripEvent},
		{"event, local time", chains.Event{Block: chains.BlockRef{Time: time.Unix(1, 2).In(time.FixedZone("X", 3600))}},
			chains.Event{Block: chains.BlockRef{Time: time.Unix(1, 2).UTC()}}, tripEvent},
		{"events, several", []chains.Event{fullEvent, {}, fullEvent}, []chains.Event{fullEvent, {}, fullEvent}, tripEvents},
		{"events, none", []chains.Event{}, []chains.Event(nil), tripEvents},
		{"events, nil", []chains.Event(nil), []chains.Event(nil), tripEvents},
		{"head", chains.Head{Tip: fullBlock, Final: chains.BlockRef{Height: 2}, Healthy: true},
			chains.Head{Tip: fullBlock, Final: chains.BlockRef{Height: 2}, Healthy: true}, tripHead},
		{"head, unhealthy", chains.Head{Reason: "behind"}, chains.Head{Reason: "behind"}, tripHead},
		{"mint", &mint, &mint, tripMint},
		{"mint, nil", (*chains.Mint)(nil), (*chains.Mint)(nil), tripMint},
		{"batch", []chains.Mint{mint, {}, other}, []chains.Mint{mint, {}, other}, tripBatch},
		{"batch, one mint", []chains.Mint{other}, []chains.Mint{other}, tripBatch},
		{"batch, empty", []chains.Mint{}, []chains.Mint(nil), tripBatch},
		{"batch, nil", []chains.Mint(nil), []chains.Mint(nil), tripBatch},
		{"rotation", &rotation, &rotation, tripRotation},
		{"rotation, nil", (*chains.Rotation)(nil), (*chains.Rotation)(nil), tripRotation},
		{"rotation, zero", &chains.Rotation{}, &chains.Rotation{}, tripRotation},
		{"rotation, no signers", &chains.Rotation{SetID: 1, Signers: [][]byte{}, Threshold: 1}, &chains.Rotation{SetID: 1, Threshold: 1}, tripRotation},
		{"rotation, extremes", &chains.Rotation{SetID: math.MaxUint32, Threshold: math.MaxUint32, Signers: [][]byte{make([]byte, 20)}},
			&chains.Rotation{SetID: math.MaxUint32, Threshold: math.MaxUint32, Signers: [][]byte{make([]byte, 20)}}, tripRotation},
		{"submission", chains.Submission{Kind: chains.SubmitMint, ID: "flux:x:0", Payload: []byte{1}, Threshold: 2,
			Digests: []chains.Digest{{Scheme: chains.SchemeSecp256k1, Hash: []byte{3}}, {Scheme: chains.SchemeEd25519}}},
			chains.Submission{Kind: chains.SubmitMint, ID: "flux:x:0", Payload: []byte{1}, Threshold: 2,
				Digests: []chains.Digest{{Scheme: chains.SchemeSecp256k1, Hash: []byte{3}}, {Scheme: chains.SchemeEd25519}}}, tripSubmission},
		{"submission, empty digests", chains.Submission{Digests: []chains.Digest{}}, chains.Submission{}, tripSubmission},
		{"signatures", []chains.Signature{{Signer: []byte{1}, Digest: 1, Sig: []byte{2}}, {Digest: -1}},
			[]chains.Signature{{Signer: []byte{1}, Digest: 1, Sig: []byte{2}}, {Digest: -1}}, tripSignatures},
		{"signatures, none", []chains.Signature{}, []chains.Signature(nil), tripSignatures},
		{"status", chains.Status{ID: "i", State: chains.StatePartial, TxID: "0x1", Block: fullBlock, Minted: 1, Remaining: 2, Reason: "rate"},
			chains.Status{ID: "i", State: chains.StatePartial, TxID: "0x1", Block: fullBlock, Minted: 1, Remaining: 2, Reason: "rate"}, tripStatus},
		{"ledger", chains.Ledger{Chain: 56, Minted: 1, Burned: 2, BurnCount: 3, PausedUntil: -4, At: fullBlock},
			chains.Ledger{Chain: 56, Minted: 1, Burned: 2, BurnCount: 3, PausedUntil: -4, At: fullBlock}, tripLedger},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.trip(t, tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("\n got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func tripEvent(t *testing.T, in any) any {
	return eventFromPB(wire(t, eventToPB(in.(chains.Event)), &pb.Event{}))
}

func tripEvents(t *testing.T, in any) any {
	return eventsFromPB(wire(t, &pb.EventsResponse{Events: eventsToPB(in.([]chains.Event))}, &pb.EventsResponse{}).GetEvents())
}

func tripHead(t *testing.T, in any) any {
	return headFromPB(wire(t, headToPB(in.(chains.Head)), &pb.ChainHead{}))
}

func tripMint(t *testing.T, in any) any {
	req := wire(t, &pb.BuildRequest{Mint: mintToPB(in.(*chains.Mint))}, &pb.BuildRequest{})
	m, err := mintFromPB(req.GetMint())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func tripBatch(t *testing.T, in any) any {
	req := wire(t, &pb.BuildRequest{Kind: string(chains.SubmitMintBatch), Batch: batchToPB(in.([]chains.Mint))}, &pb.BuildRequest{})
	ms, err := batchFromPB(req.GetBatch())
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func tripRotation(t *testing.T, in any) any {
	r, err := rotationToPB(in.(*chains.Rotation))
	if err != nil {
		t.Fatal(err)
	}
	req := wire(t, &pb.BuildRequest{Kind: string(chains.SubmitRotate), Rotate: r}, &pb.BuildRequest{})
	out, err := rotationFromPB(req.GetRotate())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func tripSubmission(t *testing.T, in any) any {
	return submissionFromPB(wire(t, submissionToPB(in.(chains.Submission)), &pb.Submission{}))
}

func tripSignatures(t *testing.T, in any) any {
	return signaturesFromPB(wire(t, &pb.SubmitRequest{Signatures: signaturesToPB(in.([]chains.Signature))}, &pb.SubmitRequest{}).GetSignatures())
}

func tripStatus(t *testing.T, in any) any {
	return statusFromPB(wire(t, statusToPB(in.(chains.Status)), &pb.SubmissionStatus{}))
}

func tripLedger(t *testing.T, in any) any {
	return ledgerFromPB(wire(t, ledgerToPB(in.(chains.Ledger)), &pb.LedgerState{}))
}

// A nil message converts to the zero value; so does a nil entry in a list.
func TestConvertersAcceptNil(t *testing.T) {
	for name, got := range map[string]any{
		"block":      blockFromPB(nil),
		"head":       headFromPB(nil),
		"event":      eventFromPB(nil),
		"submission": submissionFromPB(nil),
		"status":     statusFromPB(nil),
		"ledger":     ledgerFromPB(nil),
	} {
		if !reflect.ValueOf(got).IsZero() {
			t.Errorf("%s: %#v", name, got)
		}
	}
	if m, err := mintFromPB(nil); m != nil || err != nil {
		t.Errorf("nil mint: %v %v", m, err)
	}
	if r, err := rotationFromPB(nil); r != nil || err != nil {
		t.Errorf("nil rotation: %v %v", r, err)
	}
	if r, err := rotationToPB(nil); r != nil || err != nil {
		t.Errorf("nil rotation to the wire: %v %v", r, err)
	}
	if evs := eventsFromPB([]*pb.Event{nil, {Id: "x"}}); len(evs) != 2 || !reflect.ValueOf(evs[0]).IsZero() || evs[1].ID != "x" {
		t.Errorf("a nil event in a list: %#v", evs)
	}
	sub := submissionFromPB(&pb.Submission{Digests: []*pb.Digest{nil}})
	sigs := signaturesFromPB([]*pb.Signature{nil})
	if len(sub.Digests) != 1 || len(sigs) != 1 || sub.Digests[0].Hash != nil || sigs[0].Sig != nil {
		t.Errorf("nil entries: %#v %#v", sub, sigs)
	}
}

// A mint's fixed-size fields of another length are the caller's error,
// reported rather than truncated or padded.
func TestMintWithWrongLengthsIsInvalid(t *testing.T) {
	for name, m := range map[string]*pb.Mint{
		"short txid":     {Lock: &pb.LockRef{TxId: make([]byte, 31)}, Recipient: make([]byte, 32)},
		"long recipient": {Lock: &pb.LockRef{TxId: make([]byte, 32)}, Recipient: make([]byte, 33)},
		"no lock":        {Recipient: make([]byte, 32)},
		"no recipient":   {Lock: &pb.LockRef{TxId: make([]byte, 32)}},
	} {
		if _, err := mintFromPB(m); fault.KindOf(err) != fault.Invalid {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A batch with a mint that is malformed (as TestMintWithWrongLengthsIsInvalid
// has them) or missing is refused whole, naming the mint, never shortened.
func TestBatchWithAMalformedMintIsInvalid(t *testing.T) {
	good := mintToPB(&chains.Mint{Amount: 1})
	for name, bad := range map[string]*pb.Mint{
		"short txid":     {Lock: &pb.LockRef{TxId: make([]byte, 31)}, Recipient: make([]byte, 32)},
		"long recipient": {Lock: &pb.LockRef{TxId: make([]byte, 32)}, Recipient: make([]byte, 33)},
		"no lock":        {Recipient: make([]byte, 32)},
		"no recipient":   {Lock: &pb.LockRef{TxId: make([]byte, 32)}},
		"missing":        nil,
	} {
		ms, err := batchFromPB([]*pb.Mint{good, good, bad, good})
		if fault.KindOf(err) != fault.Invalid || ms != nil || !strings.Contains(err.Error(), "mint 2 of the batch") {
			t.Errorf("%s: %v, %v", name, ms, err)
		}
	}
	if ms, err := batchFromPB([]*pb.Mint{good, good}); err != nil || len(ms) != 2 || ms[1].Amount != 1 {
		t.Fatalf("a well-formed batch: %v, %v", ms, err)
	}
}

// batchSink records the Build requests it gets.
type batchSink struct {
	fakeSink
	got []chains.BuildRequest
}

func (b *batchSink) Build(_ context.Context, req chains.BuildRequest) (chains.Submission, error) {
	b.got = append(b.got, req)
	return chains.Submission{Kind: req.Kind, ID: "batch:x"}, nil
}

// The plugin's server hands a Build request's batch to its sink as it came,
// and refuses one with a malformed mint before the sink sees it.
func TestBuildServesTheBatch(t *testing.T) {
	snk := &batchSink{fakeSink: fakeSink{chain: 5}}
	s := configured(t, MaxPageBytes, &Impl{Sink: snk})
	var a, b chains.Mint
	a.Lock.TxID[0], a.Amount, a.Recipient[31] = 1, 10, 1
	b.Lock.TxID[0], b.Lock.Vout, b.Amount, b.Recipient[31] = 2, 7, 20, 2
	batch := []chains.Mint{b, a}
	req := wire(t, &pb.BuildRequest{Kind: string(chains.SubmitMintBatch), Batch: batchToPB(batch)}, &pb.BuildRequest{})
	sub, err := sinkServer{s: s}.Build(context.Background(), req)
	if err != nil || sub.GetId() != "batch:x" {
		t.Fatalf("Build = %v, %v", sub, host(err))
	}
	want := chains.BuildRequest{Kind: chains.SubmitMintBatch, Batch: batch}
	if len(snk.got) != 1 || !reflect.DeepEqual(snk.got[0], want) {
		t.Fatalf("the sink got %+v, want %+v", snk.got, want)
	}
	req.Batch[1].Recipient = req.Batch[1].Recipient[:31]
	if _, err := (sinkServer{s: s}).Build(context.Background(), req); fault.KindOf(host(err)) != fault.Invalid ||
		!strings.Contains(host(err).Error(), "mint 1 of the batch") {
		t.Fatalf("Build of a malformed batch = %v, want invalid", host(err))
	}
	if len(snk.got) != 1 {
		t.Fatal("the sink saw a malformed batch")
	}
}

// A batch crosses to a real plugin process: the memplugin's server refuses
// a malformed mint of it on the wire with fault.Invalid, and the host's
// Build sends it (the memplugin's sink then refuses the kind it does not
// know, which is the plugin's answer, not the host's).
func TestBatchCrossesToThePlugin(t *testing.T) {
	p := start(t, `{"chain_id":77,"events":1}`)
	c, err := p.current(ctxT(t), "test")
	if err != nil {
		t.Fatal(err)
	}
	good := mintToPB(&chains.Mint{Amount: 1})
	_, err = c.snk.Build(ctxT(t), &pb.BuildRequest{Kind: string(chains.SubmitMintBatch),
		Batch: []*pb.Mint{good, {Lock: &pb.LockRef{TxId: make([]byte, 33)}, Recipient: make([]byte, 32)}}})
	if err = fromStatus("test", err); fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "mint 1 of the batch: lock txid is 33 bytes") {
		t.Fatalf("a malformed batch on the wire: %v", err)
	}
	_, err = p.Sink().Build(ctxT(t), chains.BuildRequest{Kind: chains.SubmitMintBatch, Batch: []chains.Mint{{Amount: 1}}})
	if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), "mem.Build") {
		t.Fatalf("a batch the memplugin does not build: %v", err)
	}
}

// A rotation's signers of another length than an address, and thresholds
// the other side cannot hold, are the caller's error both ways, reported
// rather than truncated or padded.
func TestRotationWithWrongLengthsIsInvalid(t *testing.T) {
	addr := make([]byte, chains.SignerAddressLen)
	toWire := map[string]*chains.Rotation{
		"short signer":       {Signers: [][]byte{addr, addr[:19]}, Threshold: 1},
		"long signer":        {Signers: [][]byte{make([]byte, 32)}, Threshold: 1},
		"nil signer":         {Signers: [][]byte{nil}, Threshold: 1},
		"negative threshold": {Signers: [][]byte{addr}, Threshold: -1},
	}
	if huge := math.MaxInt; uint64(huge) > math.MaxUint32 {
		toWire["threshold above 2^32-1"] = &chains.Rotation{Signers: [][]byte{addr}, Threshold: huge}
	}
	for name, r := range toWire {
		if _, err := rotationToPB(r); fault.KindOf(err) != fault.Invalid {
			t.Errorf("to the wire, %s: %v", name, err)
		}
	}
	for name, r := range map[string]*pb.Rotation{
		"short signer": {Signers: [][]byte{addr, addr[:19]}, Threshold: 1},
		"long signer":  {Signers: [][]byte{make([]byte, 21)}, Threshold: 1},
		"empty signer": {Signers: [][]byte{{}}, Threshold: 1},
	} {
		if _, err := rotationFromPB(r); fault.KindOf(err) != fault.Invalid {
			t.Errorf("from the wire, %s: %v", name, err)
		}
	}
}

// FuzzRotationFromWire: a Build request's rotation is checked, never
// truncated, and converts back to the same wire message.
func FuzzRotationFromWire(f *testing.F) {
	r, _ := rotationToPB(&chains.Rotation{SetID: 2, Threshold: 2, Signers: [][]byte{make([]byte, 20), bytes.Repeat([]byte{9}, 20)}})
	b, _ := proto.Marshal(&pb.BuildRequest{Kind: string(chains.SubmitRotate), Rotate: r})
	f.Add(b)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var req pb.BuildRequest
		if proto.Unmarshal(b, &req) != nil {
			return
		}
		got, err := rotationFromPB(req.GetRotate())
		if err != nil {
			if fault.KindOf(err) != fault.Invalid {
				t.Fatalf("error of kind %v: %v", fault.KindOf(err), err)
			}
			return
		}
		if got == nil {
			if req.GetRotate() != nil {
				t.Fatal("a rotation converted to nil")
			}
			return
		}
		for i, s := range got.Signers {
			if len(s) != chains.SignerAddressLen {
				t.Fatalf("signer %d of %d bytes accepted", i, len(s))
			}
		}
		back, err := rotationToPB(got)
		if err != nil {
			t.Fatalf("%+v does not convert back: %v", got, err)
		}
		want := &pb.Rotation{SetId: req.GetRotate().GetSetId(), Signers: req.GetRotate().GetSigners(), Threshold: req.GetRotate().GetThreshold()}
		if !proto.Equal(back, want) {
			t.Fatalf("rotation %v converts back as %v", req.GetRotate(), back)
		}
	})
}

// FuzzEventFromWire: any bytes a plugin sends as an event decode and convert
// without panicking, and a converted event converts back to itself.
func FuzzEventFromWire(f *testing.F) {
	b, _ := proto.Marshal(eventToPB(fullEvent))
	f.Add(b)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var m pb.Event
		if proto.Unmarshal(b, &m) != nil {
			return
		}
		ev := eventFromPB(&m)
		if again := eventFromPB(eventToPB(ev)); !reflect.DeepEqual(again, ev) {
			t.Fatalf("%+v converts back as %+v", ev, again)
		}
	})
}

// FuzzResponsesFromWire: any bytes decode as each response a plugin sends
// and convert without panicking, stably (converting the converted value
// back and forth gives it again).
func FuzzResponsesFromWire(f *testing.F) {
	for _, m := range []proto.Message{
		&pb.EventsResponse{Events: eventsToPB([]chains.Event{fullEvent, {}}), Next: "n", Head: headToPB(chains.Head{Tip: fullBlock})},
		submissionToPB(chains.Submission{ID: "i", Digests: []chains.Digest{{Scheme: "s", Hash: []byte{1}}}}),
		statusToPB(chains.Status{ID: "i", Block: fullBlock}),
		ledgerToPB(chains.Ledger{Chain: 1, At: fullBlock}),
	} {
		b, _ := proto.Marshal(m)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var er pb.EventsResponse
		if proto.Unmarshal(b, &er) == nil {
			evs, h := eventsFromPB(er.GetEvents()), headFromPB(er.GetHead())
			if !reflect.DeepEqual(eventsFromPB(eventsToPB(evs)), evs) || headFromPB(headToPB(h)) != h {
				t.Fatal("events response unstable")
			}
		}
		var sub pb.Submission
		if proto.Unmarshal(b, &sub) == nil {
			s := submissionFromPB(&sub)
			if !reflect.DeepEqual(submissionFromPB(submissionToPB(s)), s) {
				t.Fatal("submission unstable")
			}
		}
		var st pb.SubmissionStatus
		if proto.Unmarshal(b, &st) == nil {
			s := statusFromPB(&st)
			if statusFromPB(statusToPB(s)) != s {
				t.Fatal("status unstable")
			}
		}
		var l pb.LedgerState
		if proto.Unmarshal(b, &l) == nil {
			v := ledgerFromPB(&l)
			if ledgerFromPB(ledgerToPB(v)) != v {
				t.Fatal("ledger unstable")
			}
		}
	})
}

// FuzzMintFromWire: a Build request's mint is checked, never truncated.
func FuzzMintFromWire(f *testing.F) {
	b, _ := proto.Marshal(mintToPB(&chains.Mint{Amount: 1}))
	f.Add(b)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var m pb.Mint
		if proto.Unmarshal(b, &m) != nil {
			return
		}
		got, err := mintFromPB(&m)
		if err != nil || got == nil {
			return
		}
		want := &pb.Mint{Lock: &pb.LockRef{TxId: m.GetLock().GetTxId(), Vout: m.GetLock().GetVout()}, Amount: m.GetAmount(), Recipient: m.GetRecipient()}
		if back := mintToPB(got); !proto.Equal(back, want) {
			t.Fatalf("mint %v converts back as %v", &m, back)
		}
	})
}
