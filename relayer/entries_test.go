package relayer

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/fluxbridge/fluxbridge/fault"
)

var (
	spendSample = SpendRecord{TxID: "x", Kind: "release", Round: 3, Proposer: "ab", Chain: 56, From: 1 << 62, To: 1<<62 + 9, Ref: "r",
		Inputs: []string{"a:1"}, Expiry: 40, Unsigned: "0102"}
	onChainSample = SpendOnChain{TxID: "x", Tx: "y", Kind: "refund", Chain: 1, From: 2, To: 3, Ref: "f", Inputs: []string{"i:0"},
		Height: 7, Block: "b", Evidence: "ee"}
)

// Every kind is registered under its own name, and an entry survives the
// journal's JSON and DecodeEntry unchanged: what the pipeline writes, the
// audit replay reads back.
func TestEntriesRoundTrip(t *testing.T) {
	lock := Lock{ID: "flux:ab:1", TxID: "ab", Vout: 1, Amount: 1<<63 + 5, Dest: 1337, Recipient: "00ff", Height: 7, Block: "cd",
		Evidence: "0102", Invalid: "memo", RefundTo: "t1x"}
	samples := []Entry{
		LockSeen{lock}, LockOrphaned{ID: "x", Height: 3, Block: "b"}, LockFinal{lock}, RefundDue{Lock: lock, Reason: "r"},
		EventRejected{Lock: lock, Error: "e"}, Headers{From: 1, To: 2, Prev: "p", Headers: []string{"aa", "bb"}}, DeepReorg{lock},
		GovernorHeld{ID: "x", Amount: 1 << 60, ReleaseAt: "2026-01-01T00:00:00.000Z", Reason: "large"},
		MintAttested{ID: "x", Dest: 1, Bridge: "b", Amount: ^uint64(0), Recipient: "r", Digest: "d", Sig: "s", Block: "k", Tip: 9, Governor: "g"},
		AttestationsReceived{Attestations: []ReceivedAttestation{{ID: "x", Signer: "s", Envelope: "e"}}},
		PeerConflict{ID: "x", Signer: "s", Reason: "r", Envelope: "e"}, Quorum{ID: "x", Signers: []string{"a", "b"}},
		MintSubmitted{ID: "x", Tx: "t", State: "pending", Rank: 2, Signers: []string{"a"}},
		SubmitRefused{ID: "x", Error: "e", Attempts: 3, Signers: []string{"a"}},
		Minted{ID: "x", Tx: "t", Block: "b", Height: 4, Minted: 1 << 55}, SigningPaused{Reason: "r"}, SigningResumed{ClearHalt: true},
		SigningHalted{Reason: "r", Transfer: "x", Minted: 1, This: 2, Locked: 3}, SigningRefused{Reason: "r", Cause: "paused"},
		SigningHealthy{Previous: "p"}, ReobserveAnswer{ID: "x", AskedBy: "a"},
		BurnFinalized{BurnRecord{ID: "1337:burn:2", Chain: 1337, Nonce: 1 << 62, Amount: 1<<63 + 1, To: "1cb8", Sender: "0xab", TxID: "0xcd", Height: 5, Block: "0xef", Evidence: "01"}},
		BurnUnpayable{ID: "1337:burn:2", Reason: "r"},
		ReserveSpendSigned{SpendRecord: spendSample, Sigs: []string{"aa"}}, ReserveSpendRefused{SpendRecord: spendSample, Reason: "r"},
		ReserveSpendSent{TxID: "x", Tx: "y", Signers: []string{"a"}},
		ReserveSpendMined{onChainSample}, ReserveSpendSettled{onChainSample}, ReserveSpendDead{TxID: "x", Reason: "r", Height: 9},
		RotationSigned{Chain: 1337, SetID: 2, Signers: []string{"aa", "bb"}, Threshold: 2, Digest: "dd", Sig: "ss"}, SignersRotated{Chain: 1337, SetID: 2},
		MintBatchSigned{Batch: "batch:ab", Dest: 1337, Bridge: "b", Block: "k", Transfers: []string{"x", "y"}, Digest: "d", Sig: "s"},
		MintBatchSubmitted{Batch: "batch:ab", Tx: "t", State: "pending", Rank: 1, Signers: []string{"a"}, Transfers: []string{"x"}},
	}
	seen := map[string]bool{}
	for _, e := range samples {
		kind := e.JournalKind()
		if seen[kind] {
			t.Errorf("two sample types of kind %s", kind)
		}
		seen[kind] = true
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeEntry(kind, b)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if got := reflect.ValueOf(back).Elem().Interface(); !reflect.DeepEqual(got, e) {
			t.Errorf("%s: decoded %+v, want %+v", kind, got, e)
		}
	}
	for _, k := range EntryKinds() {
		if !seen[k] {
			t.Errorf("kind %s has no sample here: add one", k)
		}
		if got := entries[k]().JournalKind(); got != k {
			t.Errorf("kind %s is registered with a type of kind %s", k, got)
		}
	}
	if _, err := DecodeEntry("no-such-kind", []byte(`{}`)); fault.KindOf(err) != fault.Invalid {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := DecodeEntry(KindMinted, []byte(`{"minted":12}`)); fault.KindOf(err) != fault.Invalid {
		t.Errorf("an amount that is not a decimal string: %v", err)
	}
}

func FuzzDecodeEntry(f *testing.F) {
	for _, k := range EntryKinds() {
		f.Add(k, []byte(`{"id":"x","amount":"1"}`))
	}
	f.Fuzz(func(t *testing.T, kind string, content []byte) {
		e, err := DecodeEntry(kind, content)
		if err != nil {
			return
		}
		if e.JournalKind() != kind {
			t.Fatalf("decoded a %s entry as kind %s", e.JournalKind(), kind)
		}
		if _, err := json.Marshal(e); err != nil {
			t.Fatalf("a decoded entry does not encode: %v", err)
		}
	})
}
