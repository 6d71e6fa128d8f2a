package wire_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/internal/codec"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
	"github.com/fluxbridge/fluxbridge/internal/vectors"
)

// Real headers decode, re-encode byte-exactly and hash to the known block hash:
// PoW over the whole header, PoN over the first 144 bytes only.
func TestHeaderRealVectorsRoundTripAndHash(t *testing.T) {
	wantSize := map[string]int{"genesis": 1487, "last-pow": 193, "first-pon": 215, "pon-2996914": 216}
	vs := allHeaderVectors(t)
	if len(vs) != 4 {
		t.Fatalf("%d header vectors, want 4", len(vs))
	}
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			raw := vectors.Hex(t, v.Raw)
			if len(raw) != wantSize[v.Name] {
				t.Fatalf("raw is %d bytes, want %d", len(raw), wantSize[v.Name])
			}
			h := mustHeader(t, v)
			if !bytes.Equal(h.Bytes(), raw) {
				t.Fatalf("re-encoding differs from the wire bytes")
			}
			if got := h.BlockHash().String(); got != v.Hash {
				t.Fatalf("hash %s, want %s", got, v.Hash)
			}
			if v.Prev != "" && h.PrevBlock.String() != v.Prev {
				t.Fatalf("prev %s, want %s", h.PrevBlock, v.Prev)
			}
			if v.Time != 0 && h.Time != v.Time {
				t.Fatalf("time %d, want %d", h.Time, v.Time)
			}
			wantPoN := v.Name == "first-pon" || v.Name == "pon-2996914"
			if h.IsPoN() != wantPoN {
				t.Fatalf("IsPoN = %v, want %v", h.IsPoN(), wantPoN)
			}
			if wantPoN {
				if !bytes.Equal(h.HashedBytes(), raw[:wire.PoNHashedSize]) || wire.PoNHashedSize != 144 {
					t.Fatalf("PoN hashed bytes are not the first 144 wire bytes")
				}
				if h.Collateral.String() != v.Collateral {
					t.Fatalf("collateral %s, want %s", h.Collateral, v.Collateral)
				}
				if h.Solution != nil || h.Nonce != [32]byte{} {
					t.Fatalf("PoN header has PoW fields set")
				}
			} else {
				if !bytes.Equal(h.HashedBytes(), raw) {
					t.Fatalf("PoW hashed bytes are not the whole header")
				}
				if !bytes.Equal(h.EquihashInput(), raw[:wire.EquihashInputSize]) {
					t.Fatalf("Equihash input is not the first 140 bytes")
				}
				if h.BlockSig != nil {
					t.Fatalf("PoW header has a block signature")
				}
			}
		})
	}
}

// The genesis header built from chain parameters encodes to the shared raw bytes.
func TestHeaderGenesisFromParamsMatchesWire(t *testing.T) {
	g := params.MainNet.GenesisHeader()
	v := headerVectorByName(t, "genesis")
	if !bytes.Equal(g.Bytes(), vectors.Hex(t, v.Raw)) {
		t.Fatal("params.MainNet.GenesisHeader() does not encode to the shared genesis bytes")
	}
	if g.BlockHash() != params.MainNet.GenesisHash {
		t.Fatalf("genesis hash %s, want %s", g.BlockHash(), params.MainNet.GenesisHash)
	}
}

// Cutting a header anywhere gives a typed decode error, never a panic.
func TestHeaderTruncatedAtEveryOffset(t *testing.T) {
	for _, v := range allHeaderVectors(t) {
		raw := vectors.Hex(t, v.Raw)
		for n := 0; n < len(raw); n++ {
			_, err := wire.DecodeBlockHeader(raw[:n])
			var ce *codec.Error
			if !errors.As(err, &ce) {
				t.Fatalf("%s cut at %d: error %v is not a *codec.Error", v.Name, n, err)
			}
			if !errors.Is(err, codec.ErrTruncated) && !errors.Is(err, codec.ErrTooLarge) {
				t.Fatalf("%s cut at %d: %v, want ErrTruncated or ErrTooLarge", v.Name, n, err)
			}
		}
	}
}

// A byte after a complete header is an error from DecodeBlockHeader.
func TestHeaderTrailingByteRejected(t *testing.T) {
	raw := append(vectors.Hex(t, headerVectorByName(t, "pon-2996914").Raw), 0)
	if _, err := wire.DecodeBlockHeader(raw); !errors.Is(err, codec.ErrTrailing) {
		t.Fatalf("got %v, want ErrTrailing", err)
	}
}

// Solution and signature lengths are capped by their named maxima, even when
// the bytes are there.
func TestHeaderOversizeFieldsRejected(t *testing.T) {
	build := func(version int32, payloadLen int) []byte {
		h := wire.BlockHeader{Version: version}
		if version >= wire.PoNVersion {
			h.BlockSig = make([]byte, payloadLen)
		} else {
			h.Solution = make([]byte, payloadLen)
		}
		return h.Bytes()
	}
	tests := []struct {
		name    string
		version int32
		n       int
		field   string
		wantErr error
	}{
		{"solution at MaxSolutionSize decodes", 4, wire.MaxSolutionSize, "", nil},
		{"solution one over MaxSolutionSize", 4, wire.MaxSolutionSize + 1, "header.solution.len", codec.ErrTooLarge},
		{"signature at MaxEmergencyBlockSigSize decodes", 100, wire.MaxEmergencyBlockSigSize, "", nil},
		{"signature one over MaxEmergencyBlockSigSize", 100, wire.MaxEmergencyBlockSigSize + 1, "header.block_sig.len", codec.ErrTooLarge},
		{"version 99 is PoW", 99, wire.MaxSolutionSize + 1, "header.solution.len", codec.ErrTooLarge},
		{"negative version is PoW", -1, wire.MaxSolutionSize + 1, "header.solution.len", codec.ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := build(tc.version, tc.n)
			h, err := wire.DecodeBlockHeader(raw)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(h.Bytes(), raw) {
					t.Fatal("round trip differs")
				}
				return
			}
			var ce *codec.Error
			if !errors.Is(err, tc.wantErr) || !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("got %v, want %v at %s", err, tc.wantErr, tc.field)
			}
		})
	}
}

// A non-minimal CompactSize before the solution is refused, so every accepted
// header has exactly one encoding.
func TestHeaderNonCanonicalLengthRejected(t *testing.T) {
	raw := vectors.Hex(t, headerVectorByName(t, "last-pow").Raw) // solution length 0x34 at offset 140
	bad := append(append(append([]byte{}, raw[:140]...), 0xfd, 0x34, 0x00), raw[141:]...)
	if _, err := wire.DecodeBlockHeader(bad); !errors.Is(err, codec.ErrNonCanonical) {
		t.Fatalf("got %v, want ErrNonCanonical", err)
	}
}

// Changing the signature of a PoN header does not change its hash; changing
// the collateral does.
func TestHeaderPoNHashExcludesSignature(t *testing.T) {
	h := ponHeader216(t)
	want := h.BlockHash()
	h.BlockSig = []byte{1, 2, 3}
	if h.BlockHash() != want {
		t.Fatal("signature changed the PoN block hash")
	}
	h.Collateral.Index++
	if h.BlockHash() == want {
		t.Fatal("collateral did not change the PoN block hash")
	}
}
