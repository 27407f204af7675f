package sioclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/engineio"
)

// Socket is a connection to one namespace, multiplexed with the Manager's
// other sockets over one Engine.IO session.
//
// All methods are safe for concurrent use. Handlers run on the Manager's
// dispatcher goroutine, in the order events arrived.
type Socket struct {
	m    *Manager
	nsp  string
	opts SocketOptions

	mu          sync.Mutex
	state       State // changed by setStateLocked only
	lostConnect bool  // the session ended with the CONNECT unanswered
	id          string
	pid         string // connection state recovery: the server's private id
	offset      string // and the offset of the last event received
	recovered   bool
	proto       codec.Version
	sendBuf     []outgoing      // emitted while disconnected
	recvBuf     []*codec.Packet // received before the CONNECT ack
	nextAckID   uint64
	acks        map[uint64]*pendingAck
	waiters     []chan error // Connect calls waiting
	authRun     int          // increases with each run of AuthFunc, so a stale one can tell
	authorizing bool         // AuthFunc runs for the CONNECT waiting to go
	queue       []*retryItem // emits under Retries, one in flight

	hmu      sync.Mutex // guards the handlers
	anyIn    []*handler
	named    map[string][]*handler
	anyOut   []*outHandler
	handlerN int
}

type handler struct {
	id int
	f  func(*Event)
}

type outHandler struct {
	id int
	f  func(*codec.Packet)
}

type pendingAck struct {
	event  string
	packet *codec.Packet
	sent   time.Time // emitted: handed to the session, or buffered
	// out is when the write that carries the packet started, in
	// nanoseconds after sent; 0 until it did. The writing goroutine sets
	// it (MessageSent), the reading one reads it.
	out    atomic.Int64
	result chan<- ackResult // EmitWithAck's caller waits here, or
	done   func(*Ack, error)
}

// MessageSent records that the write carrying the packet started.
func (pa *pendingAck) MessageSent() { pa.out.Store(max(int64(time.Since(pa.sent)), 1)) }

// ack is the Ack of p arriving now: its round trip runs from the write
// that carried the emit, and what came before it is the time sio held it.
func (pa *pendingAck) ack(p *codec.Packet) *Ack {
	total := time.Since(pa.sent)
	held := time.Duration(pa.out.Load())
	if held > total {
		held = 0
	}
	return &Ack{Packet: p, RTT: total - held, Held: held}
}

// finish hands the ack, or why there is none, to whoever waits for it.
func (pa *pendingAck) finish(a *Ack, err error) {
	if pa.result != nil {
		pa.result <- ackResult{a, err}
		return
	}
	pa.done(a, err)
}

func newSocket(m *Manager, nsp string, opts *SocketOptions) *Socket {
	s := &Socket{m: m, nsp: nsp, acks: map[uint64]*pendingAck{}, named: map[string][]*handler{}}
	if opts != nil {
		s.opts = *opts
	}
	return s
}

// Namespace returns the socket's namespace.
func (s *Socket) Namespace() string { return s.nsp }

// Manager returns the socket's Manager.
func (s *Socket) Manager() *Manager { return s.m }

// ID returns the socket's id while it is connected: the id the server gave
// (servers 3.x and 4.x), or the engine session id for "/" and
// "/nsp#" + session id for other namespaces (servers 2.x).
func (s *Socket) ID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

// State returns the socket's state: Disconnected, Waiting, Connecting or
// Connected.
func (s *Socket) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Connected reports whether the socket is connected.
func (s *Socket) Connected() bool { return s.State() == Connected }

// Active reports whether the socket wants to be connected: it is connected
// or will reconnect.
func (s *Socket) Active() bool { return s.isActive() }

func (s *Socket) isActive() bool { return s.State() != Disconnected }

