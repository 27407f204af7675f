package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/siocli/sio/internal/admin"
	"github.com/siocli/sio/internal/cliargs"
	"github.com/siocli/sio/internal/outcome"
	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/pkg/sioclient"
)

// AdminOptions are the inputs of sio admin.
type AdminOptions struct {
	IO            *IOStreams
	Conn          ConnOptions
	AdminNS       string
	User          string
	PasswordStdin bool
	Output        string
	Action        string
	Args          []string
	Of            string
	Room          string
	Via           string
	Socket        string
	To            string
	All           bool
	Close         bool
	Strings       bool
	Stats         bool
	Wait          time.Duration
	Duration      time.Duration
	Count         int
	Interval      time.Duration

	password string
}

// adminActions are the words after the URL, with what each takes.
var adminActions = []struct{ name, args, help string }{
	{"sockets", "", "list the sockets (a table, or NDJSON when piped)"},
	{"rooms", "", "list the rooms and who is in them"},
	{"servers", "", "list the server nodes, from their stats"},
	{"watch", "", "print what happens on the server as it happens"},
	{"top", "", "a live full-screen view of the server's nodes, traffic and rooms"},
	{"join", "ROOM", "make sockets join ROOM (--socket, --room or --all)"},
	{"leave", "ROOM", "make sockets leave ROOM (--socket, --room or --all)"},
	{"disconnect", "", "disconnect sockets (--socket, --room or --all; --close ends their connections)"},
	{"emit", "EVENT [ARG...]", "make the server emit EVENT to sockets (--to ID|ROOM or --all)"},
}

// NewAdminCmd returns the admin command; runF replaces the real run in
// tests.
func NewAdminCmd(ios *IOStreams, runF func(*AdminOptions) error) *cobra.Command {
	opts := &AdminOptions{IO: ios}
	var actions strings.Builder
	for _, a := range adminActions {
		fmt.Fprintf(&actions, "  %-26s %s\n", strings.TrimSpace(a.name+" "+a.args), a.help)
	}
	cmd := &cobra.Command{
		Use:   "admin URL [ACTION [ARG...]]",
		Short: "The server's side: its sockets, rooms, nodes and traffic, over the admin UI's protocol",
		Long: `Connect to the admin namespace of a server instrumented with
@socket.io/admin-ui (socket.io 3.1 and 4.x; python-socketio 5.9 and later
speaks it too), or sio serve --admin, and show what the
server sees: every socket with its transport, address and rooms, the server
nodes of a cluster, and what happens as it happens. Actions make the server
emit to, join, leave or disconnect sockets, as the admin UI's buttons do.

Actions (default: sockets):
` + actions.String() + `
The credentials are -u USER with the password from SIO_ADMIN_PASSWORD,
--password-stdin or a prompt on a terminal; a server instrumented with
auth: false takes none. Lists are tables on a terminal and one JSON object a
line otherwise (-o to choose). A server in production mode sends only its
stats: sio says so and shows those.`,
		Example: `  sio admin localhost:3000 -u admin
  sio admin localhost:3000 sockets --of /chat --via polling
  SIO_ADMIN_PASSWORD=s3cret sio admin https://example.com -u admin watch
  sio admin localhost:3000 top
  sio admin localhost:3000 join vip --socket Kx3uS0sGqT7bAAAB --of /chat
  sio admin localhost:3000 emit announcement '"maintenance at 5"' --all`,
		Args: checkArgs(cobra.MinimumNArgs(1)),
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) != 1 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []string
			for _, a := range adminActions {
				out = append(out, a.name+"\t"+a.help)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			opts.Conn.URL = args[0]
			opts.Action, opts.Args = "sockets", nil
			if len(args) > 1 {
				opts.Action, opts.Args = args[1], args[2:]
			}
			if err := opts.check(c); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return adminRun(opts)
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &opts.Conn, true)
	fs.StringVar(&opts.AdminNS, "admin-ns", admin.DefaultNamespace, "the admin namespace the server was instrumented on")
	fs.StringVarP(&opts.User, "user", "u", "", "the admin namespace's user name (password from SIO_ADMIN_PASSWORD, --password-stdin or a prompt)")
	fs.BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the password from the first line of standard input")
	fs.StringVarP(&opts.Output, "output", "o", "auto", "output `format`: auto, text or json")
	fs.StringVar(&opts.Of, "of", "", "only the sockets of this `namespace`; the namespace of an action (default /)")
	fs.StringVar(&opts.Room, "room", "", "only the sockets in this `room`; an action's sockets")
	fs.StringVar(&opts.Via, "via", "", "only the sockets on this transport: polling or websocket")
	fs.StringVar(&opts.Socket, "socket", "", "the `id` of the socket an action is for")
	fs.StringVar(&opts.To, "to", "", "emit: the socket `id` or room to emit to")
	fs.BoolVar(&opts.All, "all", false, "an action is for every socket of the namespace")
	fs.BoolVar(&opts.Close, "close", false, "disconnect: close the sockets' whole connections, not only the namespace")
	fs.BoolVar(&opts.Strings, "string", false, "emit: send every ARG as a string")
	fs.BoolVar(&opts.Stats, "stats", false, "watch: print every node's stats too (every 2 s; always in production mode)")
	fs.DurationVar(&opts.Wait, "wait", 0, "how long to wait for the server's answers: its stats for servers, the changes after an action (default 2.5s)")
	fs.DurationVar(&opts.Duration, "duration", 0, "watch, top: stop after this long")
	fs.IntVar(&opts.Count, "count", 0, "watch: stop after this many changes")
	fs.DurationVar(&opts.Interval, "interval", time.Second, "top: how often to redraw (and, when not a terminal, print)")
	return cmd
}

