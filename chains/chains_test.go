package chains

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindSurvivesWrapping(t *testing.T) {
	base := E("flux.Reobserve", KindNotFound, errors.New("tx not in best chain"))
	wrapped := fmt.Errorf("signing lock: %w", base)
	if KindOf(wrapped) != KindNotFound {
		t.Fatalf("KindOf = %v", KindOf(wrapped))
	}
	if KindOf(errors.New("plain")) != KindInternal {
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
