// Code generated - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package evm

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/event"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = errors.New
	_ = big.NewInt
	_ = strings.NewReader
	_ = ethereum.NotFound
	_ = bind.Bind
	_ = common.Big1
	_ = types.BloomLookup
	_ = event.NewSubscription
	_ = abi.ConvertType
	_ = time.Tick
	_ = context.Background
)

// FluxTokenMetaData contains all meta data concerning the FluxToken contract.
var FluxTokenMetaData = &bind.MetaData{
	ABI: "[{\"inputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"allowance\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"needed\",\"type\":\"uint256\"}],\"name\":\"ERC20InsufficientAllowance\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"balance\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"needed\",\"type\":\"uint256\"}],\"name\":\"ERC20InsufficientBalance\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"approver\",\"type\":\"address\"}],\"name\":\"ERC20InvalidApprover\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"receiver\",\"type\":\"address\"}],\"name\":\"ERC20InvalidReceiver\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"ERC20InvalidSender\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"}],\"name\":\"ERC20InvalidSpender\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"caller\",\"type\":\"address\"}],\"name\":\"OnlyBridge\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"owner\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"Approval\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"from\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"Transfer\",\"type\":\"event\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"owner\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"}],\"name\":\"allowance\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"spender\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"approve\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"balanceOf\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"bridge\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"\",\"type\":\"address\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"from\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"bridgeBurn\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"decimals\",\"outputs\":[{\"internalType\":\"uint8\",\"name\":\"\",\"type\":\"uint8\"}],\"stateMutability\":\"pure\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"mint\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256[]\",\"name\":\"mints\",\"type\":\"uint256[]\"}],\"name\":\"mintBatch\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"name\",\"outputs\":[{\"internalType\":\"string\",\"name\":\"\",\"type\":\"string\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"symbol\",\"outputs\":[{\"internalType\":\"string\",\"name\":\"\",\"type\":\"string\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"totalSupply\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"transfer\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"from\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"value\",\"type\":\"uint256\"}],\"name\":\"transferFrom\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"nonpayable\",\"type\":\"function\"}]",
	Bin: "0x60a06040523461031557610011610319565b6308cd8eaf60e31b6020820152610026610319565b6308c98aab60e31b602082015281516001600160401b03811161021d57600354600181811c9116801561030b575b60208210146101ff57601f811161029d575b50602092601f821160011461023c57928192935f92610231575b50508160011b915f199060031b1c1916176003555b80516001600160401b03811161021d57600454600181811c91168015610213575b60208210146101ff57601f8111610191575b50602091601f8211600114610131579181925f92610126575b50508160011b915f199060031b1c1916176004555b336080526040516108d8908161033d823960805181818160fe0152818161018f01528181610379015261048b0152f35b015190505f806100e1565b601f1982169260045f52805f20915f5b85811061017957508360019510610161575b505050811b016004556100f6565b01515f1960f88460031b161c191690555f8080610153565b91926020600181928685015181550194019201610141565b818111156100c85760045f52601f820160051c7f8a35acfbc15ff81a39ae7d344fd709f28e8600b4aa8c65c6b64bfe7fe36bd19b602084106101f7575b81601f9101920160051c03905f5b8281106101ea5750506100c8565b5f828201556001016101dc565b5f91506101ce565b634e487b7160e01b5f52602260045260245ffd5b90607f16906100b6565b634e487b7160e01b5f52604160045260245ffd5b015190505f80610080565b601f1982169360035f52805f20915f5b868110610285575083600195961061026d575b505050811b01600355610095565b01515f1960f88460031b161c191690555f808061025f565b9192602060018192868501518155019401920161024c565b818111156100665760035f52601f820160051c7fc2575a0e9e593c00f959f8c92f12db2869c3395a3b0502d05e2516446f71f85b60208410610303575b81601f9101920160051c03905f5b8281106102f6575050610066565b5f828201556001016102e8565b5f91506102da565b90607f1690610054565b5f80fd5b60408051919082016001600160401b0381118382101761021d576040526004825256fe6080806040526004361015610012575f80fd5b5f3560e01c90816306fdde031461065f57508063095ea7b3146105dd57806318160ddd146105c057806323b872dd146104e1578063313ce567146104c657806340c10f191461047057806370a082311461043957806374f4f5471461035a57806395d89b411461023f578063a9059cbb1461020e578063dd62ed3e146101be578063e78cea921461017a5763ffb2b55a146100ab575f80fd5b346101765760203660031901126101765760043567ffffffffffffffff8111610176573660238201121561017657806004013567ffffffffffffffff8111610176573660248260051b84010111610176577f00000000000000000000000000000000000000000000000000000000000000006001600160a01b03163303610163575f5b818110156101615760019061015b600582901b85016024013560a081901c906001600160a01b031661082e565b0161012e565b005b630d8ee8db60e41b5f523360045260245ffd5b5f80fd5b34610176575f366003190112610176576040517f00000000000000000000000000000000000000000000000000000000000000006001600160a01b03168152602090f35b34610176576040366003190112610176576101d7610758565b6101df61076e565b6001600160a01b039182165f908152600160209081526040808320949093168252928352819020549051908152f35b346101765760403660031901126101765761023461022a610758565b6024359033610784565b602060405160018152f35b34610176575f366003190112610176576040515f6004548060011c90600181168015610350575b60208310811461033c5782855290811561032057506001146102cb575b50819003601f01601f191681019067ffffffffffffffff8211818310176102b7576102b38291826040528261072e565b0390f35b634e487b7160e01b5f52604160045260245ffd5b905060045f527f8a35acfbc15ff81a39ae7d344fd709f28e8600b4aa8c65c6b64bfe7fe36bd19b5f905b82821061030a57506020915082010182610283565b60018160209254838588010152019101906102f5565b90506020925060ff191682840152151560051b82010182610283565b634e487b7160e01b5f52602260045260245ffd5b91607f1691610266565b3461017657604036600319011261017657610373610758565b602435907f00000000000000000000000000000000000000000000000000000000000000006001600160a01b03163303610163576001600160a01b0316801561042657805f525f60205260405f205482811061040d576020835f947fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef938587528684520360408620558060025403600255604051908152a3005b9063391434e360e21b5f5260045260245260445260645ffd5b634b637e8f60e11b5f525f60045260245ffd5b34610176576020366003190112610176576001600160a01b0361045a610758565b165f525f602052602060405f2054604051908152f35b3461017657604036600319011261017657610489610758565b7f00000000000000000000000000000000000000000000000000000000000000006001600160a01b0316330361016357610161906024359061082e565b34610176575f36600319011261017657602060405160088152f35b34610176576060366003190112610176576104fa610758565b61050261076e565b6001600160a01b0382165f818152600160209081526040808320338452909152902054909260443592915f198110610540575b506102349350610784565b8381106105a557841561059257331561057f57610234945f52600160205260405f2060018060a01b0333165f526020528360405f209103905584610535565b634a1406b160e11b5f525f60045260245ffd5b63e602df0560e01b5f525f60045260245ffd5b8390637dc7a0d960e11b5f523360045260245260445260645ffd5b34610176575f366003190112610176576020600254604051908152f35b34610176576040366003190112610176576105f6610758565b602435903315610592576001600160a01b031690811561057f57335f52600160205260405f20825f526020528060405f20556040519081527f8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b92560203392a3602060405160018152f35b34610176575f366003190112610176575f6003548060011c90600181168015610724575b60208310811461033c5782855290811561032057506001146106cf5750819003601f01601f191681019067ffffffffffffffff8211818310176102b7576102b38291826040528261072e565b905060035f527fc2575a0e9e593c00f959f8c92f12db2869c3395a3b0502d05e2516446f71f85b5f905b82821061070e57506020915082010182610283565b60018160209254838588010152019101906106f9565b91607f1691610683565b602060409281835280519182918282860152018484015e5f828201840152601f01601f1916010190565b600435906001600160a01b038216820361017657565b602435906001600160a01b038216820361017657565b6001600160a01b0316908115610426576001600160a01b031691821561081b57815f525f60205260405f205481811061080257817fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef92602092855f525f84520360405f2055845f525f825260405f20818154019055604051908152a3565b8263391434e360e21b5f5260045260245260445260645ffd5b63ec442f0560e01b5f525f60045260245ffd5b6001600160a01b031690811561081b576002549080820180921161088e5760207fddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef915f9360025584845283825260408420818154019055604051908152a3565b634e487b7160e01b5f52601160045260245ffdfea2646970667358221220a3684c4247bb80235ef3015bc507f18dbea3a3ebc05e1ff40c47f1361ced2b5b64736f6c63430008250033",
}

