package wire

import "encoding/json"

// Transport names an Engine.IO transport, as the transport query
// parameter and the handshake's upgrades say it.
type Transport string

// The transports.
const (
	Polling   Transport = "polling"
	WebSocket Transport = "websocket"
)

// The query parameters of every Engine.IO request.
const (
	QueryEIO       = "EIO"       // the protocol version: 3 or 4
	QueryTransport = "transport" // polling or websocket
	QuerySID       = "sid"       // the session, after the handshake
	QueryTimestamp = "t"         // a cache buster on polling requests
	QueryBase64    = "b64"       // 1: the client takes binary as base64 text
)

// ErrorCode is an engine.io server's error code, sent in JSON error
// bodies such as {"code":1,"message":"Session ID unknown"}.
type ErrorCode int

// The error codes engine.io servers send.
const (
	CodeTransportUnknown   ErrorCode = 0
	CodeUnknownSID         ErrorCode = 1
	CodeBadHandshakeMethod ErrorCode = 2
	CodeBadRequest         ErrorCode = 3
	CodeForbidden          ErrorCode = 4
	CodeUnsupportedVersion ErrorCode = 5
	// CodeNone stands for a body that was not an engine.io error.
	CodeNone ErrorCode = -1
)

var codeMessages = map[ErrorCode]string{
	CodeTransportUnknown:   "Transport unknown",
	CodeUnknownSID:         "Session ID unknown",
	CodeBadHandshakeMethod: "Bad handshake method",
	CodeBadRequest:         "Bad request",
	CodeForbidden:          "Forbidden",
	CodeUnsupportedVersion: "Unsupported protocol version",
}

// Message is the message engine.io sends with the code.
func (c ErrorCode) Message() string { return codeMessages[c] }

// CodeOf returns the code whose message msg is, as engine.io writes it in
// place of a JSON body when it refuses a WebSocket upgrade.
func CodeOf(msg string) (ErrorCode, bool) {
	for c, m := range codeMessages {
		if m == msg {
			return c, true
		}
	}
	return CodeNone, false
}

// ParseErrorBody reads an engine.io error body such as
// {"code":1,"message":"Session ID unknown"}: its code and message, and
// false when body is not one.
func ParseErrorBody(body []byte) (ErrorCode, string, bool) {
	var v struct {
		Code    *int   `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &v) != nil || v.Code == nil {
		return CodeNone, "", false
	}
	return ErrorCode(*v.Code), v.Message, true
}

// CloseReason says why an Engine.IO session ended, in the words the
// reference client and server use.
type CloseReason string

// The reasons a session ends.
const (
	ReasonForcedClose    CloseReason = "forced close"    // closed on purpose, by this side
	ReasonPingTimeout    CloseReason = "ping timeout"    // the heartbeat stopped
	ReasonTransportClose CloseReason = "transport close" // the peer closed the session or the connection
	ReasonTransportError CloseReason = "transport error" // a request or the connection failed
	ReasonParseError     CloseReason = "parse error"     // the peer sent bytes that do not decode
	// The server's own.
	ReasonServerShutdown   CloseReason = "server shutting down"
	ReasonInvalidHeartbeat CloseReason = "invalid heartbeat direction" // an Engine.IO 4 client pinged
)
