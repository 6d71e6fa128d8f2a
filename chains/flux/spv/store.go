package spv

import (
	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
)

// Store persists the chain. Implementations (chains/flux/store) keep
// everything a Batch writes atomically: after a crash the store holds the
// state of the last committed Commit or Init, never part of one. The Chain
// makes one write (Init, Commit, Watch) at a time, in order, so
// implementations need not order concurrent writes themselves. They must be
// safe for concurrent reads, also while a Commit runs (ConnectCheckedBlocks
// commits in the background): such a read sees the state before or after
// the whole Commit, never part of it.
type Store interface {
	// State returns the anchor and the tip; ok is false for an empty store.
	State() (st State, ok bool, err error)
	// Init writes the anchor state into an empty store in one transaction.
	Init(in *InitState) error
	// Commit applies a batch in one transaction.
	Commit(b *Batch) error
	// Watch records txid as watched (not mined). Watching a watched
	// transaction again changes nothing.
	Watch(txid chainhash.Hash) error

	// MainHeaders returns the main-chain header rows with from <= height <= to, ascending.
	MainHeaders(from, to int32) ([]HeaderRecord, error)
	// HeaderAt returns the main-chain header row at height.
	HeaderAt(height int32) (HeaderRecord, bool, error)
	// HeaderByHash returns the header row with hash, main chain or orphaned.
	HeaderByHash(hash chainhash.Hash) (HeaderRecord, bool, error)
	// Undo returns the undo data stored for a connected block.
	Undo(hash chainhash.Hash) ([]byte, bool, error)
	// Fluxnodes returns every stored fluxnode entry.
	Fluxnodes() ([]FluxnodeRecord, error)
	// UTXOs returns every stored reserve UTXO.
	UTXOs() ([]UTXORecord, error)
	// Watched returns every watched transaction.
	Watched() ([]WatchedTx, error)

	// EventsInRange returns the events of main-chain blocks with
	// from <= height <= to in block order (height, then Seq). It stops after
	// the block in which the count reached limit, so it never splits a
	// block's events; limit <= 0 means no limit.
	EventsInRange(from, to int32, limit int) ([]EventRecord, error)
	// BlockEvents returns the events of one block, main chain or orphaned, by Seq.
	BlockEvents(hash chainhash.Hash) ([]EventRecord, error)
	// EventsByTx returns the main-chain events of one transaction, in block order.
	EventsByTx(txid chainhash.Hash) ([]EventRecord, error)
	// EventByID returns the main-chain event with a transfer id.
	EventByID(id string) (EventRecord, bool, error)
}

// State is the position a store is at.
type State struct {
	// AnchorHeight and AnchorHash name the trust anchor the store started from.
	AnchorHeight int32
	AnchorHash   chainhash.Hash
	// TipHeight and TipHash name the last connected block.
	TipHeight int32
	TipHash   chainhash.Hash
}

// HeaderRecord is one stored block header. Every connected block has one,
// and keeps it (with Main false) after a reorganisation removes it.
type HeaderRecord struct {
	Hash   chainhash.Hash
	Height int32
	Prev   chainhash.Hash
	// Raw is the header's full wire form (PoN signature included).
	Raw []byte
	// Work is the chainwork from the anchor's first header up to and
	// including this block, 32 bytes big-endian.
	Work []byte
	// Main is true while the block is on the connected main chain.
	Main bool
}

// FluxnodeRecord is one fluxnode entry, MarshalBinary'd by the fluxnode package.
type FluxnodeRecord struct {
	OutPoint chainhash.OutPoint
	Data     []byte
}

// UTXORecord is one reserve UTXO.
type UTXORecord struct {
	OutPoint chainhash.OutPoint
	Value    int64
	Script   []byte
	Height   int32
}

// WatchedTx is a transaction the node tracks; Mined says whether a main-chain
// block holds it, and then Height and BlockHash say which.
type WatchedTx struct {
	TxID      chainhash.Hash
	Mined     bool
	Height    int32
	BlockHash chainhash.Hash
}

// EventRecord is one stored bridge event.
type EventRecord struct {
	BlockHash chainhash.Hash
	Height    int32
	// Seq orders the events of one block, from 0.
	Seq int32
	// ID is the event's transfer id (chains.Event.ID).
	ID string
	// TxID is the transaction that carries the event.
	TxID chainhash.Hash
	// Data is the encoded chains.Event (spv's encoding; opaque to the store).
	Data []byte
	// Orphaned is set when a reorganisation removed the block (read only;
	// Commit sets it through Batch.Disconnect).
	Orphaned bool
}

// InitState is what Init writes into an empty store.
type InitState struct {
	State State
	// Headers are the anchor's headers, all on the main chain.
	Headers []HeaderRecord
	// Fluxnodes is the anchor's fluxnode set.
	Fluxnodes []FluxnodeRecord
}

// BlockRef names a block.
type BlockRef struct {
	Hash   chainhash.Hash
	Height int32
}

// ConnectedBlock is one block a Batch connects.
type ConnectedBlock struct {
	Header HeaderRecord
	// Undo is the data needed to disconnect the block (spv's encoding).
	Undo []byte
	// Events are the block's bridge events.
	Events []EventRecord
}

// Batch is one state step: first the blocks disconnected (tip first), then
// the blocks connected (in order), then the net changes they made to the
// fluxnode set, the reserve UTXOs and the watched transactions, the new tip,
// and the undo pruning.
type Batch struct {
	// Disconnect: these blocks leave the main chain (Main false), their events
	// become orphaned (kept), their undo data is deleted.
	Disconnect []BlockRef
	// Connect: these blocks join the main chain (a header row inserted or
	// marked Main again), with their undo data and events (replacing any
	// orphaned copies).
	Connect []ConnectedBlock
	// FluxnodePut and FluxnodeDelete are the net changes to the fluxnode set.
	FluxnodePut    []FluxnodeRecord
	FluxnodeDelete []chainhash.OutPoint
	// UTXOPut and UTXODelete are the net changes to the reserve UTXOs.
	UTXOPut    []UTXORecord
	UTXODelete []chainhash.OutPoint
	// Watched are watched transactions whose state changed (mined or not).
	Watched []WatchedTx
	// Tip is the new tip.
	Tip BlockRef
	// PruneUndoBelow: undo data of blocks below this height is deleted.
	PruneUndoBelow int32
}
