package evm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// errResponseTooLarge is returned by a response body that exceeds the
// configured MaxResponseBytes.
var errResponseTooLarge = errors.New("response body exceeds the configured limit")

// limitedTransport refuses response bodies over max bytes, before reading
// them when the server declares the length and while reading otherwise.
type limitedTransport struct {
	next http.RoundTripper
	max  int64
}

func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.max {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: declared %d bytes, limit %d", errResponseTooLarge, resp.ContentLength, t.max)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: t.max}
	return resp, nil
}

// limitedBody reads at most left bytes and then fails with errResponseTooLarge.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Only fail if there is more: a body of exactly the limit is fine.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, errResponseTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// endpoint is one JSON-RPC node.
type endpoint struct {
	name string // "rpc[i] host": never the full URL, which may carry an API key
	rpc  *rpc.Client
	eth  *ethclient.Client

	mu      sync.Mutex
	checked bool  // chain id verified
	fatal   error // a permanent refusal (wrong chain)
}

// Client is the set of RPC endpoints of one bridge deployment, shared by a
// Source and a Sink. It verifies each endpoint's chain id on first use,
// bounds every call in time and size, and counts every drop by reason.
type Client struct {
	cfg   Config
	raw   Config   // as given, for NewSink's own validation
	abi   *abi.ABI // bridgeABI: names of methods and errors (fluxBridge() encodes and decodes)
	eps   []*endpoint
	drops counters
	idle  []*http.Transport

	setsMu sync.Mutex
	sets   map[setKey][2]signerSet // signer sets by block hash (immutable per block)
}

// setKey names the signer sets read at one block, by one endpoint or a quorum.
type setKey struct {
	all bool
	at  common.Hash
}

// maxCachedSets bounds the signer-set cache; it is emptied when full.
const maxCachedSets = 256

// Dial validates cfg and prepares its endpoints. It does no I/O: each
// endpoint is checked (chain id, finalized tag) on first use; call Check to
// do it now.
func Dial(cfg Config) (*Client, error) {
	full, err := cfg.withDefaults(false)
	if err != nil {
		return nil, err
	}
	a, err := bridgeABI()
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: full, raw: cfg, abi: a}
	for i, raw := range full.Endpoints {
		u, _ := url.Parse(raw) // validated by withDefaults
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.ResponseHeaderTimeout = full.CallTimeout
		// JSON-RPC answers are small; compressing them costs both ends more
		// CPU than it saves on the wire (measured: 8 % of a loaded node's
		// time went to gzip).
		transport.DisableCompression = true
		c.idle = append(c.idle, transport)
		hc := &http.Client{Transport: &limitedTransport{next: transport, max: full.MaxResponseBytes}}
		rc, err := rpc.DialOptions(context.Background(), raw, rpc.WithHTTPClient(hc))
		if err != nil {
			c.Close()
			return nil, fault.E("evm.Dial", fault.Invalid, fmt.Errorf("endpoint %d (Endpoints[%d]): %v", i, i, err))
		}
		c.eps = append(c.eps, &endpoint{name: fmt.Sprintf("rpc[%d] %s", i, u.Host), rpc: rc, eth: ethclient.NewClient(rc)})
	}
	return c, nil
}

// Close releases the endpoints' connections.
func (c *Client) Close() error {
	for _, ep := range c.eps {
		ep.rpc.Close()
	}
	for _, t := range c.idle {
		t.CloseIdleConnections()
	}
	return nil
}

// Chain returns the configured chain id.
func (c *Client) Chain() chains.ID { return c.cfg.ChainID }

// Drops returns a copy of the drop counters by reason.
func (c *Client) Drops() map[string]uint64 {
	m := c.drops.snapshot()
	if m == nil {
		m = map[string]uint64{}
	}
	return m
}