// check validates the flags and arguments that need no connection.
func (opts *AdminOptions) check(c *cobra.Command) error {
	i := slices.IndexFunc(adminActions, func(a struct{ name, args, help string }) bool { return a.name == opts.Action })
	if i < 0 {
		return usagef("unknown admin action %q: want one of sockets, rooms, servers, watch, top, join, leave, disconnect, emit", opts.Action)
	}
	want := adminActions[i].args
	switch {
	case want == "" && len(opts.Args) > 0:
		return usagef("admin %s takes no arguments; got %q", opts.Action, opts.Args)
	case want == "ROOM" && len(opts.Args) != 1:
		return usagef("admin %s takes one ROOM; got %d arguments", opts.Action, len(opts.Args))
	case opts.Action == "emit" && len(opts.Args) == 0:
		return usagef("admin emit needs the EVENT to emit")
	case opts.Action == "emit" && cliargs.CheckEvent(opts.Args[0]) != nil:
		return usage(cliargs.CheckEvent(opts.Args[0]))
	case len(opts.Conn.Namespaces) > 0:
		return usagef("sio admin connects to the admin namespace: give it with --admin-ns, and a namespace to look at with --of")
	case opts.Via != "" && opts.Via != "polling" && opts.Via != "websocket":
		return usagef("--via %q: want polling or websocket", opts.Via)
	case opts.Wait < 0 || opts.Duration < 0 || opts.Count < 0:
		return usagef("--wait, --duration and --count cannot be negative")
	case opts.Interval <= 0:
		return usagef("--interval must be positive")
	case opts.PasswordStdin && opts.User == "":
		return usagef("--password-stdin reads the password of -u USER: give -u")
	case opts.PasswordStdin && opts.Conn.PassphraseStdin:
		return usagef("--password-stdin and --passphrase-stdin both read standard input's first line; give one")
	case opts.User != "" && (opts.Conn.Auth != "" || opts.Conn.AuthCmd != ""):
		return usagef("give the credentials with -u or the whole auth payload with --auth, not both")
	}
	if opts.Of != "" && !strings.HasPrefix(opts.Of, "/") {
		opts.Of = "/" + opts.Of
	}
	if !strings.HasPrefix(opts.AdminNS, "/") {
		opts.AdminNS = "/" + opts.AdminNS
	}
	if err := opts.checkTarget(c); err != nil {
		return err
	}
	// The URL's path names the admin namespace unless --admin-ns does.
	if _, nsp, err := parseServerURL(opts.Conn.URL); err == nil && nsp != "/" {
		if c.Flags().Changed("admin-ns") && nsp != opts.AdminNS {
			return usagef("the URL names the namespace %s and --admin-ns %s: give one", nsp, opts.AdminNS)
		}
		opts.AdminNS = nsp
	}
	return opts.Conn.check()
}

