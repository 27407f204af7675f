package script

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/siocli/sio/internal/cliargs"
	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/internal/repl"
	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/sioclient"
)

// Connector opens a session on url (the script's URL when empty) for
// namespace nsp (the URL's when empty) with auth (the default when nil),
// calling observe and lifecycle for what it hears, and connects it.
type Connector func(ctx context.Context, url, nsp string, auth json.RawMessage, observe func(*sioclient.Event), lifecycle func(sioclient.Lifecycle)) (*repl.Session, error)

// Options configure a run.
type Options struct {
	Connect Connector
	Report  io.Writer // one line a step, then the summary
	JSON    bool      // report as JSON lines
}

// Result is how a run ended.
type Result struct {
	Passed, Failed int
	// Code is the exit code: 0, 6 for a failed expectation, 5 for an ack
	// that timed out, 4 for a refused connect nobody expected, 3 when
	// nothing connected.
	Code int
}

// Runner carries out a script's steps.
type runner struct {
	opts    Options
	sess    *repl.Session
	vars    map[string]json.RawMessage
	last    json.RawMessage // {"event":…,"args":[…]} of the last ack or event
	refused *sioclient.ConnectError
	stop    bool // exit ran

	mu     sync.Mutex
	wake   chan struct{}
	events []*sioclient.Event
	gone   []sioclient.Lifecycle // disconnects not yet expected
}

// Run carries out steps, reporting each, and returns the result.
func Run(ctx context.Context, steps []Step, opts Options) Result {
	r := &runner{opts: opts, vars: map[string]json.RawMessage{}, wake: make(chan struct{}, 1)}
	defer func() {
		if r.sess != nil {
			r.sess.Close()
		}
	}()
	var res Result
	for i, st := range steps {
		t0 := time.Now()
		code, note, err := r.step(ctx, st, steps[i+1:])
		ok := err == nil
		if ok {
			res.Passed++
		} else {
			res.Failed++
			if res.Code == 0 || code == 6 {
				res.Code = code
			}
		}
		r.report(st, ok, note, err, time.Since(t0))
		if code == 3 || r.stop {
			break // nothing more can run, or the script said exit
		}
	}
	r.summary(res)
	return res
}

// failure is a step that did not hold, with the exit code it calls for.
type failure struct {
	code int
	err  error
}

func (f *failure) Error() string { return f.err.Error() }

func fail(code int, format string, a ...any) error {
	return &failure{code: code, err: fmt.Errorf(format, a...)}
}

func (r *runner) step(ctx context.Context, st Step, next []Step) (code int, note string, err error) {
	defer func() {
		var f *failure
		switch {
		case err == nil:
		case errors.As(err, &f):
			code = f.code
		default:
			code = 6
		}
	}()
	text, err := substitute(st.Text, r.vars)
	if err != nil {
		return 0, "", err
	}
	words, err := repl.Split(text)
	if err != nil {
		return 0, "", err
	}
	o, err := parseStep(words)
	if err != nil {
		return 0, "", err
	}
	if r.sess == nil && o.name != "connect" && o.name != "sleep" && o.name != "print" && o.name != "set" && o.name != "expect-error" {
		if err := r.connect(ctx, &op{}, next); err != nil {
			return 0, "", err
		}
	}
	switch o.name {
	case "connect":
		return 0, "", r.connect(ctx, o, next)
	case "expect":
		return 0, "", r.expect(ctx, o)
	case "expect-error":
		return 0, "", r.expectError(o)
	case "expect-disconnect":
		return 0, "", r.expectDisconnect(ctx, o)
	case "set":
		if r.last == nil {
			return 0, "", fmt.Errorf("set: no ack or event yet to take %s from", o.path)
		}
		v, err := Lookup(r.last, o.path)
		if err != nil {
			return 0, "", fmt.Errorf("set: %v", err)
		}
		r.vars[o.varName] = v
		return 0, fmt.Sprintf("%s = %s", o.varName, v), nil
	case "sleep":
		select {
		case <-time.After(o.wait):
		case <-ctx.Done():
			return 0, "", ctx.Err()
		}
		return 0, "", nil
	case "print":
		return 0, o.text, nil
	}
	c := o.cmd
	if c.Name == "emit" && c.Ack {
		ack, err := r.sess.EmitWithAck(ctx, c)
		if err != nil {
			var at *sioclient.AckTimeoutError
			if errors.As(err, &at) && o.expect == nil {
				return 0, "", fail(5, "%s", output.Describe(err))
			}
			return 0, "", errors.New(output.Describe(err))
		}
		args := []byte(ack.Packet.Data)
		if len(ack.Packet.Attachments) > 0 {
			args, _ = codec.ReplacePlaceholders(args, ack.Packet.Attachments, cliargs.AppendBinary)
		}
		r.last = record(c.Event, args)
		if o.expect != nil {
			if ok, why := Match(o.expect, args); !ok {
				return 0, "", fmt.Errorf("the ack %s: %s", args, why)
			}
		}
		return 0, fmt.Sprintf("ack %s", args), nil
	}
	if c.Name == "reply" && !r.sess.WaitAsked(ctx, c.ReplyID, defaultWithin) {
		return 0, "", fmt.Errorf("the server asked for no ack within %v", defaultWithin)
	}
	exit, err := r.sess.Exec(ctx, c)
	if err != nil {
		return 0, "", errors.New(output.Describe(err))
	}
	r.stop = exit
	return 0, "", nil
}

// record is what set reads paths from: {"event":…,"args":[…]}.
func record(event string, args []byte) json.RawMessage {
	name, _ := json.Marshal(event)
	return json.RawMessage(fmt.Sprintf(`{"event":%s,"args":%s}`, name, args))
}

