package relayer

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// Any bytes either decode to a proposal or are refused as invalid, and a
// decoded proposal, encoded again, decodes to the same value.
func FuzzUnmarshalProposal(f *testing.F) {
	txid := strings.Repeat("ab", 32)
	to := append([]byte{0x1c, 0xb8}, bytes.Repeat([]byte{7}, 20)...)
	rel := Proposal{Round: 7, TxID: txid, Payload: []byte{1, 2, 3},
		Spend: chains.ReserveSpend{Chain: 1337, FromNonce: 5, ToNonce: 9, RefHeight: 30, Expiry: 90, FeeRate: 10,
			Payouts: []chains.Payout{{To: to, Amount: 1000}, {To: to, Amount: 2000}}}}
	lock := chains.LockRef{TxID: [32]byte{0xaa, 0xbb}, Vout: 3}
	ref := Proposal{Round: 8, TxID: txid, Payload: []byte{4},
		Spend: chains.ReserveSpend{Refund: &lock, RefHeight: 40, Expiry: 100, FeeRate: 10, Payouts: []chains.Payout{{To: to, Amount: 500}},
			Exclude: []string{txid + ":0"}}}
	for _, p := range []Proposal{rel, ref} {
		b, err := json.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := UnmarshalProposal(b); err != nil {
			f.Fatalf("a valid seed is refused: %v\n%s", err, b)
		}
		f.Add(b)
	}
	for _, s := range []string{``, `null`, `{}`, `[]`, `{"round":1,"bogus":2}`, `{"round":1} {"round":2}`,
		`{"txid":"` + txid + `","payload":"AQ==","spend":{"Chain":1,"FromNonce":2,"ToNonce":1}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := UnmarshalProposal(b)
		if err != nil {
			if fault.KindOf(err) != fault.Invalid {
				t.Fatalf("refused with a %v error, not invalid: %v", fault.KindOf(err), err)
			}
			if !reflect.DeepEqual(p, Proposal{}) {
				t.Fatalf("refused but returned %+v", p)
			}
			return
		}
		if why := proposalShape(p); why != "" {
			t.Fatalf("decoded a malformed proposal (%s): %+v", why, p)
		}
		again, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("a decoded proposal does not encode: %v", err)
		}
		q, err := UnmarshalProposal(again)
		if err != nil {
			t.Fatalf("a decoded proposal, encoded again, is refused: %v\n%s", err, again)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("decoded %+v, again %+v", p, q)
		}
	})
}

// The same for signature sets.
func FuzzUnmarshalSignatureSet(f *testing.F) {
	valid := SignatureSet{TxID: strings.Repeat("cd", 32), Sigs: [][]byte{bytes.Repeat([]byte{1}, 65), bytes.Repeat([]byte{2}, 65)}}
	b, err := json.Marshal(valid)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := UnmarshalSignatureSet(b); err != nil {
		f.Fatalf("a valid seed is refused: %v\n%s", err, b)
	}
	f.Add(b)
	for _, s := range []string{``, `null`, `{}`, `{"txid":"x","sigs":[]}`, `{"txid":"` + valid.TxID + `","sigs":["AQ=="]}`, `{"sigs":null,"extra":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := UnmarshalSignatureSet(b)
		if err != nil {
			if fault.KindOf(err) != fault.Invalid {
				t.Fatalf("refused with a %v error, not invalid: %v", fault.KindOf(err), err)
			}
			if !reflect.DeepEqual(s, SignatureSet{}) {
				t.Fatalf("refused but returned %+v", s)
			}
			return
		}
		if len(s.TxID) != 64 || len(s.Sigs) == 0 || slices.ContainsFunc(s.Sigs, func(b []byte) bool { return len(b) != 65 }) {
			t.Fatalf("decoded a malformed signature set: %+v", s)
		}
		again, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("a decoded signature set does not encode: %v", err)
		}
		q, err := UnmarshalSignatureSet(again)
		if err != nil {
			t.Fatalf("a decoded signature set, encoded again, is refused: %v\n%s", err, again)
		}
		if !reflect.DeepEqual(s, q) {
			t.Fatalf("decoded %+v, again %+v", s, q)
		}
	})
}

// proposalShape restates the shape a decoded proposal has ("" if it has it).
func proposalShape(p Proposal) string {
	s := p.Spend
	switch {
	case len(p.TxID) != 64:
		return "a txid of 64 characters"
	case len(p.Payload) == 0:
		return "a transaction"
	case s.Refund == nil && s.Chain == 0:
		return "a release names a chain"
	case s.Refund == nil && s.ToNonce < s.FromNonce:
		return "a release names a range"
	case s.Refund != nil && len(s.Payouts) != 1:
		return "a refund pays one output"
	}
	for _, po := range s.Payouts {
		if len(po.To) != 22 || po.Amount == 0 {
			return "payouts of 22-byte addresses and non-zero amounts"
		}
	}
	return ""
}

