package reserve

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// A deposit is a valid lock only with one v4 transaction, exactly one reserve
// output, exactly one strict FLXB1 OP_RETURN to a supported chain and at least
// the minimum; otherwise it is an invalid lock with the first failing reason
// (in that order). Every reserve output of a deposit becomes a reserve UTXO.
func TestDepositRules(t *testing.T) {
	const v = 5 * tx.Coin
	lockBytes := lockMemo(chainEth).Bytes()
	withVersion := func(b []byte, ver byte) []byte { c := bytes.Clone(b); c[5] = ver; return c }
	badPadding := memo.Lock{ChainID: chainEth, Recipient: [32]byte{0: 1, 31: 1}}
	release := memo.Release{ChainID: chainEth, FromNonce: 1, ToNonce: 2}
	nonMinimal := append([]byte{script.OP_RETURN, script.OP_PUSHDATA1, byte(len(lockBytes))}, lockBytes...)
	change := toUser(userPrevValue - 2*v)
	tests := []struct {
		name      string
		mod       func(*tx.Tx)
		outs      []tx.TxOut
		want      Reason
		vout      uint32
		value     int64
		created   int
		memoChain uint32 // the parsed memo's chain; 0: no memo parsed
	}{
		{name: "valid lock to an EVM chain", outs: []tx.TxOut{change, toReserve(v), memoOut(lockMemo(chainEth))},
			vout: 1, value: v, created: 1, memoChain: chainEth},
		{name: "valid lock to Solana", outs: []tx.TxOut{toReserve(v), memoOut(memo.Lock{ChainID: chainSolana, Recipient: [32]byte{0: 7, 31: 9}})},
			vout: 0, value: v, created: 1, memoChain: chainSolana},
		{name: "valid lock of exactly the minimum", outs: []tx.TxOut{memoOut(lockMemo(chainBNB)), change, toReserve(testMinLock)},
			vout: 2, value: testMinLock, created: 1, memoChain: chainBNB},
		{name: "valid lock to the rotated reserve", outs: []tx.TxOut{toNewReserve(v), memoOut(lockMemo(chainEth))},
			vout: 0, value: v, created: 1, memoChain: chainEth},
		{name: "below the minimum", outs: []tx.TxOut{change, toReserve(testMinLock - 1), memoOut(lockMemo(chainEth))},
			want: ReasonBelowMinimum, vout: 1, value: testMinLock - 1, created: 1, memoChain: chainEth},
		{name: "zero value", outs: []tx.TxOut{toReserve(0), memoOut(lockMemo(chainEth))},
			want: ReasonBelowMinimum, vout: 0, value: 0, created: 1, memoChain: chainEth},
		{name: "memo one byte too long", outs: []tx.TxOut{toReserve(v), opReturn(append(bytes.Clone(lockBytes), 0))},
			want: Reason(memo.CodeLength), value: v, created: 1},
		{name: "memo version 2", outs: []tx.TxOut{toReserve(v), opReturn(withVersion(lockBytes, 2))},
			want: Reason(memo.CodeVersion), value: v, created: 1},
		{name: "memo chain id 0", outs: []tx.TxOut{toReserve(v), memoOut(lockMemo(0))},
			want: Reason(memo.CodeChainID), value: v, created: 1},
		{name: "memo EVM recipient without padding", outs: []tx.TxOut{toReserve(v), memoOut(badPadding)},
			want: Reason(memo.CodeRecipientPadding), value: v, created: 1},
		{name: "memo zero recipient", outs: []tx.TxOut{toReserve(v), memoOut(memo.Lock{ChainID: chainEth})},
			want: Reason(memo.CodeZeroRecipient), value: v, created: 1},
		{name: "release memo on a deposit", outs: []tx.TxOut{toReserve(v), memoOut(release)},
			want: Reason(memo.CodeUnknownMagic), value: v, created: 1},
		{name: "arbitrary OP_RETURN data", outs: []tx.TxOut{toReserve(v), opReturn([]byte("HELLO"))},
			want: Reason(memo.CodeUnknownMagic), value: v, created: 1},
		{name: "OP_RETURN with two pushes", outs: []tx.TxOut{toReserve(v), rawScript(script.OP_RETURN, 1, 0x46, 1, 0x4c)},
			want: Reason(memo.CodeNotMemoScript), value: v, created: 1},
		{name: "OP_RETURN with a non-minimal push", outs: []tx.TxOut{toReserve(v), rawScript(nonMinimal...)},
			want: Reason(memo.CodeNotMemoScript), value: v, created: 1},
		{name: "memo missing", outs: []tx.TxOut{change, toReserve(v)},
			want: ReasonMemoMissing, vout: 1, value: v, created: 1},
		{name: "two OP_RETURN outputs", outs: []tx.TxOut{toReserve(v), memoOut(lockMemo(chainEth)), memoOut(lockMemo(chainEth))},
			want: ReasonMultipleOpReturn, value: v, created: 1},
		{name: "unsupported chain", outs: []tx.TxOut{toReserve(v), memoOut(lockMemo(10))},
			want: ReasonUnsupportedChain, value: v, created: 1, memoChain: 10},
		{name: "two reserve outputs", outs: []tx.TxOut{change, toReserve(2 * tx.Coin), toReserve(3 * tx.Coin), memoOut(lockMemo(chainEth))},
			want: ReasonMultipleReserveOutputs, vout: 1, value: 5 * tx.Coin, created: 2, memoChain: chainEth},
		{name: "old and new reserve outputs", outs: []tx.TxOut{toNewReserve(tx.Coin), toReserve(tx.Coin), memoOut(lockMemo(chainEth))},
			want: ReasonMultipleReserveOutputs, vout: 0, value: 2 * tx.Coin, created: 2, memoChain: chainEth},
		{name: "overwinter v3 transaction", mod: asV3, outs: []tx.TxOut{toReserve(v), memoOut(lockMemo(chainEth))},
			want: ReasonNotV4, value: v, created: 1, memoChain: chainEth},
		{name: "legacy v1 transaction", mod: asV1, outs: []tx.TxOut{toReserve(v), memoOut(lockMemo(chainEth))},
			want: ReasonNotV4, value: v, created: 1, memoChain: chainEth},
		// Precedence.
		{name: "not-v4 comes before several reserve outputs and no memo", mod: asV1, outs: []tx.TxOut{toReserve(v), toReserve(v)},
			want: ReasonNotV4, value: 2 * v, created: 2},
		{name: "several reserve outputs come before a missing memo", outs: []tx.TxOut{toReserve(v), toReserve(v)},
			want: ReasonMultipleReserveOutputs, value: 2 * v, created: 2},
		{name: "a missing memo comes before the minimum", outs: []tx.TxOut{toReserve(1)},
			want: ReasonMemoMissing, value: 1, created: 1},
		{name: "a memo error comes before the minimum", outs: []tx.TxOut{toReserve(1), memoOut(lockMemo(0))},
			want: Reason(memo.CodeChainID), value: 1, created: 1},
		{name: "an unsupported chain comes before the minimum", outs: []tx.TxOut{toReserve(1), memoOut(lockMemo(10))},
			want: ReasonUnsupportedChain, value: 1, created: 1, memoChain: 10},
	}
	s := testScanner(t)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mod := tc.mod
			if mod == nil {
				mod = func(*tx.Tx) {}
			}
			x := payment(t, byte(i), mod, tc.outs...)
			res := scan(t, s, nil, x)
			if len(res.Locks) != 1 || len(res.Spends) != 0 || len(res.Spent) != 0 {
				t.Fatalf("%d locks, %d spends, %d spent; want one lock", len(res.Locks), len(res.Spends), len(res.Spent))
			}
			l := res.Locks[0]
			if l.Invalid != tc.want || l.Valid() != (tc.want == "") {
				t.Errorf("Invalid = %q, want %q", l.Invalid, tc.want)
			}
			if l.TxID != x.TxID() || l.Vout != tc.vout || l.Value != tc.value || l.Height != testHeight {
				t.Errorf("lock %s:%d value %d height %d, want %s:%d value %d", l.TxID, l.Vout, l.Value, l.Height, x.TxID(), tc.vout, tc.value)
			}
			if l.HasMemo != (tc.memoChain != 0) || l.Memo.ChainID != tc.memoChain {
				t.Errorf("memo %v %+v, want chain %d", l.HasMemo, l.Memo, tc.memoChain)
			}
			if len(res.Created) != tc.created {
				t.Fatalf("%d reserve UTXOs created, want %d", len(res.Created), tc.created)
			}
			var sum int64
			for _, u := range res.Created {
				o := x.Outputs[u.OutPoint.Index]
				if u.OutPoint.Hash != l.TxID || !s.IsReserveScript(o.Script) || !bytes.Equal(u.Script, o.Script) ||
					u.Value != o.Value || u.Height != testHeight {
					t.Errorf("created %+v does not match output %+v", u, o)
				}
				sum += u.Value
			}
			if sum != tc.value {
				t.Errorf("created total %d, lock value %d", sum, tc.value)
			}
			// Valid or not, a lock knows where a refund goes: its destination
			// may still refuse a valid one.
			if l.RefundTo != userAddress() || !l.HasRefundAddress {
				t.Errorf("RefundTo = %q, want the payer %s", l.RefundTo, userAddress())
			}
		})
	}
}

