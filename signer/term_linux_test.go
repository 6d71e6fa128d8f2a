package signer

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair, or skips the test where the
// environment has none.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pts: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// promptWriter reports on a channel when the prompt has been written, which
// is after echo was turned off.
type promptWriter struct {
	buf      bytes.Buffer
	prompted chan struct{}
}

func (w *promptWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if w.prompted != nil {
		close(w.prompted)
		w.prompted = nil
	}
	return len(p), nil
}

// readUntil reads the terminal's output until it contains marker.
func readUntil(t *testing.T, master *os.File, marker string) string {
	t.Helper()
	if err := master.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	var out []byte
	buf := make([]byte, 256)
	for !bytes.Contains(out, []byte(marker)) {
		n, err := master.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			t.Fatalf("reading terminal output %q: %v", out, err)
		}
	}
	return string(out)
}

func TestPassphraseFromTerminalDoesNotEchoOnATTY(t *testing.T) {
	master, slave := openPTY(t)
	before, err := unix.IoctlGetTermios(int(slave.Fd()), ioctlGetTermios)
	if err != nil {
		t.Fatal(err)
	}
	if before.Lflag&unix.ECHO == 0 {
		t.Fatal("a fresh terminal has echo off")
	}

	prompted := make(chan struct{})
	w := &promptWriter{prompted: prompted}
	type result struct {
		pass string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		p, err := PassphraseFromTerminal("Passphrase: ", slave, w)
		done <- result{p, err}
	}()
	<-prompted
	if _, err := master.Write([]byte("hunter2-typed\n")); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.pass != "hunter2-typed" {
		t.Fatalf("got %q, %v", r.pass, r.err)
	}
	if w.buf.String() != "Passphrase: \n" {
		t.Errorf("prompt output %q, want the prompt and a newline", w.buf.String())
	}

	// Everything the terminal showed up to a marker written afterwards: the
	// passphrase must not be in it.
	if _, err := slave.Write([]byte("MARKER\n")); err != nil {
		t.Fatal(err)
	}
	if shown := readUntil(t, master, "MARKER"); strings.Contains(shown, "hunter2") {
		t.Errorf("the passphrase was echoed: %q", shown)
	}

	// Echo is back on: typed input is shown again.
	after, err := unix.IoctlGetTermios(int(slave.Fd()), ioctlGetTermios)
	if err != nil {
		t.Fatal(err)
	}
	if after.Lflag != before.Lflag {
		t.Errorf("local flags %#x after, %#x before", after.Lflag, before.Lflag)
	}
	if _, err := master.Write([]byte("visible\n")); err != nil {
		t.Fatal(err)
	}
	readUntil(t, master, "visible")
}