// setStateLocked moves the socket to the state to, for the cause c. It
// checks that the move is one the table allows and raises the lifecycle
// events the move stands for: connect (and then the events received and
// the emits buffered meanwhile go), disconnect with its reason, or
// connect_error for a refusal; a socket that stops wanting a connection
// ends the Connect calls waiting. It is the only place that changes
// s.state. s.mu must be held; it returns the ack callbacks to run once
// s.mu is released.
func (s *Socket) setStateLocked(to State, c change) (dones []func()) {
	from := s.state
	checkMove(socketMoves, "socket "+s.nsp, from, to)
	s.state = to
	s.m.notifyState(s.nsp, from, to, c)
	switch {
	case to == Connected:
		s.m.joined.Store(true) // the reconnection attempts start again from none
		s.m.lifecycle(Lifecycle{Type: LifecycleConnect, Namespace: s.nsp, SocketID: s.id, Recovered: s.recovered})
		for _, p := range s.recvBuf {
			s.dispatchEventLocked(p)
		}
		s.recvBuf = nil
		buf := s.sendBuf
		s.sendBuf = nil
		for _, o := range buf {
			if err := s.sendLocked(o.p, o.noCompress); err != nil {
				s.m.lifecycle(Lifecycle{Type: LifecycleError, Namespace: s.nsp, Err: err})
			}
		}
		s.drainQueueLocked(true)
		s.failWaitersLocked(nil)
		return nil
	case from == Connected:
		s.id = ""
		dones = s.clearAcksLocked(c)
		s.m.lifecycle(Lifecycle{Type: LifecycleDisconnect, Namespace: s.nsp, Reason: c.reason})
	case to == Disconnected && c.err != nil:
		s.m.lifecycle(Lifecycle{Type: LifecycleConnectError, Namespace: s.nsp, Err: c.err})
	}
	if to == Waiting {
		s.recvBuf = nil
	}
	if to == Disconnected {
		err := c.err
		switch {
		case err != nil:
		case c.reason == ReasonServerDisconnect:
			err = ErrServerDisconnected
		default:
			err = ErrClientDisconnected
		}
		s.failWaitersLocked(err)
	}
	return dones
}

// Buffered returns how many emits wait for the socket to connect.
func (s *Socket) Buffered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sendBuf)
}

// Recovered reports whether the last connection restored the session's
// state (connection state recovery, servers 4.6+).
func (s *Socket) Recovered() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recovered
}

// Connect connects the socket and waits until it is connected, the server
// refuses it (a *ConnectError), the Manager gives up (the last connection
// error), or ctx is done. A refused socket is no longer active: call
// Connect again to retry.
func (s *Socket) Connect(ctx context.Context) error {
	s.mu.Lock()
	if s.state == Connected {
		s.mu.Unlock()
		return nil
	}
	if s.state == Disconnected {
		s.setStateLocked(Waiting, change{})
	}
	ch := make(chan error, 1)
	s.waiters = append(s.waiters, ch)
	s.mu.Unlock()
	s.m.await()
	defer s.m.awaited()
	s.m.wantOpen(s)
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		if s.m.State() == Connecting || s.isAuthorizing() {
			// The attempt under way, or AuthFunc, most likely has the
			// same deadline: give it a moment to say how far it got.
			t := time.NewTimer(attemptGrace)
			select {
			case err := <-ch:
				t.Stop()
				if err == nil || errors.Is(err, context.DeadlineExceeded) {
					return err
				}
				return &WaitError{Err: ctx.Err(), Last: err}
			case <-t.C:
			}
		}
		s.mu.Lock()
		for i, w := range s.waiters {
			if w == ch {
				s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
				break
			}
		}
		s.mu.Unlock()
		s.m.mu.Lock()
		last := s.m.lastErr
		s.m.mu.Unlock()
		if last != nil {
			return &WaitError{Err: ctx.Err(), Last: last}
		}
		if s.isAuthorizing() {
			return fmt.Errorf("%w: the auth payload for %s was not made in time (AuthFunc had not returned)", ctx.Err(), s.nsp)
		}
		if sess := s.m.Session(); sess != nil {
			// The session is open: what is missing is the server's
			// answer to the namespace connect.
			return fmt.Errorf("%w: the Engine.IO session %s opened, but the server never answered the connect to %s", ctx.Err(), sess.SID, s.nsp)
		}
		return ctx.Err()
	}
}

