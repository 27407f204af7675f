// Package session is the headless core of sio's interactive commands: one
// Manager, the namespaces connected over it, the server's pending ack
// requests and the event names seen. It prints nothing; it returns typed
// results and hands what it hears to observers. The shell presents it;
// scripts (and a load generator) drive it directly.
package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/sioclient"
)

// Config is what a Session needs.
type Config struct {
	URL     string
	Manager sioclient.Options       // the Manager's options; the Session sets OnLifecycle
	Socket  sioclient.SocketOptions // for every namespace; Connect's auth replaces Auth
	// Namespace is the first namespace, connected by Start.
	Namespace string
	// Trace, when set, receives the wire trace while tracing is on.
	Trace func(engineio.TraceEvent)
	// TraceOn turns the trace on from the start.
	TraceOn bool
	// ConnectTimeout bounds each connect; AckTimeout each EmitWithAck
	// whose Emit has no Timeout.
	ConnectTimeout, AckTimeout time.Duration
	// OnEvent and OnLifecycle, when set, hear every event and lifecycle
	// event, on the Manager's dispatcher goroutine.
	OnEvent     func(*sioclient.Event)
	OnLifecycle func(sioclient.Lifecycle)
	// OnConnect are emitted on a namespace after each connect and
	// reconnect of it, in order, each after the ack of the one before
	// when it asks for one; OnConnectResult hears how each went.
	OnConnect       []*Emit
	OnConnectResult func(nsp string, e *Emit, ack *sioclient.Ack, err error)
	// OnOutgoing, when set, hears every packet sent (events, acks), on
	// the dispatcher goroutine, in order with what is heard.
	OnOutgoing func(*codec.Packet)
}

// Emit is one emit: an event, its arguments, and whether to wait for the
// ack.
type Emit struct {
	Event   string
	Args    []any         // values for codec.MarshalArgs
	Ack     bool          // wait for the ack
	Timeout time.Duration // how long; 0: the session's AckTimeout
	// Volatile drops the emit when the namespace is not connected, with
	// sioclient.ErrNotConnected, instead of buffering it.
	Volatile   bool
	NoCompress bool   // no per-message compression
	Text       string // the command as written, when it was, for listing
}

// dropped says why a volatile emit was not sent.
func dropped(e *Emit, sock *sioclient.Socket, err error) error {
	if e.Volatile && errors.Is(err, sioclient.ErrNotConnected) {
		return fmt.Errorf("not sent: %s is not connected, and a volatile emit is dropped rather than buffered", sock.Namespace())
	}
	return err
}

// emitter is the socket's Emitter with e's flags.
func (e *Emit) emitter(sock *sioclient.Socket) sioclient.Emitter {
	em := sock.Compress(!e.NoCompress)
	if e.Volatile {
		em = em.Volatile()
	}
	return em
}

// Reply answers one of the server's ack requests.
type Reply struct {
	ID   *uint64 // nil: the latest request
	Args []any
}

// Request is an ack the server asked for and has not got yet.
type Request struct {
	Namespace, Event string
	ID               uint64
	req              *sioclient.AckRequest
}

// Session carries out commands against one Manager. Its methods are safe
// for concurrent use; the observers run on the Manager's dispatcher.
type Session struct {
	cfg     settings
	m       *sioclient.Manager
	mu      sync.Mutex
	current string
	sockets map[string]*sioclient.Socket
	pending []*Request
	seen    map[string]bool
	lastRTT time.Duration
	tracing atomic.Bool
	asked   chan struct{} // signalled when the server asks for an ack
	unacked atomic.Bool   // an emit without an ack is the last thing sent

	onConnect []*Emit        // guarded by mu
	runs      sync.WaitGroup // OnConnect runs
	closing   atomic.Bool    // what fails from now on is the close's doing
}

// settings is what a Session keeps of its Config once its Manager is
// made: not the Manager's options, which the Manager holds (a load
// generator keeps thousands of sessions).
type settings struct {
	Socket                     sioclient.SocketOptions
	Namespace                  string
	ConnectTimeout, AckTimeout time.Duration
	OnEvent                    func(*sioclient.Event)
	OnLifecycle                func(sioclient.Lifecycle)
	OnConnectResult            func(nsp string, e *Emit, ack *sioclient.Ack, err error)
	OnOutgoing                 func(*codec.Packet)
}

// Linger is how long a client waits, after its last events left, before
// it disconnects: socket.io runs an event's handlers on its next tick and
// drops the event when the socket disconnected meanwhile, so a DISCONNECT
// read with the event would lose it.
const Linger = 50 * time.Millisecond

