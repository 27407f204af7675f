package engineio

import (
	"github.com/siocli/sio/pkg/engineio/wire"
	"slices"

	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

var stampCounter atomic.Uint64

// requestURL builds the URL of a request: the user's query, then EIO,
// transport, the cache-busting stamp of polling requests and the sid.
func (c *Conn) requestURL(t Transport, v Version, sid string) *url.URL {
	return buildURL(c.base, c.query, &c.opts, t, v, sid)
}

// RequestURL returns the URL of a request to the server at rawURL, made
// as a Conn with opts makes it: the transport's path, the URL's query and
// Options.Query, then EIO, transport, the stamp of polling requests, b64
// and the sid when not empty. A WebSocket's URL keeps the http or https
// scheme. It is for tools that make Engine.IO requests of their own, such
// as a conformance checker, so that they honour every option.
func RequestURL(rawURL string, opts *Options, t Transport, v Version, sid string) (*url.URL, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	u, err := ParseServerURL(rawURL)
	if err != nil {
		return nil, err
	}
	base, query := serverBase(u, &o)
	return buildURL(base, query, &o, t, v, sid), nil
}

// serverBase splits the server's URL into the base of every request
// (scheme, host and the Engine.IO path) and the query each one carries.
func serverBase(u *url.URL, o *Options) (*url.URL, url.Values) {
	base := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: o.Path, User: u.User}
	query := u.Query()
	for k, vs := range o.Query {
		for _, v := range vs {
			query.Add(k, v)
		}
	}
	return base, query
}

// buildURL is requestURL for any base, query and options.
func buildURL(base *url.URL, query url.Values, o *Options, t Transport, v Version, sid string) *url.URL {
	u := *base
	if t == WebSocket && o.WebSocketPath != "" {
		u.Path = o.WebSocketPath
	} else if t == Polling && o.PollingPath != "" {
		u.Path = o.PollingPath
	}
	q := cloneValues(query)
	q.Set(wire.QueryEIO, strconv.Itoa(int(v)))
	q.Set(wire.QueryTransport, string(t))
	if t == Polling && !o.NoTimestamp {
		q.Set(o.TimestampParam, strconv.FormatInt(time.Now().UnixMilli(), 36)+"."+strconv.FormatUint(stampCounter.Add(1), 36))
	}
	if t == Polling || o.ForceBase64 {
		// Keeps an Engine.IO 3 session on text payloads, and a WebSocket
		// on text frames; harmless in 4's polling.
		q.Set(wire.QueryBase64, "1")
	}
	if sid != "" {
		q.Set(wire.QuerySID, sid)
	}
	u.RawQuery = q.Encode()
	return &u
}

// roundTrip makes one polling request and returns the response body, or an
// *HTTPError for a status other than 200. redacted, when not nil, is the
// body a trace shows in place of one that holds a secret.
func (c *Conn) roundTrip(ctx context.Context, op, method string, u *url.URL, body, redacted []byte) ([]byte, *http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, nil, &TransportError{Op: op, Transport: Polling, Err: withoutSecrets(err, c.opts.TimestampParam, c.opts.Redact)}
	}
	for k, vs := range c.opts.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	if c.opts.Trace != nil {
		h := req.Header.Clone()
		for _, ck := range c.jar.Cookies(u) {
			h.Add("Cookie", ck.String())
		}
		c.opts.Trace(TraceEvent{Time: time.Now(), Kind: TraceRequest, Outgoing: true, Transport: Polling, Method: method, URL: u.String(), Header: h, Body: body, Redacted: redacted})
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		c.traceResponse(u, nil, nil, err)
		return nil, nil, &TransportError{Op: op, Transport: Polling, Err: withoutSecrets(err, c.opts.TimestampParam, c.opts.Redact)}
	}
	defer resp.Body.Close()
	limit, what := c.opts.ReadLimit, "bytes"
	if op == "handshake" && limit > handshakeLimit {
		limit, what = handshakeLimit, "bytes, more than any handshake takes"
	}
	if resp.ContentLength > limit {
		// Refused before reading: a body announced too large costs nothing.
		err := newProtocolError(op, fmt.Errorf("%w (%d %s): the response announces %d", ErrTooLarge, limit, what, resp.ContentLength), nil)
		c.traceResponse(u, resp, nil, err)
		return nil, nil, err
	}
	data, over, err := readBody(resp, limit)
	c.traceResponse(u, resp, data, err)
	if err != nil {
		return nil, nil, &TransportError{Op: op, Transport: Polling, Err: err}
	}
	if over {
		return nil, nil, newProtocolError(op, fmt.Errorf("%w (%d %s)", ErrTooLarge, limit, what), data)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, newHTTPError(op, u.String(), resp, data)
	}
	return data, resp, nil
}

