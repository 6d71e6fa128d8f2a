// Package params holds the consensus and network parameters of the FLUX networks
// as values: MainNet, TestNet, RegTest and SimNet. Nothing here is global state:
// callers pass a *Params to whatever needs one, and no package selects a network
// behind the caller's back.
//
// Sources: RunOnFlux/fluxd src/chainparams.cpp, src/consensus/params.h,
// src/consensus/upgrades.cpp, src/version.h, src/main.cpp (see
// shared/reference/flux-chain.md for the table of every constant).
package params

import (
	"encoding/hex"
	"math/big"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// Upgrade indexes the network upgrades in fluxd's order (src/consensus/params.h).
type Upgrade int

// The network upgrades, in activation order.
const (
	UpgradeBase Upgrade = iota
	UpgradeTestDummy
	UpgradeLWMA
	UpgradeEquihash144_5
	UpgradeAcadia
	UpgradeKamiooka
	UpgradeKamata
	UpgradeFlux
	UpgradeHalving
	UpgradeP2SHNodes
	UpgradePoN
	NumUpgrades
)

// NoActivationHeight marks an upgrade that never activates on a network.
const NoActivationHeight int32 = -1

// BranchID values (src/consensus/upgrades.cpp). Every Flux upgrade after Base uses
// Zcash's Sapling id; Overwinter's id exists only in the shared sighash vectors.
const (
	BranchIDSprout     uint32 = 0x00000000
	BranchIDTestDummy  uint32 = 0x74736554
	BranchIDOverwinter uint32 = 0x5ba81b19
	BranchIDSapling    uint32 = 0x76b809bb
)

// Protocol versions (src/version.h).
const (
	// ProtocolVersionPoN is what the light client advertises: the PoN epoch minimum.
	// Advertising 170021 would make peers answer with cmpheaders below checkpoints.
	ProtocolVersionPoN uint32 = 170020
	// ProtocolVersionSendHeaders is the first version that sends sendheaders/sendcmpct/cmpheaders.
	ProtocolVersionSendHeaders uint32 = 170021
)

// NetworkUpgrade describes one upgrade on one network.
type NetworkUpgrade struct {
	Name             string
	BranchID         uint32
	ProtocolVersion  uint32
	ActivationHeight int32          // NoActivationHeight if it never activates
	ActivationHash   chainhash.Hash // zero when fluxd sets none
}

// EquihashParams is one Equihash variant.
type EquihashParams struct {
	N, K            uint32
	SolutionSize    int
	Personalization string // 8 ASCII bytes: "ZcashPoW" or "ZelProof"
	Twist           bool   // the ZelHash twist ((125,4) only)
}

// The Equihash variants FLUX has used (src/chainparams.h EHparameters, src/crypto/equihash.h).
var (
	Equihash200_9 = EquihashParams{N: 200, K: 9, SolutionSize: 1344, Personalization: "ZcashPoW"}
	Equihash144_5 = EquihashParams{N: 144, K: 5, SolutionSize: 100, Personalization: "ZelProof"}
	ZelHash125_4  = EquihashParams{N: 125, K: 4, SolutionSize: 52, Personalization: "ZelProof", Twist: true}
	Equihash96_5  = EquihashParams{N: 96, K: 5, SolutionSize: 68, Personalization: "ZcashPoW"}
	Equihash48_5  = EquihashParams{N: 48, K: 5, SolutionSize: 36, Personalization: "ZcashPoW"}
)

// Checkpoint is a block fluxd hard-codes; headers forking below the last one are refused.
type Checkpoint struct {
	Height int32
	Hash   chainhash.Hash
}

// HeightRange is an inclusive range of block heights.
type HeightRange struct{ From, To int32 }

// Contains reports whether h is in the range.
func (r HeightRange) Contains(h int32) bool { return h >= r.From && h <= r.To }

// ReorgLimit overrides MaxReorgDepth while the tip height is in Heights.
type ReorgLimit struct {
	Heights HeightRange
	Depth   int32
}

// Params is everything that differs between FLUX networks.
type Params struct {
	// Name is the network's name on the command line: mainnet, testnet, regtest, simnet.
	Name string
	// NetworkID is fluxd's strNetworkID ("main", "test", "regtest"; "simnet" for ours).
	NetworkID string
	// Magic is pchMessageStart as it appears on the wire.
	Magic [4]byte
	// DefaultPort is the P2P port; RPCPort is fluxd's JSON-RPC port.
	DefaultPort, RPCPort uint16
	// DNSSeeds are the seed host names (fluxd's vSeeds); there are no fixed seeds.
	DNSSeeds []string
	// MinPeerProtocolVersion is the absolute protocol floor a peer must speak.
	MinPeerProtocolVersion uint32

	// PubKeyHashPrefix and ScriptHashPrefix are the 2-byte Base58Check prefixes
	// of t1/tm and t3/t2 addresses; WIFPrefix prefixes private keys.
	PubKeyHashPrefix [2]byte
	ScriptHashPrefix [2]byte
	WIFPrefix        byte

	// The genesis block header, and its hash for a cheap comparison.
	GenesisHash      chainhash.Hash
	genesisTime      uint32
	genesisBits      uint32
	genesisNonce     uint64
	genesisSolution  string
	genesisMerkle    chainhash.Hash
	genesisTimestamp string

	// Upgrades holds every network upgrade by index.
	Upgrades [NumUpgrades]NetworkUpgrade

	// EquihashEpochs are fluxd's eh_epoch_1..3; which are allowed at a height
	// follows the LWMA-era upgrades and EquihashFadeLength (validEHparameterList).
	EquihashEpochs     [3]EquihashParams
	EquihashFadeLength int32
	// EquihashSizeExempt: heights at which any solution size is accepted
	// (testnet 0..320, where its parameters changed mid-test). Empty range From > To.
	EquihashSizeExempt HeightRange

	// PowLimit is the easiest PoW target.
	PowLimit *big.Int
	// PowTargetSpacing is the PoW block interval in seconds.
	PowTargetSpacing int64
	// DigishieldAveragingWindow, DigishieldMaxAdjustDown and DigishieldMaxAdjustUp
	// (percent) parameterise Digishield v3.
	DigishieldAveragingWindow int64
	DigishieldMaxAdjustDown   int64
	DigishieldMaxAdjustUp     int64
	// LWMAAveragingWindow is N of LWMA and LWMA3.
	LWMAAveragingWindow int64
	// PowAllowMinDifficultyBlocks enables testnet's "slow block gets powLimit" rule.
	PowAllowMinDifficultyBlocks bool
	// SkipPowCheck disables the hash ≤ target check (regtest).
	SkipPowCheck bool

	// PoNLimit is the easiest PoN target; PoNStartLimit applies to the first
	// window after activation.
	PoNLimit      *big.Int
	PoNStartLimit *big.Int
	// PoNTargetSpacing is the PoN block interval and slot length in seconds.
	PoNTargetSpacing int64
	// PoNDifficultyWindow is the number of blocks the PoN retarget looks back over.
	PoNDifficultyWindow int64
	// PoNBitsCheckExempt: heights at which nBits need not equal the retarget (testnet 800..1800).
	PoNBitsCheckExempt HeightRange
	// SkipPoNTargetCheck disables ponHash ≤ target (regtest).
	SkipPoNTargetCheck bool
	// TestBypassCollateral, when non-nil, is the "TESTNOD" collateral hash whose
	// blocks skip the signature check (testnet and regtest only).
	TestBypassCollateral *chainhash.Hash

	// EmergencyCollateral marks emergency blocks; EmergencyPubKeys may sign them
	// and EmergencyMinSignatures distinct keys must.
	EmergencyCollateral    chainhash.OutPoint
	EmergencyPubKeys       [][]byte
	EmergencyMinSignatures int

	// Checkpoints in ascending height order.
	Checkpoints []Checkpoint
	// MaxReorgDepth is the deepest reorganisation accepted (MAX_REORG_LENGTH, 40).
	MaxReorgDepth int32
	// ReorgLimits are fluxd's temporary exceptions to MaxReorgDepth.
	ReorgLimits []ReorgLimit
	// MinimumChainWork is fluxd's nMinimumChainWork.
	MinimumChainWork *big.Int
	// CoinbaseMaturity is the depth before a coinbase output may be spent.
	CoinbaseMaturity int32
}

// ActivationHeight returns the height at which u activates, or NoActivationHeight.
func (p *Params) ActivationHeight(u Upgrade) int32 { return p.Upgrades[u].ActivationHeight }

// IsActive reports whether upgrade u is active at height h (NetworkUpgradeActive).
func (p *Params) IsActive(u Upgrade, h int32) bool {
	a := p.Upgrades[u].ActivationHeight
	return a != NoActivationHeight && h >= a
}

// PoNActivationHeight is the first Proof-of-Node height, or NoActivationHeight.
func (p *Params) PoNActivationHeight() int32 { return p.ActivationHeight(UpgradePoN) }

// IsPoNActive reports whether the block at height h must be a PoN block.
//
// It mirrors fluxd's IsPONActive (src/pon/pon-fork.cpp), which compares the
// height with the activation height directly: on a network where PoN has
// NoActivationHeight (-1, regtest) every height counts as PoN, unlike the
// other upgrades, whose NetworkUpgradeActive treats -1 as "never".
func (p *Params) IsPoNActive(h int32) bool { return h >= p.Upgrades[UpgradePoN].ActivationHeight }

// CurrentUpgrade returns the latest upgrade active at height h.
func (p *Params) CurrentUpgrade(h int32) Upgrade {
	for u := NumUpgrades - 1; u > UpgradeBase; u-- {
		if p.IsActive(u, h) {
			return u
		}
	}
	return UpgradeBase
}

// BranchID returns the consensus branch id in force at height h (CurrentEpochBranchId).
func (p *Params) BranchID(h int32) uint32 { return p.Upgrades[p.CurrentUpgrade(h)].BranchID }

// EpochProtocolVersion returns the protocol version of the epoch at height h:
// fluxd refuses peers below it.
func (p *Params) EpochProtocolVersion(h int32) uint32 {
	return p.Upgrades[p.CurrentUpgrade(h)].ProtocolVersion
}

// AllowedEquihash returns the Equihash variants allowed at height h, preferred
// (newer) first, as fluxd's validEHparameterList does: during the fade period
// after an Equihash upgrade both the new and the old variant are allowed.
func (p *Params) AllowedEquihash(h int32) []EquihashParams {
	if h < 0 {
		h = 0
	}
	faded := h - p.EquihashFadeLength
	if faded < 0 {
		faded = 0
	}
	e := p.EquihashEpochs
	switch {
	case p.IsActive(UpgradeKamiooka, faded):
		return []EquihashParams{e[2]}
	case p.IsActive(UpgradeKamiooka, h):
		return []EquihashParams{e[2], e[1]}
	case p.IsActive(UpgradeEquihash144_5, faded):
		return []EquihashParams{e[1]}
	case p.IsActive(UpgradeEquihash144_5, h):
		return []EquihashParams{e[1], e[0]}
	default:
		return []EquihashParams{e[0]}
	}
}

// MaxReorgDepthAt returns the deepest reorganisation allowed when the tip is at height tip.
func (p *Params) MaxReorgDepthAt(tip int32) int32 {
	for _, l := range p.ReorgLimits {
		if l.Heights.Contains(tip) {
			return l.Depth
		}
	}
	return p.MaxReorgDepth
}

// LastCheckpoint returns the highest checkpoint; ok is false if there is none.
func (p *Params) LastCheckpoint() (c Checkpoint, ok bool) {
	if len(p.Checkpoints) == 0 {
		return Checkpoint{}, false
	}
	return p.Checkpoints[len(p.Checkpoints)-1], true
}

// CheckpointAt returns the checkpoint hash at height h, if there is one.
func (p *Params) CheckpointAt(h int32) (chainhash.Hash, bool) {
	for _, c := range p.Checkpoints {
		if c.Height == h {
			return c.Hash, true
		}
	}
	return chainhash.Hash{}, false
}

// GenesisTime returns the genesis block's timestamp (PoN slots count from it).
func (p *Params) GenesisTime() uint32 { return p.genesisTime }

// GenesisHeader returns a fresh copy of the genesis block header.
func (p *Params) GenesisHeader() *wire.BlockHeader {
	h := &wire.BlockHeader{
		Version:    4,
		MerkleRoot: p.genesisMerkle,
		Time:       p.genesisTime,
		Bits:       p.genesisBits,
	}
	for i := 0; i < 8; i++ {
		h.Nonce[i] = byte(p.genesisNonce >> (8 * i))
	}
	h.Solution = mustHex(p.genesisSolution)
	return h
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic("params: bad hex literal: " + err.Error())
	}
	return b
}

func mustTarget(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("params: bad target literal " + s)
	}
	return v
}

func hashes(s ...string) []chainhash.Hash {
	out := make([]chainhash.Hash, len(s))
	for i, v := range s {
		out[i] = chainhash.MustFromDisplay(v)
	}
	return out
}

func keys(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, v := range s {
		out[i] = mustHex(v)
	}
	return out
}
