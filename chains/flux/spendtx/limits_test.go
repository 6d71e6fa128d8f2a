package spendtx

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/sig"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// The release fixtures shared by the limit tests and the benchmarks: payouts
// of one FLUX to distinct P2PKH scripts, funded by reserve UTXOs that each
// hold ten payouts plus 0.001 FLUX, which covers their share of the fee
// (≤ 10 zat/byte × (942 + 10 × 34) bytes) and, summed over at most MaxInputs
// inputs, stays below one payout: a release of n payouts spends exactly
// ceil(n/10) inputs (1 output → 1 input, 100 → 10, …).
const (
	relPayout   int64 = 1e8
	relPerInput       = 10
	relFund           = relPerInput*relPayout + 1e5
	relPoolSize       = 2 * MaxInputs // more than any release below can spend
)

// relInputs is the number of inputs a release of n payouts needs by
// construction of the fixtures.
func relInputs(n int) int { return (n + relPerInput - 1) / relPerInput }

// relPool returns n reserve UTXOs of s worth value each, all final at the
// request's reference height, with distinct outpoints.
func relPool(s set, n int, value int64) []reserve.UTXO {
	pool := make([]reserve.UTXO, n)
	for i := range pool {
		pool[i] = reserve.UTXO{
			OutPoint: chainhash.OutPoint{Hash: chainhash.Hash{0xbe, byte(i), byte(i >> 8)}, Index: uint32(i)},
			Value:    value, Script: s.script(), Height: 50,
		}
	}
	return pool
}

// relPayouts returns n payouts of relPayout to distinct P2PKH scripts.
func relPayouts(n int) []tx.TxOut {
	outs := make([]tx.TxOut, n)
	for i := range outs {
		outs[i] = tx.TxOut{Value: relPayout, Script: script.P2PKH([20]byte{0x77, byte(i), byte(i >> 8)})}
	}
	return outs
}

// releaseRequest is a release of n payouts from the fixture pool (fee rate
// 10 zat/byte, an FLXR1 memo, change to the reserve).
func releaseRequest(s set, n int) Request {
	return request(s, relPool(s, relPoolSize, relFund), relPayouts(n)...)
}

