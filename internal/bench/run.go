// Package bench is sio's load generator: many virtual clients, each its
// own Engine.IO session, running the same steps in a loop while every
// timing goes into mergeable histograms and every outcome into counters.
package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/internal/script"
	"github.com/siocli/sio/internal/session"
	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/sioclient"
)

// Config describes a run.
type Config struct {
	// Target is the URL as the report shows it, credentials redacted.
	Target string
	// Client is every client's session configuration; the run sets its
	// observers, its Dial, and its transports for the polling share.
	Client session.Config
	// Clients is the whole run's population; with Shards > 1 this process
	// runs the clients i with i % Shards == Shard-1, arriving when they
	// would in the whole run.
	Clients       int
	Shard, Shards int
	// Start is when the run begins (zero: now); a later one is waited for,
	// an earlier one lets the clients whose time has passed start at once.
	Start time.Time
	// Ramp spreads the arrivals: client i starts at Start+i*Ramp/Clients.
	Ramp time.Duration
	// Duration ends the run (0: when every client did its Iterations).
	Duration time.Duration
	// Iterations is how many times each client runs Steps (0: until the
	// run ends).
	Iterations int
	// Every paces the iterations: each starts Every after the one before
	// (or at once when that one took longer). 0: back to back.
	Every time.Duration
	// Steps are what each client does each iteration (script.CheckLoop
	// passed); ${CLIENT} and ${ITER} are set. None: the clients connect
	// and stay idle.
	Steps []script.Step
	// Expect names events to count even when none arrive.
	Expect []string
	// Polling is the share of clients (0 to 1) that stay on polling.
	Polling float64
}

// Run runs the clients until the run ends or ctx is done (Ctrl-C: the
// ramp stops and every client disconnects), and returns the report of
// what ran.
func Run(ctx context.Context, cfg Config, m *Metrics) *Report {
	if cfg.Shards < 1 {
		cfg.Shard, cfg.Shards = 1, 1
	}
	for _, e := range cfg.Expect {
		m.events.add(e, 0)
	}
	start := cfg.Start
	if start.IsZero() {
		start = time.Now()
	}
	runCtx, cancel := ctx, context.CancelFunc(func() {})
	if cfg.Duration > 0 {
		runCtx, cancel = context.WithDeadline(ctx, start.Add(cfg.Duration))
	}
	defer cancel()
	var started int64
	var wg sync.WaitGroup
	// One goroutine spreads the arrivals; each client has its own only
	// while it has steps to run.
	for i := cfg.Shard - 1; i < cfg.Clients; i += cfg.Shards {
		at := start.Add(time.Duration(int64(cfg.Ramp) * int64(i) / int64(cfg.Clients)))
		if !sleepUntil(runCtx, at) {
			break
		}
		started++
		c := &client{run: &cfg, m: m, i: i, polling: onPolling(i, cfg.Polling)}
		wg.Add(1)
		go c.run1(runCtx, &wg)
	}
	wg.Wait()
	r := m.Report()
	r.Target = cfg.Target
	r.Started = start
	r.Seconds = time.Since(start).Seconds()
	r.Shards = []string{fmt.Sprintf("%d/%d", cfg.Shard, cfg.Shards)}
	r.Clients.Target = cfg.Clients
	r.Clients.Started = started
	return r
}

// onPolling says whether client i is one of the share that stays on
// polling: the share is spread evenly over the population, so that every
// shard and every stage of the ramp has its part.
func onPolling(i int, share float64) bool {
	return int(float64(i+1)*share) > int(float64(i)*share)
}

// sleepUntil waits until t, and says whether ctx let it.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// client is one virtual client. Its lifecycle fields are touched only on
// its Manager's dispatcher goroutine.
type client struct {
	run     *Config
	m       *Metrics
	i       int
	polling bool
	loop    *script.Loop

	attempt   time.Time // when the current connection attempt began
	opened    time.Time // when its Engine.IO session opened
	transport engineio.Transport
	joined    bool                 // the namespace is connected
	closedAt  atomic.Int64         // when the run closed the client (UnixNano), 0 before
	lastEvent map[string]time.Time // gaps between events of a name
}

