package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
)

// heapProfileEnv names the environment variable that makes `fluxbridge run`
// write the Go heap profile (go tool pprof) to the file it names, on SIGUSR1
// and when the relayer stops. Without it, SIGUSR1 keeps its default action.
const heapProfileEnv = "FLUXBRIDGE_HEAPPROFILE"

// heapProfiler writes heap profiles to path on SIGUSR1 until Close, which
// writes a last one. A nil heapProfiler (no path) does nothing.
type heapProfiler struct {
	path string
	sig  chan os.Signal
	stop chan struct{}
	done chan struct{}
}

// startHeapProfiler starts the SIGUSR1 handler when path is set; errs is
// called with each failed write on SIGUSR1.
func startHeapProfiler(path string, errs func(error)) *heapProfiler {
	if path == "" {
		return nil
	}
	h := &heapProfiler{path: path, sig: make(chan os.Signal, 1), stop: make(chan struct{}), done: make(chan struct{})}
	signal.Notify(h.sig, syscall.SIGUSR1)
	// The heap-profiler goroutine stops at Close; h.sig has a buffer of one
	// and signal.Notify drops what does not fit, so no send blocks.
	go func() {
		defer close(h.done)
		for {
			select {
			case <-h.stop:
				return
			case <-h.sig:
				if err := h.write(); err != nil {
					errs(err)
				}
			}
		}
	}()
	return h
}

// Close stops the handler and writes the last profile.
func (h *heapProfiler) Close() error {
	if h == nil {
		return nil
	}
	signal.Stop(h.sig)
	close(h.stop)
	<-h.done
	return h.write()
}

// write collects garbage, so that the profile's in-use figures are current,
// and replaces the file at h.path with the heap profile (a reader never sees
// a partial one).
func (h *heapProfiler) write() error {
	runtime.GC()
	tmp, err := os.CreateTemp(filepath.Dir(h.path), filepath.Base(h.path)+".*")
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	if err := pprof.Lookup("heap").WriteTo(tmp, 0); err != nil {
		tmp.Close()
		return fmt.Errorf("heap profile: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	if err := os.Rename(tmp.Name(), h.path); err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	return nil
}
