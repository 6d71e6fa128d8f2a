package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/signer"
)

func testKey(t testing.TB, b byte) signer.Signer {
	t.Helper()
	s, err := signer.FromPrivateKey(chains.SchemeSecp256k1, bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func chain(t testing.TB, s signer.Signer, n int) []Entry {
	t.Helper()
	var out []Entry
	var prev *Entry
	for i := range n {
		e, err := Seal(context.Background(), prev, t0.Add(time.Duration(i)*time.Second), "lock-seen",
			map[string]any{"i": i, "id": "flux:ab:0", "amount": "18446744073709551615"}, s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
		prev = &out[len(out)-1]
	}
	return out
}

func verify(es []Entry, who []byte) error {
	v := Verifier{Signer: who}
	for _, e := range es {
		if err := v.Next(e); err != nil {
			return err
		}
	}
	return nil
}

func TestVerifierCatchesEveryTampering(t *testing.T) {
	s := testKey(t, 1)
	good := chain(t, s, 5)
	if err := verify(good, s.ID()); err != nil {
		t.Fatalf("an untouched journal fails: %v", err)
	}
	other := chain(t, testKey(t, 2), 5)
	cases := []struct {
		name   string
		mutate func([]Entry) []Entry
		code   Code
	}{
		{"content byte changed", func(es []Entry) []Entry {
			es[2].Content = json.RawMessage(strings.Replace(string(es[2].Content), `"i":2`, `"i":3`, 1))
			return es
		}, CodeBadHash},
		{"kind changed", func(es []Entry) []Entry { es[1].Kind = "lock-final"; return es }, CodeBadHash},
		{"time changed", func(es []Entry) []Entry { es[3].Time = es[3].Time.Add(time.Millisecond); return es }, CodeBadHash},
		{"prev changed", func(es []Entry) []Entry { es[3].Prev[0] ^= 1; return es }, CodeBadHash},
		{"seq changed", func(es []Entry) []Entry { es[4].Seq = 9; return es }, CodeBadHash},
		{"signature changed", func(es []Entry) []Entry { es[2].Sig[5] ^= 1; return es }, CodeBadSignature},
		{"signer claims another key", func(es []Entry) []Entry { es[2].Signer = other[0].Signer; return es }, CodeBadSignature},
		{"entry by another key", func(es []Entry) []Entry { es[0] = other[0]; return es }, CodeWrongSigner},
		{"middle entry deleted", func(es []Entry) []Entry { return append(es[:2:2], es[3:]...) }, CodeSeqGap},
		{"entries reordered", func(es []Entry) []Entry { es[1], es[2] = es[2], es[1]; return es }, CodeSeqGap},
		{"first entry dropped", func(es []Entry) []Entry { return es[1:] }, CodeSeqGap},
		{"non-canonical content", func(es []Entry) []Entry { es[0].Content = json.RawMessage(`{ "i":0}`); return es }, CodeNotCanonical},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			es := c.mutate(clone(good))
			err := verify(es, s.ID())
			if got := CodeOf(err); got != c.code {
				t.Fatalf("got %v (code %q), want code %q", err, got, c.code)
			}
		})
	}
	// Truncation at the end is invisible to the chain alone: the head says.
	v := Verifier{}
	for _, e := range good[:3] {
		if err := v.Next(e); err != nil {
			t.Fatal(err)
		}
	}
	if seq, h := v.Head(); seq != 3 || h == good[4].Hash {
		t.Fatalf("head after 3 entries: %d %s", seq, h)
	}
}

func clone(es []Entry) []Entry {
	out := make([]Entry, len(es))
	for i, e := range es {
		e.Content = bytes.Clone(e.Content)
		e.Sig, e.Signer = bytes.Clone(e.Sig), bytes.Clone(e.Signer)
		out[i] = e
	}
	return out
}

func TestCanonical(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"b":1,"a":2}`, `{"a":2,"b":1}`},
		{` { "z" : [ 3 , { "y":1,"x":2} ], "a":"<&>" } `, `{"a":"<&>","z":[3,{"x":2,"y":1}]}`},
		{`{"n":18446744073709551615,"f":1.50,"e":1e400}`, `{"e":1e400,"f":1.50,"n":18446744073709551615}`},
		{`{"u":"é\u00e9","k":"a","k":"b"}`, `{"k":"b","u":"éé"}`},
	}
	for _, c := range cases {
		got, err := Canonical(json.RawMessage(c.in))
		if err != nil || string(got) != c.want {
			t.Errorf("Canonical(%s) = %s, %v; want %s", c.in, got, err, c.want)
		}
		if !IsCanonical([]byte(c.want)) {
			t.Errorf("%s is not canonical", c.want)
		}
	}
	for _, bad := range []string{`[1]`, `"x"`, `{`, `{} {}`, `{"a":1} x`, ``} {
		if _, err := Canonical(json.RawMessage(bad)); CodeOf(err) != CodeMalformed {
			t.Errorf("Canonical(%q) = %v, want malformed", bad, err)
		}
	}
}

// The entry hash format must not drift: a fixed entry hashes to the
// committed vector.
func TestHashVector(t *testing.T) {
	h := HashEntry(7, t0, "mint-attested", Hash{1, 2, 3}, []byte(`{"id":"flux:00:0"}`))
	want, err := os.ReadFile("testdata/hash_vector.txt")
	if err != nil {
		t.Fatal(err)
	}
	if h.String() != strings.TrimSpace(string(want)) {
		t.Fatalf("hash %s, vector %s", h, want)
	}
}

func TestJSONLinesRoundTrip(t *testing.T) {
	s := testKey(t, 3)
	es := chain(t, s, 1000)
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, e := range es {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r := NewReader(&buf)
	v := Verifier{Signer: s.ID()}
	n := 0
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Next(e); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if seq, h := v.Head(); n != 1000 || seq != 1000 || h != es[999].Hash {
		t.Fatalf("read %d entries, head %d", n, seq)
	}
}

func TestReaderReportsTheLine(t *testing.T) {
	s := testKey(t, 4)
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, e := range chain(t, s, 2) {
		w.Write(e)
	}
	w.Flush()
	buf.WriteString("{not json}\n")
	r := NewReader(&buf)
	r.Next()
	r.Next()
	_, err := r.Next()
	var je *Error
	if !errorsAs(err, &je) || je.Line != 3 || je.Code != CodeMalformed {
		t.Fatalf("junk line: %v", err)
	}
	long := NewReader(strings.NewReader(strings.Repeat("x", MaxLine+10)))
	if _, err := long.Next(); CodeOf(err) != CodeTooLarge {
		t.Fatalf("oversized line: %v", err)
	}
}

func TestSealRefusesBadKindsAndKeepsOrder(t *testing.T) {
	s := testKey(t, 5)
	if _, err := Seal(context.Background(), nil, t0, "Bad Kind", map[string]any{}, s); CodeOf(err) != CodeMalformed {
		t.Fatalf("bad kind: %v", err)
	}
	if _, err := Seal(context.Background(), nil, t0, "x", []int{1}, s); CodeOf(err) != CodeMalformed {
		t.Fatalf("array content: %v", err)
	}
	a, _ := Seal(context.Background(), nil, t0, "x", map[string]any{}, s)
	b, err := Seal(context.Background(), &a, t0.Add(-time.Hour), "x", map[string]any{}, s)
	if err != nil || b.Time.Before(a.Time) || verify([]Entry{a, b}, nil) != nil {
		t.Fatalf("a clock step back broke the chain: %v", err)
	}
}

func BenchmarkSeal(b *testing.B) {
	s := testKey(b, 6)
	var prev *Entry
	for b.Loop() {
		e, err := Seal(context.Background(), prev, t0, "lock-final", map[string]any{"id": "flux:ab:0", "amount": "100"}, s)
		if err != nil {
			b.Fatal(err)
		}
		prev = &e
	}
}

func BenchmarkVerify(b *testing.B) {
	es := chain(b, testKey(b, 7), 1)
	for b.Loop() {
		if err := es[0].Check(); err != nil {
			b.Fatal(err)
		}
	}
}
