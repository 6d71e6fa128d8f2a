package spv

import (
	"fmt"
	"sort"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/reserve"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// Undo encoding limits, checked before allocating.
const (
	undoVersion = 1
	// maxFluxnodeUndo bounds the fluxnode undo blob (a block cannot touch more
	// than its size in fluxnode transactions; this is generous).
	maxFluxnodeUndo = 4 * wire.MaxBlockSize
	// maxUndoOutPoints bounds the reserve outputs one block can create or spend.
	maxUndoOutPoints = wire.MaxBlockSize / 36
	// maxUTXOScript bounds a reserve output script (MAX_SCRIPT_SIZE).
	maxUTXOScript = 10000
)

// blockUndo is what disconnecting one block needs: the fluxnode set's undo
// and the reserve outputs the block created and spent.
type blockUndo struct {
	fluxnode []byte
	created  []chainhash.OutPoint
	spent    []UTXORecord
}

func (u *blockUndo) marshal() []byte {
	w := codec.NewWriter(16 + len(u.fluxnode) + 36*len(u.created) + 64*len(u.spent))
	w.Uint8(undoVersion)
	w.VarBytes(u.fluxnode)
	w.CompactSize(uint64(len(u.created)))
	for _, op := range u.created {
		w.OutPoint(op)
	}
	w.CompactSize(uint64(len(u.spent)))
	for _, s := range u.spent {
		w.OutPoint(s.OutPoint)
		w.Int64(s.Value)
		w.Int32(s.Height)
		w.VarBytes(s.Script)
	}
	return w.Bytes()
}

// unmarshalUndo decodes a blockUndo, checking every count before allocating.
func unmarshalUndo(b []byte) (*blockUndo, error) {
	r := codec.NewReader(b)
	v, err := r.Uint8("undo.version")
	if err != nil {
		return nil, err
	}
	if v != undoVersion {
		return nil, fmt.Errorf("spv: undo version %d, want %d", v, undoVersion)
	}
	u := new(blockUndo)
	if u.fluxnode, err = r.VarBytes("undo.fluxnode", maxFluxnodeUndo); err != nil {
		return nil, err
	}
	n, err := r.Count("undo.created", maxUndoOutPoints, 36)
	if err != nil {
		return nil, err
	}
	u.created = make([]chainhash.OutPoint, n)
	for i := range u.created {
		if u.created[i], err = r.OutPoint("undo.created.outpoint"); err != nil {
			return nil, err
		}
	}
	if n, err = r.Count("undo.spent", maxUndoOutPoints, 36+8+4+1); err != nil {
		return nil, err
	}
	u.spent = make([]UTXORecord, n)
	for i := range u.spent {
		s := &u.spent[i]
		if s.OutPoint, err = r.OutPoint("undo.spent.outpoint"); err != nil {
			return nil, err
		}
		if s.Value, err = r.Int64("undo.spent.value"); err != nil {
			return nil, err
		}
		if s.Height, err = r.Int32("undo.spent.height"); err != nil {
			return nil, err
		}
		if s.Script, err = r.VarBytes("undo.spent.script", maxUTXOScript); err != nil {
			return nil, err
		}
	}
	if err := r.End("undo"); err != nil {
		return nil, err
	}
	return u, nil
}

func sortUTXOs(us []reserve.UTXO) {
	sort.Slice(us, func(i, j int) bool { return outPointLess(us[i].OutPoint, us[j].OutPoint) })
}

func outPointLess(a, b chainhash.OutPoint) bool {
	if c := a.Hash.Compare(b.Hash); c != 0 {
		return c < 0
	}
	return a.Index < b.Index
}