// handshakeLimit bounds the handshake's response: an open packet and the
// few packets some servers send with it.
const handshakeLimit = 1 << 20

// readBody reads a response's body of at most limit bytes: in one
// allocation when its length is announced; otherwise in blocks joined
// once at the end, so that a body that grows past the limit costs no more
// than the limit, and then only its start is returned, with over set.
func readBody(resp *http.Response, limit int64) (data []byte, over bool, err error) {
	if n := resp.ContentLength; n >= 0 && n <= limit {
		buf := make([]byte, n)
		got, err := io.ReadFull(resp.Body, buf)
		switch {
		case err == io.ErrUnexpectedEOF:
			err = fmt.Errorf("the body ended before its announced %d bytes: %w", n, err)
		case err != nil && got > 0:
			err = fmt.Errorf("the answer was still coming (%d of its %d bytes so far): %w", got, n, err)
		}
		return buf[:got], false, err
	}
	var blocks [][]byte
	total, size := int64(0), int64(4<<10)
	for {
		b := make([]byte, min(size, limit+1-total))
		n, err := io.ReadFull(resp.Body, b)
		if n > 0 {
			blocks = append(blocks, b[:n])
			total += int64(n)
		}
		if total > limit {
			return blocks[0], true, nil
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			if total > 0 {
				err = fmt.Errorf("the answer was still coming (%d bytes of it so far): %w", total, err)
			}
			return nil, false, err
		}
		size = min(size*2, 1<<20)
	}
	if len(blocks) == 1 {
		return blocks[0], false, nil
	}
	data = make([]byte, 0, total)
	for _, b := range blocks {
		data = append(data, b...)
	}
	return data, false, nil
}

func (c *Conn) traceResponse(u *url.URL, resp *http.Response, body []byte, err error) {
	if c.opts.Trace == nil {
		return
	}
	e := TraceEvent{Time: time.Now(), Kind: TraceResponse, Transport: Polling, URL: u.String(), Body: body, Err: err}
	if resp != nil {
		e.Status, e.Header = resp.StatusCode, resp.Header
	}
	c.opts.Trace(e)
}

func isBinaryPayload(resp *http.Response) bool {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return mt == "application/octet-stream"
}

// openPolling makes the polling handshake, finding out the version when
// asked to, and returns the packets that came after the open packet.
func (c *Conn) openPolling(ctx context.Context) ([]wire.Packet, error) {
	v := c.opts.Version
	if v == VersionAuto {
		v = Version4
	}
	body, resp, err := c.roundTrip(ctx, "handshake", http.MethodGet, c.requestURL(Polling, v, ""), nil, nil)
	if err != nil {
		return nil, err
	}
	binary := isBinaryPayload(resp)
	eio3 := wire.LooksEIO3(body, binary)
	switch {
	case c.opts.Version == VersionAuto && eio3:
		v = Version3
	case c.opts.Version == Version4 && eio3:
		return nil, newProtocolError("handshake", errors.New("the server speaks Engine.IO 3 (Socket.IO 2.x), not the Engine.IO 4 asked for"), body)
	case c.opts.Version == Version3 && !eio3:
		return nil, newProtocolError("handshake", errors.New("the server speaks Engine.IO 4 (Socket.IO 3.x or 4.x), not the Engine.IO 3 asked for"), body)
	}
	packets, err := wire.DecodePayload(body, v, binary)
	if err != nil {
		return nil, newProtocolError("handshake", err, body)
	}
	if len(packets) == 0 || packets[0].Type != wire.PacketOpen {
		return nil, newProtocolError("handshake", errors.New("the first packet is not an open packet"), body)
	}
	info, err := wire.ParseHandshake(packets[0].Data)
	if err != nil {
		return nil, newProtocolError("handshake", err, body)
	}
	c.info, c.version, c.transport = info, v, Polling
	return packets[1:], nil
}

// pollLoop makes one long-poll GET after another until the session ends or
// the upgrade stops it; it closes done when it returns.
func (c *Conn) pollLoop(done chan struct{}) {
	defer c.wg.Done()
	defer close(done)
	for {
		c.mu.Lock()
		stop := c.pollStop || c.closeErr != nil
		v, sid := c.version, c.info.SID
		c.mu.Unlock()
		if stop {
			return
		}
		c.waitInboxRoom()
		body, resp, err := c.roundTrip(c.ctx, "poll", http.MethodGet, c.requestURL(Polling, v, sid), nil, nil)
		if err != nil {
			c.shutdown(ReasonTransportError, err)
			return
		}
		// Packet by packet as decoded: no list of them, however many.
		c.readMu.Lock()
		err = wire.EachPacket(body, v, isBinaryPayload(resp), c.handleLegacy(v))
		c.unlockRead()
		if err != nil {
			c.shutdown(ReasonParseError, newProtocolError("poll", err, body))
			return
		}
	}
}

