//go:build unix

package cmd

import (
	"golang.org/x/sys/unix"

	"github.com/siocli/sio/internal/outcome"
)

// raiseFileLimit raises the soft limit on open files to what clients
// need (a WebSocket client holds one connection, a polling one two, and
// three during an upgrade; plus some for the process), or says, before
// anything connects, that the hard limit is too low.
func raiseFileLimit(clients int, websocketOnly bool) error {
	per := uint64(3)
	if websocketOnly {
		per = 1
	}
	need := uint64(clients)*per + 64
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return nil // nothing to go by: let the dials say
	}
	if lim.Cur >= need {
		return nil
	}
	if lim.Max < need {
		// Two connections each is enough once the upgrades are done.
		if least := uint64(clients)*min(per, 2) + 64; lim.Max >= least {
			need = lim.Max
		} else {
			return outcome.Errorf(outcome.Failed, "%d clients need about %d open files; the limit is %d (raise it with ulimit -n %d, or run fewer clients per --shard)", clients, least, lim.Max, least)
		}
	}
	was := lim.Cur
	lim.Cur = need
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return outcome.Errorf(outcome.Failed, "%d clients need about %d open files; could not raise the limit from %d: %v (try ulimit -n %d)", clients, need, was, err, need)
	}
	return nil
}
