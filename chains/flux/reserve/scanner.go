package reserve

import (
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/script"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// Config configures a Scanner. Every field but MinLock is required.
type Config struct {
	// Params is the network; it encodes refund addresses (t1…/t3… on mainnet).
	Params *params.Params
	// ReserveScripts are the reserve's P2SH scriptPubKeys. An output paying
	// exactly one of them pays the reserve; during a signer-set rotation both
	// the old and the new reserve are listed.
	ReserveScripts [][]byte
	// SupportedChains reports whether a lock may name chainID as its
	// destination; locks to other chains are refunded.
	SupportedChains func(chainID uint32) bool
	// MinLock is the smallest valid lock value in zatoshi; smaller locks are
	// refunded. Zero means one zatoshi: a lock of nothing is never valid.
	MinLock int64
}

// Scanner finds the bridge's locks and reserve spends in blocks. It holds
// only its configuration and is safe for concurrent use.
type Scanner struct {
	params    *params.Params
	reserve   map[string]struct{}
	supported func(uint32) bool
	minLock   int64
}

// NewScanner validates cfg and returns a Scanner. It fails with CodeConfig
// on a nil Params or SupportedChains, no reserve script, a reserve script
// that is not exactly a P2SH scriptPubKey, or a MinLock outside [0, MaxMoney].
func NewScanner(cfg Config) (*Scanner, error) {
	switch {
	case cfg.Params == nil:
		return nil, errorf(CodeConfig, "Params is nil: set the FLUX network (params.MainNet, …)")
	case cfg.SupportedChains == nil:
		return nil, errorf(CodeConfig, "SupportedChains is nil: set the function naming the destination chains locks may use")
	case len(cfg.ReserveScripts) == 0:
		return nil, errorf(CodeConfig, "ReserveScripts is empty: set the reserve's P2SH scriptPubKey")
	case cfg.MinLock < 0 || cfg.MinLock > tx.MaxMoney:
		return nil, errorf(CodeConfig, "MinLock %d is outside [0, %d] zatoshi", cfg.MinLock, tx.MaxMoney)
	}
	s := &Scanner{
		params:    cfg.Params,
		reserve:   make(map[string]struct{}, len(cfg.ReserveScripts)),
		supported: cfg.SupportedChains,
		minLock:   max(cfg.MinLock, 1),
	}
	for i, rs := range cfg.ReserveScripts {
		if !script.IsP2SH(rs) {
			return nil, errorf(CodeConfig, "ReserveScripts[%d] = %x is not a P2SH scriptPubKey (OP_HASH160 <20 bytes> OP_EQUAL)", i, rs)
		}
		s.reserve[string(rs)] = struct{}{}
	}
	return s, nil
}

// IsReserveScript reports whether scriptPubKey pays the reserve.
func (s *Scanner) IsReserveScript(scriptPubKey []byte) bool {
	if len(scriptPubKey) != script.P2SHSize {
		return false
	}
	_, ok := s.reserve[string(scriptPubKey)]
	return ok
}

// Params returns the network the scanner encodes addresses for.
func (s *Scanner) Params() *params.Params { return s.params }