// checkTarget checks the flags that say which sockets an action is for.
func (opts *AdminOptions) checkTarget(c *cobra.Command) error {
	given := 0
	for _, v := range []bool{opts.Socket != "", opts.To != "", opts.All} {
		if v {
			given++
		}
	}
	action := opts.Action == "join" || opts.Action == "leave" || opts.Action == "disconnect" || opts.Action == "emit"
	if action && opts.Room != "" {
		given++
	}
	switch {
	case !action && (opts.Socket != "" || opts.To != "" || opts.All || opts.Close):
		return usagef("--socket, --to, --all and --close are for the actions join, leave, disconnect and emit")
	case !action:
		return nil
	case opts.Close && opts.Action != "disconnect":
		return usagef("--close is for disconnect")
	case opts.To != "" && opts.Action != "emit":
		return usagef("--to is for emit; %s takes --socket ID, --room R or --all", opts.Action)
	case opts.Action == "emit" && opts.Socket != "":
		return usagef("emit takes --to ID|ROOM or --all")
	case given == 0 && opts.Action == "emit":
		return usagef("say whom to emit to: --to ID|ROOM, or --all for every socket of the namespace")
	case given == 0:
		return usagef("say which sockets to %s: --socket ID, --room R, or --all for every socket of the namespace", opts.Action)
	case given > 1:
		return usagef("give one of --socket, --room, --to and --all")
	}
	return nil
}

// target is the action's sockets, as the flags say.
func (opts *AdminOptions) target(cl *admin.Client) admin.Target {
	switch {
	case opts.Socket != "":
		return admin.Target{Socket: opts.Socket}
	case opts.Room != "":
		return admin.Target{Room: opts.Room}
	case opts.To != "":
		return admin.TargetTo(cl.Sockets(), opts.namespace(), opts.To)
	}
	return admin.Target{All: true}
}

// namespace is the namespace an action is for.
func (opts *AdminOptions) namespace() string {
	if opts.Of == "" {
		return "/"
	}
	return opts.Of
}

// resolvePassword finds the password of -u: SIO_ADMIN_PASSWORD,
// --password-stdin, or a prompt on the terminal.
func (opts *AdminOptions) resolvePassword() error {
	if opts.User == "" {
		return nil
	}
	if opts.PasswordStdin {
		line, err := readLine(opts.IO.In)
		if err != nil {
			return usagef("--password-stdin: %v", err)
		}
		opts.password = line
		return nil
	}
	if pw, ok := os.LookupEnv("SIO_ADMIN_PASSWORD"); ok {
		opts.password = pw
		return nil
	}
	f, ok := opts.IO.In.(*os.File)
	if !opts.IO.InTTY || !ok {
		return usagef("-u %s needs a password: set SIO_ADMIN_PASSWORD or give --password-stdin", opts.User)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Password for %s: ", output.Visible(opts.User))
	pw, err := readPassword(f)
	fmt.Fprintln(opts.IO.ErrOut)
	if err != nil {
		return usagef("reading the password: %v", err)
	}
	opts.password = pw
	return nil
}

// adminSession is a connected admin client and what prints its output.
type adminSession struct {
	opts *AdminOptions
	out  *output.Printer
	cl   *admin.Client
	conn *conn

	mu      sync.Mutex
	lost    chan struct{} // closed when the admin namespace is lost for good
	lostWhy *sioclient.StateChange
}

// onState notes the admin namespace lost for good: the Manager gave up,
// or the server disconnected it.
func (s *adminSession) onState(c sioclient.StateChange) {
	if c.To != sioclient.Disconnected || (c.Namespace != "" && c.Namespace != s.opts.AdminNS) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lostWhy == nil {
		s.lostWhy = &c
		close(s.lost)
	}
}

// lostErr says why the admin namespace was lost.
func (s *adminSession) lostErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cause := s.lostWhy.Err
	if cause == nil {
		cause = errors.New("the connection closed: " + s.lostWhy.Reason)
	}
	return unreachable(fmt.Errorf("lost the admin namespace %s: %w", s.opts.AdminNS, cause))
}

