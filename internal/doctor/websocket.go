package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/engineio/wire"
)

// proxyFix is how to make a proxy pass WebSockets through.
const proxyFix = "Make the proxy forward the WebSocket upgrade: for nginx, `proxy_http_version 1.1;`, `proxy_set_header Upgrade $http_upgrade;` and `proxy_set_header Connection \"upgrade\";` in the location; Apache needs mod_proxy_wstunnel; a classic AWS ELB must listen on TCP. Until then clients can stay on polling (--transport polling)."

// directWebSocket opens a WebSocket-only session.
func (r *run) directWebSocket(s *Step) {
	if !r.reachable || r.mismatch {
		skip(s, map[bool]string{true: "version mismatch", false: "no connection"}[r.mismatch])
		return
	}
	eo := r.engineOptions(wire.WebSocket)
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Timeout)
	defer cancel()
	conn, err := engineio.Dial(ctx, r.cfg.URL, &eo)
	if err == nil {
		r.wsOK = true
		fact(s, "status", "101 Switching Protocols")
		fact(s, "sid", conn.Info().SID)
		if r.version == wire.VersionAuto {
			r.version = conn.Version()
			r.report.Engine = int(r.version)
			fact(s, "Engine.IO", versionName(r.version, r.forced != wire.VersionAuto))
		}
		conn.Close()
		return
	}
	var he *engineio.HTTPError
	if errors.As(err, &he) {
		fact(s, "status", fmt.Sprintf("%d %s", he.StatusCode, http.StatusText(he.StatusCode)))
		httpFacts(s, &httpResult{status: he.StatusCode, header: he.Header, body: he.Body, code: he.Code, msg: he.Message})
	} else {
		fact(s, "error", output.Describe(err))
	}
	if r.pollingOK && !r.wsOffered && he != nil && he.Code == wire.CodeTransportUnknown {
		skip(s, "the server offers no WebSocket (its transports option): polling is its best")
		return
	}
	problem, fix := explainWebSocket(err, r.pollingOK, r.path, r.between, r.cfg.Timeout)
	fail(s, problem, fix)
}

// probeLostProblem and probeLostFix explain a probe that went unanswered
// once and was answered on a new WebSocket.
const (
	probeLostProblem = "The first WebSocket's probe went unanswered and a new WebSocket's was answered: something in front of the server lost the first frame sent on a new WebSocket, as @socket.io/sticky can on a busy machine (its primary process may still read a connection it has just handed to a worker, and what it reads is lost). A client's upgrade then fails and its session stays on polling."
	probeLostFix     = "Balance in a proxy in front of the server processes (nginx `ip_hash` or a sticky cookie, HAProxy `balance source` or `cookie`) rather than in the Node primary."
)

// explainWebSocket says why a WebSocket failed and what to do.
func explainWebSocket(err error, pollingOK bool, path, proxy string, timeout time.Duration) (problem, fix string) {
	proxyFix := upgradeFix(proxy)
	var he *engineio.HTTPError
	if errors.As(err, &he) {
		by := ""
		if who := whoAnswered(he.Header); who != "" {
			by = " from " + who
		}
		switch {
		case he.AfterSwitch:
			return fmt.Sprintf("Version mismatch: the server switched protocols (101) and then wrote HTTP %d %q into the WebSocket, as engine.io does for a protocol version it does not speak.", he.StatusCode, he.Message),
				"Drop --eio and sio finds the version itself; or start the server with allowEIO3: true for socket.io 2.x clients."
		case he.Code == wire.CodeUnknownSID && he.Op != "websocket":
			return "A polling request during the upgrade reached a server process that does not hold the session (Session ID unknown): the load balancer is not sticky.", stickyFixFor(proxy, nil)
		case he.Code == wire.CodeUnknownSID:
			return "The WebSocket reached a server process that does not hold the session (Session ID unknown): the load balancer is not sticky.", stickyFixFor(proxy, nil)
		case he.StatusCode == http.StatusBadRequest && he.Code == wire.CodeBadRequest && pollingOK:
			return "The server got the WebSocket request without its Upgrade header (HTTP 400 \"Bad request\" from engine.io, while polling works): a proxy between here and the server does not forward the Upgrade and Connection headers.", proxyFix
		case he.StatusCode == http.StatusBadRequest && he.Code == wire.CodeTransportUnknown:
			return "The server does not accept WebSocket (Transport unknown).", "Add websocket to the server's transports option, or connect with --transport polling."
		case he.StatusCode == http.StatusNotFound && pollingOK:
			return fmt.Sprintf("The WebSocket request got HTTP 404%s while polling works: the proxy routes WebSocket requests elsewhere.", by), proxyFix
		case he.StatusCode == http.StatusNotFound:
			return fmt.Sprintf("Nothing answers WebSockets at %s (HTTP 404%s).", path, by), "Give the server's path with --path."
		case he.StatusCode >= 500:
			return fmt.Sprintf("HTTP %d%s for the WebSocket: a proxy could not reach the server for it, or times it out.", he.StatusCode, by), proxyFix
		}
		return fmt.Sprintf("HTTP %d%s instead of 101 Switching Protocols: something between here and the server answers WebSocket requests itself.", he.StatusCode, by), proxyFix
	}
	var te *engineio.TransportError
	if !pollingOK && timedOut(err) {
		return fmt.Sprintf("No answer to the WebSocket upgrade at %s within %v (%s): the connection opened, but nothing answered.", path, timeout, output.Describe(err)),
			"Check that the URL names a Socket.IO server's HTTP port, and what runs there (a server that hangs, a port of another protocol)."
	}
	if errors.As(err, &te) || errors.Is(err, context.DeadlineExceeded) {
		if pollingOK {
			return "The WebSocket opened no Engine.IO session (" + output.Describe(err) + "): the upgrade went unanswered or the connection closed, as when a proxy drops WebSockets, or nothing handles WebSockets at " + path + ".", proxyFix
		}
		return fmt.Sprintf("Nothing answered the WebSocket upgrade at %s (%s): the connection closed without an answer, as a Socket.IO server does for a path it does not serve.", path, output.Describe(err)),
			"Give the server's path with --path (the server's path option; default /socket.io)."
	}
	return "The WebSocket failed: " + output.Describe(err) + ".", "Run with --trace to see the exchange."
}

