package repl

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/pkg/engineio"
	"github.com/siocli/sio/pkg/sioclient"
)

// Config is what a Session needs.
type Config struct {
	URL     string
	Manager sioclient.Options       // the Manager's options; the Session sets OnLifecycle
	Socket  sioclient.SocketOptions // for every namespace; ns --auth replaces Auth
	// Namespace is the first namespace, connected by Start.
	Namespace string
	// Out receives events, acks and lifecycle lines; Notes receives
	// errors and notices, one line each.
	Out   *output.Printer
	Notes io.Writer
	// Trace, when set, receives the wire trace while trace is on.
	Trace func(engineio.TraceEvent)
	// TraceOn turns the trace on from the start.
	TraceOn bool
	// ConnectTimeout bounds each connect; AckTimeout each emit --ack
	// without --timeout.
	ConnectTimeout, AckTimeout time.Duration
	// Flush is called after each line of output, so that it shows now.
	Flush func()
	// Observe and ObserveLifecycle, when set, see every event and
	// lifecycle event, shown or not (sio run checks them).
	Observe          func(*sioclient.Event)
	ObserveLifecycle func(sioclient.Lifecycle)
}

// Session carries out commands against one Manager. Exec is called from
// one goroutine; the Manager's callbacks print from its dispatcher.
type Session struct {
	cfg     Config
	m       *sioclient.Manager
	mu      sync.Mutex // guards what the callbacks touch
	current string
	sockets map[string]*sioclient.Socket
	filters []filter
	pending []*request
	seen    map[string]bool
	lastRTT time.Duration
	muted   atomic.Bool
	tracing atomic.Bool
	history []string
	asked   chan struct{} // signalled when the server asks for an ack
	table   *cmdline.Table
}

type filter struct {
	glob string
	show bool
}

// request is an ack the server asked for and has not got yet.
type request struct {
	ns, event string
	req       *sioclient.AckRequest
}

// NewSession returns a session; Start connects it.
func NewSession(cfg Config) (*Session, error) {
	s := &Session{cfg: cfg, sockets: map[string]*sioclient.Socket{}, seen: map[string]bool{}, asked: make(chan struct{}, 1)}
	s.table = Commands(s)
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
	return s.connectNamespace(ctx, s.cfg.Namespace, nil)
}

// Close disconnects everything.
func (s *Session) Close() { s.m.Close() }

// Prompt returns the prompt for the current namespace.
func (s *Session) Prompt() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return "sio " + s.current + "> "
}

// Seen returns the event names seen or emitted so far, for completion.
func (s *Session) Seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.seen))
}

// Namespaces returns the namespaces of the session.
func (s *Session) Namespaces() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.sockets))
}

func (s *Session) notef(format string, a ...any) {
	fmt.Fprintf(s.cfg.Notes, format+"\n", a...)
	s.flush()
}

func (s *Session) flush() {
	if s.cfg.Flush != nil {
		s.cfg.Flush()
	}
}

func (s *Session) onLifecycle(e sioclient.Lifecycle) {
	if s.cfg.ObserveLifecycle != nil {
		s.cfg.ObserveLifecycle(e)
	}
	if e.Type == sioclient.LifecyclePing && e.RTT > 0 {
		s.mu.Lock()
		s.lastRTT = e.RTT
		s.mu.Unlock()
	}
	if !s.muted.Load() {
		s.cfg.Out.Lifecycle(e)
		s.flush()
	}
}

func (s *Session) onEvent(e *sioclient.Event) {
	if s.cfg.Observe != nil {
		s.cfg.Observe(e)
	}
	s.mu.Lock()
	s.seen[e.Name] = true
	if e.Ack != nil {
		s.pending = append(s.pending, &request{ns: e.Namespace, event: e.Name, req: e.Ack})
		select {
		case s.asked <- struct{}{}:
		default:
		}
	}
	show := true
	for _, f := range s.filters {
		if ok, _ := path.Match(f.glob, e.Name); ok {
			show = f.show
		}
	}
	s.mu.Unlock()
	if show {
		s.cfg.Out.Event(e)
		s.flush()
	}
}

