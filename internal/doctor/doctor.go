package doctor

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/engineio/wire"
	"github.com/siocli/sio/pkg/sioclient"
)

// Config says what to diagnose.
type Config struct {
	// URL is the server's base URL, http or https, with the handshake
	// query.
	URL       string
	Namespace string
	// Manager and Socket are the client's options, as for a connection:
	// Manager.Engine carries the path, headers, TLS, proxy and a forced
	// version; Socket the auth payload.
	Manager sioclient.Options
	Socket  sioclient.SocketOptions
	// Timeout bounds each network step; default 10s.
	Timeout time.Duration
	// HeartbeatWait bounds the wait for a heartbeat; 0 skips the step.
	HeartbeatWait time.Duration
	// Origin, when set, is the origin of a browser page to check the
	// server for (CORS, origin checks, cross-site cookies).
	Origin string
	// Watch, when set, holds a connection this long after the steps (or
	// until the context ends), reconnecting after each drop, and says
	// what the drops' pattern points at; OnWatch is told of each connect
	// and drop as it happens.
	Watch   time.Duration
	OnWatch func(WatchLine)
	// MaxSize finds the largest message the server takes on each
	// transport (it sends large messages, so it is asked for).
	MaxSize bool
	// OnStep, when set, is called as each step ends (and as a step
	// begins, with Status empty), for live output.
	OnStep func(*Step)
}

// run is one diagnosis in progress.
type run struct {
	cfg    Config
	ctx    context.Context
	base   *url.URL
	report *Report
	path   string
	tls    *tls.Config // as configured, or insecure after a failed verification
	jar    http.CookieJar

	// What the steps found.
	reachable   bool
	version     wire.Version // found by the handshake
	forced      wire.Version
	hs          *wire.Handshake
	pollingOK   bool
	stickyOK    bool
	stickyLate  bool   // sticky, but a request right after the handshake can miss (raceProblem)
	between     string // the proxy or balancer the answers show (identify), "" when none
	unknownSID  bool   // the step that opened a session got "Session ID unknown" (noteUnknownSID)
	lateRetry   bool   // the step runs again after that (retryingIntermittent)
	probeLost   bool   // the upgrade's probe went out and no answer came
	wsOffered   bool
	wsOK        bool
	upgradeOK   bool
	mismatch    bool
	nsConnected bool
	nsRefused   bool
	manager     *sioclient.Manager
	pings       chan sioclient.Lifecycle
	closed      chan sioclient.Lifecycle
	connectedAt time.Time
	pollingOff  bool          // the server refuses polling
	cookies     []string      // set by the handshake
	dropped     time.Duration // the connection dropped this long after connecting
}

// Run diagnoses the connection that cfg describes.
func Run(ctx context.Context, cfg Config) *Report {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Namespace == "" {
		cfg.Namespace = "/"
	}
	r := &run{cfg: cfg, ctx: ctx, report: &Report{URL: cfg.URL, Namespace: cfg.Namespace}}
	r.base, _ = url.Parse(cfg.URL)
	eo := cfg.Manager.Engine
	r.path = eo.Path
	if r.path == "" {
		r.path = "/socket.io/"
	}
	if !strings.HasSuffix(r.path, "/") {
		r.path += "/"
	}
	r.tls = eo.TLSConfig
	r.forced = eo.Version
	r.jar, _ = cookiejar.New(nil)
	defer func() {
		if r.manager != nil {
			r.manager.Close()
		}
	}()

	r.step("tcp", "Name resolution and TCP", r.resolveAndDial)
	r.step("tls", "TLS", r.checkTLS)
	r.step("handshake", "Polling handshake", r.handshake)
	r.step("sticky", "Session stickiness", r.sticky)
	r.step("websocket", "Direct WebSocket", r.directWebSocket)
	r.step("upgrade", "Upgrade from polling to WebSocket", r.retryingIntermittent(r.upgrade))
	r.step("namespace", "Namespace connect", r.retryingIntermittent(r.namespace))
	r.step("heartbeat", "Heartbeat", r.heartbeat)
	r.step("browser", "Browser page (CORS)", r.browser)
	if r.cfg.MaxSize {
		r.step("size", "Message size limit", r.maxSize)
	}
	if r.cfg.Watch > 0 {
		r.step("watch", "Watching the connection", r.watch)
	}
	r.verdict()
	return r.report
}

