package sioclient

import (
	"context"
	"errors"
	"fmt"
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

// wire is what sockets need to write on the current session; the Manager
// publishes it atomically so that writes take no Manager lock.
type wire struct {
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
	sockets    map[string]*Socket
	conn       *engineio.Conn
	session    *Session
	decoder    codec.Decoder
	parser     codec.Parser
	gen        int  // increases with each session, so stale callbacks can tell
	opening    bool // a connection attempt is under way
	ready      bool // the session is open and its protocol known
	bo         backoff
	timer      *time.Timer // the next reconnection attempt
	detect     *time.Timer // WebSocket-only version detection
	shutdown   bool
	lastErr    error
	rootJoined bool // protocol 4: the server joined "/" in this session
	cur        atomic.Pointer[wire]
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

// open starts a connection attempt unless one is under way or the session
// is up. attempt is 0 for the first connection.
func (m *Manager) openLocked(attempt int) {
	if m.opening || m.conn != nil || m.shutdown {
		return
	}
	m.opening = true
	m.wg.Add(1)
	go m.dial(attempt)
}

func (m *Manager) dial(attempt int) {
	defer m.wg.Done()
	eo := m.opts.Engine
	userOnEvent := eo.OnEvent
	var gen int
	var genMu sync.Mutex
	eo.OnEvent = func(e engineio.Event) {
		if userOnEvent != nil {
			userOnEvent(e)
		}
		genMu.Lock()
		g := gen
		genMu.Unlock()
		m.onEngineEvent(g, e)
	}
	conn, err := engineio.Dial(m.ctx, m.url, &eo)

	m.mu.Lock()
	m.opening = false
	if m.shutdown {
		m.mu.Unlock()
		if conn != nil {
			conn.Close()
		}
		return
	}
	if err != nil {
		m.lastErr = err
		if attempt == 0 {
			m.lifecycle(Lifecycle{Type: LifecycleError, Err: err})
		}
		for _, s := range m.sockets {
			s.onOpenError(err)
		}
		retry := m.reconnectLocked()
		if attempt > 0 {
			m.lifecycle(Lifecycle{Type: LifecycleReconnectError, Err: err, Attempt: attempt})
		}
		if !retry {
			for _, s := range m.sockets {
				s.failWaiters(err)
			}
		}
		m.mu.Unlock()
		return
	}
	m.gen++
	genMu.Lock()
	gen = m.gen
	genMu.Unlock()
	m.conn = conn
	m.lastErr = nil
	m.bo.reset()
	info := conn.Info()
	m.session = &Session{SID: info.SID, Engine: conn.Version(), Transport: conn.Transport(), Handshake: info}
	m.wg.Add(1)
	go m.readLoop(conn, m.gen)
	if conn.Version() == engineio.VersionAuto {
		g := m.gen
		m.detect = time.AfterFunc(detectGrace, func() { m.resolveVersion(g, engineio.Version4) })
		m.mu.Unlock()
		return
	}
	m.sessionReadyLocked(conn.Version(), attempt)
	m.mu.Unlock()
}

// sessionReadyLocked is called once the session's Engine.IO version is
// known: it sets up the parser and connects the active sockets.
func (m *Manager) sessionReadyLocked(v engineio.Version, attempt int) {
	proto := codec.V5
	if v == engineio.Version3 {
		proto = codec.V4
	}
	m.parser = m.opts.Parser(proto)
	m.decoder = m.parser.NewDecoder()
	m.session.Engine, m.session.Protocol = v, proto
	m.ready = true
	m.rootJoined = false
	m.cur.Store(&wire{conn: m.conn, parser: m.parser, sid: m.session.SID, proto: proto})
	sess := *m.session
	m.lifecycle(Lifecycle{Type: LifecycleOpen, Session: &sess})
	if attempt > 0 {
		m.lifecycle(Lifecycle{Type: LifecycleReconnect, Attempt: attempt})
	}
	for _, s := range m.sockets {
		s.onOpen(proto, m.session.SID)
	}
}

// resolveVersion settles a WebSocket-only session's version.
func (m *Manager) resolveVersion(gen int, v engineio.Version) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if gen != m.gen || m.ready || m.conn == nil {
		return
	}
	if m.detect != nil {
		m.detect.Stop()
	}
	m.conn.SetVersion(v)
	m.sessionReadyLocked(v, m.bo.attempts)
}

func (m *Manager) onEngineEvent(gen int, e engineio.Event) {
	switch e.Type {
	case engineio.EventPing:
		m.lifecycle(Lifecycle{Type: LifecyclePing, RTT: e.RTT})
	case engineio.EventUpgrade:
		m.lifecycle(Lifecycle{Type: LifecycleUpgrade, From: e.From, To: e.To})
	case engineio.EventUpgradeError:
		m.lifecycle(Lifecycle{Type: LifecycleUpgradeError, Err: e.Err})
	case engineio.EventVersion:
		m.resolveVersion(gen, e.Version)
	}
}

// readLoop decodes the session's messages and hands packets to sockets.
func (m *Manager) readLoop(conn *engineio.Conn, gen int) {
	defer m.wg.Done()
	for {
		msg, err := conn.Read(context.Background())
		if err != nil {
			m.onClose(gen, conn, err, "")
			return
		}
		m.mu.Lock()
		if !m.ready {
			// Only a Socket.IO 2.x server speaks before the client
			// sends CONNECT.
			if m.gen == gen && m.conn != nil {
				if m.detect != nil {
					m.detect.Stop()
				}
				m.conn.SetVersion(engineio.Version3)
				m.sessionReadyLocked(engineio.Version3, m.bo.attempts)
			}
		}
		p, err := m.decoder.Decode(codec.Message{Data: msg.Data, Binary: msg.Binary})
		m.mu.Unlock()
		if err != nil {
			m.onClose(gen, conn, err, ReasonParseError)
			return
		}
		if p != nil {
			m.disp.waitRoom(func() bool { return m.awaiting.Load() > 0 })
			m.route(p)
		}
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
	conn.Close()
	m.mu.Lock()
	defer m.mu.Unlock()
	if gen != m.gen || m.conn != conn {
		return
	}
	if reason == "" {
		reason = ReasonTransportClose
		var ce *engineio.CloseError
		if errors.As(err, &ce) {
			reason = string(ce.Reason)
		}
	}
	m.conn, m.ready = nil, false
	m.cur.Store(nil)
	if m.detect != nil {
		m.detect.Stop()
	}
	if m.shutdown {
		return
	}
	var cause error
	var ce *engineio.CloseError
	if errors.As(err, &ce) {
		cause = ce.Err
	} else if reason == ReasonParseError {
		cause = err
	}
	m.lifecycle(Lifecycle{Type: LifecycleClose, Reason: reason, Err: cause})
	for _, s := range m.sockets {
		s.onClose(reason)
	}
	if reason != ReasonForcedClose {
		m.reconnectLocked()
	}
}

// reconnectLocked schedules the next attempt if reconnection is on and a
// socket still wants to be connected. It returns whether one was scheduled.
func (m *Manager) reconnectLocked() bool {
	if m.opts.NoReconnect || m.shutdown || m.timer != nil || !m.anyActiveLocked() {
		return false
	}
	if m.opts.ReconnectAttempts > 0 && m.bo.attempts >= m.opts.ReconnectAttempts {
		m.bo.reset()
		m.lifecycle(Lifecycle{Type: LifecycleReconnectFailed})
		return false
	}
	delay := m.bo.next()
	attempt := m.bo.attempts
	m.timer = time.AfterFunc(delay, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.timer = nil
		if m.shutdown || !m.anyActiveLocked() {
			return
		}
		m.lifecycle(Lifecycle{Type: LifecycleReconnectAttempt, Attempt: attempt})
		m.openLocked(attempt)
	})
	return true
}

func (m *Manager) anyActiveLocked() bool {
	for _, s := range m.sockets {
		if s.isActive() {
			return true
		}
	}
	return false
}

// await marks a call waiting for the connection until the returned
// function is called.
func (m *Manager) await() (done func()) {
	m.awaiting.Add(1)
	m.disp.recheckRoom()
	return func() { m.awaiting.Add(-1) }
}

// wantOpen is called by a socket that wants to connect.
func (m *Manager) wantOpen(s *Socket) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.shutdown {
		s.failWaiters(ErrClosed)
		return
	}
	if m.ready {
		s.onOpen(m.session.Protocol, m.session.SID)
		return
	}
	if m.timer == nil {
		m.openLocked(0)
	}
}

