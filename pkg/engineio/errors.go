package engineio

import (
	"github.com/siocli/sio/pkg/engineio/wire"

	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrClosed is returned by Write after the connection was closed by Close.
var ErrClosed = errors.New("engineio: connection closed")

// ErrRecordSeparator is returned by Write for a text message holding the
// byte 0x1e while an Engine.IO 4 session is on polling, where that byte
// separates packets: the server would cut the message in two and drop the
// session. Over WebSocket it travels as any other byte.
var ErrRecordSeparator = errors.New("engineio: text holding the record separator 0x1e cannot travel over Engine.IO 4 long-polling; use WebSocket")

// ErrTooLarge is wrapped by a ProtocolError when the server sends more than
// Options.ReadLimit in one response or frame.
var ErrTooLarge = errors.New("message exceeds the read limit")

// HTTPError is an HTTP answer the protocol did not expect: a refused
// handshake, a polling request rejected with an error code, a WebSocket
// handshake that did not switch protocols.
type HTTPError struct {
	Op         string // "handshake", "poll", "post" or "websocket"
	URL        string
	StatusCode int
	Status     string
	Header     http.Header
	Body       []byte // the start of the body (up to 4 KiB)
	// Code and Message come from an engine.io error body such as
	// {"code":1,"message":"Session ID unknown"}; Code is wire.CodeNone
	// when the body was not one.
	Code    wire.ErrorCode
	Message string
	// AfterSwitch is set when the server answered 101 Switching Protocols
	// and then wrote this HTTP response into the WebSocket stream, as
	// engine.io does when it rejects the protocol version of a WebSocket.
	AfterSwitch bool
}

const maxErrorBody = 4096

func newHTTPError(op, url string, resp *http.Response, body []byte) *HTTPError {
	if len(body) > maxErrorBody {
		body = body[:maxErrorBody]
	}
	e := &HTTPError{Op: op, URL: url, StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header, Body: body, Code: wire.CodeNone}
	e.parseBody()
	return e
}

// parseBody fills Code and Message from a JSON error body, or Message from a
// short plain-text one.
func (e *HTTPError) parseBody() {
	if code, msg, ok := wire.ParseErrorBody(e.Body); ok {
		e.Code, e.Message = code, msg
		return
	}
	if s := strings.TrimSpace(string(e.Body)); len(s) < 200 && !strings.ContainsAny(s, "<\n") {
		e.Message = s
		// engine.io refuses a WebSocket upgrade with its error message as
		// plain text, not JSON: the message still names the code.
		if code, ok := wire.CodeOf(s); ok {
			e.Code = code
		}
	}
}

func (e *HTTPError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "engineio: %s: ", e.Op)
	if e.AfterSwitch {
		b.WriteString("server switched protocols, then answered ")
	}
	if e.Status != "" {
		fmt.Fprintf(&b, "HTTP %s", e.Status)
	} else {
		fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Code >= 0 {
		fmt.Fprintf(&b, " (engine.io code %d)", e.Code)
	}
	return b.String()
}

// TooLargeError is a message Write refused because it is larger than the
// server's maxPayload, which would end the session.
type TooLargeError struct {
	Size, Limit int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("engineio: the message is %d bytes, more than the %d the server takes (its maxPayload)", e.Size, e.Limit)
}

// RedirectError is a redirect sio did not follow: one that leaves the
// server's origin, or of a POST.
type RedirectError struct {
	Status int
	// From and Location are the URLs redirected from and to, their
	// credentials redacted (RedactURL).
	From     string
	Location string
	Why      string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("engineio: HTTP %d redirect to %s not followed: %s", e.Status, e.Location, e.Why)
}

// HeartbeatStuckError explains a session that ended while the heartbeat
// packet the server waits for (Packet: "pong", or "ping" in Engine.IO 3)
// was stuck behind a large message: the server's ping timeout most likely
// ran out, because the link carries the message too slowly.
type HeartbeatStuckError struct {
	Packet      string
	PingTimeout time.Duration // the server's, from its handshake
	// Queued: the packet never left sio, waiting Waited behind a write of
	// Size bytes going out for Sending. Otherwise it left Waited before
	// the end, behind Size bytes the socket had not delivered yet.
	Queued bool
	// Ours: sio gave up (Engine.IO 3 waits for a pong), not the server.
	Ours    bool
	Waited  time.Duration
	Size    int
	Sending time.Duration
	Err     error // how the session ended
}

func (e *HeartbeatStuckError) Error() string {
	var what string
	if e.Queued {
		what = fmt.Sprintf("the %s waited %v behind a %d-byte message still being sent after %v", e.Packet, e.Waited.Round(time.Millisecond), e.Size, e.Sending.Round(time.Millisecond))
	} else {
		what = fmt.Sprintf("the %s sent %v before the end was queued behind %d bytes not yet delivered", e.Packet, e.Waited.Round(time.Millisecond), e.Size)
	}
	if e.Ours {
		return fmt.Sprintf("no pong within pingTimeout (%v), most likely because %s; send less at a time or ask for a longer pingTimeout", e.PingTimeout, what)
	}
	return fmt.Sprintf("the server's ping timeout (%v), most likely: %s; send less at a time or ask for a longer pingTimeout (%v)", e.PingTimeout, what, e.Err)
}

func (e *HeartbeatStuckError) Unwrap() error { return e.Err }

// LegacyUTF8Error explains an Engine.IO 3 session the server ended just
// after text beyond ASCII went to it over polling: engine.io 1.x
// (socket.io 1.x) does so with text that is not UTF-8 encoded twice, as
// it sends and expects over polling (Options.LegacyUTF8).
type LegacyUTF8Error struct {
	Err error // how the session ended
}

func (e *LegacyUTF8Error) Error() string {
	return fmt.Sprintf("the server ended the session just after text beyond ASCII went to it over polling, as engine.io 1.x (socket.io 1.x) does unless that text is UTF-8 encoded twice (%v)", e.Err)
}

func (e *LegacyUTF8Error) Unwrap() error { return e.Err }

// ProtocolError is a server answer that does not follow the Engine.IO
// protocol: garbage where a packet was due, a missing or bad handshake, a
// payload over the read limit.
type ProtocolError struct {
	Op   string // what was being read, such as "handshake" or "poll"
	Err  error
	Data []byte // the start of what the server sent (up to 256 bytes)
}

func newProtocolError(op string, err error, data []byte) *ProtocolError {
	if len(data) > 256 {
		data = data[:256]
	}
	return &ProtocolError{Op: op, Err: err, Data: append([]byte(nil), data...)}
}

func (e *ProtocolError) Error() string {
	s := fmt.Sprintf("engineio: %s: %v", e.Op, e.Err)
	if len(e.Data) > 64 {
		s += fmt.Sprintf(" in %q…", e.Data[:64])
	} else if len(e.Data) > 0 {
		s += fmt.Sprintf(" in %q", e.Data)
	}
	return s
}

func (e *ProtocolError) Unwrap() error { return e.Err }

// TransportError is a failure below the protocol: the network, TLS, a
// connection closed by the peer.
type TransportError struct {
	Op        string
	Transport Transport
	Err       error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("engineio: %s over %s: %v", e.Op, e.Transport, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// CloseReason says why a session ended, in the reference client's words.
type CloseReason = wire.CloseReason

// The reasons a client's session ends.
const (
	ReasonForcedClose    = wire.ReasonForcedClose    // Close was called
	ReasonPingTimeout    = wire.ReasonPingTimeout    // the heartbeat stopped
	ReasonTransportClose = wire.ReasonTransportClose // the server closed the session or the connection
	ReasonTransportError = wire.ReasonTransportError // a request or the connection failed
	ReasonParseError     = wire.ReasonParseError     // the server sent bytes that do not decode
)

// CloseError is what Read returns once the session has ended: the reason,
// and the error behind it when there is one.
type CloseError struct {
	Reason CloseReason
	Err    error
}

func (e *CloseError) Error() string {
	if e.Err == nil {
		return "engineio: session closed: " + string(e.Reason)
	}
	return fmt.Sprintf("engineio: session closed: %s: %v", e.Reason, e.Err)
}

func (e *CloseError) Unwrap() error { return e.Err }
