// Package reserve finds the bridge's activity in FLUX blocks (DESIGN §3, §4):
// locks (payments to the reserve with an FLXB1 memo), invalid locks that must
// be refunded, and spends of the reserve's UTXOs (FLXR1 releases, FLXF1
// refunds, memo-less consolidations and rotations). It keeps nothing between
// blocks: the caller owns the reserve UTXO set and applies each block's
// Created and Spent to it.
//
// Every lock and spend carries a Proof, the merkle branch that ties its raw
// transaction to a block header, which an auditor checks offline with
// Proof.Verify.
//
// The package is pure: no I/O, no logging, no clock.
package reserve
