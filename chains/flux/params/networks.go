package params

import (
	"math/big"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
)

// genesisMerkleRoot is the txid of the coinbase shared by every network's genesis block.
var genesisMerkleRoot = chainhash.MustFromDisplay("94c7aed6b2c67f1718006684bfc3b92081a2f19d59075691b189160d6f3aa13a")

const genesisTimestamp = "Zelcash06f40b01ab1f135bd96c5d72f8e37c7906dc216dcaaa36fcd00ebf9b8e109567"

// emergencyCollateral is the collateral outpoint that marks an emergency block on every network.
var emergencyCollateral = chainhash.OutPoint{
	Hash: chainhash.MustFromDisplay("1111111111111111111111111111111111111111111111111111111111111111"),
}

// testBypassCollateral is "TESTNOD" (src/pon/pon.cpp TEST_BYPASS_HASH).
var testBypassCollateral = chainhash.MustFromDisplay("544553544e4f4400000000000000000000000000000000000000000000000000")

// upgrades builds the upgrade table from activation heights in enum order
// (LWMA, EQUI144_5, Acadia, Kamiooka, Kamata, Flux, Halving, P2SHNodes, PON).
func upgrades(acadiaProto uint32, heights [9]int32, hashes [9]string) [NumUpgrades]NetworkUpgrade {
	u := [NumUpgrades]NetworkUpgrade{
		UpgradeBase:          {Name: "Base", BranchID: BranchIDSprout, ProtocolVersion: 170002, ActivationHeight: 0},
		UpgradeTestDummy:     {Name: "TestDummy", BranchID: BranchIDTestDummy, ProtocolVersion: 170002, ActivationHeight: NoActivationHeight},
		UpgradeLWMA:          {Name: "LWMA", BranchID: BranchIDSapling, ProtocolVersion: 170002},
		UpgradeEquihash144_5: {Name: "EQUI144_5", BranchID: BranchIDSapling, ProtocolVersion: 170002},
		UpgradeAcadia:        {Name: "Acadia", BranchID: BranchIDSapling, ProtocolVersion: acadiaProto},
		UpgradeKamiooka:      {Name: "Kamiooka", BranchID: BranchIDSapling, ProtocolVersion: 170012},
		UpgradeKamata:        {Name: "Kamata", BranchID: BranchIDSapling, ProtocolVersion: 170016},
		UpgradeFlux:          {Name: "Flux", BranchID: BranchIDSapling, ProtocolVersion: 170017},
		UpgradeHalving:       {Name: "Halving", BranchID: BranchIDSapling, ProtocolVersion: 170018},
		UpgradeP2SHNodes:     {Name: "P2SHNodes", BranchID: BranchIDSapling, ProtocolVersion: 170019},
		UpgradePoN:           {Name: "PON", BranchID: BranchIDSapling, ProtocolVersion: 170020},
	}
	for i := 0; i < 9; i++ {
		u[UpgradeLWMA+Upgrade(i)].ActivationHeight = heights[i]
		if hashes[i] != "" {
			u[UpgradeLWMA+Upgrade(i)].ActivationHash = chainhash.MustFromDisplay(hashes[i])
		}
	}
	return u
}

func checkpoints(heights []int32, hs []chainhash.Hash) []Checkpoint {
	out := make([]Checkpoint, len(heights))
	for i := range heights {
		out[i] = Checkpoint{Height: heights[i], Hash: hs[i]}
	}
	return out
}

