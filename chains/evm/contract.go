package evm

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	bindings "github.com/fluxbridge/fluxbridge/contracts/evm"
	"github.com/fluxbridge/fluxbridge/fault"
)

// bridgeABI parses the FluxBridge ABI from the committed bindings and checks
// that it names the events this package decodes by hand.
func bridgeABI() (*abi.ABI, error) {
	a, err := bindings.FluxBridgeMetaData.GetAbi()
	if err != nil {
		return nil, fault.E("evm.ABI", fault.Internal, err)
	}
	if ev, ok := a.Events["Burn"]; !ok || ev.ID != burnTopic {
		return nil, fault.E("evm.ABI", fault.Internal, errors.New("the bindings' Burn event is not Burn(uint64,uint64,bytes22,address)"))
	}
	for _, m := range []string{"mint", "mintDigest", "lockState", "currentSigners", "previousSigners", "token",
		"totalMinted", "totalFees", "totalConsumed", "totalBurned", "burnCount", "pausedUntil", "mintFee",
		"rotateSigners", "rotateDigest"} {
		if _, ok := a.Methods[m]; !ok {
			return nil, fault.E("evm.ABI", fault.Internal, fmt.Errorf("the bindings lack method %s", m))
		}
	}
	return a, nil
}

// read calls a view of the bridge at block hash at, with agreement of the
// endpoints on the returned bytes, and unpacks the result.
func (c *Client) read(ctx context.Context, at common.Hash, method string, args ...any) ([]any, error) {
	return c.readVia(ctx, true, at, method, args...)
}

// readVia is read with a choice: all endpoints agreeing (a finalized block
// every endpoint has) or the first that answers (the tip, which another
// endpoint may not have yet).
func (c *Client) readVia(ctx context.Context, all bool, at common.Hash, method string, args ...any) ([]any, error) {
	op := "evm.Read." + method
	data, err := c.abi.Pack(method, args...)
	if err != nil {
		return nil, fault.E(op, fault.Internal, err)
	}
	call := func(ctx context.Context, ep *endpoint) ([]byte, error) { return c.contractCall(ctx, ep, data, at) }
	var out []byte
	if all {
		out, err = agree(ctx, c, op, call, func(b []byte) string { return string(b) })
	} else {
		out, err = first(ctx, c, call)
	}
	if err != nil {
		return nil, err
	}
	vals, err := c.abi.Unpack(method, out)
	if err != nil {
		c.drops.inc(DropMalformedResp)
		return nil, fault.E(op, fault.Transient, fmt.Errorf("undecodable answer %x: %v", out, err))
	}
	return vals, nil
}

// readUint64 reads a view returning one unsigned integer that fits uint64.
func (c *Client) readUint64(ctx context.Context, at common.Hash, method string) (uint64, error) {
	vals, err := c.read(ctx, at, method)
	if err != nil {
		return 0, err
	}
	if len(vals) != 1 {
		return 0, fault.E("evm.Read."+method, fault.Internal, fmt.Errorf("%d results", len(vals)))
	}
	v, err := toUint64(vals[0])
	if err != nil {
		return 0, fault.E("evm.Read."+method, fault.Internal, err)
	}
	return v, nil
}

// toUint64 converts any unsigned ABI integer that fits.
func toUint64(v any) (uint64, error) {
	switch x := v.(type) {
	case uint8:
		return uint64(x), nil
	case uint16:
		return uint64(x), nil
	case uint32:
		return uint64(x), nil
	case uint64:
		return x, nil
	case *big.Int:
		if x == nil || x.Sign() < 0 || !x.IsUint64() {
			return 0, fmt.Errorf("%v does not fit uint64", x)
		}
		return x.Uint64(), nil
	}
	return 0, fmt.Errorf("%T is not an unsigned integer", v)
}

// LockState is the bridge's record of one lock.
type LockState struct {
	// Used is set once nothing remains to mint.
	Used bool
	// Started is set once a first instalment was minted.
	Started bool
	// Remaining is the net value still held back (instalments).
	Remaining uint64
	// At is the block the state was read at.
	At chains.BlockRef
}

// Totals are the bridge's public counters.
type Totals struct {
	// Consumed is the gross lock value consumed (Minted + Fees): what the
	// accountant compares with the reserve.
	Consumed uint64
	// Minted is the net value minted; Fees the mint fees kept as slack.
	Minted, Fees uint64
	// Burned is the total burned; BurnCount the next burn nonce.
	Burned, BurnCount uint64
	// PausedUntil is the unix time until which minting is paused (may be past).
	PausedUntil uint64
	// At is the block the totals were read at.
	At chains.BlockRef
}

// lockID is the bridge's key of a lock: keccak256(txid ‖ uint32 vout).
func lockID(l chains.LockRef) [32]byte {
	var vout [4]byte
	binary.BigEndian.PutUint32(vout[:], l.Vout)
	return crypto.Keccak256Hash(l.TxID[:], vout[:])
}

