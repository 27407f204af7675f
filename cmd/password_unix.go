//go:build linux || darwin || freebsd || netbsd || openbsd

package cmd

import (
	"os"

	"golang.org/x/sys/unix"
)

// readPassword reads a line from the terminal f without echoing it.
func readPassword(f *os.File) (string, error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return "", err
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &quiet); err != nil {
		return "", err
	}
	defer unix.IoctlSetTermios(fd, ioctlSetTermios, old)
	return readLine(f)
}
