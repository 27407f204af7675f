package cmd

import (
	"errors"

	"github.com/spf13/cobra"
)

// Exit codes, documented in the README. Every error a command returns maps
// to one of them here and nowhere else.
const (
	ExitOK    = 0
	ExitError = 1 // any other error
	ExitUsage = 2 // a bad flag, argument, JSON or URL
)

// usageError marks an error as the user's invocation being wrong.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return ExitUsage
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