// New returns a session; Start connects it.
func New(cfg Config) (*Session, error) {
	s := &Session{cfg: settings{Socket: cfg.Socket, Namespace: cfg.Namespace, ConnectTimeout: cfg.ConnectTimeout, AckTimeout: cfg.AckTimeout,
		OnEvent: cfg.OnEvent, OnLifecycle: cfg.OnLifecycle, OnConnectResult: cfg.OnConnectResult, OnOutgoing: cfg.OnOutgoing},
		sockets: map[string]*sioclient.Socket{}, seen: map[string]bool{}, asked: make(chan struct{}, 1),
		onConnect: append([]*Emit(nil), cfg.OnConnect...)}
	s.tracing.Store(cfg.TraceOn)
	mo := cfg.Manager
	mo.OnLifecycle = s.onLifecycle
	if cfg.Trace != nil {
		mo.Engine.Trace = func(e engineio.TraceEvent) {
			if s.tracing.Load() {
				cfg.Trace(e)
			}
		}
	}
	m, err := sioclient.NewManager(cfg.URL, &mo)
	if err != nil {
		return nil, err
	}
	s.m = m
	return s, nil
}

// Start connects the first namespace.
func (s *Session) Start(ctx context.Context) error {
	return s.Connect(ctx, s.cfg.Namespace, nil)
}

// Close disconnects everything. When the last thing sent was an emit
// without an ack, it first waits for it to leave, and Linger.
func (s *Session) Close() {
	if s.unacked.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if s.m.Flush(ctx) == nil {
			time.Sleep(Linger)
		}
		cancel()
	}
	s.closing.Store(true)
	s.m.Close()
	s.runs.Wait()
}

// AddOnConnect adds an emit to those made after each connect.
func (s *Session) AddOnConnect(e *Emit) {
	s.mu.Lock()
	s.onConnect = append(s.onConnect, e)
	s.mu.Unlock()
}

// OnConnect lists the emits made after each connect.
func (s *Session) OnConnect() []*Emit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Emit(nil), s.onConnect...)
}

// ClearOnConnect forgets the emits made after each connect.
func (s *Session) ClearOnConnect() {
	s.mu.Lock()
	s.onConnect = nil
	s.mu.Unlock()
}

// runOnConnect makes the OnConnect emits on a namespace that just
// connected, on a goroutine of its own: the dispatcher must not wait.
func (s *Session) runOnConnect(nsp string) {
	emits := s.OnConnect()
	s.mu.Lock()
	sock := s.sockets[nsp]
	s.mu.Unlock()
	if len(emits) == 0 || sock == nil {
		return
	}
	s.runs.Add(1)
	go func() {
		defer s.runs.Done()
		for _, e := range emits {
			var ack *sioclient.Ack
			var err error
			if e.Ack {
				timeout := e.Timeout
				if timeout == 0 {
					timeout = s.cfg.AckTimeout
				}
				ack, err = e.emitter(sock).Timeout(timeout).EmitWithAck(context.Background(), e.Event, e.Args...)
			} else {
				err = e.emitter(sock).Emit(e.Event, e.Args...)
			}
			if s.cfg.OnConnectResult != nil && (err == nil || !s.closing.Load()) {
				s.cfg.OnConnectResult(nsp, e, ack, err)
			}
			if err != nil {
				return
			}
		}
	}()
}

// Manager returns the session's Manager.
func (s *Session) Manager() *sioclient.Manager { return s.m }

// Current returns the current namespace.
func (s *Session) Current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// Seen returns the event names seen or emitted so far, sorted.
func (s *Session) Seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.seen))
}

// Namespaces returns the session's namespaces, sorted.
func (s *Session) Namespaces() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.sockets))
}

// SetTrace turns the wire trace on or off.
func (s *Session) SetTrace(on bool) { s.tracing.Store(on) }

func (s *Session) onLifecycle(e sioclient.Lifecycle) {
	if e.Type == sioclient.LifecyclePing && e.RTT > 0 {
		s.mu.Lock()
		s.lastRTT = e.RTT
		s.mu.Unlock()
	}
	if s.cfg.OnLifecycle != nil {
		s.cfg.OnLifecycle(e)
	}
	if e.Type == sioclient.LifecycleConnect {
		s.runOnConnect(e.Namespace)
	}
}

func (s *Session) onEvent(e *sioclient.Event) {
	s.mu.Lock()
	s.seen[e.Name] = true
	if e.Ack != nil {
		s.pending = append(s.pending, &Request{Namespace: e.Namespace, Event: e.Name, ID: e.Ack.ID, req: e.Ack})
		select {
		case s.asked <- struct{}{}:
		default:
		}
	}
	s.mu.Unlock()
	if s.cfg.OnEvent != nil {
		s.cfg.OnEvent(e)
	}
}

