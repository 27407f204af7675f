package sioclient

import (
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/engineio/wire"
)

// LifecycleType is a kind of lifecycle event.
type LifecycleType int

// Lifecycle events, named as the reference client names them.
const (
	LifecycleOpen             LifecycleType = iota + 1 // the Engine.IO session opened
	LifecycleError                                     // a connection attempt failed (Err)
	LifecyclePing                                      // a heartbeat (RTT when measurable)
	LifecycleClose                                     // the Engine.IO session closed (Reason, Err)
	LifecycleReconnectAttempt                          // attempt Attempt begins
	LifecycleReconnect                                 // attempt Attempt succeeded
	LifecycleReconnectError                            // an attempt failed (Err)
	LifecycleReconnectFailed                           // no attempts left
	LifecycleUpgrade                                   // the transport changed (From, To)
	LifecycleUpgradeError                              // the upgrade failed; still polling (Err)
	LifecycleConnect                                   // a namespace connected (Namespace, SocketID, Recovered)
	LifecycleConnectError                              // a namespace could not connect (Err: *ConnectError when refused)
	LifecycleDisconnect                                // a namespace disconnected (Reason)
)

var lifecycleNames = [...]string{"", "open", "error", "ping", "close", "reconnect_attempt", "reconnect",
	"reconnect_error", "reconnect_failed", "upgrade", "upgrade_error", "connect", "connect_error", "disconnect"}

// String returns the event's name, such as "reconnect_attempt".
func (t LifecycleType) String() string {
	if int(t) < len(lifecycleNames) {
		return lifecycleNames[t]
	}
	return "unknown"
}

// Disconnect and close reasons, in the reference client's words.
const (
	ReasonServerDisconnect = codec.ReasonServerDisconnect // the server sent DISCONNECT: no reconnection
	ReasonClientDisconnect = codec.ReasonClientDisconnect // Disconnect or Close was called: no reconnection
	ReasonPingTimeout      = string(wire.ReasonPingTimeout)
	ReasonTransportClose   = string(wire.ReasonTransportClose)
	ReasonTransportError   = string(wire.ReasonTransportError)
	ReasonParseError       = string(wire.ReasonParseError)
	ReasonForcedClose      = string(wire.ReasonForcedClose)
)

// Lifecycle is one lifecycle event of a Manager or one of its sockets.
type Lifecycle struct {
	Type      LifecycleType
	Time      time.Time
	Namespace string // socket events
	SocketID  string // connect
	Recovered bool   // connect: the server restored the session's state
	Reason    string // close, disconnect
	Err       error
	Attempt   int           // reconnect_attempt, reconnect
	RTT       time.Duration // ping, when measurable (Engine.IO 3)
	From, To  engineio.Transport
	// Session describes the Engine.IO session (open).
	Session *Session
}

// Session describes the Engine.IO session under a Manager.
type Session struct {
	SID       string
	Engine    engineio.Version
	Protocol  codec.Version
	Transport engineio.Transport
	Handshake engineio.Handshake
}

// Event is an event the server emitted.
type Event struct {
	Time      time.Time
	Namespace string
	Name      string
	// Packet is the whole packet as decoded: Packet.Data is the JSON array
	// of the name and the arguments exactly as the server sent them, and
	// Packet.Attachments the binary blobs its placeholders name.
	Packet *codec.Packet
	// Ack is set when the server asked for an ack.
	Ack *AckRequest
}

// Args returns the arguments after the event's name, as the server sent
// them; a binary argument is a placeholder object naming its attachment.
func (e *Event) Args() []json.RawMessage {
	args, _ := e.Packet.Args() // the decoder checked it is an array
	if len(args) > 0 {
		args = args[1:]
	}
	return args
}

// AckRequest is the server's request for an ack of one event.
type AckRequest struct {
	ID      uint64
	s       *Socket
	replied atomic.Bool
}

// Reply sends the ack with args (as for Emit). It may be called once.
func (r *AckRequest) Reply(args ...any) error {
	if r.replied.Swap(true) {
		return ErrAlreadyReplied
	}
	return r.s.sendAck(r.ID, args)
}

// Replied reports whether Reply was called.
func (r *AckRequest) Replied() bool { return r.replied.Load() }

// Ack is the server's answer to an emit.
type Ack struct {
	// Packet is the ACK packet: Packet.Data is the JSON array of the
	// ack's arguments as the server sent them.
	Packet *codec.Packet
	// RTT is the round trip: the time from the write that carried the
	// emit (its POST or WebSocket frame) to the ack arriving.
	RTT time.Duration
	// Held is how long the emit waited in the client before that write:
	// behind the write before it, while an upgrade switched transports, or
	// buffered while the socket was not connected.
	Held time.Duration
}

// Args returns the ack's arguments as the server sent them.
func (a *Ack) Args() []json.RawMessage {
	args, _ := a.Packet.Args()
	return args
}
