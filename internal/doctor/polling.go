package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/engineio/wire"
)

// httpResult is one polling request's answer.
type httpResult struct {
	status int
	header http.Header
	body   []byte
	code   wire.ErrorCode // engine.io's error code, wire.CodeNone when the body is not one
	msg    string
}

// client returns an HTTP client for the polling requests; fresh gives
// every request a new connection, as separate browser requests may be.
func (r *run) client(fresh bool) *http.Client {
	return &http.Client{
		Transport: &http.Transport{Proxy: r.proxy(), TLSClientConfig: r.tls, DisableKeepAlives: fresh, ForceAttemptHTTP2: false},
		Jar:       r.jar,
		Timeout:   r.cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// pollURL is the URL of a polling request.
func (r *run) pollURL(v wire.Version, sid string) string {
	u := *r.base
	u.Path = r.path
	q := u.Query()
	for k, vs := range r.cfg.Manager.Engine.Query {
		q[k] = vs
	}
	q.Set(wire.QueryEIO, strconv.Itoa(int(v)))
	q.Set(wire.QueryTransport, string(wire.Polling))
	q.Set(wire.QueryTimestamp, strconv.FormatInt(time.Now().UnixNano(), 36))
	q.Set(wire.QueryBase64, "1")
	if sid != "" {
		q.Set(wire.QuerySID, sid)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (r *run) do(c *http.Client, method, u string, body []byte) (*httpResult, error) {
	return r.doWith(c, method, u, body, nil)
}

// doWith is do with extra headers (an Origin, a preflight's).
func (r *run) doWith(c *http.Client, method, u string, body []byte, extra http.Header) (*httpResult, error) {
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Timeout)
	defer cancel()
	return r.doCtx(ctx, c, method, u, body, extra)
}

// doCtx is doWith bounded by ctx alone.
func (r *run) doCtx(ctx context.Context, c *http.Client, method, u string, body []byte, extra http.Header) (*httpResult, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	for k, vs := range r.cfg.Manager.Engine.Header {
		req.Header[k] = vs
	}
	for k, vs := range extra {
		req.Header[k] = vs
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	trace := r.cfg.Manager.Engine.Trace
	if trace != nil {
		trace(engineio.TraceEvent{Time: time.Now(), Kind: engineio.TraceRequest, Outgoing: true, Transport: wire.Polling, Method: method, URL: u, Header: req.Header.Clone(), Body: body})
	}
	resp, err := c.Do(req)
	if err != nil {
		if trace != nil {
			trace(engineio.TraceEvent{Time: time.Now(), Kind: engineio.TraceResponse, Transport: wire.Polling, URL: u, Err: err})
		}
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if trace != nil {
		trace(engineio.TraceEvent{Time: time.Now(), Kind: engineio.TraceResponse, Transport: wire.Polling, URL: u, Status: resp.StatusCode, Header: resp.Header, Body: b})
	}
	res := &httpResult{status: resp.StatusCode, header: resp.Header, body: b, code: wire.CodeNone}
	var e struct {
		Code    *int   `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(b, &e) == nil && e.Code != nil {
		res.code, res.msg = wire.ErrorCode(*e.Code), e.Message
	}
	return res, nil
}

var eio3Payload = regexp.MustCompile(`^[0-9]+:`)

// handshake opens a polling session, trying Engine.IO 4 and then 3 unless
// a version was given.
func (r *run) handshake(s *Step) {
	if !r.reachable {
		skip(s, "no connection")
		return
	}
	versions := []wire.Version{wire.Version4, wire.Version3}
	if r.forced != wire.VersionAuto {
		versions = []wire.Version{r.forced}
	}
	c := r.client(false)
	var last *httpResult // the last refused request
	for _, v := range versions {
		t0 := time.Now()
		res, err := r.do(c, http.MethodGet, r.pollURL(v, ""), nil)
		if timedOut(err) {
			fail(s, fmt.Sprintf("No answer to the handshake (GET EIO=%d) within %v: the connection opened, but no HTTP response came.", v, r.cfg.Timeout),
				"Check that the URL names a Socket.IO server's HTTP port, and what runs there (a server that hangs, a port of another protocol); run with --trace to see the exchange.")
			return
		}
		if err != nil {
			fail(s, "The handshake request failed: "+err.Error()+".", "Check the URL; run with --trace to see the exchange.")
			return
		}
		fact(s, fmt.Sprintf("GET EIO=%d", v), fmt.Sprintf("%d %s in %s", res.status, http.StatusText(res.status), ms(time.Since(t0))))
		r.noteProxy(s, res.header)
		if res.status == http.StatusOK {
			r.openPolling(s, v, res)
			return
		}
		httpFacts(s, res)
		last = res
		if res.code == wire.CodeUnsupportedVersion && v == wire.Version3 {
			r.versionMismatch(s, c)
			return
		}
		if res.code == wire.CodeTransportUnknown && res.status == http.StatusBadRequest {
			r.pollingOff = true
			skip(s, "the server does not accept long-polling (Transport unknown): clients must connect with WebSocket only (transports: ['websocket'], sio's --transport websocket)")
			return
		}
		if !(res.status == http.StatusBadRequest && res.code > wire.CodeTransportUnknown) {
			break // another version will not fare better
		}
	}
	problem, fix := explainPolling(last, r.path)
	fail(s, problem, fix)
}

// openPolling reads a handshake's open packet.
func (r *run) openPolling(s *Step, asked wire.Version, res *httpResult) {
	v := wire.Version4
	if eio3Payload.Match(res.body) {
		v = wire.Version3
	}
	packets, err := wire.DecodePayload(res.body, v, res.header.Get("Content-Type") == "application/octet-stream")
	if err != nil || len(packets) == 0 || packets[0].Type != wire.PacketOpen {
		fact(s, "content-type", res.header.Get("Content-Type"))
		fact(s, "body", snippet(res.body))
		fail(s, "The server answered 200 but not with an Engine.IO handshake: something else answers at "+r.path+" (a web page, an API).",
			"Give the Socket.IO server's path with --path (its path option; default /socket.io), or check where the proxy routes it.")
		return
	}
	hs, err := wire.ParseHandshake(packets[0].Data)
	if err != nil {
		fail(s, fmt.Sprintf("The open packet is malformed (%v): %s.", err, snippet(packets[0].Data)), "The server is not a Socket.IO server sio knows.")
		return
	}
	r.version, r.hs, r.pollingOK = v, &hs, true
	r.report.Engine = int(v)
	fact(s, "Engine.IO", versionName(v, r.forced != wire.VersionAuto))
	if asked == wire.Version4 && v == wire.Version3 {
		fact(s, "note", "asked for EIO=4, answered in Engine.IO 3: the server ignores EIO, as engine.io 3 does")
	}
	fact(s, "sid", hs.SID)
	up := strings.Join(hs.Upgrades, ", ")
	if up == "" {
		up = "none"
	}
	fact(s, "upgrades", up)
	fact(s, "pingInterval", fmt.Sprintf("%dms", hs.PingInterval.Milliseconds()))
	fact(s, "pingTimeout", fmt.Sprintf("%dms", hs.PingTimeout.Milliseconds()))
	if hs.MaxPayload > 0 {
		fact(s, "maxPayload", strconv.Itoa(hs.MaxPayload))
	}
	var cookies []string
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		cookies = append(cookies, c.Name)
	}
	if len(cookies) > 0 {
		fact(s, "cookies set", strings.Join(cookies, ", "))
		r.cookies = cookies
	}
	if srv := res.header.Get("Server"); srv != "" {
		fact(s, "server", srv)
	}
	r.wsOffered = false
	for _, u := range hs.Upgrades {
		switch u {
		case string(wire.WebSocket):
			r.wsOffered = true
		case "webtransport":
			fact(s, "note", "the server offers WebTransport (HTTP/3) as well; sio does not use it, and checks polling and WebSocket")
		}
	}
	if v == wire.Version3 && !r.cfg.Manager.Engine.LegacyUTF8 {
		r.checkText(s)
	}
}

// versionMismatch explains an Engine.IO 3 handshake that a server of
// version 4 refused, after checking that version 4 works.
func (r *run) versionMismatch(s *Step, c *http.Client) {
	r.mismatch = true
	res, err := r.do(c, http.MethodGet, r.pollURL(wire.Version4, ""), nil)
	if err == nil && res.status == http.StatusOK {
		fact(s, "GET EIO=4", "200 OK: the server speaks Engine.IO 4")
	}
	fail(s, "Version mismatch: --eio 3 asks for Engine.IO 3 (socket.io 2.x), and the server speaks only Engine.IO 4 (socket.io 3.x or 4.x without allowEIO3): \"Unsupported protocol version\".",
		"Drop --eio 3 and sio finds the version itself; or start the server with allowEIO3: true to let socket.io 2.x clients in.")
}

// httpFacts adds what matters of a failed request: status, engine.io's
// error, the headers that name who answered, the start of the body.
func httpFacts(s *Step, res *httpResult) {
	if res.code != wire.CodeNone {
		fact(s, "engine.io error", fmt.Sprintf("code %d, %q", res.code, res.msg))
	}
	for _, h := range []string{"Server", "Via", "Content-Type", "Location", "X-Powered-By"} {
		if v := res.header.Get(h); v != "" {
			fact(s, strings.ToLower(h), v)
		}
	}
	if res.code == wire.CodeNone && len(res.body) > 0 {
		fact(s, "body", snippet(res.body))
	}
}

// snippet is the start of a body on one line.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// noteProxy records the proxy or balancer a response shows, once, as a
// fact of the step.
func (r *run) noteProxy(s *Step, h http.Header) {
	if r.between != "" {
		return
	}
	if name, evidence := identify(h); name != "" {
		r.between = name
		fact(s, "in between", name+" ("+evidence+")")
	}
}

// whoAnswered names the software that answered, from its headers.
func whoAnswered(h http.Header) string {
	if v := h.Get("Server"); v != "" {
		return v
	}
	if v := h.Get("Via"); v != "" {
		return v
	}
	return ""
}

// explainPolling says why a polling request failed and what to do.
func explainPolling(res *httpResult, path string) (problem, fix string) {
	by := ""
	if who := whoAnswered(res.header); who != "" {
		by = " from " + who
	}
	switch {
	case res.status == http.StatusNotFound:
		return fmt.Sprintf("Nothing answers at %s (HTTP 404%s).", path, by),
			"The server's path is likely different: give it with --path (the server's path option; default /socket.io). The URL's own path is the namespace."
	case res.status >= 300 && res.status < 400:
		return fmt.Sprintf("The server redirects (HTTP %d%s) to %s.", res.status, by, res.header.Get("Location")),
			"Use the URL it redirects to (often https://)."
	case res.status == http.StatusUnauthorized || res.status == http.StatusProxyAuthRequired:
		return fmt.Sprintf("The request needs credentials (HTTP %d%s).", res.status, by),
			"Send them with -H 'Authorization: …' (or in the proxy URL for a proxy)."
	case res.status == http.StatusForbidden:
		return fmt.Sprintf("The server forbids the request (HTTP 403%s): its allowRequest, a CORS or origin check, or an authenticating proxy.", by),
			"Send what it wants with -H (an Origin or Authorization header) or -q."
	case res.status >= 500:
		return fmt.Sprintf("HTTP %d%s: the server failed, or a proxy could not reach it.", res.status, by),
			"Check that the Socket.IO server runs, and the proxy's upstream address."
	case res.code != wire.CodeNone:
		return fmt.Sprintf("The server refused the handshake: HTTP %d, engine.io error %d %q.", res.status, res.code, res.msg),
			"Run with --trace to see the exchange."
	}
	return fmt.Sprintf("The handshake failed: HTTP %d%s.", res.status, by), "Run with --trace to see the exchange."
}

// poller keeps a long-poll GET in flight on a session while a step
// POSTs, as every client does: some servers (googollee/go-socket.io)
// hold a POST until what they queued for the client has been fetched.
// What the GETs bring comes on packets.
type poller struct {
	cancel  context.CancelFunc
	done    chan struct{}
	packets chan wire.Packet
}

// startPoller polls the session sid until stop is called or a GET fails.
func (r *run) startPoller(c *http.Client, v wire.Version, sid string) *poller {
	ctx, cancel := context.WithCancel(r.ctx)
	p := &poller{cancel: cancel, done: make(chan struct{}), packets: make(chan wire.Packet, 64)}
	go func() {
		defer close(p.done)
		for ctx.Err() == nil {
			res, err := r.doCtx(ctx, c, http.MethodGet, r.pollURL(v, sid), nil, nil)
			if err != nil || res.status != http.StatusOK {
				return
			}
			packets, err := wire.DecodePayload(res.body, v, res.header.Get("Content-Type") == "application/octet-stream")
			if err != nil {
				return
			}
			for _, pk := range packets {
				select {
				case p.packets <- pk:
				default:
				}
				if pk.Type == wire.PacketClose {
					return
				}
			}
		}
	}()
	return p
}

// stop ends the polling and waits for it.
func (p *poller) stop() {
	p.cancel()
	<-p.done
}

// sticky sends several requests with the session id, each on a new
// connection: a "Session ID unknown" means they reached different server
// processes. When only the first requests get it and a second round a
// moment later all reach the session, the balancer is sticky but learns
// a session late (see raceProblem).
func (r *run) sticky(s *Step) {
	if !r.pollingOK {
		skip(s, "no polling session")
		return
	}
	const n = 4
	c := r.client(true)
	reached, unknown, sent := 0, 0, 0
	var other []string
	round := func(k int) (int, int) {
		ok, bad := 0, 0
		for range k {
			res, err := r.do(c, http.MethodPost, r.pollURL(r.version, r.hs.SID), r.heartbeatPacket(sent))
			sent++
			switch {
			case err != nil:
				other = append(other, err.Error())
			case res.status == http.StatusOK:
				ok++
			case res.code == wire.CodeUnknownSID:
				bad++
			default:
				other = append(other, fmt.Sprintf("HTTP %d %s", res.status, snippet(res.body)))
			}
		}
		return ok, bad
	}
	polls := r.startPoller(r.client(false), r.version, r.hs.SID)
	reached, unknown = round(n)
	late := false
	if unknown > 0 && len(other) == 0 {
		time.Sleep(100 * time.Millisecond)
		if ok, bad := round(6); bad == 0 && ok == 6 {
			late, reached = true, reached+ok
		} else {
			reached, unknown = reached+ok, unknown+bad
		}
	}
	closePkt := wire.EncodePayload(nil, []wire.Packet{{Type: wire.PacketClose}}, r.version)
	r.do(c, http.MethodPost, r.pollURL(r.version, r.hs.SID), closePkt)
	polls.stop()
	fact(s, "requests", fmt.Sprintf("%d POSTs with the sid (a client's connect and heartbeat packets), each on a new connection: %d reached the session", sent, reached))
	for _, name := range r.cookies {
		if who, ok := balancerCookies[strings.ToLower(name)]; ok {
			fact(s, "balancer cookie", fmt.Sprintf("%s (%s's), sent back with each request as a browser does", name, who))
		}
	}
	switch {
	case late:
		fact(s, "Session ID unknown", fmt.Sprintf("%s at first, then none in 6 more sent 100ms later", plural(unknown, "answer", "answers")))
		r.stickyOK, r.stickyLate = true, true
		warn(s, raceProblem, raceFix)
		return
	case unknown > 0:
		fact(s, "Session ID unknown", plural(unknown, "answer", "answers"))
		fail(s, fmt.Sprintf("%d of %d requests with the session's id got \"Session ID unknown\": they reached a server process that does not hold the session, so the load balancer is not sticky.", unknown, sent),
			stickyFixFor(r.between, r.cookies))
		return
	}
	if len(other) > 0 {
		fact(s, "errors", strings.Join(other, "; "))
		fail(s, "Requests with the session's id failed: "+other[0]+".", "Run with --trace to see the exchange.")
		return
	}
	r.stickyOK = true
}

// raceProblem and raceFix explain a balancer that is sticky but learns
// which process holds a session only once that process has answered the
// handshake, so that a request sent at once can reach another one.
const (
	raceProblem = "Requests sent right after the handshake got \"Session ID unknown\", and the same requests a moment later reached the session: the load balancer learns which process holds a session only after that process has answered the handshake (as @socket.io/sticky does), so a client's first request reaches another process now and then, and that connect fails (a client with reconnection tries again)."
	raceFix     = "Route by something the first request already carries: a cookie the balancer sets on the handshake (HAProxy `cookie SERVERID insert`, nginx `sticky cookie`) or the client's address (nginx `ip_hash`, HAProxy `balance source`); or connect with WebSocket only (--transport websocket), where one connection carries the session."
)

// heartbeatPacket is the i-th POST body of the stickiness probe: only what
// a real client sends, since some servers drop a session for anything
// else (python-engineio for a noop). Engine.IO 3 clients ping; Engine.IO 4
// clients connect the root namespace, then answer pings with pongs.
func (r *run) heartbeatPacket(i int) []byte {
	p := wire.Packet{Type: wire.PacketPing}
	if r.version == wire.Version4 {
		p = wire.Packet{Type: wire.PacketPong}
		if i == 0 {
			p = wire.Packet{Type: wire.PacketMessage, Data: []byte("0")} // CONNECT /
		}
	}
	return wire.EncodePayload(nil, []wire.Packet{p}, r.version)
}

// stickyFix tells how to make a load balancer sticky.
func stickyFix(cookies []string) string {
	fix := "Make the load balancer send each session to one server process: nginx `ip_hash;` (or `hash $remote_addr consistent;`) in the upstream, HAProxy `balance source` or `cookie SERVERID insert`, an AWS ALB's target-group stickiness. Or connect with WebSocket only (--transport websocket), where one connection carries the session."
	for _, c := range cookies {
		if c != "io" {
			return fix + " The balancer set the cookie " + c + ": it must route by it."
		}
	}
	return fix
}