func (r *runner) observe(e *sioclient.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	r.signal()
}

func (r *runner) lifecycle(l sioclient.Lifecycle) {
	if l.Type != sioclient.LifecycleDisconnect {
		return
	}
	r.mu.Lock()
	r.gone = append(r.gone, l)
	r.mu.Unlock()
	r.signal()
}

func (r *runner) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// connect opens a new session. A refusal passes when the next step is
// expect-error, which checks it.
func (r *runner) connect(ctx context.Context, o *op, next []Step) error {
	if r.sess != nil {
		r.sess.Close()
		r.sess = nil
	}
	// What the old connection heard is not for the new one's expectations.
	r.mu.Lock()
	r.events, r.gone = nil, nil
	r.mu.Unlock()
	r.refused = nil
	sess, err := r.opts.Connect(ctx, o.url, o.nsp, o.auth, r.observe, r.lifecycle)
	if err == nil {
		r.sess = sess
		return nil
	}
	var ce *sioclient.ConnectError
	if errors.As(err, &ce) {
		r.refused = ce
		if len(next) > 0 && strings.HasPrefix(strings.TrimSpace(next[0].Text), "expect-error") {
			return nil
		}
		return fail(4, "%s", output.Describe(err))
	}
	return fail(3, "could not connect: %s", output.Describe(err))
}

// expect waits for an event of the name (that matches, when a MATCH was
// given), taking it from those received and not yet expected.
func (r *runner) expect(ctx context.Context, o *op) error {
	deadline := time.NewTimer(o.within)
	defer deadline.Stop()
	var near string // why the last event of that name did not match
	for {
		r.mu.Lock()
		for i, e := range r.events {
			if e.Name != o.event {
				continue
			}
			args, err := argsOf(e)
			if err != nil {
				continue
			}
			if o.expect != nil {
				if ok, why := Match(o.expect, args); !ok {
					near = fmt.Sprintf("%s %s: %s", e.Name, args, why)
					continue
				}
			}
			r.events = append(r.events[:i], r.events[i+1:]...)
			r.mu.Unlock()
			r.last = record(e.Name, args)
			return nil
		}
		r.mu.Unlock()
		select {
		case <-r.wake:
		case <-deadline.C:
			if near != "" {
				return fmt.Errorf("no matching %q event within %v; the last one: %s", o.event, o.within, near)
			}
			return fmt.Errorf("no %q event within %v", o.event, o.within)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// argsOf returns an event's arguments after its name, binary as
// {"$binary":…}.
func argsOf(e *sioclient.Event) ([]byte, error) {
	data := []byte(e.Packet.Data)
	if len(e.Packet.Attachments) > 0 {
		var err error
		if data, err = codec.ReplacePlaceholders(data, e.Packet.Attachments, cliargs.AppendBinary); err != nil {
			return nil, err
		}
	}
	_, rest, err := codec.CutFirst(data)
	if err != nil {
		return nil, err
	}
	return append([]byte{'['}, rest...), nil
}

func (r *runner) expectError(o *op) error {
	if r.refused == nil {
		return fmt.Errorf("the last connect was not refused")
	}
	if o.expect == nil {
		return nil
	}
	msg, _ := json.Marshal(r.refused.Message)
	got := json.RawMessage(fmt.Sprintf(`{"message":%s,"data":%s}`, msg, orNull(r.refused.Data)))
	if ok, why := Match(o.expect, got); !ok {
		return fmt.Errorf("the refusal %s: %s", got, why)
	}
	return nil
}

func orNull(b []byte) []byte {
	if len(b) == 0 {
		return []byte("null")
	}
	return b
}

func (r *runner) expectDisconnect(ctx context.Context, o *op) error {
	deadline := time.NewTimer(defaultWithin)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		if len(r.gone) > 0 {
			l := r.gone[0]
			r.gone = r.gone[1:]
			r.mu.Unlock()
			if o.reason != "" && l.Reason != o.reason {
				return fmt.Errorf("disconnected for %q, not %q", l.Reason, o.reason)
			}
			return nil
		}
		r.mu.Unlock()
		select {
		case <-r.wake:
		case <-deadline.C:
			return fmt.Errorf("no disconnect within %v", defaultWithin)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (r *runner) report(st Step, ok bool, note string, err error, took time.Duration) {
	text := strings.ReplaceAll(st.Text, "\n", " ")
	if r.opts.JSON {
		rec := map[string]any{"line": st.Line, "step": text, "ok": ok, "ms": float64(took.Microseconds()) / 1000}
		if err != nil {
			rec["error"] = err.Error()
		}
		if note != "" {
			rec["note"] = note
		}
		b, _ := json.Marshal(rec)
		fmt.Fprintf(r.opts.Report, "%s\n", b)
		return
	}
	switch {
	case !ok:
		fmt.Fprintf(r.opts.Report, "FAILED  line %d  %s\n        %v\n", st.Line, text, err)
	case note != "":
		fmt.Fprintf(r.opts.Report, "ok      line %d  %s  -> %s\n", st.Line, text, note)
	default:
		fmt.Fprintf(r.opts.Report, "ok      line %d  %s\n", st.Line, text)
	}
}

func (r *runner) summary(res Result) {
	if r.opts.JSON {
		fmt.Fprintf(r.opts.Report, `{"passed":%d,"failed":%d}`+"\n", res.Passed, res.Failed)
		return
	}
	fmt.Fprintf(r.opts.Report, "%d passed, %d failed\n", res.Passed, res.Failed)
}
