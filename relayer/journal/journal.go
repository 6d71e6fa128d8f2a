// Package journal is the relayer's append-only, hash-chained and signed
// journal (DESIGN §7): every observation with its evidence and every decision
// with its reason. The relayer's store persists entries (sealing each one in
// the transaction of the state step it explains); auditors read them back as
// JSON Lines and verify the chain with a Verifier, needing nothing else.
//
// The package is pure: types, canonical encoding, hashing, sealing and
// verification. It does no I/O beyond the io.Reader/io.Writer it is given.
package journal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/signer"
)

// Version is the journal format version, bound into every entry hash by the
// domain string.
const Version = 1

// Limits of one entry.
const (
	MaxKind    = 64
	MaxContent = 8 << 20
)

// domain separates entry hashes from every other hash the relayer signs.
const domain = "fluxbridge/journal/v1"

// Hash is a SHA-256 entry hash; JSON is lowercase hex without 0x.
type Hash [32]byte

// MarshalText implements encoding.TextMarshaler.
func (h Hash) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(h[:])), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (h *Hash) UnmarshalText(b []byte) error {
	if len(b) != 64 {
		return fmt.Errorf("hash of %d hex digits, want 64", len(b))
	}
	_, err := hex.Decode(h[:], b)
	return err
}

// String is the hex form.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// HexBytes is a byte string whose JSON is lowercase hex.
type HexBytes []byte

// MarshalText implements encoding.TextMarshaler.
func (b HexBytes) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(b)), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (b *HexBytes) UnmarshalText(t []byte) error {
	out := make([]byte, hex.DecodedLen(len(t)))
	if _, err := hex.Decode(out, t); err != nil {
		return err
	}
	*b = out
	return nil
}

// Entry is one journal entry.
type Entry struct {
	// Seq is 1, 2, 3, … without gaps.
	Seq uint64 `json:"seq"`
	// Time is UTC with millisecond precision.
	Time time.Time `json:"time"`
	// Kind names what the entry records (the relayer defines the kinds:
	// "lock-final", "mint-attested", …): 1 to 64 bytes of [a-z0-9-].
	Kind string `json:"kind"`
	// Content is the canonical JSON object of the entry (Canonical).
	Content json.RawMessage `json:"content"`
	// Prev is the hash of entry Seq−1 (zero for the first entry).
	Prev Hash `json:"prev"`
	// Hash is HashEntry of the fields above.
	Hash Hash `json:"hash"`
	// Signer is the 20-byte address of the relayer's secp256k1 key and Sig
	// its 65-byte signature over Hash (chains.SchemeSecp256k1).
	Signer HexBytes `json:"signer"`
	Sig    HexBytes `json:"sig"`
}

// Code classifies a journal error. The list is append-only.
type Code string

// Error codes.
const (
	CodeMalformed    Code = "malformed"
	CodeTooLarge     Code = "too-large"
	CodeNotCanonical Code = "not-canonical"
	CodeBadHash      Code = "bad-hash"
	CodeBadSignature Code = "bad-signature"
	CodeWrongSigner  Code = "wrong-signer"
	CodeBrokenLink   Code = "broken-link"
	CodeSeqGap       Code = "seq-gap"
	CodeTimeBack     Code = "time-backwards"
)

// Error is a journal error: which entry (Seq, and Line when read from a
// file), what rule (Code) and the detail.
type Error struct {
	Seq  uint64
	Line int
	Code Code
	Err  error
}

func (e *Error) Error() string {
	where := ""
	if e.Line > 0 {
		where = fmt.Sprintf("line %d: ", e.Line)
	}
	if e.Seq > 0 {
		where += fmt.Sprintf("entry %d: ", e.Seq)
	}
	return "journal: " + where + string(e.Code) + ": " + e.Err.Error()
}

// Unwrap returns the detail.
func (e *Error) Unwrap() error { return e.Err }

func errf(seq uint64, c Code, format string, a ...any) *Error {
	return &Error{Seq: seq, Code: c, Err: fmt.Errorf(format, a...)}
}

// CodeOf returns the code of a journal error ("" for other errors).
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// HashEntry is the entry hash: SHA-256 of
// "fluxbridge/journal/v1" ‖ 0x00 ‖ seq(8) ‖ unix-ms(8) ‖ len(kind)(2) ‖ kind ‖ prev(32) ‖ len(content)(4) ‖ content,
// integers big-endian.
func HashEntry(seq uint64, t time.Time, kind string, prev Hash, content []byte) Hash {
	h := sha256.New()
	var b [8]byte
	h.Write([]byte(domain))
	h.Write([]byte{0})
	binary.BigEndian.PutUint64(b[:], seq)
	h.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(t.UnixMilli()))
	h.Write(b[:])
	binary.BigEndian.PutUint16(b[:2], uint16(len(kind)))
	h.Write(b[:2])
	h.Write([]byte(kind))
	h.Write(prev[:])
	binary.BigEndian.PutUint32(b[:4], uint32(len(content)))
	h.Write(b[:4])
	h.Write(content)
	var out Hash
	h.Sum(out[:0])
	return out
}

