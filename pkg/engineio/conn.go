package engineio

import (
	"github.com/siocli/sio/pkg/engineio/wire"
	"strconv"

	"bytes"
	"context"

	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Conn is an Engine.IO client session over long-polling, WebSocket, or
// polling upgraded to WebSocket.
//
// Read must not be called by more than one goroutine at a time. Write,
// Close and the accessors are safe for concurrent use. Internally one
// goroutine owns all writes (POSTs or WebSocket frames) and one reads (the
// long-poll GETs or the WebSocket), so at most one GET and one POST are in
// flight. Close stops every goroutine the Conn started before it returns;
// call it even when the session has already ended.
type Conn struct {
	opts  Options
	base  *url.URL // scheme, host and path; the query is built per request
	query url.Values
	// The HTTP client of polling, made on first use: a WebSocket-only
	// session has none.
	httpOnce sync.Once
	httpTr   *http.Transport
	client   *http.Client
	jar      http.CookieJar

	ctx    context.Context // cancelled when the session ends
	cancel context.CancelFunc
	done   chan struct{}
	wg     sync.WaitGroup

	mu         sync.Mutex
	cond       *sync.Cond // signalled on every change of the fields below
	info       Handshake
	version    Version // VersionAuto until known (WebSocket-only auto)
	transport  Transport
	ws         *wsConn // the WebSocket once it carries the session
	probe      *wsConn // the WebSocket being probed during an upgrade
	outq       []wire.Packet
	spare      []wire.Packet // the last batch's array, empty, for the next outq
	writerIdle *time.Timer   // wakes an idle writer to see whether to exit
	writeStart mono          // when the batch out started
	writeSize  int           // its size on the wire
	pollDone   chan struct{}
	closeErr   *CloseError
	inbox      []Message
	inboxSig   chan struct{}
	// The flags, side by side (a Conn is small when thousands are open).
	writerUp  bool // the writer goroutine runs: always while outq holds packets
	writing   bool // the writer has a batch out
	paused    bool // writes are held while the upgrade switches over
	pollStop  bool // the poll loop must not start another GET
	closing   bool // Close was called
	idleArmed bool // writerIdle will wake the idle writer
	// The heartbeat packets the server waits for (the pong, or Engine.IO
	// 3's ping), to explain a session the server ended for want of one
	// (stuckLocked): when one was queued that has not gone out yet; when
	// the last went out, with how many bytes the socket still held ahead
	// of it; when the server last showed it had one (its next ping, or
	// Engine.IO 3's pong).
	hbQueued, hbSent, hbHeard mono
	hbAhead                   int
	// wideSent is when text beyond ASCII last went over Engine.IO 3
	// polling without LegacyUTF8 (see LegacyUTF8Error).
	wideSent mono

	// Heartbeat and version detection, guarded by mu; each timer has one
	// meaning (heartbeat.go, version.go).
	deadline    *time.Timer // when the server is taken for gone: a ping timeout
	pingTimer   *time.Timer // Engine.IO 3: when the client sends its next ping
	detectTimer *time.Timer // WebSocket-only auto: when to take the server for Engine.IO 3
	pingSent    mono
	heartbeatOn bool

	readMu     sync.Mutex // serialises packet handling with version resolution
	held       []wsFrame  // frames held while the version is unknown
	readEvents []Event    // events raised under readMu, emitted after it
}

// Dial opens an Engine.IO session with the server at rawURL (http, https, ws
// or wss; the path is taken from Options.Path, the query is kept). ctx
// bounds the handshake only. Failures are *HTTPError, *ProtocolError or
// *TransportError values.
func Dial(ctx context.Context, rawURL string, opts *Options) (*Conn, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	u, err := ParseServerURL(rawURL)
	if err != nil {
		return nil, err
	}
	c := &Conn{opts: o, done: make(chan struct{}), inboxSig: make(chan struct{}, 1)}
	c.cond = sync.NewCond(&c.mu)
	c.base, c.query = serverBase(u, &o)
	c.jar = o.Jar
	if c.jar == nil {
		c.jar, _ = cookiejar.New(nil)
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())

	hctx, cancel := context.WithTimeout(ctx, o.ConnectTimeout)
	defer cancel()
	var early []wire.Packet
	if o.Transports[0] == WebSocket {
		early, err = c.openWebSocket(hctx)
	} else {
		early, err = c.openPolling(hctx)
	}
	if err == nil && o.AfterHandshake > 0 {
		err = wait(hctx, o.AfterHandshake)
		if err != nil && c.ws != nil {
			c.ws.close()
		}
	}
	if err != nil {
		c.cancel()
		c.closeIdle()
		return nil, err
	}
	c.start(early)
	return c, nil
}

// wait waits for d, or until ctx is done.
func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ParseServerURL reads a server URL as Dial does: http, https, ws and wss
// URLs (ws and wss become http and https), and host:port with no scheme,
// taken as http.
func ParseServerURL(raw string) (*url.URL, error) {
	s := raw
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("bad server URL %q: %v", raw, err)
	}
	switch u.Scheme {
	case "http", "https":
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	default:
		return nil, fmt.Errorf("bad server URL %q: the scheme must be http, https, ws or wss", raw)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("bad server URL %q: no host", raw)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("bad server URL %q: port %s is not 1 to 65535", raw, p)
		}
	}
	return u, nil
}

