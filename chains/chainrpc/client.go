package chainrpc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/fluxbridge/fluxbridge/chains"
	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
)

// Config describes a plugin for the host to run.
type Config struct {
	// Path is the plugin binary.
	Path string
	// SHA256 is the binary's pinned checksum; the host refuses to start a
	// binary that does not match. Required unless Unpinned is set.
	SHA256 []byte
	// Unpinned allows starting a binary without a checksum (development and
	// tests only).
	Unpinned bool
	// Args and Env are passed to the plugin process (Env adds to the host's).
	Args, Env []string
	// PluginConfig is sent to the plugin with Configure after every start.
	PluginConfig []byte
	// PingInterval is how often the host checks that the plugin answers
	// (default 5 s); PingTimeout bounds one check (default 2 s).
	PingInterval, PingTimeout time.Duration
	// RestartMin and RestartMax bound the jittered, doubling delay between
	// restart attempts (defaults 200 ms and 30 s).
	RestartMin, RestartMax time.Duration
	// StartTimeout bounds the start and handshake of the process (default 30 s).
	StartTimeout time.Duration
	// Logger receives the host's and the plugin's log lines (default: discard).
	Logger *slog.Logger
}

// Info describes a configured plugin.
type Info struct {
	Chain         chains.ID
	Name, Version string
	// HasSource and HasSink say which capabilities the plugin offers.
	HasSource, HasSink bool
}

// Plugin is a running, supervised plugin process.
type Plugin struct {
	cfg  Config
	log  *slog.Logger
	info Info

	mu     sync.Mutex
	live   *conn         // nil while the plugin is down
	up     chan struct{} // closed when live is set again
	closed bool

	restarts atomic.Int64
	kick     chan struct{} // a call failed in transport: check health now
	cancel   context.CancelFunc
	done     chan struct{}
}

// conn is one started plugin process and its gRPC connection.
type conn struct {
	client *plugin.Client
	cc     *grpc.ClientConn
	src    pb.SourceClient
	snk    pb.SinkClient
	pid    int
}

// Checksum returns the SHA-256 of the file at path, for Config.SHA256.
func Checksum(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s := sha256.Sum256(b)
	return s[:], nil
}