// connectNamespace creates (or reuses) the socket of nsp, connects it and
// makes it current.
func (s *Session) connectNamespace(ctx context.Context, nsp string, auth []byte) error {
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

// Record adds a line to the history !save and history show.
func (s *Session) Record(line string) { s.history = append(s.history, line) }

// Table returns the session's commands.
func (s *Session) Table() *cmdline.Table { return s.table }

// Run carries out a parsed shell command on this session. It returns
// cmdline.ErrExit for exit. Errors are one line.
func (s *Session) Run(ctx context.Context, p *cmdline.Parsed) error {
	sp, ok := s.table.Lookup(p.Spec.Name)
	if !ok {
		return fmt.Errorf("%s: not a shell command", p.Spec.Name)
	}
	return sp.Run(ctx, p)
}

func (s *Session) filter(glob string, show bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.filters = append(s.filters, filter{glob: glob, show: show})
	if show && len(s.filters) == 1 {
		// The first "on" narrows what is shown to what it names.
		s.filters = []filter{{"*", false}, s.filters[0]}
	}
}

func (s *Session) use(nsp string) error {
	s.mu.Lock()
	_, ok := s.sockets[nsp]
	if ok {
		s.current = nsp
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("use: %s is not connected; connect it with ns %s", nsp, nsp)
	}
	return nil
}

func (s *Session) listHistory() {
	for i, h := range s.history {
		s.notef("%4d  %s", i+1, h)
	}
}

func (s *Session) help(t *cmdline.Table, topic string) {
	fmt.Fprint(s.cfg.Notes, t.Help(topic))
	if sp, _ := t.Lookup(topic); topic == "" || sp.Name == "emit" || sp.Name == "reply" {
		fmt.Fprint(s.cfg.Notes, cmdline.ArgHelp)
	}
	s.flush()
}

func (s *Session) emit(ctx context.Context, e *Emit) error {
	if !e.Ack {
		s.mu.Lock()
		s.seen[e.Event] = true
		s.mu.Unlock()
		return s.socket().Emit(e.Event, e.Args...)
	}
	ack, err := s.EmitWithAck(ctx, e)
	if err != nil {
		return err
	}
	s.cfg.Out.Ack(ack.Packet.Nsp(), e.Event, ack)
	s.flush()
	return nil
}

// EmitWithAck carries out an emit --ack and returns the ack, printing
// nothing.
func (s *Session) EmitWithAck(ctx context.Context, e *Emit) (*sioclient.Ack, error) {
	sock := s.socket()
	s.mu.Lock()
	s.seen[e.Event] = true
	s.mu.Unlock()
	timeout := e.Timeout
	if timeout == 0 {
		timeout = s.cfg.AckTimeout
	}
	return sock.Timeout(timeout).EmitWithAck(ctx, e.Event, e.Args...)
}

// Current returns the current namespace.
func (s *Session) Current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// reply answers the request with the given id (in the current namespace
// first), or the latest one.
func (s *Session) reply(c *Reply) error {
	s.mu.Lock()
	var r *request
	idx := -1
	for i := len(s.pending) - 1; i >= 0; i-- {
		p := s.pending[i]
		if c.ID != nil && p.req.ID != *c.ID {
			continue
		}
		if r == nil || (p.ns == s.current && r.ns != s.current) {
			r, idx = p, i
		}
	}
	if r != nil {
		s.pending = append(s.pending[:idx], s.pending[idx+1:]...)
	}
	s.mu.Unlock()
	if r == nil {
		if c.ID != nil {
			return fmt.Errorf("reply: no pending request %d; see pending", *c.ID)
		}
		return fmt.Errorf("reply: the server asked for no ack")
	}
	if err := r.req.Reply(c.Args...); err != nil {
		return fmt.Errorf("reply: %w", err)
	}
	s.notef("replied to %s %s (ack %d)", r.ns, r.event, r.req.ID)
	return nil
}

// WaitAsked waits up to d for an ack request (with the given id, when not
// nil) to be pending, as a script must before it replies.
func (s *Session) WaitAsked(ctx context.Context, id *uint64, d time.Duration) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		for _, p := range s.pending {
			if id == nil || p.req.ID == *id {
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

func (s *Session) listPending() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) == 0 {
		fmt.Fprintln(s.cfg.Notes, "no ack requests pending")
	}
	for _, p := range s.pending {
		fmt.Fprintf(s.cfg.Notes, "  %-4d %s %s\n", p.req.ID, p.ns, p.event)
	}
	s.flush()
}

func (s *Session) listNamespaces() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range slices.Sorted(maps.Keys(s.sockets)) {
		sock := s.sockets[n]
		state := "disconnected"
		switch {
		case sock.Connected():
			state = "connected, id " + sock.ID()
		case sock.Active():
			state = "connecting"
		}
		mark := " "
		if n == s.current {
			mark = "*"
		}
		fmt.Fprintf(s.cfg.Notes, "%s %-12s %s\n", mark, n, state)
	}
	s.flush()
}

