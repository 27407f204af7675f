package codec

// Message is one Engine.IO message: the unit a [Parser] reads and writes.
type Message struct {
	Data   []byte
	Binary bool
}

// Parser is a Socket.IO wire format: how packets map to Engine.IO messages.
type Parser interface {
	// Encode returns the messages that carry p, in the order they must be
	// sent, with nothing else sent between them.
	Encode(p *Packet) ([]Message, error)
	// NewDecoder returns a decoder for one connection's incoming messages.
	NewDecoder() Decoder
}

// Decoder turns a connection's incoming messages back into packets. It
// keeps state between messages (a binary packet spans several) and is not
// safe for concurrent use.
type Decoder interface {
	// Decode consumes one message. It returns the packet the message
	// completes, or nil when the packet still awaits attachments. After an
	// error the connection should be closed, as the reference does.
	Decode(m Message) (*Packet, error)
	// Reset drops a partly received packet, as after a reconnect.
	Reset()
}
