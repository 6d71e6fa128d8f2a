package chainrpc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// hclogTo returns the hclog logger go-plugin gets on the host. go-plugin
// logs its own events through it and relays every line the plugin writes to
// stderr: hclog JSON lines at their level with their fields, other lines at
// debug (error once a panic starts). Each record reaches log as a structured
// slog record; nothing is formatted twice.
func hclogTo(log *slog.Logger) hclog.Logger {
	il := hclog.NewInterceptLogger(&hclog.LoggerOptions{
		Name:   "go-plugin",
		Output: io.Discard, // the sink below is the only output
		Level:  hclogLevel(log),
	})
	il.RegisterSink(slogSink{log})
	return il
}

// hclogLevel is the lowest hclog level log wants, so go-plugin does not parse
// lines that would be dropped.
func hclogLevel(log *slog.Logger) hclog.Level {
	ctx := context.Background()
	switch {
	case log.Enabled(ctx, slog.LevelDebug-4):
		return hclog.Trace
	case log.Enabled(ctx, slog.LevelDebug):
		return hclog.Debug
	case log.Enabled(ctx, slog.LevelInfo):
		return hclog.Info
	case log.Enabled(ctx, slog.LevelWarn):
		return hclog.Warn
	default:
		return hclog.Error
	}
}

func slogLevel(l hclog.Level) slog.Level {
	switch l {
	case hclog.Trace:
		return slog.LevelDebug - 4
	case hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

// slogSink forwards hclog records to a slog logger.
type slogSink struct{ log *slog.Logger }

// Accept implements hclog.SinkAdapter.
func (s slogSink) Accept(name string, level hclog.Level, msg string, args ...any) {
	ctx := context.Background()
	l := slogLevel(level)
	if !s.log.Enabled(ctx, l) {
		return
	}
	attrs := make([]slog.Attr, 0, len(args)/2+1)
	if name != "" {
		attrs = append(attrs, slog.String("logger", name))
	}
	for i := 0; i+1 < len(args); i += 2 {
		attrs = append(attrs, slog.Any(fmt.Sprint(args[i]), args[i+1]))
	}
	if len(args)%2 == 1 {
		attrs = append(attrs, slog.Any("extra", args[len(args)-1]))
	}
	s.log.LogAttrs(ctx, l, msg, attrs...)
}

// slogWriter logs each line written to it; it receives what the plugin
// writes to os.Stdout and os.Stderr after Serve (go-plugin's stdio stream).
type slogWriter struct {
	log   *slog.Logger
	level slog.Level
}

func (w slogWriter) Write(b []byte) (int, error) {
	for _, line := range bytes.Split(b, []byte("\n")) {
		if s := strings.TrimSpace(string(line)); s != "" {
			w.log.Log(context.Background(), w.level, "plugin output", "line", s)
		}
	}
	return len(b), nil
}

// stderrTail keeps the last lines a plugin wrote to stderr that say why it
// failed (lines that are not hclog JSON, such as go-plugin's refusal or a
// panic, and JSON lines at error level), to quote in the error when it fails
// to start. go-plugin writes a line and its newline separately.
type stderrTail struct {
	mu    sync.Mutex
	part  []byte
	lines []string
}

const (
	tailLines   = 8
	tailLineMax = 300
)

func (t *stderrTail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range b {
		if c != '\n' {
			if len(t.part) < tailLineMax {
				t.part = append(t.part, c)
			}
			continue
		}
		line := strings.TrimSpace(string(t.part))
		t.part = t.part[:0]
		if line == "" || (strings.HasPrefix(line, "{") && !strings.Contains(line, `"@level":"error"`)) {
			continue
		}
		if len(t.lines) == tailLines {
			t.lines = append(t.lines[:0], t.lines[1:]...)
		}
		t.lines = append(t.lines, line)
	}
	return len(b), nil
}

// String returns the kept lines joined by " | ".
func (t *stderrTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, " | ")
}