// FluxTokenABI is the input ABI used to generate the binding from.
// Deprecated: Use FluxTokenMetaData.ABI instead.
var FluxTokenABI = FluxTokenMetaData.ABI

// FluxTokenBin is the compiled bytecode used for deploying new contracts.
// Deprecated: Use FluxTokenMetaData.Bin instead.
var FluxTokenBin = FluxTokenMetaData.Bin

// DeployFluxToken deploys a new Ethereum contract, binding an instance of FluxToken to it.
func DeployFluxToken(auth *bind.TransactOpts, backend bind.ContractBackend) (common.Address, *types.Transaction, *FluxToken, error) {
	parsed, err := FluxTokenMetaData.GetAbi()
	if err != nil {
		return common.Address{}, nil, nil, err
	}
	if parsed == nil {
		return common.Address{}, nil, nil, errors.New("GetABI returned nil")
	}

	address, tx, contract, err := bind.DeployContract(auth, *parsed, common.FromHex(FluxTokenBin), backend)
	if err != nil {
		return common.Address{}, nil, nil, err
	}
	return address, tx, &FluxToken{FluxTokenCaller: FluxTokenCaller{contract: contract}, FluxTokenTransactor: FluxTokenTransactor{contract: contract}, FluxTokenFilterer: FluxTokenFilterer{contract: contract}}, nil
}

