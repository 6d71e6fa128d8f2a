// Package spv is the FLUX light node's chain state: the header tree with
// fork choice, the connected main chain with the fluxnode set and the bridge
// reserve it implies, and the event log the relayer reads through
// chains.Source.
//
// Headers arrive through ProcessHeaders and are checked with the header
// package (context-free and contextual rules, reorg depth, checkpoint fork);
// they live in memory until their blocks connect. Blocks arrive through
// ProcessBlocks: each is checked against its header (merkle root, coinbase),
// its producer's signature is verified against the fluxnode set at the
// previous height, and the block is applied to the fluxnode set and the
// reserve scanner. A whole batch of blocks is persisted in one Store
// transaction, then the block bodies are dropped. The sync driver uses
// CheckBlock to verify blocks as they arrive and ConnectCheckedBlocks to
// write each batch in the background while the next one downloads; Tip and
// every reader of connected state follow the store, not the batch being
// written (write.go).
//
// Memory does not grow with the chain: the tree holds a window of recent
// main-chain headers (WindowSize), the headers ahead of the connected tip
// (at most MaxPendingHeaders) and side branches within the reorg limit.
// Everything older is in the Store, which is the source of truth after a
// restart.
//
// spv does no SQL itself: it defines the Store interface in terms of its own
// record types, and chains/flux/store implements it on SQLite.
package spv
