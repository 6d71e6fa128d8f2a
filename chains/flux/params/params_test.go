package params

import (
	"math/big"
	"strings"
	"testing"
)

// The genesis header each network builds must hash to the genesis hash fluxd asserts.
func TestGenesisHeaderHashesToGenesisHash(t *testing.T) {
	for _, p := range Networks {
		h := p.GenesisHeader()
		if got := h.BlockHash(); got != p.GenesisHash {
			t.Errorf("%s: genesis header hashes to %s, want %s", p.Name, got, p.GenesisHash)
		}
		if len(h.Solution) != p.EquihashEpochs[0].SolutionSize && p.Name != "testnet" {
			t.Errorf("%s: genesis solution is %d bytes, epoch 1 wants %d", p.Name, len(h.Solution), p.EquihashEpochs[0].SolutionSize)
		}
		if c, ok := p.CheckpointAt(0); !ok || c != p.GenesisHash {
			t.Errorf("%s: checkpoint 0 is not the genesis hash", p.Name)
		}
	}
}

// Values from flux-chain.md §1.1, which cites RunOnFlux/fluxd src/chainparams.cpp.
func TestNetworkConstantsMatchTheReference(t *testing.T) {
	cases := []struct {
		p          *Params
		magic      [4]byte
		port       uint16
		pkh, sh    [2]byte
		wif        byte
		ponWindow  int64
		ponStart   int32
		emergMin   int
		checkpoint int32
	}{
		{MainNet, [4]byte{0x24, 0xe9, 0x27, 0x64}, 16125, [2]byte{0x1c, 0xb8}, [2]byte{0x1c, 0xbd}, 0x80, 30, 2020000, 2, 2029000},
		{TestNet, [4]byte{0xfa, 0x1a, 0xf9, 0xbf}, 26125, [2]byte{0x1d, 0x25}, [2]byte{0x1c, 0xba}, 0xef, 60, 800, 2, 320},
		{RegTest, [4]byte{0xaa, 0xe8, 0x3f, 0x5f}, 26126, [2]byte{0x1d, 0x25}, [2]byte{0x1c, 0xba}, 0xef, 60, NoActivationHeight, 1, 0},
		{SimNet, [4]byte{0xf1, 0x0b, 0x51, 0x4d}, 36125, [2]byte{0x1d, 0x25}, [2]byte{0x1c, 0xba}, 0xef, 30, 1, 2, 0},
	}
	for _, c := range cases {
		p := c.p
		if p.Magic != c.magic || p.DefaultPort != c.port || p.PubKeyHashPrefix != c.pkh || p.ScriptHashPrefix != c.sh || p.WIFPrefix != c.wif {
			t.Errorf("%s: network constants differ from the reference", p.Name)
		}
		if p.PoNDifficultyWindow != c.ponWindow || p.PoNActivationHeight() != c.ponStart || p.PoNTargetSpacing != 30 {
			t.Errorf("%s: PoN parameters differ", p.Name)
		}
		if p.EmergencyMinSignatures != c.emergMin || len(p.EmergencyPubKeys) != 4 {
			t.Errorf("%s: emergency keys differ", p.Name)
		}
		if last, _ := p.LastCheckpoint(); last.Height != c.checkpoint {
			t.Errorf("%s: last checkpoint at %d, want %d", p.Name, last.Height, c.checkpoint)
		}
		for i := 1; i < len(p.Checkpoints); i++ {
			if p.Checkpoints[i].Height <= p.Checkpoints[i-1].Height {
				t.Errorf("%s: checkpoints out of order at %d", p.Name, i)
			}
		}
		for _, k := range p.EmergencyPubKeys {
			if len(k) != 33 {
				t.Errorf("%s: emergency key of %d bytes", p.Name, len(k))
			}
		}
		if q, ok := ByName(p.Name); !ok || q != p {
			t.Errorf("ByName(%q) failed", p.Name)
		}
	}
}

func TestMainNetLimits(t *testing.T) {
	// powLimit 0007ff…ff, ponLimit 0fff…ff, ponStartLimit 000bff…ff (flux-chain.md §1.1):
	// each is a run of one bits below a short leading pattern.
	for _, c := range []struct {
		name string
		v    *big.Int
		want string
	}{
		{"powLimit", MainNet.PowLimit, "7" + strings.Repeat("f", 60)},
		{"ponLimit", MainNet.PoNLimit, strings.Repeat("f", 63)},
		{"ponStartLimit", MainNet.PoNStartLimit, "b" + strings.Repeat("f", 60)},
	} {
		if got := c.v.Text(16); got != c.want {
			t.Errorf("%s = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestAllowedEquihashFollowsTheFadeWindows(t *testing.T) {
	cases := []struct {
		h    int32
		want []int // solution sizes, preferred first
	}{
		{0, []int{1344}},
		{125099, []int{1344}},
		{125100, []int{100, 1344}},
		{125110, []int{100, 1344}},
		{125111, []int{100}},
		{372499, []int{100}},
		{372500, []int{52, 100}},
		{372510, []int{52, 100}},
		{372511, []int{52}},
		{2019999, []int{52}},
	}
	for _, c := range cases {
		got := MainNet.AllowedEquihash(c.h)
		if len(got) != len(c.want) {
			t.Errorf("height %d: %d variants, want %d", c.h, len(got), len(c.want))
			continue
		}
		for i := range got {
			if got[i].SolutionSize != c.want[i] {
				t.Errorf("height %d: variant %d has size %d, want %d", c.h, i, got[i].SolutionSize, c.want[i])
			}
		}
	}
	if got := TestNet.AllowedEquihash(500); len(got) != 1 || got[0].SolutionSize != 36 {
		t.Errorf("testnet uses (48,5) at every height, got %v", got)
	}
}

func TestBranchIDAndEpochProtocolByHeight(t *testing.T) {
	if MainNet.BranchID(0) != BranchIDSprout || MainNet.BranchID(250000) != BranchIDSapling || MainNet.BranchID(3000000) != BranchIDSapling {
		t.Error("mainnet branch ids wrong")
	}
	if MainNet.EpochProtocolVersion(2019999) != 170019 || MainNet.EpochProtocolVersion(2020000) != ProtocolVersionPoN {
		t.Error("epoch protocol versions wrong")
	}
	if RegTest.BranchID(1000000) != BranchIDSprout || RegTest.IsActive(UpgradePoN, 1000000) {
		t.Error("regtest activates no upgrade")
	}
	// fluxd's IsPONActive compares with -1 directly: every regtest height is PoN.
	if !RegTest.IsPoNActive(0) || !RegTest.IsPoNActive(1000000) {
		t.Error("regtest IsPoNActive must mirror fluxd")
	}
	if !SimNet.IsPoNActive(1) || SimNet.IsPoNActive(0) {
		t.Error("simnet is PoN from height 1")
	}
}

func TestMaxReorgDepth(t *testing.T) {
	for _, c := range []struct{ tip, want int32 }{{2019999, 40}, {2020000, 5000}, {2025000, 5000}, {2025001, 40}, {3000000, 40}} {
		if got := MainNet.MaxReorgDepthAt(c.tip); got != c.want {
			t.Errorf("tip %d: %d, want %d", c.tip, got, c.want)
		}
	}
	if SimNet.MaxReorgDepthAt(2020000) != 40 {
		t.Error("simnet has no stabilisation exception")
	}
}
