package cmd

import (
	"github.com/siocli/sio/internal/cmdline"
	"github.com/siocli/sio/internal/outcome"
	"os"
	"os/signal"
	"syscall"

	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/siocli/sio/internal/cliargs"
	"github.com/siocli/sio/internal/repl"
	"github.com/siocli/sio/internal/session"
	"github.com/siocli/sio/pkg/codec"
	"github.com/siocli/sio/pkg/sioclient"
)

// EmitOptions are the inputs of sio emit.
type EmitOptions struct {
	IO       *IOStreams
	Conn     ConnOptions
	Event    string
	Args     []string
	ArgsJSON string
	Strings  bool
	Ack      bool
	Wait     string
	Timeout  time.Duration
	Output   string
	Pretty   bool
	Full     bool
	Then     []string
	Volatile bool
}

// NewEmitCmd returns the emit command; runF replaces the real run in tests.
func NewEmitCmd(ios *IOStreams, runF func(*EmitOptions) error) *cobra.Command {
	opts := &EmitOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "emit URL EVENT [ARG...]",
		Short: "Connect, emit one event, print the ack or a reply, exit",
		Long: `Connect to a Socket.IO server, emit EVENT with the ARGs, and exit.

Each ARG is JSON if it parses as JSON, else a string: 42 is a number,
'"42"' a string, hello a string. @path sends a file's bytes as binary
(@- reads standard input, \@ starts a literal @). Inside JSON,
{"$binary":"<base64>"} is binary, the form sio prints it in.

With --ack, sio waits for the server's ack and prints it; with --wait
EVENT, it waits for that event instead. --then 'EVENT ARG...' emits
more events after the first, in order (each acked first with --ack); its
ARGs follow the shell's rules, so JSON needs no shell quoting inside. Output is text on a terminal and
one JSON object a line otherwise (-o to choose).`,
		Example: `  sio emit localhost:3000 chat "hello world" --ack
  sio emit https://example.com/admin join '{"room":"a"}' -a '{"token":"s3cret"}' --ack
  sio emit localhost:3000 upload @photo.jpg --ack --timeout 30s
  sio emit localhost:3000 ping --wait pong
  sio emit localhost:3000 join room1 --then 'chat "hello" {"to": "all"}' --ack`,
		Args: checkArgs(cobra.MinimumNArgs(2)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Conn.URL, opts.Event, opts.Args = args[0], args[1], args[2:]
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return emitRun(opts)
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &opts.Conn, false)
	fs.BoolVar(&opts.Ack, "ack", false, "wait for the server's ack and print it")
	fs.StringVar(&opts.Wait, "wait", "", "wait for this event from the server and print it")
	fs.DurationVar(&opts.Timeout, "timeout", 10*time.Second, "how long to wait for the ack or the event")
	fs.StringVar(&opts.ArgsJSON, "args-json", "", "the arguments as one JSON array (instead of ARGs)")
	fs.BoolVar(&opts.Strings, "string", false, "send every ARG as a string")
	fs.StringVarP(&opts.Output, "output", "o", "auto", "output `format`: auto, text or json")
	fs.BoolVar(&opts.Pretty, "pretty", false, "print args as indented JSON over several lines, long strings and binary shortened (text output)")
	fs.BoolVar(&opts.Full, "full", false, "with --pretty, print long strings and binary whole")
	fs.BoolVar(&opts.Volatile, "volatile", false, "drop the emits that cannot go at once (as the reference client's volatile)")
	fs.StringArrayVar(&opts.Then, "then", nil, "emit `'EVENT [ARG...]'` next, after the first (and its ack); repeatable")
	return cmd
}

// check validates the flags and arguments that need no connection.
func (opts *EmitOptions) check() error {
	switch {
	case cliargs.CheckEvent(opts.Event) != nil:
		return usage(cliargs.CheckEvent(opts.Event))
	case opts.ArgsJSON != "" && len(opts.Args) > 0:
		return usagef("give the arguments as ARGs or with --args-json, not both")
	case opts.Timeout <= 0:
		return usagef("--timeout must be positive")
	case len(opts.Conn.Namespaces) > 1:
		return usagef("emit goes to one namespace; -n was given %d times", len(opts.Conn.Namespaces))
	}
	return opts.Conn.check()
}

