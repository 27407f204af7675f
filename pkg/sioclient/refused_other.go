//go:build !windows

package sioclient

import (
	"errors"
	"syscall"
)

// connRefused says whether err is a connection the other end refused.
func connRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }
