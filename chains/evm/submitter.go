package evm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/contracts/evm/bindv2"
	"github.com/fluxbridge/fluxbridge/fault"
)

// sentTx is one transaction sent for a submission (the first or a
// fee-bumped replacement with the same nonce).
type sentTx struct {
	hash        common.Hash
	tip, feeCap *big.Int
	at          time.Time
}

// inflight is the transaction of one submission not yet final. Its fields
// change under Sink.mu.
type inflight struct {
	nonce      uint64
	gas        uint64
	data       []byte
	txs        []sentTx // oldest first; any of them may be the one mined
	capReached bool
}

func (f *inflight) last() sentTx { return f.txs[len(f.txs)-1] }

// revertError is a simulated mint or rotation the bridge reverted.
type revertError struct {
	call string // "mint" or "rotation"
	name string
	data []byte
}

func (e *revertError) Error() string { return "the bridge reverts the " + e.call + ": " + e.name }

// revertData returns the revert data carried by err, if any.
func revertData(err error) []byte {
	var re *revertError
	if errors.As(err, &re) {
		return re.data
	}
	return nil
}

// estimate simulates the mint or rotation (eth_estimateGas from the submitter) and
// returns the gas limit with the configured margin. A revert becomes a typed
// error: Paused, RateLimited and CapReached are fault.Transient (try later:
// pauses end, the bucket leaks, burns free room under the cap); BelowMinimum,
// FeeExceedsValue and BadRecipient are fault.Forbidden (the bridge's immutable
// rules refuse this lock whoever signs it, so it must be refunded); LockUsed
// is returned for the caller to turn into a status; everything else is
// fault.Rejected.
func (s *Sink) estimate(ctx context.Context, data []byte) (uint64, error) {
	const op = "evm.Submit"
	to := s.cfg.Bridge
	msg := ethereum.CallMsg{From: s.from, To: &to, Data: data}
	gas, err := first(ctx, s.c, func(ctx context.Context, ep *endpoint) (uint64, error) {
		if err := s.c.ensure(ctx, ep, false); err != nil {
			return 0, err
		}
		cctx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
		defer cancel()
		gas, err := ep.eth.EstimateGas(cctx, msg)
		if err == nil {
			return gas, nil
		}
		if data, ok := ethclient.RevertErrorData(err); ok {
			_, e, _ := decodeRevert(s.c.abi, data)
			re := &revertError{call: "mint", name: describeRevert(s.c.abi, data), data: data}
			if s.c.methodName(msg.Data) == "rotateSigners" {
				re.call = "rotation"
			}
			kind := fault.Rejected
			switch e.(type) {
			case *bindv2.FluxBridgePaused, *bindv2.FluxBridgeRateLimited, *bindv2.FluxBridgeCapReached:
				kind = fault.Transient
			case *bindv2.FluxBridgeBelowMinimum, *bindv2.FluxBridgeFeeExceedsValue, *bindv2.FluxBridgeBadRecipient:
				kind = fault.Forbidden
			}
			return 0, fault.E(op, kind, re)
		}
		return 0, s.c.classify(ctx, "evm.EstimateGas", ep, err)
	})
	if err != nil {
		return 0, err
	}
	margin := uint64(s.cfg.Fees.GasMarginPercent)
	if gas > math.MaxUint64/(100+margin) {
		return 0, fault.E(op, fault.Internal, fmt.Errorf("gas estimate %d is absurd", gas))
	}
	return gas * (100 + margin) / 100, nil
}

// send signs and sends a mint or rotation transaction with the next nonce and records it
// as the submission's in-flight transaction.
func (s *Sink) send(ctx context.Context, id string, data []byte, gas uint64, tip *types.Header) (chains.Status, error) {
	const op = "evm.Submit"
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	s.mu.Lock()
	fl := s.inflight[id]
	s.mu.Unlock()
	if fl != nil { // a concurrent Submit of the same id got here first
		return s.pendingStatus(id, fl), nil
	}
	base := tip.BaseFee
	if base == nil {
		base = new(big.Int)
	}
	maxFee := s.cfg.Fees.MaxFeePerGas
	if base.Cmp(maxFee) > 0 {
		return chains.Status{}, fault.E(op, fault.Transient, fmt.Errorf("the base fee %v is above the fee cap %v", base, maxFee))
	}
	tipCap := new(big.Int).Set(s.cfg.Fees.TipCap)
	feeCap := new(big.Int).Add(new(big.Int).Lsh(base, 1), tipCap)
	if feeCap.Cmp(maxFee) > 0 {
		feeCap.Set(maxFee)
	}
	if tipCap.Cmp(feeCap) > 0 {
		tipCap.Set(feeCap)
	}
	for attempt := 0; ; attempt++ {
		if !s.nonceKnown {
			n, err := first(ctx, s.c, func(ctx context.Context, ep *endpoint) (uint64, error) {
				var n uint64
				err := s.c.call(ctx, "evm.Nonce", ep, func(ctx context.Context) (err error) {
					n, err = ep.eth.PendingNonceAt(ctx, s.from)
					return err
				})
				return n, err
			})
			if err != nil {
				return chains.Status{}, err
			}
			s.nextNonce, s.nonceKnown = n, true
		}
		hash, err := s.sendTx(ctx, s.nextNonce, gas, data, tipCap, feeCap)
		if err != nil && attempt == 0 && errors.Is(err, errNonceTooLow) {
			s.nonceKnown = false // someone else used the account: resynchronise once
			continue
		}
		if err != nil {
			return chains.Status{}, err
		}
		fl = &inflight{nonce: s.nextNonce, gas: gas, data: data, txs: []sentTx{{hash: hash, tip: tipCap, feeCap: feeCap, at: s.cfg.Now()}}}
		s.nextNonce++
		s.mu.Lock()
		s.inflight[id] = fl
		s.mu.Unlock()
		s.cfg.Logger.Info("transaction sent", "id", id, "tx", hash.Hex(), "nonce", fl.nonce, "gas", gas, "tip", tipCap, "fee_cap", feeCap)
		return s.pendingStatus(id, fl), nil
	}
}

