// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package bindv2

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// FluxTokenMetaData contains all meta data concerning the FluxToken contract.
var FluxTokenMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"allowance\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"needed\",\"type\":\"uint256\"}],\"name\":\"ERC20InsufficientAllowance\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"balance\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"needed\",\"type\":\"uint256\"}],\"name\":\"ERC20InsufficientBalance\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"approver\",\"type\":\"address\"}],\"name\":\"ERC20InvalidApprover\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"receiver\",\"type\":\"address\"}],\"name\":\"ERC20InvalidReceiver\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"ERC20InvalidSender\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"}],\"name\":\"ERC20InvalidSpender\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"caller\",\"type\":\"address\"}],\"name\":\"OnlyBridge\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"owner\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"Approval\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"from\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"Transfer\",\"type\":\"event\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"owner\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"}],\"name\":\"allowance\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"approve\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"balanceOf\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"bridge\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"from\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"bridgeBurn\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"decimals\",\"outputs\":[{\"internalType\":\"uint8\",\"name\":\"\",\"type\":\"uint8\"}],\"stateMutability\":\"pure\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"mint\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256[]\",\"name\":\"mints\",\"type\":\"uint256[]\"}],\"name\":\"mintBatch\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"name\",\"outputs\":[{\"internalType\":\"string\",\"name\":\"\",\"type\":\"string\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"symbol\",\"outputs\":[{\"internalType\":\"string\",\"name\":\"\",\"type\":\"string\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"totalSupply\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"transfer\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"from\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"transferFrom\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"nonpayable\",\"type\":\"function\"}]",
	ID:  "FluxToken",
	Bin: "0x60a06040523461031557610011610319565b6308cd8eaf60e31b6020820152610026610319565b6308c98aab60e31b602082015281516001600160401b03811161021d57600354600181811c9116801561030b575b60208210146101ff57601f811161029d575b50602092601f821160011461023c57928192935f92610231575b50508160011b915f199060031b1c1916176003555b80516001600160401b03811161021d57600454600181811c91168015610213575b60208210146101ff57601f8111610191575b50602091601f8211600114610131579181925f92610126575b50508160011b915f199060031b1c1916176004555b336080526040516108d8908161033d823960805181818160fe0152818161018f01528181610379015261048b0152f35b015190505f806100e1565b601f1982169260045f52805f20915f5b85811061017957508360019510610161575b505050811b016004556100f6565b01515f1960f88460031b161c191690555f8080610153565b91926020600181928685015181550194019201610141565b818111156100c85760045f52601f820160051c7f8a35acfbc15ff81a39ae7d344fd709f28e8600b4aa8c65c6b64bfe7fe36bd19b602084106101f7575b81601f9101920160051c03905f5b8281106101ea5750506100c8565b5f828201556001016101dc565b5f91506101ce565b634e487b7160e01b5f52602260045260245ffd5b90607f16906100b6565b634e487b7160e01b5f52604160045260245ffd5b015190505f80610080565b601f1982169360035f52805f20915f5b868110610285575083600195961061026d575b505050811b01600355610095565b01515f1960f88460031b161c191690555f808061025f565b9192602060018192868501518155019401920161024c565b818111156100665760035f52601f820160051c7fc2575a0e9e593c00f959f8c92f12db2869c3395a3b0502d05e2516446f71f85b60208410610303575b81601f9101920160051c03905f5b8281106102f6575050610066565b5f828201556001016102e8565b5f91506102da565b90607f1690610054565b5f80fd5b60408051919082016001600160401b0381118382101761021d576040526004825256fe6080806040526004361015610012575f80fd5b5f3560e01c90816306fdde031461065f57508063095ea7b3146105dd57806318160ddd146105c057806323b872dd146104e1578063313ce567146104c657806340c10f191461047057806370a082311461043957806374f4f5471461035a57806395d89b411461023f578063a9059cbb1461020e578063dd62ed3e146101be578063e78cea921461017a5763ffb2b55a146100ab575f80fd5b346101765760203660031901126101765760043567ffffffffffffffff8111610176573660238201121561017657806004013567ffffffffffffffff8111610176573660248260051b84010111610176577f00000000000000000000000000000000000000000000000000000000000000006001600160a01b03163303610163575f5b818110156101615760019061015b600582901b85016024013560a081901c906001600160a01b031661082e565b0161012e565b005b630d8ee8db60e41b5f523360045260245ffd5b5f80fd5b34610176575f366003190112610176576040517f00000000000000000000000000000000000000000000000000000000000000006001600160a01b03168152602090f35b34610176576040366003190112610176576101d7610758565b6101df61076e565b6001600160a01b039182165f908152600160209081526040808320949093168252928352819020549051908152f35b346101765760403660031901126101765761023461022a610758565b6024359033610784565b602060405160018152f35b34610176575f366003190112610176576040515f6004548060011c90600181168015610350575b60208310811461033c5782855290811561032057506001146102cb575b50819003601f01601f191681019067ffffffffffffffff8211818310176102b7576102b38291826040528261072e565b0390f35b634e487b7160e01b5f52604160045260245ffd5b905060045f527f8a35acfbc15ff81a39ae7d344fd709f28e8600b4aa8c65c6b64bfe7fe36bd19b5f905b82821061030a57506020915082010182610283565b60018160209254838588010152019101906102f5565b90506020925060ff191682840152151560051b82010182610283565b634e487b7160e01b5f52602260045260245ffd5b91607f1691610266565b3461017657604036600319011261017657610373610758565b602435907f00000000000000000000000000000000000000000000000000000000000000006001600160a01b03163303610163576001600160a01b0316801561042657805f525f60205260405f205482811061040d576020835f947fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef938587528684520360408620558060025403600255604051908152a3005b9063391434e360e21b5f5260045260245260445260645ffd5b634b637e8f60e11b5f525f60045260245ffd5b34610176576020366003190112610176576001600160a01b0361045a610758565b165f525f602052602060405f2054604051908152f35b3461017657604036600319011261017657610489610758565b7f00000000000000000000000000000000000000000000000000000000000000006001600160a01b0316330361016357610161906024359061082e565b34610176575f36600319011261017657602060405160088152f35b34610176576060366003190112610176576104fa610758565b61050261076e565b6001600160a01b0382165f818152600160209081526040808320338452909152902054909260443592915f198110610540575b506102349350610784565b8381106105a557841561059257331561057f57610234945f52600160205260405f2060018060a01b0333165f526020528360405f209103905584610535565b634a1406b160e11b5f525f60045260245ffd5b63e602df0560e01b5f525f60045260245ffd5b8390637dc7a0d960e11b5f523360045260245260445260645ffd5b34610176575f366003190112610176576020600254604051908152f35b34610176576040366003190112610176576105f6610758565b602435903315610592576001600160a01b031690811561057f57335f52600160205260405f20825f526020528060405f20556040519081527f8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b92560203392a3602060405160018152f35b34610176575f366003190112610176575f6003548060011c90600181168015610724575b60208310811461033c5782855290811561032057506001146106cf5750819003601f01601f191681019067ffffffffffffffff8211818310176102b7576102b38291826040528261072e565b905060035f527fc2575a0e9e593c00f959f8c92f12db2869c3395a3b0502d05e2516446f71f85b5f905b82821061070e57506020915082010182610283565b60018160209254838588010152019101906106f9565b91607f1691610683565b602060409281835280519182918282860152018484015e5f828201840152601f01601f1916010190565b600435906001600160a01b038216820361017657565b602435906001600160a01b038216820361017657565b6001600160a01b0316908115610426576001600160a01b031691821561081b57815f525f60205260405f205481811061080257817fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef92602092855f525f84520360405f2055845f525f825260405f20818154019055604051908152a3565b8263391434e360e21b5f5260045260245260445260645ffd5b63ec442f0560e01b5f525f60045260245ffd5b6001600160a01b031690811561081b576002549080820180921161088e5760207fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef915f9360025584845283825260408420818154019055604051908152a3565b634e487b7160e01b5f52601160045260245ffdfea2646970667358221220a3684c4247bb80235ef3015bc507f18dbea3a3ebc05e1ff40c47f1361ced2b5b64736f6c63430008250033",
}

