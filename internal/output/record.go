package output

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/siocli/sio/internal/cliargs"
	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/sioclient"
)

// Recorder writes a session's both directions as NDJSON in the listen
// schema, each line with dir "in" (from the server) or "out" (to it):
// events, acks with the id they answer, lifecycle events, and what was
// sent (type emit, or reply for an ack given to the server). sio replay
// reads it back. Its methods are safe for concurrent use.
type Recorder struct {
	mu sync.Mutex
	p  *Printer
	c  io.Closer
}

// NewRecorder records to w, closing c (when not nil) on Close.
func NewRecorder(w io.Writer, c io.Closer) *Recorder {
	return &Recorder{p: New(w, JSON, false), c: c}
}

func (r *Recorder) write(rec *Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.p == nil {
		return
	}
	r.p.write(rec) // JSON: made valid UTF-8 there
	r.p.Flush()    // a recording is complete whenever sio stops
}

// Event records an event the server sent.
func (r *Recorder) Event(e *sioclient.Event) {
	args, err := argsOf(e.Packet, true)
	if err != nil {
		return
	}
	rec := Record{Time: e.Time, Type: "event", Dir: "in", NS: e.Namespace, Event: e.Name, Args: args, argsTail: true}
	if e.Ack != nil {
		id := e.Ack.ID
		rec.AckID = &id
	}
	r.write(&rec)
}

// Ack records the server's ack of an emit of event, with the id it
// answers.
func (r *Recorder) Ack(ns, event string, a *sioclient.Ack) {
	rec, err := ackRecord(ns, event, a)
	if err != nil {
		return
	}
	rec.Dir = "in"
	r.write(rec)
}

// Lifecycle records a lifecycle event.
func (r *Recorder) Lifecycle(l sioclient.Lifecycle) {
	rec := lifecycleRecord(l)
	r.write(&rec)
}

// Sent records a packet sent: an event (type emit, with its ack id when
// it asks for an ack) or an ack given to the server (type reply).
func (r *Recorder) Sent(p *codec.Packet) {
	data := []byte(p.Data)
	if len(p.Attachments) > 0 {
		var err error
		if data, err = codec.ReplacePlaceholders(data, p.Attachments, cliargs.AppendBinary); err != nil {
			return
		}
	}
	rec := Record{Time: time.Now(), Dir: "out", NS: p.Nsp()}
	id := p.ID
	if p.HasID {
		rec.AckID = &id
	}
	switch p.Type {
	case codec.Event, codec.BinaryEvent:
		name, rest, err := codec.CutFirst(data)
		if err != nil {
			return
		}
		var ev string
		if json.Unmarshal(name, &ev) != nil {
			return
		}
		rec.Type, rec.Event, rec.Args, rec.argsTail = "emit", ev, rest, true
	case codec.Ack, codec.BinaryAck:
		rec.Type, rec.Args = "reply", data
	default:
		return
	}
	r.write(&rec)
}

// Close ends the recording.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.p == nil {
		return nil
	}
	err := r.p.Flush()
	r.p = nil
	if r.c != nil {
		if cerr := r.c.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("the recording: %v", err)
	}
	return nil
}

// AckArgs returns an ack's arguments as a recording holds them: the JSON
// array, binary as {"$binary":…}.
func AckArgs(a *sioclient.Ack) (json.RawMessage, error) { return argsOf(a.Packet, false) }