// MainNet is the FLUX main network.
var MainNet = &Params{
	Name:                   "mainnet",
	NetworkID:              "main",
	Magic:                  [4]byte{0x24, 0xe9, 0x27, 0x64},
	DefaultPort:            16125,
	RPCPort:                16124,
	DNSSeeds:               []string{"dnsseed.asoftwaresolution.com", "dnsseed.zel.network", "dnsseed.runonflux.io"},
	MinPeerProtocolVersion: 170002,
	PubKeyHashPrefix:       [2]byte{0x1c, 0xb8},
	ScriptHashPrefix:       [2]byte{0x1c, 0xbd},
	WIFPrefix:              0x80,

	GenesisHash:      chainhash.MustFromDisplay("00052461a5006c2e3b74ce48992a08695607912d5604c3eb8da25749b0900444"),
	genesisTime:      1516980000,
	genesisBits:      0x1f07ffff,
	genesisNonce:     0x1a8c,
	genesisSolution:  mainNetGenesisSolution,
	genesisMerkle:    genesisMerkleRoot,
	genesisTimestamp: genesisTimestamp,

	Upgrades: upgrades(170007,
		[9]int32{125000, 125100, 250000, 372500, 558000, 835554, 1076532, 1549500, 2020000},
		[9]string{"", "",
			"0000001d65fa78f2f6c172a51b5aca59ee1927e51f728647fca21b180becfe59",
			"00000052e2ac144c2872ff641c646e41dac166ac577bc9b0837f501aba19de4a",
			"000000a33d38f37f586b843a9c8cf6d1ff1269e6114b34604cabcd14c44268d4",
			"000000ce99aa6765bdaae673cdf41f661ff20a116eb6f2fe0843488d8061f193",
			"000000111f8643ce24d9753dbc324220877299075a8a6102da61ef4460296325",
			"00000009f9178347f3dea495a089400050c3388e07f9c871fb1ebddcab1f8044",
			""}),

	EquihashEpochs:     [3]EquihashParams{Equihash200_9, Equihash144_5, ZelHash125_4},
	EquihashFadeLength: 11,
	EquihashSizeExempt: HeightRange{From: 0, To: -1},

	PowLimit:                  mustTarget("0007ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	PowTargetSpacing:          120,
	DigishieldAveragingWindow: 17,
	DigishieldMaxAdjustDown:   32,
	DigishieldMaxAdjustUp:     16,
	LWMAAveragingWindow:       60,

	PoNLimit:            mustTarget("0fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	PoNStartLimit:       mustTarget("000bffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	PoNTargetSpacing:    30,
	PoNDifficultyWindow: 30,
	PoNBitsCheckExempt:  HeightRange{From: 0, To: -1},

	EmergencyCollateral: emergencyCollateral,
	EmergencyPubKeys: keys(
		"025ee73f72d6996f94fe6ec9fac3f9ba6dcb947ed46dfbda530fc73ff99c667a4e",
		"026f4281124d10eb90589831bac405d715ad79051ac5243d21c322d2abf2fd81e2",
		"03083d65c2f57cfe4d1c34eb575bd9d836f5111dd0de86405d48211bf42ea30403",
		"03674c29f348124e998fd838228a3ff050ca26fe0c13ad98698585cbbf796b461e"),
	EmergencyMinSignatures: 2,

	Checkpoints: checkpoints(
		[]int32{0, 5500, 35000, 70000, 94071, 277649, 400000, 530000, 600000, 700000, 800000, 900000,
			1000000, 1040000, 1040577, 1042126, 1060000, 1442798, 1518503, 1791720,
			2020500, 2021000, 2021500, 2022000, 2029000},
		hashes(
			"00052461a5006c2e3b74ce48992a08695607912d5604c3eb8da25749b0900444",
			"0000000e7724f8bace09dd762657169c10622af4a6a8e959152cd00b9119848e",
			"000000004646dd797644b9c67aff320961e95c311b4f26985424b720d09fcaa5",
			"00000001edcf7768ed39fac55414e53a78d077b1b41fccdaf9307d7bc219626a",
			"00000005ec83876bc5288badf0971ae83ac7c6a286851f7b22a75a03e73b401a",
			"00000004a53f9271d05071a052b3738b46663f3335d14b6aea965a3cb70c0cc8",
			"000000390342f0e52443ad79b43e5d85b78bf519667aeb3aa980d76caeda0369",
			"0000004b4459ec6904e8116d178c357b0f25a7d45c5c5836ce3714791f1ed124",
			"000000dea4478401e6ab95f6d05ade810115411e95e75fab9fd94a44df4b1e1d",
			"0000000845ef03939225cc592773fd7aef54b5232fc42790c46ef6f11ee3e8d4",
			"000000451b73f495b2f6ad38bd89d15495551fc15c2078ad7af3d54d06422cc6",
			"000001e1ad2bb5e3cabb09559b6e65b871bf1d2a51bcc141ce45fc4cbd1d9cd8",
			"0000001a80e7f30d21fb14116cd01d51e1fad8ac84cc960896f4691a57368a47",
			"00000007f3b465bd4b0e161e43c05a3d946144330e33ea3a91cb952e6ef86b7d",
			"000000071fe89682ac260bc0a49621344eb28ae01659c9e7ce86e3762e45f52d",
			"0000000295e4663178fd9e533787e74206645910a2bfb61938db5f67796eaad0",
			"0000000fd721d8d381c4b24a4f78fc036955d7a0f98d2765b8c7badad8b66c1b",
			"0000000cc561fecb2ecfd22ba7af09450ca8cf270f407ce8b948195ff2aa0d13",
			"0000000dba41dc84c52a3933af49d316fff49a76b49d42bd5b6d20c4e451a0ef",
			"0000000abc7bd62a213e0dab43c9c01220b031a568fdfb5c2ef89e6b30054bdc",
			"af2a1bd59c61f64860b4b45bd65358743fda40d8420564b58c39df45be7da97c",
			"d2dcec473e809575e30ec2c0f400758120f5121b8268f90cdb8a7dbefe285b0d",
			"fa98471f31ffc1366330bababc090ad5cb6bd23c25bb3b61d1e1ed07a77d6126",
			"40a060546a56eb7fab0fd33ab3e6de834ff0d5273847d4f231a9addecfc44f61",
			"4856dc788a973db4cc537465c9ef80288e1eb065898993d72371b1ee48c248b4")),
	MaxReorgDepth:    40,
	ReorgLimits:      []ReorgLimit{{Heights: HeightRange{From: 2020000, To: 2025000}, Depth: 5000}},
	MinimumChainWork: mustTarget("21f5d5da5d73"),
	CoinbaseMaturity: 100,
}

// testnetEmergencyKeys are shared by testnet and regtest in fluxd.
var testnetEmergencyKeys = keys(
	"029a1c55fa7e69dd99087f7ca799797052ae21327b94159e60b8cc5704eb188583",
	"023c806b01f35a18b42b08f23f5c7e8490801a7da8fd6f6e77708d9f26f22c423e",
	"02615c78e21078c21a63cb21cc4d29eaa148d97c3dcbe7be5d9d4dda4e969bb05a",
	"033d301dc7ef7ab653da36da1285063ea9be1448d601e3c9f99185476b9d4ae1d1")

// TestNet is "testnet-kamata".
var TestNet = &Params{
	Name:                   "testnet",
	NetworkID:              "test",
	Magic:                  [4]byte{0xfa, 0x1a, 0xf9, 0xbf},
	DefaultPort:            26125,
	RPCPort:                26124,
	DNSSeeds:               []string{"flux-testnet-seed.asoftwaresolution.com", "test.dnsseed.zel.network", "test.dnsseed.runonflux.io"},
	MinPeerProtocolVersion: 170016,
	PubKeyHashPrefix:       [2]byte{0x1d, 0x25},
	ScriptHashPrefix:       [2]byte{0x1c, 0xba},
	WIFPrefix:              0xef,

	GenesisHash:      chainhash.MustFromDisplay("0042202a64a929fc25cc10e68615ddbe38007b1b40da08acd3f530f83c79b9d1"),
	genesisTime:      1582228940,
	genesisBits:      0x2007ffff,
	genesisNonce:     0x021c,
	genesisSolution:  testNetGenesisSolution,
	genesisMerkle:    genesisMerkleRoot,
	genesisTimestamp: genesisTimestamp,

	Upgrades: upgrades(170007,
		[9]int32{70, 140, 210, 280, 350, 420, 520, 600, 800},
		[9]string{}),

	EquihashEpochs:     [3]EquihashParams{Equihash48_5, Equihash48_5, Equihash48_5},
	EquihashFadeLength: 10,
	EquihashSizeExempt: HeightRange{From: 0, To: 320},

	PowLimit:                    mustTarget("0effffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	PowTargetSpacing:            60,
	DigishieldAveragingWindow:   17,
	DigishieldMaxAdjustDown:     32,
	DigishieldMaxAdjustUp:       16,
	LWMAAveragingWindow:         60,
	PowAllowMinDifficultyBlocks: true,

	PoNLimit:             mustTarget("0fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	PoNStartLimit:        mustTarget("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	PoNTargetSpacing:     30,
	PoNDifficultyWindow:  60,
	PoNBitsCheckExempt:   HeightRange{From: 800, To: 1800},
	TestBypassCollateral: &testBypassCollateral,

	EmergencyCollateral:    emergencyCollateral,
	EmergencyPubKeys:       testnetEmergencyKeys,
	EmergencyMinSignatures: 2,

	Checkpoints: checkpoints([]int32{0, 320}, hashes(
		"0042202a64a929fc25cc10e68615ddbe38007b1b40da08acd3f530f83c79b9d1",
		"0237bf16aba912b0c68933809a7e7fe9553ddff1bc0782d2463fc5d161af1c46")),
	MaxReorgDepth:    40,
	ReorgLimits:      []ReorgLimit{{Heights: HeightRange{From: 2020000, To: 2025000}, Depth: 5000}},
	MinimumChainWork: new(big.Int),
	CoinbaseMaturity: 100,
}

// RegTest is fluxd's regression-test network: no upgrade ever activates.
var RegTest = &Params{
	Name:                   "regtest",
	NetworkID:              "regtest",
	Magic:                  [4]byte{0xaa, 0xe8, 0x3f, 0x5f},
	DefaultPort:            26126,
	RPCPort:                26124,
	MinPeerProtocolVersion: 170002,
	PubKeyHashPrefix:       [2]byte{0x1d, 0x25},
	ScriptHashPrefix:       [2]byte{0x1c, 0xba},
	WIFPrefix:              0xef,

	GenesisHash:      chainhash.MustFromDisplay("01998760a88dc2b5715f69d2f18c1d90e0b604612242d9099eaff3048dd1e0ce"),
	genesisTime:      1296688602,
	genesisBits:      0x200f0f0f,
	genesisNonce:     0x16,
	genesisSolution:  regTestGenesisSolution,
	genesisMerkle:    genesisMerkleRoot,
	genesisTimestamp: genesisTimestamp,

	Upgrades: upgrades(170006,
		[9]int32{NoActivationHeight, NoActivationHeight, NoActivationHeight, NoActivationHeight, NoActivationHeight,
			NoActivationHeight, NoActivationHeight, NoActivationHeight, NoActivationHeight},
		[9]string{}),

	// fluxd leaves regtest's third epoch at its default, ZelHash; it never activates.
	EquihashEpochs:     [3]EquihashParams{Equihash48_5, Equihash48_5, ZelHash125_4},
	EquihashFadeLength: 11,
	EquihashSizeExempt: HeightRange{From: 0, To: -1},

	PowLimit:                    mustTarget("0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"),
	PowTargetSpacing:            120,
	DigishieldAveragingWindow:   17,
	LWMAAveragingWindow:         60,
	PowAllowMinDifficultyBlocks: true,
	SkipPowCheck:                true,

	PoNLimit:             mustTarget("0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"),
	PoNStartLimit:        mustTarget("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	PoNTargetSpacing:     30,
	PoNDifficultyWindow:  60,
	PoNBitsCheckExempt:   HeightRange{From: 0, To: -1},
	SkipPoNTargetCheck:   true,
	TestBypassCollateral: &testBypassCollateral,

	EmergencyCollateral:    emergencyCollateral,
	EmergencyPubKeys:       testnetEmergencyKeys,
	EmergencyMinSignatures: 1,

	Checkpoints: checkpoints([]int32{0}, hashes(
		"01998760a88dc2b5715f69d2f18c1d90e0b604612242d9099eaff3048dd1e0ce")),
	MaxReorgDepth:    40,
	ReorgLimits:      []ReorgLimit{{Heights: HeightRange{From: 2020000, To: 2025000}, Depth: 5000}},
	MinimumChainWork: new(big.Int),
	CoinbaseMaturity: 100,
}

// SimNet is fluxbridge's own simulated network (chains/flux/fluxtest): its own
// magic and port, every upgrade active from height 1 so that every block after
// genesis is a PoN block, testnet address prefixes, and emergency keys whose
// private keys are public (SHA256 of "fluxbridge/simnet/emergency-key/<i>").
// It reuses the regtest genesis block. It has no TESTNOD bypass: every block's
// producer is checked, as on mainnet.
var SimNet = &Params{
	Name:                   "simnet",
	NetworkID:              "simnet",
	Magic:                  [4]byte{0xf1, 0x0b, 0x51, 0x4d},
	DefaultPort:            36125,
	RPCPort:                36124,
	MinPeerProtocolVersion: 170020,
	PubKeyHashPrefix:       [2]byte{0x1d, 0x25},
	ScriptHashPrefix:       [2]byte{0x1c, 0xba},
	WIFPrefix:              0xef,

	GenesisHash:      chainhash.MustFromDisplay("01998760a88dc2b5715f69d2f18c1d90e0b604612242d9099eaff3048dd1e0ce"),
	genesisTime:      1296688602,
	genesisBits:      0x200f0f0f,
	genesisNonce:     0x16,
	genesisSolution:  regTestGenesisSolution,
	genesisMerkle:    genesisMerkleRoot,
	genesisTimestamp: genesisTimestamp,

	Upgrades: upgrades(170007,
		[9]int32{1, 1, 1, 1, 1, 1, 1, 1, 1},
		[9]string{}),

	EquihashEpochs:     [3]EquihashParams{Equihash48_5, Equihash48_5, Equihash48_5},
	EquihashFadeLength: 0,
	EquihashSizeExempt: HeightRange{From: 0, To: -1},

	PowLimit:                  mustTarget("0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"),
	PowTargetSpacing:          120,
	DigishieldAveragingWindow: 17,
	LWMAAveragingWindow:       60,

	PoNLimit:            mustTarget("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	PoNStartLimit:       mustTarget("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	PoNTargetSpacing:    30,
	PoNDifficultyWindow: 30,
	PoNBitsCheckExempt:  HeightRange{From: 0, To: -1},

	EmergencyCollateral: emergencyCollateral,
	EmergencyPubKeys: keys(
		"021ba9414d7956932d81ecd6ba1023d0c99ef87bf5b0e129fb6b6795440cb8adb6",
		"03c8d9220cdb1d76afbba299cd37a88c0bb6114156b86ea70a15769cb82d550ff1",
		"03fb829b5fa42cdd15dc301a1511da2702fd5dd554d192b523634c4b3fcac3ec45",
		"032a50dfc4bc597b65de8063b2e714c6a96c2cab0f2641fcca67c044cf37a476c6"),
	EmergencyMinSignatures: 2,

	Checkpoints: checkpoints([]int32{0}, hashes(
		"01998760a88dc2b5715f69d2f18c1d90e0b604612242d9099eaff3048dd1e0ce")),
	MaxReorgDepth:    40,
	MinimumChainWork: new(big.Int),
	CoinbaseMaturity: 100,
}

// Networks lists the four networks by name.
var Networks = []*Params{MainNet, TestNet, RegTest, SimNet}

// ByName returns the network called name (mainnet, testnet, regtest, simnet).
func ByName(name string) (*Params, bool) {
	for _, p := range Networks {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}