// run1 connects the client and runs its steps until the run ends, then
// disconnects it and calls wg.Done. An idle client (no steps) holds no
// goroutine while connected.
func (c *client) run1(ctx context.Context, wg *sync.WaitGroup) {
	cfg := c.run.Client
	cfg.Manager.Engine.Dial = c.dial(cfg.Manager.Engine.Dial)
	if cfg.Manager.Engine.ReadBufferSize == 0 {
		cfg.Manager.Engine.ReadBufferSize = clientReadBuffer
	}
	if c.polling {
		cfg.Manager.Engine.Transports = []engineio.Transport{engineio.Polling}
	}
	cfg.OnEvent = c.onEvent
	cfg.OnLifecycle = c.onLifecycle
	c.lastEvent = map[string]time.Time{}
	c.attempt = time.Now()
	sess, err := session.New(cfg)
	if err != nil {
		c.m.connectErrors.add("usage: "+output.Describe(err), 1)
		wg.Done()
		return
	}
	end := func() {
		c.closedAt.Store(time.Now().UnixNano())
		sess.Close()
		wg.Done()
	}
	hooks := script.Hooks{
		Emit: func(event string) { c.m.emits.add(event, 1) },
		Ack: func(event string, a *sioclient.Ack, err error) {
			var at *sioclient.AckTimeoutError
			switch {
			case err == nil:
				c.m.ack(event, a.RTT, a.Held)
			case ctx.Err() != nil:
				c.m.pending.Add(1) // the run ended first: no timeout of the server's
			case errors.As(err, &at):
				c.m.timeouts.add(event, 1)
			}
		},
	}
	// The loop exists before the first connect, so that no event is
	// missed by its expect steps.
	if len(c.run.Steps) > 0 {
		c.loop = script.NewLoop(c.run.Steps, sess, hooks)
	}
	for {
		err := sess.Start(ctx)
		if err == nil {
			break
		}
		var ce *sioclient.ConnectError
		var we *sioclient.WaitError
		unreachable := !errors.As(err, &we) && sioclient.Unreachable(err) // FailFast said so at once
		if errors.As(err, &ce) || unreachable || ctx.Err() != nil || c.run.Duration == 0 {
			// Refused, unreachable (unless waiting for the server), or
			// failed with no --duration to end the run (each counted by
			// its connect_error), or the run ended.
			end()
			return
		}
	}
	if c.loop == nil {
		context.AfterFunc(ctx, end)
		return
	}
	defer end()
	client, _ := json.Marshal(c.i)
	for iter := 0; c.run.Iterations == 0 || iter < c.run.Iterations; iter++ {
		next := time.Now().Add(c.run.Every)
		err := c.loop.Run(ctx, map[string]json.RawMessage{"CLIENT": client, "ITER": json.RawMessage(strconv.Itoa(iter))})
		if ctx.Err() != nil {
			return
		}
		var at *sioclient.AckTimeoutError
		if err != nil && !errors.As(err, &at) {
			c.m.stepErrors.add(sameCause(output.Describe(err)), 1)
		}
		if c.run.Every > 0 && !sleepUntil(ctx, next) {
			return
		}
	}
	// What the server sends at once in answer to the last step (an event
	// after its ack) is still heard and counted.
	sleepUntil(ctx, time.Now().Add(lastLinger))
}

// clientReadBuffer is each client's WebSocket read buffer: thousands of
// mostly idle connections are lighter with a small one.
const clientReadBuffer = 512

// lastLinger is how long a client that did its iterations stays before it
// disconnects.
const lastLinger = 100 * time.Millisecond

