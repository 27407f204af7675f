// Package output prints what sio sees: events, acks and lifecycle events,
// as readable coloured lines on a terminal or as one JSON object a line
// (NDJSON) for programs. Arguments are printed as the server sent them,
// binary as {"$binary":"<base64>"}.
package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/siocli/sio/internal/cliargs"
	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/sioclient"
)

// Format is how records are printed.
type Format int

const (
	// Text is one readable line a record, for people.
	Text Format = iota
	// JSON is one JSON object a line, for programs.
	JSON
)

// Printer writes records to a stream. It is safe for concurrent use; call
// Flush when done (and when the output should be seen now).
type Printer struct {
	mu     sync.Mutex
	w      *bufio.Writer
	format Format
	colors palette
	buf    []byte
	// lastErr is the error the last text line showed, and lastAt when it
	// happened: the lines of the same failure that follow at once
	// (connect_error and reconnect_error after error) say so rather than
	// repeat it.
	lastErr string
	lastAt  time.Time
}

// New returns a Printer writing to w. colour applies to Text only.
func New(w io.Writer, format Format, colour bool) *Printer {
	return &Printer{w: bufio.NewWriterSize(w, 64<<10), format: format, colors: newPalette(colour && format == Text)}
}

// SetPretty makes text output print arguments as indented JSON over
// several lines, long strings and binary shortened unless full. JSON
// output is never changed.
func (p *Printer) SetPretty(pretty, full bool) {
	p.mu.Lock()
	p.colors.pretty, p.colors.full = pretty, full
	p.mu.Unlock()
}

// Flush writes what is buffered.
func (p *Printer) Flush() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.w.Flush()
}

// Event prints an event the server sent.
func (p *Printer) Event(e *sioclient.Event) error {
	args, err := argsOf(e.Packet, true)
	if err != nil {
		return err
	}
	r := Record{Time: e.Time, Type: "event", NS: e.Namespace, Event: e.Name, Args: args, argsTail: true}
	if e.Ack != nil {
		id := e.Ack.ID
		r.AckID = &id
	}
	return p.write(&r)
}

// Ack prints the server's ack of an emit of event.
func (p *Printer) Ack(ns, event string, a *sioclient.Ack) error {
	r, err := ackRecord(ns, event, a)
	if err != nil {
		return err
	}
	return p.write(r)
}

// ackRecord is the record of the server's ack of an emit of event: its
// round trip, and how long sio held the emit first when that was long
// enough to count (heldShown).
func ackRecord(ns, event string, a *sioclient.Ack) (*Record, error) {
	args, err := argsOf(a.Packet, false)
	if err != nil {
		return nil, err
	}
	r := &Record{Time: time.Now(), Type: "ack", NS: ns, Event: event, Args: args, AckID: &a.Packet.ID, RTT: &a.RTT}
	if a.Held >= heldShown {
		r.Held = &a.Held
	}
	return r, nil
}

// sameFailure is how close in time two lines with the same error must be
// to be taken for one failure, said once.
const sameFailure = 100 * time.Millisecond

// heldShown is the shortest hold of an emit by sio that its ack's record
// shows: shorter ones are the hand-off to the writing goroutine.
const heldShown = time.Millisecond

// Reply prints an answer sio gave to the server's ack request id of
// event: args is the JSON array sent, binary as {"$binary":…}.
func (p *Printer) Reply(ns, event string, id uint64, args json.RawMessage) error {
	return p.write(&Record{Time: time.Now(), Type: "reply", NS: ns, Event: event, AckID: &id, Args: args})
}

// Lifecycle prints a lifecycle event.
func (p *Printer) Lifecycle(l sioclient.Lifecycle) error {
	r := lifecycleRecord(l)
	return p.write(&r)
}

// lifecycleRecord is the record of a lifecycle event: a refusal's message
// and data, or the error described as sio's error lines are.
func lifecycleRecord(l sioclient.Lifecycle) Record {
	r := Record{Time: l.Time, Type: l.Type.String(), NS: l.Namespace, Reason: l.Reason, SocketID: l.SocketID, Attempt: l.Attempt}
	if l.Type == sioclient.LifecycleConnect {
		r.Recovered = &l.Recovered
	}
	if l.Type == sioclient.LifecyclePing && l.RTT > 0 {
		r.RTT = &l.RTT
	}
	if l.Type == sioclient.LifecycleUpgrade {
		r.From, r.To = string(l.From), string(l.To)
	}
	if l.Session != nil {
		r.Session = l.Session
	}
	if l.Err != nil {
		var ce *sioclient.ConnectError
		if errors.As(l.Err, &ce) {
			r.Message = &ce.Message
			r.Data = ce.Data
		} else {
			r.Error = Describe(l.Err)
		}
	}
	return r
}

