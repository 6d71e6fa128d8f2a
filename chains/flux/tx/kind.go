package tx

// Kind classifies a transaction by its encoding.
type Kind int

// The transaction kinds. This list is append-only.
const (
	// KindLegacy is a non-overwintered transaction of version 0 or 1: Bitcoin's layout.
	KindLegacy Kind = iota
	// KindSprout is a non-overwintered, non-fluxnode transaction of version >= 2,
	// which carries a JoinSplit vector (PHGR proofs).
	KindSprout
	// KindOverwinter is an overwintered v3 transaction.
	KindOverwinter
	// KindTransparent is a v4 Sapling transaction with no shielded spends,
	// shielded outputs or JoinSplits: what the bridge builds.
	KindTransparent
	// KindSapling is a v4 transaction with shielded spends, outputs or JoinSplits.
	KindSapling
	// KindFluxnodeStart is a v5/v6 fluxnode START transaction.
	KindFluxnodeStart
	// KindFluxnodeConfirm is a v5/v6 fluxnode CONFIRM transaction.
	KindFluxnodeConfirm
	// KindFluxnodeOther is a v5/v6 fluxnode transaction whose type is neither
	// START nor CONFIRM; fluxd deserializes it as a bare type byte.
	KindFluxnodeOther
)

var kindNames = [...]string{
	KindLegacy:          "legacy",
	KindSprout:          "sprout",
	KindOverwinter:      "overwinter",
	KindTransparent:     "transparent",
	KindSapling:         "sapling",
	KindFluxnodeStart:   "fluxnode-start",
	KindFluxnodeConfirm: "fluxnode-confirm",
	KindFluxnodeOther:   "fluxnode-other",
}

// String returns the kind's name, e.g. "transparent".
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Kind returns the kind of t.
func (t *Tx) Kind() Kind {
	switch {
	case t.IsFluxnode():
		fn := t.Fluxnode
		if fn == nil {
			fn = &Fluxnode{}
		}
		switch {
		case fn.IsStart(t.Version):
			return KindFluxnodeStart
		case fn.IsConfirm(t.Version):
			return KindFluxnodeConfirm
		}
		return KindFluxnodeOther
	case t.IsSapling():
		if len(t.ShieldedSpends) == 0 && len(t.ShieldedOutputs) == 0 && len(t.JoinSplits) == 0 {
			return KindTransparent
		}
		return KindSapling
	case t.Overwintered:
		return KindOverwinter
	case t.Version >= 2:
		return KindSprout
	}
	return KindLegacy
}
