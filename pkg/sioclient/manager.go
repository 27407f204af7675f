package sioclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio"
)

// detectGrace is how long a WebSocket-only session whose Engine.IO version
// the handshake did not tell waits for a Socket.IO 2.x server's unasked
// CONNECT before taking the server for 3.x or 4.x.
const detectGrace = 300 * time.Millisecond

// link is what sockets need to write on the current session; the Manager
// publishes it atomically so that writes take no Manager lock.
type link struct {
	conn   *engineio.Conn
	parser codec.Parser
	sid    string
	proto  codec.Version
}

// Manager owns one Engine.IO session and the sockets (one per namespace)
// multiplexed over it, and reconnects when the session is lost.
//
// All methods are safe for concurrent use. User callbacks (lifecycle and
// event handlers) run one at a time, in order, on the Manager's dispatcher
// goroutine, never with a lock held; a callback may call any method except
// Close. Close stops every goroutine the Manager started.
//
// When callbacks fall behind, the Manager stops reading once 1024 of them
// wait, and TCP holds the server back, so a flood cannot exhaust memory.
// While a call waits for the connection (EmitWithAck, Connect), which a
// callback may do, the queue grows past that limit instead, so that what
// the call waits for is read.
//
// Lock order: a Manager's mu before any of its sockets' mu.
type Manager struct {
	url  string
	opts Options
	disp *dispatcher

	mu         sync.Mutex
	state      State // changed by setStateLocked only
	sockets    map[string]*Socket
	conn       *engineio.Conn // the session, from Detecting to its loss
	session    *Session
	opened     bool // a session was open once: FailFast no longer applies
	attempt    int  // the attempt that opened the session (0: the first)
	decoder    codec.Decoder
	parser     codec.Parser
	gen        int // increases with each session, so stale callbacks can tell
	dials      int // increases with each attempt, so a stale one can tell
	bo         backoff
	timer      *time.Timer // Reconnecting: the next attempt
	timers     int         // increases with each timer, so a stale one can tell
	detect     *time.Timer // Detecting: when to take the server for 3.x or 4.x
	lastErr    error
	deadline   time.Time        // when the attempt under way, or the last, must be done
	rootJoined bool             // protocol 4: the server joined "/" in this session
	toClose    []*engineio.Conn // sessions to close once mu is released
	joined     atomic.Bool      // a namespace connected since the last loss
	cur        atomic.Pointer[link]
	// awaiting counts the calls waiting for the connection (an ack, a
	// connect); while any does, the dispatcher's queue may grow past its
	// limit, since the call may be a callback holding the queue up.
	awaiting atomic.Int32
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// NewManager returns a Manager for the server at rawURL (its path is not
// used: namespaces are chosen per socket). It does not connect until a
// socket does.
func NewManager(rawURL string, opts *Options) (*Manager, error) {
	o := opts.withDefaults()
	if _, err := url.Parse(rawURL); err != nil {
		return nil, fmt.Errorf("sioclient: bad URL: %w", err)
	}
	m := &Manager{
		url:     rawURL,
		opts:    o,
		disp:    newDispatcher(),
		sockets: map[string]*Socket{},
		bo:      backoff{min: o.ReconnectDelay, max: o.ReconnectDelayMax, jitter: o.RandomizationFactor, rand: o.rand},
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	return m, nil
}

// Connect opens a socket on the namespace in rawURL's path ("/" when it has
// none) and waits until it is connected, the server refuses it (a
// *ConnectError), the Manager gives up, or ctx is done. Close the returned
// socket's Manager when done.
func Connect(ctx context.Context, rawURL string, opts *Options, sopts *SocketOptions) (*Socket, error) {
	nsp, err := namespaceOf(rawURL)
	if err != nil {
		return nil, err
	}
	m, err := NewManager(rawURL, opts)
	if err != nil {
		return nil, err
	}
	s := m.Socket(nsp, sopts)
	if err := s.Connect(ctx); err != nil {
		m.Close()
		return nil, err
	}
	return s, nil
}

// namespaceOf returns the namespace a URL names by its path, as the
// reference client reads it.
func namespaceOf(rawURL string) (string, error) {
	if !strings.Contains(rawURL, "://") {
		rawURL = "http://" + rawURL
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("sioclient: bad URL: %w", err)
	}
	return normalizeNamespace(u.Path), nil
}

// Socket returns the socket for namespace nsp, creating it with opts the
// first time; later calls return the same socket and ignore opts.
func (m *Manager) Socket(nsp string, opts *SocketOptions) *Socket {
	nsp = normalizeNamespace(nsp)
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.sockets[nsp]; ok {
		return s
	}
	s := newSocket(m, nsp, opts)
	m.sockets[nsp] = s
	return s
}

func normalizeNamespace(nsp string) string {
	if i := strings.IndexByte(nsp, '?'); i >= 0 {
		nsp = nsp[:i]
	}
	if nsp == "" {
		return codec.RootNamespace
	}
	if !strings.HasPrefix(nsp, "/") {
		nsp = "/" + nsp
	}
	return nsp
}

// Session returns the current Engine.IO session, or nil when there is none.
func (m *Manager) Session() *Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.session == nil {
		return nil
	}
	s := *m.session
	if m.conn != nil {
		s.Transport = m.conn.Transport()
	}
	return &s
}

// lifecycle queues a lifecycle event for the user's handler.
func (m *Manager) lifecycle(e Lifecycle) {
	if m.opts.OnLifecycle == nil {
		return
	}
	e.Time = time.Now()
	f := m.opts.OnLifecycle
	m.disp.post(func() { f(e) })
}

// notifyState queues a state change for the user's listener.
func (m *Manager) notifyState(nsp string, from, to State, c change) {
	if m.opts.OnStateChange == nil {
		return
	}
	sc := StateChange{Time: time.Now(), Namespace: nsp, From: from, To: to, Reason: c.reason, Err: c.failure(m.opts.ReconnectAttempts)}
	f := m.opts.OnStateChange
	m.disp.post(func() { f(sc) })
}

// State returns the Manager's state.
func (m *Manager) State() State {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state
}

// unlock releases m.mu, then closes the sessions a transition ended, on a
// goroutine of their own: closing an engineio.Conn waits for its reading
// goroutine, which may be the one that made the transition, and for
// goroutines that call back into the Manager.
func (m *Manager) unlock() {
	conns := m.toClose
	m.toClose = nil
	if len(conns) > 0 {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			for _, c := range conns {
				c.Close()
			}
		}()
	}
	m.mu.Unlock()
}

