//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package signer

import "golang.org/x/sys/unix"

// ioctl requests that read and set terminal attributes.
const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
)