// sendTx signs and sends one transaction; "already known" counts as sent,
// and after an ambiguous failure (a timeout) the transaction is looked up
// before it is reported unsent.
func (s *Sink) sendTx(ctx context.Context, nonce, gas uint64, data []byte, tip, feeCap *big.Int) (common.Hash, error) {
	to := s.cfg.Bridge
	tx, err := types.SignTx(types.NewTx(&types.DynamicFeeTx{
		ChainID:   new(big.Int).SetUint64(uint64(s.cfg.ChainID)),
		Nonce:     nonce,
		GasTipCap: tip,
		GasFeeCap: feeCap,
		Gas:       gas,
		To:        &to,
		Data:      data,
	}), s.tx, s.key)
	if err != nil {
		return common.Hash{}, fault.E("evm.Send", fault.Internal, err)
	}
	_, err = first(ctx, s.c, func(ctx context.Context, ep *endpoint) (struct{}, error) {
		err := s.c.call(ctx, "evm.Send", ep, func(ctx context.Context) error { return ep.eth.SendTransaction(ctx, tx) })
		if errors.Is(err, errAlreadyKnown) {
			err = nil
		}
		return struct{}{}, err
	})
	if err == nil {
		return tx.Hash(), nil
	}
	if errors.Is(err, errNonceTooLow) {
		return common.Hash{}, err
	}
	// It may have reached a node before the answer was lost.
	if _, lerr := first(ctx, s.c, func(ctx context.Context, ep *endpoint) (bool, error) {
		var pending bool
		err := s.c.call(ctx, "evm.TxByHash", ep, func(ctx context.Context) (err error) {
			_, pending, err = ep.eth.TransactionByHash(ctx, tx.Hash())
			return err
		})
		return pending, err
	}); lerr == nil {
		return tx.Hash(), nil
	}
	return common.Hash{}, err
}

func (s *Sink) pendingStatus(id string, fl *inflight) chains.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := chains.Status{ID: id, State: chains.StatePending, TxID: fl.last().hash.Hex()}
	if fl.capReached {
		st.Reason = fmt.Sprintf("fee cap reached: the transaction waits at the maximum fee per gas %v", fl.last().feeCap)
	}
	return st
}

// track looks for a receipt of any transaction of fl. Mined above the
// finalized block: Included. Mined at or below it: final (the in-flight
// record is dropped; a revert gives a reason). Not mined: the nonce may have
// been used by another transaction (final, with a reason); otherwise a stuck
// transaction is bumped and the status is Pending.
func (s *Sink) track(ctx context.Context, id string, fl *inflight, fin *types.Header) (chains.Status, bool, error) {
	s.mu.Lock()
	txs := append([]sentTx(nil), fl.txs...)
	s.mu.Unlock()
	for i := len(txs) - 1; i >= 0; i-- {
		h := txs[i].hash
		r, err := first(ctx, s.c, func(ctx context.Context, ep *endpoint) (*types.Receipt, error) { return s.c.receipt(ctx, ep, h) })
		if fault.KindOf(err) == fault.NotFound {
			continue
		}
		if err != nil {
			return chains.Status{}, false, err
		}
		if r.BlockNumber.Uint64() > fin.Number.Uint64() {
			return chains.Status{ID: id, State: chains.StateIncluded, TxID: h.Hex(),
				Block: chains.BlockRef{Height: r.BlockNumber.Uint64(), Hash: r.BlockHash.Hex()}}, false, nil
		}
		s.forget(id, fl)
		st := chains.Status{ID: id, TxID: h.Hex()}
		if r.Status != types.ReceiptStatusSuccessful {
			st.Reason = fmt.Sprintf("transaction %s reverted", h.Hex())
		}
		return st, true, nil
	}
	mined, err := first(ctx, s.c, func(ctx context.Context, ep *endpoint) (uint64, error) {
		var n uint64
		err := s.c.call(ctx, "evm.Nonce", ep, func(ctx context.Context) (err error) {
			n, err = ep.eth.NonceAt(ctx, s.from, nil)
			return err
		})
		return n, err
	})
	if err != nil {
		return chains.Status{}, false, err
	}
	if mined > fl.nonce {
		// SECURITY: receipts are read before the account nonce, so a nonce
		// used by one of our own transactions shows up above as a receipt
		// unless it was mined in between; the next Status sees the lock state.
		s.forget(id, fl)
		return chains.Status{ID: id, Reason: fmt.Sprintf("nonce %d was used by another transaction", fl.nonce)}, true, nil
	}
	s.bump(ctx, id, fl)
	return s.pendingStatus(id, fl), false, nil
}

