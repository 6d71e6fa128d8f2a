package params

import "testing"

// The genesis header each network builds must hash to the genesis hash fluxd asserts.
func TestGenesisHeaderHashesToGenesisHash(t *testing.T) {
	for _, p := range Networks {
		if got := p.GenesisHeader().BlockHash(); got != p.GenesisHash {
			t.Errorf("%s: genesis header hashes to %s, want %s", p.Name, got, p.GenesisHash)
		}
	}
}
