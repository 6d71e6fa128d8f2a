package evm

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/contracts/evm/bindv2"
	"github.com/fluxbridge/fluxbridge/fault"
)

// fluxBridge is the abigen v2 binding of FluxBridge: the typed Pack and Unpack
// functions this package encodes every call and decodes every result and
// revert of the bridge with. It holds only the parsed ABI, read-only, so
// one serves the package. Dial checks the ABI (bridgeABI) before any use,
// so that a broken one is an error there rather than this constructor's
// panic.
var fluxBridge = sync.OnceValue(bindv2.NewFluxBridge)

// bridgeABI parses the FluxBridge ABI from the committed v2 bindings and
// checks that it names the event this package decodes by hand and the
// methods it calls. The typed functions fail the build when a method goes;
// this check fails at startup when the bindings were generated from other
// contracts (a Burn event of another shape, a missing view). The ABI itself
// serves as metadata only: the names of methods and errors in messages.
func bridgeABI() (*abi.ABI, error) {
	a, err := bindv2.FluxBridgeMetaData.ParseABI()
	if err != nil {
		return nil, fault.E("evm.ABI", fault.Internal, err)
	}
	if ev, ok := a.Events["Burn"]; !ok || ev.ID != burnTopic {
		return nil, fault.E("evm.ABI", fault.Internal, errors.New("the bindings' Burn event is not Burn(uint64,uint64,bytes22,address)"))
	}
	for _, m := range []string{"mint", "mintBatch", "mintDigest", "batchDigest", "lockState", "currentSigners", "previousSigners",
		"token", "totalMinted", "totalFees", "totalConsumed", "totalBurned", "burnCount", "pausedUntil", "mintableNow",
		"minLock", "mintFee", "minBurn", "rotateSigners", "rotateDigest"} {
		if _, ok := a.Methods[m]; !ok {
			return nil, fault.E("evm.ABI", fault.Internal, fmt.Errorf("the bindings lack method %s", m))
		}
	}
	return a, nil
}

// methodName names the bridge method that calldata data calls, for
// operation names and messages.
func (c *Client) methodName(data []byte) string {
	if len(data) >= 4 {
		if m, err := c.abi.MethodById(data[:4]); err == nil {
			return m.Name
		}
	}
	return "unknown"
}

// readVia calls a view of the bridge at block hash at and returns the
// answer's bytes: data is the call (a bindings Pack function's output). With
// all every endpoint must agree on those bytes (a finalized block every
// endpoint has); without, the first endpoint that answers is taken (the
// tip, which another endpoint may not have yet).
func (c *Client) readVia(ctx context.Context, all bool, at common.Hash, op string, data []byte) ([]byte, error) {
	call := func(ctx context.Context, ep *endpoint) ([]byte, error) { return c.contractCall(ctx, ep, data, at) }
	if all {
		return agree(ctx, c, op, call, func(b []byte) string { return string(b) })
	}
	return first(ctx, c, call)
}

// view reads one view of the bridge (readVia) and decodes the answer with
// unpack, the bindings' Unpack function of that view. An answer it cannot
// decode is counted and fault.Transient (another endpoint, or a later try,
// may answer well).
func view[T any](ctx context.Context, c *Client, all bool, at common.Hash, data []byte, unpack func([]byte) (T, error)) (T, error) {
	op := "evm.Read." + c.methodName(data)
	out, err := c.readVia(ctx, all, at, op, data)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := unpack(out)
	if err != nil {
		c.drops.inc(DropMalformedResp)
		return v, fault.E(op, fault.Transient, fmt.Errorf("undecodable answer %x: %v", out, err))
	}
	return v, nil
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
	b := fluxBridge()
	st, err := view(ctx, c, all, h.Hash(), b.PackLockState(lockID(l)), b.UnpackLockState)
	if err != nil {
		return LockState{}, err
	}
	return LockState{Used: st.Used, Started: st.Started, Remaining: st.Remaining, At: blockRef(h)}, nil
}

// totals reads the bridge's counters at the block h.
func (c *Client) totals(ctx context.Context, h *types.Header) (Totals, error) {
	t := Totals{At: blockRef(h)}
	b := fluxBridge()
	for _, f := range []struct {
		data   []byte
		unpack func([]byte) (uint64, error)
		dst    *uint64
	}{
		{b.PackTotalConsumed(), b.UnpackTotalConsumed, &t.Consumed},
		{b.PackTotalMinted(), b.UnpackTotalMinted, &t.Minted},
		{b.PackTotalFees(), b.UnpackTotalFees, &t.Fees},
		{b.PackTotalBurned(), b.UnpackTotalBurned, &t.Burned},
		{b.PackBurnCount(), b.UnpackBurnCount, &t.BurnCount},
		{b.PackPausedUntil(), b.UnpackPausedUntil, &t.PausedUntil},
	} {
		v, err := view(ctx, c, true, h.Hash(), f.data, f.unpack)
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
	// The sets at a block hash never change: read them once per block.
	key := setKey{all, at}
	c.setsMu.Lock()
	sets, ok := c.sets[key]
	c.setsMu.Unlock()
	if ok {
		return sets[0], sets[1], nil
	}
	b := fluxBridge()
	cs, err := view(ctx, c, all, at, b.PackCurrentSigners(), b.UnpackCurrentSigners)
	if err != nil {
		return cur, prev, err
	}
	ps, err := view(ctx, c, all, at, b.PackPreviousSigners(), b.UnpackPreviousSigners)
	if err != nil {
		return cur, prev, err
	}
	cur = signerSet{ID: cs.SetId, Members: cs.Members, Threshold: int(cs.Threshold)}
	prev = signerSet{ID: ps.SetId, Members: ps.Members, Threshold: int(ps.Threshold), ValidUntil: ps.ValidUntil}
	c.setsMu.Lock()
	if c.sets == nil || len(c.sets) >= maxCachedSets {
		c.sets = map[setKey][2]signerSet{}
	}
	c.sets[key] = [2]signerSet{cur, prev}
	c.setsMu.Unlock()
	return cur, prev, nil
}

// decodeRevert decodes revert data as a custom error of the bridge with
// the bindings (bindv2.FluxBridge.UnpackError): its name as the ABI a
// declares it, and the bindings' typed error (*bindv2.FluxBridgePaused,
// *bindv2.FluxBridgeRateLimited, …). Unknown or malformed data gives ok
// false.
func decodeRevert(a *abi.ABI, data []byte) (name string, e any, ok bool) {
	if len(data) < 4 {
		return "", nil, false
	}
	for _, ae := range a.Errors {
		if [4]byte(ae.ID[:4]) == [4]byte(data[:4]) {
			name = ae.Name
			break
		}
	}
	if name == "" {
		return "", nil, false
	}
	e, err := fluxBridge().UnpackError(data)
	if err != nil {
		return "", nil, false
	}
	return name, e, true
}

// describeRevert formats revert data for an error message: a custom error
// of the bridge as its name and its arguments in order ("RateLimited[7]"),
// anything else as the first 68 bytes in hex.
func describeRevert(a *abi.ABI, data []byte) string {
	if name, e, ok := decodeRevert(a, data); ok {
		v := reflect.Indirect(reflect.ValueOf(e))
		args := make([]string, v.NumField())
		for i := range args {
			args[i] = fmt.Sprint(v.Field(i).Interface())
		}
		return fmt.Sprintf("%s%v", name, args)
	}
	if len(data) > 68 {
		data = data[:68]
	}
	return "revert 0x" + hex.EncodeToString(data)
}
