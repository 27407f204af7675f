package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/siocli/sio/internal/cliargs"
	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/internal/outcome"
	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/internal/repl"
	"github.com/siocli/sio/internal/session"
	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/sioclient"
)

// ListenOptions are the inputs of sio listen.
type ListenOptions struct {
	IO          *IOStreams
	Conn        ConnOptions
	Globs       []string
	NoLifecycle bool
	Count       int
	Until       string
	Duration    time.Duration
	Output      string
	Replies     []string
	OnConnect   []string
	Pretty      bool
	Full        bool
	Record      string

	replies   []autoReply
	onConnect []*session.Emit
}

// autoReply is one --reply: the ack requests of events matching glob are
// answered with args.
type autoReply struct {
	glob string
	args []any
}

// maxUnanswered bounds the unanswered ack requests listen keeps to list
// at the end.
const maxUnanswered = 1000

// NewListenCmd returns the listen command; runF replaces the real run in
// tests.
func NewListenCmd(ios *IOStreams, runF func(*ListenOptions) error) *cobra.Command {
	opts := &ListenOptions{IO: ios}
	cmd := &cobra.Command{
		Use:     "listen URL [EVENT-GLOB...]",
		Aliases: []string{"tail"},
		Short:   "Print the events a server sends, and the connection's lifecycle",
		Long: `Connect to a Socket.IO server and print every event it sends, or only
those whose names match an EVENT-GLOB (*, ?, [a-z] as in shell patterns),
with the connection's lifecycle: connect, disconnect and its reason,
reconnection attempts, transport upgrades, pings. It keeps going across
reconnections until Ctrl-C, --count, --until or --duration stops it, or
until no namespace is connected any more.

Output is text on a terminal and one JSON object a line otherwise (-o to
choose): {"time":…,"type":"event","ns":"/","event":…,"args":[…]}, the
args exactly as the server sent them, binary as {"$binary":"<base64>"}.`,
		Example: `  sio listen localhost:3000
  sio listen localhost:3000 'chat:*' -n / -n /admin -a '{"token":"s3cret"}'
  sio listen localhost:3000 --count 100 -o json | jq .args
  sio tail https://example.com --until shutdown --no-lifecycle`,
		Args: checkArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Conn.URL, opts.Globs = args[0], args[1:]
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return listenRun(opts)
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &opts.Conn, true)
	fs.BoolVar(&opts.NoLifecycle, "no-lifecycle", false, "print events only")
	fs.IntVar(&opts.Count, "count", 0, "stop after this many events")
	fs.StringVar(&opts.Until, "until", "", "stop after an event of this name")
	fs.DurationVar(&opts.Duration, "duration", 0, "stop after this long, the connect included")
	fs.StringVarP(&opts.Output, "output", "o", "auto", "output `format`: auto, text or json")
	fs.BoolVar(&opts.Pretty, "pretty", false, "print args as indented JSON over several lines, long strings and binary shortened (text output)")
	fs.BoolVar(&opts.Full, "full", false, "with --pretty, print long strings and binary whole")
	fs.StringVar(&opts.Record, "record", "", "also write both directions, with times, as NDJSON to this `file` (sio replay reads it)")
	fs.StringArrayVar(&opts.OnConnect, "on-connect", nil, "after each connect and reconnect of a namespace, run `'emit EVENT [ARG...] [--ack]'` on it (repeatable, in order)")
	fs.StringArrayVar(&opts.Replies, "reply", nil, "answer the server's ack requests of events matching `'GLOB=ARG...'` with the ARGs (repeatable; the first match answers)")
	return cmd
}

// check validates the flags and arguments that need no connection.
func (opts *ListenOptions) check() error {
	for _, g := range opts.Globs {
		if _, err := path.Match(g, ""); err != nil {
			return usagef("bad EVENT-GLOB %q: %v", g, err)
		}
	}
	if opts.Count < 0 || opts.Duration < 0 {
		return usagef("--count and --duration cannot be negative")
	}
	var err error
	if opts.onConnect, err = parseOnConnect(opts.OnConnect); err != nil {
		return err
	}
	opts.replies = nil
	for _, r := range opts.Replies {
		glob, rest, ok := strings.Cut(r, "=")
		if !ok || glob == "" {
			return usagef("--reply %q: want 'EVENT-GLOB=ARG...', such as 'ping=\"pong\"'", r)
		}
		if _, err := path.Match(glob, ""); err != nil {
			return usagef("--reply %q: bad EVENT-GLOB: %v", r, err)
		}
		words, err := cmdline.Split(rest)
		if err != nil {
			return usagef("--reply %q: %v", r, err)
		}
		args, err := cmdline.Values(words)
		if err != nil {
			return usagef("--reply %q: %v", r, err)
		}
		opts.replies = append(opts.replies, autoReply{glob: glob, args: args})
	}
	return opts.Conn.check()
}

