package chainrpc

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/fluxbridge/fluxbridge/chains"
	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
	"github.com/fluxbridge/fluxbridge/fault"
)

// Config describes a plugin for the host to run.
type Config struct {
	// Path is the plugin binary. Required.
	Path string
	// SHA256 is the binary's pinned checksum (see Checksum); the host refuses
	// to start a binary that does not match. Required unless Unpinned is set.
	SHA256 []byte
	// Unpinned allows starting a binary without a checksum. It is for
	// development and tests only; the host logs a warning at every start.
	Unpinned bool
	// Args are the plugin's command-line arguments. Env ("KEY=value") is
	// the plugin's whole environment besides go-plugin's own variables: the
	// plugin does not inherit the host's, which may hold a key passphrase.
	Args, Env []string
	// PluginConfig is sent to the plugin with Configure after every start
	// (its shape is the plugin's; JSON by convention).
	PluginConfig []byte
	// PingInterval is how often the supervisor checks that the process runs
	// and answers its health check (default 5 s); PingTimeout bounds one
	// check (default 2 s). A plugin that fails a check is killed and
	// restarted.
	PingInterval, PingTimeout time.Duration
	// RestartMin and RestartMax bound the jittered, doubling delay between
	// restart attempts (defaults 200 ms and 30 s). The first restart of a
	// plugin that ran for at least RestartMax is immediate.
	RestartMin, RestartMax time.Duration
	// StartTimeout bounds the start, handshake and Configure of the process
	// (default 30 s).
	StartTimeout time.Duration
	// Logger receives the host's lines about the plugin and the plugin's own
	// log lines, relayed from its stderr (default: discard).
	Logger *slog.Logger
}

// Info describes a configured plugin, as it reported itself at start.
type Info struct {
	// Chain is the chain the plugin serves; a restarted plugin must serve
	// the same one.
	Chain chains.ID
	// Name and Version are what the plugin calls itself.
	Name, Version string
	// HasSource and HasSink say which capabilities the plugin offers.
	HasSource, HasSink bool
}

// Plugin is a running, supervised plugin process. Its methods are safe for
// concurrent use.
type Plugin struct {
	cfg  Config
	log  *slog.Logger
	info Info // fixed at Start

	mu     sync.Mutex
	live   *conn         // nil while the plugin is down
	up     chan struct{} // closed when live is set again
	closed bool

	restarts atomic.Int64
	kick     chan struct{} // a call failed in transport: check health now
	cancel   context.CancelFunc
	done     chan struct{} // closed when the supervisor has stopped
}

// conn is one started plugin process and its gRPC connection.
type conn struct {
	client *plugin.Client
	cmd    *exec.Cmd
	cc     *grpc.ClientConn
	src    pb.SourceClient
	snk    pb.SinkClient
	pid    int
}