// FluxToken is an auto generated Go binding around an Ethereum contract.
type FluxToken struct {
	FluxTokenCaller     // Read-only binding to the contract
	FluxTokenTransactor // Write-only binding to the contract
	FluxTokenFilterer   // Log filterer for contract events
}

// FluxTokenCaller is an auto generated read-only Go binding around an Ethereum contract.
type FluxTokenCaller struct {
	contract *bind.BoundContract // Generic contract wrapper for the low level calls
}

// FluxTokenTransactor is an auto generated write-only Go binding around an Ethereum contract.
type FluxTokenTransactor struct {
	contract *bind.BoundContract // Generic contract wrapper for the low level calls
}

// FluxTokenFilterer is an auto generated log filtering Go binding around an Ethereum contract events.
type FluxTokenFilterer struct {
	contract *bind.BoundContract // Generic contract wrapper for the low level calls
}

// FluxTokenSession is an auto generated Go binding around an Ethereum contract,
// with pre-set call and transact options.
type FluxTokenSession struct {
	Contract     *FluxToken        // Generic contract binding to set the session for
	CallOpts     bind.CallOpts     // Call options to use throughout this session
	TransactOpts bind.TransactOpts // Transaction auth options to use throughout this session
}

// FluxTokenCallerSession is an auto generated read-only Go binding around an Ethereum contract,
// with pre-set call options.
type FluxTokenCallerSession struct {
	Contract *FluxTokenCaller // Generic contract caller binding to set the session for
	CallOpts bind.CallOpts    // Call options to use throughout this session
}

// FluxTokenTransactorSession is an auto generated write-only Go binding around an Ethereum contract,
// with pre-set transact options.
type FluxTokenTransactorSession struct {
	Contract     *FluxTokenTransactor // Generic contract transactor binding to set the session for
	TransactOpts bind.TransactOpts    // Transaction auth options to use throughout this session
}

// FluxTokenRaw is an auto generated low-level Go binding around an Ethereum contract.
type FluxTokenRaw struct {
	Contract *FluxToken // Generic contract binding to access the raw methods on
}

// FluxTokenCallerRaw is an auto generated low-level read-only Go binding around an Ethereum contract.
type FluxTokenCallerRaw struct {
	Contract *FluxTokenCaller // Generic read-only contract binding to access the raw methods on
}

// FluxTokenTransactorRaw is an auto generated low-level write-only Go binding around an Ethereum contract.
type FluxTokenTransactorRaw struct {
	Contract *FluxTokenTransactor // Generic write-only contract binding to access the raw methods on
}

// NewFluxToken creates a new instance of FluxToken, bound to a specific deployed contract.
func NewFluxToken(address common.Address, backend bind.ContractBackend) (*FluxToken, error) {
	contract, err := bindFluxToken(address, backend, backend, backend)
	if err != nil {
		return nil, err
	}
	return &FluxToken{FluxTokenCaller: FluxTokenCaller{contract: contract}, FluxTokenTransactor: FluxTokenTransactor{contract: contract}, FluxTokenFilterer: FluxTokenFilterer{contract: contract}}, nil
}

// NewFluxTokenCaller creates a new read-only instance of FluxToken, bound to a specific deployed contract.
func NewFluxTokenCaller(address common.Address, caller bind.ContractCaller) (*FluxTokenCaller, error) {
	contract, err := bindFluxToken(address, caller, nil, nil)
	if err != nil {
		return nil, err
	}
	return &FluxTokenCaller{contract: contract}, nil
}

// NewFluxTokenTransactor creates a new write-only instance of FluxToken, bound to a specific deployed contract.
func NewFluxTokenTransactor(address common.Address, transactor bind.ContractTransactor) (*FluxTokenTransactor, error) {
	contract, err := bindFluxToken(address, nil, transactor, nil)
	if err != nil {
		return nil, err
	}
	return &FluxTokenTransactor{contract: contract}, nil
}

// NewFluxTokenFilterer creates a new log filterer instance of FluxToken, bound to a specific deployed contract.
func NewFluxTokenFilterer(address common.Address, filterer bind.ContractFilterer) (*FluxTokenFilterer, error) {
	contract, err := bindFluxToken(address, nil, nil, filterer)
	if err != nil {
		return nil, err
	}
	return &FluxTokenFilterer{contract: contract}, nil
}

// bindFluxToken binds a generic wrapper to an already deployed contract.
func bindFluxToken(address common.Address, caller bind.ContractCaller, transactor bind.ContractTransactor, filterer bind.ContractFilterer) (*bind.BoundContract, error) {
	parsed, err := FluxTokenMetaData.GetAbi()
	if err != nil {
		return nil, err
	}
	return bind.NewBoundContract(address, *parsed, caller, transactor, filterer), nil
}