// lockState reads one lock at the block h.
// With all the endpoints must agree (use it for finalized blocks only).
func (c *Client) lockState(ctx context.Context, all bool, h *types.Header, l chains.LockRef) (LockState, error) {
	const op = "evm.LockState"
	vals, err := c.readVia(ctx, all, h.Hash(), "lockState", lockID(l))
	if err != nil {
		return LockState{}, err
	}
	if len(vals) != 3 {
		return LockState{}, fault.E(op, fault.Internal, fmt.Errorf("lockState returned %d values", len(vals)))
	}
	used, ok1 := vals[0].(bool)
	started, ok2 := vals[1].(bool)
	rem, err := toUint64(vals[2])
	if !ok1 || !ok2 || err != nil {
		return LockState{}, fault.E(op, fault.Internal, fmt.Errorf("lockState returned %T, %T, %T", vals[0], vals[1], vals[2]))
	}
	return LockState{Used: used, Started: started, Remaining: rem, At: blockRef(h)}, nil
}

// totals reads the bridge's counters at the block h.
func (c *Client) totals(ctx context.Context, h *types.Header) (Totals, error) {
	t := Totals{At: blockRef(h)}
	for _, f := range []struct {
		method string
		dst    *uint64
	}{
		{"totalConsumed", &t.Consumed}, {"totalMinted", &t.Minted}, {"totalFees", &t.Fees},
		{"totalBurned", &t.Burned}, {"burnCount", &t.BurnCount}, {"pausedUntil", &t.PausedUntil},
	} {
		v, err := c.readUint64(ctx, h.Hash(), f.method)
		if err != nil {
			return Totals{}, err
		}
		*f.dst = v
	}
	return t, nil
}

// signerSet is one signer set of the bridge.
type signerSet struct {
	ID         uint32
	Members    []common.Address
	Threshold  int
	ValidUntil uint64 // the previous set only
}

// signers reads the current set and the previous one (zero when none) at h.
func (c *Client) signers(ctx context.Context, all bool, at common.Hash) (cur, prev signerSet, err error) {
	const op = "evm.Signers"
	decode := func(vals []any, withUntil bool) (signerSet, error) {
		var s signerSet
		want := 3
		if withUntil {
			want = 4
		}
		if len(vals) != want {
			return s, fault.E(op, fault.Internal, fmt.Errorf("%d values, want %d", len(vals), want))
		}
		id, err1 := toUint64(vals[0])
		members, ok := vals[1].([]common.Address)
		th, err2 := toUint64(vals[2])
		if err1 != nil || err2 != nil || !ok || id > 1<<32-1 || th > 255 {
			return s, fault.E(op, fault.Internal, fmt.Errorf("unexpected types %T %T %T", vals[0], vals[1], vals[2]))
		}
		s = signerSet{ID: uint32(id), Members: members, Threshold: int(th)}
		if withUntil {
			if s.ValidUntil, err1 = toUint64(vals[3]); err1 != nil {
				return s, fault.E(op, fault.Internal, err1)
			}
		}
		return s, nil
	}
	// The sets at a block hash never change: read them once per block.
	key := setKey{all, at}
	c.setsMu.Lock()
	sets, ok := c.sets[key]
	c.setsMu.Unlock()
	if ok {
		return sets[0], sets[1], nil
	}
	defer func() {
		if err == nil {
			c.setsMu.Lock()
			if c.sets == nil || len(c.sets) >= maxCachedSets {
				c.sets = map[setKey][2]signerSet{}
			}
			c.sets[key] = [2]signerSet{cur, prev}
			c.setsMu.Unlock()
		}
	}()
	vals, err := c.readVia(ctx, all, at, "currentSigners")
	if err != nil {
		return cur, prev, err
	}
	if cur, err = decode(vals, false); err != nil {
		return cur, prev, err
	}
	if vals, err = c.readVia(ctx, all, at, "previousSigners"); err != nil {
		return cur, prev, err
	}
	prev, err = decode(vals, true)
	return cur, prev, err
}

// decodeRevert names a custom error of the bridge from revert data and
// unpacks its arguments. Unknown or malformed data gives ok false.
func decodeRevert(a *abi.ABI, data []byte) (name string, args []any, ok bool) {
	if len(data) < 4 {
		return "", nil, false
	}
	for _, e := range a.Errors {
		if [4]byte(e.ID[:4]) != [4]byte(data[:4]) {
			continue
		}
		vals, err := e.Inputs.Unpack(data[4:])
		if err != nil {
			return "", nil, false
		}
		return e.Name, vals, true
	}
	return "", nil, false
}

// describeRevert formats revert data for an error message.
func describeRevert(a *abi.ABI, data []byte) string {
	if name, args, ok := decodeRevert(a, data); ok {
		return fmt.Sprintf("%s%v", name, args)
	}
	if len(data) > 68 {
		data = data[:68]
	}
	return "revert 0x" + hex.EncodeToString(data)
}