// emitRun runs the command; its flags were checked (check).
func emitRun(opts *EmitOptions) error {
	var args []any
	var err error
	if opts.ArgsJSON != "" {
		args, err = cliargs.ParseArray(opts.ArgsJSON)
	} else {
		args, err = cliargs.Parse(opts.Args, cliargs.Options{Strings: opts.Strings, Stdin: opts.IO.In})
	}
	if err != nil {
		return usage(err)
	}
	emits := []*session.Emit{{Event: opts.Event, Args: args, Ack: opts.Ack, Timeout: opts.Timeout, Volatile: opts.Volatile}}
	table := repl.Commands(nil)
	for _, t := range opts.Then {
		words, err := cmdline.Split(t)
		if err != nil || len(words) == 0 {
			return usagef("--then %q: want 'EVENT [ARG...]'", t)
		}
		p, err := table.Parse(append([]cmdline.Word{{Text: "emit"}}, words...))
		if err != nil {
			return usagef("--then %q: %v", t, strings.TrimPrefix(err.Error(), "emit: "))
		}
		e := repl.EmitOf(p)
		e.Ack = e.Ack || opts.Ack
		if e.Timeout == 0 {
			e.Timeout = opts.Timeout
		}
		e.Volatile = e.Volatile || opts.Volatile
		emits = append(emits, e)
	}
	out, err := opts.IO.printer(opts.Output)
	if err != nil {
		return err
	}
	out.SetPretty(opts.Pretty, opts.Full)
	defer out.Flush() // whatever path ends it, nothing it printed stays in the buffer
	c, err := opts.Conn.build(opts.IO.ErrOut)
	if err != nil {
		return usage(err)
	}
	// A connection lost for good while waiting for --wait's event ends
	// the wait at once, with the cause (an ack's wait ends so by itself):
	// the Manager's session ended with no attempt to follow (emit does
	// not reconnect), or the server disconnected the socket.
	lost := make(chan sioclient.StateChange, 1)
	c.manager.OnStateChange = func(sc sioclient.StateChange) {
		if sc.To == sioclient.Disconnected && sc.From == sioclient.Connected && (sc.Namespace == "" || sc.Namespace == c.namespaces[0]) {
			select {
			case lost <- sc:
			default:
			}
		}
	}
	m, err := sioclient.NewManager(c.url, &c.manager)
	if err != nil {
		return usage(err)
	}
	defer m.Close()
	s := m.Socket(c.namespaces[0], &c.socket)

	var got chan *sioclient.Event
	if opts.Wait != "" {
		got = make(chan *sioclient.Event, 1)
		s.On(opts.Wait, func(e *sioclient.Event) {
			select {
			case got <- e:
			default:
			}
		})
	}
	// Ctrl-C or SIGTERM ends the wait at any point; the deferred Close
	// disconnects cleanly.
	sig, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	interrupted := func(err error) error {
		if sig.Err() != nil {
			out.Flush()
			return outcome.Errorf(outcome.Failed, "interrupted")
		}
		return err
	}
	ctx, cancel := context.WithTimeout(sig, c.timeout)
	err = s.Connect(ctx)
	cancel()
	if err != nil {
		return interrupted(connectFailure(err, c.timeout))
	}
	warnAuthOnV4(opts.IO, m, c)

	lastAcked := false
	for _, e := range emits {
		lastAcked = e.Ack
		if e.Ack {
			ack, err := s.Timeout(e.Timeout).EmitWithAck(sig, e.Event, e.Args...)
			if err != nil {
				return interrupted(err)
			}
			if err := out.Ack(s.Namespace(), e.Event, ack); err != nil {
				return err
			}
			continue
		}
		if err := s.Emit(e.Event, e.Args...); err != nil {
			return err
		}
	}
	if !lastAcked {
		// The DISCONNECT must not follow the events in the same read (see
		// session.Linger): let the events leave, then wait before closing.
		ctx, cancel := context.WithTimeout(sig, opts.Timeout)
		err := m.Flush(ctx)
		cancel()
		if err != nil {
			return interrupted(fmt.Errorf("sending the event: %w", err))
		}
		if got == nil {
			time.Sleep(session.Linger)
		}
	}
	if got != nil {
		select {
		case e := <-got:
			if err := out.Event(e); err != nil {
				return err
			}
		case <-time.After(opts.Timeout):
			out.Flush()
			return outcome.Errorf(outcome.Timeout, "no %q event within %v", opts.Wait, opts.Timeout)
		case sc := <-lost:
			out.Flush()
			what := "the connection was lost"
			if sc.Namespace != "" {
				what = "disconnected from " + sc.Namespace
			}
			if sc.Err != nil {
				return fmt.Errorf("%s before the %q event came: %s: %w", what, opts.Wait, sc.Reason, sc.Err)
			}
			return fmt.Errorf("%s before the %q event came: %s", what, opts.Wait, sc.Reason)
		case <-sig.Done():
			return interrupted(nil)
		}
	}
	return out.Flush()
}

// warnAuthOnV4 says on stderr that an auth payload was not sent because the
// server speaks protocol 4 (socket.io 2.x), which has none.
func warnAuthOnV4(ios *IOStreams, m *sioclient.Manager, c *conn) {
	if sess := m.Session(); sess != nil && sess.Protocol == codec.V4 && len(c.socket.Auth) > 0 {
		fmt.Fprintln(ios.ErrOut, "sio: warning: the server speaks Socket.IO protocol 4 (socket.io 2.x), which has no auth payload: --auth was not sent; pass credentials with -q")
	}
}