// isAuthorizing says whether AuthFunc runs for the CONNECT to send.
func (s *Socket) isAuthorizing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authorizing
}

// attemptGrace is how long a Connect whose context is done waits for the
// connection attempt in flight to fail with its own cause.
const attemptGrace = 100 * time.Millisecond

// failWaitersLocked ends the waiting Connect calls with err (nil: success).
func (s *Socket) failWaitersLocked(err error) {
	for _, w := range s.waiters {
		w <- err
	}
	s.waiters = nil
}

// failWaiters ends the waiting Connect calls with err, the Manager's
// reason for giving up; when the session ended while this socket's
// CONNECT was unanswered, the error says so: some servers
// (googollee/go-socket.io) refuse a namespace by ending the session.
func (s *Socket) failWaiters(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lostConnect && err != nil && !errors.Is(err, ErrClosed) {
		err = fmt.Errorf("the session ended before the server answered the connect to %s (some servers refuse a namespace so; or the connection was cut): %w", s.nsp, err)
	}
	s.lostConnect = false
	s.failWaitersLocked(err)
}

// onOpen is called when a session is ready: a waiting socket sends its
// CONNECT, once AuthFunc, when set, has made its payload by deadline.
// rootJoined says that a protocol 4 server already joined "/".
func (s *Socket) onOpen(proto codec.Version, sid string, rootJoined bool, deadline time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.proto = proto
	if s.state != Waiting {
		return
	}
	if proto == codec.V4 && s.nsp == codec.RootNamespace {
		// A 2.x server joins "/" by itself and says so; sending CONNECT
		// would make it run its connection handler twice.
		if rootJoined {
			s.onConnectAckLocked(nil, sid)
		}
		return
	}
	p := &codec.Packet{Type: codec.Connect, Namespace: s.nsp}
	switch {
	case proto == codec.V4:
		if len(s.opts.Query) > 0 {
			p.Namespace += "?" + s.opts.Query.Encode()
		}
	case s.opts.AuthFunc != nil:
		// Made with no lock held, which a slow AuthFunc (a credential
		// helper) would hold up.
		s.authRun++
		s.authorizing = true
		s.m.wg.Add(1)
		go s.authorize(s.authRun, sid, p, deadline)
		return
	default:
		auth, err := s.authPayloadLocked(s.opts.Auth)
		if err != nil {
			s.setStateLocked(Disconnected, change{err: err})
			return
		}
		p.Data = auth
	}
	s.sendConnectLocked(p)
}

// sendConnectLocked sends the CONNECT p: the socket is then Connecting.
func (s *Socket) sendConnectLocked(p *codec.Packet) {
	if s.m.sendWith(p, false, redactConnect(p), nil) == nil {
		s.setStateLocked(Connecting, change{})
	}
}

// authorize runs AuthFunc for the auth payload of the CONNECT p to the
// session sid, then sends it, unless the socket stopped waiting for that
// session meanwhile (the next session's onOpen runs AuthFunc again).
func (s *Socket) authorize(run int, sid string, p *codec.Packet, deadline time.Time) {
	defer s.m.wg.Done()
	ctx, cancel := context.WithDeadline(s.m.ctx, deadline)
	auth, err := s.opts.AuthFunc(ctx)
	cancel()
	s.mu.Lock()
	if run != s.authRun {
		s.mu.Unlock()
		return
	}
	s.authorizing = false
	if w := s.m.cur.Load(); s.state != Waiting || w == nil || w.sid != sid {
		s.mu.Unlock()
		return
	}
	if err == nil {
		p.Data, err = s.authPayloadLocked(auth)
	}
	var dones []func()
	if err != nil {
		dones = s.setStateLocked(Disconnected, change{err: err})
	} else {
		s.sendConnectLocked(p)
	}
	s.mu.Unlock()
	runAll(dones)
}

