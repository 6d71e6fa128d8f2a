package signer

import "golang.org/x/sys/unix"

// ioctl requests that read and set terminal attributes.
const (
	ioctlGetTermios = unix.TCGETS
	ioctlSetTermios = unix.TCSETS
)