// Check verifies every endpoint now: it serves the configured chain id and
// the finalized block tag. A wrong chain id or a missing finalized tag is a
// fault.Invalid error; an unreachable endpoint a fault.Transient one.
func (c *Client) Check(ctx context.Context) error {
	for _, ep := range c.eps {
		if err := c.ensure(ctx, ep, true); err != nil {
			return err
		}
		if _, err := c.finalizedHeader(ctx, ep); err != nil {
			return err
		}
	}
	return nil
}

// ensure verifies ep's chain id once; a mismatch refuses the endpoint for
// good. With force it asks again even when already verified.
func (c *Client) ensure(ctx context.Context, ep *endpoint, force bool) error {
	ep.mu.Lock()
	fatal, checked := ep.fatal, ep.checked
	ep.mu.Unlock()
	if fatal != nil {
		return fatal
	}
	if checked && !force {
		return nil
	}
	var id *big.Int
	err := c.call(ctx, "evm.ChainID", ep, func(ctx context.Context) (err error) {
		id, err = ep.eth.ChainID(ctx)
		return err
	})
	if err != nil {
		return err
	}
	if id == nil || !id.IsUint64() || id.Uint64() != uint64(c.cfg.ChainID) {
		c.drops.inc(DropWrongChain)
		err := fault.E("evm.ChainID", fault.Invalid, fmt.Errorf("%s serves chain %v, configured %v", ep.name, id, c.cfg.ChainID))
		ep.mu.Lock()
		ep.fatal = err
		ep.mu.Unlock()
		c.cfg.Logger.Error("RPC endpoint serves another chain; refusing it", "endpoint", ep.name, "chain_id", id, "want", uint32(c.cfg.ChainID))
		return err
	}
	ep.mu.Lock()
	ep.checked = true
	ep.mu.Unlock()
	return nil
}

// call runs one RPC call on ep bounded by CallTimeout and turns its error
// into a typed one, counting the reason.
func (c *Client) call(ctx context.Context, op string, ep *endpoint, fn func(ctx context.Context) error) error {
	cctx, cancel := context.WithTimeout(ctx, c.cfg.CallTimeout)
	defer cancel()
	err := fn(cctx)
	if err == nil {
		return nil
	}
	return c.classify(ctx, op, ep, err)
}

// The transaction pool's refusals that the sink acts on. JSON-RPC carries
// them only as messages under one code (-32000; go-ethereum's
// txpool.ErrAlreadyKnown and core.ErrNonceTooLow), so classify maps those
// messages to these errors once, here, and the sink decides with errors.Is.
var (
	errAlreadyKnown = errors.New("the transaction is already known")
	errNonceTooLow  = errors.New("the nonce is too low")
)

// txPoolRefusal names the sentinel for an RPC error's message, if any.
func txPoolRefusal(rpcErr rpc.Error) error {
	msg := strings.ToLower(rpcErr.Error())
	switch {
	case strings.Contains(msg, "already known"):
		return errAlreadyKnown
	case strings.Contains(msg, "nonce too low"):
		return errNonceTooLow
	}
	return nil
}

