package sioclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

var (
	// ErrAckTimeout is wrapped by the error of an ack that did not come in
	// time (the reference client's "operation has timed out").
	ErrAckTimeout = errors.New("ack timed out")
	// ErrDisconnected is wrapped by the error of an ack still awaited when
	// the socket disconnected.
	ErrDisconnected = errors.New("socket has been disconnected")
	// ErrNotConnected is returned for a volatile emit while the socket is
	// not connected: volatile packets are dropped rather than buffered.
	ErrNotConnected = errors.New("socket is not connected")
	// ErrClosed is returned once the Manager has been closed.
	ErrClosed = errors.New("sioclient: manager closed")
	// ErrAlreadyReplied is returned by a second Reply to one ack request.
	ErrAlreadyReplied = errors.New("sioclient: ack already answered")
	// ErrReservedEvent is returned for an emit of a name the protocol
	// reserves, such as "connect".
	ErrReservedEvent = errors.New("sioclient: reserved event name")
)

// DisconnectedError is the error of an emit whose ack was still awaited
// when the socket disconnected: why it did, and the error behind that
// when there is one (a WebSocket closed for a message too big, an HTTP
// 413, a ping timeout). It wraps ErrDisconnected.
type DisconnectedError struct {
	Namespace string
	Reason    string // the disconnect reason, such as "transport close"
	Err       error  // the cause, when known
}

func (e *DisconnectedError) Error() string {
	s := fmt.Sprintf("%s on %s: %s", ErrDisconnected, e.Namespace, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *DisconnectedError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrDisconnected}
	}
	return []error{ErrDisconnected, e.Err}
}

// AckTimeoutError is the error of an emit whose ack did not arrive in time.
type AckTimeoutError struct {
	Namespace string
	Event     string
	Timeout   time.Duration // of the last try
	Tries     int           // with SocketOptions.Retries: how many sends it took; else 0
}

func (e *AckTimeoutError) Error() string {
	if e.Tries > 1 {
		return fmt.Sprintf("sioclient: no ack for %q on %s within %v, %d times", e.Event, e.Namespace, e.Timeout, e.Tries)
	}
	return fmt.Sprintf("sioclient: no ack for %q on %s within %v", e.Event, e.Namespace, e.Timeout)
}

func (e *AckTimeoutError) Unwrap() error { return ErrAckTimeout }

// ConnectError is the server's refusal of a namespace connection (a
// CONNECT_ERROR packet), from middleware or for an unknown namespace.
type ConnectError struct {
	Namespace string
	// Message is the error's message ("Not authorized").
	Message string
	// Data is the error's data as the server sent it (JSON), nil when none.
	Data json.RawMessage
	// Raw is the packet's whole payload as the server sent it.
	Raw json.RawMessage
}

func (e *ConnectError) Error() string {
	s := "sioclient: the server refused " + e.Namespace
	if e.Message != "" {
		s += ": " + e.Message
	}
	if len(e.Data) > 0 {
		s += " " + string(e.Data)
	}
	return s
}

// parseConnectError reads a CONNECT_ERROR payload: {"message":…,"data":…}
// from servers 3.x and 4.x, a string or such an object from 2.x.
func parseConnectError(nsp string, payload json.RawMessage) *ConnectError {
	e := &ConnectError{Namespace: nsp, Raw: payload}
	var s string
	if json.Unmarshal(payload, &s) == nil {
		e.Message = s
		return e
	}
	var obj struct {
		Message *string         `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	if json.Unmarshal(payload, &obj) == nil {
		if obj.Message == nil {
			// A 2.x server sends only err.data when middleware set it.
			e.Data = payload
			return e
		}
		e.Message, e.Data = *obj.Message, obj.Data
		return e
	}
	e.Message = string(payload)
	return e
}

// WaitError is how a Connect whose context ended first says so: Err is
// the context's error (errors.Is(err, context.DeadlineExceeded) holds),
// Last what the last connection attempt failed with.
type WaitError struct {
	Err  error
	Last error
}

func (e *WaitError) Error() string {
	what := "no connection in time"
	if errors.Is(e.Err, context.Canceled) {
		what = "the wait for a connection was cancelled"
	}
	return what + "; the last attempt: " + e.Last.Error()
}

func (e *WaitError) Unwrap() []error { return []error{e.Err, e.Last} }

// GaveUpError is how a Manager that spent Options.ReconnectAttempts
// without connecting ends, around the last attempt's error.
type GaveUpError struct {
	Attempts int
	Err      error
}

func (e *GaveUpError) Error() string {
	return fmt.Sprintf("gave up after %d reconnection attempts, the last: %v", e.Attempts, e.Err)
}

func (e *GaveUpError) Unwrap() error { return e.Err }
