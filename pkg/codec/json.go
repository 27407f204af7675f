package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// DefaultMaxAttachments is the attachment limit of the reference parser.
const DefaultMaxAttachments = 10

// JSONParser is the default Socket.IO wire format: a text message holding
// the packet, followed by one binary message per attachment. Its zero value
// validates as protocol revision 5 does and allows [DefaultMaxAttachments].
type JSONParser struct {
	// Version selects the validation rules of the peer's protocol revision;
	// 0 means V5.
	Version Version
	// MaxAttachments limits the attachments of an incoming packet; 0 means
	// DefaultMaxAttachments, a negative value means no limit.
	MaxAttachments int
}

// Encode returns the text message for p followed by one binary message per
// attachment. An EVENT or ACK with attachments is sent as BINARY_EVENT or
// BINARY_ACK.
func (jp JSONParser) Encode(p *Packet) ([]Message, error) {
	if err := checkEncodable(p); err != nil {
		return nil, err
	}
	q := *p
	if len(q.Attachments) > 0 {
		switch q.Type {
		case Event:
			q.Type = BinaryEvent
		case Ack:
			q.Type = BinaryAck
		}
	}
	buf := make([]byte, 0, 16+len(q.Namespace)+len(q.Data))
	buf = appendHeader(buf, &q)
	buf = append(buf, q.Data...)
	msgs := make([]Message, 1, 1+len(q.Attachments))
	msgs[0] = Message{Data: buf}
	for _, a := range q.Attachments {
		msgs = append(msgs, Message{Data: a, Binary: true})
	}
	return msgs, nil
}

func checkEncodable(p *Packet) error {
	fail := func(err error) error {
		return &EncodeError{Packet: fmt.Sprintf("%s packet for %s", p.Type, p.Nsp()), Err: err}
	}
	if !p.Type.Valid() {
		return fail(ErrUnknownType)
	}
	if p.Type.IsBinary() && len(p.Attachments) == 0 {
		return fail(fmt.Errorf("%w: %s needs at least one attachment", ErrIllegalAttachments, p.Type))
	}
	if len(p.Attachments) > 0 && p.Type != Event && p.Type != Ack && !p.Type.IsBinary() {
		return fail(fmt.Errorf("%w: %s cannot carry attachments", ErrIllegalAttachments, p.Type))
	}
	if len(p.Data) > 0 && !json.Valid(p.Data) {
		return fail(fmt.Errorf("%w: the data is not valid JSON", ErrInvalidPayload))
	}
	if p.Type == Event || p.Type == BinaryEvent {
		first, ok, err := firstElement(p.Data)
		if err != nil || !ok {
			return fail(fmt.Errorf("%w: an event needs a JSON array starting with its name", ErrInvalidPayload))
		}
		if name, reserved := reservedName(first); reserved {
			return fail(fmt.Errorf("%w %q", ErrReservedEvent, name))
		}
	}
	return nil
}

// appendHeader appends everything of p's wire form that precedes its data.
func appendHeader(dst []byte, p *Packet) []byte {
	dst = append(dst, '0'+byte(p.Type))
	if p.Type.IsBinary() {
		dst = strconv.AppendInt(dst, int64(len(p.Attachments)), 10)
		dst = append(dst, '-')
	}
	if p.Namespace != "" && p.Namespace != RootNamespace {
		dst = append(dst, p.Namespace...)
		dst = append(dst, ',')
	}
	if p.HasID {
		dst = strconv.AppendUint(dst, p.ID, 10)
	}
	return dst
}

// NewDecoder returns a decoder that applies jp's rules.
func (jp JSONParser) NewDecoder() Decoder {
	return &jsonDecoder{parser: jp}
}

type jsonDecoder struct {
	parser  JSONParser
	pending *Packet
	want    int
	header  []byte // the pending packet's text message, for error reports
}

func (d *jsonDecoder) Reset() {
	d.pending, d.want, d.header = nil, 0, nil
}

