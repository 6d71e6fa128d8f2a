// Package header holds the FLUX block header consensus rules as pure
// functions over values: compact targets, proof of work and Equihash, every
// difficulty algorithm FLUX has used (Digishield v3, LWMA, LWMA3, the
// Equihash and ZelHash fork resets, the PoN retarget), the Proof-of-Node
// lottery, producer and emergency signatures, timestamps, chainwork and fork
// choice.
//
// Checks are split as in neutrino: CheckContextFree needs only the header
// and the network parameters; CheckContextual also needs the header's height,
// a Chain view of its ancestors and the caller's clock. Producer signatures
// are a separate call (VerifyProducerSignature) because the producer's key
// comes from the caller's fluxnode set. Parameters are always passed in; the
// package does no I/O, keeps no state and does not log.
//
// Failures are *RuleError values whose ErrorCode names the rule, using
// fluxd's reject reason where fluxd has one. All target arithmetic reproduces
// fluxd's arith_uint256 exactly, including its wrap-around modulo 2^256.
//
// Reference: RunOnFlux/fluxd src/pow.cpp, src/pon/pon.cpp,
// src/pon/pon-fork.cpp, src/emergencyblock.cpp, src/main.cpp,
// src/arith_uint256.cpp, src/chain.h; shared/reference/flux-chain.md §3, §4.
package header
