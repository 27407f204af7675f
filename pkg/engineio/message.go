package engineio

import "github.com/siocli/sio/pkg/engineio/wire"

// Message is the payload of one Engine.IO message packet: what a Conn reads
// and writes.
type Message = wire.Message

// Notifier is told when a Message goes out (Message.Sent).
type Notifier = wire.Notifier

// Version is an Engine.IO protocol version.
type Version = wire.Version

// The versions.
const (
	// VersionAuto finds out which version the server speaks.
	VersionAuto = wire.VersionAuto
	// Version3 is Engine.IO 3 (engine.io ≤ 3.x, Socket.IO servers 1.x and
	// 2.x, and newer servers started with allowEIO3).
	Version3 = wire.Version3
	// Version4 is Engine.IO 4 (engine.io ≥ 4, Socket.IO servers 3.x and 4.x).
	Version4 = wire.Version4
)