func (c *client) onEvent(e *sioclient.Event) {
	now := e.Time
	c.m.events.add(e.Name, 1)
	if last, ok := c.lastEvent[e.Name]; ok {
		c.m.gaps.get(e.Name).Add(now.Sub(last))
	}
	if _, ok := c.lastEvent[e.Name]; ok || len(c.lastEvent) < maxNames {
		c.lastEvent[e.Name] = now
	}
	if c.loop != nil {
		c.loop.Observe(e)
	}
}

func (c *client) onLifecycle(l sioclient.Lifecycle) {
	m := c.m
	switch l.Type {
	case sioclient.LifecycleReconnectAttempt:
		c.attempt = l.Time
	case sioclient.LifecycleReconnect:
		m.reconnects.Add(1)
	case sioclient.LifecycleOpen:
		c.opened = l.Time
		m.Open.Add(l.Time.Sub(c.attempt))
		if l.Session != nil {
			c.transport = l.Session.Transport
		}
	case sioclient.LifecycleUpgrade:
		m.Upgrade.Add(l.Time.Sub(c.opened))
		if c.joined {
			c.gauge(c.transport).Add(-1)
			c.gauge(l.To).Add(1)
		}
		c.transport = l.To
	case sioclient.LifecycleConnect:
		m.connects.Add(1)
		m.Connect.Add(l.Time.Sub(c.attempt))
		m.joined()
		c.gauge(c.transport).Add(1)
		c.joined = true
	case sioclient.LifecycleConnectError:
		if l.Namespace == "" || c.closing(l) {
			return
		}
		var ce *sioclient.ConnectError
		kind := "unreachable"
		msg := ""
		if errors.As(l.Err, &ce) {
			kind, msg = "refused", ce.Message
		} else if l.Err != nil {
			msg = sameCause(output.Describe(l.Err))
			if errors.Is(l.Err, context.DeadlineExceeded) {
				kind = "timeout"
				msg = fmt.Sprintf("no connection within %v: %s", c.run.Client.ConnectTimeout, msg)
			}
		}
		m.connectErrors.add(kind+": "+msg, 1)
	case sioclient.LifecycleDisconnect:
		// A client the run closes still counts as connected at the end.
		if c.joined && !c.closing(l) {
			m.connected.Add(-1)
			c.gauge(c.transport).Add(-1)
			c.joined = false
		}
		if !c.closing(l) {
			m.disconnects.add(l.Reason, 1)
		}
	}
}

// requestURL is a URL in an error message, its query with it.
var requestURL = regexp.MustCompile(`((?:https?|wss?)://[^\s"?]+)\?[^\s"]*`)

// sameCause makes one error message of the errors that differ only in the
// URL of their request (each has its own sid and cache-busting stamp), so
// that they are counted together: the URL stays, its query goes.
func sameCause(msg string) string { return requestURL.ReplaceAllString(msg, "$1") }

// closing says whether l came of the run closing the client: what
// happened before is counted, even when heard after.
func (c *client) closing(l sioclient.Lifecycle) bool {
	at := c.closedAt.Load()
	return at != 0 && l.Time.UnixNano() >= at
}

// gauge is the count of connected clients on t.
func (c *client) gauge(t engineio.Transport) *atomic.Int64 {
	if t == engineio.WebSocket {
		return &c.m.websocket
	}
	return &c.m.polling
}

// dial wraps the client's dialler so that every byte in and out is
// counted.
func (c *client) dial(next func(context.Context, string, string) (net.Conn, error)) func(context.Context, string, string) (net.Conn, error) {
	if next == nil {
		next = (&net.Dialer{Timeout: c.run.Client.ConnectTimeout}).DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: conn, m: c.m}, nil
	}
}

// countingConn counts the bytes through a connection.
type countingConn struct {
	net.Conn
	m *Metrics
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.m.bytesIn.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.m.bytesOut.Add(int64(n))
	return n, err
}
