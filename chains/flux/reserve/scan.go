package reserve

import (
	"errors"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/chains/flux/address"
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/memo"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// UTXO is one unspent output paying the reserve.
type UTXO struct {
	OutPoint chainhash.OutPoint
	// Value is in zatoshi.
	Value int64
	// Script is the reserve scriptPubKey the output pays.
	Script []byte
	// Height is the height of the block that created the output.
	Height int32
}

// Reason says why a payment to the reserve is an invalid lock that must be
// refunded: one of the constants below or a memo error code (memo.Code, e.g.
// "memo-length"). The list is append-only.
type Reason string

// Reasons of invalid locks that are not memo error codes.
const (
	// ReasonNotV4: the transaction is not an overwintered Sapling (v4)
	// transaction, the only lock format.
	ReasonNotV4 Reason = "not-v4"
	// ReasonMultipleReserveOutputs: more than one output pays the reserve.
	ReasonMultipleReserveOutputs Reason = "multiple-reserve-outputs"
	// ReasonMemoMissing: no output starts with OP_RETURN.
	ReasonMemoMissing Reason = "memo-missing"
	// ReasonMultipleOpReturn: more than one output starts with OP_RETURN.
	ReasonMultipleOpReturn Reason = "multiple-op-return"
	// ReasonUnsupportedChain: the memo names a chain the bridge does not serve.
	ReasonUnsupportedChain Reason = "unsupported-chain"
	// ReasonBelowMinimum: the reserve output is worth less than Config.MinLock.
	ReasonBelowMinimum Reason = "below-minimum"
)

// Lock is a payment to the reserve by a transaction that spends no reserve
// output: a valid lock (Invalid empty) or an invalid lock to refund.
type Lock struct {
	// TxID is the transaction's id (internal order).
	TxID chainhash.Hash
	// Vout is the reserve output; for an invalid lock with several reserve
	// outputs, the first. (TxID, Vout) is the lock id.
	Vout uint32
	// Height is the height of the block holding the transaction.
	Height int32
	// Value is the reserve output's value in zatoshi; for an invalid lock,
	// the total of all its reserve outputs (everything to refund).
	Value int64
	// Memo is the strictly parsed FLXB1 memo: always set for a valid lock,
	// and for an invalid lock whose single OP_RETURN parsed (HasMemo).
	Memo    memo.Lock
	HasMemo bool
	// Invalid is empty for a valid lock, else why it must be refunded.
	Invalid Reason
	// RefundAddress and RefundTo (its encoding on the scanner's network) are
	// where the lock is refunded if it must be (an invalid lock, or a valid
	// one its destination refuses), read from the first input's scriptSig
	// (RefundAddress); HasRefundAddress is false, and RefundTo empty, when it
	// cannot be derived and the lock needs an operator's claim.
	RefundAddress    address.Address
	HasRefundAddress bool
	RefundTo         string
	// Proof ties the transaction to its block header.
	Proof *Proof
}

// Valid reports whether the lock is valid (mintable).
func (l *Lock) Valid() bool { return l.Invalid == "" }

// ID returns the lock's transfer id, "flux:<display txid>:<vout>" (DESIGN §4).
func (l *Lock) ID() string { return LockID(l.TxID, l.Vout) }

// Spend is a transaction that spends at least one reserve output.
type Spend struct {
	// Kind is chains.EventRelease (an FLXR1 memo), chains.EventRefund (an
	// FLXF1 memo) or chains.EventReserveSpend (anything else: consolidation,
	// set rotation, or a malformed memo, see MemoProblem).
	Kind chains.EventKind
	// TxID is the transaction's id (internal order).
	TxID chainhash.Hash
	// Height is the height of the block holding the transaction.
	Height int32
	// Inputs are every reserve outpoint the transaction spends, in input order.
	Inputs []chainhash.OutPoint
	// Change are its outputs back to a reserve script, in output order.
	Change []UTXO
	// Paid is the total value of its outputs that do not pay the reserve.
	Paid int64
	// Release is the memo of a release; Refund the memo of a refund.
	Release memo.Release
	Refund  memo.Refund
	// MemoProblem is set on a reserve spend whose OP_RETURN outputs are not
	// exactly one release or refund memo: a memo error code or
	// ReasonMultipleOpReturn. It is empty for a spend with no OP_RETURN.
	MemoProblem Reason
	// Proof ties the transaction to its block header.
	Proof *Proof
}

// ID returns the spend's event id, "flux:spend:<display txid>".
func (s *Spend) ID() string { return "flux:spend:" + s.TxID.String() }

// BlockResult is what one block did to the reserve.
type BlockResult struct {
	// Locks are the valid and invalid locks, in transaction order.
	Locks []Lock
	// Spends are the reserve spends, in transaction order.
	Spends []Spend
	// Created are the reserve outputs the block created and left unspent.
	Created []UTXO
	// Spent are the reserve outputs from before the block that it spent.
	//
	// Both are net of the block: an output created and spent within the block
	// is in neither (its Spend still lists it in Inputs), so a caller may
	// apply Spent and Created to its set in either order.
	Spent []chainhash.OutPoint
}

// ScanBlock finds the locks and reserve spends of the block at height with
// header and transactions txs. isReserveUTXO reports whether an outpoint was
// an unspent reserve output before this block (nil: none was); outputs the
// block itself creates are tracked here.
//
// A transaction spending a reserve output is a Spend and never a lock; its
// outputs to the reserve are change. Otherwise a transaction paying the
// reserve is a Lock, valid when it is a v4 transaction with exactly one
// reserve output, exactly one OP_RETURN output holding a strict FLXB1 memo
// to a supported chain, and a value of at least MinLock; else invalid, with
// the first failing reason in that order. Every reserve output of a lock,
// valid or not, becomes a reserve UTXO.
//
// ScanBlock fails, and the block should be refused, when a transaction
// touching the reserve has an output value or total outside the money range
// (CodeValueRange), a reserve output is spent twice (CodeDoubleSpend), or,
// when the block has anything to prove, its txids do not give the header's
// merkle root (CodeMerkle).
func (s *Scanner) ScanBlock(height int32, header *wire.BlockHeader, txs []*tx.Tx,
	isReserveUTXO func(chainhash.OutPoint) bool) (*BlockResult, error) {
	if err := checkBlock(header, txs); err != nil {
		return nil, err
	}
	txids := make([]chainhash.Hash, len(txs))
	for i, t := range txs {
		txids[i] = t.TxID()
	}
	return s.scan(height, header, txs, txids, false, isReserveUTXO)
}

// ScanBlockTxIDs is ScanBlock for a caller that already computed the block's
// txids (internal order, one per transaction); it saves hashing every
// transaction again. The txids of transactions that touch the reserve are
// checked against their transactions.
func (s *Scanner) ScanBlockTxIDs(height int32, header *wire.BlockHeader, txs []*tx.Tx, txids []chainhash.Hash,
	isReserveUTXO func(chainhash.OutPoint) bool) (*BlockResult, error) {
	if err := checkBlock(header, txs); err != nil {
		return nil, err
	}
	if len(txids) != len(txs) {
		return nil, errorf(CodeBlock, "%d txids for %d transactions", len(txids), len(txs))
	}
	return s.scan(height, header, txs, txids, true, isReserveUTXO)
}

func checkBlock(header *wire.BlockHeader, txs []*tx.Tx) error {
	if header == nil {
		return errorf(CodeBlock, "nil header")
	}
	if len(txs) > wire.MaxTxPerBlock {
		return errorf(CodeBlock, "%d transactions, at most %d", len(txs), wire.MaxTxPerBlock)
	}
	for i, t := range txs {
		if t == nil {
			return errorf(CodeBlock, "transaction %d is nil", i)
		}
	}
	return nil
}

// blockScan is the state of one ScanBlock call.
type blockScan struct {
	*Scanner
	height int32
	txs    []*tx.Tx
	txids  []chainhash.Hash
	// checkTxIDs is set when the caller supplied the txids: those of the
	// transactions touching the reserve (few) are recomputed, so a caller's
	// mistake cannot put a wrong txid into an event.
	checkTxIDs bool
	isUTXO     func(chainhash.OutPoint) bool
	res        BlockResult
	created    map[chainhash.OutPoint]int // outpoint → index in res.Created, allocated on first use
	dropped    []bool                     // res.Created entries spent within the block
	spent      map[chainhash.OutPoint]struct{}
	lockTx     []int // the transaction index of each lock
	spendTx    []int // the transaction index of each spend
}

func (s *Scanner) scan(height int32, header *wire.BlockHeader, txs []*tx.Tx, txids []chainhash.Hash, checkTxIDs bool,
	isReserveUTXO func(chainhash.OutPoint) bool) (*BlockResult, error) {
	b := blockScan{Scanner: s, height: height, txs: txs, txids: txids, checkTxIDs: checkTxIDs, isUTXO: isReserveUTXO}
	for i, t := range txs {
		if err := b.scanTx(i, t); err != nil {
			return nil, err
		}
	}
	if err := b.attachProofs(header); err != nil {
		return nil, err
	}
	b.netCreated()
	res := b.res
	return &res, nil
}

// isReserveInput reports whether op is a reserve output: created earlier in
// this block or unspent before it.
func (b *blockScan) isReserveInput(op chainhash.OutPoint) bool {
	if _, ok := b.created[op]; ok {
		return true
	}
	return b.isUTXO != nil && b.isUTXO(op)
}

func (b *blockScan) scanTx(i int, t *tx.Tx) error {
	var inputs []chainhash.OutPoint
	if !t.IsCoinBase() {
		for _, in := range t.Inputs {
			if b.isReserveInput(in.PrevOut) {
				inputs = append(inputs, in.PrevOut)
			}
		}
	}
	if len(inputs) == 0 && !b.paysReserve(t) {
		return nil
	}
	if b.checkTxIDs {
		if id := t.TxID(); id != b.txids[i] {
			return errorf(CodeBlock, "txid %d is %s, the transaction hashes to %s", i, b.txids[i], id)
		}
	}
	if err := checkValues(b.txids[i], t); err != nil {
		return err
	}
	if len(inputs) > 0 {
		return b.spend(i, t, inputs)
	}
	b.lock(i, t)
	return nil
}

func (b *blockScan) paysReserve(t *tx.Tx) bool {
	for _, o := range t.Outputs {
		if b.IsReserveScript(o.Script) {
			return true
		}
	}
	return false
}

// checkValues applies fluxd's CheckTransaction money rules to the outputs:
// every value and the running total within [0, MaxMoney].
func checkValues(txid chainhash.Hash, t *tx.Tx) error {
	var total int64
	for v, o := range t.Outputs {
		if !tx.MoneyRange(o.Value) {
			return errorf(CodeValueRange, "tx %s output %d value %d", txid, v, o.Value)
		}
		total += o.Value // both terms <= MaxMoney: no overflow
		if !tx.MoneyRange(total) {
			return errorf(CodeValueRange, "tx %s outputs total %d after output %d", txid, total, v)
		}
	}
	return nil
}

// markSpent records inputs as spent by the block.
func (b *blockScan) markSpent(txid chainhash.Hash, inputs []chainhash.OutPoint) error {
	if b.spent == nil {
		b.spent = make(map[chainhash.OutPoint]struct{})
	}
	for _, op := range inputs {
		if _, dup := b.spent[op]; dup {
			return errorf(CodeDoubleSpend, "tx %s spends reserve output %s already spent in this block", txid, op)
		}
		b.spent[op] = struct{}{}
		if j, ok := b.created[op]; ok {
			b.dropped[j] = true
			continue
		}
		b.res.Spent = append(b.res.Spent, op)
	}
	return nil
}

// addCreated records output v of transaction i as a new reserve UTXO.
func (b *blockScan) addCreated(i int, v int, o *tx.TxOut) UTXO {
	u := UTXO{
		OutPoint: chainhash.OutPoint{Hash: b.txids[i], Index: uint32(v)},
		Value:    o.Value,
		Script:   o.Script,
		Height:   b.height,
	}
	if b.created == nil {
		b.created = make(map[chainhash.OutPoint]int)
	}
	b.created[u.OutPoint] = len(b.res.Created)
	b.res.Created = append(b.res.Created, u)
	b.dropped = append(b.dropped, false)
	return u
}

func (b *blockScan) spend(i int, t *tx.Tx, inputs []chainhash.OutPoint) error {
	txid := b.txids[i]
	if err := b.markSpent(txid, inputs); err != nil {
		return err
	}
	sp := Spend{Kind: chains.EventReserveSpend, TxID: txid, Height: b.height, Inputs: inputs}
	var opReturns int
	var opReturn []byte
	for v := range t.Outputs {
		o := &t.Outputs[v]
		if b.IsReserveScript(o.Script) {
			sp.Change = append(sp.Change, b.addCreated(i, v, o))
			continue
		}
		if isOpReturn(o.Script) {
			opReturns++
			opReturn = o.Script
		}
		sp.Paid += o.Value // checkValues bounded the total
	}
	switch {
	case opReturns > 1:
		sp.MemoProblem = ReasonMultipleOpReturn
	case opReturns == 1:
		m, err := memo.FromScript(opReturn)
		if err != nil {
			m = nil // a failed parse may still return a zero memo of its kind
		}
		switch mm := m.(type) {
		case memo.Release:
			sp.Kind, sp.Release = chains.EventRelease, mm
		case memo.Refund:
			sp.Kind, sp.Refund = chains.EventRefund, mm
		default:
			sp.MemoProblem = memoReason(err, memo.CodeUnknownMagic)
		}
	}
	b.res.Spends = append(b.res.Spends, sp)
	b.spendTx = append(b.spendTx, i)
	return nil
}

func isOpReturn(s []byte) bool { return len(s) > 0 && s[0] == script.OP_RETURN }

// memoReason returns err's memo code, or fallback when err carries none.
func memoReason(err error, fallback memo.Code) Reason {
	var e *memo.Error
	if errors.As(err, &e) && e.Code != "" {
		return Reason(e.Code)
	}
	return Reason(fallback)
}

func (b *blockScan) lock(i int, t *tx.Tx) {
	l := Lock{TxID: b.txids[i], Height: b.height}
	var reserveOuts, opReturns int
	var opReturn []byte
	for v := range t.Outputs {
		o := &t.Outputs[v]
		switch {
		case b.IsReserveScript(o.Script):
			u := b.addCreated(i, v, o)
			if reserveOuts == 0 {
				l.Vout = u.OutPoint.Index
			}
			reserveOuts++
			l.Value += o.Value // checkValues bounded the total
		case isOpReturn(o.Script):
			opReturns++
			opReturn = o.Script
		}
	}
	var memoErr Reason
	if opReturns == 1 {
		m, err := memo.FromScript(opReturn)
		if lm, ok := m.(memo.Lock); ok && err == nil {
			l.Memo, l.HasMemo = lm, true
		} else {
			memoErr = memoReason(err, memo.CodeUnknownMagic)
		}
	}
	switch {
	case !t.IsSapling():
		l.Invalid = ReasonNotV4
	case reserveOuts > 1:
		l.Invalid = ReasonMultipleReserveOutputs
	case opReturns == 0:
		l.Invalid = ReasonMemoMissing
	case opReturns > 1:
		l.Invalid = ReasonMultipleOpReturn
	case memoErr != "":
		l.Invalid = memoErr
	case !b.supported(l.Memo.ChainID):
		l.Invalid = ReasonUnsupportedChain
	case l.Value < b.minLock:
		l.Invalid = ReasonBelowMinimum
	}
	// Every lock gets its refund address: an invalid one is refunded, and a
	// valid one too if its destination's immutable rules forbid minting it.
	if a, ok := RefundAddress(t); ok {
		l.RefundAddress, l.HasRefundAddress, l.RefundTo = a, true, a.Encode(b.params)
	}
	b.res.Locks = append(b.res.Locks, l)
	b.lockTx = append(b.lockTx, i)
}

// attachProofs builds the merkle tree once and gives every lock and spend
// its proof, after checking the tree against the header.
func (b *blockScan) attachProofs(header *wire.BlockHeader) error {
	if len(b.lockTx) == 0 && len(b.spendTx) == 0 {
		return nil
	}
	tree, root, mutated := buildTree(b.txids)
	if err := checkRoot(header, root, mutated, len(b.txids)); err != nil {
		return err
	}
	raw := header.Bytes()
	proof := func(i int) (*Proof, error) {
		p := &Proof{
			Header:  raw,
			TxIndex: uint32(i),
			TxCount: uint32(len(b.txids)),
			Branch:  tree.branch(i),
			RawTx:   b.txs[i].Bytes(),
		}
		return p, p.checkSizes()
	}
	var err error
	for k, i := range b.lockTx {
		if b.res.Locks[k].Proof, err = proof(i); err != nil {
			return err
		}
	}
	for k, i := range b.spendTx {
		if b.res.Spends[k].Proof, err = proof(i); err != nil {
			return err
		}
	}
	return nil
}

// netCreated drops the outputs created and spent within the block.
func (b *blockScan) netCreated() {
	out := b.res.Created[:0]
	for j, u := range b.res.Created {
		if !b.dropped[j] {
			out = append(out, u)
		}
	}
	if len(out) == 0 {
		out = nil
	}
	b.res.Created = out
}