// largestRelease finds by construction the largest number of payouts whose
// release Build accepts (the next one up is ErrTooLarge): doubling, then
// bisection. Any error other than ErrTooLarge fails tb.
func largestRelease(tb testing.TB, s set) int {
	tb.Helper()
	fits := func(n int) bool {
		_, err := Build(releaseRequest(s, n))
		switch {
		case err == nil:
			return true
		case errors.Is(err, ErrTooLarge):
			return false
		}
		tb.Fatalf("release of %d payouts: %v", n, err)
		return false
	}
	if !fits(1) {
		tb.Fatal("a release of one payout does not fit")
	}
	lo, hi := 1, 2 // fits(lo), and hi is yet unknown
	for fits(hi) {
		lo, hi = hi, 2*hi
	}
	for hi-lo > 1 { // fits(lo), !fits(hi)
		if mid := (lo + hi) / 2; fits(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

func compactSize(n int) int {
	switch {
	case n < 0xfd:
		return 1
	case n <= 0xffff:
		return 3
	}
	return 5
}

// worstSize returns the size signed would have if every signature had the
// largest DER encoding, and the largest such input.
func worstSize(signed *tx.Tx, sigs []map[string][]byte) (worst, maxIn int) {
	worst = signed.SerializeSize()
	for i, in := range signed.Inputs {
		sl := inputSlack(signed, i, sigs[i])
		worst += sl
		maxIn = max(maxIn, 36+compactSize(len(in.ScriptSig))+len(in.ScriptSig)+4+sl)
	}
	return worst, maxIn
}

// inputSlack is how many bytes larger input i of signed would be if each of
// the DER signatures offered for it in sigs (all of which Assemble used) had
// the largest encoding, sig.MaxDERSize: what Build's size estimate assumes.
// It is computed from the signed transaction alone, not from Build's formula.
func inputSlack(signed *tx.Tx, i int, sigs map[string][]byte) int {
	d := 0
	for _, der := range sigs {
		d += sig.MaxDERSize - len(der) // each push is ≤ 75 bytes: a one-byte opcode either way
	}
	ss := len(signed.Inputs[i].ScriptSig)
	return d + compactSize(ss+d) - compactSize(ss)
}

// TestLargestReleaseFits builds the largest release the benchmarks use,
// assembles it with k signatures per input, and checks it against the
// limits: the signed transaction (and the same with largest signatures) is
// within MaxSize, the fee is the fee rate times a size between the signed
// size and the largest-signature size, and one payout more does not fit —
// Build refuses it, and it would indeed exceed MaxSize.
func TestLargestReleaseFits(t *testing.T) {
	for _, kn := range [][2]int{{7, 11}, {2, 3}} {
		t.Run(fmt.Sprintf("%dof%d", kn[0], kn[1]), func(t *testing.T) {
			s := newSet(t, kn[0], kn[1])
			n := largestRelease(t, s)
			r := releaseRequest(s, n)
			u, err := Build(r)
			if err != nil {
				t.Fatal(err)
			}
			if len(u.Prevs) != relInputs(n) {
				t.Fatalf("%d payouts spend %d inputs, want %d", n, len(u.Prevs), relInputs(n))
			}
			if got := len(u.Tx.Outputs); got != n+2 {
				t.Fatalf("%d outputs, want %d payouts, change and memo", got, n)
			}
			who := make([]int, kn[0])
			for i := range who {
				who[i] = i
			}
			sigs := s.sign(u, who...)
			signed, err := u.Assemble(sigs)
			if err != nil {
				t.Fatal(err)
			}
			size := signed.SerializeSize()
			if size != len(signed.Bytes()) {
				t.Fatalf("SerializeSize %d, encoding %d bytes", size, len(signed.Bytes()))
			}
			worst, maxIn := worstSize(signed, sigs)
			t.Logf("%d payouts, %d inputs: %d bytes signed, %d with the largest signatures, fee %d",
				n, len(signed.Inputs), size, worst, u.Fee)
			if size > MaxSize || worst > MaxSize {
				t.Fatalf("signed %d bytes, %d with the largest signatures: over MaxSize %d", size, worst, MaxSize)
			}

			var in, out int64
			for _, p := range u.Prevs {
				in += p.Value
			}
			for _, o := range signed.Outputs {
				out += o.Value
			}
			if u.Fee != in-out {
				t.Fatalf("fee %d, inputs - outputs = %d", u.Fee, in-out)
			}
			if lo, hi := r.FeeRate*int64(size), r.FeeRate*int64(worst); u.Fee < lo || u.Fee > hi {
				t.Fatalf("fee %d outside [%d, %d] (%d zat/byte × [%d, %d] bytes)", u.Fee, lo, hi, r.FeeRate, size, worst)
			}
			// With a change output (no dust left to the miners) the fee is
			// exactly the rate times the largest-signature size (package doc).
			if !bytes.Equal(signed.Outputs[n].Script, r.Change) {
				t.Fatalf("output %d is not the change", n)
			}
			if u.Fee != r.FeeRate*int64(worst) {
				t.Fatalf("fee %d, want %d zat/byte × %d bytes", u.Fee, r.FeeRate, worst)
			}

			// One payout more: Build refuses it, and rightly so.
			if _, err := Build(releaseRequest(s, n+1)); !errors.Is(err, ErrTooLarge) {
				t.Fatalf("%d payouts: %v, want ErrTooLarge", n+1, err)
			}
			if relInputs(n+1) > MaxInputs {
				return // refused for its input count
			}
			grow := 8 + 1 + len(r.Outputs[0].Script) + // the payout
				compactSize(len(signed.Outputs)+1) - compactSize(len(signed.Outputs)) +
				(relInputs(n+1)-len(signed.Inputs))*maxIn +
				compactSize(relInputs(n+1)) - compactSize(len(signed.Inputs))
			if worst+grow <= MaxSize {
				t.Fatalf("%d payouts would take %d bytes with the largest signatures, within MaxSize %d, yet Build refuses them",
					n+1, worst+grow, MaxSize)
			}
		})
	}
}

// TestBuildRefusesTooManyInputs: a spend that needs more than MaxInputs
// reserve outputs is ErrTooLarge even when its size is far below MaxSize
// (2-of-3: 201 inputs are about 60 kB), and exactly MaxInputs is built.
func TestBuildRefusesTooManyInputs(t *testing.T) {
	const small = 1e7 // 0.1 FLUX: above the fee share of any input below
	for _, kn := range [][2]int{{2, 3}, {7, 11}} {
		t.Run(fmt.Sprintf("%dof%d", kn[0], kn[1]), func(t *testing.T) {
			s := newSet(t, kn[0], kn[1])
			pool := relPool(s, MaxInputs+50, small)
			// MaxInputs-1 of them pay the output, one more the fee.
			u, err := Build(request(s, pool, tx.TxOut{Value: (MaxInputs - 1) * small, Script: script.P2PKH([20]byte{1})}))
			switch {
			case kn == [2]int{7, 11}:
				// 200 inputs of 940 bytes: refused for its size.
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("%d inputs of a 7-of-11 set: %v, want ErrTooLarge", MaxInputs, err)
				}
			case err != nil:
				t.Fatalf("%d inputs: %v", MaxInputs, err)
			case len(u.Prevs) != MaxInputs:
				t.Fatalf("spent %d inputs, want %d", len(u.Prevs), MaxInputs)
			default:
				sigs := s.sign(u, 0, 1)
				signed, err := u.Assemble(sigs)
				if err != nil {
					t.Fatal(err)
				}
				// One input more would still fit MaxSize: only MaxInputs refuses the next case.
				if worst, maxIn := worstSize(signed, sigs); worst+maxIn > MaxSize {
					t.Fatalf("%d inputs take up to %d bytes: the next case does not isolate MaxInputs", MaxInputs, worst)
				}
			}
			// MaxInputs of them pay the output: MaxInputs+1 are needed.
			_, err = Build(request(s, pool, tx.TxOut{Value: MaxInputs * small, Script: script.P2PKH([20]byte{1})}))
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("%d inputs needed: %v, want ErrTooLarge", MaxInputs+1, err)
			}
		})
	}
}