// redactConnect returns the CONNECT packet as a wire trace shows it: each
// value of the auth payload (but the recovery pid and offset, which are
// the client's own) and each credential-named value of a namespace query
// replaced by [redacted]; nil when there is nothing to hide.
func redactConnect(p *codec.Packet) *codec.Packet {
	nsp, query, hasQuery := strings.Cut(p.Namespace, "?")
	if len(p.Data) == 0 && !hasQuery {
		return nil
	}
	r := *p
	if hasQuery {
		r.Namespace = nsp + "?" + strings.TrimPrefix(engineio.RedactURL("http://x/?"+query), "http://x/?")
	}
	var obj map[string]json.RawMessage
	if len(p.Data) > 0 && json.Unmarshal(p.Data, &obj) == nil {
		shown, _ := json.Marshal(engineio.Redacted)
		for k := range obj {
			if k != "pid" && k != "offset" {
				obj[k] = shown
			}
		}
		r.Data, _ = json.Marshal(obj)
	}
	return &r
}

// authPayloadLocked builds the CONNECT payload: the auth object, with the
// recovery pid and offset merged in when the server gave a pid.
func (s *Socket) authPayloadLocked(auth json.RawMessage) (json.RawMessage, error) {
	if s.pid == "" {
		if len(auth) == 0 {
			return nil, nil
		}
		if !json.Valid(auth) || jsonKindOf(auth) != '{' {
			return nil, errors.New("sioclient: the auth payload must be a JSON object")
		}
		return auth, nil
	}
	obj := map[string]json.RawMessage{}
	if len(auth) > 0 {
		if err := json.Unmarshal(auth, &obj); err != nil {
			return nil, errors.New("sioclient: the auth payload must be a JSON object")
		}
	}
	obj["pid"], _ = json.Marshal(s.pid)
	if s.offset != "" {
		obj["offset"], _ = json.Marshal(s.offset)
	}
	return json.Marshal(obj)
}

func jsonKindOf(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c
	}
	return 0
}

// onAttemptFailed is called when an attempt to open a session failed: a
// socket that waits for one hears a connect_error.
func (s *Socket) onAttemptFailed(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == Waiting {
		s.m.lifecycle(Lifecycle{Type: LifecycleConnectError, Namespace: s.nsp, Err: err})
	}
}

// onClose is called when the session ended, for reason (and cause): a
// socket that was connected or connecting waits for the next one.
func (s *Socket) onClose(reason string, cause error) {
	s.mu.Lock()
	var dones []func()
	s.lostConnect = s.state == Connecting
	if s.state == Connected || s.state == Connecting {
		dones = s.setStateLocked(Waiting, change{reason: reason, err: cause})
	}
	s.mu.Unlock()
	runAll(dones)
}

// clearAcksLocked fails the acks of packets that were sent; the acks of
// packets still buffered stay, to be sent after reconnecting. It returns the
// callbacks to run once s.mu is released.
func (s *Socket) clearAcksLocked(c change) (dones []func()) {
	err := &DisconnectedError{Namespace: s.nsp, Reason: c.reason, Err: c.err}
	for id, pa := range s.acks {
		buffered := false
		for _, o := range s.sendBuf {
			if o.p == pa.packet {
				buffered = true
				break
			}
		}
		if !buffered {
			delete(s.acks, id)
			dones = append(dones, func() { pa.finish(nil, err) })
		}
	}
	return dones
}

func runAll(fs []func()) {
	for _, f := range fs {
		f()
	}
}

// onPacket handles a packet for this namespace.
func (s *Socket) onPacket(p *codec.Packet) {
	switch p.Type {
	case codec.Connect:
		sid := ""
		if w := s.m.cur.Load(); w != nil {
			sid = w.sid
		}
		s.mu.Lock()
		if s.state == Waiting || s.state == Connecting {
			s.onConnectAckLocked(p.Data, sid)
		}
		s.mu.Unlock()
	case codec.ConnectError:
		s.onConnectError(p)
	case codec.Event, codec.BinaryEvent:
		s.onEvent(p)
	case codec.Ack, codec.BinaryAck:
		s.onAck(p)
	case codec.Disconnect:
		s.onServerDisconnect()
	}
}