func (d *jsonDecoder) Decode(m Message) (*Packet, error) {
	if m.Binary {
		if d.pending == nil {
			return nil, newDecodeError(ErrUnexpectedBinary, m.Data, 0, "")
		}
		d.pending.Attachments = append(d.pending.Attachments, m.Data)
		if len(d.pending.Attachments) < d.want {
			return nil, nil
		}
		p, header := d.pending, d.header
		d.Reset()
		if err := checkPlaceholders(p, header); err != nil {
			return nil, err
		}
		return p, nil
	}
	if d.pending != nil {
		d.Reset()
		return nil, newDecodeError(ErrUnexpectedText, m.Data, 0, "")
	}
	p, n, err := d.parser.decodeText(m.Data)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		d.pending, d.want, d.header = p, n, m.Data
		p.Attachments = make([][]byte, 0, n)
		return nil, nil
	}
	if p.Type.IsBinary() {
		if err := checkPlaceholders(p, m.Data); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// jsonProblem says where and why data, known not to be valid JSON, is
// not: encoding/json's words ("exceeded max depth", "invalid character
// ... in string literal").
func jsonProblem(data []byte) (int, string) {
	var raw json.RawMessage
	var se *json.SyntaxError
	if err := json.Unmarshal(data, &raw); errors.As(err, &se) {
		return max(int(se.Offset)-1, 0), se.Error()
	}
	return 0, ""
}

func checkPlaceholders(p *Packet, msg []byte) error {
	phs, err := findPlaceholders(nil, p.Data)
	if err != nil {
		return newDecodeError(ErrInvalidJSON, msg, 0, err.Error())
	}
	for _, ph := range phs {
		if ph.num < 0 || ph.num >= len(p.Attachments) {
			return newDecodeError(ErrPlaceholder, msg, 0,
				fmt.Sprintf("placeholder %s with %d attachments", p.Data[ph.start:ph.end], len(p.Attachments)))
		}
	}
	return nil
}

// decodeText parses a packet's text message. It returns the packet and the
// count of attachments still to come.
func (jp JSONParser) decodeText(msg []byte) (*Packet, int, error) {
	if len(msg) == 0 {
		return nil, 0, newDecodeError(ErrEmpty, msg, 0, "")
	}
	p := &Packet{Type: Type(msg[0] - '0')}
	if msg[0] < '0' || !p.Type.Valid() {
		return nil, 0, newDecodeError(ErrUnknownType, msg, 0, fmt.Sprintf("%q", msg[0]))
	}
	i := 1
	attachments := 0
	if p.Type.IsBinary() {
		start := i
		for i < len(msg) && msg[i] != '-' {
			i++
		}
		n, err := strconv.Atoi(string(msg[start:i]))
		if i >= len(msg) || err != nil || n < 0 || msg[start] == '+' {
			return nil, 0, newDecodeError(ErrIllegalAttachments, msg, start, "")
		}
		if n == 0 && jp.Version != V4 {
			return nil, 0, newDecodeError(ErrIllegalAttachments, msg, start, "a binary packet declares no attachment")
		}
		limit := jp.MaxAttachments
		if limit == 0 {
			limit = DefaultMaxAttachments
		}
		if limit > 0 && n > limit {
			return nil, 0, newDecodeError(ErrTooManyAttachments, msg, start, fmt.Sprintf("%d, limit %d", n, limit))
		}
		attachments = n
		i++
	}
	if i < len(msg) && msg[i] == '/' {
		start := i
		for i < len(msg) && msg[i] != ',' {
			i++
		}
		p.Namespace = string(msg[start:i])
		if i < len(msg) {
			i++
		}
	} else {
		p.Namespace = RootNamespace
	}
	if i < len(msg) && msg[i] >= '0' && msg[i] <= '9' {
		start := i
		for i < len(msg) && msg[i] >= '0' && msg[i] <= '9' {
			i++
		}
		id, err := strconv.ParseUint(string(msg[start:i]), 10, 64)
		if err != nil {
			return nil, 0, newDecodeError(ErrIllegalID, msg, start, "out of range")
		}
		p.ID, p.HasID = id, true
	}
	if i < len(msg) {
		data := msg[i:]
		if !json.Valid(data) {
			at, why := jsonProblem(data)
			return nil, 0, newDecodeError(ErrInvalidJSON, msg, i+at, why)
		}
		p.Data = json.RawMessage(data)
	}
	if err := jp.checkPayload(p, msg, i); err != nil {
		return nil, 0, err
	}
	return p, attachments, nil
}

// checkPayload applies the reference parser's rules on which payload each
// packet type may carry.
func (jp JSONParser) checkPayload(p *Packet, msg []byte, at int) error {
	kind := jsonKind(p.Data)
	invalid := func(want string) error {
		return newDecodeError(ErrInvalidPayload, msg, at, fmt.Sprintf("%s wants %s", p.Type, want))
	}
	if jp.Version == V4 {
		// socket.io-parser 3.x: any payload must be an array, except ERROR's.
		if kind != 0 && kind != '[' && p.Type != ConnectError {
			return invalid("an array")
		}
		return nil
	}
	switch p.Type {
	case Connect:
		if kind != 0 && kind != '{' {
			return invalid("an object or nothing")
		}
	case Disconnect:
		if kind != 0 {
			return invalid("nothing")
		}
	case ConnectError:
		if kind != '{' && kind != '"' {
			return invalid("an object or a string")
		}
	case Ack, BinaryAck:
		if kind != '[' {
			return invalid("an array")
		}
	case Event, BinaryEvent:
		first, ok, _ := firstElement(p.Data)
		if kind != '[' || !ok {
			return invalid("a non-empty array")
		}
		switch k := jsonKind(first); {
		case k == '"':
			if name, reserved := reservedName(first); reserved {
				return newDecodeError(ErrReservedEvent, msg, at, strconv.Quote(name))
			}
		case k != '0':
			return invalid("an event name that is a string or a number")
		}
	}
	return nil
}

// reservedName reports whether the JSON string quoted is a reserved event
// name, and which. Names without escapes are checked without allocating.
func reservedName(quoted []byte) (string, bool) {
	if len(quoted) < 2 || quoted[0] != '"' {
		return "", false
	}
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		if reservedEvents[string(inner)] {
			return string(inner), true
		}
		return "", false
	}
	var name string
	if json.Unmarshal(quoted, &name) != nil {
		return "", false
	}
	return name, IsReservedEvent(name)
}

// jsonKind classifies valid JSON by its first byte: 0 for none, '{', '[',
// '"', '0' for a number, 't', 'f' or 'n' for the literals.
func jsonKind(data []byte) byte {
	i := skipSpace(data, 0)
	if i >= len(data) {
		return 0
	}
	switch c := data[i]; {
	case c == '-' || (c >= '0' && c <= '9'):
		return '0'
	default:
		return c
	}
}
