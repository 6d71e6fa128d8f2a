package script

import (
	"crypto/sha256"
	"encoding/binary"

	//lint:ignore SA1019 HASH160 is RIPEMD160(SHA256); the algorithm is consensus.
	"golang.org/x/crypto/ripemd160"
)

// Script size limits (RunOnFlux/fluxd src/script/script.h, src/main.cpp).
const (
	// MaxScriptElementSize is the largest element a push may put on the stack
	// (MAX_SCRIPT_ELEMENT_SIZE); it also bounds a P2SH redeem script.
	MaxScriptElementSize = 520
	// MaxScriptSigSize is the largest standard scriptSig (IsStandardTx).
	MaxScriptSigSize = 1650
	// MaxNullDataSize is the largest standard OP_RETURN payload
	// (MAX_OP_RETURN_RELAY).
	MaxNullDataSize = 80
)

// Hash160 returns RIPEMD160(SHA256(b)), the hash in P2PKH and P2SH scripts.
func Hash160(b []byte) [20]byte {
	s := sha256.Sum256(b)
	h := ripemd160.New()
	h.Write(s[:])
	var out [20]byte
	h.Sum(out[:0])
	return out
}

// IsPushOnly reports whether script consists only of opcodes up to OP_16
// and every push is complete (fluxd CScript::IsPushOnly; like fluxd it counts
// OP_RESERVED as a push).
func IsPushOnly(script []byte) bool {
	t := MakeTokenizer(script)
	for t.Next() {
		if t.Opcode() > OP_16 {
			return false
		}
	}
	return t.Err() == nil
}

// IsMinimalPush reports whether op is the shortest way to push data (fluxd
// CheckMinimalPush, the MINIMALDATA rule). data is what the opcode pushes:
// the bytes of a data push, or for OP_1NEGATE and OP_1..OP_16 the one-byte
// value they stand for.
func IsMinimalPush(op byte, data []byte) bool {
	switch n := len(data); {
	case n == 0:
		return op == OP_0
	case n == 1 && data[0] >= 1 && data[0] <= 16:
		return op == OP_1+data[0]-1
	case n == 1 && data[0] == 0x81:
		return op == OP_1NEGATE
	case n <= 75:
		return int(op) == n
	case n <= 255:
		return op == OP_PUSHDATA1
	case n <= 65535:
		return op == OP_PUSHDATA2
	}
	return true
}

// AppendPush appends the minimal push of data to script (the encoding
// IsMinimalPush accepts): OP_0 for empty data, OP_1..OP_16 or OP_1NEGATE for
// those single-byte values, else a direct push or PUSHDATA1/2/4.
func AppendPush(script, data []byte) []byte {
	n := len(data)
	switch {
	case n == 0:
		return append(script, OP_0)
	case n == 1 && data[0] >= 1 && data[0] <= 16:
		return append(script, OP_1+data[0]-1)
	case n == 1 && data[0] == 0x81:
		return append(script, OP_1NEGATE)
	case n <= 75:
		script = append(script, byte(n))
	case n <= 255:
		script = append(script, OP_PUSHDATA1, byte(n))
	case n <= 65535:
		script = append(script, OP_PUSHDATA2)
		script = binary.LittleEndian.AppendUint16(script, uint16(n))
	default:
		script = append(script, OP_PUSHDATA4)
		script = binary.LittleEndian.AppendUint32(script, uint32(n))
	}
	return append(script, data...)
}

// PushSize returns the length AppendPush adds for data.
func PushSize(data []byte) int {
	n := len(data)
	switch {
	case n == 0, n == 1 && (data[0] >= 1 && data[0] <= 16 || data[0] == 0x81):
		return 1
	case n <= 75:
		return 1 + n
	case n <= 255:
		return 2 + n
	case n <= 65535:
		return 3 + n
	}
	return 5 + n
}

// pushValue returns the stack element op with data pushes: data itself for a
// data push, the number's encoding for OP_1NEGATE and OP_1..OP_16.
func pushValue(op byte, data []byte) []byte {
	switch {
	case op <= OP_PUSHDATA4:
		return data
	case op == OP_1NEGATE:
		return []byte{0x81}
	default:
		return []byte{op - OP_1 + 1}
	}
}

// ExtractPushes returns the stack elements a push-only script produces, in
// order. With requireMinimal it also enforces MINIMALDATA. Every element is
// at most MaxScriptElementSize. Data-push elements alias script.
func ExtractPushes(script []byte, requireMinimal bool) ([][]byte, error) {
	var out [][]byte
	t := MakeTokenizer(script)
	for t.Next() {
		op := t.Opcode()
		switch {
		case op == OP_RESERVED:
			return nil, errAt(CodeReservedOpcode, t.OpcodeOffset(), "OP_RESERVED is not a value")
		case op > OP_16:
			return nil, errAt(CodeNotPushOnly, t.OpcodeOffset(), "%s", OpcodeName(op))
		}
		v := pushValue(op, t.Data())
		if len(v) > MaxScriptElementSize {
			return nil, errAt(CodeElementSize, t.OpcodeOffset(), "element of %d bytes, max %d", len(v), MaxScriptElementSize)
		}
		if requireMinimal && !IsMinimalPush(op, v) {
			return nil, errAt(CodeNonMinimalPush, t.OpcodeOffset(), "%s pushing %d bytes", OpcodeName(op), len(v))
		}
		out = append(out, v)
	}
	if err := t.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