// Call invokes the (constant) contract method with params as input values and
// sets the output to result. The result type might be a single field for simple
// returns, a slice of interfaces for anonymous returns and a struct for named
// returns.
func (_FluxToken *FluxTokenRaw) Call(opts *bind.CallOpts, result *[]interface{}, method string, params ...interface{}) error {
	return _FluxToken.Contract.FluxTokenCaller.contract.Call(opts, result, method, params...)
}

// Transfer initiates a plain transaction to move funds to the contract, calling
// its default method if one is available.
func (_FluxToken *FluxTokenRaw) Transfer(opts *bind.TransactOpts) (*types.Transaction, error) {
	return _FluxToken.Contract.FluxTokenTransactor.contract.Transfer(opts)
}

// Transact invokes the (paid) contract method with params as input values.
func (_FluxToken *FluxTokenRaw) Transact(opts *bind.TransactOpts, method string, params ...interface{}) (*types.Transaction, error) {
	return _FluxToken.Contract.FluxTokenTransactor.contract.Transact(opts, method, params...)
}

// Call invokes the (constant) contract method with params as input values and
// sets the output to result. The result type might be a single field for simple
// returns, a slice of interfaces for anonymous returns and a struct for named
// returns.
func (_FluxToken *FluxTokenCallerRaw) Call(opts *bind.CallOpts, result *[]interface{}, method string, params ...interface{}) error {
	return _FluxToken.Contract.contract.Call(opts, result, method, params...)
}

// Transfer initiates a plain transaction to move funds to the contract, calling
// its default method if one is available.
func (_FluxToken *FluxTokenTransactorRaw) Transfer(opts *bind.TransactOpts) (*types.Transaction, error) {
	return _FluxToken.Contract.contract.Transfer(opts)
}

// Transact invokes the (paid) contract method with params as input values.
func (_FluxToken *FluxTokenTransactorRaw) Transact(opts *bind.TransactOpts, method string, params ...interface{}) (*types.Transaction, error) {
	return _FluxToken.Contract.contract.Transact(opts, method, params...)
}

// Allowance is a free data retrieval call binding the contract method 0xdd62ed3e.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256)
func (_FluxToken *FluxTokenCaller) Allowance(opts *bind.CallOpts, owner common.Address, spender common.Address) (*big.Int, error) {
	var out []interface{}
	err := _FluxToken.contract.Call(opts, &out, "allowance", owner, spender)

	if err != nil {
		return *new(*big.Int), err
	}

	out0 := *abi.ConvertType(out[0], new(*big.Int)).(**big.Int)

	return out0, err

}

// Allowance is a free data retrieval call binding the contract method 0xdd62ed3e.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256)
func (_FluxToken *FluxTokenSession) Allowance(owner common.Address, spender common.Address) (*big.Int, error) {
	return _FluxToken.Contract.Allowance(&_FluxToken.CallOpts, owner, spender)
}

// Allowance is a free data retrieval call binding the contract method 0xdd62ed3e.
//
// Solidity: function allowance(address owner, address spender) view returns(uint256)
func (_FluxToken *FluxTokenCallerSession) Allowance(owner common.Address, spender common.Address) (*big.Int, error) {
	return _FluxToken.Contract.Allowance(&_FluxToken.CallOpts, owner, spender)
}

// BalanceOf is a free data retrieval call binding the contract method 0x70a08231.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (_FluxToken *FluxTokenCaller) BalanceOf(opts *bind.CallOpts, account common.Address) (*big.Int, error) {
	var out []interface{}
	err := _FluxToken.contract.Call(opts, &out, "balanceOf", account)

	if err != nil {
		return *new(*big.Int), err
	}

	out0 := *abi.ConvertType(out[0], new(*big.Int)).(**big.Int)

	return out0, err

}

// BalanceOf is a free data retrieval call binding the contract method 0x70a08231.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (_FluxToken *FluxTokenSession) BalanceOf(account common.Address) (*big.Int, error) {
	return _FluxToken.Contract.BalanceOf(&_FluxToken.CallOpts, account)
}

// BalanceOf is a free data retrieval call binding the contract method 0x70a08231.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (_FluxToken *FluxTokenCallerSession) BalanceOf(account common.Address) (*big.Int, error) {
	return _FluxToken.Contract.BalanceOf(&_FluxToken.CallOpts, account)
}

// Bridge is a free data retrieval call binding the contract method 0xe78cea92.
//
// Solidity: function bridge() view returns(address)
func (_FluxToken *FluxTokenCaller) Bridge(opts *bind.CallOpts) (common.Address, error) {
	var out []interface{}
	err := _FluxToken.contract.Call(opts, &out, "bridge")

	if err != nil {
		return *new(common.Address), err
	}

	out0 := *abi.ConvertType(out[0], new(common.Address)).(*common.Address)

	return out0, err

}