// onConnectAckLocked marks the socket connected: the id from the server's
// reply (protocol 5) or derived from the session id (protocol 4), then the
// connect event, the events received meanwhile, and the emits buffered.
func (s *Socket) onConnectAckLocked(payload json.RawMessage, sid string) {
	id := sid
	if s.nsp != codec.RootNamespace {
		id = s.nsp + "#" + sid
	}
	if s.proto == codec.V5 {
		var v struct {
			SID string `json:"sid"`
			PID string `json:"pid"`
		}
		json.Unmarshal(payload, &v)
		id = v.SID
		s.recovered = v.PID != "" && v.PID == s.pid
		s.pid = v.PID
	}
	s.id = id
	s.setStateLocked(Connected, change{})
}

func (s *Socket) onConnectError(p *codec.Packet) {
	ce := parseConnectError(s.nsp, p.Data)
	s.mu.Lock()
	var dones []func()
	if s.state != Disconnected {
		dones = s.setStateLocked(Disconnected, change{err: ce})
	}
	s.mu.Unlock()
	runAll(dones)
	s.m.socketInactive()
}

func (s *Socket) onServerDisconnect() {
	s.mu.Lock()
	var dones []func()
	if s.state != Disconnected {
		dones = s.setStateLocked(Disconnected, change{reason: ReasonServerDisconnect})
	}
	s.mu.Unlock()
	runAll(dones)
	s.m.socketInactive()
}

// Disconnect leaves the namespace: it sends DISCONNECT when connected, stops
// reconnecting, and fails the acks still awaited. The Engine.IO session
// closes when no socket of the Manager is active.
func (s *Socket) Disconnect() error {
	s.mu.Lock()
	var dones []func()
	if s.state == Connected {
		s.m.send(&codec.Packet{Type: codec.Disconnect, Namespace: s.nsp})
	}
	if s.state != Disconnected {
		dones = s.setStateLocked(Disconnected, change{reason: ReasonClientDisconnect})
	}
	s.mu.Unlock()
	runAll(dones)
	s.m.socketInactive()
	return nil
}

// ErrClientDisconnected ends a Connect call when Disconnect is called
// meanwhile.
var ErrClientDisconnected = errors.New("sioclient: " + ReasonClientDisconnect)

// ErrServerDisconnected ends a Connect call when the server sends
// DISCONNECT for the namespace before it connected.
var ErrServerDisconnected = errors.New("sioclient: " + ReasonServerDisconnect)

func (s *Socket) onEvent(p *codec.Packet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != Connected {
		s.recvBuf = append(s.recvBuf, p)
		return
	}
	s.dispatchEventLocked(p)
}

// dispatchEventLocked records the recovery offset and queues the handlers.
func (s *Socket) dispatchEventLocked(p *codec.Packet) {
	if s.pid != "" {
		if args, err := p.Args(); err == nil && len(args) > 1 {
			if last := args[len(args)-1]; len(last) > 0 && last[0] == '"' {
				var off string
				if json.Unmarshal(last, &off) == nil {
					s.offset = off
				}
			}
		}
	}
	if !s.anyHandlers() {
		return // an event nobody listens to costs no dispatch
	}
	name, _ := p.EventName()
	if !s.hasHandlers(name) {
		return
	}
	ev := &Event{Time: time.Now(), Namespace: s.nsp, Name: name, Packet: p}
	if p.HasID {
		ev.Ack = &AckRequest{ID: p.ID, s: s}
	}
	s.m.disp.postEvent(s, ev)
}

// anyHandlers reports whether the socket has any event handler at all.
func (s *Socket) anyHandlers() bool {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	return len(s.anyIn) > 0 || len(s.named) > 0
}

// hasHandlers reports whether any handler would see an event named name.
func (s *Socket) hasHandlers(name string) bool {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	return len(s.anyIn) > 0 || len(s.named[name]) > 0
}

func (s *Socket) runHandlers(ev *Event) {
	s.hmu.Lock()
	any := append([]*handler(nil), s.anyIn...)
	named := append([]*handler(nil), s.named[ev.Name]...)
	s.hmu.Unlock()
	for _, h := range any {
		h.f(ev)
	}
	for _, h := range named {
		h.f(ev)
	}
}