// A transaction paying nothing to the reserve and spending no reserve output
// is not the bridge's business.
func TestOrdinaryTransactionsAreIgnored(t *testing.T) {
	s := testScanner(t)
	res := scan(t, s, utxoSet(chainhash.OutPoint{Hash: chainhash.Hash{9}}),
		userPayment(t, 1, toUser(tx.Coin), memoOut(lockMemo(chainEth))),
		userPayment(t, 2, toUser(tx.Coin)))
	if len(res.Locks)+len(res.Spends)+len(res.Created)+len(res.Spent) != 0 {
		t.Fatalf("result %+v, want empty", res)
	}
}

// A transaction spending a reserve UTXO is a release (FLXR1), a refund
// (FLXF1) or a memo-less reserve spend; it is never a lock, and its outputs
// back to a reserve script are change.
func TestSpendClasses(t *testing.T) {
	utxo := chainhash.OutPoint{Hash: chainhash.Hash{0x55}, Index: 3}
	utxo2 := chainhash.OutPoint{Hash: chainhash.Hash{0x56}, Index: 0}
	const in = 10 * tx.Coin
	release := memo.Release{ChainID: chainBNB, FromNonce: 4, ToNonce: 9}
	refund := memo.Refund{LockTxID: chainhash.Hash{0x77}, Vout: 2}
	tests := []struct {
		name    string
		ins     []chainhash.OutPoint
		outs    []tx.TxOut
		kind    chains.EventKind
		problem Reason
		paid    int64
		change  []uint32
	}{
		{"release with change", []chainhash.OutPoint{utxo}, []tx.TxOut{toUser(3 * tx.Coin), toUser(tx.Coin), toReserve(6*tx.Coin - 1000), memoOut(release)},
			chains.EventRelease, "", 4 * tx.Coin, []uint32{2}},
		{"refund without change", []chainhash.OutPoint{utxo}, []tx.TxOut{memoOut(refund), toUser(in - 1000)},
			chains.EventRefund, "", in - 1000, nil},
		{"consolidation of two UTXOs", []chainhash.OutPoint{utxo, utxo2}, []tx.TxOut{toReserve(2*in - 1000)},
			chains.EventReserveSpend, "", 0, []uint32{0}},
		{"rotation to the new reserve", []chainhash.OutPoint{utxo}, []tx.TxOut{toNewReserve(in - 1000)},
			chains.EventReserveSpend, "", 0, []uint32{0}},
		{"a lock memo on a spend is no lock", []chainhash.OutPoint{utxo}, []tx.TxOut{toReserve(in - 1000), memoOut(lockMemo(chainEth))},
			chains.EventReserveSpend, Reason(memo.CodeUnknownMagic), 0, []uint32{0}},
		{"malformed release memo", []chainhash.OutPoint{utxo}, []tx.TxOut{toUser(tx.Coin), memoOut(memo.Release{ChainID: chainBNB, FromNonce: 9, ToNonce: 4})},
			chains.EventReserveSpend, Reason(memo.CodeNonceRange), tx.Coin, nil},
		{"two memos", []chainhash.OutPoint{utxo}, []tx.TxOut{memoOut(release), memoOut(refund), toUser(tx.Coin)},
			chains.EventReserveSpend, ReasonMultipleOpReturn, tx.Coin, nil},
	}
	s := testScanner(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := reserveSpend(t, tc.ins, in, tc.outs...)
			res := scan(t, s, utxoSet(utxo, utxo2), x)
			if len(res.Locks) != 0 || len(res.Spends) != 1 {
				t.Fatalf("%d locks, %d spends; want one spend", len(res.Locks), len(res.Spends))
			}
			sp := res.Spends[0]
			if sp.Kind != tc.kind || sp.MemoProblem != tc.problem || sp.Paid != tc.paid || sp.TxID != x.TxID() || sp.Height != testHeight {
				t.Errorf("spend %s %q paid %d, want %s %q paid %d", sp.Kind, sp.MemoProblem, sp.Paid, tc.kind, tc.problem, tc.paid)
			}
			if sp.Kind == chains.EventRelease && sp.Release != release {
				t.Errorf("release memo %+v", sp.Release)
			}
			if sp.Kind == chains.EventRefund && sp.Refund != refund {
				t.Errorf("refund memo %+v", sp.Refund)
			}
			if !equalOutPoints(sp.Inputs, tc.ins) || !equalOutPoints(res.Spent, tc.ins) {
				t.Errorf("inputs %v, spent %v, want %v", sp.Inputs, res.Spent, tc.ins)
			}
			if len(sp.Change) != len(tc.change) || len(res.Created) != len(tc.change) {
				t.Fatalf("change %v, created %v, want outputs %v", sp.Change, res.Created, tc.change)
			}
			for i, v := range tc.change {
				want := UTXO{OutPoint: chainhash.OutPoint{Hash: x.TxID(), Index: v}, Value: x.Outputs[v].Value, Script: x.Outputs[v].Script, Height: testHeight}
				if !equalUTXO(sp.Change[i], want) || !equalUTXO(res.Created[i], want) {
					t.Errorf("change %d = %+v, created %+v, want %+v", i, sp.Change[i], res.Created[i], want)
				}
			}
		})
	}
}