func (c *Config) defaults() error {
	if c.Path == "" {
		return errors.New("Path: the plugin binary is required")
	}
	if len(c.SHA256) == 0 && !c.Unpinned {
		return errors.New("SHA256: the plugin binary's checksum must be pinned (set Unpinned only for development)")
	}
	if len(c.SHA256) != 0 && len(c.SHA256) != sha256.Size {
		return fmt.Errorf("SHA256: %d bytes, want %d", len(c.SHA256), sha256.Size)
	}
	setDefault(&c.PingInterval, 5*time.Second)
	setDefault(&c.PingTimeout, 2*time.Second)
	setDefault(&c.RestartMin, 200*time.Millisecond)
	setDefault(&c.RestartMax, 30*time.Second)
	setDefault(&c.StartTimeout, 30*time.Second)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// Start launches and configures the plugin and starts its supervisor.
func Start(ctx context.Context, cfg Config) (*Plugin, error) {
	if err := cfg.defaults(); err != nil {
		return nil, chains.E("chainrpc.Start", chains.KindInvalid, err)
	}
	p := &Plugin{cfg: cfg, log: cfg.Logger.With("plugin", cfg.Path), kick: make(chan struct{}, 1), done: make(chan struct{})}
	c, info, err := p.launch(ctx)
	if err != nil {
		return nil, err
	}
	p.info = info
	p.live = c
	p.up = make(chan struct{})
	close(p.up)
	sctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go p.supervise(sctx)
	return p, nil
}

// launch starts one plugin process and configures it.
func (p *Plugin) launch(ctx context.Context) (*conn, Info, error) {
	const op = "chainrpc.Start"
	cmd := exec.Command(p.cfg.Path, p.cfg.Args...)
	cmd.Env = append(os.Environ(), p.cfg.Env...)
	var secure *plugin.SecureConfig
	if len(p.cfg.SHA256) > 0 {
		secure = &plugin.SecureConfig{Checksum: p.cfg.SHA256, Hash: sha256.New()}
	}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: hostPlugins(),
		Cmd:              cmd,
		SecureConfig:     secure,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Managed:          true,
		StartTimeout:     p.cfg.StartTimeout,
		Logger:           hclogTo(p.log),
		// What the plugin writes to os.Stdout/os.Stderr after Serve arrives
		// over the gRPC stdio stream; keep it in the host's log too.
		SyncStdout: slogWriter{p.log.With("stream", "stdout")},
		SyncStderr: slogWriter{p.log.With("stream", "stderr")},
	})
	rpcc, err := client.Client()
	if err != nil {
		client.Kill()
		if errors.Is(err, plugin.ErrChecksumsDoNotMatch) {
			return nil, Info{}, chains.E(op, chains.KindInvalid, fmt.Errorf("%s does not match its pinned SHA-256: %w", p.cfg.Path, err))
		}
		return nil, Info{}, chains.E(op, chains.KindTransient, fmt.Errorf("starting %s: %w", p.cfg.Path, err))
	}
	raw, err := rpcc.Dispense(PluginName)
	if err != nil {
		client.Kill()
		return nil, Info{}, chains.E(op, chains.KindInvalid, fmt.Errorf("%s serves no %q plugin: %w", p.cfg.Path, PluginName, err))
	}
	cc, ok := raw.(*grpc.ClientConn)
	if !ok {
		client.Kill()
		return nil, Info{}, chains.E(op, chains.KindInternal, fmt.Errorf("dispensed %T, want a gRPC connection", raw))
	}
	c := &conn{client: client, cc: cc, src: pb.NewSourceClient(cc), snk: pb.NewSinkClient(cc)}
	if rc := client.ReattachConfig(); rc != nil {
		c.pid = rc.Pid
	}
	cctx, cancel := context.WithTimeout(ctx, p.cfg.StartTimeout)
	defer cancel()
	pi, err := pb.NewPluginClient(cc).Configure(cctx, &pb.ConfigureRequest{Config: p.cfg.PluginConfig})
	if err != nil {
		client.Kill()
		return nil, Info{}, fromStatus("chainrpc.Configure", err)
	}
	info := Info{Chain: chains.ID(pi.GetChainId()), Name: pi.GetName(), Version: pi.GetVersion(),
		HasSource: pi.GetSource(), HasSink: pi.GetSink()}
	p.log.Info("plugin started", "pid", c.pid, "chain", info.Chain, "name", info.Name, "version", info.Version)
	return c, info, nil
}

// supervise checks the plugin every PingInterval (or at once after a call's
// transport failure) and restarts it when it has exited or does not answer.
func (p *Plugin) supervise(ctx context.Context) {
	defer close(p.done)
	tick := time.NewTicker(p.cfg.PingInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-p.kick:
		}
		p.mu.Lock()
		c := p.live
		p.mu.Unlock()
		if c != nil && p.healthy(ctx, c) {
			continue
		}
		p.goDown(c)
		p.restart(ctx)
	}
}

func (p *Plugin) healthy(ctx context.Context, c *conn) bool {
	if c.client.Exited() {
		p.log.Warn("plugin exited", "pid", c.pid)
		return false
	}
	hctx, cancel := context.WithTimeout(ctx, p.cfg.PingTimeout)
	defer cancel()
	_, err := grpc_health_v1.NewHealthClient(c.cc).Check(hctx, &grpc_health_v1.HealthCheckRequest{Service: plugin.GRPCServiceName})
	if err != nil && ctx.Err() == nil {
		p.log.Warn("plugin does not answer its health check", "pid", c.pid, "err", err)
		return false
	}
	return true
}

// goDown marks the plugin down (calls now wait) and kills what is left of c.
func (p *Plugin) goDown(c *conn) {
	p.mu.Lock()
	if p.live == c && c != nil {
		p.live = nil
		p.up = make(chan struct{})
	}
	p.mu.Unlock()
	if c != nil {
		c.client.Kill()
	}
}

