package memstore

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/relayer"
)

// Burns, reserve spends and their signatures (burn → release).

// burnKey names a burn.
type burnKey struct {
	chain chains.ID
	nonce uint64
}

// storedBurn is b as the store keeps and returns it: its own slices, its
// times to the millisecond.
func storedBurn(b relayer.Burn) relayer.Burn {
	b.To, b.Evidence = bytes.Clone(b.To), bytes.Clone(b.Evidence)
	for _, p := range []*time.Time{&b.Block.Time, &b.SeenAt, &b.FinalAt, &b.ReleasedAt, &b.SettledAt, &b.UpdatedAt} {
		*p = ms(*p)
	}
	return b
}

func (t *tx) Burn(chain chains.ID, nonce uint64) (relayer.Burn, error) {
	const op = "memstore.Burn"
	if err := t.begin(op, false); err != nil {
		return relayer.Burn{}, err
	}
	defer t.mu.Unlock()
	b, ok := t.st.burns[burnKey{chain, nonce}]
	if !ok {
		return relayer.Burn{}, fault.E(op, fault.NotFound, fmt.Errorf("no burn %s", relayer.BurnID(chain, nonce)))
	}
	return storedBurn(b), nil
}

func (t *tx) PutBurn(b relayer.Burn) error {
	const op = "memstore.PutBurn"
	if err := t.begin(op, true); err != nil {
		return err
	}
	defer t.mu.Unlock()
	k := burnKey{b.Chain, b.Nonce}
	var prev *relayer.Burn
	if old, ok := t.st.burns[k]; ok {
		prev = &old
	}
	if err := relayer.CheckBurnWrite(op, prev, b); err != nil {
		return err
	}
	t.st.burns[k] = storedBurn(b)
	return nil
}

func (t *tx) Burns(q relayer.BurnQuery) ([]relayer.Burn, error) {
	if err := t.begin("memstore.Burns", false); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	out := []relayer.Burn{}
	for _, b := range t.st.burns {
		switch {
		case q.Chain != 0 && b.Chain != q.Chain,
			len(q.States) > 0 && !slices.Contains(q.States, b.State),
			b.Nonce < q.FromNonce:
			continue
		}
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b relayer.Burn) int {
		return cmp.Or(cmp.Compare(a.Chain, b.Chain), cmp.Compare(a.Nonce, b.Nonce))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	for i := range out {
		out[i] = storedBurn(out[i])
	}
	return out, nil
}

// storedSpend is s as the store keeps and returns it.
func storedSpend(s relayer.Spend) relayer.Spend {
	s.Proposer, s.Unsigned, s.Signed = bytes.Clone(s.Proposer), bytes.Clone(s.Unsigned), bytes.Clone(s.Signed)
	s.Inputs = slices.Clone(s.Inputs)
	if len(s.Inputs) == 0 {
		s.Inputs = nil // as the SQLite store reads no inputs back
	}
	s.CreatedAt, s.UpdatedAt = ms(s.CreatedAt), ms(s.UpdatedAt)
	return s
}

func (t *tx) Spend(txid string) (relayer.Spend, error) {
	const op = "memstore.Spend"
	if err := t.begin(op, false); err != nil {
		return relayer.Spend{}, err
	}
	defer t.mu.Unlock()
	s, ok := t.st.spends[txid]
	if !ok {
		return relayer.Spend{}, fault.E(op, fault.NotFound, fmt.Errorf("no spend %s", txid))
	}
	return storedSpend(s), nil
}

func (t *tx) PutSpend(s relayer.Spend) error {
	const op = "memstore.PutSpend"
	if err := t.begin(op, true); err != nil {
		return err
	}
	defer t.mu.Unlock()
	old, ok := t.st.spends[s.TxID]
	var prev *relayer.Spend
	if ok {
		prev = &old
	}
	if err := relayer.CheckSpendWrite(op, prev, s); err != nil {
		return err
	}
	if ok {
		s.CreatedAt = old.CreatedAt // kept from the first insert
	}
	t.st.spends[s.TxID] = storedSpend(s)
	return nil
}

func (t *tx) Spends(q relayer.SpendQuery) ([]relayer.Spend, error) {
	if err := t.begin("memstore.Spends", false); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	out := []relayer.Spend{}
	for _, s := range t.st.spends {
		if q.Matches(s) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b relayer.Spend) int {
		if q.HighestFirst {
			return cmp.Or(cmp.Compare(b.ToNonce, a.ToNonce), strings.Compare(a.TxID, b.TxID))
		}
		return cmp.Or(cmp.Compare(msOf(a.CreatedAt), msOf(b.CreatedAt)), strings.Compare(a.TxID, b.TxID))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	for i := range out {
		out[i] = storedSpend(out[i])
	}
	return out, nil
}

// storedSpendSignature is s as the store keeps and returns it.
func storedSpendSignature(s relayer.SpendSignature) relayer.SpendSignature {
	s.Signer, s.Envelope = bytes.Clone(s.Signer), bytes.Clone(s.Envelope)
	sigs := make([][]byte, len(s.Sigs))
	for i, b := range s.Sigs {
		sigs[i] = bytes.Clone(b)
	}
	s.Sigs = sigs
	s.ReceivedAt = ms(s.ReceivedAt)
	return s
}

func (t *tx) AddSpendSignature(s relayer.SpendSignature) (bool, error) {
	const op = "memstore.AddSpendSignature"
	if err := t.begin(op, true); err != nil {
		return false, err
	}
	defer t.mu.Unlock()
	if err := relayer.CheckSpendSignature(op, s); err != nil {
		return false, err
	}
	if old, ok := t.st.spendSigs[s.TxID][string(s.Signer)]; ok {
		if !slices.EqualFunc(old.Sigs, s.Sigs, bytes.Equal) {
			return false, fault.E(op, fault.Conflict, fmt.Errorf("signer %x already signed spend %s with other signatures", s.Signer, s.TxID))
		}
		return false, nil
	}
	if s.ReceivedAt.IsZero() {
		s.ReceivedAt = t.now
	}
	bySigner := maps.Clone(t.st.spendSigs[s.TxID]) // may be shared with the committed state
	if bySigner == nil {
		bySigner = map[string]relayer.SpendSignature{}
	}
	bySigner[string(s.Signer)] = storedSpendSignature(s)
	t.st.spendSigs[s.TxID] = bySigner
	return true, nil
}

func (t *tx) SpendSignatures(txid string) ([]relayer.SpendSignature, error) {
	if err := t.begin("memstore.SpendSignatures", false); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	out := []relayer.SpendSignature{}
	for _, s := range t.st.spendSigs[txid] {
		out = append(out, storedSpendSignature(s))
	}
	slices.SortFunc(out, func(a, b relayer.SpendSignature) int { return bytes.Compare(a.Signer, b.Signer) })
	return out, nil
}
