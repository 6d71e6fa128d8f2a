package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/fluxbridge/fluxbridge/chains/flux/equihash"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

const headerUsage = "fluxbridge flux header [--network mainnet|testnet|regtest|simnet] [--height H] [--producer-pubkey HEX] <header hex>"

// headerReport is the JSON `fluxbridge flux header` prints. Hashes are in display order.
type headerReport struct {
	Kind       string `json:"kind"` // pow, pon or emergency
	Version    int32  `json:"version"`
	Hash       string `json:"hash"`
	Prev       string `json:"prev"`
	MerkleRoot string `json:"merkle_root"`
	Time       uint32 `json:"time"`
	Bits       string `json:"bits"`
	Height     *int32 `json:"height,omitempty"`

	// PoW.
	Equihash *equihashReport `json:"equihash,omitempty"`

	// PoN and emergency.
	Collateral      string  `json:"collateral,omitempty"`
	Slot            *uint32 `json:"slot,omitempty"`
	PoNHash         string  `json:"pon_hash,omitempty"`
	SignatureValid  *bool   `json:"signature_valid,omitempty"`
	SignaturesValid *bool   `json:"signatures_valid,omitempty"` // emergency blocks

	MeetsTarget *bool `json:"meets_target,omitempty"`

	Error  string `json:"error,omitempty"`  // the rule that failed first
	Detail string `json:"detail,omitempty"` // what was wrong
}

type equihashReport struct {
	N     uint32 `json:"n"`
	K     uint32 `json:"k"`
	Valid bool   `json:"valid"`
}

func runFluxHeader(args []string, stdout, stderr io.Writer) int {
	f := newInspectFlags("fluxbridge flux header", headerUsage, stderr)
	height := f.fs.String("height", "", "block height: enables the height-dependent checks (allowed Equihash variant, PoN activation and target limit)")
	producer := f.fs.String("producer-pubkey", "", "hex public key of the PoN block's producer (its fluxnode's operational key): verifies the block signature")
	p, raw, err := f.parse(args, stdin, stderr)
	if errors.Is(err, errUsage) {
		return exitUsage
	}
	h := int32(-1)
	if *height != "" {
		v, perr := strconv.ParseInt(*height, 10, 32)
		if perr != nil || v < 0 {
			fmt.Fprintf(stderr, "fluxbridge flux header: --height must be a block height, got %q\n", *height)
			return exitUsage
		}
		h = int32(v)
	}
	var producerKey []byte
	if *producer != "" {
		if producerKey, perr := hex.DecodeString(*producer); perr != nil || (len(producerKey) != 33 && len(producerKey) != 65) {
			fmt.Fprintf(stderr, "fluxbridge flux header: --producer-pubkey must be a 33- or 65-byte hex public key\n")
			return exitUsage
		}
		producerKey, _ = hex.DecodeString(*producer)
	}
	if err != nil {
		return decodeFailure(stdout, stderr, "fluxbridge flux header", err)
	}
	bh, err := wire.DecodeBlockHeader(raw)
	if err != nil {
		return decodeFailure(stdout, stderr, "fluxbridge flux header", err)
	}
	rep, c := inspectHeader(bh, h, producerKey, p)
	if producerKey != nil && !bh.IsPoN() {
		fmt.Fprintln(stderr, "fluxbridge flux header: --producer-pubkey ignored: a PoW header has no producer signature")
	}
	writeJSON(stdout, rep)
	return c.exitCode()
}

// inspectHeader decodes the facts of h and runs every check that the given
// height (-1: unknown) and producer key (nil: unknown) make possible.
func inspectHeader(bh *wire.BlockHeader, height int32, producerKey []byte, p *params.Params) (*headerReport, *checks) {
	rep := &headerReport{
		Kind:       "pow",
		Version:    bh.Version,
		Hash:       bh.BlockHash().String(),
		Prev:       bh.PrevBlock.String(),
		MerkleRoot: bh.MerkleRoot.String(),
		Time:       bh.Time,
		Bits:       fmt.Sprintf("%08x", bh.Bits),
	}
	c := &checks{}
	check := func(err error) bool {
		if err != nil {
			c.record(string(ruleCode(err)), err)
		}
		return err == nil
	}
	if height >= 0 {
		rep.Height = &height
	}
	if bh.Version < header.MinBlockVersion {
		check(header.CheckContextFree(bh, p))
	}
	if height >= 0 {
		switch active := p.IsPoNActive(height); {
		case active && !bh.IsPoN():
			check(&header.RuleError{Code: header.ErrNotPoNBlock, Reason: fmt.Sprintf("height %d needs a PoN block", height)})
		case !active && bh.IsPoN():
			check(&header.RuleError{Code: header.ErrPrematurePoNBlock, Reason: fmt.Sprintf("PoN is not active at height %d", height)})
		}
	}

	if !bh.IsPoN() {
		eq := &equihashReport{}
		if height >= 0 {
			check(header.CheckSolutionSize(bh, height, p))
		}
		// The variant follows from the solution size alone (fluxd's CheckEquihashSolution).
		if ep, ok := equihash.ParamsForSolutionSize(len(bh.Solution)); ok {
			eq.N, eq.K = ep.N, ep.K
		}
		eq.Valid = check(header.CheckEquihashSolution(bh))
		rep.Equihash = eq
		meets := check(header.CheckProofOfWork(bh.BlockHash(), bh.Bits, p))
		rep.MeetsTarget = &meets
		return rep.withError(c), c
	}

	rep.Collateral = bh.Collateral.String()
	slot := header.Slot(p, bh.Time)
	rep.Slot = &slot
	rep.PoNHash = header.HeaderPoNHash(bh, p).String()
	if header.IsEmergency(bh, p) {
		rep.Kind = "emergency"
		check(header.CheckContextFree(bh, p))
		ok := check(header.VerifyEmergencySignatures(bh, p))
		rep.SignaturesValid = &ok
		return rep.withError(c), c
	}
	rep.Kind = "pon"
	check(header.CheckContextFree(bh, p))
	if height < 0 {
		height = 0 // context-free: the loosest PoN target limit, as fluxd's CheckBlockHeader
	}
	meets := check(header.CheckPoNTarget(bh, height, p))
	rep.MeetsTarget = &meets
	if producerKey != nil {
		ok := check(header.VerifyProducerSignature(bh, producerKey))
		rep.SignatureValid = &ok
	}
	return rep.withError(c), c
}

func (r *headerReport) withError(c *checks) *headerReport {
	r.Error, r.Detail = c.firstCode, c.firstDetail
	return r
}

// ruleCode names the rule an error broke: the header rule code, else "invalid".
func ruleCode(err error) header.ErrorCode {
	if code := header.CodeOf(err); code != "" {
		return code
	}
	return "invalid"
}
