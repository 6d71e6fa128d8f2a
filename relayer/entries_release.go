package relayer

import (
	"encoding/hex"
)

// Journal entry kinds of burn → release.
const (
	KindBurnFinal     = "burn-final"
	KindBurnUnpayable = "burn-unpayable"
	KindSpendSigned   = "spend-signed"
	KindSpendRefused  = "spend-refused"
	KindSpendSent     = "spend-broadcast"
	KindSpendMined    = "spend-mined"
	KindSpendSettled  = "spend-settled"
	KindSpendDead     = "spend-dead"
)

// BurnRecord is what the journal records of a burn: the chain's event with
// its evidence.
type BurnRecord struct {
	ID       string `json:"id"`
	Chain    uint32 `json:"chain"`
	Nonce    uint64 `json:"nonce,string"`
	Amount   uint64 `json:"amount,string"`
	To       string `json:"to"`
	Sender   string `json:"sender"`
	TxID     string `json:"txid"`
	Height   uint64 `json:"height"`
	Block    string `json:"block"`
	Evidence string `json:"evidence,omitempty"`
}

func burnRecord(b Burn) BurnRecord {
	return BurnRecord{ID: b.ID, Chain: uint32(b.Chain), Nonce: b.Nonce, Amount: b.Amount, To: hex.EncodeToString(b.To),
		Sender: b.Sender, TxID: b.TxID, Height: b.Block.Height, Block: b.Block.Hash, Evidence: hex.EncodeToString(b.Evidence)}
}

// BurnFinalized: a burn at its chain's finalized block, with its evidence.
type BurnFinalized struct{ BurnRecord }

// BurnUnpayable: a final burn no release can pay; its nonce is covered by a
// release range all the same, so it blocks nothing.
type BurnUnpayable struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// SpendRecord is what the journal records of a reserve spend this relayer
// signed or refused: the round, what it pays and the unsigned transaction.
type SpendRecord struct {
	TxID     string   `json:"txid"`
	Kind     string   `json:"kind"`
	Round    uint64   `json:"round"`
	Proposer string   `json:"proposer"`
	Chain    uint32   `json:"chain,omitempty"`
	From     uint64   `json:"from,string"`
	To       uint64   `json:"to,string"`
	Ref      string   `json:"ref,omitempty"`
	Inputs   []string `json:"inputs,omitempty"`
	Expiry   uint64   `json:"expiry"`
	Unsigned string   `json:"unsigned,omitempty"`
}

func spendRecord(s Spend) SpendRecord {
	return SpendRecord{TxID: s.TxID, Kind: string(s.Kind), Round: s.Round, Proposer: hex.EncodeToString(s.Proposer), Chain: uint32(s.Chain),
		From: s.FromNonce, To: s.ToNonce, Ref: s.Ref, Inputs: s.Inputs, Expiry: s.Expiry, Unsigned: hex.EncodeToString(s.Unsigned)}
}

// ReserveSpendSigned: this relayer signed a reserve spend (signing rule 3's
// decision, stored before the signatures leave), with its signatures.
type ReserveSpendSigned struct {
	SpendRecord
	Sigs []string `json:"sigs"`
}

// ReserveSpendRefused: this relayer refused to sign a proposed spend, and why
// (recorded once per proposal and reason).
type ReserveSpendRefused struct {
	SpendRecord
	Reason string `json:"reason"`
}

// ReserveSpendSent: this relayer assembled a spend from k members' signatures,
// verified every input and broadcast it as the FLUX transaction Tx.
type ReserveSpendSent struct {
	TxID    string   `json:"txid"`
	Tx      string   `json:"tx"`
	Signers []string `json:"signers"`
}

// SpendOnChain is a reserve spend the FLUX chain shows, with its evidence.
type SpendOnChain struct {
	TxID     string   `json:"txid"` // the spend's id in this relayer's records
	Tx       string   `json:"tx"`   // the FLUX transaction
	Kind     string   `json:"kind"`
	Chain    uint32   `json:"chain,omitempty"`
	From     uint64   `json:"from,string"`
	To       uint64   `json:"to,string"`
	Ref      string   `json:"ref,omitempty"`
	Inputs   []string `json:"inputs"`
	Height   uint64   `json:"height"`
	Block    string   `json:"block"`
	Evidence string   `json:"evidence,omitempty"`
}

// ReserveSpendMined: a reserve spend is in a FLUX block (depth 1).
type ReserveSpendMined struct{ SpendOnChain }

// ReserveSpendSettled: a reserve spend is at depth D_L1.
type ReserveSpendSettled struct{ SpendOnChain }

// ReserveSpendDead: a spend this relayer signed can never be mined, and why (its
// expiry is below the final height, or another transaction spending one of
// its inputs is final). Its range may be signed again.
type ReserveSpendDead struct {
	TxID   string `json:"txid"`
	Reason string `json:"reason"`
	Height uint64 `json:"height"`
}

func (BurnFinalized) JournalKind() string       { return KindBurnFinal }
func (BurnUnpayable) JournalKind() string       { return KindBurnUnpayable }
func (ReserveSpendSigned) JournalKind() string  { return KindSpendSigned }
func (ReserveSpendRefused) JournalKind() string { return KindSpendRefused }
func (ReserveSpendSent) JournalKind() string    { return KindSpendSent }
func (ReserveSpendMined) JournalKind() string   { return KindSpendMined }
func (ReserveSpendSettled) JournalKind() string { return KindSpendSettled }
func (ReserveSpendDead) JournalKind() string    { return KindSpendDead }
