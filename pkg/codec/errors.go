package codec

import (
	"errors"
	"fmt"
)

// Reasons a packet fails to decode or encode. A [*DecodeError] wraps one of
// them; test with errors.Is.
var (
	ErrEmpty              = errors.New("empty packet")
	ErrUnknownType        = errors.New("unknown packet type")
	ErrIllegalAttachments = errors.New("illegal attachment count")
	ErrTooManyAttachments = errors.New("too many attachments")
	ErrIllegalID          = errors.New("illegal ack id")
	ErrInvalidJSON        = errors.New("invalid JSON")
	ErrInvalidPayload     = errors.New("invalid payload for packet type")
	ErrReservedEvent      = errors.New("reserved event name")
	ErrPlaceholder        = errors.New("placeholder names a missing attachment")
	ErrUnexpectedBinary   = errors.New("binary message while no packet awaits attachments")
	ErrUnexpectedText     = errors.New("text message while a packet awaits attachments")
)

// DecodeError says why a message could not be decoded into a packet and
// where. Input holds the start of the offending message.
type DecodeError struct {
	Err    error  // one of the Err... values of this package
	Offset int    // byte offset in the message where decoding stopped
	Detail string // more about the failure, may be empty
	Input  []byte // up to the first 64 bytes of the message
}

const inputShown = 64

func newDecodeError(err error, msg []byte, offset int, detail string) *DecodeError {
	in := msg
	if len(in) > inputShown {
		in = in[:inputShown]
	}
	return &DecodeError{Err: err, Offset: offset, Detail: detail, Input: append([]byte(nil), in...)}
}

func (e *DecodeError) Error() string {
	s := "codec: " + e.Err.Error()
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s + fmt.Sprintf(" at byte %d of %q", e.Offset, e.Input)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// EncodeError says why a packet could not be encoded.
type EncodeError struct {
	Packet string // the packet's type and namespace
	Err    error
}

func (e *EncodeError) Error() string {
	return "codec: cannot encode " + e.Packet + ": " + e.Err.Error()
}

func (e *EncodeError) Unwrap() error { return e.Err }
