package header

import (
	"bytes"
	"strconv"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/sig"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// Limits of fluxd's vector<vector<unsigned char>> deserialization
// (src/serialize.h) as DecodeMultiSig uses it.
const (
	// maxSerializeSize is MAX_SIZE, the largest CompactSize ReadCompactSize accepts.
	maxSerializeSize = 0x02000000
	// MaxEmergencySigs is the number of emergency keys every network has, and
	// so the most signature entries an emergency block may carry (fluxd
	// rejects more entries than keys).
	MaxEmergencySigs = 4
)

// emergencyEntry is one entry of the decoded signature vector. size is the
// entry's declared length; sig holds its bytes when the stream held them all
// (a truncated entry is zero-filled by fluxd and can never verify).
type emergencyEntry struct {
	sig  []byte
	size uint64
}

// decodeEmergencySigs reproduces fluxd's DecodeMultiSig on vchBlockSig:
// CompactSize count, then per entry a CompactSize length and the bytes.
// Like fluxd it ignores bytes after the last entry, and a malformed stream
// (non-canonical or oversized CompactSize, truncation) does not fail: the
// vector keeps the entries read so far plus empty or zero-filled entries up to
// the declared count (for a count above maxEntries, the number of keys, only
// the count matters, so nothing is allocated). A malformed count yields an
// empty vector.
func decodeEmergencySigs(b []byte, maxEntries int) (count uint64, entries []emergencyEntry) {
	if len(b) == 0 {
		return 0, nil
	}
	r := codec.NewReader(b)
	n, err := r.CompactSize("emergency_sigs.count", maxSerializeSize)
	if err != nil {
		return 0, nil
	}
	if n > uint64(maxEntries) {
		return n, nil
	}
	entries = make([]emergencyEntry, n)
	for i := range entries {
		size, err := r.CompactSize("emergency_sigs.len", maxSerializeSize)
		if err != nil {
			return n, entries // this and later entries stay empty
		}
		entries[i].size = size
		if size > uint64(r.Len()) {
			// fluxd resizes the entry, then the read fails: zero bytes of the
			// declared length. Only its length can matter (> 73 fails at once).
			if size <= wire.MaxBlockSigSize {
				entries[i].sig = make([]byte, size)
			}
			return n, entries
		}
		entries[i].sig, _ = r.Copy(int(size), "emergency_sigs.sig")
	}
	return n, entries
}

// VerifyEmergencySignatures checks an emergency block's signatures exactly as
// fluxd's ValidateEmergencyBlockSignatures does. vchBlockSig is a serialized
// vector of DER signatures; the count must be at least
// p.EmergencyMinSignatures and at most the number of emergency keys. Entries
// are taken in order; each is first checked to be at most 73 bytes (a longer
// one fails the block when reached), then verified over the raw block hash
// against each emergency key not yet used, in key order, and the first key it
// verifies against is marked used. The block passes as soon as
// EmergencyMinSignatures entries have matched, so entries after that point are
// never examined. Keys are compared by their configured bytes, so two entries
// signed with one key count once. On regtest (fluxd's "regtest bypass") any
// entries pass once the count is in range.
//
// The failure code names the first entry that matched no unused key: a
// malformed DER (ErrBadEmergencySig), a valid signature by an already used
// key (ErrBadEmergencySigDuplicate) or by no emergency key
// (ErrBadEmergencySigUnknownKey).
func VerifyEmergencySignatures(h *wire.BlockHeader, p *params.Params) error {
	if !IsEmergency(h, p) {
		return ruleErr(ErrBadEmergencySig, "not an emergency block")
	}
	keys := p.EmergencyPubKeys
	minSigs := p.EmergencyMinSignatures
	count, entries := decodeEmergencySigs(h.BlockSig, len(keys))
	if count > uint64(len(keys)) {
		return ruleErr(ErrBadEmergencySigCount, "%d signatures, more than the %d emergency keys", count, len(keys))
	}
	if count < uint64(minSigs) {
		return ruleErr(ErrBadEmergencySigCount, "%d signatures, need at least %d", count, minSigs)
	}
	if p.NetworkID == "regtest" {
		return nil
	}
	hash := h.BlockHash()
	used := make([]bool, len(keys))
	valid := 0
	var first *RuleError
	for i, e := range entries {
		if e.size > wire.MaxBlockSigSize {
			return ruleErr(ErrBadEmergencySigSize, "signature %d is %d bytes, maximum %d", i, e.size, wire.MaxBlockSigSize)
		}
		matched := false
		for k, key := range keys {
			if keyUsed(keys, used, key) || !validPubKeySize(key) {
				continue
			}
			if sig.Verify(key, hash, e.sig, false) == nil {
				used[k], matched = true, true
				valid++
				break
			}
		}
		if !matched && first == nil {
			first = classifyEmergencyFailure(i, e.sig, hash, keys, used)
		}
		if valid >= minSigs {
			return nil
		}
	}
	if first == nil {
		// Only reachable with EmergencyMinSignatures > count of entries, which
		// the count check excludes; kept so the function never returns nil by accident.
		first = ruleErr(ErrBadEmergencySig, "only %d of %d required signatures verified", valid, minSigs)
	}
	first.Reason += " (" + strconv.Itoa(valid) + " of " + strconv.Itoa(minSigs) + " required signatures verified)"
	return first
}

// classifyEmergencyFailure explains why entry i matched no unused key.
func classifyEmergencyFailure(i int, der []byte, hash [32]byte, keys [][]byte, used []bool) *RuleError {
	if _, err := sig.ParseDER(der); err != nil {
		return wrapErr(ErrBadEmergencySig, err, "signature %d: %v", i, err)
	}
	for k, key := range keys {
		if used[k] && sig.Verify(key, hash, der, false) == nil {
			return ruleErr(ErrBadEmergencySigDuplicate, "signature %d is by emergency key %d, already used", i, k)
		}
	}
	return ruleErr(ErrBadEmergencySigUnknownKey, "signature %d verifies against no emergency key", i)
}

// keyUsed reports whether key (by its bytes, as fluxd's set of key strings
// does) has already matched a signature.
func keyUsed(keys [][]byte, used []bool, key []byte) bool {
	for j, u := range used {
		if u && bytes.Equal(keys[j], key) {
			return true
		}
	}
	return false
}

// validPubKeySize is CPubKey::IsValid: a 33-byte key starting 02/03 or a
// 65-byte key starting 04/06/07 (fluxd skips keys that fail it).
func validPubKeySize(k []byte) bool {
	if len(k) == 0 {
		return false
	}
	switch k[0] {
	case 2, 3:
		return len(k) == 33
	case 4, 6, 7:
		return len(k) == 65
	}
	return false
}