// classify maps an RPC error to a chains kind and counts it.
func (c *Client) classify(ctx context.Context, op string, ep *endpoint, err error) error {
	var (
		jsonSyntax *json.SyntaxError
		jsonType   *json.UnmarshalTypeError
		netErr     net.Error
		rpcErr     rpc.Error
	)
	switch {
	case ctx.Err() != nil:
		// The caller gave up; not the endpoint's fault.
		return fault.E(op, fault.Transient, fmt.Errorf("%s: %w", ep.name, ctx.Err()))
	case errors.Is(err, errResponseTooLarge):
		c.drops.inc(DropOversized)
		c.cfg.Logger.Warn("RPC response over the size limit", "endpoint", ep.name, "op", op, "limit", c.cfg.MaxResponseBytes)
		return fault.E(op, fault.Transient, fmt.Errorf("%s: %w (%d bytes)", ep.name, errResponseTooLarge, c.cfg.MaxResponseBytes))
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		c.drops.inc(DropTimeout)
		return fault.E(op, fault.Transient, fmt.Errorf("%s: no answer within %v", ep.name, c.cfg.CallTimeout))
	case errors.Is(err, ethereum.NotFound):
		return fault.E(op, fault.NotFound, fmt.Errorf("%s: %w", ep.name, err))
	case errors.As(err, &jsonSyntax), errors.As(err, &jsonType), errors.Is(err, io.ErrUnexpectedEOF):
		c.drops.inc(DropMalformedResp)
		return fault.E(op, fault.Transient, fmt.Errorf("%s: malformed answer: %v", ep.name, err))
	case errors.As(err, &rpcErr):
		c.drops.inc(DropRPCError)
		if sentinel := txPoolRefusal(rpcErr); sentinel != nil {
			return fault.E(op, fault.Transient, fmt.Errorf("%s: %w (%w)", ep.name, sentinel, err))
		}
		return fault.E(op, fault.Transient, fmt.Errorf("%s: %w", ep.name, err))
	default:
		c.drops.inc(DropRPCError)
		return fault.E(op, fault.Transient, fmt.Errorf("%s: %w", ep.name, err))
	}
}

// finalizedHeader returns ep's block at the finalized tag. An endpoint that
// does not serve the tag is a fault.Invalid error: a confirmation count is
// never a substitute for finality.
//
// SECURITY: finality of every event this package reports rests on this tag.
func (c *Client) finalizedHeader(ctx context.Context, ep *endpoint) (*types.Header, error) {
	const op = "evm.Finalized"
	if err := c.ensure(ctx, ep, false); err != nil {
		return nil, err
	}
	var h *types.Header
	err := c.call(ctx, op, ep, func(ctx context.Context) (err error) {
		h, err = ep.eth.HeaderByNumber(ctx, big.NewInt(int64(rpc.FinalizedBlockNumber)))
		return err
	})
	switch {
	case err == nil && (h == nil || h.Number == nil):
		err = ethereum.NotFound
		fallthrough
	case fault.KindOf(err) == fault.NotFound, refusesTag(err):
		c.drops.inc(DropNoFinalized)
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("%s does not serve the finalized block tag: %v", ep.name, err))
	case err != nil:
		return nil, err
	}
	return h, nil
}

