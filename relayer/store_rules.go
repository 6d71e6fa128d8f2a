package relayer

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fluxbridge/fluxbridge/fault"
)

// The rules every Store enforces on burns and reserve spends, in one place
// so that the stores cannot drift apart: a malformed value is a fault.Invalid
// error, a write that contradicts what is stored a fault.Conflict error.

// CheckBurnWrite decides whether a store may write b over old (nil: b is
// new): a well-formed burn whose state may follow the stored one and whose
// ID, Amount and To are the stored ones.
func CheckBurnWrite(op string, old *Burn, b Burn) error {
	switch {
	case b.ID != BurnID(b.Chain, b.Nonce):
		return fault.E(op, fault.Invalid, fmt.Errorf("burn id %q does not name chain %s nonce %d", b.ID, b.Chain, b.Nonce))
	case !b.State.Valid():
		return fault.E(op, fault.Invalid, fmt.Errorf("burn %s in state %q", b.ID, b.State))
	case len(b.To) != 22:
		return fault.E(op, fault.Invalid, fmt.Errorf("burn %s: FLUX address of %d bytes, want 22", b.ID, len(b.To)))
	case b.Amount == 0:
		return fault.E(op, fault.Invalid, fmt.Errorf("burn %s of zero", b.ID))
	case old == nil:
		return nil
	case !CanMoveBurn(old.State, b.State):
		return fault.E(op, fault.Conflict, fmt.Errorf("burn %s cannot move from %s to %s", b.ID, old.State, b.State))
	case old.ID != b.ID || old.Amount != b.Amount || !bytes.Equal(old.To, b.To):
		return fault.E(op, fault.Conflict, fmt.Errorf("burn %s: id, amount and address never change", b.ID))
	}
	return nil
}

// spendKinds and spendStates are the known kinds and states of a spend.
var (
	spendKinds  = []SpendKind{SpendRelease, SpendRefund, SpendMove}
	spendStates = []SpendState{SpendSigned, SpendBroadcast, SpendMined, SpendSettled, SpendDead}
)

// CheckSpendWrite decides whether a store may write s over old (nil: s is
// new): a well-formed spend (a txid in display hex, a known kind and state,
// inputs that survive being joined with ","), none of whose identity fields
// changed, that does not leave a terminal state (dead, settled) and that
// does not forget this relayer signed it.
func CheckSpendWrite(op string, old *Spend, s Spend) error {
	_, err := hex.DecodeString(s.TxID)
	switch {
	case len(s.TxID) != 64 || err != nil:
		return fault.E(op, fault.Invalid, fmt.Errorf("spend txid %q is not 64 hex digits", s.TxID))
	case !slices.Contains(spendKinds, s.Kind):
		return fault.E(op, fault.Invalid, fmt.Errorf("spend %s of kind %q", s.TxID, s.Kind))
	case !slices.Contains(spendStates, s.State):
		return fault.E(op, fault.Invalid, fmt.Errorf("spend %s in state %q", s.TxID, s.State))
	case slices.ContainsFunc(s.Inputs, func(in string) bool { return in == "" || strings.Contains(in, ",") }):
		return fault.E(op, fault.Invalid, fmt.Errorf("spend %s: an input is empty or has a comma", s.TxID))
	case old == nil:
		return nil
	}
	if f := spendIdentityChange(*old, s); f != "" {
		return fault.E(op, fault.Conflict, fmt.Errorf("spend %s: %s never changes", s.TxID, f))
	}
	if (old.State == SpendDead || old.State == SpendSettled) && s.State != old.State {
		return fault.E(op, fault.Conflict, fmt.Errorf("spend %s is %s: it cannot become %s", s.TxID, old.State, s.State))
	}
	if old.SignedByUs && !s.SignedByUs {
		return fault.E(op, fault.Conflict, fmt.Errorf("spend %s: this relayer signed it", s.TxID))
	}
	return nil
}

// CheckSpendSignature decides whether a store may keep s: a txid, a 20-byte
// signer and at least one signature, each 65 bytes (fault.Invalid if not).
func CheckSpendSignature(op string, s SpendSignature) error {
	switch {
	case s.TxID == "":
		return fault.E(op, fault.Invalid, errors.New("spend signatures without a txid"))
	case len(s.Signer) != 20:
		return fault.E(op, fault.Invalid, fmt.Errorf("spend %s: a signer of %d bytes, want 20", s.TxID, len(s.Signer)))
	case len(s.Sigs) == 0:
		return fault.E(op, fault.Invalid, fmt.Errorf("spend %s: no signatures from %x", s.TxID, s.Signer))
	case slices.ContainsFunc(s.Sigs, func(b []byte) bool { return len(b) != 65 }):
		return fault.E(op, fault.Invalid, fmt.Errorf("spend %s: a signature from %x is not 65 bytes", s.TxID, s.Signer))
	}
	return nil
}

// spendIdentityChange names the first field that never changes and differs
// between old and s ("" if none).
func spendIdentityChange(old, s Spend) string {
	switch {
	case old.Kind != s.Kind:
		return "Kind"
	case old.Chain != s.Chain:
		return "Chain"
	case old.FromNonce != s.FromNonce:
		return "FromNonce"
	case old.ToNonce != s.ToNonce:
		return "ToNonce"
	case old.Ref != s.Ref:
		return "Ref"
	case old.Round != s.Round:
		return "Round"
	case !bytes.Equal(old.Proposer, s.Proposer):
		return "Proposer"
	case !slices.Equal(old.Inputs, s.Inputs):
		return "Inputs"
	case old.Expiry != s.Expiry:
		return "Expiry"
	case !bytes.Equal(old.Unsigned, s.Unsigned):
		return "Unsigned"
	}
	return ""
}