// argsOf returns a packet's arguments, binary written as {"$binary":…}:
// the JSON array, or for a named event what follows the name, which "["
// turns into the array of the arguments.
func argsOf(pk *codec.Packet, named bool) ([]byte, error) {
	data := []byte(pk.Data)
	if len(pk.Attachments) > 0 {
		var err error
		if data, err = codec.ReplacePlaceholders(data, pk.Attachments, cliargs.AppendBinary); err != nil {
			return nil, err
		}
	}
	if !named {
		if len(data) == 0 {
			return []byte("[]"), nil
		}
		return data, nil
	}
	_, rest, err := codec.CutFirst(data)
	return rest, err
}

// oneLine keeps a JSON line one line when the JSON from b[start:] holds a
// line break (white space, wherever JSON is valid): it compacts that JSON,
// and leaves it byte for byte as it came otherwise.
func oneLine(b []byte, start int) []byte {
	if bytes.IndexAny(b[start:], "\r\n") < 0 {
		return b
	}
	var c bytes.Buffer
	if json.Compact(&c, b[start:]) == nil {
		return append(b[:start], c.Bytes()...)
	}
	for i := start; i < len(b); i++ {
		if b[i] == '\n' || b[i] == '\r' {
			b[i] = ' '
		}
	}
	return b
}

// Record is one line that listen, emit, the shell and serve print: an
// event, an ack, or a lifecycle event of a client or of sio serve. Its
// JSON names below are the NDJSON schema, written here once; the Printer
// writes a Record without reflection, in this order, leaving out what is
// empty, as encoding/json would with these tags (the tests hold it to
// that), but for RTT and Held, written in milliseconds (rtt_ms and
// held_ms, to the microsecond), and Session, written as its sid, transport, eio and
// protocol.
type Record struct {
	Time      time.Time          `json:"time"`
	Type      string             `json:"type"`             // event, ack, or a lifecycle event's name
	Dir       string             `json:"dir,omitempty"`    // recordings: "in" from the server, "out" to it
	Client    string             `json:"client,omitempty"` // sio serve: the client's session id
	NS        string             `json:"ns,omitempty"`
	Event     string             `json:"event,omitempty"`
	Args      json.RawMessage    `json:"args,omitempty"` // as the peer sent them, binary as {"$binary":…}
	AckID     *uint64            `json:"ack_id,omitempty"`
	RTT       *time.Duration     `json:"-"` // rtt_ms
	Held      *time.Duration     `json:"-"` // held_ms: an ack's emit, held by sio before it went out
	SocketID  string             `json:"id,omitempty"`
	Recovered *bool              `json:"recovered,omitempty"` // written only when true
	Reason    string             `json:"reason,omitempty"`
	Room      string             `json:"room,omitempty"` // sio serve: a room joined or left
	Attempt   int                `json:"attempt,omitempty"`
	From      string             `json:"from,omitempty"`
	To        string             `json:"to,omitempty"`
	Session   *sioclient.Session `json:"-"`                   // open: sid, transport, eio, protocol
	Transport string             `json:"transport,omitempty"` // sio serve's connection
	EIO       int                `json:"eio,omitempty"`
	Remote    string             `json:"remote,omitempty"`
	Auth      json.RawMessage    `json:"auth,omitempty"`
	Message   *string            `json:"message,omitempty"` // a refusal's
	Data      json.RawMessage    `json:"data,omitempty"`    // a refusal's
	Error     string             `json:"error,omitempty"`
	// InvalidUTF8 says that what the peer sent held bytes that are not
	// UTF-8, replaced here by U+FFFD so that the line is valid UTF-8; the
	// Printer sets it.
	InvalidUTF8 bool `json:"invalid_utf8,omitempty"`

	argsTail bool // Args is what follows the "[" of the array
}

func (p *Printer) write(r *Record) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.format == JSON {
		validUTF8(r)
		p.buf = appendJSONRecord(p.buf[:0], r)
	} else {
		shown := *r
		if r.Error != "" && r.Error == p.lastErr && r.Time.Sub(p.lastAt).Abs() < sameFailure {
			shown.Error = "(the same cause)"
		}
		p.lastErr, p.lastAt = r.Error, r.Time
		p.buf = p.colors.appendText(p.buf[:0], &shown)
	}
	p.buf = append(p.buf, '\n')
	_, err := p.w.Write(p.buf)
	return err
}

