package relayer

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// reserveStub stands for the FLUX reserve sink: HandleEnvelope only needs
// burn → release to be enabled.
type reserveStub struct{ chains.Sink }

func (reserveStub) Chain() chains.ID { return chains.FluxL1 }

// A refund travels only as a refund-proposal and a release or a move only
// as a release-proposal: a proposal in the other kind's envelope is refused
// and not queued; the right one is queued.
func TestProposalEnvelopeKinds(t *testing.T) {
	member := make([]byte, 20)
	member[19] = 1
	txid := strings.Repeat("ab", 32)
	release := Proposal{Round: 3, TxID: txid, Payload: []byte{1}, Spend: chains.ReserveSpend{Chain: 1337, FromNonce: 0, ToNonce: 1,
		Payouts: []chains.Payout{{To: make([]byte, 22), Amount: 5}}}}
	refund := Proposal{Round: 3, TxID: txid, Payload: []byte{1}, Spend: chains.ReserveSpend{Refund: &chains.LockRef{Vout: 1},
		Payouts: []chains.Payout{{To: make([]byte, 22), Amount: 5}}}}
	move := Proposal{Round: 3, TxID: txid, Payload: []byte{1}, Spend: chains.ReserveSpend{ConsolidateAbove: 50}}
	setMove := Proposal{Round: 3, TxID: txid, Payload: []byte{1}, Spend: chains.ReserveSpend{MoveTo: []byte{0x52}}}
	payingMove := Proposal{Round: 3, TxID: txid, Payload: []byte{1}, Spend: chains.ReserveSpend{MoveTo: []byte{0x52},
		Payouts: []chains.Payout{{To: make([]byte, 22), Amount: 5}}}}
	cases := []struct {
		name   string
		kind   string
		p      Proposal
		queued bool
	}{
		{"a release as a release-proposal", KindReleaseProposal, release, true},
		{"a refund as a refund-proposal", KindRefundProposal, refund, true},
		{"a consolidation as a release-proposal", KindReleaseProposal, move, true},
		{"a refund as a release-proposal", KindReleaseProposal, refund, false},
		{"a release as a refund-proposal", KindRefundProposal, release, false},
		{"a consolidation as a refund-proposal", KindRefundProposal, move, false},
		{"a move to a new set as a release-proposal", KindReleaseProposal, setMove, true},
		{"a move to a new set as a refund-proposal", KindRefundProposal, setMove, false},
		{"a move to a new set that pays", KindReleaseProposal, payingMove, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &Relayer{cfg: Config{Members: [][]byte{member}, Releases: Releases{Reserve: reserveStub{}}},
				sets: []signerSet{{id: 1, members: [][]byte{member}, threshold: 1}}, proposals: map[string]proposalIn{}, drops: map[string]uint64{}}
			b, err := json.Marshal(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			err = r.HandleEnvelope(context.Background(), tc.kind, member, b, nil)
			_, queued := r.proposals[string(member)]
			if queued != tc.queued || (err == nil) != tc.queued || err != nil && fault.KindOf(err) != fault.Invalid {
				t.Fatalf("queued %v, err %v; want queued %v", queued, err, tc.queued)
			}
		})
	}
}