func (s *Socket) onAck(p *codec.Packet) {
	s.mu.Lock()
	pa, ok := s.acks[p.ID]
	if ok {
		delete(s.acks, p.ID)
	}
	s.mu.Unlock()
	if ok && p.HasID {
		pa.finish(pa.ack(p), nil)
	}
}

// OnAny registers f for every incoming event, before the handlers of its
// name. It returns a function that removes f.
func (s *Socket) OnAny(f func(*Event)) (remove func()) {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	s.handlerN++
	h := &handler{id: s.handlerN, f: f}
	s.anyIn = append(s.anyIn, h)
	return func() { s.removeHandler(h) }
}

// On registers f for incoming events named name. It returns a function
// that removes f.
func (s *Socket) On(name string, f func(*Event)) (remove func()) {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	s.handlerN++
	h := &handler{id: s.handlerN, f: f}
	s.named[name] = append(s.named[name], h)
	return func() { s.removeHandler(h) }
}

// OnAnyOutgoing registers f for every packet the socket sends (events,
// acks), when it is sent rather than when it is buffered. It returns a
// function that removes f.
func (s *Socket) OnAnyOutgoing(f func(*codec.Packet)) (remove func()) {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	s.handlerN++
	h := &outHandler{id: s.handlerN, f: f}
	s.anyOut = append(s.anyOut, h)
	return func() {
		s.hmu.Lock()
		defer s.hmu.Unlock()
		for i, x := range s.anyOut {
			if x == h {
				s.anyOut = append(s.anyOut[:i:i], s.anyOut[i+1:]...)
				return
			}
		}
	}
}

func (s *Socket) removeHandler(h *handler) {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	del := func(list []*handler) []*handler {
		for i, x := range list {
			if x == h {
				return append(list[:i:i], list[i+1:]...)
			}
		}
		return list
	}
	s.anyIn = del(s.anyIn)
	for k, v := range s.named {
		if s.named[k] = del(v); len(s.named[k]) == 0 {
			delete(s.named, k)
		}
	}
}

// outgoing is a packet waiting to be sent, with its compress flag.
type outgoing struct {
	p          *codec.Packet
	noCompress bool
}

// sendLocked writes p now, or buffers it when the socket is not connected
// or the session is gone (it is sent after the next connect). Any other
// failure, such as a packet that cannot be encoded, is returned.
func (s *Socket) sendLocked(p *codec.Packet, noCompress bool) error {
	if s.state == Connected {
		var sent engineio.Notifier
		if pa, ok := s.acks[p.ID]; ok && p.HasID && pa.packet == p {
			sent = pa
		}
		err := s.m.sendWith(p, noCompress, nil, sent)
		if err == nil {
			s.notifyOutgoing(p)
			return nil
		}
		if !sessionGone(err) {
			return err
		}
	}
	s.sendBuf = append(s.sendBuf, outgoing{p, noCompress})
	return nil
}

// sessionGone reports whether a send failed only because there is no
// session to take it now.
func sessionGone(err error) bool {
	var ce *engineio.CloseError
	return errors.Is(err, ErrNotConnected) || errors.Is(err, engineio.ErrClosed) || errors.As(err, &ce)
}

func (s *Socket) notifyOutgoing(p *codec.Packet) {
	s.hmu.Lock()
	out := append([]*outHandler(nil), s.anyOut...)
	s.hmu.Unlock()
	if len(out) == 0 {
		return
	}
	s.m.disp.post(func() {
		for _, h := range out {
			h.f(p)
		}
	})
}

// sendAck answers the server's ack request id.
func (s *Socket) sendAck(id uint64, args []any) error {
	data, blobs, err := codec.MarshalArgs(args...)
	if err != nil {
		return err
	}
	p := &codec.Packet{Type: codec.Ack, Namespace: s.nsp, ID: id, HasID: true, Data: data, Attachments: blobs}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != Connected {
		return ErrNotConnected
	}
	if err := s.m.send(p); err != nil {
		return err
	}
	s.notifyOutgoing(p)
	return nil
}
