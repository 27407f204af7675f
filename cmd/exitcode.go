package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/pkg/sioclient"
)

// Exit codes, documented in the README. Every error a command returns maps
// to one of them here and nowhere else.
const (
	ExitOK          = 0
	ExitError       = 1 // any other error
	ExitUsage       = 2 // a bad flag, argument, JSON or URL
	ExitConnect     = 3 // could not connect: network, TLS, handshake, transport
	ExitRefused     = 4 // the server refused the namespace (connect_error)
	ExitTimeout     = 5 // an ack or an awaited event did not come in time
	ExitCheckFailed = 6 // a check failed (run, doctor)
)

// usageError marks an error as the user's invocation being wrong.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return &usageError{fmt.Errorf(format, a...)} }

// connectError marks a failure to connect.
type connectError struct{ err error }

func (e *connectError) Error() string { return "could not connect: " + e.err.Error() }
func (e *connectError) Unwrap() error { return e.err }

// quietError is an error whose causes were already reported as they
// happened; code is its exit code (ExitError when 0).
type quietError struct {
	err  error
	code int
}

func (e *quietError) Error() string { return e.err.Error() }

// timeoutError is an awaited event that did not come in time.
type timeoutError struct{ what string }

func (e *timeoutError) Error() string { return e.what }

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	var ue *usageError
	var ce *sioclient.ConnectError
	var cerr *connectError
	var at *sioclient.AckTimeoutError
	var te *timeoutError
	var q *quietError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &q) && q.code != 0:
		return q.code
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &ce):
		return ExitRefused
	case errors.As(err, &at), errors.As(err, &te):
		return ExitTimeout
	case errors.As(err, &cerr):
		return ExitConnect
	}
	return ExitError
}

// checkArgs wraps a cobra argument validator so that its complaints are
// usage errors.
func checkArgs(v func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	return func(c *cobra.Command, args []string) error {
		if err := v(c, args); err != nil {
			return &usageError{err}
		}
		return nil
	}
}

// connectFailure classifies the error of a socket's Connect: a refusal by
// the server stays a *sioclient.ConnectError, anything else is a failure to
// connect, which took at most timeout.
func connectFailure(err error, timeout time.Duration) error {
	var ce *sioclient.ConnectError
	if errors.As(err, &ce) {
		return ce
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &connectError{fmt.Errorf("gave up after %v: %w", timeout, err)}
	}
	return &connectError{err}
}

// describe returns the line that tells the user what went wrong.
func describe(err error) string { return output.Describe(err) }
