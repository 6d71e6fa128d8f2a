// Package evm holds fluxbridge's EVM contracts and their Go bindings.
//
// FluxToken is the FLUX parallel asset (ERC-20, 8 decimals) that only its
// FluxBridge mints and burns. FluxBridge mints for locks on the FLUX chain
// against k-of-n relayer signatures over the MintAuth digest of DESIGN §3,
// with a leaky-bucket rate limit, a cap, a minimum lock and a fee fixed at
// deployment (no owner, no proxy, no upgrade path); lets anyone burn to a
// FLUX address with contiguous nonces, never paused; lets any one signer pause
// minting for at most 48 h and a quorum end the pause or rotate the signer
// set (the previous set stays valid for a grace period).
//
// The Solidity sources are in src/, compiled by the solc pinned in
// package-lock.json (0.8.37, evmVersion cancun, optimizer 200 runs, via IR)
// into artifacts/; fluxbridge.go and fluxtoken.go (abigen v1, which the
// tests and the simulated chain deploy and drive the contracts with) and
// bindv2/ (abigen v2, whose typed Pack and Unpack functions the EVM plugin
// uses in production) are generated from the artifacts by go-ethereum's
// abigen at the module's pinned version. `make contracts` regenerates all
// of them byte for byte.
package evm
