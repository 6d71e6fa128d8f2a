package fluxnode

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func sampleEntry() Entry {
	return Entry{
		Collateral: testOP(7), PubKey: testUncompressedKey(7), CollateralPubKey: testKey(8),
		RedeemScript: []byte{0x51, 0xae}, Status: StatusConfirmed,
		StartHeight: 2_100_000, ConfirmedHeight: 2_100_010, LastConfirmedHeight: 2_100_600, DoSHeight: 0,
		Tier: TierNimbus, FluxTxVersion: 0x0101, IP: "[2001:db8::1]:16125", PaymentAddress: "t1example",
	}
}

func TestEntryRoundTrip(t *testing.T) {
	for _, e := range []Entry{sampleEntry(), {Collateral: testOP(1), Status: StatusDoS, StartHeight: -1, DoSHeight: 5}} {
		b, err := e.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		got, err := UnmarshalEntry(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, e.clone()) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, e)
		}
		b2, _ := got.MarshalBinary()
		if !bytes.Equal(b, b2) {
			t.Fatal("re-encoding differs")
		}
	}
}

func TestUnmarshalEntryRejectsEveryTruncation(t *testing.T) {
	b, _ := sampleEntry().MarshalBinary()
	for i := 0; i < len(b); i++ {
		if _, err := UnmarshalEntry(b[:i]); !errors.Is(err, ErrDecode) {
			t.Fatalf("prefix of %d bytes: err %v, want ErrDecode", i, err)
		}
	}
	if _, err := UnmarshalEntry(append(b, 0)); !errors.Is(err, ErrDecode) {
		t.Fatalf("trailing byte: %v", err)
	}
}

func TestUnmarshalEntryRejectsInvalidFields(t *testing.T) {
	good, _ := sampleEntry().MarshalBinary()
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	tests := []struct {
		name string
		b    []byte
	}{
		{"unknown version", mut(func(b []byte) []byte { b[0] = 2; return b })},
		{"status zero", mut(func(b []byte) []byte { b[1] = 0; return b })},
		{"status four", mut(func(b []byte) []byte { b[1] = 4; return b })},
		{"pubkey longer than 65 bytes", mut(func(b []byte) []byte { b[38] = 66; return b })},
		{"oversized input", make([]byte, MaxEntrySize+1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := UnmarshalEntry(tc.b); !errors.Is(err, ErrDecode) {
				t.Fatalf("err %v, want ErrDecode", err)
			}
		})
	}
}

func TestEntryMarshalRejectsOversizedFields(t *testing.T) {
	tests := []struct {
		name string
		mut  func(e *Entry)
	}{
		{"invalid status", func(e *Entry) { e.Status = 0 }},
		{"pubkey", func(e *Entry) { e.PubKey = make([]byte, 66) }},
		{"collateral pubkey", func(e *Entry) { e.CollateralPubKey = make([]byte, 66) }},
		{"redeem script", func(e *Entry) { e.RedeemScript = make([]byte, MaxRedeemScriptSize+1) }},
		{"ip", func(e *Entry) { e.IP = strings.Repeat("a", MaxIPSize+1) }},
		{"payment address", func(e *Entry) { e.PaymentAddress = strings.Repeat("t", MaxPaymentAddressSize+1) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := sampleEntry()
			tc.mut(&e)
			if _, err := e.MarshalBinary(); !errors.Is(err, ErrEncode) {
				t.Fatalf("err %v, want ErrEncode", err)
			}
		})
	}
	// The largest encodable entry fits MaxEntrySize.
	e := sampleEntry()
	e.PubKey, e.CollateralPubKey = make([]byte, 65), make([]byte, 65)
	e.RedeemScript = make([]byte, MaxRedeemScriptSize)
	e.IP, e.PaymentAddress = strings.Repeat("a", MaxIPSize), strings.Repeat("t", MaxPaymentAddressSize)
	b, err := e.MarshalBinary()
	if err != nil || len(b) > MaxEntrySize {
		t.Fatalf("largest entry: %d bytes, err %v (max %d)", len(b), err, MaxEntrySize)
	}
	if _, err := UnmarshalEntry(b); err != nil {
		t.Fatal(err)
	}
}

func TestUnmarshalUndoRejectsMalformedInput(t *testing.T) {
	e1, e2 := sampleEntry(), sampleEntry()
	e1.Collateral, e2.Collateral = testOP(1), testOP(2)
	a, b := Change{Collateral: e1.Collateral, Prev: &e1}, Change{Collateral: e2.Collateral}
	if lessOutPoint(b.Collateral, a.Collateral) {
		a, b = b, a
	}
	u := &Undo{Height: 77, Changes: []Change{a, b}}
	good, err := u.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnmarshalUndo(good)
	if err != nil || got.Height != 77 || !reflect.DeepEqual(got.Changes, u.Changes) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	for i := 0; i < len(good); i++ {
		if _, err := UnmarshalUndo(good[:i]); !errors.Is(err, ErrDecode) {
			t.Fatalf("prefix of %d bytes: err %v, want ErrDecode", i, err)
		}
	}
	swapped := &Undo{Height: 77, Changes: []Change{b, a}}
	if _, err := swapped.MarshalBinary(); !errors.Is(err, ErrEncode) {
		t.Fatalf("MarshalBinary(unsorted): %v, want ErrEncode", err)
	}
	mismatch := &Undo{Height: 1, Changes: []Change{{Collateral: testOP(3), Prev: &e1}}}
	if _, err := mismatch.MarshalBinary(); !errors.Is(err, ErrEncode) {
		t.Fatalf("MarshalBinary(entry under another collateral): %v, want ErrEncode", err)
	}
	// Hand-made malformed encodings.
	hdr := []byte{1, 77, 0, 0, 0}
	op1 := append(e1.Collateral.Hash[:0:0], e1.Collateral.Hash[:]...)
	op1 = append(op1, byte(e1.Collateral.Index), 0, 0, 0)
	tests := []struct {
		name string
		b    []byte
	}{
		{"unknown version", append([]byte{2}, good[1:]...)},
		{"trailing byte", append(append([]byte(nil), good...), 0)},
		{"count beyond the bytes left", append(append([]byte(nil), hdr...), 0xfe, 0xff, 0xff, 0x0f, 0)},
		{"count above MaxUndoChanges", append(append([]byte(nil), hdr...), 0xff, 0, 0, 0, 0, 1, 0, 0, 0)},
		{"presence flag 2", append(append(append([]byte(nil), hdr...), 1), append(op1, 2)...)},
		{"duplicate change", append(append(append([]byte(nil), hdr...), 2), append(append(op1, 0), append(op1, 0)...)...)},
		{"entry under another collateral", func() []byte {
			raw, _ := e2.MarshalBinary()
			b := append(append(append([]byte(nil), hdr...), 1), append(op1, 1, byte(len(raw)))...)
			return append(b, raw...)
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := UnmarshalUndo(tc.b); !errors.Is(err, ErrDecode) {
				t.Fatalf("err %v, want ErrDecode", err)
			}
		})
	}
}
