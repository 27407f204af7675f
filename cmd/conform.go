package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/siocli/sio/internal/conform"
	"github.com/siocli/sio/internal/outcome"
	"github.com/siocli/sio/internal/output"
)

// ConformOptions are the inputs of sio conform.
type ConformOptions struct {
	IO            *IOStreams
	Conn          ConnOptions
	Suite         string
	Timeout       time.Duration
	HeartbeatWait time.Duration
	Parallel      int
	JUnit         string
	Output        string
}

// NewConformCmd returns the conform command; runF replaces the real run
// in tests.
func NewConformCmd(ios *IOStreams, runF func(*ConformOptions) error) *cobra.Command {
	opts := &ConformOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "conform URL",
		Short: "Check a server against the Engine.IO and Socket.IO protocols",
		Long: `Check a server against the protocols, one independent check a line.

With no --suite, the checks hold for any server and take no application
behaviour for granted: the handshake's fields, the error codes, the
heartbeat's timing, the upgrade, close, maxPayload, and the Socket.IO
CONNECT, DISCONNECT, binary attachments and ack ids (the URL's path is
the namespace; what needs an application handler is skipped).

--suite engine.io and --suite socket.io run every case of the
protocols' official conformance suites, for a server that behaves as
their test server does (pingInterval 300, pingTimeout 200, an echo):
engine.io at the URL's path, or /engine.io, Engine.IO 3 or 4 as the
server speaks (--eio to choose); socket.io at --path (/socket.io).

The Engine.IO version is found out from the server, and every
connection option applies. A failed check shows what was sent and what
came back. Output is text on a terminal, one JSON object a check
otherwise (-o to choose); --junit FILE also writes a JUnit XML report.

Exit codes: 0 when every check passes, 6 when one fails, 3 when no
session opens at all.`,
		Example: `  sio conform localhost:3000
  sio conform localhost:3000/admin -a '{"token":"s3cret"}'
  sio conform localhost:3000 --suite engine.io --junit conform.xml
  sio conform localhost:3000 --suite socket.io -o json | jq 'select(.result == "fail")'`,
		Args: checkArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Conn.URL = args[0]
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return conformRun(opts)
		},
	}
	fs := cmd.Flags()
	addConnFlags(fs, &opts.Conn, false)
	fs.StringVar(&opts.Suite, "suite", "", "run an official suite: engine.io or socket.io (default: the protocol checks)")
	fs.DurationVar(&opts.Timeout, "timeout", conform.DefaultTimeout, "how long each check may take, beyond its waits on the server's heartbeat")
	fs.DurationVar(&opts.HeartbeatWait, "heartbeat-wait", conform.DefaultHeartbeatWait, "skip the checks that would wait longer on the server's heartbeat (0 skips them all)")
	fs.IntVar(&opts.Parallel, "parallel", 4, "how many checks run at once")
	fs.StringVar(&opts.JUnit, "junit", "", "also write a JUnit XML report to this `file`")
	fs.StringVarP(&opts.Output, "output", "o", "auto", "output `format`: auto, text or json")
	return cmd
}

// suite returns the suite --suite names.
func (opts *ConformOptions) suite() (conform.Suite, error) {
	switch opts.Suite {
	case "":
		return conform.Protocol, nil
	case string(conform.EngineIO), string(conform.SocketIO):
		return conform.Suite(opts.Suite), nil
	}
	return "", usagef("--suite %q: want engine.io or socket.io", opts.Suite)
}

// check validates the flags that need no connection.
func (opts *ConformOptions) check() error {
	if _, err := opts.suite(); err != nil {
		return err
	}
	switch {
	case opts.Timeout <= 0:
		return usagef("--timeout must be positive")
	case opts.HeartbeatWait < 0:
		return usagef("--heartbeat-wait cannot be negative")
	case opts.Parallel < 1:
		return usagef("--parallel must be 1 or more")
	}
	if _, err := outputFormat(opts.Output, opts.IO.OutTTY); err != nil {
		return err
	}
	return opts.Conn.check()
}

// config turns the options into the checker's configuration.
func (opts *ConformOptions) config() (conform.Config, error) {
	suite, err := opts.suite()
	if err != nil {
		return conform.Config{}, err
	}
	c, err := opts.Conn.build(opts.IO.ErrOut)
	if err != nil {
		return conform.Config{}, usage(err)
	}
	cfg := conform.Config{
		URL: c.url, Suite: suite, Engine: c.manager.Engine, Header: c.manager.HeaderFunc,
		Namespace: c.namespaces[0], Auth: c.socket.Auth, AuthFunc: c.socket.AuthFunc, Query: c.socket.Query,
		Parser: c.manager.Parser, Timeout: opts.Timeout, HeartbeatWait: opts.HeartbeatWait, Parallel: opts.Parallel,
	}
	if opts.HeartbeatWait == 0 {
		cfg.HeartbeatWait = -1
	}
	pathGiven := opts.Conn.flags != nil && opts.Conn.flags.Changed("path")
	if suite == conform.EngineIO && !pathGiven {
		// The URL's path is the Engine.IO server's, not a namespace.
		cfg.Engine.Path = "/engine.io"
		if c.namespaces[0] != "/" {
			cfg.Engine.Path = c.namespaces[0]
		}
	}
	return cfg, nil
}

func conformRun(opts *ConformOptions) error {
	format, err := outputFormat(opts.Output, opts.IO.OutTTY)
	if err != nil {
		return err
	}
	cfg, err := opts.config()
	if err != nil {
		return err
	}
	p := conform.NewPrinter(opts.IO.Out, format == output.JSON, opts.IO.ColorEnabled())
	cfg.OnStart = p.Start
	cfg.OnCheck = p.Check
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	started := time.Now()
	rep, err := conform.Run(ctx, cfg)
	var ue *conform.UnreachableError
	var na *conform.NotApplicableError
	switch {
	case errors.As(err, &ue):
		if opts.JUnit != "" {
			// CI sees why there is nothing to report.
			rep = &conform.Report{Started: started, Took: time.Since(started), Summary: conform.Summary{Suite: cfg.Suite, URL: opts.Conn.shown(cfg.URL), Failed: 1},
				Records: []conform.Record{{Type: "check", Suite: cfg.Suite, Name: "reach the server", Result: conform.Fail, Why: err.Error()}}}
			if werr := writeJUnit(opts.JUnit, rep); werr != nil {
				return werr
			}
		}
		return unreachable(ue.Err)
	case errors.As(err, &na):
		return outcome.New(outcome.Expectation, err)
	case err != nil:
		return err
	}
	p.Summary(rep.Summary)
	if opts.JUnit != "" {
		if err := writeJUnit(opts.JUnit, rep); err != nil {
			return err
		}
	}
	if rep.Summary.Failed > 0 {
		return quiet(outcome.Expectation, "%d checks failed", rep.Summary.Failed)
	}
	return nil
}

// writeJUnit writes the report to file.
func writeJUnit(file string, rep *conform.Report) error {
	f, err := os.Create(file)
	if err != nil {
		return fmt.Errorf("--junit: %w", err)
	}
	if err := conform.WriteJUnit(f, rep); err != nil {
		f.Close()
		return fmt.Errorf("--junit %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--junit %s: %w", file, err)
	}
	return nil
}
