package evm_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/fluxbridge/fluxbridge/contracts/evm"
)

// The revert decoder: a revert reaches a test as the error of a bound call or
// of the gas estimation a bound transact runs first. Over JSON-RPC it is an
// rpc.DataError whose ErrorData is the hex revert data; the first 4 bytes
// select one of the contracts' custom errors.

// maxRevertData bounds the revert data the decoder looks at: the largest
// custom error here carries two words, so anything beyond a few KiB is junk.
const maxRevertData = 4096

var (
	errorsOnce sync.Once
	errorsByID map[[4]byte]abi.Error
	errorsErr  error // a generated ABI that does not parse; TestKnownErrors reports it
)

// knownErrors indexes the custom errors of FluxBridge and FluxToken (whose
// ABI brings OpenZeppelin's ERC-20 errors) by selector.
func knownErrors() map[[4]byte]abi.Error {
	errorsOnce.Do(func() {
		errorsByID = make(map[[4]byte]abi.Error)
		for _, md := range []interface{ GetAbi() (*abi.ABI, error) }{evm.FluxBridgeMetaData, evm.FluxTokenMetaData} {
			parsed, err := md.GetAbi()
			if err != nil {
				errorsErr = err
				continue
			}
			for _, e := range parsed.Errors {
				errorsByID[[4]byte(e.ID[:4])] = e
			}
		}
	})
	return errorsByID
}

// TestKnownErrors: every custom error of both contracts is indexed under its
// selector, and no two share one.
func TestKnownErrors(t *testing.T) {
	known := knownErrors()
	if errorsErr != nil {
		t.Fatalf("generated ABI: %v", errorsErr)
	}
	want := 0
	for _, md := range []interface{ GetAbi() (*abi.ABI, error) }{evm.FluxBridgeMetaData, evm.FluxTokenMetaData} {
		parsed, _ := md.GetAbi()
		want += len(parsed.Errors)
		for name, e := range parsed.Errors {
			if got, ok := known[[4]byte(e.ID[:4])]; !ok || got.Name != name {
				t.Errorf("error %s (selector %x) indexed as %q", name, e.ID[:4], got.Name)
			}
		}
	}
	if len(known) != want {
		t.Errorf("%d selectors for %d errors: a selector collides", len(known), want)
	}
	for _, name := range []string{"Paused", "InsufficientSignatures", "UnknownSigner", "OnlyBridge", "ERC20InsufficientBalance"} {
		found := false
		for _, e := range known {
			found = found || e.Name == name
		}
		if !found {
			t.Errorf("custom error %s is not indexed", name)
		}
	}
}

var (
	selectorError = [4]byte(crypto.Keccak256([]byte("Error(string)"))[:4])
	selectorPanic = [4]byte(crypto.Keccak256([]byte("Panic(uint256)"))[:4])
)

// revertData extracts the raw revert data carried by err, if any.
func revertData(err error) ([]byte, bool) {
	var de rpc.DataError
	if !errors.As(err, &de) {
		return nil, false
	}
	s, ok := de.ErrorData().(string)
	if !ok || len(s) > 2+2*maxRevertData {
		return nil, false
	}
	b, decErr := hexutil.Decode(s)
	if decErr != nil {
		return nil, false
	}
	return b, true
}

// decodeRevert names revert data and unpacks its arguments: a custom error
// of the contracts by its name, "Error" and "Panic" for Solidity's built-in
// reverts, "0x<selector>" for an unknown selector, "" for empty or
// too-short data. args is nil when the arguments do not unpack.
func decodeRevert(data []byte) (name string, args []interface{}) {
	if len(data) < 4 || len(data) > maxRevertData {
		return "", nil
	}
	id := [4]byte(data[:4])
	switch id {
	case selectorError:
		return "Error", unpackArgs("string", data[4:])
	case selectorPanic:
		return "Panic", unpackArgs("uint256", data[4:])
	}
	e, ok := knownErrors()[id]
	if !ok {
		return "0x" + hex.EncodeToString(data[:4]), nil
	}
	vals, err := e.Unpack(data)
	if err != nil {
		return e.Name, nil
	}
	args, _ = vals.([]interface{})
	return e.Name, args
}

func unpackArgs(typ string, data []byte) []interface{} {
	t, err := abi.NewType(typ, "", nil)
	if err != nil {
		return nil
	}
	vals, err := abi.Arguments{{Type: t}}.Unpack(data)
	if err != nil {
		return nil
	}
	return vals
}

// revertName is the name of the custom error err reverted with, or "" when
// err carries no revert data (nil, a transport error, a plain failure).
func revertName(err error) string {
	data, ok := revertData(err)
	if !ok {
		return ""
	}
	name, _ := decodeRevert(data)
	return name
}