// Seal builds the entry after prev (the first entry when prev is nil) with
// the canonical JSON of content, hashes it and signs the hash with s.
func Seal(ctx context.Context, prev *Entry, t time.Time, kind string, content any, s signer.Signer) (Entry, error) {
	if err := checkKind(0, kind); err != nil {
		return Entry{}, err
	}
	c, err := Canonical(content)
	if err != nil {
		return Entry{}, err
	}
	if len(c) > MaxContent {
		return Entry{}, errf(0, CodeTooLarge, "content of %d bytes, at most %d", len(c), MaxContent)
	}
	e := Entry{Seq: 1, Time: t.UTC().Truncate(time.Millisecond), Kind: kind, Content: c}
	if prev != nil {
		e.Seq, e.Prev = prev.Seq+1, prev.Hash
		if e.Time.Before(prev.Time) {
			e.Time = prev.Time // a clock step back never breaks the chain's order
		}
	}
	e.Hash = HashEntry(e.Seq, e.Time, e.Kind, e.Prev, e.Content)
	sig, err := s.Sign(ctx, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: e.Hash[:]})
	if err != nil {
		return Entry{}, err
	}
	e.Signer, e.Sig = HexBytes(sig.Signer), HexBytes(sig.Sig)
	return e, nil
}

func checkKind(seq uint64, k string) error {
	if len(k) == 0 || len(k) > MaxKind {
		return errf(seq, CodeMalformed, "kind of %d bytes, want 1 to %d", len(k), MaxKind)
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return errf(seq, CodeMalformed, "kind %q: only a-z, 0-9 and - are allowed", k)
		}
	}
	return nil
}

// Check verifies one entry on its own: its kind, canonical content, hash and
// signature.
func (e Entry) Check() error {
	if err := checkKind(e.Seq, e.Kind); err != nil {
		return err
	}
	if e.Seq == 0 {
		return errf(0, CodeMalformed, "sequence number 0")
	}
	if len(e.Content) > MaxContent {
		return errf(e.Seq, CodeTooLarge, "content of %d bytes", len(e.Content))
	}
	if !IsCanonical(e.Content) {
		return errf(e.Seq, CodeNotCanonical, "content is not canonical JSON")
	}
	if !e.Time.Equal(e.Time.Truncate(time.Millisecond)) {
		return errf(e.Seq, CodeMalformed, "time %s has sub-millisecond precision", e.Time)
	}
	if h := HashEntry(e.Seq, e.Time, e.Kind, e.Prev, e.Content); h != e.Hash {
		return errf(e.Seq, CodeBadHash, "hash %s, computed %s", e.Hash, h)
	}
	if err := signer.Verify(chains.Signature{Signer: e.Signer, Sig: e.Sig}, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: e.Hash[:]}); err != nil {
		return errf(e.Seq, CodeBadSignature, "%v", err)
	}
	return nil
}

// Verifier checks a journal in order. Truncation at the end cannot be seen
// in the chain itself: whoever holds a later head hash (a peer, an earlier
// export, the relayer's status) compares it with the last entry.
type Verifier struct {
	// Signer, when set, is the only key allowed to have signed entries.
	Signer []byte

	last  *Entry
	count uint64
}

// Next checks the next entry.
func (v *Verifier) Next(e Entry) error {
	if err := e.Check(); err != nil {
		return err
	}
	if v.Signer != nil && !bytes.Equal(v.Signer, e.Signer) {
		return errf(e.Seq, CodeWrongSigner, "signed by %x, want %x", []byte(e.Signer), v.Signer)
	}
	if v.last == nil {
		if e.Seq != 1 || e.Prev != (Hash{}) {
			if e.Seq != 1 {
				return errf(e.Seq, CodeSeqGap, "the journal starts at entry %d, not 1", e.Seq)
			}
			return errf(e.Seq, CodeBrokenLink, "the first entry links to %s", e.Prev)
		}
	} else {
		switch {
		case e.Seq != v.last.Seq+1:
			return errf(e.Seq, CodeSeqGap, "entry %d follows entry %d", e.Seq, v.last.Seq)
		case e.Prev != v.last.Hash:
			return errf(e.Seq, CodeBrokenLink, "links to %s, entry %d is %s", e.Prev, v.last.Seq, v.last.Hash)
		case e.Time.Before(v.last.Time):
			return errf(e.Seq, CodeTimeBack, "time %s before entry %d's %s", e.Time, v.last.Seq, v.last.Time)
		}
	}
	v.last = &e
	v.count++
	return nil
}

// Head returns the last verified entry's sequence number and hash.
func (v *Verifier) Head() (uint64, Hash) {
	if v.last == nil {
		return 0, Hash{}
	}
	return v.last.Seq, v.last.Hash
}