// step runs one step, times it and reports it.
func (r *run) step(name, title string, f func(*Step)) {
	s := &Step{Number: len(r.report.Steps) + 1, Name: name, Title: title}
	r.report.Steps = append(r.report.Steps, s)
	if name == "heartbeat" && r.nsConnected && r.cfg.HeartbeatWait > 0 && r.cfg.Watch == 0 {
		s.Waiting = "waiting for a ping (--heartbeat-wait 0 skips this step)"
	}
	if name == "size" {
		s.Waiting = "growing emits until the server ends the session, on each transport"
	}
	if name == "watch" {
		s.Waiting = fmt.Sprintf("holding a connection for %s (Ctrl-C ends it sooner)", r.cfg.Watch)
	}
	if r.cfg.OnStep != nil {
		r.cfg.OnStep(s)
	}
	start := time.Now()
	f(s)
	if s.Status == "" {
		s.Status = OK
	}
	s.Duration = time.Since(start)
	s.MS = float64(s.Duration.Microseconds()) / 1000
	if s.Status == Skip {
		s.Duration, s.MS = 0, 0
	}
	if r.cfg.OnStep != nil {
		r.cfg.OnStep(s)
	}
}

// retryingIntermittent runs a step that opens a session of its own again,
// up to twice, when it failed in a way a busy balancer causes now and
// then: "Session ID unknown" behind a balancer the stickiness step found
// sticky (the request right after the handshake can outrun the
// balancer's learning of the session; run again, the session waits
// lateWait after its handshake before its next request, so that the race
// cannot strike again), or a WebSocket probe left unanswered. A step that
// then works is a warning naming what happened; one that keeps failing
// keeps its own explanation.
func (r *run) retryingIntermittent(f func(*Step)) func(*Step) {
	return func(s *Step) {
		r.unknownSID, r.probeLost = false, false
		f(s)
		for attempt := 1; attempt <= 2 && s.Status == Fail && (r.stickyOK && r.unknownSID || r.probeLost); attempt++ {
			late := r.unknownSID
			r.unknownSID, r.probeLost = false, false
			first := *s
			if r.manager != nil {
				r.manager.Close()
				r.manager = nil
			}
			*s = Step{Number: s.Number, Name: s.Name, Title: s.Title}
			fact(s, fmt.Sprintf("attempt %d", attempt), "failed: "+firstError(&first))
			if late {
				fact(s, "tried again", fmt.Sprintf("the session's first request %v after its handshake", lateWait))
			}
			time.Sleep(100 * time.Millisecond)
			r.lateRetry = late
			f(s)
			r.lateRetry = false
			if s.Status == OK || s.Status == "" {
				if late {
					warn(s, raceProblem, raceFix)
				} else {
					warn(s, probeLostProblem, probeLostFix)
				}
				return
			}
		}
	}
}

// noteUnknownSID records that err is a "Session ID unknown": a request
// that reached a process without the session.
func (r *run) noteUnknownSID(err error) {
	var he *engineio.HTTPError
	if errors.As(err, &he) && he.Code == wire.CodeUnknownSID {
		r.unknownSID = true
	}
}

// lateWait is how long a step run again after "Session ID unknown" waits
// after its handshake.
const lateWait = 300 * time.Millisecond

func firstError(s *Step) string {
	for _, f := range s.Facts {
		if f.Key == "error" {
			return f.Value
		}
	}
	return s.Problem
}

func skip(s *Step, why string) {
	s.Status = Skip
	fact(s, "skipped", why)
}

// engineOptions returns the engine options of the configured connection,
// with the TLS settings the diagnosis uses and the version found.
func (r *run) engineOptions(transports ...wire.Transport) engineio.Options {
	eo := r.cfg.Manager.Engine
	eo.TLSConfig = r.tls
	eo.Transports = transports
	eo.ConnectTimeout = r.cfg.Timeout
	eo.OnEvent, eo.Trace = nil, nil
	if r.version != wire.VersionAuto {
		eo.Version = r.version
	}
	if r.lateRetry {
		eo.AfterHandshake = lateWait
	}
	return eo
}

// versionName describes an Engine.IO version as the servers that speak it.
func versionName(v wire.Version, forced bool) string {
	switch {
	case v == wire.Version4:
		return "Engine.IO 4 (socket.io 3.x or 4.x)"
	case forced:
		return "Engine.IO 3 (socket.io 2.x, or 3.x/4.x with allowEIO3)"
	default:
		return "Engine.IO 3 (socket.io 2.x or older)"
	}
}

func ms(d time.Duration) string {
	if d >= time.Second {
		return d.Round(time.Millisecond).String()
	}
	if d < time.Millisecond {
		return d.Round(time.Microsecond).String()
	}
	return d.Round(100 * time.Microsecond).String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