func appendJSONRecord(b []byte, r *Record) []byte {
	b = append(b, `{"time":"`...)
	b = r.Time.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","type":`...)
	b = codec.AppendJSONString(b, r.Type)
	if r.Dir != "" {
		b = append(b, `,"dir":`...)
		b = codec.AppendJSONString(b, r.Dir)
	}
	if r.Client != "" {
		b = append(b, `,"client":`...)
		b = appendString(b, r.Client)
	}
	if r.NS != "" {
		b = append(b, `,"ns":`...)
		b = appendString(b, r.NS)
	}
	if r.Event != "" {
		b = append(b, `,"event":`...)
		b = appendString(b, r.Event)
	}
	if r.Args != nil {
		b = append(b, `,"args":`...)
		start := len(b)
		if r.argsTail {
			b = append(b, '[')
		}
		b = append(b, r.Args...)
		b = oneLine(b, start)
	}
	if r.AckID != nil {
		b = append(b, `,"ack_id":`...)
		b = strconv.AppendUint(b, *r.AckID, 10)
	}
	if r.RTT != nil {
		b = append(b, `,"rtt_ms":`...)
		b = strconv.AppendFloat(b, float64(r.RTT.Microseconds())/1000, 'f', -1, 64)
	}
	if r.Held != nil {
		b = append(b, `,"held_ms":`...)
		b = strconv.AppendFloat(b, float64(r.Held.Microseconds())/1000, 'f', -1, 64)
	}
	if r.SocketID != "" {
		b = append(b, `,"id":`...)
		b = appendString(b, r.SocketID)
	}
	if r.Recovered != nil && *r.Recovered {
		b = append(b, `,"recovered":true`...)
	}
	if r.Reason != "" {
		b = append(b, `,"reason":`...)
		b = appendString(b, r.Reason)
	}
	if r.Room != "" {
		b = append(b, `,"room":`...)
		b = appendString(b, r.Room)
	}
	if r.Attempt > 0 {
		b = append(b, `,"attempt":`...)
		b = strconv.AppendInt(b, int64(r.Attempt), 10)
	}
	if r.From != "" {
		b = append(b, `,"from":`...)
		b = appendString(b, r.From)
		b = append(b, `,"to":`...)
		b = appendString(b, r.To)
	}
	if r.Session != nil {
		b = append(b, `,"sid":`...)
		b = appendString(b, r.Session.SID)
		b = append(b, `,"transport":`...)
		b = appendString(b, string(r.Session.Transport))
		b = append(b, `,"eio":`...)
		b = strconv.AppendInt(b, int64(r.Session.Engine), 10)
		b = append(b, `,"protocol":`...)
		b = strconv.AppendInt(b, int64(r.Session.Protocol), 10)
	}
	b = appendServerFields(b, r)
	if r.Message != nil {
		b = append(b, `,"message":`...)
		b = appendString(b, *r.Message)
	}
	if len(r.Data) > 0 {
		b = append(b, `,"data":`...)
		b = append(b, r.Data...)
	}
	if r.Error != "" {
		b = append(b, `,"error":`...)
		b = appendString(b, r.Error)
	}
	if r.InvalidUTF8 {
		b = append(b, `,"invalid_utf8":true`...)
	}
	return append(b, '}')
}

// validUTF8 replaces what is not UTF-8 in what the peer sent, and says so
// in the record.
func validUTF8(r *Record) {
	for _, raw := range []*json.RawMessage{&r.Args, &r.Data, &r.Auth} {
		if !utf8.Valid(*raw) {
			*raw = bytes.ToValidUTF8(*raw, []byte("\uFFFD"))
			r.InvalidUTF8 = true
		}
	}
	for _, s := range []string{r.NS, r.Event, r.Reason, r.Room, r.Client, r.SocketID, r.Error} {
		if !utf8.ValidString(s) {
			r.InvalidUTF8 = true // appendString writes U+FFFD for it
		}
	}
	if r.Message != nil && !utf8.ValidString(*r.Message) {
		r.InvalidUTF8 = true
	}
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte { return codec.AppendJSONString(b, s) }

// Describe returns the line that tells the user what went wrong: the
// error's own text, without the package names the library puts in front
// of it, and with the credentials of any URL in it redacted.
func Describe(err error) string {
	s := err.Error()
	var le *engineio.LegacyUTF8Error
	if errors.As(err, &le) {
		s += "; try --legacy-utf8"
	}
	for _, pkg := range []string{"sioclient: ", "engineio: ", "codec: "} {
		s = strings.ReplaceAll(s, pkg, "")
	}
	return engineio.RedactText(s)
}