// setStateLocked moves the Manager to the state to, for the cause c. It
// checks that the move is one the table allows, does what entering the
// state means (start an attempt, arm a timer, end the session), raises the
// lifecycle events the move stands for, in the reference client's order,
// and tells the sockets and the state listener. It is the only place that
// changes m.state. m.mu must be held; release it with m.unlock.
func (m *Manager) setStateLocked(to State, c change) {
	from := m.state
	checkMove(managerMoves, "the Manager", from, to)
	m.state = to
	if m.timer != nil && from == Reconnecting {
		m.timer.Stop()
		m.timer = nil
	}
	if m.detect != nil && from == Detecting {
		m.detect.Stop()
		m.detect = nil
	}
	if m.conn != nil && to != Detecting && to != Connected {
		m.toClose = append(m.toClose, m.conn)
		m.conn = nil
		m.cur.Store(nil)
	}
	m.notifyState("", from, to, c)
	switch {
	case to == Connecting:
		if c.attempt > 0 {
			m.lifecycle(Lifecycle{Type: LifecycleReconnectAttempt, Attempt: c.attempt})
		}
		m.dials++
		m.deadline = time.Now().Add(m.opts.Engine.ConnectTimeout)
		m.wg.Add(1)
		go m.dial(m.dials, c.attempt, m.deadline)
		return
	case to == Detecting:
		g := m.gen
		m.detect = time.AfterFunc(detectGrace, func() { m.resolveVersion(g, engineio.Version4) })
		return
	case to == Connected:
		m.lifecycle(Lifecycle{Type: LifecycleOpen, Session: c.session})
		if c.attempt > 0 {
			m.lifecycle(Lifecycle{Type: LifecycleReconnect, Attempt: c.attempt})
		}
		for _, s := range m.sockets {
			s.onOpen(m.session.Protocol, m.session.SID, m.rootJoined, m.deadline)
		}
		return
	case to == Closed:
		return
	case from == Connecting && c.err != nil: // the attempt failed
		if c.attempt == 0 {
			m.lifecycle(Lifecycle{Type: LifecycleError, Err: c.err})
		}
		for _, s := range m.sockets {
			s.onAttemptFailed(c.err)
		}
	case from == Connected || from == Detecting: // the session ended
		m.lifecycle(Lifecycle{Type: LifecycleClose, Reason: c.reason, Err: c.err})
		for _, s := range m.sockets {
			s.onClose(c.reason, c.err)
		}
	}
	if to == Reconnecting {
		delay := m.bo.next()
		attempt := m.bo.attempts
		m.timers++
		id := m.timers
		m.timer = time.AfterFunc(delay, func() { m.reconnectNow(id, attempt) })
	}
	if c.gaveUp {
		m.lifecycle(Lifecycle{Type: LifecycleReconnectFailed})
	}
	if from == Connecting && c.err != nil && c.attempt > 0 {
		m.lifecycle(Lifecycle{Type: LifecycleReconnectError, Err: c.err, Attempt: c.attempt})
	}
	if to == Disconnected {
		// No attempt follows: Connect calls waiting end now, with the
		// cause, rather than at their deadline.
		err := c.err
		if err == nil && (from == Connected || from == Detecting) {
			err = fmt.Errorf("sioclient: the connection closed (%s)", c.reason)
		}
		if c.gaveUp {
			err = c.failure(m.opts.ReconnectAttempts)
		}
		if err != nil {
			for _, s := range m.sockets {
				s.failWaiters(err)
			}
		}
	}
}

