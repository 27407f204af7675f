package conform

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/engineio/wire"
)

// T is what a check is given: the server, its own HTTP client and cookie
// jar, and the means to send, receive and conclude. A check runs on one
// goroutine; Fatalf and Skipf end it there, as in package testing, after
// which the cleanups run (WebSockets closed, goroutines waited for).
type T struct {
	ctx    context.Context // the check's deadline
	budget time.Duration   // how long that is
	limit  string          // what sets it, as a record says: "the check's time"
	r      *runner
	v      wire.Version
	client *http.Client
	jar    http.CookieJar
	// sent is the last thing sent and got what came back since, for the
	// record of a check that fails.
	sent, got string
	result    Result
	why, note string
	cleanups  []func()
}

// Fatalf fails the check with why and ends it.
func (t *T) Fatalf(format string, a ...any) {
	t.result, t.why = Fail, fmt.Sprintf(format, a...)
	runtime.Goexit()
}

// Skipf skips the check with why and ends it.
func (t *T) Skipf(format string, a ...any) {
	t.result, t.why = Skip, fmt.Sprintf(format, a...)
	runtime.Goexit()
}

// Notef adds to what the record says of a check that passes.
func (t *T) Notef(format string, a ...any) {
	if t.note != "" {
		t.note += "; "
	}
	t.note += fmt.Sprintf(format, a...)
}

// onEnd adds f to what runs when the check ends, last added first.
func (t *T) onEnd(f func()) { t.cleanups = append(t.cleanups, f) }

// goroutine runs f on a goroutine of its own with a context that ends
// with ctx or with the check, which waits for f before it is over.
func (t *T) goroutine(ctx context.Context, f func(context.Context)) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(ctx)
	}()
	t.onEnd(func() {
		cancel()
		<-done
	})
}

func (t *T) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// sleep waits d, or fails the check when its deadline comes first.
func (t *T) sleep(d time.Duration) {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-t.ctx.Done():
		t.Fatalf("%s (%v) ran out", t.limit, t.budget)
	}
}

// setSent records what goes to the server; what came back is reset.
func (t *T) setSent(format string, a ...any) {
	t.sent, t.got = fmt.Sprintf(format, a...), ""
}

// --- HTTP ---

