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
}

// New returns a Printer writing to w. colour applies to Text only.
func New(w io.Writer, format Format, colour bool) *Printer {
	return &Printer{w: bufio.NewWriterSize(w, 64<<10), format: format, colors: newPalette(colour && format == Text)}
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
	r := record{time: e.Time, typ: "event", ns: e.Namespace, event: e.Name, args: args, argsTail: true}
	if e.Ack != nil {
		id := e.Ack.ID
		r.ackID = &id
	}
	return p.write(&r)
}

// Ack prints the server's ack of an emit of event.
func (p *Printer) Ack(ns, event string, a *sioclient.Ack) error {
	args, err := argsOf(a.Packet, false)
	if err != nil {
		return err
	}
	rtt := a.RTT
	return p.write(&record{time: time.Now(), typ: "ack", ns: ns, event: event, args: args, rtt: &rtt})
}

// Lifecycle prints a lifecycle event.
func (p *Printer) Lifecycle(l sioclient.Lifecycle) error {
	r := record{time: l.Time, typ: l.Type.String(), ns: l.Namespace, reason: l.Reason, socketID: l.SocketID, attempt: l.Attempt}
	if l.Type == sioclient.LifecycleConnect {
		r.recovered = &l.Recovered
	}
	if l.Type == sioclient.LifecyclePing && l.RTT > 0 {
		r.rtt = &l.RTT
	}
	if l.Type == sioclient.LifecycleUpgrade {
		r.from, r.to = string(l.From), string(l.To)
	}
	if l.Session != nil {
		r.session = l.Session
	}
	if l.Err != nil {
		r.err = l.Err.Error()
		var ce *sioclient.ConnectError
		if errors.As(l.Err, &ce) {
			r.err = ""
			r.message = &ce.Message
			r.data = ce.Data
		}
	}
	return p.write(&r)
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

// record is one printed line.
type record struct {
	time      time.Time
	typ       string
	ns        string
	event     string
	args      []byte // a JSON array, or with argsTail what follows its "["
	argsTail  bool
	ackID     *uint64
	rtt       *time.Duration
	reason    string
	socketID  string
	recovered *bool
	attempt   int
	from, to  string
	err       string
	message   *string
	data      json.RawMessage
	session   *sioclient.Session
	// Only in what a server prints:
	client    string // the client's session id
	transport string
	eio       int
	remote    string
	auth      json.RawMessage
}

func (p *Printer) write(r *record) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.format == JSON {
		p.buf = appendJSONRecord(p.buf[:0], r)
	} else {
		p.buf = p.colors.appendText(p.buf[:0], r)
	}
	p.buf = append(p.buf, '\n')
	_, err := p.w.Write(p.buf)
	return err
}

func appendJSONRecord(b []byte, r *record) []byte {
	b = append(b, `{"time":"`...)
	b = r.time.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","type":`...)
	b = codec.AppendJSONString(b, r.typ)
	if r.client != "" {
		b = append(b, `,"client":`...)
		b = appendString(b, r.client)
	}
	if r.ns != "" {
		b = append(b, `,"ns":`...)
		b = appendString(b, r.ns)
	}
	if r.event != "" {
		b = append(b, `,"event":`...)
		b = appendString(b, r.event)
	}
	if r.args != nil {
		b = append(b, `,"args":`...)
		start := len(b)
		if r.argsTail {
			b = append(b, '[')
		}
		b = append(b, r.args...)
		b = oneLine(b, start)
	}
	if r.ackID != nil {
		b = append(b, `,"ack_id":`...)
		b = strconv.AppendUint(b, *r.ackID, 10)
	}
	if r.rtt != nil {
		b = append(b, `,"rtt_ms":`...)
		b = strconv.AppendFloat(b, float64(r.rtt.Microseconds())/1000, 'f', -1, 64)
	}
	if r.socketID != "" {
		b = append(b, `,"id":`...)
		b = appendString(b, r.socketID)
	}
	if r.recovered != nil && *r.recovered {
		b = append(b, `,"recovered":true`...)
	}
	if r.reason != "" {
		b = append(b, `,"reason":`...)
		b = appendString(b, r.reason)
	}
	if r.attempt > 0 {
		b = append(b, `,"attempt":`...)
		b = strconv.AppendInt(b, int64(r.attempt), 10)
	}
	if r.from != "" {
		b = append(b, `,"from":`...)
		b = appendString(b, r.from)
		b = append(b, `,"to":`...)
		b = appendString(b, r.to)
	}
	if r.session != nil {
		b = append(b, `,"sid":`...)
		b = appendString(b, r.session.SID)
		b = append(b, `,"transport":`...)
		b = appendString(b, string(r.session.Transport))
		b = append(b, `,"eio":`...)
		b = strconv.AppendInt(b, int64(r.session.Engine), 10)
		b = append(b, `,"protocol":`...)
		b = strconv.AppendInt(b, int64(r.session.Protocol), 10)
	}
	b = appendServerFields(b, r)
	if r.message != nil {
		b = append(b, `,"message":`...)
		b = appendString(b, *r.message)
	}
	if len(r.data) > 0 {
		b = append(b, `,"data":`...)
		b = append(b, r.data...)
	}
	if r.err != "" {
		b = append(b, `,"error":`...)
		b = appendString(b, r.err)
	}
	return append(b, '}')
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte { return codec.AppendJSONString(b, s) }

// Describe returns the line that tells the user what went wrong: the
// error's own text, without the package names the library puts in front
// of it, and with the credentials of any URL in it redacted.
func Describe(err error) string {
	s := err.Error()
	for _, pkg := range []string{"sioclient: ", "engineio: ", "codec: "} {
		s = strings.ReplaceAll(s, pkg, "")
	}
	return engineio.RedactText(s)
}
