// Package flux is the embedded FLUX light node: a p2p.Manager talking to
// several peers, an spv.Chain that verifies every header and every block's
// producer against its own fluxnode set, a sync driver between them, a
// broadcaster that tracks the relayer's own transactions to depth, and a
// health view. The Node implements chains.Source, so the relayer core sees the
// FLUX chain exactly as it sees a foreign chain behind a plugin.
//
// SECURITY: the node signs nothing and trusts nothing it has not verified
// itself: headers pass every consensus rule of chains/flux/header, blocks pass
// the merkle and producer-signature checks of chains/flux/spv, and events are
// reported only from blocks on the best verified chain at the requested depth.
package flux
