// Package signer holds the relayer's keys and signs with them.
//
// # Model
//
// A relayer's keys live only in the relayer process. Plugins (the EVM and
// Solana sinks) never see a key: a sink builds an unsigned submission and the
// digests to sign (chains.Submission.Digests), the relayer re-verifies what
// each digest means from its own view (for an EVM mint it recomputes the
// MintAuth digest of DESIGN §3 from the Mint it asked for), and only then asks
// a Signer of this package to sign it. Signatures received from peers are
// checked with Verify before they are stored or forwarded.
//
// Three things are signed:
//
//   - EVM MintAuth digests: a 65-byte recoverable secp256k1 signature
//     r ‖ s ‖ v (v ∈ {0,1}, low s) over the 32-byte keccak digest, with no
//     message prefix (chains.SchemeSecp256k1). The signer is named by its
//     20-byte EVM address.
//   - Solana transaction messages: a 64-byte ed25519 signature over the
//     message bytes (chains.SchemeEd25519). The signer is its 32-byte public
//     key.
//   - FLUX L1 release and refund inputs: a strict-DER, low-S ECDSA signature
//     over a 32-byte sighash, through the optional DERSigner interface of a
//     secp256k1 key.
//
// Relayer envelopes are signed over EnvelopeDigest(kind, payload) with the
// key's own scheme.
//
// # Keys at rest
//
// A Keystore is a directory (mode 0700) of encrypted key files (mode 0600).
// secp256k1 keys use go-ethereum's keystore v3 JSON format, so a file written
// here can be read by geth and a geth key file can be unlocked here; the file
// additionally carries the compressed public key in the clear. ed25519 keys
// use the same v3 envelope with a "scheme":"ed25519" field and the public key
// in the clear. Public information (List, Inspect) is readable without the
// passphrase; it is authenticated only when the key is unlocked. A key file
// that is readable by group or others is refused.
//
// Passphrases come from exactly one of a file, an environment variable or a
// terminal prompt (Passphrase).
//
// # Other backends
//
// The in-process keys of this package are one implementation of Signer.
// Later backends (a cloud KMS, an HSM, a remote signer) implement the same
// interface; the relayer depends on Signer only.
package signer
