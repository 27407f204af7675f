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
	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/internal/outcome"
	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/internal/repl"
	"github.com/siocli/sio/internal/session"
	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/sioclient"
)

// Connector opens a session on url (the script's URL when empty) for
// namespace nsp (the URL's when empty) with auth (the default when nil),
// calling observe and lifecycle for what it hears, and connects it.
type Connector func(ctx context.Context, url, nsp string, auth json.RawMessage, observe func(*sioclient.Event), lifecycle func(sioclient.Lifecycle)) (*session.Session, error)

// Options configure a run.
type Options struct {
	Connect Connector
	// URL is the URL given on the command line, which the Connector uses
	// in place of a connect step's own; the step's report says so.
	URL    string
	Report io.Writer // one line a step, then the summary
	JSON   bool      // report as JSON lines
}

// Result is how a run ended.
type Result struct {
	Passed, Failed int
	// Kind is how the run ended: OK; Expectation when an expectation
	// failed; Timeout for an ack that timed out; Refused for a refused
	// connect nobody expected; Unreachable when nothing connected; Usage
	// for a step the connection options made impossible.
	Kind outcome.Kind
}

// Runner carries out a script's steps.
type runner struct {
	opts    Options
	table   *cmdline.Table
	sess    *session.Session
	vars    map[string]json.RawMessage
	last    json.RawMessage // {"event":…,"args":[…]} of the last ack or event
	refused *sioclient.ConnectError
	stop    bool   // exit ran
	target  target // where the last connect went: later steps connect there again
	note    string // what the step running found, for the report
	next    []Step // the steps after the one running
	hooks   Hooks

	mu     sync.Mutex
	wake   chan struct{}
	events []*sioclient.Event
	gone   []sioclient.Lifecycle // disconnects not yet expected
}

// Run carries out steps, reporting each, and returns the result.
func Run(ctx context.Context, steps []Step, opts Options) Result {
	r := &runner{opts: opts, vars: map[string]json.RawMessage{}, wake: make(chan struct{}, 1)}
	r.table = commands(r)
	defer func() {
		if r.sess != nil {
			r.sess.Close()
		}
	}()
	var res Result
	for i, st := range steps {
		t0 := time.Now()
		r.note, r.next = "", steps[i+1:]
		err := r.step(ctx, st)
		kind := kindOf(err)
		if err == nil {
			res.Passed++
		} else {
			res.Failed++
			if res.Kind == outcome.OK || kind == outcome.Expectation {
				res.Kind = kind
			}
		}
		r.report(st, err == nil, r.note, err, time.Since(t0))
		if kind == outcome.Unreachable || kind == outcome.Usage || r.stop {
			break // nothing more can run, or the script said exit
		}
	}
	r.summary(res)
	return res
}

// kindOf returns how a step's error ends the run: its own kind when it
// has one, Refused for a namespace the server refused, Timeout for an ack
// that did not come, Expectation otherwise.
func kindOf(err error) outcome.Kind {
	if err == nil {
		return outcome.OK
	}
	if k, ok := outcome.KindOf(err); ok {
		return k
	}
	var ce *sioclient.ConnectError
	var at *sioclient.AckTimeoutError
	switch {
	case errors.As(err, &ce):
		return outcome.Refused
	case errors.As(err, &at):
		return outcome.Timeout
	}
	return outcome.Expectation
}

func (r *runner) step(ctx context.Context, st Step) error {
	text, err := substitute(st.Text, r.vars)
	if err != nil {
		return err
	}
	words, err := cmdline.Split(text)
	if err != nil {
		return err
	}
	p, err := r.table.Parse(words)
	if err != nil {
		return err
	}
	switch p.Spec.Name {
	case "connect", "sleep", "print", "set", "expect-error":
	default:
		if r.sess == nil {
			// Not connected (yet, or since a refusal): connect where the
			// last connect step said, not silently elsewhere.
			if err := r.connectTo(ctx, r.target); err != nil {
				return err
			}
		}
	}
	return p.Spec.Run(ctx, p)
}

// emit carries out an emit: with an ack, it keeps the ack for set and
// checks it against --expect.
func (r *runner) emit(ctx context.Context, p *cmdline.Parsed) error {
	e := repl.EmitOf(p)
	if r.hooks.Emit != nil {
		r.hooks.Emit(e.Event)
	}
	if !e.Ack {
		return r.sess.Emit(e)
	}
	expect := p.JSON("expect")
	ack, err := r.sess.EmitWithAck(ctx, e)
	if r.hooks.Ack != nil {
		r.hooks.Ack(e.Event, ack, err)
	}
	if err != nil {
		var at *sioclient.AckTimeoutError
		if errors.As(err, &at) && expect != nil {
			return outcome.New(outcome.Expectation, err) // what --expect checked did not come
		}
		return err
	}
	args := []byte(ack.Packet.Data)
	if len(ack.Packet.Attachments) > 0 {
		args, _ = codec.ReplacePlaceholders(args, ack.Packet.Attachments, cliargs.AppendBinary)
	}
	r.last = record(e.Event, args)
	if expect != nil {
		if ok, why := Match(expect, args); !ok {
			return fmt.Errorf("the ack %s: %s", args, why)
		}
	}
	r.note = fmt.Sprintf("ack %s", args)
	return nil
}

