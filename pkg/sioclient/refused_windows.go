package sioclient

import (
	"errors"
	"syscall"
)

// wsaeconnrefused is Windows' own code for a refused connection, which
// syscall.ECONNREFUSED does not match there.
const wsaeconnrefused = syscall.Errno(10061)

// connRefused says whether err is a connection the other end refused.
func connRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, wsaeconnrefused)
}