// The shape rules of the two payloads, one case each.
func TestUnmarshalReleasePayloads(t *testing.T) {
	txid := strings.Repeat("ab", 32)
	to := append([]byte{0x1c, 0xb8}, bytes.Repeat([]byte{7}, 20)...)
	lock := chains.LockRef{TxID: [32]byte{0xaa}, Vout: 1}
	release := func(f func(*Proposal)) []byte {
		p := Proposal{Round: 7, TxID: txid, Payload: []byte{1, 2, 3},
			Spend: chains.ReserveSpend{Chain: 1337, FromNonce: 5, ToNonce: 9, RefHeight: 30, Expiry: 90, FeeRate: 10,
				Payouts: []chains.Payout{{To: to, Amount: 1000}}}}
		if f != nil {
			f(&p)
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	refund := func(f func(*Proposal)) []byte {
		return release(func(p *Proposal) {
			p.Spend.Chain, p.Spend.FromNonce, p.Spend.ToNonce, p.Spend.Refund = 0, 0, 0, &lock
			if f != nil {
				f(p)
			}
		})
	}
	valid := release(nil)
	proposals := []struct {
		name string
		b    []byte
		ok   bool
	}{
		{"a release", valid, true},
		{"a release of one burn", release(func(p *Proposal) { p.Spend.FromNonce = 9 }), true},
		{"a release paying nothing (every burn unpayable)", release(func(p *Proposal) { p.Spend.Payouts = nil }), true},
		{"a refund", refund(nil), true},
		{"trailing whitespace", append(slices.Clone(valid), " \n\t"...), true},
		{"no txid", release(func(p *Proposal) { p.TxID = "" }), false},
		{"a txid of 63 characters", release(func(p *Proposal) { p.TxID = txid[:63] }), false},
		{"no transaction", release(func(p *Proposal) { p.Payload = nil }), false},
		{"a release without a chain", release(func(p *Proposal) { p.Spend.Chain = 0 }), false},
		{"a release ending before it starts", release(func(p *Proposal) { p.Spend.ToNonce = 4 }), false},
		{"a refund of two outputs", refund(func(p *Proposal) { p.Spend.Payouts = append(p.Spend.Payouts, p.Spend.Payouts[0]) }), false},
		{"a refund of no output", refund(func(p *Proposal) { p.Spend.Payouts = nil }), false},
		{"a payout to 21 bytes", release(func(p *Proposal) { p.Spend.Payouts[0].To = to[:21] }), false},
		{"a payout of zero", release(func(p *Proposal) { p.Spend.Payouts[0].Amount = 0 }), false},
		{"an unknown field", bytes.Replace(valid, []byte(`"round"`), []byte(`"bogus":1,"round"`), 1), false},
		{"a second value", append(slices.Clone(valid), " {}"...), false},
		{"trailing garbage", append(slices.Clone(valid), "x"...), false},
		{"trailing data starting with a closing brace", append(slices.Clone(valid), "}garbage"...), false},
		{"trailing data starting with a closing bracket", append(slices.Clone(valid), "]"...), false},
		{"more than 1 MiB", append(slices.Clone(valid), bytes.Repeat([]byte{' '}, maxEnvelopePayload)...), false},
		{"not JSON", []byte("\x00\x01"), false},
		{"null", []byte("null"), false},
	}
	for _, tc := range proposals {
		t.Run("proposal: "+tc.name, func(t *testing.T) {
			p, err := UnmarshalProposal(tc.b)
			if (err == nil) != tc.ok || err != nil && fault.KindOf(err) != fault.Invalid {
				t.Fatalf("UnmarshalProposal = %+v, %v; want accepted %v", p, err, tc.ok)
			}
			if tc.ok && proposalShape(p) != "" {
				t.Fatalf("accepted a malformed proposal: %+v", p)
			}
		})
	}
	sig := bytes.Repeat([]byte{1}, 65)
	set := func(s SignatureSet) []byte {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sets := []struct {
		name string
		b    []byte
		ok   bool
	}{
		{"signatures over a txid", set(SignatureSet{TxID: txid, Sigs: [][]byte{sig, sig}}), true},
		{"no signatures", set(SignatureSet{TxID: txid}), false},
		{"an empty list of signatures", set(SignatureSet{TxID: txid, Sigs: [][]byte{}}), false},
		{"a signature of 64 bytes", set(SignatureSet{TxID: txid, Sigs: [][]byte{sig, sig[:64]}}), false},
		{"a signature of 66 bytes", set(SignatureSet{TxID: txid, Sigs: [][]byte{append(slices.Clone(sig), 0)}}), false},
		{"a short txid", set(SignatureSet{TxID: txid[:62], Sigs: [][]byte{sig}}), false},
		{"an unknown field", bytes.Replace(set(SignatureSet{TxID: txid, Sigs: [][]byte{sig}}), []byte(`"txid"`), []byte(`"signer":"x","txid"`), 1), false},
		{"a second value", append(set(SignatureSet{TxID: txid, Sigs: [][]byte{sig}}), " {}"...), false},
	}
	for _, tc := range sets {
		t.Run("signature set: "+tc.name, func(t *testing.T) {
			s, err := UnmarshalSignatureSet(tc.b)
			if (err == nil) != tc.ok || err != nil && fault.KindOf(err) != fault.Invalid {
				t.Fatalf("UnmarshalSignatureSet = %+v, %v; want accepted %v", s, err, tc.ok)
			}
		})
	}
}
