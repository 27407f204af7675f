package cmd

import (
	"github.com/siocli/sio/internal/cmdline"
	"net/url"

	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/siocli/sio/internal/console"
	"github.com/siocli/sio/internal/eioserver"
	"github.com/siocli/sio/internal/output"
	"github.com/siocli/sio/internal/repl"
	"github.com/siocli/sio/internal/sioserver"
	"github.com/siocli/sio/pkg/engineio"
)

// ServeOptions are the inputs of sio serve.
type ServeOptions struct {
	IO             *IOStreams
	Host           string
	Port           int
	Path           string
	Echo           bool
	Broadcast      bool
	RequireAuth    string
	PingInterval   time.Duration
	PingTimeout    time.Duration
	Transports     []string
	MaxPayload     int
	CORS           []string
	NoUpgrades     bool
	PMD            bool
	PMDThreshold   int
	HTTPGzip       bool
	HTTPThreshold  int
	UpgradeTimeout time.Duration
	Cookie         string
	CookiePath     string
	CookieHTTPOnly bool
	ConnectTimeout time.Duration
	CertFile       string
	KeyFile        string
	Output         string
	Parser         string
	Rooms          bool
	Admin          bool
	AdminNS        string
	AdminUser      string
	AdminPWStdin   bool
	AdminReadOnly  bool
	EIO            string // the Engine.IO versions offered: 4, 3 or both
	Conformance    string // "", socket.io or engine.io
	// Ready, when set, is called with the address once the server listens.
	Ready func(addr string)
}