// revertString renders err's revert as Name(arg, …) for messages and for
// assertions on the arguments.
func revertString(err error) string {
	data, ok := revertData(err)
	if !ok {
		return ""
	}
	name, args := decodeRevert(data)
	if args == nil {
		return name
	}
	parts := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case [32]byte:
			parts[i] = hexutil.Encode(v[:])
		case common.Address:
			parts[i] = v.Hex()
		case [2]byte:
			parts[i] = hexutil.Encode(v[:])
		case *big.Int:
			parts[i] = v.String()
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return name + "(" + strings.Join(parts, ", ") + ")"
}

// dataError is an rpc.DataError with arbitrary data, as a node would send it.
type dataError struct{ data interface{} }

func (e dataError) Error() string          { return "execution reverted" }
func (e dataError) ErrorData() interface{} { return e.data }

// pack builds revert data for the named custom error.
func pack(t testing.TB, name string, args ...interface{}) []byte {
	t.Helper()
	for _, e := range knownErrors() {
		if e.Name != name {
			continue
		}
		enc, err := e.Inputs.Pack(args...)
		if err != nil {
			t.Fatalf("pack %s: %v", name, err)
		}
		return append(append([]byte{}, e.ID[:4]...), enc...)
	}
	t.Fatalf("no custom error %s", name)
	return nil
}

func TestRevertNameDecodesTheCustomErrors(t *testing.T) {
	addr := common.Address{0xaa}
	cases := []struct {
		name string
		err  error
		want string
		str  string
	}{
		{"no error", nil, "", ""},
		{"plain error", errors.New("connection refused"), "", ""},
		{"wrapped custom error", fmt.Errorf("estimate: %w", dataError{hexutil.Encode(pack(t, "InsufficientSignatures", big.NewInt(2), big.NewInt(3)))}),
			"InsufficientSignatures", "InsufficientSignatures(2, 3)"},
		{"no arguments", dataError{hexutil.Encode(pack(t, "ZeroAmount"))}, "ZeroAmount", "ZeroAmount()"},
		{"address argument", dataError{hexutil.Encode(pack(t, "UnknownSigner", addr))}, "UnknownSigner", "UnknownSigner(" + addr.Hex() + ")"},
		{"token error", dataError{hexutil.Encode(pack(t, "OnlyBridge", addr))}, "OnlyBridge", "OnlyBridge(" + addr.Hex() + ")"},
		{"truncated arguments", dataError{hexutil.Encode(pack(t, "HighS", big.NewInt(1))[:20])}, "HighS", "HighS"},
		{"unknown selector", dataError{"0xdeadbeef"}, "0xdeadbeef", "0xdeadbeef"},
		{"short data", dataError{"0xdead"}, "", ""},
		{"not hex", dataError{"revert: nope"}, "", ""},
		{"not a string", dataError{42}, "", ""},
		{"Error(string)", dataError{"0x08c379a0" +
			"0000000000000000000000000000000000000000000000000000000000000020" +
			"0000000000000000000000000000000000000000000000000000000000000003" +
			"6261640000000000000000000000000000000000000000000000000000000000"}, "Error", "Error(bad)"},
		{"Panic(0x11)", dataError{"0x4e487b71" + "0000000000000000000000000000000000000000000000000000000000000011"}, "Panic", "Panic(17)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := revertName(tc.err); got != tc.want {
				t.Errorf("revertName = %q, want %q", got, tc.want)
			}
			if got := revertString(tc.err); got != tc.str {
				t.Errorf("revertString = %q, want %q", got, tc.str)
			}
		})
	}
}

// FuzzRevertName feeds arbitrary bytes as revert data (hex-encoded, as a node
// sends it, and raw, as a broken node might): decoding must never panic, and
// a known selector is always named.
func FuzzRevertName(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x08, 0xc3, 0x79, 0xa0, 0, 0, 0})
	f.Add(pack(f, "InsufficientSignatures", big.NewInt(1), big.NewInt(3)))
	f.Add(pack(f, "BadAddressPrefix", [2]byte{0x1c, 0xb8}))
	f.Add(pack(f, "LockUsed", [32]byte{1}))
	f.Add(pack(f, "ERC20InsufficientBalance", [20]byte{1}, big.NewInt(5), big.NewInt(6))[:40])
	f.Fuzz(func(t *testing.T, b []byte) {
		name := revertName(dataError{hexutil.Encode(b)})
		_ = revertName(dataError{string(b)})
		_ = revertString(dataError{hexutil.Encode(b)})
		if len(b) >= 4 && len(b) <= maxRevertData {
			if e, ok := knownErrors()[[4]byte(b[:4])]; ok && name != e.Name {
				t.Fatalf("selector of %s named %q", e.Name, name)
			}
			if name == "" {
				t.Fatalf("%d bytes of revert data left unnamed", len(b))
			}
		}
	})
}
