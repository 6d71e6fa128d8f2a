package journal

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// reencodes is IsCanonical by its definition: Canonical(b) == b.
func reencodes(b []byte) bool {
	c, err := Canonical(json.RawMessage(b))
	return err == nil && bytes.Equal(c, b)
}

// canonicalCases are the inputs where a one-pass check could part from
// decoding and re-encoding: whitespace, key order by decoded bytes,
// duplicates, every escape encoding/json writes or does not write, UTF-8,
// number forms, literals, nesting depth and trailing data.
var canonicalCases = []string{
	`{}`, `{"a":1}`, `{"a":1,"b":2}`, `{"b":1,"a":2}`, `{"a":1,"a":1}`, `{"":0,"a":0}`, `{"a":0,"":0}`,
	` {}`, `{} `, "{}\n", `{ }`, `{"a" :1}`, `{"a": 1}`, `{"a":1 }`, `{"a":[1, 2]}`, `{"a":[ ]}`,
	`[]`, `"x"`, `1`, `null`, ``, `{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,"a":1}`, `{"a":1}{}`, `{"a":1}x`, `{"a":1}]`,
	`{"a":[]}`, `{"a":{}}`, `{"a":[1,[2,{"c":3,"b":4}]]}`, `{"a":[1,[2,{"b":3,"c":4}]]}`, `{"a":[,]}`, `{"a":[1,]}`, `{"a":[1 2]}`,
	`{"a":true,"b":false,"c":null}`, `{"a":tru}`, `{"a":True}`, `{"a":nul}`, `{"a":nulll}`, `{"a":falsey}`,
	`{"n":0}`, `{"n":-0}`, `{"n":01}`, `{"n":-}`, `{"n":1.}`, `{"n":.5}`, `{"n":1.50}`, `{"n":1e5}`, `{"n":1E+5}`, `{"n":1e-05}`,
	`{"n":1e}`, `{"n":1e+}`, `{"n":18446744073709551616}`, `{"n":1e400}`, `{"n":+1}`, `{"n":0x1}`, `{"n":-01}`, `{"n":1.5e3.2}`,
	`{"s":"\""}`, `{"s":"\\"}`, `{"s":"\/"}`, `{"s":"/"}`, `{"s":"\b\f\n\r\t"}`, `{"s":"\u0008"}`, `{"s":"\u0009"}`, `{"s":"\u000a"}`,
	`{"s":"\u000c"}`, `{"s":"\u000d"}`, `{"s":"\u0000"}`, `{"s":"\u001f"}`, `{"s":"\u001F"}`, `{"s":"\u0020"}`, `{"s":"\u007f"}`,
	`{"s":"\u0041"}`, `{"s":"\u00e9"}`, `{"s":"é"}`, `{"s":"\u2028"}`, `{"s":"\u2029"}`, `{"s":"\u202a"}`, `{"s":"\u2027"}`,
	"{\"s\":\"\u2028\"}", "{\"s\":\"\u2029\"}", "{\"s\":\"\u202a\"}", `{"s":"\ud83d\ude00"}`, `{"s":"😀"}`, `{"s":"\ud800"}`,
	`{"s":"\ufffd"}`, "{\"s\":\"\ufffd\"}", "{\"s\":\"\xff\"}", "{\"s\":\"\xed\xa0\x80\"}", "{\"s\":\"\xc0\xaf\"}", "{\"s\":\"\x7f\"}",
	"{\"s\":\"\x01\"}", "{\"s\":\"\t\"}", `{"s":"\x"}`, `{"s":"\u12"}`, `{"s":"\u00"}`, `{"s":"\`, `{"s":"`, `{"s":"<&>"}`, `{"s":"\u003c"}`,
	`{"\"":1,"\\":2}`, `{"\\":1,"\"":2}`, `{"\n":1,"\u0000":2}`, `{"\u0000":1,"\n":2}`, `{"\u0000":1,"\u0001":2}`,
	`{"\u001f":1," ":2}`, `{" ":1,"\u001f":2}`, `{"\\":1,"]":2}`, `{"\\":1,"[":2}`, `{"\"":1,"!":2}`, `{"!":1,"\"":2}`,
	"{\"\u2028\":1,\"\\u2028\":2}", "{\"\\u2028\":1,\"\u2028\":2}", "{\"\\u2028\":1,\"\\u2029\":2}", "{\"\\u2029\":1,\"\\u2028\":2}",
	"{\"\\u2028\":1,\"\xe2\x80\xa7\":2}", "{\"\xe2\x80\xa7\":1,\"\\u2028\":2}", "{\"\\u2028\":1,\"\xe2\x80\xaa\":2}", "{\"\xe2\x80\xaa\":1,\"\\u2028\":2}",
	"{\"\\u2028a\":1,\"\\u2028b\":2}", "{\"\\u2028\":1,\"\\u2028a\":2}", "{\"a\\n\":1,\"a\\nb\":2}", "{\"a\\nb\":1,\"a\\n\":2}",
	`{"a\"":1,"a\"":2}`, `{"\t":1,"\t":2}`, `{"k":"a","k":"b"}`,
}

func TestIsCanonicalAgreesWithCanonical(t *testing.T) {
	cases := canonicalCases
	// Nesting: encoding/json refuses more than 10000 levels.
	for _, depth := range []int{maxDepth - 1, maxDepth, maxDepth + 1} {
		n := depth - 1 // the object itself is one level
		cases = append(cases,
			`{"a":`+strings.Repeat("[", n)+strings.Repeat("]", n)+`}`,
			strings.Repeat(`{"a":`, depth-1)+`{}`+strings.Repeat("}", depth-1))
	}
	for _, c := range cases {
		if got, want := IsCanonical([]byte(c)), reencodes([]byte(c)); got != want {
			t.Errorf("IsCanonical(%.80q) = %v, Canonical says %v", c, got, want)
		}
	}
}

func TestIsCanonicalRefusesTooLarge(t *testing.T) {
	b := []byte(`{"a":"` + strings.Repeat("x", MaxContent) + `"}`)
	if IsCanonical(b) || IsCanonical(b[:0]) {
		t.Fatal("content above MaxContent or empty is canonical")
	}
	fit := []byte(`{"a":"` + strings.Repeat("x", MaxContent-8) + `"}`)
	if len(fit) != MaxContent || !IsCanonical(fit) {
		t.Fatalf("%d bytes of canonical content refused", len(fit))
	}
}