func equalOutPoints(a, b []chainhash.OutPoint) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalUTXO(a, b UTXO) bool {
	return a.OutPoint == b.OutPoint && a.Value == b.Value && bytes.Equal(a.Script, b.Script) && a.Height == b.Height
}

// Only the spent inputs that were reserve UTXOs are listed; other inputs of
// the same transaction (a fee payer) are not.
func TestSpendListsOnlyReserveInputs(t *testing.T) {
	utxo := chainhash.OutPoint{Hash: chainhash.Hash{0x55}, Index: 3}
	other := chainhash.OutPoint{Hash: chainhash.Hash{0x66}, Index: 1}
	x := reserveSpend(t, []chainhash.OutPoint{other, utxo}, tx.Coin, toUser(tx.Coin))
	res := scan(t, testScanner(t), utxoSet(utxo), x)
	if len(res.Spends) != 1 || !equalOutPoints(res.Spends[0].Inputs, []chainhash.OutPoint{utxo}) ||
		!equalOutPoints(res.Spent, []chainhash.OutPoint{utxo}) {
		t.Fatalf("spends %+v, spent %v", res.Spends, res.Spent)
	}
}

// A block can hold both a spend and a deposit; each is reported, in
// transaction order, with its own proof.
func TestSpendAndDepositInSameBlock(t *testing.T) {
	utxo := chainhash.OutPoint{Hash: chainhash.Hash{0x55}, Index: 0}
	deposit := lockTx(t, 1, 2*tx.Coin)
	spend := reserveSpend(t, []chainhash.OutPoint{utxo}, 3*tx.Coin, toUser(tx.Coin), toReserve(2*tx.Coin-1000))
	res := scan(t, testScanner(t), utxoSet(utxo), deposit, userPayment(t, 2, toUser(1)), spend)
	if len(res.Locks) != 1 || len(res.Spends) != 1 {
		t.Fatalf("%d locks, %d spends", len(res.Locks), len(res.Spends))
	}
	if res.Locks[0].Proof.TxIndex != 1 || res.Spends[0].Proof.TxIndex != 3 || res.Locks[0].Proof.TxCount != 4 {
		t.Errorf("proof positions %d and %d", res.Locks[0].Proof.TxIndex, res.Spends[0].Proof.TxIndex)
	}
	want := []chainhash.OutPoint{{Hash: deposit.TxID(), Index: 1}, {Hash: spend.TxID(), Index: 1}}
	if len(res.Created) != 2 || res.Created[0].OutPoint != want[0] || res.Created[1].OutPoint != want[1] {
		t.Errorf("created %+v, want %v", res.Created, want)
	}
	if !equalOutPoints(res.Spent, []chainhash.OutPoint{utxo}) {
		t.Errorf("spent %v", res.Spent)
	}
}