// Bridge is a free data retrieval call binding the contract method 0xe78cea92.
//
// Solidity: function bridge() view returns(address)
func (_FluxToken *FluxTokenSession) Bridge() (common.Address, error) {
	return _FluxToken.Contract.Bridge(&_FluxToken.CallOpts)
}

// Bridge is a free data retrieval call binding the contract method 0xe78cea92.
//
// Solidity: function bridge() view returns(address)
func (_FluxToken *FluxTokenCallerSession) Bridge() (common.Address, error) {
	return _FluxToken.Contract.Bridge(&_FluxToken.CallOpts)
}

// Decimals is a free data retrieval call binding the contract method 0x313ce567.
//
// Solidity: function decimals() pure returns(uint8)
func (_FluxToken *FluxTokenCaller) Decimals(opts *bind.CallOpts) (uint8, error) {
	var out []interface{}
	err := _FluxToken.contract.Call(opts, &out, "decimals")

	if err != nil {
		return *new(uint8), err
	}

	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)

	return out0, err

}

// Decimals is a free data retrieval call binding the contract method 0x313ce567.
//
// Solidity: function decimals() pure returns(uint8)
func (_FluxToken *FluxTokenSession) Decimals() (uint8, error) {
	return _FluxToken.Contract.Decimals(&_FluxToken.CallOpts)
}

// Decimals is a free data retrieval call binding the contract method 0x313ce567.
//
// Solidity: function decimals() pure returns(uint8)
func (_FluxToken *FluxTokenCallerSession) Decimals() (uint8, error) {
	return _FluxToken.Contract.Decimals(&_FluxToken.CallOpts)
}

// Name is a free data retrieval call binding the contract method 0x06fdde03.
//
// Solidity: function name() view returns(string)
func (_FluxToken *FluxTokenCaller) Name(opts *bind.CallOpts) (string, error) {
	var out []interface{}
	err := _FluxToken.contract.Call(opts, &out, "name")

	if err != nil {
		return *new(string), err
	}

	out0 := *abi.ConvertType(out[0], new(string)).(*string)

	return out0, err

}

// Name is a free data retrieval call binding the contract method 0x06fdde03.
//
// Solidity: function name() view returns(string)
func (_FluxToken *FluxTokenSession) Name() (string, error) {
	return _FluxToken.Contract.Name(&_FluxToken.CallOpts)
}

// Name is a free data retrieval call binding the contract method 0x06fdde03.
//
// Solidity: function name() view returns(string)
func (_FluxToken *FluxTokenCallerSession) Name() (string, error) {
	return _FluxToken.Contract.Name(&_FluxToken.CallOpts)
}

// Symbol is a free data retrieval call binding the contract method 0x95d89b41.
//
// Solidity: function symbol() view returns(string)
func (_FluxToken *FluxTokenCaller) Symbol(opts *bind.CallOpts) (string, error) {
	var out []interface{}
	err := _FluxToken.contract.Call(opts, &out, "symbol")

	if err != nil {
		return *new(string), err
	}

	out0 := *abi.ConvertType(out[0], new(string)).(*string)

	return out0, err

}

// Symbol is a free data retrieval call binding the contract method 0x95d89b41.
//
// Solidity: function symbol() view returns(string)
func (_FluxToken *FluxTokenSession) Symbol() (string, error) {
	return _FluxToken.Contract.Symbol(&_FluxToken.CallOpts)
}

// Symbol is a free data retrieval call binding the contract method 0x95d89b41.
//
// Solidity: function symbol() view returns(string)
func (_FluxToken *FluxTokenCallerSession) Symbol() (string, error) {
	return _FluxToken.Contract.Symbol(&_FluxToken.CallOpts)
}

// TotalSupply is a free data retrieval call binding the contract method 0x18160ddd.
//
// Solidity: function totalSupply() view returns(uint256)
func (_FluxToken *FluxTokenCaller) TotalSupply(opts *bind.CallOpts) (*big.Int, error) {
	var out []interface{}
	err := _FluxToken.contract.Call(opts, &out, "totalSupply")

	if err != nil {
		return *new(*big.Int), err
	}

	out0 := *abi.ConvertType(out[0], new(*big.Int)).(**big.Int)

	return out0, err

}

// TotalSupply is a free data retrieval call binding the contract method 0x18160ddd.
//
// Solidity: function totalSupply() view returns(uint256)
func (_FluxToken *FluxTokenSession) TotalSupply() (*big.Int, error) {
	return _FluxToken.Contract.TotalSupply(&_FluxToken.CallOpts)
}

// TotalSupply is a free data retrieval call binding the contract method 0x18160ddd.
//
// Solidity: function totalSupply() view returns(uint256)
func (_FluxToken *FluxTokenCallerSession) TotalSupply() (*big.Int, error) {
	return _FluxToken.Contract.TotalSupply(&_FluxToken.CallOpts)
}

