package tx

import "github.com/fluxbridge/fluxbridge/chains/flux/chainhash"

// Money and context-free limits (fluxd src/amount.h, src/consensus/consensus.h,
// src/fluxnode/fluxnode.h).
const (
	// Coin is one FLUX in zatoshi.
	Coin = 100_000_000
	// MaxMoney is the largest amount any value may hold (MAX_MONEY, 440,000,000 FLUX).
	MaxMoney int64 = 440_000_000 * Coin
	// ExpiryHeightThreshold is the bound nExpiryHeight must stay below
	// (TX_EXPIRY_HEIGHT_THRESHOLD).
	ExpiryHeightThreshold = 500_000_000
	// MinCoinbaseScriptSize and MaxCoinbaseScriptSize bound a coinbase scriptSig.
	MinCoinbaseScriptSize = 2
	MaxCoinbaseScriptSize = 100
	// MaxConfirmIPSizeV1 is the longest CONFIRM ip before the benchmark update;
	// MaxConfirmIPSizeV2 applies from benchmark time ConfirmIPSizeV2Time on.
	MaxConfirmIPSizeV1  = 40
	MaxConfirmIPSizeV2  = 60
	ConfirmIPSizeV2Time = 1647262800
	// Benchmark tiers CUMULUS (1) to STRATUS (3) are valid.
	minBenchmarkTier = 1
	maxBenchmarkTier = 3
)

// MoneyRange reports whether v is a valid amount: 0 <= v <= MaxMoney.
func MoneyRange(v int64) bool { return v >= 0 && v <= MaxMoney }

// CheckSanity applies the context-free rules of fluxd's
// CheckTransactionWithoutProofVerification that need no signature or script
// evaluation: version and expiry bounds, non-empty inputs and outputs, the size
// limit, money ranges of outputs, valueBalance and JoinSplits, duplicate inputs
// and nullifiers, coinbase shape, null prevouts, and the fluxnode field rules
// (type, collateral, redeem script size, delegate data, tier, ip size, update
// type). It does not check fluxnode signatures or that a P2SH redeem script is
// multisig. It returns a *RuleError; the first rule broken, in fluxd's order.
func (t *Tx) CheckSanity() error {
	if err := t.checkShape(); err != nil {
		return err
	}
	if size := t.SerializeSize(); size > MaxTxSize {
		return ruleErr(ErrTooLarge, "%d bytes", size)
	}
	if err := t.checkValues(); err != nil {
		return err
	}
	return t.checkInputs()
}

func (t *Tx) checkShape() error {
	if t.IsFluxnode() {
		return t.checkFluxnode()
	}
	if !t.Overwintered && t.Version < 1 {
		return ruleErr(ErrVersionTooLow, "version %d", t.Version)
	}
	if t.Overwintered && t.ExpiryHeight >= ExpiryHeightThreshold {
		return ruleErr(ErrExpiryTooHigh, "expiry %d", t.ExpiryHeight)
	}
	if len(t.Inputs) == 0 && len(t.JoinSplits) == 0 && len(t.ShieldedSpends) == 0 {
		return ruleErr(ErrNoInputs, "")
	}
	if len(t.Outputs) == 0 && len(t.JoinSplits) == 0 && len(t.ShieldedOutputs) == 0 {
		return ruleErr(ErrNoOutputs, "")
	}
	return nil
}

func (t *Tx) checkFluxnode() error {
	fn := t.Fluxnode
	if fn == nil {
		fn = &Fluxnode{}
	}
	if fn.Type != FluxnodeStartType && fn.Type != FluxnodeConfirmType {
		return ruleErr(ErrFluxnodeType, "type %d", fn.Type)
	}
	if isNullOutPoint(fn.Collateral) {
		return ruleErr(ErrFluxnodeNullCollateral, "")
	}
	upgraded := t.Version == FluxnodeUpgradeableVersion
	v := fn.FluxTxVersion
	conflicting := v&FluxTxNormalBit != 0 && v&FluxTxP2SHBit != 0
	if upgraded && !conflicting && v&FluxTxP2SHBit != 0 && len(fn.RedeemScript) > MaxScriptSize {
		return ruleErr(ErrFluxnodeRedeemScript, "%d bytes", len(fn.RedeemScript))
	}
	if upgraded && v&FluxTxDelegatesBit != 0 && !fn.Delegates.valid() {
		return ruleErr(ErrFluxnodeDelegates, "type %d, %d keys", fn.Delegates.Type, len(fn.Delegates.Keys))
	}
	if fn.Type != FluxnodeConfirmType {
		return nil
	}
	if fn.BenchmarkTier < minBenchmarkTier || fn.BenchmarkTier > maxBenchmarkTier {
		return ruleErr(ErrFluxnodeTier, "tier %d", fn.BenchmarkTier)
	}
	maxIP := MaxConfirmIPSizeV1
	if fn.BenchmarkSigTime >= ConfirmIPSizeV2Time {
		maxIP = MaxConfirmIPSizeV2
	}
	if len(fn.IP) > maxIP {
		return ruleErr(ErrFluxnodeIP, "%d bytes, maximum %d", len(fn.IP), maxIP)
	}
	if fn.UpdateType != 0 && fn.UpdateType != 1 {
		return ruleErr(ErrFluxnodeUpdateType, "update type %d", fn.UpdateType)
	}
	return nil
}