// listenRun runs the command; its flags were checked (check).
func listenRun(opts *ListenOptions) error {
	out, err := opts.IO.printer(opts.Output)
	if err != nil {
		return err
	}
	out.SetPretty(opts.Pretty, opts.Full)
	defer out.Flush() // every path, a failed connect's included, prints all it heard
	c, err := opts.Conn.build(opts.IO.ErrOut)
	if err != nil {
		return usage(err)
	}
	l := &listener{opts: opts, out: out, done: make(chan struct{}), active: map[string]bool{}}
	if opts.Record != "" {
		rec, err := openRecording(opts.Record)
		if err != nil {
			return err
		}
		l.rec = rec
		defer func() {
			if err := rec.Close(); err != nil {
				fmt.Fprintf(opts.IO.ErrOut, "sio: %v\n", err)
			}
		}()
	}
	for _, n := range c.namespaces {
		l.active[n] = true
	}
	c.manager.OnLifecycle = l.onLifecycle
	c.manager.OnStateChange = l.onState
	m, err := sioclient.NewManager(c.url, &c.manager)
	if err != nil {
		return usage(err)
	}
	l.m = m
	defer l.wg.Wait()
	defer m.Close()
	stopFlush := flushEvery(l.out, 100*time.Millisecond)
	defer stopFlush()

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	for _, n := range c.namespaces {
		sock := m.Socket(n, &c.socket)
		sock.OnAny(l.onEvent)
		if l.rec != nil {
			sock.OnAnyOutgoing(l.rec.Sent)
		}
	}
	// --duration bounds the whole run, the connect included. A namespace
	// the server refuses is said, and listen goes on with the others.
	start := time.Now()
	connected := 0
	for i, n := range c.namespaces {
		timeout := c.timeout
		if opts.Duration > 0 {
			timeout = min(timeout, opts.Duration-time.Since(start))
		}
		cctx, ccancel := context.WithTimeout(ctx, timeout)
		err := m.Socket(n, nil).Connect(cctx)
		ccancel()
		var ce *sioclient.ConnectError
		switch {
		case err == nil:
			connected++
		case ctx.Err() != nil:
			return nil // interrupted while connecting
		case errors.As(err, &ce) && (connected > 0 || i < len(c.namespaces)-1):
			fmt.Fprintf(opts.IO.ErrOut, "sio: %s; listening on the other namespaces\n", describeVisible(ce))
		default:
			return connectFailure(err, timeout)
		}
	}
	warnAuthOnV4(opts.IO, m, c)

	var limit <-chan time.Time
	if opts.Duration > 0 {
		t := time.NewTimer(opts.Duration - time.Since(start))
		defer t.Stop()
		limit = t.C
	}
	select {
	case <-ctx.Done():
	case <-l.done:
	case <-limit:
	}
	l.closing.Store(true)
	m.Close()
	if err := out.Flush(); err != nil {
		return err
	}
	l.listUnanswered()
	return l.err()
}

// listener prints what the sockets hear and decides when to stop. Its
// callbacks run on the Manager's dispatcher goroutine.
type listener struct {
	opts   *ListenOptions
	out    *output.Printer
	n      int
	once   sync.Once
	done   chan struct{}
	mu     sync.Mutex
	active map[string]bool
	refuse error
	lost   *sioclient.StateChange // the Manager's, when it gave up

	unanswered     []*sioclient.Event // ack requests no --reply matched
	moreUnanswered int

	m       *sioclient.Manager
	wg      sync.WaitGroup // --on-connect runs
	rec     *output.Recorder
	closing atomic.Bool
}

func (l *listener) stop() { l.once.Do(func() { close(l.done) }) }

