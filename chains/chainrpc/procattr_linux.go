//go:build linux

package chainrpc

import (
	"os/exec"
	"syscall"
)

// dieWithHost makes the kernel SIGKILL the plugin started by cmd when the
// host dies, even by SIGKILL, so that no plugin outlives its host still
// holding its submitter key and RPC connections (PR_SET_PDEATHSIG, set by
// Go in the child between fork and exec).
//
// SECURITY: the parent-death signal is tied to the thread that forked the
// child, not to the process (see go.dev/issue/27505 and the doc of
// syscall.SysProcAttr.Pdeathsig). Go forks from whichever OS thread the
// goroutine calling cmd.Start runs on, and it ends an OS thread when a
// goroutine exits while locked to it with runtime.LockOSThread; if that
// happens to the thread that forked a plugin, the kernel kills the plugin
// while the host still runs. That failure is loud and safe (the supervisor
// logs the exit and restarts the plugin), and nothing the host links on
// Linux exits a locked thread today. The opposite failure, a plugin that
// outlives its host, is what this guards against, and the signal alone does
// not cover every case: it does not exist outside Linux, the kernel clears
// it when the plugin binary is set-user-ID, set-group-ID or has file
// capabilities, and it reaches only the host's direct child (not a plugin
// started through a wrapper). Serve therefore also watches its parent on the
// plugin side and exits by itself once it has been reparented (see
// watchParent), noticing within parentPoll of the host's death whatever
// killed the host and however the plugin was started.
func dieWithHost(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
