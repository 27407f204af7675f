package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/siocli/sio/internal/outcome"
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

// exitCodes maps each outcome to its exit code.
var exitCodes = map[outcome.Kind]int{
	outcome.OK:          ExitOK,
	outcome.Failed:      ExitError,
	outcome.Usage:       ExitUsage,
	outcome.Unreachable: ExitConnect,
	outcome.Refused:     ExitRefused,
	outcome.Timeout:     ExitTimeout,
	outcome.Expectation: ExitCheckFailed,
}

// usage marks an error as the user's invocation being wrong.
func usage(err error) error { return outcome.New(outcome.Usage, err) }

func usagef(format string, a ...any) error { return outcome.Errorf(outcome.Usage, format, a...) }

// unreachable marks a failure to connect.
func unreachable(err error) error {
	return outcome.Errorf(outcome.Unreachable, "could not connect: %w", err)
}

// quietError is an error whose causes were already reported as they
// happened, so that only its exit code is left to give.
type quietError struct{ err error }

func (e *quietError) Error() string { return e.err.Error() }
func (e *quietError) Unwrap() error { return e.err }

// quiet returns a quietError of kind.
func quiet(kind outcome.Kind, format string, a ...any) error {
	return &quietError{outcome.Errorf(kind, format, a...)}
}

// exitCode maps an error returned by a command to the process exit code:
// by its outcome kind when it has one, else by the client's typed errors.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	if k, ok := outcome.KindOf(err); ok {
		return exitCodes[k]
	}
	var ce *sioclient.ConnectError
	var at *sioclient.AckTimeoutError
	switch {
	case errors.As(err, &ce):
		return ExitRefused
	case errors.As(err, &at):
		return ExitTimeout
	}
	return ExitError
}

// checkArgs wraps a cobra argument validator so that its complaints are
// usage errors that name what is missing or too much, from the command's
// Use line.
func checkArgs(v func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	return func(c *cobra.Command, args []string) error {
		if err := v(c, args); err != nil {
			return usage(argsError(c, args, err))
		}
		return nil
	}
}

// argsError says which arguments of c's Use line ("replay FILE URL",
// "emit URL EVENT [ARG...]") are missing, or which given are too many; the
// validator's own error when the Use line cannot tell.
func argsError(c *cobra.Command, args []string, err error) error {
	words := strings.Fields(c.Use)[1:]
	var required []string
	optional, variadic := 0, false
	for _, w := range words {
		switch {
		case strings.Contains(w, "..."):
			variadic = true
		case w == "[options]":
		case strings.HasPrefix(w, "["):
			optional++
		default:
			required = append(required, w)
		}
	}
	line := strings.Join(append([]string{c.CommandPath()}, words...), " ")
	switch {
	case len(args) < len(required):
		return fmt.Errorf("missing %s (usage: %s)", strings.Join(required[len(args):], " "), line)
	case !variadic && len(args) > len(required)+optional:
		return fmt.Errorf("too many arguments: %q is more than it takes (usage: %s)", args[len(required)+optional], line)
	}
	return err
}

// connectFailure classifies the error of a socket's Connect: a refusal by
// the server stays a *sioclient.ConnectError, anything else is a failure to
// connect, which took at most timeout.
func connectFailure(err error, timeout time.Duration) error {
	var ce *sioclient.ConnectError
	if errors.As(err, &ce) {
		return ce
	}
	var oe *outcome.Error
	if errors.As(err, &oe) {
		return oe // a failure of the user's own, such as a credential helper's, said as it is
	}
	var ne net.Error
	var we *sioclient.WaitError
	if errors.As(err, &we) && errors.Is(we.Err, context.DeadlineExceeded) {
		err = we.Last // what the last attempt found says more than the wait's end
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() || we != nil {
		return unreachable(fmt.Errorf("gave up after %v: %w", timeout.Round(10*time.Millisecond), err))
	}
	return unreachable(err)
}

// describe returns the line that tells the user what went wrong.
func describe(err error) string { return output.Describe(err) }

// describeVisible is describe for a terminal: controls made visible.
func describeVisible(err error) string { return output.Visible(describe(err)) }