// start launches the session's goroutines once the handshake is done, then
// handles the packets that came with the handshake.
func (c *Conn) start(early []wire.Packet) {
	c.mu.Lock()
	if c.version != VersionAuto {
		c.startHeartbeatLocked()
	} else {
		c.startDetectionLocked()
	}
	upgrade := c.transport == Polling && !c.opts.NoUpgrade && c.opts.allows(WebSocket) && contains(c.info.Upgrades, string(WebSocket))
	c.mu.Unlock()

	c.readMu.Lock()
	handle := c.handleLegacy(c.version)
	for _, p := range early {
		handle(p)
	}
	c.unlockRead()
	c.mu.Lock()
	c.wakeWriterLocked()
	c.mu.Unlock()
	c.wg.Add(1)
	if c.transport == Polling {
		c.pollDone = make(chan struct{})
		go c.pollLoop(c.pollDone)
	} else {
		go c.wsReadLoop(c.ws, true)
	}
	if upgrade {
		c.wg.Add(1)
		go c.upgrade()
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Info returns what the server said in its handshake.
func (c *Conn) Info() Handshake { return c.info }

// Version returns the Engine.IO version the session speaks; VersionAuto
// while a WebSocket-only session has not found out yet.
func (c *Conn) Version() Version {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}

// Transport returns the transport that carries the session now.
func (c *Conn) Transport() Transport {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.transport
}

// Done is closed when the session has ended; Err then says why.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns the *CloseError that ended the session, or nil while it is
// open.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeErr == nil {
		return nil
	}
	return c.closeErr
}

// SetVersion tells a WebSocket-only session opened with VersionAuto which
// version the server speaks, when the layer above finds out before the
// heartbeat tells (a Socket.IO 2.x server sends CONNECT unasked). It does
// nothing once the version is known, and raises no EventVersion.
func (c *Conn) SetVersion(v Version) {
	if v != Version3 && v != Version4 {
		return
	}
	c.readMu.Lock()
	c.resolveVersionReadLocked(v)
	c.readEvents = slices.DeleteFunc(c.readEvents, func(e Event) bool { return e.Type == EventVersion })
	c.unlockRead()
}

// raise queues an event while c.readMu is held; unlockRead emits it.
func (c *Conn) raise(e Event) {
	e.Time = time.Now()
	c.readEvents = append(c.readEvents, e)
}