// A reserve output created and spent within one block makes the spending
// transaction a spend, lists the output in its Inputs, and appears in neither
// Created nor Spent.
func TestReserveOutputCreatedAndSpentWithinBlock(t *testing.T) {
	deposit := lockTx(t, 1, 4*tx.Coin)
	lockOut := chainhash.OutPoint{Hash: deposit.TxID(), Index: 1}
	consolidate := reserveSpend(t, []chainhash.OutPoint{lockOut}, 4*tx.Coin, toReserve(4*tx.Coin-1000))
	changeOut := chainhash.OutPoint{Hash: consolidate.TxID(), Index: 0}
	release := reserveSpend(t, []chainhash.OutPoint{changeOut}, 4*tx.Coin-1000,
		toUser(tx.Coin), toReserve(3*tx.Coin-2000), memoOut(memo.Release{ChainID: chainEth, FromNonce: 0, ToNonce: 0}))
	res := scan(t, testScanner(t), nil, deposit, consolidate, release)
	if len(res.Locks) != 1 || !res.Locks[0].Valid() || len(res.Spends) != 2 {
		t.Fatalf("locks %+v, %d spends", res.Locks, len(res.Spends))
	}
	if !equalOutPoints(res.Spends[0].Inputs, []chainhash.OutPoint{lockOut}) || !equalOutPoints(res.Spends[1].Inputs, []chainhash.OutPoint{changeOut}) {
		t.Errorf("spend inputs %v and %v", res.Spends[0].Inputs, res.Spends[1].Inputs)
	}
	if res.Spends[1].Kind != chains.EventRelease {
		t.Errorf("second spend is %s", res.Spends[1].Kind)
	}
	if len(res.Spent) != 0 || len(res.Created) != 1 || res.Created[0].OutPoint != (chainhash.OutPoint{Hash: release.TxID(), Index: 1}) {
		t.Errorf("spent %v, created %+v; want only the release's change", res.Spent, res.Created)
	}
}

