package evm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// MaxLimit caps the page size a request may ask for.
const MaxLimit = 10_000

// Source observes the Burn events of one FluxBridge contract at the chain's
// finalized block (chains.Source). It is safe for concurrent use.
//
// Every burn is reported only after it passed, at finality: the log decodes
// as a Burn of the bridge; its transaction's receipt, fetched again, has
// status 1, the log's transaction and block hash and the identical log at the
// same index, plus the token Transfer that burned the amount; the canonical
// block at the log's height is the log's block; and the burn's nonce is the
// next one expected. Anything else is dropped with a counted reason and the
// page fails (fault.Reorged or fault.Transient) without advancing past the burn.
type Source struct {
	c *Client

	tokenMu sync.Mutex
	token   common.Address // the bridge's FluxToken, read once
}

// NewSource returns the source of the bridge c is configured for.
func NewSource(c *Client) *Source { return &Source{c: c} }

// Client returns the endpoints the source reads through.
func (s *Source) Client() *Client { return s.c }

// Chain returns the configured chain id.
func (s *Source) Chain() chains.ID { return s.c.cfg.ChainID }

// Drops returns the drop counters by reason (shared with a Sink on the same Client).
func (s *Source) Drops() map[string]uint64 { return s.c.Drops() }

// Head returns the tip (the first endpoint's latest block) and the agreed
// finalized block. It is unhealthy, with a reason, when an endpoint fails or
// the endpoints disagree; an error is returned only when no view at all can
// be formed, or as a fault.Invalid refusal of an endpoint without the
// finalized tag or on another chain.
func (s *Source) Head(ctx context.Context) (chains.Head, error) {
	const op = "evm.Head"
	fin, ferr := s.c.finality(ctx)
	if ferr != nil && fault.KindOf(ferr) == fault.Invalid {
		return chains.Head{}, ferr
	}
	tips := each(ctx, s.c, s.c.latestHeader)
	var h chains.Head
	var reasons []string
	for _, a := range tips {
		switch {
		case a.err != nil:
			reasons = append(reasons, a.err.Error())
		case h.Tip.Hash == "":
			h.Tip = blockRef(a.v)
		}
	}
	if ferr != nil {
		reasons = append([]string{ferr.Error()}, reasons...)
	} else {
		h.Final = blockRef(fin)
		if h.Tip.Hash == "" || h.Tip.Height < h.Final.Height {
			h.Tip = h.Final
		}
	}
	if h.Tip.Hash == "" {
		return chains.Head{}, fault.E(op, fault.Transient, errors.New(strings.Join(reasons, "; ")))
	}
	h.Healthy = len(reasons) == 0
	h.Reason = strings.Join(reasons, "; ")
	return h, nil
}

// Events returns the finalized burns after req.After. Confirmations above 1
// further hold back the last blocks below the tip; the finalized tag always
// applies. The cursor is "v1:<next block>:<next nonce>".
func (s *Source) Events(ctx context.Context, req chains.EventsRequest) (chains.EventsResponse, error) {
	const op = "evm.Events"
	cfg := &s.c.cfg
	cur, err := parseCursor(req.After, cfg.StartBlock)
	if err != nil {
		return chains.EventsResponse{}, err
	}
	limit := req.Limit
	switch {
	case limit <= 0:
		limit = cfg.DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}
	head, err := s.Head(ctx)
	if err != nil {
		return chains.EventsResponse{}, err
	}
	if !head.Healthy && head.Final.Hash == "" {
		return chains.EventsResponse{}, fault.E(op, fault.Transient, errors.New(head.Reason))
	}
	end := head.Final.Height
	if c := uint64(req.Confirmations); c > 1 {
		if head.Tip.Height+1 < c {
			return chains.EventsResponse{Next: req.After, Head: head}, nil
		}
		end = min(end, head.Tip.Height+1-c)
	}
	res := chains.EventsResponse{Next: req.After, Head: head}
	if cur.block > end {
		return res, nil
	}
	token, err := s.tokenAddr(ctx, head)
	if err != nil {
		return chains.EventsResponse{}, err
	}
	pg := &page{s: s, token: token, receipts: map[common.Hash]*types.Receipt{}, headers: map[uint64]*types.Header{}}
	next := cur
	from := cur.block
	for r := 0; r < cfg.RangesPerCall && from <= end; r++ {
		to := min(end, from+cfg.MaxBlockRange-1)
		if to < from { // overflow near the top of uint64
			to = end
		}
		logs, scanned, err := s.logs(ctx, from, to)
		if err != nil {
			return chains.EventsResponse{}, err
		}
		for i := range logs {
			lg := &logs[i]
			b, err := decodeBurn(lg, cfg.Bridge)
			if err != nil {
				s.c.drops.inc(DropMalformedLog)
				return chains.EventsResponse{}, fault.E(op, fault.Transient, fmt.Errorf("log %d of tx %s: %w", lg.Index, lg.TxHash.Hex(), err))
			}
			switch {
			case b.Nonce < cur.nonce && lg.BlockNumber == cur.block:
				continue // delivered by the page that ended inside this block
			case b.Nonce < next.nonce:
				s.c.drops.inc(DropNonceRepeat)
				return chains.EventsResponse{}, fault.E(op, fault.Conflict, fmt.Errorf("burn nonce %d in block %d repeats (next expected %d)", b.Nonce, lg.BlockNumber, next.nonce))
			case b.Nonce > next.nonce:
				s.c.drops.inc(DropNonceGap)
				return chains.EventsResponse{}, fault.E(op, fault.Conflict, fmt.Errorf("burn nonce %d in block %d skips %d", b.Nonce, lg.BlockNumber, next.nonce))
			}
			ev, err := pg.verify(ctx, lg, b)
			if err != nil {
				return chains.EventsResponse{}, err
			}
			res.Events = append(res.Events, ev)
			next.nonce++
			if len(res.Events) == limit {
				next.block = lg.BlockNumber
				res.Next = next.encode()
				return res, nil
			}
		}
		next.block = scanned + 1
		from = scanned + 1
	}
	res.Next = next.encode()
	return res, nil
}

