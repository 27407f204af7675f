//go:build unix

package cmd

import (
	"os/exec"
	"syscall"
)

// killGroup makes cmd the leader of a process group of its own, and its
// cancellation kill the whole group: a helper run as sh -c 'a | b' takes
// its children with it.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