// Approve is a paid mutator transaction binding the contract method 0x095ea7b3.
//
// Solidity: function approve(address spender, uint256 value) returns(bool)
func (_FluxToken *FluxTokenTransactor) Approve(opts *bind.TransactOpts, spender common.Address, value *big.Int) (*types.Transaction, error) {
	return _FluxToken.contract.Transact(opts, "approve", spender, value)
}

// Approve is a paid mutator transaction binding the contract method 0x095ea7b3.
//
// Solidity: function approve(address spender, uint256 value) returns(bool)
func (_FluxToken *FluxTokenSession) Approve(spender common.Address, value *big.Int) (*types.Transaction, error) {
	return _FluxToken.Contract.Approve(&_FluxToken.TransactOpts, spender, value)
}

// Approve is a paid mutator transaction binding the contract method 0x095ea7b3.
//
// Solidity: function approve(address spender, uint256 value) returns(bool)
func (_FluxToken *FluxTokenTransactorSession) Approve(spender common.Address, value *big.Int) (*types.Transaction, error) {
	return _FluxToken.Contract.Approve(&_FluxToken.TransactOpts, spender, value)
}

// BridgeBurn is a paid mutator transaction binding the contract method 0x74f4f547.
//
// Solidity: function bridgeBurn(address from, uint256 amount) returns()
func (_FluxToken *FluxTokenTransactor) BridgeBurn(opts *bind.TransactOpts, from common.Address, amount *big.Int) (*types.Transaction, error) {
	return _FluxToken.contract.Transact(opts, "bridgeBurn", from, amount)
}

// BridgeBurn is a paid mutator transaction binding the contract method 0x74f4f547.
//
// Solidity: function bridgeBurn(address from, uint256 amount) returns()
func (_FluxToken *FluxTokenSession) BridgeBurn(from common.Address, amount *big.Int) (*types.Transaction, error) {
	return _FluxToken.Contract.BridgeBurn(&_FluxToken.TransactOpts, from, amount)
}

// BridgeBurn is a paid mutator transaction binding the contract method 0x74f4f547.
//
// Solidity: function bridgeBurn(address from, uint256 amount) returns()
func (_FluxToken *FluxTokenTransactorSession) BridgeBurn(from common.Address, amount *big.Int) (*types.Transaction, error) {
	return _FluxToken.Contract.BridgeBurn(&_FluxToken.TransactOpts, from, amount)
}

// Mint is a paid mutator transaction binding the contract method 0x40c10f19.
//
// Solidity: function mint(address to, uint256 amount) returns()
func (_FluxToken *FluxTokenTransactor) Mint(opts *bind.TransactOpts, to common.Address, amount *big.Int) (*types.Transaction, error) {
	return _FluxToken.contract.Transact(opts, "mint", to, amount)
}

// Mint is a paid mutator transaction binding the contract method 0x40c10f19.
//
// Solidity: function mint(address to, uint256 amount) returns()
func (_FluxToken *FluxTokenSession) Mint(to common.Address, amount *big.Int) (*types.Transaction, error) {
	return _FluxToken.Contract.Mint(&_FluxToken.TransactOpts, to, amount)
}

// Mint is a paid mutator transaction binding the contract method 0x40c10f19.
//
// Solidity: function mint(address to, uint256 amount) returns()
func (_FluxToken *FluxTokenTransactorSession) Mint(to common.Address, amount *big.Int) (*types.Transaction, error) {
	return _FluxToken.Contract.Mint(&_FluxToken.TransactOpts, to, amount)
}

// MintBatch is a paid mutator transaction binding the contract method 0xffb2b55a.
//
// Solidity: function mintBatch(uint256[] mints) returns()
func (_FluxToken *FluxTokenTransactor) MintBatch(opts *bind.TransactOpts, mints []*big.Int) (*types.Transaction, error) {
	return _FluxToken.contract.Transact(opts, "mintBatch", mints)
}

// MintBatch is a paid mutator transaction binding the contract method 0xffb2b55a.
//
// Solidity: function mintBatch(uint256[] mints) returns()
func (_FluxToken *FluxTokenSession) MintBatch(mints []*big.Int) (*types.Transaction, error) {
	return _FluxToken.Contract.MintBatch(&_FluxToken.TransactOpts, mints)
}

// MintBatch is a paid mutator transaction binding the contract method 0xffb2b55a.
//
// Solidity: function mintBatch(uint256[] mints) returns()
func (_FluxToken *FluxTokenTransactorSession) MintBatch(mints []*big.Int) (*types.Transaction, error) {
	return _FluxToken.Contract.MintBatch(&_FluxToken.TransactOpts, mints)
}

// Transfer is a paid mutator transaction binding the contract method 0xa9059cbb.
//
// Solidity: function transfer(address to, uint256 value) returns(bool)
func (_FluxToken *FluxTokenTransactor) Transfer(opts *bind.TransactOpts, to common.Address, value *big.Int) (*types.Transaction, error) {
	return _FluxToken.contract.Transact(opts, "transfer", to, value)
}