// restart starts the plugin again, with a jittered doubling delay between
// attempts, until it runs or ctx ends.
func (p *Plugin) restart(ctx context.Context) {
	delay := p.cfg.RestartMin
	for attempt := 1; ; attempt++ {
		c, info, err := p.launch(ctx)
		if err == nil && info.Chain != p.info.Chain {
			c.client.Kill()
			err = chains.E("chainrpc.Start", chains.KindConflict,
				fmt.Errorf("the restarted plugin serves chain %v, it served %v before", info.Chain, p.info.Chain))
		}
		if err == nil {
			p.mu.Lock()
			if p.closed {
				p.mu.Unlock()
				c.client.Kill()
				return
			}
			p.live = c
			close(p.up)
			p.mu.Unlock()
			p.restarts.Add(1)
			p.log.Info("plugin restarted", "pid", c.pid, "attempt", attempt)
			return
		}
		p.log.Error("plugin restart failed", "attempt", attempt, "retry_in", delay, "err", err)
		jittered := delay/2 + time.Duration(rand.Int64N(int64(delay)/2+1))
		select {
		case <-ctx.Done():
			return
		case <-time.After(jittered):
		}
		delay = min(2*delay, p.cfg.RestartMax)
	}
}

// current returns the live connection, waiting while the plugin restarts
// (bounded by ctx).
func (p *Plugin) current(ctx context.Context, op string) (*conn, error) {
	for {
		p.mu.Lock()
		c, up, closed := p.live, p.up, p.closed
		p.mu.Unlock()
		if closed {
			return nil, chains.E(op, chains.KindInternal, errors.New("the plugin was closed"))
		}
		if c != nil {
			return c, nil
		}
		select {
		case <-up:
		case <-ctx.Done():
			return nil, chains.E(op, chains.KindTransient, fmt.Errorf("the plugin is restarting: %w", ctx.Err()))
		}
	}
}

// failed converts a call's error and, for a transport failure, asks the
// supervisor to check the plugin now rather than at the next tick.
func (p *Plugin) failed(op string, err error) error {
	if s, ok := status.FromError(err); !ok || s.Code() == codes.Unavailable || s.Code() == codes.Canceled {
		select {
		case p.kick <- struct{}{}:
		default: // a check is already due
		}
	}
	return fromStatus(op, err)
}

// Info describes the plugin as it configured itself at start.
func (p *Plugin) Info() Info { return p.info }

// Restarts is the number of times the supervisor restarted the plugin.
func (p *Plugin) Restarts() int { return int(p.restarts.Load()) }

// Pid is the plugin process's id, 0 while it is down.
func (p *Plugin) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live == nil {
		return 0
	}
	return p.live.pid
}

// Source returns the plugin's source, or nil if it offers none. It stays
// valid across restarts.
func (p *Plugin) Source() chains.Source {
	if !p.info.HasSource {
		return nil
	}
	return hostSource{p}
}

// Sink returns the plugin's sink, or nil if it offers none. It stays valid
// across restarts.
func (p *Plugin) Sink() chains.Sink {
	if !p.info.HasSink {
		return nil
	}
	return hostSink{p}
}

// Close stops the supervisor and kills the plugin process.
func (p *Plugin) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	c := p.live
	p.live = nil
	p.mu.Unlock()
	p.cancel()
	<-p.done
	if c != nil {
		c.client.Kill()
	}
	return nil
}

// hclogTo returns an hclog logger whose lines (the host's go-plugin logs and
// the plugin's stderr, which go-plugin relays) go to log.
func hclogTo(log *slog.Logger) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: "go-plugin", Output: slogWriter{log}, Level: hclog.Info})
}

type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Write(b []byte) (int, error) {
	for _, line := range bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n")) {
		if s := strings.TrimSpace(string(line)); s != "" {
			w.log.Info("plugin log", "line", s)
		}
	}
	return len(b), nil
}