// logs returns the bridge's Burn logs in [from, to], agreed by the endpoints,
// in chain order, each inside the range. An oversized answer halves the range
// (down to one block); the second result is the last block covered.
func (s *Source) logs(ctx context.Context, from, to uint64) ([]types.Log, uint64, error) {
	const op = "evm.Logs"
	for {
		q := ethereum.FilterQuery{
			FromBlock: new(big.Int).SetUint64(from),
			ToBlock:   new(big.Int).SetUint64(to),
			Addresses: []common.Address{s.c.cfg.Bridge},
			Topics:    [][]common.Hash{{burnTopic}},
		}
		logs, err := agree(ctx, s.c, op, func(ctx context.Context, ep *endpoint) ([]types.Log, error) {
			return s.c.filterLogs(ctx, ep, q)
		}, logKey)
		if err != nil {
			if errors.Is(err, errResponseTooLarge) && to > from {
				to = from + (to-from)/2
				continue
			}
			return nil, 0, err
		}
		if err := s.checkOrder(logs, from, to); err != nil {
			return nil, 0, err
		}
		return logs, to, nil
	}
}

// checkOrder sorts logs into chain order and refuses positions outside the
// range or repeated.
func (s *Source) checkOrder(logs []types.Log, from, to uint64) error {
	const op = "evm.Logs"
	slices.SortStableFunc(logs, func(a, b types.Log) int {
		if a.BlockNumber != b.BlockNumber {
			return cmpUint(a.BlockNumber, b.BlockNumber)
		}
		return cmpUint(uint64(a.Index), uint64(b.Index))
	})
	for i := range logs {
		lg := &logs[i]
		if lg.BlockNumber < from || lg.BlockNumber > to {
			s.c.drops.inc(DropLogOutsideRange)
			return fault.E(op, fault.Transient, fmt.Errorf("a log of block %d answers a query for %d..%d", lg.BlockNumber, from, to))
		}
		if i > 0 && logs[i-1].BlockNumber == lg.BlockNumber && logs[i-1].Index == lg.Index {
			s.c.drops.inc(DropDuplicateLog)
			return fault.E(op, fault.Transient, fmt.Errorf("log %d of block %d appears twice", lg.Index, lg.BlockNumber))
		}
	}
	return nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// filterLogs runs eth_getLogs on ep.
func (c *Client) filterLogs(ctx context.Context, ep *endpoint, q ethereum.FilterQuery) ([]types.Log, error) {
	if err := c.ensure(ctx, ep, false); err != nil {
		return nil, err
	}
	var logs []types.Log
	err := c.call(ctx, "evm.Logs", ep, func(ctx context.Context) (err error) {
		logs, err = ep.eth.FilterLogs(ctx, q)
		return err
	})
	return logs, err
}

// tokenAddr returns the bridge's token, read once at the finalized block.
func (s *Source) tokenAddr(ctx context.Context, head chains.Head) (common.Address, error) {
	s.tokenMu.Lock()
	defer s.tokenMu.Unlock()
	if s.token != (common.Address{}) {
		return s.token, nil
	}
	b := fluxBridge()
	a, err := view(ctx, s.c, true, common.HexToHash(head.Final.Hash), b.PackToken(), b.UnpackToken)
	if err != nil {
		return common.Address{}, err
	}
	if a == (common.Address{}) {
		return common.Address{}, fault.E("evm.Token", fault.Internal, fmt.Errorf("token() returned %v", a))
	}
	s.token = a
	return a, nil
}

// page caches what one Events or Reobserve call fetched.
type page struct {
	s        *Source
	token    common.Address
	receipts map[common.Hash]*types.Receipt
	headers  map[uint64]*types.Header
}

// drop counts reason and returns the page's error.
func (pg *page) drop(reason string, kind fault.Kind, lg *types.Log, format string, args ...any) error {
	pg.s.c.drops.inc(reason)
	pg.s.c.cfg.Logger.Warn("burn dropped", "reason", reason, "tx", lg.TxHash.Hex(), "log_index", lg.Index, "block", lg.BlockNumber)
	return fault.E("evm.Verify", kind, fmt.Errorf("burn in tx %s log %d dropped (%s): %s", lg.TxHash.Hex(), lg.Index, reason, fmt.Sprintf(format, args...)))
}

// verify re-fetches the receipt and the canonical header of lg and builds
// its event.
//
// SECURITY: this is the re-verification at finality (signing rule 1); an
// event leaves this package only through here.
func (pg *page) verify(ctx context.Context, lg *types.Log, b burn) (chains.Event, error) {
	c := pg.s.c
	r, ok := pg.receipts[lg.TxHash]
	if !ok {
		var err error
		r, err = agree(ctx, c, "evm.Receipt", func(ctx context.Context, ep *endpoint) (*types.Receipt, error) {
			return c.receipt(ctx, ep, lg.TxHash)
		}, receiptKey)
		switch {
		case fault.KindOf(err) == fault.NotFound:
			return chains.Event{}, pg.drop(DropReceiptMissing, fault.Reorged, lg, "no receipt")
		case err != nil:
			return chains.Event{}, err
		}
		pg.receipts[lg.TxHash] = r
	}
	switch {
	case r.TxHash != lg.TxHash:
		return chains.Event{}, pg.drop(DropReceiptTx, fault.Transient, lg, "receipt of %s", r.TxHash.Hex())
	case r.Status != types.ReceiptStatusSuccessful:
		return chains.Event{}, pg.drop(DropReceiptStatus, fault.Transient, lg, "status %d", r.Status)
	case r.BlockHash != lg.BlockHash || r.BlockNumber.Uint64() != lg.BlockNumber:
		return chains.Event{}, pg.drop(DropReceiptBlock, fault.Reorged, lg, "receipt in block %d %s, log in %d %s",
			r.BlockNumber, r.BlockHash.Hex(), lg.BlockNumber, lg.BlockHash.Hex())
	}
	found := false
	for _, rl := range r.Logs {
		if rl != nil && rl.Index == lg.Index {
			found = sameLog(rl, lg)
			break
		}
	}
	if !found {
		return chains.Event{}, pg.drop(DropReceiptLog, fault.Transient, lg, "the receipt lacks the identical log at index %d", lg.Index)
	}
	if !hasBurnTransfer(r, pg.token, b) {
		return chains.Event{}, pg.drop(DropBurnNoTransfer, fault.Transient, lg, "no Transfer of %d from %s to zero", b.Amount, b.Sender.Hex())
	}
	h, ok := pg.headers[lg.BlockNumber]
	if !ok {
		var err error
		if h, err = c.canonical(ctx, lg.BlockNumber); err != nil {
			return chains.Event{}, err
		}
		pg.headers[lg.BlockNumber] = h
	}
	if h.Hash() != lg.BlockHash {
		return chains.Event{}, pg.drop(DropNotCanonical, fault.Reorged, lg, "canonical block %d is %s", lg.BlockNumber, h.Hash().Hex())
	}
	evidence, err := json.Marshal(r)
	if err != nil {
		return chains.Event{}, fault.E("evm.Verify", fault.Internal, err)
	}
	return chains.Event{
		Kind:      chains.EventBurn,
		ID:        BurnID(c.cfg.ChainID, b.Nonce),
		Chain:     c.cfg.ChainID,
		TxID:      lg.TxHash.Hex(),
		Index:     uint32(lg.Index),
		Block:     blockRef(h),
		Amount:    b.Amount,
		DestChain: chains.FluxL1,
		Recipient: b.FluxAddr[:],
		Nonce:     b.Nonce,
		Sender:    b.Sender.Hex(),
		Evidence:  evidence,
	}, nil
}

// receiptKey is a canonical string of a receipt for agreement.
func receiptKey(r *types.Receipt) string {
	b, err := json.Marshal(r)
	if err != nil {
		return "\x00unencodable"
	}
	return string(b)
}

// BurnID is the transfer id DESIGN §4 gives an EVM burn: "<chainId>:burn:<nonce>".
func BurnID(chain chains.ID, nonce uint64) string {
	return fmt.Sprintf("%s:burn:%d", chain, nonce)
}

// parseTxID parses a 0x-prefixed 32-byte transaction hash.
func parseTxID(op, s string) (common.Hash, error) {
	if len(s) != 66 || !strings.HasPrefix(s, "0x") {
		return common.Hash{}, fault.E(op, fault.Invalid, fmt.Errorf("txid %.80q is not 0x and 64 hex digits", s))
	}
	b, err := hexutil.Decode(s)
	if err != nil {
		return common.Hash{}, fault.E(op, fault.Invalid, fmt.Errorf("txid %q: %v", s, err))
	}
	return common.BytesToHash(b), nil
}

// Reobserve re-fetches and re-verifies the Burn events of one transaction
// now. The finalized block is read first (closing the race with a fork that
// happens while the transaction is fetched); a transaction that is unknown,
// failed, not yet final or without a Burn of the bridge is fault.NotFound.
func (s *Source) Reobserve(ctx context.Context, txid string) ([]chains.Event, error) {
	const op = "evm.Reobserve"
	tx, err := parseTxID(op, txid)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fault.E(op, fault.Transient, err)
	}
	fin, err := s.c.finality(ctx)
	if err != nil {
		return nil, err
	}
	r, err := agree(ctx, s.c, "evm.Receipt", func(ctx context.Context, ep *endpoint) (*types.Receipt, error) {
		return s.c.receipt(ctx, ep, tx)
	}, receiptKey)
	switch {
	case fault.KindOf(err) == fault.NotFound:
		return nil, fault.E(op, fault.NotFound, fmt.Errorf("no transaction %s", txid))
	case err != nil:
		return nil, err
	case r.BlockNumber.Uint64() > fin.Number.Uint64():
		return nil, fault.E(op, fault.NotFound, fmt.Errorf("transaction %s is in block %d, above the finalized %d", txid, r.BlockNumber, fin.Number))
	case r.Status != types.ReceiptStatusSuccessful:
		return nil, fault.E(op, fault.NotFound, fmt.Errorf("transaction %s failed: it burned nothing", txid))
	}
	head := chains.Head{Final: blockRef(fin)}
	token, err := s.tokenAddr(ctx, head)
	if err != nil {
		return nil, err
	}
	// The block's Burn logs as eth_getLogs reports them must be the
	// receipt's, one for one.
	bh := r.BlockHash
	logs, err := agree(ctx, s.c, "evm.Logs", func(ctx context.Context, ep *endpoint) ([]types.Log, error) {
		return s.c.filterLogs(ctx, ep, ethereum.FilterQuery{BlockHash: &bh, Addresses: []common.Address{s.c.cfg.Bridge}, Topics: [][]common.Hash{{burnTopic}}})
	}, logKey)
	if err != nil {
		return nil, err
	}
	n := r.BlockNumber.Uint64()
	if err := s.checkOrder(logs, n, n); err != nil {
		return nil, err
	}
	var mine []*types.Log
	for i := range logs {
		if logs[i].TxHash == tx {
			mine = append(mine, &logs[i])
		}
	}
	inReceipt := 0
	for _, rl := range r.Logs {
		if rl != nil && rl.Address == s.c.cfg.Bridge && len(rl.Topics) > 0 && rl.Topics[0] == burnTopic {
			inReceipt++
		}
	}
	pg := &page{s: s, token: token, receipts: map[common.Hash]*types.Receipt{tx: r}, headers: map[uint64]*types.Header{}}
	if inReceipt != len(mine) {
		s.c.drops.inc(DropReceiptLog)
		return nil, fault.E(op, fault.Transient, fmt.Errorf("the receipt of %s holds %d Burn logs, eth_getLogs %d", txid, inReceipt, len(mine)))
	}
	if len(mine) == 0 {
		return nil, fault.E(op, fault.NotFound, fmt.Errorf("transaction %s holds no Burn of the bridge", txid))
	}
	evs := make([]chains.Event, 0, len(mine))
	for _, lg := range mine {
		b, err := decodeBurn(lg, s.c.cfg.Bridge)
		if err != nil {
			s.c.drops.inc(DropMalformedLog)
			return nil, fault.E(op, fault.Transient, err)
		}
		ev, err := pg.verify(ctx, lg, b)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

// LockState reads the bridge's record of a lock at the agreed finalized block.
func (s *Source) LockState(ctx context.Context, l chains.LockRef) (LockState, error) {
	fin, err := s.c.finality(ctx)
	if err != nil {
		return LockState{}, err
	}
	return s.c.lockState(ctx, true, fin, l)
}

// Totals reads the bridge's counters at the agreed finalized block.
func (s *Source) Totals(ctx context.Context) (Totals, error) {
	fin, err := s.c.finality(ctx)
	if err != nil {
		return Totals{}, err
	}
	return s.c.totals(ctx, fin)
}