// unlockRead releases c.readMu, then emits the events raised under it, so
// that OnEvent never runs with a lock held.
func (c *Conn) unlockRead() {
	evs := c.readEvents
	c.readEvents = nil
	c.readMu.Unlock()
	if c.opts.OnEvent != nil {
		for _, e := range evs {
			c.opts.OnEvent(e)
		}
	}
}

// Read returns the next message from the server. Once the session has ended
// and every message received before the end has been read, it returns the
// *CloseError that ended it.
func (c *Conn) Read(ctx context.Context) (Message, error) {
	for {
		c.mu.Lock()
		if len(c.inbox) > 0 {
			m := c.inbox[0]
			c.inbox[0] = Message{}
			c.inbox = c.inbox[1:]
			if len(c.inbox) == 0 {
				c.inbox = nil
			}
			if len(c.inbox) == inboxLimit-1 {
				c.cond.Broadcast() // the reader may be waiting for room
			}
			c.mu.Unlock()
			return m, nil
		}
		if c.closeErr != nil {
			err := c.closeErr
			c.mu.Unlock()
			return Message{}, err
		}
		c.mu.Unlock()
		select {
		case <-c.inboxSig:
		case <-ctx.Done():
			return Message{}, ctx.Err()
		}
	}
}

// Write queues messages to be sent in order, with nothing sent between
// them, and returns at once: it never blocks on the network. A failed
// write ends the session (see Err). Write fails once Close was called or
// the session has ended.
func (c *Conn) Write(msgs ...Message) error {
	c.mu.Lock()
	if c.closeErr != nil {
		c.mu.Unlock()
		return c.closeErr
	}
	if c.closing {
		c.mu.Unlock()
		return ErrClosed
	}
	if c.transport == Polling && c.version == Version4 {
		for _, m := range msgs {
			if !m.Binary && bytes.IndexByte(m.Data, wire.RecordSeparator) >= 0 {
				c.mu.Unlock()
				return ErrRecordSeparator
			}
		}
	}
	if limit := c.info.MaxPayload; limit > 0 && !c.opts.SendOversize {
		for _, m := range msgs {
			if n := c.sizeLocked(messagePacket(m)); n > limit {
				c.mu.Unlock()
				return &TooLargeError{Size: n, Limit: limit}
			}
		}
	}
	for _, m := range msgs {
		c.outq = append(c.outq, messagePacket(m))
	}
	c.wakeWriterLocked()
	c.mu.Unlock()
	return nil
}

// sizeLocked is how many bytes p takes on the current transport: its text
// form in a polling body, its frame over WebSocket.
func (c *Conn) sizeLocked(p wire.Packet) int {
	if c.transport == Polling {
		return wire.TextLen(p, c.version)
	}
	if p.Binary && c.opts.ForceBase64 {
		return wire.TextLen(p, c.version)
	}
	if p.Binary && c.version == Version4 {
		return len(p.Data)
	}
	return 1 + len(p.Data)
}

// Flush waits until every message written so far has been handed to the
// network, or ctx is done, or the session ends.
func (c *Conn) Flush(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.outq) > 0 || c.writing {
		if c.closeErr != nil {
			return c.closeErr
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		c.cond.Wait()
	}
	return nil
}

// endWrite marks the write of batch done; a failed write ends the
// session. It reports whether the write succeeded.
func (c *Conn) endWrite(err error, heartbeat bool, ahead int, batch []wire.Packet) bool {
	c.mu.Lock()
	if cap(batch) <= spareLimit && c.spare == nil {
		clear(batch)
		c.spare = batch[:0]
	}
	if err != nil {
		err = c.stuckLocked(err, false)
	} else if heartbeat {
		c.hbQueued, c.hbSent, c.hbAhead = 0, monoNow(), ahead
		if slices.ContainsFunc(c.outq, isHeartbeat) {
			c.hbQueued = monoNow()
		}
	}
	c.writing = false
	c.cond.Broadcast()
	c.mu.Unlock()
	if err != nil {
		c.shutdown(ReasonTransportError, err)
		return false
	}
	return true
}

// spareLimit is the largest batch array kept for the next writes.
const spareLimit = 16