// NewServeCmd returns the serve command; runF replaces the real run in
// tests.
func NewServeCmd(ios *IOStreams, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run a Socket.IO server to try clients, proxies and sio against",
		Long: `Run a Socket.IO server that speaks to clients of every generation:
socket.io-client 2.x (Engine.IO 3, Socket.IO protocol 4) and 3.x/4.x
(Engine.IO 4, protocol 5), over long-polling, WebSocket and the upgrade.

On every namespace it prints each connection, event, ack and disconnect in
sio listen's formats (text on a terminal, one JSON object a line
otherwise, with the client's session id), and answers every event that
asks for an ack with the event's own arguments. --echo sends every event
back to its sender, --broadcast to every other client on its namespace.
--require-auth refuses namespace connects whose auth payload lacks the
given keys and values (for 2.x clients, their query parameters), with a
connect_error that names the keys missing or wrong, never the values
wanted.

--rooms lets clients join and leave rooms by emitting "join" and "leave"
with the room's name. --admin serves the protocol of @socket.io/admin-ui
on /admin (--admin-ns): sio admin and the admin UI's page can watch this
server, its sockets, rooms and traffic, and act on them; --admin-user
with the password from SIO_ADMIN_PASSWORD or --admin-password-stdin asks
for credentials, --admin-readonly takes no action.

--eio 4 or --eio 3 offers one Engine.IO version alone; a handshake for
another, or with an EIO parameter that is neither, is refused with 400
and code 5 (Unsupported protocol version), as engine.io refuses one.

--conformance makes sio serve the server that an official protocol test
suite expects, so that the suite runs against it unchanged:
--conformance socket.io as the socket.io-protocol suite's (on joining,
each socket is sent "auth" with its auth payload; "message" is answered
with "message-back"; namespaces / and /custom only, others refused with
"Invalid namespace"; --connect-timeout 1s), --conformance engine.io as
the engine.io-protocol suite's (a raw Engine.IO echo at /engine.io, with
no Socket.IO layer; with --eio 3, the Engine.IO 3 suite's). Both set
--ping-interval 300ms, --ping-timeout 200ms, --max-payload 1000000 and
--cors '*' unless given, and go with none of the flags that change what
the server does with events (--echo, --broadcast, --require-auth,
--rooms, --admin, --parser).

When standard input is a terminal, a prompt takes commands: emit EVENT
ARG... to every client, to ID|ROOM emit EVENT ARG..., clients, kick ID,
ns NAMESPACE, help; Ctrl-D, exit, or Ctrl-C twice on an empty line stops
the server. Without a terminal, Ctrl-C (SIGINT) stops it; SIGTERM always
does.`,
		Example: `  sio serve
  sio serve --port 3000 --echo
  sio serve --require-auth '{"token":"s3cret"}' -o json | jq .
  sio serve --transports websocket --ping-interval 5s --ping-timeout 2s
  sio serve --port 8443 --cert cert.pem --key key.pem
  SIO_ADMIN_PASSWORD=s3cret sio serve --rooms --admin --admin-user admin --cors https://admin.socket.io
  sio serve --conformance engine.io --eio 3`,
		Args: checkArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			if err := opts.conformanceDefaults(c.Flags()); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return serveRun(opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Host, "host", "127.0.0.1", "address to listen on (0.0.0.0 for every interface)")
	fs.IntVarP(&opts.Port, "port", "p", 3000, "port to listen on (0 picks a free one)")
	fs.StringVar(&opts.Path, "path", "/socket.io", "path the server answers at")
	fs.BoolVar(&opts.Echo, "echo", false, "send every event back to its sender")
	fs.BoolVar(&opts.Broadcast, "broadcast", false, "send every event to every other client on its namespace")
	fs.StringVar(&opts.RequireAuth, "require-auth", "", "refuse namespace connects whose auth lacks this JSON object's keys and values")
	fs.DurationVar(&opts.PingInterval, "ping-interval", 25*time.Second, "heartbeat interval announced to clients")
	fs.DurationVar(&opts.PingTimeout, "ping-timeout", 20*time.Second, "heartbeat timeout announced to clients")
	fs.StringSliceVar(&opts.Transports, "transports", []string{"polling", "websocket"}, "transports clients may use")
	fs.IntVar(&opts.MaxPayload, "max-payload", 1_000_000, "largest POST body or WebSocket message accepted, in bytes")
	fs.StringArrayVar(&opts.CORS, "cors", nil, "let browsers at this `origin` connect (repeatable; * for any): CORS headers for polling, and WebSockets from other origins refused")
	fs.BoolVar(&opts.PMD, "per-message-deflate", false, "take the WebSocket compression clients offer (engine.io's perMessageDeflate)")
	fs.IntVar(&opts.PMDThreshold, "per-message-deflate-threshold", 1024, "compress WebSocket messages of this many `bytes` or more")
	fs.BoolVar(&opts.HTTPGzip, "http-compression", false, "gzip polling responses to clients that accept it (engine.io's httpCompression)")
	fs.IntVar(&opts.HTTPThreshold, "http-compression-threshold", 1024, "gzip polling responses of this many `bytes` or more")
	fs.BoolVar(&opts.NoUpgrades, "no-upgrade", false, "offer polling clients no upgrade to WebSocket (allowUpgrades: false)")
	fs.BoolVar(&opts.NoUpgrades, "no-upgrades", false, "")
	fs.MarkDeprecated("no-upgrades", "use --no-upgrade, as the client commands spell it")
	fs.DurationVar(&opts.UpgradeTimeout, "upgrade-timeout", 10*time.Second, "how long an upgrade may take before it is given up")
	fs.StringVar(&opts.Cookie, "cookie", "", "send a cookie of this `name` holding the session id with each handshake, as sticky balancers key on")
	fs.StringVar(&opts.CookiePath, "cookie-path", "/", "the --cookie's path")
	fs.BoolVar(&opts.CookieHTTPOnly, "cookie-httponly", true, "mark the --cookie HttpOnly")
	fs.DurationVar(&opts.ConnectTimeout, "connect-timeout", 45*time.Second, "close a client's session when it connects no namespace within this (0: never)")
	fs.StringVar(&opts.CertFile, "cert", "", "serve https and wss with this PEM certificate `file` (with --key)")
	fs.StringVar(&opts.KeyFile, "key", "", "the certificate's PEM private key `file`")
	fs.StringVarP(&opts.Output, "output", "o", "auto", "output `format`: auto, text or json")
	fs.StringVar(&opts.Parser, "parser", "json", "wire format: json, or msgpack (socket.io-msgpack-parser)")
	fs.BoolVar(&opts.Rooms, "rooms", false, "let clients join and leave rooms by emitting \"join\" and \"leave\" with the room's name")
	fs.BoolVar(&opts.Admin, "admin", false, "serve the admin UI's protocol (@socket.io/admin-ui) on --admin-ns, for sio admin and the admin UI")
	fs.StringVar(&opts.AdminNS, "admin-ns", "/admin", "the admin `namespace`")
	fs.StringVar(&opts.AdminUser, "admin-user", "", "ask admin connects for this `user` and the password from SIO_ADMIN_PASSWORD or --admin-password-stdin")
	fs.BoolVar(&opts.AdminPWStdin, "admin-password-stdin", false, "read the admin password from the first line of standard input")
	fs.BoolVar(&opts.AdminReadOnly, "admin-readonly", false, "the admin namespace takes no action (emit, join, leave, disconnect)")
	fs.StringVar(&opts.EIO, "eio", "both", "the Engine.IO versions offered: 4 (socket.io-client 3.x, 4.x), 3 (2.x) or both")
	fs.StringVar(&opts.Conformance, "conformance", "", "be the server the official test suite of this `protocol` expects: socket.io or engine.io")
	return cmd
}