// The block-level failures: each makes ScanBlock refuse the block with its
// code instead of reporting events that cannot be right.
func TestScanBlockRefusals(t *testing.T) {
	utxo := chainhash.OutPoint{Hash: chainhash.Hash{0x55}, Index: 0}
	s := testScanner(t)
	negative := userPayment(t, 1, toReserve(-1), memoOut(lockMemo(chainEth)))
	tooMuch := userPayment(t, 2, toReserve(tx.MaxMoney), toUser(1), memoOut(lockMemo(chainEth)))
	spendTooMuch := reserveSpend(t, []chainhash.OutPoint{utxo}, tx.Coin, toUser(tx.MaxMoney), toUser(tx.MaxMoney))
	spendA := reserveSpend(t, []chainhash.OutPoint{utxo}, tx.Coin, toUser(1))
	spendB := reserveSpend(t, []chainhash.OutPoint{utxo}, tx.Coin, toUser(2))
	spendTwice := reserveSpend(t, []chainhash.OutPoint{utxo, utxo}, tx.Coin, toUser(2))
	lock := lockTx(t, 3, tx.Coin)
	tests := []struct {
		name   string
		txs    []*tx.Tx
		mangle func(h *wireHeader, txs []*tx.Tx) []*tx.Tx
		want   *Error
	}{
		{"negative reserve output", []*tx.Tx{negative}, nil, ErrValueRange},
		{"deposit outputs above MaxMoney", []*tx.Tx{tooMuch}, nil, ErrValueRange},
		{"spend outputs above MaxMoney", []*tx.Tx{spendTooMuch}, nil, ErrValueRange},
		{"a reserve output spent by two transactions", []*tx.Tx{spendA, spendB}, nil, ErrDoubleSpend},
		{"a reserve output spent twice by one transaction", []*tx.Tx{spendTwice}, nil, ErrDoubleSpend},
		{"header merkle root not matching", []*tx.Tx{lock}, func(h *wireHeader, txs []*tx.Tx) []*tx.Tx {
			h.MerkleRoot[0] ^= 1
			return txs
		}, ErrMerkle},
		{"mutated tree (last transaction duplicated)", []*tx.Tx{lock, userPayment(t, 4, toUser(1))}, func(h *wireHeader, txs []*tx.Tx) []*tx.Tx {
			txs = append(txs, txs[len(txs)-1]) // 4 txs whose last two are identical: same root as the 3
			return txs
		}, ErrMerkle},
		{"nil transaction", []*tx.Tx{lock}, func(h *wireHeader, txs []*tx.Tx) []*tx.Tx { return append(txs, nil) }, ErrBlock},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, txs := block(tc.txs...)
			if tc.mangle != nil {
				txs = tc.mangle(h, txs)
			}
			res, err := s.ScanBlock(testHeight, h, txs, utxoSet(utxo))
			if !errors.Is(err, tc.want) || res != nil {
				t.Fatalf("ScanBlock = %v, %v; want %v", res, err, tc.want)
			}
		})
	}
	if _, err := s.ScanBlock(testHeight, nil, nil, nil); !errors.Is(err, ErrBlock) {
		t.Errorf("nil header: %v", err)
	}
}