// inboxLimit is how many received messages may wait for Read before the
// reader stops reading, so that a slow reader pushes back on the server
// through TCP instead of queueing without bound.
const inboxLimit = 1024

// waitInboxRoom waits until the inbox has room or the session ends. It is
// called by the reading goroutine with no lock held.
func (c *Conn) waitInboxRoom() {
	if c.opts.OnMessage != nil {
		return // messages go to OnMessage, not to the inbox
	}
	c.mu.Lock()
	for len(c.inbox) >= inboxLimit && c.closeErr == nil {
		c.cond.Wait()
	}
	c.mu.Unlock()
}

// closeFlushTimeout bounds how long Close waits to send what is queued,
// and then how long its close packet may take: a session closing on a
// server that has stopped answering ends soon (the server drops it by its
// own heartbeat), and a command's timeout is not overrun by much.
const closeFlushTimeout = time.Second

// Close sends what is still queued, tells the server the session is over,
// and stops every goroutine of the Conn; each of the first two waits at
// most a second. After Close, Read returns the
// queued messages and then a *CloseError with ReasonForcedClose.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		c.wg.Wait()
		return nil
	}
	c.closing = true
	if c.probe != nil {
		// An upgrade under way is given up: what is queued goes over
		// polling now rather than after the switch.
		c.paused = false
	}
	c.cond.Broadcast()
	alive := c.closeErr == nil
	if alive {
		c.waitLocked(time.Now().Add(closeFlushTimeout), func() bool {
			return len(c.outq) == 0 && !c.writing && !c.paused
		})
		alive = c.closeErr == nil
	}
	// Hold the writer, so that no heartbeat POST races the close packet:
	// two POSTs in flight make the server drop the session.
	c.paused = true
	t, ws, v := c.transport, c.ws, c.version
	c.mu.Unlock()
	if alive {
		if t == Polling {
			ctx, cancel := context.WithTimeout(c.ctx, closeFlushTimeout)
			c.post(ctx, []wire.Packet{{Type: wire.PacketClose}}, v)
			cancel()
		} else if ws != nil {
			ws.closeGracefully()
		}
	}
	c.shutdown(ReasonForcedClose, nil)
	c.wg.Wait()
	c.closeIdle()
	return nil
}

// httpClient returns the polling requests' client, made on first use.
func (c *Conn) httpClient() *http.Client {
	c.httpOnce.Do(func() {
		o := &c.opts
		c.httpTr = &http.Transport{
			Proxy:                 o.Proxy,
			TLSClientConfig:       o.TLSConfig,
			DialContext:           o.Dial,
			TLSHandshakeTimeout:   o.ConnectTimeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			ExpectContinueTimeout: time.Second,
		}
		c.client = &http.Client{Transport: c.httpTr, Jar: c.jar, CheckRedirect: c.checkRedirect}
	})
	return c.client
}

// closeIdle closes the polling client's idle connections, if it has any.
func (c *Conn) closeIdle() {
	c.httpOnce.Do(func() {}) // none is made from now on
	if c.httpTr != nil {
		c.httpTr.CloseIdleConnections()
	}
}

