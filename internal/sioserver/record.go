package sioserver

import (
	"encoding/json"
	"time"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio/wire"
)

// RecordType says what a Record reports.
type RecordType int

// The kinds of Record.
const (
	RecordConnection   RecordType = iota // a client opened an Engine.IO session
	RecordConnect                        // a client joined a namespace
	RecordConnectError                   // a namespace connect was refused
	RecordEvent                          // a client sent an event
	RecordAck                            // a client answered an event the server asked an ack for
	RecordUpgrade                        // a client moved from polling to WebSocket
	RecordDisconnect                     // a client left a namespace
	RecordClose                          // a client's session ended
	RecordError                          // a client sent something wrong
	RecordJoin                           // a socket joined a room
	RecordLeave                          // a socket left a room
)

var recordNames = [...]string{"connection", "connect", "connect_error", "event", "ack", "upgrade", "disconnect", "close", "error", "join", "leave"}

// String returns the name printed for the type, such as "connect".
func (t RecordType) String() string { return recordNames[t] }

// Record is one thing the server saw. Which fields are set depends on
// Type.
type Record struct {
	Time      time.Time
	Type      RecordType
	Client    string // the client's Engine.IO session id
	Namespace string
	SocketID  string // the client's id on Namespace
	// Packet is the event or ack as received (RecordEvent, RecordAck).
	Packet *codec.Packet
	// Event names the event a RecordAck answers; RTT is how long it took.
	Event string
	RTT   time.Duration
	// Transport, Engine and Remote describe a new session (RecordConnection).
	Transport wire.Transport
	Engine    wire.Version
	Remote    string
	From, To  wire.Transport // RecordUpgrade
	Reason    string         // RecordDisconnect, RecordClose
	Room      string         // RecordJoin, RecordLeave
	// Auth is the payload of a namespace connect, or for protocol 4 its
	// query parameters.
	Auth json.RawMessage
	// Message and Data are the refusal sent (RecordConnectError).
	Message string
	Data    json.RawMessage
	Err     error // RecordError, RecordClose
}
