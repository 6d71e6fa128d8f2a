package evm

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// cursor is a position in the burn stream: the next block to scan and the
// next burn nonce expected. Nonces are contiguous and ordered like the logs,
// so a page may end inside a block: scanning that block again skips the
// burns whose nonce is below next.
type cursor struct {
	block uint64
	nonce uint64
}

// cursorVersion prefixes every encoded cursor.
const cursorVersion = "v1"

// maxCursorLen bounds a cursor before it is parsed: "v1:" and two uint64s.
const maxCursorLen = 3 + 20 + 1 + 20

func (c cursor) encode() chains.Cursor {
	return chains.Cursor(cursorVersion + ":" + strconv.FormatUint(c.block, 10) + ":" + strconv.FormatUint(c.nonce, 10))
}

// parseCursor decodes a cursor; the empty cursor is the stream's start.
// Anything else that is not "v1:<block>:<nonce>" in canonical decimal is a
// fault.Invalid error.
func parseCursor(s chains.Cursor, start uint64) (cursor, error) {
	const op = "evm.Events"
	if s == "" {
		return cursor{block: start}, nil
	}
	bad := func(why string) (cursor, error) {
		shown := string(s)
		if len(shown) > maxCursorLen {
			shown = shown[:maxCursorLen] + "…"
		}
		return cursor{}, fault.E(op, fault.Invalid, fmt.Errorf("cursor %q: %s", shown, why))
	}
	if len(s) > maxCursorLen {
		return bad("too long")
	}
	parts := strings.Split(string(s), ":")
	if len(parts) != 3 || parts[0] != cursorVersion {
		return bad("not " + cursorVersion + ":<block>:<nonce>")
	}
	block, err := parseCanonicalUint(parts[1])
	if err != nil {
		return bad("block: " + err.Error())
	}
	nonce, err := parseCanonicalUint(parts[2])
	if err != nil {
		return bad("nonce: " + err.Error())
	}
	if block < start {
		return bad(fmt.Sprintf("block %d is before the stream's start %d", block, start))
	}
	return cursor{block: block, nonce: nonce}, nil
}

// parseCanonicalUint accepts only the form strconv.FormatUint produces, so
// every cursor has exactly one spelling.
func parseCanonicalUint(s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a decimal uint64", s)
	}
	if strconv.FormatUint(v, 10) != s {
		return 0, fmt.Errorf("%q is not in canonical form", s)
	}
	return v, nil
}