// adminRun runs the command; its flags were checked (check).
func adminRun(opts *AdminOptions) error {
	out, err := opts.IO.printer(opts.Output)
	if err != nil {
		return err
	}
	if err := opts.resolvePassword(); err != nil {
		return err
	}
	c, err := opts.Conn.build(opts.IO.ErrOut)
	if err != nil {
		return usage(err)
	}
	if opts.Action != "watch" && opts.Action != "top" {
		c.manager.NoReconnect = true // one look, one action
	}
	s := &adminSession{opts: opts, out: out, conn: c}
	if opts.Action == "watch" {
		c.manager.OnLifecycle = s.onLifecycle
	}
	s.lost = make(chan struct{})
	c.manager.OnStateChange = s.onState
	m, err := sioclient.NewManager(c.url, &c.manager)
	if err != nil {
		return usage(err)
	}
	defer m.Close()
	s.cl = admin.Open(m, opts.AdminNS, c.socket, admin.Options{Username: opts.User, Password: opts.password})

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	cctx, ccancel := context.WithTimeout(ctx, c.timeout)
	err = s.cl.Connect(cctx)
	ccancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return s.connectError(err)
	}
	defer out.Flush()
	switch opts.Action {
	case "sockets", "rooms":
		return s.list(ctx)
	case "servers":
		return s.servers(ctx)
	case "watch":
		return s.watch(ctx)
	case "top":
		return s.top(ctx)
	default:
		return s.act(ctx)
	}
}

// connectError explains a failure to connect to the admin namespace.
func (s *adminSession) connectError(err error) error {
	switch {
	case errors.Is(err, admin.ErrCredentials):
		hint := "give -u USER and the password (SIO_ADMIN_PASSWORD or --password-stdin)"
		if s.opts.User != "" {
			hint = "check -u " + s.opts.User + " and the password"
		}
		return outcome.Errorf(outcome.Refused, "the admin namespace %s refused the credentials (invalid credentials): %s", s.opts.AdminNS, hint)
	case errors.Is(err, admin.ErrNoNamespace):
		return outcome.Errorf(outcome.Refused, "the server has no namespace %s: is it instrumented with @socket.io/admin-ui (instrument(io, {...})), or on another --admin-ns?", s.opts.AdminNS)
	}
	var ce *sioclient.ConnectError
	if errors.As(err, &ce) {
		return ce
	}
	if _, ok := outcome.KindOf(err); ok {
		return err
	}
	if s.cl.Socket().Connected() {
		return outcome.New(outcome.Failed, err) // connected, but not an admin namespace
	}
	return connectFailure(err, s.conn.timeout)
}

func (s *adminSession) onLifecycle(e sioclient.Lifecycle) {
	if e.Namespace != "" && e.Namespace != s.opts.AdminNS {
		return
	}
	switch e.Type {
	case sioclient.LifecyclePing, sioclient.LifecycleOpen:
		return
	}
	s.out.Lifecycle(e)
	s.flushIfTTY()
}

func (s *adminSession) flushIfTTY() {
	if s.opts.IO.OutTTY {
		s.out.Flush()
	}
}

// waitStats waits until every node has had time to send its stats once.
func (s *adminSession) waitStats(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(s.waitFor()):
	}
}

// shown returns the listed sockets f keeps, redacted unless
// --show-secrets.
func (s *adminSession) shown(f admin.Filter) []admin.Socket {
	return s.cl.Shown(f, s.opts.Conn.ShowSecrets, s.opts.Conn.Redact...)
}

// list prints the sockets or the rooms.
func (s *adminSession) list(ctx context.Context) error {
	if !s.cl.Listed() {
		fmt.Fprintln(s.opts.IO.ErrOut, `sio: the server runs the admin UI in production mode (mode: "production" or NODE_ENV=production): it sends no socket list, only each node's stats every 2 s; these are the namespaces' socket counts from them`)
		s.waitStats(ctx)
		return s.namespaceCounts()
	}
	socks := s.shown(admin.Filter{Namespace: s.opts.Of, Room: s.opts.Room, Transport: s.opts.Via})
	var err error
	if s.opts.Action == "rooms" {
		err = s.out.AdminRooms(admin.Rooms(socks))
	} else {
		err = s.out.AdminSockets(socks, s.cl.Socket().ID(), time.Now())
	}
	if n := s.cl.Untracked(); n > 0 {
		fmt.Fprintf(s.opts.IO.ErrOut, "sio: the server listed %d sockets more than sio keeps (%d): those are not shown\n", n, admin.MaxSockets)
	}
	return err
}

// namespaceCounts prints what a production-mode server tells of its
// sockets: each node's namespaces with their counts.
func (s *adminSession) namespaceCounts() error {
	servers := s.cl.Servers()
	if len(servers) == 0 {
		return outcome.Errorf(outcome.Timeout, "no node sent its stats within %v", s.waitFor())
	}
	return s.out.AdminServers(servers, time.Now())
}

// waitFor is --wait, or how long every node takes to send its stats once.
func (s *adminSession) waitFor() time.Duration {
	if s.opts.Wait > 0 {
		return s.opts.Wait
	}
	return admin.StatsWait
}

