package codec

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Type is a Socket.IO packet type.
type Type byte

// The seven Socket.IO packet types.
const (
	Connect      Type = 0
	Disconnect   Type = 1
	Event        Type = 2
	Ack          Type = 3
	ConnectError Type = 4 // named ERROR in protocol revision 4
	BinaryEvent  Type = 5
	BinaryAck    Type = 6
)

var typeNames = [...]string{"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT", "BINARY_ACK"}

// String returns the protocol's name of the type, such as "BINARY_EVENT".
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", byte(t))
}

// Valid reports whether t is one of the seven packet types.
func (t Type) Valid() bool { return t <= BinaryAck }

// IsBinary reports whether t is BINARY_EVENT or BINARY_ACK.
func (t Type) IsBinary() bool { return t == BinaryEvent || t == BinaryAck }

// Version is a Socket.IO protocol revision.
type Version int

const (
	// V4 is the protocol of Socket.IO servers 1.x and 2.x (Engine.IO 3).
	V4 Version = 4
	// V5 is the protocol of Socket.IO servers 3.x and 4.x (Engine.IO 4).
	V5 Version = 5
)

// String returns "v4" or "v5".
func (v Version) String() string { return fmt.Sprintf("v%d", int(v)) }

// RootNamespace is the namespace every server has.
const RootNamespace = "/"

// reservedEvents are the event names the reference implementation keeps for
// itself: a peer may not emit them.
var reservedEvents = map[string]bool{
	"connect":        true,
	"connect_error":  true,
	"disconnect":     true,
	"disconnecting":  true,
	"newListener":    true,
	"removeListener": true,
}

// IsReservedEvent reports whether name is an event name that neither side may
// emit, such as "connect" or "disconnect".
func IsReservedEvent(name string) bool { return reservedEvents[name] }

// Packet is one Socket.IO packet.
//
// Data is the payload exactly as it travels: for EVENT and ACK a JSON array,
// for CONNECT an optional object (the auth payload), for CONNECT_ERROR an
// object or a string, for DISCONNECT nothing. Binary blobs sit in
// Attachments, referenced from Data by placeholder objects.
type Packet struct {
	Type Type
	// Namespace is the namespace the packet belongs to; "" means "/". In
	// protocol revision 4 a CONNECT's namespace may carry a query string
	// ("/admin?token=x").
	Namespace string
	// ID is the ack id, meaningful only when HasID is set. 0 is a valid id.
	ID    uint64
	HasID bool
	// Data is the raw JSON payload, nil when there is none.
	Data json.RawMessage
	// Attachments are the binary blobs of a BINARY_EVENT or BINARY_ACK, in
	// placeholder order.
	Attachments [][]byte
}

// Nsp returns the packet's namespace, "/" when Namespace is empty.
func (p *Packet) Nsp() string {
	if p.Namespace == "" {
		return RootNamespace
	}
	return p.Namespace
}

// EventName returns the name of an EVENT or BINARY_EVENT packet: its first
// argument, which the protocol lets be a string or a number (returned as its
// JSON text).
func (p *Packet) EventName() (string, error) {
	if p.Type != Event && p.Type != BinaryEvent {
		return "", fmt.Errorf("codec: %s packet has no event name", p.Type)
	}
	first, _, err := firstElement(p.Data)
	if err != nil {
		return "", err
	}
	if len(first) > 0 && first[0] == '"' {
		if inner := first[1 : len(first)-1]; bytes.IndexByte(inner, '\\') < 0 {
			return string(inner), nil
		}
		var s string
		if err := json.Unmarshal(first, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	return string(first), nil
}

// Args returns the elements of Data, which must be a JSON array, without
// decoding them. For an event the first element is the event name.
func (p *Packet) Args() ([]json.RawMessage, error) {
	return SplitArray(p.Data)
}

// String renders the packet in its wire form, attachments summarised, for
// logs and error messages.
func (p *Packet) String() string {
	s := string(appendHeader(nil, p))
	s += string(p.Data)
	if len(p.Attachments) > 0 {
		s += fmt.Sprintf(" +%d binary", len(p.Attachments))
	}
	return s
}
