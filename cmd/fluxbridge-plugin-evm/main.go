// Command fluxbridge-plugin-evm serves the EVM chain (chains/evm) to the
// fluxbridge daemon as a go-plugin process (chains/chainrpc). The host starts
// it, pins its SHA-256 and sends it its JSON config (evm.FileConfig); the
// plugin never holds relayer keys, only the submitter key that pays gas.
// It dies with its host: on Linux the kernel kills it with the host, and
// where that does not reach it, it exits by itself (after closing its sink
// and RPC client) once chainrpc.Serve sees that the host is gone. Logs go to
// stderr as JSON.
package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/fluxbridge/fluxbridge/chains/chainrpc"
	"github.com/fluxbridge/fluxbridge/chains/evm"
	"github.com/fluxbridge/fluxbridge/fault"
)

// version is reported to the host in Info.
const version = "1"

// logOutput is the process's real stderr, taken before chainrpc.Serve
// (go-plugin) points os.Stderr at a pipe the host discards.
var logOutput io.Writer

func main() {
	logOutput = os.Stderr
	chainrpc.Serve(factory)
}

// factory builds the source, and the sink when the config names a submitter
// key, from the host's JSON config. An endpoint on another chain or without
// the finalized tag is refused here; an unreachable one is checked again on
// first use.
func factory(ctx context.Context, config []byte) (*chainrpc.Impl, error) {
	cfg, err := evm.ParseConfig(config)
	if err != nil {
		return nil, err
	}
	out := logOutput
	if out == nil {
		out = os.Stderr
	}
	log := pluginLogger(out).With("chain", cfg.ChainID.String())
	cfg.Logger = log
	c, err := evm.Dial(cfg)
	if err != nil {
		return nil, err
	}
	if err := c.Check(ctx); err != nil {
		if fault.KindOf(err) != fault.Transient {
			c.Close()
			return nil, err
		}
		log.Warn("RPC check failed; retrying on first use", "err", err)
	}
	impl := &chainrpc.Impl{Source: evm.NewSource(c), Name: "evm", Version: version}
	runCtx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	if cfg.SubmitterKey != nil {
		sink, err := evm.NewSink(c)
		if err != nil {
			cancel()
			c.Close()
			return nil, err
		}
		impl.Sink = sink
		log.Info("sink ready", "submitter", sink.Submitter().Hex())
		wg.Go(func() { _ = sink.Run(runCtx, 0) }) // stops when Close cancels runCtx
	}
	impl.Close = func() error {
		cancel()
		wg.Wait()
		return c.Close()
	}
	return impl, nil
}

// pluginLogger writes JSON lines in hclog's shape (@level, @message,
// @timestamp), which go-plugin on the host parses and relays at their level.
func pluginLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 {
				return a
			}
			switch a.Key {
			case slog.MessageKey:
				a.Key = "@message"
			case slog.LevelKey:
				a = slog.String("@level", strings.ToLower(a.Value.String()))
			case slog.TimeKey:
				a = slog.String("@timestamp", a.Value.Time().Format("2006-01-02T15:04:05.000000Z07:00"))
			}
			return a
		},
	}))
}