// Transfer is a paid mutator transaction binding the contract method 0xa9059cbb.
//
// Solidity: function transfer(address to, uint256 value) returns(bool)
func (_FluxToken *FluxTokenSession) Transfer(to common.Address, value *big.Int) (*types.Transaction, error) {
	return _FluxToken.Contract.Transfer(&_FluxToken.TransactOpts, to, value)
}

// Transfer is a paid mutator transaction binding the contract method 0xa9059cbb.
//
// Solidity: function transfer(address to, uint256 value) returns(bool)
func (_FluxToken *FluxTokenTransactorSession) Transfer(to common.Address, value *big.Int) (*types.Transaction, error) {
	return _FluxToken.Contract.Transfer(&_FluxToken.TransactOpts, to, value)
}

// TransferFrom is a paid mutator transaction binding the contract method 0x23b872dd.
//
// Solidity: function transferFrom(address from, address to, uint256 value) returns(bool)
func (_FluxToken *FluxTokenTransactor) TransferFrom(opts *bind.TransactOpts, from common.Address, to common.Address, value *big.Int) (*types.Transaction, error) {
	return _FluxToken.contract.Transact(opts, "transferFrom", from, to, value)
}

// TransferFrom is a paid mutator transaction binding the contract method 0x23b872dd.
//
// Solidity: function transferFrom(address from, address to, uint256 value) returns(bool)
func (_FluxToken *FluxTokenSession) TransferFrom(from common.Address, to common.Address, value *big.Int) (*types.Transaction, error) {
	return _FluxToken.Contract.TransferFrom(&_FluxToken.TransactOpts, from, to, value)
}

// TransferFrom is a paid mutator transaction binding the contract method 0x23b872dd.
//
// Solidity: function transferFrom(address from, address to, uint256 value) returns(bool)
func (_FluxToken *FluxTokenTransactorSession) TransferFrom(from common.Address, to common.Address, value *big.Int) (*types.Transaction, error) {
	return _FluxToken.Contract.TransferFrom(&_FluxToken.TransactOpts, from, to, value)
}

