//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package cmd

import (
	"errors"
	"os"
)

// readPassword cannot turn echo off here.
func readPassword(*os.File) (string, error) {
	return "", errors.New("cannot read a password without echo on this system: set SIO_ADMIN_PASSWORD or give --password-stdin")
}
