//go:build !linux

package chainrpc

import "os/exec"

// dieWithHost does nothing outside Linux, which has no parent-death signal;
// there the plugin's own watch of its parent (see watchParent, run by Serve)
// ends a plugin whose host has died.
func dieWithHost(*exec.Cmd) {}