func (s *Session) status() {
	sess := s.m.Session()
	s.mu.Lock()
	rtt := s.lastRTT
	s.mu.Unlock()
	var b strings.Builder
	if sess == nil {
		b.WriteString("not connected\n")
	} else {
		fmt.Fprintf(&b, "Socket.IO protocol %d over Engine.IO %d, %s, session %s\n", sess.Protocol, sess.Engine, sess.Transport, sess.SID)
		fmt.Fprintf(&b, "ping interval %v, timeout %v", sess.Handshake.PingInterval, sess.Handshake.PingTimeout)
		if rtt > 0 {
			fmt.Fprintf(&b, ", last round trip %v", rtt.Round(time.Microsecond))
		}
		b.WriteString("\n")
	}
	for _, n := range s.Namespaces() {
		sock := s.m.Socket(n, nil)
		fmt.Fprintf(&b, "%-12s connected %-5v id %-22q queued emits %d\n", n, sock.Connected(), sock.ID(), sock.Buffered())
	}
	fmt.Fprint(s.cfg.Notes, b.String())
	s.flush()
}

// reconnect drops the connection and opens a new one, for every namespace
// that was connected.
func (s *Session) reconnect(ctx context.Context) error {
	var again []string
	for _, n := range s.Namespaces() {
		sock := s.m.Socket(n, nil)
		if sock.Active() {
			sock.Disconnect()
			again = append(again, n)
		}
	}
	for _, n := range again {
		if err := s.connectNamespace(ctx, n, nil); err != nil {
			return err
		}
	}
	return nil
}

// save writes the commands given so far as a script, one a line, leaving
// out the ones that only look (help, history, status...) and the values of
// secret options, readable by its owner only.
func (s *Session) save(t *cmdline.Table, file string) error {
	var b strings.Builder
	b.WriteString("# recorded by sio repl (auth values removed)\n")
	n := 0
	for _, line := range s.history {
		words, err := cmdline.Split(line)
		if err != nil || len(words) == 0 {
			continue
		}
		p, err := t.Parse(words)
		if err != nil || p == nil || p.Spec.Looks {
			continue
		}
		b.WriteString(t.Redact(line))
		b.WriteString("\n")
		n++
	}
	if err := writePrivate(file, []byte(b.String())); err != nil {
		return fmt.Errorf("!save: %v", err)
	}
	s.notef("saved %d lines to %s", n, file)
	return nil
}

// writePrivate writes a file readable by its owner only, whatever the
// file's mode was before.
func writePrivate(file string, data []byte) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