// Checksum returns the SHA-256 of the file at path, for Config.SHA256.
func Checksum(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := f.WriteTo(h); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

func (c *Config) defaults() error {
	if c.Path == "" {
		return errors.New("the plugin binary (Path) is required")
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
	if c.RestartMax < c.RestartMin {
		return fmt.Errorf("RestartMax: %v is below RestartMin %v", c.RestartMax, c.RestartMin)
	}
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

// Start launches the plugin, checks its checksum and handshake, configures
// it and starts its supervisor. Its errors are typed: fault.Invalid for a
// config, binary or handshake that will not work however often it is tried
// (ErrChecksumMismatch, ErrIncompatible) or a PluginConfig the plugin
// refuses, fault.Transient for a start that failed and may work later, and
// the plugin's own kind for a failed Configure. ctx bounds Configure; the
// process start and handshake are bounded by StartTimeout (go-plugin offers
// no way to cancel them). Close the Plugin when done.
func Start(ctx context.Context, cfg Config) (*Plugin, error) {
	if err := cfg.defaults(); err != nil {
		return nil, fault.E("chainrpc.Start", fault.Invalid, err)
	}
	p := &Plugin{cfg: cfg, log: cfg.Logger.With("plugin", cfg.Path), kick: make(chan struct{}, 1), done: make(chan struct{})}
	if cfg.Unpinned {
		p.log.Warn("the plugin binary's checksum is not pinned (Unpinned is for development only)")
	}
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
	if fi, err := os.Stat(p.cfg.Path); err != nil || fi.IsDir() {
		if err == nil {
			err = errors.New("is a directory")
		}
		return nil, Info{}, fault.E(op, fault.Invalid, fmt.Errorf("plugin binary %s: %w", p.cfg.Path, err))
	}
	cmd := exec.Command(p.cfg.Path, p.cfg.Args...)
	cmd.Env = append([]string(nil), p.cfg.Env...)
	dieWithHost(cmd) // a plugin must not outlive the host, even a SIGKILLed one
	var secure *plugin.SecureConfig
	if len(p.cfg.SHA256) > 0 {
		secure = &plugin.SecureConfig{Checksum: p.cfg.SHA256, Hash: sha256.New()}
	}
	tail := &stderrTail{}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: hostPlugins(),
		Cmd:              cmd,
		SkipHostEnv:      true, // see Config.Env
		SecureConfig:     secure,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Managed:          true,
		StartTimeout:     p.cfg.StartTimeout,
		Logger:           hclogTo(p.log),
		Stderr:           tail,
		// What the plugin writes to os.Stdout and os.Stderr after Serve
		// arrives over go-plugin's stdio stream.
		SyncStdout: slogWriter{p.log.With("stream", "stdout"), slog.LevelInfo},
		SyncStderr: slogWriter{p.log.With("stream", "stderr"), slog.LevelWarn},
	})
	rpcc, err := client.Client()
	if err != nil {
		client.Kill() // also waits until the plugin's stderr is read to its end
		return nil, Info{}, startError(p.cfg.Path, err, tail.String())
	}
	raw, err := rpcc.Dispense(PluginName)
	if err != nil {
		client.Kill()
		return nil, Info{}, fault.E(op, fault.Invalid, fmt.Errorf("%w: %s serves no %q plugin: %v", ErrIncompatible, p.cfg.Path, PluginName, err))
	}
	cc, ok := raw.(*grpc.ClientConn)
	if !ok {
		client.Kill()
		return nil, Info{}, fault.E(op, fault.Internal, fmt.Errorf("dispensed %T, want a gRPC connection", raw))
	}
	c := &conn{client: client, cmd: cmd, cc: cc, src: pb.NewSourceClient(cc), snk: pb.NewSinkClient(cc)}
	if cmd.Process != nil {
		c.pid = cmd.Process.Pid
	}
	cctx, cancel := context.WithTimeout(ctx, p.cfg.StartTimeout)
	defer cancel()
	pi, err := pb.NewPluginClient(cc).Configure(cctx, &pb.ConfigureRequest{Config: p.cfg.PluginConfig})
	if err != nil {
		c.stop(false)
		return nil, Info{}, fromStatus("chainrpc.Configure", err)
	}
	info := Info{Chain: chains.ID(pi.GetChainId()), Name: pi.GetName(), Version: pi.GetVersion(),
		HasSource: pi.GetSource(), HasSink: pi.GetSink()}
	p.log.Info("plugin started", "pid", c.pid, "chain", info.Chain.String(), "name", info.Name, "version", info.Version,
		"source", info.HasSource, "sink", info.HasSink)
	return c, info, nil
}

// startError classifies why a plugin process did not complete its
// handshake; stderr is what it said there last.
func startError(path string, err error, stderr string) error {
	const op = "chainrpc.Start"
	detail := strings.Join(strings.Fields(err.Error()), " ")
	if stderr != "" {
		detail += "; its stderr ends: " + stderr
	}
	switch {
	case errors.Is(err, plugin.ErrChecksumsDoNotMatch):
		return fault.E(op, fault.Invalid, fmt.Errorf("%w: %s", ErrChecksumMismatch, path))
	case strings.Contains(stderr, "This binary is a plugin"):
		// go-plugin's Serve says this when the magic cookie is not its own.
		return fault.E(op, fault.Invalid, fmt.Errorf("%w: %s refused the magic cookie (it is a plugin of another program)", ErrIncompatible, path))
	case strings.Contains(strings.ToLower(err.Error()), "incompatible"):
		return fault.E(op, fault.Invalid, fmt.Errorf("%w: %s: %s", ErrIncompatible, path, detail))
	}
	return fault.E(op, fault.Transient, fmt.Errorf("starting %s: %s", path, detail))
}

// stop ends the process of c. Gracefully, go-plugin asks the plugin to shut
// down and gives it 2 s; that request cannot be bounded, so a plugin that
// does not answer (hung, stopped) is killed outright after killGrace.
// Otherwise the process is killed first and then cleaned up.
func (c *conn) stop(graceful bool) {
	if !graceful {
		c.kill()
	}
	done := make(chan struct{})
	go func() { // ends when the process has exited, which kill guarantees
		defer close(done)
		c.client.Kill()
	}()
	select {
	case <-done:
	case <-time.After(killGrace):
		c.kill()
		<-done
	}
}

// killGrace is how long a graceful stop may take before the process is killed.
const killGrace = 5 * time.Second

// kill sends SIGKILL (or the platform's equivalent) to the process.
func (c *conn) kill() {
	if c.cmd.Process != nil {
		_ = c.cmd.Process.Kill() // an error means it has already exited
	}
}

// Info describes the plugin as it configured itself at start.
func (p *Plugin) Info() Info { return p.info }

// Restarts is the number of times the supervisor restarted the plugin.
func (p *Plugin) Restarts() int { return int(p.restarts.Load()) }

// Pid is the plugin process's id, 0 while it is down or after Close.
func (p *Plugin) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live == nil {
		return 0
	}
	return p.live.pid
}

// Source returns the plugin's source, or nil if it offers none. It stays
// valid across restarts: a call made while the plugin is down waits for it
// (bounded by the call's context) and then fails as transient.
func (p *Plugin) Source() chains.Source {
	if !p.info.HasSource {
		return nil
	}
	return hostSource{p}
}

// Sink returns the plugin's sink, or nil if it offers none. It stays valid
// across restarts, like Source.
func (p *Plugin) Sink() chains.Sink {
	if !p.info.HasSink {
		return nil
	}
	return hostSink{p}
}
