package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/siocli/sio/internal/output"
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
}

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
	fs.DurationVar(&opts.Duration, "duration", 0, "stop after this long")
	fs.StringVarP(&opts.Output, "output", "o", "auto", "output format: auto, text or json")
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
	return opts.Conn.check()
}

// listenRun runs the command; its flags were checked (check).
func listenRun(opts *ListenOptions) error {
	out, err := opts.IO.printer(opts.Output)
	if err != nil {
		return err
	}
	c, err := opts.Conn.build(opts.IO.ErrOut)
	if err != nil {
		return usage(err)
	}
	l := &listener{opts: opts, out: out, done: make(chan struct{}), active: map[string]bool{}}
	for _, n := range c.namespaces {
		l.active[n] = true
	}
	c.manager.OnLifecycle = l.onLifecycle
	c.manager.OnStateChange = l.onState
	m, err := sioclient.NewManager(c.url, &c.manager)
	if err != nil {
		return usage(err)
	}
	defer m.Close()
	stopFlush := l.flushEvery(100 * time.Millisecond)
	defer stopFlush()

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	for _, n := range c.namespaces {
		m.Socket(n, &c.socket).OnAny(l.onEvent)
	}
	for _, n := range c.namespaces {
		cctx, ccancel := context.WithTimeout(ctx, c.timeout)
		err := m.Socket(n, nil).Connect(cctx)
		ccancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil // interrupted while connecting
			}
			return connectFailure(err, c.timeout)
		}
	}
	warnAuthOnV4(opts.IO, m, c)

	var limit <-chan time.Time
	if opts.Duration > 0 {
		t := time.NewTimer(opts.Duration)
		defer t.Stop()
		limit = t.C
	}
	select {
	case <-ctx.Done():
	case <-l.done:
	case <-limit:
	}
	m.Close()
	if err := out.Flush(); err != nil {
		return err
	}
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
	if l.matches(e.Name) {
		l.out.Event(e)
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

func (l *listener) onLifecycle(e sioclient.Lifecycle) {
	if !l.opts.NoLifecycle {
		l.out.Lifecycle(e)
		l.flushIfTTY()
	}
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
		return unreachable(fmt.Errorf("gave up: %w", cause))
	}
	return nil
}

func (l *listener) flushIfTTY() {
	if l.opts.IO.OutTTY {
		l.out.Flush()
	}
}

// flushEvery flushes the output every d until the returned function is
// called, so that piped output is seen soon without a write per event.
func (l *listener) flushEvery(d time.Duration) func() {
	t := time.NewTicker(d)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-t.C:
				l.out.Flush()
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