// afterLossLocked moves a Manager whose session ended or whose attempt
// failed on: to the next attempt after its delay, or, when reconnection is
// off, the session was closed on purpose, no socket wants a connection or
// no attempts are left, to Disconnected.
//
// Attempts are counted until a namespace connects, not until a session
// opens as in the reference client: behind a balancer without sticky
// sessions every attempt opens a session that is then lost, and the
// reference client never gives up.
func (m *Manager) afterLossLocked(c change) {
	if m.joined.Swap(false) {
		m.bo.reset()
	}
	switch {
	case m.opts.NoReconnect || c.reason == ReasonForcedClose || !m.anyActiveLocked():
		m.setStateLocked(Disconnected, c)
	case permanent(c.err):
		m.setStateLocked(Disconnected, c) // another attempt would fail the same way
	case m.opts.FailFast && !m.opened && Unreachable(c.err):
		m.setStateLocked(Disconnected, c) // the first connection: say why now
	case m.opts.ReconnectAttempts > 0 && m.bo.attempts >= m.opts.ReconnectAttempts:
		m.bo.reset()
		c.gaveUp = true
		m.setStateLocked(Disconnected, c)
	default:
		m.setStateLocked(Reconnecting, c)
	}
}

// permanent says whether a connection error is one that trying again
// cannot cure: the server's certificate failed verification (unknown
// authority, expired or not yet valid, for another name), or it redirected
// where sio does not follow.
func permanent(err error) bool {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	var hn x509.HostnameError
	var cv *tls.CertificateVerificationError
	var re *engineio.RedirectError
	return err != nil && (errors.As(err, &ua) || errors.As(err, &ci) || errors.As(err, &hn) || errors.As(err, &cv) || errors.As(err, &re))
}

// Unreachable says whether a connection error means that the server is
// not there to talk to now, rather than slow or briefly gone: the
// connection was refused, the host name does not resolve, or what
// answered the handshake is not an Engine.IO server (a client error such
// as 404 or 400, or a body that is not a handshake). A proxy's 5xx, 408
// or 429 is taken for a server briefly gone or busy.
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	var dns *net.DNSError
	var he *engineio.HTTPError
	var pe *engineio.ProtocolError
	switch {
	case connRefused(err):
		return true
	case errors.As(err, &dns):
		return dns.IsNotFound
	case errors.As(err, &he):
		s := he.StatusCode
		return (he.Op == "handshake" || he.Op == "websocket") && s >= 400 && s < 500 && s != http.StatusRequestTimeout && s != http.StatusTooManyRequests
	case errors.As(err, &pe):
		return pe.Op == "handshake"
	}
	return false
}