// set keeps a value of the last ack or event.
func (r *runner) set(name, path string) error {
	if r.last == nil {
		return fmt.Errorf("set: no ack or event yet to take %s from", path)
	}
	v, err := Lookup(r.last, path)
	if err != nil {
		return fmt.Errorf("set: %v", err)
	}
	r.vars[name] = v
	r.note = fmt.Sprintf("%s = %s", name, v)
	return nil
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

// connect carries out a connect step.
func (r *runner) connect(ctx context.Context, p *cmdline.Parsed) error {
	url, nsp := "", p.String("namespace")
	if len(p.Args) > 0 {
		url = p.Args[0].Text
	}
	if strings.HasPrefix(url, "/") { // connect /admin: a namespace of the script's server
		url, nsp = "", url
	}
	if url != "" && r.opts.URL != "" && url != r.opts.URL {
		r.note = "to " + engineio.RedactURL(r.opts.URL) + ", the command line's URL, not the step's"
	}
	return r.connectTo(ctx, target{url, nsp, p.JSON("auth")})
}

// target is where a connect goes: the URL ("" for the script's), the
// namespace ("" for the URL's) and the auth (nil for the default).
type target struct {
	url, nsp string
	auth     json.RawMessage
}

// connectTo opens a new session. A refusal passes when the next step is
// expect-error, which checks it.
func (r *runner) connectTo(ctx context.Context, t target) error {
	r.target = t
	if r.sess != nil {
		r.sess.Close()
		r.sess = nil
	}
	// What the old connection heard is not for the new one's expectations.
	r.mu.Lock()
	r.events, r.gone = nil, nil
	r.mu.Unlock()
	r.refused = nil
	sess, err := r.opts.Connect(ctx, t.url, t.nsp, t.auth, r.observe, r.lifecycle)
	if err == nil {
		r.sess = sess
		return nil
	}
	var ce *sioclient.ConnectError
	if errors.As(err, &ce) {
		r.refused = ce
		if len(r.next) > 0 && strings.HasPrefix(strings.TrimSpace(r.next[0].Text), "expect-error") {
			return nil
		}
		return err
	}
	if _, ok := outcome.KindOf(err); ok {
		return err
	}
	return outcome.Errorf(outcome.Unreachable, "could not connect: %w", err)
}

// expect waits for an event of the name (that matches, when a MATCH was
// given), taking it from those received and not yet expected.
func (r *runner) expect(ctx context.Context, o *expectStep) error {
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
			if o.match != nil {
				if ok, why := Match(o.match, args); !ok {
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

func (r *runner) expectError(match json.RawMessage) error {
	if r.refused == nil {
		return fmt.Errorf("the last connect was not refused")
	}
	if match == nil {
		return nil
	}
	msg, _ := json.Marshal(r.refused.Message)
	got := json.RawMessage(fmt.Sprintf(`{"message":%s,"data":%s}`, msg, orNull(r.refused.Data)))
	if ok, why := Match(match, got); !ok {
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

func (r *runner) expectDisconnect(ctx context.Context, reason string) error {
	deadline := time.NewTimer(defaultWithin)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		if len(r.gone) > 0 {
			l := r.gone[0]
			r.gone = r.gone[1:]
			r.mu.Unlock()
			if reason != "" && l.Reason != reason {
				return fmt.Errorf("disconnected for %q, not %q", l.Reason, reason)
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
	text := st.Shown
	if r.opts.JSON {
		rec := output.Step{Line: st.Line, Step: text, OK: ok, MS: float64(took.Microseconds()) / 1000, Note: note}
		if err != nil {
			rec.Error = output.Describe(err)
		}
		b, _ := json.Marshal(rec)
		fmt.Fprintf(r.opts.Report, "%s\n", b)
		return
	}
	switch {
	case !ok:
		fmt.Fprintf(r.opts.Report, "FAILED  line %d  %s\n        %s\n", st.Line, output.Visible(text), output.Visible(output.Describe(err)))
	case note != "":
		fmt.Fprintf(r.opts.Report, "ok      line %d  %s  -> %s\n", st.Line, output.Visible(text), output.Visible(note))
	default:
		fmt.Fprintf(r.opts.Report, "ok      line %d  %s\n", st.Line, text)
	}
}

func (r *runner) summary(res Result) {
	if r.opts.JSON {
		b, _ := json.Marshal(output.Summary{Passed: res.Passed, Failed: res.Failed})
		fmt.Fprintf(r.opts.Report, "%s\n", b)
		return
	}
	fmt.Fprintf(r.opts.Report, "%d passed, %d failed\n", res.Passed, res.Failed)
}