// forget drops fl as the in-flight transaction of id.
func (s *Sink) forget(id string, fl *inflight) {
	s.mu.Lock()
	if s.inflight[id] == fl {
		delete(s.inflight, id)
	}
	s.mu.Unlock()
}

// bumpFee raises x by the configured percentage, rounding up.
func (s *Sink) bumpFee(x *big.Int) *big.Int {
	perMille := int64(math.Ceil(s.cfg.Fees.BumpPercent * 10))
	y := new(big.Int).Mul(x, big.NewInt(1000+perMille))
	y.Add(y, big.NewInt(999))
	return y.Div(y, big.NewInt(1000))
}

// bump replaces fl's transaction when it has waited BumpAfter: same nonce,
// tip and fee cap raised by BumpPercent (the fee cap also to twice the
// current base fee plus the tip), never above MaxFeePerGas. Once a further
// bump would pass the cap, the submission is marked and stops bumping.
func (s *Sink) bump(ctx context.Context, id string, fl *inflight) {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	s.mu.Lock()
	last, capReached := fl.last(), fl.capReached
	s.mu.Unlock()
	now := s.cfg.Now()
	if capReached || now.Sub(last.at) < s.cfg.Fees.BumpAfter {
		return
	}
	maxFee := s.cfg.Fees.MaxFeePerGas
	minFee, minTip := s.bumpFee(last.feeCap), s.bumpFee(last.tip)
	if minFee.Cmp(maxFee) > 0 {
		s.markCapReached(id, fl)
		return
	}
	newFee := new(big.Int).Set(minFee)
	if tip, err := first(ctx, s.c, s.c.latestHeader); err == nil && tip.BaseFee != nil {
		if want := new(big.Int).Add(new(big.Int).Lsh(tip.BaseFee, 1), minTip); want.Cmp(newFee) > 0 {
			newFee = want
		}
	}
	if newFee.Cmp(maxFee) > 0 {
		newFee.Set(maxFee)
	}
	newTip := minTip
	if newTip.Cmp(newFee) > 0 {
		newTip = new(big.Int).Set(newFee)
	}
	hash, err := s.sendTx(ctx, fl.nonce, fl.gas, fl.data, newTip, newFee)
	if err != nil {
		s.c.drops.inc(DropReplacementFail)
		s.cfg.Logger.Warn("fee-bumped replacement not sent", "id", id, "nonce", fl.nonce, "err", err)
		return
	}
	s.mu.Lock()
	fl.txs = append(fl.txs, sentTx{hash: hash, tip: newTip, feeCap: newFee, at: now})
	s.mu.Unlock()
	s.cfg.Logger.Info("stuck transaction replaced", "id", id, "tx", hash.Hex(), "nonce", fl.nonce, "tip", newTip, "fee_cap", newFee)
	if s.bumpFee(newFee).Cmp(maxFee) > 0 {
		s.markCapReached(id, fl)
	}
}

func (s *Sink) markCapReached(id string, fl *inflight) {
	s.mu.Lock()
	already := fl.capReached
	fl.capReached = true
	s.mu.Unlock()
	if !already {
		s.c.drops.inc(DropBumpCapReached)
		s.cfg.Logger.Warn("transaction at the fee cap; no further bumps", "id", id, "nonce", fl.nonce, "max_fee_per_gas", s.cfg.Fees.MaxFeePerGas)
	}
}

// Run looks at every in-flight submission every interval (bumping stuck
// transactions, dropping final ones) until ctx ends. It is optional: Status
// and Submit do the same for the submission they are asked about.
func (s *Sink) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = max(s.cfg.Fees.BumpAfter/4, time.Second)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		s.mu.Lock()
		ids := make([]string, 0, len(s.inflight))
		for id := range s.inflight {
			ids = append(ids, id)
		}
		s.mu.Unlock()
		for _, id := range ids {
			kind := chains.SubmitMint
			if _, err := chains.ParseRotationID(id); err == nil {
				kind = chains.SubmitRotate
			} else if _, err := parseBatchID(id); err == nil {
				kind = chains.SubmitMintBatch // its fees are bumped here too
			}
			if _, err := s.Status(ctx, kind, id); err != nil && ctx.Err() == nil {
				s.cfg.Logger.Warn("tracking an in-flight submission failed", "id", id, "kind", kind, "err", err)
			}
		}
	}
}
