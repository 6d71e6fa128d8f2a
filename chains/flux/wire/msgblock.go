package wire

import (
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// Block and transaction limits (RunOnFlux/fluxd src/consensus/consensus.h).
const (
	// MaxBlockSize is the largest serialized block, header included (MAX_BLOCK_SIZE).
	MaxBlockSize = 2_000_000
	// MaxTxSize is the largest serialized transaction since Sapling (MAX_TX_SIZE_AFTER_SAPLING).
	MaxTxSize = MaxBlockSize
	// MinTxSize is a lower bound on the size of any transaction fluxd can
	// serialize: a fluxnode transaction (version 5 or 6) whose type byte is
	// neither START nor CONFIRM is just the 4-byte header and the type byte
	// (CTransaction::SerializationOp writes nothing else for it). Every other
	// form is longer (a v1 transaction with no inputs or outputs is 10 bytes).
	MinTxSize = 4 + 1
	// MaxTxPerBlock bounds a block's transaction count before allocating:
	// no block can hold more than MaxBlockSize / MinTxSize transactions.
	MaxTxPerBlock = MaxBlockSize / MinTxSize
)

// MsgBlock is a full block: its header in full wire form and its transactions.
type MsgBlock struct {
	Header BlockHeader
	Txs    []*tx.Tx
}

// Command returns "block".
func (m *MsgBlock) Command() string { return CmdBlock }

// MaxPayload is MaxBlockSize.
func (m *MsgBlock) MaxPayload() int { return MaxBlockSize }

// Decode reads the header, the transaction count (at most MaxTxPerBlock and
// at most what the remaining bytes can hold at MinTxSize each, checked before
// allocating) and the transactions.
func (m *MsgBlock) Decode(r *codec.Reader) error {
	if err := m.Header.Decode(r); err != nil {
		return err
	}
	n, err := r.Count("block.tx_count", MaxTxPerBlock, MinTxSize)
	if err != nil {
		return err
	}
	m.Txs = nil
	if n == 0 {
		return nil
	}
	// Transactions are allocated one at a time as decoding proceeds, so a
	// count the payload does not back up costs at most the pointer slice
	// (8 bytes per MinTxSize bytes of remaining payload, as Count checked).
	txs := make([]*tx.Tx, n)
	for i := range txs {
		t := new(tx.Tx)
		if err := t.Decode(r); err != nil {
			return withIndex(err, "block.txs", i)
		}
		txs[i] = t
	}
	m.Txs = txs
	return nil
}

// Encode appends the header, the transaction count and the transactions.
func (m *MsgBlock) Encode(w *codec.Writer) {
	m.Header.Encode(w)
	w.CompactSize(uint64(len(m.Txs)))
	for _, t := range m.Txs {
		t.Encode(w)
	}
}

// BlockHash returns the hash of the block's header.
func (m *MsgBlock) BlockHash() chainhash.Hash { return m.Header.BlockHash() }

// MsgTx carries one transaction, to broadcast or as the answer to getdata.
type MsgTx struct {
	Tx *tx.Tx
}

// Command returns "tx".
func (m *MsgTx) Command() string { return CmdTx }

// MaxPayload is MaxTxSize.
func (m *MsgTx) MaxPayload() int { return MaxTxSize }

// Decode reads one transaction.
func (m *MsgTx) Decode(r *codec.Reader) error {
	m.Tx = new(tx.Tx)
	return m.Tx.Decode(r)
}

// Encode appends the transaction.
func (m *MsgTx) Encode(w *codec.Writer) { m.Tx.Encode(w) }
