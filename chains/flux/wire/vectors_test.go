package wire_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// mainMagic is the mainnet magic, used by every framing test.
var mainMagic = params.MainNet.Magic

// headerVector is one real header: shared mainnet_vectors.json (genesis,
// 2,019,999 last PoW, 2,020,000 first PoN) or testdata/pon_headers.json (2,996,914).
type headerVector struct {
	Name       string `json:"name"`
	Height     int32  `json:"height"`
	Raw        string `json:"raw"`
	Hash       string `json:"hash"`
	Prev       string `json:"prev"`
	Time       uint32 `json:"time"`
	Collateral string `json:"collateral"`
}

type txVector struct {
	Name string `json:"name"`
	Raw  string `json:"raw"`
	TxID string `json:"txid"`
}

type vectorFile struct {
	Headers      []headerVector `json:"headers"`
	Transactions []txVector     `json:"transactions"`
}

func loadShared(tb testing.TB) vectorFile {
	tb.Helper()
	var v vectorFile
	if err := json.Unmarshal(vectors.Read(tb, "flux/mainnet_vectors.json"), &v); err != nil {
		tb.Fatalf("mainnet_vectors.json: %v", err)
	}
	if len(v.Headers) != 3 || len(v.Transactions) != 2 {
		tb.Fatalf("mainnet_vectors.json: %d headers, %d txs; want 3 and 2", len(v.Headers), len(v.Transactions))
	}
	return v
}

func loadLocal(tb testing.TB) vectorFile {
	tb.Helper()
	b, err := os.ReadFile("testdata/pon_headers.json")
	if err != nil {
		tb.Fatal(err)
	}
	var v vectorFile
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatalf("pon_headers.json: %v", err)
	}
	return v
}

// allHeaderVectors returns the four real headers: genesis, last PoW, first PoN, PoN 2,996,914.
func allHeaderVectors(tb testing.TB) []headerVector {
	tb.Helper()
	return append(loadShared(tb).Headers, loadLocal(tb).Headers...)
}

// headerVectorByName returns the named vector.
func headerVectorByName(tb testing.TB, name string) headerVector {
	tb.Helper()
	for _, v := range allHeaderVectors(tb) {
		if v.Name == name {
			return v
		}
	}
	tb.Fatalf("no header vector %q", name)
	return headerVector{}
}

func mustHeader(tb testing.TB, v headerVector) *wire.BlockHeader {
	tb.Helper()
	h, err := wire.DecodeBlockHeader(vectors.Hex(tb, v.Raw))
	if err != nil {
		tb.Fatalf("%s: %v", v.Name, err)
	}
	return h
}

func mustTx(tb testing.TB, v txVector) *tx.Tx {
	tb.Helper()
	t, err := tx.Decode(vectors.Hex(tb, v.Raw))
	if err != nil {
		tb.Fatalf("%s: %v", v.Name, err)
	}
	if got := t.TxID().String(); got != v.TxID {
		tb.Fatalf("%s: txid %s, want %s", v.Name, got, v.TxID)
	}
	return t
}

// ponHeader216 returns the real 216-byte PoN header of block 2,996,914.
func ponHeader216(tb testing.TB) *wire.BlockHeader {
	tb.Helper()
	return mustHeader(tb, loadLocal(tb).Headers[0])
}

// frame frames an arbitrary payload under an arbitrary command, with a correct checksum.
func frame(cmd string, payload []byte) []byte {
	return wire.EncodeMessage(mainMagic, &wire.MsgUnknown{Cmd: cmd, Payload: payload})
}

// encodePayload returns the payload of m.
func encodePayload(m wire.Message) []byte {
	return wire.EncodeMessage(mainMagic, m)[wire.MessageHeaderSize:]
}

// readOne reads one message from b and fails the test on error.
func readOne(tb testing.TB, b []byte) wire.Message {
	tb.Helper()
	m, err := wire.ReadMessage(bytes.NewReader(b), mainMagic)
	if err != nil {
		tb.Fatalf("ReadMessage: %v", err)
	}
	return m
}
