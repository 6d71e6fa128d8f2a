package fluxnode

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/address"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// sampleSnapshot is a getfluxnodesnapshot result built field by field from
// RunOnFlux/fluxd src/rpc/fluxnode.cpp (getfluxnodesnapshot and
// GetDeterministicListData at commit 2dfb5046): "collateral" is
// COutPoint::ToFullString, "outidx" a string, "activesince"/"lastpaid"
// strings of block times, "amount" FormatMoney, "rank" per tier. The values
// are made up but shaped like mainnet's (uncompressed and compressed keys,
// ipv4/ipv6 addresses).
const sampleSnapshot = `{
  "height": 2101234,
  "blockhash": "0000000000000b2a8e1f3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081",
  "nodes": [
    {
      "collateral": "COutPoint(9b1c6f2e3d4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344, 0)",
      "txhash": "9b1c6f2e3d4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344",
      "outidx": "0",
      "ip": "95.216.124.210:16137",
      "network": "ipv4",
      "added_height": 2061234,
      "confirmed_height": 2061240,
      "last_confirmed_height": 2100900,
      "last_paid_height": 2101000,
      "tier": "CUMULUS",
      "payment_address": "t1Zs8k7gY9PeyxRGuTgdpHhPrhWyoT9sMcN",
      "pubkey": "04d1c5a7f0e1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c",
      "activesince": "1761000000",
      "lastpaid": "1761530000",
      "amount": "1000.00",
      "rank": 0
    },
    {
      "collateral": "COutPoint(00aa6f2e3d4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344, 3)",
      "txhash": "00aa6f2e3d4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344",
      "outidx": "3",
      "ip": "[2a01:4f8:c17:1::1]:16127",
      "network": "ipv6",
      "added_height": 2090000,
      "confirmed_height": 2090002,
      "last_confirmed_height": 2100700,
      "last_paid_height": 0,
      "tier": "STRATUS",
      "payment_address": "t3c51GjrkUg7pUiS8bzNdTnW2hD25egWUih",
      "pubkey": "02f1c5a7f0e1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c",
      "activesince": "1761200000",
      "lastpaid": 0,
      "rank": 0,
      "some_future_field": {"x": [1, 2]}
    }
  ]
}`

func TestParseSnapshotReadsFluxdShape(t *testing.T) {
	snap, err := ParseSnapshot([]byte(sampleSnapshot))
	if err != nil {
		t.Fatal(err)
	}
	if snap.Height != 2101234 || snap.BlockHash.String() != "0000000000000b2a8e1f3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081" {
		t.Fatalf("height %d hash %s", snap.Height, snap.BlockHash)
	}
	if len(snap.Entries) != 2 {
		t.Fatalf("%d entries", len(snap.Entries))
	}
	op0 := chainhash.OutPoint{Hash: chainhash.MustFromDisplay("9b1c6f2e3d4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344"), Index: 0}
	op1 := chainhash.OutPoint{Hash: chainhash.MustFromDisplay("00aa6f2e3d4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344"), Index: 3}
	want := map[chainhash.OutPoint]Entry{
		op0: {Collateral: op0, Status: StatusConfirmed, StartHeight: 2061234, ConfirmedHeight: 2061240, LastConfirmedHeight: 2100900,
			Tier: TierCumulus, IP: "95.216.124.210:16137", PaymentAddress: "t1Zs8k7gY9PeyxRGuTgdpHhPrhWyoT9sMcN"},
		op1: {Collateral: op1, Status: StatusConfirmed, StartHeight: 2090000, ConfirmedHeight: 2090002, LastConfirmedHeight: 2100700,
			Tier: TierStratus, IP: "[2a01:4f8:c17:1::1]:16127", PaymentAddress: "t3c51GjrkUg7pUiS8bzNdTnW2hD25egWUih"},
	}
	for i, e := range snap.Entries {
		if i > 0 && !lessOutPoint(snap.Entries[i-1].Collateral, e.Collateral) {
			t.Fatal("entries not sorted by collateral")
		}
		w := want[e.Collateral]
		if len(e.PubKey) != 65 && len(e.PubKey) != 33 {
			t.Fatalf("pubkey of %d bytes", len(e.PubKey))
		}
		w.PubKey = e.PubKey
		if !reflect.DeepEqual(e, w) {
			t.Fatalf("entry\n got %+v\nwant %+v", e, w)
		}
	}
	s := NewSetFromSnapshot(params.MainNet, snap)
	if e := mustLookup(t, s, op0); e.PubKey[0] != 0x04 {
		t.Fatal("snapshot key not found by Lookup")
	}
	if tip, ok := s.Tip(); !ok || tip != 2101234 {
		t.Fatalf("Tip %d %v", tip, ok)
	}
}