// valid is CFluxnodeDelegates::IsValid: an UPDATE or SIGNING type and at most
// MaxDelegateKeys compressed keys. Delegate data that was not encoded (the
// flag byte is zero) has type 0 and is therefore invalid, as in fluxd.
func (d *Delegates) valid() bool {
	if d.Type != DelegatesUpdate && d.Type != DelegatesSigning {
		return false
	}
	if len(d.Keys) > MaxDelegateKeys {
		return false
	}
	for _, k := range d.Keys {
		if len(k) != 33 || pubKeyLen(k[0]) != 33 {
			return false
		}
	}
	return true
}

func (t *Tx) checkValues() error {
	var out int64
	for i := range t.Outputs {
		v := t.Outputs[i].Value
		if v < 0 {
			return ruleErr(ErrOutputNegative, "output %d: %d", i, v)
		}
		if v > MaxMoney {
			return ruleErr(ErrOutputTooLarge, "output %d: %d", i, v)
		}
		out += v
		if !MoneyRange(out) {
			return ruleErr(ErrOutputTotalTooLarge, "after output %d", i)
		}
	}
	vb := t.ValueBalance
	if !t.IsFluxnode() && len(t.ShieldedSpends) == 0 && len(t.ShieldedOutputs) == 0 && vb != 0 {
		return ruleErr(ErrValueBalanceNonZero, "%d", vb)
	}
	if vb > MaxMoney || vb < -MaxMoney {
		return ruleErr(ErrValueBalanceTooLarge, "%d", vb)
	}
	if vb <= 0 {
		out += -vb
		if !MoneyRange(out) {
			return ruleErr(ErrOutputTotalTooLarge, "with value balance %d", vb)
		}
	}
	for i, js := range t.JoinSplits {
		old, nw := js.VPubOld(), js.VPubNew()
		if !MoneyRange(old) || !MoneyRange(nw) || (old != 0 && nw != 0) {
			return ruleErr(ErrJoinSplitValue, "joinsplit %d: vpub_old %d, vpub_new %d", i, old, nw)
		}
		out += old
		if !MoneyRange(out) {
			return ruleErr(ErrOutputTotalTooLarge, "after joinsplit %d", i)
		}
	}
	var in int64
	for i, js := range t.JoinSplits {
		in += js.VPubNew()
		if !MoneyRange(in) {
			return ruleErr(ErrInputTotalTooLarge, "after joinsplit %d", i)
		}
	}
	if vb >= 0 {
		in += vb
		if !MoneyRange(in) {
			return ruleErr(ErrInputTotalTooLarge, "with value balance %d", vb)
		}
	}
	return nil
}

// Offsets of nullifiers inside raw JoinSplits and spend descriptions.
const (
	joinSplitNullifiersOffset = 8 + 8 + 32 // after vpub_old, vpub_new, anchor
	spendNullifierOffset      = 32 + 32    // after cv, anchor
)

func (t *Tx) checkInputs() error {
	seen := make(map[chainhash.OutPoint]struct{}, len(t.Inputs))
	for i := range t.Inputs {
		op := t.Inputs[i].PrevOut
		if _, dup := seen[op]; dup {
			return ruleErr(ErrDuplicateInputs, "input %d spends %s again", i, op)
		}
		seen[op] = struct{}{}
	}
	nfs := make(map[[32]byte]struct{})
	for i, js := range t.JoinSplits {
		for k := 0; k < 2; k++ {
			var nf [32]byte
			copy(nf[:], js[joinSplitNullifiersOffset+32*k:])
			if _, dup := nfs[nf]; dup {
				return ruleErr(ErrDuplicateNullifiers, "joinsplit %d", i)
			}
			nfs[nf] = struct{}{}
		}
	}
	clear(nfs)
	for i := range t.ShieldedSpends {
		var nf [32]byte
		copy(nf[:], t.ShieldedSpends[i][spendNullifierOffset:])
		if _, dup := nfs[nf]; dup {
			return ruleErr(ErrDuplicateNullifiers, "spend %d", i)
		}
		nfs[nf] = struct{}{}
	}
	if t.IsCoinBase() {
		if len(t.JoinSplits) > 0 || len(t.ShieldedSpends) > 0 || len(t.ShieldedOutputs) > 0 {
			return ruleErr(ErrCoinbaseShielded, "")
		}
		if n := len(t.Inputs[0].ScriptSig); n < MinCoinbaseScriptSize || n > MaxCoinbaseScriptSize {
			return ruleErr(ErrCoinbaseScriptSize, "%d bytes", n)
		}
		return nil
	}
	for i := range t.Inputs {
		if isNullOutPoint(t.Inputs[i].PrevOut) {
			return ruleErr(ErrNullPrevOut, "input %d", i)
		}
	}
	return nil
}