// reconnectNow is the id-th reconnection timer firing: the next attempt
// begins, unless the Manager moved on meanwhile or no socket wants a
// connection.
func (m *Manager) reconnectNow(id, attempt int) {
	m.mu.Lock()
	defer m.unlock()
	if m.state != Reconnecting || m.timers != id {
		return
	}
	if !m.anyActiveLocked() {
		m.setStateLocked(Disconnected, change{})
		return
	}
	m.setStateLocked(Connecting, change{attempt: attempt})
}

// dial is attempt number attempt (0: the first connection), the id-th
// the Manager made.
func (m *Manager) dial(id, attempt int, deadline time.Time) {
	defer m.wg.Done()
	// HeaderFunc and the handshake share the attempt's ConnectTimeout.
	ctx, cancel := context.WithDeadline(m.ctx, deadline)
	defer cancel()
	eo := m.opts.Engine
	userOnEvent := eo.OnEvent
	// The session's messages are decoded and acted on by the goroutine
	// that read them (onMessage): an ack reaches its caller in one
	// hand-off. Those that come with the handshake, before the session is
	// the Manager's, wait in early; genMu keeps them first.
	var gen int // 0 until the session is the Manager's
	var genMu sync.Mutex
	var early []engineio.Message
	var ended error // the session ended before it was the Manager's
	var sess *engineio.Conn
	eo.OnEvent = func(e engineio.Event) {
		if userOnEvent != nil {
			userOnEvent(e)
		}
		genMu.Lock()
		g := gen
		genMu.Unlock()
		m.onEngineEvent(g, e)
	}
	eo.OnMessage = func(msg engineio.Message) {
		genMu.Lock()
		if gen == 0 {
			early = append(early, msg)
			genMu.Unlock()
			return
		}
		g := gen
		genMu.Unlock()
		m.onMessage(g, msg)
	}
	eo.OnClose = func(err error) {
		genMu.Lock()
		if gen == 0 {
			ended = err
			genMu.Unlock()
			return
		}
		g, c := gen, sess
		genMu.Unlock()
		m.onClose(g, c, err, "")
	}
	var conn *engineio.Conn
	var err error
	if m.opts.HeaderFunc != nil {
		var h http.Header
		if h, err = m.opts.HeaderFunc(ctx); err == nil {
			eo.Header = eo.Header.Clone()
			if eo.Header == nil {
				eo.Header = http.Header{}
			}
			for k, vs := range h {
				eo.Header[k] = append([]string(nil), vs...)
			}
		}
	}
	if err == nil {
		conn, err = engineio.Dial(ctx, m.url, &eo)
	}

	m.mu.Lock()
	if m.state != Connecting || m.dials != id {
		if conn != nil {
			m.toClose = append(m.toClose, conn) // the attempt is no longer wanted
		}
		m.unlock()
		return
	}
	if err != nil {
		m.lastErr = err
		m.afterLossLocked(change{err: err, attempt: attempt})
		m.unlock()
		return
	}
	m.gen++
	g := m.gen
	genMu.Lock() // messages read from now on wait for the early ones
	defer func() {
		gen, sess = g, conn
		for _, msg := range early {
			m.onMessage(g, msg)
		}
		early = nil
		if ended != nil {
			m.onClose(g, conn, ended, "")
		}
		genMu.Unlock()
	}()
	defer m.unlock()
	m.conn = conn
	m.attempt = attempt
	m.lastErr = nil
	info := conn.Info()
	m.session = &Session{SID: info.SID, Engine: conn.Version(), Transport: conn.Transport(), Handshake: info}
	m.opened = true
	if conn.Version() == engineio.VersionAuto {
		m.setStateLocked(Detecting, change{attempt: attempt})
		return
	}
	m.sessionReadyLocked(conn.Version())
}

// sessionReadyLocked is called once the session's Engine.IO version is
// known: it sets up the parser, and the Manager is Connected.
func (m *Manager) sessionReadyLocked(v engineio.Version) {
	proto := codec.V5
	if v == engineio.Version3 {
		proto = codec.V4
	}
	m.parser = m.opts.Parser(proto)
	m.decoder = m.parser.NewDecoder()
	m.session.Engine, m.session.Protocol = v, proto
	m.rootJoined = false
	m.cur.Store(&link{conn: m.conn, parser: m.parser, sid: m.session.SID, proto: proto})
	sess := *m.session
	m.setStateLocked(Connected, change{attempt: m.attempt, session: &sess})
}

