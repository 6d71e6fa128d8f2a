package chains

import (
	"errors"
	"fmt"
	"testing"

	"github.com/fluxbridge/fluxbridge/fault"
)

func TestKindSurvivesWrapping(t *testing.T) {
	base := fault.E("flux.Reobserve", fault.NotFound, errors.New("tx not in best chain"))
	wrapped := fmt.Errorf("signing lock: %w", base)
	if fault.KindOf(wrapped) != fault.NotFound {
		t.Fatalf("KindOf = %v", fault.KindOf(wrapped))
	}
	if fault.KindOf(errors.New("plain")) != fault.Internal {
		t.Fatal("a plain error must count as internal")
	}
	if got := base.Error(); got != "flux.Reobserve: not-found: tx not in best chain" {
		t.Fatalf("Error() = %q", got)
	}
}

func TestChainIDs(t *testing.T) {
	if !ID(1).IsEVM() || !ID(56).IsEVM() || FluxL1.IsEVM() || SolanaMainnet.IsEVM() {
		t.Fatal("IsEVM wrong")
	}
	if ID(1337).String() != "1337" || FluxL1.String() != "0xf0000000" {
		t.Fatalf("String: %s %s", ID(1337), FluxL1)
	}
}

func TestTransferIDRoundTrip(t *testing.T) {
	var l LockRef
	for i := range l.TxID {
		l.TxID[i] = byte(i)
	}
	l.Vout = 7
	id := l.TransferID()
	if id != "flux:1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100:7" {
		t.Fatalf("TransferID = %s (the txid must be in display order)", id)
	}
	back, err := ParseTransferID(id)
	if err != nil || back != l {
		t.Fatalf("ParseTransferID(%s) = %+v, %v", id, back, err)
	}
	for _, bad := range []string{"", "flux:", id + "x", id[:len(id)-2] + ":07", id[:len(id)-2] + ":-1",
		"evm" + id[4:], id[:10] + "zz" + id[12:], id[:len(id)-2] + ":4294967296"} {
		if _, err := ParseTransferID(bad); fault.KindOf(err) != fault.Invalid {
			t.Errorf("ParseTransferID(%q) = %v, want invalid", bad, err)
		}
	}
}

func FuzzParseTransferID(f *testing.F) {
	f.Add("flux:1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100:7")
	f.Add("flux:")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseTransferID(s)
		if err != nil {
			return
		}
		if again, err := ParseTransferID(l.TransferID()); err != nil || again != l {
			t.Fatalf("%q: %+v does not round-trip: %+v %v", s, l, again, err)
		}
	})
}
