package reserve

import (
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/address"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// Golden conversions of each kind to chains.Event, written out field by
// field from the contract: ids "flux:<display txid>:<vout>" and
// "flux:spend:<display txid>", display hashes, zatoshi amounts, the
// kind-specific fields, and the proof's encoding as evidence.
func TestEventGolden(t *testing.T) {
	txid := chainhash.MustFromDisplay("98f6cabf29786a107ee29aeb54da16a5490dbe86a0fe84eede2b9e310ceeb648")
	lockTxID := chainhash.MustFromDisplay("0000000000000000000000000000000000000000000000000000000000c0ffee")
	blockHash := chainhash.MustFromDisplay("00000000000000000000000000000000000000000000000000000000000b10c0")
	at := time.Unix(1_700_000_000, 0).UTC()
	proof := &Proof{Header: []byte{1}, TxIndex: 1, TxCount: 2, Branch: []chainhash.Hash{{2}}, RawTx: []byte{3}}
	ev := evidence(proof)
	recipient := memo.EVMRecipient(evmAddr)
	block := chains.BlockRef{Height: 2_100_000, Hash: "00000000000000000000000000000000000000000000000000000000000b10c0", Time: at}
	const display = "98f6cabf29786a107ee29aeb54da16a5490dbe86a0fe84eede2b9e310ceeb648"
	tests := []struct {
		name string
		got  chains.Event
		want chains.Event
	}{
		{"lock",
			(&Lock{TxID: txid, Vout: 1, Height: 2_100_000, Value: 5 * tx.Coin, Memo: memo.Lock{ChainID: 56, Recipient: recipient}, HasMemo: true, Proof: proof}).
				Event(chains.FluxL1, blockHash, at),
			chains.Event{Kind: chains.EventLock, ID: "flux:" + display + ":1", Chain: chains.FluxL1, TxID: display, Index: 1,
				Block: block, Amount: 500_000_000, DestChain: 56, Recipient: recipient[:], Evidence: ev}},
		{"invalid lock with a refund address",
			(&Lock{TxID: txid, Vout: 0, Height: 2_100_000, Value: 7, Invalid: ReasonBelowMinimum, HasMemo: true, Memo: memo.Lock{ChainID: 56, Recipient: recipient},
				RefundAddress: address.Address{Kind: address.P2PKH}, HasRefundAddress: true, RefundTo: "t1Hsc1LR8yKnbbe3twRp88p6vFfC5t7DLbs", Proof: proof}).
				Event(chains.FluxL1, blockHash, at),
			chains.Event{Kind: chains.EventInvalidLock, ID: "flux:" + display + ":0", Chain: chains.FluxL1, TxID: display, Index: 0,
				Block: block, Amount: 7, Invalid: "below-minimum", RefundTo: "t1Hsc1LR8yKnbbe3twRp88p6vFfC5t7DLbs", Evidence: ev}},
		{"invalid lock awaiting a claim",
			(&Lock{TxID: txid, Vout: 2, Height: 2_100_000, Value: 9, Invalid: Reason(memo.CodeLength), Proof: proof}).Event(chains.FluxL1, blockHash, at),
			chains.Event{Kind: chains.EventInvalidLock, ID: "flux:" + display + ":2", Chain: chains.FluxL1, TxID: display, Index: 2,
				Block: block, Amount: 9, Invalid: "memo-length", Evidence: ev}},
		{"release",
			(&Spend{Kind: chains.EventRelease, TxID: txid, Height: 2_100_000, Paid: 123, Release: memo.Release{ChainID: 0xF0000001, FromNonce: 4, ToNonce: 9}, Proof: proof}).
				Event(chains.FluxL1, blockHash, at),
			chains.Event{Kind: chains.EventRelease, ID: "flux:spend:" + display, Chain: chains.FluxL1, TxID: display,
				Block: block, Amount: 123, DestChain: chains.SolanaMainnet, FromNonce: 4, ToNonce: 9, Evidence: ev}},
		{"refund",
			(&Spend{Kind: chains.EventRefund, TxID: txid, Height: 2_100_000, Paid: 456, Refund: memo.Refund{LockTxID: lockTxID, Vout: 3}, Proof: proof}).
				Event(chains.FluxL1, blockHash, at),
			chains.Event{Kind: chains.EventRefund, ID: "flux:spend:" + display, Chain: chains.FluxL1, TxID: display,
				Block: block, Amount: 456, Ref: "flux:0000000000000000000000000000000000000000000000000000000000c0ffee:3", Evidence: ev}},
		{"reserve spend",
			(&Spend{Kind: chains.EventReserveSpend, TxID: txid, Height: 2_100_000, MemoProblem: ReasonMultipleOpReturn, Proof: proof}).
				Event(chains.FluxL1, blockHash, at),
			chains.Event{Kind: chains.EventReserveSpend, ID: "flux:spend:" + display, Chain: chains.FluxL1, TxID: display,
				Block: block, Evidence: ev}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Fatalf("Event =\n%+v\nwant\n%+v", tc.got, tc.want)
			}
		})
	}
	want := "01" + "0101" + "01000000" + "02000000" + "01" + "02" + strings.Repeat("00", 31) + "0103"
	if hex.EncodeToString(ev) != want {
		t.Errorf("evidence %x, want %s", ev, want)
	}
}

// Events of a scanned block carry evidence that decodes and verifies to the
// event's transaction, and a refund's Ref is the id of the lock it refunds.
func TestScannedEventsCarryVerifiableEvidence(t *testing.T) {
	deposit := userPayment(t, 1, toReserve(tx.Coin)) // memo missing: invalid
	lockOut := chainhash.OutPoint{Hash: deposit.TxID(), Index: 0}
	refund := reserveSpend(t, []chainhash.OutPoint{lockOut}, tx.Coin,
		toUser(tx.Coin-1000), memoOut(memo.Refund{LockTxID: lockOut.Hash, Vout: lockOut.Index}))
	h, txs := block(deposit, refund)
	res, err := testScanner(t).ScanBlock(testHeight, h, txs, nil)
	if err != nil {
		t.Fatal(err)
	}
	lockEv := res.Locks[0].Event(chains.FluxL1, h.BlockHash(), time.Unix(int64(h.Time), 0))
	refundEv := res.Spends[0].Event(chains.FluxL1, h.BlockHash(), time.Unix(int64(h.Time), 0))
	if lockEv.Kind != chains.EventInvalidLock || refundEv.Kind != chains.EventRefund || refundEv.Ref != lockEv.ID {
		t.Fatalf("lock %s %s, refund %s ref %s", lockEv.Kind, lockEv.ID, refundEv.Kind, refundEv.Ref)
	}
	if lockEv.RefundTo != userAddress() || refundEv.Amount != uint64(tx.Coin-1000) || lockEv.Block.Hash != h.BlockHash().String() {
		t.Errorf("lock refund to %s, refund amount %d, block %s", lockEv.RefundTo, refundEv.Amount, lockEv.Block.Hash)
	}
	for _, ev := range []chains.Event{lockEv, refundEv} {
		p, err := UnmarshalProof(ev.Evidence)
		if err != nil {
			t.Fatalf("%s: %v", ev.ID, err)
		}
		txid, err := p.Verify()
		if err != nil || txid.String() != ev.TxID {
			t.Fatalf("%s: evidence verifies to %s, %v", ev.ID, txid, err)
		}
	}
}
