package chainrpc

import (
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/fluxbridge/fluxbridge/chains"
	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
)

var fullEvent = chains.Event{
	Kind: chains.EventBurn, ID: "1337:burn:4", Chain: 1337, TxID: "0xab", Index: 3,
	Block:  chains.BlockRef{Height: 9, Hash: "0x09", Time: time.Unix(1700000000, 5).UTC()},
	Amount: 77, DestChain: chains.FluxL1, Recipient: []byte{1, 2}, FromNonce: 1, ToNonce: 2, Ref: "r",
	Invalid: "bad-memo", RefundTo: "t1x", Evidence: []byte{9}, Retracted: true, Nonce: 4, Sender: "0xcd",
}

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

func TestConvertersRoundTripThroughTheWire(t *testing.T) {
	t.Run("event, every field set", func(t *testing.T) {
		if got := eventFromPB(wire(t, eventToPB(fullEvent), &pb.Event{})); !reflect.DeepEqual(got, fullEvent) {
			t.Fatalf("\n got %+v\nwant %+v", got, fullEvent)
		}
	})
	t.Run("event, zero", func(t *testing.T) {
		if got := eventFromPB(wire(t, eventToPB(chains.Event{}), &pb.Event{})); !reflect.DeepEqual(got, chains.Event{}) {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("head", func(t *testing.T) {
		h := chains.Head{Tip: fullEvent.Block, Final: chains.BlockRef{Height: 2}, Healthy: true, Reason: ""}
		if got := headFromPB(wire(t, headToPB(h), &pb.ChainHead{})); !reflect.DeepEqual(got, h) {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("mint", func(t *testing.T) {
		m := chains.Mint{Amount: 5}
		m.Lock.TxID[31], m.Lock.Vout, m.Recipient[0] = 7, 3, 1
		got, err := mintFromPB(wire(t, mintToPB(&m), &pb.Mint{}))
		if err != nil || *got != m {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("submission", func(t *testing.T) {
		s := chains.Submission{Kind: chains.SubmitMint, ID: "flux:x:0", Payload: []byte{1}, Threshold: 2,
			Digests: []chains.Digest{{Scheme: chains.SchemeSecp256k1, Hash: []byte{3}}}}
		if got := submissionFromPB(wire(t, submissionToPB(s), &pb.Submission{})); !reflect.DeepEqual(got, s) {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("signatures", func(t *testing.T) {
		sigs := []chains.Signature{{Signer: []byte{1}, Digest: 1, Sig: []byte{2}}}
		got := signaturesFromPB(wire(t, &pb.SubmitRequest{Signatures: signaturesToPB(sigs)}, &pb.SubmitRequest{}).GetSignatures())
		if !reflect.DeepEqual(got, sigs) {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("status", func(t *testing.T) {
		s := chains.Status{ID: "i", State: chains.StatePartial, TxID: "0x1", Block: fullEvent.Block, Minted: 1, Remaining: 2, Reason: "rate"}
		if got := statusFromPB(wire(t, statusToPB(s), &pb.SubmissionStatus{})); !reflect.DeepEqual(got, s) {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("ledger", func(t *testing.T) {
		l := chains.Ledger{Chain: 56, Minted: 1, Burned: 2, BurnCount: 3, PausedUntil: 4, At: fullEvent.Block}
		if got := ledgerFromPB(wire(t, ledgerToPB(l), &pb.LedgerState{})); !reflect.DeepEqual(got, l) {
			t.Fatalf("got %+v", got)
		}
	})
}

func TestConvertersAcceptNil(t *testing.T) {
	if eventFromPB(nil).ID != "" || headFromPB(nil).Healthy || blockFromPB(nil).Height != 0 ||
		submissionFromPB(nil).ID != "" || statusFromPB(nil).ID != "" || ledgerFromPB(nil).Chain != 0 {
		t.Fatal("a nil message did not convert to the zero value")
	}
	if m, err := mintFromPB(nil); m != nil || err != nil {
		t.Fatalf("nil mint: %v %v", m, err)
	}
	if eventsFromPB([]*pb.Event{nil})[0].ID != "" {
		t.Fatal("a nil event in a list")
	}
}

func TestMintWithWrongLengthsIsInvalid(t *testing.T) {
	for _, m := range []*pb.Mint{
		{Lock: &pb.LockRef{TxId: make([]byte, 31)}, Recipient: make([]byte, 32)},
		{Lock: &pb.LockRef{TxId: make([]byte, 32)}, Recipient: make([]byte, 33)},
		{Recipient: make([]byte, 32)},
	} {
		if _, err := mintFromPB(m); chains.KindOf(err) != chains.KindInvalid {
			t.Errorf("%v: %v", m, err)
		}
	}
}

// FuzzEventFromWire: any bytes a plugin sends decode and convert without
// panicking, and a converted event converts back to itself.
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

// FuzzMintFromWire: a Build request's mint is checked, never truncated.
func FuzzMintFromWire(f *testing.F) {
	b, _ := proto.Marshal(mintToPB(&chains.Mint{Amount: 1}))
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var m pb.Mint
		if proto.Unmarshal(b, &m) != nil {
			return
		}
		got, err := mintFromPB(&m)
		if err != nil || got == nil {
			return
		}
		if back := mintToPB(got); !proto.Equal(back, &pb.Mint{Lock: &pb.LockRef{TxId: m.GetLock().GetTxId(), Vout: m.GetLock().GetVout()}, Amount: m.GetAmount(), Recipient: m.GetRecipient()}) {
			t.Fatalf("mint %v converts back as %v", &m, back)
		}
	})
}