// resolveVersion settles a WebSocket-only session's version: the
// Manager's at once, the engine's after the lock is released, since
// SetVersion waits for the reading goroutine, which may be waiting for
// the lock.
func (m *Manager) resolveVersion(gen int, v engineio.Version) {
	m.mu.Lock()
	if gen != m.gen || m.state != Detecting {
		m.unlock()
		return
	}
	conn := m.conn
	m.sessionReadyLocked(v)
	m.unlock()
	conn.SetVersion(v)
}

func (m *Manager) onEngineEvent(gen int, e engineio.Event) {
	var l Lifecycle
	switch e.Type {
	case engineio.EventPing:
		l = Lifecycle{Type: LifecyclePing, RTT: e.RTT}
	case engineio.EventUpgrade:
		l = Lifecycle{Type: LifecycleUpgrade, From: e.From, To: e.To}
	case engineio.EventUpgradeError:
		l = Lifecycle{Type: LifecycleUpgradeError, Err: e.Err}
	case engineio.EventVersion:
		m.resolveVersion(gen, e.Version)
		return
	default:
		return
	}
	// An event of a session that has ended (or been replaced) is not
	// told: it would follow that session's close. It is posted under the
	// lock, so that a close cannot come between the check and the post.
	m.mu.Lock()
	defer m.unlock()
	if gen != 0 && (gen != m.gen || (m.state != Connected && m.state != Detecting)) {
		return
	}
	m.lifecycle(l)
}

// onMessage decodes a message of session gen and hands the packet to its
// socket, on the goroutine that read it. It must not wait for that
// goroutine: sessions it ends are closed on another (see unlock), and the
// engine learns a version found here from another.
func (m *Manager) onMessage(gen int, msg engineio.Message) {
	m.mu.Lock()
	if m.gen != gen {
		m.unlock()
		return // the session is no longer the Manager's
	}
	if m.state == Detecting {
		// Only a Socket.IO 2.x server speaks before the client sends
		// CONNECT.
		conn := m.conn
		m.sessionReadyLocked(engineio.Version3)
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			conn.SetVersion(engineio.Version3)
		}()
	}
	if m.decoder == nil {
		m.unlock()
		return
	}
	p, err := m.decoder.Decode(codec.Message{Data: msg.Data, Binary: msg.Binary})
	conn := m.conn
	m.unlock()
	if err != nil {
		if conn != nil {
			m.onClose(gen, conn, err, ReasonParseError)
		}
		return
	}
	if p != nil {
		m.disp.waitRoom(func() bool { return m.awaiting.Load() > 0 })
		m.route(p)
	}
}

// route hands a packet to the socket of its namespace. In protocol 4 an
// error for the root namespace goes to every socket, as the reference 2.x
// client does.
func (m *Manager) route(p *codec.Packet) {
	nsp := normalizeNamespace(p.Nsp())
	m.mu.Lock()
	proto := m.session.Protocol
	if proto == codec.V4 && p.Type == codec.Connect && nsp == codec.RootNamespace {
		m.rootJoined = true
	}
	var targets []*Socket
	if s, ok := m.sockets[nsp]; ok {
		targets = append(targets, s)
	} else if proto == codec.V4 && p.Type == codec.ConnectError && nsp == codec.RootNamespace {
		for _, s := range m.sockets {
			targets = append(targets, s)
		}
	}
	m.mu.Unlock()
	for _, s := range targets {
		s.onPacket(p)
	}
}

// onClose handles the end of a session: sockets disconnect, and the Manager
// reconnects unless that was asked for.
func (m *Manager) onClose(gen int, conn *engineio.Conn, err error, reason string) {
	m.mu.Lock()
	defer m.unlock()
	if gen != m.gen || m.conn != conn || (m.state != Connected && m.state != Detecting) {
		return
	}
	var cause error
	var ce *engineio.CloseError
	switch {
	case errors.As(err, &ce):
		cause = ce.Err
		if reason == "" {
			reason = string(ce.Reason)
		}
	case reason == ReasonParseError:
		cause = err
	case reason == "":
		reason = ReasonTransportClose
	}
	m.afterLossLocked(change{reason: reason, err: cause})
}