// waitLocked waits on c.cond until ready returns true, the session ends, or
// the deadline passes. c.mu must be held.
func (c *Conn) waitLocked(deadline time.Time, ready func() bool) bool {
	t := time.AfterFunc(time.Until(deadline), func() {
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer t.Stop()
	for !ready() {
		if c.closeErr != nil || !time.Now().Before(deadline) {
			return false
		}
		c.cond.Wait()
	}
	return true
}

// shutdown ends the session once: it records why, stops the timers, aborts
// requests and closes WebSockets. Goroutines notice and return.
func (c *Conn) shutdown(reason CloseReason, err error) {
	c.mu.Lock()
	if c.closeErr != nil {
		c.mu.Unlock()
		return
	}
	if c.closing {
		reason, err = ReasonForcedClose, nil
	}
	if (reason == ReasonTransportClose || reason == ReasonTransportError) && c.wideSent != 0 && c.wideSent.since() < legacyWindow {
		err = &LegacyUTF8Error{Err: err}
	} else if reason == ReasonTransportClose || reason == ReasonTransportError || reason == ReasonPingTimeout && c.version == Version3 {
		err = c.stuckLocked(err, reason == ReasonPingTimeout)
	}
	c.closeErr = &CloseError{Reason: reason, Err: err}
	c.stopHeartbeatLocked()
	if c.writerIdle != nil {
		c.writerIdle.Stop()
	}
	ws, probe := c.ws, c.probe
	c.cond.Broadcast()
	c.mu.Unlock()
	c.cancel()
	if ws != nil {
		ws.close()
	}
	if probe != nil {
		probe.close()
	}
	close(c.done)
	c.signalInbox()
	if c.opts.OnClose != nil {
		c.opts.OnClose(c.closeErr)
	}
}

func (c *Conn) signalInbox() {
	select {
	case c.inboxSig <- struct{}{}:
	default:
	}
}

func (c *Conn) ended() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeErr != nil
}

func (c *Conn) emit(e Event) {
	if c.opts.OnEvent != nil {
		e.Time = time.Now()
		c.opts.OnEvent(e)
	}
}

// enqueue queues a control packet for the writer.
func (c *Conn) enqueue(p wire.Packet) {
	c.mu.Lock()
	if c.closeErr == nil {
		if c.hbQueued == 0 && isHeartbeat(p) {
			c.hbQueued = monoNow()
		}
		c.outq = append(c.outq, p)
		c.wakeWriterLocked()
	}
	c.mu.Unlock()
}

// wakeWriterLocked tells the writer there is work, and starts it when it
// is not running: an idle session holds no writing goroutine.
func (c *Conn) wakeWriterLocked() {
	c.cond.Broadcast()
	if !c.writerUp && c.closeErr == nil && len(c.outq) > 0 {
		c.writerUp = true
		c.wg.Add(1)
		go c.writeLoop()
	}
}

// handlePacket acts on one packet from the server, whichever transport
// brought it. c.readMu must be held, so that packets are handled in order.
func (c *Conn) handlePacket(p wire.Packet) {
	c.mu.Lock()
	if c.closeErr != nil {
		c.mu.Unlock()
		return
	}
	v := c.version
	if v == Version3 {
		c.armDeadlineLocked(c.info.PingInterval + c.info.PingTimeout) // any packet will do
	}
	c.mu.Unlock()

	switch p.Type {
	case wire.PacketMessage:
		if c.opts.OnMessage != nil {
			c.opts.OnMessage(Message{Data: p.Data, Binary: p.Binary})
			return
		}
		c.mu.Lock()
		c.inbox = append(c.inbox, Message{Data: p.Data, Binary: p.Binary})
		c.mu.Unlock()
		c.signalInbox()
	case wire.PacketPing:
		c.mu.Lock()
		c.hbHeard = monoNow()
		c.mu.Unlock()
		if v == VersionAuto {
			c.resolveVersionReadLocked(Version4)
			v = Version4
		}
		if v == Version4 {
			c.enqueue(wire.Packet{Type: wire.PacketPong, Data: p.Data})
			c.mu.Lock()
			c.armDeadlineLocked(c.info.PingInterval + c.info.PingTimeout)
			c.mu.Unlock()
			c.raise(Event{Type: EventPing})
		}
	case wire.PacketPong:
		if v == Version3 && string(p.Data) != "probe" {
			c.mu.Lock()
			c.hbHeard = monoNow()
			rtt := c.pingSent.since()
			c.schedulePingLocked(c.info.PingInterval)
			c.mu.Unlock()
			c.raise(Event{Type: EventPing, RTT: rtt})
		}
	case wire.PacketClose:
		c.shutdown(ReasonTransportClose, errors.New("the server closed the session"))
	}
}
