// Package evm is the EVM chain of fluxbridge: a chains.Source of the
// FluxBridge contract's Burn events and a chains.Sink that mints on it, over
// go-ethereum's JSON-RPC client. The EVM plugin (cmd/fluxbridge-plugin-evm)
// serves both through chains/chainrpc; tests also run them in process.
//
// # Endpoints
//
// A Client holds one or more RPC endpoints (Config.Endpoints, http or
// https). Each endpoint is checked on first use: it must report the
// configured chain id (another id refuses the endpoint for good, fault.Invalid)
// and serve the "finalized" block tag (fault.Invalid otherwise: a confirmation
// count is never a substitute for finality). Every call is bounded by
// Config.CallTimeout and every response body by Config.MaxResponseBytes (an
// oversized body is a fault.Transient error; eth_getLogs then halves its
// range). With several endpoints, everything the source reports — the
// finalized block, the logs of a range, each receipt, each canonical header,
// each contract read at the finalized block — must be answered alike by
// every endpoint that answers and by at least Config.Quorum of them;
// otherwise the call fails with fault.Transient "endpoints disagree". Writes
// and tip reads go to the first endpoint that answers.
//
// # Source
//
// Events scans block ranges (≤ Config.MaxBlockRange) from its cursor up to
// the agreed finalized block with eth_getLogs filtered by the bridge's
// address and the Burn topic. Each log is re-verified at finality: its
// receipt is fetched again and must have status 1, the log's transaction and
// block, the identical log at the same index and the token Transfer that
// burned the amount; the canonical block at its height must be its block.
// A failing log is dropped with a counted reason (Client.Drops) and the page
// fails — fault.Reorged when the block is not canonical or the receipt is
// missing or elsewhere, fault.Transient for inconsistent answers — so the
// cursor never moves past it. Burn nonces must be contiguous: a gap or a
// repeat is fault.Conflict.
//
// The cursor is "v1:<next block to scan>:<next burn nonce>". A page that
// ends inside a block resumes at that block and skips the burns below the
// nonce. An event's ID is "<chainId>:burn:<nonce>", its TxID the 0x hex
// transaction hash, Index the log index, Recipient the 22-byte decoded FLUX
// address, Sender the burner's checksummed address, and Evidence the JSON
// of the transaction's receipt (go-ethereum's eth_getTransactionReceipt
// encoding: status, block hash and number, all logs), which an auditor can
// check against the block.
//
// # Sink
//
// Build returns one SchemeSecp256k1 digest, the MintAuth of DESIGN §3
// (MintDigest), checked equal to the contract's mintDigest view, and the
// current signer set's threshold. The payload is the ABI encoding of
// (bytes32 txid, uint32 vout, uint64 v, bytes32 recipient). Submit verifies
// every signature (it recovers to its claimed signer, low s, a member of the
// current set — or of the previous set during its grace period), drops the
// others with a counted reason, sorts the signers' signatures by address,
// simulates the mint and sends it from the submitter account (see Sink for
// the nonce and fee policy). The submitter key pays gas only: relayer keys
// never enter this package.
//
// A rotation (chains.SubmitRotate, id "rotate:<set id>") installs the next
// signer set. Build reads the bridge's current set at the latest block and
// refuses (fault.Invalid) a set id that is not the current one + 1 or a set
// the bridge would refuse (chains.Rotation.Check, at most MaxSigners); it
// returns one SchemeSecp256k1 digest, chains.RotateDigest, checked equal to
// the contract's rotateDigest view, and the current set's threshold. The
// payload is the ABI encoding of (uint32 setId, address[] signers, uint8
// threshold). Submit takes the current set's signatures only (the bridge
// does not let the previous set rotate, even within its grace period),
// sorted by signer as for a mint, and sends rotateSigners; a bridge already
// at or past the set id is StateDone (Included until final) and nothing is
// sent. Status reads the set id at the finalized block.
//
// # Contract calls
//
// Every call of the bridge is encoded, and every result and revert decoded,
// by the typed functions of its abigen v2 bindings (contracts/evm/bindv2):
// a view is its Pack function's bytes, read through the agreement above, then
// its Unpack function's value; a revert is the bindings' error struct. The
// Burn log alone is decoded by hand (decodeBurn), stricter than the bindings
// (exact topic count and data length, zero padding in every word). Dial
// checks that the bindings name that event and every method this package
// calls.
package evm
