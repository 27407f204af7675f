//go:build !linux

package engineio

import "net"

// unsentBytes is known on Linux only.
func unsentBytes(net.Conn) (int, bool) { return 0, false }
