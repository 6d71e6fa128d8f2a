//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package signer

import (
	"io"

	"golang.org/x/sys/unix"
)

// disableEcho turns echo off on r if r is a terminal and returns the function
// that restores its previous state; for anything else it returns nil, nil.
func disableEcho(r io.Reader) (restore func() error, err error) {
	f, ok := r.(interface{ Fd() uintptr })
	if !ok {
		return nil, nil
	}
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, nil // not a terminal
	}
	t := *old
	t.Lflag &^= unix.ECHO
	t.Lflag |= unix.ICANON | unix.ISIG
	t.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &t); err != nil {
		return nil, err
	}
	return func() error { return unix.IoctlSetTermios(fd, ioctlSetTermios, old) }, nil
}
