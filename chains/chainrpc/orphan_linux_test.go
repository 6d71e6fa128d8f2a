//go:build linux

package chainrpc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/fluxbridge/fluxbridge/chains/chainrpc/chainpb"
)

// The tests of this file kill a host process and watch what becomes of its
// plugin. The host is the test binary itself, run again with helperEnv
// naming what it does (see runHelper); helperPlugin, helperSum and helperDir
// pass it the memplugin's path and checksum and a scratch directory.
const (
	helperEnv    = "CHAINRPC_TEST_HELPER"
	helperPlugin = "CHAINRPC_TEST_PLUGIN"
	helperSum    = "CHAINRPC_TEST_PLUGIN_SUM"
	helperDir    = "CHAINRPC_TEST_DIR"
)

// init turns the test binary into a helper host when helperEnv is set: it
// runs before TestMain, so the helper neither builds the memplugin again nor
// runs any test.
func init() {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode))
	}
}

// runHelper is a host process for the tests below. It starts the memplugin,
// prints "pid <plugin pid>" on stdout, and then waits for its stdin to end
// (the tests SIGKILL it before). In mode "host" it starts the plugin as
// fluxbridge does, through Start; in mode "direct" it runs the binary itself
// with go-plugin's environment but without the parent-death signal, and
// configures it with a close_file, so that only the plugin's own watch of
// its parent can end it (its stderr goes to plugin.stderr in the scratch
// directory). It returns the exit status.
func runHelper(mode string) int {
	path, dir := os.Getenv(helperPlugin), os.Getenv(helperDir)
	sum, err := hex.DecodeString(os.Getenv(helperSum))
	if err != nil || path == "" || dir == "" {
		fmt.Fprintln(os.Stderr, "helper: the plugin path, its checksum and a directory are required")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	switch mode {
	case "host":
		p, err := Start(ctx, Config{Path: path, SHA256: sum, PluginConfig: []byte(`{"chain_id":77,"events":1}`),
			Env: []string{"TMPDIR=" + dir}})
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper: Start:", err)
			return 1
		}
		defer p.Close()
		fmt.Printf("pid %d\n", p.Pid())
	case "direct":
		cmd := exec.Command(path)
		cmd.Env = []string{Handshake.MagicCookieKey + "=" + Handshake.MagicCookieValue,
			"PLUGIN_PROTOCOL_VERSIONS=" + strconv.Itoa(ProtocolVersion), "TMPDIR=" + dir}
		stderr, err := os.Create(filepath.Join(dir, "plugin.stderr"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			return 1
		}
		defer stderr.Close()
		cmd.Stderr = stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			return 1
		}
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "helper: starting the plugin:", err)
			return 1
		}
		defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
		if err := configureDirect(ctx, bufio.NewReader(out), filepath.Join(dir, "closed")); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			return 1
		}
		fmt.Printf("pid %d\n", cmd.Process.Pid)
	default:
		fmt.Fprintf(os.Stderr, "helper: unknown mode %q\n", mode)
		return 2
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// configureDirect reads a plugin's go-plugin handshake line from out and
// configures the plugin over the address it names, with closeFile as its
// close_file.
func configureDirect(ctx context.Context, out *bufio.Reader, closeFile string) error {
	line, err := out.ReadString('\n')
	if err != nil {
		return fmt.Errorf("reading the handshake: %w", err)
	}
	// core version|protocol version|network|address|protocol|certificate
	parts := strings.Split(strings.TrimSpace(line), "|")
	if len(parts) < 5 || parts[2] != "unix" {
		return fmt.Errorf("handshake %q", line)
	}
	cc, err := grpc.NewClient("unix://"+parts[3], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer cc.Close()
	cfg := fmt.Sprintf(`{"chain_id":77,"events":1,"close_file":%q}`, closeFile)
	if _, err := pb.NewPluginClient(cc).Configure(ctx, &pb.ConfigureRequest{Config: []byte(cfg)}); err != nil {
		return fmt.Errorf("Configure: %w", err)
	}
	return nil
}

// orphanHost starts the test binary as a helper host in mode and returns
// the pid of the plugin it started, the helper's scratch directory and a
// function that SIGKILLs the host. The test process is made a child
// subreaper first, so the orphaned plugin is reparented to it rather than to
// init: the test can then read the plugin's exit status and reap it, leaving
// no zombie behind.
func orphanHost(t *testing.T, mode string) (pid int, dir string, killHost func()) {
	t.Helper()
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatalf("becoming a child subreaper: %v", err)
	}
	t.Cleanup(func() { _ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0) })
	dir = t.TempDir()
	host := exec.Command(os.Args[0])
	host.Env = append(os.Environ(), helperEnv+"="+mode, helperPlugin+"="+memPlugin.path,
		helperSum+"="+hex.EncodeToString(memPlugin.sum), helperDir+"="+dir)
	// The host itself dies with the test, should the test die first.
	host.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr bytes.Buffer
	host.Stderr = &stderr
	stdin, err := host.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := host.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	exited := false
	killHost = func() {
		if !exited {
			exited = true
			_ = host.Process.Kill()
			_ = host.Wait()
		}
	}
	t.Cleanup(func() { stdin.Close(); killHost() })
	line := make(chan string, 1)
	// The pid reader: it ends when the host prints its line or exits
	// (killHost closes stdout at the latest).
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- s
	}()
	var s string
	select {
	case s = <-line:
	case <-time.After(30 * time.Second):
		killHost()
		t.Fatalf("the helper host printed no plugin pid in 30 s; its stderr: %s", stderr.String())
	}
	if _, err := fmt.Sscanf(s, "pid %d", &pid); err != nil || pid <= 0 {
		killHost()
		t.Fatalf("the helper host printed %q, not a plugin pid; its stderr: %s", s, stderr.String())
	}
	// A plugin that survives the test is killed once its host is, and so
	// the test's child, and reaped (the test asserts before this runs).
	t.Cleanup(func() {
		killHost()
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil && ppidOf(pid) == os.Getpid() {
			_ = unix.Kill(pid, unix.SIGKILL)
			var ws unix.WaitStatus
			_, _ = unix.Wait4(pid, &ws, 0, nil)
		}
	})
	return pid, dir, killHost
}