func (l *listener) matches(name string) bool {
	if len(l.opts.Globs) == 0 {
		return true
	}
	for _, g := range l.opts.Globs {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

func (l *listener) onEvent(e *sioclient.Event) {
	select {
	case <-l.done:
		return // enough: --count or --until was met
	default:
	}
	if l.rec != nil {
		l.rec.Event(e)
	}
	matched := l.matches(e.Name)
	if matched {
		l.out.Event(e)
	}
	if e.Ack != nil {
		l.answer(e)
	}
	if matched {
		l.n++
		l.flushIfTTY()
		if l.opts.Count > 0 && l.n >= l.opts.Count {
			l.stop()
		}
	}
	if l.opts.Until != "" && e.Name == l.opts.Until {
		l.stop()
	}
}

// answer replies to an ack request as the first --reply that matches it
// says, or keeps it to be listed at the end.
func (l *listener) answer(e *sioclient.Event) {
	for _, r := range l.opts.replies {
		if ok, _ := path.Match(r.glob, e.Name); !ok {
			continue
		}
		if err := e.Ack.Reply(r.args...); err != nil {
			fmt.Fprintf(l.opts.IO.ErrOut, "sio: replying to %s %s (ack %d): %s\n", e.Namespace, output.Visible(e.Name), e.Ack.ID, describeVisible(err))
			return
		}
		data, blobs, err := codec.MarshalArgs(r.args...)
		if err == nil && len(blobs) > 0 {
			data, err = codec.ReplacePlaceholders(data, blobs, cliargs.AppendBinary)
		}
		if err == nil {
			l.out.Reply(e.Namespace, e.Name, e.Ack.ID, data)
			l.flushIfTTY()
		}
		return
	}
	l.mu.Lock()
	if len(l.unanswered) < maxUnanswered {
		l.unanswered = append(l.unanswered, e)
	} else {
		l.moreUnanswered++
	}
	l.mu.Unlock()
}

// listUnanswered says, on stderr, which ack requests nobody answered.
func (l *listener) listUnanswered() {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.unanswered) + l.moreUnanswered
	if n == 0 {
		return
	}
	what := fmt.Sprintf("%d ack requests of the server were", n)
	if n == 1 {
		what = "1 ack request of the server was"
	}
	fmt.Fprintf(l.opts.IO.ErrOut, "sio: %s not answered (--reply answers them):\n", what)
	for _, e := range l.unanswered {
		fmt.Fprintf(l.opts.IO.ErrOut, "  %s %s (ack %d) at %s\n", e.Namespace, output.Visible(e.Name), e.Ack.ID, e.Time.Local().Format(time.TimeOnly+".000"))
	}
	if l.moreUnanswered > 0 {
		fmt.Fprintf(l.opts.IO.ErrOut, "  and %d more\n", l.moreUnanswered)
	}
}

func (l *listener) onLifecycle(e sioclient.Lifecycle) {
	if l.rec != nil {
		l.rec.Lifecycle(e)
	}
	if !l.opts.NoLifecycle {
		l.out.Lifecycle(e)
		l.flushIfTTY()
	}
	if e.Type == sioclient.LifecycleConnect && len(l.opts.onConnect) > 0 {
		l.runOnConnect(l.m.Socket(e.Namespace, nil))
	}
}

// runOnConnect emits the --on-connect commands on a socket that just
// connected, in order, each after the ack of the one before when it asks
// for one, on a goroutine of its own: the dispatcher must not wait.
func (l *listener) runOnConnect(sock *sioclient.Socket) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		for _, e := range l.opts.onConnect {
			var err error
			if e.Ack {
				timeout := e.Timeout
				if timeout == 0 {
					timeout = defaultAckTimeout
				}
				var ack *sioclient.Ack
				ack, err = sock.Timeout(timeout).EmitWithAck(context.Background(), e.Event, e.Args...)
				if err == nil {
					l.out.Ack(sock.Namespace(), e.Event, ack)
					l.flushIfTTY()
					if l.rec != nil {
						l.rec.Ack(sock.Namespace(), e.Event, ack)
					}
				}
			} else {
				err = sock.Emit(e.Event, e.Args...)
			}
			if err != nil {
				if !l.closing.Load() { // what fails as listen ends is its own doing
					fmt.Fprintf(l.opts.IO.ErrOut, "sio: --on-connect emit %s on %s: %s\n", output.Visible(e.Event), sock.Namespace(), describeVisible(err))
				}
				return
			}
		}
	}()
}

// onState stops listening when no namespace is connected and none will
// be: the server disconnected or refused every one, or the Manager gave up
// the connection (reconnection off, or no attempts left), which fails.
func (l *listener) onState(c sioclient.StateChange) {
	if c.To != sioclient.Disconnected {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.Namespace == "" {
		if len(l.active) > 0 {
			l.lost = &c
			l.stop()
		}
		return
	}
	var ce *sioclient.ConnectError
	if errors.As(c.Err, &ce) {
		l.refuse = ce
	}
	delete(l.active, c.Namespace)
	if len(l.active) == 0 {
		l.stop()
	}
}

func (l *listener) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refuse != nil {
		return l.refuse
	}
	if l.lost != nil {
		cause := l.lost.Err
		if cause == nil {
			cause = errors.New("the connection closed: " + l.lost.Reason)
		}
		if l.opts.Conn.NoReconnect {
			return outcome.Errorf(outcome.Unreachable, "the connection was lost and reconnection is off: %w", cause)
		}
		return outcome.Errorf(outcome.Unreachable, "the connection was lost: %w", cause)
	}
	return nil
}

func (l *listener) flushIfTTY() {
	if l.opts.IO.OutTTY {
		l.out.Flush()
	}
}

// parseOnConnect reads the --on-connect flags: emit commands in the
// shell's language.
func parseOnConnect(flags []string) ([]*session.Emit, error) {
	var out []*session.Emit
	for _, c := range flags {
		words, err := cmdline.Split(c)
		var e *session.Emit
		if err == nil {
			e, err = repl.ParseOnConnect(words)
		}
		if err != nil {
			return nil, usagef("--on-connect %q: %v", c, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// openRecording creates (or empties) a recording file, mode 0600: what a
// session sends and hears can hold secrets.
func openRecording(name string) (*output.Recorder, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, usagef("--record: %v", err)
	}
	return output.NewRecorder(f, f), nil
}

// flushEvery flushes out every d until the returned function is called,
// so that piped output is seen soon without a write per record.
func flushEvery(out *output.Printer, d time.Duration) func() {
	t := time.NewTicker(d)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-t.C:
				out.Flush()
			case <-quit:
				return
			}
		}
	}()
	return func() {
		t.Stop()
		close(quit)
		wg.Wait()
	}
}