func (m *Manager) anyActiveLocked() bool {
	for _, s := range m.sockets {
		if s.isActive() {
			return true
		}
	}
	return false
}

// await marks a call waiting for the connection, until awaited: while one
// waits, the reading goroutine does not wait for the dispatcher's room.
func (m *Manager) await() {
	m.awaiting.Add(1)
	m.disp.recheckRoom()
}

// awaited ends what await began.
func (m *Manager) awaited() { m.awaiting.Add(-1) }

// wantOpen is called by a socket that wants to connect.
func (m *Manager) wantOpen(s *Socket) {
	m.mu.Lock()
	defer m.unlock()
	switch m.state {
	case Closed:
		s.failWaiters(ErrClosed)
	case Connected:
		s.onOpen(m.session.Protocol, m.session.SID, m.rootJoined, time.Now().Add(m.opts.Engine.ConnectTimeout))
	case Disconnected:
		m.setStateLocked(Connecting, change{})
	}
	// Connecting, Detecting, Reconnecting: the socket connects when the
	// session is ready.
}

// socketInactive is called when a socket no longer wants a connection; the
// session closes when no socket does.
func (m *Manager) socketInactive() {
	m.mu.Lock()
	defer m.unlock()
	if m.anyActiveLocked() {
		return
	}
	switch m.state {
	case Connected, Detecting:
		m.setStateLocked(Disconnected, change{reason: ReasonForcedClose})
	case Connecting, Reconnecting:
		m.setStateLocked(Disconnected, change{})
	}
}

// send encodes p and queues it on the current session, without taking the
// Manager's lock. It fails when there is no session.
func (m *Manager) send(p *codec.Packet) error { return m.sendWith(p, false, nil, nil) }

// sendWith is send with the compress(false) flag and, when shown is not
// nil, the packet a wire trace shows in its place (p with its secrets
// redacted); sent, when not nil, is told when the write carrying p starts.
func (m *Manager) sendWith(p *codec.Packet, noCompress bool, shown *codec.Packet, sent engineio.Notifier) error {
	w := m.cur.Load()
	if w == nil {
		return ErrNotConnected
	}
	msgs, err := w.parser.Encode(p)
	if err != nil {
		return err
	}
	var redacted []codec.Message
	if shown != nil {
		if redacted, err = w.parser.Encode(shown); err != nil || len(redacted) != len(msgs) {
			redacted = nil
		}
	}
	var one [1]engineio.Message // the common case, kept off the heap
	em := one[:0]
	if len(msgs) > 1 {
		em = make([]engineio.Message, 0, len(msgs))
	}
	em = em[:len(msgs)]
	for i, mm := range msgs {
		em[i] = engineio.Message{Data: mm.Data, Binary: mm.Binary, NoCompress: noCompress}
		if i == 0 {
			em[i].Sent = sent
		}
		if redacted != nil {
			em[i].Redacted = redacted[i].Data
		}
	}
	return w.conn.Write(em...)
}

// Flush waits until every packet written so far has been handed to the
// network (buffered emits of disconnected sockets are not), or ctx is done.
func (m *Manager) Flush(ctx context.Context) error {
	w := m.cur.Load()
	if w == nil {
		return ErrNotConnected
	}
	return w.conn.Flush(ctx)
}

// WaitCallbacks waits until every callback queued so far (events,
// lifecycle events, OnAnyOutgoing) has run, or ctx is done. It must not be
// called from a callback.
func (m *Manager) WaitCallbacks(ctx context.Context) error {
	select {
	case <-m.disp.barrier():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close disconnects every socket, closes the session, stops reconnecting,
// runs the callbacks already queued, and stops every goroutine. It must
// not be called from a callback.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.state == Closed {
		m.mu.Unlock()
		return nil
	}
	sockets := make([]*Socket, 0, len(m.sockets))
	for _, s := range m.sockets {
		sockets = append(sockets, s)
	}
	m.mu.Unlock()
	for _, s := range sockets {
		s.Disconnect()
	}
	m.mu.Lock()
	if m.state != Closed {
		m.setStateLocked(Closed, change{reason: ReasonClientDisconnect})
	}
	m.unlock()
	m.cancel()
	m.wg.Wait()
	m.disp.close()
	return nil
}