// FluxTokenApprovalIterator is returned from FilterApproval and is used to iterate over the raw logs and unpacked data for Approval events raised by the FluxToken contract.
type FluxTokenApprovalIterator struct {
	Event *FluxTokenApproval // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *FluxTokenApprovalIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(FluxTokenApproval)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(FluxTokenApproval)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *FluxTokenApprovalIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *FluxTokenApprovalIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// FluxTokenApproval represents a Approval event raised by the FluxToken contract.
type FluxTokenApproval struct {
	Owner   common.Address
	Spender common.Address
	Value   *big.Int
	Raw     types.Log // Blockchain specific contextual infos
}

// FilterApproval is a free log retrieval operation binding the contract event 0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925.
//
// Solidity: event Approval(address indexed owner, address indexed spender, uint256 value)
func (_FluxToken *FluxTokenFilterer) FilterApproval(opts *bind.FilterOpts, owner []common.Address, spender []common.Address) (*FluxTokenApprovalIterator, error) {

	var ownerRule []interface{}
	for _, ownerItem := range owner {
		ownerRule = append(ownerRule, ownerItem)
	}
	var spenderRule []interface{}
	for _, spenderItem := range spender {
		spenderRule = append(spenderRule, spenderItem)
	}

	logs, sub, err := _FluxToken.contract.FilterLogs(opts, "Approval", ownerRule, spenderRule)
	if err != nil {
		return nil, err
	}
	return &FluxTokenApprovalIterator{contract: _FluxToken.contract, event: "Approval", logs: logs, sub: sub}, nil
}

// WatchApproval is a free log subscription operation binding the contract event 0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925.
//
// Solidity: event Approval(address indexed owner, address indexed spender, uint256 value)
func (_FluxToken *FluxTokenFilterer) WatchApproval(opts *bind.WatchOpts, sink chan<- *FluxTokenApproval, owner []common.Address, spender []common.Address) (event.Subscription, error) {

	var ownerRule []interface{}
	for _, ownerItem := range owner {
		ownerRule = append(ownerRule, ownerItem)
	}
	var spenderRule []interface{}
	for _, spenderItem := range spender {
		spenderRule = append(spenderRule, spenderItem)
	}

	logs, sub, err := _FluxToken.contract.WatchLogs(opts, "Approval", ownerRule, spenderRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(FluxTokenApproval)
				if err := _FluxToken.contract.UnpackLog(event, "Approval", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseApproval is a log parse operation binding the contract event 0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925.
//
// Solidity: event Approval(address indexed owner, address indexed spender, uint256 value)
func (_FluxToken *FluxTokenFilterer) ParseApproval(log types.Log) (*FluxTokenApproval, error) {
	event := new(FluxTokenApproval)
	if err := _FluxToken.contract.UnpackLog(event, "Approval", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}

// FluxTokenTransferIterator is returned from FilterTransfer and is used to iterate over the raw logs and unpacked data for Transfer events raised by the FluxToken contract.
type FluxTokenTransferIterator struct {
	Event *FluxTokenTransfer // Event containing the contract specifics and raw log

	contract *bind.BoundContract // Generic contract to use for unpacking event data
	event    string              // Event name to use for unpacking event data

	logs chan types.Log        // Log channel receiving the found contract events
	sub  ethereum.Subscription // Subscription for errors, completion and termination
	done bool                  // Whether the subscription completed delivering logs
	fail error                 // Occurred error to stop iteration
}

// Next advances the iterator to the subsequent event, returning whether there
// are any more events found. In case of a retrieval or parsing error, false is
// returned and Error() can be queried for the exact failure.
func (it *FluxTokenTransferIterator) Next() bool {
	// If the iterator failed, stop iterating
	if it.fail != nil {
		return false
	}
	// If the iterator completed, deliver directly whatever's available
	if it.done {
		select {
		case log := <-it.logs:
			it.Event = new(FluxTokenTransfer)
			if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
				it.fail = err
				return false
			}
			it.Event.Raw = log
			return true

		default:
			return false
		}
	}
	// Iterator still in progress, wait for either a data or an error event
	select {
	case log := <-it.logs:
		it.Event = new(FluxTokenTransfer)
		if err := it.contract.UnpackLog(it.Event, it.event, log); err != nil {
			it.fail = err
			return false
		}
		it.Event.Raw = log
		return true

	case err := <-it.sub.Err():
		it.done = true
		it.fail = err
		return it.Next()
	}
}

// Error returns any retrieval or parsing error occurred during filtering.
func (it *FluxTokenTransferIterator) Error() error {
	return it.fail
}

// Close terminates the iteration process, releasing any pending underlying
// resources.
func (it *FluxTokenTransferIterator) Close() error {
	it.sub.Unsubscribe()
	return nil
}

// FluxTokenTransfer represents a Transfer event raised by the FluxToken contract.
type FluxTokenTransfer struct {
	From  common.Address
	To    common.Address
	Value *big.Int
	Raw   types.Log // Blockchain specific contextual infos
}

// FilterTransfer is a free log retrieval operation binding the contract event 0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef.
//
// Solidity: event Transfer(address indexed from, address indexed to, uint256 value)
func (_FluxToken *FluxTokenFilterer) FilterTransfer(opts *bind.FilterOpts, from []common.Address, to []common.Address) (*FluxTokenTransferIterator, error) {

	var fromRule []interface{}
	for _, fromItem := range from {
		fromRule = append(fromRule, fromItem)
	}
	var toRule []interface{}
	for _, toItem := range to {
		toRule = append(toRule, toItem)
	}

	logs, sub, err := _FluxToken.contract.FilterLogs(opts, "Transfer", fromRule, toRule)
	if err != nil {
		return nil, err
	}
	return &FluxTokenTransferIterator{contract: _FluxToken.contract, event: "Transfer", logs: logs, sub: sub}, nil
}

// WatchTransfer is a free log subscription operation binding the contract event 0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef.
//
// Solidity: event Transfer(address indexed from, address indexed to, uint256 value)
func (_FluxToken *FluxTokenFilterer) WatchTransfer(opts *bind.WatchOpts, sink chan<- *FluxTokenTransfer, from []common.Address, to []common.Address) (event.Subscription, error) {

	var fromRule []interface{}
	for _, fromItem := range from {
		fromRule = append(fromRule, fromItem)
	}
	var toRule []interface{}
	for _, toItem := range to {
		toRule = append(toRule, toItem)
	}

	logs, sub, err := _FluxToken.contract.WatchLogs(opts, "Transfer", fromRule, toRule)
	if err != nil {
		return nil, err
	}
	return event.NewSubscription(func(quit <-chan struct{}) error {
		defer sub.Unsubscribe()
		for {
			select {
			case log := <-logs:
				// New log arrived, parse the event and forward to the user
				event := new(FluxTokenTransfer)
				if err := _FluxToken.contract.UnpackLog(event, "Transfer", log); err != nil {
					// If the signature doesn't match, skip this log.
					if errors.Is(err, bind.ErrEventSignatureMismatch) {
						continue
					}
					return err
				}
				event.Raw = log

				select {
				case sink <- event:
				case err := <-sub.Err():
					return err
				case <-quit:
					return nil
				}
			case err := <-sub.Err():
				return err
			case <-quit:
				return nil
			}
		}
	}), nil
}

// ParseTransfer is a log parse operation binding the contract event 0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef.
//
// Solidity: event Transfer(address indexed from, address indexed to, uint256 value)
func (_FluxToken *FluxTokenFilterer) ParseTransfer(log types.Log) (*FluxTokenTransfer, error) {
	event := new(FluxTokenTransfer)
	if err := _FluxToken.contract.UnpackLog(event, "Transfer", log); err != nil {
		return nil, err
	}
	event.Raw = log
	return event, nil
}
