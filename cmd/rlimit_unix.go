//go:build unix

package cmd

import (
	"golang.org/x/sys/unix"
)

// raiseFileLimit raises the soft limit on open files to what clients
// need (each may hold up to three connections during an upgrade, plus
// some for the process), or says, before anything connects, that the
// hard limit is too low.
func raiseFileLimit(clients int) error {
	need := uint64(clients)*3 + 64
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return nil // nothing to go by: let the dials say
	}
	if lim.Cur >= need {
		return nil
	}
	if lim.Max < need {
		// Two connections each is enough once the upgrades are done.
		if min := uint64(clients)*2 + 64; lim.Max >= min {
			need = lim.Max
		} else {
			return usagef("%d clients need about %d open files; the limit is %d (raise it with ulimit -n %d, or run fewer clients per --shard)", clients, min, lim.Max, min)
		}
	}
	was := lim.Cur
	lim.Cur = need
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return usagef("%d clients need about %d open files; could not raise the limit from %d: %v (try ulimit -n %d)", clients, need, was, err, need)
	}
	return nil
}
