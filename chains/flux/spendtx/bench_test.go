package spendtx

import (
	"fmt"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// releaseCase is one benchmarked release: its request, the unsigned spend,
// k signatures per input (made untimed) and the signed transaction.
type releaseCase struct {
	name   string // <payouts>x<inputs>
	req    Request
	u      *Unsigned
	sigs   []map[string][]byte
	signed *tx.Tx
}

// releaseCases are, for the k-of-n reserve, releases of 1 payout (1 input),
// 100 payouts (10 inputs) and the largest that fits MaxSize with the inputs
// it needs (the fixtures of limits_test.go: one input per ten payouts).
func releaseCases(b *testing.B, k, n int) []releaseCase {
	b.Helper()
	s := newSet(b, k, n)
	who := make([]int, k)
	for i := range who {
		who[i] = i
	}
	var cases []releaseCase
	for _, payouts := range []int{1, 100, largestRelease(b, s)} {
		c := releaseCase{req: releaseRequest(s, payouts)}
		var err error
		if c.u, err = Build(c.req); err != nil {
			b.Fatal(err)
		}
		c.sigs = s.sign(c.u, who...)
		if c.signed, err = c.u.Assemble(c.sigs); err != nil {
			b.Fatal(err)
		}
		c.name = fmt.Sprintf("%dof%d/%dx%d", k, n, payouts, len(c.u.Prevs))
		cases = append(cases, c)
	}
	return cases
}

// report adds the release's shape: the signed transaction's bytes, its
// inputs and its payouts (besides which it has a change and a memo output).
func (c *releaseCase) report(b *testing.B) {
	b.ReportMetric(float64(c.signed.SerializeSize()), "bytes/tx")
	b.ReportMetric(float64(len(c.signed.Inputs)), "inputs")
	b.ReportMetric(float64(len(c.req.Outputs)), "outputs")
}

var benchSets = [][2]int{{2, 3}, {7, 11}}

// BenchmarkBuildRelease: Build of a release (coin selection, fee, the
// unsigned transaction and one ZIP-243 signature hash per input).
func BenchmarkBuildRelease(b *testing.B) {
	for _, kn := range benchSets {
		for _, c := range releaseCases(b, kn[0], kn[1]) {
			b.Run(c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Build(c.req); err != nil {
						b.Fatal(err)
					}
				}
				c.report(b)
			})
		}
	}
}

// BenchmarkAssembleVerify: Assemble of a release with k signatures per input
// (made untimed): each signature checked, the scriptSigs built, then the
// script verifier run over every input.
func BenchmarkAssembleVerify(b *testing.B) {
	for _, kn := range benchSets {
		for _, c := range releaseCases(b, kn[0], kn[1]) {
			b.Run(c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.u.Assemble(c.sigs); err != nil {
						b.Fatal(err)
					}
				}
				c.report(b)
			})
		}
	}
}
