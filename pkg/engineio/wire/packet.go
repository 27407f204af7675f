package wire

import (
	"encoding/base64"
	"fmt"
)

// PacketType is an Engine.IO packet type.
type PacketType byte

// The Engine.IO packet types, the same in versions 3 and 4.
const (
	PacketOpen    PacketType = 0
	PacketClose   PacketType = 1
	PacketPing    PacketType = 2
	PacketPong    PacketType = 3
	PacketMessage PacketType = 4
	PacketUpgrade PacketType = 5
	PacketNoop    PacketType = 6
)

var packetTypeNames = [...]string{"open", "close", "ping", "pong", "message", "upgrade", "noop"}

// String returns the protocol's name of the type, such as "ping".
func (t PacketType) String() string {
	if int(t) < len(packetTypeNames) {
		return packetTypeNames[t]
	}
	return fmt.Sprintf("PacketType(%d)", byte(t))
}

// Packet is one Engine.IO packet. Only messages carry binary data.
type Packet struct {
	Type       PacketType
	Data       []byte
	Binary     bool
	NoCompress bool     // see Message
	Redacted   []byte   // see Message
	Sent       Notifier // see Message
}

// Message is the payload of one Engine.IO message packet: what a Conn reads
// and writes.
type Message struct {
	Data   []byte
	Binary bool
	// NoCompress keeps the message from being compressed on a WebSocket
	// that negotiated permessage-deflate (the reference client's
	// compress(false)). Messages under 1024 bytes are never compressed.
	NoCompress bool
	// Redacted, when set, is what a wire trace shows in place of Data,
	// which holds a secret: the layer above knows where its secrets are
	// (a CONNECT packet's auth payload), the trace does not.
	Redacted []byte
	// Sent, when set, is told each time the message is handed to the
	// network, so that the layer above can tell the time the message
	// waited in the client (an upgrade holds writes) from the time the
	// server took.
	Sent Notifier
}

// Notifier is told when a message goes out.
type Notifier interface {
	// MessageSent is called by the writing goroutine as the write that
	// carries the message starts (the POST, or the WebSocket frame), and
	// again if that write was refused and the message goes out later. It
	// must not block.
	MessageSent()
}

// Version is an Engine.IO protocol version.
type Version int

const (
	// VersionAuto finds out which version the server speaks.
	VersionAuto Version = 0
	// Version3 is Engine.IO 3 (engine.io ≤ 3.x, Socket.IO servers 1.x and 2.x,
	// and newer servers started with allowEIO3).
	Version3 Version = 3
	// Version4 is Engine.IO 4 (engine.io ≥ 4, Socket.IO servers 3.x and 4.x).
	Version4 Version = 4
)

// String returns "EIO3", "EIO4" or "auto".
func (v Version) String() string {
	if v == VersionAuto {
		return "auto"
	}
	return fmt.Sprintf("EIO%d", int(v))
}

// AppendText appends p in its text form, as a polling record or a WebSocket
// text frame carries it: the type digit and the data, or for binary data
// "b" and base64 (Engine.IO 3 puts the type digit after the "b").
func AppendText(dst []byte, p Packet, v Version) []byte {
	if p.Binary {
		dst = append(dst, 'b')
		if v == Version3 {
			dst = append(dst, '0'+byte(p.Type))
		}
		return base64.StdEncoding.AppendEncode(dst, p.Data)
	}
	dst = append(dst, '0'+byte(p.Type))
	return append(dst, p.Data...)
}

// TextLen is the length of p's text form in bytes.
func TextLen(p Packet, v Version) int {
	if p.Binary {
		n := 1 + base64.StdEncoding.EncodedLen(len(p.Data))
		if v == Version3 {
			n++
		}
		return n
	}
	return 1 + len(p.Data)
}

// DecodeText parses one packet in text form, as a polling payload record or a
// WebSocket text frame carries it. The returned data aliases b unless it was
// base64.
func DecodeText(b []byte, v Version) (Packet, error) {
	if len(b) == 0 {
		return Packet{}, errEmptyPacket
	}
	if b[0] == 'b' {
		t := PacketMessage
		rest := b[1:]
		if v == Version3 {
			if len(rest) == 0 {
				return Packet{}, errEmptyPacket
			}
			t = PacketType(rest[0] - '0')
			if !t.valid() {
				return Packet{}, fmt.Errorf("unknown packet type %q", rest[0])
			}
			rest = rest[1:]
		}
		data, err := base64.StdEncoding.AppendDecode(nil, rest)
		if err != nil {
			return Packet{}, fmt.Errorf("bad base64 in binary packet: %w", err)
		}
		return Packet{Type: t, Data: data, Binary: true}, nil
	}
	t := PacketType(b[0] - '0')
	if !t.valid() {
		return Packet{}, fmt.Errorf("unknown packet type %q", b[0])
	}
	var data []byte
	if len(b) > 1 {
		data = b[1:]
	}
	return Packet{Type: t, Data: data}, nil
}

func (t PacketType) valid() bool { return t <= PacketNoop }

// DecodeBinaryFrame parses a WebSocket binary frame: raw message data in
// Engine.IO 4, a type byte and data in Engine.IO 3.
func DecodeBinaryFrame(b []byte, v Version) (Packet, error) {
	if v != Version3 {
		return Packet{Type: PacketMessage, Data: b, Binary: true}, nil
	}
	if len(b) == 0 {
		return Packet{}, errEmptyPacket
	}
	t := PacketType(b[0])
	if !t.valid() {
		return Packet{}, fmt.Errorf("unknown packet type byte 0x%02x in binary frame", b[0])
	}
	return Packet{Type: t, Data: b[1:], Binary: true}, nil
}

// String describes the packet for logs and errors, such as
// `message "hello"` or `message (4 bytes binary)`.
func (p Packet) String() string {
	if p.Binary {
		return fmt.Sprintf("%s (%d bytes binary)", p.Type, len(p.Data))
	}
	if len(p.Data) == 0 {
		return p.Type.String()
	}
	return fmt.Sprintf("%s %q", p.Type, p.Data)
}