// Bad values and a wrong merkle root in transactions that do not touch the
// reserve are not the scanner's to judge: there is nothing to prove.
func TestUnrelatedBlockProblemsAreIgnored(t *testing.T) {
	s := testScanner(t)
	h, txs := block(userPayment(t, 1, toUser(-5)))
	h.MerkleRoot = chainhash.Hash{1}
	res, err := s.ScanBlock(testHeight, h, txs, nil)
	if err != nil || len(res.Locks)+len(res.Spends) != 0 {
		t.Fatalf("ScanBlock = %+v, %v", res, err)
	}
}

// ScanBlockTxIDs gives the same result as ScanBlock and refuses txids that
// do not match the transactions touching the reserve.
func TestScanBlockTxIDs(t *testing.T) {
	s := testScanner(t)
	h, txs := block(userPayment(t, 1, toUser(1)), lockTx(t, 2, tx.Coin))
	ids := make([]chainhash.Hash, len(txs))
	for i, x := range txs {
		ids[i] = x.TxID()
	}
	want, err := s.ScanBlock(testHeight, h, txs, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ScanBlockTxIDs(testHeight, h, txs, ids, nil)
	if err != nil || len(got.Locks) != 1 || got.Locks[0].TxID != want.Locks[0].TxID ||
		!bytes.Equal(evidence(got.Locks[0].Proof), evidence(want.Locks[0].Proof)) {
		t.Fatalf("ScanBlockTxIDs = %+v, %v", got, err)
	}
	if _, err := s.ScanBlockTxIDs(testHeight, h, txs, ids[:2], nil); !errors.Is(err, ErrBlock) {
		t.Errorf("short txids: %v", err)
	}
	ids[2][0] ^= 1
	if _, err := s.ScanBlockTxIDs(testHeight, h, txs, ids, nil); !errors.Is(err, ErrBlock) {
		t.Errorf("wrong txid of the lock: %v", err)
	}
}

// NewScanner refuses a Config missing a required field, naming it.
func TestNewScannerRequiresConfig(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
	}{
		{"Params", func(c *Config) { c.Params = nil }},
		{"SupportedChains", func(c *Config) { c.SupportedChains = nil }},
		{"ReserveScripts", func(c *Config) { c.ReserveScripts = nil }},
		{"ReserveScripts[1]", func(c *Config) { c.ReserveScripts[1] = p2pkhOf(userKey, true) }},
		{"MinLock", func(c *Config) { c.MinLock = -1 }},
		{"MinLock", func(c *Config) { c.MinLock = tx.MaxMoney + 1 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := testConfig()
			tc.mutate(&c)
			_, err := NewScanner(c)
			if !errors.Is(err, ErrConfig) || !bytes.Contains([]byte(err.Error()), []byte(tc.name)) {
				t.Fatalf("NewScanner = %v, want a config error naming %s", err, tc.name)
			}
		})
	}
	c := testConfig()
	c.MinLock = 0
	s, err := NewScanner(c)
	if err != nil {
		t.Fatal(err)
	}
	res := scan(t, s, nil, userPayment(t, 1, toReserve(0), memoOut(lockMemo(chainEth))))
	if res.Locks[0].Invalid != ReasonBelowMinimum {
		t.Errorf("with MinLock 0 a zero-value lock is %q, want below-minimum", res.Locks[0].Invalid)
	}
}