// servers prints the nodes heard from within one stats interval.
func (s *adminSession) servers(ctx context.Context) error {
	s.waitStats(ctx)
	return s.namespaceCounts()
}

// watch prints the server's changes until interrupted, --duration or
// --count.
func (s *adminSession) watch(ctx context.Context) error {
	dev := s.cl.Config().Development()
	if !dev {
		fmt.Fprintf(s.opts.IO.ErrOut, "sio: the server runs the admin UI in production mode: it reports no sockets, rooms or events, only each node's stats every 2 s; printing those\n")
	}
	done := make(chan struct{})
	var once sync.Once
	n := 0
	defer s.cl.Observe(func(ch admin.Change) {
		if ch.Kind == admin.StatsReceived && dev && !s.opts.Stats || !s.keeps(ch) {
			return
		}
		select {
		case <-done:
			return
		default:
		}
		s.out.AdminChange(ch)
		s.flushIfTTY()
		n++
		if s.opts.Count > 0 && n >= s.opts.Count {
			once.Do(func() { close(done) })
		}
	})()
	stopFlush := flushEvery(s.out, 100*time.Millisecond)
	defer stopFlush()
	var limit <-chan time.Time
	if s.opts.Duration > 0 {
		t := time.NewTimer(s.opts.Duration)
		defer t.Stop()
		limit = t.C
	}
	select {
	case <-ctx.Done():
	case <-done:
	case <-limit:
	case <-s.lost:
		once.Do(func() { close(done) })
		return s.lostErr()
	}
	once.Do(func() { close(done) })
	return nil
}

// keeps says whether a change passes --of, --room and --via.
func (s *adminSession) keeps(ch admin.Change) bool {
	if ch.Kind == admin.StatsReceived || ch.Kind == admin.Malformed {
		return true
	}
	if s.opts.Of != "" && ch.Namespace != s.opts.Of {
		return false
	}
	if s.opts.Room == "" && s.opts.Via == "" {
		return true
	}
	if s.opts.Room != "" && ch.Room == s.opts.Room {
		return true
	}
	var sk *admin.Socket
	if ch.Socket != nil {
		sk = ch.Socket
	} else {
		for _, x := range s.cl.Sockets() {
			if x.Namespace == ch.Namespace && x.ID == ch.SocketID {
				sk = &x
				break
			}
		}
	}
	if sk == nil {
		return false
	}
	return (s.opts.Room == "" || sk.InRoom(s.opts.Room)) && (s.opts.Via == "" || sk.Transport == s.opts.Via || ch.Transport == s.opts.Via)
}

// act takes an action and prints what the server did: the changes it
// reported, then the namespace's sockets after them.
func (s *adminSession) act(ctx context.Context) error {
	a := admin.Action{Kind: s.opts.Action, Namespace: s.opts.namespace(), Target: s.opts.target(s.cl), Close: s.opts.Close, Wait: s.opts.Wait}
	switch a.Kind {
	case "join", "leave":
		a.Room = s.opts.Args[0]
	case "emit":
		a.Event = s.opts.Args[0]
		args, err := cliargs.Parse(s.opts.Args[1:], cliargs.Options{Strings: s.opts.Strings, Stdin: s.opts.IO.In})
		if err != nil {
			return usage(err)
		}
		a.Args = args
	}
	r, err := s.cl.Act(ctx, a)
	var refused *admin.RefusedError
	var none *admin.NoMatchError
	switch {
	case errors.As(err, &refused):
		return outcome.New(outcome.Refused, err)
	case errors.As(err, &none):
		return outcome.Errorf(outcome.Failed, "no socket of %s matches %s: the server would do nothing", a.Namespace, s.opts.targetFlag())
	case ctx.Err() != nil:
		return nil
	case err != nil:
		return outcome.New(outcome.Failed, err)
	}
	after := s.shown(admin.Filter{Namespace: a.Namespace})
	return s.out.AdminResult(s.opts.IO.ErrOut, a, r, after, s.cl.Socket().ID())
}

// targetFlag is the flag that named the action's sockets, as given.
func (opts *AdminOptions) targetFlag() string {
	switch {
	case opts.Socket != "":
		return "--socket " + opts.Socket
	case opts.Room != "":
		return "--room " + opts.Room
	case opts.To != "":
		return "--to " + opts.To
	}
	return "--all"
}
