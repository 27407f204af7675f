package cmd

import (
	"github.com/siocli/sio/internal/outcome"
	"net/url"

	"context"
	"encoding/json"
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/siocli/sio/internal/doctor"
	"github.com/siocli/sio/internal/output"
)

// DoctorOptions are the inputs of sio doctor.
type DoctorOptions struct {
	IO            *IOStreams
	Conn          ConnOptions
	HeartbeatWait time.Duration
	Origin        string
	Watch         time.Duration
	MaxSize       bool
	Output        string
}

// NewDoctorCmd returns the doctor command; runF replaces the real run in
// tests.
func NewDoctorCmd(ios *IOStreams, runF func(*DoctorOptions) error) *cobra.Command {
	opts := &DoctorOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "doctor URL",
		Short: "Find out why a connection or the WebSocket upgrade fails, and what to fix",
		Long: `Diagnose a Socket.IO connection one step at a time, each shown as it
happens with its duration and what it found:

  1. name resolution and TCP connect (and the proxy in use)
  2. TLS: protocol, certificate, and why verification fails
  3. the polling handshake, Engine.IO 4 then 3: version, sid, upgrades, timings
  4. session stickiness: requests with the sid on new connections
  5. a direct WebSocket
  6. the upgrade from polling to WebSocket
  7. the namespace connect, with the auth given
  8. a heartbeat
  9. with --origin, what a browser page at that origin gets: the CORS
     headers of the polling handshake, a preflight for the -H headers,
     the WebSocket with that Origin, and cross-site sticky cookies
 10. with --max-size, the largest message the server takes on each
     transport, against the maxPayload it announces (a proxy's body limit)
 11. with --watch D, a connection held for D: every drop with its reason,
     how long the connection had lived and its last heartbeat, then
     whether the drops come at a fixed interval (a timeout in between)

then a verdict: which transports work, what is wrong, and the likely fix.
It takes every connection option, so it diagnoses the connection the other
commands would make. -o json prints the whole report as one JSON object.

Exit codes: 0 when a connection works over the best transport the server
offers, 6 when a problem was found, 3 when nothing connects.`,
		Example: `  sio doctor localhost:3000
  sio doctor https://example.com/admin -a '{"token":"s3cret"}'
  sio doctor https://example.com --heartbeat-wait 0 -o json | jq .verdict
  sio doctor https://api.example.com --origin https://app.example.com
  sio doctor https://example.com --watch 10m`,
		Args: checkArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Conn.URL = args[0]
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return doctorRun(opts)
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &opts.Conn, false)
	fs.DurationVar(&opts.HeartbeatWait, "heartbeat-wait", 30*time.Second, "how long to wait for a heartbeat (0 skips that step)")
	fs.BoolVar(&opts.MaxSize, "max-size", false, "also find the largest message the server takes on each transport (sends large messages), and compare it with the maxPayload it announces")
	fs.DurationVar(&opts.Watch, "watch", 0, "then hold a connection this long (Ctrl-C ends it sooner), reconnecting after each drop, and say whether the drops come at a fixed interval (a timeout in between) or at random")
	fs.StringVar(&opts.Origin, "origin", "", "also check what a browser page at this `origin` (https://app.example.com) gets: CORS, origin checks, cookies")
	fs.StringVarP(&opts.Output, "output", "o", "auto", "output `format`: auto, text or json")
	return cmd
}

// check validates the flags that need no connection.
func (opts *DoctorOptions) check() error {
	if opts.HeartbeatWait < 0 || opts.Watch < 0 {
		return usagef("--heartbeat-wait and --watch cannot be negative")
	}
	if o := opts.Origin; o != "" {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return usagef("--origin %q: want an origin such as https://app.example.com (scheme, host and port only)", o)
		}
		opts.Origin = u.Scheme + "://" + u.Host
	}
	return opts.Conn.check()
}

// doctorRun runs the command; its flags were checked (check).
func doctorRun(opts *DoctorOptions) error {
	format, err := outputFormat(opts.Output, opts.IO.OutTTY)
	if err != nil {
		return err
	}
	c, err := opts.Conn.build(opts.IO.ErrOut)
	if err != nil {
		return usage(err)
	}
	cfg := doctor.Config{
		URL: c.url, Namespace: c.namespaces[0], Manager: c.manager, Socket: c.socket,
		Timeout: c.timeout, HeartbeatWait: opts.HeartbeatWait, Origin: opts.Origin, Watch: opts.Watch, MaxSize: opts.MaxSize,
	}
	var p *doctor.Printer
	if format == output.Text {
		p = doctor.NewPrinter(opts.IO.Out, opts.IO.ColorEnabled())
		p.Header(opts.Conn.shown(c.url), cfg.Namespace)
		cfg.OnStep, cfg.OnWatch = p.Step, p.Watch
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	report := doctor.Run(ctx, cfg)
	report.Verdict.Code = exitCodes[report.Verdict.Kind]
	report.URL = opts.Conn.shown(report.URL)
	if p != nil {
		p.Verdict(report.Verdict)
	} else {
		b, err := json.Marshal(report)
		if err != nil {
			return err
		}
		opts.IO.Out.Write(append(b, '\n'))
	}
	if report.Verdict.Kind != outcome.OK {
		return &quietError{outcome.New(report.Verdict.Kind, errors.New(report.Verdict.Summary))}
	}
	return nil
}
