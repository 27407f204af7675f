// Package conform checks a server against the Engine.IO and Socket.IO
// protocols, one independent check at a time: with no suite, what the
// protocols ask of every server; with the engine.io or socket.io suite,
// every case of that protocol's official conformance suite, for a server
// that behaves as the suite's test server (an echo, fixed timings).
//
// The checks make their own requests and frames, as the suites do, so
// that what the server does with unusual ones shows; those of the
// Socket.IO layer ride on pkg/engineio's Conn when the suite has no say
// in the bytes. Packets go through pkg/engineio/wire and pkg/codec.
package conform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/engineio/wire"
	"github.com/siocli/sio/pkg/sioclient"
)

// Suite is a set of checks.
type Suite string

// The suites.
const (
	// Protocol holds what the protocols ask of any server, assuming no
	// application behaviour: what needs a handler is skipped.
	Protocol Suite = "protocol"
	// EngineIO is the engine.io-protocol test suite (Engine.IO 3 or 4),
	// for a bare Engine.IO echo server.
	EngineIO Suite = "engine.io"
	// SocketIO is the socket.io-protocol test suite (protocol 5), for a
	// server with the suite's handlers.
	SocketIO Suite = "socket.io"
)

// Result is how a check ended.
type Result string

// The results.
const (
	Pass Result = "pass"
	Fail Result = "fail"
	Skip Result = "skip"
)

// Record is the line printed for one check.
type Record struct {
	Type   string  `json:"type"` // always "check"
	Suite  Suite   `json:"suite"`
	Name   string  `json:"name"`
	Result Result  `json:"result"`
	MS     float64 `json:"ms"`
	// Sent and Got are, for a check that failed, the last thing sent to
	// the server and what came back; Why says what was wrong, or why a
	// check was skipped; Note is what a check that passed saw worth
	// telling (a namespace refused, a close that came from the heartbeat).
	Sent string `json:"sent,omitempty"`
	Got  string `json:"got,omitempty"`
	Why  string `json:"why,omitempty"`
	Note string `json:"note,omitempty"`
}

// Summary is the line printed after the checks.
type Summary struct {
	Type    string `json:"type"` // always "summary"
	Suite   Suite  `json:"suite"`
	URL     string `json:"url"`
	EIO     int    `json:"eio"` // the Engine.IO version the server was checked in
	Passed  int    `json:"passed"`
	Failed  int    `json:"failed"`
	Skipped int    `json:"skipped"`
}

// Report is a run's outcome.
type Report struct {
	Summary Summary
	Records []Record
	Started time.Time     // when the run began
	Took    time.Duration // how long it took
}

// Config is what Run needs.
type Config struct {
	// URL is the server's base URL (http or https, with any query).
	URL   string
	Suite Suite
	// Engine holds the connection options (path, query, headers, TLS,
	// proxy, transports, trace...). Version, when set, is the Engine.IO
	// version to check the server in; by default it is found out.
	Engine engineio.Options
	// Header, when set, gives more headers for every request
	// (--header-cmd); it is called once, before the checks.
	Header func(context.Context) (http.Header, error)
	// Namespace, Auth (or AuthFunc) and Query are the namespace the
	// protocol checks connect to, its auth payload (protocol 5) and its
	// query (protocol 4).
	Namespace string
	Auth      json.RawMessage
	AuthFunc  func(context.Context) (json.RawMessage, error)
	Query     url.Values
	// Parser is the Socket.IO wire format; default JSON.
	Parser sioclient.ParserFactory
	// Timeout bounds each check, beyond the time it waits on the server's
	// heartbeat. Default DefaultTimeout.
	Timeout time.Duration
	// HeartbeatWait is the longest a check may wait on the server's
	// heartbeat; checks that would wait longer are skipped. Default
	// DefaultHeartbeatWait; negative skips every such check.
	HeartbeatWait time.Duration
	// Parallel is how many checks run at once. Default 4.
	Parallel int
	// OnStart, when set, is called once the server's version is known,
	// before the checks, with the summary's heading (suite, URL, version).
	OnStart func(Summary)
	// OnCheck, when set, is called with each record as soon as it and
	// every check before it in the table are done, in table order, from
	// one goroutine at a time.
	OnCheck func(Record)
}

// Defaults.
const (
	DefaultTimeout       = 5 * time.Second
	DefaultHeartbeatWait = 60 * time.Second
	defaultParallel      = 4
)

// UnreachableError is returned by Run when no Engine.IO session opens at
// all, so that no check could say anything.
type UnreachableError struct{ Err error }

func (e *UnreachableError) Error() string { return "no Engine.IO session opens: " + e.Err.Error() }
func (e *UnreachableError) Unwrap() error { return e.Err }

// NotApplicableError is returned by Run when no check of the suite applies
// to the version the server speaks.
type NotApplicableError struct {
	Suite   Suite
	Version wire.Version
}

func (e *NotApplicableError) Error() string {
	return fmt.Sprintf("the %s suite has no check for a server of %s: it is for servers of Socket.IO protocol 5 (Engine.IO 4)", e.Suite, e.Version)
}

// runner is one run: the configuration and what the server said.
type runner struct {
	cfg    Config
	header http.Header
	v      wire.Version   // the Engine.IO version checked
	sio    codec.Version  // the Socket.IO protocol revision that goes with it
	hs     wire.Handshake // the server's first handshake
	parser codec.Parser
}

