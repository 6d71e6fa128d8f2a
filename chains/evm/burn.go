package evm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// The events this package decodes by hand (the bindings' ABI is checked to
// name the same ones in NewSource).
var (
	// burnTopic is the id of Burn(uint64 indexed nonce, uint64 amount, bytes22 fluxAddr, address indexed sender).
	burnTopic = crypto.Keccak256Hash([]byte("Burn(uint64,uint64,bytes22,address)"))
	// transferTopic is the id of ERC-20 Transfer(address indexed from, address indexed to, uint256 value).
	transferTopic = crypto.Keccak256Hash([]byte("Transfer(address,address,uint256)"))
)

// FluxAddrLen is the length of a decoded FLUX address in a Burn: a 2-byte
// version prefix and a 20-byte hash.
const FluxAddrLen = 22

// burn is one decoded Burn log.
type burn struct {
	Nonce    uint64
	Amount   uint64
	FluxAddr [FluxAddrLen]byte
	Sender   common.Address
}

// errMalformedLog marks a log that is not a well-formed Burn of the bridge.
var errMalformedLog = errors.New("not a well-formed Burn log")

// decodeBurn decodes a Burn log emitted by bridge. It is strict: the exact
// topic count, the address, zero padding in every ABI word and a data
// length of exactly two words, so one log has exactly one reading.
func decodeBurn(lg *types.Log, bridge common.Address) (burn, error) {
	var b burn
	bad := func(why string) (burn, error) {
		return b, fmt.Errorf("%w: %s", errMalformedLog, why)
	}
	switch {
	case lg == nil:
		return bad("nil log")
	case lg.Address != bridge:
		return bad("emitted by " + lg.Address.Hex() + ", not the bridge")
	case lg.Removed:
		return bad("marked removed")
	case len(lg.Topics) != 3:
		return bad(fmt.Sprintf("%d topics, want 3", len(lg.Topics)))
	case lg.Topics[0] != burnTopic:
		return bad("topic " + lg.Topics[0].Hex() + " is not Burn")
	case len(lg.Data) != 64:
		return bad(fmt.Sprintf("%d data bytes, want 64", len(lg.Data)))
	}
	var zero [32]byte
	nonce, sender, amount, addr := lg.Topics[1], lg.Topics[2], lg.Data[:32], lg.Data[32:]
	if !bytes.Equal(nonce[:24], zero[:24]) {
		return bad("nonce does not fit uint64")
	}
	if !bytes.Equal(sender[:12], zero[:12]) {
		return bad("sender is not an address")
	}
	if !bytes.Equal(amount[:24], zero[:24]) {
		return bad("amount does not fit uint64")
	}
	if !bytes.Equal(addr[FluxAddrLen:], zero[:32-FluxAddrLen]) {
		return bad("fluxAddr padding is not zero")
	}
	b.Nonce = binary.BigEndian.Uint64(nonce[24:])
	b.Sender = common.BytesToAddress(sender[12:])
	b.Amount = binary.BigEndian.Uint64(amount[24:])
	copy(b.FluxAddr[:], addr[:FluxAddrLen])
	return b, nil
}

// sameLog reports whether two logs are the identical log: same emitter,
// topics, data and position (block, transaction, index).
func sameLog(a, b *types.Log) bool {
	if a.Address != b.Address || a.BlockHash != b.BlockHash || a.BlockNumber != b.BlockNumber ||
		a.TxHash != b.TxHash || a.TxIndex != b.TxIndex || a.Index != b.Index || a.Removed != b.Removed ||
		len(a.Topics) != len(b.Topics) || !bytes.Equal(a.Data, b.Data) {
		return false
	}
	for i := range a.Topics {
		if a.Topics[i] != b.Topics[i] {
			return false
		}
	}
	return true
}

// logKey is a canonical string of a log list, for agreement across endpoints.
func logKey(logs []types.Log) string {
	var buf bytes.Buffer
	for i := range logs {
		lg := &logs[i]
		fmt.Fprintf(&buf, "%x|%d|%x|%d|%d|%x|%t|", lg.BlockHash, lg.BlockNumber, lg.TxHash, lg.TxIndex, lg.Index, lg.Address, lg.Removed)
		for _, t := range lg.Topics {
			fmt.Fprintf(&buf, "%x,", t)
		}
		fmt.Fprintf(&buf, "|%x;", lg.Data)
	}
	return buf.String()
}

// hasBurnTransfer reports whether receipt r holds the token's Transfer of
// amount from sender to the zero address: the burn's effect, not only its
// announcement (the Qubit lesson: verify the effect, not the event).
func hasBurnTransfer(r *types.Receipt, token common.Address, b burn) bool {
	want := new(big.Int).SetUint64(b.Amount)
	for _, lg := range r.Logs {
		if lg.Address != token || len(lg.Topics) != 3 || lg.Topics[0] != transferTopic || len(lg.Data) != 32 {
			continue
		}
		if lg.Topics[1] != common.BytesToHash(b.Sender[:]) || lg.Topics[2] != (common.Hash{}) {
			continue
		}
		if new(big.Int).SetBytes(lg.Data).Cmp(want) == 0 {
			return true
		}
	}
	return false
}