// refusesTag reports whether err is a JSON-RPC error by which a node says it
// does not know the block tag (pre-merge nodes, some providers), as opposed
// to a transient failure.
func refusesTag(err error) bool {
	var rpcErr rpc.Error
	if err == nil || !errors.As(err, &rpcErr) {
		return false
	}
	msg := strings.ToLower(rpcErr.Error())
	for _, s := range []string{"finalized", "unknown block", "not found", "not supported", "invalid block", "invalid argument"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// headerByNumber returns ep's canonical header at height n, checking that it
// is the one asked for.
func (c *Client) headerByNumber(ctx context.Context, ep *endpoint, n uint64) (*types.Header, error) {
	const op = "evm.Header"
	if err := c.ensure(ctx, ep, false); err != nil {
		return nil, err
	}
	var h *types.Header
	err := c.call(ctx, op, ep, func(ctx context.Context) (err error) {
		h, err = ep.eth.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
		return err
	})
	if err != nil {
		return nil, err
	}
	if h == nil || h.Number == nil || !h.Number.IsUint64() || h.Number.Uint64() != n {
		c.drops.inc(DropBadHeader)
		return nil, fault.E(op, fault.Transient, fmt.Errorf("%s answered another block for height %d", ep.name, n))
	}
	return h, nil
}

// latestHeader returns ep's tip.
func (c *Client) latestHeader(ctx context.Context, ep *endpoint) (*types.Header, error) {
	const op = "evm.Header"
	if err := c.ensure(ctx, ep, false); err != nil {
		return nil, err
	}
	var h *types.Header
	err := c.call(ctx, op, ep, func(ctx context.Context) (err error) {
		h, err = ep.eth.HeaderByNumber(ctx, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	if h == nil || h.Number == nil || !h.Number.IsUint64() {
		c.drops.inc(DropBadHeader)
		return nil, fault.E(op, fault.Transient, fmt.Errorf("%s answered a header without a number", ep.name))
	}
	return h, nil
}

// receipt returns ep's receipt of tx; callers check that it names tx.
func (c *Client) receipt(ctx context.Context, ep *endpoint, tx common.Hash) (*types.Receipt, error) {
	const op = "evm.Receipt"
	if err := c.ensure(ctx, ep, false); err != nil {
		return nil, err
	}
	var r *types.Receipt
	err := c.call(ctx, op, ep, func(ctx context.Context) (err error) {
		r, err = ep.eth.TransactionReceipt(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	if r.BlockNumber == nil || !r.BlockNumber.IsUint64() {
		c.drops.inc(DropMalformedResp)
		return nil, fault.E(op, fault.Transient, fmt.Errorf("%s: receipt of %s has no block number", ep.name, tx.Hex()))
	}
	return r, nil
}

// contractCall runs eth_call against the bridge at a block hash (EIP-1898).
func (c *Client) contractCall(ctx context.Context, ep *endpoint, data []byte, at common.Hash) ([]byte, error) {
	const op = "evm.Call"
	if err := c.ensure(ctx, ep, false); err != nil {
		return nil, err
	}
	var out []byte
	to := c.cfg.Bridge
	err := c.call(ctx, op, ep, func(ctx context.Context) (err error) {
		out, err = ep.eth.CallContractAtHash(ctx, ethereum.CallMsg{To: &to, Data: data}, at)
		return err
	})
	return out, err
}

// answer is one endpoint's reply in an agreement round.
type answer[T any] struct {
	v   T
	err error
	key string
}

// agree asks every endpoint with fn and returns the answer when at least
// Quorum endpoints answered and every endpoint that answered agrees (equal
// key). A fault.NotFound error counts as an answer ("it does not exist"), so
// endpoints must also agree on absence. Any disagreement is a fault.Transient
// "endpoints disagree" error, counted; fewer than Quorum answers return the
// most telling error received (a fault.Invalid refusal over a transient one).
//
// SECURITY: nothing the source reports comes from a single endpoint when
// several are configured; a lying endpoint can stall the source, not feed it.
func agree[T any](ctx context.Context, c *Client, op string, fn func(ctx context.Context, ep *endpoint) (T, error), key func(T) string) (T, error) {
	var zero T
	answers := each(ctx, c, fn)
	var (
		got      int
		firstKey string
		first    *answer[T]
		failure  error
		disagree []string
	)
	for i := range answers {
		a := &answers[i]
		switch {
		case a.err == nil:
			a.key = key(a.v)
		case fault.KindOf(a.err) == fault.NotFound:
			a.key = "\x00not-found"
		default:
			if failure == nil || fault.KindOf(a.err) == fault.Invalid {
				failure = a.err
			}
			continue
		}
		got++
		if first == nil {
			first, firstKey = a, a.key
		} else if a.key != firstKey {
			disagree = append(disagree, c.eps[i].name)
		}
	}
	if len(disagree) > 0 {
		c.drops.inc(DropDisagree)
		c.cfg.Logger.Warn("RPC endpoints disagree", "op", op, "first", firstName(c, answers), "others", strings.Join(disagree, ", "))
		return zero, fault.E(op, fault.Transient, fmt.Errorf("endpoints disagree (%s differs from %s)", strings.Join(disagree, ", "), firstName(c, answers)))
	}
	if got < c.cfg.Quorum {
		if failure == nil {
			failure = errors.New("no answer")
		}
		if got == 0 && len(c.eps) == 1 {
			return zero, failure
		}
		kind := fault.Transient
		if fault.KindOf(failure) == fault.Invalid {
			kind = fault.Invalid
		}
		return zero, fault.E(op, kind, fmt.Errorf("%d of %d endpoints answered, quorum %d: %w", got, len(c.eps), c.cfg.Quorum, failure))
	}
	return first.v, first.err
}

// each asks every endpoint with fn in parallel and returns their answers in
// endpoint order. Every fn is bounded by CallTimeout per call and by ctx, so
// the wait is bounded too.
func each[T any](ctx context.Context, c *Client, fn func(ctx context.Context, ep *endpoint) (T, error)) []answer[T] {
	answers := make([]answer[T], len(c.eps))
	if len(c.eps) == 1 {
		answers[0].v, answers[0].err = fn(ctx, c.eps[0])
		return answers
	}
	var wg sync.WaitGroup
	for i, ep := range c.eps {
		wg.Go(func() { answers[i].v, answers[i].err = fn(ctx, ep) })
	}
	wg.Wait()
	return answers
}

func firstName[T any](c *Client, answers []answer[T]) string {
	for i, a := range answers {
		if a.err == nil || fault.KindOf(a.err) == fault.NotFound {
			return c.eps[i].name
		}
	}
	return "?"
}

// first runs fn on the endpoints in order until one succeeds; it is for
// writes and for reads that need no agreement (fee data, nonces).
func first[T any](ctx context.Context, c *Client, fn func(ctx context.Context, ep *endpoint) (T, error)) (T, error) {
	var (
		zero T
		last error
	)
	for _, ep := range c.eps {
		v, err := fn(ctx, ep)
		if err == nil {
			return v, nil
		}
		last = err
		if k := fault.KindOf(err); k != fault.Transient && k != fault.Invalid || ctx.Err() != nil {
			return zero, err
		}
	}
	return zero, last
}

// blockRef names a header.
func blockRef(h *types.Header) chains.BlockRef {
	return chains.BlockRef{Height: h.Number.Uint64(), Hash: h.Hash().Hex(), Time: time.Unix(int64(h.Time), 0).UTC()}
}

// finality returns the finalized block the endpoints agree on: each
// endpoint's finalized tag is read, the lowest height among the answers is
// taken (a node may lag an epoch behind another) and the endpoints must agree
// on the canonical hash at that height.
//
// SECURITY: every event the source reports lies at or below this block.
func (c *Client) finality(ctx context.Context) (*types.Header, error) {
	const op = "evm.Finalized"
	answers := each(ctx, c, c.finalizedHeader)
	var (
		low     *types.Header
		got     int
		same    = true
		failure error
	)
	for _, a := range answers {
		if a.err != nil {
			if failure == nil || fault.KindOf(a.err) == fault.Invalid {
				failure = a.err
			}
			continue
		}
		got++
		if low != nil && a.v.Hash() != low.Hash() {
			same = false
		}
		if low == nil || a.v.Number.Cmp(low.Number) < 0 {
			low = a.v
		}
	}
	if got < c.cfg.Quorum {
		if len(c.eps) == 1 {
			return nil, failure
		}
		kind := fault.Transient
		if fault.KindOf(failure) == fault.Invalid {
			kind = fault.Invalid
		}
		return nil, fault.E(op, kind, fmt.Errorf("%d of %d endpoints answered, quorum %d: %w", got, len(c.eps), c.cfg.Quorum, failure))
	}
	if same {
		return low, nil
	}
	n := low.Number.Uint64()
	return agree(ctx, c, op, func(ctx context.Context, ep *endpoint) (*types.Header, error) {
		return c.headerByNumber(ctx, ep, n)
	}, headerKey)
}

// canonical returns the canonical header at height n the endpoints agree on.
func (c *Client) canonical(ctx context.Context, n uint64) (*types.Header, error) {
	return agree(ctx, c, "evm.Header", func(ctx context.Context, ep *endpoint) (*types.Header, error) {
		return c.headerByNumber(ctx, ep, n)
	}, headerKey)
}

func headerKey(h *types.Header) string { return h.Hash().Hex() }