// Connect creates (or reuses) the socket of nsp, connects it with auth (the
// configured one when nil) and makes it current.
func (s *Session) Connect(ctx context.Context, nsp string, auth json.RawMessage) error {
	s.mu.Lock()
	sock, ok := s.sockets[nsp]
	s.mu.Unlock()
	if !ok {
		so := s.cfg.Socket
		if auth != nil {
			so.Auth = auth
		}
		sock = s.m.Socket(nsp, &so)
		sock.OnAny(s.onEvent)
		if s.cfg.OnOutgoing != nil {
			sock.OnAnyOutgoing(s.cfg.OnOutgoing)
		}
		s.mu.Lock()
		s.sockets[nsp] = sock
		s.mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
	defer cancel()
	err := sock.Connect(ctx)
	if err == nil {
		s.mu.Lock()
		s.current = nsp
		s.mu.Unlock()
	}
	return err
}

func (s *Session) socket() *sioclient.Socket {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sockets[s.current]
}

// Use makes a connected namespace current.
func (s *Session) Use(nsp string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sockets[nsp]; !ok {
		return fmt.Errorf("use: %s is not connected; connect it with ns %s", nsp, nsp)
	}
	s.current = nsp
	return nil
}

// ConnectCurrent connects the current namespace again.
func (s *Session) ConnectCurrent(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
	defer cancel()
	return s.socket().Connect(ctx)
}

// DisconnectCurrent leaves the current namespace.
func (s *Session) DisconnectCurrent() error { return s.socket().Disconnect() }

// Emit emits on the current namespace without waiting for an ack.
func (s *Session) Emit(e *Emit) error {
	sock := s.socket()
	s.mu.Lock()
	s.seen[e.Event] = true
	s.mu.Unlock()
	s.unacked.Store(true)
	return dropped(e, sock, e.emitter(sock).Emit(e.Event, e.Args...))
}

// EmitWithAck emits on the current namespace and returns the ack.
func (s *Session) EmitWithAck(ctx context.Context, e *Emit) (*sioclient.Ack, error) {
	sock := s.socket()
	s.mu.Lock()
	s.seen[e.Event] = true
	s.mu.Unlock()
	timeout := e.Timeout
	if timeout == 0 {
		timeout = s.cfg.AckTimeout
	}
	ack, err := e.emitter(sock).Timeout(timeout).EmitWithAck(ctx, e.Event, e.Args...)
	err = dropped(e, sock, err)
	if err == nil {
		s.unacked.Store(false) // the server has read everything sent before
	}
	return ack, err
}

// Reply answers the request with the given id (in the current namespace
// first), or the latest one, and returns the request it answered.
func (s *Session) Reply(r *Reply) (*Request, error) {
	s.mu.Lock()
	var req *Request
	idx := -1
	for i := len(s.pending) - 1; i >= 0; i-- {
		p := s.pending[i]
		if r.ID != nil && p.ID != *r.ID {
			continue
		}
		if req == nil || (p.Namespace == s.current && req.Namespace != s.current) {
			req, idx = p, i
		}
	}
	if req != nil {
		s.pending = append(s.pending[:idx], s.pending[idx+1:]...)
	}
	s.mu.Unlock()
	if req == nil {
		if r.ID != nil {
			return nil, fmt.Errorf("reply: no pending request %d; see pending", *r.ID)
		}
		return nil, fmt.Errorf("reply: the server asked for no ack")
	}
	if err := req.req.Reply(r.Args...); err != nil {
		return nil, fmt.Errorf("reply: %w", err)
	}
	return req, nil
}

// WaitAsked waits up to d for an ack request (with the given id, when not
// nil) to be pending, as a script must before it replies.
func (s *Session) WaitAsked(ctx context.Context, id *uint64, d time.Duration) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for _, p := range s.pending {
			if id == nil || p.ID == *id {
				s.mu.Unlock()
				return true
			}
		}
		s.mu.Unlock()
		select {
		case <-s.asked:
		case <-deadline.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// Pending returns the server's ack requests not answered yet.
func (s *Session) Pending() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.pending))
	for i, p := range s.pending {
		out[i] = *p
	}
	return out
}

// NamespaceStatus describes one namespace of the session.
type NamespaceStatus struct {
	Namespace string
	Current   bool
	State     sioclient.State
	ID        string
	Buffered  int // emits waiting for the namespace to connect
}

// Status describes the session.
type Status struct {
	Session    *sioclient.Session // nil when there is none
	LastRTT    time.Duration      // the last heartbeat's round trip, when measured
	Namespaces []NamespaceStatus
}

// Status returns what the session is connected to and how.
func (s *Session) Status() Status {
	st := Status{Session: s.m.Session()}
	s.mu.Lock()
	st.LastRTT = s.lastRTT
	for _, n := range slices.Sorted(maps.Keys(s.sockets)) {
		sock := s.sockets[n]
		st.Namespaces = append(st.Namespaces, NamespaceStatus{Namespace: n, Current: n == s.current, State: sock.State(), ID: sock.ID(), Buffered: sock.Buffered()})
	}
	s.mu.Unlock()
	return st
}

// Reconnect drops the connection and opens a new one, for every namespace
// that was connected.
func (s *Session) Reconnect(ctx context.Context) error {
	var again []string
	for _, n := range s.Namespaces() {
		sock := s.m.Socket(n, nil)
		if sock.Active() {
			sock.Disconnect()
			again = append(again, n)
		}
	}
	for _, n := range again {
		if err := s.Connect(ctx, n, nil); err != nil {
			return err
		}
	}
	return nil
}