// Run runs the suite's checks that apply to the server, calling OnCheck
// with each record, and returns the report. Its error is an
// *UnreachableError when nothing connects, a *NotApplicableError when
// the suite does not fit the server, or a bad configuration.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.HeartbeatWait == 0 {
		cfg.HeartbeatWait = DefaultHeartbeatWait
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = defaultParallel
	}
	if cfg.Namespace == "" {
		cfg.Namespace = codec.RootNamespace
	}
	if cfg.Parser == nil {
		cfg.Parser = sioclient.JSON
	}
	if _, err := engineio.RequestURL(cfg.URL, &cfg.Engine, wire.Polling, wire.Version4, ""); err != nil {
		return nil, err
	}
	started := time.Now()
	r := &runner{cfg: cfg, header: cfg.Engine.Header.Clone()}
	if r.header == nil {
		r.header = http.Header{}
	}
	if cfg.Header != nil {
		hctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
		h, err := cfg.Header(hctx)
		cancel()
		if err != nil {
			return nil, err
		}
		for k, vs := range h {
			r.header[k] = append(r.header[k], vs...)
		}
	}
	if err := r.detect(ctx); err != nil {
		return nil, &UnreachableError{Err: err}
	}
	r.sio = codec.V5
	if r.v == wire.Version3 {
		r.sio = codec.V4
	}
	r.parser = cfg.Parser(r.sio)

	var checks []*Check
	for i := range table {
		c := &table[i]
		if c.Suite == cfg.Suite && c.applies(r.v, r.sio) {
			checks = append(checks, c)
		}
	}
	if len(checks) == 0 {
		return nil, &NotApplicableError{Suite: cfg.Suite, Version: r.v}
	}
	shown := engineio.RedactURL(cfg.URL, cfg.Engine.Redact...)
	rep := &Report{Summary: Summary{Type: "summary", Suite: cfg.Suite, URL: shown, EIO: int(r.v)}, Records: make([]Record, len(checks)), Started: started}
	if cfg.OnStart != nil {
		cfg.OnStart(rep.Summary)
	}
	done := make([]chan struct{}, len(checks))
	for i := range done {
		done[i] = make(chan struct{})
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(cfg.Parallel, len(checks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				rep.Records[i] = r.run(ctx, checks[i])
				close(done[i])
			}
		}()
	}
	go func() {
		for i, c := range checks {
			if c.Wait != nil {
				// It spends its time waiting on the server's heartbeat:
				// it takes no worker from the others.
				wg.Add(1)
				go func() {
					defer wg.Done()
					rep.Records[i] = r.run(ctx, c)
					close(done[i])
				}()
				continue
			}
			work <- i
		}
		close(work)
	}()
	for i := range checks {
		<-done[i]
		rec := rep.Records[i]
		switch rec.Result {
		case Pass:
			rep.Summary.Passed++
		case Fail:
			rep.Summary.Failed++
		case Skip:
			rep.Summary.Skipped++
		}
		if cfg.OnCheck != nil {
			cfg.OnCheck(rec)
		}
	}
	wg.Wait()
	rep.Took = time.Since(started)
	return rep, nil
}

// run runs one check in a goroutine of its own, bounded by its budget.
func (r *runner) run(ctx context.Context, c *Check) Record {
	rec := Record{Type: "check", Suite: c.Suite, Name: c.Name}
	var wait time.Duration
	if c.Wait != nil {
		wait = c.Wait(r)
		if r.cfg.HeartbeatWait < 0 || wait > r.cfg.HeartbeatWait {
			rec.Result = Skip
			rec.Why = fmt.Sprintf("not checked: it waits up to %v on the server's heartbeat, beyond --heartbeat-wait", wait.Round(time.Millisecond))
			return rec
		}
	}
	cctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout+wait)
	defer cancel()
	t := &T{ctx: cctx, r: r, v: r.v, result: Pass, budget: r.cfg.Timeout + wait, limit: "the check's time"}
	t.client, t.jar = r.httpClient()
	start := time.Now()
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer t.cleanup()
		c.Run(t)
	}()
	<-finished
	t.client.CloseIdleConnections()
	rec.MS = float64(time.Since(start).Microseconds()) / 1000
	rec.Result, rec.Note = t.result, t.note
	if t.result != Pass {
		rec.Why = t.why
	}
	if t.result == Fail {
		rec.Sent, rec.Got = t.sent, t.got
		if rec.Got == "" {
			rec.Got = "nothing"
		}
	}
	return rec
}

// Check is one entry of the table.
type Check struct {
	Name  string
	Suite Suite
	// EIO lists the Engine.IO versions the check applies to, SIO the
	// Socket.IO protocol revisions (none: a check of the Engine.IO layer).
	EIO []wire.Version
	SIO []codec.Version
	// Wait, when set, is how long the check may wait on the server's
	// heartbeat, on top of the timeout.
	Wait func(*runner) time.Duration
	Run  func(*T)
}

func (c *Check) applies(v wire.Version, sio codec.Version) bool {
	return slices.Contains(c.EIO, v) && (len(c.SIO) == 0 || slices.Contains(c.SIO, sio))
}

// Checks returns the table of checks, for documentation and tests.
func Checks() []Check { return slices.Clone(table) }

// errNoSession is what detect says when every way of opening a session
// failed without an error of its own.
var errNoSession = errors.New("no handshake answered")
