package spendtx

import (
	"bytes"
	"errors"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

type set struct {
	keys   []*secp256k1.PrivateKey // in redeem-script order
	redeem []byte
}

func newSet(t testing.TB, k, n int) set {
	t.Helper()
	var s set
	var pubs [][]byte
	for i := range n {
		var b [32]byte
		b[31], b[0] = byte(i+1), 0x42
		p := secp256k1.PrivKeyFromBytes(b[:])
		s.keys = append(s.keys, p)
		pubs = append(pubs, p.PubKey().SerializeCompressed())
	}
	redeem, err := script.MultisigRedeemScript(k, pubs)
	if err != nil {
		t.Fatal(err)
	}
	s.redeem = redeem
	_, keys, _ := script.ParseMultisig(redeem)
	sorted := make([]*secp256k1.PrivateKey, len(keys))
	for i, key := range keys {
		for _, p := range s.keys {
			if bytes.Equal(p.PubKey().SerializeCompressed(), key) {
				sorted[i] = p
			}
		}
	}
	s.keys = sorted
	return s
}

func (s set) script() []byte { return script.P2SH(script.Hash160(s.redeem)) }

func (s set) utxo(n byte, value int64, height int32) reserve.UTXO {
	return reserve.UTXO{OutPoint: chainhash.OutPoint{Hash: chainhash.Hash{n}, Index: uint32(n)}, Value: value, Script: s.script(), Height: height}
}

// sign has the signers with the given indexes sign every input.
func (s set) sign(u *Unsigned, who ...int) []map[string][]byte {
	out := make([]map[string][]byte, len(u.SigHashes))
	for i, h := range u.SigHashes {
		out[i] = map[string][]byte{}
		for _, w := range who {
			out[i][string(s.keys[w].PubKey().SerializeCompressed())] = ecdsa.Sign(s.keys[w], h[:]).Serialize()
		}
	}
	return out
}

func payTo(b byte, v int64) tx.TxOut { return tx.TxOut{Value: v, Script: script.P2PKH([20]byte{b})} }

func request(s set, cands []reserve.UTXO, outs ...tx.TxOut) Request {
	m := memo.Release{ChainID: 1337, FromNonce: 0, ToNonce: uint64(len(outs) - 1)}
	return Request{Candidates: cands, RefHeight: 100, Redeem: s.redeem, Outputs: outs, Memo: m.Bytes(),
		Change: s.script(), FeeRate: 10, Expiry: 150, BranchID: params.BranchIDSapling}
}

func TestBuildAssembleVerify(t *testing.T) {
	s := newSet(t, 2, 3)
	cands := []reserve.UTXO{s.utxo(1, 5e8, 10), s.utxo(2, 3e8, 20), s.utxo(3, 9e8, 101), s.utxo(4, 4e8, 30)}
	r := request(s, cands, payTo(1, 4e8), payTo(2, 2e8))
	u, err := Build(r)
	if err != nil {
		t.Fatal(err)
	}
	// Largest first among those at or below the reference height: 5e8 then 4e8.
	if len(u.Prevs) != 2 || u.Prevs[0].Value != 5e8 || u.Prevs[1].Value != 4e8 {
		t.Fatalf("picked %+v, want the 5 and 4 FLUX outputs", u.Prevs)
	}
	outs := u.Tx.Outputs
	if len(outs) != 4 || outs[0].Value != 4e8 || outs[1].Value != 2e8 || !bytes.Equal(outs[2].Script, s.script()) {
		t.Fatalf("outputs %+v: want the payouts in order, change, memo", outs)
	}
	if got := outs[2].Value + u.Fee; got != 9e8-6e8 {
		t.Fatalf("change %d + fee %d != inputs - payouts", outs[2].Value, u.Fee)
	}
	m, err := memo.FromScript(outs[3].Script)
	if err != nil || m.(memo.Release).ToNonce != 1 {
		t.Fatalf("memo %v, %v", m, err)
	}
	if u.Tx.ExpiryHeight != 150 {
		t.Fatalf("expiry %d", u.Tx.ExpiryHeight)
	}

	signed, err := u.Assemble(s.sign(u, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	// The fee covers the real size at the rate (the estimate assumes the largest signatures).
	if size := int64(signed.SerializeSize()); u.Fee < 10*size || u.Fee > 10*size+10*2*2*3 {
		t.Fatalf("fee %d for %d bytes at 10 zat/byte", u.Fee, size)
	}
	// Built twice, the same bytes; the candidates' order does not matter.
	r.Candidates = []reserve.UTXO{cands[3], cands[2], cands[1], cands[0]}
	u2, err := Build(r)
	if err != nil || !bytes.Equal(u2.Tx.Bytes(), u.Tx.Bytes()) {
		t.Fatalf("rebuilt differently: %v", err)
	}
}

func TestAssembleNeedsKValidSignatures(t *testing.T) {
	s := newSet(t, 2, 3)
	u, err := Build(request(s, []reserve.UTXO{s.utxo(1, 5e8, 10)}, payTo(1, 1e8)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Assemble(s.sign(u, 1)); !errors.Is(err, ErrSignatures) {
		t.Fatalf("one signature: %v, want ErrSignatures", err)
	}
	// A wrong signature from one signer does not stop the other two.
	sigs := s.sign(u, 0, 1, 2)
	bad := s.sign(&Unsigned{SigHashes: [][32]byte{{9}}}, 0)
	sigs[0][string(s.keys[0].PubKey().SerializeCompressed())] = bad[0][string(s.keys[0].PubKey().SerializeCompressed())]
	if _, err := u.Assemble(sigs); err != nil {
		t.Fatalf("two good of three: %v", err)
	}
}

func TestBuildRefuses(t *testing.T) {
	s := newSet(t, 2, 3)
	cands := []reserve.UTXO{s.utxo(1, 5e8, 10)}
	cases := []struct {
		name string
		edit func(*Request)
		want error
	}{
		{"fee rate zero", func(r *Request) { r.FeeRate = 0 }, ErrRequest},
		{"absurd fee rate", func(r *Request) { r.FeeRate = 1000 }, ErrRequest},
		{"dust output", func(r *Request) { r.Outputs[0].Value = DustLimit - 1 }, ErrRequest},
		{"no change script", func(r *Request) { r.Change = nil }, ErrRequest},
		{"not enough", func(r *Request) { r.Outputs[0].Value = 5e8 }, ErrFunds},
		{"only above the reference height", func(r *Request) { r.RefHeight = 9 }, ErrFunds},
		{"excluded", func(r *Request) { r.Exclude = map[chainhash.OutPoint]bool{cands[0].OutPoint: true} }, ErrFunds},
		{"not the reserve's", func(r *Request) { r.Candidates = []reserve.UTXO{{Value: 9e8, Script: script.P2PKH([20]byte{})}} }, ErrFunds},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := request(s, cands, payTo(1, 1e8))
			tc.edit(&r)
			if _, err := Build(r); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestDustChangeGoesToTheFee(t *testing.T) {
	s := newSet(t, 2, 3)
	u, err := Build(request(s, []reserve.UTXO{s.utxo(1, 5e8, 10)}, payTo(1, 1e8)))
	if err != nil {
		t.Fatal(err)
	}
	exact := 5e8 - u.Fee - 100 // leaves 100 zatoshi of change
	u, err = Build(request(s, []reserve.UTXO{s.utxo(1, 5e8, 10)}, payTo(1, exact)))
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Tx.Outputs) != 2 || u.Fee != 5e8-exact {
		t.Fatalf("outputs %d fee %d: want payout and memo only, the dust in the fee", len(u.Tx.Outputs), u.Fee)
	}
}

// A consolidation spends the smallest final outputs, down to half the
// bound, into one output back to the reserve; with no more outputs than the
// bound there is nothing to do.
func TestConsolidate(t *testing.T) {
	s := newSet(t, 2, 3)
	var cands []reserve.UTXO
	for i := range 10 {
		cands = append(cands, s.utxo(byte(i+1), int64(i+1)*1e6, 10))
	}
	cands = append(cands, s.utxo(99, 1, 200)) // not final at the reference height
	r := Request{Candidates: cands, RefHeight: 100, Redeem: s.redeem, Change: s.script(), FeeRate: 10, Expiry: 150,
		BranchID: params.BranchIDSapling, ConsolidateAbove: 6}
	u, err := Build(r)
	if err != nil {
		t.Fatal(err)
	}
	// 10 final outputs, bound 6: the 7 smallest (down to 3 left) into one.
	if len(u.Prevs) != 7 || u.Prevs[0].Value != 1e6 || u.Prevs[6].Value != 7e6 {
		t.Fatalf("consolidated %d outputs from %d to %d", len(u.Prevs), u.Prevs[0].Value, u.Prevs[len(u.Prevs)-1].Value)
	}
	if len(u.Tx.Outputs) != 1 || !bytes.Equal(u.Tx.Outputs[0].Script, s.script()) || u.Tx.Outputs[0].Value+u.Fee != 28e6 {
		t.Fatalf("outputs %+v, fee %d: want one output of the inputs minus the fee back to the reserve", u.Tx.Outputs, u.Fee)
	}
	if _, err := u.Assemble(s.sign(u, 0, 1)); err != nil {
		t.Fatal(err)
	}
	r.ConsolidateAbove = 10
	if _, err := Build(r); !errors.Is(err, ErrNothing) {
		t.Fatalf("10 outputs, bound 10: %v, want ErrNothing", err)
	}
	r.ConsolidateAbove, r.Outputs = 6, []tx.TxOut{payTo(1, 1e6)}
	if _, err := Build(r); !errors.Is(err, ErrRequest) {
		t.Fatalf("a consolidation with a payout: %v, want ErrRequest", err)
	}
}

// A move spends every final reserve output (largest first, at most
// MaxInputs) into one output to the new set's script, with no memo.
func TestMoveAll(t *testing.T) {
	old, next := newSet(t, 2, 3), newSet(t, 3, 4)
	var cands []reserve.UTXO
	for i := range 5 {
		cands = append(cands, old.utxo(byte(i+1), int64(i+1)*1e6, 10))
	}
	cands = append(cands, old.utxo(99, 9e8, 200)) // created after the reference height: the next move's
	r := Request{Candidates: cands, RefHeight: 100, Redeem: old.redeem, Change: next.script(), FeeRate: 10, Expiry: 150,
		BranchID: params.BranchIDSapling, MoveAll: true}
	u, err := Build(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Prevs) != 5 || u.Prevs[0].Value != 5e6 {
		t.Fatalf("moved %d outputs starting with %d: want the 5 final ones, largest first", len(u.Prevs), u.Prevs[0].Value)
	}
	if len(u.Tx.Outputs) != 1 || !bytes.Equal(u.Tx.Outputs[0].Script, next.script()) || u.Tx.Outputs[0].Value+u.Fee != 15e6 {
		t.Fatalf("outputs %+v: want everything but the fee to the new set's script", u.Tx.Outputs)
	}
	if _, err := u.Assemble(old.sign(u, 0, 2)); err != nil {
		t.Fatalf("the old set signs the move: %v", err)
	}
	r.RefHeight = 5
	if _, err := Build(r); !errors.Is(err, ErrNothing) {
		t.Fatalf("nothing final to move: %v, want ErrNothing", err)
	}
	r.RefHeight, r.ConsolidateAbove = 100, 2
	if _, err := Build(r); !errors.Is(err, ErrRequest) {
		t.Fatalf("a move and a consolidation at once: %v, want ErrRequest", err)
	}
}
