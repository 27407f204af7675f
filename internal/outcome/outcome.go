// Package outcome names the ways a command's work can end, so that the
// packages below cmd say what happened and cmd alone turns it into an
// exit code.
package outcome

import (
	"errors"
	"fmt"
)

// Kind is how a piece of work ended.
type Kind int

const (
	// OK is success.
	OK Kind = iota
	// Failed is any failure not named below.
	Failed
	// Usage is a wrong invocation: a bad flag, argument, JSON, URL or
	// script line.
	Usage
	// Unreachable is a failure to connect: network, TLS, handshake,
	// transport.
	Unreachable
	// Refused is a namespace connect the server refused.
	Refused
	// Timeout is an awaited ack or event that did not come in time.
	Timeout
	// Expectation is a check that did not hold (a script's expectation,
	// a problem the doctor found).
	Expectation
)

var names = [...]string{"ok", "failed", "usage", "unreachable", "refused", "timeout", "expectation"}

func (k Kind) String() string {
	if int(k) < len(names) {
		return names[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is a failure of a known kind. Its text is its cause's.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// New marks err as a failure of kind.
func New(kind Kind, err error) error { return &Error{Kind: kind, Err: err} }

// Errorf is New with a formatted error; %w wraps as in fmt.Errorf.
func Errorf(kind Kind, format string, a ...any) error {
	return &Error{Kind: kind, Err: fmt.Errorf(format, a...)}
}

// KindOf returns the kind of the outermost *Error in err's chain, and
// false when there is none.
func KindOf(err error) (Kind, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind, true
	}
	return Failed, false
}