// FluxToken is an auto generated Go binding around an Ethereum contract.
type FluxToken struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *FluxToken) GetABI() abi.ABI {
	return c.abi
}

// NewFluxToken creates a new instance of FluxToken.
func NewFluxToken() *FluxToken {
	parsed, err := FluxTokenMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &FluxToken{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *FluxToken) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackAllowance is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xdd62ed3e.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256)
func (fluxToken *FluxToken) PackAllowance(owner common.Address, spender common.Address) []byte {
	enc, err := fluxToken.abi.Pack("allowance", owner, spender)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAllowance is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xdd62ed3e.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256)
func (fluxToken *FluxToken) TryPackAllowance(owner common.Address, spender common.Address) ([]byte, error) {
	return fluxToken.abi.Pack("allowance", owner, spender)
}

// UnpackAllowance is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xdd62ed3e.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256)
func (fluxToken *FluxToken) UnpackAllowance(data []byte) (*big.Int, error) {
	out, err := fluxToken.abi.Unpack("allowance", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackApprove is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x095ea7b3.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function approve(address spender, uint256 value) returns(bool)
func (fluxToken *FluxToken) PackApprove(spender common.Address, value *big.Int) []byte {
	enc, err := fluxToken.abi.Pack("approve", spender, value)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackApprove is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x095ea7b3.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function approve(address spender, uint256 value) returns(bool)
func (fluxToken *FluxToken) TryPackApprove(spender common.Address, value *big.Int) ([]byte, error) {
	return fluxToken.abi.Pack("approve", spender, value)
}

// UnpackApprove is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x095ea7b3.
//
// Solidity: function approve(address spender, uint256 value) returns(bool)
func (fluxToken *FluxToken) UnpackApprove(data []byte) (bool, error) {
	out, err := fluxToken.abi.Unpack("approve", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackBalanceOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x70a08231.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (fluxToken *FluxToken) PackBalanceOf(account common.Address) []byte {
	enc, err := fluxToken.abi.Pack("balanceOf", account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackBalanceOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x70a08231.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (fluxToken *FluxToken) TryPackBalanceOf(account common.Address) ([]byte, error) {
	return fluxToken.abi.Pack("balanceOf", account)
}

// UnpackBalanceOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x70a08231.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (fluxToken *FluxToken) UnpackBalanceOf(data []byte) (*big.Int, error) {
	out, err := fluxToken.abi.Unpack("balanceOf", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackBridge is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe78cea92.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function bridge() view returns(address)
func (fluxToken *FluxToken) PackBridge() []byte {
	enc, err := fluxToken.abi.Pack("bridge")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackBridge is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe78cea92.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function bridge() view returns(address)
func (fluxToken *FluxToken) TryPackBridge() ([]byte, error) {
	return fluxToken.abi.Pack("bridge")
}

// UnpackBridge is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xe78cea92.
//
// Solidity: function bridge() view returns(address)
func (fluxToken *FluxToken) UnpackBridge(data []byte) (common.Address, error) {
	out, err := fluxToken.abi.Unpack("bridge", data)
	if err != nil {
		return *new(common.Address), err
	}
	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	return out0, nil
}

// PackBridgeBurn is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x74f4f547.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function bridgeBurn(address from, uint256 amount) returns()
func (fluxToken *FluxToken) PackBridgeBurn(from common.Address, amount *big.Int) []byte {
	enc, err := fluxToken.abi.Pack("bridgeBurn", from, amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackBridgeBurn is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x74f4f547.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function bridgeBurn(address from, uint256 amount) returns()
func (fluxToken *FluxToken) TryPackBridgeBurn(from common.Address, amount *big.Int) ([]byte, error) {
	return fluxToken.abi.Pack("bridgeBurn", from, amount)
}

// PackDecimals is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x313ce567.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function decimals() pure returns(uint8)
func (fluxToken *FluxToken) PackDecimals() []byte {
	enc, err := fluxToken.abi.Pack("decimals")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDecimals is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x313ce567.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function decimals() pure returns(uint8)
func (fluxToken *FluxToken) TryPackDecimals() ([]byte, error) {
	return fluxToken.abi.Pack("decimals")
}

// UnpackDecimals is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x313ce567.
//
// Solidity: function decimals() pure returns(uint8)
func (fluxToken *FluxToken) UnpackDecimals(data []byte) (uint8, error) {
	out, err := fluxToken.abi.Unpack("decimals", data)
	if err != nil {
		return *new(uint8), err
	}
	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)
	return out0, nil
}

// PackMint is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x40c10f19.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function mint(address to, uint256 amount) returns()
func (fluxToken *FluxToken) PackMint(to common.Address, amount *big.Int) []byte {
	enc, err := fluxToken.abi.Pack("mint", to, amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackMint is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x40c10f19.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function mint(address to, uint256 amount) returns()
func (fluxToken *FluxToken) TryPackMint(to common.Address, amount *big.Int) ([]byte, error) {
	return fluxToken.abi.Pack("mint", to, amount)
}

// PackMintBatch is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xffb2b55a.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function mintBatch(uint256[] mints) returns()
func (fluxToken *FluxToken) PackMintBatch(mints []*big.Int) []byte {
	enc, err := fluxToken.abi.Pack("mintBatch", mints)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackMintBatch is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xffb2b55a.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function mintBatch(uint256[] mints) returns()
func (fluxToken *FluxToken) TryPackMintBatch(mints []*big.Int) ([]byte, error) {
	return fluxToken.abi.Pack("mintBatch", mints)
}

// PackName is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x06fdde03.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function name() view returns(string)
func (fluxToken *FluxToken) PackName() []byte {
	enc, err := fluxToken.abi.Pack("name")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackName is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x06fdde03.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function name() view returns(string)
func (fluxToken *FluxToken) TryPackName() ([]byte, error) {
	return fluxToken.abi.Pack("name")
}

// UnpackName is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x06fdde03.
//
// Solidity: function name() view returns(string)
func (fluxToken *FluxToken) UnpackName(data []byte) (string, error) {
	out, err := fluxToken.abi.Unpack("name", data)
	if err != nil {
		return *new(string), err
	}
	out0 := *abi.ConvertType(out[0], new(string)).(*string)
	return out0, nil
}

// PackSymbol is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x95d89b41.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function symbol() view returns(string)
func (fluxToken *FluxToken) PackSymbol() []byte {
	enc, err := fluxToken.abi.Pack("symbol")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSymbol is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x95d89b41.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function symbol() view returns(string)
func (fluxToken *FluxToken) TryPackSymbol() ([]byte, error) {
	return fluxToken.abi.Pack("symbol")
}

// UnpackSymbol is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x95d89b41.
//
// Solidity: function symbol() view returns(string)
func (fluxToken *FluxToken) UnpackSymbol(data []byte) (string, error) {
	out, err := fluxToken.abi.Unpack("symbol", data)
	if err != nil {
		return *new(string), err
	}
	out0 := *abi.ConvertType(out[0], new(string)).(*string)
	return out0, nil
}

// PackTotalSupply is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x18160ddd.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function totalSupply() view returns(uint256)
func (fluxToken *FluxToken) PackTotalSupply() []byte {
	enc, err := fluxToken.abi.Pack("totalSupply")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTotalSupply is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x18160ddd.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function totalSupply() view returns(uint256)
func (fluxToken *FluxToken) TryPackTotalSupply() ([]byte, error) {
	return fluxToken.abi.Pack("totalSupply")
}

// UnpackTotalSupply is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x18160ddd.
//
// Solidity: function totalSupply() view returns(uint256)
func (fluxToken *FluxToken) UnpackTotalSupply(data []byte) (*big.Int, error) {
	out, err := fluxToken.abi.Unpack("totalSupply", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackTransfer is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa9059cbb.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function transfer(address to, uint256 value) returns(bool)
func (fluxToken *FluxToken) PackTransfer(to common.Address, value *big.Int) []byte {
	enc, err := fluxToken.abi.Pack("transfer", to, value)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTransfer is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa9059cbb.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function transfer(address to, uint256 value) returns(bool)
func (fluxToken *FluxToken) TryPackTransfer(to common.Address, value *big.Int) ([]byte, error) {
	return fluxToken.abi.Pack("transfer", to, value)
}

// UnpackTransfer is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa9059cbb.
//
// Solidity: function transfer(address to, uint256 value) returns(bool)
func (fluxToken *FluxToken) UnpackTransfer(data []byte) (bool, error) {
	out, err := fluxToken.abi.Unpack("transfer", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackTransferFrom is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x23b872dd.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function transferFrom(address from, address to, uint256 value) returns(bool)
func (fluxToken *FluxToken) PackTransferFrom(from common.Address, to common.Address, value *big.Int) []byte {
	enc, err := fluxToken.abi.Pack("transferFrom", from, to, value)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackTransferFrom is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x23b872dd.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function transferFrom(address from, address to, uint256 value) returns(bool)
func (fluxToken *FluxToken) TryPackTransferFrom(from common.Address, to common.Address, value *big.Int) ([]byte, error) {
	return fluxToken.abi.Pack("transferFrom", from, to, value)
}

// UnpackTransferFrom is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x23b872dd.
//
// Solidity: function transferFrom(address from, address to, uint256 value) returns(bool)
func (fluxToken *FluxToken) UnpackTransferFrom(data []byte) (bool, error) {
	out, err := fluxToken.abi.Unpack("transferFrom", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// FluxTokenApproval represents a Approval event raised by the FluxToken contract.
type FluxTokenApproval struct {
	Owner   common.Address
	Spender common.Address
	Value   *big.Int
	Raw     *types.Log // Blockchain specific contextual infos
}

const FluxTokenApprovalEventName = "Approval"

// ContractEventName returns the user-defined event name.
func (FluxTokenApproval) ContractEventName() string {
	return FluxTokenApprovalEventName
}

// UnpackApprovalEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Approval(address indexed owner, address indexed spender, uint256 value)
func (fluxToken *FluxToken) UnpackApprovalEvent(log *types.Log) (*FluxTokenApproval, error) {
	event := "Approval"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != fluxToken.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(FluxTokenApproval)
	if len(log.Data) > 0 {
		if err := fluxToken.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range fluxToken.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// FluxTokenTransfer represents a Transfer event raised by the FluxToken contract.
type FluxTokenTransfer struct {
	From  common.Address
	To    common.Address
	Value *big.Int
	Raw   *types.Log // Blockchain specific contextual infos
}

const FluxTokenTransferEventName = "Transfer"

// ContractEventName returns the user-defined event name.
func (FluxTokenTransfer) ContractEventName() string {
	return FluxTokenTransferEventName
}

// UnpackTransferEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Transfer(address indexed from, address indexed to, uint256 value)
func (fluxToken *FluxToken) UnpackTransferEvent(log *types.Log) (*FluxTokenTransfer, error) {
	event := "Transfer"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != fluxToken.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(FluxTokenTransfer)
	if len(log.Data) > 0 {
		if err := fluxToken.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range fluxToken.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (fluxToken *FluxToken) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], fluxToken.abi.Errors["ERC20InsufficientAllowance"].ID.Bytes()[:4]) {
		return fluxToken.UnpackERC20InsufficientAllowanceError(raw[4:])
	}
	if bytes.Equal(raw[:4], fluxToken.abi.Errors["ERC20InsufficientBalance"].ID.Bytes()[:4]) {
		return fluxToken.UnpackERC20InsufficientBalanceError(raw[4:])
	}
	if bytes.Equal(raw[:4], fluxToken.abi.Errors["ERC20InvalidApprover"].ID.Bytes()[:4]) {
		return fluxToken.UnpackERC20InvalidApproverError(raw[4:])
	}
	if bytes.Equal(raw[:4], fluxToken.abi.Errors["ERC20InvalidReceiver"].ID.Bytes()[:4]) {
		return fluxToken.UnpackERC20InvalidReceiverError(raw[4:])
	}
	if bytes.Equal(raw[:4], fluxToken.abi.Errors["ERC20InvalidSender"].ID.Bytes()[:4]) {
		return fluxToken.UnpackERC20InvalidSenderError(raw[4:])
	}
	if bytes.Equal(raw[:4], fluxToken.abi.Errors["ERC20InvalidSpender"].ID.Bytes()[:4]) {
		return fluxToken.UnpackERC20InvalidSpenderError(raw[4:])
	}
	if bytes.Equal(raw[:4], fluxToken.abi.Errors["OnlyBridge"].ID.Bytes()[:4]) {
		return fluxToken.UnpackOnlyBridgeError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// FluxTokenERC20InsufficientAllowance represents a ERC20InsufficientAllowance error raised by the FluxToken contract.
type FluxTokenERC20InsufficientAllowance struct {
	Spender   common.Address
	Allowance *big.Int
	Needed    *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)
func FluxTokenERC20InsufficientAllowanceErrorID() common.Hash {
	return common.HexToHash("0xfb8f41b23e99d2101d86da76cdfa87dd51c82ed07d3cb62cbc473e469dbc75c3")
}

// UnpackERC20InsufficientAllowanceError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)
func (fluxToken *FluxToken) UnpackERC20InsufficientAllowanceError(raw []byte) (*FluxTokenERC20InsufficientAllowance, error) {
	out := new(FluxTokenERC20InsufficientAllowance)
	if err := fluxToken.abi.UnpackIntoInterface(out, "ERC20InsufficientAllowance", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// FluxTokenERC20InsufficientBalance represents a ERC20InsufficientBalance error raised by the FluxToken contract.
type FluxTokenERC20InsufficientBalance struct {
	Sender  common.Address
	Balance *big.Int
	Needed  *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)
func FluxTokenERC20InsufficientBalanceErrorID() common.Hash {
	return common.HexToHash("0xe450d38cd8d9f7d95077d567d60ed49c7254716e6ad08fc9872816c97e0ffec6")
}

// UnpackERC20InsufficientBalanceError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)
func (fluxToken *FluxToken) UnpackERC20InsufficientBalanceError(raw []byte) (*FluxTokenERC20InsufficientBalance, error) {
	out := new(FluxTokenERC20InsufficientBalance)
	if err := fluxToken.abi.UnpackIntoInterface(out, "ERC20InsufficientBalance", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// FluxTokenERC20InvalidApprover represents a ERC20InvalidApprover error raised by the FluxToken contract.
type FluxTokenERC20InvalidApprover struct {
	Approver common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ERC20InvalidApprover(address approver)
func FluxTokenERC20InvalidApproverErrorID() common.Hash {
	return common.HexToHash("0xe602df05cc75712490294c6c104ab7c17f4030363910a7a2626411c6d3118847")
}

// UnpackERC20InvalidApproverError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ERC20InvalidApprover(address approver)
func (fluxToken *FluxToken) UnpackERC20InvalidApproverError(raw []byte) (*FluxTokenERC20InvalidApprover, error) {
	out := new(FluxTokenERC20InvalidApprover)
	if err := fluxToken.abi.UnpackIntoInterface(out, "ERC20InvalidApprover", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// FluxTokenERC20InvalidReceiver represents a ERC20InvalidReceiver error raised by the FluxToken contract.
type FluxTokenERC20InvalidReceiver struct {
	Receiver common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ERC20InvalidReceiver(address receiver)
func FluxTokenERC20InvalidReceiverErrorID() common.Hash {
	return common.HexToHash("0xec442f055133b72f3b2f9f0bb351c406b178527de2040a7d1feb4e058771f613")
}

// UnpackERC20InvalidReceiverError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ERC20InvalidReceiver(address receiver)
func (fluxToken *FluxToken) UnpackERC20InvalidReceiverError(raw []byte) (*FluxTokenERC20InvalidReceiver, error) {
	out := new(FluxTokenERC20InvalidReceiver)
	if err := fluxToken.abi.UnpackIntoInterface(out, "ERC20InvalidReceiver", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// FluxTokenERC20InvalidSender represents a ERC20InvalidSender error raised by the FluxToken contract.
type FluxTokenERC20InvalidSender struct {
	Sender common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ERC20InvalidSender(address sender)
func FluxTokenERC20InvalidSenderErrorID() common.Hash {
	return common.HexToHash("0x96c6fd1edd0cd6ef7ff0ecc0facdf53148dc0048b57fe58af65755250a7a96bd")
}

// UnpackERC20InvalidSenderError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ERC20InvalidSender(address sender)
func (fluxToken *FluxToken) UnpackERC20InvalidSenderError(raw []byte) (*FluxTokenERC20InvalidSender, error) {
	out := new(FluxTokenERC20InvalidSender)
	if err := fluxToken.abi.UnpackIntoInterface(out, "ERC20InvalidSender", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// FluxTokenERC20InvalidSpender represents a ERC20InvalidSpender error raised by the FluxToken contract.
type FluxTokenERC20InvalidSpender struct {
	Spender common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ERC20InvalidSpender(address spender)
func FluxTokenERC20InvalidSpenderErrorID() common.Hash {
	return common.HexToHash("0x94280d62c347d8d9f4d59a76ea321452406db88df38e0c9da304f58b57b373a2")
}

// UnpackERC20InvalidSpenderError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ERC20InvalidSpender(address spender)
func (fluxToken *FluxToken) UnpackERC20InvalidSpenderError(raw []byte) (*FluxTokenERC20InvalidSpender, error) {
	out := new(FluxTokenERC20InvalidSpender)
	if err := fluxToken.abi.UnpackIntoInterface(out, "ERC20InvalidSpender", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// FluxTokenOnlyBridge represents a OnlyBridge error raised by the FluxToken contract.
type FluxTokenOnlyBridge struct {
	Caller common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error OnlyBridge(address caller)
func FluxTokenOnlyBridgeErrorID() common.Hash {
	return common.HexToHash("0xd8ee8db0e5ab203fe0c7b589e312fb3647f7ad85166c4e7fbc338a134163b0f1")
}

// UnpackOnlyBridgeError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error OnlyBridge(address caller)
func (fluxToken *FluxToken) UnpackOnlyBridgeError(raw []byte) (*FluxTokenOnlyBridge, error) {
	out := new(FluxTokenOnlyBridge)
	if err := fluxToken.abi.UnpackIntoInterface(out, "OnlyBridge", raw); err != nil {
		return nil, err
	}
	return out, nil
}