// httpClient returns a client for one check: the connection options'
// proxy, TLS and dialer, a cookie jar of its own, no redirects followed.
func (r *runner) httpClient() (*http.Client, http.CookieJar) {
	o := &r.cfg.Engine
	proxy := o.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	dial := o.Dial
	if dial == nil {
		dial = (&net.Dialer{Timeout: r.cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext
	}
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{Proxy: proxy, TLSClientConfig: o.TLSConfig, DialContext: dial, TLSHandshakeTimeout: r.cfg.Timeout, MaxIdleConnsPerHost: 4}
	return &http.Client{Transport: tr, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, jar
}

// edit changes a request's query, to make it unusual.
type edit func(url.Values)

func without(key string) edit     { return func(q url.Values) { q.Del(key) } }
func with(key, value string) edit { return func(q url.Values) { q.Set(key, value) } }

// url returns the URL of a request over tr for session sid ("" for a
// handshake), as the connection options make it, then edited.
func (t *T) url(tr wire.Transport, sid string, edits ...edit) *url.URL {
	u, err := engineio.RequestURL(t.r.cfg.URL, &t.r.cfg.Engine, tr, t.v, sid)
	if err != nil {
		t.Fatalf("%v", err)
	}
	q := u.Query()
	for _, e := range edits {
		e(q)
	}
	u.RawQuery = q.Encode()
	return u
}

// shown is a request's path and query as a record shows it: without the
// cache-busting stamp, credentials redacted.
func (t *T) shown(u *url.URL) string {
	c := *u
	q := c.Query()
	stamp := t.r.cfg.Engine.TimestampParam
	if stamp == "" {
		stamp = wire.QueryTimestamp
	}
	q.Del(stamp)
	c.RawQuery = q.Encode()
	r, err := url.Parse(engineio.RedactURL(c.String(), t.r.cfg.Engine.Redact...))
	if err != nil {
		return c.RequestURI()
	}
	return r.RequestURI()
}

// reply is an HTTP answer, or the failure of the request.
type reply struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// binary says that the body is application/octet-stream.
func (rp reply) binary() bool {
	mt, _, _ := mime.ParseMediaType(rp.header.Get("Content-Type"))
	return mt == "application/octet-stream"
}

func (rp reply) String() string {
	if rp.err != nil {
		return "no answer: " + rp.err.Error()
	}
	if len(rp.body) == 0 {
		return strconv.Itoa(rp.status) + " (empty body)"
	}
	body := rp.body
	if !rp.binary() {
		body = bytes.TrimRight(body, "\r\n")
	}
	return strconv.Itoa(rp.status) + " " + show(body, rp.binary())
}

// errorCode reads an engine.io error body.
func (rp reply) errorCode() (wire.ErrorCode, string, bool) {
	return wire.ParseErrorBody(rp.body)
}

// maxShown is how much of a body a record shows.
const maxShown = 300

// show is data as a record shows it: text as it is, binary as hex, either
// cut at maxShown bytes.
func show(b []byte, binary bool) string {
	cut := ""
	if len(b) > maxShown {
		cut = fmt.Sprintf("… (%d bytes)", len(b))
		b = b[:maxShown]
	}
	if binary || !utf8.Valid(b) {
		return fmt.Sprintf("[binary % x]%s", b, cut)
	}
	return string(b) + cut
}

// do makes one request, bounded by the check's deadline.
func (t *T) do(method string, u *url.URL, body []byte) reply {
	return t.doCtx(t.ctx, method, u, body)
}

func (t *T) doCtx(ctx context.Context, method string, u *url.URL, body []byte) reply {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return reply{err: err}
	}
	for k, vs := range t.r.header {
		req.Header[k] = vs
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	trace := t.r.cfg.Engine.Trace
	if trace != nil {
		trace(engineio.TraceEvent{Time: time.Now(), Kind: engineio.TraceRequest, Outgoing: true, Transport: wire.Polling, Method: method, URL: u.String(), Header: req.Header.Clone(), Body: body})
	}
	resp, err := t.client.Do(req)
	if err != nil {
		if trace != nil {
			trace(engineio.TraceEvent{Time: time.Now(), Kind: engineio.TraceResponse, Transport: wire.Polling, URL: u.String(), Err: err})
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if ctx == t.ctx && t.ctx.Err() != nil {
			err = fmt.Errorf("nothing within %s (%v)", t.limit, t.budget)
		}
		return reply{err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if trace != nil {
		trace(engineio.TraceEvent{Time: time.Now(), Kind: engineio.TraceResponse, Transport: wire.Polling, URL: u.String(), Status: resp.StatusCode, Header: resp.Header, Body: data, Err: err})
	}
	if err != nil {
		return reply{status: resp.StatusCode, header: resp.Header, body: data, err: err}
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: data}
}

// send makes a request and records it and its answer.
func (t *T) send(method string, u *url.URL, body []byte) reply {
	if body != nil {
		t.setSent("%s %s %s", method, t.shown(u), show(body, false))
	} else {
		t.setSent("%s %s", method, t.shown(u))
	}
	rp := t.do(method, u, body)
	t.got = rp.String()
	return rp
}

// get makes a polling GET of session sid.
func (t *T) get(sid string, edits ...edit) reply {
	return t.send(http.MethodGet, t.url(wire.Polling, sid, edits...), nil)
}

// post POSTs body to session sid.
func (t *T) post(sid string, body string, edits ...edit) reply {
	return t.send(http.MethodPost, t.url(wire.Polling, sid, edits...), []byte(body))
}

// wantStatus fails the check unless the answer has the status.
func (t *T) wantStatus(rp reply, status int, what string) {
	if rp.err != nil || rp.status != status {
		t.Fatalf("%s: want HTTP %d", what, status)
	}
}

// wantBody fails the check unless the answer is 200 with body.
func (t *T) wantBody(rp reply, body, what string) {
	t.wantStatus(rp, http.StatusOK, what)
	if string(rp.body) != body {
		t.Fatalf("%s: want %s", what, show([]byte(body), false))
	}
}

// decode decodes a polling answer's payload, failing the check if it is
// not one.
func (t *T) decode(rp reply, what string) []wire.Packet {
	packets, err := wire.DecodePayload(rp.body, t.v, rp.binary())
	if err != nil {
		t.Fatalf("%s: not an Engine.IO %d payload: %v", what, t.v, err)
	}
	return packets
}

// open makes a polling handshake and returns the session's sid, failing
// the check unless the server opens one.
func (t *T) open(edits ...edit) (string, wire.Handshake, []wire.Packet) {
	rp := t.get("", edits...)
	t.wantStatus(rp, http.StatusOK, "the handshake")
	packets := t.decode(rp, "the handshake")
	if len(packets) == 0 || packets[0].Type != wire.PacketOpen {
		t.Fatalf("the handshake: the first packet is not an open packet")
	}
	hs, err := wire.ParseHandshake(packets[0].Data)
	if err != nil {
		t.Fatalf("the handshake: %v", err)
	}
	return hs.SID, hs, packets[1:]
}

// --- WebSocket ---

// frame is one WebSocket message.
type frame struct {
	data   []byte
	binary bool
}

func (f frame) String() string { return show(f.data, f.binary) }

// packet decodes the frame as an Engine.IO packet of version v.
func (f frame) packet(v wire.Version) (wire.Packet, bool) {
	p, err := wire.DecodeFrame(f.data, f.binary, v)
	return p, err == nil
}

// ws is a WebSocket of a check. The check's goroutine writes (and answers
// pings when told to); one goroutine reads into frames.
type ws struct {
	t      *T
	conn   *websocket.Conn
	frames chan frame
	done   chan struct{} // closed when reading ends
	end    error         // why, once done
	quit   chan struct{}
}

// dial opens a WebSocket for session sid ("" for a new one). On failure it
// returns nil and the HTTP answer (or the error).
func (t *T) dial(sid string, edits ...edit) (*ws, reply) {
	u := t.url(wire.WebSocket, sid, edits...)
	u.Scheme = map[string]string{"http": "ws", "https": "wss"}[u.Scheme]
	t.setSent("WebSocket %s", t.shown(u))
	o := &t.r.cfg.Engine
	proxy := o.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	d := websocket.Dialer{
		Proxy:             proxy,
		TLSClientConfig:   o.TLSConfig,
		HandshakeTimeout:  t.r.cfg.Timeout,
		Jar:               t.jar,
		EnableCompression: !o.NoPerMessageDeflate,
		Subprotocols:      o.Subprotocols,
		NetDialContext:    o.Dial,
	}
	trace := o.Trace
	if trace != nil {
		trace(engineio.TraceEvent{Time: time.Now(), Kind: engineio.TraceRequest, Outgoing: true, Transport: wire.WebSocket, Method: http.MethodGet, URL: u.String(), Header: t.r.header.Clone()})
	}
	conn, resp, err := d.DialContext(t.ctx, u.String(), t.r.header.Clone())
	if err != nil && d.EnableCompression && strings.Contains(err.Error(), "invalid compression negotiation") {
		// As the client does: a server whose answer to the offer gorilla
		// does not take (aiohttp's) gets a WebSocket without compression.
		d.EnableCompression = false
		conn, resp, err = d.DialContext(t.ctx, u.String(), t.r.header.Clone())
	}
	if err != nil {
		rp := reply{err: err}
		if resp != nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			rp = reply{status: resp.StatusCode, header: resp.Header, body: body}
		}
		if trace != nil {
			trace(engineio.TraceEvent{Time: time.Now(), Kind: engineio.TraceResponse, Transport: wire.WebSocket, URL: u.String(), Status: rp.status, Header: rp.header, Body: rp.body, Err: rp.err})
		}
		t.got = rp.String()
		return nil, rp
	}
	if trace != nil {
		trace(engineio.TraceEvent{Time: time.Now(), Kind: engineio.TraceResponse, Transport: wire.WebSocket, URL: u.String(), Status: resp.StatusCode, Header: resp.Header})
	}
	t.got = "101 Switching Protocols"
	conn.SetReadLimit(64 << 20)
	w := &ws{t: t, conn: conn, frames: make(chan frame, 256), done: make(chan struct{}), quit: make(chan struct{})}
	go w.readLoop(trace)
	t.onEnd(w.close)
	return w, reply{status: resp.StatusCode, header: resp.Header}
}

// mustDial is dial, failing the check when no WebSocket opens.
func (t *T) mustDial(sid string, edits ...edit) *ws {
	w, _ := t.dial(sid, edits...)
	if w == nil {
		t.Fatalf("no WebSocket opened")
	}
	return w
}

func (w *ws) readLoop(trace func(engineio.TraceEvent)) {
	defer close(w.done)
	for {
		typ, data, err := w.conn.ReadMessage()
		if err != nil {
			w.end = err
			if trace != nil {
				trace(engineio.TraceEvent{Time: time.Now(), Kind: engineio.TraceClosed, Transport: wire.WebSocket, Err: err})
			}
			return
		}
		f := frame{data: data, binary: typ == websocket.BinaryMessage}
		if trace != nil {
			trace(engineio.TraceEvent{Time: time.Now(), Kind: engineio.TraceFrame, Transport: wire.WebSocket, Body: data, Binary: f.binary})
		}
		select {
		case w.frames <- f:
		case <-w.quit:
			return
		}
	}
}

// close ends the WebSocket and waits for its reader.
func (w *ws) close() {
	select {
	case <-w.quit:
		return
	default:
	}
	close(w.quit)
	w.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(100*time.Millisecond))
	w.conn.Close()
	<-w.done
}

func (w *ws) write(typ int, data []byte) {
	trace := w.t.r.cfg.Engine.Trace
	if trace != nil {
		trace(engineio.TraceEvent{Time: time.Now(), Kind: engineio.TraceFrame, Outgoing: true, Transport: wire.WebSocket, Body: data, Binary: typ == websocket.BinaryMessage})
	}
	w.conn.SetWriteDeadline(time.Now().Add(w.t.r.cfg.Timeout))
	if err := w.conn.WriteMessage(typ, data); err != nil {
		w.t.got = "the write failed: " + err.Error()
	}
}

// text sends a text frame.
func (w *ws) text(s string) {
	w.t.setSent("%s", s)
	w.write(websocket.TextMessage, []byte(s))
}

// binary sends a binary frame.
func (w *ws) binary(b []byte) {
	w.t.setSent("%s", show(b, true))
	w.write(websocket.BinaryMessage, b)
}

// errClosed and errSilent are why next returned no frame.
var (
	errClosed = errors.New("the WebSocket closed")
	errSilent = errors.New("no frame")
)

// nextWithin returns the next frame, waiting at most d (0: the check's
// deadline), or errClosed or errSilent.
func (w *ws) nextWithin(d time.Duration) (frame, error) {
	var timeout <-chan time.Time
	if d > 0 {
		tm := time.NewTimer(d)
		defer tm.Stop()
		timeout = tm.C
	}
	select {
	case f := <-w.frames:
		w.t.got = f.String()
		return f, nil
	default:
	}
	select {
	case f := <-w.frames:
		w.t.got = f.String()
		return f, nil
	case <-w.done:
		select {
		case f := <-w.frames:
			w.t.got = f.String()
			return f, nil
		default:
		}
		w.t.got = "closed: " + closeText(w.end)
		return frame{}, errClosed
	case <-timeout:
		w.t.got = fmt.Sprintf("nothing within %v", d)
		return frame{}, errSilent
	case <-w.t.ctx.Done():
		w.t.got = fmt.Sprintf("nothing within %s (%v)", w.t.limit, w.t.budget)
		return frame{}, errSilent
	}
}

// next returns the next frame, failing the check if none comes.
func (w *ws) next(what string) frame {
	f, err := w.nextWithin(0)
	if err != nil {
		w.t.Fatalf("%s: %v", what, err)
	}
	return f
}

// expect fails the check unless the next frame is the text want.
func (w *ws) expect(want, what string) {
	f := w.next(what)
	if f.binary || string(f.data) != want {
		w.t.Fatalf("%s: want %s", what, want)
	}
}

// expectBinary fails the check unless the next frame is the binary want.
func (w *ws) expectBinary(want []byte, what string) {
	f := w.next(what)
	if !f.binary || !bytes.Equal(f.data, want) {
		w.t.Fatalf("%s: want %s", what, show(want, true))
	}
}

// closed waits for the server to end the WebSocket, within d (0: the
// check's deadline), and returns how long that took; frames that come
// meanwhile are let by. It fails the check if the WebSocket stays open.
func (w *ws) closed(d time.Duration, what string) time.Duration {
	start := time.Now()
	for {
		_, err := w.nextWithin(d - time.Since(start))
		if errors.Is(err, errClosed) {
			return time.Since(start)
		}
		if err != nil {
			w.t.Fatalf("%s: the server left the WebSocket open", what)
		}
		if d > 0 && time.Since(start) >= d {
			w.t.Fatalf("%s: the server left the WebSocket open", what)
		}
	}
}

// closeText says how a WebSocket ended.
func closeText(err error) string {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if ce.Text != "" {
			return fmt.Sprintf("close frame %d %q", ce.Code, ce.Text)
		}
		return fmt.Sprintf("close frame %d", ce.Code)
	}
	if err == nil {
		return "ended"
	}
	s := err.Error()
	if strings.Contains(s, "use of closed network connection") || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "connection closed without a close frame"
	}
	return s
}