// conformanceOpenDelay is how long the --conformance servers hold the open
// packet of a WebSocket session after the 101, for the Engine.IO 3 suite
// (see eioserver.Options.OpenDelay): long enough for a client on the same
// machine to have read the 101 on its own, even on a busy one.
const conformanceOpenDelay = 10 * time.Millisecond

// conformanceDefaults gives the flags not set by hand the values the
// server of the --conformance suite is configured with, and refuses the
// flags that would change what that server does.
func (o *ServeOptions) conformanceDefaults(fs *pflag.FlagSet) error {
	switch o.Conformance {
	case "":
		return nil
	case "socket.io", "engine.io":
	default:
		return usagef("--conformance %q: want socket.io or engine.io", o.Conformance)
	}
	for _, name := range []string{"echo", "broadcast", "require-auth", "rooms", "admin", "parser"} {
		if fs.Changed(name) {
			return usagef("--%s does not go with --conformance, whose suite expects the server to do only what it says", name)
		}
	}
	defaults := [][2]string{{"ping-interval", "300ms"}, {"ping-timeout", "200ms"}, {"max-payload", "1000000"}, {"cors", "*"}}
	if o.Conformance == "engine.io" {
		defaults = append(defaults, [2]string{"path", "/engine.io"})
	} else {
		defaults = append(defaults, [2]string{"connect-timeout", "1s"})
	}
	for _, d := range defaults {
		if !fs.Changed(d[0]) {
			if err := fs.Set(d[0], d[1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// tlsConfig loads --cert and --key; nil without them.
func (o *ServeOptions) tlsConfig() (*tls.Config, error) {
	if o.CertFile == "" && o.KeyFile == "" {
		return nil, nil
	}
	if o.CertFile == "" || o.KeyFile == "" {
		return nil, usagef("--cert and --key go together")
	}
	pair, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
	if err != nil {
		return nil, usagef("--cert %s --key %s: %v", o.CertFile, o.KeyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}}, nil
}

// options checks the flags and turns them into the server's options.
func (o *ServeOptions) options() (sioserver.Options, error) {
	var so sioserver.Options
	if o.Port < 0 || o.Port > 65535 {
		return so, usagef("--port %d: want 0 to 65535", o.Port)
	}
	if o.PingInterval <= 0 || o.PingTimeout <= 0 {
		return so, usagef("--ping-interval and --ping-timeout must be positive")
	}
	if o.MaxPayload <= 0 {
		return so, usagef("--max-payload %d: want a positive number of bytes", o.MaxPayload)
	}
	if !strings.HasPrefix(o.Path, "/") {
		return so, usagef("--path %q: want a path starting with /", o.Path)
	}
	for _, origin := range o.CORS {
		if u, err := url.Parse(origin); origin != "*" && (err != nil || u.Scheme == "" || u.Host == "" || u.Path != "") {
			return so, usagef("--cors %q: want an origin such as https://example.com, or *", origin)
		}
	}
	so.Engine = eioserver.Options{Path: o.Path, PingInterval: o.PingInterval, PingTimeout: o.PingTimeout, MaxPayload: o.MaxPayload, CORS: o.CORS,
		NoUpgrades: o.NoUpgrades, UpgradeTimeout: o.UpgradeTimeout,
		PerMessageDeflate: o.PMD, PerMessageDeflateThreshold: o.PMDThreshold,
		HTTPCompression: o.HTTPGzip, HTTPCompressionThreshold: o.HTTPThreshold}
	if o.PMDThreshold < 0 || o.HTTPThreshold < 0 {
		return so, usagef("the compression thresholds cannot be negative")
	}
	if o.Cookie != "" {
		if strings.ContainsAny(o.Cookie, "=;, \t\r\n") {
			return so, usagef("--cookie %q: not a cookie name", o.Cookie)
		}
		so.Engine.Cookie = &http.Cookie{Name: o.Cookie, Path: o.CookiePath, HttpOnly: o.CookieHTTPOnly}
	}
	if o.UpgradeTimeout < 0 || o.ConnectTimeout < 0 {
		return so, usagef("--upgrade-timeout and --connect-timeout cannot be negative")
	}
	so.ConnectTimeout = o.ConnectTimeout
	switch o.EIO {
	case "both":
	case "4":
		so.Engine.Versions = []engineio.Version{engineio.Version4}
	case "3":
		so.Engine.Versions = []engineio.Version{engineio.Version3}
	default:
		return so, usagef("--eio %q: want 4, 3 or both", o.EIO)
	}
	if o.Conformance != "" {
		so.Engine.OpenDelay = conformanceOpenDelay
	}
	if o.Conformance == "socket.io" {
		so.Conformance, so.Namespaces = true, []string{"/", "/custom"}
	}
	for _, t := range o.Transports {
		switch tr := engineio.Transport(strings.TrimSpace(t)); tr {
		case engineio.Polling, engineio.WebSocket:
			so.Engine.Transports = append(so.Engine.Transports, tr)
		default:
			return so, usagef("--transports: unknown transport %q (want polling, websocket)", t)
		}
	}
	if o.RequireAuth != "" {
		if err := json.Unmarshal([]byte(o.RequireAuth), &so.RequireAuth); err != nil || so.RequireAuth == nil {
			return so, usagef("--require-auth %q: want a JSON object such as {\"token\":\"s3cret\"}", o.RequireAuth)
		}
	}
	so.Echo, so.Broadcast, so.Rooms = o.Echo, o.Broadcast, o.Rooms
	switch o.Parser {
	case "json":
	case "msgpack":
		so.Msgpack = true
	default:
		return so, usagef("--parser %q: want json or msgpack", o.Parser)
	}
	if err := o.adminOptions(&so); err != nil {
		return so, err
	}
	return so, nil
}

// adminOptions checks the --admin flags; the password comes from
// SIO_ADMIN_PASSWORD or the first line of standard input.
func (o *ServeOptions) adminOptions(so *sioserver.Options) error {
	if !o.Admin {
		if o.AdminUser != "" || o.AdminPWStdin || o.AdminReadOnly {
			return usagef("--admin-user, --admin-password-stdin and --admin-readonly go with --admin")
		}
		return nil
	}
	ns := o.AdminNS
	if !strings.HasPrefix(ns, "/") {
		ns = "/" + ns
	}
	if ns == "/" {
		return usagef("--admin-ns: the admin namespace cannot be /")
	}
	a := &sioserver.AdminOptions{Namespace: ns, User: o.AdminUser, ReadOnly: o.AdminReadOnly}
	switch {
	case o.AdminPWStdin && o.AdminUser == "":
		return usagef("--admin-password-stdin reads the password of --admin-user: give --admin-user")
	case o.AdminPWStdin:
		pw, err := readLine(o.IO.In)
		if err != nil {
			return usagef("--admin-password-stdin: %v", err)
		}
		a.Password = pw
	case o.AdminUser != "":
		pw, ok := os.LookupEnv("SIO_ADMIN_PASSWORD")
		if !ok || pw == "" {
			return usagef("--admin-user %s needs a password: set SIO_ADMIN_PASSWORD or give --admin-password-stdin", o.AdminUser)
		}
		a.Password = pw
	}
	so.Admin = a
	return nil
}

func serveRun(o *ServeOptions) error {
	so, err := o.options()
	if err != nil {
		return err
	}
	tlsCfg, err := o.tlsConfig()
	if err != nil {
		return err
	}
	ios := o.IO
	echo := o.Conformance == "engine.io" // an Engine.IO server alone: no prompt, whose commands are Socket.IO's
	interactive := ios.LineEditing() && inForeground() && !echo
	format, err := outputFormat(o.Output, ios.OutTTY)
	if err != nil {
		return err
	}
	out, notes := ios.Out, ios.ErrOut
	var term *repl.Terminal
	if interactive {
		in, ok := ios.In.(io.ReadCloser)
		if !ok {
			in = io.NopCloser(ios.In)
		}
		term, err = repl.NewTerminal(repl.TerminalConfig{Stdin: in, Stdout: ios.Out, Stderr: ios.ErrOut})
		if err != nil {
			return err
		}
		defer term.Close()
		out, notes = term.Stdout(), term.Stderr()
	}
	printer := output.New(out, format, ios.ColorEnabled())
	so.Observe = func(r sioserver.Record) {
		printer.Server(r)
		printer.Flush()
	}

	addr := net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", addr, errors.Unwrap(err))
	}
	scheme := "http"
	if tlsCfg != nil {
		ln, scheme = tls.NewListener(ln, tlsCfg), "https"
	}
	var (
		srv     *sioserver.Server
		handler http.Handler
		stop    func()
		eo      eioserver.Options
	)
	if echo {
		eng := sioserver.NewEcho(so)
		handler, stop, eo = eng, eng.Close, eng.Options()
	} else {
		srv = sioserver.New(so)
		handler, stop, eo = srv, srv.Close, srv.EngineOptions()
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	defer func() {
		stop()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		printer.Flush()
	}()

	fmt.Fprintf(notes, "sio serve: listening on %s://%s%s for %s (%s; %s)\n",
		scheme, ln.Addr(), eo.Path, servedClients(eo.Versions, echo), joinVersions(eo.Versions), joinTransports(eo.Transports))
	switch o.Conformance {
	case "socket.io":
		fmt.Fprintln(notes, `sio serve: as the socket.io-protocol test suite's server: "auth" sent on each connect, "message" answered with "message-back", namespaces / and /custom only`)
	case "engine.io":
		fmt.Fprintln(notes, "sio serve: as the engine.io-protocol test suite's server: every message echoed, no Socket.IO layer")
	}
	if a := so.Admin; a != nil {
		who := "anyone (no --admin-user)"
		if a.User != "" {
			who = "user " + a.User
		}
		watch := strings.TrimSpace(fmt.Sprintf("sio admin %s://%s %s", scheme, ln.Addr(), adminUserFlag(a.User)))
		if a.Namespace != "/admin" {
			watch += " --admin-ns " + a.Namespace
		}
		fmt.Fprintf(notes, "sio serve: the admin namespace %s takes %s; watch it with: %s\n", a.Namespace, who, watch)
	}
	if o.Ready != nil {
		o.Ready(ln.Addr().String())
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if !interactive {
		select {
		case <-ctx.Done():
		case err := <-served:
			return err
		}
		return nil
	}
	fmt.Fprintln(notes, "Type help for commands; Ctrl-D stops the server.")
	lines := make(chan error, 1)
	c := console.New(srv, notes)
	term.SetCompleter(c.Completer())
	loop := &cmdline.Loop{Table: c.Table(), In: term, Notes: notes, Prompt: c.Prompt, Error: describeVisible}
	go func() {
		_, err := loop.Run(ctx)
		lines <- err
	}()
	// The prompt's goroutine ends before the server closes: closing the
	// terminal ends the line it waits for.
	err = nil
	select {
	case <-ctx.Done():
	case err = <-served:
	case <-lines:
		return nil
	}
	term.Close()
	<-lines
	return err
}

func adminUserFlag(user string) string {
	if user == "" {
		return ""
	}
	return "-u " + user
}

// servedClients names the clients served: Engine.IO clients by the echo
// server, else the Socket.IO clients of Engine.IO versions vs.
func servedClients(vs []engineio.Version, echo bool) string {
	switch {
	case echo:
		return "Engine.IO clients"
	case len(vs) == 2:
		return "Socket.IO clients 2.x to 4.x"
	case vs[0] == engineio.Version3:
		return "Socket.IO clients 2.x"
	}
	return "Socket.IO clients 3.x and 4.x"
}

// joinVersions says Engine.IO versions as "Engine.IO 3 and 4".
func joinVersions(vs []engineio.Version) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.Itoa(int(v))
	}
	return "Engine.IO " + strings.Join(s, " and ")
}

func joinTransports(ts []engineio.Transport) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}
