package script

import "encoding/binary"

// Tokenizer walks a script one opcode at a time, as fluxd's CScript::GetOp
// does. It never allocates: Data returns a sub-slice of the script.
//
//	t := script.MakeTokenizer(s)
//	for t.Next() {
//		use(t.Opcode(), t.Data())
//	}
//	if err := t.Err(); err != nil { ... }
type Tokenizer struct {
	script []byte
	off    int // offset of the next opcode
	start  int // offset of the current opcode
	op     byte
	data   []byte
	err    error
}

// MakeTokenizer returns a tokenizer positioned before the first opcode.
func MakeTokenizer(script []byte) Tokenizer { return Tokenizer{script: script} }

// Next advances to the next opcode. It returns false at the end of the script
// or when a push is truncated; Err tells the two apart.
func (t *Tokenizer) Next() bool {
	if t.err != nil || t.off >= len(t.script) {
		return false
	}
	t.start = t.off
	op := t.script[t.off]
	t.off++
	t.op, t.data = op, nil
	if op > OP_PUSHDATA4 {
		return true
	}
	var n, sizeLen int
	switch op {
	case OP_PUSHDATA1:
		sizeLen = 1
	case OP_PUSHDATA2:
		sizeLen = 2
	case OP_PUSHDATA4:
		sizeLen = 4
	default:
		n = int(op)
	}
	rest := len(t.script) - t.off
	if rest < sizeLen {
		return t.fail("%s needs a %d-byte length, %d bytes left", OpcodeName(op), sizeLen, rest)
	}
	switch sizeLen {
	case 1:
		n = int(t.script[t.off])
	case 2:
		n = int(binary.LittleEndian.Uint16(t.script[t.off:]))
	case 4:
		u := binary.LittleEndian.Uint32(t.script[t.off:])
		if uint64(u) > uint64(rest-4) {
			return t.fail("%s pushes %d bytes, %d left", OpcodeName(op), u, rest-4)
		}
		n = int(u)
	}
	t.off += sizeLen
	if n > len(t.script)-t.off {
		return t.fail("%s pushes %d bytes, %d left", OpcodeName(op), n, len(t.script)-t.off)
	}
	t.data = t.script[t.off : t.off+n : t.off+n]
	t.off += n
	return true
}

func (t *Tokenizer) fail(format string, args ...any) bool {
	t.err = errAt(CodeTruncatedPush, t.start, format, args...)
	t.op, t.data = OP_INVALIDOPCODE, nil
	return false
}

// Opcode returns the current opcode.
func (t *Tokenizer) Opcode() byte { return t.op }

// Data returns the bytes pushed by the current opcode if it is a data push
// (OP_0 through OP_PUSHDATA4; empty for OP_0), else nil. The slice aliases
// the script and has no spare capacity.
func (t *Tokenizer) Data() []byte { return t.data }

// OpcodeOffset returns the byte offset of the current opcode.
func (t *Tokenizer) OpcodeOffset() int { return t.start }

// Offset returns the byte offset just after the current opcode and its data.
func (t *Tokenizer) Offset() int { return t.off }

// Done reports whether the whole script was consumed without error.
func (t *Tokenizer) Done() bool { return t.err == nil && t.off >= len(t.script) }

// Err returns the *Error of a truncated push, or nil.
func (t *Tokenizer) Err() error { return t.err }

// IsDataPush reports whether op pushes bytes from the script (OP_0 through
// OP_PUSHDATA4).
func IsDataPush(op byte) bool { return op <= OP_PUSHDATA4 }

// IsSmallInt reports whether op is OP_0 or OP_1 through OP_16.
func IsSmallInt(op byte) bool { return op == OP_0 || (op >= OP_1 && op <= OP_16) }

// SmallIntValue returns the value OP_0 or OP_1..OP_16 stands for. It panics on
// any other opcode; check IsSmallInt first.
func SmallIntValue(op byte) int {
	if op == OP_0 {
		return 0
	}
	if op < OP_1 || op > OP_16 {
		panic("script: SmallIntValue of a non small-int opcode")
	}
	return int(op-OP_1) + 1
}

// SmallIntOpcode returns the opcode that pushes v, for 0 <= v <= 16. It
// panics outside that range.
func SmallIntOpcode(v int) byte {
	if v == 0 {
		return OP_0
	}
	if v < 1 || v > 16 {
		panic("script: SmallIntOpcode out of range")
	}
	return byte(OP_1 + v - 1)
}
