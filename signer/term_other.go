//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package signer

import "io"

// disableEcho cannot control echo on this platform: the passphrase is read
// as a plain line (and is echoed if typed on a terminal).
func disableEcho(io.Reader) (restore func() error, err error) { return nil, nil }