// ppidOf returns the parent pid of process pid from /proc, or 0.
func ppidOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

// waitExit waits, at most within from since, until process pid (an orphan
// the test now reaps) has exited, reaps it, checks that /proc no longer
// lists it, not even as a zombie, and returns its wait status and how long
// after since it exited. It waits on a pidfd, which becomes readable when
// the process exits.
func waitExit(t *testing.T, pid int, since time.Time, within time.Duration) (unix.WaitStatus, time.Duration) {
	t.Helper()
	deadline := since.Add(within)
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		t.Fatalf("pidfd_open(%d): %v (the plugin was reaped by another process?)", pid, err)
	}
	defer unix.Close(fd)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("the plugin (pid %d) still runs %v after its host was killed; its parent is now %d",
				pid, within, ppidOf(pid))
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(left.Milliseconds())+1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			t.Fatalf("poll on the plugin's pidfd: %v", err)
		}
		if n > 0 {
			break
		}
	}
	took := time.Since(since)
	var ws unix.WaitStatus
	if got, err := unix.Wait4(pid, &ws, 0, nil); err != nil || got != pid {
		t.Fatalf("reaping the plugin (pid %d): %d, %v (it was not reparented to the test)", pid, got, err)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("/proc/%d is still there after the plugin was reaped: %v", pid, err)
	}
	return ws, took
}

// A plugin dies with its host even when the host is SIGKILLed and so cannot
// stop it: the kernel kills it (the parent-death signal Start sets).
func TestAPluginDiesWithItsKilledHost(t *testing.T) {
	pid, _, killHost := orphanHost(t, "host")
	killed := time.Now()
	killHost()
	ws, took := waitExit(t, pid, killed, 5*time.Second)
	if !ws.Signaled() || ws.Signal() != unix.SIGKILL {
		t.Fatalf("the plugin ended with %s, want killed by SIGKILL (its parent-death signal)", describe(ws))
	}
	t.Logf("the plugin was killed %v after its host", took.Round(time.Microsecond))
}

// A plugin without the parent-death signal (another OS, a wrapper between
// host and plugin, a binary with file capabilities) still exits by itself
// when its host dies: Serve notices that it has been reparented, closes the
// implementation, logs why on stderr and exits with status exitOrphaned.
func TestAPluginWhoseHostDiedExitsByItself(t *testing.T) {
	pid, dir, killHost := orphanHost(t, "direct")
	killed := time.Now()
	killHost()
	ws, took := waitExit(t, pid, killed, 5*time.Second)
	if !ws.Exited() || ws.ExitStatus() != exitOrphaned {
		t.Fatalf("the plugin ended with %s, want exit status %d", describe(ws), exitOrphaned)
	}
	t.Logf("the plugin exited %v after its host", took.Round(time.Microsecond))
	if stderr, err := os.ReadFile(filepath.Join(dir, "plugin.stderr")); err != nil ||
		!bytes.Contains(stderr, []byte("the host process is gone")) {
		t.Errorf("the plugin's stderr does not say why it exited: %q, %v", stderr, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "closed")); err != nil || string(b) != "closed\n" {
		t.Errorf("the plugin exited without closing its implementation: %q, %v", b, err)
	}
}

// describe says how a process ended.
func describe(ws unix.WaitStatus) string {
	switch {
	case ws.Exited():
		return fmt.Sprintf("exit status %d", ws.ExitStatus())
	case ws.Signaled():
		return "signal " + ws.Signal().String()
	}
	return fmt.Sprintf("wait status %#x", uint32(ws))
}
