package bindv2_test

import (
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"

	evm "github.com/fluxbridge/fluxbridge/contracts/evm"
	"github.com/fluxbridge/fluxbridge/contracts/evm/bindv2"
)

// The v2 bindings are generated from the same artifacts as the v1 ones that
// the tests deploy: the same ABI and the same init code. A build.sh run that
// regenerated only one of them fails here.
func TestSameContractsAsV1(t *testing.T) {
	for _, c := range []struct {
		name string
		v1   string
		v1b  string
		v2   *bind.MetaData
	}{
		{"FluxBridge", evm.FluxBridgeMetaData.ABI, evm.FluxBridgeMetaData.Bin, &bindv2.FluxBridgeMetaData},
		{"FluxToken", evm.FluxTokenMetaData.ABI, evm.FluxTokenMetaData.Bin, &bindv2.FluxTokenMetaData},
	} {
		if c.v1 != c.v2.ABI {
			t.Errorf("%s: the v1 and v2 bindings carry different ABIs: run make contracts", c.name)
		}
		if c.v1b != c.v2.Bin {
			t.Errorf("%s: the v1 and v2 bindings carry different init code: run make contracts", c.name)
		}
		if _, err := c.v2.ParseABI(); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