func TestParseSnapshotAcceptsJSONRPCResponse(t *testing.T) {
	direct, err := ParseSnapshot([]byte(sampleSnapshot))
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := ParseSnapshot([]byte(`{"result": ` + sampleSnapshot + `, "error": null, "id": "fluxbridge"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(direct, wrapped) {
		t.Fatal("wrapped response parsed differently")
	}
}

func TestParseSnapshotRequiresWhatItNeeds(t *testing.T) {
	node := func(repl ...string) string {
		n := `{"collateral": "COutPoint(9b1c6f2e3d4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344, 0)", "pubkey": "02f1c5a7f0e1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c", "last_confirmed_height": 5}`
		for i := 0; i+1 < len(repl); i += 2 {
			n = strings.Replace(n, repl[i], repl[i+1], 1)
		}
		return n
	}
	doc := func(nodes ...string) string {
		return `{"height": 10, "blockhash": "0000000000000b2a8e1f3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081", "nodes": [` + strings.Join(nodes, ",") + `]}`
	}
	if _, err := ParseSnapshot([]byte(doc(node()))); err != nil {
		t.Fatalf("minimal document: %v", err)
	}
	tests := []struct{ name, doc string }{
		{"not JSON", `{"height": `},
		{"missing height", `{"blockhash": "0000000000000b2a8e1f3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081", "nodes": []}`},
		{"negative height", strings.Replace(doc(), `"height": 10`, `"height": -1`, 1)},
		{"height beyond int32", strings.Replace(doc(), `"height": 10`, `"height": 4294967296`, 1)},
		{"fractional height", strings.Replace(doc(), `"height": 10`, `"height": 10.5`, 1)},
		{"bad blockhash", strings.Replace(doc(), `0000000000000b2a`, `zz`, 1)},
		{"missing nodes", `{"height": 10, "blockhash": "0000000000000b2a8e1f3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081"}`},
		{"node without collateral", doc(node(`"collateral": "COutPoint(9b1c6f2e3d4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344, 0)",`, ``))},
		{"malformed collateral", doc(node(`COutPoint(9b1c`, `COutPoint(zz1c`))},
		{"collateral index beyond uint32", doc(node(`, 0)`, `, 4294967296)`))},
		{"collateral disagreeing with txhash/outidx", doc(node(`"pubkey"`, `"txhash": "9b1c6f2e3d4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344", "outidx": "1", "pubkey"`))},
		{"node without pubkey", doc(node(`"pubkey": "02f1c5a7f0e1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c",`, ``))},
		{"pubkey not hex", doc(node(`"02f1`, `"0x02`))},
		{"pubkey too long", doc(node(`"02f1`, `"`+strings.Repeat("00", 66)+`02f1`))},
		{"confirmed node without last_confirmed_height", doc(node(`, "last_confirmed_height": 5`, ``))},
		{"started node without added_height", doc(node(`"last_confirmed_height": 5`, `"status": "STARTED"`))},
		{"unknown status", doc(node(`"last_confirmed_height": 5`, `"last_confirmed_height": 5, "status": "PAUSED"`))},
		{"duplicate collateral", doc(node(), node())},
		{"oversized document", `{"height": 1, "pad": "` + strings.Repeat("x", MaxSnapshotSize) + `"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseSnapshot([]byte(tc.doc)); !errors.Is(err, ErrSnapshot) {
				t.Fatalf("err %v, want ErrSnapshot", err)
			}
		})
	}
	// txhash and outidx (string or number) alone identify the collateral.
	alt := `{"txhash": "9b1c6f2e3d4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344", "outidx": 2, "pubkey": "02f1c5a7f0e1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c", "last_confirmed_height": 5}`
	snap, err := ParseSnapshot([]byte(doc(alt)))
	if err != nil || snap.Entries[0].Collateral.Index != 2 {
		t.Fatalf("txhash/outidx: %+v %v", snap, err)
	}
}

func TestSnapshotMarshalJSONRoundTripsEveryStatus(t *testing.T) {
	s := NewSet(params.SimNet)
	redeem := []byte{0x51, 0x21, 0x02, 0x03, 0x51, 0xae}
	chain(t, s, 100, 101, nil)
	u, err := s.ApplyBlock(102, []*tx.Tx{coinbaseTx(102), startTx(1), startTx(2), startTx(3), NewStartP2SHTx(params.SimNet, testOP(4), testKey(4), redeem, 1)})
	if err != nil || len(u.Skipped) != 0 {
		t.Fatal(err, u.Skipped)
	}
	chain(t, s, 103, 342, map[int32][]*tx.Tx{110: {confirmTx(1, false, "1.2.3.4:16125"), confirmTx(4, false, "[::1]:16125")}, 200: {startTx(5)}})
	if s.Count(StatusDoS) != 2 || s.Count(StatusStarted) != 1 || s.Count(StatusConfirmed) != 2 {
		t.Fatalf("counts %d %d %d", s.Count(StatusStarted), s.Count(StatusDoS), s.Count(StatusConfirmed))
	}
	snap := s.Snapshot(342, chainhash.Hash{1, 2, 3})
	raw, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseSnapshot(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, snap) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", back, snap)
	}
	// A set rebuilt from it is the same set.
	if !bytes.Equal(stateBytes(t, NewSetFromSnapshot(params.SimNet, back)), stateBytesWithAddresses(t, s)) {
		t.Fatal("set rebuilt from the snapshot differs")
	}
	// fluxd's field names and types.
	var doc struct {
		Height    int                          `json:"height"`
		BlockHash string                       `json:"blockhash"`
		Nodes     []map[string]json.RawMessage `json:"nodes"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"collateral", "txhash", "outidx", "ip", "network", "added_height", "confirmed_height",
		"last_confirmed_height", "last_paid_height", "tier", "payment_address", "pubkey", "activesince", "lastpaid"} {
		if _, ok := doc.Nodes[0][k]; !ok {
			t.Errorf("node lacks %q", k)
		}
	}
	first := doc.Nodes[0]
	if !bytes.HasPrefix(first["collateral"], []byte(`"COutPoint(`)) || first["outidx"][0] != '"' || first["rank"] == nil || string(first["status"]) != `"CONFIRMED"` {
		t.Errorf("first node %s", raw)
	}
	if string(first["network"]) != `"ipv4"` && string(first["network"]) != `"ipv6"` {
		t.Errorf("network %s", first["network"])
	}
	last := doc.Nodes[len(doc.Nodes)-1]
	if _, ranked := last["rank"]; ranked || string(last["status"]) == `"CONFIRMED"` {
		t.Errorf("started/DoS entries must come last without a rank: %v", last)
	}
	// Payment addresses derived from the START's keys.
	for _, e := range snap.Entries {
		want := address.Address{Kind: address.P2PKH, Hash: script.Hash160(e.CollateralPubKey)}.Encode(params.SimNet)
		if e.Collateral == testOP(4) {
			want = address.Address{Kind: address.P2SH, Hash: script.Hash160(redeem)}.Encode(params.SimNet)
		}
		if e.PaymentAddress != want {
			t.Errorf("%s payment address %q, want %q", e.Collateral, e.PaymentAddress, want)
		}
	}
}

// stateBytesWithAddresses is stateBytes of s with derived payment addresses.
func stateBytesWithAddresses(t *testing.T, s *Set) []byte {
	es := s.Snapshot(0, chainhash.Hash{}).Entries
	return stateBytes(t, NewSetFromEntries(s.p, es))
}

func TestNetworkName(t *testing.T) {
	for ip, want := range map[string]string{
		"1.2.3.4:16125": "ipv4", "1.2.3.4": "ipv4", "[2001:db8::1]:16125": "ipv6", "2001:db8::1": "ipv6",
		"abcdefghijklmnop.onion:16125": "onion", "": "", "host.example:1": "",
	} {
		if got := networkName(ip); got != want {
			t.Errorf("networkName(%q) = %q, want %q", ip, got, want)
		}
	}
}