// handleLegacy returns the handler of polled packets (the handshake's
// too): handlePacket, after
// undoing engine.io 1.x's second UTF-8 encoding when LegacyUTF8 asks. A
// packet that was not so encoded is kept to end the session with.
func (c *Conn) handleLegacy(v Version) func(wire.Packet) {
	if !c.opts.LegacyUTF8 || v != Version3 {
		return c.handlePacket
	}
	return func(p wire.Packet) {
		if !p.Binary {
			data, err := wire.DecodeUTF8Twice(p.Data)
			if err != nil {
				c.shutdown(ReasonParseError, newProtocolError("poll", fmt.Errorf("%w (--legacy-utf8 is for engine.io 1.x only)", err), p.Data))
				return
			}
			p.Data = data
		}
		c.handlePacket(p)
	}
}

// isWide tells a text packet that holds more than ASCII.
func isWide(p wire.Packet) bool {
	if p.Binary {
		return false
	}
	for _, b := range p.Data {
		if b >= 0x80 {
			return true
		}
	}
	return false
}

// legacyWindow is how soon after text beyond ASCII went over Engine.IO 3
// polling a session the server ends is taken for engine.io 1.x refusing
// it (LegacyUTF8Error).
const legacyWindow = 2 * time.Second

// post sends packets in one polling POST.
func (c *Conn) post(ctx context.Context, packets []wire.Packet, v Version) error {
	if c.opts.LegacyUTF8 && v == Version3 {
		twice := make([]wire.Packet, len(packets))
		for i, p := range packets {
			if !p.Binary {
				p.Data = wire.EncodeUTF8Twice(p.Data)
			}
			twice[i] = p
		}
		packets = twice
	} else if v == Version3 && slices.ContainsFunc(packets, isWide) {
		c.mu.Lock()
		c.wideSent = monoNow()
		c.mu.Unlock()
	}
	body := wire.EncodePayload(nil, packets, v)
	_, _, err := c.roundTrip(ctx, "post", http.MethodPost, c.requestURL(Polling, v, c.info.SID), body, redactedPayload(packets, v))
	return err
}

// redactedPayload is the payload a trace shows for packets of which some
// hold a secret, nil when none does.
func redactedPayload(packets []wire.Packet, v Version) []byte {
	if !slices.ContainsFunc(packets, func(p wire.Packet) bool { return p.Redacted != nil }) {
		return nil
	}
	shown := make([]wire.Packet, len(packets))
	for i, p := range packets {
		if p.Redacted != nil {
			p.Data = p.Redacted
		}
		shown[i] = p
	}
	return wire.EncodePayload(nil, shown, v)
}

// takeBatchLocked removes from the queue what the next write sends: all of
// it over WebSocket; over polling as many packets as fit in the server's
// maxPayload, and always at least one.
func (c *Conn) takeBatchLocked() []wire.Packet {
	n := len(c.outq)
	if c.transport == Polling {
		limit := c.info.MaxPayload
		if limit <= 0 {
			limit = defaultMaxPayload
		}
		size := 0
		for i, p := range c.outq {
			size += wire.TextLen(p, c.version) + 1
			if c.version == Version3 {
				size += len(strconv.Itoa(wire.UTF16Len(p, c.version)))
			}
			if i > 0 && size > limit {
				n = i
				break
			}
		}
	}
	if n == len(c.outq) {
		// All of it: the queue's array goes out, and the last batch's
		// array, emptied, takes the next writes.
		batch := c.outq
		c.outq, c.spare = c.spare, nil
		return batch
	}
	batch := make([]wire.Packet, n)
	copy(batch, c.outq)
	clear(c.outq[:n])
	c.outq = c.outq[n:]
	return batch
}

// writerIdle is how long the writer waits with nothing to write before
// it exits; the next write starts it again.
var writerIdle = 2 * time.Second

