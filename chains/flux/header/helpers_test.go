package header

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// mapChain is a Chain backed by a map; tests build it block by block.
type mapChain map[int32]Info

func (c mapChain) Info(h int32) (Info, bool) {
	b, ok := c[h]
	return b, ok
}

// sharedHeader is one entry of the shared mainnet_vectors.json "headers" list.
type sharedHeader struct {
	Name          string `json:"name"`
	Height        int32  `json:"height"`
	Raw           string `json:"raw"`
	Hash          string `json:"hash"`
	Prev          string `json:"prev"`
	Bits          string `json:"bits"`
	Time          uint32 `json:"time"`
	Slot          uint32 `json:"slot"`
	PoNHash       string `json:"pon_hash"`
	Collateral    string `json:"collateral"`
	EquihashValid bool   `json:"equihash_valid"`
}

// loadSharedHeader returns the named header of the shared mainnet vectors,
// decoded, with its vector entry.
func loadSharedHeader(t testing.TB, name string) (*wire.BlockHeader, sharedHeader) {
	t.Helper()
	var doc struct {
		Headers []sharedHeader `json:"headers"`
	}
	if err := json.Unmarshal(vectors.Read(t, "flux/mainnet_vectors.json"), &doc); err != nil {
		t.Fatalf("mainnet_vectors.json: %v", err)
	}
	for _, v := range doc.Headers {
		if v.Name == name {
			return mustDecode(t, v.Raw), v
		}
	}
	t.Fatalf("mainnet_vectors.json has no header %q", name)
	return nil, sharedHeader{}
}

// ponVector is testdata/pon_2996914.json.
type ponVector struct {
	Height         int32  `json:"height"`
	Raw            string `json:"raw"`
	Hash           string `json:"hash"`
	Prev           string `json:"prev"`
	Time           uint32 `json:"time"`
	Bits           string `json:"bits"`
	Slot           uint32 `json:"slot"`
	PoNHash        string `json:"pon_hash"`
	Collateral     string `json:"collateral"`
	ProducerPubKey string `json:"producer_pubkey"`
}

func loadPoN2996914(t testing.TB) (*wire.BlockHeader, ponVector, []byte) {
	t.Helper()
	b, err := os.ReadFile("testdata/pon_2996914.json")
	if err != nil {
		t.Fatal(err)
	}
	var v ponVector
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return mustDecode(t, v.Raw), v, vectors.Hex(t, v.ProducerPubKey)
}

func mustDecode(t testing.TB, raw string) *wire.BlockHeader {
	t.Helper()
	h, err := wire.DecodeBlockHeader(vectors.Hex(t, raw))
	if err != nil {
		t.Fatalf("decode header: %v", err)
	}
	return h
}

// wantCode fails unless err is a *RuleError with code c.
func wantCode(t testing.TB, what string, err error, c ErrorCode) {
	t.Helper()
	if got := CodeOf(err); got != c {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, c)
	}
}