// upgrade opens a polling session and watches it move to WebSocket.
func (r *run) upgrade(s *Step) {
	switch {
	case !r.pollingOK:
		skip(s, "no polling session")
		return
	case !r.wsOffered:
		skip(s, "the server offers no upgrade")
		return
	}
	var mu sync.Mutex
	marks := map[string]time.Time{}
	mark := func(k string) {
		mu.Lock()
		if _, ok := marks[k]; !ok {
			marks[k] = time.Now()
		}
		mu.Unlock()
	}
	events := make(chan engineio.Event, 8)
	eo := r.engineOptions(wire.Polling, wire.WebSocket)
	eo.Trace = func(e engineio.TraceEvent) {
		if e.Kind != engineio.TraceFrame {
			return
		}
		switch string(e.Body) {
		case "2probe":
			mark("probe sent")
		case "3probe":
			mark("probe answered")
		case "5":
			mark("upgrade sent")
		}
	}
	eo.OnEvent = func(e engineio.Event) {
		select {
		case events <- e:
		default:
		}
	}
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Timeout)
	defer cancel()
	t0 := time.Now()
	conn, err := engineio.Dial(ctx, r.cfg.URL, &eo)
	if err != nil {
		fail(s, "The polling handshake failed this time: "+output.Describe(err)+".", "Run with --trace to see the exchange.")
		return
	}
	defer conn.Close()
	var outcome engineio.Event
	ended := false // the session itself ended before the upgrade did
	for outcome.Type == 0 {
		select {
		case e := <-events:
			if e.Type == engineio.EventUpgrade || e.Type == engineio.EventUpgradeError {
				outcome = e
			}
		case <-ctx.Done():
			outcome = engineio.Event{Type: engineio.EventUpgradeError, Err: fmt.Errorf("no upgrade within %s", r.cfg.Timeout)}
		case <-conn.Done():
			outcome = engineio.Event{Type: engineio.EventUpgradeError, Err: fmt.Errorf("the session closed: %w", conn.Err())}
			ended = true
		}
	}
	mu.Lock()
	for _, k := range []string{"probe sent", "probe answered", "upgrade sent"} {
		if t, ok := marks[k]; ok {
			fact(s, k, "+"+ms(t.Sub(t0)))
		}
	}
	_, answered := marks["probe answered"]
	_, sent := marks["probe sent"]
	mu.Unlock()
	if outcome.Type == engineio.EventUpgrade {
		r.upgradeOK = true
		fact(s, "upgraded", "+"+ms(outcome.Time.Sub(t0))+", now on websocket")
		return
	}
	fact(s, "error", output.Describe(outcome.Err))
	r.noteUnknownSID(outcome.Err)
	// An HTTP answer names the cause (a session the balancer sent
	// elsewhere, a proxy's refusal); without one, a probe left unanswered
	// points at a proxy that holds WebSocket frames back.
	var he *engineio.HTTPError
	var ce *engineio.CloseError
	if ended && !errors.As(outcome.Err, &he) && errors.As(outcome.Err, &ce) {
		// Not the WebSocket's doing: the session it was to carry ended.
		fail(s, fmt.Sprintf("The session ended during the upgrade (%s), before the probe's answer: %s.", ce.Reason, output.Describe(outcome.Err)),
			"Run with --trace to see the exchange; a ping timeout under a short pingTimeout points at a slow or loaded link or server.")
		return
	}
	if sent && !answered && !errors.As(outcome.Err, &he) {
		r.probeLost = true
		fail(s, "The WebSocket opened and the probe went out, but no answer came: a proxy buffers or drops WebSocket frames.", upgradeFix(r.between))
		return
	}
	problem, fix := explainWebSocket(outcome.Err, true, r.path, r.between, r.cfg.Timeout)
	fail(s, problem, fix)
}
