//go:build unix

package cmd

import (
	"os"

	"golang.org/x/sys/unix"
)

// inForeground reports whether the process may read the terminal on
// standard input: false when a shell started it in the background, where
// reading would stop it.
func inForeground() bool {
	pgrp, err := unix.IoctlGetInt(int(os.Stdin.Fd()), unix.TIOCGPGRP)
	return err != nil || pgrp == unix.Getpgrp()
}