// writeLoop is the one goroutine that writes: POSTs while polling, frames
// once on WebSocket. It runs while there is something to write, and
// lingers writerIdle after, so that a busy session does not start one
// for every packet.
func (c *Conn) writeLoop() {
	defer c.wg.Done()
	for {
		c.mu.Lock()
		var idleSince mono
		for c.closeErr == nil && (c.paused || len(c.outq) == 0 || c.mustHoldLocked()) {
			if len(c.outq) == 0 {
				now := monoNow()
				if idleSince == 0 {
					idleSince = now
				}
				if idle := now.sub(idleSince); idle >= writerIdle {
					c.writerUp, c.spare, c.outq = false, nil, nil // an idle session keeps no arrays
					c.mu.Unlock()
					return
				} else if !c.idleArmed {
					c.armWriterIdleLocked(writerIdle - idle)
				}
			} else {
				idleSince = 0
			}
			c.cond.Wait()
		}
		if c.closeErr != nil {
			c.writerUp = false
			c.mu.Unlock()
			return
		}
		batch := c.takeBatchLocked()
		t, ws, v := c.transport, c.ws, c.version
		c.writing, c.writeStart, c.writeSize = true, monoNow(), 0
		for _, p := range batch {
			c.writeSize += c.sizeLocked(p)
		}
		c.mu.Unlock()

		for i := range batch {
			if batch[i].Sent != nil {
				batch[i].Sent.MessageSent()
			}
		}
		var err error
		if t == Polling {
			err = c.post(c.ctx, batch, v)
			if err != nil && c.holdForUpgrade(err, batch) {
				continue
			}
		} else {
			err = ws.writePackets(batch, v)
		}
		hb, ahead := slices.ContainsFunc(batch, isHeartbeat), 0
		if err == nil && hb && t == WebSocket {
			ahead, _ = unsentBytes(ws.conn.NetConn())
		}
		if !c.endWrite(err, hb, ahead, batch) {
			return
		}
	}
}

// holdForUpgrade takes a POST refused because an upgrade is under way:
// some servers (googollee's) stop taking POSTs once they have answered the
// probe, with 400 "paused", and have read nothing of the body. The batch
// goes back to the head of the queue and waits for the upgrade, to go out
// on the WebSocket, or over polling again if the upgrade fails. It reports
// whether it took the refusal; any other failure ends the session.
func (c *Conn) holdForUpgrade(err error, batch []wire.Packet) bool {
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != http.StatusBadRequest || !strings.Contains(he.Message, "paused") {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.probe == nil || c.closing || c.closeErr != nil {
		return false // no upgrade to wait for, or Close gave it up
	}
	c.outq = append(batch, c.outq...)
	c.paused, c.writing = true, false
	c.cond.Broadcast()
	return true
}

// armWriterIdleLocked has the idle writer woken after d, to see whether
// it has been idle long enough to exit. It is armed once for a stretch of
// idleness, not each time the writer waits.
func (c *Conn) armWriterIdleLocked(d time.Duration) {
	c.idleArmed = true
	if c.writerIdle == nil {
		c.writerIdle = time.AfterFunc(d, func() {
			c.mu.Lock()
			c.idleArmed = false
			c.cond.Broadcast()
			c.mu.Unlock()
		})
		return
	}
	c.writerIdle.Reset(d)
}

// mustHoldLocked reports whether the head of the queue must wait for the
// version to be known: binary frames differ between versions.
func (c *Conn) mustHoldLocked() bool {
	if c.version != VersionAuto {
		return false
	}
	for _, p := range c.outq {
		if p.Binary {
			return true
		}
	}
	return false
}

// checkRedirect follows a redirect of a polling GET within the same origin
// (scheme, host and port), so that headers and cookies meant for the
// server go nowhere else, and shows it in the trace. Any other redirect,
// and any of a POST (which would turn into a GET and lose its body), fails
// at once with a *RedirectError naming where it pointed.
func (c *Conn) checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0]
	prev := via[len(via)-1]
	if c.opts.Trace != nil {
		c.opts.Trace(TraceEvent{Time: time.Now(), Kind: TraceResponse, Transport: Polling, URL: prev.URL.String(), Status: req.Response.StatusCode, Header: req.Response.Header})
	}
	err := &RedirectError{Status: req.Response.StatusCode, From: RedactURL(prev.URL.String(), c.opts.Redact...), Location: RedactURL(req.URL.String(), c.opts.Redact...)}
	switch {
	case first.Method != http.MethodGet:
		err.Why = "a " + first.Method + " is not redirected"
	case req.URL.Scheme != first.URL.Scheme || req.URL.Host != first.URL.Host:
		err.Why = "it leaves the server's origin"
	case len(via) >= 5:
		err.Why = "too many redirects"
	default:
		if c.opts.Trace != nil {
			c.opts.Trace(TraceEvent{Time: time.Now(), Kind: TraceRequest, Outgoing: true, Transport: Polling, Method: req.Method, URL: req.URL.String(), Header: req.Header})
		}
		return nil
	}
	return err
}