// socketInactive is called when a socket no longer wants a connection; the
// session closes when no socket does.
func (m *Manager) socketInactive() {
	m.mu.Lock()
	if m.anyActiveLocked() {
		m.mu.Unlock()
		return
	}
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
	conn := m.conn
	m.conn, m.ready = nil, false
	m.cur.Store(nil)
	m.mu.Unlock()
	if conn != nil {
		conn.Close()
		m.lifecycle(Lifecycle{Type: LifecycleClose, Reason: ReasonForcedClose})
	}
}

// rootJoinedLocked reports whether a protocol 4 server joined "/" in this
// session. m.mu must be held.
func (m *Manager) rootJoinedLocked() bool { return m.rootJoined }

// send encodes p and queues it on the current session, without taking the
// Manager's lock. It fails when there is no session.
func (m *Manager) send(p *codec.Packet) error { return m.sendWith(p, false, nil) }

// sendWith is send with the compress(false) flag and, when shown is not
// nil, the packet a wire trace shows in its place (p with its secrets
// redacted).
func (m *Manager) sendWith(p *codec.Packet, noCompress bool, shown *codec.Packet) error {
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
	em := make([]engineio.Message, len(msgs))
	for i, mm := range msgs {
		em[i] = engineio.Message{Data: mm.Data, Binary: mm.Binary, NoCompress: noCompress}
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

// Close disconnects every socket, closes the session, stops reconnecting,
// runs the callbacks already queued, and stops every goroutine. It must
// not be called from a callback.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.shutdown {
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
	m.shutdown = true
	if m.timer != nil {
		m.timer.Stop()
	}
	if m.detect != nil {
		m.detect.Stop()
	}
	conn := m.conn
	m.conn = nil
	m.cur.Store(nil)
	m.mu.Unlock()
	m.cancel()
	if conn != nil {
		conn.Close()
	}
	m.wg.Wait()
	m.disp.close()
	return nil
}
